// The CryptoProvider of provider.ts filled with @noble/* (hashes, HMAC/HKDF, AEADs, ECDH/X25519/X448, ECDSA and
// EdDSA verification, ML-KEM-768), finite-field DH in bigint, and RSA verification through node:crypto (noble has
// no RSA). Only engine/crypto/* imports a crypto library; private keys for signing live in signer.ts.
//
// noble defaults that bite in TLS (design/models.md section 4), and what this file does about them:
// - ECDSA: TLS carries DER and OpenSSL signs high-S, so verification is `format: 'der', lowS: false`, and the
//   digest is computed here and passed with `prehash: false` (the scheme, not the curve, picks the hash).
// - X25519/X448: noble rejects low-order peer points (and an all-zero result) by throwing; that becomes a
//   KeyExchangeError, which the engine maps to illegal_parameter (RFC 8446 section 7.4.2, RFC 7748 section 6).
// - `gcm(key, nonce)` expands the AES key on every call; acceptable for now, and the AeadKey shape lets a
//   faster provider replace it. CCM is ours (over noble's raw AES block) and expands its key once in init().
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { expand as hkdfExpandNoble, extract as hkdfExtractNoble } from '@noble/hashes/hkdf.js';
import type { CHash, Hash as NobleHash } from '@noble/hashes/utils.js';
import { cbc, gcm, unsafe as aesUnsafe } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { ed448, x448 } from '@noble/curves/ed448.js';
import { ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { constants as nodeConstants, createCipheriv, createDecipheriv, publicDecrypt, timingSafeEqual, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { spkiInfo, spkiKeyObject } from './public-key-cache';
import type { PublicKeyInfo } from '../x509/types';
import { fromHex } from '../util/hex';
import {
  KeyExchangeError,
  type Aead,
  type AeadKey,
  type AeadName,
  type BlockCipher,
  type BlockCipherKey,
  type BlockCipherName,
  type CryptoProvider,
  type Hash,
  type HashContext,
  type HashName,
  type KeyExchange,
  type KeyExchangeSecret,
} from './provider';
import { NamedGroup } from '../registry/groups';
import { SignatureScheme } from '../registry/sigschemes';

/** A sub-table of a registry: these names, with the registry's code points. */
function pick<T extends Record<string, number>, K extends keyof T>(table: T, names: readonly K[]): { readonly [P in K]: T[P] } {
  return Object.fromEntries(names.map((n) => [n, table[n]])) as { readonly [P in K]: T[P] };
}

// ---------------------------------------------------------------------------------------------------------------
// Hashes, HMAC (RFC 2104), HKDF (RFC 5869)

const NOBLE_HASHES: Record<HashName, CHash> = { md5, sha1, sha224, sha256, sha384, sha512 };

function nobleHash(name: HashName): CHash {
  const h = NOBLE_HASHES[name];
  if (!h) throw new Error(`unknown hash '${String(name)}'`);
  return h;
}

/** An incremental hash whose digest() reads a clone, so the running state stays usable (transcripts). */
class NobleHashContext implements HashContext {
  constructor(private readonly state: NobleHash<any>) {}
  update(data: Uint8Array): HashContext {
    this.state.update(data);
    return this;
  }
  digest(): Uint8Array {
    return this.state.clone().digest();
  }
  clone(): HashContext {
    return new NobleHashContext(this.state.clone());
  }
}

const HASH_OBJECTS = new Map<HashName, Hash>();

function hashObject(name: HashName): Hash {
  let h = HASH_OBJECTS.get(name);
  if (!h) {
    const n = nobleHash(name);
    h = Object.freeze({
      name,
      outputLen: n.outputLen,
      blockLen: n.blockLen,
      digest: (data: Uint8Array) => n(data),
      create: () => new NobleHashContext(n.create()),
    });
    HASH_OBJECTS.set(name, h);
  }
  return h;
}

// ---------------------------------------------------------------------------------------------------------------
// AEADs (RFC 5116): AES-GCM (SP 800-38D), ChaCha20-Poly1305 (RFC 8439 section 2.8), AES-CCM (RFC 3610, RFC 6655)

function checkLength(bytes: Uint8Array, len: number, what: string): void {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  if (bytes.length !== len) throw new RangeError(`${what} must be ${len} bytes, got ${bytes.length}`);
}

/**
 * Wraps a noble AEAD constructor `(key, nonce, aad) => { encrypt, decrypt }` as an AeadKey. `inPlace`: the cipher
 * takes an output buffer that may be its input (noble's ChaCha20-Poly1305; not its GCM), so a TLS 1.3 record is
 * built in one buffer and sealed where it lies (sealRecord): one allocation per record instead of three.
 */
function nobleAeadKey(
  make: (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array) => { encrypt(p: Uint8Array, output?: Uint8Array): Uint8Array; decrypt(c: Uint8Array): Uint8Array },
  key: Uint8Array,
  nonceLen: number,
  tagLen: number,
  inPlace = false,
): AeadKey {
  const k = Uint8Array.from(key); // our copy: the caller may wipe or reuse its buffer
  return {
    ...(inPlace ? {
      sealRecord(nonce: Uint8Array, header: Uint8Array, content: Uint8Array, trailer: Uint8Array): Uint8Array[] {
        checkLength(nonce, nonceLen, 'nonce');
        const n = content.length + trailer.length;
        const out = new Uint8Array(header.length + n + tagLen);
        out.set(header);
        out.set(content, header.length);
        out.set(trailer, header.length + content.length);
        make(k, nonce, header).encrypt(out.subarray(header.length, header.length + n), out.subarray(header.length));
        return [out];
      },
    } : {}),
    seal(nonce, aad, plaintext) {
      checkLength(nonce, nonceLen, 'nonce');
      return make(k, nonce, aad).encrypt(plaintext);
    },
    open(nonce, aad, ciphertext) {
      checkLength(nonce, nonceLen, 'nonce');
      if (ciphertext.length < tagLen) return null;
      try {
        return make(k, nonce, aad).decrypt(ciphertext);
      } catch {
        return null; // tag mismatch (noble throws); programming errors were caught by the checks above
      }
    },
  };
}

/** Reads 16 bytes at `off` as the four little-endian words noble's AES round function works on. */
function loadWords(src: Uint8Array, off: number, w: Uint32Array): void {
  for (let i = 0; i < 4; i++) {
    const o = off + 4 * i;
    w[i] = (src[o]! | (src[o + 1]! << 8) | (src[o + 2]! << 16) | (src[o + 3]! << 24)) >>> 0;
  }
}

function storeWords(w: Uint32Array, dst: Uint8Array): void {
  for (let i = 0; i < 4; i++) {
    const v = w[i]!;
    dst[4 * i] = v & 0xff;
    dst[4 * i + 1] = (v >>> 8) & 0xff;
    dst[4 * i + 2] = (v >>> 16) & 0xff;
    dst[4 * i + 3] = v >>> 24;
  }
}

/**
 * AES-CCM (RFC 3610; NIST SP 800-38C) for one key, built on noble's raw AES block function: the key schedule is
 * expanded once here, then each record costs one CBC-MAC pass and one CTR pass. TLS uses a 12-byte nonce
 * (L = 3) with a 16-byte tag (AES-CCM, RFC 6655) or an 8-byte tag (AES-CCM_8); this function also takes the
 * RFC 3610 parameter range (nonce 7..13 bytes, even tag 4..16) so RFC 3610 / SP 800-38C vectors can test it.
 * @param key 16, 24 or 32 bytes.
 * @param tagLen M in RFC 3610: 4, 6, 8, 10, 12, 14 or 16.
 * @returns An AeadKey whose `seal` returns ciphertext || tag and whose `open` returns null on a bad tag.
 */
export function aesCcm(key: Uint8Array, tagLen: number): AeadKey {
  if (!(key instanceof Uint8Array) || ![16, 24, 32].includes(key.length)) throw new RangeError('AES-CCM key must be 16, 24 or 32 bytes');
  if (!Number.isInteger(tagLen) || tagLen < 4 || tagLen > 16 || tagLen % 2 !== 0) throw new RangeError('AES-CCM tag must be 4..16 bytes, even');
  const xk = aesUnsafe.expandKeyLE(Uint8Array.from(key));
  const w = new Uint32Array(4);

  /** AES-encrypts the four words in `w` in place (E(K, .) in RFC 3610). */
  const encryptWords = (): void => {
    const r = aesUnsafe.encrypt(xk, w[0]!, w[1]!, w[2]!, w[3]!);
    w[0] = r.s0;
    w[1] = r.s1;
    w[2] = r.s2;
    w[3] = r.s3;
  };

  const check = (nonce: Uint8Array, aad: Uint8Array, len: number): number => {
    if (!(nonce instanceof Uint8Array) || nonce.length < 7 || nonce.length > 13) throw new RangeError('AES-CCM nonce must be 7..13 bytes');
    if (!(aad instanceof Uint8Array)) throw new TypeError('aad must be a Uint8Array');
    const L = 15 - nonce.length; // RFC 3610 section 2: the length field is L octets
    if (L < 6 && len >= 2 ** (8 * L)) throw new RangeError(`AES-CCM with a ${nonce.length}-byte nonce carries at most 2^${8 * L}-1 bytes`);
    if (aad.length >= 2 ** 32) throw new RangeError('AES-CCM additional data too long');
    return L;
  };

  /** RFC 3610 section 2.2: the CBC-MAC T over B_0 || encoded l(a) || a || pad || m || pad. */
  const cbcMac = (nonce: Uint8Array, aad: Uint8Array, msg: Uint8Array, L: number): Uint8Array => {
    const aLenField = aad.length === 0 ? 0 : aad.length < 0xff00 ? 2 : 6;
    const aBlocks = Math.ceil((aLenField + aad.length) / 16);
    const mBlocks = Math.ceil(msg.length / 16);
    const b = new Uint8Array(16 * (1 + aBlocks + mBlocks)); // zero padding comes free
    // B_0 = Flags || Nonce || l(m); Flags = 64*Adata + 8*M' + L', M' = (M-2)/2, L' = L-1
    b[0] = (aad.length > 0 ? 0x40 : 0) | (((tagLen - 2) / 2) << 3) | (L - 1);
    b.set(nonce, 1);
    for (let i = 0, n = msg.length; i < L && i < 6; i++, n = Math.floor(n / 256)) b[15 - i] = n & 0xff;
    let off = 16;
    if (aLenField === 2) {
      b[16] = aad.length >>> 8;
      b[17] = aad.length & 0xff;
    } else if (aLenField === 6) {
      b[16] = 0xff;
      b[17] = 0xfe;
      b[18] = aad.length >>> 24;
      b[19] = (aad.length >>> 16) & 0xff;
      b[20] = (aad.length >>> 8) & 0xff;
      b[21] = aad.length & 0xff;
    }
    b.set(aad, off + aLenField);
    off += 16 * aBlocks;
    b.set(msg, off);
    // X_1 = E(K, B_0); X_i+1 = E(K, X_i XOR B_i)
    w.fill(0);
    const blk = new Uint32Array(4);
    for (let o = 0; o < b.length; o += 16) {
      loadWords(b, o, blk);
      for (let i = 0; i < 4; i++) w[i] = (w[i]! ^ blk[i]!) >>> 0;
      encryptWords();
    }
    const t = new Uint8Array(16);
    storeWords(w, t);
    b.fill(0);
    return t.subarray(0, tagLen);
  };

  /** RFC 3610 section 2.3: A_i = Flags || Nonce || Counter i, Flags = L-1; S_i = E(K, A_i). */
  const keystreamBlock = (nonce: Uint8Array, L: number, i: number, out: Uint8Array): void => {
    const a = new Uint8Array(16);
    a[0] = L - 1;
    a.set(nonce, 1);
    for (let j = 0, n = i; j < L && j < 6; j++, n = Math.floor(n / 256)) a[15 - j] = n & 0xff;
    loadWords(a, 0, w);
    encryptWords();
    storeWords(w, out);
  };

  /** Encryption and decryption: XOR with S_1, S_2, ... */
  const ctr = (nonce: Uint8Array, L: number, src: Uint8Array): Uint8Array => {
    const out = new Uint8Array(src.length);
    const s = new Uint8Array(16);
    for (let off = 0, i = 1; off < src.length; off += 16, i++) {
      keystreamBlock(nonce, L, i, s);
      const n = Math.min(16, src.length - off);
      for (let j = 0; j < n; j++) out[off + j] = src[off + j]! ^ s[j]!;
    }
    s.fill(0);
    return out;
  };

  /** U = T XOR first-M-bytes(S_0), written into `dst`. */
  const encryptTag = (nonce: Uint8Array, L: number, t: Uint8Array, dst: Uint8Array): void => {
    const s0 = new Uint8Array(16);
    keystreamBlock(nonce, L, 0, s0);
    for (let j = 0; j < tagLen; j++) dst[j] = t[j]! ^ s0[j]!;
  };

  return {
    seal(nonce, aad, plaintext) {
      const L = check(nonce, aad, plaintext.length);
      const t = cbcMac(nonce, aad, plaintext, L);
      const out = new Uint8Array(plaintext.length + tagLen);
      out.set(ctr(nonce, L, plaintext));
      encryptTag(nonce, L, t, out.subarray(plaintext.length));
      return out;
    },
    open(nonce, aad, ciphertext) {
      if (ciphertext.length < tagLen) return null;
      const n = ciphertext.length - tagLen;
      const L = check(nonce, aad, n);
      const plain = ctr(nonce, L, ciphertext.subarray(0, n));
      const expect = new Uint8Array(tagLen);
      encryptTag(nonce, L, cbcMac(nonce, aad, plain, L), expect);
      let diff = 0;
      for (let j = 0; j < tagLen; j++) diff |= expect[j]! ^ ciphertext[n + j]!;
      if (diff !== 0) {
        plain.fill(0);
        return null;
      }
      return plain;
    },
  };
}

interface AeadRow {
  keyLen: number;
  tagLen: number;
  init: (key: Uint8Array) => AeadKey;
}

const AEADS: Record<AeadName, AeadRow> = {
  'AES-128-GCM': { keyLen: 16, tagLen: 16, init: (k) => nobleAeadKey(gcm, k, 12, 16) },
  'AES-256-GCM': { keyLen: 32, tagLen: 16, init: (k) => nobleAeadKey(gcm, k, 12, 16) },
  'CHACHA20-POLY1305': { keyLen: 32, tagLen: 16, init: (k) => nobleAeadKey(chacha20poly1305, k, 12, 16, true) },
  'AES-128-CCM': { keyLen: 16, tagLen: 16, init: (k) => tlsCcm(k, 16) },
  'AES-256-CCM': { keyLen: 32, tagLen: 16, init: (k) => tlsCcm(k, 16) },
  'AES-128-CCM8': { keyLen: 16, tagLen: 8, init: (k) => tlsCcm(k, 8) },
  'AES-256-CCM8': { keyLen: 32, tagLen: 8, init: (k) => tlsCcm(k, 8) },
};

/** CCM as TLS uses it (RFC 6655 section 3, RFC 8446 section 5.3): the nonce is always 12 bytes. */
function tlsCcm(key: Uint8Array, tagLen: number): AeadKey {
  const inner = aesCcm(key, tagLen);
  return {
    seal(nonce, aad, plaintext) {
      checkLength(nonce, 12, 'nonce');
      return inner.seal(nonce, aad, plaintext);
    },
    open(nonce, aad, ciphertext) {
      checkLength(nonce, 12, 'nonce');
      return inner.open(nonce, aad, ciphertext);
    },
  };
}

function aeadObject(name: AeadName): Aead {
  const row = AEADS[name];
  if (!row) throw new Error(`unknown AEAD '${String(name)}'`);
  return {
    name,
    keyLen: row.keyLen,
    nonceLen: 12,
    tagLen: row.tagLen,
    init(key) {
      checkLength(key, row.keyLen, `${name} key`);
      return row.init(key);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// CBC block ciphers without padding, for the TLS 1.2-and-older record layer (RFC 5246 section 6.2.3.2), which
// pads by itself: AES through noble's `cbc` (it expands the key on each call, like `gcm` above), 3DES through
// node:crypto (noble has no DES; OpenSSL 3 keeps DES-EDE3-CBC in its default provider).

function checkBlocks(iv: Uint8Array, data: Uint8Array, blockLen: number): void {
  checkLength(iv, blockLen, 'IV');
  if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
  if (data.length % blockLen !== 0) throw new RangeError(`CBC data must be whole ${blockLen}-byte blocks, got ${data.length} bytes`);
}

function aesCbcKey(key: Uint8Array): BlockCipherKey {
  const k = new Uint8Array(key); // a copy, also of a Buffer (whose slice() is a view)
  return {
    encrypt(iv, data) {
      checkBlocks(iv, data, 16);
      return cbc(k, iv, { disablePadding: true }).encrypt(data);
    },
    decrypt(iv, data) {
      checkBlocks(iv, data, 16);
      return cbc(k, iv, { disablePadding: true }).decrypt(data);
    },
  };
}

function desEde3CbcKey(key: Uint8Array): BlockCipherKey {
  const k = Buffer.from(key); // a copy
  const run = (c: ReturnType<typeof createCipheriv> | ReturnType<typeof createDecipheriv>, data: Uint8Array): Uint8Array => {
    c.setAutoPadding(false);
    const a = c.update(data);
    const b = c.final();
    const out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  return {
    encrypt(iv, data) {
      checkBlocks(iv, data, 8);
      return run(createCipheriv('des-ede3-cbc', k, iv), data);
    },
    decrypt(iv, data) {
      checkBlocks(iv, data, 8);
      return run(createDecipheriv('des-ede3-cbc', k, iv), data);
    },
  };
}

const BLOCK_CIPHERS: Record<BlockCipherName, { keyLen: number; blockLen: number; init: (key: Uint8Array) => BlockCipherKey }> = {
  'AES-128-CBC': { keyLen: 16, blockLen: 16, init: aesCbcKey },
  'AES-256-CBC': { keyLen: 32, blockLen: 16, init: aesCbcKey },
  '3DES-EDE-CBC': { keyLen: 24, blockLen: 8, init: desEde3CbcKey },
};

function blockCipherObject(name: BlockCipherName): BlockCipher {
  const row = BLOCK_CIPHERS[name];
  if (!row) throw new Error(`unknown block cipher '${String(name)}'`);
  return {
    name,
    keyLen: row.keyLen,
    blockLen: row.blockLen,
    init(key) {
      checkLength(key, row.keyLen, `${name} key`);
      return row.init(key);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Key exchange (RFC 8446 section 4.2.8, 7.4): named groups

/** TLS NamedGroup code points this provider implements (the code points themselves live in the registry). */
export const GROUPS = pick(NamedGroup, ['secp256r1', 'secp384r1', 'secp521r1', 'x25519', 'x448', 'ffdhe2048', 'ffdhe3072', 'ffdhe4096', 'ffdhe6144', 'ffdhe8192', 'SecP256r1MLKEM768', 'X25519MLKEM768', 'SecP384r1MLKEM1024'] as const);

type Random = (n: number) => Uint8Array;

/**
 * The private halves, keyed by the opaque secret objects handed to the engine: the secret object itself
 * carries only `group`, so logging or serialising it shows nothing private.
 */
const PRIVATE_HALVES = new WeakMap<KeyExchangeSecret, unknown>();

function makeSecret(group: number, priv: unknown): KeyExchangeSecret {
  const s: KeyExchangeSecret = Object.freeze({ group });
  PRIVATE_HALVES.set(s, priv);
  return s;
}

function privateHalf<T>(group: number, secret: KeyExchangeSecret): T {
  if (!secret || secret.group !== group || !PRIVATE_HALVES.has(secret))
    throw new KeyExchangeError(`the key exchange secret does not belong to group ${group}`);
  return PRIVATE_HALVES.get(secret) as T;
}

/** A Diffie-Hellman group seen as a KEM step: how each side makes its share and the shared secret. */
interface DhGroup {
  shareLen: number;
  keygen(): { priv: Uint8Array | bigint; share: Uint8Array };
  /** Throws KeyExchangeError on a malformed or invalid peer share. */
  agree(priv: Uint8Array | bigint, peerShare: Uint8Array): Uint8Array;
}

function dhAsKeyExchange(group: number, g: DhGroup): KeyExchange {
  return {
    group,
    start() {
      const { priv, share } = g.keygen();
      return { share, secret: makeSecret(group, priv) };
    },
    respond(clientShare) {
      const { priv, share } = g.keygen();
      return { share, sharedSecret: g.agree(priv, clientShare) };
    },
    finish(secret, serverShare) {
      return g.agree(privateHalf<Uint8Array | bigint>(group, secret), serverShare);
    },
  };
}

type NistCurve = typeof p256;

/**
 * ECDHE over secp256r1/384r1/521r1 (RFC 8446 section 4.2.8.2, 7.4.2): shares are uncompressed points
 * 0x04 || X || Y, validated on the curve; the shared secret is the X coordinate of the product.
 */
function nistGroup(curve: NistCurve, coordLen: number, random: Random): DhGroup {
  const Fn = curve.Point.Fn;
  const excessBits = coordLen * 8 - Fn.BITS;
  const shareLen = 1 + 2 * coordLen;
  return {
    shareLen,
    keygen() {
      // A uniformly random scalar in [1, n-1]: mask to the order's bit length, retry if out of range.
      for (let tries = 0; tries < 128; tries++) {
        const sk = random(coordLen);
        if (excessBits > 0) sk[0]! &= 0xff >> excessBits;
        if (curve.utils.isValidSecretKey(sk)) return { priv: sk, share: curve.getPublicKey(sk, false) };
      }
      throw new Error('the random source gives no valid EC scalar');
    },
    agree(priv, peer) {
      if (peer.length !== shareLen || peer[0] !== 0x04)
        throw new KeyExchangeError(`an ECDHE share must be an uncompressed point of ${shareLen} bytes (RFC 8446 section 4.2.8.2), got ${peer.length} bytes starting 0x${(peer[0] ?? 0).toString(16).padStart(2, '0')}`);
      let shared: Uint8Array;
      try {
        curve.Point.fromBytes(peer).assertValidity();
        shared = curve.getSharedSecret(priv as Uint8Array, peer, true);
      } catch (e) {
        throw new KeyExchangeError(`the ECDHE share is not a point on the curve: ${(e as Error).message}`);
      }
      return shared.slice(1); // drop the compressed-point prefix: X only
    },
  };
}

type MontgomeryCurve = typeof x25519;

/** X25519 / X448 (RFC 7748 section 5, RFC 8446 section 7.4.2); low-order points and all-zero results fail. */
function montgomeryGroup(curve: MontgomeryCurve, len: number, random: Random): DhGroup {
  return {
    shareLen: len,
    keygen() {
      const sk = random(len);
      return { priv: sk, share: curve.getPublicKey(sk) };
    },
    agree(priv, peer) {
      if (peer.length !== len) throw new KeyExchangeError(`an X${len === 32 ? '25519' : '448'} share must be ${len} bytes, got ${peer.length}`);
      let shared: Uint8Array;
      try {
        shared = curve.getSharedSecret(priv as Uint8Array, peer);
      } catch (e) {
        throw new KeyExchangeError(`the X${len === 32 ? '25519' : '448'} share is a low-order point (RFC 7748 section 6): ${(e as Error).message}`);
      }
      let acc = 0;
      for (const b of shared) acc |= b;
      if (acc === 0) throw new KeyExchangeError('the X25519/X448 shared secret is all zeros (RFC 8446 section 7.4.2)');
      return shared;
    },
  };
}

/** RFC 7919 Appendix A primes (checked against OpenSSL's built-in ffdhe groups in the tests); g = 2. */
const FFDHE_PRIMES_HEX: Record<'ffdhe2048' | 'ffdhe3072' | 'ffdhe4096' | 'ffdhe6144' | 'ffdhe8192', string> = {
  ffdhe2048: [
    'FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9',
    '7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935',
    '984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB',
    'B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61',
    '9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA',
    '886B423861285C97FFFFFFFFFFFFFFFF',
  ].join(''),
  ffdhe3072: [
    'FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9',
    '7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935',
    '984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB',
    'B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61',
    '9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA',
    '886B4238611FCFDCDE355B3B6519035BBC34F4DEF99C023861B46FC9D6E6C9077AD91D2691F7F7EE598CB0FAC186D91C',
    'AEFE130985139270B4130C93BC437944F4FD4452E2D74DD364F2E21E71F54BFF5CAE82AB9C9DF69EE86D2BC522363A0D',
    'ABC521979B0DEADA1DBF9A42D5C4484E0ABCD06BFA53DDEF3C1B20EE3FD59D7C25E41D2B66C62E37FFFFFFFFFFFFFFFF',
  ].join(''),
  ffdhe4096: [
    'FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9',
    '7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935',
    '984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB',
    'B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61',
    '9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA',
    '886B4238611FCFDCDE355B3B6519035BBC34F4DEF99C023861B46FC9D6E6C9077AD91D2691F7F7EE598CB0FAC186D91C',
    'AEFE130985139270B4130C93BC437944F4FD4452E2D74DD364F2E21E71F54BFF5CAE82AB9C9DF69EE86D2BC522363A0D',
    'ABC521979B0DEADA1DBF9A42D5C4484E0ABCD06BFA53DDEF3C1B20EE3FD59D7C25E41D2B669E1EF16E6F52C3164DF4FB',
    '7930E9E4E58857B6AC7D5F42D69F6D187763CF1D5503400487F55BA57E31CC7A7135C886EFB4318AED6A1E012D9E6832',
    'A907600A918130C46DC778F971AD0038092999A333CB8B7A1A1DB93D7140003C2A4ECEA9F98D0ACC0A8291CDCEC97DCF',
    '8EC9B55A7F88A46B4DB5A851F44182E1C68A007E5E655F6AFFFFFFFFFFFFFFFF',
  ].join(''),
  ffdhe6144: [
    'FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9',
    '7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935',
    '984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB',
    'B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61',
    '9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA',
    '886B4238611FCFDCDE355B3B6519035BBC34F4DEF99C023861B46FC9D6E6C9077AD91D2691F7F7EE598CB0FAC186D91C',
    'AEFE130985139270B4130C93BC437944F4FD4452E2D74DD364F2E21E71F54BFF5CAE82AB9C9DF69EE86D2BC522363A0D',
    'ABC521979B0DEADA1DBF9A42D5C4484E0ABCD06BFA53DDEF3C1B20EE3FD59D7C25E41D2B669E1EF16E6F52C3164DF4FB',
    '7930E9E4E58857B6AC7D5F42D69F6D187763CF1D5503400487F55BA57E31CC7A7135C886EFB4318AED6A1E012D9E6832',
    'A907600A918130C46DC778F971AD0038092999A333CB8B7A1A1DB93D7140003C2A4ECEA9F98D0ACC0A8291CDCEC97DCF',
    '8EC9B55A7F88A46B4DB5A851F44182E1C68A007E5E0DD9020BFD64B645036C7A4E677D2C38532A3A23BA4442CAF53EA6',
    '3BB454329B7624C8917BDD64B1C0FD4CB38E8C334C701C3ACDAD0657FCCFEC719B1F5C3E4E46041F388147FB4CFDB477',
    'A52471F7A9A96910B855322EDB6340D8A00EF092350511E30ABEC1FFF9E3A26E7FB29F8C183023C3587E38DA0077D9B4',
    '763E4E4B94B2BBC194C6651E77CAF992EEAAC0232A281BF6B3A739C1226116820AE8DB5847A67CBEF9C9091B462D538C',
    'D72B03746AE77F5E62292C311562A846505DC82DB854338AE49F5235C95B91178CCF2DD5CACEF403EC9D1810C6272B04',
    '5B3B71F9DC6B80D63FDD4A8E9ADB1E6962A69526D43161C1A41D570D7938DAD4A40E329CD0E40E65FFFFFFFFFFFFFFFF',
  ].join(''),
  ffdhe8192: [
    'FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF9',
    '7D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935',
    '984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FB',
    'B96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F61',
    '9172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA',
    '886B4238611FCFDCDE355B3B6519035BBC34F4DEF99C023861B46FC9D6E6C9077AD91D2691F7F7EE598CB0FAC186D91C',
    'AEFE130985139270B4130C93BC437944F4FD4452E2D74DD364F2E21E71F54BFF5CAE82AB9C9DF69EE86D2BC522363A0D',
    'ABC521979B0DEADA1DBF9A42D5C4484E0ABCD06BFA53DDEF3C1B20EE3FD59D7C25E41D2B669E1EF16E6F52C3164DF4FB',
    '7930E9E4E58857B6AC7D5F42D69F6D187763CF1D5503400487F55BA57E31CC7A7135C886EFB4318AED6A1E012D9E6832',
    'A907600A918130C46DC778F971AD0038092999A333CB8B7A1A1DB93D7140003C2A4ECEA9F98D0ACC0A8291CDCEC97DCF',
    '8EC9B55A7F88A46B4DB5A851F44182E1C68A007E5E0DD9020BFD64B645036C7A4E677D2C38532A3A23BA4442CAF53EA6',
    '3BB454329B7624C8917BDD64B1C0FD4CB38E8C334C701C3ACDAD0657FCCFEC719B1F5C3E4E46041F388147FB4CFDB477',
    'A52471F7A9A96910B855322EDB6340D8A00EF092350511E30ABEC1FFF9E3A26E7FB29F8C183023C3587E38DA0077D9B4',
    '763E4E4B94B2BBC194C6651E77CAF992EEAAC0232A281BF6B3A739C1226116820AE8DB5847A67CBEF9C9091B462D538C',
    'D72B03746AE77F5E62292C311562A846505DC82DB854338AE49F5235C95B91178CCF2DD5CACEF403EC9D1810C6272B04',
    '5B3B71F9DC6B80D63FDD4A8E9ADB1E6962A69526D43161C1A41D570D7938DAD4A40E329CCFF46AAA36AD004CF600C838',
    '1E425A31D951AE64FDB23FCEC9509D43687FEB69EDD1CC5E0B8CC3BDF64B10EF86B63142A3AB8829555B2F747C932665',
    'CB2C0F1CC01BD70229388839D2AF05E454504AC78B7582822846C0BA35C35F5C59160CC046FD8251541FC68C9C86B022',
    'BB7099876A460E7451A8A93109703FEE1C217E6C3826E52C51AA691E0E423CFC99E9E31650C1217B624816CDAD9A95F9',
    'D5B8019488D9C0A0A1FE3075A577E23183F81D4A3F2FA4571EFC8CE0BA8A4FE8B6855DFE72B0A66EDED2FBABFBE58A30',
    'FAFABE1C5D71A87E2F741EF8C1FE86FEA6BBFDE530677F0D97D11D49F7A8443D0822E506A9F4614E011E2A94838FF88C',
    'D68C8BB7C5C6424CFFFFFFFFFFFFFFFF',
  ].join(''),
};

/**
 * Private exponent sizes: at least twice the group's security strength (RFC 7919 section 5.2 and Appendix A:
 * 103/125/150/175/192-bit strength), rounded up to whole bytes.
 */
const FFDHE_EXPONENT_BYTES: Record<keyof typeof FFDHE_PRIMES_HEX, number> = {
  ffdhe2048: 32,
  ffdhe3072: 40,
  ffdhe4096: 48,
  ffdhe6144: 56,
  ffdhe8192: 64,
};

/** The prime of an RFC 7919 group, as big-endian bytes (for tests and the TLS 1.2 ServerKeyExchange). */
export function ffdhePrime(name: keyof typeof FFDHE_PRIMES_HEX): Uint8Array {
  return fromHex(FFDHE_PRIMES_HEX[name]);
}

function bytesToBigint(b: Uint8Array): bigint {
  let hex = '';
  for (const x of b) hex += x.toString(16).padStart(2, '0');
  return hex ? BigInt('0x' + hex) : 0n;
}

function bigintToBytes(n: bigint, len: number): Uint8Array {
  const hex = n.toString(16);
  if (hex.length > 2 * len) throw new RangeError('integer longer than the field');
  return fromHex(hex.padStart(2 * len, '0'));
}

/** Left-to-right square-and-multiply: base^exp mod m. bigint arithmetic is not constant time. */
function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  let r = 1n;
  const b = base % m;
  for (let i = exp.toString(2), k = 0; k < i.length; k++) {
    r = (r * r) % m;
    if (i[k] === '1') r = (r * b) % m;
  }
  return r;
}

/**
 * Finite-field DHE over an RFC 7919 group (RFC 8446 section 4.2.8.1, 7.4.1): shares and the shared secret are
 * big-endian, left-padded to the prime's length; peer values must satisfy 1 < Y < p-1 (RFC 7919 section 5.1).
 */
function ffdheGroup(name: keyof typeof FFDHE_PRIMES_HEX, random: Random): DhGroup {
  const pBytes = ffdhePrime(name);
  const p = bytesToBigint(pBytes);
  const len = pBytes.length;
  const xLen = FFDHE_EXPONENT_BYTES[name];
  return {
    shareLen: len,
    keygen() {
      let x = 0n;
      for (let tries = 0; x < 2n; tries++) {
        if (tries > 64) throw new Error('the random source gives no valid DH exponent');
        x = bytesToBigint(random(xLen));
      }
      return { priv: x, share: bigintToBytes(modPow(2n, x, p), len) };
    },
    agree(priv, peer) {
      if (peer.length !== len) throw new KeyExchangeError(`an ${name} share must be ${len} bytes (left-padded to the prime, RFC 8446 section 4.2.8.1), got ${peer.length}`);
      const y = bytesToBigint(peer);
      if (y <= 1n || y >= p - 1n) throw new KeyExchangeError(`the ${name} share is out of range: it must be 1 < Y < p-1 (RFC 7919 section 5.1)`);
      const z = modPow(y, priv as bigint, p);
      if (z <= 1n || z === p - 1n) throw new KeyExchangeError(`the ${name} shared secret is degenerate`);
      return bigintToBytes(z, len);
    },
  };
}

type MlKem = typeof ml_kem768;

/**
 * Hybrid ECDHE + ML-KEM groups (draft-ietf-tls-ecdhe-mlkem-03 section 4): the client share is the ML-KEM
 * encapsulation key and the ECDH share, the server share the ML-KEM ciphertext and the ECDH share, the secret
 * the two shared secrets concatenated. For X25519MLKEM768 the ML-KEM part comes first in all three (4.1-4.3);
 * for the NIST-curve hybrids the ECDH part comes first.
 */
function hybridGroup(group: number, kem: MlKem, ecdh: DhGroup, ecdhFirst: boolean, random: Random): KeyExchange {
  const ekLen = kem.lengths.publicKey!;
  const ctLen = kem.lengths.cipherText!;
  const clientLen = ekLen + ecdh.shareLen;
  const serverLen = ctLen + ecdh.shareLen;
  const join = (kemPart: Uint8Array, ecdhPart: Uint8Array): Uint8Array => {
    const out = new Uint8Array(kemPart.length + ecdhPart.length);
    out.set(ecdhFirst ? ecdhPart : kemPart, 0);
    out.set(ecdhFirst ? kemPart : ecdhPart, (ecdhFirst ? ecdhPart : kemPart).length);
    return out;
  };
  const split = (share: Uint8Array, kemLen: number): [Uint8Array, Uint8Array] =>
    ecdhFirst ? [share.subarray(ecdh.shareLen), share.subarray(0, ecdh.shareLen)] : [share.subarray(0, kemLen), share.subarray(kemLen)];
  return {
    group,
    start() {
      const { publicKey, secretKey } = kem.keygen(random(64));
      const { priv, share } = ecdh.keygen();
      return { share: join(publicKey, share), secret: makeSecret(group, { dk: secretKey, priv }) };
    },
    respond(clientShare) {
      if (clientShare.length !== clientLen) throw new KeyExchangeError(`a ${hex16(group)} client share must be ${clientLen} bytes, got ${clientShare.length}`);
      const [ek, ecdhPeer] = split(clientShare, ekLen);
      let enc: { cipherText: Uint8Array; sharedSecret: Uint8Array };
      try {
        enc = kem.encapsulate(ek, random(32)); // includes the FIPS 203 section 7.2 encapsulation key check
      } catch (e) {
        throw new KeyExchangeError(`the ML-KEM encapsulation key fails the FIPS 203 section 7.2 check: ${(e as Error).message}`);
      }
      const { priv, share } = ecdh.keygen();
      const ecdhSecret = ecdh.agree(priv, ecdhPeer);
      return { share: join(enc.cipherText, share), sharedSecret: join(enc.sharedSecret, ecdhSecret) };
    },
    finish(secret, serverShare) {
      const { dk, priv } = privateHalf<{ dk: Uint8Array; priv: Uint8Array }>(group, secret);
      if (serverShare.length !== serverLen) throw new KeyExchangeError(`a ${hex16(group)} server share must be ${serverLen} bytes, got ${serverShare.length}`);
      const [ct, ecdhPeer] = split(serverShare, ctLen);
      const ecdhSecret = ecdh.agree(priv, ecdhPeer);
      const kemSecret = kem.decapsulate(ct, dk); // any failure here is internal_error per the draft, not a KeyExchangeError
      return join(kemSecret, ecdhSecret);
    },
  };
}

function hex16(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}

function keyExchangeFor(group: number, random: Random): KeyExchange | undefined {
  switch (group) {
    case GROUPS.secp256r1: return dhAsKeyExchange(group, nistGroup(p256, 32, random));
    case GROUPS.secp384r1: return dhAsKeyExchange(group, nistGroup(p384, 48, random));
    case GROUPS.secp521r1: return dhAsKeyExchange(group, nistGroup(p521, 66, random));
    case GROUPS.x25519: return dhAsKeyExchange(group, montgomeryGroup(x25519, 32, random));
    case GROUPS.x448: return dhAsKeyExchange(group, montgomeryGroup(x448, 56, random));
    case GROUPS.ffdhe2048: return dhAsKeyExchange(group, ffdheGroup('ffdhe2048', random));
    case GROUPS.ffdhe3072: return dhAsKeyExchange(group, ffdheGroup('ffdhe3072', random));
    case GROUPS.ffdhe4096: return dhAsKeyExchange(group, ffdheGroup('ffdhe4096', random));
    case GROUPS.ffdhe6144: return dhAsKeyExchange(group, ffdheGroup('ffdhe6144', random));
    case GROUPS.ffdhe8192: return dhAsKeyExchange(group, ffdheGroup('ffdhe8192', random));
    case GROUPS.X25519MLKEM768: return hybridGroup(group, ml_kem768, montgomeryGroup(x25519, 32, random), false, random);
    case GROUPS.SecP256r1MLKEM768: return hybridGroup(group, ml_kem768, nistGroup(p256, 32, random), true, random);
    case GROUPS.SecP384r1MLKEM1024: return hybridGroup(group, ml_kem1024, nistGroup(p384, 48, random), true, random);
    default: return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Signature verification (RFC 8446 section 4.2.3; RFC 5246 section 7.4.1.4.1 for the TLS 1.2 pairs)

/** TLS SignatureScheme code points this provider can verify (signer.ts signs the same names). */
export const SCHEMES = pick(SignatureScheme, ['rsa_pkcs1_sha1', 'ecdsa_sha1', 'rsa_pkcs1_sha256', 'ecdsa_secp256r1_sha256', 'rsa_pkcs1_sha384', 'ecdsa_secp384r1_sha384', 'rsa_pkcs1_sha512', 'ecdsa_secp521r1_sha512', 'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512', 'ed25519', 'ed448', 'rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512'] as const);

const HASH_LEN: Record<HashName, number> = { md5: 16, sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

/** What a scheme means: key type, hash, and for TLS 1.3 ECDSA the one curve it is bound to. */
type SchemeInfo =
  | { kind: 'ecdsa'; hash: HashName; curve?: 'P-256' | 'P-384' | 'P-521' }
  | { kind: 'eddsa'; alg: 'Ed25519' | 'Ed448' }
  | { kind: 'rsa-pkcs1'; hash: HashName }
  | { kind: 'rsa-pss'; hash: HashName; keyAlg: 'RSA' | 'RSA-PSS' };

/** The TLS 1.2 HashAlgorithm byte (RFC 5246 section 7.4.1.4.1). */
const TLS12_HASH: Record<number, HashName> = { 1: 'md5', 2: 'sha1', 3: 'sha224', 4: 'sha256', 5: 'sha384', 6: 'sha512' };

/**
 * What `scheme` means. With `tls12` the ECDSA code points are read as RFC 5246 (hash, signature) pairs whose
 * curve is whatever the certificate says (and the other RFC 5246 pairs: rsa/ecdsa with md5..sha512 are
 * accepted); without it, RFC 8446 section 4.2.3 binds ecdsa_secp256r1_sha256 to P-256 and so on.
 */
export function schemeInfo(scheme: number, tls12 = false): SchemeInfo | undefined {
  switch (scheme) {
    case 0x0807: return { kind: 'eddsa', alg: 'Ed25519' };
    case 0x0808: return { kind: 'eddsa', alg: 'Ed448' };
    case 0x0804: return { kind: 'rsa-pss', hash: 'sha256', keyAlg: 'RSA' };
    case 0x0805: return { kind: 'rsa-pss', hash: 'sha384', keyAlg: 'RSA' };
    case 0x0806: return { kind: 'rsa-pss', hash: 'sha512', keyAlg: 'RSA' };
    case 0x0809: return { kind: 'rsa-pss', hash: 'sha256', keyAlg: 'RSA-PSS' };
    case 0x080a: return { kind: 'rsa-pss', hash: 'sha384', keyAlg: 'RSA-PSS' };
    case 0x080b: return { kind: 'rsa-pss', hash: 'sha512', keyAlg: 'RSA-PSS' };
  }
  const hash = TLS12_HASH[scheme >> 8];
  const sig = scheme & 0xff;
  if (!hash) return undefined;
  if (!tls12) {
    // The legacy pairs TLS 1.3 still names (RFC 8446 section 4.2.3): rsa_pkcs1_*, ecdsa_sha1, and the bound curves.
    switch (scheme) {
      case 0x0403: return { kind: 'ecdsa', hash, curve: 'P-256' };
      case 0x0503: return { kind: 'ecdsa', hash, curve: 'P-384' };
      case 0x0603: return { kind: 'ecdsa', hash, curve: 'P-521' };
      case 0x0203: return { kind: 'ecdsa', hash };
      case 0x0201: case 0x0401: case 0x0501: case 0x0601: return { kind: 'rsa-pkcs1', hash };
      default: return undefined;
    }
  }
  if (sig === 1) return { kind: 'rsa-pkcs1', hash };
  if (sig === 3) return { kind: 'ecdsa', hash };
  return undefined;
}

const CURVES: Record<string, NistCurve> = { 'P-256': p256, 'P-384': p384, 'P-521': p521 };

function nodePublicKey(spki: Uint8Array): KeyObject {
  return spkiKeyObject(spki);
}

/**
 * Verifies a TLS signature. Never throws for bad input: a malformed SPKI or signature, a key that does not fit
 * the scheme, or an unknown scheme all give false.
 * @param opts.tls12 read ECDSA code points as RFC 5246 (hash, signature) pairs, not bound to one curve.
 */
export function verifySignature(scheme: number, spki: Uint8Array, message: Uint8Array, signature: Uint8Array, opts: { tls12?: boolean } = {}): boolean {
  const info = schemeInfo(scheme, opts.tls12 ?? false);
  if (!info) return false;
  let key: PublicKeyInfo;
  try {
    key = spkiInfo(spki);
  } catch {
    return false;
  }
  try {
    switch (info.kind) {
      case 'ecdsa': {
        if (key.algorithm !== 'EC' || !key.curve) return false;
        const curve = CURVES[key.curve];
        if (!curve || (info.curve && info.curve !== key.curve)) return false;
        const digest = hashObject(info.hash).digest(message);
        return curve.verify(signature, digest, fromHex(key.publicHex), { prehash: false, lowS: false, format: 'der' });
      }
      case 'eddsa': {
        if (key.algorithm !== info.alg) return false;
        const pub = fromHex(key.publicHex);
        return info.alg === 'Ed25519'
          ? ed25519.verify(signature, message, pub, { zip215: false }) // RFC 8032 strict, as OpenSSL
          : ed448.verify(signature, message, pub);
      }
      case 'rsa-pkcs1': {
        if (key.algorithm !== 'RSA') return false;
        return nodeVerify(info.hash, message, { key: nodePublicKey(spki), padding: nodeConstants.RSA_PKCS1_PADDING }, signature);
      }
      case 'rsa-pss': {
        // rsae: rsaEncryption key; pss: RSASSA-PSS key (RFC 8446 section 4.2.3). Salt = hash length, exactly.
        if (key.algorithm !== info.keyAlg) return false;
        return nodeVerify(info.hash, message, {
          key: nodePublicKey(spki),
          padding: nodeConstants.RSA_PKCS1_PSS_PADDING,
          saltLength: HASH_LEN[info.hash],
        }, signature);
      }
    }
  } catch {
    return false;
  }
}

/** TLS 1.2 verification (RFC 5246 section 7.4.1.4.1): `verifySignature` with the (hash, signature) reading. */
export function verifyTls12(scheme: number, spki: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return verifySignature(scheme, spki, message, signature, { tls12: true });
}

/**
 * The TLS 1.0/1.1 RSA signature (RFC 2246 section 7.4.3, RFC 4346 section 7.4.3): PKCS#1 v1.5 block type 1
 * over the bare 36-byte MD5(x) || SHA1(x), no DigestInfo. Never throws; false on any mismatch.
 */
export function verifyRsaMd5Sha1(spki: Uint8Array, digest36: Uint8Array, signature: Uint8Array): boolean {
  if (digest36.length !== 36) return false;
  try {
    const key = nodePublicKey(spki);
    if (key.asymmetricKeyType !== 'rsa') return false;
    const modBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
    if (signature.length !== modBytes) return false;
    const recovered = publicDecrypt({ key, padding: nodeConstants.RSA_PKCS1_PADDING }, signature);
    return recovered.length === 36 && timingSafeEqual(recovered, digest36);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The provider

function defaultRandom(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) globalThis.crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  return out;
}

/**
 * The noble-backed CryptoProvider.
 * @param opts.random replaces the CSPRNG for every random value this provider draws (key shares, KEM seeds,
 *   `random()`): tests pass a fixed sequence to reproduce RFC 8448 byte for byte. Never set it in production.
 */
export function nobleProvider(opts: { random?: (n: number) => Uint8Array } = {}): CryptoProvider {
  const random: Random = opts.random
    ? (n) => {
        const r = opts.random!(n);
        if (!(r instanceof Uint8Array) || r.length !== n) throw new Error(`the random source returned ${r?.length} bytes, not ${n}`);
        return r.slice(); // ours to clamp or mask
      }
    : defaultRandom;
  return {
    hash: hashObject,
    hmac: (hash, key, data) => hmac(nobleHash(hash), key, data),
    hkdfExtract: (hash, salt, ikm) => hkdfExtractNoble(nobleHash(hash), ikm, salt),
    hkdfExpand: (hash, prk, info, length) => hkdfExpandNoble(nobleHash(hash), prk, info, length),
    aead: aeadObject,
    blockCipher: blockCipherObject,
    keyExchange: (group) => keyExchangeFor(group, random),
    verify: (scheme, spki, message, signature, o) => verifySignature(scheme, spki, message, signature, o),
    random,
    name: 'noble',
  };
}
