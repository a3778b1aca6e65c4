// Node's tls (OpenSSL) at both ends over 127.0.0.1 TCP, in this process: the peer of our engine's rows, with the
// same certificate, version, suite and group forced on both sides (tls-cases.ts).
import tls from 'node:tls';
import { rate, timed, median, type Sample } from '../rounds';
import { CHUNK, HOST, byteCounter, close, drained, listen } from './net';
import type { TlsCase } from './tls-cases';

function server(c: TlsCase, onSecure: (s: tls.TLSSocket) => void = () => undefined): tls.Server {
  const srv = tls.createServer({ cert: c.certPem, key: c.keyPem, noDelay: true, ...c.node }, (s) => {
    s.on('error', () => undefined);
    onSecure(s);
  });
  srv.on('tlsClientError', () => undefined);
  return srv;
}

function client(c: TlsCase, port: number, extra: tls.ConnectionOptions = {}, resumed = false): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: HOST, port, rejectUnauthorized: false, ...c.node, ...extra }, () => {
      const proto = s.getProtocol();
      const cipher = s.getCipher().standardName;
      if (proto !== c.node.maxVersion || cipher !== c.nodeCipher || s.isSessionReused() !== resumed) reject(new Error(`${c.name}: node negotiated ${proto} ${cipher}${s.isSessionReused() ? ' resumed' : ''}`));
      else resolve(s);
    });
    s.setNoDelay(true); // as on every socket of the bench (ours sets it itself)
    s.on('error', reject);
  });
}

export async function nodeHandshakes(c: TlsCase, n: number): Promise<Sample> {
  const srv = server(c);
  const port = await listen(srv);
  const t = await timed(async () => {
    for (let i = 0; i < n; i++) (await client(c, port)).destroy();
  });
  await close(srv);
  return rate(n, t);
}

/** TLS 1.3 resumed handshakes per second: every connection offers the ticket of one earlier full handshake. */
export async function nodeResumed(c: TlsCase, n: number): Promise<Sample> {
  const srv = server(c);
  const port = await listen(srv);
  const first = await client(c, port);
  const session = await new Promise<Buffer>((r) => first.once('session', r));
  first.destroy();
  const t = await timed(async () => {
    for (let i = 0; i < n; i++) (await client(c, port, { session }, true)).destroy();
  });
  await close(srv);
  return rate(n, t);
}

async function send(s: tls.TLSSocket, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(CHUNK, 0x61);
  for (let sent = 0; sent < bytes; sent += CHUNK) {
    s.write(chunk);
    await drained(s);
  }
}

export async function nodeBulk(c: TlsCase, bytes: number, dir: 'up' | 'down'): Promise<Sample> {
  const { count, done } = byteCounter(bytes);
  const srv = server(c, (s) => {
    if (dir === 'up') s.on('data', count);
    else s.once('data', () => void send(s, bytes));
  });
  const port = await listen(srv);
  const cl = await client(c, port);
  if (dir === 'down') cl.on('data', count);
  const t = await timed(async () => {
    if (dir === 'up') await send(cl, bytes);
    else cl.write(Buffer.from([0x67]));
    await done;
  });
  cl.destroy();
  await close(srv);
  return rate(bytes / 1e6, t);
}

export async function nodeTtfb(c: TlsCase, n: number): Promise<Sample> {
  const srv = server(c, (s) => s.write(Buffer.from([0x31])));
  const port = await listen(srv);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const s = tls.connect({ host: HOST, port, rejectUnauthorized: false, ...c.node });
      s.setNoDelay(true);
      s.once('data', () => {
        ms.push(performance.now() - t0);
        s.destroy();
        resolve();
      });
      s.on('error', reject);
    });
  }
  await close(srv);
  return { value: median(ms), perCpuS: null };
}
