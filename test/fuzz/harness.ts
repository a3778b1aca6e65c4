// Runs a target over seeded, reproducible cases: case i of seed S is the i-th seed unchanged (for the first
// pass over the corpus), then a mutation of a corpus entry drawn from caseSeed(S, i). No state carries from
// one case to the next, so `--seed S --case i` rebuilds any input. Each case is timed (over the deadline twice
// in a row: a hang) and the heap is sampled as the run goes and measured after it, once garbage is collected.
import v8 from 'node:v8';
import vm from 'node:vm';
import { performance } from 'node:perf_hooks';
import { mutate } from './mutate';
import { caseSeed, sfc32 } from './prng';
import { DEFAULT_DEADLINE_MS, DEFAULT_MAX_LENGTH, isTyped, type FuzzTarget } from './target';

export type Outcome =
  | { kind: 'ok' }
  | { kind: 'rejected'; error: Error }
  | { kind: 'crash'; error: unknown }
  | { kind: 'hang'; ms: number };

export interface Finding {
  kind: 'crash' | 'hang';
  /** What makes two findings the same bug: the error's name, message shape and first engine frame. */
  signature: string;
  message: string;
  stack?: string;
  seed: number;
  caseIndex: number;
  input: Uint8Array;
  /** How many cases hit this signature. */
  count: number;
}

export interface RunReport {
  target: string;
  cases: number;
  ok: number;
  rejected: number;
  findings: Finding[];
  /** heapUsed + arrayBuffers after the run minus before it, both after a garbage collection (bytes). */
  memoryGrowth: number;
  /** The highest heapUsed + arrayBuffers seen while running, over the start (bytes). */
  memoryPeak: number;
  seconds: number;
}

export interface RunOptions {
  seed: number;
  /** Stop after this long... */
  seconds?: number;
  /** ...or after this many cases, whichever comes first. */
  maxCases?: number;
  /** First case index (a supervisor restarting after a hang goes on from the next one). */
  startCase?: number;
  /** Called before each case (a supervisor watching for a case that never returns). */
  onCase?: (index: number) => void;
}

/**
 * Runs one input. A case is slow when both the wall clock and the process's CPU time passed the deadline (a
 * machine busy with other work stretches the first only); a slow case is run again and is a hang only if slow
 * twice (not a GC pause).
 */
export function runOne(target: FuzzTarget, input: Uint8Array): Outcome {
  const deadline = target.deadlineMs ?? DEFAULT_DEADLINE_MS;
  let ms = 0;
  for (let attempt = 0; attempt < 2; attempt++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const slow = (): boolean => {
      ms = performance.now() - t0;
      if (ms <= deadline) return false;
      const cpu = process.cpuUsage(cpu0);
      return (cpu.user + cpu.system) / 1000 > deadline;
    };
    try {
      target.run(input);
    } catch (e) {
      if (!isTyped(target, e)) return { kind: 'crash', error: e };
      if (!slow()) return { kind: 'rejected', error: e as Error };
      continue;
    }
    if (!slow()) return { kind: 'ok' };
  }
  return { kind: 'hang', ms };
}

/** The input of case `index`: the seeds in order first, then mutations. */
export function caseInput(target: FuzzTarget, seeds: readonly Uint8Array[], seed: number, index: number): Uint8Array {
  if (index < seeds.length) return seeds[index]!;
  const rng = sfc32(caseSeed(seed, index));
  const base = seeds[rng.below(seeds.length)]!;
  return mutate(base, rng, { corpus: seeds, maxLength: target.maxLength ?? DEFAULT_MAX_LENGTH, fixedPrefix: target.fixedPrefix ?? 0 });
}

export function describeError(e: unknown): { name: string; message: string; stack?: string } {
  if (e instanceof Error) return { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  return { name: typeof e, message: String(e) };
}

/** Name, message with numbers and quoted text blurred, and the first frame inside engine/ (or the first frame). */
export function signatureOf(outcome: Outcome): string {
  if (outcome.kind === 'hang') return 'hang';
  const { name, message, stack } = describeError(outcome.kind === 'crash' ? outcome.error : undefined);
  const shape = message.replace(/0x[0-9a-f]+/gi, 'N').replace(/\d+/g, 'N').replace(/"[^"]*"|'[^']*'/g, 'S').slice(0, 160);
  const frames = (stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  // The engine's line when stacks are source-mapped; else the first frame of our code (not node's, not a package's).
  const frame = frames.find((l) => /engine[\\/]/.test(l)) ?? frames.find((l) => !/node:|node_modules|<anonymous>/.test(l)) ?? frames[0] ?? '';
  const where = frame.replace(/^\s+at /, '').replace(/\(.*[\\/](engine[\\/][^)]*)\)/, '($1)').replace(/:\d+\)?$/, '');
  return `${name}: ${shape} @ ${where}`;
}

// A garbage collector, so memory is measured after collection (the flag works at run time when set before use).
let gcFn: (() => void) | null | undefined;
function collect(): void {
  if (gcFn === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    } catch {
      gcFn = null;
    }
  }
  gcFn?.();
}

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export function runTarget(target: FuzzTarget, seeds: readonly Uint8Array[], opts: RunOptions): RunReport {
  const t0 = performance.now();
  const until = opts.seconds !== undefined ? t0 + opts.seconds * 1000 : Infinity;
  const maxCases = opts.maxCases ?? Infinity;
  const report: RunReport = { target: target.name, cases: 0, ok: 0, rejected: 0, findings: [], memoryGrowth: 0, memoryPeak: 0, seconds: 0 };
  const bySignature = new Map<string, Finding>();
  collect();
  const before = memory();
  for (let i = opts.startCase ?? 0; report.cases < maxCases && performance.now() < until; i++) {
    opts.onCase?.(i);
    const input = caseInput(target, seeds, opts.seed, i);
    const out = runOne(target, input);
    report.cases++;
    if (out.kind === 'ok') report.ok++;
    else if (out.kind === 'rejected') report.rejected++;
    else {
      const signature = signatureOf(out);
      const seen = bySignature.get(signature);
      if (seen) seen.count++;
      else {
        const d = out.kind === 'crash' ? describeError(out.error) : { message: `took ${out.ms.toFixed(0)} ms, over the ${target.deadlineMs ?? DEFAULT_DEADLINE_MS} ms deadline`, stack: undefined };
        const f: Finding = { kind: out.kind, signature, message: d.message, seed: opts.seed, caseIndex: i, input: input.slice(), count: 1, ...(d.stack ? { stack: d.stack } : {}) };
        bySignature.set(signature, f);
        report.findings.push(f);
      }
    }
    if ((report.cases & 255) === 0) report.memoryPeak = Math.max(report.memoryPeak, memory() - before);
  }
  collect();
  report.memoryGrowth = memory() - before;
  report.memoryPeak = Math.max(report.memoryPeak, report.memoryGrowth);
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}

/** Most a run may leave allocated once garbage is collected: more means something keeps inputs alive. */
export const MAX_MEMORY_GROWTH = 64 * 1024 * 1024;
