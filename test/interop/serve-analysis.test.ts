// Serve-side analysis: real clients (openssl s_client, gnutls-cli, curl, node:tls) connect to our server; the
// client offer decoded from their ClientHello (RFC 8446 section 4.1.2, extensions of section 4.2) matches how each
// was configured, and a deliberate mismatch gives the plain reason the handshake failed. Also `tlslens serve --json`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createServer, type SessionOptions } from '../../engine/net/session';
import { watchClientOffers, type ClientOffer, type Refusal } from '../../engine/tools/client-offer';
import { NamedGroup } from '../../engine/registry/groups';
import { TLS13_SUITES } from '../../engine/registry/suites';
import type { NegotiatedSession } from '../../engine/conn/types';
import { identity, opensslClient, PKI, requireOpensslTool } from './peers';
import { requireTools } from './netns';
import { ServerRunner, type RunnerListener } from '../../extension/sessions/session-runner';
import type { SessionSummary } from '../../webview/shared/protocol';

interface Seen {
  offer?: ClientOffer;
  refusal?: Refusal;
  negotiated?: NegotiatedSession;
  error?: string;
}

type Client = (port: number) => { stop(): void; output(): string };

/** Our server with `opts`; one client connects; resolves once our side completed or failed the handshake. */
async function serveOne(opts: SessionOptions, client: Client, key = 'ec-p256'): Promise<Seen & { clientOutput: string }> {
  const id = identity(`${key}.crt`, `${key}.key`);
  const options = { certificateChain: id.chain, signer: id.signer, ...opts };
  const seen: Seen = {};
  let settle!: () => void;
  const settled = new Promise<void>((r) => (settle = r));
  const server = createServer(options, (s) => {
    s.on('trace', watchClientOffers(options, 't', { offer: (o) => (seen.offer = o), refusal: (r) => (seen.refusal = r) }));
    s.on('secure', (n: NegotiatedSession) => {
      seen.negotiated = n;
      settle();
    });
    s.on('error', (e: Error) => {
      seen.error = e.message;
      settle();
    });
    s.on('data', (d: Uint8Array) => s.write(d));
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const c = client((server.address() as AddressInfo).port);
  try {
    await Promise.race([settled, new Promise((_, reject) => setTimeout(() => reject(new Error(`our server saw no handshake end within 15 s; the client printed:\n${c.output()}`)), 15_000))]);
  } finally {
    c.stop();
    await new Promise<void>((r) => server.close(() => r()));
  }
  return { ...seen, clientOutput: c.output() };
}

/** A client program; its output collected; stopped when the case ends. */
function program(cmd: string, args: string[], input = ''): { stop(): void; output(): string } {
  const proc: ChildProcess = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (out += b));
  proc.stdin!.on('error', () => undefined);
  if (input) proc.stdin!.write(input);
  return { stop: () => proc.kill('SIGKILL'), output: () => out };
}

const s_client = (args: string[]): Client => (port) => {
  const p = opensslClient(port, args, 'hello\n');
  return { stop: () => p.proc.kill('SIGKILL'), output: p.output };
};
const gnutlsCli = (args: string[]): Client => (port) => program('gnutls-cli', ['-p', String(port), '--insecure', ...args, '127.0.0.1'], 'hello\n');
const curl = (args: string[]): Client => (port) => program('curl', ['-sk', '--max-time', '10', '--resolve', `curl.test:${port}:127.0.0.1`, ...args, `https://curl.test:${port}/`]);
const nodeTls = (opts: tls.ConnectionOptions): Client => (port) => {
  let out = '';
  const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...opts }, () => (out += `connected ${sock.getProtocol()}\n`));
  sock.on('error', (e) => (out += `error ${e.message}\n`));
  return { stop: () => sock.destroy(), output: () => out };
};

const names = (xs: { name: string }[] | undefined) => (xs ?? []).map((x) => x.name);

