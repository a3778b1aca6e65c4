// The seed's SSL_* functions over memory BIOs (openssl-ssl-api.zh.md: SSL_new, SSL_set_connect_state,
// SSL_read, SSL_write, SSL_get_error): return values and every SSL_get_error code that memory BIOs can provoke.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as ctxApi from '../../engine/api/ctx';
import * as api from '../../engine/api/ssl';
import { MemBIO } from '../../engine/api/bio';
import { SSL_FILETYPE_PEM } from '../../engine/api/constants';
import { ERR_clear_error, ERR_error_string, ERR_get_error } from '../../engine/api/err';
import * as methods from '../../engine/api/method';
import { TLS_client_method, TLS_method, TLS_server_method, TLSv1_2_method, DTLS_method } from '../../engine/api/method';
import type { TraceEvent } from '../../engine/trace/events';
import { ASYNC_cleanup_thread, ASYNC_init_thread } from '../../engine/api/async';

const F = (n: string) => path.resolve('test/fixtures/pki', n);

function serverCtx(cert = 'ec-p256.crt', key = 'ec-p256.key') {
  const ctx = ctxApi.SSL_CTX_new(TLS_server_method())!;
  assert.equal(ctxApi.SSL_CTX_use_certificate_file(ctx, F(cert), SSL_FILETYPE_PEM), 1);
  assert.equal(ctxApi.SSL_CTX_use_PrivateKey_file(ctx, F(key), SSL_FILETYPE_PEM), 1);
  return ctx;
}

/** A client and a server SSL joined by two memory BIOs (client writes c2s, server reads it; and back). */
function pair(opts: { serverCtx?: ctxApi.SSL_CTX; clientCtx?: ctxApi.SSL_CTX } = {}) {
  const c2s = new MemBIO();
  const s2c = new MemBIO();
  const client = api.SSL_new(opts.clientCtx ?? ctxApi.SSL_CTX_new(TLS_client_method()))!;
  const server = api.SSL_new(opts.serverCtx ?? serverCtx())!;
  api.SSL_set_bio(client, s2c, c2s);
  api.SSL_set_bio(server, c2s, s2c);
  return { client, server, c2s, s2c };
}

/** Alternates SSL_connect / SSL_accept until both return 1, checking each WANT_READ on the way. */
function handshake(client: api.SSL, server: api.SSL): void {
  let c = 0;
  let s = 0;
  for (let i = 0; i < 10 && (c !== 1 || s !== 1); i++) {
    if (c !== 1) {
      c = api.SSL_connect(client);
      if (c !== 1) assert.equal(api.SSL_get_error(client, c), api.SSL_ERROR_WANT_READ, 'the client waits for the server');
    }
    if (s !== 1) {
      s = api.SSL_accept(server);
      if (s !== 1) assert.equal(api.SSL_get_error(server, s), api.SSL_ERROR_WANT_READ, 'the server waits for the client');
    }
  }
  assert.equal(c, 1, 'SSL_connect returned 1');
  assert.equal(s, 1, 'SSL_accept returned 1');
}

const text = (s: string) => new TextEncoder().encode(s);

test('SSL_new / SSL_up_ref / SSL_free count references; SSL_new(NULL) returns NULL', () => {
  const ctx = ctxApi.SSL_CTX_new(TLS_method())!;
  const ssl = api.SSL_new(ctx)!;
  assert.equal(ctx.references, 2, 'SSL_new holds a reference to its SSL_CTX');
  assert.equal(api.SSL_up_ref(ssl), 1);
  api.SSL_free(ssl);
  assert.equal(ssl.references, 1);
  api.SSL_free(ssl);
  assert.equal(ctx.references, 1, 'the last SSL_free releases the context');
  assert.equal(api.SSL_new(null), null);
  assert.match(ERR_error_string(ERR_get_error()), /null ssl ctx/);
});

test('SSL_CTX_new makes a context for DTLS_method and TLSv1_2_method', () => {
  assert.ok(ctxApi.SSL_CTX_new(DTLS_method()));
  assert.ok(ctxApi.SSL_CTX_new(TLSv1_2_method()));
});

test('SSL_is_server follows the method until SSL_set_connect_state / SSL_set_accept_state', () => {
  const generic = api.SSL_new(ctxApi.SSL_CTX_new(TLS_method()))!;
  assert.equal(api.SSL_is_server(generic), 1, 'generic method: server');
  assert.equal(api.SSL_is_server(api.SSL_new(ctxApi.SSL_CTX_new(TLS_client_method()))!), 0);
  api.SSL_set_connect_state(generic);
  assert.equal(api.SSL_is_server(generic), 0);
  api.SSL_set_accept_state(generic);
  assert.equal(api.SSL_is_server(generic), 1);
});

test('SSL_connect / SSL_accept over memory BIOs: WANT_READ until the peer answers, then 1', () => {
  const { client, server } = pair();
  handshake(client, server);
  assert.equal(api.SSL_get_version(client), 'TLSv1.3');
  assert.equal(api.SSL_get_version(server), 'TLSv1.3');
  assert.ok(api.SSL_get_cipher_name(client));
  assert.match(api.SSL_get1_peer_certificate(client)!.info.subject.text, /ec-p256/);
});

