// bench/results.json and the same rows as a table on stdout. A row is one cell's median against one peer: `ratio`
// is ours over the peer's figure measured in the same run (for rates higher is better, for ms lower is better).
import fs from 'node:fs';
import { cellKey, type CellResult } from './rounds';

export interface Row {
  case: string;
  engine: string;
  provider: string;
  metric: string;
  value: number;
  unit: string;
  per_cpu_s: number | null;
  peer: string | null;
  peer_value: number | null;
  ratio: number | null;
}

const round = (x: number | null): number | null => (x === null ? null : Number(x.toPrecision(4)));

/** One row per (cell, peer); a cell without peers gives one row with peer null. */
export function rowsOf(results: Map<string, CellResult>): Row[] {
  const rows: Row[] = [];
  for (const { cell, value, perCpuS } of results.values()) {
    const base = { case: cell.case, engine: cell.engine, provider: cell.provider, metric: cell.metric, value: round(value)!, unit: cell.unit, per_cpu_s: round(perCpuS) };
    const peers = (cell.peers ?? []).map((k) => results.get(k)).filter((p): p is CellResult => p !== undefined);
    if (!peers.length) rows.push({ ...base, peer: null, peer_value: null, ratio: null });
    for (const p of peers) {
      const name = p.cell.provider && p.cell.provider !== '-' ? `${p.cell.engine} [${p.cell.provider}]` : p.cell.engine;
      rows.push({ ...base, peer: name, peer_value: round(p.value), ratio: round(value / p.value) });
    }
  }
  return rows;
}

export function checkPeers(results: Map<string, CellResult>): string[] {
  const missing: string[] = [];
  for (const { cell } of results.values()) for (const k of cell.peers ?? []) if (!results.has(k)) missing.push(`${cellKey(cell)} -> ${k}`);
  return missing;
}

const fmt = (x: number | null): string => {
  if (x === null) return '';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1000 ? x.toFixed(0) : a >= 100 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(3);
};

/** The rows as a fixed-width text table. */
export function table(rows: Row[]): string {
  const head = ['case', 'engine', 'provider', 'metric', 'value', 'unit', 'per CPU s', 'peer', 'peer value', 'ratio'];
  const cells = rows.map((r) => [r.case, r.engine, r.provider, r.metric, fmt(r.value), r.unit, fmt(r.per_cpu_s), r.peer ?? '', fmt(r.peer_value), r.ratio === null ? '' : r.ratio.toFixed(3)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const numeric = new Set([4, 6, 8, 9]);
  const line = (c: string[]) => c.map((s, i) => (numeric.has(i) ? s.padStart(widths[i]!) : s.padEnd(widths[i]!))).join(' | ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}

export function writeResults(file: string, rows: Row[]): void {
  fs.writeFileSync(file, JSON.stringify(rows, null, 2) + '\n');
}
