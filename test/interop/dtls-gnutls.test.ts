// DTLS 1.2 and 1.0 interop with GnuTLS 3.7 (gnutls-serv --udp --echo, gnutls-cli --udp), both roles: suites of
// every key exchange (ECDHE-ECDSA, ECDHE-RSA, DHE-RSA, RSA) and cipher family (GCM, ChaCha20-Poly1305, CCM, CBC with
// encrypt-then-MAC and without), groups X25519 and P-256, client authentication, resumption, and fragmentation at a
// 500-byte MTU with an RSA-4096 certificate, with data both ways and the version and suite checked on both sides:
// gnutls-cli prints its Description line; gnutls-serv at debug level 2 names the suite it selected (by its code).
//
// gnutls-serv cannot be bound to an address (it listens on 0.0.0.0 and ::), so the cases with gnutls-serv run inside
// a private network namespace (netns.ts), as in tls12-gnutls.test.ts: this file is re-run there with
// TLSLENS_DTLS_GNUTLS_CHILD set; the child starts gnutls-serv for each case, runs our client on the namespace's own
// 127.0.0.1 and prints one result line per case for the test here to judge. gnutls-cli only connects, so it runs
// here against our server on 127.0.0.1. A missing gnutls-bin (or a namespace that cannot be made) fails the tests,
// naming it.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientSession } from '../../engine/conn/session-ticket';
import type { DtlsSessionOptions } from '../../engine/net/dtls';
import { groupByName } from '../../engine/registry/groups';
import { suiteByName, SUITES, type CipherSuite } from '../../engine/registry/suites';
import { identityFromPem } from '../../engine/tools/identity';
import { describeDtlsLog, freeUdpPort, ourDtlsClientHandshake, ourDtlsEchoServer, PKI, receiveDtls } from './peers';
import { requireTools, runNodeInNetns } from './netns';

const DTLS12 = 0xfefd;
const DTLS10 = 0xfeff;
type Ver = 'DTLS1.2' | 'DTLS1.0';
const WIRE: Record<Ver, number> = { 'DTLS1.2': DTLS12, 'DTLS1.0': DTLS10 };
const GNUTLS_TOOLS = { 'gnutls-serv': 'gnutls-bin', 'gnutls-cli': 'gnutls-bin' };
const suiteCode = (n: string) => suiteByName(n)!.code;
const isAead = (n: string) => (suiteByName(n) as CipherSuite).mac === 'AEAD';
const ALL_12 = SUITES.filter((s) => s.versions !== 'tls13' && !s.weak).map((s) => s.code);

/** gnutls-serv: DTLS 1.0 and 1.2 with everything we want to reach (CBC with SHA-256/384, CCM, DHE-RSA, RSA). */
const SERVER_PRIORITY = 'NORMAL:-VERS-ALL:+VERS-DTLS1.2:+VERS-DTLS1.0:+SHA256:+SHA384:+AES-128-CCM:+AES-256-CCM:+DHE-RSA:+RSA';
/** gnutls-cli with one version, key exchange, cipher and MAC. */
const only = (v: Ver, kx: string, cipher: string, mac: string) => `NORMAL:-VERS-ALL:+VERS-${v}:-KX-ALL:+${kx}:-CIPHER-ALL:+${cipher}:-MAC-ALL:+${mac}`;

