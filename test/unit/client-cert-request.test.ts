// The CertificateRequest decoded for people and the client-certificate verdict (engine/tools/client-cert-request.ts),
// and candidates from PEM and PKCS#12 files (engine/tools/client-cert-candidates.ts), on the fixtures of
// test/fixtures/pki: RFC 8446 section 4.3.2 (TLS 1.3 form), RFC 5246 section 7.4.4 (TLS 1.2 form), RFC 8446
// section 4.2.4 (certificate_authorities), RFC 7292 (PKCS#12).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeCertificateRequest, encodeCertificateRequest } from '../../engine/msgs/handshake';
import { decodeCertificateRequest12, encodeCertificateRequest12 } from '../../engine/msgs/handshake12';
import { ext } from '../../engine/msgs/extensions';
import { certificateSubjectDer } from '../../engine/cli/commands/serve';
import { certificateRequestText, judgeClientCertificate, summarizeCertificateRequest } from '../../engine/tools/client-cert-request';
import { identityFromPkcs12, judgeCandidates, pemCandidate, pkcs12Candidate } from '../../engine/tools/client-cert-candidates';
import { scanPem } from '../../engine/pem/blocks';

const PKI = (n: string) => path.resolve('test/fixtures/pki', n);
const der = (n: string) => scanPem(fs.readFileSync(PKI(n), 'utf8')).blocks[0]!.der!;
const leaf = der('leaf.crt');
const intermediate = der('intermediate-ca.crt');
const root = der('root-ca.crt');

function request13(names: Uint8Array[], sigalgs = [0x0403, 0x0804]) {
  const raw = encodeCertificateRequest({ type: 'certificate_request', extensions: [ext.signatureAlgorithms(sigalgs), ...(names.length ? [ext.certificateAuthorities(names)] : [])] });
  return summarizeCertificateRequest(decodeCertificateRequest(raw));
}

test('TLS 1.3 request: signature algorithms and CA names decoded as readable DNs', () => {
  const r = request13([certificateSubjectDer(intermediate)]);
  assert.equal(r.versionName, 'TLSv1.3');
  assert.equal(r.context, '');
  assert.deepEqual(r.signatureAlgorithms.map((s) => s.name), ['ecdsa_secp256r1_sha256', 'rsa_pss_rsae_sha256']);
  assert.deepEqual(r.certificateAuthorities.map((c) => c.text), ['C = US, O = TLS Lens Test, CN = TLS Lens Test Intermediate CA']);
  assert.deepEqual(r.extensions, ['signature_algorithms', 'certificate_authorities']);
  assert.ok(certificateRequestText(r).includes('    C = US, O = TLS Lens Test, CN = TLS Lens Test Intermediate CA'));
});

test('a leaf issued by a named CA fits; a CA named only higher up is reached through the chain; an unrelated CA is not', () => {
  const direct = judgeClientCertificate(request13([certificateSubjectDer(intermediate)]), { chain: [leaf] });
  assert.equal(direct.fits, true, JSON.stringify(direct));
  assert.equal(direct.scheme?.name, 'ecdsa_secp256r1_sha256');
  // The root is named: the leaf's issuer is the intermediate, whose issuer is the root (RFC 8446 4.2.4: any CA on the path).
  const viaChain = judgeClientCertificate(request13([certificateSubjectDer(root)]), { chain: [leaf, intermediate] });
  assert.equal(viaChain.fits, true, JSON.stringify(viaChain));
  const withoutIntermediate = judgeClientCertificate(request13([certificateSubjectDer(root)]), { chain: [leaf] });
  assert.equal(withoutIntermediate.fits, false);
  assert.match(withoutIntermediate.checks.find((c) => c.check === 'issuer')!.reason, /^the chain does not reach any CA the server named: its issuers are "C = US, O = TLS Lens Test, CN = TLS Lens Test Intermediate CA"; the server named "C = US, O = TLS Lens Test, OU = PKI \+ OU = Testing, CN = TLS Lens Test Root CA"$/);
  const other = judgeClientCertificate(request13([certificateSubjectDer(der('ec-p384.crt'))]), { chain: [leaf, intermediate] });
  assert.equal(other.fits, false);
});

