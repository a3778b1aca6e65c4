// Issue 10, robustness: a hostile client on 127.0.0.1 sends each misbehaviour in turn at our server
// (engine/net/session.ts createServer; `tlslens serve`; engine/net/dtls.ts createDtlsServer). Every case must end
// the attacked connection with a typed error naming the alert or limit it calls for, within its bound, with nothing
// thrown out of the engine and nothing hung, and the server must then still serve a well-behaved client. The last
// test prints "hostile client: N cases, N survived (0 crashed, 0 hung, 0 misjudged)".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ClientSession } from '../../engine/conn/session-ticket';
import { ext } from '../../engine/msgs/extensions';
import { connect, type ConnectOptions, type SessionOptions } from '../../engine/net/session';
import { NamedGroup } from '../../engine/registry/groups';
import { SignatureScheme } from '../../engine/registry/sigschemes';
import { engineClient, hostileClient, onFirstPlain, sleep, type HostilePeer, type VictimServer, victimServer } from './hostile/endpoints';
import { describeOutcome, HostileSuite, judge, watch, type Expected } from './hostile/harness';
import { dtlsClientCases } from './hostile/dtls';
import {
  alertRecord, ascii, cat, clientHello, clientHelloRecord, CT, ECDHE_ECDSA_AES128_GCM_SHA256, fragmentIntoRecords, handshake, HS, record, repeat,
  seededBytes, ssl2ClientHello, TLS12, tls13ClientExtensions, u16, u24, unknownExtensions,
} from './hostile/wire';

const suite = new HostileSuite('hostile client');
/** The raw hostile connections of the case under way (their notes go into a misjudged case's report). */
const peers: HostilePeer[] = [];
const TLS12_ONLY = { maxVersion: TLS12 } as const;

/**
 * One case: our server (`server` options) is attacked by `attack`, which opens its own connections and returns the
 * index of the one to judge (default 0) by `want`; then a well-behaved client must still be served.
 */
function clientCase(name: string, attack: (srv: VictimServer) => Promise<number | void>, want: Expected | Expected[], server: Partial<SessionOptions> = {}, good: Partial<ConnectOptions> = {}, deadlineMs = 6000): void {
  test(name, async (t) => {
    const r = await suite.run(name, deadlineMs, async (c) => {
      const srv = await victimServer(server);
      c.defer(() => srv.close());
      peers.length = 0;
      const i = (await attack(srv)) ?? 0;
      const o = await srv.outcome(i);
      try {
        judge(o, want);
        c.note(describeOutcome(o));
      } catch (e) {
        const notes = peers.flatMap((p) => p.notes);
        if (notes.length) (e as Error).message += `\n  hostile client notes: ${notes.join('; ')}`;
        throw e;
      }
      await srv.stillServes({ ...(server.maxVersion ? { maxVersion: server.maxVersion } : {}), ...good });
    });
    if (r.verdict === 'survived') t.diagnostic(r.detail);
    assert.equal(r.verdict, 'survived', r.detail);
  });
}

/** A hostile client that runs `script` on its own raw connection (kept open until the case ends). */
const raw = (script: (p: HostilePeer) => unknown) => async (srv: VictimServer) => {
  const p = await hostileClient(srv.port);
  peers.push(p);
  void Promise.resolve(script(p)).catch((e: unknown) => p.notes.push(`script: ${(e as Error).message}`));
};
/** Sends `bytes` as soon as connected. */
const send = (bytes: Uint8Array) => raw((p) => p.pour(bytes));

