// TLS 1.3 handshakes per second and bulk throughput over loopback: our engine (client and server) against
// Node's tls (client and server) measured in the same run, with the ratio. ECDSA P-256, X25519, AES-128-GCM.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { connect, createServer } from '../engine/net/session';
import { identityFromPem } from '../engine/tools/identity';
import { nobleProvider } from '../engine/crypto/noble';
import { nodeProvider } from '../engine/crypto/node-provider';
import type { CryptoProvider } from '../engine/crypto/provider';

const cert = fs.readFileSync(path.resolve('test/fixtures/pki/ec-p256.crt'), 'utf8');
const key = fs.readFileSync(path.resolve('test/fixtures/pki/ec-p256.key'), 'utf8');
const AES128 = 0x1301;

async function oursHandshakes(n: number, provider: CryptoProvider): Promise<number> {
  const id = identityFromPem(cert, key, 'ec-p256');
  const server = createServer({ provider, certificateChain: id.chain, signer: id.signer, cipherSuites: [AES128], ticketsToSend: 0 }, (s) => s.on('error', () => undefined));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const s = await connect({ provider, host: '127.0.0.1', port, cipherSuites: [AES128] });
    s.begin();
    await s.handshake();
    s.destroy();
  }
  const perSec = n / ((performance.now() - t) / 1000);
  server.close();
  return perSec;
}

async function nodeHandshakes(n: number): Promise<number> {
  const server = tls.createServer({ cert, key, minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256' }, (s) => s.on('error', () => undefined));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve, reject) => {
      const c = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256', ecdhCurve: 'X25519' }, () => {
        c.destroy();
        resolve();
      });
      c.on('error', reject);
    });
  }
  const perSec = n / ((performance.now() - t) / 1000);
  server.close();
  return perSec;
}

/** MB/s for `bytes` sent client -> server in 16 KiB writes. */
async function oursBulk(bytes: number, provider: CryptoProvider): Promise<number> {
  const id = identityFromPem(cert, key, 'ec-p256');
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const server = createServer({ provider, certificateChain: id.chain, signer: id.signer, cipherSuites: [AES128], ticketsToSend: 0 }, (s) => {
    s.on('data', (d: Uint8Array) => {
      received += d.length;
      if (received >= bytes) done();
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const s = await connect({ provider, host: '127.0.0.1', port: (server.address() as AddressInfo).port, cipherSuites: [AES128] });
  s.begin();
  await s.handshake();
  const chunk = new Uint8Array(16384).fill(0x61);
  const t = performance.now();
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    s.write(chunk);
    if (s.socket.writableNeedDrain) await new Promise((r) => s.socket.once('drain', r));
  }
  await finished;
  const mbs = bytes / 1e6 / ((performance.now() - t) / 1000);
  s.destroy();
  server.close();
  return mbs;
}

async function nodeBulk(bytes: number): Promise<number> {
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const server = tls.createServer({ cert, key, minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256' }, (s) => {
    s.on('data', (d: Buffer) => {
      received += d.length;
      if (received >= bytes) done();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const c = await new Promise<tls.TLSSocket>((resolve) => {
    const sock = tls.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, rejectUnauthorized: false, ciphers: 'TLS_AES_128_GCM_SHA256' }, () => resolve(sock));
  });
  const chunk = Buffer.alloc(16384, 0x61);
  const t = performance.now();
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    if (!c.write(chunk)) await new Promise((r) => c.once('drain', r));
  }
  await finished;
  const mbs = bytes / 1e6 / ((performance.now() - t) / 1000);
  c.destroy();
  server.close();
  return mbs;
}

export async function benchTls(): Promise<void> {
  const n = 30;
  const nodeHs = await nodeHandshakes(n);
  const bytes = 16 * 1024 * 1024;
  const nodeMb = await nodeBulk(bytes);
  // Each of our providers beside node:tls, in the same run.
  for (const provider of [nobleProvider(), nodeProvider()]) {
    const oursHs = await oursHandshakes(n, provider);
    console.log(`TLS 1.3 full handshakes, one at a time (X25519, ECDSA P-256, AES-128-GCM): ours [${provider.name}] ${oursHs.toFixed(1)}/s, node:tls ${nodeHs.toFixed(1)}/s, ratio ours/node ${(oursHs / nodeHs).toFixed(3)}`);
    const oursMb = await oursBulk(bytes, provider);
    console.log(`bulk 16 MiB client->server, AES-128-GCM, 16 KiB writes: ours [${provider.name}] ${oursMb.toFixed(1)} MB/s, node:tls ${nodeMb.toFixed(1)} MB/s, ratio ours/node ${(oursMb / nodeMb).toFixed(3)}`);
  }
}
