// TLS 1.3 resumption with session tickets (RFC 8446 sections 2.2, 4.2.11, 4.6.1), both roles, against
// OpenSSL: a full handshake saves a ticket, the next connection resumes with it (no Certificate), and a
// ticket we did not issue, or one whose binder is wrong, is handled as the RFC says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type TlsSession } from '../../engine/net/session';
import { identityFromPem } from '../../engine/tools/identity';
import type { ClientSession } from '../../engine/conn/session-ticket';
import type { NegotiatedSession } from '../../engine/conn/types';
import type { TraceEvent } from '../../engine/trace/events';
import { opensslClient, opensslServer, PKI, readPem } from './peers';

async function session(port: number, extra: Parameters<typeof connect>[0] extends infer O ? Partial<O> : never): Promise<{ n: NegotiatedSession; s: TlsSession; events: TraceEvent[] }> {
  const s = await connect({ host: '127.0.0.1', port, serverName: 'localhost', ...extra });
  const events: TraceEvent[] = [];
  s.on('trace', (e: TraceEvent) => events.push(e));
  const failed = new Promise<never>((_, reject) => s.on('error', reject));
  s.begin();
  const n = await Promise.race([s.handshake(), failed]);
  return { n, s, events };
}

function waitForTicket(get: () => ClientSession | undefined, ms = 5000): Promise<ClientSession> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      const v = get();
      if (v) return resolve(v);
      if (Date.now() - t0 > ms) return reject(new Error('no session ticket arrived'));
      setTimeout(tick, 20);
    };
    tick();
  });
}

test('our client resumes with openssl s_server: the second handshake is resumed and has no Certificate', { timeout: 30_000 }, async () => {
  const server = await opensslServer(['-tls1_3', '-rev', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  try {
    let saved: ClientSession | undefined;
    const first = await session(server.port, { onSession: (s) => (saved = s) });
    assert.equal(first.n.resumed, false);
    first.s.write('x\n');
    const ticket = await waitForTicket(() => saved);
    first.s.end();
    const second = await session(server.port, { session: ticket });
    assert.equal(second.n.resumed, true, 'resumed');
    assert.ok(!second.events.some((e) => e.kind === 'handshake' && e.name === 'certificate'), 'no Certificate in a resumed handshake');
    second.s.write('resumed data\n');
    await new Promise<void>((resolve) => second.s.on('data', (d: Uint8Array) => new TextDecoder().decode(d).includes('atad demuser') && resolve()));
    second.s.end();
  } finally {
    await server.stop();
  }
});

test('openssl s_client -sess_out then -sess_in against our server: "Reused, TLSv1.3"', { timeout: 30_000 }, async () => {
  const id = identityFromPem(readPem('ed25519.crt'), readPem('ed25519.key'), 'ed25519');
  const resumed: boolean[] = [];
  const server = createServer({ certificateChain: id.chain, signer: id.signer }, (s) => {
    s.on('secure', (n: NegotiatedSession) => resumed.push(n.resumed));
    s.on('data', (d: Uint8Array) => s.write(d));
    s.on('end', () => s.end());
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-sess-'));
  const sess = path.join(dir, 'sess.pem');
  try {
    const a = opensslClient(port, ['-tls1_3', '-sess_out', sess, '-ign_eof'], 'one\n');
    await a.waitFor(/one/);
    await new Promise((r) => setTimeout(r, 300));
    await a.stop();
    assert.ok(fs.existsSync(sess), 'openssl saved the session');
    const b = opensslClient(port, ['-tls1_3', '-sess_in', sess, '-ign_eof'], 'two\n');
    await b.waitFor(/two/);
    assert.match(b.output(), /Reused, TLSv1\.3/);
    await b.stop();
    assert.deepEqual(resumed, [false, true]);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('our server declines a ticket it did not issue (another server\'s key) and does a full handshake', { timeout: 30_000 }, async () => {
  const id = identityFromPem(readPem('ec-p256.crt'), readPem('ec-p256.key'), 'ec-p256');
  const servers = [0, 1].map(() => createServer({ certificateChain: id.chain, signer: id.signer }, (s) => s.on('error', () => undefined)));
  await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))));
  const [p1, p2] = servers.map((srv) => (srv.address() as AddressInfo).port);
  try {
    let saved: ClientSession | undefined;
    const first = await session(p1!, { onSession: (s) => (saved = s) });
    const ticket = await waitForTicket(() => saved);
    first.s.end();
    const second = await session(p2!, { session: ticket });
    assert.equal(second.n.resumed, false);
    assert.ok(second.events.some((e) => e.kind === 'handshake' && e.name === 'certificate'), 'a full handshake with a Certificate');
    second.s.end();
    const third = await session(p1!, { session: ticket });
    assert.equal(third.n.resumed, true, 'the issuing server still resumes it');
    third.s.end();
  } finally {
    await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  }
});

test('a wrong PSK (binder does not verify) is fatal: decrypt_error (RFC 8446 section 4.2.11)', { timeout: 30_000 }, async () => {
  const id = identityFromPem(readPem('ec-p256.crt'), readPem('ec-p256.key'), 'ec-p256');
  let serverError: Error | undefined;
  const server = createServer({ certificateChain: id.chain, signer: id.signer }, (s) => s.on('error', (e: Error) => (serverError = e)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    let saved: ClientSession | undefined;
    const first = await session(port, { onSession: (s) => (saved = s) });
    const ticket = await waitForTicket(() => saved);
    first.s.end();
    const forged = { ...ticket, psk: ticket.psk.map((b) => b ^ 1) };
    await assert.rejects(session(port, { session: forged }), /decrypt_error|decrypt error/);
    await new Promise((r) => setTimeout(r, 100));
    assert.match(serverError?.message ?? '', /binder does not verify/);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('tlslens connect --sess_out / --sess_in resumes against openssl s_server', { timeout: 30_000 }, async () => {
  const server = await opensslServer(['-tls1_3', '-www', '-cert', PKI('ec-p384.crt'), '-key', PKI('ec-p384.key')]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-sess-'));
  const file = path.join(dir, 'session.json');
  const run = (args: string[]) => new Promise<string>((resolve) => {
    const p = spawn(process.execPath, [path.resolve('dist/cli.js'), 'connect', `127.0.0.1:${server.port}`, '--json', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (b) => (out += b));
    p.stdin!.end('GET / HTTP/1.0\r\n\r\n');
    p.on('exit', () => resolve(out));
  });
  try {
    const first = await run(['--sess_out', file]);
    assert.match(first, /"resumed":false/);
    assert.ok(fs.existsSync(file), 'the session was saved');
    const second = await run(['--sess_in', file]);
    assert.match(second, /"resumed":true/);
  } finally {
    await server.stop();
  }
});
