// DTLS exports against Wireshark's own dissectors (Debian's tshark): `tlslens connect --dtls --pcap` to
// `tlslens serve --dtls --www --pcap` gives two files, each the session's real datagrams as UDP between the real
// endpoints (the server's port and the client's ephemeral one), with the key log in the Decryption Secrets Block.
// tshark, with no option, finds DTLS on those ports (its udp heuristic) and decrypts with the key log inside the
// file: the Finished messages, the alerts, and the application data, where the GET and the page are shown as Data.
// Wireshark has no HTTP-over-DTLS dissection of its own (HTTP is in neither dtls.port nor dtls.alpn, and has no
// DTLS heuristic), so `-Y http` needs one association: the RSA key list's protocol column with any RSA key
// (`-o uat:dtlsdecrypttablefile:...,"http",...`); with it tshark shows the GET and the 200 as HTTP. A capture tshark
// takes itself on the loopback has exactly our datagrams, each direction, boundaries included. Against
// `openssl s_server -dtls1_2` (which packs several records in a datagram and has no -www for DTLS), connect's file
// is decrypted by tshark the same way, each of openssl's datagrams one packet.
// tshark missing, or capturing impossible, fails these tests with the reason: they are never skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CLI = path.resolve('dist/cli.js');

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

/** tshark's rows of tab-separated fields for the frames matching `filter`. */
function rows(file: string, filter: string, fields: string[], extra: string[] = []): string[][] {
  return tshark(['-r', file, ...extra, ...(filter ? ['-Y', filter] : []), '-T', 'fields', ...fields.flatMap((f) => ['-e', f])])
    .split('\n').filter((l) => l.trim()).map((l) => l.split('\t'));
}

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-export-dtls-'));
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

interface Serve {
  port: number;
  /** Resolves once the output matches `re` (within 15 s). */
  waitFor(re: RegExp): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

/** `tlslens serve --dtls --www --pcap FILE` on an ephemeral UDP port of 127.0.0.1. */
async function startServe(file: string): Promise<Serve> {
  // No --naccept: the server is stopped by the test once it has written the file.
  const proc: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--dtls', '--port', '0', '--www', '--pcap', file], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (out += b));
  const waitFor = (re: RegExp) => new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (re.test(out)) return resolve();
      if (proc.exitCode !== null || Date.now() - t0 > 15_000) return reject(new Error(`serve: no ${re} in its output${proc.exitCode !== null ? ` (exited with ${proc.exitCode})` : ''}: ${out.slice(-2000)}`));
      setTimeout(tick, 25);
    };
    tick();
  });
  await waitFor(/ACCEPT 127\.0\.0\.1:\d+/);
  const port = Number(/ACCEPT 127\.0\.0\.1:(\d+)/.exec(out)![1]);
  return {
    port, waitFor, output: () => out,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill();
      await exited;
    },
  };
}

/** Each datagram of a file as [source port, destination port, UDP payload hex], in the file's order. */
function datagrams(file: string): string[][] {
  return rows(file, 'udp', ['udp.srcport', 'udp.dstport', 'udp.payload']);
}

/** A throwaway RSA key: the DTLS RSA key list wants one on the line that names the application protocol. */
function throwawayRsaKey(dir: string): string {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const file = path.join(dir, 'association-only.key');
  fs.writeFileSync(file, privateKey);
  return file;
}