/** The extensions of an ordinary TLS 1.2 ClientHello (ECDHE-ECDSA, secure renegotiation). */
const tls12Extensions = () => [
  ext.serverName(['localhost']), ext.supportedGroups([NamedGroup.x25519, NamedGroup.secp256r1]), ext.ecPointFormats(),
  ext.signatureAlgorithms([SignatureScheme.ecdsa_secp256r1_sha256]), ext.renegotiationInfo(),
];
const tls12Hello = () => clientHelloRecord({ legacyVersion: TLS12, cipherSuites: [ECDHE_ECDSA_AES128_GCM_SHA256], extensions: tls12Extensions() });
const share = (group: number, keyExchange: Uint8Array) => ext.keyShareClient([{ group, keyExchange }]);

// ---- wrong versions ---------------------------------------------------------------------------------------------

clientCase('ClientHello.legacy_version 0x0200, no supported_versions: protocol_version (RFC 8446 appendix D.5)',
  send(clientHelloRecord({ legacyVersion: 0x0200, cipherSuites: [ECDHE_ECDSA_AES128_GCM_SHA256], extensions: tls12Extensions() })), { alert: 'protocol_version', withinMs: 1500 });

clientCase('supported_versions offering only 0x0305 and draft 0x7f1c: protocol_version (RFC 8446 section 4.2.1)',
  send(clientHelloRecord({ extensions: tls13ClientExtensions({ versions: [0x0305, 0x7f1c] }) })), { alert: 'protocol_version', withinMs: 1500 });

clientCase('a TLS 1.0 ClientHello to a server of TLS 1.2 and up: protocol_version (RFC 5246 appendix E.1)',
  send(clientHelloRecord({ legacyVersion: 0x0301, cipherSuites: [0xc009], extensions: tls12Extensions() })), { alert: 'protocol_version', withinMs: 1500 });

clientCase('an SSL 2.0-format ClientHello: unexpected_message, named as SSLv2 (RFC 5246 appendix E.2)',
  send(ssl2ClientHello()), { alert: 'unexpected_message', message: /SSLv2/, withinMs: 1500 });

// ---- malformed ClientHellos -------------------------------------------------------------------------------------

clientCase('supported_groups twice: illegal_parameter (RFC 8446 section 4.2)',
  send(clientHelloRecord({ extensions: [ext.supportedGroups([NamedGroup.x25519]), ...tls13ClientExtensions()] })), { alert: 'illegal_parameter', withinMs: 1500 });

clientCase('a ClientHello with 2000 extensions: maxExtensions',
  send(fragmentIntoRecords(CT.handshake, clientHello({ extensions: [...tls13ClientExtensions(), ...unknownExtensions(2000)] }), 1 << 14)), { limit: 'maxExtensions', withinMs: 1500 });

clientCase('a legacy_session_id of 255 bytes: decode_error or illegal_parameter (RFC 8446 section 4.1.2: at most 32)',
  send(clientHelloRecord({ sessionId: seededBytes(7, 255) })), { alert: ['decode_error', 'illegal_parameter'], withinMs: 1500 });

clientCase('TLS 1.3 only, supported_groups but no key_share: missing_extension (RFC 8446 section 9.2)',
  send(clientHelloRecord({ extensions: tls13ClientExtensions({ share: null }) })), { alert: 'missing_extension', withinMs: 1500 });

clientCase('an x25519 key_share of all zeros (a low-order point): illegal_parameter (RFC 8446 section 7.4.2)',
  send(clientHelloRecord({ extensions: tls13ClientExtensions({ share: share(NamedGroup.x25519, new Uint8Array(32)) }) })), { alert: 'illegal_parameter', withinMs: 1500 });

clientCase('a P-256 key_share that is not on the curve: illegal_parameter (RFC 8446 section 4.2.8.2)',
  send(clientHelloRecord({ extensions: tls13ClientExtensions({ groups: [NamedGroup.secp256r1], share: share(NamedGroup.secp256r1, cat(Uint8Array.of(4), new Uint8Array(64).fill(1))) }) })),
  { alert: 'illegal_parameter', withinMs: 1500 });

