// CRL checking (engine/x509/verify/crl.ts) against `openssl verify -crl_check / -crl_check_all / -CRLfile`, on a
// PKI made with `openssl ca` at test time: each case compares the X509_V_ERR number and depth of the first error.
// Run from the repository root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { main } from '../../engine/cli/main';
import type { CliIO } from '../../engine/cli/io';
import { V } from '../../engine/registry/x509-verify-errors';
import { crlsFromBytes, type VCrl } from '../../engine/x509/verify/crl';
import { revocationPointers, verifyChain, type VCert, type VerifyOptions, type VerifyResult } from '../../engine/x509/verify/index';
import { loadFile } from '../../engine/x509/verify/trust-store';
import { CA_EXT, LEAF_EXT, osslVerify, Pki, ROOT_EXT, type Issuer } from '../fixtures/verify/pki';

let pki: Pki;
let R: Issuer;
let I: Issuer;
let L: Issuer; // good leaf, with a CRL distribution point
let L2: Issuer; // revoked by I (keyCompromise)
const NOW = Date.now();

const certs = (f: string): VCert[] => loadFile(f).certs;
const crls = (...files: string[]): VCrl[] => files.flatMap((f) => crlsFromBytes(new Uint8Array(fs.readFileSync(f)), f).crls);

interface Case { CAfile?: string; untrusted?: string; crlFiles?: string[]; all?: boolean; attime?: number }

function ours(target: string, c: Case, extra: VerifyOptions = {}): VerifyResult {
  const [t, ...rest] = certs(target);
  const trusted = c.CAfile ? certs(c.CAfile) : [];
  // As the CLI: X509 CRL blocks in the CAfile are store CRLs.
  const storeCrls = c.CAfile && fs.readFileSync(c.CAfile, 'utf8').includes('BEGIN X509 CRL') ? crls(c.CAfile) : [];
  return verifyChain({ target: t!, untrusted: [...rest, ...(c.untrusted ? certs(c.untrusted) : [])], trusted }, {
    crlCheck: c.all ? 'all' : 'leaf', crls: crls(...(c.crlFiles ?? [])), storeCrls,
    ...(c.attime !== undefined ? { time: new Date(c.attime * 1000) } : {}), ...extra,
  });
}

function same(target: string, c: Case, expect?: number, expectDepth?: number): VerifyResult {
  const mine = ours(target, c);
  const args = [c.all ? '-crl_check_all' : '-crl_check', ...(c.crlFiles ?? []).flatMap((f) => ['-CRLfile', f]), ...(c.attime !== undefined ? ['-attime', String(c.attime)] : [])];
  const theirs = osslVerify(pki, target, { ...(c.CAfile ? { CAfile: c.CAfile } : {}), ...(c.untrusted ? { untrusted: c.untrusted } : {}), args });
  assert.deepEqual({ code: mine.code, depth: mine.errorDepth }, { code: theirs.code, depth: theirs.depth }, `ours: ${JSON.stringify(mine.errors.map((e) => [e.code, e.depth, e.detail]))}\nopenssl: ${theirs.text}`);
  if (expect !== undefined) assert.equal(mine.code, expect);
  if (expectDepth !== undefined) assert.equal(mine.errorDepth, expectDepth);
  return mine;
}

before(() => {
  pki = new Pki('crl');
  R = pki.cert('R', { subj: '/O=CRL Test/CN=CRL Root', ext: ROOT_EXT });
  I = pki.cert('I', { subj: '/O=CRL Test/CN=CRL Intermediate', ca: R, ext: CA_EXT });
  L = pki.cert('L', { subj: '/CN=good.example', ca: I, ext: LEAF_EXT('good.example', ['crlDistributionPoints = URI:http://crl.example/int.crl', 'authorityInfoAccess = OCSP;URI:http://ocsp.example/, caIssuers;URI:http://crl.example/int.crt']) });
  L2 = pki.cert('L2', { subj: '/CN=revoked.example', ca: I, ext: LEAF_EXT('revoked.example') });
});

after(() => pki?.cleanup());

