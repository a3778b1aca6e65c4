// The crypto the TLS engine needs, as small capability objects. `noble.ts` fills them with @noble/* (and
// node:crypto for RSA); tests inject fixed randomness through `random`, which is what makes byte-exact
// RFC 8448 reproductions possible. Only engine/crypto/* imports a crypto library.

export type HashName = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export interface HashContext {
  update(data: Uint8Array): HashContext;
  /** The digest so far; the context stays usable (transcripts are read at several points). */
  digest(): Uint8Array;
  clone(): HashContext;
}

export interface Hash {
  name: HashName;
  outputLen: number;
  blockLen: number;
  digest(data: Uint8Array): Uint8Array;
  create(): HashContext;
}

/** An AEAD bound to one key (RFC 5116). `open` returns null when authentication fails. */
export interface AeadKey {
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null;
  /**
   * Optional, for speed: header || seal(nonce, aad = header, content || trailer) as pieces in order, header first,
   * for a gathered socket write (a TLS 1.3 record: its header, then the sealed inner plaintext and content type).
   * Neither content and trailer are joined nor the pieces: in Node a 16 KiB allocation costs about as much as
   * sealing 16 KiB, so a record costs one (the cipher's output) instead of three.
   */
  sealRecord?(nonce: Uint8Array, header: Uint8Array, content: Uint8Array, trailer: Uint8Array): Uint8Array[];
}

export type AeadName = 'AES-128-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305' | 'AES-128-CCM' | 'AES-256-CCM' | 'AES-128-CCM8' | 'AES-256-CCM8';

export interface Aead {
  name: AeadName;
  keyLen: number;
  nonceLen: number;
  tagLen: number;
  init(key: Uint8Array): AeadKey;
}

/**
 * Key exchange for one named group (RFC 8446 section 4.2.7-4.2.8), shaped so that Diffie-Hellman groups
 * and KEMs (ML-KEM hybrids) fit one interface:
 *   client: start() -> { share, secret }        share goes in the ClientHello key_share
 *   server: respond(clientShare) -> { share, sharedSecret }
 *   client: finish(secret, serverShare) -> sharedSecret
 * Malformed or invalid peer shares throw KeyExchangeError (mapped to illegal_parameter).
 */
export interface KeyExchange {
  group: number;
  start(): { share: Uint8Array; secret: KeyExchangeSecret };
  respond(clientShare: Uint8Array): { share: Uint8Array; sharedSecret: Uint8Array };
  finish(secret: KeyExchangeSecret, serverShare: Uint8Array): Uint8Array;
}

/** Opaque to the engine: the private half the client keeps until the ServerHello arrives. */
export interface KeyExchangeSecret {
  readonly group: number;
}

export class KeyExchangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyExchangeError';
  }
}

/** A private key able to sign with the TLS signature schemes it supports (RFC 8446 section 4.2.3). */
export interface Signer {
  /** Scheme code points this key can sign with, in preference order. */
  schemes: number[];
  sign(scheme: number, message: Uint8Array): Uint8Array;
  /** The same signature from an asynchronous implementation (WebCrypto, a key held elsewhere), if there is one. */
  signAsync?(scheme: number, message: Uint8Array): Promise<Uint8Array>;
  /** TLS 1.0/1.1 and SSL 3.0 signatures, which name no scheme: RSA over MD5||SHA-1, ECDSA over SHA-1 (RFC 2246 section 7.4.3). */
  signLegacy?(message: Uint8Array): Uint8Array;
  /** RSA keys: the server's side of the RSA key exchange, with implicit rejection (RFC 5246 section 7.4.7.1). */
  decryptPremaster?(encrypted: Uint8Array, clientVersion: number, random: (n: number) => Uint8Array): Uint8Array;
  /**
   * TLS 1.2 reads ECDSA code points as (hash, signature) pairs on any curve (RFC 5246 section 7.4.1.4.1): the schemes
   * this key can sign with in that reading, and how. Undefined: the TLS 1.3 `schemes` and `sign` serve TLS 1.2 too.
   */
  schemes12?: number[];
  sign12?(scheme: number, message: Uint8Array): Uint8Array;
  /** The same key signing through node:crypto (hardware, native code), used when the connection runs on the node provider. */
  native?: Signer;
  /** The key's type, for choosing TLS 1.2 cipher suites by authentication: 'RSA', 'ECDSA', 'EdDSA'. */
  keyKind?: 'RSA' | 'ECDSA' | 'EdDSA' | 'RSA-PSS';
}

export type BlockCipherName = 'AES-128-CBC' | 'AES-256-CBC' | '3DES-EDE-CBC';

/**
 * A block cipher in CBC mode bound to one key, with no padding (the TLS record layer pads, RFC 5246 section
 * 6.2.3.2): `data` must be whole blocks and `iv` one block, else RangeError.
 */
export interface BlockCipherKey {
  encrypt(iv: Uint8Array, data: Uint8Array): Uint8Array;
  decrypt(iv: Uint8Array, data: Uint8Array): Uint8Array;
}

export interface BlockCipher {
  name: BlockCipherName;
  keyLen: number;
  blockLen: number;
  init(key: Uint8Array): BlockCipherKey;
}

export interface CryptoProvider {
  hash(name: HashName): Hash;
  hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array;
  hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  aead(name: AeadName): Aead;
  /** CBC without padding for the TLS 1.2-and-older block cipher suites. */
  blockCipher(name: BlockCipherName): BlockCipher;
  /** Undefined for a group this provider cannot do. */
  keyExchange(group: number): KeyExchange | undefined;
  /** Verifies `signature` over `message` under the DER SubjectPublicKeyInfo `spki` with a TLS scheme. */
  verify(scheme: number, spki: Uint8Array, message: Uint8Array, signature: Uint8Array, opts?: { tls12?: boolean }): boolean;
  random(n: number): Uint8Array;
  /** Which implementation this is, for the trace and the session summary. */
  name?: 'noble' | 'node';
}