clientCase('an x25519 key_share of 31 bytes: illegal_parameter or decode_error (RFC 8446 section 4.2.8.2)',
  send(clientHelloRecord({ extensions: tls13ClientExtensions({ share: share(NamedGroup.x25519, seededBytes(10, 31)) }) })), { alert: ['illegal_parameter', 'decode_error'], withinMs: 1500 });

clientCase('legacy_compression_methods without null: illegal_parameter (RFC 8446 section 4.1.2)',
  send(clientHelloRecord({ compression: [1] })), { alert: 'illegal_parameter', withinMs: 1500 });

clientCase('an extension whose length runs past the ClientHello: decode_error',
  send(record(CT.handshake, handshake(HS.client_hello, cat(clientHello({ extensions: [] }).subarray(4), u16(8), u16(0xa0a0), u16(100), new Uint8Array(4))), 0x0301)),
  { alert: 'decode_error', withinMs: 1500 });

/** A pre_shared_key offer of a ticket we never issued (RFC 8446 section 4.2.11). */
const foreignPsk = () => ext.preSharedKeyClient({ identities: [{ identity: seededBytes(13, 64), obfuscatedTicketAge: 0 }], binders: [seededBytes(14, 32)] });

clientCase('pre_shared_key not the last extension: illegal_parameter (RFC 8446 section 4.2.11)',
  send(clientHelloRecord({ extensions: [...tls13ClientExtensions(), ext.pskKeyExchangeModes(), foreignPsk(), ext.padding(8)] })), { alert: 'illegal_parameter', withinMs: 1500 });

// OpenSSL 3.0 answers this with missing_extension too ("missing psk kex modes extension").
clientCase('pre_shared_key without psk_key_exchange_modes: missing_extension (RFC 8446 section 4.2.9)',
  send(clientHelloRecord({ extensions: [...tls13ClientExtensions(), foreignPsk()] })), { alert: 'missing_extension', withinMs: 1200 }, { handshakeTimeoutMs: 500 });

clientCase('a PSK binder that does not verify: decrypt_error (RFC 8446 section 4.2.11)', async (srv) => {
  const ticket = await ticketFrom(srv);
  const p = await hostileClient(srv.port);
  // pre_shared_key is the ClientHello's last extension and its binder its last bytes (RFC 8446 section 4.2.11).
  engineClient(p, { session: ticket }, onFirstPlain(HS.client_hello, (rec) => {
    const r = rec.slice();
    r[r.length - 1]! ^= 0x5a;
    return [r];
  }));
  return 1;
}, { alert: 'decrypt_error', withinMs: 1500 });

/** A resumable session from a well-behaved handshake with our server (its connection is number 0). */
async function ticketFrom(srv: VictimServer): Promise<ClientSession> {
  let got!: (s: ClientSession) => void;
  const ticket = new Promise<ClientSession>((r) => (got = r));
  const c = await connect({ host: '127.0.0.1', port: srv.port, serverName: 'localhost', onSession: (s) => got(s) });
  c.begin();
  try {
    return await Promise.race([ticket, sleep(3000).then(() => Promise.reject(new Error('no session ticket within 3 s')))]);
  } finally {
    c.destroy();
  }
}

// ---- oversized fields -------------------------------------------------------------------------------------------

clientCase('a record announcing 2^14 + 2049 bytes: record_overflow before its body arrives (RFC 8446 section 5.1)',
  send(record(CT.handshake, new Uint8Array(100), 0x0301, (1 << 14) + 2049)), { alert: 'record_overflow', withinMs: 1500 });

clientCase('a handshake message announcing 2^24 - 1 bytes: maxHandshakeMessageBytes, nothing allocated',
  send(record(CT.handshake, cat(Uint8Array.of(HS.client_hello), u24(0xffffff), new Uint8Array(64)), 0x0301)), { limit: 'maxHandshakeMessageBytes', withinMs: 1500 });

