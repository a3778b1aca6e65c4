// Extension codecs (RFC 8446 section 4.2 and the RFCs of each extension): builders and parseExtensions agree,
// the block-level rules (no duplicates, pre_shared_key last, allowed contexts) answer illegal_parameter, lists
// the RFCs declare non-empty refuse emptiness with decode_error, bodies are consumed exactly, and random bodies
// never make the decoder throw anything but DecodeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ext,
  parseExtensions,
  pskBindersLength,
  readExtensions,
  typedExtensionContexts,
  type Extension,
  type ExtensionContext,
} from '../../engine/msgs/extensions';
import { decodeClientHello, encodeHandshake } from '../../engine/msgs/handshake';
import { DecodeError, Reader, TrailingData } from '../../engine/msgs/reader';
import { Writer } from '../../engine/msgs/writer';
import { allowedIn, ExtensionType, extensionByCode } from '../../engine/registry/extensions';
import { toHex } from '../../engine/util/hex';

const seq = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);
const raw = (type: number, ...body: number[]): Extension => ({ type, data: Uint8Array.from(body) });

function expectDecodeError(fn: () => unknown, alert: string, field?: RegExp): DecodeError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DecodeError, `expected a DecodeError, got ${caught === undefined ? 'success' : String(caught)}`);
  assert.equal(caught.alert, alert, caught.message);
  if (field) assert.match(caught.field, field, caught.message);
  return caught;
}

const hex = (v: Uint8Array | undefined) => (v ? toHex(v) : v);

// --- builders and parser agree ------------------------------------------------------------------------------------

test('ClientHello extensions: every builder decodes back to its typed value (RFC 8446, Section 4.2)', () => {
  const v = parseExtensions(
    [
      ext.serverName(['example.com']),
      ext.maxFragmentLength(2),
      ext.statusRequest({ responderIds: [seq(3)], requestExtensions: seq(2) }),
      ext.supportedGroups([29, 23]),
      ext.ecPointFormats(),
      ext.signatureAlgorithms([0x0804, 0x0403]),
      ext.heartbeat(1),
      ext.alpn(['h2', 'http/1.1']),
      ext.sctRequest(),
      ext.padding(5),
      ext.encryptThenMac(),
      ext.extendedMasterSecret(),
      ext.compressCertificate([1, 2]),
      ext.recordSizeLimit(16385),
      ext.sessionTicket(seq(4)),
      ext.earlyData(),
      ext.supportedVersionsClient([0x0304, 0x0303]),
      ext.cookie(seq(5)),
      ext.pskKeyExchangeModes([1]),
      ext.certificateAuthorities([seq(6)]),
      ext.postHandshakeAuth(),
      ext.signatureAlgorithmsCert([0x0401]),
      ext.keyShareClient([{ group: 29, keyExchange: seq(32) }, { group: 23, keyExchange: seq(65) }]),
      ext.renegotiationInfo(),
      ext.grease(0x3a3a, seq(1)),
      ext.preSharedKeyClient({ identities: [{ identity: seq(8), obfuscatedTicketAge: 9 }], binders: [seq(32)] }),
    ],
    'CH',
  );
  assert.deepEqual(v.serverName, ['example.com']);
  assert.equal(v.maxFragmentLength, 2);
  assert.ok(v.statusRequest && 'responderIds' in v.statusRequest);
  assert.deepEqual(v.statusRequest.responderIds.map(toHex), [toHex(seq(3))]);
  assert.deepEqual(v.supportedGroups, [29, 23]);
  assert.deepEqual(v.ecPointFormats, [0]);
  assert.deepEqual(v.signatureAlgorithms, [0x0804, 0x0403]);
  assert.equal(v.heartbeat, 1);
  assert.deepEqual(v.alpn, ['h2', 'http/1.1']);
  assert.equal(v.signedCertificateTimestamp, true);
  assert.equal(v.padding, 5);
  assert.equal(v.encryptThenMac, true);
  assert.equal(v.extendedMasterSecret, true);
  assert.deepEqual(v.compressCertificate, [1, 2]);
  assert.equal(v.recordSizeLimit, 16385);
  assert.equal(hex(v.sessionTicket), toHex(seq(4)));
  assert.equal(v.earlyData, true);
  assert.deepEqual(v.supportedVersions, [0x0304, 0x0303]);
  assert.equal(hex(v.cookie), toHex(seq(5)));
  assert.deepEqual(v.pskKeyExchangeModes, [1]);
  assert.equal(v.certificateAuthorities?.length, 1);
  assert.equal(v.postHandshakeAuth, true);
  assert.deepEqual(v.signatureAlgorithmsCert, [0x0401]);
  assert.deepEqual(v.keyShare?.map((k) => [k.group, k.keyExchange.length]), [[29, 32], [23, 65]]);
  assert.equal(v.renegotiationInfo?.length, 0);
  assert.equal(v.preSharedKey?.identities[0]?.obfuscatedTicketAge, 9);
  assert.equal(v.preSharedKey?.binders.length, 1);
});

