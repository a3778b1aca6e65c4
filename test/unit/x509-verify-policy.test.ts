// Certificate policy processing (engine/x509/verify/policy.ts) against `openssl verify -policy_check / -policy OID /
// -explicit_policy / -inhibit_any / -inhibit_map`, on hierarchies made with the openssl CLI at test time: each
// case compares the X509_V_ERR number and depth of the first error (42 INVALID_POLICY_EXTENSION, 43 NO_EXPLICIT_POLICY).
// Run from the repository root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { main } from '../../engine/cli/main';
import type { CliIO } from '../../engine/cli/io';
import { V } from '../../engine/registry/x509-verify-errors';
import { verifyChain, POLICY_NODES_MAX, type VCert, type VerifyResult, type PolicyOptions } from '../../engine/x509/verify/index';
import { loadFile } from '../../engine/x509/verify/trust-store';
import { CA_EXT, osslVerify, Pki, ROOT_EXT, type Issuer } from '../fixtures/verify/pki';

let pki: Pki;
let R: Issuer;
const P1 = '1.2.3.1';
const P2 = '1.2.3.2';
const P7 = '1.2.3.7';
const M1 = '1.2.4.1';
const ANY = '2.5.29.32.0';

const certs = (f: string): VCert[] => loadFile(f).certs;

function ca(name: string, issuer: Issuer, ext: string[]): Issuer {
  return pki.cert(name, { subj: `/O=Policy Test/CN=${name}`, ca: issuer, ext: [...CA_EXT, ...ext] });
}

