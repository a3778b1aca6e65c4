// TLS 1.2-family handshake codecs (RFC 5246 section 7.4 and its TLS 1.1 / 1.0 / SSL 3.0 ancestors, RFC 8422,
// RFC 5077, RFC 6066): every message round-trips in every version shape; real messages captured from OpenSSL
// at test time (`openssl s_server` and `openssl s_client -msg` on 127.0.0.1) decode, re-encode byte for byte and
// carry what the peers negotiated (ServerKeyExchange and CertificateVerify signatures are verified with
// node:crypto over the decoded `params` and the captured transcript); every truncation of a captured message
// and every trailing byte is a DecodeError naming a field; explicit curves are illegal_parameter.
// openssl is required: without it the capture tests fail, naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  ClientCertificateType,
  decodeCertificate,
  decodeCertificate12,
  decodeCertificateRequest12,
  decodeCertificateStatus,
  decodeCertificateVerify12,
  decodeClientKeyExchange,
  decodeHandshake,
  decodeHelloRequest,
  decodeNewSessionTicket12,
  decodeServerHelloDone,
  decodeServerKeyExchange,
  encodeCertificate,
  encodeHandshake,
  encodeServerKeyExchangeParams,
  hasSignatureAlgorithms,
  serverKeyExchangeSignedContent,
  type ClientHello,
  type DecodeOptions,
  type Handshake,
  type HandshakeInit,
  type ServerHello,
  type ServerKeyExchange,
} from '../../engine/msgs/handshake';
import { ext } from '../../engine/msgs/extensions';
import { collectSpans, DecodeError, MissingData, TrailingData } from '../../engine/msgs/reader';
import { EncodeError } from '../../engine/msgs/writer';
import { NamedGroup } from '../../engine/registry/groups';
import { handshakeTypeByName } from '../../engine/registry/handshake-types';
import { SignatureScheme, sigSchemeByCode } from '../../engine/registry/sigschemes';
import { concatBytes, fromHex, toHex } from '../../engine/util/hex';

// --- helpers ---------------------------------------------------------------------------------------------------

const seq = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

function frame(msgType: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out[0] = msgType;
  out[1] = body.length >>> 16;
  out[2] = body.length >>> 8;
  out[3] = body.length;
  out.set(body, 4);
  return out;
}

function expectDecodeError(fn: () => unknown, alert?: string, field?: RegExp): DecodeError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DecodeError, `expected a DecodeError, got ${caught === undefined ? 'success' : String(caught)}`);
  if (alert) assert.equal(caught.alert, alert, caught.message);
  if (field) assert.match(caught.field, field, caught.message);
  return caught;
}

/** Uint8Array views as hex, so deepEqual ignores buffer offsets. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return { bytes: toHex(v) };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, plain(x)]));
  return v;
}

function strip(m: Handshake): Record<string, unknown> {
  const { raw: _raw, ...rest } = m as Handshake & { params?: Uint8Array };
  delete (rest as { params?: unknown }).params;
  return rest as Record<string, unknown>;
}

const TLS12: DecodeOptions = { version: 'tls12', protocolVersion: 0x0303 };
const opts = (protocolVersion: number, keyExchange?: DecodeOptions['keyExchange']): DecodeOptions =>
  keyExchange ? { version: 'tls12', protocolVersion, keyExchange } : { version: 'tls12', protocolVersion };

// --- round trips ---------------------------------------------------------------------------------------------------

interface Sample {
  m: HandshakeInit;
  opts: DecodeOptions;
  /** What the decoder gives back, when it differs from `m` (defaults filled in). */
  expect?: Record<string, unknown>;
}

const SAMPLES: Record<string, Sample> = {
  'HelloRequest': { m: { type: 'hello_request' }, opts: TLS12 },
  'ServerHelloDone': { m: { type: 'server_hello_done' }, opts: TLS12 },
  'Certificate (two certificates)': {
    m: { type: 'certificate', form: 'tls12', certificateList: [{ data: seq(300, 1) }, { data: seq(70000, 2) }] },
    opts: TLS12,
    expect: {
      type: 'certificate', form: 'tls12', certificateRequestContext: new Uint8Array(0),
      certificateList: [{ data: seq(300, 1), extensions: [], ext: {} }, { data: seq(70000, 2), extensions: [], ext: {} }],
    },
  },
  'Certificate (empty list)': {
    m: { type: 'certificate', form: 'tls12', certificateList: [] },
    opts: opts(0x0300),
    expect: { type: 'certificate', form: 'tls12', certificateRequestContext: new Uint8Array(0), certificateList: [] },
  },
  'ServerKeyExchange ECDHE, TLS 1.2': {
    m: { type: 'server_key_exchange', keyExchange: 'ECDHE', namedCurve: NamedGroup.secp256r1, point: seq(65, 4), algorithm: SignatureScheme.ecdsa_secp256r1_sha256, signature: seq(71) },
    opts: opts(0x0303, 'ECDHE'),
  },
  'ServerKeyExchange ECDHE, TLS 1.0': {
    m: { type: 'server_key_exchange', keyExchange: 'ECDHE', namedCurve: NamedGroup.x25519, point: seq(32), signature: seq(256) },
    opts: opts(0x0301, 'ECDHE'),
  },
  'ServerKeyExchange DHE, TLS 1.2': {
    m: { type: 'server_key_exchange', keyExchange: 'DHE', dhP: seq(256, 9), dhG: Uint8Array.of(2), dhYs: seq(256, 3), algorithm: SignatureScheme.rsa_pss_rsae_sha256, signature: seq(256) },
    opts: opts(0x0303, 'DHE'),
  },
  'ServerKeyExchange DHE, SSL 3.0': {
    m: { type: 'server_key_exchange', keyExchange: 'DHE', dhP: seq(128, 9), dhG: Uint8Array.of(5), dhYs: seq(128, 3), signature: seq(128) },
    opts: opts(0x0300, 'DHE'),
  },
  'ServerKeyExchange with an empty signature': {
    m: { type: 'server_key_exchange', keyExchange: 'ECDHE', namedCurve: NamedGroup.x25519, point: seq(32), algorithm: 0x0401, signature: new Uint8Array(0) },
    opts: opts(0x0303, 'ECDHE'),
  },
  'ClientKeyExchange ECDHE': { m: { type: 'client_key_exchange', keyExchange: 'ECDHE', point: seq(65) }, opts: opts(0x0303, 'ECDHE') },
  'ClientKeyExchange DHE': { m: { type: 'client_key_exchange', keyExchange: 'DHE', dhYc: seq(256) }, opts: opts(0x0302, 'DHE') },
  'ClientKeyExchange RSA, TLS 1.0': {
    m: { type: 'client_key_exchange', keyExchange: 'RSA', encryptedPreMasterSecret: seq(256) },
    opts: opts(0x0301, 'RSA'),
    expect: { type: 'client_key_exchange', keyExchange: 'RSA', encryptedPreMasterSecret: seq(256), ssl3: false },
  },
  'ClientKeyExchange RSA, SSL 3.0 (no length)': {
    m: { type: 'client_key_exchange', keyExchange: 'RSA', encryptedPreMasterSecret: seq(128), ssl3: true },
    opts: opts(0x0300, 'RSA'),
  },
  'CertificateRequest, TLS 1.2': {
    m: {
      type: 'certificate_request12',
      certificateTypes: [ClientCertificateType.rsa_sign, ClientCertificateType.ecdsa_sign],
      supportedSignatureAlgorithms: [SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.ecdsa_secp256r1_sha256],
      certificateAuthorities: [seq(40), seq(20, 5)],
    },
    opts: TLS12,
  },
  'CertificateRequest, TLS 1.0, no authorities': {
    m: { type: 'certificate_request12', certificateTypes: [1, 2, 64], certificateAuthorities: [] },
    opts: opts(0x0301),
  },
  'CertificateVerify, TLS 1.2': { m: { type: 'certificate_verify12', algorithm: SignatureScheme.rsa_pkcs1_sha256, signature: seq(256) }, opts: TLS12 },
  'CertificateVerify, TLS 1.1': { m: { type: 'certificate_verify12', signature: seq(256) }, opts: opts(0x0302) },
  'Finished, TLS': { m: { type: 'finished', verifyData: seq(12) }, opts: TLS12 },
  'Finished, SSL 3.0': { m: { type: 'finished', verifyData: seq(36) }, opts: opts(0x0300) },
  'NewSessionTicket': { m: { type: 'new_session_ticket12', ticketLifetimeHint: 7200, ticket: seq(160) }, opts: TLS12 },
  'NewSessionTicket, empty ticket': { m: { type: 'new_session_ticket12', ticketLifetimeHint: 0, ticket: new Uint8Array(0) }, opts: TLS12 },
  'CertificateStatus': {
    m: { type: 'certificate_status', ocspResponse: seq(500) },
    opts: TLS12,
    expect: { type: 'certificate_status', statusType: 1, ocspResponse: seq(500) },
  },
};

