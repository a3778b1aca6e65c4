// Encrypted Client Hello (RFC 9849) over real sockets: `tlslens ech`, `tlslens serve --ech_key` and `tlslens
// connect --ech-config` as programs (accepted: "ECH: accepted" and the inner SNI at the server; a key the server
// does not hold: "ECH: rejected, retry_configs ..." with exit 1 and --json carrying both), and the peers on this
// machine, none of which speaks ECH (OpenSSL 3.0 has no -ech_config_list; GnuTLS 3.7 none either): openssl
// s_client against our ECH server (no extension: an ordinary handshake), and our ECH client against openssl
// s_server, which ignores the extension: ECH is rejected with no retry_configs, so the client ends with
// ech_required (RFC 9849 sections 6.1.6 and 8.1.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { opensslClient, opensslServer, PKI, requireOpensslTool, tlslensServe } from './peers';
import { connect, type TlsSessionError } from '../../engine/net/session';
import { generateEchKey } from '../../engine/ech/config';
import type { TraceEvent } from '../../engine/trace/events';

const CLI = path.resolve('dist/cli.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-ech-'));
const pem = path.join(dir, 'ech.pem');
const otherPem = path.join(dir, 'other.pem');

function cli(args: string[], input?: string): Promise<{ code: number | null; out: string; err: string }> {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (err += b));
  proc.stdin!.end(input ?? '');
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, out, err })));
}

/** `tlslens serve` with an ECH key: its port and the ECHConfigList it prints. */
async function startServe(args: string[]): Promise<{ port: number; list: string; stop: () => void; output: () => string }> {
  const s = await tlslensServe(args, /ECH config list \(base64, for connect --ech-config\): (\S+)/);
  return { port: s.port, list: s.also![1]!, stop: () => s.proc.kill(), output: s.output };
}

test('tlslens ech makes a key file; serve --ech_key prints the same ECHConfigList; connect --ech-config: "ECH: accepted", the server saw the inner SNI', { timeout: 60_000 }, async () => {
  const made = await cli(['ech', '--public_name', 'public.example', '--pemout', pem, '--config_id', '5']);
  assert.equal(made.code, 0, made.err);
  const list = /ECHConfigList \(base64\): (\S+)/.exec(made.out)![1]!;
  assert.equal((fs.statSync(pem).mode & 0o777).toString(8), '600');
  const srv = await startServe(['--ech_key', pem, '--www']);
  try {
    assert.equal(srv.list, list);
    // The config by base64, as a DNS HTTPS record would give it.
    const text = await cli(['connect', `127.0.0.1:${srv.port}`, '--servername', 'secret.example', '--ech-config', list], 'GET / HTTP/1.0\r\n\r\n');
    assert.equal(text.code, 0, text.err + text.out.slice(-2000));
    assert.match(text.out, /^ECH: accepted$/m);
    assert.match(text.out, /ClientHelloInner \(\d+ bytes\): SNI secret\.example/);
    assert.match(text.out, />> ClientHello \(\d+ bytes\): SNI public\.example/);
    assert.match(text.out, /SNI {7}: secret\.example/, 'the --www page: the server handshook with the inner SNI');
    // By the PEM file, OpenSSL's spelling, --json.
    const json = await cli(['connect', `127.0.0.1:${srv.port}`, '--servername', 'secret.example', '--ech_config_list', pem, '--json'], 'GET / HTTP/1.0\r\n\r\n');
    assert.equal(json.code, 0, json.err);
    const lines = json.out.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; [k: string]: unknown });
    assert.deepEqual(lines.find((l) => l.kind === 'summary')!.ech, { status: 'accepted' });
    const offered = lines.find((l) => l.kind === 'ech' && l.status === 'offered')!;
    assert.deepEqual(((offered.inner as { fields: { ext: { serverName: string[] } } }).fields.ext.serverName), ['secret.example']);
    assert.match(srv.output(), /decrypted ClientHelloInner \(SNI secret\.example\) from the ClientHelloOuter \(SNI public\.example\)/);
  } finally {
    srv.stop();
  }
});

