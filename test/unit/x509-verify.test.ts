// Certificate path validation (engine/x509/verify) against `openssl verify`, on the fixtures in test/fixtures/pki
// and on chains made with the openssl CLI in a temp dir at test time. Each case compares the X509_V_ERR number
// and error depth with the first `error N at D depth lookup` line openssl prints (or `OK`).
// Run from the repository root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../engine/cli/main';
import type { CliIO } from '../../engine/cli/io';
import { V, X509_VERIFY_ERRORS, verifyError } from '../../engine/registry/x509-verify-errors';
import type { VCert } from '../../engine/x509/verify/cert';
import { checkHost, checkIp, matchDnsName, parseIp } from '../../engine/x509/verify/hostname';
import { verifyChain, type VerifyOptions, type VerifyResult } from '../../engine/x509/verify/index';
import { buildPaths } from '../../engine/x509/verify/path-builder';
import { checkCertSignature } from '../../engine/x509/verify/signature';
import { certsFromBytes, loadDirectory, loadFile } from '../../engine/x509/verify/trust-store';

const FIX = path.resolve('test/fixtures/pki');
const fx = (n: string) => path.join(FIX, n);
let TMP = '';
const tp = (n: string) => path.join(TMP, n);

// ---------------------------------------------------------------------------------------------
// openssl helpers

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] }).toString('utf8');
}

interface Outcome { code: number; depth: number }

/** `openssl verify` with the same inputs: the first error line's number and depth, or 0/-1 for OK. */
function osslVerify(target: string, o: { CAfile?: string; untrusted?: string; args?: string[] } = {}): Outcome {
  const args = ['verify', ...(o.CAfile ? ['-CAfile', o.CAfile] : ['-no-CAfile', '-no-CApath', '-no-CAstore']), ...(o.untrusted ? ['-untrusted', o.untrusted] : []), ...(o.args ?? []), target];
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  const text = r.stdout + r.stderr;
  const m = /error (\d+) at (\d+) depth lookup/.exec(text);
  if (m) return { code: Number(m[1]), depth: Number(m[2]) };
  assert.match(text, /: OK/, `openssl verify said: ${text}`);
  return { code: 0, depth: -1 };
}

function certs(file: string): VCert[] {
  return loadFile(file).certs;
}

function ours(target: string, o: { CAfile?: string; untrusted?: string } = {}, opts: VerifyOptions = {}): VerifyResult {
  // As openssl: only the first certificate of the target file is used.
  const [t] = certs(target);
  return verifyChain({ target: t!, untrusted: o.untrusted ? certs(o.untrusted) : [], trusted: o.CAfile ? certs(o.CAfile) : [] }, opts);
}

/** Ours and openssl's agree on the error number and depth. */
function same(target: string, o: { CAfile?: string; untrusted?: string; args?: string[] }, opts: VerifyOptions = {}, expect?: number): VerifyResult {
  const mine = ours(target, o, opts);
  const theirs = osslVerify(target, o);
  assert.deepEqual({ code: mine.code, depth: mine.errorDepth }, theirs, `ours: ${JSON.stringify(mine.errors.map((e) => [e.code, e.depth, e.detail]))}`);
  if (expect !== undefined) assert.equal(mine.code, expect);
  return mine;
}

function cat(out: string, ...files: string[]): string {
  fs.writeFileSync(out, files.map((f) => fs.readFileSync(f, 'utf8')).join(''));
  return out;
}

