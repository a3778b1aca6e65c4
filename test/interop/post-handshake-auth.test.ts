// Post-handshake client authentication (RFC 8446 section 4.6.2) against OpenSSL 3.0 on 127.0.0.1, both roles:
//  - openssl s_client -enable_pha -cert/-key against our server, which asks after the handshake (TlsSession
//    and the OpenSSL facade's SSL_verify_client_post_handshake);
//  - our client with a certificate against openssl s_server, asked by s_server's "c" command on its standard
//    input (OpenSSL 3.0 s_server has no -verify_post_handshake option; "c" calls SSL_verify_client_post_handshake).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import * as ctxApi from '../../engine/api/ctx';
import * as api from '../../engine/api/ssl';
import { BIO_new_accept } from '../../engine/api/bio';
import { SSL_FILETYPE_PEM } from '../../engine/api/constants';
import { TLS_server_method } from '../../engine/api/method';
import { connect, createServer, type TlsSession } from '../../engine/net/session';
import { identityFromPem } from '../../engine/tools/identity';
import type { NegotiatedSession } from '../../engine/conn/types';
import type { TraceEvent } from '../../engine/trace/events';
import { opensslClient, opensslServer, PKI, readPem } from './peers';

const dec = new TextDecoder();
const rsaClient = identityFromPem(readPem('rsa2048.crt'), readPem('rsa2048.key'), 'rsa2048');

