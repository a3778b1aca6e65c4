// `tlslens connect` and `tlslens serve` as programs, against openssl: the ACCEPT line, --port 0, --www closing
// after its reply, serve surviving a probe connection and the end of its standard input, --json events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { opensslClient, opensslServer, PKI, tlslensServe } from './peers';

const CLI = path.resolve('dist/cli.js');

function probe(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.destroy());
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
}

test('serve --port 0 --www: prints the chosen port, answers s_client with a status page, then closes that connection', { timeout: 30_000 }, async () => {
  const srv = await tlslensServe(['--www']);
  try {
    const c = opensslClient(srv.port, ['-tls1_3', '-ign_eof'], 'GET / HTTP/1.0\r\n\r\n');
    await c.waitFor(/Protocol  : TLSv1\.3/);
    await c.waitFor(/closed|DONE|read:errno=0|close notify/i).catch(() => undefined);
    await new Promise((r) => c.proc.once('exit', r));
    assert.match(c.output(), /HTTP\/1\.0 200 ok/);
  } finally {
    srv.proc.kill();
  }
});

test('serve keeps serving after a probe connection and after its standard input ends', { timeout: 30_000 }, async () => {
  const srv = await tlslensServe(['--www']);
  try {
    await probe(srv.port);
    srv.proc.stdin!.end();
    await new Promise((r) => setTimeout(r, 300));
    const c = opensslClient(srv.port, ['-tls1_3', '-ign_eof'], 'GET / HTTP/1.0\r\n\r\n');
    await c.waitFor(/tlslens serve --www/);
    assert.equal(srv.proc.exitCode, null, 'the server is still running');
    await c.stop();
  } finally {
    srv.proc.kill();
  }
});

test('connect --json against openssl s_server: JSON lines, a summary, the server\'s data, exit 0', { timeout: 30_000 }, async () => {
  const server = await opensslServer(['-tls1_3', '-www', '-cert', PKI('ec-p384.crt'), '-key', PKI('ec-p384.key')]);
  try {
    const proc = spawn(process.execPath, [CLI, 'connect', `127.0.0.1:${server.port}`, '--json', '--groups', 'P-256', '--ciphersuites', 'TLS_AES_128_GCM_SHA256'], { stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stdin!.end('GET / HTTP/1.0\r\n\r\n');
    let out = '';
    proc.stdout!.on('data', (b) => (out += b));
    const code = await new Promise((r) => proc.on('exit', r));
    assert.equal(code, 0, out.slice(-2000));
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; [k: string]: unknown });
    const summary = lines.find((l) => l.kind === 'summary')!;
    assert.equal(summary.protocol, 'TLSv1.3');
    assert.equal(summary.cipher, 'TLS_AES_128_GCM_SHA256');
    assert.equal(summary.group, 'P-256');
    assert.equal(summary.peerSignature, 'ecdsa_secp384r1_sha384');
    assert.ok(lines.some((l) => l.kind === 'handshake' && l.name === 'client_hello' && typeof l.raw === 'string'), 'handshake events carry their raw bytes as hex');
    assert.ok(lines.some((l) => l.kind === 'data' && /HTTP\/1\.0 200 ok/.test(String(l.text))));
  } finally {
    await server.stop();
  }
});

test('connect --keylog writes the five TLS 1.3 secrets that openssl -keylogfile writes for the same session', { timeout: 30_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-keylog-'));
  const theirs = path.join(dir, 'server.keys');
  const ours = path.join(dir, 'client.keys');
  const server = await opensslServer(['-tls1_3', '-www', '-keylogfile', theirs, '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  try {
    const proc = spawn(process.execPath, [CLI, 'connect', `127.0.0.1:${server.port}`, '--keylog', ours, '--quiet'], { stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stdin!.end('GET / HTTP/1.0\r\n\r\n');
    assert.equal(await new Promise((r) => proc.on('exit', r)), 0);
    await new Promise((r) => setTimeout(r, 200));
    const norm = (f: string) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => /^[A-Z_0-9]+ /.test(l)).sort();
    const a = norm(ours);
    assert.deepEqual(a.map((l) => l.split(' ')[0]).sort(), ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0']);
    assert.deepEqual(a, norm(theirs), 'the same secrets, byte for byte');
  } finally {
    await server.stop();
  }
});

test('connect to a port where nothing listens: a clear error and exit 1', { timeout: 15_000 }, async () => {
  const proc = spawn(process.execPath, [CLI, 'connect', '127.0.0.1:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (b) => (err += b));
  assert.equal(await new Promise((r) => proc.on('exit', r)), 1);
  assert.match(err, /ECONNREFUSED/);
});

test('connect to a silent server ends in a timeout error, not a hang', { timeout: 15_000 }, async () => {
  const silent = net.createServer(() => undefined).listen(0, '127.0.0.1');
  await new Promise((r) => silent.once('listening', r));
  const port = (silent.address() as net.AddressInfo).port;
  const proc = spawn(process.execPath, [CLI, 'connect', `127.0.0.1:${port}`, '--timeout', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (b) => (err += b));
  assert.equal(await new Promise((r) => proc.on('exit', r)), 1);
  assert.match(err, /timed out after 1 s in state wait_sh/);
  silent.close();
});

test('connect verifies the chain as s_client does: --CAfile gives 0 (ok), the system store 18, --verify_return_error aborts with unknown_ca', { timeout: 60_000 }, async () => {
  const server = await opensslServer(['-tls1_3', '-www', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  const run = (args: string[]) => new Promise<{ code: number; out: string; err: string }>((resolve) => {
    const p = spawn(process.execPath, [CLI, 'connect', `127.0.0.1:${server.port}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout!.on('data', (b) => (out += b));
    p.stderr!.on('data', (b) => (err += b));
    p.stdin!.end('GET / HTTP/1.0\r\n\r\n');
    p.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
  });
  try {
    const trusted = await run(['--CAfile', PKI('ec-p256.crt'), '--verify_hostname', 'ec-p256.example.com']);
    assert.equal(trusted.code, 0);
    assert.match(trusted.out, /Verify return code: 0 \(ok\)/);
    const untrusted = await run([]);
    assert.equal(untrusted.code, 0, 'without --verify_return_error the session goes on, as s_client');
    assert.match(untrusted.out, /Verify return code: 18 \(self-signed certificate\)/);
    const wrongName = await run(['--CAfile', PKI('ec-p256.crt'), '--verify_hostname', 'other.example']);
    assert.match(wrongName.out, /Verify return code: 62 \(hostname mismatch\)/);
    const strict = await run(['--verify_return_error']);
    assert.equal(strict.code, 1);
    assert.match(strict.err, /certificate verification failed: self-signed certificate \(18\)/);
    await server.waitFor(/alert unknown ca|unknown ca/i);
  } finally {
    await server.stop();
  }
});
