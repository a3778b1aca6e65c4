// The vocabulary registries (versions, suites, groups, signature schemes, alerts, extensions, content and
// handshake types): no code point twice, every name lookup round-trips, unknown code points print without
// throwing, and the rows agree with the RFCs (and, where installed, with `openssl ciphers`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ALERTS, AlertCode, alertByCode, alertByName, alertCode, alertName, isAlertDescription, type AlertDescription } from '../../engine/registry/alerts';
import { CONTENT_TYPES, ContentType, contentTypeByName, contentTypeName } from '../../engine/registry/content-types';
import { allowedIn, EXTENSIONS, ExtensionType, extensionByCode, extensionByName, extensionName, GREASE_VALUES, isGrease } from '../../engine/registry/extensions';
import { GROUPS, groupByCode, groupByName, groupName, NamedGroup } from '../../engine/registry/groups';
import { HANDSHAKE_TYPES, HandshakeType, handshakeLabel, handshakeTypeByName, handshakeTypeName } from '../../engine/registry/handshake-types';
import { SIGSCHEMES, SignatureScheme, sigSchemeByCode, sigSchemeByName, sigSchemeName } from '../../engine/registry/sigschemes';
import {
  SIGNALLING_SUITES,
  SUITES,
  TLS13_SUITES,
  lookupSuite,
  suiteByCode,
  suiteByIanaName,
  suiteByName,
  suiteByOpenSslName,
  suiteName,
} from '../../engine/registry/suites';
import { compareVersions, ProtocolVersion, VERSIONS, versionByName, versionName } from '../../engine/registry/versions';

function assertUnique(name: string, codes: readonly number[]): void {
  const seen = new Map<number, number>();
  for (const c of codes) seen.set(c, (seen.get(c) ?? 0) + 1);
  const dup = [...seen].filter(([, n]) => n > 1).map(([c]) => `0x${c.toString(16)}`);
  assert.deepEqual(dup, [], `${name}: duplicate code points`);
}

// --- structure ------------------------------------------------------------------------------------------------------

test('no registry lists a code point twice (IANA registries are keyed by code)', () => {
  assertUnique('versions', VERSIONS.map((r) => r.code));
  assertUnique('suites', [...SUITES, ...SIGNALLING_SUITES].map((r) => r.code));
  assertUnique('groups', GROUPS.map((r) => r.code));
  assertUnique('signature schemes', SIGSCHEMES.map((r) => r.code));
  assertUnique('alerts', ALERTS.map((r) => r.code));
  assertUnique('extensions', EXTENSIONS.map((r) => r.code));
  assertUnique('content types', CONTENT_TYPES.map((r) => r.code));
  assertUnique('handshake types', HANDSHAKE_TYPES.map((r) => r.code));
});

test('no two rows of a registry share a name either', () => {
  const unique = (name: string, names: string[]) => assert.equal(new Set(names.map((n) => n.toLowerCase())).size, names.length, name);
  unique('versions', VERSIONS.map((r) => r.name));
  unique('suites (OpenSSL)', [...SUITES, ...SIGNALLING_SUITES].map((r) => r.openssl));
  unique('suites (IANA)', [...SUITES, ...SIGNALLING_SUITES].map((r) => r.iana));
  unique('groups (IANA)', GROUPS.map((r) => r.iana));
  unique('groups (OpenSSL)', GROUPS.map((r) => r.openssl));
  unique('signature schemes (IANA)', SIGSCHEMES.map((r) => r.iana));
  unique('signature schemes (OpenSSL)', SIGSCHEMES.map((r) => r.openssl));
  unique('alerts', ALERTS.map((r) => r.name));
  unique('extensions', EXTENSIONS.map((r) => r.name));
  unique('handshake types', HANDSHAKE_TYPES.map((r) => r.name));
});

// --- name lookups round-trip ------------------------------------------------------------------------------------------

