// The cookie exchange of RFC 6347 section 4.2.1 (engine/dtls/cookie.ts): the HelloVerifyRequest codec, the DTLS
// ClientHello (cookie after session_id, composed with engine/msgs' TLS ClientHello), and stateless cookies: bound to
// the client's address, port and hello parameters, a known answer for the HMAC input, rotation with the previous
// secret still accepted. OpenSSL's HelloVerifyRequest and ClientHellos are decoded, and s_client answers our own
// HelloVerifyRequest, in dtls-openssl.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { nobleProvider } from '../../engine/crypto/noble';
import { encodeClientHello, type ClientHelloInit } from '../../engine/msgs/handshake';
import { ext } from '../../engine/msgs/extensions';
import { DecodeError, MissingData, TrailingData } from '../../engine/msgs/reader';
import { EncodeError } from '../../engine/msgs/writer';
import { toHex } from '../../engine/util/hex';
import { DTLS10, DTLS12 } from '../../engine/dtls/record';
import {
  HelloCookies,
  MAX_COOKIE_DTLS10,
  decodeDtlsClientHello,
  decodeHelloVerifyRequest,
  encodeDtlsClientHello,
  encodeHelloVerifyRequest,
  type DtlsClientHello,
} from '../../engine/dtls/cookie';

const P = nobleProvider();

const hello = (over: Partial<ClientHelloInit> & { cookie?: Uint8Array } = {}): DtlsClientHello =>
  decodeDtlsClientHello(encodeDtlsClientHello({
    type: 'client_hello',
    random: new Uint8Array(32).fill(0xaa),
    legacySessionId: new Uint8Array(0),
    cipherSuites: [0xc02b, 0xc02f, 0x00ff],
    extensions: [ext.extendedMasterSecret(), ext.supportedGroups([29, 23])],
    ...over,
  }));

function decodeFails(fn: () => unknown, field: string, offset: number, cls: typeof DecodeError = DecodeError, alert = 'decode_error'): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `${field}: ${String(e)}`);
    assert.equal((e as DecodeError).field, field);
    assert.equal((e as DecodeError).offset, offset, `${field}: offset`);
    assert.equal((e as DecodeError).alert, alert);
    return true;
  });
}

// ---- HelloVerifyRequest ------------------------------------------------------------------------------------------

test('HelloVerifyRequest: type 3, server_version (DTLS 1.0 by default, section 4.2.1), cookie<0..2^8-1>; round trip', () => {
  const cookie = Uint8Array.from({ length: 20 }, (_, i) => i);
  const raw = encodeHelloVerifyRequest({ type: 'hello_verify_request', cookie });
  assert.equal(toHex(raw), '03000017' + 'feff' + '14' + toHex(cookie), 'as OpenSSL sends it: 0xfeff even for DTLS 1.2');
  const m = decodeHelloVerifyRequest(raw);
  assert.deepEqual([m.type, m.serverVersion, toHex(m.cookie)], ['hello_verify_request', DTLS10, toHex(cookie)]);
  assert.equal(m.raw, raw);
  const v12 = decodeHelloVerifyRequest(encodeHelloVerifyRequest({ type: 'hello_verify_request', serverVersion: DTLS12, cookie: new Uint8Array(255) }));
  assert.deepEqual([v12.serverVersion, v12.cookie.length], [DTLS12, 255]);
  assert.equal(decodeHelloVerifyRequest(encodeHelloVerifyRequest({ type: 'hello_verify_request', cookie: new Uint8Array(0) })).cookie.length, 0);
  assert.throws(() => encodeHelloVerifyRequest({ type: 'hello_verify_request', cookie: new Uint8Array(256) }), EncodeError);
});