/** How GnuTLS names a suite's parts: [key exchange, cipher, MAC]. */
const GNUTLS_NAMES: Record<string, [string, string, string]> = {
  'ECDHE-ECDSA-AES128-GCM-SHA256': ['ECDHE-ECDSA', 'AES-128-GCM', 'AEAD'],
  'ECDHE-ECDSA-AES256-GCM-SHA384': ['ECDHE-ECDSA', 'AES-256-GCM', 'AEAD'],
  'ECDHE-ECDSA-CHACHA20-POLY1305': ['ECDHE-ECDSA', 'CHACHA20-POLY1305', 'AEAD'],
  'ECDHE-ECDSA-AES128-CCM': ['ECDHE-ECDSA', 'AES-128-CCM', 'AEAD'],
  'ECDHE-ECDSA-AES128-SHA': ['ECDHE-ECDSA', 'AES-128-CBC', 'SHA1'],
  'ECDHE-RSA-AES256-GCM-SHA384': ['ECDHE-RSA', 'AES-256-GCM', 'AEAD'],
  'ECDHE-RSA-AES128-GCM-SHA256': ['ECDHE-RSA', 'AES-128-GCM', 'AEAD'],
  'ECDHE-RSA-AES128-SHA': ['ECDHE-RSA', 'AES-128-CBC', 'SHA1'],
  'ECDHE-RSA-AES256-SHA': ['ECDHE-RSA', 'AES-256-CBC', 'SHA1'],
  'DHE-RSA-AES128-GCM-SHA256': ['DHE-RSA', 'AES-128-GCM', 'AEAD'],
  'DHE-RSA-AES256-SHA256': ['DHE-RSA', 'AES-256-CBC', 'SHA256'],
  'AES128-SHA256': ['RSA', 'AES-128-CBC', 'SHA256'],
  'AES256-GCM-SHA384': ['RSA', 'AES-256-GCM', 'AEAD'],
};

/** The static-RSA suites need a certificate whose key may encipher (GnuTLS checks keyUsage): "rsa-kx", made here. */
let rsaKxDir: string | undefined;
function keyFile(key: string, ext: 'crt' | 'key'): string {
  if (key !== 'rsa-kx') return PKI(`${key}.${ext}`);
  if (!rsaKxDir) {
    rsaKxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-dtls-rsakx-'));
    const dir = rsaKxDir;
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'rsa-kx.key'), '-out', path.join(dir, 'rsa-kx.crt'),
      '-subj', '/CN=rsa-kx.example.com', '-days', '3650', '-addext', 'subjectAltName=DNS:rsa-kx.example.com',
      '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment', '-addext', 'basicConstraints=critical,CA:FALSE'], { stdio: 'pipe' });
  }
  return path.join(rsaKxDir, `rsa-kx.${ext}`);
}
function keyIdentity(key: string): Pick<DtlsSessionOptions, 'certificateChain' | 'signer'> {
  const id = identityFromPem(fs.readFileSync(keyFile(key, 'crt'), 'utf8'), fs.readFileSync(keyFile(key, 'key'), 'utf8'), key);
  return { certificateChain: id.chain, signer: id.signer };
}

interface Gnutls {
  proc: ChildProcess;
  output(): string;
  waitFor(re: RegExp, ms?: number, from?: number): Promise<string>;
  stop(): Promise<void>;
}
const running = new Set<ChildProcess>();

function gnutls(tool: 'gnutls-serv' | 'gnutls-cli', args: string[]): Gnutls {
  requireTools(GNUTLS_TOOLS);
  const proc = spawn(tool, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  proc.stdin!.on('error', () => undefined);
  return {
    proc,
    output: () => out,
    waitFor(re, ms = 10_000, from = 0) {
      return new Promise((resolve, reject) => {
        const t0 = Date.now();
        const tick = () => {
          const m = re.exec(out.slice(from));
          if (m) return resolve(m[0]);
          if (Date.now() - t0 > ms || proc.exitCode !== null) {
            return reject(new Error(`${tool} did not print ${re} within ${ms} ms${proc.exitCode !== null ? ` (it exited with ${proc.exitCode})` : ''}; it printed:\n${out.slice(from).slice(-3000)}`));
          }
          setTimeout(tick, 15);
        };
        tick();
      });
    },
    stop() {
      return new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
      });
    },
  };
}