for (const [name, s] of Object.entries(SAMPLES)) {
  test(`${name}: decode(encode(m)) gives back every field and re-encodes byte for byte`, () => {
    const raw = encodeHandshake(s.m);
    const decoded = decodeHandshake(raw, s.opts);
    assert.equal(decoded.type, s.m.type);
    assert.deepEqual(plain(strip(decoded)), plain(s.expect ?? s.m));
    assert.equal(toHex(decoded.raw), toHex(raw), 'raw keeps the exact bytes');
    assert.equal(toHex(encodeHandshake(decoded)), toHex(raw), 're-encoding a decoded message is the identity');
    assert.equal(handshakeTypeByName(decoded.type)?.code, raw[0], `the registry knows the type string ${decoded.type}`);
    if (decoded.type === 'server_key_exchange') {
      assert.equal(toHex(decoded.params), toHex(encodeServerKeyExchangeParams(decoded)), 'params are the encoded ServerECDHParams / ServerDHParams');
      assert.equal(decoded.params.buffer, raw.buffer, 'params is a view into the message');
    }
  });
}

test('TLS 1.2-only code points never change how TLS 1.3 decodes (RFC 8446 has no such messages)', () => {
  for (const s of Object.values(SAMPLES).filter((s) => ![4, 11, 13, 15].includes(encodeHandshake(s.m)[0]!))) {
    const raw = encodeHandshake(s.m);
    const d = decodeHandshake(raw, { version: 'tls13' });
    if (raw[0] === 20) assert.equal(d.type, 'finished');
    else assert.equal(d.type, 'unknown', `type ${raw[0]} under tls13`);
  }
  // Certificate, CertificateRequest, CertificateVerify and NewSessionTicket have TLS 1.3 forms: under tls13 those
  // codecs read the bytes (and may refuse them), never the TLS 1.2 ones.
  for (const s of Object.values(SAMPLES).filter((s) => [4, 11, 13, 15].includes(encodeHandshake(s.m)[0]!))) {
    const raw = encodeHandshake(s.m);
    try {
      const d = decodeHandshake(raw, { version: 'tls13' });
      assert.ok(['certificate', 'certificate_request', 'certificate_verify', 'new_session_ticket'].includes(d.type), d.type);
      if (d.type === 'certificate') assert.equal(d.form, undefined);
    } catch (e) {
      assert.ok(e instanceof DecodeError, String(e));
    }
  }
  // And the TLS 1.3 Certificate decoder is untouched: it still reads a request context and extensions.
  const c13 = encodeHandshake({ type: 'certificate', certificateList: [{ data: seq(10) }] });
  assert.equal(decodeCertificate(c13).form, undefined);
  assert.equal(c13.length, 4 + 1 + 3 + 3 + 10 + 2);
});

test('ServerKeyExchange and ClientKeyExchange without keyExchange and protocolVersion decode as unknown, raw kept', () => {
  const ske = encodeHandshake(SAMPLES['ServerKeyExchange ECDHE, TLS 1.2']!.m);
  const cke = encodeHandshake(SAMPLES['ClientKeyExchange ECDHE']!.m);
  for (const o of [{ version: 'tls12' } as DecodeOptions, { version: 'tls12', keyExchange: 'ECDHE' } as DecodeOptions, { version: 'tls12', protocolVersion: 0x0303 } as DecodeOptions]) {
    for (const raw of [ske, cke]) {
      const d = decodeHandshake(raw, o);
      assert.equal(d.type, 'unknown');
      if (d.type === 'unknown') {
        assert.equal(d.msgType, raw[0]);
        assert.equal(toHex(d.body), toHex(raw.subarray(4)));
        assert.equal(toHex(encodeHandshake(d)), toHex(raw));
      }
    }
  }
});

