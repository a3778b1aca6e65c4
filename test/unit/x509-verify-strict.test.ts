// -x509_strict (engine/x509/verify/strict.ts), -verify_email, the CLI aliases, and bounded work on bad input,
// against `openssl verify` on certificates made with the openssl CLI at test time: each case compares the
// X509_V_ERR number and depth of the first error. Run from the repository root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { main } from '../../engine/cli/main';
import type { CliIO } from '../../engine/cli/io';
import { V } from '../../engine/registry/x509-verify-errors';
import { verifyChain, type VCert, type VerifyOptions, type VerifyResult } from '../../engine/x509/verify/index';
import { loadFile } from '../../engine/x509/verify/trust-store';
import { CA_EXT, LEAF_EXT, osslVerify, Pki, ROOT_EXT, type Issuer } from '../fixtures/verify/pki';

let pki: Pki;
let R: Issuer;
let I: Issuer;

const certs = (f: string): VCert[] => loadFile(f).certs;

function same(target: Issuer, o: { CAfile?: string; untrusted?: Issuer[]; args?: string[] }, opts: VerifyOptions, expect?: number, depth?: number): VerifyResult {
  const untrusted = o.untrusted?.length ? pki.cat(`u-${Math.random().toString(36).slice(2)}.pem`, ...o.untrusted.map((c) => c.crt)) : undefined;
  const CAfile = o.CAfile ?? R.crt;
  const mine = verifyChain({ target: certs(target.crt)[0]!, untrusted: untrusted ? certs(untrusted) : [], trusted: certs(CAfile) }, opts);
  const theirs = osslVerify(pki, target.crt, { CAfile, ...(untrusted ? { untrusted } : {}), args: o.args ?? [] });
  assert.deepEqual({ code: mine.code, depth: mine.errorDepth }, { code: theirs.code, depth: theirs.depth }, `ours: ${JSON.stringify(mine.errors.map((e) => [e.code, e.depth, e.detail]))}\nopenssl: ${theirs.text}`);
  if (expect !== undefined) assert.equal(mine.code, expect);
  if (depth !== undefined) assert.equal(mine.errorDepth, depth);
  return mine;
}

/** The same case with and without -x509_strict. */
function strictAndNot(target: Issuer, chain: Issuer[], strictCode: number, strictDepth: number, plainCode: number = V.OK): VerifyResult {
  same(target, { untrusted: chain }, {}, plainCode);
  return same(target, { untrusted: chain, args: ['-x509_strict'] }, { x509Strict: true }, strictCode, strictDepth);
}

