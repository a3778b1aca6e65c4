// OCSP response checking (engine/x509/verify/ocsp.ts) against `openssl ocsp -respin R -issuer I -cert C -CAfile A`,
// on responses made at test time by an `openssl ocsp -index` responder (signed by the CA or a delegated responder),
// plus responses re-dated and re-signed here (pkijs + node:crypto) for the time checks openssl cannot produce.
// Each case compares openssl's verdict (verify OK/failure, status, no status, status times) with ours.
// Run from the repository root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import fs from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { main } from '../../engine/cli/main';
import type { CliIO } from '../../engine/cli/io';
import { V } from '../../engine/registry/x509-verify-errors';
import { checkOcspResponse, verifyChain, type OcspVerdict, type VCert } from '../../engine/x509/verify/index';
import { loadFile } from '../../engine/x509/verify/trust-store';
import { CA_EXT, LEAF_EXT, osslOcsp, Pki, ROOT_EXT, type Issuer, type OcspClass } from '../fixtures/verify/pki';

let pki: Pki;
let R: Issuer;
let I: Issuer;
let L: Issuer;
let Other: Issuer;

const certs = (f: string): VCert[] => loadFile(f).certs;
const bytes = (f: string): Uint8Array<ArrayBuffer> => Uint8Array.from(fs.readFileSync(f));

/** Our verdict in openssl ocsp's classes. */
function cls(v: OcspVerdict): OcspClass {
  switch (v.code) {
    case V.OK: return 'good';
    case V.CERT_REVOKED: return 'revoked';
    case V.OCSP_CERT_UNKNOWN: return 'unknown';
    case V.OCSP_NO_RESPONSE: return 'no-status';
    case V.OCSP_HAS_EXPIRED: case V.OCSP_NOT_YET_VALID: return 'times-invalid';
    case V.OCSP_RESP_INVALID: return v.response && v.response.responseStatus !== 'successful' ? 'responder-error' : 'verify-failed';
    default: return 'verify-failed';
  }
}

function same(resp: string | Uint8Array, cert: Issuer, expect: OcspClass, chain?: VCert[]): OcspVerdict {
  const file = typeof resp === 'string' ? resp : pki.p(`resp-${Math.random().toString(36).slice(2)}.der`);
  if (typeof resp !== 'string') fs.writeFileSync(file, resp);
  const mine = checkOcspResponse(bytes(file), chain ?? [...certs(cert.crt), ...certs(I.crt), ...certs(R.crt)]);
  const theirs = osslOcsp(pki, file, { issuer: I.crt, cert: cert.crt, CAfile: R.crt });
  assert.equal(cls(mine), theirs.cls, `ours: ${mine.code} ${mine.name} ${JSON.stringify(mine.findings.map((f) => f.detail))}\nopenssl: ${theirs.text}`);
  assert.equal(theirs.cls, expect, theirs.text);
  return mine;
}

/** The response with its dates changed and re-signed with `key` (what a responder with a wrong clock, or an old staple, gives). */
function redate(file: string, key: string, dates: { thisUpdate: Date; nextUpdate?: Date }, keepMillis = false): Uint8Array {
  // pkijs writes GeneralizedTime with milliseconds; RFC 5280 4.1.2.5.2 (and OpenSSL's time checks) want whole seconds.
  const whole = (d: Date) => (keepMillis ? d : new Date(Math.floor(d.getTime() / 1000) * 1000));
  dates = { thisUpdate: whole(dates.thisUpdate), ...(dates.nextUpdate ? { nextUpdate: whole(dates.nextUpdate) } : {}) };
  const resp = pkijs.OCSPResponse.fromBER(bytes(file));
  const basic = pkijs.BasicOCSPResponse.fromBER(resp.responseBytes!.response.valueBlock.valueHexView.slice());
  const rd = basic.tbsResponseData;
  for (const s of rd.responses) {
    s.thisUpdate = dates.thisUpdate;
    if (dates.nextUpdate) s.nextUpdate = dates.nextUpdate;
  }
  rd.producedAt = dates.thisUpdate;
  const tbs = new Uint8Array(rd.toSchema(true).toBER());
  rd.tbsView = tbs;
  basic.signature = new asn1js.BitString({ valueHex: new Uint8Array(sign("sha256", tbs, fs.readFileSync(key))) });
  resp.responseBytes!.response = new asn1js.OctetString({ valueHex: basic.toSchema().toBER() });
  return new Uint8Array(resp.toSchema().toBER());
}

