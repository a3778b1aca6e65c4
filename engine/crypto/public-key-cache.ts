// A peer's public key, decoded and imported once per distinct SPKI rather than once per signature: a client that
// connects again to the same server (or a server verifying the same client certificate) sees the same bytes, and
// pkijs's decode plus node:crypto's import cost more than an RSA-2048 verification itself.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeSpkiBytes } from '../x509/public-key';
import type { PublicKeyInfo } from '../x509/types';
import { BoundedCache, bytesKey } from '../util/bounded-cache';

interface Entry { info: PublicKeyInfo; key?: KeyObject }
const cache = new BoundedCache<string, Entry>(64);

// decodeSpkiBytes throws on a malformed SPKI: nothing is cached then.
const entry = (spki: Uint8Array): Entry => cache.get(bytesKey(spki), () => ({ info: decodeSpkiBytes(spki) }));

/** The decoded SubjectPublicKeyInfo (throws a typed DecodeError when malformed). */
export function spkiInfo(spki: Uint8Array): PublicKeyInfo {
  return entry(spki).info;
}

/** The SPKI as a node:crypto KeyObject (throws when node:crypto refuses it). */
export function spkiKeyObject(spki: Uint8Array): KeyObject {
  const e = entry(spki);
  return (e.key ??= createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }));
}
