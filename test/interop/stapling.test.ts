// OCSP stapling in TLS 1.3 (RFC 8446 section 4.4.2.1, RFC 6066 section 8) with OpenSSL, both roles: our client
// (requestOcsp, CLI --status) against `openssl s_server -status_file`, and `openssl s_client -status` against our
// server (ocspResponse, CLI serve --status_file). The OCSP responses are made here by `openssl ocsp` from a
// throwaway index on the fixture intermediate CA (test/fixtures/pki/README.md), good and revoked.
// `tlslens connect --status` also judges the staple against the chain the server sent, in openssl ocsp's words
// ("OCSP response verify OK" / "... verify failure: ... (X509_V_ERR n)"), for good, revoked, foreign and wrongly signed responses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from '../../engine/net/session';
import { identityFromPem } from '../../engine/tools/identity';
import type { NegotiatedSession } from '../../engine/conn/types';
import type { TraceEvent } from '../../engine/trace/events';
import { opensslClient, opensslServer, PKI, readPem } from './peers';

const CLI = path.resolve('dist/cli.js');

function leafSerial(): string {
  return execFileSync('openssl', ['x509', '-in', PKI('leaf.crt'), '-noout', '-serial'], { encoding: 'utf8' }).trim().split('=')[1]!.toUpperCase();
}

/** `openssl ocsp` on a throwaway index.txt: a signed response for leaf.crt, good or revoked (keyCompromise). */
function makeOcspResponse(status: 'good' | 'revoked'): { file: string; der: Uint8Array; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-ocsp-'));
  const line = status === 'good'
    ? `V\t21260101000000Z\t\t${leafSerial()}\tunknown\t/CN=leaf\n`
    : `R\t21260101000000Z\t250102030405Z,keyCompromise\t${leafSerial()}\tunknown\t/CN=leaf\n`;
  fs.writeFileSync(path.join(dir, 'index.txt'), line);
  const file = path.join(dir, 'resp.der');
  execFileSync('openssl', ['ocsp', '-index', path.join(dir, 'index.txt'), '-rsigner', PKI('intermediate-ca.crt'), '-rkey', PKI('intermediate-ca.key'),
    '-CA', PKI('intermediate-ca.crt'), '-issuer', PKI('intermediate-ca.crt'), '-cert', PKI('leaf.crt'), '-respout', file, '-ndays', '36500'], { stdio: 'pipe' });
  return { file, der: new Uint8Array(fs.readFileSync(file)), dir };
}

/** The leaf with its intermediate, as a chain file for s_server. */
function chainFile(dir: string): string {
  const f = path.join(dir, 'chain.pem');
  fs.writeFileSync(f, readPem('leaf.crt') + readPem('intermediate-ca.crt'));
  return f;
}

async function ourClient(serverArgs: string[], requestOcsp: boolean): Promise<{ n: NegotiatedSession; infos: string[] }> {
  const server = await opensslServer(['-tls1_3', ...serverArgs]);
  try {
    const session = await connect({ host: '127.0.0.1', port: server.port, serverName: 'localhost', requestOcsp });
    const infos: string[] = [];
    session.on('trace', (e: TraceEvent) => { if (e.kind === 'info') infos.push(e.message); });
    const failure = new Promise<never>((_, reject) => session.on('error', reject));
    session.begin();
    const n = await Promise.race([session.handshake(), failure]);
    session.end();
    return { n, infos };
  } finally {
    await server.stop();
  }
}

