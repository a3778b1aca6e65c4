// `tlslens connect` and `tlslens serve` as programs in TLS 1.2, 1.1 and 1.0, against openssl: --tls1_2, --tls1_1,
// --tls1, --cipher (OpenSSL and IANA names, lists), --min-version, failures with their alert, and resumption
// (--sess_out/--sess_in, --reconnect), with data both ways and the version and suite checked on both sides.
// Build first: node esbuild.mjs (dist/cli.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { opensslClient, opensslServer, PKI, type Peer } from './peers';

const CLI = path.resolve('dist/cli.js');
const OPENSSL_ALL = 'ALL:@SECLEVEL=0';

interface Run {
  code: number;
  out: string;
  err: string;
}

/**
 * `tlslens connect 127.0.0.1:PORT ...` with an HTTP request on its standard input; killed after `ms`. The server's
 * certificate is the trust anchor (--CAfile), which also spares each run reading the system store.
 */
function connectCli(port: number, args: string[], ca: string, ms = 20_000): Promise<Run> {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: run node esbuild.mjs first`);
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, 'connect', `127.0.0.1:${port}`, '--CAfile', PKI(ca), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout!.on('data', (b) => (out += b));
    p.stderr!.on('data', (b) => (err += b));
    p.stdin!.on('error', () => undefined);
    p.stdin!.end('GET / HTTP/1.0\r\n\r\n');
    const timer = setTimeout(() => p.kill('SIGKILL'), ms);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out, err });
    });
  });
}

function summaryOf(out: string): Record<string, unknown> {
  const line = out.trim().split('\n').reverse().find((l) => l.includes('"kind":"summary"'));
  assert.ok(line, `a JSON summary line; stdout was:\n${out.slice(-2000)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

function startServe(args: string[]): Promise<{ port: number; proc: ChildProcess; output: () => string }> {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: run node esbuild.mjs first`);
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (out += b));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`no ACCEPT line: ${out}`));
    }, 10_000);
    proc.stdout!.on('data', () => {
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), proc, output: () => out });
      }
    });
  });
}

async function stopServe(srv: { proc: ChildProcess }): Promise<void> {
  if (srv.proc.exitCode !== null) return;
  const exited = new Promise((r) => srv.proc.once('exit', r));
  srv.proc.kill('SIGTERM');
  const t = setTimeout(() => srv.proc.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(t);
}

// ---------------------------------------------------------------------------------------------------------
// connect

test('connect --tls1_2 --cipher X against openssl s_server -www: each suite negotiated, as both sides say', { timeout: 90_000 }, async () => {
  const server = await opensslServer(['-www', '-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key'), '-cipher', OPENSSL_ALL]);
  try {
    for (const [cipher, openssl, iana] of [
      ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
      ['ECDHE-RSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384'],
      ['DHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES256-GCM-SHA384', 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'],
      ['AES128-SHA', 'AES128-SHA', 'TLS_RSA_WITH_AES_128_CBC_SHA'],
      ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
      // a list: s_server takes the client's first it has (it has both)
      ['ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-GCM-SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
    ]) {
      const r = await connectCli(server.port, ['--tls1_2', '--cipher', cipher!, '--json'], 'rsa2048.crt');
      assert.equal(r.code, 0, `--cipher ${cipher}: exit 0\n${r.err}\n${r.out.slice(-1500)}`);
      const s = summaryOf(r.out);
      assert.equal(s.protocol, 'TLSv1.2', `--cipher ${cipher}`);
      assert.equal(s.cipher, iana, `--cipher ${cipher}`);
      assert.match(r.out, new RegExp(`New, [^,]+, Cipher is ${openssl}`), `s_server's page names the suite (--cipher ${cipher})`);
      assert.match(r.out, /Protocol  : TLSv1\.2/, 's_server\'s page: TLSv1.2');
    }
  } finally {
    await server.stop();
  }
});

