#!/usr/bin/env node
// `npm run demo`: the main job on a built-in default, no internet. Generates a certificate and key,
// decodes them, checks that they match, then shows a mismatch against a second key.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-demo-'));
const cli = path.resolve('dist/cli.js');
const run = (title, args, expect) => {
  console.log(`\n$ tlslens ${args.join(' ')}    # ${title}`);
  try {
    process.stdout.write(execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' }));
    if (expect !== 0) throw new Error(`expected exit ${expect}, got 0`);
  } catch (e) {
    if (e.status === undefined || e.status !== expect) throw e;
    process.stdout.write(e.stdout ?? '');
  }
};
const f = (n) => path.join(dir, n);
run('a certificate and key for localhost', ['generate', '--out', f('server.crt'), '--keyout', f('server.key')], 0);
run('a second, unrelated key', ['generate', '--out', f('other.crt'), '--keyout', f('other.key')], 0);
run('decode, as openssl x509 -text', ['decode', f('server.crt')], 0);
run('the key: only its public half is shown', ['decode', f('server.key')], 0);
run('the matching pair (exit 0)', ['check-key', f('server.crt'), f('server.key')], 0);
run('a mismatched pair (exit 1)', ['check-key', f('server.crt'), f('other.key')], 1);

// A local TLS 1.3 server (tlslens serve, generated certificate) and our client against it, decoded.
const { spawn } = await import('node:child_process');
console.log('\n$ tlslens serve --port 0 --www &    # a local TLS 1.3 server on 127.0.0.1');
const server = spawn(process.execPath, [cli, 'serve', '--port', '0', '--www', '--cert', f('server.crt'), '--key', f('server.key'), '--quiet'], { stdio: ['pipe', 'pipe', 'inherit'] });
const port = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (b) => { out += b; const m = /ACCEPT [\d.]+:(\d+)/.exec(out); if (m) resolve(Number(m[1])); });
  server.on('exit', () => reject(new Error('the server exited')));
});
console.log(`ACCEPT 127.0.0.1:${port}`);
console.log(`\n$ printf 'GET / HTTP/1.0\\r\\n\\r\\n' | tlslens connect 127.0.0.1:${port} --servername localhost    # the handshake, decoded`);
const client = spawn(process.execPath, [cli, 'connect', `127.0.0.1:${port}`, '--servername', 'localhost'], { stdio: ['pipe', 'inherit', 'inherit'] });
client.stdin.end('GET / HTTP/1.0\r\n\r\n');
const code = await new Promise((resolve) => client.on('exit', resolve));
server.kill();
fs.rmSync(dir, { recursive: true, force: true });
if (code !== 0) throw new Error(`tlslens connect exited with ${code}`);
console.log('\nDemo finished: decode, match, mismatch and a TLS 1.3 session all behaved as expected.');
