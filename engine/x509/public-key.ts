// SubjectPublicKeyInfo (RFC 5280 section 4.1.2.7; RFC 3279, 4055, 5480, 8410) described for people and compared by hash.
import * as asn1js from 'asn1js';
import { sha256 } from '@noble/hashes/sha2.js';
import { curveBits, curveNames, oidShort } from '../registry/oids';
import { bytesToBase64 } from '../pem/blocks';
import { colonHexUpper, toHex } from '../util/hex';
import { childrenOf, contentOf, DerError, oidOf, parseDer, rawOf } from './der';
import type { PublicKeyAlgorithm, PublicKeyInfo } from './types';

const ALGORITHMS: Record<string, PublicKeyAlgorithm> = {
  '1.2.840.113549.1.1.1': 'RSA',
  '1.2.840.113549.1.1.10': 'RSA-PSS',
  '1.2.840.10045.2.1': 'EC',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.2.840.10040.4.1': 'DSA',
};

const FIXED_BITS: Partial<Record<PublicKeyAlgorithm, number>> = { Ed25519: 253, Ed448: 456, X25519: 253, X448: 448 }; // as OpenSSL's EVP_PKEY_get_bits

export function decodeSpkiBytes(der: Uint8Array, field = 'SubjectPublicKeyInfo'): PublicKeyInfo {
  return decodeSpki(parseDer(der, field), field);
}

export function decodeSpki(block: asn1js.AsnType, field: string): PublicKeyInfo {
  const spkiDer = rawOf(block);
  const [algId, bits] = childrenOf(block, field);
  if (!algId || !(bits instanceof asn1js.BitString)) throw new DerError(field, 'expected SEQUENCE { AlgorithmIdentifier, BIT STRING }');
  const [algOid, params] = childrenOf(algId, `${field}.algorithm`);
  const oid = oidOf(algOid, `${field}.algorithm.algorithm`);
  const algorithm = ALGORITHMS[oid] ?? 'unknown';
  const keyBytes = contentOf(bits);
  const digest = sha256(spkiDer);
  const base = { algorithm, oid, spkiSha256: colonHexUpper(digest), pin: bytesToBase64(digest) };

  if (algorithm === 'RSA' || algorithm === 'RSA-PSS') {
    const rsa = parseDer(keyBytes, `${field}.subjectPublicKey(RSAPublicKey)`);
    const [n, e] = childrenOf(rsa, `${field}.RSAPublicKey`);
    if (!(n instanceof asn1js.Integer) || !(e instanceof asn1js.Integer)) throw new DerError(`${field}.RSAPublicKey`, 'expected modulus and exponent');
    const mod = stripZeros(contentOf(n));
    const bitsLen = bitLength(mod);
    const exponent = BigInt('0x' + (toHex(contentOf(e)) || '0')).toString();
    return { ...base, bits: bitsLen, exponent, publicHex: toHex(mod), description: `${algorithm} ${bitsLen} bits` };
  }
  if (algorithm === 'EC') {
    if (!(params instanceof asn1js.ObjectIdentifier)) {
      // Explicit ECParameters (RFC 3279 section 2.3.5): the size is the order's, as EVP_PKEY_get_bits says.
      const order = params ? childrenOf(params, `${field}.algorithm.parameters`)[4] : undefined;
      const size = order instanceof asn1js.Integer ? bitLength(stripZeros(contentOf(order))) : 0;
      return { ...base, bits: size, curve: 'explicit parameters', publicHex: toHex(keyBytes), description: `EC ${size}-bit explicit parameters` };
    }
    const curveOid = params.valueBlock.toString();
    const curve = curveNames[curveOid] ?? oidShort(curveOid);
    const size = curveBits[curveOid] ?? 0;
    return { ...base, bits: size, curve, publicHex: toHex(keyBytes), description: `EC ${curve}` };
  }
  const fixed = FIXED_BITS[algorithm];
  return {
    ...base,
    bits: fixed ?? keyBytes.length * 8,
    publicHex: toHex(keyBytes),
    description: algorithm === 'unknown' ? `unknown key type ${oid}` : algorithm,
  };
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

function bitLength(b: Uint8Array): number {
  if (b.length === 0) return 0;
  return (b.length - 1) * 8 + (32 - Math.clz32(b[0]!));
}
