// A peer's public key, decoded and imported once per distinct SPKI rather than once per signature: a client that
// connects again to the same server (or a server verifying the same client certificate) sees the same bytes, and
// pkijs's decode plus node:crypto's import cost more than an RSA-2048 verification itself.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeSpkiBytes } from '../x509/public-key';
import type { PublicKeyInfo } from '../x509/types';

interface Entry { info: PublicKeyInfo; key?: KeyObject }
const MAX = 64;
const cache = new Map<string, Entry>();

function entry(spki: Uint8Array): Entry {
  const id = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('latin1');
  let e = cache.get(id);
  if (e) {
    cache.delete(id); // most recently used last
    cache.set(id, e);
    return e;
  }
  e = { info: decodeSpkiBytes(spki) }; // throws on a malformed SPKI: nothing is cached then
  cache.set(id, e);
  if (cache.size > MAX) cache.delete(cache.keys().next().value!);
  return e;
}

/** The decoded SubjectPublicKeyInfo (throws a typed DecodeError when malformed). */
export function spkiInfo(spki: Uint8Array): PublicKeyInfo {
  return entry(spki).info;
}

/** The SPKI as a node:crypto KeyObject (throws when node:crypto refuses it). */
export function spkiKeyObject(spki: Uint8Array): KeyObject {
  const e = entry(spki);
  return (e.key ??= createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }));
}
