// The facade's post-handshake authentication and early data status over memory BIOs:
// SSL_verify_client_post_handshake (1, the request leaving with the next I/O call; 0 with a reason otherwise),
// SSL_set_post_handshake_auth, a client certificate callback pausing the answer (SSL_ERROR_WANT_X509_LOOKUP
// from SSL_read), and SSL_get_early_data_status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as ctxApi from '../../engine/api/ctx';
import * as api from '../../engine/api/ssl';
import { MemBIO } from '../../engine/api/bio';
import { SSL_FILETYPE_PEM } from '../../engine/api/constants';
import { ERR_get_error_all } from '../../engine/api/err';
import { TLS_client_method, TLS_server_method } from '../../engine/api/method';

const F = (n: string) => path.resolve('test/fixtures/pki', n);
const text = (s: string) => new TextEncoder().encode(s);

function withIdentity(ctx: ctxApi.SSL_CTX, cert: string, key: string): ctxApi.SSL_CTX {
  assert.equal(ctxApi.SSL_CTX_use_certificate_file(ctx, F(cert), SSL_FILETYPE_PEM), 1);
  assert.equal(ctxApi.SSL_CTX_use_PrivateKey_file(ctx, F(key), SSL_FILETYPE_PEM), 1);
  return ctx;
}

function pair(clientCtx: ctxApi.SSL_CTX) {
  const c2s = new MemBIO();
  const s2c = new MemBIO();
  const client = api.SSL_new(clientCtx)!;
  const server = api.SSL_new(withIdentity(ctxApi.SSL_CTX_new(TLS_server_method())!, 'ec-p256.crt', 'ec-p256.key'))!;
  api.SSL_set_bio(client, s2c, c2s);
  api.SSL_set_bio(server, c2s, s2c);
  return { client, server };
}

function handshake(client: api.SSL, server: api.SSL): void {
  let c = 0;
  let s = 0;
  for (let i = 0; i < 10 && (c !== 1 || s !== 1); i++) {
    if (c !== 1) c = api.SSL_connect(client);
    if (s !== 1) s = api.SSL_accept(server);
  }
  assert.equal(c, 1);
  assert.equal(s, 1);
}

function readText(s: api.SSL): string {
  const buf = new Uint8Array(256);
  const n = api.SSL_read(s, buf, buf.length);
  return n > 0 ? new TextDecoder().decode(buf.subarray(0, n)) : `<${api.SSL_error_name(api.SSL_get_error(s, n))}>`;
}

test('SSL_verify_client_post_handshake: 1, the CertificateRequest leaves with the next I/O call, the client answers from SSL_read', () => {
  const { client, server } = pair(withIdentity(ctxApi.SSL_CTX_new(TLS_client_method())!, 'ed25519.crt', 'ed25519.key'));
  assert.equal(api.SSL_verify_client_post_handshake(server), 0, 'not before the handshake');
  assert.match(ERR_get_error_all()?.data ?? '', /still in init/);
  handshake(client, server);
  assert.equal(api.SSL_verify_client_post_handshake(client), 0, 'a client cannot ask');
  assert.match(ERR_get_error_all()?.data ?? '', /not a server/);
  assert.equal(api.SSL_get1_peer_certificate(server), null);
  assert.equal(api.SSL_verify_client_post_handshake(server), 1);
  assert.equal(api.SSL_verify_client_post_handshake(server), 0, 'one request at a time');
  assert.match(ERR_get_error_all()?.data ?? '', /still waiting/);
  assert.equal(readText(server), '<SSL_ERROR_WANT_READ>', 'this SSL_read sends the request');
  assert.equal(api.SSL_write(client, text('hi'), 2), 2);
  assert.equal(readText(client), '<SSL_ERROR_WANT_READ>', 'the client answers the request inside SSL_read');
  assert.equal(readText(server), 'hi');
  assert.match(api.SSL_get1_peer_certificate(server)!.info.subject.text, /ed25519/);
  assert.equal(api.SSL_get_early_data_status(server), api.SSL_EARLY_DATA_NOT_SENT);
});

test('SSL_set_post_handshake_auth(ssl, 0): no post_handshake_auth, so SSL_verify_client_post_handshake returns 0', () => {
  const { client, server } = pair(withIdentity(ctxApi.SSL_CTX_new(TLS_client_method())!, 'ed25519.crt', 'ed25519.key'));
  api.SSL_set_post_handshake_auth(client, 0);
  handshake(client, server);
  assert.equal(api.SSL_verify_client_post_handshake(server), 0);
  assert.match(ERR_get_error_all()?.data ?? '', /did not offer post_handshake_auth/);
});

test('a client certificate callback pauses the post-handshake answer: SSL_read gives SSL_ERROR_WANT_X509_LOOKUP, then answers', () => {
  const cctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  const holder = withIdentity(ctxApi.SSL_CTX_new(TLS_client_method())!, 'ed25519.crt', 'ed25519.key');
  const slot = holder.slots.get(holder.current!)!;
  let calls = 0;
  ctxApi.SSL_CTX_set_client_cert_cb(cctx, (_ssl, out) => {
    if (++calls === 1) return -1;
    out.x509 = slot.x509;
    out.pkey = slot.privatekey;
    return 1;
  });
  const { client, server } = pair(cctx);
  handshake(client, server);
  assert.equal(calls, 0, 'not asked during the handshake');
  assert.equal(api.SSL_verify_client_post_handshake(server), 1);
  assert.equal(readText(server), '<SSL_ERROR_WANT_READ>');
  assert.equal(readText(client), '<SSL_ERROR_WANT_X509_LOOKUP>');
  assert.equal(readText(client), '<SSL_ERROR_WANT_READ>', 'called again: the answer goes out');
  assert.equal(calls, 2);
  api.SSL_write(client, text('ok'), 2);
  assert.equal(readText(server), 'ok');
  assert.match(api.SSL_get1_peer_certificate(server)!.info.subject.text, /ed25519/);
});
