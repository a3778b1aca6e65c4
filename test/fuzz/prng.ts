// A small seeded PRNG (sfc32, seeded through splitmix32) so that every fuzz case is a function of
// (seed, case index) alone: a crash found in a long run reproduces from those two numbers.

export interface Rng {
  /** 32 random bits. */
  u32(): number;
  /** An integer in [0, n); 0 when n <= 0. */
  below(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  bytes(n: number): Uint8Array;
  pick<T>(xs: readonly T[]): T;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function sfc32(seed: number): Rng {
  const init = splitmix32(seed);
  let a = init(), b = init(), c = init(), d = 1;
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32(); // let the state mix before the first output
  const below = (n: number): number => (n <= 0 ? 0 : Math.floor((u32() / 0x1_0000_0000) * n));
  return {
    u32,
    below,
    chance: (p) => u32() / 0x1_0000_0000 < p,
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = u32() & 0xff;
      return out;
    },
    pick: (xs) => xs[below(xs.length)]!,
  };
}

/** The seed of case `index` of a run seeded `seed`: cases are independent, so any one can be replayed alone. */
export function caseSeed(seed: number, index: number): number {
  return splitmix32((seed ^ Math.imul(index + 1, 0x27d4eb2d)) >>> 0)();
}

/** FNV-1a of some bytes: a stable seed derived from an input (chunk boundaries and such are chosen from it). */
export function hashBytes(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}