/** What tshark, with no option, sees in one of our DTLS files. */
function checkFile(file: string, who: string, serverPort: number, uri: string, dir: string): void {
  const frames = rows(file, '', ['frame.protocols', 'ip.src', 'ip.dst', 'udp.srcport', 'udp.dstport']);
  assert.ok(frames.length >= 12, `${who}: ${frames.length} frames`);
  // Every frame is UDP between 127.0.0.1's server port and the client's ephemeral port, dissected as DTLS.
  const clientPort = Number(frames[0]![3]);
  assert.equal(Number(frames[0]![4]), serverPort, `${who}: the first datagram (ClientHello) goes to the server's port`);
  assert.notEqual(clientPort, serverPort);
  for (const [protocols, src, dst, sp, dp] of frames) {
    assert.match(protocols!, /^raw:ip:udp:dtls/, `${who}: ${protocols}`);
    assert.deepEqual([src, dst], ['127.0.0.1', '127.0.0.1']);
    assert.deepEqual(new Set([Number(sp), Number(dp)]), new Set([clientPort, serverPort]), `${who}: ports ${sp} -> ${dp}`);
  }
  // Datagram boundaries: each UDP payload is whole DTLS records (13-byte header each), nothing more.
  for (const [udpLength, lengths] of rows(file, '', ['udp.length', 'dtls.record.length'])) {
    const records = lengths!.split(',').map(Number);
    assert.equal(records.reduce((n, l) => n + 13 + l, 0), Number(udpLength) - 8, `${who}: a datagram of ${udpLength} bytes holds records of ${lengths}`);
  }
  // The handshake, cookie exchange included, then decrypted: both Finished messages (epoch 1) are read.
  const handshakes = rows(file, 'dtls.handshake.type', ['udp.srcport', 'dtls.handshake.type']).map(([sp, t]) => `${sp === String(serverPort) ? 'S' : 'C'}:${t}`);
  assert.deepEqual(handshakes.slice(0, 3), ['C:1', 'S:3', 'C:1'], `${who}: ClientHello, HelloVerifyRequest, ClientHello with the cookie: ${handshakes}`);
  assert.ok(handshakes.includes('C:20') && handshakes.includes('S:20'), `${who}: both Finished messages decrypted (the key log in the file): ${handshakes}`);
  // The application data, decrypted with no option: the request from the client, the page from the server.
  const request = rows(file, `data.data contains "GET ${uri} HTTP/1.0" && !(data.data contains "200 ok")`, ['udp.srcport', 'udp.dstport']); // the page quotes it too
  assert.deepEqual(request, [[String(clientPort), String(serverPort)]], `${who}: the decrypted GET, from the client's port`);
  const page = rows(file, 'data.data contains "HTTP/1.0 200 ok"', ['udp.srcport']);
  assert.deepEqual(page, [[String(serverPort)]], `${who}: the decrypted page, from the server's port`);
  // The server's close_notify, decrypted (warning 0).
  assert.ok(rows(file, 'dtls.alert_message.desc == 0', ['udp.srcport']).some(([sp]) => sp === String(serverPort)), `${who}: the server's close_notify`);
  // As HTTP: Wireshark hands decrypted DTLS to HTTP only through the RSA key list's protocol column.
  const key = throwawayRsaKey(dir);
  const http = rows(file, 'http', ['http.request.method', 'http.request.uri', 'http.response.code'], ['-o', `uat:dtlsdecrypttablefile:"127.0.0.1","${serverPort}","http","${key}",""`]);
  assert.deepEqual(http.map((r) => r.filter(Boolean).join(' ')), [`GET ${uri}`, '200'], `${who}: HTTP over DTLS`);
  // Timestamps from the session: today, not 1970.
  const first = Number(rows(file, '', ['frame.time_epoch'])[0]![0]);
  assert.ok(Math.abs(first - Date.now() / 1000) < 120, `${who}: first packet at ${first}`);
}

