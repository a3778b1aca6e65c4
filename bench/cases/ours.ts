// Our engine at both ends (engine/net/session.ts: connect and createServer) over 127.0.0.1 TCP, with one crypto
// provider on both sides. Each function is one round of one cell.
import { connect, createServer, type SessionOptions, type TlsSession } from '../../engine/net/session';
import type { ClientSession } from '../../engine/conn/session-ticket';
import type { CryptoProvider } from '../../engine/crypto/provider';
import { rate, timed, median, type Sample } from '../rounds';
import { CHUNK, HOST, byteCounter, close, drained, listen } from './net';
import type { TlsCase } from './tls-cases';

type ServerOptions = Partial<SessionOptions>;

function server(c: TlsCase, provider: CryptoProvider, onSession: (s: TlsSession) => void = () => undefined, extra: ServerOptions = {}) {
  return createServer({ ...c.ours, ...extra, provider, certificateChain: c.identity.chain, signer: c.identity.signer }, (s) => {
    s.on('error', () => undefined);
    onSession(s);
  });
}

/** A connected, handshaken client; throws unless the case's version and suite (and resumption, if asked) were negotiated. */
async function client(c: TlsCase, provider: CryptoProvider, port: number, extra: Partial<SessionOptions> = {}, resumed = false): Promise<TlsSession> {
  const s = await connect({ ...c.ours, ...extra, provider, host: HOST, port });
  s.on('error', () => undefined);
  s.begin();
  const n = await s.handshake();
  if (n.version !== c.version || n.cipherSuite !== c.suite || n.resumed !== resumed) {
    throw new Error(`${c.name}: ours negotiated 0x${n.version.toString(16)} / 0x${n.cipherSuite.toString(16)}${n.resumed ? ' resumed' : ''}`);
  }
  return s;
}

/** Full handshakes per second, one connection at a time; servers issue their default tickets. */
export async function oursHandshakes(c: TlsCase, provider: CryptoProvider, n: number): Promise<Sample> {
  const srv = server(c, provider);
  const port = await listen(srv);
  const t = await timed(async () => {
    for (let i = 0; i < n; i++) (await client(c, provider, port)).destroy();
  });
  await close(srv);
  return rate(n, t);
}

/** TLS 1.3 resumed handshakes per second: every connection offers the ticket of one earlier full handshake. */
export async function oursResumed(c: TlsCase, provider: CryptoProvider, n: number): Promise<Sample> {
  const srv = server(c, provider);
  const port = await listen(srv);
  let got!: (s: ClientSession) => void;
  const ticket = new Promise<ClientSession>((r) => (got = r));
  const first = await client(c, provider, port, { onSession: (s) => got(s) });
  const session = await ticket;
  first.destroy();
  const t = await timed(async () => {
    for (let i = 0; i < n; i++) (await client(c, provider, port, { session }, true)).destroy();
  });
  await close(srv);
  return rate(n, t);
}

async function send(s: TlsSession, bytes: number): Promise<void> {
  const chunk = new Uint8Array(CHUNK).fill(0x61);
  for (let sent = 0; sent < bytes; sent += CHUNK) {
    s.write(chunk);
    await drained(s.socket);
  }
}

/**
 * MB/s for `bytes` in 16 KiB writes, client -> server ('up') or server -> client ('down'), from the first write
 * (for 'down', the client's one-byte request) to the last byte read.
 */
export async function oursBulk(c: TlsCase, provider: CryptoProvider, bytes: number, dir: 'up' | 'down'): Promise<Sample> {
  const { count, done } = byteCounter(bytes);
  const srv = server(c, provider, (s) => {
    if (dir === 'up') s.on('data', count);
    else s.once('data', () => void send(s, bytes));
  });
  const port = await listen(srv);
  const cl = await client(c, provider, port);
  if (dir === 'down') cl.on('data', count);
  const t = await timed(async () => {
    if (dir === 'up') await send(cl, bytes);
    else cl.write(new Uint8Array([0x67]));
    await done;
  });
  cl.destroy();
  await close(srv);
  return rate(bytes / 1e6, t);
}

/** Median ms from the TCP connect's start to the first application byte, from a server that writes once secure. */
export async function oursTtfb(c: TlsCase, provider: CryptoProvider, n: number): Promise<Sample> {
  const srv = server(c, provider, (s) => s.once('secure', () => s.write(new Uint8Array([0x31]))));
  const port = await listen(srv);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const s = await connect({ ...c.ours, provider, host: HOST, port });
    s.on('error', () => undefined);
    const first = new Promise<void>((r) => s.once('data', () => r()));
    s.begin();
    await first;
    ms.push(performance.now() - t0);
    s.destroy();
  }
  await close(srv);
  return { value: median(ms), perCpuS: null };
}
