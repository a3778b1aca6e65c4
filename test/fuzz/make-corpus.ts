// Regenerates the fuzz seeds in test/fuzz/corpus/ from real sessions and the PKI fixtures (run by
// scripts/fuzz-corpus.mjs, which builds first). Sessions run on 127.0.0.1 between our engine and OpenSSL, both
// ways: our client to `openssl s_server` (TLS 1.3, a HelloRetryRequest, client authentication, TLS 1.2 with ECDHE,
// DHE, RSA key exchange, CBC; DTLS 1.2 and 1.0) and `openssl s_client` to our server. From each session's trace:
//   record/      each direction's bytes as sent (the first few KB),
//   handshake/   every handshake message (TLS 1.3 ones as decrypted), distinct,
//   extensions/  every extension of those messages as type || body, distinct,
//   dtls/        each flight's datagrams (u16 length || datagram, see targets/dtls.ts).
// And from test/fixtures/pki: pem/ the small PEM files (bad/ ones included), der/ the DER files, the .p12 files
// and every PEM block's DER. Files are named after where they came from; identical contents are kept once.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { connect, createServer, type TlsSession } from '../../engine/net/session';
import { connectDtls, type DatagramEvent, type DtlsSession } from '../../engine/net/dtls';
import { decodeHandshake } from '../../engine/msgs/handshake';
import { scanPem } from '../../engine/pem/blocks';
import type { TraceEvent } from '../../engine/trace/events';
import { DTLS10, DTLS12 } from '../../engine/dtls/record';
import { identity, opensslClient, opensslDtlsServer, opensslServer, PKI, requireOpensslTool, type Peer } from '../interop/peers';
import { CORPUS_DIR } from './corpus';
import { DECODE_OPTIONS } from './targets/handshake';
import { cat, joinPieces } from './targets/util';

/** Bytes kept of each direction of a session for the record target: handshakes and some data, not whole pages. */
const RECORD_BYTES = 6 * 1024;
const PEM_MAX = 4 * 1024;

const out = new Map<string, Map<string, Uint8Array>>();
const seen = new Set<string>();

function put(target: string, name: string, bytes: Uint8Array): void {
  const h = createHash('sha256').update(bytes).digest('hex');
  if (seen.has(`${target}:${h}`)) return;
  seen.add(`${target}:${h}`);
  let m = out.get(target);
  if (!m) out.set(target, (m = new Map()));
  let n = name.replace(/[^A-Za-z0-9_.-]+/g, '_');
  for (let i = 2; m.has(n); i++) n = `${name}.${i}`;
  m.set(n, bytes);
}