const LEAF = ['basicConstraints = CA:FALSE', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'];

before(() => {
  pki = new Pki('strict');
  R = pki.cert('R', { subj: '/O=Strict Test/CN=Strict Root', ext: ROOT_EXT });
  I = pki.cert('I', { subj: '/O=Strict Test/CN=Strict Intermediate', ca: R, ext: CA_EXT });
});

after(() => pki?.cleanup());

test('x509_strict: a conforming path passes', () => {
  const l = pki.cert('ok', { subj: '/CN=ok.example', ca: I, ext: LEAF_EXT('ok.example') });
  strictAndNot(l, [I], V.OK, -1);
});

test('x509_strict: CA basicConstraints not critical (89), CA without keyUsage (92), pathlen without keyCertSign (81)', () => {
  const nc = pki.cert('bcNotCrit', { subj: '/CN=BC Not Critical', ca: R, ext: ['basicConstraints = CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'] });
  const r = strictAndNot(pki.cert('underNc', { subj: '/CN=n.example', ca: nc, ext: LEAF }), [nc], V.CA_BCONS_NOT_CRITICAL, 1);
  assert.match(r.errors[0]!.fix, /critical, CA:TRUE/);
  const noKu = pki.cert('caNoKu', { subj: '/CN=CA Without KU', ca: R, ext: ['basicConstraints = critical, CA:TRUE', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'] });
  strictAndNot(pki.cert('underNoKu', { subj: '/CN=k.example', ca: noKu, ext: LEAF }), [noKu], V.CA_CERT_MISSING_KEY_USAGE, 1);
  const noKuPl = pki.cert('caNoKuPl', { subj: '/CN=CA Without KU Pathlen', ca: R, ext: ['basicConstraints = critical, CA:TRUE, pathlen:1', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'] });
  strictAndNot(pki.cert('underNoKuPl', { subj: '/CN=p.example', ca: noKuPl, ext: LEAF }), [noKuPl], V.PATHLEN_WITHOUT_KU_KEY_CERT_SIGN, 1);
});

test('x509_strict: key identifiers: a leaf without AKI (85); a CA without SKI (its leaf has no AKI keyid: 85 at 0 first, then 86)', () => {
  strictAndNot(pki.cert('noAki', { subj: '/CN=a.example', ca: I, ext: ['basicConstraints = CA:FALSE', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = none'] }), [I], V.MISSING_AUTHORITY_KEY_IDENTIFIER, 0);
  const noSki = pki.cert('noSki', { subj: '/CN=CA Without SKI', ca: R, ext: ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = none', 'authorityKeyIdentifier = keyid:always'] });
  const r = strictAndNot(pki.cert('underNoSki', { subj: '/CN=s.example', ca: noSki, ext: ['basicConstraints = CA:FALSE', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = none'] }), [noSki], V.MISSING_AUTHORITY_KEY_IDENTIFIER, 0);
  assert.ok(r.errors.some((e) => e.code === V.MISSING_SUBJECT_KEY_IDENTIFIER && e.depth === 1));
  // Critical key identifiers: OpenSSL does not handle them as critical at all (34), strict or not.
  strictAndNot(pki.cert('akiCrit', { subj: '/CN=c.example', ca: I, ext: ['basicConstraints = CA:FALSE', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = critical, keyid:always'] }), [I], V.UNHANDLED_CRITICAL_EXTENSION, 0, V.UNHANDLED_CRITICAL_EXTENSION as number);
});

test('x509_strict: end-entity rules: keyCertSign (82), pathlen (80), keyCertSign without basicConstraints (79)', () => {
  strictAndNot(pki.cert('leafKcs', { subj: '/CN=kcs.example', ca: I, ext: [...LEAF, 'keyUsage = digitalSignature, keyCertSign'] }), [I], V.KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA, 0);
  const r = strictAndNot(pki.cert('leafPl', { subj: '/CN=pl.example', ca: I, ext: ['basicConstraints = CA:FALSE, pathlen:2', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'] }), [I], V.PATHLEN_INVALID_FOR_NON_CA, 0);
  assert.ok(r.errors.some((e) => e.code === V.PATHLEN_WITHOUT_KU_KEY_CERT_SIGN), 'both pathlen findings listed');
  strictAndNot(pki.cert('leafNoBc', { subj: '/CN=nobc.example', ca: I, ext: ['keyUsage = keyCertSign', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'] }), [I], V.INVALID_CA, 0);
});

test('x509_strict: names: empty subject with a non-critical SAN (88), empty SAN (87)', () => {
  const emptySubj = pki.cert('emptySubj', { subj: '/', ca: I, ext: ['basicConstraints = CA:FALSE', 'subjectAltName = DNS:empty.example', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'] });
  strictAndNot(emptySubj, [I], V.EMPTY_SUBJECT_SAN_NOT_CRITICAL, 0);
  const critSan = pki.cert('emptySubjCrit', { subj: '/', ca: I, ext: ['basicConstraints = CA:FALSE', 'subjectAltName = critical, DNS:empty.example', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'] });
  strictAndNot(critSan, [I], V.OK, -1);
  strictAndNot(pki.cert('emptySan', { subj: '/CN=es.example', ca: I, ext: [...LEAF, '2.5.29.17 = DER:30:00'] }), [I], V.EMPTY_SUBJECT_ALT_NAME, 0);
});

test('x509_strict: an X.509 v1 intermediate is never a CA (79); serial numbers are not judged (as OpenSSL 3.0)', () => {
  const v1 = pki.p('v1int.crt');
  const v1key = pki.key('v1int');
  pki.openssl(['req', '-new', '-key', v1key, '-subj', '/CN=V1 Intermediate', '-out', pki.p('v1int.csr')]);
  pki.openssl(['x509', '-req', '-in', pki.p('v1int.csr'), '-CA', R.crt, '-CAkey', R.key, '-set_serial', '77', '-days', '3650', '-out', v1]);
  const v1i = { crt: v1, key: v1key };
  const l = pki.cert('underV1', { subj: '/CN=v1.example', ca: v1i, ext: ['basicConstraints = CA:FALSE'] });
  same(l, { untrusted: [v1i] }, {}, V.INVALID_CA, 1);
  same(l, { untrusted: [v1i], args: ['-x509_strict'] }, { x509Strict: true }); // strict adds 85 at depth 0 first
  for (const serial of ['-5', '0']) {
    const s = pki.cert(`serial${serial}`, { subj: '/CN=serial.example', ca: I, ext: LEAF_EXT('serial.example'), serial });
    strictAndNot(s, [I], V.OK, -1);
  }
});

test('explicit EC parameters in a path (94), strict or not', () => {
  const explicitKey = path.resolve('test/fixtures/pki/ec-p256-explicit.key');
  const l = pki.cert('explicit', { key: explicitKey, subj: '/CN=explicit.example', ca: I, ext: LEAF_EXT('explicit.example') });
  const r = same(l, { untrusted: [I] }, {}, V.EC_KEY_EXPLICIT_PARAMS, 0);
  assert.match(r.errors[0]!.fix, /named-curve/);
});

test('verify_email: rfc822Name SANs (local part exact, domain any case), else subject emailAddress (63)', () => {
  const e = pki.cert('email', { subj: '/CN=Alice/emailAddress=alice@subject.example', ca: I, ext: [...LEAF, 'subjectAltName = email:Alice@Example.com'] });
  for (const [addr, code] of [['Alice@Example.com', 0], ['Alice@EXAMPLE.COM', 0], ['alice@example.com', V.EMAIL_MISMATCH], ['alice@subject.example', V.EMAIL_MISMATCH]] as const) {
    const r = same(e, { untrusted: [I], args: ['-verify_email', addr] }, { email: addr }, code);
    if (addr === 'alice@subject.example') assert.match(r.errors[0]!.detail, /subject emailAddress alice@subject\.example is not consulted/);
  }
  const subjOnly = pki.cert('emailSubj', { subj: '/CN=Bob/emailAddress=bob@example.com', ca: I, ext: LEAF });
  same(subjOnly, { untrusted: [I], args: ['-verify_email', 'bob@example.com'] }, { email: 'bob@example.com' }, V.OK);
  same(subjOnly, { untrusted: [I], args: ['-verify_email', 'carol@example.com'] }, { email: 'carol@example.com' }, V.EMAIL_MISMATCH, 0);
});

test('email name constraints: "@host", "host", ".domain" and "user@host" forms as OpenSSL matches them', () => {
  for (const [base, addr, code] of [
    ['@example.com', 'bob@example.com', 0], ['@example.com', 'bob@sub.example.com', V.PERMITTED_VIOLATION],
    ['example.com', 'Bob@EXAMPLE.com', 0], ['.example.com', 'bob@sub.example.com', 0], ['.example.com', 'bob@example.com', V.PERMITTED_VIOLATION],
    ['bob@example.com', 'bob@example.com', 0], ['bob@example.com', 'Bob@example.com', V.PERMITTED_VIOLATION],
  ] as const) {
    const tag = `${base}-${addr}`.replace(/[^a-z0-9]/gi, '_');
    const ca = pki.cert(`nc_${tag}`, { subj: `/CN=NC ${tag}`, ca: R, ext: [...CA_EXT, `nameConstraints = critical, permitted;email:${base}`] });
    const l = pki.cert(`ncl_${tag}`, { subj: '/CN=mail user', ca, ext: [...LEAF, `subjectAltName = email:${addr}`] });
    same(l, { untrusted: [ca] }, {}, code);
  }
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => { out += s; }, err: (s) => { err += s; }, readFile: (p) => new Uint8Array(fs.readFileSync(p)), env: {}, readStdin: () => '' };
  const code = await main(argv, io);
  return { code, out, err };
}

test('cli: --x509_strict, --verify_email, and the aliases --hostname, --ip, --attime in ISO 8601', async () => {
  const l = pki.cert('cliLeaf', { subj: '/CN=cli.example', ca: I, ext: [...LEAF_EXT('cli.example'), 'subjectAltName = DNS:cli.example, IP:192.0.2.5, email:ops@cli.example'] });
  const base = ['verify', '--no_system', '--CAfile', R.crt, '--untrusted', I.crt];
  const strict = await cli(...base, '--x509_strict', l.crt);
  assert.equal(strict.code, 0, strict.out);
  const ncKey = pki.cert('cliNc', { subj: '/CN=CLI BC Not Critical', ca: R, ext: ['basicConstraints = CA:TRUE', 'keyUsage = critical, keyCertSign', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always'] });
  const bad = await cli('verify', '--no_system', '--CAfile', R.crt, '--untrusted', ncKey.crt, '--x509_strict', pki.cert('cliUnderNc', { subj: '/CN=u.example', ca: ncKey, ext: LEAF }).crt);
  assert.match(bad.out, /error 89 at 1 depth lookup: Basic Constraints of CA cert not marked critical/);
  assert.equal((await cli(...base, '--hostname', 'cli.example', l.crt)).code, 0);
  assert.match((await cli(...base, '--hostname', 'other.example', l.crt)).out, /error 62 at 0 depth lookup/);
  assert.equal((await cli(...base, '--ip', '192.0.2.5', l.crt)).code, 0);
  assert.match((await cli(...base, '--ip', '192.0.2.6', l.crt)).out, /error 64 at 0 depth lookup/);
  assert.equal((await cli(...base, '--verify_email', 'ops@cli.example', l.crt)).code, 0);
  assert.match((await cli(...base, '--verify_email', 'dev@cli.example', l.crt)).out, /error 63 at 0 depth lookup: email address mismatch/);
  assert.equal((await cli(...base, '--hostname', 'a.example', '--verify_hostname', 'b.example', l.crt)).code, 64);
  // --attime: seconds and ISO 8601 give the same answer
  const t = Math.floor(Date.UTC(2200, 0, 1) / 1000);
  const secs = await cli(...base, '--attime', String(t), l.crt);
  const iso = await cli(...base, '--attime', '2200-01-01T00:00:00Z', l.crt);
  const day = await cli(...base, '--attime', '2200-01-01', l.crt);
  assert.match(secs.out, /error 10 at 2 depth lookup: certificate has expired/);
  assert.equal(iso.out, secs.out);
  assert.equal(day.out, secs.out);
  const offset = await cli(...base, '--attime', '2030-06-01T12:00:00+02:00', l.crt);
  assert.equal(offset.code, 0, offset.out);
  assert.equal((await cli(...base, '--attime', 'next tuesday', l.crt)).code, 64);
});

// ---------------------------------------------------------------------------------------------
// Bounded work on bad input

test('bounded: a 50-certificate chain verifies (as openssl), in reasonable time', () => {
  let prev = R;
  const cas: Issuer[] = [];
  for (let i = 1; i <= 48; i++) cas.push((prev = pki.cert(`deep${i}`, { subj: `/O=Strict Test/CN=Deep CA ${i}`, ca: prev, ext: CA_EXT })));
  const l = pki.cert('deepLeaf', { subj: '/CN=deep.example', ca: prev, ext: LEAF_EXT('deep.example') });
  const t0 = Date.now();
  const r = same(l, { untrusted: [...cas].reverse() }, {}, V.OK);
  assert.equal(r.chain.length, 50);
  assert.ok(Date.now() - t0 < 20000, `took ${Date.now() - t0} ms`);
  // With a depth limit below it, both give up: ours 22 (CERT_CHAIN_TOO_LONG) with a smaller maxLength.
  const short = verifyChain({ target: certs(l.crt)[0]!, untrusted: cas.flatMap((c) => certs(c.crt)), trusted: certs(R.crt) }, { maxLength: 20 });
  assert.equal(short.code, V.CERT_CHAIN_TOO_LONG);
});

test('bounded: a ring of CAs cross-signing each other terminates with openssl\'s verdict', () => {
  // A <- B <- C <- D <- A (each signed by the next), every one also self-signed; none trusted.
  const names = ['A', 'B', 'C', 'D'];
  const keys = Object.fromEntries(names.map((n) => [n, pki.key(`ring${n}`)]));
  const self = Object.fromEntries(names.map((n) => [n, pki.cert(`ring${n}self`, { key: keys[n]!, subj: `/O=Ring/CN=${n}`, ext: CA_EXT.filter((e) => !e.startsWith('authority')) })]));
  const cross: Issuer[] = names.map((n, i) => {
    const by = names[(i + 1) % names.length]!;
    return pki.cert(`ring${n}by${by}`, { key: keys[n]!, subj: `/O=Ring/CN=${n}`, ca: { crt: self[by]!.crt, key: keys[by]! }, ext: CA_EXT });
  });
  const l = pki.cert('ringLeaf', { subj: '/CN=ring.example', ca: { crt: self.A!.crt, key: keys.A! }, ext: LEAF_EXT('ring.example') });
  const untrusted = pki.cat('ring.pem', ...cross.map((c) => c.crt), ...Object.values(self).map((c) => c.crt));
  const t0 = Date.now();
  const r = verifyChain({ target: certs(l.crt)[0]!, untrusted: certs(untrusted), trusted: certs(R.crt) });
  assert.ok(Date.now() - t0 < 20000, `took ${Date.now() - t0} ms`);
  const theirs = osslVerify(pki, l.crt, { CAfile: R.crt, untrusted });
  // Same verdict (19: the chain ends at an untrusted self-signed CA). Deliberate difference in the path: openssl
  // goes A(cross) <- B <- C <- D(cross) <- A(self), so A appears twice (depth 5); we never put the same subject and
  // key twice in one path (RFC 4158 2.4.2 loop detection) and end at D's self-signed twin (depth 4).
  assert.equal(r.code, theirs.code);
  assert.deepEqual([r.code, r.errorDepth, theirs.depth], [V.SELF_SIGNED_CERT_IN_CHAIN, 4, 5]);
  assert.ok(r.candidates.every((c) => c.subjects.length <= 101));
  for (const p of r.chain) assert.equal(r.chain.filter((q) => q.subject === p.subject).length, 1, 'no subject twice');
});

test('bounded: absurd extensions (3000 SANs against 300 name constraints, a 64 KiB extension) give a verdict quickly', () => {
  const subtrees = Array.from({ length: 300 }, (_, i) => `permitted;DNS:zone${i}.example`).join(', ');
  const nc = pki.cert('wideNc', { subj: '/CN=Wide NC CA', ca: R, ext: [...CA_EXT, `nameConstraints = critical, ${subtrees}`] });
  const sans = Array.from({ length: 3000 }, (_, i) => `DNS.${i + 1} = h${i}.zone${i % 300}.example`);
  const many = pki.cert('manySans', { subj: '/CN=h0.zone0.example', ca: nc, ext: ['basicConstraints = CA:FALSE', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always', 'subjectAltName = @alt', '[alt]', ...sans] });
  const t0 = Date.now();
  same(many, { untrusted: [nc] }, {}, V.OK);
  const bad = pki.cert('manySansBad', { subj: '/CN=h0.zone0.example', ca: nc, ext: ['basicConstraints = CA:FALSE', 'subjectAltName = @alt', '[alt]', ...sans, 'DNS.9999 = outside.example'] });
  same(bad, { untrusted: [nc] }, {}, V.PERMITTED_VIOLATION, 0);
  const big = pki.cert('bigExt', { subj: '/CN=big.example', ca: I, ext: [...LEAF_EXT('big.example'), `1.2.3.4.5.6.7 = DER:${'41:'.repeat(65535)}41`] });
  same(big, { untrusted: [I] }, {}, V.OK);
  assert.ok(Date.now() - t0 < 20000, `took ${Date.now() - t0} ms`);
});