test('SSL_write then SSL_read move data both ways; SSL_read with nothing pending is WANT_READ', () => {
  const { client, server } = pair();
  handshake(client, server);
  const buf = new Uint8Array(100);
  assert.equal(api.SSL_read(server, buf, 100), -1);
  assert.equal(api.SSL_get_error(server, -1), api.SSL_ERROR_WANT_READ);
  assert.equal(api.SSL_write(client, text('hello'), 5), 5);
  assert.equal(api.SSL_get_error(client, 5), api.SSL_ERROR_NONE);
  assert.equal(api.SSL_read(server, buf, 100), 5);
  assert.equal(new TextDecoder().decode(buf.subarray(0, 5)), 'hello');
  const written = { value: 0 };
  assert.equal(api.SSL_write_ex(server, text('world!'), 6, written), 1);
  assert.equal(written.value, 6);
  const got = { value: 0 };
  assert.equal(api.SSL_read_ex(client, buf, 100, got), 1);
  assert.equal(got.value, 6);
});

test('SSL_read returns at most one record; the rest of a large write comes with later reads (16 KB records)', () => {
  const { client, server } = pair();
  handshake(client, server);
  const big = new Uint8Array(40_000).map((_, i) => i & 0xff);
  assert.equal(api.SSL_write(client, big, big.length), big.length);
  const buf = new Uint8Array(65_536);
  const sizes: number[] = [];
  let total = 0;
  while (total < big.length) {
    const n = api.SSL_read(server, buf, buf.length);
    assert.ok(n > 0);
    assert.deepEqual(buf.subarray(0, n), big.subarray(total, total + n));
    sizes.push(n);
    total += n;
  }
  assert.deepEqual(sizes, [16_384, 16_384, 40_000 - 32_768]);
});

test('SSL_peek leaves the data for SSL_read; SSL_pending counts it', () => {
  const { client, server } = pair();
  handshake(client, server);
  api.SSL_write(client, text('peekaboo'), 8);
  const buf = new Uint8Array(4);
  assert.equal(api.SSL_peek(server, buf, 4), 4);
  assert.equal(api.SSL_pending(server), 8);
  const all = new Uint8Array(8);
  assert.equal(api.SSL_read(server, all, 8), 8);
  assert.equal(new TextDecoder().decode(all), 'peekaboo');
  assert.equal(api.SSL_pending(server), 0);
});

test('implicit handshake: SSL_write after SSL_set_connect_state starts the handshake (WANT_READ), then succeeds', () => {
  const { client, server } = pair();
  api.SSL_set_connect_state(client);
  api.SSL_set_accept_state(server);
  const msg = text('early write');
  let r = api.SSL_write(client, msg, msg.length);
  assert.equal(r, -1);
  assert.equal(api.SSL_get_error(client, r), api.SSL_ERROR_WANT_READ);
  const buf = new Uint8Array(64);
  r = api.SSL_read(server, buf, 64);
  assert.equal(api.SSL_get_error(server, r), api.SSL_ERROR_WANT_READ, 'the server answered the ClientHello and waits');
  assert.equal(api.SSL_write(client, msg, msg.length), msg.length, 'the retried write completes the handshake and sends');
  assert.equal(api.SSL_read(server, buf, 64), msg.length);
});

test('SSL_read without a role: SSL_ERROR_SSL with "uninitialized" on the error queue', () => {
  const ssl = api.SSL_new(ctxApi.SSL_CTX_new(TLS_method()))!;
  api.SSL_set_bio(ssl, new MemBIO(), new MemBIO());
  const r = api.SSL_read(ssl, new Uint8Array(10), 10);
  assert.equal(api.SSL_get_error(ssl, r), api.SSL_ERROR_SSL);
  assert.match(ERR_error_string(ERR_get_error()), /SSL routines::uninitialized/);
});

test('SSL_shutdown: 0 after sending close_notify, the peer then sees ZERO_RETURN, and 1 once both are sent', () => {
  const { client, server } = pair();
  handshake(client, server);
  assert.equal(api.SSL_shutdown(client), 0);
  const buf = new Uint8Array(10);
  const r = api.SSL_read(server, buf, 10);
  assert.equal(r, 0);
  assert.equal(api.SSL_get_error(server, r), api.SSL_ERROR_ZERO_RETURN);
  assert.equal(api.SSL_shutdown(server), 1, 'the server had received close_notify: both directions closed');
  assert.equal(api.SSL_shutdown(client), 1, 'the client now sees the server\'s close_notify');
  assert.equal(api.SSL_get_shutdown(client), api.SSL_SENT_SHUTDOWN | api.SSL_RECEIVED_SHUTDOWN);
});

test('EOF without close_notify is SSL_ERROR_SYSCALL', () => {
  const { client, server, s2c } = pair();
  handshake(client, server);
  s2c.eofWhenEmpty = true;
  const r = api.SSL_read(client, new Uint8Array(10), 10);
  assert.equal(r, 0);
  assert.equal(api.SSL_get_error(client, r), api.SSL_ERROR_SYSCALL);
});