before(() => {
  pki = new Pki('ocsp');
  R = pki.cert('R', { subj: '/O=OCSP Test/CN=OCSP Root', ext: ROOT_EXT });
  I = pki.cert('I', { subj: '/O=OCSP Test/CN=OCSP Intermediate', ca: R, ext: CA_EXT });
  L = pki.cert('L', { subj: '/CN=ocsp.example', ca: I, ext: LEAF_EXT('ocsp.example', ['authorityInfoAccess = OCSP;URI:http://ocsp.example/']) });
  Other = pki.cert('Other', { subj: '/CN=other.example', ca: I, ext: LEAF_EXT('other.example') });
});

after(() => pki?.cleanup());

test('signed by the issuer: good, revoked (with time and reason), unknown', () => {
  const good = same(pki.ocsp('good', { cert: L.crt, issuer: I, signer: I }), L, 'good');
  assert.equal(good.ok, true);
  assert.equal(good.responder?.kind, 'issuer');
  assert.ok(good.checks.some((c) => /signature verifies/.test(c)));
  assert.equal(good.response?.hashAlgorithm, 'sha1');
  const rev = same(pki.ocsp('rev', { cert: L.crt, issuer: I, signer: I, status: 'revoked', reason: 'keyCompromise' }), L, 'revoked');
  assert.equal(rev.code, V.CERT_REVOKED);
  assert.equal(rev.code30, V.CERT_REVOKED);
  assert.equal(rev.response?.revocationTime, '2025-01-01T00:00:00.000Z');
  assert.equal(rev.response?.reason, 'Key Compromise');
  assert.match(rev.findings[0]!.detail, /revoked at 2025-01-01T00:00:00.000Z, reason: Key Compromise/);
  const unk = same(pki.ocsp('unk', { cert: L.crt, issuer: I, signer: I, status: 'unknown' }), L, 'unknown');
  assert.equal(unk.code, V.OCSP_CERT_UNKNOWN);
  assert.equal(unk.status, 'unknown');
});

test('without the responder certificate in the response: the issuer from the chain signs (good)', () => {
  const r = same(pki.ocsp('nocerts', { cert: L.crt, issuer: I, signer: I, noCerts: true }), L, 'good');
  assert.equal(r.responder?.embedded, false);
});