test('CertificateRequest and CertificateVerify default to the TLS 1.2 shape; protocolVersion picks the older one', () => {
  const cr = encodeHandshake(SAMPLES['CertificateRequest, TLS 1.2']!.m);
  const d = decodeHandshake(cr, { version: 'tls12' });
  assert.equal(d.type, 'certificate_request12');
  if (d.type === 'certificate_request12') assert.deepEqual(d.supportedSignatureAlgorithms, [0x0804, 0x0403]);
  // Read as TLS 1.0 the algorithm list is taken for the authorities and the rest cannot parse.
  expectDecodeError(() => decodeCertificateRequest12(cr, 0x0301), 'decode_error', /^CertificateRequest\./);
  const cv = encodeHandshake(SAMPLES['CertificateVerify, TLS 1.1']!.m);
  // Read as TLS 1.2, the first two signature bytes become the algorithm and the rest no longer fits.
  expectDecodeError(() => decodeHandshake(cv, { version: 'tls12' }), 'decode_error', /^CertificateVerify/);
  const cv11 = decodeCertificateVerify12(cv, 0x0302);
  assert.equal(cv11.algorithm, undefined);
  assert.equal(cv11.signature.length, 256);
});

test('hasSignatureAlgorithms: TLS 1.2 and DTLS 1.2 only (RFC 5246, Section 7.4.1.4.1; RFC 6347)', () => {
  assert.deepEqual([0x0300, 0x0301, 0x0302, 0x0303].map(hasSignatureAlgorithms), [false, false, false, true]);
  assert.equal(hasSignatureAlgorithms(0xfeff), false, 'DTLS 1.0 is TLS 1.1-shaped');
  assert.equal(hasSignatureAlgorithms(0xfefd), true, 'DTLS 1.2 is TLS 1.2-shaped');
});

test('serverKeyExchangeSignedContent is client_random + server_random + params (RFC 5246, Section 7.4.3)', () => {
  const c = serverKeyExchangeSignedContent(seq(32, 1), seq(32, 100), Uint8Array.of(3, 0, 29, 1, 9));
  assert.equal(toHex(c), toHex(concatBytes([seq(32, 1), seq(32, 100), Uint8Array.of(3, 0, 29, 1, 9)])));
  assert.throws(() => serverKeyExchangeSignedContent(seq(31), seq(32), seq(1)), EncodeError);
});

// --- field rules ----------------------------------------------------------------------------------------------------

test('ServerKeyExchange with explicit_prime or explicit_char2 curves is illegal_parameter, naming curve_type (RFC 8422, Section 5.4)', () => {
  const ecdhe = { version: 'tls12', protocolVersion: 0x0303, keyExchange: 'ECDHE' } as const;
  for (const curveType of [1, 2]) {
    // An explicit_prime ECParameters would go on with its ECCurve; the decoder must stop at curve_type.
    const raw = frame(12, Uint8Array.of(curveType, 1, 0xff, 1, 0x02, 1, 0x03, 4, 0x04, 1, 2, 3, 0, 0));
    const e = expectDecodeError(() => decodeHandshake(raw, ecdhe), 'illegal_parameter', /^ServerKeyExchange\.params\.curve_params\.curve_type$/);
    assert.equal(e.offset, 4);
    assert.match(e.message, curveType === 1 ? /explicit_prime/ : /explicit_char2/);
  }
  expectDecodeError(() => decodeServerKeyExchange(frame(12, Uint8Array.of(0, 0, 23)), ecdhe), 'illegal_parameter', /curve_type/);
});

test('ServerKeyExchange under RSA key exchange is unexpected_message (RFC 5246, Section 7.4.3)', () => {
  const raw = encodeHandshake(SAMPLES['ServerKeyExchange DHE, TLS 1.2']!.m);
  expectDecodeError(() => decodeHandshake(raw, opts(0x0303, 'RSA')), 'unexpected_message', /^ServerKeyExchange/);
});

test('empty public values and DH parameters are decode_error (opaque <1..2^n-1>)', () => {
  const ecdhe = { keyExchange: 'ECDHE', protocolVersion: 0x0303 } as const;
  expectDecodeError(() => decodeServerKeyExchange(frame(12, Uint8Array.of(3, 0, 29, 0, 4, 3, 0, 0)), ecdhe), 'decode_error', /^ServerKeyExchange\.params\.public$/);
  expectDecodeError(() => decodeServerKeyExchange(frame(12, Uint8Array.of(0, 0)), { keyExchange: 'DHE', protocolVersion: 0x0301 }), 'decode_error', /^ServerKeyExchange\.params\.dh_p$/);
  expectDecodeError(() => decodeClientKeyExchange(frame(16, Uint8Array.of(0)), ecdhe), 'decode_error', /^ClientKeyExchange\.ecdh_Yc$/);
  expectDecodeError(() => decodeClientKeyExchange(frame(16, Uint8Array.of(0, 0)), { keyExchange: 'DHE', protocolVersion: 0x0303 }), 'decode_error', /^ClientKeyExchange\.dh_Yc$/);
  expectDecodeError(() => decodeClientKeyExchange(frame(16, new Uint8Array(0)), { keyExchange: 'RSA', protocolVersion: 0x0300 }), 'decode_error', /encrypted_pre_master_secret/);
});

test('SSL 3.0 RSA ClientKeyExchange is the bare ciphertext; TLS reads the same bytes as a length (RFC 6101, Section 5.6.7.1; RFC 5246, Section 7.4.7.1)', () => {
  const raw = frame(16, seq(128, 0x40));
  const ssl3 = decodeClientKeyExchange(raw, { keyExchange: 'RSA', protocolVersion: 0x0300 });
  assert.equal(ssl3.keyExchange === 'RSA' && ssl3.ssl3, true);
  if (ssl3.keyExchange === 'RSA') assert.equal(ssl3.encryptedPreMasterSecret.length, 128);
  expectDecodeError(() => decodeClientKeyExchange(raw, { keyExchange: 'RSA', protocolVersion: 0x0301 }), 'decode_error', /^ClientKeyExchange\.encrypted_pre_master_secret$/);
});

