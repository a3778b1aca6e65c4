// Extension safety (issue 10): what the extension declares for Restricted Mode, the webviews' CSP, what the built
// bundles may not contain (dynamic code, telemetry, outbound HTTP from the extension or the webview), and that no
// secret reaches what the session runners hand to the panel (and so the webview) or a report made from it.
// The networked commands' consent in an untrusted workspace and "no network on activation" run in the real VS Code
// suite (test/vscode/suite/index.ts): they need the extension host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { webviewCsp, webviewHtml, webviewOptions } from '../../extension/panels/webview-html';
import { ServerRunner, type RunnerListener } from '../../extension/sessions/session-runner';
import { ApiClientRunner } from '../../extension/sessions/api-client-runner';
import { identityFromPem } from '../../engine/tools/identity';
import { buildReport } from '../../engine/export/report';
import type { SessionTarget } from '../../webview/shared/protocol';

const root = process.cwd();
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');

// ---- Restricted Mode, as declared -------------------------------------------------------------------------------

interface Manifest {
  capabilities: { untrustedWorkspaces: { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] } };
  contributes: { configuration: { properties: Record<string, unknown> } };
}
const manifest = JSON.parse(read('package.json')) as Manifest;
// The manifest's words are %keys% into package.nls.json (English, the default).
const nls = JSON.parse(read('package.nls.json')) as Record<string, string>;
const words = (s: string | undefined) => (s ?? '').replace(/^%(.+)%$/, (_, k: string) => nls[k] ?? s ?? '');

test('package.json: untrusted workspaces are supported in a limited way, with a description', () => {
  const u = manifest.capabilities.untrustedWorkspaces;
  assert.equal(u.supported, 'limited');
  assert.match(words(u.description), /Restricted Mode/);
  assert.match(words(u.description), /ask/);
});

test('package.json: every setting that names a path, a host or a port, or sends secrets to a file, is restricted', () => {
  const restricted = new Set(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations ?? []);
  const props = manifest.contributes.configuration.properties;
  const nls = JSON.parse(read('package.nls.json')) as Record<string, string>;
  assert.ok(Object.keys(nls).length > 10, 'package.nls.json holds the English texts');
  for (const name of restricted) assert.ok(name in props, `restrictedConfigurations names ${name}, which is not a setting`);
  for (const [name, schema] of Object.entries(props)) {
    // Descriptions are %keys% of package.nls.json (localised): judge the English words they stand for.
    const words = JSON.stringify(schema).replace(/%([\w.-]+)%/g, (_m, k: string) => nls[k] ?? k);
    if (/\b(path|host|port)\b|file named|SSLKEYLOGFILE/i.test(words)) assert.ok(restricted.has(name), `${name} names a file, host or port but is not in restrictedConfigurations`);
  }
  assert.deepEqual([...restricted].sort(), ['tlsLens.keylog.honourSSLKEYLOGFILE', 'tlsLens.profiles', 'tlsLens.serve.port', 'tlsLens.verify.trustStore']);
});

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('extension/: restricted settings are read only through restrictedSetting() (user settings only when untrusted)', () => {
  const keys = (manifest.capabilities.untrustedWorkspaces.restrictedConfigurations ?? []).map((k) => k.replace(/^tlsLens\./, ''));
  const trustModule = read('extension/workspace-trust.ts');
  for (const k of keys) assert.ok(trustModule.includes(`'${k}'`), `extension/workspace-trust.ts RESTRICTED_SETTINGS lacks '${k}'`);
  for (const file of sources('extension').filter((f) => !f.endsWith('workspace-trust.ts'))) {
    const text = read(file);
    for (const k of keys) {
      for (let at = text.indexOf(`'${k}'`); at >= 0; at = text.indexOf(`'${k}'`, at + 1)) {
        assert.match(text.slice(Math.max(0, at - 60), at), /restrictedSetting(<[^>]*>)?\($/, `${file} reads '${k}' other than through restrictedSetting()`);
      }
    }
    assert.doesNotMatch(text, /getConfiguration\('tlsLens\.(verify|keylog|profiles|serve)/, `${file} reads a restricted section directly`);
  }
});

// ---- the webviews' Content Security Policy -----------------------------------------------------------------------

// As VS Code 1.100 gives them: the webview's own resource origin, and asWebviewUri mapping into it.
const CSP_SOURCE = 'https://*.vscode-cdn.net';
type Uri = Parameters<typeof webviewHtml>[1];
const fakeUri = (p: string): Uri => ({ scheme: 'file', path: p, with(change: { path: string }) { return fakeUri(change.path); }, toString() { return `file://${p}`; } }) as unknown as Uri;
const fakeWebview = { cspSource: CSP_SOURCE, asWebviewUri: (u: Uri) => ({ toString: () => `https://file%2B.vscode-resource.vscode-cdn.net${u.path}` }) as unknown as Uri };

function cspOf(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'no CSP meta element');
  return new Map(m[1]!.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...values] = d.split(/\s+/);
    return [name!, values];
  }));
}

