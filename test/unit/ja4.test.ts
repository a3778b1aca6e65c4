// JA4 (FoxIO, technical_details/JA4.md) against the specification's own worked example and a published capture
// (browserleaks' JA4, JA4_r, JA4_o and JA4_ro of one Chrome ClientHello), and the client offer built from a
// ClientHello with GREASE (RFC 8701) in every list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ja4, ja4OfClientHello } from '../../engine/tools/ja4';
import { clientOfferOf, clientOfferText, explainRefusal } from '../../engine/tools/client-offer';
import { decodeClientHello, encodeClientHello } from '../../engine/msgs/handshake';
import { ext } from '../../engine/msgs/extensions';
import { NamedGroup } from '../../engine/registry/groups';

const hexList = (s: string) => s.split(',').map((h) => parseInt(h, 16));

// JA4.md "Cipher hash" and "Extension hash": the suites and extensions in wire order, and the signature algorithms.
const SPEC_SUITES = hexList('1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035');
const SPEC_EXTS = hexList('001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015');
const SPEC_SIGS = hexList('0403,0804,0401,0503,0805,0501,0806,0601');

test('JA4.md worked example: t13d1516h2_8daaf6152771_e5627efa2ab1, and its raw and original-order forms', () => {
  // GREASE mixed into every list must change nothing ("ignore GREASE values anywhere").
  const f = ja4({
    transport: 't', legacyVersion: 0x0303, supportedVersions: [0x2a2a, 0x0304, 0x0303],
    cipherSuites: [0x0a0a, ...SPEC_SUITES], extensionTypes: [0x1a1a, ...SPEC_EXTS, 0xfafa],
    firstAlpn: new TextEncoder().encode('h2'), signatureAlgorithms: SPEC_SIGS,
  });
  assert.equal(f.ja4, 't13d1516h2_8daaf6152771_e5627efa2ab1');
  assert.equal(f.ja4_r, 't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601');
  assert.equal(f.ja4_ro, 't13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601');
  assert.equal(f.ja4_o, 't13d1516h2_acb858a92679_18f69afefd3d');
});

test('JA4.md: without signature algorithms the extension list is hashed with no underscore (6d807ffa2a79)', () => {
  const f = ja4({ transport: 't', legacyVersion: 0x0303, supportedVersions: [0x0304], cipherSuites: SPEC_SUITES, extensionTypes: SPEC_EXTS });
  assert.equal(f.ja4.split('_')[2], '6d807ffa2a79');
  assert.equal(f.ja4.slice(0, 10), 't13d151600');
});

test('published capture (browserleaks, Chrome 143): JA4 t13d1516h2_8daaf6152771_d8a2da3f94cd and JA4_o ..._acb858a92679_f96a17c57971', () => {
  const f = ja4({
    transport: 't', legacyVersion: 0x0303, supportedVersions: [0x0304, 0x0303],
    cipherSuites: SPEC_SUITES,
    extensionTypes: hexList('002d,0033,0010,fe0d,0017,44cd,0000,000b,000a,002b,ff01,0023,0012,0005,000d,001b'),
    firstAlpn: new TextEncoder().encode('h2'), signatureAlgorithms: SPEC_SIGS,
  });
  assert.equal(f.ja4, 't13d1516h2_8daaf6152771_d8a2da3f94cd');
  assert.equal(f.ja4_o, 't13d1516h2_acb858a92679_f96a17c57971');
});

test('JA4 a-part: versions, SNI, counts over 99, ALPN characters and their hex fallback (JA4.md "ALPN Extension Value")', () => {
  const a = (over: Partial<Parameters<typeof ja4>[0]>) => ja4({ transport: 't', legacyVersion: 0x0303, cipherSuites: [0x1301], extensionTypes: [], ...over }).ja4.split('_')[0];
  assert.equal(a({ firstAlpn: new TextEncoder().encode('http/1.1') }), 't12i0100h1');
  assert.equal(a({ firstAlpn: Uint8Array.of(0xab) }), 't12i0100ab');
  assert.equal(a({ firstAlpn: Uint8Array.of(0xab, 0xcd) }), 't12i0100ad');
  assert.equal(a({ firstAlpn: Uint8Array.of(0x30, 0xab) }), 't12i01003b');
  assert.equal(a({ firstAlpn: Uint8Array.of(0x30, 0x31, 0xab, 0xcd) }), 't12i01003d');
  assert.equal(a({ firstAlpn: Uint8Array.of(0x30, 0xab, 0xcd, 0x31) }), 't12i010001');
  assert.equal(a({ firstAlpn: Uint8Array.of(0x71) }), 't12i0100qq');
  assert.equal(a({ firstAlpn: new Uint8Array(0) }), 't12i010000');
  assert.equal(a({ legacyVersion: 0x0300 }), 'ts3i010000');
  assert.equal(a({ transport: 'd', legacyVersion: 0xfefd, supportedVersions: [0xfeff, 0xfefd] }), 'dd2i010000');
  assert.equal(a({ legacyVersion: 0x1234 }), 't00i010000');
  assert.equal(a({ cipherSuites: Array.from({ length: 120 }, (_, i) => i + 1), extensionTypes: [0] }), 't12d9901' + '00');
  // SCSVs count as suites; an empty suite list hashes to twelve zeros.
  assert.equal(ja4({ transport: 't', legacyVersion: 0x0303, cipherSuites: [0x00ff, 0x5600], extensionTypes: [] }).ja4.slice(0, 10), 't12i020000');
  assert.equal(ja4({ transport: 't', legacyVersion: 0x0303, cipherSuites: [], extensionTypes: [] }).ja4, 't12i000000_000000000000_000000000000');
});

