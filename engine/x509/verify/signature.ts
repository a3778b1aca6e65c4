// Certificate signature verification by the signatureAlgorithm OID (RFC 3279, RFC 4055, RFC 5758, RFC 8410).
// PKCS#1 v1.5, ECDSA and EdDSA go through engine/crypto's verifySignature with the RFC 5246 (hash, signature)
// reading of TLS code points (noble for EC/Ed, node:crypto for RSA); RSASSA-PSS with its own parameters uses
// node:crypto directly, as the salt length and hash come from the certificate, not from a TLS scheme.
import * as asn1js from 'asn1js';
import { constants as nodeConstants, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { verifySignature } from '../../crypto/noble';
import { V } from '../../registry/x509-verify-errors';
import { decodeSpkiBytes } from '../public-key';
import type { VCert } from './cert';

export type HashName = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
type KeyKind = 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'Ed448';

interface SigAlg {
  name: string;
  kind: 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'eddsa';
  hash?: HashName;
  keys: KeyKind[];
}

const HASH_BYTE: Record<HashName, number> = { md5: 1, sha1: 2, sha224: 3, sha256: 4, sha384: 5, sha512: 6 };

export const SIG_ALGS: Record<string, SigAlg> = {
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', kind: 'rsa-pkcs1', hash: 'md5', keys: ['RSA'] },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', kind: 'rsa-pkcs1', hash: 'sha1', keys: ['RSA'] },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', kind: 'rsa-pkcs1', hash: 'sha224', keys: ['RSA'] },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', kind: 'rsa-pkcs1', hash: 'sha256', keys: ['RSA'] },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', kind: 'rsa-pkcs1', hash: 'sha384', keys: ['RSA'] },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', kind: 'rsa-pkcs1', hash: 'sha512', keys: ['RSA'] },
  '1.2.840.113549.1.1.10': { name: 'rsassaPss', kind: 'rsa-pss', keys: ['RSA', 'RSA-PSS'] },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', kind: 'ecdsa', hash: 'sha1', keys: ['EC'] },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', kind: 'ecdsa', hash: 'sha224', keys: ['EC'] },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', kind: 'ecdsa', hash: 'sha256', keys: ['EC'] },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', kind: 'ecdsa', hash: 'sha384', keys: ['EC'] },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', kind: 'ecdsa', hash: 'sha512', keys: ['EC'] },
  '1.3.101.112': { name: 'ED25519', kind: 'eddsa', keys: ['Ed25519'] },
  '1.3.101.113': { name: 'ED448', kind: 'eddsa', keys: ['Ed448'] },
};

const HASH_OIDS: Record<string, HashName> = {
  '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.4': 'sha224', '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512', '1.2.840.113549.2.5': 'md5',
};

export interface PssParams { hash: HashName; mgfHash: HashName; saltLength: number }

/** RSASSA-PSS-params (RFC 4055 section 3.1), defaults SHA-1 / MGF1-SHA-1 / 20. Undefined when malformed or unknown. */
export function pssParams(params: Uint8Array | undefined): PssParams | undefined {
  const out: PssParams = { hash: 'sha1', mgfHash: 'sha1', saltLength: 20 };
  if (!params) return out;
  const seq = asn1js.fromBER(params).result;
  if (!(seq instanceof asn1js.Sequence)) return undefined;
  for (const f of seq.valueBlock.value) {
    const tag = f.idBlock.tagNumber;
    const inner = (f as asn1js.Constructed).valueBlock.value?.[0];
    if (!inner) return undefined;
    if (tag === 0 || tag === 1) {
      const alg = (inner as asn1js.Sequence).valueBlock.value;
      const oid = (alg[0] as asn1js.ObjectIdentifier).valueBlock.toString();
      if (tag === 0) {
        const h = HASH_OIDS[oid];
        if (!h) return undefined;
        out.hash = h;
      } else {
        if (oid !== '1.2.840.113549.1.1.8') return undefined; // MGF1 only
        const hOid = ((alg[1] as asn1js.Sequence)?.valueBlock.value[0] as asn1js.ObjectIdentifier | undefined)?.valueBlock.toString();
        const h = hOid ? HASH_OIDS[hOid] : undefined;
        if (!h) return undefined;
        out.mgfHash = h;
      }
    } else if (tag === 2) {
      out.saltLength = (inner as asn1js.Integer).valueBlock.valueDec;
    } else if (tag === 3) {
      if ((inner as asn1js.Integer).valueBlock.valueDec !== 1) return undefined;
    }
  }
  return out;
}