test('ServerHello, HelloRetryRequest, EncryptedExtensions, CertificateEntry, CertificateRequest and NewSessionTicket forms decode by context', () => {
  const sh = parseExtensions([ext.supportedVersionsServer(0x0304), ext.keyShareServer({ group: 29, keyExchange: seq(32) }), ext.preSharedKeyServer(1), ext.alpn(['h2']), ext.renegotiationInfo(seq(24))], 'SH');
  assert.equal(sh.supportedVersions, 0x0304);
  assert.equal(sh.keyShare?.group, 29);
  assert.equal(sh.preSharedKey, 1);
  assert.equal(sh.alpn, 'h2');
  assert.equal(sh.renegotiationInfo?.length, 24);
  const hrr = parseExtensions([ext.keyShareHelloRetry(24), ext.cookie(seq(3)), ext.supportedVersionsServer(0x0304)], 'HRR');
  assert.equal(hrr.keyShare, 24);
  assert.equal(hrr.cookie?.length, 3);
  const ee = parseExtensions([ext.serverNameAck(), ext.alpn(['h2']), ext.earlyData(), ext.supportedGroups([29]), ext.recordSizeLimit(64)], 'EE');
  assert.deepEqual([ee.serverName, ee.alpn, ee.earlyData, ee.supportedGroups, ee.recordSizeLimit], [true, 'h2', true, [29], 64]);
  const ct = parseExtensions([ext.statusResponse(seq(9)), ext.sctList([seq(4)])], 'CT');
  assert.equal(ct.statusRequest?.statusType, 1);
  assert.equal(ct.statusRequest?.ocspResponse.length, 9);
  assert.equal(ct.signedCertificateTimestamp?.length, 1);
  const cr = parseExtensions([ext.signatureAlgorithms([0x0807]), ext.oidFilters(seq(3)), ext.statusRequestEmpty(), ext.sctRequest()], 'CR');
  assert.deepEqual(cr.signatureAlgorithms, [0x0807]);
  assert.equal(cr.oidFilters?.length, 3);
  assert.equal(cr.statusRequest, true);
  const nst = parseExtensions([ext.earlyDataTicket(4096)], 'NST');
  assert.equal(nst.earlyData, 4096);
});

test('unknown extensions and GREASE are kept raw and ignored in every context (RFC 8446, Section 4.2; RFC 8701)', () => {
  for (const ctx of ['CH', 'SH', 'HRR', 'EE', 'CT', 'CR', 'NST'] as const) {
    assert.deepEqual(parseExtensions([raw(0x1234, 1, 2, 3), raw(0x0a0a)], ctx), {});
  }
});

test('the contexts each typed extension is decoded in agree with the registry (RFC 8446, Section 4.2 table)', () => {
  for (const [code, contexts] of typedExtensionContexts()) {
    const row = extensionByCode(code);
    assert.ok(row, `extension ${code} is in the registry`);
    for (const ctx of contexts) assert.ok(allowedIn(code, ctx, { tls12: true }), `${row.name} allowed in ${ctx}`);
    for (const ctx of row.contexts) {
      assert.ok(contexts.includes(ctx), `${row.name}: RFC 8446 allows it in ${ctx}, so we decode it there`);
    }
  }
});

