// Exports against Wireshark's own dissectors (Debian's tshark): `tlslens connect --pcap` to `openssl s_server -www`
// (TLS 1.3 and TLS 1.2) and `tlslens serve --pcap` with `openssl s_client` give files in which tshark, with no
// option, shows the decrypted HTTP request; and a capture tshark takes itself on the loopback (capture filter on the
// test's port) is decrypted by our --keylog file, and carries, both ways, exactly the bytes our own --pcap file has.
// tshark missing, or capturing impossible, fails these tests with the reason: they are never skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { opensslClient, opensslServer, PKI } from './peers';

const CLI = path.resolve('dist/cli.js');

/** tshark's path, or a failure that says how to get it. */
function requireTshark(): void {
  const r = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    assert.fail(`tshark is not installed (${r.error ? (r.error as NodeJS.ErrnoException).code : `exit ${r.status}`}): these tests need Debian's tshark; run scripts/install-test-deps.sh (it installs the tshark package, answering wireshark-common/install-setuid with false)`);
  }
}

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `tshark ${args.join(' ')} failed (exit ${r.status}): ${r.stderr}`);
  return r.stdout;
}

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-export-'));
}

/** `tlslens connect ...` with `input` on standard input; resolves with its exit code and output. */
function runConnect(args: string[], input: string): Promise<{ code: number | null; out: string }> {
  const proc = spawn(process.execPath, [CLI, 'connect', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (out += b));
  proc.stdin!.end(input);
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, out })));
}

/** The decrypted HTTP requests tshark finds in a file, as "METHOD URI" lines. */
function httpRequests(file: string, extra: string[] = []): string[] {
  return tshark(['-r', file, ...extra, '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.method', '-e', 'http.request.uri'])
    .split('\n').map((l) => l.trim().replace(/\t/g, ' ')).filter(Boolean);
}

/** Both directions of TCP stream 0 as hex (tshark's follow,tcp,raw), with the two endpoints. */
function followRaw(file: string): { nodes: string[]; c2s: string; s2c: string } {
  const out = tshark(['-r', file, '-q', '-z', 'follow,tcp,raw,0']);
  const nodes = [...out.matchAll(/^Node [01]: (.+)$/gm)].map((m) => m[1]!.trim());
  const body = out.split(/^Node 1: .*$/m)[1]!.split(/^=+$/m)[0]!;
  let c2s = '';
  let s2c = '';
  for (const line of body.split('\n')) {
    if (!line.trim()) continue;
    if (line.startsWith('\t')) s2c += line.trim();
    else c2s += line.trim();
  }
  return { nodes, c2s, s2c };
}