/** The digest a certificate's signature uses (for weak-algorithm checks); Ed25519/Ed448 report their own. */
export function signatureDigest(c: VCert): HashName | 'ed25519' | 'ed448' | undefined {
  const alg = SIG_ALGS[c.sigAlgOid];
  if (!alg) return undefined;
  if (alg.kind === 'rsa-pss') return pssParams(c.sigAlgParams)?.hash;
  if (alg.kind === 'eddsa') return alg.name === 'ED25519' ? 'ed25519' : 'ed448';
  return alg.hash;
}

export type SigCheck = { ok: true } | { ok: false; code: number; detail: string };

/** Anything signed by a certificate's key: a certificate, a CRL (RFC 5280 5.1.1), an OCSP response (RFC 6960 4.2.1). */
export interface Signed {
  sigAlgOid: string;
  sigAlgParams?: Uint8Array;
  tbs: Uint8Array;
  signature: Uint8Array;
}

// Candidate paths share most links, and a bag of look-alike CAs makes the builder try the same pairs again:
// results are kept, keyed by the very byte arrays signed (so a modified copy is checked afresh), until those go.
const SIG_CACHE = new WeakMap<Uint8Array, WeakMap<Uint8Array, Map<string, SigCheck>>>();

/** Checks `subject`'s signature with `issuer`'s public key. Never throws. */
export function checkCertSignature(subject: VCert, issuer: VCert): SigCheck {
  return checkSigned({ sigAlgOid: subject.sigAlgOid, ...(subject.sigAlgParams ? { sigAlgParams: subject.sigAlgParams } : {}), tbs: subject.tbs, signature: subject.signature }, issuer);
}

/** Checks a signature over `obj.tbs` with `issuer`'s public key. Never throws. */
export function checkSigned(obj: Signed, issuer: VCert): SigCheck {
  let bySig = SIG_CACHE.get(obj.tbs);
  if (!bySig) SIG_CACHE.set(obj.tbs, (bySig = new WeakMap()));
  let byIssuer = bySig.get(obj.signature);
  if (!byIssuer) bySig.set(obj.signature, (byIssuer = new Map()));
  const key = `${issuer.id}|${obj.sigAlgOid}`;
  let r = byIssuer.get(key);
  if (!r) byIssuer.set(key, (r = verifyWith(obj, issuer)));
  return r;
}

function verifyWith(subject: Signed, issuer: VCert): SigCheck {
  const alg = SIG_ALGS[subject.sigAlgOid];
  if (!alg) return { ok: false, code: V.UNSUPPORTED_SIGNATURE_ALGORITHM, detail: `signature algorithm ${subject.sigAlgOid} is not supported` };
  let keyAlg: string;
  try {
    keyAlg = decodeSpkiBytes(issuer.spki).algorithm;
  } catch (e) {
    return { ok: false, code: V.UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, detail: `the issuer's public key cannot be read: ${(e as Error).message}` };
  }
  if (!alg.keys.includes(keyAlg as KeyKind))
    return { ok: false, code: V.SIGNATURE_ALGORITHM_MISMATCH, detail: `${alg.name} signature, but the issuer "${issuer.label}" has a ${keyAlg} key` };
  let ok: boolean;
  if (alg.kind === 'rsa-pss') {
    const p = pssParams(subject.sigAlgParams);
    if (!p) return { ok: false, code: V.UNSUPPORTED_SIGNATURE_ALGORITHM, detail: 'RSASSA-PSS parameters are malformed or use an unsupported hash/mask function' };
    if (p.mgfHash !== p.hash) return { ok: false, code: V.UNSUPPORTED_SIGNATURE_ALGORITHM, detail: `RSASSA-PSS with MGF1-${p.mgfHash} and ${p.hash} differ; not supported` };
    try {
      ok = nodeVerify(p.hash, subject.tbs, {
        key: createPublicKey({ key: Buffer.from(issuer.spki), format: 'der', type: 'spki' }),
        padding: nodeConstants.RSA_PKCS1_PSS_PADDING,
        saltLength: p.saltLength,
      }, subject.signature);
    } catch {
      ok = false;
    }
  } else {
    const scheme = alg.kind === 'eddsa' ? (alg.name === 'ED25519' ? 0x0807 : 0x0808)
      : (HASH_BYTE[alg.hash!] << 8) | (alg.kind === 'ecdsa' ? 3 : 1);
    try {
      ok = verifySignature(scheme, issuer.spki, subject.tbs, subject.signature, { tls12: true });
    } catch {
      ok = false;
    }
  }
  return ok ? { ok: true } : { ok: false, code: V.CERT_SIGNATURE_FAILURE, detail: `the ${alg.name} signature does not verify with the public key of "${issuer.label}"` };
}