test('a full write BIO gives SSL_ERROR_WANT_WRITE; the retry with the same arguments completes the write', () => {
  const { client, server, c2s } = pair();
  handshake(client, server);
  c2s.capacity = 1000;
  const data = new Uint8Array(5000).fill(7);
  let r = api.SSL_write(client, data, data.length);
  assert.equal(r, -1);
  assert.equal(api.SSL_get_error(client, r), api.SSL_ERROR_WANT_WRITE);
  const buf = new Uint8Array(8000);
  let got = 0;
  for (let i = 0; i < 20 && r !== data.length; i++) {
    const n = api.SSL_read(server, buf, buf.length);
    if (n > 0) got += n;
    else assert.equal(api.SSL_get_error(server, n), api.SSL_ERROR_WANT_READ);
    r = api.SSL_write(client, data, data.length);
  }
  assert.equal(r, data.length, 'the retried SSL_write reports the whole length');
  for (let n = api.SSL_read(server, buf, buf.length); n > 0; n = api.SSL_read(server, buf, buf.length)) got += n;
  assert.equal(got, data.length);
});

test('SSL_MODE_ENABLE_PARTIAL_WRITE: a write into a full BIO succeeds once its records are sealed', () => {
  const { client, server, c2s } = pair();
  handshake(client, server);
  assert.equal(api.SSL_set_mode(client, api.SSL_MODE_ENABLE_PARTIAL_WRITE) & api.SSL_MODE_ENABLE_PARTIAL_WRITE, api.SSL_MODE_ENABLE_PARTIAL_WRITE);
  c2s.capacity = 100;
  const data = new Uint8Array(40_000);
  const r = api.SSL_write(client, data, data.length);
  assert.ok(r > 0 && r < data.length, `a partial write of ${r} bytes`);
});

test('SSL_key_update: a requested update makes SSL_read on the peer answer it, and data still flows', () => {
  const { client, server } = pair();
  handshake(client, server);
  assert.equal(api.SSL_key_update(client, api.SSL_KEY_UPDATE_REQUESTED), 1);
  assert.equal(api.SSL_write(client, text('after update'), 12), 12);
  const buf = new Uint8Array(64);
  assert.equal(api.SSL_read(server, buf, 64), 12);
  assert.equal(api.SSL_write(server, text('reply'), 5), 5);
  assert.equal(api.SSL_read(client, buf, 64), 5);
});

test('a protocol error is SSL_ERROR_SSL with the reason OpenSSL gives (a peer alert as "sslv3 alert ...")', () => {
  const clientCtx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  assert.equal(ctxApi.SSL_CTX_set_ciphersuites(clientCtx, 'TLS_AES_128_GCM_SHA256'), 1);
  const sctx = serverCtx();
  assert.equal(ctxApi.SSL_CTX_set_ciphersuites(sctx, 'TLS_CHACHA20_POLY1305_SHA256'), 1);
  const { client, server } = pair({ clientCtx, serverCtx: sctx });
  let r = api.SSL_connect(client);
  assert.equal(api.SSL_get_error(client, r), api.SSL_ERROR_WANT_READ);
  r = api.SSL_accept(server);
  assert.equal(api.SSL_get_error(server, r), api.SSL_ERROR_SSL);
  assert.match(ERR_error_string(ERR_get_error()), /SSL routines::ssl handshake failure/);
  r = api.SSL_connect(client);
  assert.equal(api.SSL_get_error(client, r), api.SSL_ERROR_SSL);
  assert.equal(ERR_error_string(ERR_get_error()), 'error:0A000410:SSL routines::sslv3 alert handshake failure');
});

test('every API call is traced with its return value and SSL_get_error outcome', () => {
  const { client, server } = pair();
  const events: TraceEvent[] = [];
  api.SSL_set_trace_callback(client, (e) => events.push(e));
  handshake(client, server);
  const calls = events.filter((e) => e.kind === 'api');
  assert.ok(calls.length >= 2);
  const first = calls[0] as Extract<TraceEvent, { kind: 'api' }>;
  assert.equal(first.call, 'SSL_connect(ssl)');
  assert.equal(first.ret, -1);
  assert.equal(first.error?.name, 'SSL_ERROR_WANT_READ');
  assert.equal((calls.at(-1) as Extract<TraceEvent, { kind: 'api' }>).ret, 1);
  assert.ok(events.some((e) => e.kind === 'handshake'), 'protocol events come through the same callback');
});

test('SSL_dup copies settings, not the connection; SSL_set_tlsext_host_name sets SNI', () => {
  const { client, server } = pair();
  assert.equal(api.SSL_set_tlsext_host_name(client, 'example.test'), 1);
  api.SSL_set_connect_state(client);
  const d = api.SSL_dup(client)!;
  assert.equal(d.hostname, 'example.test');
  assert.equal(d.server, false);
  assert.equal(d.conn, undefined);
  handshake(client, server);
  assert.equal(api.SSL_get_servername(server), 'example.test');
});