test('crl_check: no CRL at all is error 3 at depth 0; the fix names the distribution point', () => {
  const r = same(L.crt, { CAfile: R.crt, untrusted: I.crt }, V.UNABLE_TO_GET_CRL, 0);
  assert.match(r.errors[0]!.fix, /http:\/\/crl\.example\/int\.crl/);
  assert.equal(r.revocation?.crl[0]?.status, 'no-crl');
});

test('crl_check: a current CRL without the leaf: OK; the revocation report names the CRL used', () => {
  const icrl = pki.crl('I-empty.crl', I, { tag: 'I-empty' });
  const r = same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [icrl] }, V.OK);
  assert.equal(r.revocation?.crl.length, 1);
  assert.equal(r.revocation?.crl[0]?.status, 'good');
  assert.match(r.revocation!.crl[0]!.crl!.issuer, /CRL Intermediate/);
});

test('crl_check: a revoked leaf is 23, with the revocation date and reason; PEM, DER and CRLs in the CAfile alike', () => {
  const rev = pki.crl('I-rev.crl', I, { tag: 'I-rev', revoke: [{ crt: L2.crt, reason: 'keyCompromise' }] });
  const r = same(L2.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [rev] }, V.CERT_REVOKED, 0);
  assert.match(r.errors[0]!.detail, /revoked \d{4}-\d\d-\d\dT[\d:.]+Z, reason: Key Compromise/);
  assert.match(r.errors[0]!.fix, /new key/);
  assert.equal(r.revocation?.crl[0]?.status, 'revoked');
  assert.equal(r.revocation?.crl[0]?.reason, 'Key Compromise');
  // The good leaf is not on it.
  same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [rev] }, V.OK);
  // DER
  const der = pki.p('I-rev.der');
  pki.openssl(['crl', '-in', rev, '-outform', 'DER', '-out', der]);
  same(L2.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [der] }, V.CERT_REVOKED);
  // In the CAfile (openssl's store lookup)
  same(L2.crt, { CAfile: pki.cat('root+crl.pem', R.crt, rev), untrusted: I.crt }, V.CERT_REVOKED);
  // superseded, and removeFromCRL (which un-revokes, as OpenSSL's cert_crl)
  const sup = pki.crl('I-sup.crl', I, { tag: 'I-sup', revoke: [{ crt: L2.crt, reason: 'superseded' }] });
  assert.match(same(L2.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [sup] }, V.CERT_REVOKED).errors[0]!.detail, /reason: Superseded/);
  const removed = pki.crl('I-removed.crl', I, { tag: 'I-removed', revoke: [{ crt: L2.crt, reason: 'removeFromCRL' }] });
  same(L2.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [removed] }, V.OK);
});

test('crl_check_all: every certificate needs a CRL, the self-signed root included (OpenSSL 3.0): 3 at 1, then OK', () => {
  const icrl = pki.crl('I-all.crl', I, { tag: 'I-all' });
  same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [icrl], all: true }, V.UNABLE_TO_GET_CRL, 1);
  const rcrl = pki.crl('R-empty.crl', R, { tag: 'R-empty' });
  const r = same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [icrl, rcrl], all: true }, V.OK);
  assert.deepEqual(r.revocation?.crl.map((s) => [s.depth, s.status]), [[0, 'good'], [1, 'good'], [2, 'good']]);
});

test('crl_check_all: a revoked intermediate (23 at 1), a root revoked by its own CRL (23 at 2)', () => {
  const icrl = pki.crl('I-all2.crl', I, { tag: 'I-all2' });
  const revI = pki.crl('R-revI.crl', R, { tag: 'R-revI', revoke: [{ crt: I.crt, reason: 'CACompromise' }] });
  const r = same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [icrl, revI], all: true }, V.CERT_REVOKED, 1);
  assert.match(r.errors[0]!.detail, /CA Compromise/);
  const revR = pki.crl('R-revR.crl', R, { tag: 'R-revR', revoke: [{ crt: R.crt, reason: 'cessationOfOperation' }] });
  same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [icrl, revR], all: true }, V.CERT_REVOKED, 2);
  // -crl_check alone does not look above the leaf.
  same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [icrl, revI] }, V.OK);
});

