// Handshake message codecs (RFC 8446 section 4): every message round-trips, no strict prefix of an encoding
// decodes, trailing bytes are refused, the checks the RFC assigns to the decoder answer the right alert, and
// seeded random input never makes a decoder throw anything but DecodeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HELLO_RETRY_REQUEST_RANDOM,
  buildHandshake,
  decodeCertificate,
  decodeCertificateRequest,
  decodeCertificateVerify,
  decodeClientHello,
  decodeEncryptedExtensions,
  decodeEndOfEarlyData,
  decodeFinished,
  decodeHandshake,
  decodeKeyUpdate,
  decodeMessageHash,
  decodeNewSessionTicket,
  decodeServerHello,
  encodeClientHello,
  encodeHandshake,
  encodeHelloRetryRequest,
  patchBinders,
  truncateForBinders,
  type ClientHello,
  type Handshake,
  type HandshakeInit,
} from '../../engine/msgs/handshake';
import { ext, pskBindersLength } from '../../engine/msgs/extensions';
import { DecodeError, MissingData, TrailingData } from '../../engine/msgs/reader';
import { EncodeError } from '../../engine/msgs/writer';
import { NamedGroup } from '../../engine/registry/groups';
import { SignatureScheme } from '../../engine/registry/sigschemes';
import { ProtocolVersion } from '../../engine/registry/versions';
import { toHex } from '../../engine/util/hex';

// --- helpers ---------------------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so a failing fuzz case replays. */
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

const bytes = (n: number, fill = 0) => new Uint8Array(n).fill(fill);
const seq = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

/** Re-frames a body with a correct 4-byte header. */
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

// --- one sample of every message ---------------------------------------------------------------------------------

const clientHello: HandshakeInit = {
  type: 'client_hello',
  random: seq(32, 1),
  legacySessionId: seq(32, 100),
  cipherSuites: [0x1301, 0x1302, 0x1303, 0x0a0a],
  extensions: [
    ext.grease(0x1a1a),
    ext.serverName(['example.com']),
    ext.supportedGroups([NamedGroup.x25519, NamedGroup.secp256r1]),
    ext.signatureAlgorithms([SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256]),
    ext.supportedVersionsClient([ProtocolVersion.TLS13, ProtocolVersion.TLS12]),
    ext.keyShareClient([{ group: NamedGroup.x25519, keyExchange: seq(32, 7) }]),
    ext.pskKeyExchangeModes([1]),
    ext.alpn(['h2', 'http/1.1']),
    ext.statusRequest(),
    ext.sctRequest(),
    ext.recordSizeLimit(16385),
    ext.padding(10),
    ext.earlyData(),
    ext.preSharedKeyClient({ identities: [{ identity: seq(20), obfuscatedTicketAge: 0x01020304 }], binders: [seq(32, 50)] }),
  ],
};

const serverHello: HandshakeInit = {
  type: 'server_hello',
  random: seq(32, 9),
  legacySessionIdEcho: seq(32, 100),
  cipherSuite: 0x1301,
  extensions: [
    ext.supportedVersionsServer(ProtocolVersion.TLS13),
    ext.keyShareServer({ group: NamedGroup.x25519, keyExchange: seq(32, 3) }),
    ext.preSharedKeyServer(0),
  ],
};

const helloRetryRequest: HandshakeInit = {
  type: 'hello_retry_request',
  legacySessionIdEcho: new Uint8Array(0),
  cipherSuite: 0x1302,
  extensions: [ext.supportedVersionsServer(ProtocolVersion.TLS13), ext.keyShareHelloRetry(NamedGroup.secp256r1), ext.cookie(seq(40))],
};

const encryptedExtensions: HandshakeInit = {
  type: 'encrypted_extensions',
  extensions: [ext.serverNameAck(), ext.supportedGroups([NamedGroup.x25519]), ext.alpn(['h2']), ext.recordSizeLimit(16385), ext.earlyData()],
};

const certificate: HandshakeInit = {
  type: 'certificate',
  certificateRequestContext: seq(4),
  certificateList: [
    { data: seq(300, 5), extensions: [ext.statusResponse(seq(40)), ext.sctList([seq(10), seq(12)])] },
    { data: seq(200, 8) },
  ],
};