/** gnutls-cli's Description line, e.g. (DTLS1.2-X.509)-(ECDHE-X25519)-(ECDSA-SHA256)-(AES-128-CBC)-(SHA1). */
function gnutlsCliSaid(out: string, version: Ver, suite: string): string {
  const [kx, cipher, mac] = GNUTLS_NAMES[suite]!;
  const d = [...out.matchAll(/- Description: (.*)/g)].map((m) => m[1]!).at(-1);
  assert.ok(d, `gnutls-cli printed its Description\n${out.slice(-2000)}`);
  assert.ok(d.startsWith(`(${version}-X.509)-`), `gnutls-cli's version: ${d}`);
  assert.ok(d.includes(kx === 'RSA' ? '(RSA)' : `(${kx.split('-')[0]}-`), `gnutls-cli's key exchange ${kx}: ${d}`);
  assert.ok(mac === 'AEAD' ? d.endsWith(`(${cipher})`) : d.endsWith(`(${cipher})-(${mac})`), `gnutls-cli's cipher and MAC ${cipher} ${mac}: ${d}`);
  return d;
}

/** gnutls-serv -d 2 says "Selected (...) cert based on ciphersuite c0.9: GNUTLS_..." (bytes in unpadded hex) for each full handshake. */
function gnutlsServSelected(out: string): number[] {
  return [...out.matchAll(/based on ciphersuite ([0-9a-f]{1,2})\.([0-9a-f]{1,2}):/g)].map((m) => (parseInt(m[1]!, 16) << 8) | parseInt(m[2]!, 16));
}

// ---------------------------------------------------------------------------------------------------------
// Our client against gnutls-serv --udp --echo (inside a private network namespace)

interface Case {
  name: string;
  key: string;
  suite: string;
  version?: Ver;
  /** gnutls-serv priority (default SERVER_PRIORITY), or gnutls-cli's (default: only this version and suite). */
  priority?: string;
  /** Extra gnutls-serv / gnutls-cli arguments. */
  peer?: string[];
  /** Extra options for our side. */
  our?: Partial<DtlsSessionOptions>;
  /** A second connection resuming the first's session. */
  resume?: boolean;
  expect?: { etm?: boolean; group?: string; clientCert?: boolean; resumed?: boolean };
  peerSays?: RegExp[];
}

interface ConnResult {
  ok: boolean;
  error?: string;
  version?: number;
  cipherSuite?: number;
  group?: number;
  resumed?: boolean;
  ems?: boolean;
  etm?: boolean;
  peerCert?: boolean;
  log?: string;
  infos?: string[];
  hadTicket?: boolean;
}
interface ChildResult {
  conns: ConnResult[];
  serverOutput: string;
  error?: string;
}

const RESULT = 'TLSLENS-DTLS-GNUTLS-RESULT ';
const ours = (key: string) => keyIdentity(key);