// --- block rules ----------------------------------------------------------------------------------------------------

test('an extension appearing twice is illegal_parameter (RFC 8446, Section 4.2)', () => {
  expectDecodeError(() => parseExtensions([ext.supportedGroups([29]), ext.supportedGroups([23])], 'CH'), 'illegal_parameter', /supported_groups/);
  expectDecodeError(() => parseExtensions([raw(0x1234), raw(0x1234)], 'EE'), 'illegal_parameter', /0x1234/);
  const ch = encodeHandshake({ type: 'client_hello', random: seq(32), cipherSuites: [0x1301], extensions: [ext.earlyData(), ext.alpn(['a']), ext.earlyData()] });
  const e = expectDecodeError(() => decodeClientHello(ch), 'illegal_parameter', /^ClientHello\.extensions\.early_data$/);
  assert.match(e.detail, /twice/);
});

test('pre_shared_key anywhere but last in a ClientHello is illegal_parameter (RFC 8446, Section 4.2.11)', () => {
  const psk = ext.preSharedKeyClient({ identities: [{ identity: seq(4), obfuscatedTicketAge: 0 }], binders: [seq(32)] });
  expectDecodeError(() => parseExtensions([psk, ext.earlyData()], 'CH'), 'illegal_parameter', /pre_shared_key/);
  assert.ok(parseExtensions([ext.earlyData(), psk], 'CH').preSharedKey);
  const ch = encodeHandshake({ type: 'client_hello', random: seq(32), cipherSuites: [0x1301], extensions: [psk, raw(0x0a0a)] });
  expectDecodeError(() => decodeClientHello(ch), 'illegal_parameter', /ClientHello\.extensions\.pre_shared_key/);
  // Only the ClientHello has the rule.
  assert.equal(parseExtensions([ext.preSharedKeyServer(0), ext.supportedVersionsServer(0x0304)], 'SH').preSharedKey, 0);
});

test('a known extension in a message the RFC does not allow it in is illegal_parameter (RFC 8446, Section 4.2)', () => {
  expectDecodeError(() => parseExtensions([ext.keyShareServer({ group: 29, keyExchange: seq(32) })], 'EE'), 'illegal_parameter', /EncryptedExtensions\.extensions\.key_share/);
  expectDecodeError(() => parseExtensions([ext.oidFilters(seq(2))], 'CH'), 'illegal_parameter', /oid_filters/);
  expectDecodeError(() => parseExtensions([ext.cookie(seq(2))], 'SH'), 'illegal_parameter', /cookie/);
  expectDecodeError(() => parseExtensions([ext.ecPointFormats()], 'EE'), 'illegal_parameter', /ec_point_formats/);
  expectDecodeError(() => parseExtensions([ext.earlyData()], 'CR'), 'illegal_parameter', /early_data/);
});

// --- non-empty lists and exact bodies -------------------------------------------------------------------------------

