// Bundles the three products (extension, webview, CLI) and, with --tests, the test and bench files.
//   node esbuild.mjs [--tests] [--watch] [--production]
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const args = new Set(process.argv.slice(2));
const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'node20' };
// --production (npm run package): the shipped bundles minified, without source maps; names kept for error messages.
const shipped = args.has('--production') ? { ...common, sourcemap: false, minify: true, keepNames: true } : common;

const products = [
  // The extension host loads CommonJS; `vscode` is provided by the host. The entry is small (activation reads only
  // it); it requires dist/features.js, the rest of the extension with the engine, on first use.
  { ...shipped, entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode', './features.js'] },
  { ...shipped, entryPoints: ['extension/features.ts'], outfile: 'dist/features.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  // The webview runs in a browser sandbox: no Node built-ins.
  { ...shipped, entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
  // The `tlslens` command: one self-contained file.
  { ...common, entryPoints: ['engine/cli/bin.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', banner: { js: '#!/usr/bin/env node' } },
];

function walk(dir, pred, acc = []) {
  if (!fs.existsSync(dir)) return acc;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, pred, acc); else if (pred(p)) acc.push(p);
  }
  return acc;
}

const tests = [];
if (args.has('--tests')) {
  // Node's test runner runs these ESM files; packages stay external and load from node_modules.
  const unit = walk('test/unit', (p) => p.endsWith('.test.ts'));
  if (unit.length) tests.push({ ...common, entryPoints: unit, outdir: 'out/test/unit', outbase: 'test/unit', platform: 'node', format: 'esm', packages: 'external', outExtension: { '.js': '.mjs' } });
  // Interop tests against real peers (openssl, gnutls, node:tls) on 127.0.0.1.
  const interop = walk('test/interop', (p) => p.endsWith('.test.ts'));
  if (interop.length) tests.push({ ...common, entryPoints: interop, outdir: 'out/test/interop', outbase: 'test/interop', platform: 'node', format: 'esm', packages: 'external', outExtension: { '.js': '.mjs' } });
  // Fuzzing (npm run fuzz, scripts/fuzz-corpus.mjs): the runner, which also starts itself as its worker threads.
  const fuzz = ['test/fuzz/run.ts', 'test/fuzz/make-corpus.ts'].filter((p) => fs.existsSync(p));
  if (fuzz.length) tests.push({ ...common, entryPoints: fuzz, outdir: 'out/test/fuzz', outbase: 'test/fuzz', platform: 'node', format: 'esm', packages: 'external', outExtension: { '.js': '.mjs' } });
  // The suite that runs inside a real VS Code extension host (CommonJS, `vscode` from the host).
  if (fs.existsSync('test/vscode/suite/index.ts'))
    tests.push({ ...common, entryPoints: ['test/vscode/suite/index.ts'], outfile: 'out/test/vscode/suite.js', platform: 'node', format: 'cjs', external: ['vscode'] });
  // The bench (npm run bench), the child process it starts to time the extension's activation, and its profiler.
  const bench = ['bench/index.ts', 'bench/activation-child.ts', 'bench/profile.ts'].filter((p) => fs.existsSync(p));
  if (bench.length) tests.push({ ...common, entryPoints: bench, outdir: 'out/bench', outbase: 'bench', platform: 'node', format: 'esm', packages: 'external', outExtension: { '.js': '.mjs' } });
}

const all = [...products, ...tests];
if (args.has('--watch')) {
  for (const o of all) await (await esbuild.context(o)).watch();
} else {
  await Promise.all(all.map((o) => esbuild.build(o)));
  fs.chmodSync('dist/cli.js', 0o755);
}