clientCase('a 70 KB ClientHello (an extension of 65,535 bytes and more): maxHandshakeMessageBytes', send((() => {
  // Past what a 16-bit extensions block can say: written by hand, as only a hostile client would.
  const body = cat(clientHello({ extensions: [] }).subarray(4), u16(0xffff), u16(0xa0a0), u16(0xffff), seededBytes(5, 70_000));
  return fragmentIntoRecords(CT.handshake, handshake(HS.client_hello, body), 1 << 14, 0x0301);
})()), { limit: 'maxHandshakeMessageBytes', withinMs: 1500 });

// ---- record floods ----------------------------------------------------------------------------------------------

clientCase('10,000 empty handshake records: unexpected_message at the first (RFC 8446 section 5.1)',
  send(repeat(record(CT.handshake, new Uint8Array(0), 0x0301), 10_000)), { alert: 'unexpected_message', withinMs: 1500 });

clientCase('10,000 empty application_data records before any ClientHello: unexpected_message',
  send(repeat(record(CT.appData, new Uint8Array(0)), 10_000)), { alert: 'unexpected_message', withinMs: 1500 });

clientCase('10,000 change_cipher_spec records after the ClientHello (compatibility window): maxEmptyRecordsInARow',
  send(cat(clientHelloRecord(), repeat(record(CT.ccs, Uint8Array.of(1)), 10_000))), { limit: 'maxEmptyRecordsInARow', withinMs: 1500 });

clientCase('10,000 unrecognized_name warnings before the ClientHello: maxWarningAlertsInARow',
  send(repeat(alertRecord('warning', 112), 10_000)), { limit: 'maxWarningAlertsInARow', withinMs: 1500 });

clientCase('TLS 1.2: 10,000 warning alerts after the ClientHello: maxWarningAlertsInARow',
  send(cat(tls12Hello(), repeat(alertRecord('warning', 112), 10_000))), { limit: 'maxWarningAlertsInARow', withinMs: 1500 }, TLS12_ONLY);

clientCase('100,000 one-byte handshake records: maxRecordsPerHandshake', send((() => {
  const stream = new Uint8Array(100_000);
  stream.set(cat(Uint8Array.of(HS.client_hello), u24(65_000)));
  return fragmentIntoRecords(CT.handshake, stream, 1, 0x0301);
})()), { limit: 'maxRecordsPerHandshake', withinMs: 3000 });

clientCase('TLS 1.2: a heartbeat request after the ClientHello (Heartbleed-shaped, RFC 6520): unexpected_message',
  send(cat(tls12Hello(), record(CT.heartbeat, cat(Uint8Array.of(1), u16(0x4000), seededBytes(8, 16))))), { alert: 'unexpected_message', withinMs: 1500 }, TLS12_ONLY);

clientCase('1000 KeyUpdates asking for an update, after the handshake: maxKeyUpdatesInARow (RFC 8446 section 4.6.3)', raw(async (p) => {
  const e = engineClient(p);
  await e.open;
  e.conn.write(ascii('hi')); // and wait for the echo: the server has seen its handshake complete
  e.flush();
  await e.ready;
  for (let i = 0; i < 1000 && e.conn.status === 'open'; i++) e.conn.keyUpdate(true);
  e.flush();
}), { limit: 'maxKeyUpdatesInARow', secureFirst: true, withinMs: 3000 });

clientCase('TLS 1.2: a client renegotiating in a loop, the server allowing it: maxRenegotiationsPerMinute', async (srv) => {
  await renegotiateInALoop(srv.port);
}, { limit: 'maxRenegotiationsPerMinute', secureFirst: true, withinMs: 4000 }, { ...TLS12_ONLY, renegotiation: true });

clientCase('TLS 1.2: a client renegotiating in a loop, the server declining (no_renegotiation): maxRenegotiationsPerMinute', async (srv) => {
  await renegotiateInALoop(srv.port);
}, { limit: 'maxRenegotiationsPerMinute', secureFirst: true, withinMs: 4000 }, TLS12_ONLY);