test('every name lookup returns the row it was taken from, in any letter case', () => {
  for (const v of VERSIONS) {
    assert.equal(versionByName(v.name)?.code, v.code);
    assert.equal(versionByName(v.iana)?.code, v.code);
    assert.equal(versionName(v.code), v.name);
  }
  for (const s of [...SUITES, ...SIGNALLING_SUITES]) {
    assert.equal(suiteByName(s.openssl)?.code, s.code);
    assert.equal(suiteByName(s.iana.toLowerCase())?.code, s.code);
    assert.equal(suiteName(s.code), s.openssl);
    assert.equal(suiteName(s.code, 'iana'), s.iana);
  }
  for (const s of SUITES) {
    assert.equal(suiteByOpenSslName(s.openssl.toLowerCase())?.code, s.code);
    assert.equal(suiteByIanaName(s.iana)?.code, s.code);
    assert.equal(suiteByCode(s.code), s);
  }
  for (const g of GROUPS) {
    for (const n of [g.iana, g.openssl, ...(g.aliases ?? [])]) assert.equal(groupByName(n.toUpperCase())?.code, g.code, n);
    assert.equal(groupName(g.code), g.openssl);
    assert.equal(groupName(g.code, 'iana'), g.iana);
  }
  for (const s of SIGSCHEMES) {
    assert.equal(sigSchemeByName(s.iana)?.code, s.code);
    assert.equal(sigSchemeByName(s.openssl.toUpperCase())?.code, s.code);
    assert.equal(sigSchemeName(s.code), s.iana);
    assert.equal(sigSchemeName(s.code, 'openssl'), s.openssl);
  }
  for (const a of ALERTS) {
    assert.equal(alertByName(a.name.toUpperCase())?.code, a.code);
    assert.equal(alertByName(a.name.replace(/_/g, ' '))?.code, a.code, 'OpenSSL long form');
    assert.equal(alertName(a.code), a.name);
    assert.ok(isAlertDescription(a.name));
    assert.equal(alertCode(a.name as AlertDescription), a.code);
  }
  for (const e of EXTENSIONS) {
    assert.equal(extensionByName(e.name.toUpperCase())?.code, e.code);
    assert.equal(extensionName(e.code), e.name);
  }
  for (const c of CONTENT_TYPES) assert.equal(contentTypeByName(contentTypeName(c.code))?.code, c.code);
  for (const h of HANDSHAKE_TYPES) {
    assert.equal(handshakeTypeByName(h.name)?.code, h.code);
    assert.equal(handshakeTypeByName(h.label)?.code, h.code);
    assert.equal(handshakeTypeName(h.code), h.name);
  }
});

test('constant maps agree with the tables', () => {
  for (const [name, code] of Object.entries(ExtensionType)) assert.equal(extensionName(code), name);
  for (const [name, code] of Object.entries(HandshakeType)) assert.equal(handshakeTypeName(code), name);
  for (const [name, code] of Object.entries(ContentType)) assert.equal(contentTypeName(code), name);
  for (const [name, code] of Object.entries(AlertCode)) assert.equal(alertName(code), name);
  for (const [name, code] of Object.entries(NamedGroup)) assert.equal(groupName(code, 'iana'), name);
  for (const [name, code] of Object.entries(SignatureScheme)) assert.equal(sigSchemeName(code), name);
  for (const [name, code] of Object.entries(TLS13_SUITES)) assert.equal(suiteName(code, 'iana'), name);
  for (const [, code] of Object.entries(ProtocolVersion)) assert.ok(VERSIONS.some((v) => v.code === code));
});

test('versionByName accepts OpenSSL\'s spellings and the usual variants', () => {
  for (const n of ['TLSv1.3', 'tls1.3', 'tls1_3', 'TLS 1.3', 'TLSV1_3']) assert.equal(versionByName(n)?.code, 0x0304, n);
  for (const n of ['TLSv1', 'tls1', 'tls1.0', 'tls1_0', 'TLS 1.0']) assert.equal(versionByName(n)?.code, 0x0301, n);
  for (const n of ['SSLv3', 'ssl3', 'SSL 3.0']) assert.equal(versionByName(n)?.code, 0x0300, n);
  assert.equal(versionByName('DTLSv1.2')?.code, 0xfefd);
  assert.equal(versionByName('dtls1')?.code, 0xfeff);
  assert.equal(versionByName('TLSv1.4'), undefined);
  assert.equal(versionName(0x7f17), 'TLSv1.3-draft23');
  assert.ok(compareVersions(0x0304, 0x0303) > 0);
  assert.ok(compareVersions(0xfefd, 0xfeff) > 0, 'DTLS 1.2 is newer than DTLS 1.0 though its code is smaller');
});

test('groupByName takes every name OpenSSL\'s -groups takes for a group: P-256, prime256v1, secp256r1, X25519, x25519', () => {
  for (const n of ['P-256', 'prime256v1', 'secp256r1', 'p-256']) assert.equal(groupByName(n)?.code, 23, n);
  for (const n of ['X25519', 'x25519']) assert.equal(groupByName(n)?.code, 29, n);
  assert.equal(groupByName('X25519MLKEM768')?.code, 0x11ec);
  assert.equal(groupByName('ffdhe2048')?.kind, 'ffdhe');
});