const certificateRequest: HandshakeInit = {
  type: 'certificate_request',
  certificateRequestContext: seq(8),
  extensions: [
    ext.signatureAlgorithms([SignatureScheme.ed25519, SignatureScheme.rsa_pss_rsae_sha256]),
    ext.signatureAlgorithmsCert([SignatureScheme.rsa_pkcs1_sha256]),
    ext.certificateAuthorities([seq(20), seq(5)]),
    ext.oidFilters(Uint8Array.of(0, 0)),
    ext.statusRequestEmpty(),
  ],
};

const certificateVerify: HandshakeInit = { type: 'certificate_verify', algorithm: SignatureScheme.rsa_pss_rsae_sha256, signature: seq(256) };
const finished: HandshakeInit = { type: 'finished', verifyData: seq(32, 77) };
const newSessionTicket: HandshakeInit = {
  type: 'new_session_ticket',
  ticketLifetime: 7200,
  ticketAgeAdd: 0xdeadbeef,
  ticketNonce: Uint8Array.of(0, 1),
  ticket: seq(100),
  extensions: [ext.earlyDataTicket(16384), ext.grease(0x2a2a)],
};
const endOfEarlyData: HandshakeInit = { type: 'end_of_early_data' };
const keyUpdate: HandshakeInit = { type: 'key_update', requestUpdate: 1 };
const messageHash: HandshakeInit = { type: 'message_hash', hash: seq(48) };
const unknown: HandshakeInit = { type: 'unknown', msgType: 99, body: seq(7) };

const SAMPLES: Record<string, HandshakeInit> = {
  ClientHello: clientHello,
  ServerHello: serverHello,
  HelloRetryRequest: helloRetryRequest,
  EncryptedExtensions: encryptedExtensions,
  Certificate: certificate,
  CertificateRequest: certificateRequest,
  CertificateVerify: certificateVerify,
  Finished: finished,
  NewSessionTicket: newSessionTicket,
  EndOfEarlyData: endOfEarlyData,
  KeyUpdate: keyUpdate,
  message_hash: messageHash,
  unknown,
};

/** The fields a sender chose, as they come back from decoding (raw and typed ext left out). */
function strip(m: Handshake): unknown {
  const { raw: _raw, ...rest } = m as Handshake & { ext?: unknown };
  delete (rest as { ext?: unknown }).ext;
  if (rest.type === 'certificate') {
    return { ...rest, certificateList: rest.certificateList.map(({ data, extensions }) => ({ data, extensions })) };
  }
  return rest;
}

function normalise(m: HandshakeInit): unknown {
  const copy: Record<string, unknown> = { ...m };
  const set = (k: string, v: unknown) => { if (copy[k] === undefined) copy[k] = v; };
  switch (m.type) {
    case 'client_hello':
      set('legacyVersion', 0x0303); set('legacySessionId', new Uint8Array(0)); set('legacyCompressionMethods', [0]);
      break;
    case 'server_hello':
      set('legacyVersion', 0x0303); set('legacyCompressionMethod', 0);
      break;
    case 'hello_retry_request':
      set('legacyVersion', 0x0303); set('legacyCompressionMethod', 0); copy.random = HELLO_RETRY_REQUEST_RANDOM;
      break;
    case 'certificate':
      set('certificateRequestContext', new Uint8Array(0));
      copy.certificateList = m.certificateList.map((e) => ({ data: e.data, extensions: e.extensions ?? [] }));
      break;
    case 'certificate_request':
      set('certificateRequestContext', new Uint8Array(0));
      break;
    case 'new_session_ticket':
      set('extensions', []);
      break;
  }
  return copy;
}

/** Compares with Uint8Array views normalised to plain arrays (deepEqual cares about buffer offsets otherwise). */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return { bytes: toHex(v) };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

// --- round trips --------------------------------------------------------------------------------------------------

for (const [name, sample] of Object.entries(SAMPLES)) {
  test(`${name}: decode(encode(m)) gives back every field and re-encodes byte for byte (RFC 8446, Section 4)`, () => {
    const raw = encodeHandshake(sample);
    const decoded = decodeHandshake(raw);
    assert.equal(decoded.type, sample.type);
    assert.deepEqual(plain(strip(decoded)), plain(normalise(sample)));
    assert.equal(toHex(decoded.raw), toHex(raw), 'raw keeps the exact bytes');
    assert.equal(toHex(encodeHandshake(decoded)), toHex(raw), 're-encoding a decoded message is the identity');
  });
}

