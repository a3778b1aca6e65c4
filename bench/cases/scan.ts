// The server scan (engine/scan): a full scan of a local `openssl s_server` (TLS 1.2 and 1.3, its default suites
// and groups, RSA-2048), in ms, at one probe at a time and at the default concurrency. The bound: a local
// scan well under a minute. No peer: no other scanner is installed here to time against.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { DEFAULT_CONCURRENCY, scanServer } from '../../engine/scan/scan';
import type { Cell, Sample } from '../rounds';

const PKI = path.resolve('test/fixtures/pki');
let server: { proc: ChildProcess; port: number } | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

async function opensslServer(): Promise<number> {
  if (server) return server.port;
  const port = await freePort();
  const proc = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-www', '-cert', path.join(PKI, 'rsa2048.crt'), '-key', path.join(PKI, 'rsa2048.key')], { stdio: ['pipe', 'pipe', 'pipe'] });
  process.on('exit', () => proc.kill('SIGKILL'));
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const t0 = Date.now();
  while (!out.includes('ACCEPT')) {
    if (proc.exitCode !== null || Date.now() - t0 > 10_000) throw new Error(`openssl s_server did not start: ${out.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  server = { proc, port };
  return port;
}

async function oneScan(concurrency: number): Promise<Sample> {
  const port = await opensslServer();
  const t = performance.now();
  const r = await scanServer({ host: '127.0.0.1', port, concurrency, trusted: [] });
  const value = performance.now() - t;
  if (!r.versions.some((v) => v.name === 'TLSv1.3' && v.status === 'yes')) throw new Error('the scan did not find TLS 1.3 on the local openssl s_server');
  return { value, perCpuS: null };
}

export function scanCells(): Cell[] {
  return [1, DEFAULT_CONCURRENCY].map((concurrency): Cell => ({
    case: 'server scan of a local openssl s_server (TLS 1.2 and 1.3, RSA-2048)',
    engine: 'TLS Lens scan',
    provider: 'node',
    metric: `full scan, concurrency ${concurrency}`,
    unit: 'ms',
    run: () => oneScan(concurrency),
    warmUp: () => oneScan(concurrency),
  }));
}
