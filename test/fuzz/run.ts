// `npm run fuzz`: runs the targets for a while each and reports what they found.
//   node out/test/fuzz/run.mjs [--seconds N] [--seed S] [--target NAME[,NAME]] [--cases N]
//   node out/test/fuzz/run.mjs --replay FILE [--target NAME]     one saved input, with the error's stack
//   node out/test/fuzz/run.mjs --target NAME --seed S --case I    rebuilds case I of seed S and runs it
//   node out/test/fuzz/run.mjs --list
// Each target runs in a worker thread the main thread watches: a case that never returns (a loop no deadline
// check can see) or a worker that runs out of memory is a finding too; the worker is replaced and the run goes
// on from the next case. Findings are saved under out/fuzz/crashes/ as <target>-<seed>-<case>.bin (the input)
// and .txt (what happened); copy the .bin to test/fuzz/regressions/<target>/ once the bug is fixed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { regressionsOf, seedsOf } from './corpus';
import { caseInput, describeError, MAX_MEMORY_GROWTH, runOne, runTarget, signatureOf, type Finding, type RunReport } from './harness';
import { DEFAULT_DEADLINE_MS } from './target';
import { TARGETS, targetByName } from './targets/index';

const CRASH_DIR = path.resolve('out/fuzz/crashes');

interface WorkerJob {
  target: string;
  seed: number;
  seconds: number;
  maxCases?: number;
  startCase: number;
  /** [case index] and [start time in ms since the epoch], written by the worker before each case. */
  progress: SharedArrayBuffer;
}

// ---- the worker: one target, one stretch of cases ------------------------------------------------------------------

if (!isMainThread && workerData?.job) {
  const job = workerData.job as WorkerJob;
  const target = targetByName(job.target)!;
  const seeds = seedsOf(target).map((s) => s.bytes);
  const index = new Int32Array(job.progress, 0, 1);
  const started = new Float64Array(job.progress, 8, 1);
  const report = runTarget(target, seeds, {
    seed: job.seed,
    seconds: job.seconds,
    ...(job.maxCases !== undefined ? { maxCases: job.maxCases } : {}),
    startCase: job.startCase,
    onCase: (i) => {
      Atomics.store(index, 0, i);
      started[0] = Date.now();
    },
  });
  parentPort!.postMessage(report);
}

// ---- the main thread ----------------------------------------------------------------------------------------------

interface Options {
  seconds: number;
  seed: number;
  targets: string[];
  cases?: number;
  replay?: string;
  caseIndex?: number;
  list: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { seconds: 60, seed: (Date.now() ^ (process.pid << 16)) >>> 0, targets: [], list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--seconds') o.seconds = Number(value());
    else if (a === '--seed') o.seed = Number(value()) >>> 0;
    else if (a === '--target') o.targets.push(...value().split(','));
    else if (a === '--cases') o.cases = Number(value());
    else if (a === '--case') o.caseIndex = Number(value());
    else if (a === '--replay') o.replay = value();
    else if (a === '--list') o.list = true;
    else throw new Error(`unknown option ${a} (see the top of test/fuzz/run.ts)`);
  }
  for (const t of o.targets) if (!targetByName(t)) throw new Error(`no target ${t}; there are: ${TARGETS.map((x) => x.name).join(', ')}`);
  if (!(o.seconds > 0)) throw new Error('--seconds must be positive');
  return o;
}

function save(f: Finding, target: string): string {
  fs.mkdirSync(CRASH_DIR, { recursive: true });
  const base = path.join(CRASH_DIR, `${target}-${f.seed}-${f.caseIndex}`);
  fs.writeFileSync(`${base}.bin`, f.input);
  fs.writeFileSync(`${base}.txt`, `${f.kind} in target ${target}, seed ${f.seed}, case ${f.caseIndex} (${f.count} case(s) with this signature)\n${f.signature}\n\n${f.message}\n\n${f.stack ?? ''}\n`);
  return `${base}.bin`;
}

/** One finding per signature across the workers of a run: the first input kept, the cases counted. */
function addFinding(report: RunReport, f: Finding): void {
  const seen = report.findings.find((x) => x.signature === f.signature);
  if (seen) seen.count += f.count;
  else report.findings.push(f);
}