test('decoded typed extensions match what the builders put in (RFC 8446, Section 4.2)', () => {
  const ch = decodeHandshake(encodeHandshake(clientHello)) as ClientHello;
  assert.deepEqual(ch.ext.serverName, ['example.com']);
  assert.deepEqual(ch.ext.supportedVersions, [0x0304, 0x0303]);
  assert.equal(ch.ext.keyShare?.[0]?.group, NamedGroup.x25519);
  assert.deepEqual(ch.ext.alpn, ['h2', 'http/1.1']);
  assert.equal(ch.ext.padding, 10);
  assert.equal(ch.ext.recordSizeLimit, 16385);
  assert.equal(ch.ext.preSharedKey?.identities[0]?.obfuscatedTicketAge, 0x01020304);
  assert.ok(ch.extensions.some((e) => e.type === 0x1a1a), 'GREASE is kept raw');

  const hrr = buildHandshake(helloRetryRequest);
  assert.equal(hrr.type, 'hello_retry_request');
  if (hrr.type === 'hello_retry_request') {
    assert.equal(hrr.ext.keyShare, NamedGroup.secp256r1);
    assert.equal(hrr.ext.cookie?.length, 40);
  }
  const cert = buildHandshake(certificate);
  if (cert.type !== 'certificate') assert.fail('not a certificate');
  assert.equal(cert.certificateList[0]!.ext.statusRequest?.ocspResponse.length, 40);
  assert.equal(cert.certificateList[0]!.ext.signedCertificateTimestamp?.length, 2);
  const nst = buildHandshake(newSessionTicket);
  if (nst.type !== 'new_session_ticket') assert.fail('not a ticket');
  assert.equal(nst.ext.earlyData, 16384);
});

test('decoded byte fields are views into the message, not copies', () => {
  const raw = encodeHandshake(clientHello);
  const ch = decodeClientHello(raw);
  assert.equal(ch.random.buffer, raw.buffer);
  assert.equal(ch.extensions[1]!.data.buffer, raw.buffer);
});

test('a ServerHello whose random is SHA-256("HelloRetryRequest") decodes as a HelloRetryRequest (RFC 8446, Section 4.1.3)', () => {
  const raw = encodeHelloRetryRequest(helloRetryRequest as Parameters<typeof encodeHelloRetryRequest>[0]);
  assert.equal(raw[0], 2, 'msg_type is server_hello');
  assert.equal(toHex(raw.subarray(6, 38)), toHex(HELLO_RETRY_REQUEST_RANDOM));
  assert.equal(decodeServerHello(raw).type, 'hello_retry_request');
  assert.equal(decodeServerHello(encodeHandshake(serverHello)).type, 'server_hello');
});

// --- prefixes and trailing bytes ----------------------------------------------------------------------------------

for (const [name, sample] of Object.entries(SAMPLES)) {
  test(`${name}: no strict prefix of the encoding decodes (the header length no longer matches)`, () => {
    const raw = encodeHandshake(sample);
    for (let n = 0; n < raw.length; n++) expectDecodeError(() => decodeHandshake(raw.subarray(0, n)));
  });
}

// Messages whose body has no optional tail: every strict prefix of the body, re-framed with a correct header,
// must fail. ClientHello and ServerHello may end after the compression method(s) (RFC 5246 section 7.4.1.2),
// so that one prefix is legal; Finished, message_hash and unknown bodies are opaque to the end.
const OPTIONAL_TAIL: Record<string, (body: Uint8Array) => number[]> = {
  ClientHello: (b) => {
    const sid = b[34]!;
    const suites = (b[35 + sid]! << 8) | b[36 + sid]!;
    return [37 + sid + suites + 1 + b[37 + sid + suites]!];
  },
  ServerHello: (b) => [35 + b[34]! + 3],
};
for (const [name, sample] of Object.entries(SAMPLES)) {
  if (['Finished', 'message_hash', 'unknown', 'EndOfEarlyData'].includes(name)) continue;
  test(`${name}: no strict prefix of the body decodes, even with a corrected header (RFC 8446, Section 3)`, () => {
    const raw = encodeHandshake(sample);
    const body = raw.subarray(4);
    const legal = OPTIONAL_TAIL[name]?.(body) ?? [];
    for (let n = 0; n < body.length; n++) {
      if (legal.includes(n)) {
        assert.doesNotThrow(() => decodeHandshake(frame(raw[0]!, body.subarray(0, n))), `the extension-less form (${n} bytes) decodes`);
        continue;
      }
      expectDecodeError(() => decodeHandshake(frame(raw[0]!, body.subarray(0, n))));
    }
  });

  test(`${name}: a byte after the last field is refused as trailing data (decode_error)`, () => {
    const raw = encodeHandshake(sample);
    const body = new Uint8Array(raw.length - 4 + 1);
    body.set(raw.subarray(4));
    const e = expectDecodeError(() => decodeHandshake(frame(raw[0]!, body)), 'decode_error');
    assert.ok(e instanceof TrailingData || e instanceof MissingData, e.message);
  });
}

