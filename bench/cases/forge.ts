// node-forge at both ends over 127.0.0.1 TCP, in this process. forge speaks TLS 1.0 and 1.1 with the RSA key
// exchange and AES-CBC-SHA suites only, and its server never picks TLS 1.1 (handleClientHello starts its search of
// SupportedVersions at the second entry), so forge to forge is TLS 1.0. Its case is therefore TLS 1.0 AES128-SHA
// (TLS_RSA_WITH_AES_128_CBC_SHA) with the RSA-2048 certificate; our engine runs the same case (tls-cases.ts RSA10)
// for the rows whose peer is forge. forge works on binary strings: the Buffer <-> string conversions at the socket
// are part of what using it costs.
import net from 'node:net';
import forge from 'node-forge';
import { rate, timed, median, type Sample } from '../rounds';
import { CHUNK, HOST, byteCounter, close, drained, listen } from './net';
import type { TlsCase } from './tls-cases';

const SUITE = forge.tls.CipherSuites.TLS_RSA_WITH_AES_128_CBC_SHA!;

interface Ends {
  /** Application bytes arrived (as a binary string). */
  onData?: (conn: forge.tls.Connection, data: string) => void;
  onConnected?: (conn: forge.tls.Connection) => void;
}

/** A forge connection on a socket: TLS bytes out through socket.write, socket bytes into process(). */
function attach(socket: net.Socket, server: boolean, c: TlsCase, ends: Ends, sessionCache?: forge.tls.SessionCache): forge.tls.Connection {
  const conn = forge.tls.createConnection({
    server,
    cipherSuites: [SUITE],
    ...(sessionCache ? { sessionCache } : {}),
    verifyClient: false,
    verify: () => true, // as rejectUnauthorized: false on the other rows: the chain is not judged
    getCertificate: () => c.certPem,
    getPrivateKey: () => c.keyPem,
    connected: (cn) => ends.onConnected?.(cn),
    tlsDataReady: (cn) => {
      if (!socket.destroyed) socket.write(Buffer.from(cn.tlsData.getBytes(), 'binary'));
    },
    dataReady: (cn) => ends.onData?.(cn, cn.data.getBytes()),
    closed: () => socket.end(),
    error: () => socket.destroy(),
  });
  socket.setNoDelay(true); // as on every socket of the bench: ours sets it itself
  socket.on('data', (d: Buffer) => conn.process(d.toString('binary')));
  socket.on('error', () => undefined);
  return conn;
}

function server(c: TlsCase, ends: Ends = {}, sessionCache?: forge.tls.SessionCache): net.Server {
  return net.createServer((socket) => void attach(socket, true, c, ends, sessionCache));
}

interface ForgeClient {
  socket: net.Socket;
  conn: forge.tls.Connection;
}

/**
 * A connected, handshaken forge client; with `sessionCache`, it offers the session in it (resumption by session ID)
 * and throws unless the server resumed it.
 */
async function client(c: TlsCase, port: number, ends: Ends = {}, sessionCache?: forge.tls.SessionCache, resumed = false): Promise<ForgeClient> {
  const socket = net.connect({ host: HOST, port });
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
  return new Promise((resolve, reject) => {
    socket.once('close', () => reject(new Error(`${c.name}: forge handshake failed`)));
    const conn = attach(socket, false, c, {
      ...ends,
      onConnected: (cn) => {
        const resuming = (cn.session as { resuming?: boolean } | null)?.resuming === true;
        if (cn.version.minor !== 1 || cn.session?.cipherSuite?.name !== SUITE.name || resuming !== resumed) reject(new Error(`${c.name}: forge negotiated 3.${cn.version.minor} ${cn.session?.cipherSuite?.name}${resuming ? ' resumed' : ''}`));
        else resolve({ socket, conn });
      },
    }, sessionCache);
    conn.handshake();
  });
}

export async function forgeHandshakes(c: TlsCase, n: number): Promise<Sample> {
  const srv = server(c);
  const port = await listen(srv);
  const t = await timed(async () => {
    for (let i = 0; i < n; i++) (await client(c, port)).socket.destroy();
  });
  await close(srv);
  return rate(n, t);
}

/**
 * Closes as forge must for its session to be resumed: forge caches a session in close() (close_notify), on each
 * side, so the client closes and waits for the server's close, which follows its own close().
 */
async function closeCleanly(cl: ForgeClient): Promise<void> {
  const closed = new Promise<void>((r) => cl.socket.once('close', () => r()));
  cl.conn.close();
  cl.socket.end();
  await closed;
}

/** Session-ID resumption (forge has no tickets): one session cache per side, filled by one full handshake. */
export async function forgeResumed(c: TlsCase, n: number): Promise<Sample> {
  const srv = server(c, {}, forge.tls.createSessionCache({}));
  const port = await listen(srv);
  const clientCache = forge.tls.createSessionCache({});
  await closeCleanly(await client(c, port, {}, clientCache));
  const t = await timed(async () => {
    for (let i = 0; i < n; i++) await closeCleanly(await client(c, port, {}, clientCache, true));
  });
  await close(srv);
  return rate(n, t);
}

async function send(conn: forge.tls.Connection, socket: net.Socket, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(CHUNK, 0x61).toString('binary');
  for (let sent = 0; sent < bytes; sent += CHUNK) {
    conn.prepare(chunk);
    await drained(socket);
  }
}

export async function forgeBulk(c: TlsCase, bytes: number, dir: 'up' | 'down'): Promise<Sample> {
  const { count, done } = byteCounter(bytes);
  const countString = (_: unknown, d: string) => count({ length: d.length } as Uint8Array);
  const srv = net.createServer((socket) => {
    let started = false;
    attach(socket, true, c, {
      onData: (conn, d) => {
        if (dir === 'up') countString(conn, d);
        else if (!started) {
          started = true;
          void send(conn, socket, bytes);
        }
      },
    });
  });
  const port = await listen(srv);
  const cl = await client(c, port, dir === 'down' ? { onData: countString } : {});
  const t = await timed(async () => {
    if (dir === 'up') await send(cl.conn, cl.socket, bytes);
    else cl.conn.prepare('g');
    await done;
  });
  cl.socket.destroy();
  await close(srv);
  return rate(bytes / 1e6, t);
}

export async function forgeTtfb(c: TlsCase, n: number): Promise<Sample> {
  const srv = server(c, { onConnected: (conn) => conn.prepare('1') });
  const port = await listen(srv);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    let first!: () => void;
    const got = new Promise<void>((r) => (first = r));
    const cl = await client(c, port, { onData: () => first() });
    await got;
    ms.push(performance.now() - t0);
    cl.socket.destroy();
  }
  await close(srv);
  return { value: median(ms), perCpuS: null };
}
