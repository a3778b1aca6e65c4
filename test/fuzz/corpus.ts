// The checked-in inputs: seeds (test/fuzz/corpus/<target>/, made by scripts/fuzz-corpus.mjs) and regressions
// (test/fuzz/regressions/<target>/, every crash ever found, replayed on every run). Paths are from the
// repository root, where npm and the tests run.
import fs from 'node:fs';
import path from 'node:path';
import type { FuzzTarget } from './target';

export const CORPUS_DIR = path.resolve('test/fuzz/corpus');
export const REGRESSIONS_DIR = path.resolve('test/fuzz/regressions');

export interface NamedInput {
  /** File name (or `seed:N` for seeds made in code). */
  name: string;
  bytes: Uint8Array;
}

function readDir(dir: string): NamedInput[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((f) => !f.startsWith('.') && fs.statSync(path.join(dir, f)).isFile())
    .sort()
    .map((f) => ({ name: f, bytes: new Uint8Array(fs.readFileSync(path.join(dir, f))) }));
}

/** The corpus directory's files, then the target's own seeds. Never empty (an empty input at worst). */
export function seedsOf(target: FuzzTarget): NamedInput[] {
  const files = readDir(path.join(CORPUS_DIR, target.name));
  const made = (target.seeds?.() ?? []).map((bytes, i) => ({ name: `seed:${i}`, bytes }));
  const all = [...files, ...made];
  return all.length ? all : [{ name: 'empty', bytes: new Uint8Array(0) }];
}

export function regressionsOf(target: FuzzTarget): NamedInput[] {
  return readDir(path.join(REGRESSIONS_DIR, target.name));
}
