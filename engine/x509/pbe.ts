// Password-based encryption as PKCS#12 files use it: PBES2 (RFC 8018 section 6.2: PBKDF2 or scrypt of RFC 7914,
// then AES or 3DES in CBC) and the PKCS#12 PBE schemes with their own key derivation (RFC 7292 appendix B.2 and
// C), and the PFX's password MAC (RFC 7292 section 5.1, the same derivation with ID 3). Each scheme is
// described in `openssl pkcs12 -info`'s words. Work is bounded: an iteration count or scrypt cost over the
// caller's limit is refused before any is done, since a file can ask for years of hashing.
import * as asn1js from 'asn1js';
import { createDecipheriv, createHash, createHmac, pbkdf2Sync, scryptSync } from 'node:crypto';
import { KeyLoadError } from '../crypto/node-keys';
import { oidLong, oidShort } from '../registry/oids';
import { need } from './certificate';
import { childrenOf, contentOf, DerError, oidOf } from './der';

/** Most PBKDF2 / PKCS#12 KDF iterations done for a file unless the caller allows more (OpenSSL's default is 2048). */
export const DEFAULT_MAX_KDF_ITERATIONS = 10_000_000;
/** Most memory a scrypt derivation may take (N * r * 128 bytes), as OpenSSL's own 32 MiB default doubled. */
const MAX_SCRYPT_MEMORY = 64 * 1024 * 1024;

type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

