// Hybrid Public Key Encryption (RFC 9180), base mode only, with the one KEM that Encrypted Client Hello requires
// (RFC 9849 section 9): DHKEM(X25519, HKDF-SHA256), KDF HKDF-SHA256, and the AEADs AES-128-GCM and
// ChaCha20-Poly1305. Built on @noble/curves, @noble/hashes and @noble/ciphers; checked against the RFC's
// appendix A.1.1 and A.2.1 vectors (test/unit/hpke.test.ts). The PSK and Auth modes are not built: ECH uses none.
import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { createPrivateKey } from 'node:crypto';
import { randomBytes } from '@noble/hashes/utils.js';
import { concatBytes } from '../util/hex';

/** RFC 9180 section 7.1: KEM identifiers this module implements. */
export const HpkeKem = { DHKEM_X25519_HKDF_SHA256: 0x0020 } as const;
/** RFC 9180 section 7.2. */
export const HpkeKdf = { HKDF_SHA256: 0x0001 } as const;
/** RFC 9180 section 7.3. */
export const HpkeAead = { AES_128_GCM: 0x0001, CHACHA20_POLY1305: 0x0003 } as const;

const KEM_NAMES: Record<number, string> = { 0x0010: 'DHKEM(P-256, HKDF-SHA256)', 0x0011: 'DHKEM(P-384, HKDF-SHA384)', 0x0012: 'DHKEM(P-521, HKDF-SHA512)', 0x0020: 'DHKEM(X25519, HKDF-SHA256)', 0x0021: 'DHKEM(X448, HKDF-SHA512)' };
const KDF_NAMES: Record<number, string> = { 0x0001: 'HKDF-SHA256', 0x0002: 'HKDF-SHA384', 0x0003: 'HKDF-SHA512' };
const AEAD_NAMES: Record<number, string> = { 0x0001: 'AES-128-GCM', 0x0002: 'AES-256-GCM', 0x0003: 'ChaCha20Poly1305', 0xffff: 'Export-only' };

export function hpkeKemName(id: number): string {
  return KEM_NAMES[id] ?? `KEM 0x${id.toString(16).padStart(4, '0')}`;
}
export function hpkeKdfName(id: number): string {
  return KDF_NAMES[id] ?? `KDF 0x${id.toString(16).padStart(4, '0')}`;
}
export function hpkeAeadName(id: number): string {
  return AEAD_NAMES[id] ?? `AEAD 0x${id.toString(16).padStart(4, '0')}`;
}

/** Whether this module can set up a context for (kem, kdf, aead). */
export function hpkeSupported(kem: number, kdf: number, aead: number): boolean {
  return kem === HpkeKem.DHKEM_X25519_HKDF_SHA256 && kdf === HpkeKdf.HKDF_SHA256 && (aead === HpkeAead.AES_128_GCM || aead === HpkeAead.CHACHA20_POLY1305);
}

/** A failure RFC 9180 section 8.2 names: DeserializeError, EncapError/DecapError (ValidationError), OpenError... */
export class HpkeError extends Error {
  constructor(readonly kind: 'DeserializeError' | 'ValidationError' | 'OpenError' | 'MessageLimitReachedError' | 'UnsupportedSuite', message: string) {
    super(message);
    this.name = 'HpkeError';
  }
}

const enc = new TextEncoder();
const HPKE_V1 = enc.encode('HPKE-v1');
const EMPTY = new Uint8Array(0);

const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

function i2osp(n: number, w: number): Uint8Array {
  const out = new Uint8Array(w);
  for (let i = w - 1; i >= 0; i--, n = Math.floor(n / 256)) out[i] = n & 0xff;
  return out;
}

// RFC 9180 section 4: LabeledExtract and LabeledExpand, with the suite_id of the caller (KEM or whole suite).
function labeledExtract(suiteId: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array): Uint8Array {
  return extract(sha256, concat(HPKE_V1, suiteId, enc.encode(label), ikm), salt);
}