test('SSL_wait resolves when the read BIO receives bytes (the seed\'s select())', async () => {
  const { client, server } = pair();
  const r = api.SSL_connect(client);
  assert.equal(api.SSL_get_error(client, r), api.SSL_ERROR_WANT_READ);
  const waiting = api.SSL_wait(client, 2000);
  api.SSL_accept(server);
  await waiting;
  assert.equal(await api.SSL_retry(client, () => api.SSL_connect(client)), 1);
});

test('SSL_get1_session after a handshake, SSL_set_session on a new SSL: SSL_session_reused is 1', () => {
  const sctx = serverCtx();
  const cctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  const first = pair({ serverCtx: sctx, clientCtx: cctx });
  handshake(first.client, first.server);
  // The tickets travel after the handshake: a read on the client takes them in.
  const buf = new Uint8Array(16);
  assert.equal(api.SSL_read(first.client, buf, 16), -1);
  assert.equal(api.SSL_get_error(first.client, -1), api.SSL_ERROR_WANT_READ);
  const sess = api.SSL_get1_session(first.client);
  assert.ok(sess, 'a session is available');
  assert.equal(api.SSL_SESSION_is_resumable(sess!), 1);
  assert.equal(api.SSL_session_reused(first.client), 0);
  const second = pair({ serverCtx: sctx, clientCtx: cctx });
  assert.equal(api.SSL_set_session(second.client, sess), 1);
  handshake(second.client, second.server);
  assert.equal(api.SSL_session_reused(second.client), 1);
  assert.equal(api.SSL_session_reused(second.server), 1);
  api.SSL_SESSION_free(sess);
});

test('X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem): our client and server agree on the hybrid group', () => {
  const cctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  assert.equal(ctxApi.SSL_CTX_set1_groups_list(cctx, 'X25519MLKEM768:X25519'), 1);
  const sctx = serverCtx();
  assert.equal(ctxApi.SSL_CTX_set1_groups_list(sctx, 'X25519MLKEM768'), 1);
  const { client, server } = pair({ serverCtx: sctx, clientCtx: cctx });
  handshake(client, server);
  assert.equal(client.conn!.negotiated!.group, 0x11ec);
  assert.equal(api.SSL_write(client, text('post-quantum'), 12), 12);
  const buf = new Uint8Array(32);
  assert.equal(api.SSL_read(server, buf, 32), 12);
});

test('SSL_ERROR_WANT_CLIENT_HELLO_CB: the ClientHello callback returns RETRY, then SUCCESS on the next SSL_accept', () => {
  const sctx = serverCtx();
  let calls = 0;
  let seenName: string | undefined;
  ctxApi.SSL_CTX_set_client_hello_cb(sctx, (ssl) => {
    calls++;
    seenName = api.SSL_client_hello_get0_servername(ssl as api.SSL);
    return calls === 1 ? ctxApi.SSL_CLIENT_HELLO_RETRY : ctxApi.SSL_CLIENT_HELLO_SUCCESS;
  });
  const { client, server } = pair({ serverCtx: sctx });
  api.SSL_set_tlsext_host_name(client, 'hello.test');
  assert.equal(api.SSL_get_error(client, api.SSL_connect(client)), api.SSL_ERROR_WANT_READ);
  let r = api.SSL_accept(server);
  assert.equal(r, -1);
  assert.equal(api.SSL_get_error(server, r), api.SSL_ERROR_WANT_CLIENT_HELLO_CB);
  assert.equal(seenName, 'hello.test', 'the callback sees the ClientHello (SSL_client_hello_get0_servername)');
  assert.ok(api.SSL_client_hello_get0_ciphers(server).includes(0x1301));
  r = api.SSL_accept(server);
  assert.equal(api.SSL_get_error(server, r), api.SSL_ERROR_WANT_READ, 'called again, the callback succeeds and the server answers');
  assert.equal(calls, 2);
  handshake(client, server);
});

test('the ClientHello callback returning ERROR fails the handshake: SSL_ERROR_SSL, handshake_failure to the client', () => {
  const sctx = serverCtx();
  ctxApi.SSL_CTX_set_client_hello_cb(sctx, () => ctxApi.SSL_CLIENT_HELLO_ERROR);
  const { client, server } = pair({ serverCtx: sctx });
  api.SSL_connect(client);
  assert.equal(api.SSL_get_error(server, api.SSL_accept(server)), api.SSL_ERROR_SSL);
  assert.equal(api.SSL_get_error(client, api.SSL_connect(client)), api.SSL_ERROR_SSL);
  assert.match(ERR_error_string(ERR_get_error()), /sslv3 alert handshake failure/);
});

