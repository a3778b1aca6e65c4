// Peer verification through OpenSSL's API (seed: SSL_CTX_set_verify): the store, the verify callback's
// calls, SSL_get_verify_result's X509_V_ERR codes, SSL_set1_host, verify depth, and the alert a failure sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as ctxApi from '../../engine/api/ctx';
import * as api from '../../engine/api/ssl';
import * as store from '../../engine/api/x509-store';
import { MemBIO } from '../../engine/api/bio';
import { SSL_FILETYPE_PEM } from '../../engine/api/constants';
import { ERR_error_string, ERR_get_error, ERR_get_error_all, ERR_clear_error } from '../../engine/api/err';
import { TLS_client_method, TLS_server_method } from '../../engine/api/method';
import { X509 } from '../../engine/api/objects';
import fs from 'node:fs';
import { scanPem } from '../../engine/pem/blocks';

const F = (n: string) => path.resolve('test/fixtures/pki', n);
const pemCert = (n: string) => new X509(scanPem(fs.readFileSync(F(n), 'utf8')).blocks[0]!.der!);

/** leaf.example.com (P-256) with its intermediate; the root is not sent. */
function serverCtx() {
  const ctx = ctxApi.SSL_CTX_new(TLS_server_method())!;
  assert.equal(ctxApi.SSL_CTX_use_certificate_file(ctx, F('leaf.crt'), SSL_FILETYPE_PEM), 1);
  assert.equal(ctxApi.SSL_CTX_use_PrivateKey_file(ctx, F('leaf.key'), SSL_FILETYPE_PEM), 1);
  assert.equal(ctxApi.SSL_CTX_add_extra_chain_cert(ctx, pemCert('intermediate-ca.crt')), 1);
  return ctx;
}

function pair(clientCtx: ctxApi.SSL_CTX, sctx = serverCtx()) {
  const c2s = new MemBIO();
  const s2c = new MemBIO();
  const client = api.SSL_new(clientCtx)!;
  const server = api.SSL_new(sctx)!;
  api.SSL_set_bio(client, s2c, c2s);
  api.SSL_set_bio(server, c2s, s2c);
  api.SSL_set_connect_state(client);
  api.SSL_set_accept_state(server);
  return { client, server };
}

/** Runs both sides until neither makes progress; returns their last return values. */
function run(client: api.SSL, server: api.SSL): { c: number; s: number } {
  let c = 0;
  let s = 0;
  for (let i = 0; i < 12 && (c !== 1 || s !== 1); i++) {
    if (c !== 1) c = api.SSL_do_handshake(client);
    if (c !== 1 && api.SSL_get_error(client, c) === api.SSL_ERROR_SSL) break; // leave the error queue to the client
    if (s !== 1) s = api.SSL_do_handshake(server);
  }
  return { c, s };
}

