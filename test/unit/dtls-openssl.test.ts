// Known answers from OpenSSL: `openssl s_client -dtls1_2` talks to `openssl s_server` through a UDP relay in this
// test on 127.0.0.1, which records every datagram (and can lose one). Our DTLS building blocks then read the capture:
// splitDatagram parses every datagram; DtlsReassembler rebuilds both sides' handshake messages from OpenSSL's
// fragments (-mtu 500 cuts a 4096-bit RSA certificate into several), through a lost datagram and OpenSSL's
// retransmissions; the cookie codecs read its HelloVerifyRequest and ClientHellos; with the master secret from
// s_client's -keylogfile, DtlsRecordReader opens OpenSSL's protected records (GCM, ChaCha20, CCM_8, CBC with and
// without encrypt-then-MAC, DTLS 1.0), both Finished messages check against the RFC 6347 section 4.2.6 transcript
// made by transcriptBytes, and records sealed by DtlsEpochWriter are injected into the live association and printed
// by s_server and s_client. Last, s_client answers a HelloVerifyRequest of ours (cookie from HelloCookies, sent as
// two fragments in reverse order) with a ClientHello whose cookie verifies.
// openssl is a test dependency (scripts/install-test-deps.sh): without it these tests fail, naming it.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nobleProvider } from '../../engine/crypto/noble';
import { deriveKeyBlock, finishedVerifyData } from '../../engine/handshake/tls12/prf';
import { decodeHandshake, decodeServerHello, type Certificate, type ServerHello } from '../../engine/msgs/handshake';
import { CT } from '../../engine/record/framer';
import { Tls12Protector } from '../../engine/record/protect12';
import { HandshakeType, handshakeLabel } from '../../engine/registry/handshake-types';
import { suiteByCode, type CipherSuite } from '../../engine/registry/suites';
import { concatBytes, fromHex, toHex } from '../../engine/util/hex';
import { DTLS10, DTLS12, DtlsEpochWriter, DtlsRecordReader, dtlsVersionName, splitDatagram, tlsVersionOf, type DtlsOpenResult } from '../../engine/dtls/record';
import {
  DtlsReassembler,
  decodeDtlsHandshakeFragments,
  fragmentHandshake,
  fromTlsForm,
  toTlsForm,
  transcriptBytes,
  type DtlsHandshakeMessage,
} from '../../engine/dtls/handshake-fragment';
import { HelloCookies, decodeDtlsClientHello, decodeHelloVerifyRequest, encodeDtlsClientHello, encodeHelloVerifyRequest } from '../../engine/dtls/cookie';

const P = nobleProvider();
const PKI = (n: string): string => path.resolve('test/fixtures/pki', n);
const MTU = 500;
/** OpenSSL takes -mtu as the link MTU and subtracts the IPv4 and UDP headers (28 bytes) for the datagram. */
const MAX_DATAGRAM = MTU - 28;

function requireOpenssl(): void {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    assert.fail(`openssl is required for the DTLS known-answer tests (install it: scripts/install-test-deps.sh): ${r.error?.message ?? r.stderr}`);
}

// ---- peers and the relay ------------------------------------------------------------------------------------------