test('a header whose length disagrees with the bytes that follow is refused either way', () => {
  const raw = encodeHandshake(finished);
  const longer = new Uint8Array(raw.length + 1);
  longer.set(raw);
  assert.ok(expectDecodeError(() => decodeHandshake(longer)) instanceof TrailingData);
  assert.ok(expectDecodeError(() => decodeHandshake(raw.subarray(0, raw.length - 1))) instanceof MissingData);
  expectDecodeError(() => decodeHandshake(new Uint8Array(0)), 'decode_error', /Handshake\.msg_type/);
});

// --- field rules ----------------------------------------------------------------------------------------------------

function chBody(parts: { sid?: Uint8Array; suites?: Uint8Array; comp?: Uint8Array; exts?: Uint8Array }): Uint8Array {
  const sid = parts.sid ?? new Uint8Array(0);
  const suites = parts.suites ?? Uint8Array.of(0, 2, 0x13, 0x01);
  const comp = parts.comp ?? Uint8Array.of(1, 0);
  const exts = parts.exts ?? new Uint8Array(0);
  const out = new Uint8Array(2 + 32 + 1 + sid.length + suites.length + comp.length + exts.length);
  out.set([3, 3]);
  let p = 34;
  out[p++] = sid.length;
  out.set(sid, p); p += sid.length;
  out.set(suites, p); p += suites.length;
  out.set(comp, p); p += comp.length;
  out.set(exts, p);
  return frame(1, out);
}

test('ClientHello: legacy_session_id longer than 32 bytes is a decode_error (RFC 8446, Section 4.1.2)', () => {
  expectDecodeError(() => decodeClientHello(chBody({ sid: bytes(33) })), 'decode_error', /ClientHello\.legacy_session_id/);
});

test('ClientHello: an empty or odd-length cipher_suites is a decode_error (cipher_suites<2..2^16-2>)', () => {
  expectDecodeError(() => decodeClientHello(chBody({ suites: Uint8Array.of(0, 0) })), 'decode_error', /cipher_suites/);
  expectDecodeError(() => decodeClientHello(chBody({ suites: Uint8Array.of(0, 3, 0x13, 0x01, 0) })), 'decode_error', /cipher_suites/);
});

test('ClientHello: empty legacy_compression_methods is a decode_error (<1..2^8-1>)', () => {
  expectDecodeError(() => decodeClientHello(chBody({ comp: Uint8Array.of(0) })), 'decode_error', /legacy_compression_methods/);
});

test('ClientHello: a TLS 1.2 hello without an extensions block decodes with no extensions (RFC 5246, Section 7.4.1.2)', () => {
  const ch = decodeClientHello(chBody({}));
  assert.deepEqual(ch.extensions, []);
  assert.deepEqual(ch.ext, {});
  assert.equal(toHex(encodeClientHello(ch)), toHex(ch.raw));
});

test('CertificateRequest without signature_algorithms is refused with missing_extension (RFC 8446, Section 4.3.2)', () => {
  const raw = encodeHandshake({ type: 'certificate_request', extensions: [ext.certificateAuthorities([seq(4)])] });
  expectDecodeError(() => decodeCertificateRequest(raw), 'missing_extension', /CertificateRequest\.extensions/);
});

test('KeyUpdate with request_update other than 0 or 1 is illegal_parameter (RFC 8446, Section 4.6.3)', () => {
  expectDecodeError(() => decodeKeyUpdate(frame(24, Uint8Array.of(2))), 'illegal_parameter', /KeyUpdate\.request_update/);
  assert.equal(decodeKeyUpdate(frame(24, Uint8Array.of(0))).requestUpdate, 0);
});

