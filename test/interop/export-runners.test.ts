// What the session panel's Save Capture / Save Key Log / report buttons read, without VS Code: the runners behind
// Connect to Host (ApiClientRunner, OpenSSL's API over a connect BIO) and Serve TLS Here (ServerRunner) keep each
// connection's bytes and secrets on the host side; their pcapng decrypts in tshark with no option; a listener's key
// log file (SSLKEYLOGFILE when the setting allows it) gets every line; the report never holds a secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiClientRunner } from '../../extension/sessions/api-client-runner';
import { ServerRunner, type RunnerListener, type RunnerState } from '../../extension/sessions/session-runner';
import type { SessionSummary, SessionTarget, TraceEventJson } from '../../webview/shared/protocol';
import { buildReport } from '../../engine/export/report';
import { identityFromPem } from '../../engine/tools/identity';
import { opensslClient, opensslServer, PKI } from './peers';

function requireTshark(): void {
  const r = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) assert.fail(`tshark is not installed (${r.error ? (r.error as NodeJS.ErrnoException).code : `exit ${r.status}`}): run scripts/install-test-deps.sh (Debian package tshark)`);
}

function httpRequests(file: string): string[] {
  const r = spawnSync('tshark', ['-r', file, '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.method', '-e', 'http.request.uri'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').map((l) => l.trim().replace(/\t/g, ' ')).filter(Boolean);
}

/** A listener as the panel is one: it records states and summaries, and names a key log file. */
function listener(keyLogFile?: string) {
  const states: RunnerState[] = [];
  let summary: SessionSummary | undefined;
  const waiters: (() => void)[] = [];
  const l: RunnerListener = {
    events: (_b: TraceEventJson[]) => undefined,
    summary: (s) => (summary = s),
    state: (s) => {
      states.push(s);
      waiters.splice(0).forEach((w) => w());
    },
    ...(keyLogFile ? { keyLogFile: () => keyLogFile } : {}),
  };
  const until = (want: RunnerState[], ms = 15_000) => new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const check = () => {
      if (states.some((s) => want.includes(s))) return resolve();
      if (Date.now() - t0 > ms) return reject(new Error(`states so far: ${states.join(', ')}`));
      waiters.push(check);
      setTimeout(check, 100);
    };
    check();
  });
  return { l, states, until, summary: () => summary };
}

for (const [flag, max, version] of [['-tls1_3', 0x0304, 'TLSv1.3'], ['-tls1_2', 0x0303, 'TLSv1.2']] as const) {
  test(`Connect to Host's runner (${version}): Save Capture's pcapng decrypts in tshark; the key log file named by the listener gets the secrets; the report has none`, { timeout: 60_000 }, async () => {
    requireTshark();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-runner-'));
    const server = await opensslServer([flag, '-www', '-cert', PKI('ec-p384.crt'), '-key', PKI('ec-p384.key')]);
    try {
      const keyFile = path.join(dir, 'sslkeylog.txt');
      const target: SessionTarget = { mode: 'connect', host: '127.0.0.1', port: server.port, protocol: 'TLS', settings: [] };
      const L = listener(keyFile);
      const runner = new ApiClientRunner(target, { trust: { kind: 'none' }, maxVersion: max }, L.l);
      await runner.start();
      assert.ok(L.states.includes('open'), `states: ${L.states.join(', ')}; ${L.summary()?.error?.message ?? ''}`);
      runner.send(new TextEncoder().encode(`GET /from-the-panel HTTP/1.0\r\n\r\n`));
      await L.until(['closed', 'failed']); // s_server -www answers and closes
      const file = path.join(dir, 'panel.pcapng');
      assert.equal(runner.exports.connections, 1);
      fs.writeFileSync(file, runner.exports.pcapng());
      assert.deepEqual(httpRequests(file), ['GET /from-the-panel']);
      const keyLog = runner.exports.keyLog();
      assert.match(keyLog, version === 'TLSv1.3' ? /^CLIENT_HANDSHAKE_TRAFFIC_SECRET / : /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$/);
      assert.equal(fs.readFileSync(keyFile, 'utf8'), keyLog, 'every line appended to the listener\'s key log file');
      const events = runner.events;
      for (const f of ['markdown', 'json'] as const) {
        const report = buildReport({ title: 't', target, summary: L.summary()!, events }, f);
        for (const line of keyLog.trim().split('\n')) assert.ok(!report.includes(line.split(' ')[2]!), `${f} report holds no secret`);
      }
      assert.ok(!JSON.stringify(events).includes(keyLog.trim().split('\n')[0]!.split(' ')[2]!), 'no secret in what the webview is sent');
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('Connect to Host\'s runner when the listener names no key log file (the setting off): SSLKEYLOGFILE in the environment is not written', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-runner-'));
  const envFile = path.join(dir, 'env-keylog.txt');
  const before = process.env.SSLKEYLOGFILE;
  process.env.SSLKEYLOGFILE = envFile;
  const server = await opensslServer(['-tls1_3', '-www', '-cert', PKI('ec-p384.crt'), '-key', PKI('ec-p384.key')]);
  try {
    const L = listener();
    const runner = new ApiClientRunner({ mode: 'connect', host: '127.0.0.1', port: server.port, protocol: 'TLS', settings: [] }, { trust: { kind: 'none' } }, L.l);
    await runner.start();
    runner.close();
    assert.ok(L.states.includes('open'));
    assert.equal(fs.existsSync(envFile), false, 'SSLKEYLOGFILE is honoured only when the panel (the setting) names it');
    assert.ok(runner.exports.keyLog().length > 0, 'the secrets are still kept on the host for Save Key Log');
  } finally {
    if (before === undefined) delete process.env.SSLKEYLOGFILE;
    else process.env.SSLKEYLOGFILE = before;
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Serve TLS Here\'s runner: two clients (TLS 1.3, TLS 1.2) in one capture, both requests decrypted by tshark', { timeout: 60_000 }, async () => {
  requireTshark();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-runner-'));
  const id = identityFromPem(fs.readFileSync(PKI('ec-p256.crt'), 'utf8'), fs.readFileSync(PKI('ec-p256.key'), 'utf8'), 'ec-p256.crt');
  const L = listener();
  const runner = new ServerRunner({ mode: 'serve', host: '127.0.0.1', port: 0, protocol: 'TLS', settings: [] }, { certificateChain: id.chain, signer: id.signer }, L.l);
  try {
    const port = await runner.start();
    for (const [flag, uri] of [['-tls1_3', '/a'], ['-tls1_2', '/b']] as const) {
      const c = opensslClient(port, [flag, '-ign_eof'], `GET ${uri} HTTP/1.0\r\n\r\n`, true);
      await c.waitFor(/TLS Lens: TLSv1\.[23]/);
      await c.stop();
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(runner.exports.connections, 2);
    const file = path.join(dir, 'serve.pcapng');
    fs.writeFileSync(file, runner.exports.pcapng());
    assert.deepEqual(httpRequests(file), ['GET /a', 'GET /b']);
    assert.deepEqual(new Set(runner.exports.keyLog().trim().split('\n').map((l) => l.split(' ')[0])), new Set(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'CLIENT_RANDOM']));
  } finally {
    runner.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