test('SSL_VERIFY_NONE (the default): the handshake completes and SSL_get_verify_result keeps the failure (20, as s_client without -CAfile)', () => {
  const { client, server } = pair(ctxApi.SSL_CTX_new(TLS_client_method())!);
  assert.equal(api.SSL_get_verify_result(client), store.X509_V_OK, 'X509_V_OK before any chain was verified');
  assert.deepEqual(run(client, server), { c: 1, s: 1 });
  assert.equal(api.SSL_get_verify_result(client), 20, 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  assert.equal(store.X509_verify_cert_error_string(20), 'unable to get local issuer certificate');
  assert.equal(api.SSL_get_peer_cert_chain(client)!.length, 2, 'leaf and intermediate as sent');
});

test('SSL_VERIFY_PEER with SSL_CTX_load_verify_locations: verified, X509_V_OK, the verified chain ends at the anchor', () => {
  const cctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  assert.equal(ctxApi.SSL_CTX_load_verify_locations(cctx, F('root-ca.crt'), null), 1);
  ctxApi.SSL_CTX_set_verify(cctx, ctxApi.SSL_VERIFY_PEER, null);
  assert.equal(ctxApi.SSL_CTX_get_verify_mode(cctx), ctxApi.SSL_VERIFY_PEER);
  const { client, server } = pair(cctx);
  assert.equal(api.SSL_set1_host(client, 'www.leaf.example.com'), 1);
  assert.deepEqual(run(client, server), { c: 1, s: 1 });
  assert.equal(api.SSL_get_verify_result(client), store.X509_V_OK);
  assert.deepEqual(api.SSL_get0_verified_chain(client).map((x) => x.info.subject.text.match(/CN ?= ?([^,/]+)/)?.[1]), ['leaf.example.com', 'TLS Lens Test Intermediate CA', 'TLS Lens Test Root CA']);
});

test('SSL_CTX_load_verify_locations: 0 for (NULL, NULL), a missing file, and a file without certificates', () => {
  const cctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  assert.equal(ctxApi.SSL_CTX_load_verify_locations(cctx, null, null), 0);
  assert.equal(ctxApi.SSL_CTX_load_verify_locations(cctx, F('does-not-exist.pem'), null), 0);
  ERR_clear_error();
  assert.equal(ctxApi.SSL_CTX_load_verify_locations(cctx, F('leaf.key'), null), 0);
  ERR_clear_error();
  assert.equal(store.X509_STORE_add_cert(ctxApi.SSL_CTX_get_cert_store(cctx), pemCert('root-ca.crt')), 1);
  assert.equal(store.X509_STORE_add_cert(ctxApi.SSL_CTX_get_cert_store(cctx), pemCert('root-ca.crt')), 1, 'a duplicate is not an error');
  assert.equal(ctxApi.SSL_CTX_get_cert_store(cctx).anchors.length, 1);
});

test('SSL_VERIFY_PEER without a trust anchor: SSL_ERROR_SSL, "certificate verify failed", and the server receives unknown_ca', () => {
  const cctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  ctxApi.SSL_CTX_set_verify(cctx, ctxApi.SSL_VERIFY_PEER);
  const { client, server } = pair(cctx);
  const alerts: string[] = [];
  api.SSL_set_trace_callback(server, (e) => { if (e.kind === 'alert') alerts.push(e.name); });
  ERR_clear_error();
  const { c } = run(client, server);
  assert.ok(c <= 0);
  assert.equal(api.SSL_get_error(client, c), api.SSL_ERROR_SSL);
  assert.match(ERR_error_string(ERR_get_error()), /certificate verify failed/);
  assert.equal(api.SSL_get_verify_result(client), 20);
  api.SSL_do_handshake(server);
  assert.ok(alerts.includes('unknown_ca'), `server saw ${alerts.join(', ')}`);
});

test('the verify callback sees each certificate from the top down, errors first with preverify_ok 0, and may override them', () => {
  const calls: string[] = [];
  const cctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  ctxApi.SSL_CTX_set_verify(cctx, ctxApi.SSL_VERIFY_PEER, (ok, x) => {
    const cn = store.X509_STORE_CTX_get_current_cert(x)?.info.subject.text.match(/CN ?= ?([^,/]+)/)?.[1];
    calls.push(`${ok} depth=${store.X509_STORE_CTX_get_error_depth(x)} err=${store.X509_STORE_CTX_get_error(x)} ${cn}`);
    return 1; // accept anyway, as a pinning application might
  });
  const { client, server } = pair(cctx);
  assert.deepEqual(run(client, server), { c: 1, s: 1 }, 'the callback overrode the failure');
  assert.equal(api.SSL_get_verify_result(client), 20, 'the overridden error is still reported');
  assert.deepEqual(calls, [
    '0 depth=1 err=20 TLS Lens Test Intermediate CA',
    '1 depth=1 err=20 TLS Lens Test Intermediate CA',
    '1 depth=0 err=20 leaf.example.com',
  ]);
});

test('a callback returning 0 for a good chain fails it with X509_V_ERR_APPLICATION_VERIFICATION (50)', () => {
  const cctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  ctxApi.SSL_CTX_load_verify_locations(cctx, F('root-ca.crt'), null);
  ctxApi.SSL_CTX_set_verify(cctx, ctxApi.SSL_VERIFY_PEER, (ok, x) => (store.X509_STORE_CTX_get_error_depth(x) === 0 ? 0 : ok));
  const { client, server } = pair(cctx);
  const { c } = run(client, server);
  assert.equal(api.SSL_get_error(client, c), api.SSL_ERROR_SSL);
  assert.equal(api.SSL_get_verify_result(client), store.X509_V_ERR_APPLICATION_VERIFICATION);
});

test('SSL_set1_host: a name the certificate does not list fails with 62 and the handshake_failure alert', () => {
  const cctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  ctxApi.SSL_CTX_load_verify_locations(cctx, F('root-ca.crt'), null);
  ctxApi.SSL_CTX_set_verify(cctx, ctxApi.SSL_VERIFY_PEER);
  const { client, server } = pair(cctx);
  api.SSL_set1_host(client, 'other.example.org');
  const alerts: string[] = [];
  api.SSL_set_trace_callback(client, (e) => { if (e.kind === 'alert') alerts.push(e.name); });
  const { c } = run(client, server);
  assert.equal(api.SSL_get_error(client, c), api.SSL_ERROR_SSL);
  assert.equal(api.SSL_get_verify_result(client), 62, 'X509_V_ERR_HOSTNAME_MISMATCH');
  assert.ok(alerts.includes('handshake_failure'), alerts.join(', '));
});

test('SSL_CTX_set_verify_depth(0): a path with an intermediate is too long (22)', () => {
  const cctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  ctxApi.SSL_CTX_load_verify_locations(cctx, F('root-ca.crt'), null);
  ctxApi.SSL_CTX_set_verify(cctx, ctxApi.SSL_VERIFY_PEER);
  ctxApi.SSL_CTX_set_verify_depth(cctx, 0);
  const { client, server } = pair(cctx);
  const { c } = run(client, server);
  assert.equal(api.SSL_get_error(client, c), api.SSL_ERROR_SSL);
  assert.equal(api.SSL_get_verify_result(client), store.X509_V_ERR_CERT_CHAIN_TOO_LONG);
});

test('server: SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT judges the client chain for purpose sslclient', () => {
  const sctx = serverCtx();
  ctxApi.SSL_CTX_load_verify_locations(sctx, F('root-ca.crt'), null);
  ctxApi.SSL_CTX_set_verify(sctx, ctxApi.SSL_VERIFY_PEER | ctxApi.SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  const cctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  ctxApi.SSL_CTX_use_certificate_file(cctx, F('leaf.crt'), SSL_FILETYPE_PEM);
  ctxApi.SSL_CTX_use_PrivateKey_file(cctx, F('leaf.key'), SSL_FILETYPE_PEM);
  ctxApi.SSL_CTX_add_extra_chain_cert(cctx, pemCert('intermediate-ca.crt'));
  const { client, server } = pair(cctx, sctx);
  const r = run(client, server);
  assert.deepEqual(r, { c: 1, s: 1 }, 'the fixture leaf carries clientAuth in its extendedKeyUsage');
  assert.equal(api.SSL_get_verify_result(server), 0);
  assert.equal(api.SSL_get0_verified_chain(server).length, 3);
});

test('SSL_set_tlsext_status_type(TLSEXT_STATUSTYPE_ocsp) sends status_request; another type is refused with 0', () => {
  const cctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  const { client, server } = pair(cctx);
  assert.equal(api.SSL_set_tlsext_status_type(client, 2), 0);
  ERR_clear_error();
  assert.equal(api.SSL_set_tlsext_status_type(client, api.TLSEXT_STATUSTYPE_ocsp), 1);
  let offered = false;
  api.SSL_set_trace_callback(server, (e) => { if (e.kind === 'handshake' && e.name === 'client_hello') offered = JSON.stringify(e.fields).includes('statusRequest'); });
  assert.deepEqual(run(client, server), { c: 1, s: 1 });
  assert.ok(offered, 'the ClientHello carried status_request');
  assert.equal(api.SSL_get_tlsext_status_ocsp_resp(client), undefined, 'this server staples nothing');
});

test('SSL_CTX_set_max_cert_list: a server chain over the limit fails the handshake naming maxCertificateChainBytes; the default takes it', () => {
  const cctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
  assert.equal(ctxApi.SSL_CTX_get_max_cert_list(cctx), 100 * 1024, "OpenSSL's default of 100 KiB");
  assert.equal(ctxApi.SSL_CTX_set_max_cert_list(cctx, 500), 100 * 1024, 'returns the previous value');
  const { client, server } = pair(cctx);
  assert.equal(api.SSL_get_max_cert_list(client), 500, 'an SSL takes its context value');
  const r = run(client, server);
  assert.notEqual(r.c, 1);
  assert.equal(api.SSL_get_error(client, r.c), api.SSL_ERROR_SSL);
  const e = ERR_get_error_all()!;
  assert.equal(ERR_error_string(e.code), 'error:0A000098:SSL routines::excessive message size', "OpenSSL's reason for a chain over max_cert_list");
  assert.match(e.data ?? '', /maxCertificateChainBytes/);
  ERR_clear_error();
  const ok = pair(ctxApi.SSL_CTX_new(TLS_client_method())!);
  assert.equal(api.SSL_set_max_cert_list(ok.client, 4000), 100 * 1024);
  assert.deepEqual(run(ok.client, ok.server), { c: 1, s: 1 });
});