// Makes keys and certificates in TMP. Extensions are given as `openssl x509 -extfile` lines.
function key(name: string, alg: 'ec' | 'rsa1024' | 'rsa2048' = 'ec'): string {
  const out = tp(`${name}.key`);
  if (alg === 'ec') openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out]);
  else openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${alg === 'rsa1024' ? 1024 : 2048}`, '-out', out]);
  return out;
}

let serial = 100;
function cert(name: string, o: { key: string; subj: string; ca?: { crt: string; key: string }; ext: string[]; md?: string }): string {
  const crt = tp(`${name}.crt`);
  const csr = tp(`${name}.csr`);
  const ext = tp(`${name}.ext`);
  fs.writeFileSync(ext, `[v3]\n${o.ext.join('\n')}\n`);
  openssl(['req', '-new', '-key', o.key, '-subj', o.subj, '-out', csr]);
  const signer = o.ca ? ['-CA', o.ca.crt, '-CAkey', o.ca.key] : ['-signkey', o.key];
  openssl(['x509', '-req', '-in', csr, ...signer, '-set_serial', String(serial++), '-days', '36500', `-${o.md ?? 'sha256'}`, '-extfile', ext, '-extensions', 'v3', '-out', crt]);
  return crt;
}

const CA_EXT = ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'];
const LEAF_EXT = (dns: string) => ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = serverAuth', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always', `subjectAltName = DNS:${dns}`];
const INT = { crt: fx('intermediate-ca.crt'), key: fx('intermediate-ca.key') };

// A second hierarchy made at test time: root R, intermediate I (no constraints).
const R = { crt: '', key: '' };
const I = { crt: '', key: '' };

before(() => {
  TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-verify-'));
  R.key = key('R');
  R.crt = cert('R', { key: R.key, subj: '/O=Verify Test/CN=Verify Root', ext: CA_EXT.filter((e) => !e.startsWith('authority')) });
  I.key = key('I');
  I.crt = cert('I', { key: I.key, subj: '/O=Verify Test/CN=Verify Intermediate', ca: R, ext: CA_EXT });
});

after(() => {
  if (TMP && !process.env.KEEP_TMP) fs.rmSync(TMP, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The error table

test('registry: numbers and texts are OpenSSL 3.0 x509_vfy.h / X509_verify_cert_error_string', () => {
  const byName = Object.fromEntries(X509_VERIFY_ERRORS.map((e) => [e.name, e.code]));
  assert.equal(byName.OK, 0);
  assert.equal(byName.UNABLE_TO_GET_ISSUER_CERT, 2);
  assert.equal(byName.CERT_SIGNATURE_FAILURE, 7);
  assert.equal(byName.CERT_NOT_YET_VALID, 9);
  assert.equal(byName.CERT_HAS_EXPIRED, 10);
  assert.equal(byName.DEPTH_ZERO_SELF_SIGNED_CERT, 18);
  assert.equal(byName.SELF_SIGNED_CERT_IN_CHAIN, 19);
  assert.equal(byName.UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 20);
  assert.equal(byName.UNABLE_TO_VERIFY_LEAF_SIGNATURE, 21);
  assert.equal(byName.PATH_LENGTH_EXCEEDED, 25);
  assert.equal(byName.INVALID_PURPOSE, 26);
  assert.equal(byName.UNHANDLED_CRITICAL_EXTENSION, 34);
  assert.equal(byName.PERMITTED_VIOLATION, 47);
  assert.equal(byName.EXCLUDED_VIOLATION, 48);
  assert.equal(byName.HOSTNAME_MISMATCH, 62);
  assert.equal(byName.IP_ADDRESS_MISMATCH, 64);
  assert.equal(byName.EE_KEY_TOO_SMALL, 66);
  assert.equal(byName.CA_MD_TOO_WEAK, 68);
  // OpenSSL 3.0: 24 is NO_ISSUER_PUBLIC_KEY; INVALID_CA moved to 79.
  assert.equal(byName.NO_ISSUER_PUBLIC_KEY, 24);
  assert.equal(byName.INVALID_CA, 79);
  assert.equal(verifyError(10).text, 'certificate has expired');
  assert.equal(verifyError(20).text, 'unable to get local issuer certificate');
  for (const e of X509_VERIFY_ERRORS) {
    assert.ok(e.meaning.length > 10 && e.fix.length > 5, `row ${e.code} has a meaning and a fix`);
  }
  const codes = X509_VERIFY_ERRORS.map((e) => e.code);
  assert.equal(new Set(codes).size, codes.length);
  // The header of the OpenSSL on this machine agrees (libssl-dev is a test dependency: scripts/install-test-deps.sh).
  const h = '/usr/include/openssl/x509_vfy.h';
  assert.ok(fs.existsSync(h), `${h} is missing: install libssl-dev`);
  const text = fs.readFileSync(h, 'utf8');
  let seen = 0;
  for (const m of text.matchAll(/#\s*define X509_V_ERR_([A-Z0-9_]+)\s+(\d+)/g)) {
    assert.equal(byName[m[1]!], Number(m[2]), m[1]);
    seen++;
  }
  assert.ok(seen > 80, `only ${seen} X509_V_ERR codes found in ${h}`);
});

// ---------------------------------------------------------------------------------------------
// Fixtures against openssl verify

test('fixtures: leaf, intermediate from --untrusted, root from --CAfile: OK', () => {
  const r = same(fx('leaf.crt'), { CAfile: fx('root-ca.crt'), untrusted: fx('intermediate-ca.crt') }, {}, V.OK);
  assert.equal(r.chain.length, 3);
  assert.deepEqual(r.chain.map((l) => l.source), ['target', 'untrusted', 'trust-store']);
  assert.ok(r.chain.every((l) => l.verdict === 'ok'));
});

test('fixtures: expired and not-yet-valid leaves (10, 9 at depth 0)', () => {
  const o = { CAfile: fx('root-ca.crt'), untrusted: fx('intermediate-ca.crt') };
  const e = same(fx('expired.crt'), o, {}, V.CERT_HAS_EXPIRED);
  assert.match(e.errors[0]!.detail, /expired at 2001-01-01/);
  assert.match(e.errors[0]!.fix, /Renew "expired.example.com"/);
  same(fx('not-yet-valid.crt'), o, {}, V.CERT_NOT_YET_VALID);
});

test('fixtures: --attime: in 2200 every certificate has expired; the root (depth 2) is reported first, as openssl checks top down', () => {
  const t = Date.UTC(2200, 0, 1) / 1000;
  const o = { CAfile: fx('root-ca.crt'), untrusted: fx('intermediate-ca.crt') };
  const mine = ours(fx('leaf.crt'), o, { time: new Date(t * 1000) });
  const theirs = osslVerify(fx('leaf.crt'), { ...o, args: ['-attime', String(t)] });
  assert.deepEqual({ code: mine.code, depth: mine.errorDepth }, theirs);
  assert.deepEqual([mine.code, mine.errorDepth], [V.CERT_HAS_EXPIRED, 2]);
  assert.deepEqual(mine.chain.map((l) => l.verdict), ['error', 'error', 'error']);
  // In 2000 expired.crt itself was valid, but its CAs (made with the fixtures) were not yet: 9, as openssl.
  const t2 = Date.UTC(2000, 5, 1) / 1000;
  const m2 = ours(fx('expired.crt'), o, { time: new Date(t2 * 1000) });
  assert.deepEqual({ code: m2.code, depth: m2.errorDepth }, osslVerify(fx('expired.crt'), { ...o, args: ['-attime', String(t2)] }));
  assert.equal(m2.chain[0]!.verdict, 'ok');
});

test('fixtures: missing intermediate (20 at depth 0) names the issuer to add', () => {
  const r = same(fx('leaf.crt'), { CAfile: fx('root-ca.crt') }, {}, V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  assert.match(r.errors[0]!.fix, /server sent no intermediate.*TLS Lens Test Intermediate CA/);
});

test('fixtures: missing root (20 at depth 1): the intermediate is there, its root is not trusted', () => {
  const r = same(fx('leaf.crt'), { untrusted: fx('intermediate-ca.crt'), CAfile: fx('rsa2048.crt') }, {}, V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  assert.equal(r.errorDepth, 1);
  assert.match(r.errors[0]!.fix, /add the root "TLS Lens Test Root CA" to the trust store/);
});

test('fixtures: self-signed leaf not trusted (18), trusted (OK)', () => {
  same(fx('rsa2048.crt'), { CAfile: fx('root-ca.crt') }, {}, V.DEPTH_ZERO_SELF_SIGNED_CERT);
  same(fx('rsa2048.crt'), { CAfile: fx('rsa2048.crt') }, {}, V.OK);
});

test('fixtures: untrusted root sent in the chain (19 at depth 2)', () => {
  const r = same(fx('leaf.crt'), { CAfile: fx('rsa2048.crt'), untrusted: cat(tp('int-root.pem'), fx('intermediate-ca.crt'), fx('root-ca.crt')) }, {}, V.SELF_SIGNED_CERT_IN_CHAIN);
  assert.equal(r.errorDepth, 2);
});

test('fixtures: trusted intermediate without its root (2 at depth 1); --partial_chain accepts it', () => {
  same(fx('leaf.crt'), { CAfile: fx('intermediate-ca.crt') }, {}, V.UNABLE_TO_GET_ISSUER_CERT);
  const mine = ours(fx('leaf.crt'), { CAfile: fx('intermediate-ca.crt') }, { partialChain: true });
  const theirs = osslVerify(fx('leaf.crt'), { CAfile: fx('intermediate-ca.crt'), args: ['-partial_chain'] });
  assert.deepEqual({ code: mine.code, depth: mine.errorDepth }, theirs);
});

test('fixtures: hostname and IP checks (62, 64) as openssl -verify_hostname / -verify_ip', () => {
  const o = { CAfile: fx('root-ca.crt'), untrusted: fx('intermediate-ca.crt') };
  // Deliberate difference: a trailing dot (absolute name) matches here; openssl -verify_hostname says 62.
  assert.equal(ours(fx('leaf.crt'), o, { hostname: 'leaf.example.com.' }).code, 0);
  for (const [host, want] of [['leaf.example.com', 0], ['LEAF.Example.COM', 0], ['a.leaf.example.com', 0], ['a.b.leaf.example.com', 62], ['example.com', 62], ['foo.example.com', 62]] as const) {
    const r = same(fx('leaf.crt'), { ...o, args: ['-verify_hostname', host] }, { hostname: host });
    assert.equal(r.code, want, host);
  }
  for (const [ip, want] of [['192.0.2.10', 0], ['2001:db8::10', 0], ['2001:DB8:0:0:0:0:0:10', 0], ['192.0.2.11', 64]] as const) {
    const r = same(fx('leaf.crt'), { ...o, args: ['-verify_ip', ip] }, { ip });
    assert.equal(r.code, want, ip);
  }
});

test('fixtures: TRUSTED CERTIFICATE anchors and --CApath with c_rehash links', () => {
  // root-ca.trusted.pem trusts serverAuth and rejects emailProtection: rejected (28) for any other purpose.
  const tr = { CAfile: fx('root-ca.trusted.pem'), untrusted: fx('intermediate-ca.crt') };
  same(fx('leaf.crt'), { ...tr, args: ['-purpose', 'sslserver'] }, { purpose: 'sslserver' }, V.OK);
  same(fx('leaf.crt'), { ...tr, args: ['-purpose', 'sslclient'] }, { purpose: 'sslclient' }, V.CERT_REJECTED);
  const none = same(fx('leaf.crt'), tr, {}, V.CERT_REJECTED);
  assert.equal(none.errorDepth, 2);
  const dir = tp('capath');
  fs.mkdirSync(dir);
  fs.copyFileSync(fx('root-ca.crt'), path.join(dir, 'root.pem'));
  fs.copyFileSync(fx('rsa2048.crt'), path.join(dir, 'other.crt'));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a certificate');
  openssl(['rehash', dir]);
  const loaded = loadDirectory(dir);
  assert.equal(loaded.certs.length, 2, 'hash links deduplicated, .txt ignored');
  const r = verifyChain({ target: certs(fx('leaf.crt'))[0]!, untrusted: certs(fx('intermediate-ca.crt')), trusted: loaded.certs });
  assert.equal(r.code, 0);
  const o = osslVerify(fx('leaf.crt'), { untrusted: fx('intermediate-ca.crt'), args: ['-CApath', dir] });
  assert.equal(o.code, 0);
});

// ---------------------------------------------------------------------------------------------
// Path building

test('path building: wrong order, duplicates and the root itself in the untrusted bag: OK', () => {
  const bag = cat(tp('messy.pem'), fx('root-ca.crt'), fx('intermediate-ca.crt'), fx('rsa2048.crt'), fx('intermediate-ca.crt'), fx('ec-p256.crt'));
  const r = same(fx('leaf.crt'), { CAfile: fx('root-ca.crt'), untrusted: bag }, {}, V.OK);
  assert.equal(r.chain.length, 3);
  assert.equal(r.chain[2]!.source, 'trust-store');
});

test('path building: the target file holds the whole chain (further certificates are untrusted intermediates)', () => {
  const all = certsFromBytes(new Uint8Array(fs.readFileSync(fx('chain.pem'))), 'chain.pem').certs;
  assert.equal(all.length, 3);
  const r = verifyChain({ target: all[0]!, untrusted: all.slice(1), trusted: certs(fx('root-ca.crt')) });
  assert.equal(r.code, 0);
});

test('path building: cross-signed intermediate reaches either root', () => {
  // Root A and root B; B cross-signed by A (same subject and key as B); leaf under intermediate X under B.
  const aKey = key('A');
  const a = cert('A', { key: aKey, subj: '/O=Verify Test/CN=Root A', ext: CA_EXT.filter((e) => !e.startsWith('authority')) });
  const bKey = key('B');
  const b = cert('B', { key: bKey, subj: '/O=Verify Test/CN=Root B', ext: CA_EXT.filter((e) => !e.startsWith('authority')) });
  const bx = cert('Bx', { key: bKey, subj: '/O=Verify Test/CN=Root B', ca: { crt: a, key: aKey }, ext: CA_EXT });
  const xKey = key('X');
  const x = cert('X', { key: xKey, subj: '/O=Verify Test/CN=Int X', ca: { crt: b, key: bKey }, ext: CA_EXT });
  const leaf = cert('xleaf', { key: key('xleaf'), subj: '/CN=x.example.com', ca: { crt: x, key: xKey }, ext: LEAF_EXT('x.example.com') });
  const bag = cat(tp('cross-bag.pem'), bx, x);
  const viaA = same(leaf, { CAfile: a, untrusted: bag }, {}, V.OK);
  assert.deepEqual(viaA.chain.map((l) => l.label), ['x.example.com', 'Int X', 'Root B', 'Root A']);
  const viaB = same(leaf, { CAfile: b, untrusted: bag }, {}, V.OK);
  assert.deepEqual(viaB.chain.map((l) => l.label), ['x.example.com', 'Int X', 'Root B']);
  // Both roots trusted: two candidates exist, the shorter direct one passes.
  const both = ours(leaf, { CAfile: cat(tp('ab.pem'), a, b), untrusted: bag });
  assert.equal(both.code, 0);
  assert.ok(both.candidatesTried >= 2);
});

test('path building: a loop of CAs cross-signing each other terminates (20)', () => {
  const pKey = key('P');
  const qKey = key('Q');
  const pSelf = cert('Pself', { key: pKey, subj: '/O=Loop/CN=P', ext: CA_EXT.filter((e) => !e.startsWith('authority')) });
  const q = cert('Q', { key: qKey, subj: '/O=Loop/CN=Q', ca: { crt: pSelf, key: pKey }, ext: CA_EXT });
  const p = cert('P', { key: pKey, subj: '/O=Loop/CN=P', ca: { crt: q, key: qKey }, ext: CA_EXT }); // P signed by Q
  const q2 = cert('Q2', { key: qKey, subj: '/O=Loop/CN=Q', ca: { crt: p, key: pKey }, ext: CA_EXT }); // Q signed by P (cross)
  const leaf = cert('loopleaf', { key: key('loopleaf'), subj: '/CN=loop.example.com', ca: { crt: q, key: qKey }, ext: LEAF_EXT('loop.example.com') });
  const r = ours(leaf, { CAfile: fx('rsa2048.crt'), untrusted: cat(tp('loop.pem'), p, q2) });
  assert.notEqual(r.code, 0);
  const t = osslVerify(leaf, { CAfile: fx('rsa2048.crt'), untrusted: tp('loop.pem') });
  assert.equal(r.code, t.code, `ours ${r.code}@${r.errorDepth}, openssl ${t.code}@${t.depth}`);
  const paths = buildPaths(certs(leaf)[0]!, { trusted: [], untrusted: [...certs(p), ...certs(q2)] });
  for (const c of paths) assert.equal(new Set(c.certs.map((x) => x.id)).size, c.certs.length, 'no certificate twice in a path');
});

test('path building: same-name issuer with another key: AKI/SKI mismatch (20), and without key ids a signature failure (7)', () => {
  const fakeKey = key('fakeI');
  // Same subject as I, different key. With key identifiers (openssl 3.0 x509 adds them) the AKI rules it out.
  const fakeWithSki = cert('fakeIski', { key: fakeKey, subj: '/O=Verify Test/CN=Verify Intermediate', ca: R, ext: ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign'] });
  const leafAki = cert('aki', { key: key('aki'), subj: '/CN=aki.example.com', ca: I, ext: LEAF_EXT('aki.example.com') });
  const m = same(leafAki, { CAfile: R.crt, untrusted: fakeWithSki }, {}, V.UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  assert.match(m.errors[0]!.detail, /Subject Key Identifier does not match/);
  // Without key identifiers only the name links them: the signature check fails.
  const fake = cert('fakeI', { key: fakeKey, subj: '/O=Verify Test/CN=Verify Intermediate', ca: R, ext: ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign', 'subjectKeyIdentifier = none', 'authorityKeyIdentifier = none'] });
  const leaf = cert('noaki', { key: key('noaki'), subj: '/CN=noaki.example.com', ca: I, ext: ['basicConstraints = critical, CA:FALSE', 'subjectAltName = DNS:noaki.example.com', 'subjectKeyIdentifier = none', 'authorityKeyIdentifier = none'] });
  const r = same(leaf, { CAfile: R.crt, untrusted: fake }, {}, V.CERT_SIGNATURE_FAILURE);
  assert.match(r.errors[0]!.fix, /same name does not mean same key/);
  // Deliberate difference: with the real intermediate also in the bag (after the fake), openssl takes the first
  // name match and stops at 7; we prefer the issuer whose signature verifies, and the path passes.
  const both = { CAfile: R.crt, untrusted: cat(tp('fake-real.pem'), fake, I.crt) };
  assert.equal(osslVerify(leaf, both).code, V.CERT_SIGNATURE_FAILURE);
  assert.equal(ours(leaf, both).code, V.OK);
});

// ---------------------------------------------------------------------------------------------
// Validation rules, each compared with openssl

test('name constraints: permitted (47) and excluded (48) violations under the fixture intermediate', () => {
  const evil = cert('nc-evil', { key: key('nc-evil'), subj: '/CN=evil.org', ca: INT, ext: LEAF_EXT('evil.org') });
  const r = same(evil, { CAfile: fx('root-ca.crt'), untrusted: INT.crt }, {}, V.PERMITTED_VIOLATION);
  assert.match(r.errors[0]!.detail, /DNS:evil.org is outside the names "TLS Lens Test Intermediate CA" may certify/);
  const forbidden = cert('nc-forbidden', { key: key('nc-forbidden'), subj: '/CN=x.forbidden.example.com', ca: INT, ext: LEAF_EXT('x.forbidden.example.com') });
  same(forbidden, { CAfile: fx('root-ca.crt'), untrusted: INT.crt }, {}, V.EXCLUDED_VIOLATION);
  const ipBad = cert('nc-ip', { key: key('nc-ip'), subj: '/CN=ok.example.com', ca: INT, ext: ['basicConstraints = CA:FALSE', 'subjectAltName = DNS:ok.example.com, IP:198.51.100.1'] });
  same(ipBad, { CAfile: fx('root-ca.crt'), untrusted: INT.crt }, {}, V.PERMITTED_VIOLATION);
  const ok = cert('nc-ok', { key: key('nc-ok'), subj: '/CN=ok.example.com', ca: INT, ext: ['basicConstraints = CA:FALSE', 'subjectAltName = DNS:www.example.com, IP:192.0.2.99, email:me@example.com'] });
  same(ok, { CAfile: fx('root-ca.crt'), untrusted: INT.crt }, {}, V.OK);
});

test('name constraints: directoryName', () => {
  const ncKey = key('ncdir');
  const ca = cert('ncdir', { key: ncKey, subj: '/O=Verify Test/CN=DirName CA', ca: R, ext: [...CA_EXT, 'nameConstraints = critical, permitted;dirName:dir_sect', '[dir_sect]', 'O = Allowed Org'] });
  const good = cert('dir-good', { key: key('dir-good'), subj: '/O=Allowed Org/CN=good', ca: { crt: ca, key: ncKey }, ext: ['basicConstraints = CA:FALSE'] });
  const bad = cert('dir-bad', { key: key('dir-bad'), subj: '/O=Other Org/CN=bad', ca: { crt: ca, key: ncKey }, ext: ['basicConstraints = CA:FALSE'] });
  const u = cat(tp('ncdir-u.pem'), ca);
  same(good, { CAfile: R.crt, untrusted: u }, {}, V.OK);
  same(bad, { CAfile: R.crt, untrusted: u }, {}, V.PERMITTED_VIOLATION);
});

test('basic constraints: a non-CA signing (79), a CA without keyCertSign', () => {
  const nonCaKey = key('nonca');
  const nonCa = cert('nonca', { key: nonCaKey, subj: '/O=Verify Test/CN=Not A CA', ca: R, ext: ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature'] });
  const l1 = cert('under-nonca', { key: key('under-nonca'), subj: '/CN=u.example.com', ca: { crt: nonCa, key: nonCaKey }, ext: LEAF_EXT('u.example.com') });
  const r = same(l1, { CAfile: R.crt, untrusted: nonCa }, {}, V.INVALID_CA);
  assert.equal(r.errorDepth, 1);
  assert.match(r.errors[0]!.fix, /CA:TRUE/);
  const noKcsKey = key('nokcs');
  const noKcs = cert('nokcs', { key: noKcsKey, subj: '/O=Verify Test/CN=No keyCertSign CA', ca: R, ext: ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, digitalSignature, cRLSign'] });
  const l2 = cert('under-nokcs', { key: key('under-nokcs'), subj: '/CN=k.example.com', ca: { crt: noKcs, key: noKcsKey }, ext: LEAF_EXT('k.example.com') });
  const r2 = same(l2, { CAfile: R.crt, untrusted: noKcs }, {});
  assert.notEqual(r2.code, 0);
  assert.ok(r2.errors.some((e) => e.code === V.KEYUSAGE_NO_CERTSIGN || e.code === V.INVALID_CA));
  assert.match(r2.errors[0]!.detail, /keyCertSign/);
});

test('basic constraints: pathlen:0 intermediate issuing a sub-CA (25 at depth 2)', () => {
  const subKey = key('subca');
  const sub = cert('subca', { key: subKey, subj: '/CN=Sub CA', ca: INT, ext: CA_EXT });
  const leaf = cert('under-sub', { key: key('under-sub'), subj: '/CN=s.example.com', ca: { crt: sub, key: subKey }, ext: LEAF_EXT('s.example.com') });
  const r = same(leaf, { CAfile: fx('root-ca.crt'), untrusted: cat(tp('sub-bag.pem'), sub, INT.crt) }, {}, V.PATH_LENGTH_EXCEEDED);
  assert.equal(r.errorDepth, 2);
  assert.match(r.errors[0]!.detail, /pathlen:0/);
});

test('purpose: a clientAuth-only leaf for sslserver (26), fine for sslclient', () => {
  const leaf = cert('clientonly', { key: key('clientonly'), subj: '/CN=client.example.com', ca: I, ext: ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = clientAuth', 'subjectAltName = DNS:client.example.com'] });
  const o = { CAfile: R.crt, untrusted: I.crt };
  const r = same(leaf, { ...o, args: ['-purpose', 'sslserver'] }, { purpose: 'sslserver' }, V.INVALID_PURPOSE);
  assert.match(r.errors[0]!.detail, /clientAuth: no serverAuth/);
  same(leaf, { ...o, args: ['-purpose', 'sslclient'] }, { purpose: 'sslclient' }, V.OK);
  // An intermediate restricted to clientAuth restricts its leaves too.
  const ckey = key('cI');
  const cI = cert('cI', { key: ckey, subj: '/CN=Client-only CA', ca: R, ext: [...CA_EXT, 'extendedKeyUsage = clientAuth'] });
  const sleaf = cert('sleaf', { key: key('sleaf'), subj: '/CN=s2.example.com', ca: { crt: cI, key: ckey }, ext: LEAF_EXT('s2.example.com') });
  const r2 = same(sleaf, { CAfile: R.crt, untrusted: cI, args: ['-purpose', 'sslserver'] }, { purpose: 'sslserver' }, V.INVALID_PURPOSE);
  assert.equal(r2.errorDepth, 1);
});

test('unknown critical extension (34)', () => {
  const leaf = cert('crit', { key: key('crit'), subj: '/CN=crit.example.com', ca: I, ext: [...LEAF_EXT('crit.example.com'), '1.2.3.4.5.6 = critical, ASN1:UTF8String:must understand'] });
  const r = same(leaf, { CAfile: R.crt, untrusted: I.crt }, {}, V.UNHANDLED_CRITICAL_EXTENSION);
  assert.match(r.errors[0]!.detail, /1\.2\.3\.4\.5\.6/);
  // The fixture leaf's unknown extension 1.2.3.4.5 is not critical: no error (see the first test).
});

test('weak algorithms: SHA-1 signature and RSA 1024 are warnings by default, errors at -auth_level 2 (68, 66)', () => {
  const sha1 = cert('sha1', { key: key('sha1'), subj: '/CN=sha1.example.com', ca: I, ext: LEAF_EXT('sha1.example.com'), md: 'sha1' });
  const o = { CAfile: R.crt, untrusted: I.crt };
  const d = same(sha1, o, {}, V.OK);
  assert.ok(d.warnings.some((w) => w.code === V.CA_MD_TOO_WEAK && w.depth === 0));
  assert.equal(d.chain[0]!.verdict, 'warning');
  same(sha1, { ...o, args: ['-auth_level', '2'] }, { authLevel: 2 }, V.CA_MD_TOO_WEAK);
  // OpenSSL 3.0 counts SHA-1 signatures as 63 bits: already too weak at level 1 (80 bits).
  same(sha1, { ...o, args: ['-auth_level', '1'] }, { authLevel: 1 }, V.CA_MD_TOO_WEAK);
  same(sha1, { ...o, args: ['-auth_level', '0'] }, { authLevel: 0 }, V.OK);
  const small = cert('rsa1024', { key: key('rsa1024', 'rsa1024'), subj: '/CN=small.example.com', ca: I, ext: LEAF_EXT('small.example.com') });
  const s = same(small, o, {}, V.OK);
  assert.ok(s.warnings.some((w) => w.code === V.EE_KEY_TOO_SMALL));
  same(small, { ...o, args: ['-auth_level', '2'] }, { authLevel: 2 }, V.EE_KEY_TOO_SMALL);
});

// ---------------------------------------------------------------------------------------------
// Signature algorithms

test('signatures: every fixture self-signed certificate verifies with its own key; a flipped bit does not', () => {
  for (const name of ['rsa2048.crt', 'rsa4096.crt', 'rsa-pss.crt', 'ec-p256.crt', 'ec-p384.crt', 'ec-p521.crt', 'ed25519.crt', 'ed448.crt', 'root-ca.crt', 'v1.crt']) {
    const c = certs(fx(name))[0]!;
    assert.deepEqual(checkCertSignature(c, c), { ok: true }, name);
    const bad = { ...c, signature: c.signature.slice() };
    bad.signature[bad.signature.length - 5] ^= 1;
    const r = checkCertSignature(bad, c);
    assert.equal(r.ok, false, name);
    assert.equal((r as { code: number }).code, V.CERT_SIGNATURE_FAILURE);
  }
  // RSA issuer signing an EC leaf, and the mismatch case (77).
  const i = certs(fx('intermediate-ca.crt'))[0]!;
  const leaf = certs(fx('leaf.crt'))[0]!;
  assert.deepEqual(checkCertSignature(leaf, i), { ok: true });
  const ec = certs(fx('ec-p256.crt'))[0]!;
  assert.equal((checkCertSignature(leaf, ec) as { code: number }).code, V.SIGNATURE_ALGORITHM_MISMATCH);
  // --check_ss_sig on a trusted self-signed root.
  const r = verifyChain({ target: ec, trusted: [ec] }, { checkAnchorSignature: true });
  assert.equal(r.code, 0);
});

// ---------------------------------------------------------------------------------------------
// Host names (RFC 6125 section 6.4, RFC 9525 section 6.3)

test('hostname matching rules', () => {
  const yes: [string, string][] = [
    ['www.example.com', 'www.example.com'], ['WWW.Example.COM', 'www.example.com'], ['www.example.com', 'www.example.com.'],
    ['*.example.com', 'foo.example.com'], ['*.example.com', 'FOO.example.com'],
    ['xn--bcher-kva.example', 'bücher.example'], ['xn--bcher-kva.example', 'XN--BCHER-KVA.example'],
    ['*.a.example', 'xn--bcher-kva.a.example'], // a whole-label wildcard may cover an A-label
  ];
  const no: [string, string][] = [
    ['*.example.com', 'bar.foo.example.com'], // one label only (RFC 6125 6.4.3)
    ['*.example.com', 'example.com'], // not the parent
    ['baz*.example.net', 'baz1.example.net'], // partial wildcards: RFC 9525 6.3 forbids (OpenSSL allows by default)
    ['*baz.example.net', 'foobaz.example.net'],
    ['b*z.example.net', 'buzz.example.net'],
    ['www.*.example.com', 'www.foo.example.com'], // wildcard not in the left-most label
    ['*.com', 'example.com'], // too broad
    ['*', 'localhost'],
    ['www.example.com', 'www.example.org'],
    ['xn--bcher-kva.example', 'bucher.example'],
  ];
  for (const [p, r] of yes) assert.equal(matchDnsName(p, r), true, `${p} ~ ${r}`);
  for (const [p, r] of no) assert.equal(matchDnsName(p, r), false, `${p} !~ ${r}`);
});

test('hostname: CN fallback only without DNS subjectAltName; IP never matches DNS names', () => {
  const cnOnly = cert('cnonly', { key: key('cnonly'), subj: '/CN=cn.example.com', ca: I, ext: ['basicConstraints = CA:FALSE'] });
  const c = certs(cnOnly)[0]!;
  assert.equal(checkHost(c, 'cn.example.com').ok, true);
  assert.equal(checkHost(c, 'cn.example.com', { cnFallback: 'never' }).ok, false);
  // openssl agrees on the fallback
  same(cnOnly, { CAfile: R.crt, untrusted: I.crt, args: ['-verify_hostname', 'cn.example.com'] }, { hostname: 'cn.example.com' }, V.OK);
  const withSan = cert('cnsan', { key: key('cnsan'), subj: '/CN=cn.example.com', ca: I, ext: ['basicConstraints = CA:FALSE', 'subjectAltName = DNS:other.example.com, IP:192.0.2.7'] });
  const r = same(withSan, { CAfile: R.crt, untrusted: I.crt, args: ['-verify_hostname', 'cn.example.com'] }, { hostname: 'cn.example.com' }, V.HOSTNAME_MISMATCH);
  assert.match(r.errors[0]!.detail, /CN "cn.example.com" is not consulted/);
  const w = certs(withSan)[0]!;
  assert.equal(checkIp(w, '192.0.2.7').ok, true);
  assert.equal(checkIp(w, '::ffff:192.0.2.7').ok, false);
  assert.equal(checkHost(w, '192.0.2.7').ok, false);
  assert.deepEqual(Array.from(parseIp('2001:db8::1.2.3.4')!.subarray(12)), [1, 2, 3, 4]);
  assert.equal(parseIp('1.2.3.256'), undefined);
  assert.equal(parseIp('1::2::3'), undefined);
});

// ---------------------------------------------------------------------------------------------
// CLI

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => { out += s; }, err: (s) => { err += s; }, readFile: (p) => new Uint8Array(fs.readFileSync(p)), env: {}, readStdin: () => '' };
  const code = await main(argv, io);
  return { code, out, err };
}

test('cli: tlslens verify prints openssl lines, then the explanation; exit 0 / 1 / 2', async () => {
  const ok = await cli('verify', '--CAfile', fx('root-ca.crt'), '--untrusted', fx('intermediate-ca.crt'), fx('leaf.crt'));
  assert.equal(ok.code, 0);
  assert.match(ok.out, new RegExp(`^${fx('leaf.crt').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: OK\n`));
  const bad = await cli('verify', '--CAfile', fx('root-ca.crt'), fx('leaf.crt'));
  assert.equal(bad.code, 1);
  assert.match(bad.out, /error 20 at 0 depth lookup: unable to get local issuer certificate\n/);
  assert.match(bad.out, /fix: .*TLS Lens Test Intermediate CA/);
  const json = await cli('verify', '--json', '--CAfile', fx('root-ca.crt'), '--untrusted', fx('intermediate-ca.crt'), '--purpose', 'sslserver', '--verify_hostname', 'nope.example.com', fx('leaf.crt'), fx('expired.crt'));
  assert.equal(json.code, 1);
  const doc = JSON.parse(json.out) as { results: { code: number; errorDepth: number; chain: { errors: { fix: string }[] }[] }[] };
  assert.deepEqual(doc.results.map((r) => r.code), [62, 62]);
  assert.ok(doc.results[1]!.chain[0]!.errors.some((e) => /Renew/.test(e.fix)), 'every finding of the path is listed, not only the first');
  const missing = await cli('verify', '--CAfile', fx('root-ca.crt'), tp('does-not-exist.pem'));
  assert.equal(missing.code, 2);
  const usage = await cli('verify', '--purpose', 'smtp', fx('leaf.crt'));
  assert.equal(usage.code, 64);
  const at = await cli('verify', '--no_system', '--CAfile', fx('root-ca.crt'), '--untrusted', fx('intermediate-ca.crt'), '--attime', String(Date.UTC(2200, 0, 1) / 1000), fx('leaf.crt'));
  assert.equal(at.code, 1, at.out);
  assert.match(at.out, /error 10 at 2 depth lookup: certificate has expired/);
});