/** Our TLS 1.2 client as an attacker: a new renegotiation as soon as the last one ended, accepted or declined. */
async function renegotiateInALoop(port: number): Promise<void> {
  const c = await connect({ host: '127.0.0.1', port, serverName: 'localhost', maxVersion: TLS12 });
  let rounds = 0;
  const again = () => {
    if (rounds++ < 50 && c.conn.status === 'open') {
      try {
        c.renegotiate();
      } catch {
        // one still under way
      }
    }
  };
  c.on('error', () => undefined);
  c.on('secure', again);
  c.on('renegotiated', again);
  c.on('trace', (e: { kind: string; name?: string; dir?: string }) => {
    if (e.kind === 'alert' && e.dir === 'in' && e.name === 'no_renegotiation') setImmediate(again);
  });
  c.begin();
}

// ---- slowloris --------------------------------------------------------------------------------------------------

clientCase('slowloris: a ClientHello one byte every 50 ms: handshakeTimeoutMs',
  raw((p) => p.trickle(clientHelloRecord(), 50)), { limit: 'handshakeTimeoutMs', withinMs: 1200 }, { handshakeTimeoutMs: 500 });

clientCase('slowloris: connects and never sends: handshakeTimeoutMs',
  raw(() => undefined), { limit: 'handshakeTimeoutMs', message: /went silent/, withinMs: 1200 }, { handshakeTimeoutMs: 500 });

clientCase('slowloris: half a record, then nothing: handshakeTimeoutMs',
  raw((p) => p.write(clientHelloRecord().subarray(0, 60))), { limit: 'handshakeTimeoutMs', withinMs: 1200 }, { handshakeTimeoutMs: 500 });

const halfOpen = '200 half-open connections at once: each ends at handshakeTimeoutMs, a good client is served meanwhile, the heap stays bounded';
test(halfOpen, async (t) => {
  const name = halfOpen;
  const r = await suite.run(name, 15_000, async (c) => {
    const srv = await victimServer({ handshakeTimeoutMs: 1500 });
    c.defer(() => srv.close());
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const peers = await Promise.all(Array.from({ length: 200 }, () => hostileClient(srv.port)));
    for (const p of peers) c.defer(() => p.destroy());
    for (const p of peers) p.write(clientHelloRecord().subarray(0, 100));
    await srv.stillServes(); // while all 200 are held
    // 201 connections: the 200 held and the good client's, in whatever order they were accepted.
    const outcomes = await Promise.all(Array.from({ length: 201 }, (_, i) => srv.outcome(i)));
    assert.equal(outcomes.filter((o) => o.secure).length, 1, 'only the good client completes a handshake');
    for (const o of outcomes.filter((o) => !o.secure)) judge(o, { limit: 'handshakeTimeoutMs', withinMs: 4000 });
    globalThis.gc?.();
    const grown = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(grown < 64 * 1024 * 1024, `the heap grew by ${Math.round(grown / 1024 / 1024)} MB for 200 half-open connections`);
    c.note(`200 held connections ended at handshakeTimeoutMs after ${Math.round(Math.min(...outcomes.filter((o) => !o.secure).map((o) => o.ms)))}-${Math.round(Math.max(...outcomes.map((o) => o.ms)))} ms; the good client was served meanwhile; heap ${grown >= 0 ? '+' : ''}${(grown / 1024 / 1024).toFixed(1)} MB`);
  });
  if (r.verdict === 'survived') t.diagnostic(r.detail);
  assert.equal(r.verdict, 'survived', r.detail);
});

// ---- garbage and broken transport -------------------------------------------------------------------------------

for (const seed of [1, 2, 3]) {
  clientCase(`64 KB of random bytes (seed ${seed}): a fatal alert, no internal error`,
    send(seededBytes(seed, 64 * 1024)), { alert: ['unexpected_message', 'record_overflow', 'decode_error', 'protocol_version', 'illegal_parameter'], withinMs: 1500 });
}

