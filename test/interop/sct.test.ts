// Signed certificate timestamps in the TLS 1.3 handshake (RFC 6962 section 3.3, RFC 8446 section 4.4.2) with
// OpenSSL, both roles: our client (requestScts, CLI connect --ct) against `openssl s_server -serverinfo`, and
// `openssl s_client -ct -ctlogfile` against our server (scts, CLI serve --serverinfo). The SCT is made here:
// signed over the leaf by a throwaway "log" key (RFC 6962 section 3.2), so s_client can check it is valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from '../../engine/net/session';
import { identityFromPem } from '../../engine/tools/identity';
import { parseServerInfo, sctsFromServerInfo } from '../../engine/tools/serverinfo';
import { scanPem } from '../../engine/pem/blocks';
import { opensslClient, opensslServer, PKI, readPem } from './peers';

const CLI = path.resolve('dist/cli.js');
const TIMESTAMP = 1764000000000n; // 2025-11-24T16:00:00Z

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
const u64 = (n: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(n); return b; };

/** A v1 SCT for `certDer` (x509_entry) signed by the ECDSA P-256 `logKey`, and the log's id (SHA-256 of its SPKI). */
function makeSct(certDer: Uint8Array, logKeyPem: string): { sct: Buffer; logId: Buffer; logSpki: Buffer } {
  const key = createPrivateKey(logKeyPem);
  const logSpki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const logId = createHash('sha256').update(logSpki).digest();
  // RFC 6962 section 3.2: the digitally-signed struct.
  const signed = Buffer.concat([Buffer.from([0, 0]), u64(TIMESTAMP), u16(0), u24(certDer.length), certDer, u16(0)]);
  const sig = sign('sha256', signed, key);
  const sct = Buffer.concat([Buffer.from([0]), logId, u64(TIMESTAMP), u16(0), Buffer.from([4, 3]), u16(sig.length), sig]);
  return { sct, logId, logSpki };
}

/** An OpenSSL SERVERINFOV2 file carrying the SCT list for the TLS 1.3 Certificate (context ClientHello | TLS1.2 ServerHello | Certificate | ignore on resumption). */
function serverInfoFile(dir: string, sct: Buffer): string {
  const list = Buffer.concat([u16(sct.length), sct]);
  const data = Buffer.concat([u16(list.length), list]);
  const block = Buffer.concat([Buffer.from([0, 0, 0x11, 0xc0]), u16(18), u16(data.length), data]);
  const f = path.join(dir, 'serverinfo.pem');
  fs.writeFileSync(f, `-----BEGIN SERVERINFOV2 FOR sct-----\n${block.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END SERVERINFOV2 FOR sct-----\n`);
  return f;
}

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-sct-'));
  const leafDer = scanPem(readPem('leaf.crt')).blocks[0]!.der!;
  const made = makeSct(leafDer, readPem('ec-p256.key'));
  const ctlog = path.join(dir, 'ctlogs.cnf');
  fs.writeFileSync(ctlog, `enabled_logs = testlog\n[testlog]\ndescription = TLS Lens test log\nkey = ${made.logSpki.toString('base64')}\n`);
  // OpenSSL checks SCTs only on a verified chain longer than the leaf (ssl_validate_ct): leaf, intermediate, root.
  const chain = path.join(dir, 'chain.pem');
  fs.writeFileSync(chain, readPem('leaf.crt') + readPem('intermediate-ca.crt'));
  return { dir, ...made, file: serverInfoFile(dir, made.sct), ctlog, chain };
}