const T = ExtensionType;
const EMPTY_LISTS: [string, ExtensionContext, Extension][] = [
  ['server_name: server_name_list<1..2^16-1> (RFC 6066, Section 3)', 'CH', raw(T.server_name, 0, 0)],
  ['server_name: HostName<1..2^16-1> (RFC 6066, Section 3)', 'CH', raw(T.server_name, 0, 3, 0, 0, 0)],
  ['supported_groups: named_group_list<2..2^16-1> (RFC 8446, Section 4.2.7)', 'CH', raw(T.supported_groups, 0, 0)],
  ['signature_algorithms: <2..2^16-2> (RFC 8446, Section 4.2.3)', 'CH', raw(T.signature_algorithms, 0, 0)],
  ['signature_algorithms_cert: <2..2^16-2> (RFC 8446, Section 4.2.3)', 'CR', raw(T.signature_algorithms_cert, 0, 0)],
  ['supported_versions: versions<2..254> (RFC 8446, Section 4.2.1)', 'CH', raw(T.supported_versions, 0)],
  ['psk_key_exchange_modes: ke_modes<1..255> (RFC 8446, Section 4.2.9)', 'CH', raw(T.psk_key_exchange_modes, 0)],
  ['application_layer_protocol_negotiation: protocol_name_list<2..2^16-1> (RFC 7301, Section 3.1)', 'CH', raw(T.application_layer_protocol_negotiation, 0, 0)],
  ['application_layer_protocol_negotiation: ProtocolName<1..2^8-1> (RFC 7301, Section 3.1)', 'CH', raw(T.application_layer_protocol_negotiation, 0, 1, 0)],
  ['cookie: cookie<1..2^16-1> (RFC 8446, Section 4.2.2)', 'HRR', raw(T.cookie, 0, 0)],
  ['certificate_authorities: authorities<3..2^16-1> (RFC 8446, Section 4.2.4)', 'CR', raw(T.certificate_authorities, 0, 0)],
  ['ec_point_formats: ec_point_format_list<1..2^8-1> (RFC 8422, Section 5.1.2)', 'CH', raw(T.ec_point_formats, 0)],
  ['key_share: key_exchange<1..2^16-1> (RFC 8446, Section 4.2.8)', 'CH', raw(T.key_share, 0, 4, 0, 29, 0, 0)],
  ['key_share: server_share.key_exchange<1..2^16-1> (RFC 8446, Section 4.2.8)', 'SH', raw(T.key_share, 0, 29, 0, 0)],
  ['pre_shared_key: identities<7..2^16-1> (RFC 8446, Section 4.2.11)', 'CH', raw(T.pre_shared_key, 0, 0, 0, 33, 32, ...seq(32))],
  ['pre_shared_key: binders<33..2^16-1> (RFC 8446, Section 4.2.11)', 'CH', raw(T.pre_shared_key, 0, 7, 0, 1, 9, 0, 0, 0, 0, 0, 0)],
  ['pre_shared_key: PskBinderEntry<32..255> (RFC 8446, Section 4.2.11)', 'CH', raw(T.pre_shared_key, 0, 7, 0, 1, 9, 0, 0, 0, 0, 0, 33, 31, ...seq(31), 0)],
  ['signed_certificate_timestamp: sct_list<1..2^16-1> (RFC 6962, Section 3.3)', 'CT', raw(T.signed_certificate_timestamp, 0, 0)],
  ['status_request: OCSPResponse<1..2^24-1> (RFC 6066, Section 8)', 'CT', raw(T.status_request, 1, 0, 0, 0)],
  ['compress_certificate: algorithms<2..2^8-2> (RFC 8879, Section 3)', 'CH', raw(T.compress_certificate, 0)],
];
for (const [what, ctx, e] of EMPTY_LISTS) {
  test(`an empty list or value the RFC declares non-empty is a decode_error: ${what}`, () => {
    expectDecodeError(() => parseExtensions([e], ctx), 'decode_error');
  });
}

test('an odd-length list of 2-byte values is a decode_error', () => {
  expectDecodeError(() => parseExtensions([raw(T.supported_groups, 0, 3, 0, 29, 0)], 'CH'), 'decode_error', /named_group_list/);
  expectDecodeError(() => parseExtensions([raw(T.supported_versions, 3, 3, 4, 3)], 'CH'), 'decode_error', /versions/);
});

test('an extension body with bytes left after its value is a decode_error (bodies are consumed exactly)', () => {
  const cases: [ExtensionContext, Extension][] = [
    ['SH', raw(T.supported_versions, 3, 4, 0)],
    ['CH', raw(T.early_data, 0)],
    ['CH', raw(T.extended_master_secret, 1)],
    ['NST', raw(T.early_data, 0, 0, 4, 0, 0)],
    ['SH', raw(T.key_share, 0, 29, 0, 1, 5, 9)],
    ['CH', raw(T.supported_groups, 0, 2, 0, 29, 0, 30)],
    ['EE', raw(T.server_name, 0)],
  ];
  for (const [ctx, e] of cases) {
    const err = expectDecodeError(() => parseExtensions([e], ctx), 'decode_error');
    assert.ok(err instanceof TrailingData, `${err.message} is TrailingData`);
  }
});

