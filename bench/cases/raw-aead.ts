// The AEADs alone, on 16 KiB messages, no TLS: the ceiling each provider's bulk rows can approach. In a bulk row
// both ends run in this process, so every byte is sealed once and opened once: the peer of those rows is
// seal + open per message. Seal alone is measured too. @noble/ciphers' gcm/chacha20poly1305 take the key with the
// nonce, so the cipher cannot be kept per key (gcm expands the AES key on each call); node:crypto gets a new
// cipher per message too, as the node provider does per record.
import { createCipheriv, createDecipheriv, randomBytes, type CipherGCMTypes } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { rate, timed, type Sample } from '../rounds';
import { CHUNK } from './net';

export type AeadKind = 'AES-128-GCM' | 'CHACHA20-POLY1305';
type Seal = (nonce: Uint8Array, msg: Uint8Array) => Uint8Array;
type Open = (nonce: Uint8Array, sealed: Uint8Array) => Uint8Array;

const AAD = new Uint8Array([0x17, 0x03, 0x03, 0x40, 0x11]); // a TLS 1.3 record header

function noble(kind: AeadKind): { seal: Seal; open: Open } {
  const key = new Uint8Array(randomBytes(kind === 'AES-128-GCM' ? 16 : 32));
  const make = kind === 'AES-128-GCM' ? gcm : chacha20poly1305;
  return { seal: (n, m) => make(key, n, AAD).encrypt(m), open: (n, c) => make(key, n, AAD).decrypt(c) };
}

function node(kind: AeadKind): { seal: Seal; open: Open } {
  const key = randomBytes(kind === 'AES-128-GCM' ? 16 : 32);
  const algo = (kind === 'AES-128-GCM' ? 'aes-128-gcm' : 'chacha20-poly1305') as CipherGCMTypes;
  return {
    seal(n, m) {
      const c = createCipheriv(algo, key, n, { authTagLength: 16 });
      c.setAAD(AAD);
      const body = c.update(m);
      c.final();
      return Buffer.concat([body, c.getAuthTag()]);
    },
    open(n, s) {
      const d = createDecipheriv(algo, key, n, { authTagLength: 16 });
      d.setAuthTag(s.subarray(s.length - 16));
      d.setAAD(AAD);
      const out = d.update(s.subarray(0, s.length - 16));
      d.final();
      return out;
    },
  };
}

/** MB/s of 16 KiB messages through `lib`'s AEAD: sealed, or sealed and opened. */
export async function rawAead(lib: 'noble' | 'node', kind: AeadKind, bytes: number, withOpen: boolean): Promise<Sample> {
  const { seal, open } = lib === 'noble' ? noble(kind) : node(kind);
  const msg = new Uint8Array(CHUNK).fill(0x61);
  const nonce = new Uint8Array(12);
  const view = new DataView(nonce.buffer);
  const t = await timed(() => {
    for (let i = 0; i * CHUNK < bytes; i++) {
      view.setUint32(8, i);
      const sealed = seal(nonce, msg);
      if (withOpen) open(nonce, sealed);
    }
  });
  return rate(bytes / 1e6, t);
}