clientCase('an HTTP request: unexpected_message, named as plain text',
  send(ascii('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')), { alert: 'unexpected_message', message: /plain text/, withinMs: 1500 });

clientCase('a TCP reset after the ClientHello: a socket error, and the server goes on', raw(async (p) => {
  p.write(clientHelloRecord());
  await p.until(() => (p.reader.records.length ? true : undefined), 'the server flight');
  p.socket.resetAndDestroy();
}), { message: /ECONNRESET|closed the TCP connection/, withinMs: 1500 });

clientCase('a FIN in the middle of the ClientHello: the handshake fails as closed by the peer', raw((p) => {
  p.write(clientHelloRecord().subarray(0, 50));
  p.socket.end();
}), { message: /closed the TCP connection during the handshake/, withinMs: 1500 });

// ---- `tlslens serve` --------------------------------------------------------------------------------------------

const serveCase = 'tlslens serve: garbage, 2000 extensions, a CCS flood, a half-open connection and a reset leave the process up and serving';
test(serveCase, async (t) => {
  const name = serveCase;
  const r = await suite.run(name, 20_000, async (c) => {
    const proc = spawn(process.execPath, ['dist/cli.js', 'serve', '--port', '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
    c.defer(() => proc.kill('SIGKILL'));
    let out = '';
    proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`tlslens serve printed no ACCEPT line within 10 s:\n${out}`)), 10_000);
      const check = () => {
        const m = /ACCEPT \S+:(\d+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(Number(m[1]));
        }
      };
      proc.stdout.on('data', check);
      proc.once('exit', (code) => reject(new Error(`tlslens serve exited (${code}) before accepting:\n${out}`)));
    });
    const attacks = [
      seededBytes(9, 4096),
      fragmentIntoRecords(CT.handshake, clientHello({ extensions: [...tls13ClientExtensions(), ...unknownExtensions(2000)] }), 1 << 14, 0x0301),
      repeat(record(CT.ccs, Uint8Array.of(1)), 10_000),
      clientHelloRecord().subarray(0, 40), // half-open: left hanging
    ];
    for (const bytes of attacks) {
      const p = await hostileClient(port);
      c.defer(() => p.destroy());
      await p.pour(bytes);
    }
    const reset = await hostileClient(port);
    reset.write(clientHelloRecord());
    await sleep(50);
    reset.socket.resetAndDestroy();
    await sleep(200);
    assert.equal(proc.exitCode, null, `tlslens serve exited:\n${out}`);
    const good = await connect({ host: '127.0.0.1', port, serverName: 'localhost', handshakeTimeoutMs: 5000 });
    const ended = watch(good);
    good.begin();
    try {
      await Promise.race([good.handshake(), ended.then((o) => Promise.reject(new Error(`a good client failed after the attacks: ${o.error?.message}`)))]);
    } finally {
      good.destroy();
    }
    assert.equal(proc.exitCode, null, `tlslens serve exited:\n${out}`);
    assert.doesNotMatch(out, /TypeError|RangeError|Uncaught|at .*\.js:\d+/, 'no stack trace in its output');
    c.note(`after ${attacks.length + 1} hostile connections the process is up and completed a good client's handshake`);
  });
  if (r.verdict === 'survived') t.diagnostic(r.detail);
  assert.equal(r.verdict, 'survived', r.detail);
});

// ---- DTLS (engine/net/dtls.ts createDtlsServer) -----------------------------------------------------------------

dtlsClientCases(suite);

test('summary: hostile client cases survived', (t) => {
  const line = suite.summary();
  console.log(line);
  t.diagnostic(line);
  for (const f of suite.failures()) t.diagnostic(f);
  assert.equal(suite.count('survived'), suite.results.length, suite.failures().join('\n'));
});