test('SSL_ERROR_WANT_X509_LOOKUP: the client certificate callback asks to be called again, then supplies a certificate', () => {
  const sctx = serverCtx();
  ctxApi.SSL_CTX_set_verify(sctx, ctxApi.SSL_VERIFY_PEER | ctxApi.SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  assert.equal(ctxApi.SSL_CTX_load_verify_locations(sctx, F('ed25519.crt'), null), 1, 'the server trusts the self-signed client certificate');
  const cctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  const holder = ctxApi.SSL_CTX_new(TLS_client_method())!;
  assert.equal(ctxApi.SSL_CTX_use_certificate_file(holder, F('ed25519.crt'), SSL_FILETYPE_PEM), 1);
  assert.equal(ctxApi.SSL_CTX_use_PrivateKey_file(holder, F('ed25519.key'), SSL_FILETYPE_PEM), 1);
  const slot = holder.slots.get(holder.current!)!;
  let calls = 0;
  ctxApi.SSL_CTX_set_client_cert_cb(cctx, (_ssl, out) => {
    if (++calls === 1) return -1;
    out.x509 = slot.x509;
    out.pkey = slot.privatekey;
    return 1;
  });
  const { client, server } = pair({ serverCtx: sctx, clientCtx: cctx });
  assert.equal(api.SSL_get_error(client, api.SSL_connect(client)), api.SSL_ERROR_WANT_READ);
  assert.equal(api.SSL_get_error(server, api.SSL_accept(server)), api.SSL_ERROR_WANT_READ);
  const r = api.SSL_connect(client);
  assert.equal(api.SSL_get_error(client, r), api.SSL_ERROR_WANT_X509_LOOKUP);
  handshake(client, server);
  assert.equal(calls, 2);
  assert.match(api.SSL_get1_peer_certificate(server)!.info.subject.text, /ed25519/);
});

test('SSL_ERROR_WANT_ASYNC: under SSL_MODE_ASYNC the server signs with WebCrypto and the handshake waits for it', async () => {
  for (const [cert, key] of [['ec-p256.crt', 'ec-p256.key'], ['rsa2048.crt', 'rsa2048.key'], ['ed25519.crt', 'ed25519.key']] as const) {
    const sctx = serverCtx(cert, key);
    api.SSL_CTX_set_mode(sctx, api.SSL_MODE_ASYNC);
    const { client, server } = pair({ serverCtx: sctx });
    assert.equal(api.SSL_get_error(client, api.SSL_connect(client)), api.SSL_ERROR_WANT_READ);
    const r = api.SSL_accept(server);
    assert.equal(api.SSL_get_error(server, r), api.SSL_ERROR_WANT_ASYNC, `${cert}: the signature is being computed`);
    await api.SSL_wait(server);
    assert.equal(api.SSL_get_error(server, api.SSL_accept(server)), api.SSL_ERROR_WANT_READ, `${cert}: flight sent, waiting for the client`);
    handshake(client, server);
  }
});

test('SSL_ERROR_WANT_ASYNC_JOB: with a pool of one job, a second SSL cannot start while the first waits', async () => {
  assert.equal(ASYNC_init_thread(1, 1), 1);
  try {
    const sctx = serverCtx();
    api.SSL_CTX_set_mode(sctx, api.SSL_MODE_ASYNC);
    const a = pair({ serverCtx: sctx });
    const b = pair({ serverCtx: sctx });
    api.SSL_connect(a.client);
    api.SSL_connect(b.client);
    assert.equal(api.SSL_get_error(a.server, api.SSL_accept(a.server)), api.SSL_ERROR_WANT_ASYNC, 'a holds the only job');
    const r = api.SSL_accept(b.server);
    assert.equal(api.SSL_get_error(b.server, r), api.SSL_ERROR_WANT_ASYNC_JOB, 'no job left for b');
    await api.SSL_wait(a.server);
    assert.equal(api.SSL_get_error(a.server, api.SSL_accept(a.server)), api.SSL_ERROR_WANT_READ, 'a finished its async step and gave the job back');
    assert.equal(api.SSL_get_error(b.server, api.SSL_accept(b.server)), api.SSL_ERROR_WANT_ASYNC, 'now b gets the job');
    await api.SSL_wait(b.server);
    assert.equal(api.SSL_get_error(b.server, api.SSL_accept(b.server)), api.SSL_ERROR_WANT_READ, 'b finished its async step: the job is free again');
    handshake(a.client, a.server);
    handshake(b.client, b.server);
  } finally {
    ASYNC_cleanup_thread();
  }
});

test('SSL_use_certificate_file / SSL_use_PrivateKey_file / SSL_check_private_key on one SSL; the context is not changed', () => {
  const ctx = serverCtx('ec-p256.crt', 'ec-p256.key');
  const ssl = api.SSL_new(ctx)!;
  assert.equal(api.SSL_check_private_key(ssl), 1, 'the SSL copied its context\'s pair');
  assert.equal(api.SSL_use_certificate_file(ssl, F('ed25519.crt'), SSL_FILETYPE_PEM), 1);
  assert.equal(api.SSL_check_private_key(ssl), 0, 'the Ed25519 slot has no key yet');
  assert.match(ERR_error_string(ERR_get_error()), /no private key assigned/);
  assert.equal(api.SSL_use_PrivateKey_file(ssl, F('ed25519.key'), SSL_FILETYPE_PEM), 1);
  assert.equal(api.SSL_check_private_key(ssl), 1);
  assert.equal(ctxApi.SSL_CTX_check_private_key(ctx), 1);
  assert.equal(ctx.current, 'ecc', 'the context still serves its own pair');
  const client = api.SSL_new(ctxApi.SSL_CTX_new(TLS_client_method()))!;
  const c2s = new MemBIO();
  const s2c = new MemBIO();
  api.SSL_set_bio(client, s2c, c2s);
  api.SSL_set_bio(ssl, c2s, s2c);
  handshake(client, ssl);
  assert.match(api.SSL_get1_peer_certificate(client)!.info.subject.text, /ed25519/, 'this SSL served its own certificate');
  const der = new Uint8Array(fs.readFileSync(F('rsa2048.crt.der')));
  const other = api.SSL_new(ctx)!;
  assert.equal(api.SSL_use_certificate_ASN1(other, der, der.length), 1);
  assert.equal(api.SSL_use_PrivateKey_file(other, F('rsa2048.key'), SSL_FILETYPE_PEM), 1);
  assert.equal(api.SSL_check_private_key(other), 1);
});

test('SSL_library_init and OpenSSL_add_ssl_algorithms always return 1 (seed: SSL_library_init)', () => {
  assert.equal(api.SSL_library_init(), 1);
  assert.equal(api.OpenSSL_add_ssl_algorithms(), 1);
});

test('SSL_set_min/max_proto_version: copied from the context, changed per SSL; a value that is no TLS version is refused', () => {
  const ctx = ctxApi.SSL_CTX_new(TLS_method())!;
  assert.equal(ctxApi.SSL_CTX_set_min_proto_version(ctx, 0x0304), 1);
  const s = api.SSL_new(ctx)!;
  assert.equal(api.SSL_get_min_proto_version(s), 0x0304);
  assert.equal(api.SSL_set_max_proto_version(s, 0x0304), 1);
  assert.equal(api.SSL_get_max_proto_version(s), 0x0304);
  assert.equal(api.SSL_set_max_proto_version(s, 0x0303), 1);
  assert.equal(api.SSL_set_max_proto_version(s, 0x0200), 0, 'SSL 2.0 is not a version this engine speaks');
  assert.match(ERR_error_string(ERR_get_error()), /unsupported protocol/);
});

test('BIO_new(BIO_s_connect()) + BIO_set_conn_hostname + BIO_do_connect: -1 and retry while connecting, then 1', async () => {
  const net = await import('node:net');
  const bioApi = await import('../../engine/api/bio');
  const srv = net.createServer((c) => c.end());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as import('node:net').AddressInfo).port;
  const b = bioApi.BIO_new(bioApi.BIO_s_connect()) as InstanceType<typeof bioApi.ConnectBIO>;
  assert.equal(bioApi.BIO_set_conn_hostname(b, 'no-port'), 0);
  assert.equal(bioApi.BIO_set_conn_hostname(b, `127.0.0.1:${port}`), 1);
  assert.equal(bioApi.BIO_do_connect(b), -1);
  assert.ok(bioApi.BIO_should_retry(b), 'still connecting: retry (WANT_CONNECT)');
  await b.ready('connect');
  assert.equal(bioApi.BIO_do_connect(b), 1);
  b.socket.destroy();
  srv.close();
});

