// Helpers the targets share.
import { isTyped, type FuzzTarget } from '../target';
import { concatBytes } from '../../../engine/util/hex';

/**
 * Runs one step of a case and swallows the target's typed errors, so that one rejected record or message does
 * not end the case and what follows it still gets fed. Anything untyped goes on up: a crash.
 */
export function tolerate<T>(target: FuzzTarget, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (isTyped(target, e)) return undefined;
    throw e;
  }
}

export const cat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `bytes` as pieces of 1..max bytes, the cuts chosen by `below` (a seeded rng of the input, for replay). */
export function chunks(bytes: Uint8Array, below: (n: number) => number, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let p = 0; p < bytes.length; ) {
    const n = 1 + below(max);
    out.push(bytes.subarray(p, p + n));
    p += n;
  }
  return out;
}

/**
 * Length-prefixed pieces: u16 length then bytes, repeated (the envelope for inputs that are several datagrams
 * or flights). A length past the end takes what is left; the length-aware mutator moves these too.
 */
export function splitPieces(body: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  while (p + 2 <= body.length) {
    const n = (body[p]! << 8) | body[p + 1]!;
    p += 2;
    out.push(body.subarray(p, Math.min(body.length, p + n)));
    p += n;
  }
  return out;
}

export function joinPieces(pieces: readonly Uint8Array[]): Uint8Array {
  return cat(...pieces.flatMap((b) => [Uint8Array.of(b.length >> 8, b.length & 0xff), b]));
}
