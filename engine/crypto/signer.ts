// Signing with a private key for TLS (RFC 8446 section 4.2.3 and 4.4.3; RFC 5246 section 7.4.1.4.1).
// ECDSA and EdDSA through @noble/curves, RSA (PKCS#1 v1.5 and PSS) through node:crypto, which keeps the key in
// OpenSSL. For EC and EdDSA the private scalar is exported once from the KeyObject (as JWK) into this closure and
// goes nowhere else: it is never logged, returned, or attached to the Signer object.
import { constants as nodeConstants, privateEncrypt, sign as nodeSign } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import type { PrivateKeyHandle } from './node-keys';
import type { Signer } from './provider';
import { rsaDecryptPremaster, signLegacy } from './tls12-kx';

type RsaHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

const HASH_LEN: Record<RsaHash, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };
/** DER DigestInfo length (RFC 8017 section 9.2 note 1) for the PKCS#1 v1.5 size check: 15/19 + hash length. */
const DIGEST_INFO_LEN: Record<RsaHash, number> = { sha1: 35, sha256: 51, sha384: 67, sha512: 83 };

const RSA_PSS_RSAE: Array<[number, RsaHash]> = [[0x0804, 'sha256'], [0x0805, 'sha384'], [0x0806, 'sha512']];
const RSA_PSS_PSS: Array<[number, RsaHash]> = [[0x0809, 'sha256'], [0x080a, 'sha384'], [0x080b, 'sha512']];
const RSA_PKCS1: Array<[number, RsaHash]> = [[0x0401, 'sha256'], [0x0501, 'sha384'], [0x0601, 'sha512'], [0x0201, 'sha1']];

const EC_CURVES: Record<string, { scheme: number; curve: typeof p256; hash: (m: Uint8Array) => Uint8Array; len: number }> = {
  prime256v1: { scheme: 0x0403, curve: p256, hash: sha256, len: 32 },
  secp384r1: { scheme: 0x0503, curve: p384, hash: sha384, len: 48 },
  secp521r1: { scheme: 0x0603, curve: p521, hash: sha512, len: 66 },
};

function jwkScalar(key: PrivateKeyHandle, len: number): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.d !== 'string') throw new Error('the private key has no private scalar to export');
  const d = new Uint8Array(Buffer.from(jwk.d, 'base64url'));
  if (d.length === len) return d;
  if (d.length > len) throw new Error('the private scalar is longer than the curve allows');
  const padded = new Uint8Array(len);
  padded.set(d, len - d.length);
  return padded;
}

function unsupported(scheme: number, schemes: number[]): never {
  throw new Error(`this key cannot sign with scheme 0x${scheme.toString(16).padStart(4, '0')}; it offers ${schemes.map((s) => '0x' + s.toString(16).padStart(4, '0')).join(', ')}`);
}

/**
 * A Signer for a private key: the TLS signature schemes it can make, in preference order, and `sign`.
 * - EC P-256 / P-384 / P-521: ecdsa_secp256r1_sha256 / _secp384r1_sha384 / _secp521r1_sha512 (DER signatures,
 *   deterministic k per RFC 6979, low-S).
 * - Ed25519 / Ed448: ed25519 / ed448 (RFC 8032, the message itself, no prehash).
 * - RSA: rsa_pss_rsae_sha256/384/512, then rsa_pkcs1_sha256/384/512, then rsa_pkcs1_sha1 (PSS salt = hash
 *   length); schemes the modulus is too short for are left out.
 * - RSA-PSS: rsa_pss_pss_sha256/384/512, or only the one its PSS parameters allow.
 * @throws for key types that cannot sign TLS handshakes (X25519, X448, DSA, DH, other EC curves).
 */
