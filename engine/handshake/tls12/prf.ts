// Key derivation for SSL 3.0, TLS 1.0, 1.1 and 1.2: the PRFs, the master secret (plain and extended), the key
// block and its partition, and Finished verify_data.
//   SSL 3.0   RFC 6101 section 6.1 (master secret), 6.2.2 (key block), 5.6.9 (Finished), 5.6.8 (CertificateVerify)
//   TLS 1.0   RFC 2246 section 5 (PRF = P_MD5 xor P_SHA-1), 6.3 (key block), 7.4.9 (Finished); TLS 1.1 alike (RFC 4346)
//   TLS 1.2   RFC 5246 section 5 (PRF = P_<suite hash>), 6.3, 7.4.9
//   RFC 7627 section 4 (extended master secret over the session hash)
// Everything goes through the CryptoProvider (hash, hmac) so a test or another provider can stand in.
import type { CryptoProvider, HashContext, HashName } from '../../crypto/provider';
import type { CipherSuite } from '../../registry/suites';
import { concatBytes } from '../../util/hex';

const enc = new TextEncoder();

export const SSL3 = 0x0300;
export const TLS10 = 0x0301;
export const TLS11 = 0x0302;
export const TLS12 = 0x0303;

/** A protocol version this file derives keys for. */
export type LegacyVersion = typeof SSL3 | typeof TLS10 | typeof TLS11 | typeof TLS12;

export type Sender = 'client' | 'server';

function checkVersion(version: number): asserts version is LegacyVersion {
  if (version !== SSL3 && version !== TLS10 && version !== TLS11 && version !== TLS12)
    throw new RangeError(`version 0x${version.toString(16).padStart(4, '0')} is not SSL 3.0 or TLS 1.0-1.2`);
}

/** Whether `version` may negotiate `suite` (RFC 5246 appendix A.5, RFC 5288 section 4: AEAD suites are TLS 1.2 only). */
export function suiteAllowed(version: number, suite: CipherSuite): boolean {
  return (
    (suite.versions === 'ssl3+' && version >= SSL3 && version <= TLS12) ||
    (suite.versions === 'tls10+' && version >= TLS10 && version <= TLS12) ||
    (suite.versions === 'tls12' && version === TLS12)
  );
}

/** The suite must be one the version may negotiate (a TLS 1.2 AEAD suite under TLS 1.0 is a caller bug). */
function checkSuite(version: LegacyVersion, suite: CipherSuite): void {
  if (!suiteAllowed(version, suite)) throw new RangeError(`${suite.iana} cannot be used with version 0x${version.toString(16).padStart(4, '0')} (it is for ${suite.versions})`);
}

const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

