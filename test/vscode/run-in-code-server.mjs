#!/usr/bin/env node
// Runs the extension's tests inside a real VS Code, offline: code-server (VS Code
// 1.100.3 server + web workbench, installed by scripts/install-code-server.sh),
// driven by Debian's Chromium through playwright-core, on 127.0.0.1 only.
//
//   node test/vscode/run-in-code-server.mjs [--code-server DIR] [--extension DIR]
//        [--workspace DIR] [--suite FILE|none] [--ui FILE|none] [--out DIR]
//        [--timeout SECONDS] [--port N] [--verbose 1] [--vsix FILE] [--locale zh-cn] [--record DIR]
//
// --locale LANG: VS Code's display language, so that vscode.env.language === LANG in the extension host and the
// extension shows its package.nls.LANG.json and l10n/bundle.l10n.LANG.json strings. code-server picks the language from
// --locale only when a language pack for it is installed (else it falls back to "en"), and none can be downloaded
// offline: this script registers an empty stub pack in the user data dir's languagepacks.json, so VS Code's own UI
// stays English (no translations) while its language is LANG. The suite is told the language it must see
// (TLS_LENS_TEST_LOCALE) and the UI module gets it as `locale`.
//
// --vsix FILE: install that packaged extension into the fresh code-server (as a user
// would, `--install-extension`) and run the UI checks against it, not against the
// repository: the workbench opens with no extensionDevelopmentPath.
//
// --record DIR: film the UI checks (DIR/frame-*.jpg from Chromium's screencast) and write DIR/timeline.json with
// each frame's time and when each check began and ended; scripts/make-captures.sh cuts the README's GIFs from them.
//
// Defaults (relative to the repository root): --code-server .vscode-test/code-server,
// --extension . (the repository), --workspace test/vscode/workspace,
// --suite out/test/vscode/suite.js, --ui test/vscode/ui.mjs, --out test/artifacts,
// --timeout 300 (for the suite, and again for the UI module; a green run takes ~20 s).
//
// 1. The suite (test/vscode/suite/index.ts, bundled by `node esbuild.mjs --tests`)
//    exports run(): Promise<void> (the @vscode/test-electron contract) and runs in
//    the real extension host, opened with extensionDevelopmentPath and
//    extensionTestsPath. It writes its verdict {"passed":N,"failed":N,"tests":[...]}
//    to process.env.TEST_RESULTS_FILE (OUT/suite-results.json): in code-server the
//    extension host exits 0 even when run() rejects, so the file is the verdict.
// 2. The UI module (default export async (page, {port, workspace, out}) =>
//    ({passed, failed})) then drives a fresh window as a person would.
// Prints "N passed, N failed"; exits 0 only if nothing failed and something passed.
// In OUT: suite-results.json, screenshots (*.png), code-server.log / .err.
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = {
  'code-server': '.vscode-test/code-server', extension: '.', workspace: 'test/vscode/workspace',
  suite: 'out/test/vscode/suite.js', ui: 'test/vscode/ui.mjs', out: 'test/artifacts', timeout: '300', vsix: '', locale: '', record: '',
};
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, ''), v = process.argv[i + 1];
  if (!(k in args) && !['port', 'verbose'].includes(k) || v === undefined) {
    console.error(`run-in-code-server: unknown or incomplete option ${process.argv[i]}`); process.exit(2);
  }
  args[k] = v;
}
const abs = (p) => path.resolve(root, p);
const off = (v) => !v || v === 'none';
const csDir = abs(args['code-server']), extDir = abs(args.extension), ws = abs(args.workspace);
const suite = off(args.suite) ? null : abs(args.suite), uiModule = off(args.ui) ? null : abs(args.ui);
const timeoutMs = 1000 * Number(args.timeout);
const out = abs(args.out);
const vsix = args.vsix ? abs(args.vsix) : null;
const locale = args.locale.toLowerCase();
if (locale && !/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/.test(locale)) { console.error(`run-in-code-server: --locale ${args.locale} is not a language tag`); process.exit(2); }
if (vsix && !fs.existsSync(vsix)) { console.error(`run-in-code-server: no ${vsix} (run: npm run package)`); console.log('0 passed, 1 failed'); process.exit(1); }
if (vsix && suite) { console.error('run-in-code-server: --vsix runs the UI checks only: add --suite none'); process.exit(2); }
if (!suite && !uiModule) { console.error('run-in-code-server: both --suite and --ui are none'); process.exit(2); }
if (!suite) console.log('run-in-code-server: NOTE: the suite is not run (--suite none)');
if (!uiModule) console.log('run-in-code-server: NOTE: the UI checks are not run (--ui none)');

const entry = path.join(csDir, 'node_modules/code-server/out/node/entry.js');
if (!fs.existsSync(entry)) {
  console.error(`run-in-code-server: no code-server in ${csDir}: run bash scripts/install-code-server.sh ${args['code-server']}`);
  console.log('0 passed, 1 failed'); process.exit(1);
}
for (const [what, p] of [['extension', path.join(extDir, 'package.json')], ['workspace', ws]])
  if (!fs.existsSync(p)) { console.error(`run-in-code-server: no ${what}: ${p}`); console.log('0 passed, 1 failed'); process.exit(1); }