test('sigSchemeByName takes OpenSSL\'s "+" forms; RSA-PSS+SHA256 means rsa_pss_rsae_sha256 as in OpenSSL', () => {
  assert.equal(sigSchemeByName('RSA+SHA256')?.iana, 'rsa_pkcs1_sha256');
  assert.equal(sigSchemeByName('ECDSA+SHA384')?.iana, 'ecdsa_secp384r1_sha384');
  assert.equal(sigSchemeByName('RSA-PSS+SHA256')?.iana, 'rsa_pss_rsae_sha256');
  assert.equal(sigSchemeByName('PSS+SHA512')?.iana, 'rsa_pss_rsae_sha512');
  assert.equal(sigSchemeByName('Ed25519')?.code, 0x0807);
});

// --- unknown code points ----------------------------------------------------------------------------------------------

test('unknown code points print without throwing: 0x1234 for two-byte spaces, unknown(N) for one-byte ones', () => {
  for (let c = 0; c <= 0xffff; c++) {
    for (const f of [versionName, suiteName, groupName, sigSchemeName, extensionName]) assert.equal(typeof f(c), 'string');
  }
  for (let c = 0; c <= 0xff; c++) for (const f of [alertName, contentTypeName, handshakeTypeName, handshakeLabel]) assert.equal(typeof f(c), 'string');
  assert.equal(versionName(0x1234), '0x1234');
  assert.equal(suiteName(0x1234), '0x1234');
  assert.equal(groupName(0x1234), '0x1234');
  assert.equal(sigSchemeName(0x1234), '0x1234');
  assert.equal(extensionName(0x1234), '0x1234');
  assert.equal(alertName(200), 'unknown(200)');
  assert.equal(contentTypeName(99), 'unknown(99)');
  assert.equal(handshakeTypeName(99), 'unknown(99)');
  assert.equal(suiteByCode(0x1234), undefined);
  assert.equal(alertByCode(200), undefined);
  assert.equal(groupByCode(0x1234), undefined);
  assert.equal(sigSchemeByCode(0x1234), undefined);
});

test('GREASE is exactly the sixteen 0x?a?a values and prints as GREASE(0x..) in every two-byte vocabulary (RFC 8701, Section 2)', () => {
  const grease: number[] = [];
  for (let c = 0; c <= 0xffff; c++) if (isGrease(c)) grease.push(c);
  assert.deepEqual(grease, [...GREASE_VALUES]);
  assert.deepEqual(grease.slice(0, 3), [0x0a0a, 0x1a1a, 0x2a2a]);
  for (const f of [versionName, suiteName, groupName, sigSchemeName, extensionName]) assert.equal(f(0xfafa), 'GREASE(0xfafa)');
  assert.equal(lookupSuite(0x0a0a)?.iana, 'GREASE(0x0a0a)');
  assert.equal(suiteByCode(0x0a0a), undefined, 'GREASE is not a cipher suite');
  assert.equal(allowedIn(0x0a0a, 'EE'), true, 'GREASE is ignored, not refused');
});

// --- rows agree with the RFCs ------------------------------------------------------------------------------------------

test('suites: TLS 1.3 rows use a 12-byte IV and no record IV; TLS 1.2 GCM/CCM a 4-byte salt and an 8-byte explicit nonce; ChaCha20 12 and 0', () => {
  for (const s of SUITES) {
    if (s.versions === 'tls13') {
      assert.deepEqual([s.kx, s.auth, s.mac, s.cipher.ivLen, s.cipher.recordIvLen], ['any', 'any', 'AEAD', 12, 0], s.iana);
    } else if (/GCM|CCM/.test(s.cipher.name)) {
      assert.deepEqual([s.cipher.ivLen, s.cipher.recordIvLen, s.mac], [4, 8, 'AEAD'], s.iana);
    } else if (s.cipher.name === 'CHACHA20-POLY1305') {
      assert.deepEqual([s.cipher.ivLen, s.cipher.recordIvLen], [12, 0], s.iana);
    }
    assert.equal(s.cipher.tagLen, s.mac !== 'AEAD' ? 0 : s.cipher.name.endsWith('CCM8') ? 8 : 16, s.iana);
    assert.equal(s.prfHash, s.iana.endsWith('SHA384') ? 'sha384' : 'sha256', s.iana);
    assert.equal(s.cipher.keyLen, { 'AES-128': 16, 'AES-256': 32, CHACHA20: 32, '3DES': 24, 'RC4-128': 16, NULL: 0 }[s.cipher.name.replace(/-(GCM|CCM8?|CBC|EDE-CBC|POLY1305)$/, '')], s.iana);
  }
  assert.equal(suiteByOpenSslName('ECDHE-RSA-AES128-GCM-SHA256')?.code, 0xc02f);
  assert.equal(suiteByIanaName('tls_aes_256_gcm_sha384')?.cipher.name, 'AES-256-GCM');
});

