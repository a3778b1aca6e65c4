// Client certificates against `openssl s_server -Verify 1 -client_sigalgs ... -CAfile ...`: the decoded
// CertificateRequest matches what the server was configured with (RFC 8446 section 4.3.2 and 4.2.4 in TLS 1.3,
// RFC 5246 section 7.4.4 in TLS 1.2), and the fit verdict agrees with what the server then does: the right
// certificate completes the handshake, a wrong one is refused and the verdict says why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type TlsSessionError } from '../../engine/net/session';
import { identityFromPem, type Identity } from '../../engine/tools/identity';
import { watchCertificateRequests, type CertificateRequestSummary, type ClientCertificateFit } from '../../engine/tools/client-cert-request';
import { opensslServer, requireOpensslTool, type Peer } from './peers';
import { ApiClientRunner } from '../../extension/sessions/api-client-runner';
import type { RunnerListener } from '../../extension/sessions/session-runner';
import type { SessionSummary } from '../../webview/shared/protocol';

let dir = '';
const file = (n: string) => path.join(dir, n);
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

/** Two client CAs (A and B), clients issued by each, and a server certificate: all made here by openssl. */
before(() => {
  requireOpensslTool();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-clientcert-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  for (const ca of ['caA', 'caB']) openssl('req', '-x509', ...ec, '-nodes', '-keyout', file(`${ca}.key`), '-out', file(`${ca}.crt`), '-subj', `/O=Lens Test/CN=Client CA ${ca}`, '-days', '2');
  fs.writeFileSync(file('ext'), 'extendedKeyUsage=clientAuth\n');
  const client = (name: string, ca: string, key: string[]) => {
    openssl('req', ...key, '-nodes', '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.crt`), '-CAkey', file(`${ca}.key`), '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '2', '-extfile', file('ext'));
  };
  client('alice', 'caA', ec); // EC P-256 under CA A: the right one
  client('bob', 'caB', ec); // EC P-256 under CA B: a CA the server did not name
  client('carol', 'caA', ['-newkey', 'rsa:2048']); // RSA under CA A
  openssl('req', '-x509', ...ec, '-nodes', '-keyout', file('srv.key'), '-out', file('srv.crt'), '-subj', '/CN=localhost', '-days', '2');
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const id = (name: string): Identity => identityFromPem(fs.readFileSync(file(`${name}.crt`), 'utf8'), fs.readFileSync(file(`${name}.key`), 'utf8'), name);

interface Outcome {
  request?: CertificateRequestSummary;
  fit?: ClientCertificateFit;
  ok: boolean;
  error?: TlsSessionError;
  server: string;
}

/** s_server requiring a client certificate (-Verify 1, -verify_return_error) issued under CA A; our client connects as `who`. */
async function run(version: '-tls1_3' | '-tls1_2', clientSigalgs: string, who: string): Promise<Outcome> {
  const server: Peer = await opensslServer(['-cert', file('srv.crt'), '-key', file('srv.key'), '-Verify', '1', '-verify_return_error', '-CAfile', file('caA.crt'), '-client_sigalgs', clientSigalgs, version, '-naccept', '1']);
  const out: Outcome = { ok: false, server: '' };
  try {
    const me = id(who);
    const s = await connect({ host: '127.0.0.1', port: server.port, serverName: 'localhost', certificateChain: me.chain, signer: me.signer, handshakeTimeoutMs: 10_000 });
    s.on('trace', watchCertificateRequests({ chain: me.chain, signer: me.signer }, (request, fit) => Object.assign(out, { request, fit })));
    const ended = new Promise<void>((resolve) => {
      s.on('error', (e: TlsSessionError) => {
        out.error ??= e;
        resolve();
      });
      s.on('close', () => resolve());
    });
    s.begin();
    await s.handshake().catch(() => undefined);
    // TLS 1.3: the server judges our certificate after our Finished, so an answer must come back first.
    if (!out.error) {
      s.write('ping\n');
      await Promise.race([server.waitFor(/ping/, 8000).then(() => (out.ok = true), () => undefined), ended]);
    }
    s.end();
    await Promise.race([ended, new Promise((r) => setTimeout(r, 3000))]);
    if (out.error) out.ok = false;
  } finally {
    out.server = server.output();
    await server.stop();
  }
  return out;
}

for (const version of ['-tls1_3', '-tls1_2'] as const) {
  const label = version === '-tls1_3' ? 'TLS 1.3' : 'TLS 1.2';

  test(`${label}: the decoded request carries the configured -client_sigalgs and the -CAfile subject; the right certificate fits and passes`, async () => {
    const o = await run(version, 'ECDSA+SHA256:rsa_pss_rsae_sha256', 'alice');
    assert.ok(o.request, `no CertificateRequest seen; server said:\n${o.server}`);
    assert.deepEqual(o.request.signatureAlgorithms.map((s) => s.name), ['ecdsa_secp256r1_sha256', 'rsa_pss_rsae_sha256']);
    assert.deepEqual(o.request.certificateAuthorities.map((c) => c.text), ['O = Lens Test, CN = Client CA caA']);
    if (version === '-tls1_2') assert.deepEqual(o.request.certificateTypes?.map((t) => t.name), ['rsa_sign', 'ecdsa_sign']); // RFC 5246 7.4.4
    else assert.equal(o.request.context, ''); // RFC 8446 4.3.2: empty during the handshake
    assert.equal(o.fit?.fits, true, JSON.stringify(o.fit));
    assert.equal(o.fit?.scheme?.name, 'ecdsa_secp256r1_sha256');
    assert.ok(o.ok, `the handshake with the right certificate failed: ${o.error?.message}\n${o.server}`);
  });

  test(`${label}: a certificate from a CA the server did not name is refused, and the verdict names the CA check`, async () => {
    const o = await run(version, 'ECDSA+SHA256:rsa_pss_rsae_sha256', 'bob');
    assert.equal(o.fit?.fits, false);
    const failed = o.fit!.checks.filter((c) => !c.ok);
    assert.deepEqual(failed.map((c) => c.check), ['issuer']);
    assert.match(failed[0]!.reason, /does not reach any CA the server named: its issuers are "O = Lens Test, CN = Client CA caB"; the server named "O = Lens Test, CN = Client CA caA"/);
    assert.equal(o.ok, false, 'the server accepted a certificate from an unnamed CA');
    // OpenSSL maps "unable to get local issuer certificate" to unknown_ca (RFC 8446 section 6.2).
    assert.equal(o.error?.alert, 'unknown_ca', `${o.error?.message}\n${o.server}`);
  });

  test(`${label}: an RSA key when the server accepts only ECDSA+SHA256: no scheme in common, said before the server refuses`, async () => {
    const o = await run(version, 'ECDSA+SHA256', 'carol');
    assert.equal(o.fit?.fits, false);
    const sig = o.fit!.checks.find((c) => c.check === 'signature')!;
    assert.equal(sig.ok, false);
    assert.match(sig.reason, /^no signature scheme in common: the key can sign with rsa_pss_rsae_sha256.*; the server accepts only ecdsa_secp256r1_sha256/);
    assert.equal(o.ok, false, 'the server accepted a client that could not sign with a scheme it asked for');
  });
}

/** Runs the CLI; resolves with its output and exit code. */
function cli(args: string[], input = 'hi\n'): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.resolve('dist/cli.js'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (b) => (out += b));
    p.stderr!.on('data', (b) => (out += b));
    p.stdin!.on('error', () => undefined);
    p.stdin!.end(input);
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

test('tlslens serve --Verify --CAfile --client_sigalgs --cert_chain, tlslens connect --cert: request decoded, right certificate passes, wrong one refused and explained on both sides', { timeout: 60_000 }, async () => {
  const serve = spawn(process.execPath, [path.resolve('dist/cli.js'), 'serve', '--port', '0', '--Verify', '--CAfile', file('caA.crt'), '--client_sigalgs', 'ECDSA+SHA256', '--cert', file('srv.crt'), '--key', file('srv.key'), '--cert_chain', file('caB.crt'), '--naccept', '2', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let served = '';
  serve.stdout!.on('data', (b) => (served += b));
  serve.stderr!.on('data', (b) => (served += b));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const t = setInterval(() => {
        const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(served);
        if (m) {
          clearInterval(t);
          resolve(Number(m[1]));
        }
      }, 20);
      setTimeout(() => reject(new Error(`no ACCEPT line: ${served}`)), 15_000);
    });
    const good = await cli(['connect', `127.0.0.1:${port}`, '--CAfile', file('srv.crt'), '--cert', file('alice.crt'), '--key', file('alice.key')]);
    assert.match(good.out, /The server asks for a client certificate \(TLSv1\.3\)\n {2}Signature algorithms : ecdsa_secp256r1_sha256\n {2}Acceptable CA names {2}:\n {4}O = Lens Test, CN = Client CA caA\n/);
    assert.match(good.out, /Client certificate "CN = alice": fits the request/);
    // --cert_chain: the chain sent is the leaf, then the file's certificates.
    assert.match(good.out, / 1 s:O = Lens Test, CN = Client CA caB/);
    assert.equal(good.code, 0, good.out);
    const bad = await cli(['connect', `127.0.0.1:${port}`, '--CAfile', file('srv.crt'), '--cert', file('bob.crt'), '--key', file('bob.key'), '-q']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.out, /the peer sent a fatal alert: unknown_ca/);
    assert.match(bad.out, /ours does not fit: the chain does not reach any CA the server named/);
    // --naccept 2 reached: serve ends once both connections have closed (its standard input is ended).
    serve.stdin!.end();
    await new Promise<void>((resolve) => (serve.exitCode !== null ? resolve() : serve.once('exit', () => resolve())));
    assert.match(served, /Refused: client certificate refused: client certificate verification failed: unable to get local issuer certificate \(20\)/);
  } finally {
    serve.kill();
  }
});

test('Connect to Host\'s runner: the panel summary carries the decoded request and the verdict on the configured certificate', { timeout: 30_000 }, async () => {
  const server: Peer = await opensslServer(['-cert', file('srv.crt'), '-key', file('srv.key'), '-Verify', '1', '-verify_return_error', '-CAfile', file('caA.crt'), '-client_sigalgs', 'ECDSA+SHA256', '-tls1_3']);
  const summaries: SessionSummary[] = [];
  const listener: RunnerListener = { events: () => undefined, summary: (s) => summaries.push(s), state: () => undefined };
  const bob = id('bob');
  const runner = new ApiClientRunner({ mode: 'connect', host: '127.0.0.1', port: server.port, protocol: 'TLS', settings: [] }, { trust: { kind: 'none' }, serverName: 'localhost', identity: { chain: bob.chain, key: bob.key } }, listener);
  try {
    await runner.start();
    const t0 = Date.now();
    while (!summaries.some((s) => s.certificateRequest) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    const s = summaries.find((x) => x.certificateRequest)!;
    assert.ok(s, 'no summary with the certificate request');
    assert.ok(s.certificateRequest!.lines.includes('    O = Lens Test, CN = Client CA caA'), s.certificateRequest!.lines.join('\n'));
    assert.equal(s.certificateRequest!.fits, false);
    assert.ok(s.certificateRequest!.reasons!.some((l) => /NO {2}the chain does not reach any CA the server named/.test(l)));
    assert.equal(runner.certificateRequest?.fit?.fits, false, 'Connect to Host reads this to offer other certificates');
  } finally {
    runner.close();
    await server.stop();
  }
});