function leaf(name: string, issuer: Issuer, ext: string[]): Issuer {
  return pki.cert(name, { subj: `/CN=${name}.example`, ca: issuer, ext: ['basicConstraints = critical, CA:FALSE', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always', ...ext] });
}

/** openssl's flags for the options. */
function flags(o: PolicyOptions & { check?: boolean }): string[] {
  return [...(o.check ? ['-policy_check'] : []), ...(o.explicit ? ['-explicit_policy'] : []), ...(o.inhibitAny ? ['-inhibit_any'] : []), ...(o.inhibitMap ? ['-inhibit_map'] : []), ...(o.policies ?? []).flatMap((p) => ['-policy', p])];
}

function same(target: Issuer, chain: Issuer[], o: PolicyOptions & { check?: boolean }, expect: number, depth?: number): VerifyResult {
  const untrusted = pki.cat(`u-${Math.random().toString(36).slice(2)}.pem`, ...chain.map((c) => c.crt));
  const mine = verifyChain({ target: certs(target.crt)[0]!, untrusted: certs(untrusted), trusted: certs(R.crt) }, { policy: o });
  const theirs = osslVerify(pki, target.crt, { CAfile: R.crt, untrusted, args: flags(o) });
  assert.deepEqual({ code: mine.code, depth: mine.errorDepth }, { code: theirs.code, depth: theirs.depth }, `ours: ${JSON.stringify(mine.errors.map((e) => [e.code, e.depth, e.detail]))}\nopenssl: ${theirs.text}`);
  assert.equal(mine.code, expect, theirs.text);
  if (depth !== undefined) assert.equal(mine.errorDepth, depth);
  return mine;
}

let PI: Issuer; // lists P1, P2
let PL: Issuer; // leaf with P1
let PNONE: Issuer; // leaf without policies

before(() => {
  pki = new Pki('policy');
  R = pki.cert('R', { subj: '/O=Policy Test/CN=Policy Root', ext: ROOT_EXT });
  PI = ca('PolInt', R, [`certificatePolicies = ${P1}, ${P2}`]);
  PL = leaf('pl', PI, [`certificatePolicies = ${P1}`]);
  PNONE = leaf('pnone', PI, []);
});

after(() => pki?.cleanup());

test('policy_check on a consistent path: OK; policies are only processed when asked for', () => {
  const r = same(PL, [PI], { check: true }, V.OK);
  assert.equal(r.policy?.result, 'valid');
  assert.deepEqual(r.policy?.authority, [P1]);
  assert.equal(verifyChain({ target: certs(PL.crt)[0]!, untrusted: certs(PI.crt), trusted: certs(R.crt) }).policy, undefined);
  same(PNONE, [PI], { check: true }, V.OK); // no policies, none required
});

test('explicit policy: user policies (-policy) decide; without any, OpenSSL fails (43 at 0)', () => {
  const none = same(PL, [PI], { explicit: true }, V.NO_EXPLICIT_POLICY, 0);
  assert.match(none.errors[0]!.detail, /no acceptable policy was named \(--policy\): the certificates allow 1\.2\.3\.1/);
  same(PL, [PI], { explicit: true, policies: [P1] }, V.OK);
  const p2 = same(PL, [PI], { explicit: true, policies: [P2] }, V.NO_EXPLICIT_POLICY, 0);
  assert.match(p2.errors[0]!.detail, /none of the acceptable policies \(1\.2\.3\.2\)/);
  same(PL, [PI], { explicit: true, policies: [P2, P1] }, V.OK);
  same(PL, [PI], { explicit: true, policies: [ANY] }, V.OK);
  same(PL, [PI], { policies: [P2] }, V.OK); // not explicit: the mismatch is not an error
  const empty = same(PNONE, [PI], { explicit: true, policies: [P1] }, V.NO_EXPLICIT_POLICY, 0);
  assert.match(empty.errors[0]!.detail, /valid policy tree is empty from depth 0 \("pnone.example"\): it has no certificatePolicies/);
});

test('requireExplicitPolicy in a CA (policyConstraints) makes the policy required below it', () => {
  const req = ca('ReqInt', R, [`certificatePolicies = ${P1}`, 'policyConstraints = critical, requireExplicitPolicy:0']);
  const bare = leaf('reqbare', req, []);
  const withP = leaf('reqpol', req, [`certificatePolicies = ${P1}`]);
  const r = same(bare, [req], { check: true }, V.NO_EXPLICIT_POLICY, 0);
  assert.match(r.errors[0]!.detail, /"ReqInt" requires an explicit policy/);
  same(withP, [req], { check: true }, V.NO_EXPLICIT_POLICY, 0); // required, and no user policy named
  same(withP, [req], { policies: [P1] }, V.OK);
  // requireExplicitPolicy:5 on a short path never counts down to 0
  const late = ca('LateReq', R, [`certificatePolicies = ${P1}`, 'policyConstraints = critical, requireExplicitPolicy:5']);
  same(leaf('latebare', late, []), [late], { check: true }, V.OK);
});

test('invalid policy extensions (42) at the certificate that has them: duplicate OIDs, mapping from anyPolicy', () => {
  const dup = ca('DupInt', R, [`certificatePolicies = ${P1}, ${P1}`]);
  const r = same(leaf('dupl', dup, [`certificatePolicies = ${P1}`]), [dup], { check: true }, V.INVALID_POLICY_EXTENSION, 1);
  assert.match(r.errors[0]!.detail, /lists 1\.2\.3\.1 twice/);
  same(leaf('dupleaf', PI, [`certificatePolicies = ${P1}, ${P1}`]), [PI], { check: true }, V.INVALID_POLICY_EXTENSION, 0);
  const mapAny = ca('MapAny', R, [`certificatePolicies = ${P1}`, `policyMappings = ${ANY}:${M1}`]);
  const m = same(leaf('mapanyl', mapAny, [`certificatePolicies = ${M1}`]), [mapAny], { check: true }, V.INVALID_POLICY_EXTENSION, 1);
  assert.match(m.errors[0]!.detail, /anyPolicy/);
});

test('anyPolicy in a CA stands for any policy, unless inhibited (-inhibit_any, inhibitAnyPolicy)', () => {
  const any = ca('AnyInt', R, [`certificatePolicies = ${ANY}`]);
  const l = leaf('anyl', any, [`certificatePolicies = ${P7}`]);
  same(l, [any], { explicit: true, policies: [P7] }, V.OK);
  same(l, [any], { explicit: true, policies: [P7], inhibitAny: true }, V.NO_EXPLICIT_POLICY, 0);
  // inhibitAnyPolicy:0 in a CA: anyPolicy in the CA below it no longer counts.
  const top = ca('InhibitTop', R, [`certificatePolicies = ${ANY}`, 'inhibitAnyPolicy = 0']);
  const sub = ca('AnySub', top, [`certificatePolicies = ${ANY}`]);
  const l2 = leaf('inhl', sub, [`certificatePolicies = ${P7}`]);
  same(l2, [top, sub], { explicit: true, policies: [P7] }, V.NO_EXPLICIT_POLICY, 0);
  const top5 = ca('InhibitTop5', R, [`certificatePolicies = ${ANY}`, 'inhibitAnyPolicy = 5']);
  const sub5 = ca('AnySub5', top5, [`certificatePolicies = ${ANY}`]);
  same(leaf('inhl5', sub5, [`certificatePolicies = ${P7}`]), [top5, sub5], { explicit: true, policies: [P7] }, V.OK);
});

test('policy mappings: honoured, inhibited by -inhibit_map or inhibitPolicyMapping', () => {
  const map = ca('MapInt', R, [`certificatePolicies = ${P1}`, `policyMappings = ${P1}:${M1}`]);
  const l = leaf('mapl', map, [`certificatePolicies = ${M1}`]);
  const ok = same(l, [map], { explicit: true, policies: [P1] }, V.OK);
  assert.ok(ok.policy!.trace.some((t) => /maps 1\.2\.3\.1 -> 1\.2\.4\.1/.test(t)));
  same(l, [map], { explicit: true, policies: [P1], inhibitMap: true }, V.NO_EXPLICIT_POLICY, 0);
  same(l, [map], { explicit: true, policies: [M1] }, V.NO_EXPLICIT_POLICY, 0); // the user set is in the root's domain
  // inhibitPolicyMapping:0 in the CA above the mapping one
  const top = ca('NoMapTop', R, [`certificatePolicies = ${P1}`, 'policyConstraints = inhibitPolicyMapping:0']);
  const sub = ca('MapSub', top, [`certificatePolicies = ${P1}`, `policyMappings = ${P1}:${M1}`]);
  same(leaf('nomapl', sub, [`certificatePolicies = ${M1}`]), [top, sub], { explicit: true, policies: [P1] }, V.NO_EXPLICIT_POLICY, 0);
  // mapping a policy the CA lists only through anyPolicy
  const anyMap = ca('AnyMap', R, [`certificatePolicies = ${ANY}`, `policyMappings = ${P2}:${M1}`]);
  same(leaf('anymapl', anyMap, [`certificatePolicies = ${M1}`]), [anyMap], { explicit: true, policies: [P2] }, V.OK);
});

test('a policy tree past OpenSSL\'s node limit: both stop (openssl: "malloc failure", no error line; ours: 17 with the reason)', () => {
  const many = Array.from({ length: 250 }, (_, i) => `1.2.3.${i + 1}`).join(', ');
  let prev = R;
  const cas: Issuer[] = [];
  for (let i = 1; i <= 3; i++) cas.push((prev = ca(`Wide${i}`, prev, [`certificatePolicies = ${many}`])));
  const l = leaf('widel', prev, [`certificatePolicies = ${many}`]);
  const untrusted = pki.cat('wide.pem', ...cas.map((c) => c.crt));
  const t0 = Date.now();
  const mine = verifyChain({ target: certs(l.crt)[0]!, untrusted: certs(untrusted), trusted: certs(R.crt) }, { policy: { check: true } });
  assert.ok(Date.now() - t0 < 5000, 'bounded');
  const theirs = osslVerify(pki, l.crt, { CAfile: R.crt, untrusted, args: ['-policy_check'] });
  assert.equal(theirs.code, -1);
  assert.match(theirs.text, /malloc failure/);
  assert.equal(mine.code, V.OUT_OF_MEM);
  assert.equal(mine.policy?.result, 'too-complex');
  assert.match(mine.errors[0]!.detail, new RegExp(`exceeded ${POLICY_NODES_MAX} nodes`));
  // Without policy processing the same path is fine for both.
  assert.equal(verifyChain({ target: certs(l.crt)[0]!, untrusted: certs(untrusted), trusted: certs(R.crt) }).code, V.OK);
  assert.equal(osslVerify(pki, l.crt, { CAfile: R.crt, untrusted }).code, 0);
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => { out += s; }, err: (s) => { err += s; }, readFile: (p) => new Uint8Array(fs.readFileSync(p)), env: {}, readStdin: () => '' };
  const code = await main(argv, io);
  return { code, out, err };
}

test('cli: --policy (repeatable), --explicit_policy, --policy_check, --inhibit_any, --inhibit_map', async () => {
  const bad = await cli('verify', '--CAfile', R.crt, '--untrusted', PI.crt, '--explicit_policy', '--policy', P2, PL.crt);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /error 43 at 0 depth lookup: no explicit policy\n/);
  assert.match(bad.out, /Policy: no-explicit-policy; explicit policy required; authority set: 1\.2\.3\.1; user set: <empty>/);
  const ok = await cli('verify', '--CAfile', R.crt, '--untrusted', PI.crt, '--explicit_policy', '--policy', P2, '--policy', P1, PL.crt);
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /user set: 1\.2\.3\.1/);
  const flagsOnly = await cli('verify', '--CAfile', R.crt, '--untrusted', PI.crt, '--policy_check', '--inhibit_any', '--inhibit_map', PL.crt);
  assert.equal(flagsOnly.code, 0, flagsOnly.out);
  const usage = await cli('verify', '--CAfile', R.crt, '--policy', 'not-an-oid', PL.crt);
  assert.equal(usage.code, 64);
});
