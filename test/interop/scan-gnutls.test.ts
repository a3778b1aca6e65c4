// The server scan (engine/scan) against `gnutls-serv` configured by --priority strings with known versions,
// suites, groups and options: the scan must report exactly those sets (nothing missing, nothing extra), the
// server's order under %SERVER_PRECEDENCE, and the effect of --heartbeat (RFC 6520), --noticket (RFC 5077),
// %NO_ETM (RFC 7366), %NO_SESSION_HASH (RFC 7627), --alpn (RFC 7301) and TLS_FALLBACK_SCSV (RFC 7507).
//
// gnutls-serv cannot be bound to an address (it listens on 0.0.0.0 and ::), so the scans run inside a private
// network namespace (netns.ts), as in tls12-gnutls.test.ts: this file is re-run there with TLSLENS_SCAN_GNUTLS
// set; that child starts each gnutls-serv, scans it on the namespace's own 127.0.0.1 and prints one result line
// per case for the tests here to judge.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { scanServer } from '../../engine/scan/scan';
import type { FactStatus, ScanReport } from '../../engine/scan/types';
import { freePort, PKI } from './peers';
import { requireTools, runNodeInNetns } from './netns';

const RESULT = 'SCAN-RESULT ';
const TOOLS = { 'gnutls-serv': 'gnutls-bin' };

interface Case {
  name: string;
  key: string;
  priority: string;
  args?: string[];
  judge: (r: ScanReport) => void;
}

const sorted = (xs: string[]) => [...xs].sort();
const versionsOf = (r: ScanReport) => r.versions.filter((v) => v.status === 'yes').map((v) => v.name);
const suitesOf = (r: ScanReport, v: string) => r.suites.find((s) => s.version === v)?.accepted.map((a) => a.openssl) ?? [];
const orderOf = (r: ScanReport, v: string) => r.suites.find((s) => s.version === v)?.serverPreference;
const feature = (r: ScanReport, id: string): FactStatus => r.features.find((f) => f.id === id)!.status;
const weaknessIds = (r: ScanReport) => sorted(r.weaknesses.map((w) => w.id));