interface Proc {
  proc: ChildProcess;
  out(): string;
  waitFor(re: RegExp, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

function run(args: string[]): Proc {
  const proc = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const waiters = new Set<() => void>();
  const on = (b: Buffer): void => {
    out += b.toString('latin1');
    for (const w of waiters) w();
  };
  proc.stdout!.on('data', on);
  proc.stderr!.on('data', on);
  proc.on('error', (e) => {
    out += `\n[spawn error: ${e.message}]`;
  });
  return {
    proc,
    out: () => out,
    waitFor(re, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (re.test(out)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`openssl ${args[0]} did not print ${re} within ${ms} ms; it printed:\n${out.slice(-3000)}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    stop() {
      return new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
      });
    },
  };
}

async function udpSocket(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve());
  });
  return s;
}

async function freeUdpPort(): Promise<number> {
  const s = await udpSocket();
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

type Dir = 'c2s' | 's2c';
interface Datagram {
  dir: Dir;
  bytes: Uint8Array;
  /** ms since the capture began. */
  t: number;
  /** Lost on purpose by the relay: never delivered. */
  lost?: boolean;
  /** Sealed by us and sent into the association. */
  injected?: boolean;
}

interface CaptureConfig {
  serverArgs: string[];
  clientArgs: string[];
  /** Lose the n-th server-to-client datagram (0-based) the first time it passes. */
  loseS2C?: number;
}

interface Capture {
  datagrams: Datagram[];
  keylog: string;
  clientOut: string;
  serverOut: string;
}

const CLIENT_TEXT = 'hello from s_client\n';
const SERVER_TEXT = 'hello from s_server\n';
const INJECT_C2S = 'sealed by TLS Lens for s_server\n';
const INJECT_S2C = 'sealed by TLS Lens for s_client\n';

/** Runs s_server and s_client through the relay: handshake, data both ways, then one record of ours each way. */
async function capture(cfg: CaptureConfig): Promise<Capture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-dtls-'));
  const keylogPath = path.join(dir, 'keylog.txt');
  const serverPort = await freeUdpPort();
  const server = run(['s_server', '-accept', `127.0.0.1:${serverPort}`, '-mtu', String(MTU), ...cfg.serverArgs]);
  const front = await udpSocket(); // faces the client
  const back = await udpSocket(); // faces the server
  const start = Date.now();
  const datagrams: Datagram[] = [];
  let clientAddr: { address: string; port: number } | undefined;
  let s2cCount = 0;
  front.on('message', (m, ri) => {
    clientAddr = { address: ri.address, port: ri.port };
    datagrams.push({ dir: 'c2s', bytes: new Uint8Array(m), t: Date.now() - start });
    back.send(m, serverPort, '127.0.0.1');
  });
  back.on('message', (m) => {
    const lost = s2cCount++ === cfg.loseS2C;
    datagrams.push({ dir: 's2c', bytes: new Uint8Array(m), t: Date.now() - start, ...(lost ? { lost } : {}) });
    if (!lost && clientAddr) front.send(m, clientAddr.port, clientAddr.address);
  });
  let client: Proc | undefined;
  try {
    await server.waitFor(/ACCEPT/);
    client = run(['s_client', '-connect', `127.0.0.1:${front.address().port}`, '-mtu', String(MTU), '-keylogfile', keylogPath, ...cfg.clientArgs]);
    await client.waitFor(/Verify return code/);
    await server.waitFor(/CIPHER is/);
    client.proc.stdin!.write(CLIENT_TEXT);
    await server.waitFor(new RegExp(CLIENT_TEXT.trim()));
    server.proc.stdin!.write(SERVER_TEXT);
    await client.waitFor(new RegExp(SERVER_TEXT.trim()));
    // Our records, sealed with the keys of the session OpenSSL negotiated, into the live association.
    const keylog = fs.readFileSync(keylogPath, 'utf8');
    const a = analyse(datagrams, keylog);
    for (const [d, text] of [['c2s', INJECT_C2S], ['s2c', INJECT_S2C]] as const) {
      const w = a.writerFor(d);
      const rec = w.seal(CT.application_data, new TextEncoder().encode(text));
      datagrams.push({ dir: d, bytes: rec, t: Date.now() - start, injected: true });
      if (d === 'c2s') back.send(rec, serverPort, '127.0.0.1');
      else front.send(rec, clientAddr!.port, clientAddr!.address);
    }
    await server.waitFor(new RegExp(INJECT_C2S.trim()));
    await client.waitFor(new RegExp(INJECT_S2C.trim()));
    return { datagrams, keylog, clientOut: client.out(), serverOut: server.out() };
  } finally {
    await Promise.all([server.stop(), client?.stop()]);
    front.close();
    back.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- reading a capture with our building blocks -------------------------------------------------------------------

interface FragmentSeen {
  dir: Dir;
  epoch: number;
  recordSeq: number;
  datagram: number;
  msgType: number;
  messageSeq: number;
  offset: number;
  length: number;
}

interface Released {
  dir: Dir;
  m: DtlsHandshakeMessage;
  epoch: number;
  /** The epoch/seq of the record that completed it. */
  recordSeq: number;
}

interface Analysis {
  records: Array<{ dir: Dir; datagram: number; result: DtlsOpenResult }>;
  fragments: FragmentSeen[];
  released: Released[];
  drops: Array<{ dir: Dir; reason: string; messageSeq: number }>;
  appData: Record<Dir, string[]>;
  alerts: Record<Dir, string[]>;
  suite?: CipherSuite;
  version?: number;
  etm: boolean;
  master?: Uint8Array;
  clientRandom?: Uint8Array;
  serverRandom?: Uint8Array;
  readers: Record<Dir, DtlsRecordReader>;
  /** A writer for `dir`'s epoch 1 whose next sequence number follows the last one seen. */
  writerFor(dir: Dir): DtlsEpochWriter;
}

function analyse(datagrams: Datagram[], keylog: string): Analysis {
  const readers: Record<Dir, DtlsRecordReader> = { c2s: new DtlsRecordReader(), s2c: new DtlsRecordReader() };
  const reasm: Record<Dir, DtlsReassembler> = { c2s: new DtlsReassembler(), s2c: new DtlsReassembler() };
  const a: Analysis = {
    records: [], fragments: [], released: [], drops: [], appData: { c2s: [], s2c: [] }, alerts: { c2s: [], s2c: [] }, etm: false, readers,
    writerFor: () => assert.fail('no keys'),
  };
  const maxSeq: Record<Dir, number> = { c2s: -1, s2c: -1 };
  const protector = (d: Dir): Tls12Protector => {
    if (!a.suite) {
      const ch = a.released.find((r) => r.dir === 'c2s' && r.m.msgType === HandshakeType.client_hello)!;
      const sh = decodeServerHello(toTlsForm(a.released.find((r) => r.dir === 's2c' && r.m.msgType === HandshakeType.server_hello)!.m)) as ServerHello;
      a.clientRandom = decodeDtlsClientHello(toTlsForm(ch.m)).random;
      a.serverRandom = sh.random;
      a.suite = suiteByCode(sh.cipherSuite)!;
      a.version = sh.legacyVersion;
      a.etm = !!sh.ext.encryptThenMac && a.suite.mac !== 'AEAD';
      const line = keylog.split('\n').find((l) => l.startsWith(`CLIENT_RANDOM ${toHex(a.clientRandom!)} `));
      assert.ok(line, 'the keylog has this session’s master secret');
      a.master = fromHex(line.split(' ')[2]!);
    }
    const kb = deriveKeyBlock(P, tlsVersionOf(a.version!), a.suite, a.master!, a.clientRandom!, a.serverRandom!);
    return Tls12Protector.fromKeyBlock(P, a.suite, tlsVersionOf(a.version!), kb, d === 'c2s' ? 'client' : 'server', { recordVersion: a.version!, encryptThenMac: a.etm, dtls: true });
  };
  a.writerFor = (d) => {
    const w = new DtlsEpochWriter(1, a.version!, protector(d));
    w.skipTo(maxSeq[d] + 1);
    return w;
  };
  datagrams.forEach((dg, i) => {
    if (dg.lost) return; // the peer never saw it
    const d = dg.dir;
    // one record at a time: the ChangeCipherSpec installs the keys for the Finished in the same datagram
    const { drop } = readers[d].openDatagram(dg.bytes, (res) => {
      a.records.push({ dir: d, datagram: i, result: res });
      if (!res.ok) return;
      if (res.epoch === 1) maxSeq[d] = Math.max(maxSeq[d], res.seq);
      if (res.type === CT.handshake) {
        for (const f of decodeDtlsHandshakeFragments(res.content))
          a.fragments.push({ dir: d, epoch: res.epoch, recordSeq: res.seq, datagram: i, msgType: f.msgType, messageSeq: f.messageSeq, offset: f.fragmentOffset, length: f.fragmentLength });
        const { messages, drops } = reasm[d].pushPayload(res.content);
        for (const m of messages) a.released.push({ dir: d, m, epoch: res.epoch, recordSeq: res.seq });
        for (const x of drops) a.drops.push({ dir: d, reason: x.reason, messageSeq: x.messageSeq });
      } else if (res.type === CT.change_cipher_spec) {
        assert.equal(toHex(res.content), '01');
        if (readers[d].epoch === 0) readers[d].install(protector(d));
      } else if (res.type === CT.application_data) {
        a.appData[d].push(new TextDecoder().decode(res.content));
      } else if (res.type === CT.alert) {
        a.alerts[d].push(toHex(res.content));
      }
    });
    assert.equal(drop, undefined, `datagram ${i} (${d}) splits cleanly: ${drop?.detail}`);
  });
  return a;
}

/** The checks every capture must pass; returns a one-line summary for the test's diagnostics. */
function checkCapture(t: TestContext, name: string, cap: Capture, expect: { version: number; suite: string; etm?: boolean }): Analysis {
  const a = analyse(cap.datagrams, cap.keylog);
  const dgs = cap.datagrams.filter((d) => !d.injected);
  // every datagram splits into whole records, none larger than the MTU allows
  for (const [i, d] of dgs.entries()) {
    assert.ok(d.bytes.length <= MAX_DATAGRAM, `${name}: datagram ${i} of ${d.bytes.length} bytes fits ${MAX_DATAGRAM}`);
    assert.equal(splitDatagram(d.bytes).drop, undefined);
  }
  assert.equal(a.suite?.openssl, expect.suite, `${name}: suite`);
  assert.equal(a.version, expect.version, `${name}: version`);
  if (expect.etm !== undefined) assert.equal(a.etm, expect.etm, `${name}: encrypt_then_mac`);
  // every record OpenSSL sent opened: nothing dropped, no replays, no bad MACs
  const failed = a.records.filter((r) => !r.result.ok);
  assert.deepEqual(failed.map((r) => (r.result.ok ? '' : `${r.dir} ${r.result.reason}: ${r.result.detail}`)), [], `${name}: every record opens`);
  // record sequence numbers are never reused within an epoch, retransmissions included (RFC 6347 sections 4.1, 4.2.2)
  for (const d of ['c2s', 's2c'] as const) {
    const ids = a.records.filter((r) => r.dir === d).map((r) => `${r.result.record.epoch}/${r.result.record.seq}`);
    assert.equal(new Set(ids).size, ids.length, `${name} ${d}: unique epoch/seq`);
  }

  // The handshake as each side sent it.
  const client = a.released.filter((r) => r.dir === 'c2s');
  const server = a.released.filter((r) => r.dir === 's2c');
  const names = (rs: Released[]): string[] => rs.map((r) => `${handshakeLabel(r.m.msgType)}#${r.m.messageSeq}`);
  assert.deepEqual(client.map((r) => r.m.messageSeq), client.map((_, i) => i), `${name}: client message_seq 0, 1, 2...`);
  assert.deepEqual(server.map((r) => r.m.messageSeq), server.map((_, i) => i), `${name}: server message_seq 0, 1, 2...`);
  assert.deepEqual(names(client).slice(0, 2), ['ClientHello#0', 'ClientHello#1']);
  assert.equal(names(client).at(-1), `Finished#${client.length - 1}`);
  assert.deepEqual(names(server).slice(0, 2), ['HelloVerifyRequest#0', 'ServerHello#1']);
  assert.equal(names(server).at(-1), `Finished#${server.length - 1}`);
  assert.ok(names(server).includes('ServerHelloDone#' + server.findIndex((r) => r.m.msgType === HandshakeType.server_hello_done)));

  // Cookie exchange (RFC 6347 section 4.2.1).
  const ch1 = decodeDtlsClientHello(toTlsForm(client[0]!.m));
  const ch2 = decodeDtlsClientHello(toTlsForm(client[1]!.m));
  const hvr = decodeHelloVerifyRequest(toTlsForm(server[0]!.m));
  assert.equal(ch1.cookie.length, 0, 'the first ClientHello has an empty cookie');
  assert.equal(hvr.serverVersion, DTLS10, 'OpenSSL’s HelloVerifyRequest says DTLS 1.0, as section 4.2.1 recommends');
  assert.ok(hvr.cookie.length > 0);
  assert.equal(toHex(ch2.cookie), toHex(hvr.cookie), 'the second ClientHello echoes the cookie');
  const plain = (v: number | ArrayLike<number>): string => JSON.stringify(typeof v === 'number' ? v : Array.from(v));
  for (const f of ['legacyVersion', 'random', 'legacySessionId', 'cipherSuites', 'legacyCompressionMethods'] as const)
    assert.equal(plain(ch2[f]), plain(ch1[f]), `ClientHello ${f} repeated (RFC 6347 section 4.2.1)`);
  assert.equal(ch2.legacyVersion, expect.version, 'the client offers its version in the hello');
  assert.equal(toHex(encodeDtlsClientHello(ch2)), toHex(toTlsForm(client[1]!.m)), 'our encoder rebuilds OpenSSL’s ClientHello byte for byte');
  assert.equal(toHex(encodeHelloVerifyRequest(hvr)), toHex(toTlsForm(server[0]!.m)));
  assert.equal(server[0]!.recordSeq, client[0]!.recordSeq, 'HelloVerifyRequest takes the ClientHello’s record sequence number');
  assert.equal(server[1]!.recordSeq >= client[1]!.recordSeq, true);
  // The first ServerHello sent (lost or not) takes the second ClientHello's record sequence number (section 4.2.1).
  const firstSh = cap.datagrams
    .filter((d) => d.dir === 's2c')
    .flatMap((d) => splitDatagram(d.bytes).records)
    .find((r) => r.epoch === 0 && r.type === CT.handshake && decodeDtlsHandshakeFragments(r.fragment).some((f) => f.msgType === HandshakeType.server_hello))!;
  assert.equal(firstSh.seq, client[1]!.recordSeq, 'the first ServerHello takes the second ClientHello’s record sequence number');

  // Finished: verify_data over the section 4.2.6 transcript, the first ClientHello and the HelloVerifyRequest left out.
  const transcript: Uint8Array[] = [];
  let finishedChecked = 0;
  for (const r of a.released) {
    if (r.m.msgType === HandshakeType.hello_verify_request || (r.dir === 'c2s' && r.m.messageSeq === 0)) continue;
    if (r.m.msgType === HandshakeType.finished) {
      assert.equal(r.epoch, 1, 'Finished is protected');
      const expectVd = finishedVerifyData(P, tlsVersionOf(a.version!), a.suite!, a.master!, r.dir === 'c2s' ? 'client' : 'server', concatBytes(transcript));
      assert.equal(toHex(r.m.body), toHex(expectVd), `${name}: ${r.dir === 'c2s' ? 'client' : 'server'} Finished verify_data`);
      finishedChecked++;
    }
    transcript.push(transcriptBytes(r.m));
  }
  assert.equal(finishedChecked, 2);

  // Data both ways, and ours.
  assert.ok(a.appData.c2s.join('').includes(CLIENT_TEXT));
  assert.ok(a.appData.s2c.join('').includes(SERVER_TEXT));
  assert.ok(a.appData.c2s.join('').includes(INJECT_C2S));
  assert.ok(a.appData.s2c.join('').includes(INJECT_S2C));
  assert.ok(cap.serverOut.includes(INJECT_C2S.trim()), 's_server printed the record we sealed');
  assert.ok(cap.clientOut.includes(INJECT_S2C.trim()), 's_client printed the record we sealed');

  // A replayed and a changed OpenSSL record are dropped with their reasons.
  const last = a.records.filter((r) => r.dir === 's2c' && r.result.ok && r.result.epoch === 1).at(-1)!.result.record;
  const replay = a.readers.s2c.open(last);
  assert.equal(replay.ok ? 'ok' : replay.reason, 'replayed');
  const changed = Uint8Array.from(last.raw);
  changed[changed.length - 1]! ^= 1;
  const bad = a.readers.s2c.open({ ...last, seq: last.seq + 1000, fragment: changed.subarray(13) });
  assert.equal(bad.ok ? 'ok' : bad.reason, 'bad-record-mac');

  const cert = server.find((r) => r.m.msgType === HandshakeType.certificate)!;
  const certFrags = a.fragments.filter((f) => f.dir === 's2c' && f.msgType === HandshakeType.certificate);
  t.diagnostic(
    `${name}: ${dtlsVersionName(a.version!)} ${a.suite!.openssl}${a.etm ? ' (encrypt_then_mac)' : ''}; ${dgs.length} datagrams ` +
      `(largest ${Math.max(...dgs.map((d) => d.bytes.length))} bytes); client ${names(client).join(' ')}; server ${names(server).join(' ')}; ` +
      `Certificate ${cert.m.body.length} bytes in fragments ${certFrags.map((f) => `[${f.offset}+${f.length}]@${f.epoch}/${f.recordSeq}`).join(' ')}`,
  );
  return a;
}

function pemDer(file: string): string {
  const pem = fs.readFileSync(file, 'utf8');
  const b64 = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)![1]!.replace(/\s+/g, '');
  return Buffer.from(b64, 'base64').toString('hex');
}

// ---- the captures -------------------------------------------------------------------------------------------------

test('OpenSSL DTLS 1.2, RSA-4096, -mtu 500, one lost datagram: fragments reassembled through retransmission, records opened, Finished checked', async (t) => {
  requireOpenssl();
  const cap = await capture({
    serverArgs: ['-dtls1_2', '-cert', PKI('rsa4096.crt'), '-key', PKI('rsa4096.key')],
    clientArgs: ['-dtls1_2'],
    loseS2C: 1, // the first datagram of the server's flight 4 (ServerHello and the Certificate's first fragment)
  });
  if (process.env.DTLS_DEBUG) for (const d of cap.datagrams) t.diagnostic([d.dir, d.t, d.lost ? 'LOST' : '', d.bytes.length].join(' ') + ' ' + splitDatagram(d.bytes).records.map((r) => `${r.type}@${r.epoch}/${r.seq}` + (r.type === 22 && r.epoch === 0 ? decodeDtlsHandshakeFragments(r.fragment).map((f) => `[${f.msgType}#${f.messageSeq} ${f.fragmentOffset}+${f.fragmentLength}]`).join('') : '')).join(' '));
  const a = checkCapture(t, 'lossy', cap, { version: DTLS12, suite: 'ECDHE-RSA-AES256-GCM-SHA384' });
  // The certificate: reassembled from several fragments, equal to the fixture's DER.
  const certMsg = a.released.find((r) => r.dir === 's2c' && r.m.msgType === HandshakeType.certificate)!.m;
  const cert = decodeHandshake(toTlsForm(certMsg), { version: 'tls12' }) as Certificate;
  assert.equal(toHex(cert.certificateList[0]!.data), pemDer(PKI('rsa4096.crt')));
  const certFrags = a.fragments.filter((f) => f.dir === 's2c' && f.msgType === HandshakeType.certificate);
  assert.ok(new Set(certFrags.map((f) => f.offset)).size >= 3, 'the Certificate came in three or more fragments');
  for (const f of certFrags) assert.ok(f.length < certMsg.body.length);
  // The lost datagram was retransmitted: the same messages, new record sequence numbers, about a second later.
  const lost = cap.datagrams.find((d) => d.lost)!;
  const lostFrags = decodeDtlsHandshakeFragments(splitDatagram(lost.bytes).records[0]!.fragment);
  assert.equal(lostFrags[0]!.msgType, HandshakeType.server_hello);
  const again = a.fragments.filter((f) => f.dir === 's2c' && f.msgType === HandshakeType.server_hello);
  assert.equal(again.length, 1, 'the ServerHello arrived once, by retransmission');
  const lostSeq = splitDatagram(lost.bytes).records[0]!.seq;
  assert.ok(again[0]!.recordSeq > lostSeq, 'in a new record');
  const retransmittedAt = cap.datagrams[again[0]!.datagram]!.t;
  assert.ok(retransmittedAt - lost.t >= 900, `retransmitted ${retransmittedAt - lost.t} ms later: OpenSSL's initial timer is 1 s, as ours (RFC 6347 section 4.2.4.1)`);
  // What the reassembler saw of the retransmitted flight: repeats of what it already had.
  assert.ok(a.drops.some((d) => d.dir === 's2c' && (d.reason === 'duplicate' || d.reason === 'retransmission')), 'the retransmitted flight repeated fragments already held');
  t.diagnostic(`lossy: lost datagram at ${lost.t} ms, retransmitted at ${retransmittedAt} ms; drops ${JSON.stringify(a.drops)}`);
});

for (const [name, cfg, expect] of [
  ['ChaCha20-Poly1305', { serverArgs: ['-dtls1_2', '-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key')], clientArgs: ['-dtls1_2', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305'] }, { version: DTLS12, suite: 'ECDHE-RSA-CHACHA20-POLY1305' }],
  ['AES-CCM_8 with ECDSA P-256', { serverArgs: ['-dtls1_2', '-cipher', 'ECDHE-ECDSA-AES128-CCM8', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')], clientArgs: ['-dtls1_2', '-cipher', 'ECDHE-ECDSA-AES128-CCM8'] }, { version: DTLS12, suite: 'ECDHE-ECDSA-AES128-CCM8' }],
  ['CBC encrypt-then-MAC', { serverArgs: ['-dtls1_2', '-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key')], clientArgs: ['-dtls1_2', '-cipher', 'ECDHE-RSA-AES128-SHA256'] }, { version: DTLS12, suite: 'ECDHE-RSA-AES128-SHA256', etm: true }],
  ['CBC MAC-then-encrypt (-no_etm)', { serverArgs: ['-dtls1_2', '-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key')], clientArgs: ['-dtls1_2', '-no_etm', '-cipher', 'ECDHE-RSA-AES256-SHA384'] }, { version: DTLS12, suite: 'ECDHE-RSA-AES256-SHA384', etm: false }],
  ['DTLS 1.0 CBC (TLS 1.1 records, explicit IV)', { serverArgs: ['-dtls1', '-cipher', 'ALL:@SECLEVEL=0', '-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key')], clientArgs: ['-dtls1', '-no_etm', '-cipher', 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'] }, { version: DTLS10, suite: 'ECDHE-RSA-AES128-SHA', etm: false }],
] as const) {
  test(`OpenSSL DTLS ${name}: every datagram parsed, every record opened, Finished checked, our sealed records accepted`, async (t) => {
    requireOpenssl();
    const cap = await capture({ serverArgs: [...cfg.serverArgs], clientArgs: [...cfg.clientArgs] });
    checkCapture(t, name, cap, expect);
  });
}

// ---- our HelloVerifyRequest, answered by s_client ----------------------------------------------------------------

test('s_client answers our HelloVerifyRequest (two fragments, sent in reverse order) with a ClientHello whose cookie verifies', async (t) => {
  requireOpenssl();
  const sock = await udpSocket();
  const jar = new HelloCookies({ provider: P });
  const got: Array<{ bytes: Uint8Array; peer: { address: string; port: number } }> = [];
  let wake: (() => void) | undefined;
  sock.on('message', (m, ri) => {
    got.push({ bytes: new Uint8Array(m), peer: { address: ri.address, port: ri.port } });
    wake?.();
  });
  const next = async (n: number): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (got.length < n) {
      if (Date.now() > deadline) assert.fail(`s_client sent ${got.length} datagrams, expected ${n}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
  };
  const client = run(['s_client', '-dtls1_2', '-connect', `127.0.0.1:${sock.address().port}`, '-mtu', String(MTU)]);
  try {
    await next(1);
    const first = got[0]!;
    const rec = splitDatagram(first.bytes).records[0]!;
    assert.equal(rec.epoch, 0);
    const frags = decodeDtlsHandshakeFragments(rec.fragment);
    const r = new DtlsReassembler();
    const [chMsg] = r.pushPayload(rec.fragment).messages;
    assert.ok(chMsg, `s_client’s ClientHello came whole (${frags.length} fragment)`);
    const ch1 = decodeDtlsClientHello(toTlsForm(chMsg));
    assert.deepEqual(jar.verify(first.peer, ch1), { ok: false, reason: 'missing' });
    // The HelloVerifyRequest: message_seq = the ClientHello's, record sequence number = the ClientHello's (section 4.2.1).
    const cookie = jar.cookieFor(first.peer, ch1);
    const hvr = fromTlsForm(encodeHelloVerifyRequest({ type: 'hello_verify_request', cookie }), chMsg.messageSeq);
    const [f1, f2] = fragmentHandshake(hvr, 20);
    const w = new DtlsEpochWriter(0, DTLS10);
    w.skipTo(rec.seq);
    const r1 = w.seal(CT.handshake, f1!);
    const r2 = w.seal(CT.handshake, f2!);
    sock.send(r2, first.peer.port, first.peer.address);
    await new Promise((res) => setTimeout(res, 50));
    sock.send(r1, first.peer.port, first.peer.address);
    // s_client's next datagram: a ClientHello with our cookie (or a retransmission of the first, then it).
    let ch2: ReturnType<typeof decodeDtlsClientHello> | undefined;
    for (let n = 2; !ch2 && n < 6; n++) {
      await next(n);
      const x = got[n - 1]!;
      const rr = splitDatagram(x.bytes).records[0]!;
      const m = new DtlsReassembler({ nextSeq: 1 }).pushPayload(rr.fragment).messages[0];
      if (m) ch2 = decodeDtlsClientHello(toTlsForm(m));
    }
    assert.ok(ch2, 's_client sent a second ClientHello');
    assert.equal(toHex(ch2.cookie), toHex(cookie), 'it echoes our cookie');
    assert.deepEqual(jar.verify(got.at(-1)!.peer, ch2), { ok: true, secret: 'current' });
    assert.deepEqual(jar.verify({ ...got.at(-1)!.peer, port: got.at(-1)!.peer.port + 1 }, ch2), { ok: false, reason: 'mismatch' });
    jar.rotate();
    assert.deepEqual(jar.verify(got.at(-1)!.peer, ch2), { ok: true, secret: 'previous' }, 'still good across one rotation');
    t.diagnostic(`s_client ClientHello ${chMsg.body.length} bytes, record 0/${rec.seq}; answered with a ${cookie.length}-byte cookie in fragments of 20 and ${hvr.body.length - 20} bytes`);
  } finally {
    await client.stop();
    sock.close();
  }
});
