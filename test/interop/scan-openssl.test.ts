// The server scan (engine/scan) against `openssl s_server` configured with known versions, suites, groups,
// signature algorithms and options: the scan must report exactly those sets, nothing missing and nothing extra
// (each set compared whole), the server's order when it enforces one (-serverpref), and each option's effect:
// RFC 5077 tickets (-no_ticket), RFC 5746 renegotiation (-client_renegotiation), RFC 7507 fallback SCSV, RFC 6066
// section 8 stapling (-status_file), RFC 7627 EMS, RFC 7366 EtM, ALPN (RFC 7301), and the weaknesses that follow
// (RFC 8996 old versions, NULL suites, CBC in TLS 1.0, no forward secrecy, DH under 2048 bits, incomplete chain).
// Also our own server speaking SSL 3.0 (RFC 6101), which no peer here builds any more; `tlslens scan --json` as
// a program; and Ctrl-C ending a scan cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scanServer } from '../../engine/scan/scan';
import { ScanCancelled } from '../../engine/scan/probe';
import type { FactStatus, ScanReport } from '../../engine/scan/types';
import { loadFile } from '../../engine/x509/verify';
import { identity, opensslServer, ourEchoServer, PKI } from './peers';
import { suiteByName } from '../../engine/registry/suites';
import { requireTools } from './netns';

const CLI = path.resolve('dist/cli.js');
const ROOT = loadFile(PKI('root-ca.crt')).certs;

function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-scan-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function scanOpenssl(args: string[], serverName?: string): Promise<ScanReport> {
  requireTools({ openssl: 'openssl' });
  const server = await opensslServer(['-www', ...args]);
  try {
    return await scanServer({ host: '127.0.0.1', port: server.port, trusted: ROOT, timeoutMs: 5000, ...(serverName ? { serverName } : {}) });
  } finally {
    await server.stop();
  }
}

const sorted = (xs: string[]) => [...xs].sort();
const versionsOf = (r: ScanReport) => r.versions.filter((v) => v.status === 'yes').map((v) => v.name);
const suitesOf = (r: ScanReport, v: string) => r.suites.find((s) => s.version === v)?.accepted.map((a) => a.openssl) ?? [];
const feature = (r: ScanReport, id: string): FactStatus => r.features.find((f) => f.id === id)!.status;
const weaknessIds = (r: ScanReport) => r.weaknesses.map((w) => w.id);

test('openssl s_server -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA -groups P-384 -serverpref -no_ticket: exactly those, in that order', { timeout: 60_000 }, async () => {
  const r = await scanOpenssl(['-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key'), '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA', '-groups', 'P-384', '-serverpref', '-no_ticket']);
  assert.deepEqual(versionsOf(r), ['TLSv1.2']);
  assert.deepEqual(r.suites.map((s) => s.version), ['TLSv1.2']);
  // With -serverpref the loop's order is the server's (RFC 5246 section 7.4.1.3: the server selects).
  assert.deepEqual(suitesOf(r, 'TLSv1.2'), ['ECDHE-RSA-AES128-GCM-SHA256', 'AES256-SHA']);
  assert.equal(r.suites[0]!.serverPreference, true);
  assert.deepEqual(r.groups.ecdhe, ['P-384']);
  assert.deepEqual(r.groups.tls13, []);
  assert.equal(feature(r, 'resumption-ticket'), 'no', 'RFC 5077: -no_ticket issues none');
  assert.equal(feature(r, 'resumption-session-id'), 'yes');
  assert.equal(feature(r, 'secure-renegotiation'), 'yes', 'RFC 5746 section 3.6');
  assert.equal(feature(r, 'client-renegotiation'), 'no', 'OpenSSL 3 servers refuse client renegotiation by default');
  assert.equal(feature(r, 'extended-master-secret'), 'yes');
  assert.equal(feature(r, 'encrypt-then-mac'), 'yes', 'RFC 7366: AES256-SHA is CBC');
  assert.equal(feature(r, 'compression'), 'no');
  assert.equal(feature(r, 'heartbeat'), 'no');
  assert.equal(feature(r, 'fallback-scsv'), 'not-applicable');
  assert.equal(feature(r, 'ocsp-stapling'), 'no');
  assert.equal(feature(r, 'resumption-tls13'), 'not-applicable');
  assert.deepEqual(r.alpn, [{ offered: 'h2', selected: false }, { offered: 'http/1.1', selected: false }]);
  assert.deepEqual(r.chains.map((c) => c.keyType), ['RSA']);
  assert.equal(r.chains[0]!.verify.name, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  assert.deepEqual(sorted(weaknessIds(r)), ['chain-RSA', 'no-forward-secrecy']);
  assert.match(r.weaknesses.find((w) => w.id === 'no-forward-secrecy')!.explanation, /AES256-SHA/);
});

