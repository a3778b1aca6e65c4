// record_size_limit (RFC 8449) with GnuTLS: gnutls-cli --recordsize N advertises it, our server (recordSizeLimit)
// answers in EncryptedExtensions; then each side's protected records keep to the other's limit. gnutls-cli only
// connects, so it runs on 127.0.0.1 against our createServer() (no namespace needed). OpenSSL 3.0 does not
// implement RFC 8449, so it is the "not negotiated" peer: our offer is ignored and full-size records flow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from '../../engine/net/session';
import { identityFromPem } from '../../engine/tools/identity';
import type { NegotiatedSession } from '../../engine/conn/types';
import type { TraceEvent } from '../../engine/trace/events';
import { opensslServer, PKI, readPem } from './peers';
import { requireTools } from './netns';

/** TLSInnerPlaintext lengths (content + type byte + padding) of protected records, per direction. */
function innerSizes(events: TraceEvent[], dir: 'in' | 'out', epoch: string): number[] {
  return events.flatMap((e) => (e.kind === 'record' && e.dir === dir && e.inner && e.epoch === epoch ? [e.inner.length + 1 + e.inner.padding] : []));
}

test('gnutls-cli --recordsize 512 against our server offering 1000: both limits kept, data echoed', { timeout: 30_000 }, async () => {
  requireTools({ 'gnutls-cli': 'gnutls-bin' });
  const id = identityFromPem(readPem('ec-p256.crt'), readPem('ec-p256.key'), 'ec-p256.crt');
  const events: TraceEvent[] = [];
  let negotiated: NegotiatedSession | undefined;
  let serverError: Error | undefined;
  const server = createServer({ certificateChain: id.chain, signer: id.signer, recordSizeLimit: 1000 }, (s) => {
    s.on('trace', (e: TraceEvent) => events.push(e));
    s.on('secure', (n: NegotiatedSession) => (negotiated = n));
    s.on('error', (e: Error) => (serverError = e));
    // A "big" line asks for 3000 bytes back (gnutls-cli sends each line it reads in one write of at most its own record size).
    s.on('data', (d: Uint8Array) => s.write(new TextDecoder().decode(d).startsWith('big') ? 'y'.repeat(3000) + 'END\n' : d));
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const proc = spawn('gnutls-cli', ['-p', String(port), '--x509cafile', PKI('ec-p256.crt'), '--verify-hostname', 'ec-p256.example.com',
    '--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.3', '--recordsize', '512', '127.0.0.1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (out += b));
  proc.stdin!.on('error', () => undefined);
  const waitFor = (re: RegExp, ms = 10_000) => new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => (re.test(out) ? resolve() : Date.now() - t0 > ms ? reject(new Error(`gnutls-cli did not print ${re}:\n${out.slice(-3000)}\nserver error: ${serverError?.message}`)) : setTimeout(tick, 50));
    tick();
  });
  try {
    await waitFor(/Handshake was completed/);
    proc.stdin!.write('x'.repeat(500) + 'END\n');
    await waitFor(/x{500}END/);
    proc.stdin!.write('big\n');
    await waitFor(/y{3000}END/);
    // GnuTLS advertises its maximum plaintext plus the content type byte: --recordsize 512 is a limit of 513.
    assert.deepEqual(negotiated?.recordSizeLimit, { ours: 1000, peer: 513 }, `negotiated: ${JSON.stringify(negotiated)}`);
    const sent = innerSizes(events, 'out', 'application');
    const received = innerSizes(events, 'in', 'application');
    assert.ok(sent.length >= 6, `the 3004-byte answer went out in records of at most 513: ${sent}`);
    assert.ok(sent.every((n) => n <= 513), `our records: ${sent}`);
    assert.ok(Math.max(...sent) === 513, `our data records use the full 512 bytes: ${sent}`);
    assert.ok(received.length >= 1 && received.every((n) => n <= 1000), `gnutls-cli's records keep to our 1000: ${received}`);
    assert.ok(innerSizes(events, 'out', 'handshake').every((n) => n <= 513), 'our handshake flight keeps to the limit too');
  } finally {
    proc.kill();
    server.close();
  }
});

test('our client offering record_size_limit to openssl s_server (no RFC 8449 in OpenSSL 3.0): not negotiated, the handshake works', { timeout: 30_000 }, async () => {
  const server = await opensslServer(['-tls1_3', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  try {
    const session = await connect({ host: '127.0.0.1', port: server.port, serverName: 'localhost', recordSizeLimit: 1024 });
    const failure = new Promise<never>((_, reject) => session.on('error', reject));
    session.begin();
    const n = await Promise.race([session.handshake(), failure]);
    assert.equal(n.recordSizeLimit, undefined);
    session.end();
  } finally {
    await server.stop();
  }
});