test('HelloVerifyRequest: every malformed message is a DecodeError naming its field and offset', () => {
  const raw = encodeHelloVerifyRequest({ type: 'hello_verify_request', cookie: new Uint8Array(40) });
  decodeFails(() => decodeHelloVerifyRequest(raw, { maxCookieLength: MAX_COOKIE_DTLS10 }), 'HelloVerifyRequest.cookie', 6, DecodeError);
  const wrong = Uint8Array.from(raw);
  wrong[0] = 2;
  decodeFails(() => decodeHelloVerifyRequest(wrong), 'HelloVerifyRequest.msg_type', 0, DecodeError, 'unexpected_message');
  decodeFails(() => decodeHelloVerifyRequest(raw.subarray(0, 20)), 'HelloVerifyRequest.length', 1, MissingData);
  decodeFails(() => decodeHelloVerifyRequest(Buffer.concat([raw, new Uint8Array(1)])), 'HelloVerifyRequest.length', 1, TrailingData);
  // a cookie length running past the body
  const short = Uint8Array.from(raw.subarray(0, 10));
  short[3] = 6;
  decodeFails(() => decodeHelloVerifyRequest(short), 'HelloVerifyRequest.cookie', 6, MissingData);
  // trailing bytes inside the body
  const trail = Uint8Array.from(Buffer.concat([raw, new Uint8Array(1)]));
  trail[3]! += 1;
  decodeFails(() => decodeHelloVerifyRequest(trail), 'HelloVerifyRequest', raw.length, TrailingData);
  decodeFails(() => decodeHelloVerifyRequest(new Uint8Array([3, 0, 0, 1, 0xfe])), 'HelloVerifyRequest.server_version', 4, MissingData);
});

// ---- the DTLS ClientHello ----------------------------------------------------------------------------------------

test('DTLS ClientHello: the cookie follows session_id; the rest is the TLS ClientHello; round trip, version 0xfefd by default', () => {
  const init: ClientHelloInit = {
    type: 'client_hello', random: randomBytes(32), legacySessionId: randomBytes(32), cipherSuites: [0xc02b, 0xc02c],
    extensions: [ext.extendedMasterSecret(), ext.encryptThenMac(), ext.supportedGroups([29])],
  };
  for (const cookie of [new Uint8Array(0), randomBytes(1), randomBytes(32), randomBytes(255)]) {
    const raw = encodeDtlsClientHello({ ...init, cookie });
    const tls = encodeClientHello({ ...init, legacyVersion: DTLS12 });
    assert.equal(raw.length, tls.length + 1 + cookie.length);
    const at = 4 + 2 + 32 + 1 + 32;
    assert.equal(toHex(raw.subarray(0, at)).slice(8), toHex(tls.subarray(0, at)).slice(8), 'same bytes up to the cookie (lengths aside)');
    assert.equal(raw[at], cookie.length);
    assert.equal(toHex(raw.subarray(at + 1, at + 1 + cookie.length)), toHex(cookie));
    assert.equal(toHex(raw.subarray(at + 1 + cookie.length)), toHex(tls.subarray(at)));
    assert.equal((raw[1]! << 16) | (raw[2]! << 8) | raw[3]!, raw.length - 4, 'the length counts the cookie');
    const ch = decodeDtlsClientHello(raw);
    assert.equal(ch.legacyVersion, DTLS12);
    assert.equal(toHex(ch.cookie), toHex(cookie));
    assert.equal(toHex(ch.random), toHex(init.random));
    assert.deepEqual(ch.cipherSuites, [0xc02b, 0xc02c]);
    assert.equal(ch.ext.extendedMasterSecret, true);
    assert.equal(ch.ext.encryptThenMac, true);
    assert.equal(ch.raw, raw);
    assert.equal(toHex(ch.tlsRaw), toHex(tls), 'tlsRaw is the TLS form without the cookie');
    assert.equal(toHex(encodeDtlsClientHello({ ...ch, cookie: ch.cookie })), toHex(raw), 're-encoding the decoded hello gives the same bytes');
  }
  assert.throws(() => encodeDtlsClientHello({ ...init, cookie: new Uint8Array(256) }), (e: unknown) => e instanceof EncodeError && e.field === 'ClientHello.cookie');
  // a hand-built minimal DTLS 1.0 ClientHello without extensions
  const hand = Buffer.concat([Buffer.from('0100002d', 'hex'), Buffer.from('feff', 'hex'), Buffer.alloc(32, 1), Buffer.from('00', 'hex'), Buffer.from('03abcdef', 'hex'), Buffer.from('0002c014', 'hex'), Buffer.from('0100', 'hex')]);
  const ch = decodeDtlsClientHello(hand);
  assert.deepEqual([ch.legacyVersion, toHex(ch.cookie), ch.cipherSuites, ch.legacyCompressionMethods, ch.extensions.length], [DTLS10, 'abcdef', [0xc014], [0], 0]);
});