test('our client --status to openssl s_server -status_file: a good stapled response, decoded', { timeout: 30_000 }, async () => {
  const r = makeOcspResponse('good');
  try {
    const { n, infos } = await ourClient(['-cert', chainFile(r.dir), '-key', PKI('leaf.key'), '-status_file', r.file], true);
    assert.ok(n.ocsp, 'NegotiatedSession.ocsp is set');
    assert.equal(n.ocsp.error, undefined);
    assert.equal(n.ocsp.responseStatus, 'successful');
    assert.equal(n.ocsp.responseType, 'basic');
    assert.match(n.ocsp.producedAt ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.equal(n.ocsp.responses.length, 1);
    assert.equal(n.ocsp.responses[0]!.serial, leafSerial());
    assert.equal(n.ocsp.responses[0]!.certStatus, 'good');
    assert.match(n.ocsp.responses[0]!.nextUpdate ?? '', /^21\d\d-/);
    assert.deepEqual([...n.ocsp.der], [...r.der], 'the stapled bytes are the file s_server read');
    assert.ok(infos.some((m) => /stapled OCSP response \(\d+ bytes\): successful \(basic\).*: good/.test(m)), infos.join('\n'));
  } finally {
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
});

test('our client --status to openssl s_server -status_file: a revoked certificate, with time and reason', { timeout: 30_000 }, async () => {
  const r = makeOcspResponse('revoked');
  try {
    const { n } = await ourClient(['-cert', chainFile(r.dir), '-key', PKI('leaf.key'), '-status_file', r.file], true);
    const single = n.ocsp?.responses[0];
    assert.equal(single?.certStatus, 'revoked');
    assert.equal(single?.revocationTime, '2025-01-02T03:04:05Z');
    assert.equal(single?.revocationReason, 'Key Compromise');
  } finally {
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
});

test('our client without --status: s_server -status_file staples nothing', { timeout: 30_000 }, async () => {
  const r = makeOcspResponse('good');
  try {
    const { n } = await ourClient(['-cert', chainFile(r.dir), '-key', PKI('leaf.key'), '-status_file', r.file], false);
    assert.equal(n.ocsp, undefined);
  } finally {
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
});

test('our client --status to s_server without a response: the handshake succeeds, no OCSP', { timeout: 30_000 }, async () => {
  const { n, infos } = await ourClient(['-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')], true);
  assert.equal(n.ocsp, undefined);
  assert.ok(infos.some((m) => /stapled no response/.test(m)));
});

async function ourServer(ocspResponse: Uint8Array | undefined, clientArgs: string[]): Promise<string> {
  const id = identityFromPem(readPem('leaf.crt') + readPem('intermediate-ca.crt'), readPem('leaf.key'), 'leaf.crt');
  const server = createServer({ certificateChain: id.chain, signer: id.signer, ...(ocspResponse ? { ocspResponse } : {}) }, (s) => {
    s.on('error', () => undefined);
    s.on('data', (d: Uint8Array) => s.write(d));
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const c = opensslClient((server.address() as AddressInfo).port, ['-tls1_3', '-ign_eof', ...clientArgs], 'ping\n');
    await c.waitFor(/ping\n[\s\S]*ping|Verify return code[\s\S]*\n---/, 10_000);
    await c.waitFor(/OCSP/, 10_000);
    c.proc.stdin!.end();
    await c.stop();
    return c.output();
  } finally {
    server.close();
  }
}

test('openssl s_client -status to our server with ocspResponse: s_client shows the stapled response', { timeout: 30_000 }, async () => {
  const r = makeOcspResponse('good');
  try {
    const out = await ourServer(r.der, ['-status']);
    assert.match(out, /OCSP Response Status: successful \(0x0\)/, out);
    assert.match(out, /Cert Status: good/, out);
    assert.match(out, new RegExp(`Serial Number: ${leafSerial()}`), out);
  } finally {
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
});

test('openssl s_client -status to our server without a response: "no response sent"', { timeout: 30_000 }, async () => {
  const out = await ourServer(undefined, ['-status']);
  assert.match(out, /OCSP response: no response sent/, out);
});

function runCli(args: string[], ms = 20_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (b) => (out += b));
    proc.stderr!.on('data', (b) => (out += b));
    const timer = setTimeout(() => proc.kill(), ms);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
    proc.stdin!.end();
  });
}

test('CLI: tlslens connect --status prints the OCSP response as s_client -status does', { timeout: 30_000 }, async () => {
  const r = makeOcspResponse('good');
  const server = await opensslServer(['-tls1_3', '-cert', chainFile(r.dir), '-key', PKI('leaf.key'), '-status_file', r.file]);
  try {
    const { code, out } = await runCli(['connect', `127.0.0.1:${server.port}`, '--status', '--servername', 'localhost']);
    assert.equal(code, 0, out);
    assert.match(out, /OCSP Response Status: successful/, out);
    assert.match(out, /Cert Status: good/, out);
  } finally {
    await server.stop();
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
});

test('CLI: openssl s_client -status against tlslens serve --status_file', { timeout: 30_000 }, async () => {
  const r = makeOcspResponse('good');
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--cert', chainFile(r.dir), '--key', PKI('leaf.key'), '--status_file', r.file], { stdio: ['pipe', 'pipe', 'pipe'] });
  let srvOut = '';
  proc.stdout!.on('data', (b) => (srvOut += b));
  proc.stderr!.on('data', (b) => (srvOut += b));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ACCEPT line: ${srvOut}`)), 10_000);
      proc.stdout!.on('data', () => {
        const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(srvOut);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const c = opensslClient(port, ['-tls1_3', '-status'], undefined, true);
    await c.waitFor(/Cert Status: good/, 10_000);
    await c.stop();
    assert.match(srvOut, /stapling a \d+-byte OCSP response/, srvOut);
  } finally {
    proc.kill();
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
});

/**
 * `openssl ocsp` as a responder for `cert` (default leaf.crt), signed by `signer` (default the issuing intermediate);
 * the index says good unless `revoked`.
 */
function makeResponse(o: { cert?: string; signer?: string; revoked?: boolean } = {}): { file: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-ocsp-'));
  const cert = PKI(o.cert ?? 'leaf.crt');
  const serial = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-serial'], { encoding: 'utf8' }).trim().split('=')[1]!;
  fs.writeFileSync(path.join(dir, 'index.txt'), o.revoked ? `R\t21260101000000Z\t250102030405Z,keyCompromise\t${serial}\tunknown\t/CN=x\n` : `V\t21260101000000Z\t\t${serial}\tunknown\t/CN=x\n`);
  const file = path.join(dir, 'resp.der');
  const signer = o.signer ?? 'intermediate-ca';
  execFileSync('openssl', ['ocsp', '-index', path.join(dir, 'index.txt'), '-rsigner', PKI(`${signer}.crt`), '-rkey', PKI(`${signer}.key`),
    '-CA', PKI('intermediate-ca.crt'), '-issuer', PKI('intermediate-ca.crt'), '-cert', cert, '-respout', file, '-ndays', '36500'], { stdio: 'pipe' });
  return { file, dir };
}

/** `tlslens connect --status` to s_server stapling `resp`, the server sending leaf and intermediate (-cert_chain). */
async function cliStatus(resp: string, extra: string[] = []): Promise<{ code: number | null; out: string }> {
  const server = await opensslServer(['-tls1_3', '-cert', PKI('leaf.crt'), '-cert_chain', PKI('intermediate-ca.crt'), '-key', PKI('leaf.key'), '-status_file', resp]);
  try {
    return await runCli(['connect', `127.0.0.1:${server.port}`, '--status', '--servername', 'localhost', '--CAfile', PKI('root-ca.crt'), ...extra]);
  } finally {
    await server.stop();
  }
}

test('CLI: tlslens connect --status checks a good staple as openssl ocsp does: "OCSP response verify OK", and lists the revocation pointers', { timeout: 30_000 }, async () => {
  const r = makeResponse();
  try {
    // what openssl ocsp says of the same bytes, so the wording is the one users know
    const theirs = execFileSync('openssl', ['ocsp', '-respin', r.file, '-no_nonce', '-issuer', PKI('intermediate-ca.crt'), '-cert', PKI('leaf.crt'), '-CAfile', PKI('root-ca.crt')], { encoding: 'utf8', stdio: 'pipe' });
    assert.match(theirs, /: good/);
    const { code, out } = await cliStatus(r.file);
    assert.equal(code, 0, out);
    assert.match(out, /^OCSP response verify OK\n {2}"leaf\.example\.com" is good \(X509_V_OK\), signed by the issuer "TLS Lens Test Intermediate CA"; thisUpdate \S+, nextUpdate 21\d\d-/m, out);
    assert.match(out, /^Revocation pointers \(not fetched\):\n {2}0 leaf\.example\.com: OCSP http:\/\/ocsp\.example\.com\/; CRL http:\/\/crl\.example\.com\/intermediate\.crl\n {2}1 TLS Lens Test Intermediate CA: CRL http:\/\/crl\.example\.com\/root\.crl$/m, out);
    assert.match(out, /Verify return code: 0 \(ok\)/, out);

    const j = await cliStatus(r.file, ['--json']);
    const summary = JSON.parse(j.out.split('\n').find((l) => l.includes('"kind":"summary"'))!) as { ocspVerify: { ok: boolean; code: number; status: string; responder: { kind: string } }; revocationPointers: { ocspUrls: string[] }[] };
    assert.equal(summary.ocspVerify.ok, true);
    assert.equal(summary.ocspVerify.code, 0);
    assert.equal(summary.ocspVerify.responder.kind, 'issuer');
    assert.deepEqual(summary.revocationPointers.map((p) => p.ocspUrls), [['http://ocsp.example.com/'], []]);
  } finally {
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
});

test('CLI: tlslens connect --status on a staple for another certificate: verify failure, X509_V_ERR 100', { timeout: 30_000 }, async () => {
  const r = makeResponse({ cert: 'revoked-1.crt' });
  try {
    const { code, out } = await cliStatus(r.file);
    assert.equal(code, 0, 'a bad staple is reported, the handshake stands (as s_client)');
    assert.match(out, /^OCSP response verify failure: no OCSP response available for certificate \(X509_V_ERR 100\)\n {2}why: none of the 1 status\(es\) in the response is for "leaf\.example\.com" .*it has serial\(s\) 1001\.\n {2}fix: /m, out);
  } finally {
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
});

test('CLI: tlslens connect --status on a staple signed by the wrong key (the root, not the issuer): verify failure, X509_V_ERR 97', { timeout: 30_000 }, async () => {
  const r = makeResponse({ signer: 'root-ca' });
  try {
    const theirs = spawnSyncText('openssl', ['ocsp', '-respin', r.file, '-no_nonce', '-issuer', PKI('intermediate-ca.crt'), '-cert', PKI('leaf.crt'), '-CAfile', PKI('root-ca.crt')]);
    assert.match(theirs, /Response Verify Failure/, theirs);
    const { out } = await cliStatus(r.file);
    assert.match(out, /^OCSP response verify failure: OCSP response signature verification failure \(X509_V_ERR 97\)\n {2}why: the responder "TLS Lens Test Root CA" is not the issuer "TLS Lens Test Intermediate CA" and was not issued by it/m, out);
    const j = await cliStatus(r.file, ['--json']);
    const v = (JSON.parse(j.out.split('\n').find((l) => l.includes('"kind":"summary"'))!) as { ocspVerify: { code: number; code30: number } }).ocspVerify;
    assert.deepEqual([v.code, v.code30], [97, 74], 'OpenSSL 3.0 reports every failure to verify as 74');
  } finally {
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
});

test('CLI: tlslens connect --status on a revoked staple: the response verifies, the status is X509_V_ERR 23', { timeout: 30_000 }, async () => {
  const r = makeResponse({ revoked: true });
  try {
    const { out } = await cliStatus(r.file);
    assert.match(out, /^OCSP response verify OK\n {2}Cert Status: revoked \(X509_V_ERR 23: certificate revoked\): the responder says "leaf\.example\.com" was revoked at 2025-01-02T03:04:05\.000Z, reason: Key Compromise\.\n {2}fix: /m, out);
  } finally {
    fs.rmSync(r.dir, { recursive: true, force: true });
  }
});

/** openssl's output whatever its exit status (ocsp exits 1 on a verify failure). */
function spawnSyncText(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return `${x.stdout ?? ''}${x.stderr ?? ''}`;
  }
}

test('CLI: tlslens connect --status when the server staples nothing: "OCSP response: no response sent", as s_client', { timeout: 30_000 }, async () => {
  const server = await opensslServer(['-tls1_3', '-cert', PKI('leaf.crt'), '-cert_chain', PKI('intermediate-ca.crt'), '-key', PKI('leaf.key')]);
  try {
    const { code, out } = await runCli(['connect', `127.0.0.1:${server.port}`, '--status', '--servername', 'localhost', '--CAfile', PKI('root-ca.crt')]);
    assert.equal(code, 0, out);
    assert.match(out, /^OCSP response: no response sent\nRevocation pointers \(not fetched\):\n {2}0 leaf\.example\.com: OCSP /m, out);
    assert.doesNotMatch(out, /OCSP response verify/);
  } finally {
    await server.stop();
  }
});