function labeledExpand(suiteId: Uint8Array, prk: Uint8Array, label: string, info: Uint8Array, length: number): Uint8Array {
  return expand(sha256, prk, concat(i2osp(length, 2), HPKE_V1, suiteId, enc.encode(label), info), length);
}

// --- DHKEM(X25519, HKDF-SHA256), RFC 9180 sections 4.1 and 7.1 -------------------------------------------------

const KEM_SUITE_ID = concat(enc.encode('KEM'), i2osp(HpkeKem.DHKEM_X25519_HKDF_SHA256, 2));
const N_SECRET = 32;
const N_SK = 32;

export interface HpkeKeyPair {
  /** Serialized private key (SerializePrivateKey: the 32-byte X25519 scalar). */
  privateKey: Uint8Array;
  /** Serialized public key (SerializePublicKey). */
  publicKey: Uint8Array;
}

/** RFC 9180 section 7.1.3: DeriveKeyPair(ikm) for X25519. */
export function deriveKeyPair(ikm: Uint8Array): HpkeKeyPair {
  const dkpPrk = labeledExtract(KEM_SUITE_ID, EMPTY, 'dkp_prk', ikm);
  const sk = labeledExpand(KEM_SUITE_ID, dkpPrk, 'sk', EMPTY, N_SK);
  return { privateKey: sk, publicKey: x25519.getPublicKey(sk) };
}

/** GenerateKeyPair() = DeriveKeyPair(random(Nsk)) (RFC 9180 section 4). */
export function generateKeyPair(random: (n: number) => Uint8Array = randomBytes): HpkeKeyPair {
  return deriveKeyPair(random(N_SK));
}

/** The public key of a serialized X25519 private key. */
export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  if (privateKey.length !== N_SK) throw new HpkeError('DeserializeError', `an X25519 private key is 32 bytes, not ${privateKey.length}`);
  return x25519.getPublicKey(privateKey);
}

/** DH(sk, pk), refusing a peer key that gives the all-zero output (RFC 9180 section 7.1.4). */
function dh(sk: Uint8Array, pk: Uint8Array): Uint8Array {
  if (pk.length !== 32) throw new HpkeError('DeserializeError', `an X25519 public key is 32 bytes, not ${pk.length}`);
  let out: Uint8Array;
  try {
    out = x25519.getSharedSecret(sk, pk);
  } catch (e) {
    throw new HpkeError('ValidationError', `X25519 with this public key fails: ${(e as Error).message}`);
  }
  if (out.every((b) => b === 0)) throw new HpkeError('ValidationError', 'the X25519 shared secret is all zeros (a small-order public key, RFC 9180 section 7.1.4)');
  return out;
}

function extractAndExpand(dhOut: Uint8Array, kemContext: Uint8Array): Uint8Array {
  const eaePrk = labeledExtract(KEM_SUITE_ID, EMPTY, 'eae_prk', dhOut);
  return labeledExpand(KEM_SUITE_ID, eaePrk, 'shared_secret', kemContext, N_SECRET);
}

/** Encap(pkR): a fresh ephemeral key (or the one from `ikmE`, for the RFC's known answers). */
export function encap(pkR: Uint8Array, ikmE?: Uint8Array): { sharedSecret: Uint8Array; enc: Uint8Array } {
  const eph = ikmE ? deriveKeyPair(ikmE) : generateKeyPair();
  const dhOut = dh(eph.privateKey, pkR);
  const encapsulated = eph.publicKey;
  return { sharedSecret: extractAndExpand(dhOut, concat(encapsulated, pkR)), enc: encapsulated };
}

/** Decap(enc, skR). */
export function decap(encapsulated: Uint8Array, skR: Uint8Array): Uint8Array {
  const dhOut = dh(skR, encapsulated);
  return extractAndExpand(dhOut, concat(encapsulated, x25519.getPublicKey(skR)));
}

