// The key-schedule view against OpenSSL 3 on 127.0.0.1: the master secret our TLS 1.2 client records (RFC 5246
// section 8.1, RFC 7627 section 4) is the one in openssl s_server's -keylogfile CLIENT_RANDOM line, and the TLS 1.3
// traffic secrets (RFC 8446 section 7.1) are its *_TRAFFIC_SECRET lines; `tlslens connect --keyschedule` prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KeyScheduleRecorder, type KeySchedule12, type KeySchedule13 } from '../../engine/handshake/key-schedule-capture';
import { run as connectRun } from '../../engine/cli/commands/connect';
import type { CliIO } from '../../engine/cli/io';
import { toHex } from '../../engine/util/hex';
import { opensslServer, ourClientHandshake, PKI, requireOpensslTool } from './peers';

function keyLogOf(file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [label, , secret] = line.trim().split(' ');
    if (label && secret) out.set(label, secret);
  }
  return out;
}

async function waitForFile(file: string, re: RegExp): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (fs.existsSync(file) && re.test(fs.readFileSync(file, 'utf8'))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${file} never held ${re}`);
}

test('TLS 1.2 with openssl s_server: the recorded master secret is the CLIENT_RANDOM line of its -keylogfile; extended master secret with its session hash', { timeout: 30_000 }, async () => {
  requireOpensslTool();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-ks-'));
  const log = path.join(dir, 'keys.log');
  const srv = await opensslServer(['-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key'), '-tls1_2', '-keylogfile', log]);
  try {
    const rec = new KeyScheduleRecorder();
    const c = await ourClientHandshake({ host: '127.0.0.1', port: srv.port, maxVersion: 0x0303, keySchedule: rec });
    const k = rec.snapshot() as KeySchedule12;
    await waitForFile(log, /CLIENT_RANDOM/);
    const line = fs.readFileSync(log, 'utf8').split('\n').find((l) => l.startsWith('CLIENT_RANDOM'))!;
    assert.equal(line.split(' ')[1], toHex(k.clientRandom!), 'the same client random');
    assert.equal(line.split(' ')[2], toHex(k.masterSecret), 'the master secret we recorded is OpenSSL\'s');
    assert.equal(k.extendedMasterSecret, true, 'OpenSSL 3 negotiates extended master secret');
    assert.ok(k.preMasterSecret && k.preMasterSecret.length === 32, 'X25519 pre-master: 32 bytes');
    assert.ok(k.keyBlock && k.keyBlock.clientKey.length > 0);
    c.session.destroy();
  } finally {
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('TLS 1.3 with openssl s_server: the recorded handshake and application traffic secrets and the exporter secret are its key log lines', { timeout: 30_000 }, async () => {
  requireOpensslTool();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-ks-'));
  const log = path.join(dir, 'keys.log');
  const srv = await opensslServer(['-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key'), '-tls1_3', '-keylogfile', log]);
  try {
    const rec = new KeyScheduleRecorder();
    const c = await ourClientHandshake({ host: '127.0.0.1', port: srv.port, keySchedule: rec });
    // s_server logs CLIENT_TRAFFIC_SECRET_0 only once it has read our Finished, after EXPORTER_SECRET: wait for both.
    await waitForFile(log, /EXPORTER_SECRET[\s\S]*CLIENT_TRAFFIC_SECRET_0|CLIENT_TRAFFIC_SECRET_0[\s\S]*EXPORTER_SECRET/);
    const ossl = keyLogOf(log);
    const k = rec.snapshot() as KeySchedule13;
    assert.equal(toHex(k.clientHandshakeTraffic!.secret), ossl.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET'));
    assert.equal(toHex(k.serverHandshakeTraffic!.secret), ossl.get('SERVER_HANDSHAKE_TRAFFIC_SECRET'));
    assert.equal(toHex(k.clientApplicationTraffic[0]!.secret), ossl.get('CLIENT_TRAFFIC_SECRET_0'));
    assert.equal(toHex(k.serverApplicationTraffic[0]!.secret), ossl.get('SERVER_TRAFFIC_SECRET_0'));
    assert.equal(toHex(k.exporterMasterSecret!), ossl.get('EXPORTER_SECRET'));
    c.session.destroy();
  } finally {
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('tlslens connect --keyschedule --tls1_2 prints the PRF inputs and the master secret OpenSSL logged', { timeout: 30_000 }, async () => {
  requireOpensslTool();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-ks-'));
  const log = path.join(dir, 'keys.log');
  const srv = await opensslServer(['-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key'), '-keylogfile', log]);
  try {
    let out = '';
    const { PassThrough } = await import('node:stream');
    const stdin = new PassThrough();
    const io: CliIO = { out: (s) => (out += s), err: (s) => (out += s), readFile: (p) => new Uint8Array(fs.readFileSync(p)), env: {}, readStdin: () => '', stdin };
    stdin.end();
    const code = await connectRun([`127.0.0.1:${srv.port}`, '--tls1_2', '--keyschedule', '--CAfile', PKI('ec-p256.crt'), '--quiet'], io);
    assert.equal(code, 0, out);
    await waitForFile(log, /CLIENT_RANDOM/);
    const master = keyLogOf(log).get('CLIENT_RANDOM')!;
    assert.match(out, /TLSv1\.2 key derivation \(P_SHA(256|384)\)/);
    assert.match(out, /master_secret = PRF\(pre_master_secret, "extended master secret", session_hash\)/);
    assert.ok(out.includes(`master_secret: ${master}`), out);
  } finally {
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Connect to Host\'s runner (OpenSSL facade) records the key schedule only when asked; its master secret / traffic secrets are its key log\'s (TLS 1.2 and 1.3)', { timeout: 40_000 }, async () => {
  requireOpensslTool();
  const { ApiClientRunner } = await import('../../extension/sessions/api-client-runner');
  const srv = await opensslServer(['-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  try {
    for (const [maxVersion, record] of [[0x0304, true], [0x0303, true], [0x0304, false]] as const) {
      const states: string[] = [];
      const listener = { events: () => undefined, summary: () => undefined, state: (s: string) => states.push(s) };
      const runner = new ApiClientRunner({ mode: 'connect', host: '127.0.0.1', port: srv.port, protocol: 'TLS', settings: [] }, { trust: { kind: 'none' }, maxVersion, ...(record ? { recordKeySchedule: true } : {}) }, listener);
      await runner.start();
      assert.ok(states.includes('open'), `states: ${states.join(', ')}`);
      const text = runner.keySchedule();
      const keyLog = runner.exports.keyLog();
      runner.close();
      if (!record) {
        assert.equal(text, undefined, 'nothing recorded without the option');
        continue;
      }
      assert.ok(text, 'a key schedule');
      if (maxVersion === 0x0303) {
        const master = /^CLIENT_RANDOM \S+ (\S+)$/m.exec(keyLog)![1]!;
        assert.ok(text.includes(`master_secret: ${master}`), text);
      } else {
        const chts = /^CLIENT_HANDSHAKE_TRAFFIC_SECRET \S+ (\S+)$/m.exec(keyLog)![1]!;
        assert.ok(text.includes(`      = ${chts}`), 'the client handshake traffic secret is a recorded step');
        assert.match(text, /client_handshake_traffic_secret = Derive-Secret\(handshake_secret, "c hs traffic", transcript hash [0-9a-f]{64,96}\)/);
      }
    }
  } finally {
    await srv.stop();
  }
});