test('DTLS ClientHello: malformed input is a DecodeError with the field and the offset in the DTLS bytes', () => {
  const raw = encodeDtlsClientHello({ type: 'client_hello', random: new Uint8Array(32), cipherSuites: [0xc02b], extensions: [], cookie: new Uint8Array(40) });
  // layout: header 4, version 2, random 32, session_id 1 (empty) -> cookie length at 39, cookie 40..80, cipher_suites at 80
  decodeFails(() => decodeDtlsClientHello(raw, { maxCookieLength: MAX_COOKIE_DTLS10 }), 'ClientHello.cookie', 39);
  const sliced = Uint8Array.from(raw.subarray(0, 81));
  sliced[3] = 77;
  decodeFails(() => decodeDtlsClientHello(sliced), 'ClientHello.cipher_suites.length', 80, MissingData);
  const noComp = Uint8Array.from(raw.subarray(0, 84));
  noComp[3] = 80;
  decodeFails(() => decodeDtlsClientHello(noComp), 'ClientHello.legacy_compression_methods.length', 84, MissingData);
  const badCookie = Uint8Array.from(raw);
  badCookie[39] = 200;
  decodeFails(() => decodeDtlsClientHello(badCookie), 'ClientHello.cookie', 39, MissingData);
  const wrong = Uint8Array.from(raw);
  wrong[0] = 2;
  decodeFails(() => decodeDtlsClientHello(wrong), 'ClientHello.msg_type', 0, DecodeError, 'unexpected_message');
  decodeFails(() => decodeDtlsClientHello(raw.subarray(0, 30)), 'ClientHello.length', 1, MissingData);
  // an odd cipher_suites length, found by the TLS codec, reported at its DTLS offset
  const odd = Uint8Array.from(raw);
  odd[81] = 3;
  assert.throws(() => decodeDtlsClientHello(odd), (e: unknown) => e instanceof DecodeError && e.field.startsWith('ClientHello.') && e.offset >= 80);
});

// ---- cookies ----------------------------------------------------------------------------------------------------

const PEER = { address: '192.0.2.7', port: 40000 };

test('cookies: 32 bytes of HMAC-SHA256 over label, address, port and the hello parameters (known answer by node:crypto)', () => {
  const secret = Buffer.alloc(32, 0x5a);
  const jar = new HelloCookies({ provider: P, secret });
  const ch = hello({ legacySessionId: Buffer.from('0102', 'hex') });
  const c = jar.cookieFor(PEER, ch);
  assert.equal(c.length, 32, 'fits even DTLS 1.0’s cookie<0..32>');
  const input = Buffer.concat([
    Buffer.from('TLS Lens DTLS cookie v1'),
    Buffer.from([PEER.address.length]), Buffer.from(PEER.address),
    Buffer.from([0x9c, 0x40]), // 40000
    Buffer.from('fefd', 'hex'), Buffer.alloc(32, 0xaa),
    Buffer.from('020102', 'hex'),
    Buffer.from('0006c02bc02f00ff', 'hex'),
    Buffer.from('0100', 'hex'),
  ]);
  assert.equal(toHex(c), createHmac('sha256', secret).update(input).digest('hex'));
  assert.deepEqual(jar.verify(PEER, hello({ legacySessionId: Buffer.from('0102', 'hex'), cookie: c })), { ok: true, secret: 'current' });
});

