#!/usr/bin/env node
// Runs the same VS Code suite (out/test/vscode/suite.js, from test/vscode/suite/index.ts)
// on the same workspace (test/vscode/workspace) in desktop VS Code, through
// @vscode/test-electron. That downloads VS Code on first use (into .vscode-test/),
// so it needs internet; offline, use test/vscode/run-in-code-server.mjs instead.
//
//   node esbuild.mjs --tests && node test/vscode/run-in-electron.mjs
//   env: VSCODE_VERSION (default 1.100.3, the VS Code inside code-server 4.100.3;
//        "stable" or "insiders" work too), VSCODE_EXECUTABLE_PATH (use an installed
//        VS Code instead of downloading one), TEST_RESULTS_FILE (default
//        test/artifacts/electron-results.json).
// On Linux without a display run it under xvfb-run -a.
// Prints "N passed, N failed"; exits 0 only if nothing failed and something passed.
import { runTests } from '@vscode/test-electron';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const suite = path.join(root, 'out/test/vscode/suite.js');
const workspace = path.join(root, 'test/vscode/workspace');
const results = path.resolve(process.env.TEST_RESULTS_FILE || path.join(root, 'test/artifacts/electron-results.json'));

if (!fs.existsSync(suite)) {
  console.error(`run-in-electron: ${path.relative(root, suite)} is missing: run node esbuild.mjs --tests`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
fs.mkdirSync(path.dirname(results), { recursive: true });
fs.rmSync(results, { force: true });
const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-lens-electron-'));

let runError = null;
try {
  await runTests({
    ...(process.env.VSCODE_EXECUTABLE_PATH
      ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH }
      : { version: process.env.VSCODE_VERSION || '1.100.3' }),
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    extensionTestsEnv: { TEST_RESULTS_FILE: results },
    launchArgs: [
      workspace,
      '--disable-extensions',          // only the extension under development
      '--disable-telemetry',
      `--user-data-dir=${userData}`,   // a fresh profile each run
      // runTests itself adds --disable-workspace-trust, --skip-welcome, --no-sandbox, ...
    ],
  });
} catch (e) {
  runError = e;   // run() rejects when a test failed; the results file tells which
}
fs.rmSync(userData, { recursive: true, force: true });

let passed = 0, failed = 0;
if (fs.existsSync(results)) {
  const r = JSON.parse(fs.readFileSync(results, 'utf8'));
  for (const t of r.tests || []) console.log(`${t.ok ? '  ok  ' : '  FAIL'} ${t.name}${t.ok ? '' : `\n        ${t.error}`}`);
  passed = r.passed | 0; failed = r.failed | 0;
  if (runError && failed === 0) { console.error('run-in-electron:', runError.message); failed++; }
} else {
  console.error(`run-in-electron: the suite wrote no ${results}${runError ? `: ${runError.message}` : ''}`);
  failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