test('TLS 1.3: an EC P-256 key against a request for ed25519 only has no scheme in common; no CA names means any issuer', () => {
  const f = judgeClientCertificate(request13([], [0x0807]), { chain: [leaf] });
  assert.equal(f.fits, false);
  assert.deepEqual(f.checks.map((c) => [c.check, c.ok]), [['signature', false], ['issuer', true]]);
  assert.match(f.checks[0]!.reason, /^no signature scheme in common: the key can sign with ecdsa_secp256r1_sha256; the server accepts only ed25519$/);
});

test('TLS 1.2 request: certificate_types decide the key type (rsa_sign refuses an EC key); TLS 1.1 names no algorithms', () => {
  const raw = encodeCertificateRequest12({ type: 'certificate_request12', certificateTypes: [1], supportedSignatureAlgorithms: [0x0401, 0x0403], certificateAuthorities: [] });
  const r = summarizeCertificateRequest(decodeCertificateRequest12(raw));
  assert.equal(r.versionName, 'TLSv1.2');
  assert.deepEqual(r.certificateTypes?.map((t) => t.name), ['rsa_sign']);
  const f = judgeClientCertificate(r, { chain: [leaf] });
  assert.equal(f.fits, false);
  assert.match(f.checks[0]!.reason, /is not of a type the server takes: it asked for rsa_sign/);
  // TLS 1.2 reads ecdsa_secp256r1_sha256 as (SHA-256, ECDSA): it is still the key's scheme here.
  assert.equal(f.scheme?.name, 'ecdsa_secp256r1_sha256');
  const raw11 = encodeCertificateRequest12({ type: 'certificate_request12', certificateTypes: [64], certificateAuthorities: [certificateSubjectDer(intermediate)] }, );
  const r11 = summarizeCertificateRequest(decodeCertificateRequest12(raw11, 0x0302), 0x0302);
  assert.deepEqual(r11.signatureAlgorithms, []);
  assert.equal(judgeClientCertificate(r11, { chain: [leaf] }).fits, true);
});

test('candidates: a PEM file with a certificate and key; PKCS#12 locked without its password, judged with it, opened as an identity', () => {
  const pem = pemCandidate(fs.readFileSync(PKI('leaf.crt'), 'utf8') + fs.readFileSync(PKI('leaf.key'), 'utf8'), 'leaf.pem');
  assert.equal(pem?.chain?.length, 1);
  assert.equal(pemCandidate(fs.readFileSync(PKI('leaf.crt'), 'utf8'), 'cert only'), undefined);
  const p12 = fs.readFileSync(PKI('pkcs12/leaf.p12'));
  assert.equal(pkcs12Candidate(p12, 'leaf.p12').locked, 'needs-passphrase');
  assert.match(pkcs12Candidate(p12, 'leaf.p12', 'wrong').problem ?? '', /passphrase does not open/);
  const open = pkcs12Candidate(p12, 'leaf.p12', 'tlslens');
  assert.equal(open.chain?.length, 2);
  assert.deepEqual(open.chain![0], leaf, 'the certificate with the key\'s localKeyID comes first');
  const req = request13([certificateSubjectDer(root)]);
  const ranked = judgeCandidates(req, [pkcs12Candidate(p12, 'locked.p12'), pem!, open]);
  assert.deepEqual(ranked.map((c) => [c.source, c.fit?.fits]), [['leaf.p12', true], ['locked.p12', undefined], ['leaf.pem', false]]);
  const id = identityFromPkcs12(p12, 'leaf.p12', 'tlslens');
  assert.deepEqual(id.signer.schemes, [0x0403]);
  assert.throws(() => identityFromPkcs12(fs.readFileSync(PKI('pkcs12/chain.nokeys.p12')), 'chain.nokeys.p12', 'tlslens'), /no private key/);
});