test('client offer of an encoded ClientHello: GREASE recognised in every list, PQ hybrid marked, extensions in order, JA4 computed', () => {
  const raw = encodeClientHello({
    type: 'client_hello', random: new Uint8Array(32), cipherSuites: [0x3a3a, 0x1301, 0x1302],
    extensions: [
      ext.grease(0x5a5a),
      ext.serverName(['example.test']),
      ext.supportedVersionsClient([0x7a7a, 0x0304, 0x0303]),
      ext.supportedGroups([0x8a8a, NamedGroup.X25519MLKEM768, NamedGroup.x25519]),
      ext.keyShareClient([{ group: 0x8a8a, keyExchange: Uint8Array.of(0) }, { group: NamedGroup.x25519, keyExchange: new Uint8Array(32) }]),
      ext.signatureAlgorithms([0x9a9a, 0x0403, 0x0804]),
      ext.alpn(['h2', 'http/1.1']),
    ],
  });
  const ch = decodeClientHello(raw);
  const o = clientOfferOf(ch);
  assert.deepEqual(o.versions.map((v) => v.name), ['GREASE(0x7a7a)', 'TLSv1.3', 'TLSv1.2']);
  assert.equal(o.versions[0]!.grease, true);
  assert.deepEqual(o.groups.map((g) => [g.name, !!g.postQuantum, !!g.grease]), [['GREASE(0x8a8a)', false, true], ['X25519MLKEM768', true, false], ['X25519', false, false]]);
  assert.deepEqual(o.keyShares.map((k) => [k.name, k.length]), [['GREASE(0x8a8a)', 1], ['X25519', 32]]);
  assert.deepEqual(o.extensions.map((x) => x.name), ['GREASE(0x5a5a)', 'server_name', 'supported_versions', 'supported_groups', 'key_share', 'signature_algorithms', 'application_layer_protocol_negotiation']);
  assert.deepEqual(o.grease.map((g) => g.field), ['cipher_suites', 'extensions', 'supported_versions', 'supported_groups', 'key_share', 'signature_algorithms']);
  assert.equal(o.serverName, 'example.test');
  assert.deepEqual(o.alpn, ['h2', 'http/1.1']);
  // 2 suites and 6 extensions once GREASE is dropped.
  assert.match(o.ja4.ja4, /^t13d0206h2_[0-9a-f]{12}_[0-9a-f]{12}$/);
  assert.equal(o.ja4.ja4, ja4OfClientHello(ch).ja4);
  assert.ok(clientOfferText(o).some((l) => l.includes('post-quantum: X25519MLKEM768')));
});

test('plain refusal reasons: no shared group, suite, signature scheme, version, ALPN (server policy vs the offer)', () => {
  const hello = (groups: number[], extra: ReturnType<typeof ext.alpn>[] = [], suites = [0x1301], versions = [0x0304]) => clientOfferOf(decodeClientHello(encodeClientHello({
    type: 'client_hello', random: new Uint8Array(32), cipherSuites: suites,
    extensions: [ext.supportedVersionsClient(versions), ext.supportedGroups(groups), ext.keyShareClient([]), ext.signatureAlgorithms([0x0403]), ...extra],
  })));
  const signer = { schemes: [0x0403], keyKind: 'ECDSA' as const };
  assert.equal(explainRefusal(hello([NamedGroup.X25519MLKEM768]), { groups: [NamedGroup.x448], signer }, { message: 'x', field: 'supported_groups' }).reason,
    'no shared group: the client offered only X25519MLKEM768; this server accepts only X448');
  assert.match(explainRefusal(hello([29], [], [0x1303]), { cipherSuites: [0x1301], signer }).reason, /^no shared cipher suite: the client offered only TLS_CHACHA20_POLY1305_SHA256 for TLSv1.3; this server accepts only TLS_AES_128_GCM_SHA256$/);
  assert.match(explainRefusal(hello([29]), { signer: { schemes: [0x0804], keyKind: 'RSA' } }).reason, /^no shared signature scheme: the client accepts only ecdsa_secp256r1_sha256; this server's RSA key can sign only with rsa_pss_rsae_sha256$/);
  assert.match(explainRefusal(hello([29], [], [0x1301], [0x0303]), { minVersion: 0x0304, signer }).reason, /^no shared protocol version: the client offered only TLSv1.2; this server accepts TLSv1.3$/);
  assert.match(explainRefusal(hello([29], [ext.alpn(['h2'])]), { alpn: ['imap'], signer }, { alert: 'no_application_protocol', message: 'x' }).reason, /^no shared ALPN protocol: the client offered only h2; this server accepts only imap$/);
  // A failure no check explains is quoted with its alert.
  assert.equal(explainRefusal(hello([29]), { signer }, { alert: 'decrypt_error', message: 'the client\'s Finished does not match' }).reason, 'the client\'s Finished does not match (alert decrypt_error)');
});

test('a DTLS 1.2 ClientHello (handed up in TLS form by our DTLS layer) is fingerprinted and named as DTLS: "d" and "d2"', () => {
  const ch = decodeClientHello(encodeClientHello({ type: 'client_hello', legacyVersion: 0x0303, random: new Uint8Array(32), cipherSuites: [0xc02b], extensions: [ext.supportedGroups([29])] }));
  assert.match(ja4OfClientHello(ch, 'd').ja4, /^dd2i0101/);
  const o = clientOfferOf(ch, 'd');
  assert.deepEqual(o.versions.map((v) => v.name), ['DTLSv1.2']);
  // Compared in TLS form: a DTLS 1.2 offer meets a TLS 1.2 minimum.
  assert.notEqual(explainRefusal(o, { signer: { schemes: [0x0403], keyKind: 'ECDSA' } }).check, 'version');
});
