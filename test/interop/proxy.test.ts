// Proxies from Debian's packages on 127.0.0.1: tinyproxy for HTTP CONNECT (RFC 9110 section 9.3.6) with Basic
// authentication (RFC 7617), microsocks for SOCKS5 (RFC 1928) with user name and password (RFC 1929). Through
// each, our client reaches a TLS server (Node's tls) and, with --starttls, a scripted SMTP peer; the proxy's
// exchange is in the trace before the handshake, with the password shown only as asterisks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { openTransport } from '../../engine/transport/open';
import { TransportError, type PreambleEvent } from '../../engine/transport/channel';
import { CERT_DER, CERT_PEM, KEY_PEM, handshakeVia, scriptedPeer, smtpStartTlsPeer, steps } from './starttls-peers';
import { startMicrosocks, startTinyproxy } from './real-servers';
import { freePort } from './peers';
import { ApiClientRunner } from '../../extension/sessions/api-client-runner';
import type { RunnerState } from '../../extension/sessions/session-runner';
import type { SessionSummary, TraceEventJson } from '../../webview/shared/protocol';
import { parseProxyUrl } from '../../engine/transport/proxy/url';

const AUTH = { user: 'alice', pass: 'pr0xy-s3cret' };

async function tlsTarget(): Promise<{ port: number; close(): Promise<void> }> {
  const server = tls.createServer({ key: KEY_PEM, cert: CERT_PEM }, (s) => s.on('data', (d) => s.write(d)).on('error', () => undefined));
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((r) => {
    for (const s of sockets) s.destroy();
    server.close(() => r());
  }) };
}

function noSecret(events: PreambleEvent[]): void {
  for (const e of events) {
    assert.ok(!e.text.includes(AUTH.pass), `the password in the trace text: ${e.text}`);
    assert.ok(!Buffer.from(e.raw).includes(AUTH.pass), 'the password in the trace bytes');
    assert.ok(!Buffer.from(e.raw).toString().includes(Buffer.from(`${AUTH.user}:${AUTH.pass}`).toString('base64')), 'the Basic credentials in the trace bytes');
  }
}

async function echo(run: Awaited<ReturnType<typeof handshakeVia>>): Promise<void> {
  const got = new Promise<string>((resolve) => run.session.once('data', (d: Uint8Array) => resolve(new TextDecoder().decode(d))));
  run.session.write('through the tunnel');
  assert.equal(await got, 'through the tunnel');
  run.session.end();
}

test('HTTP CONNECT through tinyproxy with Basic auth (RFC 9110 section 9.3.6, RFC 7617): tunnel, TLS handshake with Node tls, certificate seen, credentials hidden in the trace', { timeout: 60_000 }, async () => {
  const proxy = await startTinyproxy(AUTH);
  const target = await tlsTarget();
  try {
    const run = await handshakeVia({ host: '127.0.0.1', port: target.port, proxy: `http://${AUTH.user}:${AUTH.pass}@127.0.0.1:${proxy.port}` });
    assert.deepEqual(steps(run.preamble), ['>> HTTP CONNECT CONNECT', '<< HTTP CONNECT CONNECT']);
    assert.match(run.preamble[0]!.text, new RegExp(`^CONNECT 127\\.0\\.0\\.1:${target.port} HTTP/1\\.1`));
    assert.match(run.preamble[0]!.text, /Proxy-Authorization: Basic \(user "alice", password hidden\)/);
    assert.equal(run.preamble[0]!.redacted, true);
    assert.match(run.preamble[1]!.text, /^HTTP\/1\.[01] 200/);
    assert.ok(run.preamble.every((e) => e.layer === 'proxy'));
    noSecret(run.preamble);
    assert.deepEqual(run.n.peerCertificates[0], CERT_DER);
    await echo(run);
  } finally {
    await target.close();
    await proxy.stop();
  }
});