// --- key schedule and context, RFC 9180 sections 5.1-5.3 ------------------------------------------------------

interface AeadSpec {
  nk: number;
  make: (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array) => { encrypt(pt: Uint8Array): Uint8Array; decrypt(ct: Uint8Array): Uint8Array };
}

const AEADS: Record<number, AeadSpec> = {
  [HpkeAead.AES_128_GCM]: { nk: 16, make: (k, n, a) => gcm(k, n, a) },
  [HpkeAead.CHACHA20_POLY1305]: { nk: 32, make: (k, n, a) => chacha20poly1305(k, n, a) },
};
const NN = 12;
const NT = 16;

/** The values the key schedule derives, as RFC 9180 appendix A lists them (for known-answer tests). */
export interface KeyScheduleValues {
  keyScheduleContext: Uint8Array;
  secret: Uint8Array;
  key: Uint8Array;
  baseNonce: Uint8Array;
  exporterSecret: Uint8Array;
}

function keySchedule(kem: number, kdf: number, aead: number, sharedSecret: Uint8Array, info: Uint8Array): KeyScheduleValues {
  const spec = AEADS[aead];
  if (!hpkeSupported(kem, kdf, aead) || !spec) throw new HpkeError('UnsupportedSuite', `HPKE suite ${hpkeKemName(kem)}, ${hpkeKdfName(kdf)}, ${hpkeAeadName(aead)} is not implemented`);
  const suiteId = concat(enc.encode('HPKE'), i2osp(kem, 2), i2osp(kdf, 2), i2osp(aead, 2));
  // Base mode: mode 0, empty psk and psk_id (RFC 9180 section 5.1).
  const pskIdHash = labeledExtract(suiteId, EMPTY, 'psk_id_hash', EMPTY);
  const infoHash = labeledExtract(suiteId, EMPTY, 'info_hash', info);
  const keyScheduleContext = concat(new Uint8Array([0]), pskIdHash, infoHash);
  const secret = labeledExtract(suiteId, sharedSecret, 'secret', EMPTY);
  return {
    keyScheduleContext, secret,
    key: labeledExpand(suiteId, secret, 'key', keyScheduleContext, spec.nk),
    baseNonce: labeledExpand(suiteId, secret, 'base_nonce', keyScheduleContext, NN),
    exporterSecret: labeledExpand(suiteId, secret, 'exp', keyScheduleContext, 32),
  };
}

/**
 * An HPKE context (RFC 9180 section 5.2): one key and base nonce, and a sequence number that moves on with
 * every successful Seal or Open, so each message gets its own nonce. A sender context only seals, a receiver
 * context only opens.
 */
export class HpkeContext {
  private seq = 0;
  private readonly suiteId: Uint8Array;

  constructor(readonly role: 'sender' | 'receiver', readonly kem: number, readonly kdf: number, readonly aead: number, private readonly values: KeyScheduleValues) {
    this.suiteId = concat(enc.encode('HPKE'), i2osp(kem, 2), i2osp(kdf, 2), i2osp(aead, 2));
  }

  /** Bytes a sealed message adds to its plaintext (Nt). */
  static readonly tagLength = NT;

  /** For known-answer tests: what the key schedule derived. */
  get keySchedule(): Readonly<KeyScheduleValues> {
    return this.values;
  }

  get sequence(): number {
    return this.seq;
  }

  private nonce(): Uint8Array {
    // ComputeNonce: base_nonce XOR I2OSP(seq, Nn).
    const out = this.values.baseNonce.slice();
    const s = i2osp(this.seq, NN);
    for (let i = 0; i < NN; i++) out[i]! ^= s[i]!;
    return out;
  }

  private step(): void {
    // 2^53 messages long before the RFC's 2^96 - 1 limit: a JavaScript number stays exact below it.
    if (this.seq >= Number.MAX_SAFE_INTEGER) throw new HpkeError('MessageLimitReachedError', 'the HPKE sequence number is exhausted');
    this.seq++;
  }