const { chromium } = createRequire(csDir + '/')('playwright-core');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-lens-vscode-'));
fs.mkdirSync(out, { recursive: true });
for (const f of fs.readdirSync(out))   // the artifacts of an earlier run, by name only
  if (/^(suite-results\.json|code-server\.(log|err)|(suite|ui|hover|checkkey|palette|session|walkthrough|statusbar|keybinding)[-\w]*\.png)$/.test(f))
    fs.rmSync(path.join(out, f), { force: true });
const results = path.join(out, 'suite-results.json');
const serverLog = path.join(out, 'code-server.log');

const port = Number(args.port) || await new Promise((res, rej) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
  s.on('error', rej);
});

fs.mkdirSync(path.join(tmp, 'ud/User'), { recursive: true });
fs.writeFileSync(path.join(tmp, 'ud/User/settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false,
  'workbench.tips.enabled': false, 'workbench.enableExperiments': false,
  'update.mode': 'none', 'security.workspace.trust.enabled': false,
  // the workspace lies inside this git repository: no "open the repository?" toast
  'git.enabled': false, 'git.openRepositoryInParentFolders': 'never',
}, null, 2));
if (locale && !locale.startsWith('en')) {
  // A language pack with no translations (see --locale above): what code-server's language pack service would have
  // written for an installed pack. VS Code builds its messages from it, every one falling back to English.
  const empty = path.join(tmp, 'language-pack-stub.i18n.json');
  fs.writeFileSync(empty, JSON.stringify({ contents: {} }));
  fs.writeFileSync(path.join(tmp, 'ud/languagepacks.json'), JSON.stringify({
    [locale]: { hash: `tls-lens-test-stub-${locale}`, extensions: [{ extensionIdentifier: { id: 'tls-lens.language-pack-stub' }, version: '0.0.0' }],
      translations: { vscode: empty }, label: locale },
  }));
}
if (vsix) {
  // As a user installs a .vsix: into this run's own extensions folder, offline.
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [entry, '--extensions-dir', path.join(tmp, 'exts'), '--user-data-dir', path.join(tmp, 'ud'),
    '--install-extension', vsix], { encoding: 'utf8', env: { ...process.env, EXTENSIONS_GALLERY: '{}', XDG_DATA_HOME: path.join(tmp, 'data') }, timeout: 120_000 });
  const said = `${r.stdout}${r.stderr}`.trim();
  console.log(`installed ${path.basename(vsix)}: ${said.split('\n').pop()}`);
  if (r.status !== 0 || !fs.readdirSync(path.join(tmp, 'exts')).some((d) => d.startsWith('tls-lens.tls-lens-'))) {
    console.error(`run-in-code-server: could not install ${vsix}:\n${said}`); console.log('0 passed, 1 failed'); process.exit(1);
  }
}
const server = spawn(process.execPath, [
  entry, '--config', path.join(tmp, 'config.yaml'), '--auth', 'none',
  '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', path.join(tmp, 'ud'),
  '--extensions-dir', path.join(tmp, 'exts'), '--disable-telemetry',
  '--disable-update-check', '--disable-workspace-trust', ...(locale ? ['--locale', locale] : []), ws,
], {
  // EXTENSIONS_GALLERY={} switches the marketplace off (no lookups of outside hosts);
  // XDG_DATA_HOME: code-server keeps a heartbeat and its own logs there.
  env: { ...process.env, EXTENSIONS_GALLERY: '{}', TEST_RESULTS_FILE: results, XDG_DATA_HOME: path.join(tmp, 'data'), ...(locale ? { TLS_LENS_TEST_LOCALE: locale } : {}) },
  stdio: ['ignore', fs.openSync(serverLog, 'w'), fs.openSync(path.join(out, 'code-server.err'), 'w')],
  detached: true,   // its own process group: the extension host goes down with it
});
let stopped = false;
const stop = () => { if (stopped) return; stopped = true; try { process.kill(-server.pid, 'SIGTERM'); } catch {} };
process.on('exit', stop);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { stop(); process.exit(130); });

const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
const open = async (page, withTests) => {
  const payload = vsix ? [] : [['extensionDevelopmentPath', remote(extDir)]];
  if (withTests) payload.push(['extensionTestsPath', remote(suite)]);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}` +
    `&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
};
/** Films a page with Chromium's screencast: DIR/frame-N.jpg, and [{ file, t }] with t in ms since the epoch. */
async function startFilm(page, dir) {
  fs.mkdirSync(dir, { recursive: true });
  const cdp = await page.context().newCDPSession(page);
  const frames = [];
  cdp.on('Page.screencastFrame', ({ data, metadata, sessionId }) => {
    const file = `frame-${String(frames.length).padStart(5, '0')}.jpg`;
    fs.writeFileSync(path.join(dir, file), Buffer.from(data, 'base64'));
    frames.push({ file, t: Math.round((metadata.timestamp ?? Date.now() / 1000) * 1000) });
    cdp.send('Page.screencastFrameAck', { sessionId }).catch(() => {});
  });
  await cdp.send('Page.startScreencast', { format: 'jpeg', quality: 85, everyNthFrame: 1 });
  return { frames, stop: () => cdp.send('Page.stopScreencast').catch(() => {}) };
}
const withTimeout = (p, ms, what) => Promise.race([p, new Promise((_, rej) =>
  setTimeout(() => rej(new Error(`${what} took longer than ${ms / 1000} s`)), ms).unref())]);