test('HTTP CONNECT through tinyproxy: wrong credentials are refused (RFC 9110 section 15.5.8 says 407; tinyproxy 1.11 answers 401), a refusal naming the proxy step', { timeout: 60_000 }, async () => {
  const proxy = await startTinyproxy(AUTH);
  try {
    const events: PreambleEvent[] = [];
    await assert.rejects(openTransport({ host: '127.0.0.1', port: 9, proxy: `http://alice:wrong@127.0.0.1:${proxy.port}`, connectTimeoutMs: 5000, onTrace: (e) => events.push(e) }), (e: unknown) => {
      assert.ok(e instanceof TransportError);
      assert.equal(e.reason, 'refused');
      assert.match(e.message, /^HTTP CONNECT CONNECT: the proxy wants credentials \(40[17] .*it did not accept those of "alice"/);
      return true;
    });
  } finally {
    await proxy.stop();
  }
});

test('HTTP CONNECT through tinyproxy, then STARTTLS smtp with a scripted RFC 3207 peer: both exchanges in order in one trace', { timeout: 60_000 }, async () => {
  const proxy = await startTinyproxy(AUTH);
  const peer = await smtpStartTlsPeer();
  try {
    const run = await handshakeVia({ host: '127.0.0.1', port: peer.port, proxy: `http://${AUTH.user}:${AUTH.pass}@127.0.0.1:${proxy.port}`, starttls: 'smtp' });
    assert.deepEqual(steps(run.preamble), ['>> HTTP CONNECT CONNECT', '<< HTTP CONNECT CONNECT', '<< smtp greeting', '>> smtp EHLO', '<< smtp EHLO', '>> smtp STARTTLS', '<< smtp STARTTLS']);
    assert.deepEqual(run.n.peerCertificates[0], CERT_DER);
    run.session.end();
  } finally {
    await peer.close();
    await proxy.stop();
  }
});

test('SOCKS5 through microsocks with user name and password (RFC 1928, RFC 1929): CONNECT, TLS handshake with Node tls, certificate seen, password hidden', { timeout: 60_000 }, async () => {
  const proxy = await startMicrosocks(AUTH);
  const target = await tlsTarget();
  try {
    const run = await handshakeVia({ host: '127.0.0.1', port: target.port, proxy: `socks5://${AUTH.user}:${AUTH.pass}@127.0.0.1:${proxy.port}` });
    assert.deepEqual(steps(run.preamble), ['>> SOCKS5 greeting', '<< SOCKS5 greeting', '>> SOCKS5 authentication', '<< SOCKS5 authentication', '>> SOCKS5 CONNECT', '<< SOCKS5 CONNECT']);
    assert.match(run.preamble[1]!.text, /method user name\/password/);
    assert.match(run.preamble[5]!.text, /reply 0: succeeded/);
    noSecret(run.preamble);
    assert.deepEqual(run.n.peerCertificates[0], CERT_DER);
    await echo(run);
  } finally {
    await target.close();
    await proxy.stop();
  }
});

test('SOCKS5 through microsocks: socks5h:// sends the name for the proxy to resolve (ATYP 3, RFC 1928 section 5)', { timeout: 60_000 }, async () => {
  const proxy = await startMicrosocks();
  const target = await tlsTarget();
  try {
    const run = await handshakeVia({ host: 'localhost', port: target.port, proxy: `socks5h://127.0.0.1:${proxy.port}` });
    const connect = run.preamble.find((e) => e.step === 'CONNECT' && e.dir === 'out')!;
    assert.equal(connect.raw[3], 3, 'ATYP domain name');
    assert.equal(Buffer.from(connect.raw.subarray(5, 5 + connect.raw[4]!)).toString(), 'localhost');
    assert.deepEqual(run.n.peerCertificates[0], CERT_DER);
    run.session.end();
  } finally {
    await target.close();
    await proxy.stop();
  }
});

test('SOCKS5 through microsocks: a wrong password is refused at the authentication step (RFC 1929 section 2), a closed target port at CONNECT (RFC 1928 section 6)', { timeout: 60_000 }, async () => {
  const proxy = await startMicrosocks(AUTH);
  try {
    await assert.rejects(openTransport({ host: '127.0.0.1', port: 9, proxy: `socks5://alice:wrong@127.0.0.1:${proxy.port}`, connectTimeoutMs: 5000 }), (e: unknown) => {
      assert.ok(e instanceof TransportError);
      assert.match(e.message, /^SOCKS5 authentication: the proxy refused the user name and password of "alice"/);
      assert.ok(!e.message.includes('wrong'));
      return true;
    });
    const closed = await freePort();
    await assert.rejects(openTransport({ host: '127.0.0.1', port: closed, proxy: `socks5://${AUTH.user}:${AUTH.pass}@127.0.0.1:${proxy.port}`, connectTimeoutMs: 5000 }), (e: unknown) => {
      assert.ok(e instanceof TransportError);
      assert.equal(e.reason, 'refused');
      assert.match(e.message, new RegExp(`^SOCKS5 CONNECT: the proxy could not connect to 127\\.0\\.0\\.1:${closed}: `));
      return true;
    });
  } finally {
    await proxy.stop();
  }
});

test("Connect to Host's runner (OpenSSL facade on a socket BIO) through microsocks and STARTTLS smtp with a scripted RFC 3207 peer: the proxy and SMTP steps reach the panel before the TLS records and SSL_connect calls, and the session opens", { timeout: 60_000 }, async () => {
  const proxy = await startMicrosocks();
  const peer = await smtpStartTlsPeer();
  const events: TraceEventJson[] = [];
  const states: RunnerState[] = [];
  let summary: SessionSummary | undefined;
  const runner = new ApiClientRunner({ mode: 'connect', host: '127.0.0.1', port: peer.port, protocol: 'TLS', settings: [] }, {
    serverName: 'localhost', trust: { kind: 'none' },
    transport: { starttls: 'smtp', proxy: parseProxyUrl(`socks5://127.0.0.1:${proxy.port}`) },
  }, { events: (b) => events.push(...b), summary: (s) => (summary = s), state: (s) => states.push(s) });
  try {
    await runner.start();
    assert.ok(states.includes('open'), `states: ${states.join(', ')}; ${JSON.stringify(events.filter((e) => e.kind === 'error'))}`);
    const kinds = events.map((e) => (e.kind === 'preamble' ? `${String(e.protocol)} ${String(e.step)}` : e.kind));
    const firstTls = events.findIndex((e) => e.kind !== 'preamble');
    assert.ok(events.slice(firstTls).every((e) => e.kind !== 'preamble'), 'nothing of the preamble after TLS began');
    assert.ok(kinds.includes('api') && kinds.includes('handshake'));
    assert.deepEqual(kinds.slice(0, firstTls), ['SOCKS5 greeting', 'SOCKS5 greeting', 'SOCKS5 CONNECT', 'SOCKS5 CONNECT', 'smtp greeting', 'smtp EHLO', 'smtp EHLO', 'smtp STARTTLS', 'smtp STARTTLS']);
    assert.ok(summary?.version, 'a negotiated version in the summary');
    runner.close();
    // Save Capture: the SOCKS5 and SMTP bytes precede the TLS records on the one TCP stream to the proxy.
    const pcap = Buffer.from(runner.exports.pcapng());
    const greeting = pcap.indexOf(Buffer.from([5, 1, 0]));
    const ehlo = pcap.indexOf('EHLO mail.example.com');
    const clientHello = pcap.indexOf(Buffer.from([0x16, 0x03, 0x01]), ehlo);
    assert.ok(greeting >= 0 && ehlo > greeting && clientHello > ehlo, `SOCKS5 greeting at ${greeting}, EHLO at ${ehlo}, ClientHello at ${clientHello}`);
  } finally {
    await peer.close();
    await proxy.stop();
  }
});

test("Connect to Host's runner: a refused STARTTLS fails the session with the protocol and step, and no SSL_connect is made", { timeout: 30_000 }, async () => {
  const peer = await scriptedPeer(async (s) => {
    s.write('* OK ready\r\n');
    const [t1] = (await s.line()).split(' ');
    s.write(`* CAPABILITY IMAP4rev1\r\n${t1} OK\r\n`);
    const [t2] = (await s.line()).split(' ');
    s.write(`${t2} BAD unknown command\r\n`);
    return 'hold';
  });
  const events: TraceEventJson[] = [];
  const states: RunnerState[] = [];
  const runner = new ApiClientRunner({ mode: 'connect', host: '127.0.0.1', port: peer.port, protocol: 'TLS', settings: [] }, { trust: { kind: 'none' }, transport: { starttls: 'imap' } }, { events: (b) => events.push(...b), summary: () => undefined, state: (s) => states.push(s) });
  try {
    await runner.start();
    assert.ok(states.includes('failed'), states.join(', '));
    const err = events.find((e) => e.kind === 'error');
    assert.match(String(err?.message), /^imap STARTTLS: STARTTLS was refused: A2 BAD unknown command/);
    assert.ok(events.some((e) => e.kind === 'preamble' && e.step === 'CAPABILITY' && typeof e.text === 'string' && e.text.includes('trying anyway')), 'the missing capability noted');
    assert.ok(!events.some((e) => e.kind === 'api'), 'no SSL_* call');
  } finally {
    await peer.close();
  }
});