test('CertificateRequest: empty certificate_types, empty or odd algorithm lists and empty DNs are decode_error (RFC 5246, Section 7.4.4)', () => {
  expectDecodeError(() => decodeCertificateRequest12(frame(13, Uint8Array.of(0, 0, 2, 4, 1, 0, 0))), 'decode_error', /^CertificateRequest\.certificate_types$/);
  expectDecodeError(() => decodeCertificateRequest12(frame(13, Uint8Array.of(1, 1, 0, 0, 0, 0))), 'decode_error', /^CertificateRequest\.supported_signature_algorithms$/);
  expectDecodeError(() => decodeCertificateRequest12(frame(13, Uint8Array.of(1, 1, 0, 3, 4, 1, 5, 0, 0))), 'decode_error', /^CertificateRequest\.supported_signature_algorithms$/);
  expectDecodeError(() => decodeCertificateRequest12(frame(13, Uint8Array.of(1, 1, 0, 2, 4, 1, 0, 2, 0, 0))), 'decode_error', /^CertificateRequest\.certificate_authorities\[0\]\.DistinguishedName$/);
});

test('Certificate: an empty ASN.1Cert is a decode_error naming its index (RFC 5246, Section 7.4.2)', () => {
  expectDecodeError(() => decodeCertificate12(frame(11, Uint8Array.of(0, 0, 7, 0, 0, 1, 0xaa, 0, 0, 0))), 'decode_error', /^Certificate\.certificate_list\[1\]\.cert_data$/);
});

test('Certificate in TLS 1.2 form refuses what it cannot carry (EncodeError)', () => {
  assert.throws(() => encodeCertificate({ type: 'certificate', form: 'tls12', certificateRequestContext: seq(2), certificateList: [] }), EncodeError);
  assert.throws(() => encodeCertificate({ type: 'certificate', form: 'tls12', certificateList: [{ data: seq(3), extensions: [ext.sctList([seq(4)])] }] }), EncodeError);
});

test('CertificateStatus: a status_type other than ocsp or an empty response is decode_error (RFC 6066, Section 8)', () => {
  expectDecodeError(() => decodeCertificateStatus(frame(22, Uint8Array.of(2, 0, 0, 1, 0))), 'decode_error', /^CertificateStatus\.status_type$/);
  expectDecodeError(() => decodeCertificateStatus(frame(22, Uint8Array.of(1, 0, 0, 0))), 'decode_error', /^CertificateStatus\.ocsp_response$/);
});

test('HelloRequest and ServerHelloDone refuse a body; decoders handed another type answer unexpected_message', () => {
  expectDecodeError(() => decodeHelloRequest(frame(0, Uint8Array.of(0))), 'decode_error', /^HelloRequest/);
  expectDecodeError(() => decodeServerHelloDone(frame(14, Uint8Array.of(0))), 'decode_error', /^ServerHelloDone/);
  expectDecodeError(() => decodeServerHelloDone(frame(0, new Uint8Array(0))), 'unexpected_message', /^ServerHelloDone\.msg_type$/);
  expectDecodeError(() => decodeNewSessionTicket12(frame(14, new Uint8Array(0))), 'unexpected_message', /^NewSessionTicket\.msg_type$/);
});

test('field spans name the ServerKeyExchange parts for the hex view', () => {
  const raw = encodeHandshake(SAMPLES['ServerKeyExchange ECDHE, TLS 1.2']!.m);
  const spans = collectSpans(raw, () => decodeHandshake(raw, opts(0x0303, 'ECDHE')));
  const paths = spans.map((s) => s.path);
  for (const p of ['ServerKeyExchange.params.curve_params.curve_type', 'ServerKeyExchange.params.curve_params.namedcurve', 'ServerKeyExchange.params.public',
    'ServerKeyExchange.signed_params.algorithm', 'ServerKeyExchange.signed_params.signature']) assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
  const pub = spans.find((s) => s.path === 'ServerKeyExchange.params.public')!;
  assert.deepEqual([pub.start, pub.end], [4 + 4, 4 + 4 + 65]);
});

// --- fuzz ---------------------------------------------------------------------------------------------------------

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('fuzz: TLS 1.2-family decoding throws nothing but DecodeError on 20,000 damaged inputs', () => {
  const rand = prng(0x7152);
  const seeds = Object.values(SAMPLES).map((s) => ({ raw: encodeHandshake(s.m), opts: s.opts }));
  const variants: DecodeOptions[] = [TLS12, opts(0x0300, 'RSA'), opts(0x0301, 'ECDHE'), opts(0x0303, 'DHE'), opts(0x0302, 'ECDHE')];
  for (let i = 0; i < 20000; i++) {
    const seed = seeds[(rand() * seeds.length) | 0]!;
    const b = seed.raw.slice(4, 4 + Math.min(seed.raw.length - 4, 600));
    for (let f = 1 + ((rand() * 3) | 0); f > 0 && b.length > 0; f--) b[(rand() * b.length) | 0] = (rand() * 256) | 0;
    const input = frame(seed.raw[0]!, rand() < 0.3 ? b.subarray(0, (rand() * b.length) | 0) : b);
    const o = rand() < 0.5 ? seed.opts : variants[(rand() * variants.length) | 0]!;
    try {
      decodeHandshake(input, o);
    } catch (e) {
      if (!(e instanceof DecodeError)) assert.fail(`case ${i} (${toHex(input)}) threw ${String(e)}`);
      assert.ok(e.field.length > 0 && e.offset >= 0 && e.offset <= input.length, `case ${i}: ${e.message}`);
    }
  }
});

// --- captures from OpenSSL --------------------------------------------------------------------------------------------

const PKI = (n: string) => path.resolve('test/fixtures/pki', n);
const pem = (n: string) => fs.readFileSync(PKI(n), 'utf8');
const certDer = (n: string) => new Uint8Array(new crypto.X509Certificate(pem(n)).raw);

