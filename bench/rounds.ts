// The measuring machinery of `npm run bench`: cells (one engine doing one thing), interleaved rounds (round 1 of
// every cell, then round 2, ...; odd rounds in reverse order), so that drift on a shared machine hits every cell
// alike, and the median of each cell's rounds. Every sample carries the process CPU time (user + system, all
// threads) spent while it was timed: both ends of every connection run in this one process, whatever the engine.

export interface Sample {
  /** The figure in the cell's unit (handshakes/s, MB/s, ms). */
  value: number;
  /** Work per CPU second (handshakes, MB) for rates; null for latencies. */
  perCpuS: number | null;
}

export interface Cell {
  /** The case measured, e.g. 'TLS 1.3 X25519 ECDSA-P256 AES-128-GCM'. */
  case: string;
  engine: string;
  provider: string;
  metric: string;
  unit: string;
  /** What the engine's figure is compared with: the key of another cell (`cellKey`). */
  peers?: string[];
  /** One round's measurement. */
  run(): Promise<Sample>;
  /** A small untimed run before round 1 (JIT warm-up, first-connection costs). */
  warmUp?(): Promise<unknown>;
}

export const cellKey = (c: Pick<Cell, 'case' | 'engine' | 'provider' | 'metric'>): string => `${c.case}|${c.engine}|${c.provider}|${c.metric}`;

/**
 * Runs `fn` again and again for at least `ms` (at least once): V8 keeps optimising our engine's code for about the
 * first thousand handshakes, so a short warm-up would time the JIT, not the engine a long-running server or
 * extension host runs. Every engine gets the same warm-up, node:tls and forge included.
 */
export async function warmFor(ms: number, fn: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  do await fn();
  while (performance.now() - t0 < ms);
}

export interface Timing {
  wallS: number;
  cpuS: number;
}

/** Wall and CPU time of `fn`. */
export async function timed(fn: () => Promise<void> | void): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wallS, cpuS: (cpu.user + cpu.system) / 1e6 };
}

/** A rate sample: `work` units (handshakes, MB) done in `t`. */
export const rate = (work: number, t: Timing): Sample => ({ value: work / t.wallS, perCpuS: t.cpuS > 0 ? work / t.cpuS : null });

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface CellResult {
  cell: Cell;
  samples: Sample[];
  value: number;
  perCpuS: number | null;
}

/** Runs `rounds` interleaved rounds of `cells` and returns each cell's samples and medians. */
export async function runInterleaved(cells: Cell[], rounds: number, log: (line: string) => void = () => undefined): Promise<Map<string, CellResult>> {
  for (const c of cells) await c.warmUp?.();
  const samples = new Map<string, Sample[]>(cells.map((c) => [cellKey(c), []]));
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const order = r % 2 ? [...cells].reverse() : cells;
    for (const c of order) samples.get(cellKey(c))!.push(await c.run());
    log(`round ${r + 1}/${rounds}: ${cells.length} cells in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const out = new Map<string, CellResult>();
  for (const c of cells) {
    const s = samples.get(cellKey(c))!;
    const cpu = s.map((x) => x.perCpuS).filter((x): x is number => x !== null);
    out.set(cellKey(c), { cell: c, samples: s, value: median(s.map((x) => x.value)), perCpuS: cpu.length ? median(cpu) : null });
  }
  return out;
}