/** Runs one target for `seconds` in workers, replacing a worker whose case hangs or that dies. */
async function fuzzTarget(name: string, o: Options): Promise<RunReport> {
  const target = targetByName(name)!;
  const total: RunReport = { target: name, cases: 0, ok: 0, rejected: 0, findings: [], memoryGrowth: 0, memoryPeak: 0, seconds: 0 };
  const hardLimitMs = Math.max(5000, 20 * (target.deadlineMs ?? DEFAULT_DEADLINE_MS));
  const until = Date.now() + o.seconds * 1000;
  let startCase = 0;
  let seeds: Uint8Array[] | undefined;
  while (Date.now() < until && (o.cases === undefined || total.cases < o.cases)) {
    const progress = new SharedArrayBuffer(16);
    const index = new Int32Array(progress, 0, 1);
    const started = new Float64Array(progress, 8, 1);
    index[0] = startCase;
    started[0] = Date.now();
    const job: WorkerJob = { target: name, seed: o.seed, seconds: (until - Date.now()) / 1000, startCase, progress, ...(o.cases !== undefined ? { maxCases: o.cases - total.cases } : {}) };
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { job }, resourceLimits: { maxOldGenerationSizeMb: 2048 } });
    const outcome = await new Promise<{ report?: RunReport; failure?: { kind: 'crash' | 'hang'; message: string; stack?: string } }>((resolve) => {
      const watch = setInterval(() => {
        if (Date.now() - started[0]! > hardLimitMs) {
          clearInterval(watch);
          void worker.terminate();
          resolve({ failure: { kind: 'hang', message: `case ${Atomics.load(index, 0)} did not return within ${hardLimitMs} ms (an endless loop?)` } });
        }
      }, 100);
      worker.once('message', (r: RunReport) => {
        clearInterval(watch);
        resolve({ report: r });
      });
      worker.once('error', (e) => {
        clearInterval(watch);
        const d = describeError(e);
        resolve({ failure: { kind: 'crash', message: `the worker died: ${d.message}`, ...(d.stack ? { stack: d.stack } : {}) } });
      });
    });
    if (outcome.report) {
      const r = outcome.report;
      total.cases += r.cases;
      total.ok += r.ok;
      total.rejected += r.rejected;
      for (const f of r.findings) addFinding(total, f);
      total.memoryGrowth = Math.max(total.memoryGrowth, r.memoryGrowth);
      total.memoryPeak = Math.max(total.memoryPeak, r.memoryPeak);
      break;
    }
    // The worker was lost on one case: rebuild that case's input here, note it, go on from the next.
    const failed = Atomics.load(index, 0);
    seeds ??= seedsOf(target).map((s) => s.bytes);
    const input = caseInput(target, seeds, o.seed, failed);
    const f = outcome.failure!;
    addFinding(total, { kind: f.kind, signature: `${f.kind}: ${f.message.replace(/\d+/g, 'N')}`, message: f.message, ...(f.stack ? { stack: f.stack } : {}), seed: o.seed, caseIndex: failed, input: input.slice(), count: 1 });
    total.cases += failed - startCase + 1;
    startCase = failed + 1;
  }
  total.seconds = o.seconds;
  return total;
}

function replay(file: string, o: Options): number {
  // The target: --target, else the directory (regressions/<target>/), else the name's prefix (<target>-seed-case.bin).
  const dir = path.basename(path.dirname(file));
  const base = path.basename(file);
  const name = o.targets[0] ?? (targetByName(dir) ? dir : TARGETS.map((t) => t.name).filter((n) => base.startsWith(`${n}-`)).sort((a, b) => b.length - a.length)[0]);
  const target = name ? targetByName(name) : undefined;
  if (!target) throw new Error(`which target is ${file} for? give --target NAME`);
  return runAndPrint(target.name, new Uint8Array(fs.readFileSync(file)), file);
}

function runAndPrint(name: string, input: Uint8Array, what: string): number {
  const out = runOne(targetByName(name)!, input);
  if (out.kind === 'ok' || out.kind === 'rejected') {
    console.log(`${name}: ${what}: ${out.kind}${out.kind === 'rejected' ? ` (${out.error.name}: ${out.error.message})` : ''}`);
    return 0;
  }
  console.log(`${name}: ${what}: ${out.kind.toUpperCase()} ${signatureOf(out)}`);
  if (out.kind === 'crash') console.log(describeError(out.error).stack ?? describeError(out.error).message);
  else console.log(`took ${out.ms.toFixed(0)} ms`);
  return 1;
}

const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;

async function main(): Promise<number> {
  // Stacks that name engine/x509/der.ts:48 rather than a line of the bundle: run again with source maps on
  // (worker threads inherit the flag).
  if (!process.execArgv.includes('--enable-source-maps')) {
    return spawnSync(process.execPath, ['--enable-source-maps', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' }).status ?? 2;
  }
  const o = parseArgs(process.argv.slice(2));
  if (o.list) {
    for (const t of TARGETS) console.log(`${t.name.padEnd(11)} ${t.about}\n            clean rejections: ${t.typedErrors.map((c) => c.name).join(', ') || '(none: every input ends inside the connection)'}; ${seedsOf(t).length} seeds, ${regressionsOf(t).length} regressions`);
    return 0;
  }
  if (o.replay) return replay(o.replay, o);
  if (o.caseIndex !== undefined) {
    if (o.targets.length !== 1) throw new Error('--case needs one --target');
    const t = targetByName(o.targets[0]!)!;
    const input = caseInput(t, seedsOf(t).map((s) => s.bytes), o.seed, o.caseIndex);
    return runAndPrint(t.name, input, `seed ${o.seed} case ${o.caseIndex}`);
  }
  const names = o.targets.length ? o.targets : TARGETS.map((t) => t.name);
  console.log(`fuzzing ${names.join(', ')} for ${o.seconds} s each, seed ${o.seed}`);
  let bad = 0;
  for (const name of names) {
    const t = targetByName(name)!;
    for (const r of regressionsOf(t)) bad += runAndPrint(name, r.bytes, `regression ${r.name}`) && 1;
    const report = await fuzzTarget(name, o);
    const leak = report.memoryGrowth > MAX_MEMORY_GROWTH;
    console.log(`${name}: ${report.cases} cases (${Math.round(report.cases / report.seconds)}/s; ${report.ok} ok, ${report.rejected} rejected), ${report.findings.length} finding(s), memory after the run +${mb(report.memoryGrowth)} (peak +${mb(report.memoryPeak)})${leak ? ' OVER THE LIMIT' : ''}`);
    for (const f of report.findings) {
      const file = save(f, name);
      console.log(`  ${f.kind.toUpperCase()} x${f.count}: ${f.signature}\n    seed ${f.seed} case ${f.caseIndex}: ${file}\n    reproduce: node out/test/fuzz/run.mjs --replay ${path.relative(process.cwd(), file)}`);
    }
    bad += report.findings.length + (leak ? 1 : 0);
  }
  return bad ? 1 : 0;
}

if (isMainThread) {
  main().then((code) => process.exit(code), (e) => {
    console.error((e as Error).message);
    process.exit(2);
  });
}