test('connect --dtls --pcap to serve --dtls --www --pcap: tshark, with no option, finds DTLS on the real ports and decrypts both files with the key log inside', { timeout: 90_000 }, async () => {
  requireTshark();
  const dir = tmpdir();
  const served = path.join(dir, 'serve.pcapng');
  const serve = await startServe(served);
  try {
    const file = path.join(dir, 'connect.pcapng');
    const uri = '/tlslens-dtls-pcap';
    const r = await runConnect(['--dtls', `127.0.0.1:${serve.port}`, '--pcap', file, '-q'], `GET ${uri} HTTP/1.0\r\n\r\n`);
    assert.equal(r.code, 0, r.out.slice(-2000));
    assert.match(r.out, /Protocol\s+: DTLSv1\.2/);
    assert.match(r.out, /HTTP\/1\.0 200 ok/, 'the page came back');
    assert.match(r.out, /--pcap: wrote .*connect\.pcapng/);
    assert.doesNotMatch(r.out, /not built for DTLS/);
    await serve.waitFor(/--pcap: wrote .*serve\.pcapng \(1 connection/);
    checkFile(file, 'connect --pcap', serve.port, uri, dir);
    checkFile(served, 'serve --pcap', serve.port, uri, dir);
    // The two ends recorded the same datagrams, each direction in order: the server's file ends where its session
    // did (it closed after its close_notify, so the client's close_notify that followed is not in it).
    const ours = datagrams(file);
    const theirs = datagrams(served);
    for (const from of [String(serve.port), ours[0]![0]!]) {
      const a = ours.filter((d) => d[0] === from).map((d) => d[2]);
      const b = theirs.filter((d) => d[0] === from).map((d) => d[2]);
      assert.ok(b.length > 0 && b.length <= a.length && a.length - b.length <= 1, `from port ${from}: ${a.length} datagrams in the client's file, ${b.length} in the server's`);
      assert.deepEqual(b, a.slice(0, b.length), `from port ${from}: the same datagrams in both files`);
    }
  } finally {
    await serve.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** tshark capturing UDP on the loopback with a capture filter; resolves once it is capturing. */
async function startCapture(file: string, port: number): Promise<{ stop(): Promise<string> }> {
  const proc = spawn('tshark', ['-i', 'lo', '-f', `udp port ${port}`, '-w', file, '-a', 'duration:60'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    assert.fail(`cannot capture on the loopback here: tshark -i lo -f 'udp port ${port}' ${proc.exitCode !== null ? `exited with ${proc.exitCode}` : 'did not start capturing within 20 s'}: ${err.trim()}`);
  }
  await new Promise((r) => setTimeout(r, 500));
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, 500)); // the last datagrams reach the file
      proc.kill('SIGINT');
      const code = await exited;
      assert.ok(code === 0 || code === null, `tshark capture exited with ${code}: ${err}`);
      return err;
    },
  };
}

test('independent capture: tshark on lo sees exactly the datagrams of our --pcap files, boundaries included, between the same endpoints', { timeout: 90_000 }, async () => {
  requireTshark();
  const dir = tmpdir();
  const served = path.join(dir, 'serve.pcapng');
  const serve = await startServe(served);
  try {
    const cap = path.join(dir, 'cap.pcapng');
    const file = path.join(dir, 'connect.pcapng');
    const capture = await startCapture(cap, serve.port);
    const r = await runConnect(['--dtls', `127.0.0.1:${serve.port}`, '--pcap', file, '-q'], 'GET /independent HTTP/1.0\r\n\r\n');
    await serve.waitFor(/--pcap: wrote .*serve\.pcapng/);
    const log = await capture.stop();
    assert.equal(r.code, 0, r.out.slice(-2000));
    assert.ok(fs.existsSync(cap), `tshark wrote no capture: ${log}`);
    const real = datagrams(cap);
    const ours = datagrams(file);
    const theirs = datagrams(served);
    assert.ok(real.length >= 12, `${real.length} datagrams on the wire`);
    assert.deepEqual(new Set(ours.map((d) => `${d[0]}>${d[1]}`)), new Set(real.map((d) => `${d[0]}>${d[1]}`)), 'the real ports, the client\'s ephemeral one included');
    for (const from of new Set(real.map((d) => d[0]!))) {
      const wire = real.filter((d) => d[0] === from).map((d) => d[2]);
      assert.deepEqual(ours.filter((d) => d[0] === from).map((d) => d[2]), wire, `connect --pcap, datagrams from port ${from}: as on the wire`);
      const s = theirs.filter((d) => d[0] === from).map((d) => d[2]);
      assert.deepEqual(s, wire.slice(0, s.length), `serve --pcap, datagrams from port ${from}: as on the wire (to the end of its session)`);
      assert.ok(wire.length - s.length <= 1, `serve --pcap, from port ${from}: ${s.length} of ${wire.length}`);
    }
  } finally {
    await serve.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** `openssl s_server -dtls1_2` on a free UDP port of 127.0.0.1, its standard input kept open; ready at ACCEPT. */
async function opensslDtlsServer(): Promise<{ port: number; output(): string; stop(): Promise<void> }> {
  const v = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) assert.fail(`openssl is not installed (Debian package openssl): run scripts/install-test-deps.sh: ${v.error?.message ?? v.stderr}`);
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', () => resolve()));
  const port = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
  const pki = (n: string) => path.resolve('test/fixtures/pki', n);
  const proc = spawn('openssl', ['s_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, '-cert', pki('ec-p384.crt'), '-key', pki('ec-p384.key')], { stdio: ['pipe', 'pipe', 'pipe'] });
  proc.stdin!.on('error', () => undefined);
  let out = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (out += b));
  const t0 = Date.now();
  while (!/ACCEPT/.test(out)) {
    if (proc.exitCode !== null || Date.now() - t0 > 10_000) assert.fail(`openssl s_server -dtls1_2 did not start on UDP 127.0.0.1:${port}: ${out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port, output: () => out,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill();
      await exited;
    },
  };
}

test('connect --dtls --pcap against openssl s_server -dtls1_2: tshark, with no option, decrypts the handshake and the request; openssl\'s datagrams of several records stay whole', { timeout: 90_000 }, async () => {
  requireTshark();
  const dir = tmpdir();
  const server = await opensslDtlsServer();
  try {
    const file = path.join(dir, 'openssl.pcapng');
    const uri = '/tlslens-dtls-openssl';
    const r = await runConnect(['--dtls', `127.0.0.1:${server.port}`, '--pcap', file, '-q'], `GET ${uri} HTTP/1.0\r\n\r\n`);
    assert.equal(r.code, 0, r.out.slice(-2000));
    assert.match(r.out, /--pcap: wrote .*openssl\.pcapng/);
    const t0 = Date.now();
    while (!server.output().includes(`GET ${uri}`) && Date.now() - t0 < 5000) await new Promise((res) => setTimeout(res, 20));
    assert.ok(server.output().includes(`GET ${uri}`), `openssl got the request: ${server.output().slice(-1000)}`);
    const frames = rows(file, '', ['frame.protocols', 'udp.srcport', 'udp.dstport', 'udp.length', 'dtls.record.length']);
    const clientPort = frames[0]![1]!;
    for (const [protocols, sp, dp, udpLength, lengths] of frames) {
      assert.match(protocols!, /^raw:ip:udp:dtls/);
      assert.deepEqual(new Set([sp, dp]), new Set([clientPort, String(server.port)]));
      assert.equal(lengths!.split(',').reduce((n, l) => n + 13 + Number(l), 0), Number(udpLength) - 8, `a datagram of ${udpLength} bytes holds records of ${lengths}`);
    }
    assert.ok(frames.some(([, sp, , , lengths]) => sp === String(server.port) && lengths!.includes(',')), 'openssl put several records in one datagram, and that datagram is one packet');
    const finished = rows(file, 'dtls.handshake.type == 20', ['udp.srcport']).map(([sp]) => (sp === clientPort ? 'C' : 'S'));
    assert.ok(finished.includes('C') && finished.includes('S'), `both Finished messages decrypted: ${finished}`);
    assert.deepEqual(rows(file, `data.data contains "GET ${uri} HTTP/1.0"`, ['udp.srcport', 'udp.dstport']), [[clientPort, String(server.port)]], 'the decrypted GET');
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