const clientCases: Case[] = [
  { name: 'DTLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256', key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', expect: { group: 'x25519' } },
  { name: 'DTLS 1.2 ECDHE-ECDSA-CHACHA20-POLY1305', key: 'ec-p256', suite: 'ECDHE-ECDSA-CHACHA20-POLY1305' },
  { name: 'DTLS 1.2 ECDHE-ECDSA-AES128-CCM', key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-CCM' },
  { name: 'DTLS 1.2 ECDHE-ECDSA-AES128-SHA (CBC, encrypt-then-MAC)', key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-SHA' },
  { name: 'DTLS 1.2 ECDHE-RSA-AES256-GCM-SHA384', key: 'rsa2048', suite: 'ECDHE-RSA-AES256-GCM-SHA384' },
  { name: 'DTLS 1.2 ECDHE-RSA-AES128-SHA without encrypt-then-MAC (%NO_ETM)', key: 'rsa2048', suite: 'ECDHE-RSA-AES128-SHA', priority: `${SERVER_PRIORITY}:%NO_ETM`, expect: { etm: false } },
  { name: 'DTLS 1.2 DHE-RSA-AES128-GCM-SHA256', key: 'rsa2048', suite: 'DHE-RSA-AES128-GCM-SHA256' },
  { name: 'DTLS 1.2 DHE-RSA-AES256-SHA256', key: 'rsa2048', suite: 'DHE-RSA-AES256-SHA256' },
  // the RSA premaster starts with the DTLS version (0xfefd)
  { name: 'DTLS 1.2 AES128-SHA256 (RSA key exchange)', key: 'rsa-kx', suite: 'AES128-SHA256' },
  { name: 'DTLS 1.2 group P-256 (gnutls-serv -GROUP-ALL:+GROUP-SECP256R1)', key: 'ec-p256', suite: 'ECDHE-ECDSA-AES256-GCM-SHA384', priority: `${SERVER_PRIORITY}:-GROUP-ALL:+GROUP-SECP256R1`, expect: { group: 'secp256r1' } },
  { name: 'DTLS 1.0 ECDHE-RSA-AES256-SHA', key: 'rsa2048', version: 'DTLS1.0', suite: 'ECDHE-RSA-AES256-SHA' },
  { name: 'DTLS 1.0 ECDHE-ECDSA-AES128-SHA', key: 'ec-p256', version: 'DTLS1.0', suite: 'ECDHE-ECDSA-AES128-SHA' },
  {
    name: 'DTLS 1.2 client authentication: gnutls-serv --require-client-cert --verify-client-cert, our P-384 certificate', key: 'rsa2048', suite: 'ECDHE-RSA-AES256-GCM-SHA384',
    peer: ['--require-client-cert', '--verify-client-cert', '--x509cafile', PKI('ec-p384.crt')], our: { ...ours('ec-p384') },
  },
  {
    name: 'DTLS 1.2 fragmentation: gnutls-serv --mtu 500 with RSA-4096, our mtu 500 with an RSA-4096 client certificate', key: 'rsa4096', suite: 'ECDHE-RSA-AES128-GCM-SHA256',
    peer: ['--mtu', '500', '--require-client-cert', '--verify-client-cert', '--x509cafile', PKI('rsa4096.crt')], our: { mtu: 500, ...ours('rsa4096') },
  },
  { name: 'DTLS 1.2 resumption by ticket', key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', resume: true },
];

async function clientCaseInNamespace(c: Case): Promise<ChildResult> {
  const version = c.version ?? 'DTLS1.2';
  const port = await freeUdpPort();
  const server = gnutls('gnutls-serv', [
    '-d', '2', '--udp', '--echo', '-p', String(port), '--x509certfile', keyFile(c.key, 'crt'), '--x509keyfile', keyFile(c.key, 'key'), '--priority', c.priority ?? SERVER_PRIORITY, ...(c.peer ?? []),
  ]);
  const result: ChildResult = { conns: [], serverOutput: '' };
  try {
    await server.waitFor(/UDP Echo Server listening on IPv4 .*done/);
    let saved: ClientSession | undefined;
    for (let i = 0; i < (c.resume ? 2 : 1); i++) {
      const r: ConnResult = { ok: false };
      result.conns.push(r);
      try {
        const run = await ourDtlsClientHandshake({
          host: '127.0.0.1', port, handshakeTimeoutMs: 8000, cipherSuites12: [suiteCode(c.suite)], dtlsMin: WIRE[version], dtlsMax: WIRE[version],
          onSession: (s) => (saved = s), ...(i === 1 && saved ? { session: saved } : {}), ...c.our,
        });
        Object.assign(r, {
          version: run.n.version, cipherSuite: run.n.cipherSuite, group: run.n.group, resumed: run.n.resumed, ems: run.n.legacy?.extendedMasterSecret,
          etm: run.n.legacy?.encryptThenMac, peerCert: run.n.peerCertificates.length > 0, infos: run.infos, log: describeDtlsLog(run),
        });
        const line = `hello gnutls-serv from TLS Lens ${i}`;
        run.session.write(`${line}\n`);
        await Promise.race([receiveDtls(run.session, line), run.failure]);
        run.session.end();
        await new Promise((res) => setTimeout(res, 150));
        r.hadTicket = !!saved?.ticket.length;
        r.ok = true;
      } catch (e) {
        r.error = (e as Error).message;
        break;
      }
    }
  } catch (e) {
    result.error = (e as Error).message;
  } finally {
    await server.stop();
    result.serverOutput = server.output().split('\n').filter((l) => !/ASSERT:/.test(l)).join('\n');
  }
  return result;
}

async function runAllInNamespace(): Promise<Map<string, ChildResult>> {
  requireTools(GNUTLS_TOOLS);
  const run = await runNodeInNetns(fileURLToPath(import.meta.url), { TLSLENS_DTLS_GNUTLS_CHILD: '1' }, 100_000);
  const results = new Map<string, ChildResult>();
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith(RESULT)) continue;
    const { name, result } = JSON.parse(line.slice(RESULT.length)) as { name: string; result: ChildResult };
    results.set(name, result);
  }
  if (!results.size) throw new Error(`the namespace child gave no result (exit ${run.code ?? run.signal}):\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
  return results;
}

function judgeClientCase(c: Case, r: ChildResult | undefined): void {
  if (!r) assert.fail('the namespace child gave no result for this case (it stopped before it, or crashed)');
  const version = c.version ?? 'DTLS1.2';
  const context = `\n--- our client:\n  ${r.conns.map((x) => x.log ?? x.error).join('\n  ')}\n--- gnutls-serv printed:\n${r.serverOutput.slice(-3000)}`;
  if (r.error) assert.fail(`${r.error}${context}`);
  for (const [i, x] of r.conns.entries()) {
    if (!x.ok) assert.fail(`connection ${i}: ${x.error}${context}`);
    assert.equal(x.version, WIRE[version], `our version${context}`);
    assert.equal(x.cipherSuite, suiteCode(c.suite), `our suite${context}`);
    assert.equal(x.ems, true, `extended master secret${context}`);
    assert.equal(x.etm, c.expect?.etm ?? !isAead(c.suite), `encrypt-then-MAC${context}`);
    if (c.expect?.group) assert.equal(x.group, groupByName(c.expect.group)!.code, `group${context}`);
    assert.match(r.serverOutput, new RegExp(`Processing \\d+ bytes command: hello gnutls-serv from TLS Lens ${i}`), `gnutls-serv got our data${context}`);
  }
  // gnutls-serv chose the suite (a resumed handshake selects no certificate, so one line per full handshake)
  assert.deepEqual(gnutlsServSelected(r.serverOutput), [suiteCode(c.suite)], `gnutls-serv's selected suite${context}`);
  if (c.resume) {
    assert.equal(r.conns[0]?.hadTicket, true, `gnutls-serv gave a ticket${context}`);
    assert.equal(r.conns[1]?.resumed, true, `the second connection resumed${context}`);
  }
  if (c.our?.mtu) assert.ok(r.conns[0]!.infos!.some((m) => /^certificate \(\d+ bytes\) sent in \d+ fragments/.test(m)), `our Certificate went in fragments${context}`);
}

// ---------------------------------------------------------------------------------------------------------
// gnutls-cli --udp against our server (here, on 127.0.0.1)

const serverCases: Case[] = [
  { name: 'DTLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256', key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', peerSays: [/\(ECDHE-X25519\)/] },
  { name: 'DTLS 1.2 ECDHE-ECDSA-CHACHA20-POLY1305', key: 'ec-p256', suite: 'ECDHE-ECDSA-CHACHA20-POLY1305' },
  { name: 'DTLS 1.2 ECDHE-ECDSA-AES128-CCM', key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-CCM' },
  { name: 'DTLS 1.2 ECDHE-ECDSA-AES128-SHA (CBC, encrypt-then-MAC)', key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-SHA', peerSays: [/Options:.*EtM/] },
  { name: 'DTLS 1.2 ECDHE-RSA-AES256-GCM-SHA384', key: 'rsa2048', suite: 'ECDHE-RSA-AES256-GCM-SHA384' },
  {
    name: 'DTLS 1.2 ECDHE-RSA-AES128-SHA without encrypt-then-MAC (%NO_ETM)', key: 'rsa2048', suite: 'ECDHE-RSA-AES128-SHA',
    priority: `${only('DTLS1.2', 'ECDHE-RSA', 'AES-128-CBC', 'SHA1')}:%NO_ETM`, expect: { etm: false },
  },
  { name: 'DTLS 1.2 DHE-RSA-AES128-GCM-SHA256', key: 'rsa2048', suite: 'DHE-RSA-AES128-GCM-SHA256' },
  { name: 'DTLS 1.2 AES256-GCM-SHA384 (RSA key exchange)', key: 'rsa-kx', suite: 'AES256-GCM-SHA384' },
  {
    name: 'DTLS 1.2 group P-256 (gnutls-cli +GROUP-SECP256R1 only)', key: 'ec-p256', suite: 'ECDHE-ECDSA-AES256-GCM-SHA384',
    priority: `${only('DTLS1.2', 'ECDHE-ECDSA', 'AES-256-GCM', 'AEAD')}:-GROUP-ALL:+GROUP-SECP256R1`, expect: { group: 'secp256r1' }, peerSays: [/\(ECDHE-SECP256R1\)/],
  },
  { name: 'DTLS 1.0 ECDHE-RSA-AES256-SHA', key: 'rsa2048', version: 'DTLS1.0', suite: 'ECDHE-RSA-AES256-SHA' },
  {
    name: 'DTLS 1.2 client authentication: we require a certificate, gnutls-cli sends ECDSA P-384', key: 'rsa2048', suite: 'ECDHE-RSA-AES256-GCM-SHA384',
    peer: ['--x509certfile', PKI('ec-p384.crt'), '--x509keyfile', PKI('ec-p384.key')], our: { clientAuth: 'require' }, expect: { clientCert: true },
  },
  {
    name: 'DTLS 1.2 fragmentation: gnutls-cli --mtu 500 with an RSA-4096 client certificate, our mtu 500 with RSA-4096', key: 'rsa4096', suite: 'ECDHE-RSA-AES128-GCM-SHA256',
    peer: ['--mtu', '500', '--x509certfile', PKI('rsa4096.crt'), '--x509keyfile', PKI('rsa4096.key')], our: { mtu: 500, clientAuth: 'require' }, expect: { clientCert: true },
  },
  {
    name: 'DTLS 1.2 gnutls-cli --resume (ticket): resumed', key: 'ec-p256', suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', peer: ['--resume'],
    our: { ticketKey: new Uint8Array(32).fill(9) }, expect: { resumed: true }, peerSays: [/This is a resumed session/],
  },
];

async function ourServerCase(c: Case): Promise<void> {
  const version = c.version ?? 'DTLS1.2';
  const server = await ourDtlsEchoServer({ ...keyIdentity(c.key), cipherSuites12: ALL_12, dtlsMin: DTLS10, dtlsMax: DTLS12, ...c.our });
  const [kx, cipher, mac] = GNUTLS_NAMES[c.suite]!;
  const client = gnutls('gnutls-cli', [
    '--udp', '-p', String(server.port), '--x509cafile', keyFile(c.key, 'crt'), '--verify-hostname', `${c.key}.example.com`,
    '--priority', c.priority ?? only(version, kx, cipher, mac), ...(c.peer ?? []), '127.0.0.1',
  ]);
  const context = () => `\n--- our server:\n${server.describe()}\n--- gnutls-cli printed:\n${client.output().split('\n').filter((l) => !/^[A-Za-z0-9+/=]{40,}$/.test(l)).join('\n').slice(-3000)}`;
  try {
    const done = c.resume ? /This is a resumed session|This is NOT a resumed session/ : /Handshake was completed/;
    await client.waitFor(done, 15_000).catch((e) => assert.fail(`${(e as Error).message.split('\n')[0]}${context()}`));
    client.proc.stdin!.write('ping from gnutls\n');
    await client.waitFor(/ping from gnutls/, 8000).catch((e) => assert.fail(`${(e as Error).message.split('\n')[0]}${context()}`));
    const conn = server.conns.filter((x) => x.negotiated).at(-1);
    assert.ok(conn?.negotiated, `our server completed the handshake${context()}`);
    assert.equal(conn.negotiated.version, WIRE[version], `our version${context()}`);
    assert.equal(conn.negotiated.cipherSuite, suiteCode(c.suite), `our suite${context()}`);
    assert.equal(conn.negotiated.legacy?.extendedMasterSecret, true, `extended master secret${context()}`);
    assert.equal(conn.negotiated.legacy?.encryptThenMac, c.expect?.etm ?? !isAead(c.suite), `encrypt-then-MAC${context()}`);
    assert.equal(conn.negotiated.resumed, c.expect?.resumed ?? false, `resumed${context()}`);
    if (c.expect?.group) assert.equal(conn.negotiated.group, groupByName(c.expect.group)!.code, `group${context()}`);
    if (c.expect?.clientCert !== undefined) assert.equal(conn.negotiated.peerCertificates.length > 0, c.expect.clientCert, `client certificate${context()}`);
    if (c.our?.mtu) assert.ok(conn.infos.some((m) => /^certificate \(\d+ bytes\) sent in \d+ fragments/.test(m)), `our Certificate went in fragments${context()}`);
    assert.match(conn.received, /ping from gnutls/);
    assert.match(client.output(), /The certificate is trusted/, `gnutls-cli verified our certificate${context()}`);
    gnutlsCliSaid(client.output(), version, c.suite);
    if (c.expect?.etm === false || isAead(c.suite)) assert.doesNotMatch(client.output(), /Options:.*EtM/, `gnutls-cli's options: no EtM${context()}`);
    for (const re of c.peerSays ?? []) assert.match(client.output(), re, `gnutls-cli printed${context()}`);
    assert.deepEqual(conn.alertsOut(), [], `our server sent no alert${context()}`);
  } finally {
    await client.stop();
    server.close();
  }
}

if (process.env.TLSLENS_DTLS_GNUTLS_CHILD) {
  // The child in the network namespace: every client case, a result line for each, then exit.
  let current = '';
  const watchdog = (): NodeJS.Timeout => setTimeout(() => {
    for (const p of running) p.kill('SIGKILL');
    process.stdout.write(`${RESULT}${JSON.stringify({ name: current, result: { conns: [], serverOutput: '', error: 'the case did not finish within 25 s' } })}\n`, () => process.exit(1));
  }, 25_000);
  for (const c of clientCases) {
    current = c.name;
    const w = watchdog();
    const result = await clientCaseInNamespace(c);
    clearTimeout(w);
    await new Promise<void>((r) => process.stdout.write(`${RESULT}${JSON.stringify({ name: c.name, result })}\n`, () => r()));
  }
  process.exit(0);
} else {
  describe('our DTLS client to gnutls-serv --udp (all cases in one private network namespace)', () => {
    let results: Map<string, ChildResult> | undefined;
    before(async () => {
      results = await runAllInNamespace();
    }, { timeout: 110_000 });
    for (const c of clientCases) it(c.name, { timeout: 10_000 }, () => judgeClientCase(c, results?.get(c.name)));
  });
  describe('gnutls-cli --udp to our DTLS server', { concurrency: 4 }, () => {
    for (const c of serverCases) it(c.name, { timeout: 30_000 }, () => ourServerCase(c));
  });
}