test('connect --tls1 / --tls1_1 --cipher X against openssl s_server (SECLEVEL=0): TLS 1.0 and 1.1', { timeout: 60_000 }, async () => {
  const server = await opensslServer(['-www', '-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key'), '-cipher', OPENSSL_ALL]);
  try {
    for (const [flag, version, cipher, iana] of [
      ['--tls1', 'TLSv1', 'ECDHE-RSA-AES128-SHA', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'],
      ['--tls1_1', 'TLSv1.1', 'AES256-SHA', 'TLS_RSA_WITH_AES_256_CBC_SHA'],
      ['--tls1', 'TLSv1', 'DHE-RSA-AES256-SHA', 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA'],
    ]) {
      const r = await connectCli(server.port, [flag!, '--cipher', cipher!, '--json'], 'rsa2048.crt');
      assert.equal(r.code, 0, `${flag} --cipher ${cipher}: exit 0\n${r.err}`);
      const s = summaryOf(r.out);
      assert.equal(s.protocol, version);
      assert.equal(s.cipher, iana);
      assert.match(r.out, new RegExp(`Protocol  : ${version!.replace('.', '\\.')}\\b`), 's_server\'s page');
    }
    // --min-version TLSv1 --max-version TLSv1.1: the highest the server and we share
    const r = await connectCli(server.port, ['--min-version', 'TLSv1', '--max-version', 'TLSv1.1', '--json'], 'rsa2048.crt');
    assert.equal(r.code, 0, r.err);
    assert.equal(summaryOf(r.out).protocol, 'TLSv1.1');
  } finally {
    await server.stop();
  }
});

test('connect (default TLS 1.2-1.3) to s_server -tls1_2 gets TLS 1.2; connect --tls1_2 to a TLS 1.3-only s_server fails with protocol_version', { timeout: 30_000 }, async () => {
  let server: Peer = await opensslServer(['-www', '-tls1_2', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  try {
    const r = await connectCli(server.port, ['--json'], 'ec-p256.crt');
    assert.equal(r.code, 0, r.err);
    assert.equal(summaryOf(r.out).protocol, 'TLSv1.2');
  } finally {
    await server.stop();
  }
  server = await opensslServer(['-www', '-tls1_3', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  try {
    const r = await connectCli(server.port, ['--tls1_2'], 'ec-p256.crt');
    assert.equal(r.code, 1, `exit 1\n${r.out}\n${r.err}`);
    assert.match(`${r.out}\n${r.err}`, /protocol_version/);
  } finally {
    await server.stop();
  }
});

test('connect --tls1_2 --sess_out then --sess_in resumes against s_server (ticket, then session ID with -no_ticket)', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-cli12-'));
  try {
    for (const extra of [[], ['-no_ticket']]) {
      const server = await opensslServer(['-www', '-cert', PKI('ec-p384.crt'), '-key', PKI('ec-p384.key'), ...extra]);
      const file = path.join(dir, `session${extra.length}.json`);
      try {
        const first = await connectCli(server.port, ['--tls1_2', '--sess_out', file, '--json'], 'ec-p384.crt');
        assert.equal(first.code, 0, first.err);
        assert.equal(summaryOf(first.out).resumed, false);
        assert.ok(fs.existsSync(file), `the session was saved (${extra.join(' ') || 'tickets'})`);
        const second = await connectCli(server.port, ['--tls1_2', '--sess_in', file, '--json'], 'ec-p384.crt');
        assert.equal(second.code, 0, second.err);
        const s = summaryOf(second.out);
        assert.equal(s.resumed, true, `resumed (${extra.join(' ') || 'tickets'})`);
        assert.equal(s.protocol, 'TLSv1.2');
        assert.match(second.out, /Reused, [^,]+, Cipher is/, 's_server\'s page says Reused');
      } finally {
        await server.stop();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('connect --tls1_2 --reconnect against s_server: New, then Reused five times (as s_client -reconnect)', { timeout: 60_000 }, async () => {
  const server = await opensslServer(['-www', '-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key')]);
  try {
    const r = await connectCli(server.port, ['--tls1_2', '--reconnect', '-q'], 'rsa2048.crt');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.match(/Reused, TLSv1\.2, Cipher is/g)?.length, 5, r.out.slice(-2000));
  } finally {
    await server.stop();
  }
});

// ---------------------------------------------------------------------------------------------------------
// serve

test('serve --tls1_2 --echo against s_client (default, TLS 1.2-1.3): TLS 1.2, data both ways', { timeout: 30_000 }, async () => {
  const srv = await startServe(['--tls1_2', '--echo', '--cert', PKI('rsa2048.crt'), '--key', PKI('rsa2048.key')]);
  const c = opensslClient(srv.port, ['-ign_eof'], 'ping from openssl\n');
  try {
    await c.waitFor(/ping from openssl/, 15_000).catch((e) => assert.fail(`${(e as Error).message}\nserve printed:\n${srv.output().slice(-2000)}`));
    assert.match(c.output(), /Protocol  : TLSv1\.2/);
    assert.match(c.output(), /New, TLSv1\.2, Cipher is ECDHE-RSA-AES256-GCM-SHA384/);
    assert.doesNotMatch(c.output(), /downgrade|illegal parameter/i, 's_client accepts the ServerHello random (no downgrade sentinel from a TLS 1.2 maximum)');
    await new Promise((r) => setTimeout(r, 200));
    assert.match(srv.output(), /TLSv1\.2/);
    assert.match(srv.output(), /ping from openssl/);
  } finally {
    await c.stop();
    await stopServe(srv);
  }
});

test('serve --tls1_2 --cipher LIST and serve --tls1 --cipher X against s_client', { timeout: 60_000 }, async () => {
  for (const [serveArgs, clientArgs, version, cipher] of [
    [['--tls1_2', '--cipher', 'DHE-RSA-AES128-GCM-SHA256:AES256-SHA256'], ['-tls1_2'], 'TLSv1.2', 'DHE-RSA-AES128-GCM-SHA256'],
    [['--tls1_2', '--cipher', 'TLS_RSA_WITH_AES_256_CBC_SHA256'], ['-tls1_2'], 'TLSv1.2', 'AES256-SHA256'],
    [['--tls1', '--cipher', 'ECDHE-RSA-AES128-SHA'], ['-tls1', '-cipher', OPENSSL_ALL], 'TLSv1', 'ECDHE-RSA-AES128-SHA'],
    [['--tls1_1', '--cipher', 'DHE-RSA-AES256-SHA'], ['-tls1_1', '-cipher', OPENSSL_ALL], 'TLSv1.1', 'DHE-RSA-AES256-SHA'],
  ] as [string[], string[], string, string][]) {
    const srv = await startServe([...serveArgs, '--echo', '--cert', PKI('rsa2048.crt'), '--key', PKI('rsa2048.key')]);
    const c = opensslClient(srv.port, [...clientArgs, '-ign_eof'], 'ping from openssl\n');
    try {
      await c.waitFor(/ping from openssl/, 15_000).catch((e) => assert.fail(`serve ${serveArgs.join(' ')}: ${(e as Error).message}\nserve printed:\n${srv.output().slice(-2000)}`));
      assert.match(c.output(), new RegExp(`Protocol  : ${version.replace('.', '\\.')}\\b`), `serve ${serveArgs.join(' ')}`);
      assert.match(c.output(), new RegExp(`Cipher is ${cipher}\\b`), `serve ${serveArgs.join(' ')}`);
    } finally {
      await c.stop();
      await stopServe(srv);
    }
  }
});

test('serve --tls1_2 --www: s_client -tls1_2 gets the status page', { timeout: 30_000 }, async () => {
  const srv = await startServe(['--tls1_2', '--www', '--cert', PKI('ec-p256.crt'), '--key', PKI('ec-p256.key')]);
  const c = opensslClient(srv.port, ['-tls1_2', '-ign_eof'], 'GET / HTTP/1.0\r\n\r\n');
  try {
    await c.waitFor(/HTTP\/1\.0 200 ok/, 15_000);
    assert.match(c.output(), /Protocol  : TLSv1\.2/);
  } finally {
    await c.stop();
    await stopServe(srv);
  }
});

test('serve --tls1_2 refuses s_client -tls1_3 (protocol_version); serve --min-version TLSv1 answers s_client -tls1_1 -fallback_scsv with inappropriate_fallback', { timeout: 30_000 }, async () => {
  let srv = await startServe(['--tls1_2', '--echo', '--cert', PKI('ec-p256.crt'), '--key', PKI('ec-p256.key')]);
  let c = opensslClient(srv.port, ['-tls1_3'], 'x\n');
  try {
    await c.waitFor(/alert protocol version/, 15_000);
  } finally {
    await c.stop();
    await stopServe(srv);
  }
  srv = await startServe(['--min-version', 'TLSv1', '--echo', '--cert', PKI('rsa2048.crt'), '--key', PKI('rsa2048.key')]);
  c = opensslClient(srv.port, ['-tls1_1', '-fallback_scsv', '-cipher', OPENSSL_ALL], 'x\n');
  try {
    await c.waitFor(/alert inappropriate fallback/, 15_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.match(srv.output(), /inappropriate_fallback/);
  } finally {
    await c.stop();
    await stopServe(srv);
  }
});