test('openssl s_client -groups -sigalgs -alpn -servername: the offer is what it was told, JA4 computed', { timeout: 30_000 }, async () => {
  requireOpensslTool();
  const r = await serveOne({}, s_client(['-tls1_3', '-groups', 'X25519:P-384', '-sigalgs', 'ECDSA+SHA256:ed25519:rsa_pss_rsae_sha256', '-alpn', 'h2,http/1.1', '-servername', 'foo.test']));
  const o = r.offer!;
  assert.ok(o, `no ClientHello seen: ${r.clientOutput}`);
  assert.deepEqual(names(o.versions), ['TLSv1.3']);
  assert.deepEqual(names(o.groups), ['X25519', 'P-384']);
  assert.deepEqual(names(o.keyShares), ['X25519']);
  assert.deepEqual(names(o.signatureAlgorithms), ['ecdsa_secp256r1_sha256', 'ed25519', 'rsa_pss_rsae_sha256']);
  assert.deepEqual(o.alpn, ['h2', 'http/1.1']);
  assert.equal(o.serverName, 'foo.test');
  assert.deepEqual(o.grease, [], 'OpenSSL sends no GREASE');
  assert.equal(o.extensions[0]!.name, 'server_name');
  assert.match(o.ja4.ja4, new RegExp(`^t13d${String(o.suites.length).padStart(2, '0')}${String(o.extensions.length).padStart(2, '0')}h2_[0-9a-f]{12}_[0-9a-f]{12}$`));
  assert.ok(r.negotiated, `the handshake failed: ${r.error}`);
});

test('gnutls-cli --priority (groups, TLS 1.3 only) --alpn --sni-hostname: the offer follows the priority string', { timeout: 30_000 }, async () => {
  requireTools({ 'gnutls-cli': 'gnutls-bin' });
  const r = await serveOne({}, gnutlsCli(['--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-SECP384R1:+GROUP-X25519', '--alpn', 'imap', '--sni-hostname', 'bar.test']));
  const o = r.offer!;
  assert.ok(o, `no ClientHello seen: ${r.clientOutput}`);
  assert.deepEqual(names(o.versions), ['TLSv1.3']);
  assert.deepEqual(names(o.groups), ['P-384', 'X25519']);
  assert.equal(o.keyShares[0]!.name, 'P-384');
  assert.deepEqual(o.alpn, ['imap']);
  assert.equal(o.serverName, 'bar.test');
  assert.match(o.ja4.ja4, /^t13d\d{4}ip_/); // "imap": its first and last characters
  assert.ok(r.negotiated, `the handshake failed: ${r.error}`);
});