test('CRL validity: expired (12) and not yet valid (11), judged at --attime', () => {
  const icrl = pki.crl('I-time.crl', I, { tag: 'I-time' }); // nextUpdate in 30 days
  const later = Math.floor(NOW / 1000) + 40 * 86400;
  const r = same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [icrl], attime: later }, V.CRL_HAS_EXPIRED, 0);
  assert.match(r.errors[0]!.detail, /nextUpdate/);
  // A day back the certificates are not valid yet either; openssl checks revocation first, so 11 comes first.
  const earlier = Math.floor(NOW / 1000) - 86400;
  same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [icrl], attime: earlier }, V.CRL_NOT_YET_VALID, 0);
  // An expired CRL next to a current one: the current one is used.
  const short = pki.crl('I-short.crl', I, { tag: 'I-short', hours: 1 });
  const in2h = Math.floor(NOW / 1000) + 2 * 3600;
  same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [short, icrl], attime: in2h }, V.OK);
});

test('CRL issuer: another key with the same name: signature failure (8); with an AKID that names that key, no usable CRL (3)', () => {
  // Same subject as I, another key, no key identifiers: the CRL's issuer name matches, its signature does not.
  const fake = pki.cert('fakeI', { subj: '/O=CRL Test/CN=CRL Intermediate', ca: R, ext: ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = none', 'authorityKeyIdentifier = none'] });
  const forged = pki.crl('forged.crl', fake, { tag: 'fake' });
  const r = same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [forged] }, V.CRL_SIGNATURE_FAILURE, 0);
  assert.match(r.errors[0]!.fix, /same name, other key/);
  const fake2 = pki.cert('fakeI2', { subj: '/O=CRL Test/CN=CRL Intermediate', ca: R, ext: CA_EXT });
  const withAkid = pki.crl('forged-akid.crl', fake2, { tag: 'fake2', exts: ['authorityKeyIdentifier = keyid:always'] });
  const r2 = same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [withAkid] }, V.UNABLE_TO_GET_CRL, 0);
  assert.match(r2.errors[0]!.detail, /Authority Key Identifier/);
  // The genuine CRL with an AKID is fine.
  same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [pki.crl('I-akid.crl', I, { tag: 'I-akid', exts: ['authorityKeyIdentifier = keyid:always'] })] }, V.OK);
});

test('CRL issuer keyUsage without cRLSign (35)', () => {
  const noCrl = pki.cert('noCrlSign', { subj: '/O=CRL Test/CN=No cRLSign CA', ca: R, ext: ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'] });
  const leaf = pki.cert('under-noCrlSign', { subj: '/CN=n.example', ca: noCrl, ext: LEAF_EXT('n.example') });
  const c = pki.crl('noCrlSign.crl', noCrl, { tag: 'noCrlSign' });
  const r = same(leaf.crt, { CAfile: R.crt, untrusted: noCrl.crt, crlFiles: [c] }, V.KEYUSAGE_NO_CRL_SIGN, 0);
  assert.match(r.errors[0]!.fix, /cRLSign/);
  // A CA without keyUsage at all may sign CRLs (OpenSSL checks the bit only when keyUsage is present).
  const noKu = pki.cert('noKu', { subj: '/O=CRL Test/CN=No KU CA', ca: R, ext: ['basicConstraints = critical, CA:TRUE', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'] });
  const leaf2 = pki.cert('under-noKu', { subj: '/CN=k.example', ca: noKu, ext: LEAF_EXT('k.example') });
  same(leaf2.crt, { CAfile: R.crt, untrusted: noKu.crt, crlFiles: [pki.crl('noKu.crl', noKu, { tag: 'noKu' })] }, V.OK);
});

test('CRL extensions: unknown critical (36); issuingDistributionPoint scope (44 or OK); indirect CRLs unsupported (3)', () => {
  const crit = pki.crl('crit.crl', I, { tag: 'I-crit', exts: ['1.2.3.4 = critical, ASN1:NULL'] });
  same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [crit] }, V.UNHANDLED_CRITICAL_CRL_EXTENSION, 0);
  const onlyCa = pki.crl('onlyca.crl', I, { tag: 'I-onlyca', exts: ['issuingDistributionPoint = critical, @idp', '[idp]', 'onlyCA = TRUE'] });
  const r = same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [onlyCa] }, V.DIFFERENT_CRL_SCOPE, 0);
  assert.match(r.errors[0]!.detail, /CA certificates only/);
  const dp = pki.crl('dp.crl', I, { tag: 'I-dp', exts: ['issuingDistributionPoint = critical, @idp', '[idp]', 'onlyuser = TRUE', 'fullname = URI:http://crl.example/int.crl'] });
  same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [dp] }, V.OK); // L names that distribution point
  same(L2.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [dp] }, V.DIFFERENT_CRL_SCOPE, 0); // L2 names none
  const other = pki.cert('otherDp', { subj: '/CN=o.example', ca: I, ext: LEAF_EXT('o.example', ['crlDistributionPoints = URI:http://other.example/x.crl']) });
  same(other.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [dp] }, V.DIFFERENT_CRL_SCOPE, 0);
  same(other.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [pki.crl('I-plain.crl', I, { tag: 'I-plain' })] }, V.OK); // a CRL without IDP covers everything
  const indirect = pki.crl('indirect.crl', I, { tag: 'I-ind', exts: ['issuingDistributionPoint = critical, @idp', '[idp]', 'indirectCRL = TRUE'] });
  const ri = same(L.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [indirect] }, V.UNABLE_TO_GET_CRL, 0);
  assert.match(ri.errors[0]!.detail, /indirect CRL/);
});

