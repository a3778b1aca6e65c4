// Does this private key belong to this certificate? Proven twice: the key's public half equals the
// certificate's SubjectPublicKeyInfo (what X509_check_private_key compares), and a signature made with
// the key over fresh random bytes verifies under the certificate's key (possession, not just equality).
import { normaliseSpki, publicSpkiOf, signatureVerifiesUnder, type PrivateKeyHandle } from '../crypto/node-keys';
import { bytesEqual } from '../util/hex';
import { decodeSpkiBytes } from './public-key';
import type { PublicKeyInfo } from './types';

export interface KeyMatch {
  match: boolean;
  /** Same algorithm family: an EC key can never match an RSA certificate. */
  sameType: boolean;
  publicKeyEqual: boolean;
  signatureVerified: boolean;
  certificateKey: PublicKeyInfo;
  privateKey: PublicKeyInfo;
  reason: string;
}

export function matchKeyToSpki(certSpki: Uint8Array, key: PrivateKeyHandle): KeyMatch {
  const keySpki = publicSpkiOf(key);
  const certificateKey = decodeSpkiBytes(certSpki);
  const privateKey = decodeSpkiBytes(keySpki);
  const sameType = certificateKey.algorithm === privateKey.algorithm && certificateKey.curve === privateKey.curve;
  const publicKeyEqual = sameType && bytesEqual(normaliseSpki(certSpki), keySpki);
  const signatureVerified = sameType && signatureVerifiesUnder(key, certSpki);
  const match = publicKeyEqual && signatureVerified;
  const reason = match
    ? 'the public halves are equal and a signature made with the key verifies under the certificate'
    : !sameType
      ? `key type mismatch: the certificate holds ${certificateKey.description}, the key is ${privateKey.description}`
      : !publicKeyEqual
        ? 'key values mismatch: the key is of the same type but its public half differs from the certificate\'s'
        : 'the public halves are equal but a signature made with the key does not verify (damaged key?)';
  return { match, sameType, publicKeyEqual, signatureVerified, certificateKey, privateKey, reason };
}