test('connect --ech-config with a key the server does not hold: "ECH: rejected, retry_configs ...", ech_required, exit 1', { timeout: 60_000 }, async () => {
  if (!fs.existsSync(pem)) assert.equal((await cli(['ech', '--public_name', 'public.example', '--pemout', pem])).code, 0);
  assert.equal((await cli(['ech', '--public_name', 'public.example', '--pemout', otherPem])).code, 0);
  const srv = await startServe(['--ech_key', pem]);
  try {
    const text = await cli(['connect', `127.0.0.1:${srv.port}`, '--servername', 'secret.example', '--ech-config', otherPem]);
    assert.equal(text.code, 1);
    assert.match(text.out, new RegExp(`^ECH: rejected, retry_configs ${srv.list.replace(/[+/]/g, '\\$&')} \\(config_id \\d+, public_name public\\.example\\)$`, 'm'));
    assert.match(text.out, /alert fatal ech_required \(121\)/);
    const json = await cli(['connect', `127.0.0.1:${srv.port}`, '--servername', 'secret.example', '--ech-config', otherPem, '--json']);
    const summary = json.out.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; [k: string]: unknown }).find((l) => l.kind === 'summary')!;
    assert.equal(summary.ok, false);
    assert.equal(summary.alert, 'ech_required');
    assert.equal((summary.ech as { status: string; retryConfigs: string }).status, 'rejected');
    assert.equal((summary.ech as { retryConfigs: string }).retryConfigs, srv.list);
  } finally {
    srv.stop();
  }
});

test('openssl s_client (no ECH) against our ECH server: an ordinary TLS 1.3 handshake', { timeout: 30_000 }, async () => {
  requireOpensslTool();
  const version = execFileSync('openssl', ['version'], { encoding: 'utf8' });
  // Were this OpenSSL built with ECH, this test should offer it instead (-ech_config_list).
  assert.doesNotMatch(execFileSync('openssl', ['s_client', '-help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) + '', /ech_config_list/, `${version}: this openssl knows ECH; extend the test`);
  if (!fs.existsSync(pem)) assert.equal((await cli(['ech', '--public_name', 'public.example', '--pemout', pem])).code, 0);
  const srv = await startServe(['--ech_key', pem, '--www']);
  try {
    const c = opensslClient(srv.port, ['-tls1_3', '-servername', 'plain.example', '-ign_eof'], 'GET / HTTP/1.0\r\n\r\n');
    await c.waitFor(/SNI {7}: plain\.example/);
    await c.stop();
    assert.doesNotMatch(srv.output(), /ECH (accepted|rejected)/, 'no encrypted_client_hello, no ECH verdict');
  } finally {
    srv.stop();
  }
});

test('our ECH client against openssl s_server (no ECH): rejected without retry_configs (ECH disabled), ech_required after the handshake', { timeout: 30_000 }, async () => {
  requireOpensslTool();
  const key = generateEchKey({ publicName: 'localhost' });
  const server = await opensslServer(['-tls1_3', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  try {
    const events: TraceEvent[] = [];
    const s = await connect({ host: '127.0.0.1', port: server.port, serverName: 'secret.example', ech: { configs: [key.config] }, handshakeTimeoutMs: 10_000 });
    s.on('trace', (e: TraceEvent) => events.push(e));
    const err = await new Promise<TlsSessionError>((resolve) => {
      s.on('error', resolve);
      s.begin();
    });
    assert.equal(err.alert, 'ech_required', err.message);
    assert.match(err.message, /sent no retry_configs: it has ECH disabled/);
    assert.ok(events.some((e) => e.kind === 'ech' && e.status === 'rejected'));
    assert.ok(events.some((e) => e.kind === 'handshake' && e.dir === 'out' && e.name === 'finished'), 'the handshake with ClientHelloOuter completed first');
    await server.waitFor(/SSL alert number 121|ech required|alert/i, 5000).catch(() => undefined);
  } finally {
    await server.stop();
  }
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