function requireOpenssl(): void {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`these tests need the openssl command-line tool (openssl s_server / s_client), and running \`openssl version\` failed: ${(e as Error).message}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

interface Proc {
  proc: ChildProcess;
  stdout: () => string;
  all: () => string;
  until(pred: () => boolean, what: string, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

function run(args: string[]): Proc {
  const proc = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let all = '';
  const listeners = new Set<() => void>();
  const poke = () => listeners.forEach((l) => l());
  proc.stdout!.on('data', (b: Buffer) => { out += b.toString('latin1'); all += b.toString('latin1'); poke(); });
  proc.stderr!.on('data', (b: Buffer) => { all += b.toString('latin1'); poke(); });
  proc.on('exit', poke);
  proc.on('error', (e) => { all += `\nspawn error: ${e.message}`; poke(); });
  return {
    proc,
    stdout: () => out,
    all: () => all,
    until(pred, what, ms = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pred()) { listeners.delete(check); clearTimeout(timer); resolve(); }
          else if (proc.exitCode !== null || proc.signalCode !== null) {
            listeners.delete(check); clearTimeout(timer);
            reject(new Error(`openssl ${args[0]} exited before ${what}; it printed:\n${all.slice(-3000)}`));
          }
        };
        const timer = setTimeout(() => { listeners.delete(check); reject(new Error(`openssl ${args[0]} did not reach ${what} in ${ms} ms; it printed:\n${all.slice(-3000)}`)); }, ms);
        listeners.add(check);
        check();
      });
    },
    stop() {
      return new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
      });
    },
  };
}

interface Captured {
  /** Who sent it: `>>>` lines are the client's, `<<<` the server's. */
  from: 'client' | 'server';
  /** OpenSSL's name for it: `ServerKeyExchange`. */
  name: string;
  raw: Uint8Array;
}

/** The handshake messages in `s_client -msg` output: a header line, then the message in hex, 16 bytes a line. */
function parseMsg(out: string): Captured[] {
  const lines = out.split('\n');
  const msgs: Captured[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(>>>|<<<) [^,]+, Handshake \[length ([0-9a-f]+)\], (\S+)/.exec(lines[i]!);
    if (!m) continue;
    const hex: string[] = [];
    while (i + 1 < lines.length && /^    [0-9a-f]{2}( [0-9a-f]{2})*\s*$/.test(lines[i + 1]!)) hex.push(lines[++i]!.trim());
    const raw = fromHex(hex.join('').replace(/\s+/g, ''));
    if (raw.length !== parseInt(m[2]!, 16)) break; // still being printed
    msgs.push({ from: m[1] === '>>>' ? 'client' : 'server', name: m[3]!, raw });
  }
  return msgs;
}

/**
 * One handshake between `openssl s_server` and `openssl s_client -msg` on 127.0.0.1, returning every handshake
 * message the client printed. `after`, if given, runs once the handshake is done (to make the server send more)
 * and capture waits for `done` before stopping both.
 */
async function capture(server: string[], client: string[], extra?: { after: (srv: Proc) => void; done: (msgs: Captured[]) => boolean }): Promise<Captured[]> {
  requireOpenssl();
  const port = await freePort();
  // s_server quits when its stdin closes, so it stays a pipe, open until stop().
  const srv = run(['s_server', '-accept', `127.0.0.1:${port}`, '-naccept', '1', ...server]);
  let cli: Proc | undefined;
  try {
    await srv.until(() => /ACCEPT/.test(srv.all()), 's_server ACCEPT');
    cli = run(['s_client', '-connect', `127.0.0.1:${port}`, '-msg', ...client]);
    const c = cli;
    // The session summary (ending "Verify return code") is printed once the handshake is over.
    await c.until(() => /Verify return code: .*\n/.test(c.stdout()), 'the end of the handshake');
    if (/Cipher is \(NONE\)/.test(c.stdout())) throw new Error(`the openssl handshake failed:\n${c.all().slice(-3000)}\n--- s_server:\n${srv.all().slice(-2000)}`);
    if (extra) {
      extra.after(srv);
      await c.until(() => extra.done(parseMsg(c.stdout())), 'the messages after the handshake');
    }
    return parseMsg(c.stdout());
  } finally {
    await cli?.stop();
    await srv.stop();
  }
}

const names = (msgs: Captured[]) => msgs.map((m) => `${m.from === 'client' ? '>' : '<'}${m.name}`);

/** Decodes every captured message: none unknown, each re-encoding to its exact bytes. */
function decodeAll(msgs: Captured[], o: DecodeOptions): Handshake[] {
  return msgs.map((c) => {
    const d = decodeHandshake(c.raw, o);
    assert.notEqual(d.type, 'unknown', `${c.name} decoded as unknown`);
    assert.equal(toHex(encodeHandshake(d)), toHex(c.raw), `${c.name} re-encodes byte for byte`);
    return d;
  });
}

/** Legal strict prefixes of a body: a hello may end before its extensions block (RFC 5246, Section 7.4.1.2). */
function legalPrefixes(raw: Uint8Array): number[] {
  const b = raw.subarray(4);
  if (raw[0] === 1) {
    const sid = b[34]!;
    const suites = (b[35 + sid]! << 8) | b[36 + sid]!;
    return [37 + sid + suites + 1 + b[37 + sid + suites]!];
  }
  if (raw[0] === 2) return [35 + b[34]! + 3];
  return [];
}

/**
 * Every truncation of every captured message is a DecodeError naming a field: cut inside the header (the length
 * no longer matches), and cut inside the body under a header corrected to the shorter length. A trailing byte,
 * after the header's length or inside it, is decode_error.
 */
function checkDamage(msgs: Captured[], o: DecodeOptions): number {
  let cases = 0;
  for (const c of msgs) {
    const raw = c.raw;
    for (let n = 0; n < raw.length; n++, cases++) {
      const e = expectDecodeError(() => decodeHandshake(raw.subarray(0, n), o), 'decode_error');
      assert.ok(e instanceof MissingData || e instanceof TrailingData, `${c.name} cut to ${n}: ${e.message}`);
      assert.match(e.field, /^[A-Za-z_]+\.[a-z_]+/, `${c.name} cut to ${n}: ${e.message}`);
    }
    if (raw[0] === 20) continue; // Finished: verify_data is the whole body, any non-empty prefix is one
    const label = c.name; // OpenSSL's names are the RFC's, as our error paths use
    const legal = legalPrefixes(raw);
    const body = raw.subarray(4);
    for (let n = 0; n < body.length; n++, cases++) {
      const cut = frame(raw[0]!, body.subarray(0, n));
      if (legal.includes(n)) {
        assert.doesNotThrow(() => decodeHandshake(cut, o), `${c.name}: the extension-less form decodes`);
        continue;
      }
      const e = expectDecodeError(() => decodeHandshake(cut, o));
      assert.ok(e.field.startsWith(`${label}.`) && e.field.length > label.length + 1, `${c.name} body cut to ${n}: field ${e.field}`);
    }
    const longer = new Uint8Array(body.length + 1);
    longer.set(body);
    const e = expectDecodeError(() => decodeHandshake(frame(raw[0]!, longer), o), 'decode_error');
    assert.ok(e instanceof TrailingData, `${c.name} + 1 byte: ${e.message}`);
    const after = new Uint8Array(raw.length + 1);
    after.set(raw);
    assert.ok(expectDecodeError(() => decodeHandshake(after, o), 'decode_error') instanceof TrailingData);
    cases += 2;
  }
  return cases;
}

function find<T extends Handshake['type']>(ds: Handshake[], msgs: Captured[], type: T, from?: 'client' | 'server'): Extract<Handshake, { type: T }> {
  const i = ds.findIndex((d, k) => d.type === type && (!from || msgs[k]!.from === from));
  assert.ok(i >= 0, `no ${type}${from ? ` from the ${from}` : ''} in ${names(msgs).join(' ')}`);
  return ds[i] as Extract<Handshake, { type: T }>;
}

/** Checks a TLS 1.2 or TLS 1.0/1.1 signature with the certificate's public key, as RFC 5246 section 4.7 and RFC 2246 section 7.4.3 define them. */
function verifySignature(certPem: string, data: Uint8Array, algorithm: number | undefined, signature: Uint8Array): boolean {
  const key = new crypto.X509Certificate(certPem).publicKey;
  if (algorithm === undefined) {
    if (key.asymmetricKeyType === 'rsa') {
      // TLS 1.0/1.1: PKCS #1 v1.5 over MD5(data) || SHA-1(data), no DigestInfo (RFC 2246, Section 7.4.3).
      const md5sha1 = concatBytes([crypto.createHash('md5').update(data).digest(), crypto.createHash('sha1').update(data).digest()]);
      return toHex(crypto.publicDecrypt({ key, padding: crypto.constants.RSA_PKCS1_PADDING }, signature)) === toHex(md5sha1);
    }
    return crypto.verify('sha1', data, key, signature); // ECDSA in TLS 1.0/1.1: SHA-1 (RFC 4492, Section 5.4)
  }
  const row = sigSchemeByCode(algorithm);
  assert.ok(row, `unknown SignatureScheme 0x${algorithm.toString(16)}`);
  if (row.padding === 'pss') return crypto.verify(row.hash, data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST }, signature);
  return crypto.verify(row.hash, data, key, signature);
}

/** The ServerKeyExchange signature over client_random + server_random + params. */
function checkServerKeyExchange(ds: Handshake[], msgs: Captured[], certPem: string): ServerKeyExchange {
  const ch = find(ds, msgs, 'client_hello') as ClientHello;
  const sh = find(ds, msgs, 'server_hello') as ServerHello;
  const ske = find(ds, msgs, 'server_key_exchange');
  const content = serverKeyExchangeSignedContent(ch.random, sh.random, ske.params);
  assert.ok(verifySignature(certPem, content, ske.algorithm, ske.signature), 'the ServerKeyExchange signature verifies over the decoded params');
  return ske;
}

/** The client's CertificateVerify over every handshake message before it (RFC 5246, Section 7.4.8). */
function checkCertificateVerify(ds: Handshake[], msgs: Captured[], certPem: string): void {
  const i = ds.findIndex((d) => d.type === 'certificate_verify12');
  assert.ok(i > 0, `no CertificateVerify in ${names(msgs).join(' ')}`);
  const cv = ds[i] as Extract<Handshake, { type: 'certificate_verify12' }>;
  const transcript = concatBytes(msgs.slice(0, i).map((m) => m.raw));
  assert.ok(verifySignature(certPem, transcript, cv.algorithm, cv.signature), 'the CertificateVerify signature verifies over the captured transcript');
}

const ECDSA_SERVER = ['-cert', PKI('ec-p256.crt'), '-key', PKI('ec-p256.key')];
const RSA_SERVER = ['-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key')];

test('OpenSSL TLS 1.2 ECDHE-ECDSA: every message decodes; the ServerKeyExchange signature verifies over params', { timeout: 60_000 }, async () => {
  // P-256 listed too: an ECDSA certificate's curve must be one the client supports (RFC 8422, Section 5.1).
  const msgs = await capture(['-tls1_2', ...ECDSA_SERVER],
    ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-groups', 'X25519:P-256']);
  assert.deepEqual(names(msgs), ['>ClientHello', '<ServerHello', '<Certificate', '<ServerKeyExchange', '<ServerHelloDone', '>ClientKeyExchange', '>Finished', '<NewSessionTicket', '<Finished']);
  const o = opts(0x0303, 'ECDHE');
  const ds = decodeAll(msgs, o);

  const sh = find(ds, msgs, 'server_hello') as ServerHello;
  assert.equal(sh.legacyVersion, 0x0303);
  assert.equal(sh.cipherSuite, 0xc02b);
  // The TLS 1.2 ServerHello extensions OpenSSL sends decode in the 'SH' context.
  assert.equal(sh.ext.renegotiationInfo?.length, 0, 'renegotiation_info, empty on a first handshake (RFC 5746, Section 3.6)');
  assert.deepEqual(sh.ext.ecPointFormats?.includes(0), true, 'ec_point_formats with uncompressed (RFC 8422, Section 5.2)');
  assert.equal(sh.ext.extendedMasterSecret, true);
  assert.equal(sh.ext.sessionTicket, true);

  const cert = find(ds, msgs, 'certificate');
  assert.equal(cert.form, 'tls12');
  assert.deepEqual(cert.certificateList.map((e) => toHex(e.data)), [toHex(certDer('ec-p256.crt'))]);

  const ske = checkServerKeyExchange(ds, msgs, pem('ec-p256.crt'));
  assert.equal(ske.keyExchange, 'ECDHE');
  if (ske.keyExchange === 'ECDHE') {
    assert.equal(ske.namedCurve, NamedGroup.x25519);
    assert.equal(ske.point.length, 32);
  }
  assert.equal(ske.algorithm, SignatureScheme.ecdsa_secp256r1_sha256);

  const cke = find(ds, msgs, 'client_key_exchange');
  assert.equal(cke.keyExchange === 'ECDHE' && cke.point.length, 32);
  const nst = find(ds, msgs, 'new_session_ticket12');
  assert.ok(nst.ticketLifetimeHint > 0 && nst.ticket.length > 0, 'a ticket with a lifetime hint (RFC 5077, Section 3.3)');
  for (const f of ds.filter((d) => d.type === 'finished')) assert.equal(f.type === 'finished' && f.verifyData.length, 12);
  assert.ok(checkDamage(msgs, o) > 1000);
});

test('OpenSSL TLS 1.2 ECDHE-RSA over P-256: uncompressed point, RSA signature verifies', { timeout: 60_000 }, async () => {
  const msgs = await capture(['-tls1_2', ...RSA_SERVER], ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-groups', 'P-256']);
  const o = opts(0x0303, 'ECDHE');
  const ds = decodeAll(msgs, o);
  const ske = checkServerKeyExchange(ds, msgs, pem('rsa2048.crt'));
  assert.ok(ske.keyExchange === 'ECDHE' && ske.namedCurve === NamedGroup.secp256r1 && ske.point.length === 65 && ske.point[0] === 4);
  assert.equal(sigSchemeByCode(ske.algorithm!)?.keyType, 'RSA');
  const cke = find(ds, msgs, 'client_key_exchange');
  assert.ok(cke.keyExchange === 'ECDHE' && cke.point.length === 65 && cke.point[0] === 4);
  assert.deepEqual(find(ds, msgs, 'certificate').certificateList.map((e) => toHex(e.data)), [toHex(certDer('rsa2048.crt'))]);
  checkDamage(msgs, o);
});

test('OpenSSL TLS 1.2 DHE-RSA: dh_p, dh_g, dh_Ys and the signature over them', { timeout: 60_000 }, async () => {
  const msgs = await capture(['-tls1_2', ...RSA_SERVER, '-cipher', 'DHE-RSA-AES128-GCM-SHA256'], ['-tls1_2', '-cipher', 'DHE-RSA-AES128-GCM-SHA256']);
  assert.deepEqual(names(msgs).slice(0, 6), ['>ClientHello', '<ServerHello', '<Certificate', '<ServerKeyExchange', '<ServerHelloDone', '>ClientKeyExchange']);
  const o = opts(0x0303, 'DHE');
  const ds = decodeAll(msgs, o);
  const ske = checkServerKeyExchange(ds, msgs, pem('rsa2048.crt'));
  assert.equal(ske.keyExchange, 'DHE');
  if (ske.keyExchange === 'DHE') {
    assert.ok(ske.dhP.length >= 256, `a 2048-bit or larger prime, got ${ske.dhP.length} bytes`);
    assert.equal(ske.dhP[ske.dhP.length - 1]! & 1, 1, 'the prime is odd');
    assert.ok(ske.dhG.length >= 1 && ske.dhYs.length <= ske.dhP.length);
    const cke = find(ds, msgs, 'client_key_exchange');
    assert.ok(cke.keyExchange === 'DHE' && cke.dhYc.length <= ske.dhP.length && cke.dhYc.length > 200);
  }
  checkDamage(msgs, o);
});

test('OpenSSL TLS 1.2 RSA key exchange (AES128-SHA): no ServerKeyExchange, an opaque16 EncryptedPreMasterSecret, encrypt_then_mac', { timeout: 60_000 }, async () => {
  const msgs = await capture(['-tls1_2', ...RSA_SERVER, '-cipher', 'AES128-SHA'], ['-tls1_2', '-cipher', 'AES128-SHA']);
  assert.deepEqual(names(msgs).slice(0, 5), ['>ClientHello', '<ServerHello', '<Certificate', '<ServerHelloDone', '>ClientKeyExchange']);
  const o = opts(0x0303, 'RSA');
  const ds = decodeAll(msgs, o);
  const sh = find(ds, msgs, 'server_hello') as ServerHello;
  assert.equal(sh.cipherSuite, 0x002f);
  assert.equal(sh.ext.encryptThenMac, true, 'encrypt_then_mac for a CBC suite (RFC 7366, Section 2)');
  assert.equal(sh.ext.ecPointFormats, undefined);
  const cke = find(ds, msgs, 'client_key_exchange');
  assert.ok(cke.keyExchange === 'RSA' && !cke.ssl3 && cke.encryptedPreMasterSecret.length === 256, 'RSA-2048 ciphertext, length-prefixed');
  checkDamage(msgs, o);
});

test('OpenSSL TLS 1.2 client authentication: CertificateRequest with algorithms and CA names; the client CertificateVerify verifies', { timeout: 60_000 }, async () => {
  const msgs = await capture(['-tls1_2', ...ECDSA_SERVER, '-Verify', '1', '-CAfile', PKI('rsa2048.crt')],
    ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256', '-groups', 'X25519:P-256', '-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key')]);
  assert.deepEqual(names(msgs).slice(0, 10), ['>ClientHello', '<ServerHello', '<Certificate', '<ServerKeyExchange', '<CertificateRequest', '<ServerHelloDone', '>Certificate', '>ClientKeyExchange', '>CertificateVerify', '>Finished']);
  const o = opts(0x0303, 'ECDHE');
  const ds = decodeAll(msgs, o);
  const cr = find(ds, msgs, 'certificate_request12');
  assert.ok(cr.certificateTypes.includes(ClientCertificateType.rsa_sign) && cr.certificateTypes.includes(ClientCertificateType.ecdsa_sign), `types ${cr.certificateTypes}`);
  assert.ok(cr.supportedSignatureAlgorithms?.includes(SignatureScheme.rsa_pss_rsae_sha256), 'TLS 1.2 lists signature algorithms');
  assert.equal(cr.certificateAuthorities.length, 1);
  const der = certDer('rsa2048.crt');
  assert.ok(toHex(der).includes(toHex(cr.certificateAuthorities[0]!)), 'the CA name is the DER subject of the -CAfile certificate');
  const clientCert = find(ds, msgs, 'certificate', 'client');
  assert.deepEqual(clientCert.certificateList.map((e) => toHex(e.data)), [toHex(der)]);
  checkServerKeyExchange(ds, msgs, pem('ec-p256.crt'));
  checkCertificateVerify(ds, msgs, pem('rsa2048.crt'));
  assert.notEqual(find(ds, msgs, 'certificate_verify12').algorithm, undefined);
  checkDamage(msgs, o);
});

test('OpenSSL TLS 1.2 client without a certificate answers a CertificateRequest with an empty certificate_list', { timeout: 60_000 }, async () => {
  const msgs = await capture(['-tls1_2', ...ECDSA_SERVER, '-verify', '1'], ['-tls1_2']);
  const o = opts(0x0303, 'ECDHE');
  const ds = decodeAll(msgs, o);
  assert.deepEqual(find(ds, msgs, 'certificate_request12').certificateAuthorities, [], 'no -CAfile: no CA names');
  assert.deepEqual(find(ds, msgs, 'certificate', 'client').certificateList, []);
  checkDamage(msgs, o);
});

/** `openssl ocsp` on a throwaway index: a signed "good" response for leaf.crt from the fixture intermediate CA. */
function makeOcspResponse(dir: string): string {
  const serial = execFileSync('openssl', ['x509', '-in', PKI('leaf.crt'), '-noout', '-serial'], { encoding: 'utf8' }).trim().split('=')[1]!.toUpperCase();
  fs.writeFileSync(path.join(dir, 'index.txt'), `V\t21260101000000Z\t\t${serial}\tunknown\t/CN=leaf\n`);
  const file = path.join(dir, 'resp.der');
  execFileSync('openssl', ['ocsp', '-index', path.join(dir, 'index.txt'), '-rsigner', PKI('intermediate-ca.crt'), '-rkey', PKI('intermediate-ca.key'),
    '-CA', PKI('intermediate-ca.crt'), '-issuer', PKI('intermediate-ca.crt'), '-cert', PKI('leaf.crt'), '-respout', file, '-ndays', '36500'], { stdio: 'pipe' });
  return file;
}

test('OpenSSL TLS 1.2 -status: CertificateStatus carries the stapled OCSP response byte for byte (RFC 6066, Section 8)', { timeout: 60_000 }, async () => {
  requireOpenssl();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-h12-'));
  try {
    const file = makeOcspResponse(dir);
    const msgs = await capture(['-tls1_2', '-cert', PKI('leaf.crt'), '-cert_chain', PKI('intermediate-ca.crt'), '-key', PKI('leaf.key'), '-status_file', file], ['-tls1_2', '-status']);
    assert.deepEqual(names(msgs).slice(0, 4), ['>ClientHello', '<ServerHello', '<Certificate', '<CertificateStatus']);
    const o = opts(0x0303, 'ECDHE');
    const ds = decodeAll(msgs, o);
    assert.equal((find(ds, msgs, 'client_hello') as ClientHello).ext.statusRequest?.statusType, 1);
    assert.equal((find(ds, msgs, 'server_hello') as ServerHello).ext.statusRequest, true, 'status_request, empty, in the ServerHello');
    const cs = find(ds, msgs, 'certificate_status');
    assert.equal(cs.statusType, 1);
    assert.equal(toHex(cs.ocspResponse), toHex(new Uint8Array(fs.readFileSync(file))));
    assert.equal(find(ds, msgs, 'certificate').certificateList.length, 2);
    checkDamage(msgs, o);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('OpenSSL TLS 1.2 renegotiation: HelloRequest, then renegotiation_info carrying the Finished verify_data (RFC 5746, Section 3.5)', { timeout: 60_000 }, async () => {
  const countFinished = (msgs: Captured[]) => msgs.filter((m) => m.name === 'Finished').length;
  const msgs = await capture(['-tls1_2', ...RSA_SERVER, '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], ['-tls1_2'], {
    after: (srv) => srv.proc.stdin!.write('r\n'), // s_server's "r": renegotiate, which starts with a HelloRequest
    done: (msgs) => countFinished(msgs) >= 4,
  });
  const o = opts(0x0303, 'ECDHE');
  const ds = decodeAll(msgs, o);
  const hr = ds.findIndex((d) => d.type === 'hello_request');
  assert.ok(hr > 0, names(msgs).join(' '));
  assert.equal(toHex(msgs[hr]!.raw), '00000000');
  const firstFinished = ds.slice(0, hr).filter((d) => d.type === 'finished').map((d) => (d as Extract<Handshake, { type: 'finished' }>).verifyData);
  const clientFinished = firstFinished[0]!, serverFinished = firstFinished[1]!;
  const ch2 = ds.slice(hr).find((d) => d.type === 'client_hello') as ClientHello;
  const sh2 = ds.slice(hr).find((d) => d.type === 'server_hello') as ServerHello;
  assert.equal(toHex(ch2.ext.renegotiationInfo!), toHex(clientFinished));
  assert.equal(toHex(sh2.ext.renegotiationInfo!), toHex(concatBytes([clientFinished, serverFinished])));
  checkDamage(msgs, o);
});

test('OpenSSL TLS 1.0 ECDHE-RSA with client authentication: no algorithm fields anywhere; MD5+SHA-1 signatures verify', { timeout: 60_000 }, async () => {
  const cipher = ['-cipher', 'ECDHE-RSA-AES128-SHA@SECLEVEL=0'];
  const msgs = await capture(['-tls1', ...cipher, ...RSA_SERVER, '-Verify', '1', '-CAfile', PKI('rsa2048.crt')],
    ['-tls1', ...cipher, '-cert', PKI('rsa2048.crt'), '-key', PKI('rsa2048.key')]);
  const o = opts(0x0301, 'ECDHE');
  const ds = decodeAll(msgs, o);
  assert.equal((find(ds, msgs, 'server_hello') as ServerHello).legacyVersion, 0x0301);
  const ske = checkServerKeyExchange(ds, msgs, pem('rsa2048.crt'));
  assert.equal(ske.algorithm, undefined, 'TLS 1.0 ServerKeyExchange has no SignatureAndHashAlgorithm');
  assert.equal(ske.signature.length, 256);
  const cr = find(ds, msgs, 'certificate_request12');
  assert.equal(cr.supportedSignatureAlgorithms, undefined);
  assert.equal(cr.certificateAuthorities.length, 1);
  assert.equal(find(ds, msgs, 'certificate_verify12').algorithm, undefined);
  checkCertificateVerify(ds, msgs, pem('rsa2048.crt'));
  // The same bytes read as TLS 1.2 are not a TLS 1.2 CertificateVerify: the shape depends on the version.
  const cvRaw = msgs[ds.findIndex((d) => d.type === 'certificate_verify12')]!.raw;
  expectDecodeError(() => decodeHandshake(cvRaw, opts(0x0303, 'ECDHE')));
  checkDamage(msgs, o);
});

test('OpenSSL TLS 1.1 DHE-RSA: ServerKeyExchange without an algorithm, signature over the decoded params', { timeout: 60_000 }, async () => {
  const cipher = ['-cipher', 'DHE-RSA-AES128-SHA@SECLEVEL=0'];
  const msgs = await capture(['-tls1_1', ...cipher, ...RSA_SERVER], ['-tls1_1', ...cipher]);
  const o = opts(0x0302, 'DHE');
  const ds = decodeAll(msgs, o);
  assert.equal((find(ds, msgs, 'server_hello') as ServerHello).legacyVersion, 0x0302);
  const ske = checkServerKeyExchange(ds, msgs, pem('rsa2048.crt'));
  assert.equal(ske.keyExchange, 'DHE');
  assert.equal(ske.algorithm, undefined);
  checkDamage(msgs, o);
});