/** What one session's trace gives: records per direction, handshake messages, their extensions. */
function harvest(tag: string, events: readonly TraceEvent[]): void {
  const wire: Record<string, Uint8Array[]> = { in: [], out: [] };
  for (const e of events) {
    if (e.kind === 'record') wire[e.dir]!.push(e.raw);
    if (e.kind !== 'handshake') continue;
    put('handshake', `${tag}.${e.dir}.${e.name}`, e.raw);
    for (const opts of DECODE_OPTIONS) {
      let msg;
      try {
        msg = decodeHandshake(e.raw, opts);
      } catch {
        continue;
      }
      for (const x of (msg as { extensions?: { type: number; data: Uint8Array }[] }).extensions ?? [])
        put('extensions', `${tag}.${e.name}.${x.type}`, cat(Uint8Array.of(x.type >> 8, x.type & 0xff), x.data));
      break;
    }
  }
  for (const dir of ['in', 'out'] as const) if (wire[dir]!.length) put('record', `${tag}.${dir}`, cat(...wire[dir]!).subarray(0, RECORD_BYTES));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ourClient(tag: string, serverArgs: string[], opts: Record<string, unknown> = {}): Promise<void> {
  const server = await opensslServer(['-www', ...serverArgs]);
  const events: TraceEvent[] = [];
  try {
    const s: TlsSession = await connect({ host: '127.0.0.1', port: server.port, serverName: 'localhost', ...opts });
    s.on('trace', (e: TraceEvent) => events.push(e));
    s.on('error', () => undefined);
    s.begin();
    await s.handshake();
    s.write(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'));
    await sleep(300);
    s.end();
    await sleep(50);
  } catch (e) {
    console.error(`${tag}: ${(e as Error).message} (kept what the trace holds)`);
  } finally {
    await server.stop();
  }
  harvest(tag, events);
}

async function opensslToOurs(tag: string, clientArgs: string[], serverOpts: Record<string, unknown>): Promise<void> {
  const events: TraceEvent[] = [];
  const server = createServer({ ...(serverOpts as object) }, (s) => {
    s.on('trace', (e: TraceEvent) => events.push(e));
    s.on('error', () => undefined);
    s.on('data', (d: Uint8Array) => s.write(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  let client: Peer | undefined;
  try {
    client = opensslClient(port, clientArgs, 'hello from s_client\n');
    await client.waitFor(/Verify return code|CONNECTED/, 10_000).catch(() => undefined);
    await sleep(500);
  } finally {
    await client?.stop();
    await new Promise<void>((r) => server.close(() => r()));
  }
  harvest(tag, events);
}

async function ourDtlsClient(tag: string, serverArgs: string[], opts: Record<string, unknown>): Promise<void> {
  const server = await opensslDtlsServer(serverArgs);
  const events: TraceEvent[] = [];
  const datagrams: DatagramEvent[] = [];
  let s: DtlsSession | undefined;
  try {
    s = await connectDtls({ host: '127.0.0.1', port: server.port, serverName: 'localhost', ...opts });
    s.on('trace', (e: TraceEvent) => events.push(e));
    s.on('datagram', (d: DatagramEvent) => datagrams.push(d));
    s.on('error', () => undefined);
    s.begin();
    await s.handshake();
    s.write('hello over DTLS\n');
    await sleep(300);
  } catch (e) {
    console.error(`${tag}: ${(e as Error).message} (kept what the trace holds)`);
  } finally {
    s?.destroy();
    await server.stop();
  }
  // Flights: the runs of datagrams in one direction.
  let run: DatagramEvent[] = [];
  const flush = (): void => {
    if (run.length) put('dtls', `${tag}.${run[0]!.dir}.${datagrams.indexOf(run[0]!)}`, joinPieces(run.map((d) => d.bytes)));
    run = [];
  };
  for (const d of datagrams) {
    if (run.length && run[0]!.dir !== d.dir) flush();
    run.push(d);
  }
  flush();
  harvest(tag, events.filter((e) => e.kind === 'handshake'));
}

function certArgs(name: string): string[] {
  return ['-cert', PKI(`${name}.crt`), '-key', PKI(`${name}.key`)];
}

function fixtures(): void {
  const files = (dir: string) => fs.readdirSync(dir).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile());
  const all = [...files(PKI('.')), ...files(PKI('bad'))].filter((f) => !/\.(sh|md)$/.test(f)).sort();
  for (const f of all) {
    const bytes = new Uint8Array(fs.readFileSync(f));
    const rel = path.relative(PKI('.'), f).replace(/\//g, '_');
    const text = new TextDecoder().decode(bytes);
    if (/-----BEGIN /.test(text)) {
      if (bytes.length <= PEM_MAX) put('pem', rel, bytes);
      for (const b of scanPem(text).blocks) if (b.der && b.der.length <= PEM_MAX) put('der', `${rel}.block${b.index}`, b.der);
    } else if (bytes.length <= PEM_MAX) put('der', rel, bytes);
  }
}

async function main(): Promise<void> {
  requireOpensslTool();
  const ec = certArgs('ec-p256');
  const rsa = certArgs('rsa2048');
  await ourClient('ours-to-openssl.tls13', [...ec, '-tls1_3']);
  await ourClient('ours-to-openssl.tls13-hrr', [...ec, '-tls1_3', '-groups', 'P-256'], { groups: [0x001d, 0x0017] });
  await ourClient('ours-to-openssl.tls13-client-auth', [...ec, '-tls1_3', '-Verify', '1'], { ...identityOpts('ed25519') });
  await ourClient('ours-to-openssl.tls13-rsa-pss', [...rsa, '-tls1_3']);
  await ourClient('ours-to-openssl.tls12-ecdhe-gcm', [...rsa, '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], { maxVersion: 0x0303 });
  await ourClient('ours-to-openssl.tls12-ecdhe-cbc', [...ec, '-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA'], { maxVersion: 0x0303 });
  await ourClient('ours-to-openssl.tls12-dhe', [...rsa, '-tls1_2', '-cipher', 'DHE-RSA-AES128-GCM-SHA256'], { maxVersion: 0x0303 });
  await ourClient('ours-to-openssl.tls12-rsa-kx', [...rsa, '-tls1_2', '-cipher', 'AES128-SHA256'], { maxVersion: 0x0303 });
  await ourClient('ours-to-openssl.tls12-client-auth-status', [...rsa, '-tls1_2', '-Verify', '1'], { maxVersion: 0x0303, requestOcsp: true, ...identityOpts('ec-p256') });
  await ourClient('ours-to-openssl.tls10-cbc', [...rsa, '-tls1', '-cipher', 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'], { minVersion: 0x0301, maxVersion: 0x0301 });
  const ours = identityOpts('ec-p256');
  await opensslToOurs('openssl-to-ours.tls13', ['-tls1_3'], ours);
  await opensslToOurs('openssl-to-ours.tls13-client-auth', ['-tls1_3', ...certArgs('ed25519')], { ...ours, clientAuth: 'request' });
  await opensslToOurs('openssl-to-ours.tls12', ['-tls1_2'], ours);
  await opensslToOurs('openssl-to-ours.tls12-rsa', ['-tls1_2', '-cipher', 'AES256-GCM-SHA384'], identityOpts('rsa2048'));
  await ourDtlsClient('ours-to-openssl.dtls12', ['-dtls1_2', ...ec], {});
  await ourDtlsClient('ours-to-openssl.dtls10', ['-dtls1', ...rsa, '-cipher', 'ALL:@SECLEVEL=0'], { dtlsMin: DTLS10, dtlsMax: DTLS12 });
  await ourDtlsClient('ours-to-openssl.dtls12-client-auth-mtu', ['-dtls1_2', '-mtu', '500', ...rsa, '-Verify', '1'], { mtu: 500, ...identityOpts('ec-p256') });
  fixtures();
  for (const [target, files] of out) {
    const dir = path.join(CORPUS_DIR, target);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    let size = 0;
    for (const [name, bytes] of files) {
      fs.writeFileSync(path.join(dir, `${name}.bin`), bytes);
      size += bytes.length;
    }
    console.log(`${target}: ${files.size} seeds, ${(size / 1024).toFixed(0)} KB`);
  }
}

function identityOpts(name: string): Record<string, unknown> {
  const id = identity(`${name}.crt`, `${name}.key`);
  return { certificateChain: id.chain, signer: id.signer };
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