const HASHES: Record<string, { name: HashName; u: number; v: number }> = {
  '1.3.14.3.2.26': { name: 'sha1', u: 20, v: 64 },
  '2.16.840.1.101.3.4.2.4': { name: 'sha224', u: 28, v: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', u: 32, v: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', u: 48, v: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', u: 64, v: 128 },
};

const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const SCRYPT = '1.3.6.1.4.1.11591.4.11';
const PRFS: Record<string, HashName> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
/** PBES2 encryption schemes: node's cipher name and key length. */
const CIPHERS: Record<string, { cipher: string; keyLen: number }> = {
  '2.16.840.1.101.3.4.1.2': { cipher: 'aes-128-cbc', keyLen: 16 },
  '2.16.840.1.101.3.4.1.22': { cipher: 'aes-192-cbc', keyLen: 24 },
  '2.16.840.1.101.3.4.1.42': { cipher: 'aes-256-cbc', keyLen: 32 },
  '1.2.840.113549.3.7': { cipher: 'des-ede3-cbc', keyLen: 24 },
};
/** RFC 7292 appendix C: the PKCS#12 PBE schemes, by OpenSSL's name; RC2 and RC4 need OpenSSL's legacy provider, which Node lacks. */
const PKCS12_PBE: Record<string, { name: string; cipher?: string; keyLen: number; ivLen: number }> = {
  '1.2.840.113549.1.12.1.1': { name: 'pbeWithSHA1And128BitRC4', keyLen: 16, ivLen: 0 },
  '1.2.840.113549.1.12.1.2': { name: 'pbeWithSHA1And40BitRC4', keyLen: 5, ivLen: 0 },
  '1.2.840.113549.1.12.1.3': { name: 'pbeWithSHA1And3-KeyTripleDES-CBC', cipher: 'des-ede3-cbc', keyLen: 24, ivLen: 8 },
  '1.2.840.113549.1.12.1.4': { name: 'pbeWithSHA1And2-KeyTripleDES-CBC', cipher: 'des-ede-cbc', keyLen: 16, ivLen: 8 },
  '1.2.840.113549.1.12.1.5': { name: 'pbeWithSHA1And128BitRC2-CBC', keyLen: 16, ivLen: 8 },
  '1.2.840.113549.1.12.1.6': { name: 'pbeWithSHA1And40BitRC2-CBC', keyLen: 5, ivLen: 8 },
};

/** The PKCS#12 PBE scheme of `oid` (RFC 7292 appendix C), by OpenSSL's name and its cipher, if it is one. */
export function pkcs12PbeName(oid: string): { name: string; cipher: string } | undefined {
  const s = PKCS12_PBE[oid];
  return s && { name: s.name, cipher: s.cipher?.toUpperCase() ?? s.name.replace(/^pbeWithSHA1And/, '') };
}

export interface PbeLimits {
  /** Most KDF iterations to run (default DEFAULT_MAX_KDF_ITERATIONS). */
  maxIterations?: number;
}

/** A password-based scheme read from an AlgorithmIdentifier. */
export interface PbeScheme {
  /** As `openssl pkcs12 -info` prints it: `PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256`. */
  description: string;
  /** Throws KeyLoadError 'unsupported' when deriving the key would take more work than `limits` allow. */
  checkCost(limits?: PbeLimits): void;
  /** Decrypts with `password`. Throws KeyLoadError: 'wrong-passphrase', or 'unsupported' (cipher, or cost over the limit). */
  decrypt(password: string, data: Uint8Array, limits?: PbeLimits): Uint8Array;
}

function integer(block: asn1js.AsnType | undefined, field: string): number {
  if (!(block instanceof asn1js.Integer)) throw new DerError(field, 'expected an INTEGER');
  const bytes = contentOf(block);
  if (bytes.length > 6 || (bytes.length > 0 && bytes[0]! & 0x80)) throw new DerError(field, 'is negative or too large');
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

function octets(block: asn1js.AsnType | undefined, field: string): Uint8Array {
  if (!(block instanceof asn1js.OctetString)) throw new DerError(field, 'expected an OCTET STRING');
  return contentOf(block);
}

function checkIterations(n: number, limits: PbeLimits | undefined): void {
  const max = limits?.maxIterations ?? DEFAULT_MAX_KDF_ITERATIONS;
  if (n < 1) throw new KeyLoadError('malformed', `an iteration count of ${n}`);
  if (n > max) throw new KeyLoadError('unsupported', `${n} key derivation iterations are over the limit of ${max}: not decrypted`);
}

/** Runs a node:crypto decipher; a bad final block means the password (or the data) is wrong. */
function decipher(cipher: string, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  let d;
  try {
    d = createDecipheriv(cipher, key, iv);
  } catch (e) {
    throw new KeyLoadError('unsupported', `${cipher} is not available here: ${(e as Error).message}`);
  }
  try {
    return new Uint8Array(Buffer.concat([d.update(data), d.final()]));
  } catch {
    throw new KeyLoadError('wrong-passphrase', 'the password does not decrypt this content');
  }
}

/** The password as a BMPString with its two-byte terminator, as the PKCS#12 KDF takes it (RFC 7292 appendix B.1). */
function bmpPassword(password: string): Uint8Array {
  const out = new Uint8Array(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    out[2 * i] = c >> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return out;
}

/** RFC 7292 appendix B.2: n bytes of key (id 1), IV (id 2) or MAC key (id 3) from a password and salt. */
export function pkcs12Kdf(hash: HashName, password: string, salt: Uint8Array, iterations: number, id: 1 | 2 | 3, n: number): Uint8Array {
  const { u, v } = Object.values(HASHES).find((h) => h.name === hash)!;
  const fillTo = (src: Uint8Array): Uint8Array => {
    const len = src.length ? v * Math.ceil(src.length / v) : 0;
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const D = new Uint8Array(v).fill(id);
  const I = new Uint8Array([...fillTo(salt), ...fillTo(bmpPassword(password))]);
  const out = new Uint8Array(n);
  for (let done = 0; done < n; ) {
    let a: Uint8Array = new Uint8Array(createHash(hash).update(D).update(I).digest());
    for (let r = 1; r < iterations; r++) a = new Uint8Array(createHash(hash).update(a).digest());
    out.set(a.subarray(0, Math.min(u, n - done)), done);
    done += u;
    if (done >= n) break;
    // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I, with B = a repeated to v bytes.
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const s = I[j + k]! + a[k % u]! + carry;
        I[j + k] = s & 0xff;
        carry = s >> 8;
      }
    }
  }
  return out;
}

/** Reads a PBES2 or PKCS#12 PBE AlgorithmIdentifier. Throws DerError when it is malformed. */
export function pbeScheme(alg: asn1js.AsnType, field: string): PbeScheme {
  const [oidBlock, params] = childrenOf(alg, field);
  const oid = oidOf(oidBlock, `${field}.algorithm`);
  const legacy = PKCS12_PBE[oid];
  if (legacy) {
    const [saltB, iterB] = childrenOf(need(params, `${field}.parameters`), `${field}.parameters`);
    const salt = octets(saltB, `${field}.parameters.salt`);
    const iterations = integer(iterB, `${field}.parameters.iterations`);
    return {
      description: `${legacy.name}, Iteration ${iterations}`,
      checkCost: (limits) => checkIterations(iterations, limits),
      decrypt(password, data, limits) {
        if (!legacy.cipher) throw new KeyLoadError('unsupported', `${legacy.name} (RC2 and RC4 are only in OpenSSL's legacy provider, which Node does not load)`);
        checkIterations(iterations, limits);
        const key = pkcs12Kdf('sha1', password, salt, iterations, 1, legacy.keyLen);
        const iv = pkcs12Kdf('sha1', password, salt, iterations, 2, legacy.ivLen);
        return decipher(legacy.cipher, key, iv, data);
      },
    };
  }
  if (oid !== PBES2) {
    return {
      description: oidLong(oid),
      checkCost: () => undefined,
      decrypt() {
        throw new KeyLoadError('unsupported', `password-based scheme ${oidLong(oid)} is not supported`);
      },
    };
  }
  const [kdfAlg, encAlg] = childrenOf(need(params, `${field}.parameters`), 'PBES2-params');
  const [kdfOid, kdfParams] = childrenOf(need(kdfAlg, 'PBES2-params.keyDerivationFunc'), 'PBES2-params.keyDerivationFunc');
  const [encOid, ivB] = childrenOf(need(encAlg, 'PBES2-params.encryptionScheme'), 'PBES2-params.encryptionScheme');
  const encId = oidOf(encOid, 'encryptionScheme.algorithm');
  const cipher = CIPHERS[encId];
  const cipherName = oidShort(encId);
  const iv = cipher ? octets(ivB, 'encryptionScheme.parameters') : new Uint8Array(0);
  const kdfId = oidOf(kdfOid, 'keyDerivationFunc.algorithm');
  const p = childrenOf(need(kdfParams, 'keyDerivationFunc.parameters'), 'keyDerivationFunc.parameters');
  const salt = octets(p[0], 'keyDerivationFunc.parameters.salt');
  const needCipher = (): { cipher: string; keyLen: number } => {
    if (!cipher) throw new KeyLoadError('unsupported', `PBES2 with ${cipherName} is not supported`);
    return cipher;
  };
  if (kdfId === PBKDF2) {
    const iterations = integer(p[1], 'PBKDF2-params.iterationCount');
    const prfSeq = p.find((x, i) => i >= 2 && x instanceof asn1js.Sequence);
    const prfOid = prfSeq ? oidOf(childrenOf(prfSeq, 'PBKDF2-params.prf')[0], 'PBKDF2-params.prf.algorithm') : '1.2.840.113549.2.7';
    const prf = PRFS[prfOid];
    return {
      description: `PBES2, PBKDF2, ${cipherName}, Iteration ${iterations}, PRF ${oidShort(prfOid)}`,
      checkCost: (limits) => checkIterations(iterations, limits),
      decrypt(password, data, limits) {
        const c = needCipher();
        if (!prf) throw new KeyLoadError('unsupported', `PBKDF2 with ${oidShort(prfOid)} is not supported`);
        checkIterations(iterations, limits);
        return decipher(c.cipher, pbkdf2Sync(password, salt, iterations, c.keyLen, prf), iv, data);
      },
    };
  }
  if (kdfId === SCRYPT) {
    const [n, r, par] = [integer(p[1], 'scrypt-params.costParameter'), integer(p[2], 'scrypt-params.blockSize'), integer(p[3], 'scrypt-params.parallelizationParameter')];
    const checkCost = (): void => {
      // N a power of two, memory 128 * N * r, work N * r * p: RFC 7914 section 2; OpenSSL refuses over 32 MiB.
      if (n < 2 || n > 2 ** 30 || (n & (n - 1)) !== 0 || r < 1 || par < 1 || 128 * n * r > MAX_SCRYPT_MEMORY || n * r * par > 2 ** 26)
        throw new KeyLoadError('unsupported', `scrypt with N=${n}, r=${r}, p=${par} is malformed or over the limit of ${MAX_SCRYPT_MEMORY} bytes of memory`);
    };
    return {
      description: `PBES2, SCRYPT, ${cipherName}, Salt length: ${salt.length}, Cost(N): ${n}, Block size(r): ${r}, Parallelism(p): ${par}`,
      checkCost,
      decrypt(password, data) {
        const c = needCipher();
        checkCost();
        return decipher(c.cipher, scryptSync(password, salt, c.keyLen, { N: n, r, p: par, maxmem: 2 * MAX_SCRYPT_MEMORY }), iv, data);
      },
    };
  }
  return {
    description: `PBES2, ${oidLong(kdfId)}, ${cipherName}`,
    checkCost: () => undefined,
    decrypt() {
      throw new KeyLoadError('unsupported', `PBES2 with key derivation ${oidLong(kdfId)} is not supported`);
    },
  };
}

/** The PFX's MacData (RFC 7292 section 4): what openssl prints, and a check of the password against it. */
export interface PfxMac {
  /** Digest name as openssl prints it: `sha256`. */
  algorithm: string;
  iterations: number;
  macLength: number;
  saltLength: number;
  /** True when the MAC over `content` verifies with `password`; throws KeyLoadError when it cannot be computed. */
  verify(password: string, content: Uint8Array, limits?: PbeLimits): boolean;
}

export function readMacData(macData: asn1js.AsnType): PfxMac {
  const [digestInfo, saltB, iterB] = childrenOf(macData, 'MacData');
  const [alg, digestB] = childrenOf(need(digestInfo, 'MacData.mac'), 'MacData.mac');
  const hashOid = oidOf(childrenOf(need(alg, 'MacData.mac.digestAlgorithm'), 'MacData.mac.digestAlgorithm')[0], 'MacData.mac.digestAlgorithm.algorithm');
  const digest = octets(digestB, 'MacData.mac.digest');
  const salt = octets(saltB, 'MacData.macSalt');
  const iterations = iterB === undefined ? 1 : integer(iterB, 'MacData.iterations');
  const hash = HASHES[hashOid];
  return {
    algorithm: oidLong(hashOid),
    iterations,
    macLength: digest.length,
    saltLength: salt.length,
    verify(password, content, limits) {
      if (!hash) throw new KeyLoadError('unsupported', `a MAC with ${oidLong(hashOid)} is not supported`);
      checkIterations(iterations, limits);
      const key = pkcs12Kdf(hash.name, password, salt, iterations, 3, hash.u);
      const mac = new Uint8Array(createHmac(hash.name, key).update(content).digest());
      return mac.length === digest.length && mac.every((b, i) => b === digest[i]);
    },
  };
}
