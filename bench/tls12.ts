// TLS 1.2 handshakes per second and bulk throughput (both directions) over loopback: our engine (client and
// server) against Node's tls (client and server) measured in the same run, with the ratio, as bench/tls.ts does
// for TLS 1.3. ECDHE-RSA-AES128-GCM-SHA256 with the RSA 2048 fixture, X25519, no session tickets on either side
// (every handshake is a full one).
import { constants as cryptoConstants } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { connect, createServer, type SessionOptions, type TlsSession } from '../engine/net/session';
import { suiteByName } from '../engine/registry/suites';
import { identityFromPem } from '../engine/tools/identity';

const cert = fs.readFileSync(path.resolve('test/fixtures/pki/rsa2048.crt'), 'utf8');
const key = fs.readFileSync(path.resolve('test/fixtures/pki/rsa2048.key'), 'utf8');
const SUITE = 'ECDHE-RSA-AES128-GCM-SHA256';
const SUITE_CODE = suiteByName(SUITE)!.code;
const TLS12 = 0x0303;

const ours: Omit<SessionOptions, 'certificateChain' | 'signer'> = { minVersion: TLS12, maxVersion: TLS12, cipherSuites12: [SUITE_CODE], ticketsToSend: 0 };
const nodeServerOpts: tls.TlsOptions = { cert, key, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: SUITE, secureOptions: cryptoConstants.SSL_OP_NO_TICKET };
const nodeClientOpts = { host: '127.0.0.1', rejectUnauthorized: false, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: SUITE, ecdhCurve: 'X25519' } as const;

function ourServer(onSession: (s: TlsSession) => void, noDelay = false) {
  const id = identityFromPem(cert, key, 'rsa2048');
  return createServer({ ...ours, certificateChain: id.chain, signer: id.signer }, (s) => {
    if (noDelay) s.socket.setNoDelay(true);
    s.on('error', () => undefined);
    onSession(s);
  });
}

async function listen(server: { listen(port: number, host: string, cb: () => void): unknown; address(): unknown }): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function ourClient(port: number, noDelay = false): Promise<TlsSession> {
  const s = await connect({ host: '127.0.0.1', port, serverName: 'localhost', ...ours });
  if (noDelay) s.socket.setNoDelay(true);
  s.begin();
  const n = await s.handshake();
  if (n.version !== TLS12 || n.cipherSuite !== SUITE_CODE) throw new Error(`negotiated 0x${n.version.toString(16)} / 0x${n.cipherSuite.toString(16)}, not TLS 1.2 ${SUITE}`);
  return s;
}

async function nodeClient(port: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const c = tls.connect({ ...nodeClientOpts, port }, () => {
      if (c.getProtocol() !== 'TLSv1.2' || c.getCipher().standardName !== 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256') reject(new Error(`node negotiated ${c.getProtocol()} ${c.getCipher().name}`));
      else resolve(c);
    });
    c.on('error', reject);
  });
}

/**
 * `noDelay` sets TCP_NODELAY on our sockets: TlsSession writes each record of a flight with its own socket.write,
 * so with Nagle's algorithm on, the second record of a flight waits for the peer's ACK, which the peer delays
 * (40 ms on Linux) while it waits for the rest of the flight. The figure with it shows what that costs.
 */
async function oursHandshakes(n: number, noDelay = false): Promise<number> {
  const server = ourServer(() => undefined, noDelay);
  const port = await listen(server);
  await ourClient(port, noDelay).then((s) => s.destroy()); // warm-up, and a check of what is negotiated
  const t = performance.now();
  for (let i = 0; i < n; i++) (await ourClient(port, noDelay)).destroy();
  const perSec = n / ((performance.now() - t) / 1000);
  server.close();
  return perSec;
}