test('values the RFCs forbid are illegal_parameter: record_size_limit < 64, unknown heartbeat mode, max_fragment_length 5, repeated key share group, two host_names, a server ALPN list of two, binder count mismatch', () => {
  expectDecodeError(() => parseExtensions([ext.recordSizeLimit(63)], 'EE'), 'illegal_parameter', /record_size_limit/);
  expectDecodeError(() => parseExtensions([ext.heartbeat(3)], 'CH'), 'illegal_parameter', /heartbeat\.mode/);
  expectDecodeError(() => parseExtensions([raw(T.max_fragment_length, 5)], 'CH'), 'illegal_parameter', /max_fragment_length/);
  expectDecodeError(
    () => parseExtensions([ext.keyShareClient([{ group: 29, keyExchange: seq(32) }, { group: 29, keyExchange: seq(32) }])], 'CH'),
    'illegal_parameter',
    /key_share\.client_shares\[1\]\.group/,
  );
  expectDecodeError(() => parseExtensions([ext.serverName(['a.example', 'b.example'])], 'CH'), 'illegal_parameter', /server_name_list\[1\]\.name_type/);
  expectDecodeError(() => parseExtensions([ext.alpn(['h2', 'http/1.1'])], 'EE'), 'illegal_parameter', /protocol_name_list/);
  expectDecodeError(
    () => parseExtensions([ext.preSharedKeyClient({ identities: [{ identity: seq(3), obfuscatedTicketAge: 0 }], binders: [seq(32), seq(32)] })], 'CH'),
    'illegal_parameter',
    /pre_shared_key\.binders/,
  );
});

test('server_name entries of an unknown name_type are skipped, not refused (RFC 6066, Section 3)', () => {
  const v = parseExtensions([raw(T.server_name, 0, 10, 7, 0, 2, 0x61, 0x62, 0, 0, 2, 0x63, 0x64)], 'CH');
  assert.deepEqual(v.serverName, ['cd']);
});

test('pskBindersLength counts the list length, each length byte and each binder (RFC 8446, Section 4.2.11.2)', () => {
  assert.equal(pskBindersLength({ binders: [seq(32)] }), 35);
  assert.equal(pskBindersLength({ binders: [seq(32), seq(48)] }), 2 + 33 + 49);
});

test('readExtensions names each extension in the error path and points at its byte offset', () => {
  const w = new Writer();
  w.u16Prefixed((w) => {
    w.u16(T.supported_groups).u16Prefixed((w) => w.u16Prefixed(() => {}));
  });
  const buf = w.finish();
  const e = expectDecodeError(() => readExtensions(new Reader(buf, 'EncryptedExtensions'), 'EE'), 'decode_error');
  assert.equal(e.field, 'EncryptedExtensions.extensions.supported_groups.named_group_list');
  assert.equal(e.offset, 6);
});

test('builders refuse names that are not single bytes', () => {
  assert.throws(() => ext.serverName(['bücher.example\u0100']), /U\+0100/);
});

// --- fuzz -----------------------------------------------------------------------------------------------------------

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

const TYPED = [...typedExtensionContexts().keys()];
for (const ctx of ['CH', 'SH', 'HRR', 'EE', 'CT', 'CR', 'NST'] as const) {
  test(`fuzz: parseExtensions(…, '${ctx}') throws nothing but DecodeError on 2,000 seeded random extension lists`, () => {
    const rand = prng(0xe47 + ctx.charCodeAt(0) * 7 + ctx.length);
    for (let i = 0; i < 2000; i++) {
      const list: Extension[] = [];
      const n = 1 + ((rand() * 3) | 0);
      for (let j = 0; j < n; j++) {
        const type = rand() < 0.9 ? TYPED[(rand() * TYPED.length) | 0]! : (rand() * 0x10000) | 0;
        // Short bodies, often starting with a plausible small length, to get past the first field.
        const len = (rand() * 12) | 0;
        const data = Uint8Array.from({ length: len }, (_, k) => (k < 2 && rand() < 0.5 ? (k === 0 ? 0 : (rand() * len) | 0) : (rand() * 256) | 0));
        list.push({ type, data });
      }
      try {
        parseExtensions(list, ctx);
      } catch (e) {
        if (!(e instanceof DecodeError)) assert.fail(`case ${i} threw ${String(e)}`);
      }
    }
  });
}
