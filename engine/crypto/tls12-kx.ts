// Key exchange and signatures that only TLS 1.2 and older use: the RSA key exchange (the client encrypts the
// premaster secret to the server's certificate key; the server decrypts with implicit rejection), DHE over the
// server's own (p, g), and the TLS 1.0/1.1 signature forms. RSA through node:crypto, which keeps the key in
// OpenSSL; finite-field arithmetic with bigint.
import { constants as nodeConstants, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { KeyExchangeError } from './provider';
import { signRsaMd5Sha1 } from './signer';
import { spkiKeyObject } from './public-key-cache';
import { fromHex, toHex } from '../util/hex';

/** RFC 5246 section 7.4.7.1: the client's RSA-encrypted premaster, PKCS#1 v1.5 (RSAES-PKCS1-v1_5). */
export function rsaEncryptPremaster(spki: Uint8Array, premaster: Uint8Array): Uint8Array {
  const key = spkiKeyObject(spki);
  if (key.asymmetricKeyType !== 'rsa') throw new KeyExchangeError(`the RSA key exchange needs an RSA certificate key, not ${key.asymmetricKeyType}`);
  return new Uint8Array(publicEncrypt({ key, padding: nodeConstants.RSA_PKCS1_PADDING }, premaster));
}

/**
 * The server's side of the RSA key exchange with implicit rejection (RFC 5246 section 7.4.7.1): the block is
 * decrypted raw and unpadded here, and any failure (bad padding, wrong length, wrong version bytes) silently
 * yields a random premaster, so the handshake fails later at Finished, the same way whatever went wrong: a
 * padding oracle (Bleichenbacher, ROBOT) learns nothing. JavaScript gives no constant-time guarantee; the code
 * avoids data-dependent early exits so the timing is at least not obviously different.
 * @param clientVersion the version the client offered in its ClientHello (the first two premaster bytes).
 */
export function rsaDecryptPremaster(key: KeyObject, encrypted: Uint8Array, clientVersion: number, random: (n: number) => Uint8Array): Uint8Array {
  const fake = random(48);
  fake[0] = clientVersion >> 8;
  fake[1] = clientVersion & 0xff;
  const k = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  let em: Uint8Array;
  try {
    if (encrypted.length !== k) return fake;
    em = new Uint8Array(privateDecrypt({ key, padding: nodeConstants.RSA_NO_PADDING }, encrypted));
  } catch {
    return fake;
  }
  // EM = 0x00 || 0x02 || PS (at least 8 non-zero bytes) || 0x00 || M, with M 48 bytes.
  let good = (em.length === k ? 1 : 0) & (em[0] === 0 ? 1 : 0) & (em[1] === 2 ? 1 : 0);
  const sep = em.length - 49;
  for (let i = 2; i < sep; i++) good &= em[i] !== 0 ? 1 : 0;
  good &= sep >= 10 ? 1 : 0;
  good &= em[sep] === 0 ? 1 : 0;
  const m = em.subarray(em.length - 48);
  good &= (m[0] === clientVersion >> 8 ? 1 : 0) & (m[1] === (clientVersion & 0xff) ? 1 : 0);
  const out = new Uint8Array(48);
  const mask = -good & 0xff;
  for (let i = 0; i < 48; i++) out[i] = (m[i]! & mask) | (fake[i]! & ~mask & 0xff);
  return out;
}

/** OpenSSL's minimum at security level 1: DH groups under 1024 bits are refused (Logjam). */
export const MIN_DH_BITS = 1024;

function bytesToBigint(b: Uint8Array): bigint {
  return b.length ? BigInt(`0x${toHex(b)}`) : 0n;
}

function bigintToBytes(n: bigint, len: number): Uint8Array {
  return fromHex(n.toString(16).padStart(2 * len, '0'));
}

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n;
  let b = base % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

export interface CustomDh {
  bits: number;
  /** Our public value, left-padded to the length of p, and the private exponent kept here. */
  share: Uint8Array;
  /** g^(xy) mod p, with leading zeros stripped as RFC 5246 section 8.1.2 says for the premaster. */
  agree(peer: Uint8Array): Uint8Array;
}

/**
 * DHE over the (p, g) a TLS 1.2 server chose (RFC 5246 section 7.4.3). Refuses groups under MIN_DH_BITS
 * (insufficient_security is what RFC 7919 section 4 suggests; OpenSSL says "dh key too small") and peer
 * values outside 1 < Y < p-1.
 */
export function customDh(pBytes: Uint8Array, gBytes: Uint8Array, random: (n: number) => Uint8Array): CustomDh {
  const p = bytesToBigint(pBytes);
  const g = bytesToBigint(gBytes);
  const bits = p.toString(2).length;
  if (bits < MIN_DH_BITS) throw new KeyExchangeError(`the server's DH group has ${bits} bits, under the minimum of ${MIN_DH_BITS} (Logjam, RFC 7919 section 1)`);
  if ((p & 1n) === 0n) throw new KeyExchangeError('the server\'s DH prime is even');
  if (g <= 1n || g >= p - 1n) throw new KeyExchangeError('the server\'s DH generator is out of range');
  const len = Math.ceil(bits / 8);
  let x = 0n;
  for (let tries = 0; x < 2n; tries++) {
    if (tries > 64) throw new Error('the random source gives no valid DH exponent');
    x = bytesToBigint(random(Math.min(len, 64))) % (p - 2n);
  }
  const share = bigintToBytes(modPow(g, x, p), len);
  return {
    bits,
    share,
    agree(peer) {
      const y = bytesToBigint(peer);
      if (y <= 1n || y >= p - 1n) throw new KeyExchangeError('the peer\'s DH public value is out of range: it must be 1 < Y < p-1');
      const z = modPow(y, x, p);
      const bytes = bigintToBytes(z, len);
      let i = 0;
      while (i < bytes.length - 1 && bytes[i] === 0) i++;
      return bytes.subarray(i);
    },
  };
}

/** RFC 2246 section 7.4.3: TLS 1.0/1.1 signatures cover MD5(x) || SHA1(x) (RSA) or SHA1(x) (ECDSA). */
export function legacyDigest(kind: 'rsa' | 'ecdsa', message: Uint8Array): Uint8Array {
  if (kind === 'ecdsa') return sha1(message);
  const out = new Uint8Array(36);
  out.set(md5(message), 0);
  out.set(sha1(message), 16);
  return out;
}

const EC_BY_CURVE: Record<string, { curve: typeof p256; len: number }> = { prime256v1: { curve: p256, len: 32 }, secp384r1: { curve: p384, len: 48 }, secp521r1: { curve: p521, len: 66 } };

/** A TLS 1.0/1.1 (and SSL 3.0) ServerKeyExchange or CertificateVerify signature with `key` (RSA or ECDSA). */
export function signLegacy(key: KeyObject, message: Uint8Array): Uint8Array {
  if (key.asymmetricKeyType === 'rsa') return signRsaMd5Sha1(key, legacyDigest('rsa', message));
  if (key.asymmetricKeyType === 'ec') {
    const row = EC_BY_CURVE[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!row) throw new Error('only P-256, P-384 and P-521 keys sign in TLS');
    const jwk = key.export({ format: 'jwk' });
    const d = new Uint8Array(Buffer.from(String(jwk.d), 'base64url'));
    const scalar = new Uint8Array(row.len);
    scalar.set(d, row.len - d.length);
    return row.curve.sign(legacyDigest('ecdsa', message), scalar, { prehash: false, format: 'der', lowS: true });
  }
  throw new Error(`a ${key.asymmetricKeyType} key cannot sign in TLS 1.0/1.1`);
}