async function nodeHandshakes(n: number): Promise<number> {
  const server = tls.createServer(nodeServerOpts, (s) => s.on('error', () => undefined));
  const port = await listen(server);
  (await nodeClient(port)).destroy();
  const t = performance.now();
  for (let i = 0; i < n; i++) (await nodeClient(port)).destroy();
  const perSec = n / ((performance.now() - t) / 1000);
  server.close();
  return perSec;
}

const CHUNK = 16384;

/** Sends `bytes` in 16 KiB writes on one of our sessions, waiting for the socket to drain. */
async function oursSend(s: TlsSession, bytes: number): Promise<void> {
  const chunk = new Uint8Array(CHUNK).fill(0x61);
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    s.write(chunk);
    if (s.socket.writableNeedDrain) await new Promise((r) => s.socket.once('drain', r));
  }
}

async function nodeSend(c: tls.TLSSocket, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(CHUNK, 0x61);
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    if (!c.write(chunk)) await new Promise((r) => c.once('drain', r));
  }
}

/**
 * MB/s for `bytes` sent client -> server ('up') or server -> client ('down'), timed from the moment the sender
 * starts (after the handshake; for 'down' the client's one-byte request starts the server) to the last byte read.
 */
async function oursBulk(bytes: number, dir: 'up' | 'down'): Promise<number> {
  let received = 0;
  let t = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const count = (d: Uint8Array) => {
    received += d.length;
    if (received >= bytes) done();
  };
  const server = ourServer((s) => {
    if (dir === 'up') s.on('data', count);
    else s.once('data', () => void oursSend(s, bytes));
  });
  const port = await listen(server);
  const c = await ourClient(port);
  if (dir === 'down') c.on('data', count);
  t = performance.now();
  if (dir === 'up') await oursSend(c, bytes);
  else c.write(new Uint8Array([0x67]));
  await finished;
  const mbs = bytes / 1e6 / ((performance.now() - t) / 1000);
  c.destroy();
  server.close();
  return mbs;
}

async function nodeBulk(bytes: number, dir: 'up' | 'down'): Promise<number> {
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const count = (d: Buffer) => {
    received += d.length;
    if (received >= bytes) done();
  };
  const server = tls.createServer(nodeServerOpts, (s) => {
    s.on('error', () => undefined);
    if (dir === 'up') s.on('data', count);
    else s.once('data', () => void nodeSend(s, bytes));
  });
  const port = await listen(server);
  const c = await nodeClient(port);
  if (dir === 'down') c.on('data', count);
  const t = performance.now();
  if (dir === 'up') await nodeSend(c, bytes);
  else c.write(Buffer.from([0x67]));
  await finished;
  const mbs = bytes / 1e6 / ((performance.now() - t) / 1000);
  c.destroy();
  server.close();
  return mbs;
}

export async function benchTls12(): Promise<void> {
  const n = 30;
  const oursHs = await oursHandshakes(n);
  const nodeHs = await nodeHandshakes(n);
  console.log(`TLS 1.2 full handshakes, one at a time (${SUITE}, RSA 2048, X25519): ours ${oursHs.toFixed(1)}/s, node:tls ${nodeHs.toFixed(1)}/s, ratio ours/node ${(oursHs / nodeHs).toFixed(3)}`);
  const oursNd = await oursHandshakes(n, true);
  console.log(`  the same with TCP_NODELAY on our sockets: ours ${oursNd.toFixed(1)}/s, ratio ours/node ${(oursNd / nodeHs).toFixed(3)} (the gap to the line above is Nagle + delayed ACK: TlsSession writes a flight record by record)`);
  const bytes = 16 * 1024 * 1024;
  for (const dir of ['up', 'down'] as const) {
    const o = await oursBulk(bytes, dir);
    const nd = await nodeBulk(bytes, dir);
    console.log(`TLS 1.2 bulk 16 MiB ${dir === 'up' ? 'client->server' : 'server->client'}, ${SUITE}, 16 KiB writes: ours ${o.toFixed(1)} MB/s, node:tls ${nd.toFixed(1)} MB/s, ratio ours/node ${(o / nd).toFixed(3)}`);
  }
}
