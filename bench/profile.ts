// Where the time goes in one bench cell, for engine work: runs one cell for a while in-process, under
// `node --cpu-prof`, then summarises the profile by self time (functions mapped back to their .ts source).
//   node --cpu-prof --cpu-prof-dir=/tmp/prof out/bench/profile.mjs CELL [node|noble] [AMOUNT]
//   node out/bench/profile.mjs --summary /tmp/prof/CPU.*.cpuprofile [TOP]
// CELL: bulk-up, bulk-down, bulk-chacha-up, bulk-chacha-down (AMOUNT MiB, default 512), hs-ecdsa13, hs-rsa13,
// hs-rsa12, resumed (AMOUNT handshakes, default 300), hover-edit (the hover after an edit on the 1,000-certificate
// bundle, AMOUNT times, default 5).
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nobleProvider } from '../engine/crypto/noble';
import { nodeProvider } from '../engine/crypto/node-provider';
import { hoverCells, makeBundle } from './cases/editor';
import { oursBulk, oursHandshakes, oursResumed } from './cases/ours';
import { BULK_CHACHA, BULK_GCM, ECDSA13, RSA12, RSA13 } from './cases/tls-cases';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (and per source file), top `top`, as text. */
function summary(file: string, top: number): string {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const maps = new Map<string, SourceMap | null>();
  const where = (cf: ProfileNode['callFrame']): string => {
    if (!cf.url.startsWith('file://')) return cf.url || '(native)';
    const mapFile = `${fileURLToPath(cf.url)}.map`;
    if (!maps.has(cf.url)) maps.set(cf.url, fs.existsSync(mapFile) ? new SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8'))) : null);
    const e = maps.get(cf.url)?.findEntry(cf.lineNumber, cf.columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
    if (e?.originalSource) return `${path.relative(process.cwd(), path.resolve(path.dirname(mapFile), e.originalSource.replace(/^file:\/\//, '')))}:${(e.originalLine ?? 0) + 1}`;
    return `${path.relative(process.cwd(), fileURLToPath(cf.url))}:${cf.lineNumber + 1}`;
  };
  // Percentages of the busy time: idle (waiting on the socket) is listed but not counted.
  const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
  const total = [...self.values()].reduce((a, b) => a + b, 0) - idle;
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, us] of self) {
    const cf = byId.get(id)!.callFrame;
    if (cf.functionName === '(idle)') continue;
    const loc = where(cf);
    const name = `${cf.functionName || '(anonymous)'}  ${loc}`;
    fns.set(name, (fns.get(name) ?? 0) + us);
    const f = loc.replace(/:\d+$/, '').replace(/^.*node_modules\/(@[^/]+\/[^/]+|[^/]+)\/.*$/, 'node_modules/$1');
    files.set(f, (files.get(f) ?? 0) + us);
  }
  // Inclusive time of our own functions (engine/, extension/): each sample counts once for every one on its stack.
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const ch of n.children ?? []) parent.set(ch, n.id);
  const inclusive = new Map<string, number>();
  const ours = new Map<number, string | null>();
  const ourName = (id: number): string | null => {
    if (!ours.has(id)) {
      const cf = byId.get(id)!.callFrame;
      const loc = where(cf);
      ours.set(id, /^(engine|extension)\//.test(loc) ? `${cf.functionName || '(anonymous)'}  ${loc}` : null);
    }
    return ours.get(id)!;
  };
  prof.samples.forEach((leaf, i) => {
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const k = ourName(id);
      if (k && !seen.has(k)) {
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + (prof.timeDeltas[i] ?? 0));
      }
    }
  });
  const list = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`).join('\n');
  return `${file}: ${(total / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle\nTop functions by self time (% of busy):\n${list(fns, top)}\n\nBy source file:\n${list(files, 15)}\n\nOur functions by inclusive time:\n${list(inclusive, top)}`;
}

async function run(cell: string, providerName: string, amount: number | undefined): Promise<void> {
  const provider = providerName === 'noble' ? nobleProvider() : nodeProvider();
  const mib = (amount ?? 512) * (1 << 20);
  const n = amount ?? 300;
  const cells: Record<string, () => Promise<{ value: number; perCpuS: number | null }>> = {
    'bulk-up': () => oursBulk(BULK_GCM, provider, mib, 'up'),
    'bulk-down': () => oursBulk(BULK_GCM, provider, mib, 'down'),
    'bulk-chacha-up': () => oursBulk(BULK_CHACHA, provider, mib, 'up'),
    'bulk-chacha-down': () => oursBulk(BULK_CHACHA, provider, mib, 'down'),
    'hs-ecdsa13': () => oursHandshakes(ECDSA13, provider, n),
    'hs-rsa13': () => oursHandshakes(RSA13, provider, n),
    'hs-rsa12': () => oursHandshakes(RSA12, provider, n),
    resumed: () => oursResumed(ECDSA13, provider, n),
  };
  cells['hover-edit'] = async () => {
    const [first, edit] = hoverCells(await makeBundle());
    await first!.warmUp!();
    for (let i = 1; i < (amount ?? 5); i++) await edit!.run();
    return edit!.run();
  };
  const f = cells[cell];
  if (!f) throw new Error(`unknown cell ${cell}: ${Object.keys(cells).join(', ')}`);
  const s = await f();
  console.log(`${cell} [${provider.name}]: ${s.value.toFixed(1)} per s, ${s.perCpuS?.toFixed(1)} per CPU s`);
}

const [a, b, c] = process.argv.slice(2);
if (a === '--summary' && b) console.log(summary(b, Number(c ?? 25)));
else await run(a ?? 'bulk-up', b ?? 'node', c === undefined ? undefined : Number(c));
