// engine/scan without a peer: the weaknesses that follow from given facts (each claimed only from a fact),
// the probe pool's bound, the DH prime's size, the suites offered per version (RFC 5246 appendix A.5 and
// RFC 8446 appendix B.4 by the registry), and `tlslens scan`'s usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { main } from '../../engine/cli/main';
import type { CliIO } from '../../engine/cli/io';
import { ProbePool } from '../../engine/scan/pool';
import { primeBits } from '../../engine/scan/probe';
import { suitesFor } from '../../engine/scan/scan';
import { findWeaknesses } from '../../engine/scan/weaknesses';
import type { Fact, ScanReport } from '../../engine/scan/types';

function report(over: Partial<ScanReport> = {}): ScanReport {
  const v = (name: string, code: number, status: 'yes' | 'no') => ({ name, code, status, detail: '' });
  return {
    target: { host: 'h', port: 1 }, startedAt: '', durationMs: 0, probes: 0,
    versions: [v('SSLv3', 0x300, 'no'), v('TLSv1', 0x301, 'no'), v('TLSv1.1', 0x302, 'no'), v('TLSv1.2', 0x303, 'yes'), v('TLSv1.3', 0x304, 'yes')],
    suites: [], groups: { tls13: [], ecdhe: [], notTested: [] }, signatureAlgorithms: [], chains: [], alpn: [], features: [], weaknesses: [], notTested: [],
    ...over,
  };
}
const fact = (id: Fact['id'], status: Fact['status']): Fact => ({ id, name: id, status, detail: '' });
const ids = (r: ScanReport) => findWeaknesses(r).map((w) => w.id).sort();

test('a clean TLS 1.2/1.3 server with forward-secret AEAD suites has no weakness', () => {
  const r = report({
    suites: [{ version: 'TLSv1.2', accepted: [{ code: 0xc02f, openssl: 'ECDHE-RSA-AES128-GCM-SHA256', iana: 'x', kx: 'ECDHE' }], serverPreference: null }],
    features: [fact('secure-renegotiation', 'yes'), fact('extended-master-secret', 'yes'), fact('compression', 'no'), fact('fallback-scsv', 'yes'), fact('heartbeat', 'no')],
  });
  assert.deepEqual(ids(r), []);
});

test('weaknesses follow from the facts: SSL 3.0 (RFC 7568), RC4 (RFC 7465), RSA key exchange first, DH 1024, compression, no RFC 5746, SHA-1 in the chain', () => {
  const r = report({
    versions: [{ name: 'SSLv3', code: 0x300, status: 'yes', detail: '' }, { name: 'TLSv1.2', code: 0x303, status: 'yes', detail: '' }],
    suites: [{ version: 'TLSv1.2', serverPreference: true, accepted: [
      { code: 0x0005, openssl: 'RC4-SHA', iana: 'TLS_RSA_WITH_RC4_128_SHA', kx: 'RSA', weak: 'RC4' },
      { code: 0xc02f, openssl: 'ECDHE-RSA-AES128-GCM-SHA256', iana: 'x', kx: 'ECDHE' },
    ] }],
    groups: { tls13: [], ecdhe: [], dheBits: 1024, notTested: [] },
    features: [fact('secure-renegotiation', 'no'), fact('compression', 'yes'), fact('extended-master-secret', 'not-tested')],
    chains: [{ keyType: 'RSA', version: 'TLSv1.2', verify: { ok: true, code: 0, name: 'OK', text: 'ok', errorDepth: -1 }, certificates: [
      { subject: 'CN=a', issuer: 'CN=ca', keyType: 'RSA', keyBits: 1024, signatureAlgorithm: 'sha1WithRSAEncryption', notAfter: '', validity: '', sha256: '' },
      { subject: 'CN=ca', issuer: 'CN=ca', keyType: 'RSA', keyBits: 4096, signatureAlgorithm: 'sha1WithRSAEncryption', notAfter: '', validity: '', sha256: '' },
    ] }],
  });
  assert.deepEqual(ids(r), ['compression', 'no-forward-secrecy', 'no-secure-renegotiation', 'prefers-no-fs-TLSv1.2', 'rc4', 'sha1-cert-RSA-0', 'short-key-RSA-0', 'ssl3', 'weak-dh'],
    'a root\'s own SHA-1 self-signature is not a weakness; a fact not tested claims nothing');
  for (const w of findWeaknesses(r)) assert.ok(w.explanation.length > 40, `${w.id} is explained`);
});

test('the probe pool runs at most `limit` jobs at once and counts them for progress', async () => {
  const seen: number[] = [];
  const pool = new ProbePool(3, undefined, (p) => seen.push(p.done));
  let running = 0;
  let most = 0;
  await Promise.all(Array.from({ length: 10 }, (_, i) => pool.run(`job ${i}`, async () => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
  })));
  assert.equal(most, 3);
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.throws(() => new ProbePool(0), RangeError);
});

test('primeBits: a DH prime\'s size, leading zero bytes ignored', () => {
  assert.equal(primeBits(new Uint8Array([0x00, 0x80, 0, 0])), 24);
  assert.equal(primeBits(new Uint8Array([0x01, 0xff])), 9);
  assert.equal(primeBits(new Uint8Array(128).fill(0xff)), 1024);
  assert.equal(primeBits(new Uint8Array(2)), 0);
});

test('suites offered per version: TLS 1.3 only its own, TLS 1.2 no TLS 1.3 suite, SSL 3.0 no ECDHE or AEAD suite', () => {
  assert.deepEqual(suitesFor(0x0304).map((s) => s.code).sort(), [0x1301, 0x1302, 0x1303, 0x1304, 0x1305]);
  assert.ok(suitesFor(0x0303).every((s) => s.versions !== 'tls13'));
  assert.ok(suitesFor(0x0300).every((s) => s.versions === 'ssl3+'));
  assert.ok(!suitesFor(0x0301).some((s) => s.mac === 'AEAD'), 'RFC 5246: AEAD suites are TLS 1.2 only');
});

async function cli(...argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const io: CliIO = { out: () => undefined, err: (s) => { err += s; }, readFile: (p) => new Uint8Array(fs.readFileSync(p)), env: {}, readStdin: () => '' };
  return { code: await main(argv, io), err };
}

test('tlslens scan: usage errors name the option (exit 64)', async () => {
  for (const [argv, re] of [
    [['scan'], /give HOST:PORT/],
    [['scan', '127.0.0.1:1', '--concurrency', '0'], /--concurrency 0/],
    [['scan', '127.0.0.1:1', '--timeout', 'soon'], /--timeout soon/],
    [['scan', '127.0.0.1:1', '--tls1_2', '--no_tls1_2'], /leave no version/],
    [['scan', '127.0.0.1:1', '--crypto', 'x'], /--crypto/],
  ] as const) {
    const r = await cli(...argv);
    assert.equal(r.code, 64, argv.join(' '));
    assert.match(r.err, re);
  }
});