let passed = 0, failed = 0, browser;
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break; } catch {}
    if (server.exitCode !== null || i > 240) throw new Error(`code-server did not start: see ${serverLog} and code-server.err`);
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`code-server (VS Code ${readVersion()}) on http://127.0.0.1:${port}/${locale ? ` (--locale ${locale})` : ''}`);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const newPage = async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // The extension host's console reaches the page console: errors are shown,
    // everything with --verbose 1.
    page.on('console', (m) => {
      const t = m.text().replace(/%c|color: #[0-9a-f]{3,6};?/gi, '').trim();
      if (args.verbose || (m.type() === 'error' &&
        !/vsda|Failed to load resource|during shutdown|service worker|Canceled|ERR_ABORTED/i.test(t)))
        console.log('[workbench]', t);
    });
    return page;
  };

  if (suite) {
    console.log(`\n--- suite: ${path.relative(root, suite) || suite}`);
    if (!fs.existsSync(suite)) {
      console.error(`suite: ${suite} does not exist (run: node esbuild.mjs --tests)`); failed++;
    } else {
      const page = await newPage();
      await open(page, true);
      const deadline = Date.now() + timeoutMs;
      // after run() settles the extension host exits; code-server logs that
      const hostExited = () => /Extension Host Process exited/.test(fs.readFileSync(serverLog, 'utf8'));
      while (!fs.existsSync(results) && !hostExited() && Date.now() < deadline) await page.waitForTimeout(250);
      if (!fs.existsSync(results)) await page.waitForTimeout(1500);
      await page.screenshot({ path: path.join(out, 'suite-end.png') }).catch(() => {});
      await page.close();
      if (!fs.existsSync(results)) {
        console.error(`suite: it wrote no ${results} (${Date.now() >= deadline ? 'timed out' : 'the extension host exited'}; see ${serverLog})`);
        failed++;
      } else {
        let r;
        try { r = JSON.parse(fs.readFileSync(results, 'utf8')); } catch (e) { r = null; console.error('suite: unreadable results:', e.message); }
        if (!r) failed++;
        else {
          for (const t of r.tests || []) console.log(`${t.ok ? '  ok  ' : '  FAIL'} ${t.name}${t.ok ? '' : `\n        ${String(t.error).split('\n').join('\n        ')}`}`);
          console.log(`suite: ${r.passed | 0} passed, ${r.failed | 0} failed`);
          passed += r.passed | 0; failed += r.failed | 0;
          if (!(r.passed | 0) && !(r.failed | 0)) { console.error('suite: it ran no test'); failed++; }
        }
      }
    }
  }

  if (uiModule) {
    console.log(`\n--- UI: ${path.relative(root, uiModule)}`);
    const page = await newPage();
    const timeline = [];
    // Chromium's own screencast (a JPEG per repaint, with its time), not Playwright's video, which needs a
    // Playwright-built ffmpeg that cannot be downloaded here.
    const film = args.record ? await startFilm(page, abs(args.record)) : null;
    try {
      await open(page, false);
      const ui = (await import(pathToFileURL(uiModule).href)).default;
      const r = await withTimeout(ui(page, { port, workspace: ws, out, locale: locale || 'en', onCheck: (name, start, end) => timeline.push({ name, start, end }) }), timeoutMs, 'the UI checks');
      if (r && typeof r.passed === 'number') {
        console.log(`UI: ${r.passed} passed, ${r.failed | 0} failed`);
        passed += r.passed; failed += r.failed | 0;
      } else passed++;
    } catch (e) {
      console.error('UI:', e.message); failed++;
      await page.screenshot({ path: path.join(out, 'ui-failure.png') }).catch(() => {});
    } finally {
      if (film) {   // written even after a failure: the checks that passed can still be cut
        await film.stop();
        fs.writeFileSync(path.join(abs(args.record), 'timeline.json'), JSON.stringify({ frames: film.frames, checks: timeline }, null, 2));
      }
    }
  }
} catch (e) {
  console.error('run-in-code-server:', e.message); failed++;
} finally {
  await browser?.close().catch(() => {});
  stop();
}
console.log(`artifacts: ${path.relative(process.cwd(), out) || out}`);
console.log(`${passed} passed, ${failed} failed`);
await new Promise((r) => setTimeout(r, 600));   // let code-server let go of the temp folder
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(failed === 0 && passed > 0 ? 0 : 1);

function readVersion() {
  try { return JSON.parse(fs.readFileSync(path.join(csDir, 'node_modules/code-server/lib/vscode/package.json'), 'utf8')).version; }
  catch { return '?'; }
}
