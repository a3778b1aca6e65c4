// DTLS through OpenSSL's API (seed: the DTLS methods): DTLS_client_method / DTLS_server_method over datagram memory
// BIOs (BIO_s_dgram_mem), SSL_connect / SSL_accept with WANT_READ between flights, data both ways, the fixed-version
// methods, and the retransmission timer (DTLSv1_get_timeout / DTLSv1_handle_timeout) recovering a lost datagram.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as ctxApi from '../../engine/api/ctx';
import * as api from '../../engine/api/ssl';
import * as methods from '../../engine/api/method';
import { BIO_new, BIO_s_dgram_mem, DatagramMemBIO } from '../../engine/api/bio';
import { SSL_FILETYPE_PEM } from '../../engine/api/constants';

const F = (n: string) => path.resolve('test/fixtures/pki', n);
const text = (s: string) => new TextEncoder().encode(s);

function dtlsPair(cm = methods.DTLS_client_method(), sm = methods.DTLS_server_method()) {
  const sctx = ctxApi.SSL_CTX_new(sm)!;
  assert.equal(ctxApi.SSL_CTX_use_certificate_file(sctx, F('ec-p256.crt'), SSL_FILETYPE_PEM), 1);
  assert.equal(ctxApi.SSL_CTX_use_PrivateKey_file(sctx, F('ec-p256.key'), SSL_FILETYPE_PEM), 1);
  const c2s = BIO_new(BIO_s_dgram_mem()) as DatagramMemBIO;
  const s2c = BIO_new(BIO_s_dgram_mem()) as DatagramMemBIO;
  const client = api.SSL_new(ctxApi.SSL_CTX_new(cm))!;
  const server = api.SSL_new(sctx)!;
  api.SSL_set_bio(client, s2c, c2s);
  api.SSL_set_bio(server, c2s, s2c);
  return { client, server, c2s, s2c };
}

function handshake(client: api.SSL, server: api.SSL): void {
  let c = 0;
  let s = 0;
  for (let i = 0; i < 12 && (c !== 1 || s !== 1); i++) {
    if (c !== 1) {
      c = api.SSL_connect(client);
      if (c !== 1) assert.equal(api.SSL_get_error(client, c), api.SSL_ERROR_WANT_READ);
    }
    if (s !== 1) {
      s = api.SSL_accept(server);
      if (s !== 1) assert.equal(api.SSL_get_error(server, s), api.SSL_ERROR_WANT_READ);
    }
  }
  assert.deepEqual([c, s], [1, 1], 'SSL_connect and SSL_accept returned 1');
}

test('DTLS_client_method / DTLS_server_method over BIO_s_dgram_mem: DTLS 1.2, data both ways', () => {
  const { client, server } = dtlsPair();
  handshake(client, server);
  assert.equal(api.SSL_get_version(client), 'DTLSv1.2');
  assert.equal(api.SSL_get_version(server), 'DTLSv1.2');
  assert.equal(api.SSL_write(client, text('ping'), 4), 4);
  const buf = new Uint8Array(64);
  assert.equal(api.SSL_read(server, buf, 64), 4);
  assert.equal(api.SSL_write(server, text('pong!'), 5), 5);
  assert.equal(api.SSL_read(client, buf, 64), 5);
  assert.equal(api.SSL_read(client, buf, 64), -1);
  assert.equal(api.SSL_get_error(client, -1), api.SSL_ERROR_WANT_READ, 'nothing more: WANT_READ, as with a datagram BIO');
});

test('DTLSv1_client_method and DTLSv1_server_method speak DTLS 1.0', () => {
  const { client, server } = dtlsPair(methods.DTLSv1_client_method(), methods.DTLSv1_server_method());
  handshake(client, server);
  assert.equal(api.SSL_get_version(client), 'DTLSv1');
});

test('a lost datagram: DTLSv1_get_timeout says when, DTLSv1_handle_timeout retransmits, the handshake completes', async () => {
  const { client, server, c2s } = dtlsPair();
  assert.equal(api.SSL_get_error(client, api.SSL_connect(client)), api.SSL_ERROR_WANT_READ);
  // The first ClientHello is lost on the way.
  assert.ok(c2s.pending() > 0);
  c2s.read(1 << 16);
  const tv = { tv_sec: 0, tv_usec: 0 };
  assert.equal(api.DTLSv1_get_timeout(client, tv), 1, 'the retransmission timer runs');
  assert.ok(tv.tv_sec * 1000 + tv.tv_usec / 1000 <= 1000);
  assert.equal(api.DTLSv1_handle_timeout(client), 0, 'not due yet');
  await new Promise((r) => setTimeout(r, 1050));
  assert.equal(api.DTLSv1_handle_timeout(client), 1, 'the ClientHello went out again');
  handshake(client, server);
  assert.equal(api.SSL_get_version(server), 'DTLSv1.2');
});