test('webview CSP: default-src none, scripts only by nonce, no eval, no origin but the webview\'s own', () => {
  const html = webviewHtml(fakeWebview, fakeUri('/ext'), 'TLS <b>example.com</b>:443 "x"');
  const csp = cspOf(html);
  assert.deepEqual(csp.get('default-src'), ["'none'"]);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1, 'one script element');
  const nonce = /nonce="([^"]+)"/.exec(scripts[0]![1]!)?.[1];
  assert.ok(nonce && Buffer.from(nonce, 'base64').length >= 16, `a nonce of 128 bits or more: ${nonce}`);
  assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`], 'script-src is the nonce alone');
  assert.equal(scripts[0]![2], '', 'no inline script body');
  assert.match(scripts[0]![1]!, /src="https:\/\/file%2B\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/webview\.js"/);
  for (const [name, values] of csp) {
    for (const v of values) {
      const ok = v === "'none'" || v === CSP_SOURCE || v === `'nonce-${nonce}'` || (v === "'unsafe-inline'" && name === 'style-src');
      assert.ok(ok, `${name} allows ${v}`);
    }
  }
  assert.doesNotMatch(html, /unsafe-eval|wasm-unsafe-eval|strict-dynamic/);
  for (const d of ['connect-src', 'img-src', 'frame-src', 'object-src', 'worker-src']) assert.ok(!csp.has(d), `${d} falls back to default-src 'none'`);
  assert.doesNotMatch(html, /<b>/, 'the title is not markup');
  const again = /nonce="([^"]+)"/.exec(webviewHtml(fakeWebview, fakeUri('/ext'), 't'))?.[1];
  assert.notEqual(again, nonce, 'a new nonce for every page');
  assert.equal(webviewCsp(CSP_SOURCE, 'n'), `default-src 'none'; style-src ${CSP_SOURCE} 'unsafe-inline'; script-src 'nonce-n'; font-src ${CSP_SOURCE};`);
  const opts = webviewOptions(fakeUri('/ext/'));
  assert.deepEqual(opts.localResourceRoots?.map((u) => u.path), ['/ext/dist'], 'the webview may load from dist/ only');
});

// ---- the bundles: no dynamic code, no telemetry, no outbound HTTP from the extension or the webview --------------

const BUNDLES = ['dist/extension.js', 'dist/features.js', 'dist/webview.js', 'dist/cli.js'];

/**
 * Dynamic code a dependency keeps, with the reason it is acceptable (the package and the code path). A new one fails
 * the test: name it here with its reason, or configure esbuild so that the code is not bundled.
 */
const DYNAMIC_CODE_ALLOWED: { bundle: string; pattern: RegExp; why: string }[] = [
  {
    bundle: 'dist/webview.js',
    pattern: /if \(typeof window !== "undefined"\) \{\s*return window;\s*\}\s*try \{\s*return new Function\("return this"\)\(\);/,
    why: '@microsoft/fast-element 1.x (under @vscode/webview-ui-toolkit), dist/esm/platform.js, `$global`: the last fallback '
      + 'of a globalThis lookup, reached only where globalThis, global, self and window are all undefined. A webview is '
      + 'Chromium, where globalThis exists, so it never runs; if it did, the CSP (no \'unsafe-eval\') would refuse it and '
      + 'its catch returns {}.',
  },
];

test('bundles: no eval(, no new Function(, no Function("...") (string-built code)', () => {
  for (const b of BUNDLES) {
    const text = read(b);
    for (const [what, re] of [['eval(', /(?<![\w$.])eval\s*\(/g], ['new Function(', /\bnew\s+Function\s*\(/g], ['Function("...")', /(?<![\w$.])Function\s*\(\s*["'`]/g]] as const) {
      for (const m of text.matchAll(re)) {
        const around = text.slice(Math.max(0, m.index - 240), m.index + 80);
        if (DYNAMIC_CODE_ALLOWED.some((a) => a.bundle === b && a.pattern.test(around))) continue;
        assert.fail(`${b} has ${what} at offset ${m.index}: ${around.slice(-160)}`);
      }
    }
  }
});