const cases: Case[] = [
  {
    name: 'TLS 1.2 only, ECDHE-RSA with AES-256-GCM and AES-128-CBC-SHA1, P-256 and X25519, RSA-SHA256 and RSA-PSS-RSAE-SHA384 signatures, %SERVER_PRECEDENCE, --heartbeat --noticket',
    key: 'rsa2048',
    priority: 'NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+ECDHE-RSA:-CIPHER-ALL:+AES-256-GCM:+AES-128-CBC:-MAC-ALL:+AEAD:+SHA1:-GROUP-ALL:+GROUP-SECP256R1:+GROUP-X25519:-SIGN-ALL:+SIGN-RSA-SHA256:+SIGN-RSA-PSS-RSAE-SHA384:%SERVER_PRECEDENCE',
    args: ['--heartbeat', '--noticket'],
    judge(r) {
      assert.deepEqual(versionsOf(r), ['TLSv1.2']);
      assert.deepEqual(suitesOf(r, 'TLSv1.2'), ['ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES128-SHA']);
      assert.equal(orderOf(r, 'TLSv1.2'), true, '%SERVER_PRECEDENCE');
      assert.deepEqual(sorted(r.groups.ecdhe), ['P-256', 'X25519']);
      assert.deepEqual(r.groups.tls13, []);
      assert.equal(feature(r, 'heartbeat'), 'yes', 'RFC 6520 section 2');
      assert.equal(feature(r, 'resumption-ticket'), 'no');
      assert.equal(feature(r, 'resumption-session-id'), 'yes');
      assert.equal(feature(r, 'extended-master-secret'), 'yes');
      assert.equal(feature(r, 'encrypt-then-mac'), 'yes');
      assert.equal(feature(r, 'secure-renegotiation'), 'yes');
      assert.equal(feature(r, 'compression'), 'no');
      assert.equal(feature(r, 'client-renegotiation'), 'yes', 'GnuTLS accepts a safe (RFC 5746) client renegotiation by default');
      assert.deepEqual(r.signatureAlgorithms, [{ version: 'TLSv1.2', accepted: ['rsa_pkcs1_sha256', 'rsa_pss_rsae_sha384'] }], 'RFC 5246 section 7.4.1.4.1: only the SIGN- entries allowed');
      assert.deepEqual(r.chains.map((c) => c.keyType), ['RSA']);
      assert.deepEqual(weaknessIds(r), ['chain-RSA', 'client-renegotiation', 'heartbeat']);
    },
  },
  {
    name: 'TLS 1.3 only, AES-128-GCM and ChaCha20-Poly1305, X448, ffdhe2048 and P-384, --alpn http/1.1',
    key: 'ec-p256',
    priority: 'NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+CHACHA20-POLY1305:-GROUP-ALL:+GROUP-X448:+GROUP-FFDHE2048:+GROUP-SECP384R1',
    args: ['--alpn', 'http/1.1'],
    judge(r) {
      assert.deepEqual(versionsOf(r), ['TLSv1.3']);
      assert.deepEqual(sorted(suitesOf(r, 'TLSv1.3')), ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256']);
      assert.deepEqual(sorted(r.groups.tls13), ['P-384', 'X448', 'ffdhe2048']);
      assert.deepEqual(r.groups.ecdhe, []);
      assert.deepEqual(r.signatureAlgorithms, [{ version: 'TLSv1.3', accepted: ['ecdsa_secp256r1_sha256'] }]);
      assert.deepEqual(r.alpn, [{ offered: 'h2', selected: false }, { offered: 'http/1.1', selected: true }]);
      assert.equal(feature(r, 'resumption-tls13'), 'yes');
      assert.equal(feature(r, 'fallback-scsv'), 'not-applicable');
      assert.equal(feature(r, 'secure-renegotiation'), 'not-applicable');
      assert.deepEqual(r.chains.map((c) => c.keyType), ['ECDSA']);
      assert.deepEqual(weaknessIds(r), ['chain-ECDSA']);
    },
  },
  {
    name: 'TLS 1.0 to 1.2, DHE-RSA-AES128-SHA only, %NO_ETM:%NO_SESSION_HASH:%DISABLE_SAFE_RENEGOTIATION',
    key: 'rsa2048',
    priority: 'NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:-KX-ALL:+DHE-RSA:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1:%NO_ETM:%NO_SESSION_HASH:%DISABLE_SAFE_RENEGOTIATION',
    judge(r) {
      assert.deepEqual(versionsOf(r), ['TLSv1', 'TLSv1.1', 'TLSv1.2']);
      for (const v of ['TLSv1', 'TLSv1.1', 'TLSv1.2']) assert.deepEqual(suitesOf(r, v), ['DHE-RSA-AES128-SHA'], v);
      assert.deepEqual(r.groups.ecdhe, []);
      assert.equal(r.groups.dheBits, 2048, 'RFC 7919: gnutls-serv takes ffdhe2048 from our supported_groups');
      assert.equal(feature(r, 'encrypt-then-mac'), 'no', '%NO_ETM');
      assert.equal(feature(r, 'extended-master-secret'), 'no', '%NO_SESSION_HASH');
      assert.equal(feature(r, 'fallback-scsv'), 'yes', 'RFC 7507 section 3');
      assert.equal(feature(r, 'secure-renegotiation'), 'no', 'RFC 5746 off: no renegotiation_info');
      assert.equal(feature(r, 'client-renegotiation'), 'not-tested', 'our client renegotiates only securely');
      // GnuTLS's NORMAL still signs with RSA-SHA1 when a TLS 1.2 client offers nothing else.
      assert.ok(r.signatureAlgorithms[0]!.accepted.includes('rsa_pkcs1_sha1'));
      assert.deepEqual(weaknessIds(r), ['cbc-tls10', 'chain-RSA', 'no-ems', 'no-secure-renegotiation', 'old-version-TLSv1', 'old-version-TLSv1.1', 'sha1-handshake-TLSv1.2']);
    },
  },
];

async function scanInNamespace(c: Case): Promise<ScanReport> {
  const port = await freePort();
  const proc = spawn('gnutls-serv', ['-p', String(port), '--echo', '--x509certfile', PKI(`${c.key}.crt`), '--x509keyfile', PKI(`${c.key}.key`), '--priority', c.priority, ...(c.args ?? [])], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
  try {
    const t0 = Date.now();
    while (!/Echo Server listening|listening on/i.test(out)) {
      if (proc.exitCode !== null || Date.now() - t0 > 10_000) throw new Error(`gnutls-serv did not start (exit ${proc.exitCode}):\n${out.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return await scanServer({ host: '127.0.0.1', port, trusted: [], timeoutMs: 5000 });
  } finally {
    proc.kill('SIGKILL');
  }
}

if (process.env.TLSLENS_SCAN_GNUTLS) {
  // The child in the network namespace: each case's report (or error) as one line, then exit.
  for (const c of cases) {
    let line: object;
    try {
      line = { name: c.name, report: await scanInNamespace(c) };
    } catch (e) {
      line = { name: c.name, error: (e as Error).message };
    }
    await new Promise<void>((r) => process.stdout.write(`${RESULT}${JSON.stringify(line)}\n`, () => r()));
  }
  process.exit(0);
} else {
  describe('scan of gnutls-serv (in a private network namespace)', () => {
    const results = new Map<string, { report?: ScanReport; error?: string }>();
    before(async () => {
      requireTools(TOOLS);
      const run = await runNodeInNetns(fileURLToPath(import.meta.url), { TLSLENS_SCAN_GNUTLS: '1' }, 150_000);
      for (const line of run.stdout.split('\n')) {
        if (!line.startsWith(RESULT)) continue;
        const x = JSON.parse(line.slice(RESULT.length)) as { name: string; report?: ScanReport; error?: string };
        results.set(x.name, x);
      }
      if (!results.size) throw new Error(`the namespace child gave no result (exit ${run.code ?? run.signal}):\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
    }, { timeout: 160_000 });
    for (const c of cases) {
      it(c.name, () => {
        const x = results.get(c.name);
        if (!x) assert.fail('the namespace child gave no result for this case');
        if (x.error || !x.report) assert.fail(x.error ?? 'no report');
        c.judge(x.report);
      });
    }
  });
}