test('serverinfo files: the SCT list is read back as OpenSSL wrote the format; errors name the field', () => {
  const s = setup();
  try {
    const exts = parseServerInfo(fs.readFileSync(s.file, 'utf8'));
    assert.deepEqual(exts.map((e) => [e.context, e.type]), [[0x11c0, 18]]);
    assert.deepEqual(sctsFromServerInfo(exts).map((x) => Buffer.from(x).toString('hex')), [s.sct.toString('hex')]);
    assert.throws(() => parseServerInfo('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), /no "BEGIN SERVERINFO FOR/);
    assert.throws(() => parseServerInfo('-----BEGIN SERVERINFO FOR x-----\nABIAEA==\n-----END SERVERINFO FOR x-----\n'), /extension_data/);
  } finally {
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
});

test('our client (requestScts) to openssl s_server -serverinfo: the SCT decoded field by field', { timeout: 30_000 }, async () => {
  const s = setup();
  const server = await opensslServer(['-tls1_3', '-cert', s.chain, '-key', PKI('leaf.key'), '-serverinfo', s.file]);
  try {
    const session = await connect({ host: '127.0.0.1', port: server.port, serverName: 'localhost', requestScts: true });
    const failure = new Promise<never>((_, reject) => session.on('error', reject));
    session.begin();
    const n = await Promise.race([session.handshake(), failure]);
    session.end();
    assert.equal(n.scts?.length, 1);
    const sct = n.scts![0]!;
    assert.equal(sct.version, 0);
    assert.equal(sct.logId, s.logId.toString('hex'));
    assert.equal(sct.time, '2025-11-24T16:00:00.000Z');
    assert.equal(sct.hash, 'sha256');
    assert.equal(sct.signatureAlgorithm, 'ecdsa');
    assert.equal(sct.extensions, '');
  } finally {
    await server.stop();
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
});

test('tlslens connect --ct to openssl s_server -serverinfo prints "SCTs present (1)" as s_client -ct does', { timeout: 30_000 }, async () => {
  const s = setup();
  const server = await opensslServer(['-tls1_3', '-cert', s.chain, '-key', PKI('leaf.key'), '-serverinfo', s.file]);
  try {
    const out = execFileSync('node', [CLI, 'connect', `127.0.0.1:${server.port}`, '--ct', '--no_system'].filter((a) => a !== '--no_system'), { input: '', encoding: 'utf8', timeout: 20_000 });
    assert.match(out, /SCTs present \(1\)/);
    assert.match(out, /Signature : ecdsa-with-SHA256/);
    assert.match(out, new RegExp(`Log ID    : ${s.logId.subarray(0, 4).toString('hex').toUpperCase().match(/../g)!.join(':')}`));
  } finally {
    await server.stop();
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
});

test('openssl s_client -ct to our server (scts): the SCT arrives and validates against the log key', { timeout: 30_000 }, async () => {
  const s = setup();
  const id = identityFromPem(readPem('leaf.crt') + readPem('intermediate-ca.crt'), readPem('leaf.key'), 'leaf');
  const server = createServer({ certificateChain: id.chain, signer: id.signer, scts: [new Uint8Array(s.sct)] }, (session) => {
    session.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const c = opensslClient((server.address() as AddressInfo).port, ['-tls1_3', '-ct', '-ctlogfile', s.ctlog, '-CAfile', PKI('root-ca.crt')], undefined, true);
    await c.waitFor(/SCT validation status: \w+/, 10_000);
    await c.stop();
    const out = c.output();
    assert.match(out, /SCTs present \(1\)/);
    assert.match(out, /SCT validation status: valid/, 'OpenSSL checked the log signature over the leaf: our bytes are exact');
    assert.match(out, /Log\s+: TLS Lens test log/);
  } finally {
    server.close();
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
});

test('tlslens serve --serverinfo to openssl s_client -ct; without -ct the client gets no SCT', { timeout: 30_000 }, async () => {
  const s = setup();
  const { spawn } = await import('node:child_process');
  const srv = spawn('node', [CLI, 'serve', '--port', '0', '--cert', s.chain, '--key', PKI('leaf.key'), '--serverinfo', s.file], { stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    let out = '';
    srv.stdout.on('data', (b) => (out += b));
    srv.stderr.on('data', (b) => (out += b));
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`serve printed no port:\n${out}`)), 10_000);
      const check = () => { const m = /ACCEPT [\d.]+:(\d+)/.exec(out); if (m) { clearTimeout(t); resolve(Number(m[1])); } };
      srv.stdout.on('data', check);
      srv.stderr.on('data', check);
    });
    const withCt = opensslClient(port, ['-tls1_3', '-ct', '-ctlogfile', s.ctlog, '-CAfile', PKI('root-ca.crt')], undefined, true);
    await withCt.waitFor(/SCT validation status: \w+/, 10_000);
    await withCt.stop();
    assert.match(withCt.output(), /SCTs present \(1\)[\s\S]*SCT validation status: valid[\s\S]*Log\s+: TLS Lens test log/);
    const without = opensslClient(port, ['-tls1_3'], undefined, true);
    await without.waitFor(/Verify return code/, 10_000);
    await without.stop();
    assert.doesNotMatch(without.output(), /SCTs present/);
  } finally {
    srv.kill();
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
});