test('BIO_new(BIO_s_accept()) + BIO_set_accept_name + BIO_do_accept: 1 to listen, -1 and retry until a client comes, then 1', async () => {
  const net = await import('node:net');
  const bioApi = await import('../../engine/api/bio');
  const b = bioApi.BIO_new(bioApi.BIO_s_accept()) as InstanceType<typeof bioApi.AcceptBIO>;
  assert.equal(bioApi.BIO_set_accept_name(b, '127.0.0.1:0'), 1);
  assert.equal(bioApi.BIO_do_accept(b), 1, 'the first call binds and listens');
  const port = await b.listening();
  assert.equal(bioApi.BIO_do_accept(b), -1);
  assert.ok(bioApi.BIO_should_retry(b), 'no client yet: retry (WANT_ACCEPT)');
  const c = net.connect(port, '127.0.0.1');
  await b.ready('accept');
  assert.equal(bioApi.BIO_do_accept(b), 1);
  c.destroy();
  b.socket?.socket.destroy();
});

test('every method of the seed makes a context (DTLS ones are proven in api-dtls.test.ts)', () => {
  const flexible = ['TLS_method', 'TLS_client_method', 'TLS_server_method', 'SSLv23_method', 'SSLv23_client_method', 'SSLv23_server_method',
    'TLSv1_2_method', 'TLSv1_2_client_method', 'TLSv1_2_server_method', 'TLSv1_1_method', 'TLSv1_1_client_method', 'TLSv1_1_server_method',
    'TLSv1_method', 'TLSv1_client_method', 'TLSv1_server_method', 'SSLv3_method', 'SSLv3_client_method', 'SSLv3_server_method',
    'DTLS_method', 'DTLS_client_method', 'DTLS_server_method', 'DTLSv1_method', 'DTLSv1_client_method', 'DTLSv1_server_method',
    'DTLSv1_2_method', 'DTLSv1_2_client_method', 'DTLSv1_2_server_method'] as const;
  for (const name of flexible) {
    const ctx = ctxApi.SSL_CTX_new(methods[name]());
    assert.ok(ctx, name);
    const s = api.SSL_new(ctx)!;
    assert.equal(api.SSL_is_server(s), name.includes('client') ? 0 : 1, `${name}: SSL_is_server`);
  }
});