test('delegated responder: with id-kp-OCSPSigning good; without it, or issued by another CA, not authorized (97)', () => {
  const resp = pki.cert('Resp', { subj: '/CN=OCSP Responder', ca: I, ext: ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = OCSPSigning', 'noCheck = ignored'] });
  const d = same(pki.ocsp('del', { cert: L.crt, issuer: I, signer: resp }), L, 'good');
  assert.equal(d.responder?.kind, 'delegated');
  assert.equal(d.responder?.noCheck, true);
  const noEku = pki.cert('NoEku', { subj: '/CN=Not A Responder', ca: I, ext: ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature'] });
  const n = same(pki.ocsp('noeku', { cert: L.crt, issuer: I, signer: noEku }), L, 'verify-failed');
  assert.equal(n.code, V.OCSP_SIGNATURE_FAILURE);
  assert.equal(n.code30, V.OCSP_VERIFY_FAILED);
  assert.match(n.findings[0]!.detail, /lacks id-kp-OCSPSigning/);
  const stranger = pki.cert('Stranger', { subj: '/CN=Root Responder', ca: R, ext: ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = OCSPSigning'] });
  const s = same(pki.ocsp('stranger', { cert: L.crt, issuer: I, signer: stranger }), L, 'verify-failed');
  assert.match(s.findings[0]!.detail, /not the issuer .* and was not issued by it/);
  // A delegated responder that leaves its certificate out cannot be checked at all.
  const gone = same(pki.ocsp('del-nocerts', { cert: L.crt, issuer: I, signer: resp, noCerts: true }), L, 'verify-failed');
  assert.match(gone.findings[0]!.detail, /neither among the 0 certificate\(s\) in the response nor the issuer/);
});

test('a response for another certificate: no status for this one (100)', () => {
  const r = same(pki.ocsp('other', { cert: Other.crt, issuer: I, signer: I }), L, 'no-status');
  assert.equal(r.code, V.OCSP_NO_RESPONSE);
  assert.match(r.findings[0]!.detail, /none of the 1 status\(es\) in the response is for "ocsp.example"/);
});

test('a damaged signature (97)', () => {
  const b = bytes(pki.ocsp('tamper', { cert: L.crt, issuer: I, signer: I }));
  // The signature BIT STRING sits before the embedded certificates; flip a byte inside it.
  const basic = pkijs.BasicOCSPResponse.fromBER(pkijs.OCSPResponse.fromBER(b).responseBytes!.response.valueBlock.valueHexView.slice());
  const sig = new Uint8Array(basic.signature.valueBlock.valueHexView);
  const at = Buffer.from(b).indexOf(Buffer.from(sig));
  assert.ok(at > 0);
  b[at + 10] ^= 0x01;
  const r = same(b, L, 'verify-failed');
  assert.equal(r.code, V.OCSP_SIGNATURE_FAILURE);
});

test('stale and future-dated responses (99, 98), with OpenSSL\'s five minutes of leeway', () => {
  const base = pki.ocsp('dated', { cert: L.crt, issuer: I, signer: I });
  const now = Date.now();
  const stale = same(redate(base, I.key, { thisUpdate: new Date(now - 2 * 86400e3), nextUpdate: new Date(now - 86400e3) }), L, 'times-invalid');
  assert.equal(stale.code, V.OCSP_HAS_EXPIRED);
  const future = same(redate(base, I.key, { thisUpdate: new Date(now + 3600e3), nextUpdate: new Date(now + 7200e3) }), L, 'times-invalid');
  assert.equal(future.code, V.OCSP_NOT_YET_VALID);
  same(redate(base, I.key, { thisUpdate: new Date(now + 60e3), nextUpdate: new Date(now + 3600e3) }), L, 'good'); // within 300 s
  same(redate(base, I.key, { thisUpdate: new Date(now - 3600e3), nextUpdate: new Date(now - 60e3) }), L, 'good');
  // Deliberate difference: with fractional seconds in the times (RFC 5280 4.1.2.5.2 forbids them) OpenSSL 3.0's
  // X509_cmp_time gives up and OCSP_check_validity lets a stale response pass; we still compare the times.
  // Whole seconds plus fixed millis: from Date.now() directly, 1 run in 500 had a .000 that pkijs writes without a fraction.
  const second = Math.floor(now / 1000) * 1000;
  const fractional = redate(base, I.key, { thisUpdate: new Date(second - 2 * 86400e3 + 123), nextUpdate: new Date(second - 86400e3 + 456) }, true);
  const f = pki.p('fractional.der');
  fs.writeFileSync(f, fractional);
  assert.equal(osslOcsp(pki, f, { issuer: I.crt, cert: L.crt, CAfile: R.crt }).cls, 'good');
  assert.equal(checkOcspResponse(fractional, [...certs(L.crt), ...certs(I.crt)]).code, V.OCSP_HAS_EXPIRED);
});

test('not a status: a responder error (tryLater) and bytes that are no OCSPResponse (96)', () => {
  const tryLater = new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x03]);
  const r = same(tryLater, L, 'responder-error');
  assert.equal(r.code, V.OCSP_RESP_INVALID);
  assert.match(r.findings[0]!.detail, /tryLater/);
  const junk = checkOcspResponse(new Uint8Array([1, 2, 3]), certs(L.crt));
  assert.equal(junk.code, V.OCSP_RESP_INVALID);
  assert.match(junk.findings[0]!.detail, /does not decode/);
});

test('bounded: every single-byte corruption and truncation of a response gives a verdict, never an exception', () => {
  const b = bytes(pki.ocsp('fuzz', { cert: L.crt, issuer: I, signer: I }));
  const chain = [...certs(L.crt), ...certs(I.crt), ...certs(R.crt)];
  const t0 = Date.now();
  let accepted = 0;
  for (let i = 0; i < b.length; i++) {
    const m = b.slice();
    m[i] ^= 0x5a;
    const v = checkOcspResponse(m, chain);
    assert.ok(v.code >= 0 && v.name.length > 0);
    if (v.ok) accepted++;
    if (i % 7 === 0) assert.ok(typeof checkOcspResponse(b.subarray(0, i), chain).code === 'number');
  }
  // Only bytes outside the signed data (e.g. inside the embedded certificate) may change without notice.
  assert.ok(accepted < b.length / 2, `${accepted} of ${b.length} corruptions accepted`);
  assert.ok(Date.now() - t0 < 30000);
});

test('the issuer is found in an unordered bag; without it the response cannot be judged (74)', () => {
  const f = pki.ocsp('bag', { cert: L.crt, issuer: I, signer: I, noCerts: true });
  const bag = [...certs(L.crt), ...certs(R.crt), ...certs(Other.crt), ...certs(I.crt)];
  assert.equal(checkOcspResponse(bytes(f), bag).code, V.OK);
  const alone = checkOcspResponse(bytes(f), certs(L.crt));
  assert.equal(alone.code, V.OCSP_VERIFY_FAILED);
  assert.match(alone.findings[0]!.fix, /issuing CA/);
});

test('verifyChain with an OCSP response: revoked fails with 23; good settles the leaf for --crl_check; other answers fall back to the CRL', () => {
  // Deliberate difference: openssl 3.0 verify takes no OCSP response; this follows OpenSSL 3.6's X509_V_FLAG_OCSP_RESP_CHECK.
  const input = { target: certs(L.crt)[0]!, untrusted: certs(I.crt), trusted: certs(R.crt) };
  const rev = verifyChain(input, { ocspResponse: bytes(pki.ocsp('vc-rev', { cert: L.crt, issuer: I, signer: I, status: 'revoked', reason: 'superseded' })) });
  assert.deepEqual([rev.code, rev.errorDepth], [V.CERT_REVOKED, 0]);
  assert.equal(rev.revocation?.ocsp?.status, 'revoked');
  const good = bytes(pki.ocsp('vc-good', { cert: L.crt, issuer: I, signer: I }));
  assert.equal(verifyChain(input, { ocspResponse: good }).code, V.OK);
  assert.equal(verifyChain(input, { ocspResponse: good, crlCheck: 'leaf' }).code, V.OK, 'no CRL needed for the leaf');
  assert.equal(verifyChain(input, { ocspResponse: good, crlCheck: 'all' }).code, V.UNABLE_TO_GET_CRL, 'the CAs still need CRLs');
  const unknown = bytes(pki.ocsp('vc-unk', { cert: L.crt, issuer: I, signer: I, status: 'unknown' }));
  assert.equal(verifyChain(input, { ocspResponse: unknown }).code, V.OCSP_CERT_UNKNOWN);
  const fb = verifyChain(input, { ocspResponse: unknown, crlCheck: 'leaf' });
  assert.equal(fb.code, V.UNABLE_TO_GET_CRL);
  assert.ok(fb.warnings.some((w) => w.code === V.OCSP_CERT_UNKNOWN && /The CRL check decides instead/.test(w.detail)));
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => { out += s; }, err: (s) => { err += s; }, readFile: (p) => new Uint8Array(fs.readFileSync(p)), env: {}, readStdin: () => '' };
  const code = await main(argv, io);
  return { code, out, err };
}

test('cli: --ocsp_response FILE', async () => {
  const rev = pki.ocsp('cli-rev', { cert: L.crt, issuer: I, signer: I, status: 'revoked', reason: 'keyCompromise' });
  const r = await cli('verify', '--CAfile', R.crt, '--untrusted', I.crt, '--ocsp_response', rev, L.crt);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /error 23 at 0 depth lookup: certificate revoked/);
  assert.match(r.out, /OCSP \(depth 0\): revoked \[error 23 CERT_REVOKED\]; responder "OCSP Intermediate" \(issuer\)/);
  assert.match(r.out, /0 ocsp\.example: OCSP http:\/\/ocsp\.example\//);
  const ok = await cli('verify', '--CAfile', R.crt, '--untrusted', I.crt, '--ocsp_response', pki.ocsp('cli-good', { cert: L.crt, issuer: I, signer: I }), L.crt);
  assert.equal(ok.code, 0, ok.out);
});
