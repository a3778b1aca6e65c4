// Byte mutators for the fuzz targets. Generic ones (bit flips, interesting values, inserted, deleted and
// duplicated ranges, splices of two corpus entries) and one that knows TLS and DER are full of big-endian
// length prefixes: it looks for 1-, 2- and 3-byte values that could be the length of what follows and moves
// them by one, to zero, to their maximum or to "exactly the rest of the input", which is where decoders go wrong.
import type { Rng } from './prng';
import { concatBytes } from '../../engine/util/hex';

export interface MutateContext {
  /** Other inputs to splice with. */
  corpus: readonly Uint8Array[];
  /** Results are cut to this many bytes. */
  maxLength: number;
  /** Bytes at the start left alone (a target's envelope header: which scenario, which flight). */
  fixedPrefix: number;
}

type Op = (b: Uint8Array, rng: Rng, ctx: MutateContext) => Uint8Array;

const INTERESTING_8 = [0x00, 0x01, 0x7f, 0x80, 0xff];
const INTERESTING_16 = [0x0000, 0x0001, 0x00ff, 0x0100, 0x7fff, 0x8000, 0xffff];
const INTERESTING_24 = [0x000000, 0x000001, 0x7fffff, 0x800000, 0xffffff];

const cat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

function readBE(b: Uint8Array, p: number, w: number): number {
  let v = 0;
  for (let i = 0; i < w; i++) v = v * 256 + b[p + i]!;
  return v;
}

function writeBE(b: Uint8Array, p: number, w: number, v: number): void {
  for (let i = w - 1; i >= 0; i--) {
    b[p + i] = v & 0xff;
    v = Math.floor(v / 256);
  }
}

/** A range [start, end) of `b`, at most `max` long (and at least 1 when b is not empty). */
function range(b: Uint8Array, rng: Rng, max = 64): [number, number] {
  const start = rng.below(b.length);
  const len = 1 + rng.below(Math.min(max, b.length - start));
  return [start, start + len];
}

const bitFlip: Op = (b, rng) => {
  if (!b.length) return b;
  const out = b.slice();
  out[rng.below(out.length)]! ^= 1 << rng.below(8);
  return out;
};

const randomByte: Op = (b, rng) => {
  if (!b.length) return b;
  const out = b.slice();
  out[rng.below(out.length)] = rng.u32() & 0xff;
  return out;
};

const interesting: Op = (b, rng) => {
  if (!b.length) return b;
  const out = b.slice();
  const w = b.length >= 3 ? 1 + rng.below(3) : b.length >= 2 ? 1 + rng.below(2) : 1;
  const p = rng.below(b.length - w + 1);
  writeBE(out, p, w, rng.pick(w === 1 ? INTERESTING_8 : w === 2 ? INTERESTING_16 : INTERESTING_24));
  return out;
};

const insertRandom: Op = (b, rng) => {
  const at = rng.below(b.length + 1);
  const n = 1 + rng.below(rng.chance(0.8) ? 8 : 256);
  const fill = rng.chance(0.5) ? rng.bytes(n) : new Uint8Array(n).fill(rng.pick(INTERESTING_8));
  return cat(b.subarray(0, at), fill, b.subarray(at));
};

const deleteRange: Op = (b, rng) => {
  if (!b.length) return b;
  const [s, e] = range(b, rng, rng.chance(0.8) ? 16 : b.length);
  return cat(b.subarray(0, s), b.subarray(e));
};

const duplicateRange: Op = (b, rng) => {
  if (!b.length) return b;
  const [s, e] = range(b, rng, rng.chance(0.8) ? 32 : 1024);
  const at = rng.chance(0.5) ? e : rng.below(b.length + 1);
  const copies = rng.chance(0.9) ? 1 : 2 + rng.below(30);
  const piece = b.subarray(s, e);
  return cat(b.subarray(0, at), ...Array.from({ length: copies }, () => piece), b.subarray(at));
};

const truncate: Op = (b, rng) => (b.length ? b.subarray(0, rng.below(b.length)) : b);

/** Head of one input, tail of another; or a piece of another dropped in. */
const splice: Op = (b, rng, ctx) => {
  if (!ctx.corpus.length) return b;
  const other = rng.pick(ctx.corpus).subarray(ctx.fixedPrefix);
  if (!other.length) return b;
  if (rng.chance(0.5)) {
    const cutA = rng.below(b.length + 1);
    const cutB = rng.below(other.length + 1);
    return cat(b.subarray(0, cutA), other.subarray(cutB));
  }
  const [s, e] = range(other, rng, 256);
  const at = rng.below(b.length + 1);
  return cat(b.subarray(0, at), other.subarray(s, e), b.subarray(at));
};

interface LengthField {
  pos: number;
  width: number;
  value: number;
  /** Bytes after the field. */
  rest: number;
}

/** Values that could be a length prefix: not bigger than what follows, and for one byte not zero. */
function findLengthFields(b: Uint8Array, rng: Rng, tries: number): LengthField[] {
  const found: LengthField[] = [];
  for (let t = 0; t < tries; t++) {
    const width = 1 + rng.below(3);
    if (b.length < width) continue;
    const pos = rng.below(b.length - width + 1);
    const value = readBE(b, pos, width);
    const rest = b.length - pos - width;
    if (value > rest || (width === 1 && value === 0)) continue;
    found.push({ pos, width, value, rest });
  }
  return found;
}

/** Moves a plausible length prefix: ±1, 0, its maximum, the rest of the input, or cuts the input where it says. */
const lengthField: Op = (b, rng) => {
  const fields = findLengthFields(b, rng, 48);
  if (!fields.length) return interesting(b, rng, { corpus: [], maxLength: 0, fixedPrefix: 0 });
  const f = rng.pick(fields);
  const max = 2 ** (8 * f.width) - 1;
  const choice = rng.below(8);
  if (choice === 7) return b.subarray(0, f.pos + f.width + f.value); // the structure ends the input
  const next = [f.value + 1, f.value - 1, 0, max, f.rest, f.rest + 1, f.value + 1 + rng.below(16)][choice]!;
  const out = b.slice();
  writeBE(out, f.pos, f.width, Math.max(0, Math.min(max, next)));
  return out;
};

const OPS: { op: Op; weight: number }[] = [
  { op: bitFlip, weight: 6 },
  { op: randomByte, weight: 3 },
  { op: interesting, weight: 5 },
  { op: lengthField, weight: 10 },
  { op: insertRandom, weight: 3 },
  { op: deleteRange, weight: 3 },
  { op: duplicateRange, weight: 3 },
  { op: truncate, weight: 1 },
  { op: splice, weight: 3 },
];
const TOTAL = OPS.reduce((n, o) => n + o.weight, 0);

function pickOp(rng: Rng): Op {
  let r = rng.below(TOTAL);
  for (const o of OPS) {
    if (r < o.weight) return o.op;
    r -= o.weight;
  }
  return OPS[0]!.op;
}

/** One to several stacked mutations of `input` (its first `ctx.fixedPrefix` bytes kept). */
export function mutate(input: Uint8Array, rng: Rng, ctx: MutateContext): Uint8Array {
  const head = input.subarray(0, Math.min(ctx.fixedPrefix, input.length));
  let body = input.subarray(head.length);
  const n = rng.chance(0.5) ? 1 : 2 + rng.below(rng.chance(0.8) ? 3 : 12);
  for (let i = 0; i < n; i++) body = pickOp(rng)(body, rng, ctx);
  const out = cat(head, body);
  return out.length > ctx.maxLength ? out.subarray(0, ctx.maxLength) : out;
}
