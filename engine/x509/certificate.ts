// X.509 certificates (RFC 5280 section 4.1), decoded field by field.
import * as asn1js from 'asn1js';
import { sha256 } from '@noble/hashes/sha2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { oidEntry } from '../registry/oids';
import { colonHex, colonHexUpper } from '../util/hex';
import { childrenOf, contentOf, contextTag, DerError, oidOf, parseDer, rawOf } from './der';
import { decodeExtensions, subjectAltNames } from './extensions';
import { decodeName } from './name';
import { decodeSpki } from './public-key';
import { judgeValidity } from './validity';
import type { CertificateInfo } from './types';
import { BoundedCache, bytesKey } from '../util/bounded-cache';

export function decodeCertificate(der: Uint8Array, now = new Date()): CertificateInfo {
  const root = parseDer(der, 'Certificate');
  const [tbs, sigAlg, sig] = childrenOf(root, 'Certificate');
  if (!tbs || !sigAlg || !(sig instanceof asn1js.BitString))
    throw new DerError('Certificate', 'expected SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }');
  const f = childrenOf(tbs, 'tbsCertificate');
  let i = 0;
  let version = 1;
  if (f[0] && contextTag(f[0]) === 0) {
    const [v] = childrenOf(f[0], 'tbsCertificate.version');
    if (!(v instanceof asn1js.Integer)) throw new DerError('tbsCertificate.version', 'expected an INTEGER'); // fuzzing: an empty [0]
    version = Number(v.valueBlock.valueDec) + 1;
    i++;
  }
  const serialBlock = f[i++];
  if (!(serialBlock instanceof asn1js.Integer)) throw new DerError('tbsCertificate.serialNumber', 'expected an INTEGER');
  i++; // tbsCertificate.signature repeats the outer algorithm (checked by path validation, not here)
  const issuer = decodeName(need(f[i++], 'tbsCertificate.issuer'), 'tbsCertificate.issuer');
  const [nb, na] = childrenOf(need(f[i++], 'tbsCertificate.validity'), 'tbsCertificate.validity');
  const notBefore = timeOf(nb, 'tbsCertificate.validity.notBefore');
  const notAfter = timeOf(na, 'tbsCertificate.validity.notAfter');
  const subject = decodeName(need(f[i++], 'tbsCertificate.subject'), 'tbsCertificate.subject');
  const publicKey = decodeSpki(need(f[i++], 'tbsCertificate.subjectPublicKeyInfo'), 'tbsCertificate.subjectPublicKeyInfo');
  let extensions: CertificateInfo['extensions'] = [];
  for (; i < f.length; i++) {
    if (contextTag(f[i]!) === 3) {
      const [seq] = childrenOf(f[i]!, 'tbsCertificate.extensions');
      extensions = decodeExtensions(childrenOf(need(seq, 'tbsCertificate.extensions'), 'tbsCertificate.extensions'));
    }
  }
  const sigOid = oidOf(childrenOf(sigAlg, 'signatureAlgorithm')[0], 'signatureAlgorithm.algorithm');
  // X509_print_ex: decimal when the magnitude fits in a long (with its sign), else the
  // magnitude's bytes in hex (no sign byte).
  const serialBytes = stripSignByte(contentOf(serialBlock));
  const serialValue = (serialBlock as asn1js.Integer).toBigInt();
  const bc = extensions.find((e) => e.oid === '2.5.29.19')?.value as { ca: boolean } | undefined;
  return {
    version,
    serialHex: colonHex(serialBytes),
    ...((serialValue < 0n ? -serialValue : serialValue) <= 0x7fffffffffffffffn ? { serialDecimal: serialValue.toString() } : {}),
    ...(serialValue < 0n ? { serialNegative: true } : {}),
    subject,
    issuer,
    validity: judgeValidity(notBefore, notAfter, now),
    publicKey,
    signatureAlgorithm: oidEntry(sigOid)?.long ?? sigOid,
    signatureAlgorithmOid: sigOid,
    subjectAltNames: subjectAltNames(extensions),
    extensions,
    fingerprints: { sha1: colonHexUpper(sha1(rawOf(root))), sha256: colonHexUpper(sha256(rawOf(root))) },
    selfIssued: subject.text === issuer.text,
    isCA: !!bc?.ca,
  };
}

/** The DER SubjectPublicKeyInfo of a certificate, exactly as encoded (for key matching). */
export function certificateSpki(der: Uint8Array): Uint8Array {
  // A server's certificate arrives again on every connection: its SPKI is found once (a full DER parse is most
  // of a resumed handshake's CPU otherwise).
  return spkiCache.get(bytesKey(der), () => certificateSpkiUncached(der));
}

const spkiCache = new BoundedCache<string, Uint8Array>(256);

function certificateSpkiUncached(der: Uint8Array): Uint8Array {
  const root = parseDer(der, 'Certificate');
  const f = childrenOf(childrenOf(root, 'Certificate')[0]!, 'tbsCertificate');
  const offset = f[0] && contextTag(f[0]) === 0 ? 1 : 0;
  return rawOf(need(f[offset + 5], 'tbsCertificate.subjectPublicKeyInfo'));
}

/**
 * What signed a certificate, without decoding the rest: its signatureAlgorithm OID, and whether it names itself as
 * its issuer (a self-issued certificate begins a path; its signature is not checked, RFC 5280 section 3.2).
 */
export function certificateSignature(der: Uint8Array): { oid: string; selfIssued: boolean } {
  return signatureCache.get(bytesKey(der), () => {
    const [tbs, sigAlg] = childrenOf(parseDer(der, 'Certificate'), 'Certificate');
    const f = childrenOf(need(tbs, 'tbsCertificate'), 'tbsCertificate');
    const offset = f[0] && contextTag(f[0]) === 0 ? 1 : 0;
    const issuer = rawOf(need(f[offset + 2], 'tbsCertificate.issuer'));
    const subject = rawOf(need(f[offset + 4], 'tbsCertificate.subject'));
    const oid = oidOf(childrenOf(need(sigAlg, 'signatureAlgorithm'), 'signatureAlgorithm')[0], 'signatureAlgorithm.algorithm');
    return { oid, selfIssued: issuer.length === subject.length && issuer.every((b, i) => b === subject[i]) };
  });
}

const signatureCache = new BoundedCache<string, { oid: string; selfIssued: boolean }>(256);

/** OpenSSL's TRUSTED CERTIFICATE (X509_AUX) is a certificate followed by trust settings: the certificate's bytes. */
export function certificateOfTrusted(der: Uint8Array): Uint8Array {
  return der.subarray(0, rawOf(parseDer(der, 'TRUSTED CERTIFICATE', true)).length);
}

export function need<T>(v: T | undefined, field: string): T {
  if (v === undefined) throw new DerError(field, 'missing');
  return v;
}

export function timeOf(block: asn1js.AsnType | undefined, field: string): Date {
  if (block instanceof asn1js.UTCTime || block instanceof asn1js.GeneralizedTime) return block.toDate();
  throw new DerError(field, 'expected UTCTime or GeneralizedTime');
}

export function stripSignByte(b: Uint8Array): Uint8Array {
  return b.length > 1 && b[0] === 0 ? b.subarray(1) : b;
}