for (const [flag, version] of [['-tls1_3', 'TLSv1.3'], ['-tls1_2', 'TLSv1.2']] as const) {
  test(`connect --pcap against openssl s_server -www ${flag}: tshark, with no option, shows the decrypted GET between the real endpoints`, { timeout: 60_000 }, async () => {
    requireTshark();
    const dir = tmpdir();
    const server = await opensslServer([flag, '-www', '-cert', PKI('ec-p384.crt'), '-key', PKI('ec-p384.key')]);
    try {
      const file = path.join(dir, 'session.pcapng');
      const uri = `/tlslens-pcap-${version}`;
      const r = await runConnect([`127.0.0.1:${server.port}`, '--pcap', file, '-q'], `GET ${uri} HTTP/1.0\r\n\r\n`);
      assert.equal(r.code, 0, r.out.slice(-2000));
      assert.match(r.out, /HTTP\/1\.0 200 ok/, 'the page came back');
      assert.match(r.out, /--pcap: wrote .*session\.pcapng/);
      assert.deepEqual(httpRequests(file), [`GET ${uri}`], 'the request, decrypted with the key log inside the file');
      // The handshake decrypted too (in TLS 1.3 the Certificate is encrypted), over the server's real port.
      const hs = tshark(['-r', file, '-Y', 'tls.handshake.type == 11', '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tls.handshake.certificate_length']).trim();
      assert.match(hs, new RegExp(`^${server.port}\\t\\d+`), `the Certificate message from port ${server.port}: ${hs}`);
      const versions = tshark(['-r', file, '-Y', 'tls.handshake.type == 2', '-T', 'fields', '-e', 'tls.handshake.extensions.supported_version', '-e', 'tls.handshake.version']).trim();
      assert.match(versions, version === 'TLSv1.3' ? /0x0304/ : /^\t?0x0303$/, `ServerHello version: ${versions}`);
      // No TCP problems for Wireshark's analysis (lost segments, out-of-order, bad ACKs).
      const problems = tshark(['-r', file, '-Y', 'tcp.analysis.flags && !tcp.analysis.window_update', '-T', 'fields', '-e', 'frame.number', '-e', '_ws.expert.message']).trim();
      assert.equal(problems, '', `tcp.analysis flags: ${problems}`);
      // Timestamps from the session: today, not 1970.
      const first = Number(tshark(['-r', file, '-c', '1', '-T', 'fields', '-e', 'frame.time_epoch']).trim());
      assert.ok(Math.abs(first - Date.now() / 1000) < 120, `first packet at ${first}`);
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('serve --pcap with openssl s_client (TLS 1.3, then TLS 1.2): one file, both connections, tshark shows both GETs', { timeout: 60_000 }, async () => {
  requireTshark();
  const dir = tmpdir();
  const file = path.join(dir, 'serve.pcapng');
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--www', '--naccept', '2', '--pcap', file], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (out += b));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ACCEPT line: ${out}`)), 10_000);
      proc.stdout!.on('data', () => {
        const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    for (const [flag, uri] of [['-tls1_3', '/one'], ['-tls1_2', '/two']] as const) {
      const c = opensslClient(port, [flag, '-ign_eof'], `GET ${uri} HTTP/1.0\r\n\r\n`, true);
      await c.waitFor(/tlslens serve --www/);
      await c.stop();
    }
    // After --naccept 2 connections the server closes; with its standard input ended too, the program exits.
    proc.stdin!.end();
    const code = await new Promise((resolve, reject) => {
      if (proc.exitCode !== null) return resolve(proc.exitCode);
      const timer = setTimeout(() => reject(new Error(`serve did not exit after --naccept 2: ${out.slice(-2000)}`)), 15_000);
      proc.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0, out.slice(-2000));
    assert.match(out, /--pcap: wrote .*serve\.pcapng \(2 connections/);
    assert.deepEqual(httpRequests(file), ['GET /one', 'GET /two']);
    const streams = tshark(['-r', file, '-Y', 'http.request', '-T', 'fields', '-e', 'tcp.stream', '-e', 'tcp.dstport']).trim().split('\n');
    assert.deepEqual(streams, [`0\t${port}`, `1\t${port}`], 'two TCP connections to the server\'s port');
  } finally {
    proc.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** tshark capturing on the loopback with a capture filter; resolves once it is capturing. */
async function startCapture(file: string, port: number): Promise<{ stop(): Promise<string> }> {
  const proc = spawn('tshark', ['-i', 'lo', '-f', `tcp port ${port}`, '-w', file, '-a', 'duration:60'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stdout!.on('data', (b) => (err += b));
  proc.stderr!.on('data', (b) => (err += b));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const started = await new Promise<boolean>((resolve) => {
    const t0 = Date.now();
    const tick = () => {
      if (/Capture started/.test(err)) return resolve(true);
      if (proc.exitCode !== null || Date.now() - t0 > 20_000) return resolve(/Capturing on/.test(err) && proc.exitCode === null);
      setTimeout(tick, 50);
    };
    tick();
  });
  if (!started) {
    proc.kill('SIGKILL');
    assert.fail(`cannot capture on the loopback here: tshark -i lo -f 'tcp port ${port}' ${proc.exitCode !== null ? `exited with ${proc.exitCode}` : 'did not start capturing within 20 s'}: ${err.trim()}`);
  }
  await new Promise((r) => setTimeout(r, 500)); // dumpcap's filter is in place before "Capture started"; a margin all the same
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, 500)); // the last packets (FIN, ACK) reach the file
      proc.kill('SIGINT');
      const code = await exited;
      assert.ok(code === 0 || code === null, `tshark capture exited with ${code}: ${err}`);
      return err;
    },
  };
}

for (const [flag, version] of [['-tls1_3', 'TLSv1.3'], ['-tls1_2', 'TLSv1.2']] as const) {
  test(`independent capture (${version}): tshark on lo decrypts our --keylog file's session, and carries exactly the bytes of our --pcap file`, { timeout: 90_000 }, async () => {
    requireTshark();
    const dir = tmpdir();
    const server = await opensslServer([flag, '-www', '-cert', PKI('ec-p384.crt'), '-key', PKI('ec-p384.key')]);
    try {
      const cap = path.join(dir, 'cap.pcapng');
      const keys = path.join(dir, 'k.txt');
      const ours = path.join(dir, 'ours.pcapng');
      const capture = await startCapture(cap, server.port);
      const uri = `/tlslens-independent-${version}`;
      const r = await runConnect([`127.0.0.1:${server.port}`, '--keylog', keys, '--pcap', ours, '-q'], `GET ${uri} HTTP/1.0\r\n\r\n`);
      const log = await capture.stop();
      assert.equal(r.code, 0, r.out.slice(-2000));
      assert.ok(fs.existsSync(cap), `tshark wrote no capture: ${log}`);
      const keyLines = fs.readFileSync(keys, 'utf8').trim().split('\n').map((l) => l.split(' ')[0]);
      assert.deepEqual(new Set(keyLines), new Set(version === 'TLSv1.3'
        ? ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET']
        : ['CLIENT_RANDOM']));
      // Without the key log, tshark sees no HTTP in its own capture; with it, the request.
      assert.deepEqual(httpRequests(cap), [], 'encrypted without the key log');
      assert.deepEqual(httpRequests(cap, ['-o', `tls.keylog_file:${keys}`]), [`GET ${uri}`]);
      // The same connection (same endpoints), the same bytes both ways.
      const real = followRaw(cap);
      const mine = followRaw(ours);
      assert.deepEqual(mine.nodes, real.nodes, 'our file names the real endpoints, ephemeral port included');
      assert.ok(real.c2s.length > 0 && real.s2c.length > 0);
      assert.equal(mine.c2s, real.c2s, 'client to server: the bytes on the wire');
      assert.equal(mine.s2c, real.s2c, 'server to client: the bytes on the wire');
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