  seal(aad: Uint8Array, pt: Uint8Array): Uint8Array {
    if (this.role !== 'sender') throw new Error('HPKE: a receiver context cannot seal');
    const ct = AEADS[this.aead]!.make(this.values.key, this.nonce(), aad).encrypt(pt);
    this.step();
    return ct;
  }

  /** Open, or HpkeError('OpenError') when the ciphertext does not authenticate (the sequence number then stays). */
  open(aad: Uint8Array, ct: Uint8Array): Uint8Array {
    if (this.role !== 'receiver') throw new Error('HPKE: a sender context cannot open');
    let pt: Uint8Array;
    try {
      pt = AEADS[this.aead]!.make(this.values.key, this.nonce(), aad).decrypt(ct);
    } catch {
      throw new HpkeError('OpenError', `the HPKE ciphertext (${ct.length} bytes) does not authenticate under this context (message ${this.seq})`);
    }
    this.step();
    return pt;
  }

  /** Zeroes the context's key, nonce and secrets (util/wipe.ts's rule: key material is zeroed when done). */
  wipe(): void {
    for (const v of [this.values.key, this.values.baseNonce, this.values.exporterSecret, this.values.secret]) v.fill(0);
  }

  /** Secret export (RFC 9180 section 5.3). */
  export(exporterContext: Uint8Array, length: number): Uint8Array {
    return labeledExpand(this.suiteId, this.values.exporterSecret, 'sec', exporterContext, length);
  }
}

export interface HpkeSuite {
  kem: number;
  kdf: number;
  aead: number;
}

/** SetupBaseS(pkR, info) (RFC 9180 section 5.1.1); `ikmE` fixes the ephemeral key for known-answer tests. */
export function setupBaseS(suite: HpkeSuite, pkR: Uint8Array, info: Uint8Array, ikmE?: Uint8Array): { enc: Uint8Array; context: HpkeContext } {
  keySchedule(suite.kem, suite.kdf, suite.aead, new Uint8Array(N_SECRET), info); // refuses an unsupported suite before any key work
  const { sharedSecret, enc: encapsulated } = encap(pkR, ikmE);
  return { enc: encapsulated, context: new HpkeContext('sender', suite.kem, suite.kdf, suite.aead, keySchedule(suite.kem, suite.kdf, suite.aead, sharedSecret, info)) };
}

/** SetupBaseR(enc, skR, info). */
export function setupBaseR(suite: HpkeSuite, encapsulated: Uint8Array, skR: Uint8Array, info: Uint8Array): HpkeContext {
  const sharedSecret = decap(encapsulated, skR);
  return new HpkeContext('receiver', suite.kem, suite.kdf, suite.aead, keySchedule(suite.kem, suite.kdf, suite.aead, sharedSecret, info));
}

// --- key files ----------------------------------------------------------------------------------------------------

/** An X25519 private key as PKCS#8 PEM ("PRIVATE KEY"), as OpenSSL writes it, through node:crypto. */
export function x25519PrivateKeyToPem(privateKey: Uint8Array): string {
  const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  const key = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64u(privateKey), x: b64u(publicKeyOf(privateKey)) }, format: 'jwk' });
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The 32-byte X25519 scalar of a PKCS#8 "PRIVATE KEY" PEM block; throws naming what the key is instead. */
export function x25519PrivateKeyFromPem(pem: string): Uint8Array {
  let key;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new HpkeError('DeserializeError', `the private key does not load: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'x25519') throw new HpkeError('DeserializeError', `the private key is ${key.asymmetricKeyType ?? 'of an unknown type'}, not X25519 (the ECH key must be one: DHKEM(X25519, HKDF-SHA256))`);
  const jwk = key.export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.d!, 'base64url'));
}