test('openssl s_client -enable_pha: our server asks after the handshake, verifies, records the client certificate', { timeout: 30_000 }, async () => {
  const id = identityFromPem(readPem('ec-p256.crt'), readPem('ec-p256.key'), 'ec-p256');
  const events: TraceEvent[] = [];
  let session: TlsSession | undefined;
  const received: string[] = [];
  const server = createServer({ certificateChain: id.chain, signer: id.signer }, (s) => {
    session = s;
    s.on('trace', (e: TraceEvent) => events.push(e));
    s.on('data', (d: Uint8Array) => received.push(dec.decode(d)));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const client = opensslClient(port, ['-tls1_3', '-enable_pha', '-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key'), '-ign_eof'], 'before\n');
  try {
    await waitUntil(() => received.join('').includes('before'), 'the first line');
    const s = session!;
    const n = await s.handshake();
    assert.equal(n.peerCertificates.length, 0, 'no certificate during the handshake');
    const authenticated = new Promise<NegotiatedSession>((resolve) => s.once('client-certificate', resolve));
    s.requestClientCertificate();
    assert.throws(() => s.requestClientCertificate(), /still waiting/, 'one request at a time');
    const after = await authenticated;
    assert.deepEqual(after.peerCertificates[0], rsaClient.chain[0], 'the client certificate is recorded');
    assert.deepEqual(s.conn.negotiated!.peerCertificates[0], rsaClient.chain[0]);
    const names = events.filter((e) => e.kind === 'handshake').map((e) => (e.kind === 'handshake' ? `${e.dir} ${e.name}` : ''));
    assert.deepEqual(names.slice(-4), ['out certificate_request', 'in certificate', 'in certificate_verify', 'in finished']);
    assert.ok(events.some((e) => e.kind === 'info' && /post-handshake authentication: the client authenticated as .*rsa2048\.example\.com/.test(e.message)));
    client.proc.stdin!.write('after\n');
    await waitUntil(() => received.join('').includes('after'), 'data after post-handshake authentication');
  } finally {
    await client.stop();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('openssl s_client without -enable_pha: our server cannot ask (the client did not offer post_handshake_auth)', { timeout: 30_000 }, async () => {
  const id = identityFromPem(readPem('ec-p256.crt'), readPem('ec-p256.key'), 'ec-p256');
  let session: TlsSession | undefined;
  const server = createServer({ certificateChain: id.chain, signer: id.signer }, (s) => {
    session = s;
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const client = opensslClient(port, ['-tls1_3', '-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key'), '-ign_eof'], 'x\n');
  try {
    await waitUntil(() => session, 'a session');
    await session!.handshake();
    assert.throws(() => session!.requestClientCertificate(), /did not offer post_handshake_auth/);
  } finally {
    await client.stop();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('the facade: SSL_verify_client_post_handshake returns 1, the request goes out with the next SSL_read, the peer certificate follows', { timeout: 30_000 }, async () => {
  const ctx = ctxApi.SSL_CTX_new(TLS_server_method())!;
  assert.equal(ctxApi.SSL_CTX_use_certificate_file(ctx, PKI('ec-p256.crt'), SSL_FILETYPE_PEM), 1);
  assert.equal(ctxApi.SSL_CTX_use_PrivateKey_file(ctx, PKI('ec-p256.key'), SSL_FILETYPE_PEM), 1);
  const ssl = api.SSL_new(ctx)!;
  const bio = BIO_new_accept('127.0.0.1:0');
  const port = await bio.listening();
  api.SSL_set_bio(ssl, bio, bio);
  assert.equal(api.SSL_verify_client_post_handshake(ssl), 0, 'not before the handshake');
  const client = opensslClient(port, ['-tls1_3', '-enable_pha', '-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key'), '-ign_eof'], 'hello\n');
  try {
    assert.equal(await api.SSL_retry(ssl, () => api.SSL_accept(ssl)), 1);
    const buf = new Uint8Array(256);
    let n = await api.SSL_retry(ssl, () => api.SSL_read(ssl, buf, buf.length));
    assert.equal(dec.decode(buf.subarray(0, n)), 'hello\n');
    assert.equal(api.SSL_get1_peer_certificate(ssl), null);
    assert.equal(api.SSL_verify_client_post_handshake(ssl), 1);
    assert.equal(api.SSL_verify_client_post_handshake(ssl), 0, 'a request is pending');
    // The CertificateRequest leaves with this SSL_read; the client's answer is processed inside it.
    const reading = api.SSL_retry(ssl, () => api.SSL_read(ssl, buf, buf.length));
    await new Promise((r) => setTimeout(r, 300));
    client.proc.stdin!.write('after\n');
    n = await reading;
    assert.equal(dec.decode(buf.subarray(0, n)), 'after\n');
    const cert = api.SSL_get1_peer_certificate(ssl);
    assert.ok(cert, 'the client certificate after post-handshake authentication');
    assert.deepEqual(cert.der, rsaClient.chain[0]);
  } finally {
    await client.stop();
    bio.socket?.socket.destroy();
  }
});

test('our client with a certificate against openssl s_server: "c" asks after the handshake; s_server verifies it', { timeout: 30_000 }, async () => {
  const server = await opensslServer(['-tls1_3', '-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')]);
  const ed = identityFromPem(readPem('ed25519.crt'), readPem('ed25519.key'), 'ed25519');
  try {
    const s = await connect({ host: '127.0.0.1', port: server.port, serverName: 'localhost', certificateChain: ed.chain, signer: ed.signer });
    const events: TraceEvent[] = [];
    s.on('trace', (e: TraceEvent) => events.push(e));
    s.on('error', () => undefined);
    s.begin();
    const n = await s.handshake();
    const hello = events.find((e) => e.kind === 'handshake' && e.name === 'client_hello');
    assert.ok(JSON.stringify(hello?.kind === 'handshake' && hello.fields).includes('postHandshakeAuth'), 'post_handshake_auth offered');
    assert.equal(n.resumed, false);
    s.write('before\n');
    await server.waitFor(/before/);
    assert.doesNotMatch(server.output(), /ed25519\.example\.com/, 's_server did not ask during the handshake');
    server.proc.stdin!.write('c\n');
    await server.waitFor(/SSL_do_handshake -> 1/);
    const handshakeNames = () => events.flatMap((e) => (e.kind === 'handshake' ? [`${e.dir} ${e.name}`] : []));
    await waitUntil(() => handshakeNames().slice(handshakeNames().indexOf('in certificate_request')).includes('out finished') && handshakeNames().includes('in certificate_request'), 'our answer');
    s.write('after\n');
    await server.waitFor(/after/);
    // s_server's verify callback printed our certificate: it received it after the handshake and the exchange verified.
    await server.waitFor(/depth=0 C = US, O = TLS Lens Test, CN = ed25519\.example\.com/);
    const names = handshakeNames();
    const i = names.indexOf('in certificate_request');
    assert.deepEqual(names.slice(i, i + 4), ['in certificate_request', 'out certificate', 'out certificate_verify', 'out finished']);
    assert.equal(s.conn.status, 'open');
    s.end();
  } finally {
    await server.stop();
  }
});

function waitUntil<T>(get: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      const v = get();
      if (v) return resolve(v);
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}