test('openssl s_server TLS 1.3 and 1.2, client order, -groups X25519:ffdhe3072, -sigalgs, -client_renegotiation, -alpn h2, -status_file, leaf and intermediate', { timeout: 60_000 }, async () => {
  const dir = tmpDir();
  const serial = execFileSync('openssl', ['x509', '-in', PKI('leaf.crt'), '-noout', '-serial'], { encoding: 'utf8' }).trim().split('=')[1]!.toUpperCase();
  fs.writeFileSync(path.join(dir, 'index.txt'), `V\t21260101000000Z\t\t${serial}\tunknown\t/CN=leaf\n`);
  const ocsp = path.join(dir, 'resp.der');
  execFileSync('openssl', ['ocsp', '-index', path.join(dir, 'index.txt'), '-rsigner', PKI('intermediate-ca.crt'), '-rkey', PKI('intermediate-ca.key'),
    '-CA', PKI('intermediate-ca.crt'), '-issuer', PKI('intermediate-ca.crt'), '-cert', PKI('leaf.crt'), '-respout', ocsp, '-ndays', '36500'], { stdio: 'pipe' });
  const r = await scanOpenssl(['-cert', PKI('leaf.crt'), '-cert_chain', PKI('intermediate-ca.crt'), '-key', PKI('leaf.key'), '-min_protocol', 'TLSv1.2',
    '-ciphersuites', 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256', '-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA',
    '-groups', 'X25519:ffdhe3072', '-sigalgs', 'ECDSA+SHA256:ECDSA+SHA384', '-client_renegotiation', '-alpn', 'h2', '-status_file', ocsp], 'leaf.example.com');
  assert.deepEqual(versionsOf(r), ['TLSv1.2', 'TLSv1.3']);
  assert.deepEqual(sorted(suitesOf(r, 'TLSv1.3')), ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
  assert.deepEqual(sorted(suitesOf(r, 'TLSv1.2')), ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-GCM-SHA384']);
  assert.equal(r.suites.find((s) => s.version === 'TLSv1.3')!.serverPreference, false, 'OpenSSL follows the client without -serverpref');
  assert.equal(r.suites.find((s) => s.version === 'TLSv1.2')!.serverPreference, false);
  assert.deepEqual(sorted(r.groups.tls13), ['X25519', 'ffdhe3072']);
  assert.deepEqual(r.groups.ecdhe, ['X25519']);
  assert.equal(r.groups.dheBits, undefined, 'no DHE suite is enabled');
  // RFC 8446 section 4.2.3: in TLS 1.3 ecdsa_secp384r1_sha384 needs a P-384 key; TLS 1.2 binds no curve.
  assert.deepEqual(r.signatureAlgorithms, [
    { version: 'TLSv1.3', accepted: ['ecdsa_secp256r1_sha256'] },
    { version: 'TLSv1.2', accepted: ['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384'] },
  ]);
  assert.equal(feature(r, 'client-renegotiation'), 'yes');
  assert.equal(feature(r, 'fallback-scsv'), 'yes', 'RFC 7507 section 3: inappropriate_fallback');
  assert.equal(feature(r, 'resumption-tls13'), 'yes');
  assert.equal(feature(r, 'resumption-ticket'), 'yes');
  assert.equal(feature(r, 'ocsp-stapling'), 'yes');
  assert.equal(feature(r, 'encrypt-then-mac'), 'yes');
  assert.deepEqual(r.alpn, [{ offered: 'h2', selected: true }, { offered: 'http/1.1', selected: false }]);
  assert.deepEqual(r.chains.map((c) => [c.keyType, c.certificates.length, c.verify.ok]), [['ECDSA', 2, true]]);
  assert.deepEqual(sorted(weaknessIds(r)), ['client-renegotiation']);
});

test('openssl s_server TLS 1.0 and 1.1 at SECLEVEL=0 with NULL, CBC, DHE-1024 and a leaf without its intermediate: the weaknesses, explained', { timeout: 60_000 }, async () => {
  const dir = tmpDir();
  const dh = path.join(dir, 'dh1024.pem');
  execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'dh_paramgen_prime_len:1024', '-out', dh], { stdio: 'pipe' });
  const r = await scanOpenssl(['-cert', PKI('leaf.crt'), '-key', PKI('leaf.key'), '-dcert', PKI('rsa2048.crt'), '-dkey', PKI('rsa2048.key'),
    '-min_protocol', 'TLSv1', '-max_protocol', 'TLSv1.1', '-cipher', 'ECDHE-ECDSA-AES128-SHA:DHE-RSA-AES256-SHA:ECDHE-RSA-NULL-SHA:@SECLEVEL=0', '-dhparam', dh, '-serverpref'], 'leaf.example.com');
  assert.deepEqual(versionsOf(r), ['TLSv1', 'TLSv1.1']);
  for (const v of ['TLSv1', 'TLSv1.1']) assert.deepEqual(suitesOf(r, v), ['ECDHE-ECDSA-AES128-SHA', 'DHE-RSA-AES256-SHA', 'ECDHE-RSA-NULL-SHA'], v);
  assert.equal(r.groups.dheBits, 1024);
  assert.equal(feature(r, 'fallback-scsv'), 'yes');
  assert.deepEqual(r.signatureAlgorithms, [], 'no TLS 1.2: no signature_algorithms to ask with');
  assert.deepEqual(sorted(r.chains.map((c) => c.keyType)), ['ECDSA', 'RSA']);
  assert.equal(r.chains.find((c) => c.keyType === 'ECDSA')!.verify.name, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  const ids = weaknessIds(r);
  for (const id of ['old-version-TLSv1', 'old-version-TLSv1.1', 'no-modern-version', 'null-suites', 'cbc-tls10', 'weak-dh', 'incomplete-chain-ECDSA', 'chain-RSA'])
    assert.ok(ids.includes(id), `weakness ${id} is reported (got ${ids.join(', ')})`);
  assert.equal(ids.length, 8, `nothing extra: ${ids.join(', ')}`);
  assert.match(r.weaknesses.find((w) => w.id === 'weak-dh')!.explanation, /1024 bits/);
  assert.match(r.weaknesses.find((w) => w.id === 'null-suites')!.explanation, /ECDHE-RSA-NULL-SHA: records are sent in clear/);
  assert.match(r.weaknesses.find((w) => w.id === 'cbc-tls10')!.explanation, /BEAST/);
  assert.doesNotMatch(r.weaknesses.find((w) => w.id === 'cbc-tls10')!.explanation, /NULL/);
});

test('our own server, SSL 3.0 to TLS 1.0 with AES128-SHA and DHE-RSA-AES256-SHA: SSL 3.0 found (RFC 6101) and flagged (RFC 7568)', { timeout: 60_000 }, async () => {
  const id = identity('rsa2048.crt', 'rsa2048.key');
  const suites = ['DHE-RSA-AES256-SHA', 'AES128-SHA'].map((n) => suiteByName(n)!.code);
  const server = await ourEchoServer({ certificateChain: id.chain, signer: id.signer, minVersion: 0x0300, maxVersion: 0x0301, cipherSuites12: suites });
  try {
    const r = await scanServer({ host: '127.0.0.1', port: server.port, trusted: ROOT, timeoutMs: 5000 });
    assert.deepEqual(versionsOf(r), ['SSLv3', 'TLSv1']);
    for (const v of ['SSLv3', 'TLSv1']) assert.deepEqual(sorted(suitesOf(r, v)), ['AES128-SHA', 'DHE-RSA-AES256-SHA'], v);
    assert.equal(feature(r, 'fallback-scsv'), 'yes', 'RFC 7507: our server refuses an SSL 3.0 fallback from TLS 1.0');
    const ids = weaknessIds(r);
    for (const id of ['ssl3', 'old-version-TLSv1', 'cbc-tls10', 'no-forward-secrecy']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
  } finally {
    await server.close();
  }
});

test('a scan cancelled through its AbortSignal rejects with ScanCancelled and leaves no probe running', { timeout: 30_000 }, async () => {
  const server = await opensslServer(['-www', '-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key')]);
  try {
    const ctl = new AbortController();
    let abortedAt = 0;
    const p = scanServer({ host: '127.0.0.1', port: server.port, trusted: ROOT, concurrency: 2, signal: ctl.signal, onProgress: (x) => {
      if (x.done >= 3 && !abortedAt) {
        abortedAt = Date.now();
        ctl.abort();
      }
    } });
    await assert.rejects(p, (e) => e instanceof ScanCancelled);
    assert.ok(Date.now() - abortedAt < 3000, 'the scan ends promptly, not after its probes time out');
    await new Promise((r) => setTimeout(r, 300));
    const sockets = process.getActiveResourcesInfo().filter((x) => x.startsWith('TCP'));
    assert.deepEqual(sockets, [], 'no probe socket is left open');
  } finally {
    await server.stop();
  }
});

test('tlslens scan --json as a program; Ctrl-C (SIGINT) cancels with exit 130', { timeout: 60_000 }, async () => {
  const server = await opensslServer(['-www', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key'), '-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256']);
  try {
    const out = execFileSync(process.execPath, [CLI, 'scan', `127.0.0.1:${server.port}`, '--json', '--concurrency', '3', '--timeout', '4000', '--tls1_3', '--CAfile', PKI('ec-p256.crt'), '--servername', 'ec-p256.example.com'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const r = JSON.parse(out) as ScanReport;
    assert.deepEqual(versionsOf(r), ['TLSv1.3']);
    assert.deepEqual(r.versions.filter((v) => v.status === 'not-tested').map((v) => v.name), ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2']);
    assert.deepEqual(suitesOf(r, 'TLSv1.3'), ['TLS_AES_128_GCM_SHA256']);
    assert.equal(r.chains[0]!.verify.ok, true);

    const child = spawn(process.execPath, [CLI, 'scan', `127.0.0.1:${server.port}`, '--concurrency', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      if (/\[\d+\/\d+\]/.test(err)) resolve();
    }));
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running 10 s after SIGINT'), 10_000))]);
    if (code !== 130) child.kill('SIGKILL');
    assert.equal(code, 130, err);
    assert.match(err, /cancelled/);
  } finally {
    await server.stop();
  }
});