test('bundles: no telemetry (no telemetry API, SDK or endpoint)', () => {
  const signs = /createTelemetryLogger|TelemetryReporter|@vscode\/extension-telemetry|applicationinsights|dc\.services\.visualstudio\.com|vortex\.data\.microsoft\.com|google-analytics\.com|googletagmanager|sentry\.io|@sentry\/|segment\.(io|com)|mixpanel|posthog|amplitude\.com|sendBeacon/i;
  for (const b of BUNDLES) assert.doesNotMatch(read(b), signs, `${b} carries telemetry`);
});

test('bundles: the extension and the webview make no HTTP requests (no http/https modules, fetch, XHR, WebSocket)', () => {
  for (const b of ['dist/extension.js', 'dist/features.js']) {
    for (const m of ['http', 'https', 'http2']) assert.doesNotMatch(read(b), new RegExp(`require\\("(node:)?${m}"\\)`), `${b} requires ${m}`);
  }
  for (const b of ['dist/extension.js', 'dist/features.js', 'dist/webview.js']) {
    assert.doesNotMatch(read(b), /(?<![\w$.])fetch\s*\(|XMLHttpRequest|new\s+WebSocket|EventSource/, `${b} could reach the network over HTTP`);
  }
  assert.doesNotMatch(read('dist/webview.js'), /require\(/, 'the webview bundle loads no module');
});

// ---- secrets stay on the extension host -----------------------------------------------------------------------

/** Everything a runner gives the panel: what the panel posts to the webview (events, summaries, states). */
function recordingListener(): RunnerListener & { posted: unknown[]; states: string[] } {
  const posted: unknown[] = [];
  const states: string[] = [];
  return {
    posted, states,
    events: (batch) => posted.push(batch),
    summary: (s) => posted.push(s),
    state: (s) => { states.push(s); posted.push(s); },
    keyLogFile: () => undefined,
  };
}

const until = async (cond: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

for (const [version, maxVersion] of [['TLS 1.3', 0x0304], ['TLS 1.2', 0x0303]] as const) {
  test(`no secret reaches the panel or a report (${version}, Serve TLS Here and Connect to Host runners)`, { timeout: 30_000 }, async () => {
    const pem = read('test/vscode/workspace/server.pem');
    const id = identityFromPem(pem, undefined, 'server.pem');
    const serverTarget: SessionTarget = { mode: 'serve', host: '127.0.0.1', port: 0, protocol: 'TLS', settings: [] };
    const serverSide = recordingListener();
    const server = new ServerRunner(serverTarget, { certificateChain: id.chain, signer: id.signer }, serverSide);
    const port = await server.start();
    const clientSide = recordingListener();
    const clientTarget: SessionTarget = { mode: 'connect', host: '127.0.0.1', port, protocol: 'TLS', settings: [] };
    const client = new ApiClientRunner(clientTarget, { serverName: 'localhost', trust: { kind: 'none' }, maxVersion }, clientSide);
    try {
      await client.start();
      assert.ok(clientSide.states.includes('open'), `the handshake completed: ${clientSide.states.join(', ')}`);
      client.send(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'));
      await until(() => clientSide.states.includes('closed'), 10_000, 'the server closes after its reply');
    } finally {
      client.close();
      server.close();
    }
    // The secrets, as the host keeps them for Save Key Log: the last field of each NSS key log line.
    const secrets = [client.exports.keyLog(), server.exports.keyLog()].join('').trim().split('\n').map((l) => l.split(' ')[2]!);
    assert.ok(secrets.length >= (maxVersion === 0x0304 ? 5 : 1), `the sessions derived secrets: ${secrets.length}`);
    const jwk = createPrivateKey(pem).export({ format: 'jwk' });
    const privateScalar = Buffer.from(String(jwk.d), 'base64url').toString('hex');
    const reports = [clientTarget, serverTarget].flatMap((target, i) => {
      const events = (i === 0 ? client : server).events;
      return (['markdown', 'json'] as const).map((f) => buildReport({ title: 't', target, events }, f));
    });
    const seen = JSON.stringify([clientSide.posted, serverSide.posted, client.events, server.events]).toLowerCase() + reports.join('\n').toLowerCase();
    assert.ok(seen.includes('certificate'), 'the check sees the trace');
    for (const s of secrets) assert.ok(!seen.includes(s), `a key log secret reached the panel or a report: ${s.slice(0, 16)}...`);
    assert.ok(!seen.includes(privateScalar), 'the server\'s private key reached the panel or a report');
  });
}