test('several CRLs from one CA: the newest thisUpdate wins', async () => {
  const clean = pki.crl('gen1.crl', I, { tag: 'I-gen' });
  await new Promise((res) => setTimeout(res, 1100)); // thisUpdate has a one-second resolution
  const revoked = pki.crl('gen2.crl', I, { tag: 'I-gen', revoke: [{ crt: L2.crt, reason: 'affiliationChanged' }] });
  same(L2.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [clean, revoked] }, V.CERT_REVOKED);
  same(L2.crt, { CAfile: R.crt, untrusted: I.crt, crlFiles: [revoked, clean] }, V.CERT_REVOKED);
});

test('bounded: corrupted CRLs are reported as problems or give a verdict, never an exception', () => {
  const der = pki.p('fuzz.der');
  pki.openssl(['crl', '-in', pki.crl('fuzz.crl', I, { tag: 'I-fuzz', revoke: [{ crt: L2.crt, reason: 'keyCompromise' }] }), '-outform', 'DER', '-out', der]);
  const b = new Uint8Array(fs.readFileSync(der));
  const input = { target: certs(L2.crt)[0]!, untrusted: certs(I.crt), trusted: certs(R.crt) };
  let revoked = 0;
  for (let i = 0; i < b.length; i++) {
    const m = b.slice();
    m[i] ^= 0x5a;
    const got = crlsFromBytes(m, 'fuzz');
    assert.equal(got.crls.length + got.problems.length, 1);
    const r = verifyChain(input, { crlCheck: 'leaf', crls: got.crls });
    assert.ok(r.code > 0, `byte ${i}: a damaged CRL must not pass`);
    if (r.code === V.CERT_REVOKED) revoked++;
  }
  assert.equal(revoked, 0, 'a damaged CRL never revokes (its signature fails first)');
});

test('revocation pointers: CRL distribution points and AIA OCSP/caIssuers, per certificate, nothing fetched', () => {
  const p = revocationPointers([...certs(L.crt), ...certs(I.crt), ...certs(R.crt)]);
  assert.deepEqual(p[0]!.crlUrls, ['http://crl.example/int.crl']);
  assert.deepEqual(p[0]!.ocspUrls, ['http://ocsp.example/']);
  assert.deepEqual(p[0]!.caIssuerUrls, ['http://crl.example/int.crt']);
  assert.match(p[0]!.summary, /OCSP http:\/\/ocsp\.example\/; CRL http:\/\/crl\.example\/int\.crl/);
  assert.match(p[1]!.summary, /revocation cannot be checked online/);
  assert.match(p[2]!.summary, /a root/);
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => { out += s; }, err: (s) => { err += s; }, readFile: (p) => new Uint8Array(fs.readFileSync(p)), env: {}, readStdin: () => '' };
  const code = await main(argv, io);
  return { code, out, err };
}