test('curl --curves --http1.1 --tls13-ciphers (with --resolve for SNI): the offer matches', { timeout: 30_000 }, async () => {
  requireTools({ curl: 'curl' });
  const r = await serveOne({}, curl(['--tlsv1.3', '--curves', 'X25519:P-256', '--http1.1', '--tls13-ciphers', 'TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256']));
  const o = r.offer!;
  assert.ok(o, `no ClientHello seen: ${r.clientOutput}`);
  assert.deepEqual(names(o.groups), ['X25519', 'P-256']);
  assert.deepEqual(o.alpn, ['http/1.1']);
  assert.equal(o.serverName, 'curl.test');
  assert.deepEqual(names(o.suites).filter((n) => n.startsWith('TLS_AES') || n.startsWith('TLS_CHACHA')), ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256']);
  assert.ok(o.versions.some((v) => v.name === 'TLSv1.3'));
  assert.ok(r.negotiated, `the handshake failed: ${r.error}`);
});

test('node:tls ecdhCurve, sigalgs, ALPNProtocols, servername: the offer matches', { timeout: 30_000 }, async () => {
  const r = await serveOne({}, nodeTls({ servername: 'node.test', ALPNProtocols: ['h2', 'x-lens'], ecdhCurve: 'P-256:X25519', sigalgs: 'ecdsa_secp256r1_sha256:ed25519', minVersion: 'TLSv1.3' }));
  const o = r.offer!;
  assert.deepEqual(names(o.groups), ['P-256', 'X25519']);
  assert.deepEqual(names(o.signatureAlgorithms), ['ecdsa_secp256r1_sha256', 'ed25519']);
  assert.deepEqual(o.alpn, ['h2', 'x-lens']);
  assert.equal(o.serverName, 'node.test');
  assert.ok(r.negotiated, `the handshake failed: ${r.error}`);
});

// Deliberate mismatches: the server refuses, and the reason says which list has nothing in common.

test('mismatch: server only X448, s_client only P-256: "no shared group"', { timeout: 30_000 }, async () => {
  requireOpensslTool();
  const r = await serveOne({ groups: [NamedGroup.x448] }, s_client(['-tls1_3', '-groups', 'P-256']));
  assert.equal(r.negotiated, undefined);
  assert.deepEqual(r.refusal, { check: 'group', reason: 'no shared group: the client offered only P-256; this server accepts only X448' });
});

test('mismatch: server only TLS_AES_128_GCM_SHA256, node:tls only ChaCha20: "no shared cipher suite"', { timeout: 30_000 }, async () => {
  const r = await serveOne({ cipherSuites: [TLS13_SUITES.TLS_AES_128_GCM_SHA256] }, nodeTls({ minVersion: 'TLSv1.3', ciphers: 'TLS_CHACHA20_POLY1305_SHA256' }));
  assert.equal(r.negotiated, undefined);
  assert.deepEqual(r.refusal, { check: 'suite', reason: 'no shared cipher suite: the client offered only TLS_CHACHA20_POLY1305_SHA256 for TLSv1.3; this server accepts only TLS_AES_128_GCM_SHA256' });
});

test('mismatch: server TLS 1.3 only, curl --tls-max 1.2: "no shared protocol version"', { timeout: 30_000 }, async () => {
  requireTools({ curl: 'curl' });
  const r = await serveOne({ minVersion: 0x0304 }, curl(['--tlsv1.2', '--tls-max', '1.2']));
  assert.equal(r.negotiated, undefined);
  assert.equal(r.refusal?.check, 'version');
  assert.match(r.refusal!.reason, /^no shared protocol version: the client offered only TLSv1\.2; this server accepts TLSv1\.3$/);
});

test('mismatch: server Ed25519 key, gnutls-cli signing priority only ECDSA-SECP256R1-SHA256: "no shared signature scheme"', { timeout: 30_000 }, async () => {
  requireTools({ 'gnutls-cli': 'gnutls-bin' });
  const r = await serveOne({}, gnutlsCli(['--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.3:-SIGN-ALL:+SIGN-ECDSA-SECP256R1-SHA256']), 'ed25519');
  assert.equal(r.negotiated, undefined);
  assert.equal(r.refusal?.check, 'signature');
  assert.match(r.refusal!.reason, /^no shared signature scheme: the client accepts only ecdsa_secp256r1_sha256; this server's EdDSA key can sign only with ed25519$/);
});

test('mismatch: server ALPN imap, node:tls ALPN h2: "no shared ALPN protocol"', { timeout: 30_000 }, async () => {
  const r = await serveOne({ alpn: ['imap'] }, nodeTls({ ALPNProtocols: ['h2'] }));
  assert.equal(r.negotiated, undefined);
  assert.deepEqual(r.refusal, { check: 'alpn', reason: 'no shared ALPN protocol: the client offered only h2; this server accepts only imap' });
});

test('tlslens serve --json --groups X448: a client-offer line, then a refusal line naming the group mismatch', { timeout: 30_000 }, async () => {
  requireOpensslTool();
  const proc = spawn(process.execPath, [path.resolve('dist/cli.js'), 'serve', '--port', '0', '--json', '--groups', 'X448', '--naccept', '1', '--cert', PKI('ec-p256.crt'), '--key', PKI('ec-p256.key')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (out += b));
  const until = (re: RegExp) => new Promise<void>((resolve, reject) => {
    const t = setInterval(() => {
      if (re.test(out)) {
        clearInterval(t);
        resolve();
      }
    }, 20);
    setTimeout(() => {
      clearInterval(t);
      reject(new Error(`tlslens serve did not print ${re}:\n${out}`));
    }, 15_000);
  });
  try {
    await until(/ACCEPT 127\.0\.0\.1:\d+/);
    const port = Number(/ACCEPT 127\.0\.0\.1:(\d+)/.exec(out)![1]);
    const c = opensslClient(port, ['-tls1_3', '-groups', 'P-256:X25519', '-servername', 'cli.test']);
    await until(/"kind":"refusal"/);
    c.proc.kill('SIGKILL');
    const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const offer = lines.find((l) => l.kind === 'client-offer') as unknown as ClientOffer & { kind: string };
    assert.equal(offer.serverName, 'cli.test');
    assert.deepEqual(names(offer.groups), ['P-256', 'X25519']);
    assert.match(offer.ja4.ja4, /^t13d/);
    const refusal = lines.find((l) => l.kind === 'refusal');
    assert.deepEqual(refusal, { kind: 'refusal', check: 'group', reason: 'no shared group: the client offered P-256, X25519; this server accepts only X448' });
  } finally {
    proc.kill();
  }
});

test('mismatch (TLS 1.2): s_client offers only RSA-key suites, our server has an ECDSA key: the suites need another key type', { timeout: 30_000 }, async () => {
  requireOpensslTool();
  const r = await serveOne({}, s_client(['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA']));
  assert.equal(r.negotiated, undefined);
  assert.deepEqual(names(r.offer!.versions), ['TLSv1.2']);
  assert.deepEqual(r.refusal, { check: 'suite', reason: 'no shared cipher suite for this server\'s ECDSA key: the suites both sides take (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_128_CBC_SHA) need a key of another type' });
});

test('Serve TLS Here\'s runner: the panel summary carries the client offer, its JA4 and the refusal in plain words', { timeout: 30_000 }, async () => {
  const id = identity('ec-p256.crt', 'ec-p256.key');
  const summaries: SessionSummary[] = [];
  const listener: RunnerListener = { events: () => undefined, summary: (s) => summaries.push(s), state: () => undefined };
  const runner = new ServerRunner({ mode: 'serve', host: '127.0.0.1', port: 0, protocol: 'TLS', settings: [] }, { certificateChain: id.chain, signer: id.signer, groups: [NamedGroup.x448] }, listener);
  const port = await runner.start();
  const c = nodeTls({ ecdhCurve: 'P-256', minVersion: 'TLSv1.3', servername: 'panel.test' })(port);
  try {
    const t0 = Date.now();
    while (!summaries.some((s) => s.clientOffer?.refusal) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    const s = summaries.find((x) => x.clientOffer?.refusal);
    assert.ok(s, `no summary with a refusal: ${JSON.stringify(summaries.at(-1))}`);
    assert.equal(s.clientOffer!.refusal, 'no shared group: the client offered only P-256; this server accepts only X448');
    assert.match(s.clientOffer!.ja4, /^t13d/);
    assert.ok(s.clientOffer!.lines.includes('  SNI              : panel.test'));
  } finally {
    c.stop();
    runner.close();
  }
});

test('Chromium (headless): GREASE recognised in every list (RFC 8701), the X25519MLKEM768 hybrid share marked post-quantum, Chrome\'s JA4 suite hash', { timeout: 60_000 }, async () => {
  requireTools({ chromium: 'chromium' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-chromium-'));
  const chromium: Client = (port) => {
    // Its own process group, so the browser's helper processes end with it.
    const proc = spawn('chromium', ['--headless=new', '--no-sandbox', '--disable-gpu', '--ignore-certificate-errors', `--user-data-dir=${dir}`, '--dump-dom', `https://localhost:${port}/`], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    proc.stdout!.on('data', (b) => (out += b));
    proc.stderr!.on('data', (b) => (out += b));
    return {
      stop: () => {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      },
      output: () => out,
    };
  };
  try {
    const r = await serveOne({}, chromium);
    const o = r.offer!;
    assert.ok(o, `no ClientHello seen: ${r.clientOutput.slice(-2000)}`);
    for (const field of ['cipher_suites', 'extensions', 'supported_versions', 'supported_groups', 'signature_algorithms'])
      assert.ok(o.grease.some((g) => g.field === field), `GREASE in ${field}: ${JSON.stringify(o.grease)}`);
    assert.equal(o.versions[0]!.grease, true);
    const pq = o.keyShares.find((k) => k.name === 'X25519MLKEM768');
    assert.ok(pq?.postQuantum, `a post-quantum key share: ${JSON.stringify(o.keyShares)}`);
    assert.equal(pq!.length, 1216, 'X25519MLKEM768 client share: ML-KEM-768 encapsulation key (1184) + X25519 (32)');
    // JA4.md's example is Chrome's: the same 15 suites once GREASE is dropped.
    assert.match(o.ja4.ja4, /^t13d15\d\dh2_8daaf6152771_[0-9a-f]{12}$/);
    assert.equal(o.serverName, 'localhost');
    assert.ok(r.negotiated, `the handshake failed: ${r.error}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
