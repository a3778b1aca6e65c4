// Describes how an encrypted private key is protected (RFC 8018 PBES2 with PBKDF2, RFC 7914 scrypt;
// RFC 1421 DEK-Info for legacy keys), without decrypting it.
import * as asn1js from 'asn1js';
import { oidLong, oidShort } from '../registry/oids';
import { childrenOf, oidOf, parseDer } from './der';
import { pkcs12PbeName } from './pbe';
import type { KeyEncryptionInfo } from './types';

const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const SCRYPT = '1.3.6.1.4.1.11591.4.11';

export function describePkcs8Encryption(der: Uint8Array): KeyEncryptionInfo {
  const root = parseDer(der, 'EncryptedPrivateKeyInfo');
  const [alg] = childrenOf(root, 'EncryptedPrivateKeyInfo');
  const [algOid, params] = childrenOf(alg!, 'encryptionAlgorithm');
  const scheme = oidOf(algOid, 'encryptionAlgorithm.algorithm');
  const pkcs12 = pkcs12PbeName(scheme);
  if (pkcs12) {
    const iterations = (childrenOf(params, 'pkcs-12PbeParams')[1] as asn1js.Integer | undefined)?.valueBlock.valueDec;
    return { scheme: pkcs12.name, kdf: `PKCS#12 key derivation (SHA-1, ${iterations} iterations)`, cipher: pkcs12.cipher };
  }
  if (scheme !== PBES2 || !params) return { scheme: oidLong(scheme), kdf: '(PKCS#5 v1.5 / PKCS#12 scheme)', cipher: oidShort(scheme) };
  const [kdfAlg, encAlg] = childrenOf(params, 'PBES2-params');
  const [kdfOid, kdfParams] = childrenOf(kdfAlg!, 'keyDerivationFunc');
  const kdfId = oidOf(kdfOid, 'keyDerivationFunc.algorithm');
  const cipher = oidShort(oidOf(childrenOf(encAlg!, 'encryptionScheme')[0], 'encryptionScheme.algorithm'));
  const p = kdfParams ? childrenOf(kdfParams, 'kdf params') : [];
  let kdf = oidLong(kdfId);
  if (kdfId === PBKDF2) {
    const iterations = (p[1] as asn1js.Integer | undefined)?.valueBlock.valueDec;
    const prfSeq = p.find((x, i) => i >= 2 && x instanceof asn1js.Sequence);
    const prf = prfSeq ? oidShort(oidOf(childrenOf(prfSeq, 'prf')[0], 'prf.algorithm')) : 'hmacWithSHA1';
    kdf = `PBKDF2 (${prf}, ${iterations} iterations)`;
  } else if (kdfId === SCRYPT) {
    const [, n, r, par] = p.map((x) => (x as asn1js.Integer).valueBlock?.valueDec);
    kdf = `scrypt (N=${n}, r=${r}, p=${par})`;
  }
  return { scheme: 'PBES2', kdf, cipher };
}

export function describeLegacyEncryption(headers: { name: string; value: string }[]): KeyEncryptionInfo | undefined {
  const proc = headers.find((h) => h.name.toLowerCase() === 'proc-type');
  if (!proc || !/ENCRYPTED/i.test(proc.value)) return undefined;
  const dek = headers.find((h) => h.name.toLowerCase() === 'dek-info');
  const cipher = dek?.value.split(',')[0]?.trim() ?? 'unknown cipher';
  return { scheme: 'legacy PEM (RFC 1421)', kdf: 'MD5 (OpenSSL EVP_BytesToKey, 1 iteration)', cipher };
}