export function signerFor(key: PrivateKeyHandle): Signer {
  if (key.type !== 'private') throw new Error('signerFor needs a private key');
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};

  if (type === 'ec') {
    const row = EC_CURVES[details.namedCurve ?? ''];
    if (!row) throw new Error(`EC keys on curve ${details.namedCurve ?? '(explicit parameters)'} cannot sign in TLS; only P-256, P-384 and P-521`);
    const d = jwkScalar(key, row.len);
    const schemes = [row.scheme];
    const hashName = row.scheme === 0x0403 ? 'sha256' : row.scheme === 0x0503 ? 'sha384' : 'sha512';
    // TLS 1.2: ECDSA with SHA-256/384/512 (and SHA-1) on this curve, the curve's own hash first.
    const schemes12 = [row.scheme, ...[0x0403, 0x0503, 0x0603, 0x0203].filter((s) => s !== row.scheme)];
    const hash12: Record<number, (m: Uint8Array) => Uint8Array> = { 0x0403: sha256, 0x0503: sha384, 0x0603: sha512, 0x0203: sha1 };
    const nodeHash12: Record<number, string> = { 0x0403: 'sha256', 0x0503: 'sha384', 0x0603: 'sha512', 0x0203: 'sha1' };
    return {
      schemes,
      keyKind: 'ECDSA',
      schemes12,
      sign12(scheme, message) {
        const h = hash12[scheme];
        if (!h) unsupported(scheme, schemes12);
        return row.curve.sign(h(message), d, { prehash: false, format: 'der', lowS: true });
      },
      signLegacy: (message) => signLegacy(key, message),
      native: {
        schemes, keyKind: 'ECDSA', schemes12,
        sign12(scheme, message) {
          const h = nodeHash12[scheme];
          if (!h) unsupported(scheme, schemes12);
          return new Uint8Array(nodeSign(h, message, { key, dsaEncoding: 'der' }));
        },
        signLegacy: (message) => signLegacy(key, message),
        sign(scheme, message) {
          if (scheme !== row.scheme) unsupported(scheme, schemes);
          return new Uint8Array(nodeSign(hashName, message, { key, dsaEncoding: 'der' }));
        },
      },
      sign(scheme, message) {
        if (scheme !== row.scheme) unsupported(scheme, schemes);
        return row.curve.sign(row.hash(message), d, { prehash: false, format: 'der', lowS: true });
      },
    };
  }

  if (type === 'ed25519' || type === 'ed448') {
    const curve = type === 'ed25519' ? ed25519 : ed448;
    const seed = jwkScalar(key, type === 'ed25519' ? 32 : 57);
    const schemes = [type === 'ed25519' ? 0x0807 : 0x0808];
    return {
      schemes,
      keyKind: 'EdDSA',
      native: {
        schemes, keyKind: 'EdDSA',
        sign(scheme, message) {
          if (scheme !== schemes[0]) unsupported(scheme, schemes);
          return new Uint8Array(nodeSign(null, message, key));
        },
      },
      sign(scheme, message) {
        if (scheme !== schemes[0]) unsupported(scheme, schemes);
        return curve.sign(message, seed);
      },
    };
  }

  if (type === 'rsa' || type === 'rsa-pss') {
    const modBits = details.modulusLength ?? 0;
    const emLen = Math.ceil((modBits - 1) / 8); // RFC 8017 section 9.1.1: emLen >= hLen + sLen + 2
    const k = Math.ceil(modBits / 8); // RFC 8017 section 9.2: k >= tLen + 11
    const pssFits = (h: RsaHash) => emLen >= 2 * HASH_LEN[h] + 2;
    const pkcs1Fits = (h: RsaHash) => k >= DIGEST_INFO_LEN[h] + 11;
    const table = new Map<number, { hash: RsaHash; pss: boolean }>();
    if (type === 'rsa') {
      for (const [s, h] of RSA_PSS_RSAE) if (pssFits(h)) table.set(s, { hash: h, pss: true });
      for (const [s, h] of RSA_PKCS1) if (pkcs1Fits(h)) table.set(s, { hash: h, pss: false });
    } else {
      // An RSASSA-PSS key may carry parameters (RFC 4055 section 3.1): a fixed hash, MGF1 hash and minimum salt.
      const keyHash = details.hashAlgorithm;
      const mgfHash = details.mgf1HashAlgorithm ?? keyHash;
      const minSalt = details.saltLength ?? 0;
      for (const [s, h] of RSA_PSS_PSS) {
        if (keyHash !== undefined && (keyHash !== h || mgfHash !== h)) continue;
        if (minSalt > HASH_LEN[h] || !pssFits(h)) continue;
        table.set(s, { hash: h, pss: true });
      }
    }
    const schemes = [...table.keys()];
    return {
      schemes,
      keyKind: type === 'rsa' ? 'RSA' : 'RSA-PSS',
      ...(type === 'rsa' ? {
        signLegacy: (message: Uint8Array) => signLegacy(key, message),
        decryptPremaster: (encrypted: Uint8Array, clientVersion: number, random: (n: number) => Uint8Array) => rsaDecryptPremaster(key, encrypted, clientVersion, random),
      } : {}),
      sign(scheme, message) {
        const row = table.get(scheme);
        if (!row) unsupported(scheme, schemes);
        const opts = row.pss
          ? { key, padding: nodeConstants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_LEN[row.hash] }
          : { key, padding: nodeConstants.RSA_PKCS1_PADDING };
        return new Uint8Array(nodeSign(row.hash, message, opts));
      },
    };
  }

  throw new Error(`a ${type ?? 'unknown'} key cannot sign TLS handshakes`);
}

/**
 * The TLS 1.0/1.1 RSA signature (RFC 2246 section 7.4.3): PKCS#1 v1.5 block type 1 over the bare 36-byte
 * MD5(x) || SHA1(x), without a DigestInfo. Counterpart of noble.ts verifyRsaMd5Sha1.
 */
export function signRsaMd5Sha1(key: PrivateKeyHandle, digest36: Uint8Array): Uint8Array {
  if (key.asymmetricKeyType !== 'rsa') throw new Error('the MD5+SHA1 signature needs an RSA key');
  if (digest36.length !== 36) throw new RangeError('the MD5+SHA1 digest is 36 bytes');
  return new Uint8Array(privateEncrypt({ key, padding: nodeConstants.RSA_PKCS1_PADDING }, digest36));
}
