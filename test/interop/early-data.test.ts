// 0-RTT early data (RFC 8446 sections 2.3, 4.2.10, 8) against OpenSSL 3.0 on 127.0.0.1, both roles: a first
// connection gets a ticket that allows early data, the next sends data in its first flight. OpenSSL says what it
// received ("Early data received:") and what happened to what it sent ("Early data was accepted/rejected").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type SessionOptions, type TlsSession } from '../../engine/net/session';
import { identityFromPem } from '../../engine/tools/identity';
import type { ClientSession } from '../../engine/conn/session-ticket';
import type { NegotiatedSession } from '../../engine/conn/types';
import type { TraceEvent } from '../../engine/trace/events';
import { opensslClient, opensslServer, PKI, readPem } from './peers';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function session(port: number, extra: Partial<Parameters<typeof connect>[0]>): Promise<{ n: NegotiatedSession; s: TlsSession; events: TraceEvent[] }> {
  const s = await connect({ host: '127.0.0.1', port, serverName: 'localhost', ...extra });
  const events: TraceEvent[] = [];
  s.on('trace', (e: TraceEvent) => events.push(e));
  const failed = new Promise<never>((_, reject) => s.on('error', reject));
  s.begin();
  const n = await Promise.race([s.handshake(), failed]);
  return { n, s, events };
}