test('cookies are bound to the address, the port and each RFC 6347 parameter, not to the cookie or (by default) the extensions', () => {
  const jar = new HelloCookies({ provider: P });
  const base = hello();
  const cookie = jar.cookieFor(PEER, base);
  const ok = (peer: typeof PEER, ch: DtlsClientHello): boolean => jar.verify(peer, { ...ch, cookie }).ok;
  assert.equal(ok(PEER, base), true);
  assert.equal(ok({ ...PEER, address: '192.0.2.8' }, base), false, 'another address');
  assert.equal(ok({ ...PEER, port: 40001 }, base), false, 'another port');
  assert.equal(ok({ ...PEER, address: '::ffff:192.0.2.7' }, base), false, 'another spelling is another address: use the socket’s');
  assert.equal(ok({ ...PEER, address: PEER.address.toUpperCase() }, base), true);
  assert.equal(ok(PEER, hello({ legacyVersion: DTLS10 })), false, 'version');
  assert.equal(ok(PEER, hello({ random: new Uint8Array(32).fill(0xab) })), false, 'random');
  assert.equal(ok(PEER, hello({ legacySessionId: new Uint8Array([1]) })), false, 'session_id');
  assert.equal(ok(PEER, hello({ cipherSuites: [0xc02b, 0xc02f] })), false, 'cipher_suites');
  assert.equal(ok(PEER, hello({ legacyCompressionMethods: [1, 0] })), false, 'compression_methods');
  assert.equal(ok(PEER, hello({ extensions: [ext.padding(10)] })), true, 'extensions are not bound by default');
  assert.deepEqual(jar.verify(PEER, base), { ok: false, reason: 'missing' }, 'an empty cookie: a first ClientHello');
  assert.deepEqual(jar.verify(PEER, { ...base, cookie: randomBytes(32) }), { ok: false, reason: 'mismatch' });
  assert.deepEqual(jar.verify(PEER, { ...base, cookie: cookie.subarray(0, 31) }), { ok: false, reason: 'mismatch' });
  // the hello's own cookie does not change the cookie made for it
  assert.equal(toHex(jar.cookieFor(PEER, { ...base, cookie: randomBytes(9) })), toHex(cookie));
  // bindExtensions: the whole hello but its cookie
  const strict = new HelloCookies({ provider: P, bindExtensions: true });
  const sc = strict.cookieFor(PEER, base);
  assert.equal(strict.verify(PEER, { ...base, cookie: sc }).ok, true);
  const other = hello({ extensions: [ext.padding(10)] });
  assert.equal(strict.verify(PEER, { ...other, cookie: sc }).ok, false);
  assert.equal(strict.verify(PEER, { ...hello({ cookie: sc }), cookie: sc }).ok, true, 'the second ClientHello carries the cookie and still verifies');
});

test('rotation: the previous secret still verifies, the one before it no longer; different secrets make different cookies', () => {
  let n = 0;
  const provider = { ...P, random: (len: number) => new Uint8Array(len).fill(++n) };
  const jar = new HelloCookies({ provider });
  const ch = hello();
  const c1 = jar.cookieFor(PEER, ch);
  jar.rotate();
  const c2 = jar.cookieFor(PEER, ch);
  assert.notEqual(toHex(c1), toHex(c2));
  assert.deepEqual(jar.verify(PEER, { ...ch, cookie: c1 }), { ok: true, secret: 'previous' });
  assert.deepEqual(jar.verify(PEER, { ...ch, cookie: c2 }), { ok: true, secret: 'current' });
  jar.rotate(new Uint8Array(32).fill(0x77));
  assert.deepEqual(jar.verify(PEER, { ...ch, cookie: c1 }), { ok: false, reason: 'mismatch' }, 'two rotations ago');
  assert.deepEqual(jar.verify(PEER, { ...ch, cookie: c2 }), { ok: true, secret: 'previous' });
  // a given secret is used as is: two jars with the same secret agree (several server processes)
  const a = new HelloCookies({ provider: P, secret: new Uint8Array(32).fill(9) });
  const b = new HelloCookies({ provider: P, secret: new Uint8Array(32).fill(9) });
  assert.equal(toHex(a.cookieFor(PEER, ch)), toHex(b.cookieFor(PEER, ch)));
  assert.throws(() => new HelloCookies({ provider: P, secret: new Uint8Array(15) }), /too short/);
  assert.throws(() => a.rotate(new Uint8Array(8)), /too short/);
});