test('EndOfEarlyData with a body is a decode_error (RFC 8446, Section 4.5)', () => {
  expectDecodeError(() => decodeEndOfEarlyData(frame(5, Uint8Array.of(0))), 'decode_error');
});

test('Certificate: an empty cert_data is a decode_error (cert_data<1..2^24-1>, RFC 8446, Section 4.4.2)', () => {
  const body = Uint8Array.of(0, 0, 0, 5, 0, 0, 0, 0, 0);
  expectDecodeError(() => decodeCertificate(frame(11, body)), 'decode_error', /Certificate\.certificate_list\[0\]\.cert_data/);
});

test('Certificate: an extension not allowed in a CertificateEntry is illegal_parameter (RFC 8446, Section 4.4.2)', () => {
  const raw = encodeHandshake({ type: 'certificate', certificateList: [{ data: seq(10), extensions: [ext.supportedGroups([29])] }] });
  expectDecodeError(() => decodeCertificate(raw), 'illegal_parameter', /Certificate\.certificate_list\[0\]\.extensions\.supported_groups/);
});

test('NewSessionTicket: an empty ticket is a decode_error (ticket<1..2^16-1>, RFC 8446, Section 4.6.1)', () => {
  const raw = encodeHandshake({ ...newSessionTicket, ticket: new Uint8Array(0) } as HandshakeInit);
  expectDecodeError(() => decodeNewSessionTicket(raw), 'decode_error', /NewSessionTicket\.ticket/);
});

test('Finished and message_hash refuse an empty body', () => {
  expectDecodeError(() => decodeFinished(frame(20, new Uint8Array(0))), 'decode_error');
  expectDecodeError(() => decodeMessageHash(frame(254, new Uint8Array(0))), 'decode_error');
});

test('a decoder handed another message type answers unexpected_message', () => {
  expectDecodeError(() => decodeFinished(encodeHandshake(keyUpdate)), 'unexpected_message', /Finished\.msg_type/);
});

test('decodeHandshake keeps unmodelled types as { type: "unknown" } and TLS 1.2 forms for later', () => {
  const u = decodeHandshake(frame(12, seq(5)));
  assert.equal(u.type, 'unknown');
  if (u.type === 'unknown') assert.equal(u.msgType, 12);
  const ee = encodeHandshake(encryptedExtensions);
  assert.equal(decodeHandshake(ee, { version: 'tls12' }).type, 'unknown');
  assert.equal(decodeHandshake(ee, { version: 'tls13' }).type, 'encrypted_extensions');
  assert.equal(decodeHandshake(encodeHandshake(clientHello), { version: 'tls12' }).type, 'client_hello');
});

test('ClientHello extension errors name the field path and byte offset', () => {
  // client_shares: one good x25519 entry, then secp256r1 with a key_exchange length pointing past the end.
  const shares = Uint8Array.of(0, 29, 0, 1, 0xaa, 0, 23, 0, 9, 1, 2);
  const body = new Uint8Array(2 + shares.length);
  body.set([0, shares.length]);
  body.set(shares, 2);
  const exts = new Uint8Array(2 + 4 + body.length);
  exts.set([0, 4 + body.length, 0, 51, 0, body.length]);
  exts.set(body, 6);
  const raw = chBody({ exts });
  const e = expectDecodeError(() => decodeClientHello(raw), 'decode_error');
  assert.equal(e.field, 'ClientHello.extensions.key_share.client_shares[1].key_exchange');
  const at = raw.length - 4; // the u16 length of the second key_exchange
  assert.equal(e.offset, at);
  assert.match(e.message, /ClientHello\.extensions\.key_share\.client_shares\[1\]\.key_exchange: .* \(at byte \d+; alert decode_error\)/);
});

test('encoders refuse values that do not fit their fields (EncodeError, never a truncated wire value)', () => {
  assert.throws(() => encodeHandshake({ ...clientHello, random: seq(31) } as HandshakeInit), EncodeError);
  assert.throws(() => encodeHandshake({ type: 'certificate_verify', algorithm: 0x10000, signature: seq(1) }), EncodeError);
  assert.throws(() => encodeHandshake({ type: 'certificate_verify', algorithm: 1, signature: new Uint8Array(0x10000) }), EncodeError);
});