test('suites: exactly the 3DES, RC4 and NULL suites are flagged weak', () => {
  for (const s of SUITES) assert.equal(!!s.weak, ['3DES-EDE-CBC', 'RC4-128', 'NULL'].includes(s.cipher.name), s.openssl);
  assert.match(suiteByOpenSslName('RC4-SHA')!.weak!, /RFC 7465/);
  assert.equal(lookupSuite(0x00ff)?.iana, 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV');
  assert.equal(suiteName(0x5600), 'TLS_FALLBACK_SCSV');
});

test('suites: names and protocol versions match `openssl ciphers -V -stdname` where this OpenSSL has the suite', (t) => {
  let out: string;
  try {
    out = execFileSync('openssl', ['ciphers', '-V', '-stdname', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { encoding: 'utf8' });
  } catch {
    t.skip('openssl is not installed');
    return;
  }
  let checked = 0;
  for (const line of out.split('\n')) {
    const m = /0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+- (\S+)\s+(\S+)/.exec(line);
    if (!m) continue;
    const s = suiteByCode(parseInt(m[1]! + m[2]!, 16));
    if (!s) continue;
    assert.equal(s.iana, m[3], `IANA name of ${s.openssl}`);
    assert.equal(s.openssl, m[4], `OpenSSL name of ${s.iana}`);
    const versions = { 'TLSv1.3': 'tls13', 'TLSv1.2': 'tls12', TLSv1: 'tls10+', SSLv3: 'ssl3+' }[m[5]!];
    assert.equal(s.versions, versions, `versions of ${s.openssl}`);
    checked++;
  }
  assert.ok(checked >= 40, `checked ${checked} suites against openssl`);
});

test('signature schemes: every RFC 8446 Section 4.2.3 scheme is there with its key type and hash', () => {
  const rfc8446: Record<string, number> = {
    rsa_pkcs1_sha256: 0x0401, rsa_pkcs1_sha384: 0x0501, rsa_pkcs1_sha512: 0x0601,
    ecdsa_secp256r1_sha256: 0x0403, ecdsa_secp384r1_sha384: 0x0503, ecdsa_secp521r1_sha512: 0x0603,
    rsa_pss_rsae_sha256: 0x0804, rsa_pss_rsae_sha384: 0x0805, rsa_pss_rsae_sha512: 0x0806,
    ed25519: 0x0807, ed448: 0x0808,
    rsa_pss_pss_sha256: 0x0809, rsa_pss_pss_sha384: 0x080a, rsa_pss_pss_sha512: 0x080b,
    rsa_pkcs1_sha1: 0x0201, ecdsa_sha1: 0x0203,
  };
  for (const [name, code] of Object.entries(rfc8446)) assert.equal(sigSchemeName(code), name);
  for (const s of SIGSCHEMES) {
    if (s.keyType === 'Ed25519' || s.keyType === 'Ed448') assert.equal(s.hash, null);
    else assert.ok(s.iana.endsWith(s.hash!), s.iana);
    if (s.padding === 'pss') assert.ok(s.tls13);
    if (s.padding === 'pkcs1' || s.hash === 'sha1') assert.equal(s.tls13, false, `${s.iana} cannot sign a TLS 1.3 CertificateVerify`);
  }
  assert.equal(sigSchemeByCode(0x0809)?.keyType, 'RSA-PSS');
  assert.equal(sigSchemeByCode(0x0403)?.curve, 'P-256');
});

test('groups: key share lengths follow RFC 8446 Section 4.2.8 and the ML-KEM drafts', () => {
  assert.deepEqual(groupByCode(NamedGroup.secp256r1)?.shareLen, { client: 65, server: 65 });
  assert.deepEqual(groupByCode(NamedGroup.x25519)?.shareLen, { client: 32, server: 32 });
  assert.deepEqual(groupByCode(NamedGroup.ffdhe3072)?.shareLen, { client: 384, server: 384 });
  assert.deepEqual(groupByCode(NamedGroup.X25519MLKEM768)?.shareLen, { client: 1216, server: 1120 });
  assert.equal(groupByCode(NamedGroup.X25519MLKEM768)?.kind, 'hybrid');
  assert.equal(groupByCode(NamedGroup.MLKEM768)?.kind, 'kem');
  assert.equal(groupByCode(22)?.deprecated, true);
});

test('alerts: every RFC 8446 Section 6 alert is an AlertDescription, and each has a meaning and causes to check', () => {
  const rfc8446: AlertDescription[] = [
    'close_notify', 'unexpected_message', 'bad_record_mac', 'record_overflow', 'handshake_failure', 'bad_certificate',
    'unsupported_certificate', 'certificate_revoked', 'certificate_expired', 'certificate_unknown', 'illegal_parameter',
    'unknown_ca', 'access_denied', 'decode_error', 'decrypt_error', 'protocol_version', 'insufficient_security',
    'internal_error', 'inappropriate_fallback', 'user_canceled', 'missing_extension', 'unsupported_extension',
    'unrecognized_name', 'bad_certificate_status_response', 'unknown_psk_identity', 'certificate_required',
    'no_application_protocol',
  ];
  for (const n of rfc8446) assert.ok(alertByName(n) && !alertByName(n)!.deprecated, n);
  for (const n of ['decryption_failed', 'decompression_failure', 'no_certificate', 'export_restriction', 'no_renegotiation']) {
    assert.ok(alertByName(n)?.deprecated, `${n} (RFC 5246 and earlier) is kept and marked deprecated`);
  }
  for (const a of ALERTS) {
    assert.match(a.description, /^[A-Z].*\.$/, `${a.name}: one sentence`);
    assert.ok(a.causes.length >= 1, `${a.name}: has causes`);
  }
  assert.ok(alertByCode(40)!.causes.some((c) => /cipher suite or group in common/.test(c)));
});

test('extensions: the contexts are RFC 8446 Section 4.2\'s table', () => {
  const table: Record<string, string> = {
    server_name: 'CH, EE', max_fragment_length: 'CH, EE', status_request: 'CH, CR, CT', supported_groups: 'CH, EE',
    signature_algorithms: 'CH, CR', use_srtp: 'CH, EE', heartbeat: 'CH, EE', application_layer_protocol_negotiation: 'CH, EE',
    signed_certificate_timestamp: 'CH, CR, CT', client_certificate_type: 'CH, EE', server_certificate_type: 'CH, EE',
    padding: 'CH', key_share: 'CH, SH, HRR', pre_shared_key: 'CH, SH', psk_key_exchange_modes: 'CH', early_data: 'CH, EE, NST',
    cookie: 'CH, HRR', supported_versions: 'CH, SH, HRR', certificate_authorities: 'CH, CR', oid_filters: 'CR',
    post_handshake_auth: 'CH', signature_algorithms_cert: 'CH, CR',
  };
  for (const [name, contexts] of Object.entries(table)) assert.equal(extensionByName(name)?.contexts.join(', '), contexts, name);
  assert.equal(extensionByCode(0xfe0d)?.name, 'encrypted_client_hello');
  assert.equal(extensionByCode(0xff01)?.rfc, 'RFC 5746');
  assert.equal(allowedIn(ExtensionType.extended_master_secret, 'SH'), false, 'not in a TLS 1.3 ServerHello');
  assert.equal(allowedIn(ExtensionType.extended_master_secret, 'SH', { tls12: true }), true, 'but in a TLS 1.2 one');
  assert.equal(allowedIn(ExtensionType.key_share, 'EE', { tls12: true }), false);
});

test('content and handshake types include the TLS 1.2 and DTLS ones', () => {
  assert.deepEqual(CONTENT_TYPES.map((c) => [c.code, c.name]), [
    [20, 'change_cipher_spec'], [21, 'alert'], [22, 'handshake'], [23, 'application_data'], [24, 'heartbeat'], [25, 'tls12_cid'], [26, 'ack'],
  ]);
  const expected: Record<number, string> = {
    0: 'hello_request', 1: 'client_hello', 2: 'server_hello', 3: 'hello_verify_request', 4: 'new_session_ticket', 5: 'end_of_early_data',
    8: 'encrypted_extensions', 11: 'certificate', 12: 'server_key_exchange', 13: 'certificate_request', 14: 'server_hello_done',
    15: 'certificate_verify', 16: 'client_key_exchange', 20: 'finished', 21: 'certificate_url', 22: 'certificate_status',
    23: 'supplemental_data', 24: 'key_update', 25: 'compressed_certificate', 26: 'ekt_key', 254: 'message_hash',
  };
  for (const [code, name] of Object.entries(expected)) assert.equal(handshakeTypeName(Number(code)), name);
  assert.equal(handshakeLabel(1), 'ClientHello');
});
