// `npm run bench` (issue 15): one run, on one machine, of every cell in bench/cases, in interleaved rounds (rounds.ts),
// with each cell's median, the CPU time it used, and its ratio to the peer measured in the same run. Prints the
// table and writes the same rows to bench/results.json. Options: --rounds N (default 5), --quick (small sizes, to
// try it out), --only TEXT (cells whose case contains TEXT), --out FILE, --samples (every round's figure per cell).
import os from 'node:os';
import path from 'node:path';
import { activationSplits, editorCells, OPENSSL_METHODS } from './cases/editor';
import { FULL_SIZES, QUICK_SIZES, tlsCells, type Sizes } from './cases/tls-cells';
import { scanCells } from './cases/scan';
import { median, runInterleaved } from './rounds';
import { checkPeers, rowsOf, table, writeResults, type Row } from './results';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes('--quick');
const rounds = Number(option('--rounds') ?? (quick ? 1 : 5));
const only = option('--only');
const out = path.resolve(option('--out') ?? 'bench/results.json');
const sizes: Sizes = quick ? QUICK_SIZES : FULL_SIZES;

const mib = (b: number) => `${b / (1 << 20)} MiB`;
const per = (r: Record<string, number>, f: (n: number) => string = String) => Object.entries(r).map(([k, v]) => `${k} ${f(v)}`).join(', ');
console.log(`TLS Lens bench: Node ${process.version}, OpenSSL ${process.versions.openssl}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`${rounds} interleaved rounds (round 1 of every cell, then round 2, ...; odd rounds in reverse order); each figure is the median of its cell's rounds.`);
console.log(`Per round: handshakes ${per(sizes.handshakes)}; TTFB connections ${per(sizes.ttfb)}; bulk ${per(sizes.bulkBytes, mib)} (in forge's case, forge's amount for every engine), in 16 KiB writes. Before round 1, each TLS cell warms up for at least ${sizes.warmMs / 1000} s (the JIT settles after about a thousand handshakes).`);
console.log('Every TLS figure has both ends in this one process over 127.0.0.1 TCP (ours: our client and server; node:tls: Node\'s; node-forge: forge\'s), so "per CPU s" (work per second of this process\'s user + system CPU time) is comparable across engines.');

const editor = await editorCells();
let cells = [...editor.cells, ...tlsCells(sizes), ...scanCells()];
if (only) cells = cells.filter((c) => c.case.includes(only));
const started = performance.now();
const results = await runInterleaved(cells, rounds, (l) => console.log(l));
editor.cleanup();
const missing = checkPeers(results);
const rows: Row[] = rowsOf(results);

console.log('');
console.log(table(rows));
if (process.argv.includes('--samples')) {
  console.log('');
  console.log('Every round, in order (value; per CPU s):');
  for (const { cell, samples } of results.values()) {
    console.log(`${cell.case} | ${cell.engine} [${cell.provider}] | ${cell.metric}: ${samples.map((x) => `${x.value.toPrecision(4)}${x.perCpuS === null ? '' : `; ${x.perCpuS.toPrecision(4)}`}`).join('  ')}`);
  }
}
console.log('');
console.log('Notes:');
console.log('- ratio = value / peer value, both from this run. Rates (handshakes/s, MB/s): higher is better. Times (ms): lower is better.');
console.log('- Servers issue their default session tickets (ours and OpenSSL: 2 per TLS 1.3 handshake); in the TLS 1.0 case (node-forge\'s) none, as forge has none: resumption by session ID.');
console.log('- Resumed handshakes: TLS 1.3 PSK from one earlier full handshake, offered by every connection (ours: `session` from onSession; Node: tls.connect `session`).');
console.log('- Time to first byte: from the TCP connect\'s start to the first application byte, from a server that writes one byte when its handshake completes; median of the round\'s connections.');
console.log('- AEAD alone: 16 KiB messages with a 5-byte AAD, a new cipher per message (noble takes the key with the nonce; the node provider makes one per record). "seal + open" is the peer of bulk rows because both ends, so both operations, run in this process.');
if (activationSplits.requireMs.length) {
  console.log(`- Activation: a fresh \`node\` per round requires dist/extension.js with \`vscode\` resolved to bench/vscode-stub.ts (Module._load hook) and calls activate() with a fake context; Node's start-up is not counted. Medians: require ${median(activationSplits.requireMs).toFixed(1)} ms, activate() ${median(activationSplits.activateMs).toFixed(1)} ms, CPU ${median(activationSplits.cpuMs).toFixed(1)} ms.`);
}
console.log('- Hover via the provider: dist/extension.js activated in this process against the stub; the document is a fake TextDocument over the bundle (4 fixtures + 996 generated certificates, all different).');
for (const m of OPENSSL_METHODS) console.log(`- ${m}`);
if (missing.length) console.log(`- Peers not measured (filtered out?): ${missing.join('; ')}`);

// The issue's targets, read off the rows (the bench reports them; nothing asserts them).
const targets: string[] = [];
const check = (label: string, r: Row | undefined, ok: (r: Row) => boolean, show: (r: Row) => string) => {
  if (r) targets.push(`${ok(r) ? 'MET    ' : 'NOT MET'} ${label}: ${show(r)}`);
};
const ratioOf = (r: Row) => `${r.ratio!.toFixed(3)} (${r.case}, ${r.metric})`;
for (const r of rows.filter((x) => x.provider === 'node' && x.peer?.startsWith('node:tls') && x.unit === 'handshakes/s')) check('node provider handshakes >= 0.7x node:tls', r, (x) => x.ratio! >= 0.7, ratioOf);
for (const r of rows.filter((x) => x.provider === 'node' && x.peer?.startsWith('node:tls') && x.unit === 'MB/s')) check('node provider bulk >= 0.8x node:tls', r, (x) => x.ratio! >= 0.8, ratioOf);
for (const r of rows.filter((x) => x.provider === 'noble' && x.peer?.startsWith('@noble/ciphers') && x.unit === 'MB/s')) check('noble provider bulk >= 0.85x noble AEAD alone', r, (x) => x.ratio! >= 0.85, ratioOf);
check('activation < 50 ms', rows.find((x) => x.case.startsWith('extension activation')), (x) => x.value < 50, (x) => `${x.value.toFixed(1)} ms`);
check('hover on a 1,000-certificate bundle < 20 ms warm', rows.find((x) => x.case.includes('PemHoverProvider') && x.metric.startsWith('hover warm')), (x) => x.value < 20, (x) => `${x.value.toFixed(2)} ms`);
console.log('');
console.log('Targets of issue 15 (measured, not asserted):');
for (const t of targets) console.log(`  ${t}`);

writeResults(out, rows);
console.log('');
console.log(`${rows.length} rows written to ${path.relative(process.cwd(), out)}; ${cells.length} cells x ${rounds} rounds in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
