// The seed's SSL_CTX_use_certificate page (openssl-ssl-api.zh.md, "SSL_CTX_use_certificate"): return values
// 1 on success, anything else on failure with the reason on the error queue. Error strings are compared with
// what the real `openssl errstr` prints for the same code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as api from '../../engine/api/ctx';
import { SSL_FILETYPE_ASN1, SSL_FILETYPE_PEM, EVP_PKEY_RSA } from '../../engine/api/constants';
import * as methods from '../../engine/api/method';
import { TLS_server_method } from '../../engine/api/method';
import { ERR_clear_error, ERR_error_string, ERR_get_error, ERR_peek_error, ERR_GET_LIB, ERR_LIB_SYS } from '../../engine/api/err';
import { X509 } from '../../engine/api/objects';

const F = (n: string) => path.resolve('test/fixtures/pki', n);

function newCtx(): api.SSL_CTX {
  ERR_clear_error();
  const ctx = api.SSL_CTX_new(TLS_server_method());
  assert.ok(ctx);
  return ctx;
}

/** The first queued error as a string, checked against `openssl errstr` (a real peer's wording). */
function firstError(): string {
  const code = ERR_get_error();
  assert.notEqual(code, 0, 'an error was queued');
  const ours = ERR_error_string(code);
  const theirs = execFileSync('openssl', ['errstr', (code >>> 0).toString(16).toUpperCase()], { encoding: 'utf8' }).trim();
  assert.equal(ours, theirs);
  return ours;
}

test('SSL_CTX_new: every method the seed names gives a context (all are built: SSL 3.0 to TLS 1.3, DTLS 1.0 and 1.2) and queues nothing', () => {
  ERR_clear_error();
  for (const [name, make] of Object.entries(methods)) {
    const ctx = api.SSL_CTX_new(make());
    assert.ok(ctx, name);
    assert.equal(ctx.method.name, name);
  }
  assert.equal(Object.keys(methods).length, 27);
  assert.equal(ERR_get_error(), 0);
  // NULL is refused as OpenSSL refuses it.
  assert.equal(api.SSL_CTX_new(null), null);
  assert.equal(ERR_error_string(ERR_get_error()), 'error:0A0000C4:SSL routines::null ssl method passed');
});

test('SSL_CTX_up_ref / SSL_CTX_free count references', () => {
  const ctx = newCtx();
  assert.equal(api.SSL_CTX_up_ref(ctx), 1);
  assert.equal(ctx.references, 2);
  api.SSL_CTX_free(ctx);
  assert.equal(ctx.references, 1);
});

for (const [cert, key] of [['rsa2048.crt', 'rsa2048.key'], ['rsa4096.crt', 'rsa4096.key'], ['ec-p256.crt', 'ec-p256.key'], ['ec-p384.crt', 'ec-p384.key'],
  ['ec-p521.crt', 'ec-p521.key'], ['ed25519.crt', 'ed25519.key'], ['ed448.crt', 'ed448.key'], ['rsa-pss.crt', 'rsa-pss.key']] as const) {
  test(`use_certificate_file + use_PrivateKey_file + check_private_key return 1 for ${cert}/${key}`, () => {
    const ctx = newCtx();
    assert.equal(api.SSL_CTX_use_certificate_file(ctx, F(cert), SSL_FILETYPE_PEM), 1);
    assert.equal(api.SSL_CTX_use_PrivateKey_file(ctx, F(key), SSL_FILETYPE_PEM), 1);
    assert.equal(api.SSL_CTX_check_private_key(ctx), 1);
    assert.equal(ERR_peek_error(), 0);
  });
}

test('SSL_FILETYPE_ASN1 loads DER certificates and keys (PKCS#1 DER too)', () => {
  const ctx = newCtx();
  assert.equal(api.SSL_CTX_use_certificate_file(ctx, F('rsa2048.crt.der'), SSL_FILETYPE_ASN1), 1);
  assert.equal(api.SSL_CTX_use_PrivateKey_file(ctx, F('rsa2048.rsa.key.der'), SSL_FILETYPE_ASN1), 1);
  assert.equal(api.SSL_CTX_check_private_key(ctx), 1);
});

test('SSL_CTX_use_certificate_ASN1(ctx, len, d) and SSL_CTX_use_PrivateKey_ASN1(pk, ctx, d, len)', () => {
  const ctx = newCtx();
  const der = new Uint8Array(fs.readFileSync(F('rsa2048.crt.der')));
  assert.equal(api.SSL_CTX_use_certificate_ASN1(ctx, der.length, der), 1);
  const key = new Uint8Array(fs.readFileSync(F('rsa2048.rsa.key.der')));
  assert.equal(api.SSL_CTX_use_PrivateKey_ASN1(EVP_PKEY_RSA, ctx, key, key.length), 1);
  assert.equal(api.SSL_CTX_check_private_key(ctx), 1);
});

test('SSL_CTX_use_certificate(ctx, X509) with a decoded X509 object', () => {
  const ctx = newCtx();
  const x = new X509(new Uint8Array(fs.readFileSync(F('rsa2048.crt.der'))));
  assert.equal(api.SSL_CTX_use_certificate(ctx, x), 1);
  assert.equal(api.SSL_CTX_use_certificate(ctx, null), 0);
  assert.match(firstError(), /no certificate assigned/);
});

test('a truncated DER certificate returns 0 with an ASN.1 reason', () => {
  const ctx = newCtx();
  const der = new Uint8Array(fs.readFileSync(F('rsa2048.crt.der')));
  assert.equal(api.SSL_CTX_use_certificate_ASN1(ctx, der.length - 10, der), 0);
  assert.match(ERR_error_string(ERR_get_error()), /asn1 encoding routines::not enough data/);
});