test('cli: --crl_check / --crl_check_all with repeated --CRLfile; openssl lines, the revocation report and pointers', async () => {
  const rev = pki.crl('cli-rev.crl', I, { tag: 'I-cli', revoke: [{ crt: L2.crt, reason: 'keyCompromise' }] });
  const rcrl = pki.crl('cli-root.crl', R, { tag: 'R-cli' });
  const bad = await cli('verify', '--CAfile', R.crt, '--untrusted', I.crt, '--crl_check', '--CRLfile', rev, L2.crt);
  assert.equal(bad.code, 1, bad.out + bad.err);
  assert.match(bad.out, /error 23 at 0 depth lookup: certificate revoked\n/);
  assert.match(bad.out, /reason: Key Compromise/);
  assert.match(bad.out, /Revocation:\n {2}CRL \(depth 0\): revoked/);
  const all = await cli('verify', '--CAfile', R.crt, '--untrusted', I.crt, '--crl_check_all', '--CRLfile', rev, '--CRLfile', rcrl, L.crt);
  assert.equal(all.code, 0, all.out + all.err);
  assert.match(all.out, /: OK\n/);
  assert.match(all.out, /Revocation pointers \(not fetched\):\n {2}0 good\.example: OCSP http:\/\/ocsp\.example\/; CRL http:\/\/crl\.example\/int\.crl/);
  const json = await cli('verify', '--json', '--CAfile', R.crt, '--untrusted', I.crt, '--crl_check', L.crt);
  const doc = JSON.parse(json.out) as { results: { code: number; revocation: { crl: { status: string }[] }; revocationPointers: { crlUrls: string[] }[] }[] };
  assert.equal(doc.results[0]!.code, V.UNABLE_TO_GET_CRL);
  assert.equal(doc.results[0]!.revocation.crl[0]!.status, 'no-crl');
  assert.deepEqual(doc.results[0]!.revocationPointers[0]!.crlUrls, ['http://crl.example/int.crl']);
  const missing = await cli('verify', '--CAfile', R.crt, '--crl_check', '--CRLfile', pki.p('nope.crl'), L.crt);
  assert.equal(missing.code, 2);
});

test('cli: CRLs in a --CApath directory (c_rehash .r0 links) as openssl; in --untrusted too (a deliberate difference)', async () => {
  const rev = pki.crl('dir-rev.crl', I, { tag: 'I-dir', revoke: [{ crt: L2.crt, reason: 'keyCompromise' }] });
  const dir = pki.p('capath');
  fs.mkdirSync(dir);
  fs.copyFileSync(R.crt, `${dir}/root.pem`);
  fs.copyFileSync(rev, `${dir}/int.crl.pem`);
  pki.openssl(['rehash', dir]);
  assert.ok(fs.readdirSync(dir).some((n) => /\.r0$/.test(n)), 'openssl rehash made a CRL link');
  const theirs = osslVerify(pki, L2.crt, { untrusted: I.crt, args: ['-CApath', dir, '-crl_check'] });
  const mine = await cli('verify', '--CApath', dir, '--untrusted', I.crt, '--crl_check', L2.crt);
  assert.equal(theirs.code, V.CERT_REVOKED);
  assert.match(mine.out, /error 23 at 0 depth lookup: certificate revoked/);
  // openssl reads no CRLs from -untrusted (3); we use X509 CRL blocks found anywhere in the bag, as the user meant.
  const bag = pki.cat('int+crl.pem', I.crt, rev);
  assert.equal(osslVerify(pki, L2.crt, { CAfile: R.crt, untrusted: bag, args: ['-crl_check'] }).code, V.UNABLE_TO_GET_CRL);
  assert.match((await cli('verify', '--CAfile', R.crt, '--untrusted', bag, '--crl_check', L2.crt)).out, /error 23 at 0 depth lookup/);
});