function checkLen(length: number): void {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`output length must be a non-negative integer, got ${length}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The PRFs

/**
 * P_hash(secret, seed) of RFC 5246 section 5 (RFC 2246 section 5): HMAC(secret, A(i) + seed) for
 * A(0) = seed, A(i) = HMAC(secret, A(i-1)), cut to `length` bytes.
 */
export function pHash(p: CryptoProvider, hash: HashName, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  checkLen(length);
  const out = new Uint8Array(length);
  let a = seed;
  for (let off = 0; off < length; ) {
    a = p.hmac(hash, secret, a);
    const block = p.hmac(hash, secret, concat(a, seed));
    const n = Math.min(block.length, length - off);
    out.set(block.subarray(0, n), off);
    off += n;
  }
  return out;
}

/** TLS 1.2 PRF (RFC 5246 section 5): P_<hash>(secret, label + seed). */
export function prf12(p: CryptoProvider, hash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  return pHash(p, hash, secret, concat(enc.encode(label), seed), length);
}

/**
 * TLS 1.0/1.1 PRF (RFC 2246 section 5): P_MD5(S1, label + seed) XOR P_SHA-1(S2, label + seed), where S1 and S2
 * are the first and last ceil(len/2) bytes of the secret (they share a byte when the length is odd).
 */
export function prf10(p: CryptoProvider, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const half = Math.ceil(secret.length / 2);
  const labelSeed = concat(enc.encode(label), seed);
  const out = pHash(p, 'md5', secret.subarray(0, half), labelSeed, length);
  const sha = pHash(p, 'sha1', secret.subarray(secret.length - half), labelSeed, length);
  for (let i = 0; i < length; i++) out[i]! ^= sha[i]!;
  return out;
}

/** The PRF of `version` (TLS 1.0/1.1: MD5+SHA-1; TLS 1.2: the suite's hash). SSL 3.0 has no PRF: RangeError. */
export function prf(p: CryptoProvider, version: number, suite: CipherSuite, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  checkVersion(version);
  if (version === SSL3) throw new RangeError('SSL 3.0 has no PRF: use ssl3Derive (RFC 6101 section 6.1-6.2.2)');
  return version === TLS12 ? prf12(p, suite.prfHash, secret, label, seed, length) : prf10(p, secret, label, seed, length);
}

/**
 * SSL 3.0's derivation (RFC 6101 sections 6.1 and 6.2.2):
 *   MD5(secret + SHA('A' + secret + seed)) + MD5(secret + SHA('BB' + secret + seed)) + ...
 * The master secret takes seed = client_random + server_random; the key block server_random + client_random.
 * The letters run out at 'Z' (26 x 16 = 416 bytes), far beyond the 136 bytes the largest suite needs.
 */
export function ssl3Derive(p: CryptoProvider, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  checkLen(length);
  const rounds = Math.ceil(length / 16);
  if (rounds > 26) throw new RangeError(`SSL 3.0 derivation gives at most 416 bytes, ${length} asked`);
  const md5 = p.hash('md5');
  const sha1 = p.hash('sha1');
  const out = new Uint8Array(rounds * 16);
  for (let i = 0; i < rounds; i++) {
    const prefix = new Uint8Array(i + 1).fill(0x41 + i); // 'A', 'BB', 'CCC', ...
    const inner = sha1.digest(concat(prefix, secret, seed));
    out.set(md5.digest(concat(secret, inner)), 16 * i);
  }
  return out.subarray(0, length);
}

// ---------------------------------------------------------------------------------------------------------------
// Master secret

/**
 * The 48-byte master secret from the premaster secret (RFC 5246 section 8.1, RFC 2246 section 8.1,
 * RFC 6101 section 6.1): PRF(pre_master_secret, "master secret", client_random + server_random)[0..47].
 */
export function masterSecret(p: CryptoProvider, version: number, suite: CipherSuite, preMasterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): Uint8Array {
  checkVersion(version);
  checkSuite(version, suite);
  const seed = concat(clientRandom, serverRandom);
  if (version === SSL3) return ssl3Derive(p, preMasterSecret, seed, 48);
  return prf(p, version, suite, preMasterSecret, 'master secret', seed, 48);
}

/**
 * The extended master secret (RFC 7627 section 4): PRF(pre_master_secret, "extended master secret",
 * session_hash)[0..47]; session_hash is handshakeHash() of the messages from ClientHello up to and including
 * ClientKeyExchange (RFC 7627 section 3).
 * SSL 3.0 has no extensions, so no extended master secret (RFC 7627 section 6.4).
 */
export function extendedMasterSecret(p: CryptoProvider, version: number, suite: CipherSuite, preMasterSecret: Uint8Array, sessionHash: Uint8Array): Uint8Array {
  checkVersion(version);
  checkSuite(version, suite);
  if (version === SSL3) throw new RangeError('SSL 3.0 has no extended master secret (RFC 7627 needs TLS extensions)');
  return prf(p, version, suite, preMasterSecret, 'extended master secret', sessionHash, 48);
}

/**
 * Hash(handshake_messages) as the Finished message and the RFC 7627 session hash use it: MD5 || SHA-1
 * (36 bytes) for TLS 1.0/1.1 (RFC 2246 section 7.4.9), the suite's PRF hash for TLS 1.2 (RFC 5246 section
 * 7.4.9). Not defined for SSL 3.0, whose Finished mixes the secret in (see ssl3Finished).
 */
export function handshakeHash(p: CryptoProvider, version: number, suite: CipherSuite, messages: Uint8Array): Uint8Array {
  checkVersion(version);
  if (version === SSL3) throw new RangeError('SSL 3.0 has no handshake hash of its own: use ssl3Finished / ssl3CertificateVerify');
  if (version === TLS12) return p.hash(suite.prfHash).digest(messages);
  return concat(p.hash('md5').digest(messages), p.hash('sha1').digest(messages));
}

// ---------------------------------------------------------------------------------------------------------------
// Key block

export interface KeyBlock {
  clientMacKey: Uint8Array;
  serverMacKey: Uint8Array;
  clientKey: Uint8Array;
  serverKey: Uint8Array;
  /**
   * AEAD: the implicit nonce part (4 bytes for GCM/CCM, 12 for ChaCha20-Poly1305). CBC: one block, which
   * SSL 3.0/TLS 1.0 use as the first record's IV; TLS 1.1+ send an explicit IV per record and never use it,
   * but it is derived all the same, as OpenSSL and GnuTLS do and RFC 4346's key-material note counts.
   * Empty for NULL and RC4.
   */
  clientIv: Uint8Array;
  serverIv: Uint8Array;
}

export interface KeyBlockLayout {
  macKeyLen: number;
  keyLen: number;
  ivLen: number;
  /** 2 * (macKeyLen + keyLen + ivLen). */
  total: number;
}

/** How many bytes of each kind the key block holds for `suite` under `version` (RFC 5246 section 6.3). */
export function keyBlockLayout(version: number, suite: CipherSuite): KeyBlockLayout {
  checkVersion(version);
  checkSuite(version, suite);
  const macKeyLen = suite.macLen;
  const keyLen = suite.cipher.keyLen;
  const ivLen = suite.cipher.ivLen;
  return { macKeyLen, keyLen, ivLen, total: 2 * (macKeyLen + keyLen + ivLen) };
}

/**
 * key_block = PRF(master_secret, "key expansion", server_random + client_random) (RFC 5246 section 6.3,
 * RFC 2246 section 6.3), or SSL 3.0's MD5/SHA construction over the same seed (RFC 6101 section 6.2.2),
 * partitioned as client MAC key, server MAC key, client key, server key, client IV, server IV.
 */
export function deriveKeyBlock(p: CryptoProvider, version: number, suite: CipherSuite, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): KeyBlock {
  const l = keyBlockLayout(version, suite);
  const seed = concat(serverRandom, clientRandom);
  const kb = version === SSL3 ? ssl3Derive(p, master, seed, l.total) : prf(p, version, suite, master, 'key expansion', seed, l.total);
  let off = 0;
  const take = (n: number): Uint8Array => kb.slice(off, (off += n));
  return {
    clientMacKey: take(l.macKeyLen),
    serverMacKey: take(l.macKeyLen),
    clientKey: take(l.keyLen),
    serverKey: take(l.keyLen),
    clientIv: take(l.ivLen),
    serverIv: take(l.ivLen),
  };
}

/** The keys one side writes with (and its peer reads with). */
export function writeKeys(kb: KeyBlock, writer: Sender): { macKey: Uint8Array; key: Uint8Array; iv: Uint8Array } {
  return writer === 'client'
    ? { macKey: kb.clientMacKey, key: kb.clientKey, iv: kb.clientIv }
    : { macKey: kb.serverMacKey, key: kb.serverKey, iv: kb.serverIv };
}

// ---------------------------------------------------------------------------------------------------------------
// Finished

/**
 * TLS Finished verify_data (RFC 5246 section 7.4.9, RFC 2246 section 7.4.9):
 * PRF(master_secret, "client finished" | "server finished", handshake hash)[0..11]. `hash` is handshakeHash()
 * of every handshake message before this Finished: MD5 || SHA-1 for TLS 1.0/1.1, the PRF hash for TLS 1.2.
 */
export function tlsFinished(p: CryptoProvider, version: number, suite: CipherSuite, master: Uint8Array, sender: Sender, hash: Uint8Array): Uint8Array {
  checkVersion(version);
  if (version === SSL3) throw new RangeError('SSL 3.0 Finished is ssl3Finished (36 bytes, RFC 6101 section 5.6.9)');
  const want = version === TLS12 ? (suite.prfHash === 'sha384' ? 48 : 32) : 36;
  if (hash.length !== want) throw new RangeError(`the handshake hash for this version and suite is ${want} bytes, got ${hash.length}`);
  return prf(p, version, suite, master, sender === 'client' ? 'client finished' : 'server finished', hash, 12);
}

/**
 * The handshake messages as SSL 3.0's inner hashes read them: the bytes themselves, or running MD5 and SHA-1
 * contexts over them (cloned, never changed).
 */
export type Ssl3Transcript = Uint8Array | { md5: HashContext; sha1: HashContext };

const SSL3_CLIENT = new Uint8Array([0x43, 0x4c, 0x4e, 0x54]); // 'CLNT', RFC 6101 section 5.6.9
const SSL3_SERVER = new Uint8Array([0x53, 0x52, 0x56, 0x52]); // 'SRVR'

/** hash(secret + pad_2 + hash(messages + extra + secret + pad_1)), pads of 48 (MD5) or 40 (SHA-1) bytes. */
function ssl3Hash(p: CryptoProvider, name: 'md5' | 'sha1', messages: Ssl3Transcript, extra: Uint8Array, secret: Uint8Array): Uint8Array {
  const padLen = name === 'md5' ? 48 : 40;
  const ctx = messages instanceof Uint8Array ? p.hash(name).create().update(messages) : messages[name].clone();
  const inner = ctx.update(extra).update(secret).update(new Uint8Array(padLen).fill(0x36)).digest();
  return p.hash(name).digest(concat(secret, new Uint8Array(padLen).fill(0x5c), inner));
}

/** SSL 3.0 Finished (RFC 6101 section 5.6.9): md5_hash(16) || sha_hash(20), sender 'CLNT' or 'SRVR'. */
export function ssl3Finished(p: CryptoProvider, master: Uint8Array, sender: Sender, messages: Ssl3Transcript): Uint8Array {
  const s = sender === 'client' ? SSL3_CLIENT : SSL3_SERVER;
  return concat(ssl3Hash(p, 'md5', messages, s, master), ssl3Hash(p, 'sha1', messages, s, master));
}

/**
 * What an SSL 3.0 CertificateVerify signs (RFC 6101 section 5.6.8): md5_hash || sha_hash as for Finished but
 * with no sender. RSA signs the 36 bytes; DSA/ECDSA sign the 20-byte SHA part.
 */
export function ssl3CertificateVerify(p: CryptoProvider, master: Uint8Array, messages: Ssl3Transcript): Uint8Array {
  const none = new Uint8Array(0);
  return concat(ssl3Hash(p, 'md5', messages, none, master), ssl3Hash(p, 'sha1', messages, none, master));
}

/**
 * Finished verify_data for any version from the raw handshake messages: tlsFinished over handshakeHash() for
 * TLS, ssl3Finished for SSL 3.0. 12 bytes for TLS, 36 for SSL 3.0.
 */
export function finishedVerifyData(p: CryptoProvider, version: number, suite: CipherSuite, master: Uint8Array, sender: Sender, messages: Uint8Array): Uint8Array {
  checkVersion(version);
  if (version === SSL3) return ssl3Finished(p, master, sender, messages);
  return tlsFinished(p, version, suite, master, sender, handshakeHash(p, version, suite, messages));
}