test('a missing file returns 0 with the system error openssl reports', () => {
  const ctx = newCtx();
  assert.equal(api.SSL_CTX_use_certificate_file(ctx, F('no-such-file.pem'), SSL_FILETYPE_PEM), 0);
  const code = ERR_peek_error();
  assert.equal(ERR_GET_LIB(code), ERR_LIB_SYS);
  assert.match(firstError(), /system library::No such file or directory/);
});

test('a file with no certificate returns 0 with PEM "no start line"', () => {
  const ctx = newCtx();
  assert.equal(api.SSL_CTX_use_certificate_file(ctx, F('rsa2048.key'), SSL_FILETYPE_PEM), 0);
  assert.match(firstError(), /PEM routines::no start line/);
  assert.equal(api.SSL_CTX_use_PrivateKey_file(ctx, F('rsa2048.crt'), SSL_FILETYPE_PEM), 0);
  assert.match(firstError(), /PEM routines::no start line/);
});

test('an unknown file type returns 0 with "bad ssl filetype"', () => {
  const ctx = newCtx();
  assert.equal(api.SSL_CTX_use_certificate_file(ctx, F('rsa2048.crt'), 7), 0);
  assert.match(firstError(), /bad ssl filetype/);
});

test('SSL_CTX_check_private_key with nothing loaded: "no certificate assigned"; with only a certificate: "no private key assigned"', () => {
  const ctx = newCtx();
  assert.equal(api.SSL_CTX_check_private_key(ctx), 0);
  assert.match(firstError(), /no certificate assigned/);
  assert.equal(api.SSL_CTX_use_certificate_file(ctx, F('rsa2048.crt'), SSL_FILETYPE_PEM), 1);
  assert.equal(api.SSL_CTX_check_private_key(ctx), 0);
  assert.match(firstError(), /no private key assigned/);
});

test('a key that does not match the loaded certificate is refused: "key values mismatch" (as ssl_set_pkey)', () => {
  const ctx = newCtx();
  assert.equal(api.SSL_CTX_use_certificate_file(ctx, F('mismatch-ec.crt'), SSL_FILETYPE_PEM), 1);
  assert.equal(api.SSL_CTX_use_PrivateKey_file(ctx, F('mismatch-ec.key'), SSL_FILETYPE_PEM), 0);
  assert.match(firstError(), /x509 certificate routines::key values mismatch/);
  assert.equal(api.SSL_CTX_check_private_key(ctx), 0);
  assert.match(firstError(), /no private key assigned/);
});

test('a certificate loaded after a non-matching key drops the key (as ssl_set_cert), so the check fails', () => {
  const ctx = newCtx();
  assert.equal(api.SSL_CTX_use_PrivateKey_file(ctx, F('mismatch-ec.key'), SSL_FILETYPE_PEM), 1);
  assert.equal(api.SSL_CTX_use_certificate_file(ctx, F('mismatch-ec.crt'), SSL_FILETYPE_PEM), 1);
  assert.equal(ERR_peek_error(), 0);
  assert.equal(api.SSL_CTX_check_private_key(ctx), 0);
  assert.match(firstError(), /no private key assigned/);
});

test('keys of different types sit in different slots; the check looks at the last one used', () => {
  const ctx = newCtx();
  assert.equal(api.SSL_CTX_use_certificate_file(ctx, F('rsa2048.crt'), SSL_FILETYPE_PEM), 1);
  assert.equal(api.SSL_CTX_use_PrivateKey_file(ctx, F('ed25519.key'), SSL_FILETYPE_PEM), 1);
  assert.equal(api.SSL_CTX_check_private_key(ctx), 0);
  assert.match(firstError(), /no certificate assigned/);
});

test('encrypted keys use the default password callback: none gives "bad password read", a wrong one "bad decrypt"', () => {
  for (const file of ['rsa2048.pbes2.key', 'rsa2048.legacy-enc.key']) {
    const ctx = newCtx();
    assert.equal(api.SSL_CTX_use_certificate_file(ctx, F('rsa2048.crt'), SSL_FILETYPE_PEM), 1);
    assert.equal(api.SSL_CTX_use_PrivateKey_file(ctx, F(file), SSL_FILETYPE_PEM), 0, file);
    assert.match(firstError(), /PEM routines::bad password read/);
    api.SSL_CTX_set_default_passwd_cb(ctx, () => 'wrong');
    assert.equal(api.SSL_CTX_use_PrivateKey_file(ctx, F(file), SSL_FILETYPE_PEM), 0, file);
    assert.match(firstError(), /PEM routines::bad decrypt/);
    let seen: unknown;
    api.SSL_CTX_set_default_passwd_cb(ctx, (_rw, u) => { seen = u; return 'tlslens'; });
    api.SSL_CTX_set_default_passwd_cb_userdata(ctx, 'user data');
    assert.equal(api.SSL_CTX_use_PrivateKey_file(ctx, F(file), SSL_FILETYPE_PEM), 1, file);
    assert.equal(seen, 'user data');
    assert.equal(api.SSL_CTX_check_private_key(ctx), 1);
  }
});

test('SSL_CTX_use_certificate_chain_file loads the leaf and keeps the rest as its chain', () => {
  const ctx = newCtx();
  assert.equal(api.SSL_CTX_use_certificate_chain_file(ctx, F('chain.pem')), 1);
  const slot = ctx.slots.get(ctx.current!)!;
  assert.ok(slot.x509);
  assert.ok(slot.chain.length >= 1);
});