// --- PSK binders --------------------------------------------------------------------------------------------------

test('truncateForBinders drops exactly the binders list and patchBinders writes real binders in place (RFC 8446, Section 4.2.11.2)', () => {
  const offered = { identities: [{ identity: seq(10), obfuscatedTicketAge: 5 }, { identity: seq(12), obfuscatedTicketAge: 6 }], binders: [bytes(32), bytes(48)] };
  const placeholder = { ...clientHello, extensions: [ext.supportedVersionsClient([0x0304]), ext.preSharedKeyClient(offered)] } as HandshakeInit;
  const raw = encodeHandshake(placeholder);
  const ch = decodeClientHello(raw);
  assert.equal(pskBindersLength(offered), 2 + 33 + 49);
  const truncated = truncateForBinders(ch);
  assert.equal(truncated.length, raw.length - 84);
  const real = [seq(32, 1), seq(48, 2)];
  const copy = raw.slice();
  patchBinders(copy, real);
  assert.equal(toHex(copy.subarray(0, truncated.length)), toHex(truncated), 'the prefix is untouched');
  assert.deepEqual(decodeClientHello(copy).ext.preSharedKey?.binders.map(toHex), real.map(toHex));
  assert.throws(() => patchBinders(copy, [seq(32), seq(32)]), EncodeError);
});

// --- fuzz ---------------------------------------------------------------------------------------------------------

const DECODERS: Record<string, [number, (raw: Uint8Array) => unknown]> = {
  decodeClientHello: [1, decodeClientHello],
  decodeServerHello: [2, decodeServerHello],
  decodeEncryptedExtensions: [8, decodeEncryptedExtensions],
  decodeCertificate: [11, decodeCertificate],
  decodeCertificateRequest: [13, decodeCertificateRequest],
  decodeCertificateVerify: [15, decodeCertificateVerify],
  decodeFinished: [20, decodeFinished],
  decodeNewSessionTicket: [4, decodeNewSessionTicket],
  decodeEndOfEarlyData: [5, decodeEndOfEarlyData],
  decodeKeyUpdate: [24, decodeKeyUpdate],
  decodeMessageHash: [254, decodeMessageHash],
  decodeHandshake: [-1, (raw) => decodeHandshake(raw)],
};
const SEEDS = Object.values(SAMPLES).map(encodeHandshake);

/** Three kinds of input: pure noise, noise under a correct header, and damaged real messages. */
function fuzzInput(rand: () => number, msgType: number, i: number): Uint8Array {
  const noise = (n: number) => Uint8Array.from({ length: n }, () => (rand() * 256) | 0);
  const kind = i % 3;
  if (kind === 0) return noise((rand() * 64) | 0);
  if (kind === 1) return frame(msgType < 0 ? (rand() * 256) | 0 : msgType, noise((rand() * 200) | 0));
  const seed = SEEDS.find((s) => s[0] === msgType) ?? SEEDS[(rand() * SEEDS.length) | 0]!;
  const body = seed.slice(4);
  const flips = 1 + ((rand() * 4) | 0);
  for (let f = 0; f < flips; f++) {
    const op = rand();
    const at = (rand() * body.length) | 0;
    if (op < 0.6) body[at] = (rand() * 256) | 0;
    else if (op < 0.8) body[at] ^= 1 << ((rand() * 8) | 0);
    else return frame(seed[0]!, body.subarray(0, at)); // truncated body, consistent header
  }
  return frame(seed[0]!, body);
}

for (const [name, [msgType, decode]] of Object.entries(DECODERS)) {
  test(`fuzz: ${name} throws nothing but DecodeError on 2,000 seeded random and damaged inputs`, () => {
    const rand = prng(0x5eed0000 + msgType + name.length);
    let decoded = 0;
    for (let i = 0; i < 2000; i++) {
      const input = fuzzInput(rand, msgType, i);
      try {
        decode(input);
        decoded++;
      } catch (e) {
        if (!(e instanceof DecodeError)) assert.fail(`case ${i} (${toHex(input)}) threw ${String(e)}`);
        assert.ok(e.field.length > 0 && e.offset >= 0 && e.offset <= input.length, `case ${i}: error has a place`);
      }
    }
    assert.ok(decoded < 2000, 'some inputs must fail');
  });
}