function waitFor<T>(get: () => T | undefined, what: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      const v = get();
      if (v !== undefined) return resolve(v);
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

/** A ticket from a first, full handshake with the server on `port`. */
async function ticketFrom(port: number): Promise<ClientSession> {
  let saved: ClientSession | undefined;
  const first = await session(port, { onSession: (t) => (saved ??= t) });
  assert.equal(first.n.resumed, false);
  first.s.write('first\n');
  const ticket = await waitFor(() => saved, 'a session ticket');
  first.s.end();
  return ticket;
}

interface Received {
  text: string;
  early: boolean;
}

/** Our server; every session's data is recorded with its early mark, and every negotiated session. */
async function ourServer(opts: Partial<SessionOptions>): Promise<{ port: number; data: Received[][]; negotiated: NegotiatedSession[]; infos: string[]; close(): Promise<void> }> {
  const id = identityFromPem(readPem('ec-p256.crt'), readPem('ec-p256.key'), 'ec-p256');
  const data: Received[][] = [];
  const negotiated: NegotiatedSession[] = [];
  const infos: string[] = [];
  const server = createServer({ certificateChain: id.chain, signer: id.signer, ...opts }, (s) => {
    const mine: Received[] = [];
    data.push(mine);
    s.on('trace', (e: TraceEvent) => e.kind === 'info' && infos.push(e.message));
    s.on('secure', (n: NegotiatedSession) => negotiated.push(n));
    s.on('data', (d: Uint8Array, meta?: { early?: boolean }) => {
      mine.push({ text: dec.decode(d), early: !!meta?.early });
      if (!meta?.early) s.write(d); // echo 1-RTT data
    });
    s.on('end', () => s.end());
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, data, negotiated, infos, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('our client sends 0-RTT to openssl s_server -early_data: s_server prints the early data, we report accepted', { timeout: 30_000 }, async () => {
  const server = await opensslServer(['-tls1_3', '-early_data', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  try {
    const ticket = await ticketFrom(server.port);
    assert.equal(ticket.maxEarlyData, 16384, 's_server -early_data allows 16384 bytes in its tickets');
    await server.waitFor(/first/);
    const second = await session(server.port, { session: ticket, earlyData: enc.encode('zero-rtt-from-tls-lens\n') });
    assert.equal(second.n.resumed, true);
    assert.equal(second.n.earlyData, 'accepted');
    assert.ok(second.events.some((e) => e.kind === 'handshake' && e.dir === 'out' && e.name === 'end_of_early_data'), 'EndOfEarlyData sent');
    assert.ok(second.events.some((e) => e.kind === 'app-data' && e.dir === 'out' && e.early), 'app-data marked early');
    await server.waitFor(/Early data received:/);
    await server.waitFor(/zero-rtt-from-tls-lens/);
    await server.waitFor(/End of early data/);
    second.s.write('one-rtt-after\n');
    await server.waitFor(/one-rtt-after/);
    assert.doesNotMatch(server.output(), /Early data was rejected/);
    second.s.end();
  } finally {
    await server.stop();
  }
});

test('our client\'s 0-RTT rejected by a server that cannot use the ticket (another s_server): reported, not resent, the connection works', { timeout: 30_000 }, async () => {
  const a = await opensslServer(['-tls1_3', '-early_data', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  let ticket: ClientSession;
  try {
    ticket = await ticketFrom(a.port);
  } finally {
    await a.stop();
  }
  const b = await opensslServer(['-tls1_3', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  try {
    const second = await session(b.port, { session: ticket, earlyData: enc.encode('never-delivered\n') });
    assert.equal(second.n.resumed, false);
    assert.equal(second.n.earlyData, 'rejected');
    assert.ok(second.events.some((e) => e.kind === 'info' && /not resent automatically; the application must send them again/.test(e.message)));
    second.s.write('resent-by-app\n');
    await b.waitFor(/resent-by-app/);
    assert.doesNotMatch(b.output(), /never-delivered/, 's_server never saw the rejected early data');
    second.s.end();
  } finally {
    await b.stop();
  }
});

test('openssl s_client -sess_out, then -sess_in -early_data twice: accepted once, the replay rejected by the single-use cache', { timeout: 40_000 }, async () => {
  const srv = await ourServer({ maxEarlyData: 4096 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-0rtt-'));
  const sess = path.join(dir, 'sess.pem');
  const early = path.join(dir, 'early.txt');
  fs.writeFileSync(early, 'GET /idempotent HTTP/1.0\r\n\r\n');
  try {
    const a = opensslClient(srv.port, ['-tls1_3', '-sess_out', sess, '-ign_eof'], 'one\n');
    await a.waitFor(/^one$/m);
    await new Promise((r) => setTimeout(r, 300));
    await a.stop();
    assert.match(a.output(), /Early data was not sent/);
    // The second connection: early data accepted, delivered first and marked early.
    const b = opensslClient(srv.port, ['-tls1_3', '-sess_in', sess, '-early_data', early, '-ign_eof'], 'two\n');
    await b.waitFor(/Early data was accepted/);
    await b.waitFor(/^two$/m); // echoed back
    assert.match(b.output(), /Reused, TLSv1\.3/);
    await b.stop();
    // The third: the same ticket's early data again, a replay: rejected, yet the resumed handshake completes.
    const c = opensslClient(srv.port, ['-tls1_3', '-sess_in', sess, '-early_data', early, '-ign_eof'], 'three\n');
    await c.waitFor(/Early data was rejected/);
    await c.waitFor(/^three$/m); // echoed back: the connection works
    assert.match(c.output(), /Reused, TLSv1\.3/);
    await c.stop();
    assert.deepEqual(srv.data[1]![0], { text: 'GET /idempotent HTTP/1.0\r\n\r\n', early: true });
    assert.deepEqual(srv.data[1]!.slice(1).map((d) => d.early), srv.data[1]!.slice(1).map(() => false));
    assert.ok(srv.data[2]!.every((d) => !d.early && !d.text.includes('idempotent')), 'the replayed early data was not delivered');
    assert.deepEqual(srv.negotiated.map((n) => n.earlyData), ['not offered', 'accepted', 'rejected']);
    assert.deepEqual(srv.negotiated.map((n) => n.resumed), [false, true, true]);
    assert.ok(srv.infos.some((m) => /early data can be replayed by an attacker; accept it only for idempotent requests/i.test(m)));
    assert.ok(srv.infos.some((m) => /a replay, refused by the single-use ticket cache/.test(m)));
    assert.ok(srv.infos.some((m) => /skipped a rejected 0-RTT record/.test(m)), 'the replayed records were skipped by trial decryption');
  } finally {
    await srv.close();
  }
});

test('openssl s_client -early_data to our server with early data off: rejected (trial decryption), the connection works', { timeout: 30_000 }, async () => {
  const ticketKey = globalThis.crypto.getRandomValues(new Uint8Array(32));
  const on = await ourServer({ maxEarlyData: 4096, ticketKey });
  const off = await ourServer({ ticketKey }); // same ticket key: resumes, but takes no early data
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-0rtt-'));
  const sess = path.join(dir, 'sess.pem');
  const early = path.join(dir, 'early.txt');
  fs.writeFileSync(early, 'not-for-this-server\n');
  try {
    const a = opensslClient(on.port, ['-tls1_3', '-sess_out', sess, '-ign_eof'], 'one\n');
    await a.waitFor(/^one$/m);
    await new Promise((r) => setTimeout(r, 300));
    await a.stop();
    const b = opensslClient(off.port, ['-tls1_3', '-sess_in', sess, '-early_data', early, '-ign_eof'], 'two\n');
    await b.waitFor(/Early data was rejected/);
    await b.waitFor(/^two$/m);
    assert.match(b.output(), /Reused, TLSv1\.3/);
    await b.stop();
    assert.equal(off.negotiated[0]!.earlyData, 'rejected');
    assert.ok(off.data[0]!.every((d) => !d.early && !d.text.includes('not-for-this-server')));
    assert.ok(off.infos.some((m) => /0-RTT rejected: early data is not enabled on this server/.test(m)));
  } finally {
    await on.close();
    await off.close();
  }
});

test('tlslens connect --sess_in --early-data against openssl s_server -early_data: the summary says accepted, with the replay caveat', { timeout: 30_000 }, async () => {
  const server = await opensslServer(['-tls1_3', '-early_data', '-cert', PKI('ec-p384.crt'), '-key', PKI('ec-p384.key')]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-0rtt-'));
  const sess = path.join(dir, 'session.json');
  const early = path.join(dir, 'early.txt');
  fs.writeFileSync(early, 'cli-early-data\n');
  const run = (args: string[], input: string) => new Promise<string>((resolve) => {
    const p = spawn(process.execPath, [path.resolve('dist/cli.js'), 'connect', `127.0.0.1:${server.port}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (b) => (out += b));
    p.stderr!.on('data', (b) => (out += b));
    p.stdin!.end(input);
    p.on('exit', () => resolve(out));
  });
  try {
    const first = await run(['--sess_out', sess, '-q'], 'first\n');
    assert.match(first, /Early data {4}: not offered/);
    const second = await run(['--sess_in', sess, '--early-data', early, '-q'], 'second\n');
    assert.match(second, /Resumed {7}: yes/);
    assert.match(second, /Early data {4}: accepted \(0-RTT; early data can be replayed by an attacker: send only idempotent requests\)/);
    await server.waitFor(/cli-early-data/);
    await server.waitFor(/second/);
    const usage = await run(['--early-data', early], '');
    assert.match(usage, /--early_data needs --sess_in/);
  } finally {
    await server.stop();
  }
});

test('0.5-RTT: our server answers openssl s_client\'s early data before the client\'s Finished, and s_client receives it', { timeout: 40_000 }, async () => {
  const id = identityFromPem(readPem('ec-p256.crt'), readPem('ec-p256.key'), 'ec-p256');
  const order: string[][] = [];
  const server = createServer({ certificateChain: id.chain, signer: id.signer, maxEarlyData: 4096 }, (s) => {
    const mine: string[] = [];
    order.push(mine);
    s.on('trace', (e: TraceEvent) => {
      if (e.kind === 'app-data' && e.dir === 'out') mine.push(e.halfRtt ? 'out 0.5-RTT' : 'out');
      if (e.kind === 'handshake' && e.dir === 'in' && e.name === 'finished') mine.push('client Finished');
    });
    s.on('data', (d: Uint8Array, meta?: { early?: boolean }) => {
      if (meta?.early) s.write(`half-rtt reply to ${dec.decode(d).trim()}\n`);
      else s.write(d);
    });
    s.on('end', () => s.end());
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-05rtt-'));
  const sess = path.join(dir, 'sess.pem');
  const early = path.join(dir, 'early.txt');
  fs.writeFileSync(early, 'early-request\n');
  try {
    const a = opensslClient(port, ['-tls1_3', '-sess_out', sess, '-ign_eof'], 'one\n');
    await a.waitFor(/^one$/m);
    await new Promise((r) => setTimeout(r, 300));
    await a.stop();
    const b = opensslClient(port, ['-tls1_3', '-sess_in', sess, '-early_data', early, '-ign_eof']);
    await b.waitFor(/half-rtt reply to early-request/);
    await b.waitFor(/Early data was accepted/);
    b.proc.stdin!.end();
    await b.stop();
    assert.deepEqual(order[1]!.slice(0, 2), ['out 0.5-RTT', 'client Finished'], 'the reply left before the client\'s Finished arrived');
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