test('SSL_peek_ex: 1 with the bytes counted, the data stays for SSL_read_ex', () => {
  const { client, server } = pair();
  handshake(client, server);
  api.SSL_write(client, text('peek-ex'), 7);
  const buf = new Uint8Array(16);
  const got = { value: 0 };
  assert.equal(api.SSL_peek_ex(server, buf, 16, got), 1);
  assert.equal(got.value, 7);
  assert.equal(api.SSL_read_ex(server, buf, 16, got), 1);
  assert.equal(new TextDecoder().decode(buf.subarray(0, got.value)), 'peek-ex');
  assert.equal(api.SSL_peek_ex(server, buf, 16, got), 0, 'nothing left: 0');
  assert.equal(api.SSL_get_error(server, 0), api.SSL_ERROR_WANT_READ);
});

test('SSL_use_certificate (an X509) and SSL_use_certificate_chain_file (leaf then intermediates) on one SSL', () => {
  const ssl = api.SSL_new(ctxApi.SSL_CTX_new(TLS_server_method()))!;
  assert.equal(api.SSL_use_certificate(ssl, null), 0, 'NULL: 0');
  ERR_clear_error();
  const x = ctxApi.x509FromDer(new Uint8Array(fs.readFileSync(F('rsa2048.crt.der'))))!;
  assert.equal(api.SSL_use_certificate(ssl, x), 1);
  assert.equal(api.SSL_use_certificate_chain_file(ssl, F('does-not-exist.pem')), 0);
  ERR_clear_error();
  const dir = fs.mkdtempSync(path.join((globalThis as { process?: { env: Record<string, string> } }).process?.env.TMPDIR ?? '/tmp', 'tlslens-chain-'));
  const chain = path.join(dir, 'chain.pem');
  fs.writeFileSync(chain, fs.readFileSync(F('leaf.crt'), 'utf8') + fs.readFileSync(F('intermediate-ca.crt'), 'utf8'));
  assert.equal(api.SSL_use_certificate_chain_file(ssl, chain), 1);
  assert.equal(api.SSL_use_PrivateKey_file(ssl, F('leaf.key'), SSL_FILETYPE_PEM), 1);
  assert.equal(api.SSL_check_private_key(ssl), 1);
  const client = api.SSL_new(ctxApi.SSL_CTX_new(TLS_client_method()))!;
  const c2s = new MemBIO();
  const s2c = new MemBIO();
  api.SSL_set_bio(client, s2c, c2s);
  api.SSL_set_bio(ssl, c2s, s2c);
  handshake(client, ssl);
  assert.equal(api.SSL_get_peer_cert_chain(client)!.length, 2, 'the leaf and the intermediate from the chain file were sent');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('fixed-version methods really restrict the version: each pair speaks its one version, SSL_get_version says which', () => {
  const cases = [
    ['TLSv1_2_client_method', 'TLSv1_2_server_method', 'TLSv1.2'],
    ['TLSv1_1_client_method', 'TLSv1_1_server_method', 'TLSv1.1'],
    ['TLSv1_client_method', 'TLSv1_server_method', 'TLSv1'],
    ['SSLv3_client_method', 'SSLv3_server_method', 'SSLv3'],
  ] as const;
  for (const [cm, sm, want] of cases) {
    const sctx = ctxApi.SSL_CTX_new(methods[sm]())!;
    assert.equal(ctxApi.SSL_CTX_use_certificate_file(sctx, F('rsa2048.crt'), SSL_FILETYPE_PEM), 1);
    assert.equal(ctxApi.SSL_CTX_use_PrivateKey_file(sctx, F('rsa2048.key'), SSL_FILETYPE_PEM), 1);
    const { client, server } = pair({ serverCtx: sctx, clientCtx: ctxApi.SSL_CTX_new(methods[cm]())! });
    handshake(client, server);
    assert.equal(api.SSL_get_version(client), want, cm);
    assert.equal(api.SSL_get_version(server), want, sm);
    api.SSL_write(client, text('hello old world'), 15);
    const buf = new Uint8Array(32);
    assert.equal(api.SSL_read(server, buf, 32), 15, `${want}: data arrives`);
  }
});

test('a TLS 1.2-only client to a TLS 1.3-only server: SSL_ERROR_SSL on both sides, protocol_version', () => {
  const sctx = serverCtx();
  assert.equal(ctxApi.SSL_CTX_set_min_proto_version(sctx, 0x0304), 1);
  const { client, server } = pair({ serverCtx: sctx, clientCtx: ctxApi.SSL_CTX_new(methods.TLSv1_2_client_method())! });
  assert.equal(api.SSL_get_error(client, api.SSL_connect(client)), api.SSL_ERROR_WANT_READ);
  ERR_clear_error();
  assert.equal(api.SSL_get_error(server, api.SSL_accept(server)), api.SSL_ERROR_SSL);
  assert.match(ERR_error_string(ERR_get_error()), /unsupported protocol|ssl handshake failure/);
  assert.equal(api.SSL_get_error(client, api.SSL_connect(client)), api.SSL_ERROR_SSL);
  assert.match(ERR_error_string(ERR_get_error()), /alert protocol version/);
});

test('SSL_CTX_set_cipher_list: OpenSSL names select the TLS 1.2 suite; a list with no known suite returns 0 ("no cipher match")', () => {
  const cctx = ctxApi.SSL_CTX_new(methods.TLSv1_2_client_method())!;
  assert.equal(ctxApi.SSL_CTX_set_cipher_list(cctx, 'NOT-A-CIPHER'), 0);
  assert.match(ERR_error_string(ERR_get_error()), /no cipher match/);
  assert.equal(ctxApi.SSL_CTX_set_cipher_list(cctx, 'ECDHE-ECDSA-CHACHA20-POLY1305:@SECLEVEL=1'), 1);
  const { client, server } = pair({ clientCtx: cctx });
  handshake(client, server);
  assert.equal(api.SSL_get_cipher_name(client), 'ECDHE-ECDSA-CHACHA20-POLY1305');
});

/** A TLS 1.2 pair with an RSA server, established. */
function pair12(serverOptions = 0) {
  const sctx = ctxApi.SSL_CTX_new(methods.TLSv1_2_server_method())!;
  assert.equal(ctxApi.SSL_CTX_use_certificate_file(sctx, F('rsa2048.crt'), SSL_FILETYPE_PEM), 1);
  assert.equal(ctxApi.SSL_CTX_use_PrivateKey_file(sctx, F('rsa2048.key'), SSL_FILETYPE_PEM), 1);
  if (serverOptions) ctxApi.SSL_CTX_set_options(sctx, serverOptions);
  const p = pair({ serverCtx: sctx, clientCtx: ctxApi.SSL_CTX_new(methods.TLSv1_2_client_method())! });
  handshake(p.client, p.server);
  return p;
}

test('SSL_renegotiate (client, RFC 5746): SSL_write returns WANT_READ while it is pending, the server carries it, then both go on', () => {
  const { client, server } = pair12(ctxApi.SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
  assert.equal(api.SSL_renegotiate(client), 1);
  assert.equal(api.SSL_renegotiate_pending(client), 1);
  const msg = text('during');
  const w = api.SSL_write(client, msg, msg.length);
  assert.equal(w, -1);
  assert.equal(api.SSL_get_error(client, w), api.SSL_ERROR_WANT_READ, 'the write must first finish the handshake, which waits for the server');
  const buf = new Uint8Array(64);
  for (let i = 0; i < 6 && api.SSL_renegotiate_pending(client); i++) {
    const r = api.SSL_read(server, buf, 64);
    assert.equal(api.SSL_get_error(server, r), api.SSL_ERROR_WANT_READ);
    api.SSL_do_handshake(client);
  }
  assert.equal(api.SSL_renegotiate_pending(client), 0, 'the renegotiation completed');
  assert.equal(api.SSL_write(client, msg, msg.length), msg.length);
  assert.equal(api.SSL_read(server, buf, 64), msg.length);
  assert.equal(new TextDecoder().decode(buf.subarray(0, msg.length)), 'during');
});

test('a server without SSL_OP_ALLOW_CLIENT_RENEGOTIATION declines with a no_renegotiation warning; the client goes on as before', () => {
  const { client, server } = pair12();
  assert.equal(api.SSL_renegotiate(client), 1);
  const buf = new Uint8Array(64);
  assert.equal(api.SSL_get_error(server, api.SSL_read(server, buf, 64)), api.SSL_ERROR_WANT_READ);
  const msg = text('still here');
  assert.equal(api.SSL_write(client, msg, msg.length), msg.length, 'the declined renegotiation no longer blocks writes');
  assert.equal(api.SSL_renegotiate_pending(client), 0);
  assert.equal(api.SSL_read(server, buf, 64), msg.length);
});

test('SSL_renegotiate on the server sends HelloRequest; SSL_read on the client renegotiates and delivers data; TLS 1.3 refuses it', () => {
  const { client, server } = pair12();
  let negotiated = 0;
  api.SSL_set_trace_callback(client, (e) => { if (e.kind === 'negotiated') negotiated++; });
  assert.equal(api.SSL_renegotiate(server), 1);
  const buf = new Uint8Array(64);
  for (let i = 0; i < 6; i++) {
    api.SSL_read(client, buf, 64);
    api.SSL_read(server, buf, 64);
  }
  assert.equal(negotiated, 1, 'the client completed a second handshake');
  assert.equal(api.SSL_renegotiate_pending(server), 0);
  assert.equal(api.SSL_write(server, text('after'), 5), 5);
  assert.equal(api.SSL_read(client, buf, 64), 5);
  const t13 = pair();
  handshake(t13.client, t13.server);
  assert.equal(api.SSL_renegotiate(t13.client), 0);
  assert.match(ERR_error_string(ERR_get_error()), /wrong ssl version/);
});
