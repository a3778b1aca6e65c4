// Known-answer tests from RFC 8448 ("Example Handshake Traces for TLS 1.3"): the messages of sections 3
// (Simple 1-RTT Handshake), 4 (Resumed 0-RTT), 5 (HelloRetryRequest) and 6 (Client Authentication), pasted as
// printed into test/fixtures/rfc8448/*.txt, decode to the fields the trace describes and re-encode byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeAlert } from '../../engine/msgs/alert';
import {
  decodeHandshake,
  encodeHandshake,
  HandshakeReader,
  patchBinders,
  truncateForBinders,
  type Handshake,
} from '../../engine/msgs/handshake';
import { pskBindersLength } from '../../engine/msgs/extensions';
import { decodeRecordHeader, RECORD_HEADER_LENGTH } from '../../engine/msgs/record-header';
import { alertName } from '../../engine/registry/alerts';
import { ExtensionType } from '../../engine/registry/extensions';
import { NamedGroup } from '../../engine/registry/groups';
import { sigSchemeName } from '../../engine/registry/sigschemes';
import { suiteName } from '../../engine/registry/suites';
import { toHex } from '../../engine/util/hex';
import { load, parseTrace } from './rfc8448-fixture';

/** Decodes, checks the type and that re-encoding the decoded message gives the same bytes. */
function decodeExact<T extends Handshake['type']>(raw: Uint8Array, type: T): Extract<Handshake, { type: T }> {
  const m = decodeHandshake(raw, { version: 'tls13' });
  assert.equal(m.type, type);
  assert.equal(toHex(m.raw), toHex(raw), 'raw is the exact input');
  assert.equal(toHex(encodeHandshake(m)), toHex(raw), `${type} re-encodes byte for byte`);
  return m as Extract<Handshake, { type: T }>;
}

const s3 = load('simple-1rtt.txt');
const s4 = load('resumed-0rtt.txt');
const s5 = load('hello-retry-request.txt');
const s6 = load('client-auth.txt');

const CH_SIGALGS = [0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202];
const NSS_GROUPS = [29, 23, 24, 25, 256, 257, 258, 259, 260];

// --- Section 3: Simple 1-RTT Handshake ------------------------------------------------------------------------------

test('RFC 8448, Section 3: the ClientHello decodes to the offered suites, groups, key share and extensions, and re-encodes byte for byte', () => {
  const ch = decodeExact(s3('{client}  construct a ClientHello', 'ClientHello'), 'client_hello');
  assert.equal(ch.legacyVersion, 0x0303);
  assert.equal(toHex(ch.random), 'cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7');
  assert.equal(ch.legacySessionId.length, 0);
  assert.deepEqual(ch.cipherSuites.map((c) => suiteName(c)), ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384']);
  assert.deepEqual(ch.legacyCompressionMethods, [0]);
  const T = ExtensionType;
  assert.deepEqual(ch.extensions.map((e) => e.type), [T.server_name, T.renegotiation_info, T.supported_groups, T.session_ticket, T.key_share, T.supported_versions, T.signature_algorithms, T.psk_key_exchange_modes, T.record_size_limit]);
  assert.deepEqual(ch.ext.serverName, ['server']);
  assert.equal(ch.ext.renegotiationInfo?.length, 0);
  assert.deepEqual(ch.ext.supportedGroups, NSS_GROUPS);
  assert.equal(ch.ext.sessionTicket?.length, 0);
  assert.equal(ch.ext.keyShare?.length, 1);
  assert.equal(ch.ext.keyShare![0]!.group, NamedGroup.x25519);
  assert.equal(toHex(ch.ext.keyShare![0]!.keyExchange), toHex(s3('{client}  create an ephemeral x25519', 'public key')));
  assert.deepEqual(ch.ext.supportedVersions, [0x0304]);
  assert.deepEqual(ch.ext.signatureAlgorithms, CH_SIGALGS);
  assert.deepEqual(ch.ext.pskKeyExchangeModes, [1]);
  assert.equal(ch.ext.recordSizeLimit, 0x4001);
});

test('RFC 8448, Section 3: the ClientHello record header says handshake, TLS 1.0 record version, 196 bytes (RFC 8446, Section 5.1)', () => {
  const record = s3('{client}  send handshake record', 'complete record');
  assert.deepEqual(decodeRecordHeader(record), { type: 22, version: 0x0301, length: 196 });
  assert.equal(toHex(record.subarray(RECORD_HEADER_LENGTH)), toHex(s3('{client}  construct a ClientHello', 'ClientHello')));
});

test('RFC 8448, Section 3: the ServerHello selects TLS_AES_128_GCM_SHA256, x25519 and TLS 1.3', () => {
  const sh = decodeExact(s3('{server}  construct a ServerHello', 'ServerHello'), 'server_hello');
  assert.equal(toHex(sh.random), 'a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e26928');
  assert.equal(sh.legacySessionIdEcho.length, 0);
  assert.equal(sh.cipherSuite, 0x1301);
  assert.equal(sh.legacyCompressionMethod, 0);
  assert.equal(sh.ext.supportedVersions, 0x0304);
  assert.equal(sh.ext.keyShare?.group, NamedGroup.x25519);
  assert.equal(toHex(sh.ext.keyShare!.keyExchange), toHex(s3('{server}  create an ephemeral x25519', 'public key')));
  assert.deepEqual(sh.extensions.map((e) => e.type), [ExtensionType.key_share, ExtensionType.supported_versions]);
});

test('RFC 8448, Section 3: EncryptedExtensions carries supported_groups, record_size_limit and an empty server_name', () => {
  const ee = decodeExact(s3('{server}  construct an EncryptedExtensions', 'EncryptedExtensions'), 'encrypted_extensions');
  assert.deepEqual(ee.ext, { supportedGroups: NSS_GROUPS, recordSizeLimit: 0x4001, serverName: true });
});

test('RFC 8448, Section 3: the server Certificate holds one 432-byte certificate with no extensions', () => {
  const cert = decodeExact(s3('{server}  construct a Certificate', 'Certificate'), 'certificate');
  assert.equal(cert.certificateRequestContext.length, 0);
  assert.equal(cert.certificateList.length, 1);
  const entry = cert.certificateList[0]!;
  assert.equal(entry.data.length, 0x1b0);
  assert.equal(toHex(entry.data.subarray(0, 4)), '308201ac', 'a DER SEQUENCE of 428 bytes');
  assert.deepEqual(entry.extensions, []);
});

test('RFC 8448, Section 3: CertificateVerify is rsa_pss_rsae_sha256 with a 128-byte signature', () => {
  const cv = decodeExact(s3('{server}  construct a CertificateVerify', 'CertificateVerify'), 'certificate_verify');
  assert.equal(sigSchemeName(cv.algorithm), 'rsa_pss_rsae_sha256');
  assert.equal(cv.signature.length, 128);
  assert.equal(toHex(cv.signature.subarray(0, 4)), '5a747c5d');
});

test('RFC 8448, Section 3: the server and client Finished carry 32-byte verify_data', () => {
  const sf = decodeExact(s3('{server}  construct a Finished', 'Finished'), 'finished');
  assert.equal(toHex(sf.verifyData), '9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718');
  const cf = decodeExact(s3('{client}  construct a Finished', 'Finished'), 'finished');
  assert.equal(toHex(cf.verifyData), 'a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61');
});

test('RFC 8448, Section 3: NewSessionTicket has lifetime 30 s, its age_add, a 2-byte nonce, a 178-byte ticket and early_data 1024', () => {
  const nst = decodeExact(s3('{server}  construct a NewSessionTicket', 'NewSessionTicket'), 'new_session_ticket');
  assert.equal(nst.ticketLifetime, 30);
  assert.equal(nst.ticketAgeAdd, 0xfad6aac5);
  assert.equal(toHex(nst.ticketNonce), '0000');
  assert.equal(nst.ticket.length, 178);
  assert.equal(toHex(nst.ticket.subarray(0, 4)), '2c035d82');
  assert.equal(nst.ext.earlyData, 1024);
});

test('RFC 8448, Section 3: the server flight in one record payload reassembles into EncryptedExtensions, Certificate, CertificateVerify and Finished, however it is cut', () => {
  const payload = s3('{server}  send handshake record', 'payload');
  const expected = [
    s3('{server}  construct an EncryptedExtensions', 'EncryptedExtensions'),
    s3('{server}  construct a Certificate', 'Certificate'),
    s3('{server}  construct a CertificateVerify', 'CertificateVerify'),
    s3('{server}  construct a Finished', 'Finished'),
  ].map(toHex);
  assert.deepEqual(new HandshakeReader().feed(payload).map(toHex), expected);
  for (const cut of [1, 3, 4, 41, 100, 500]) {
    const hr = new HandshakeReader();
    const got: Uint8Array[] = [];
    for (let p = 0; p < payload.length; p += cut) got.push(...hr.feed(payload.subarray(p, p + cut)));
    assert.deepEqual(got.map(toHex), expected, `records of ${cut} bytes`);
    assert.deepEqual(got.map((m) => decodeHandshake(m).type), ['encrypted_extensions', 'certificate', 'certificate_verify', 'finished']);
  }
});

test('RFC 8448, Section 3: the closing alert payload is a warning close_notify', () => {
  const a = decodeAlert(s3('{client}  send alert record', 'payload'));
  assert.equal(a.level, 1);
  assert.equal(alertName(a.description), 'close_notify');
});

// --- Section 4: Resumed 0-RTT Handshake ------------------------------------------------------------------------------

test('RFC 8448, Section 4: the resuming ClientHello offers the section 3 ticket with one binder, last, after early_data and padding', () => {
  const ch = decodeExact(s4('{client}  send handshake record', 'payload'), 'client_hello');
  const psk = ch.ext.preSharedKey!;
  assert.equal(psk.identities.length, 1);
  const ticket = decodeHandshake(s3('{server}  construct a NewSessionTicket', 'NewSessionTicket'));
  assert.equal(ticket.type, 'new_session_ticket');
  if (ticket.type === 'new_session_ticket') assert.equal(toHex(psk.identities[0]!.identity), toHex(ticket.ticket), 'the identity is the ticket');
  assert.equal(psk.identities[0]!.obfuscatedTicketAge, 0xfad6aacb);
  assert.equal(toHex(psk.binders[0]!), '3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d');
  assert.equal(ch.ext.earlyData, true);
  assert.equal(ch.ext.padding, 87);
  assert.equal(ch.extensions[ch.extensions.length - 1]!.type, ExtensionType.pre_shared_key);
});

test('RFC 8448, Section 4: truncating the ClientHello by pskBindersLength gives the printed "ClientHello prefix" the binder covers (RFC 8446, Section 4.2.11.2)', () => {
  const full = s4('{client}  send handshake record', 'payload');
  const ch = decodeExact(full, 'client_hello');
  assert.equal(pskBindersLength(ch.ext.preSharedKey!), 35);
  const prefix = s4('{client}  calculate PSK binder', 'ClientHello prefix');
  assert.equal(toHex(truncateForBinders(ch)), toHex(prefix));
  assert.equal(toHex(s4('{client}  construct a ClientHello', 'ClientHello')), toHex(prefix));
  // Building it the client's way: zero placeholder binder, then patch the computed one in.
  const placeholder = full.slice();
  placeholder.fill(0, full.length - 32);
  patchBinders(placeholder, ch.ext.preSharedKey!.binders);
  assert.equal(toHex(placeholder), toHex(full));
});

test('RFC 8448, Section 4: the ServerHello accepts PSK identity 0, and EncryptedExtensions accepts early data', () => {
  const sh = decodeExact(s4('{server}  construct a ServerHello', 'ServerHello'), 'server_hello');
  assert.equal(sh.ext.preSharedKey, 0);
  assert.equal(sh.ext.keyShare?.group, NamedGroup.x25519);
  const ee = decodeExact(s4('{server}  construct an EncryptedExtensions', 'EncryptedExtensions'), 'encrypted_extensions');
  assert.equal(ee.ext.earlyData, true);
  decodeExact(s4('{client}  construct an EndOfEarlyData', 'EndOfEarlyData'), 'end_of_early_data');
});

// --- Section 5: HelloRetryRequest -------------------------------------------------------------------------------------

test('RFC 8448, Section 5: the "ServerHello" with the special random decodes as a HelloRetryRequest asking for secp256r1 with a cookie (RFC 8446, Section 4.1.4)', () => {
  const ch1 = decodeExact(s5('{client}  construct a ClientHello', 'ClientHello', 0), 'client_hello');
  assert.deepEqual(ch1.ext.keyShare?.map((k) => k.group), [NamedGroup.x25519]);
  const hrr = decodeExact(s5('{server}  construct a ServerHello', 'ServerHello', 0), 'hello_retry_request');
  assert.equal(hrr.cipherSuite, 0x1301);
  assert.equal(hrr.ext.keyShare, NamedGroup.secp256r1);
  assert.equal(hrr.ext.supportedVersions, 0x0304);
  assert.equal(hrr.ext.cookie?.length, 0x72);
  const ch2 = decodeExact(s5('{client}  construct a ClientHello', 'ClientHello', 1), 'client_hello');
  assert.equal(toHex(ch2.ext.cookie!), toHex(hrr.ext.cookie!), 'ClientHello2 echoes the cookie');
  assert.equal(ch2.ext.keyShare?.[0]?.group, NamedGroup.secp256r1);
  assert.equal(ch2.ext.keyShare?.[0]?.keyExchange.length, 65);
  assert.equal(toHex(ch2.random), toHex(ch1.random), 'the client keeps its random');
  const sh = decodeExact(s5('{server}  construct a ServerHello', 'ServerHello', 1), 'server_hello');
  assert.equal(sh.ext.keyShare?.group, NamedGroup.secp256r1);
  assert.deepEqual(decodeExact(s5('{server}  construct an EncryptedExtensions', 'EncryptedExtensions'), 'encrypted_extensions').ext.supportedGroups, [23, 24, 29]);
});

// --- Section 6: Client Authentication ----------------------------------------------------------------------------------

test('RFC 8448, Section 6: CertificateRequest has an empty context and signature_algorithms; the client answers with Certificate and CertificateVerify', () => {
  const cr = decodeExact(s6('{server}  construct a CertificateRequest', 'CertificateRequest'), 'certificate_request');
  assert.equal(cr.certificateRequestContext.length, 0);
  assert.deepEqual(cr.ext.signatureAlgorithms, CH_SIGALGS);
  const scv = decodeExact(s6('{server}  construct a CertificateVerify', 'CertificateVerify'), 'certificate_verify');
  assert.equal(sigSchemeName(scv.algorithm), 'ecdsa_secp256r1_sha256');
  assert.equal(scv.signature.length, 71);
  const cert = decodeExact(s6('{client}  construct a Certificate', 'Certificate'), 'certificate');
  assert.equal(cert.certificateList.length, 1);
  assert.equal(cert.certificateList[0]!.data.length, 0x1b6);
  const ccv = decodeExact(s6('{client}  construct a CertificateVerify', 'CertificateVerify'), 'certificate_verify');
  assert.equal(sigSchemeName(ccv.algorithm), 'rsa_pss_rsae_sha256');
});

test('RFC 8448 fixtures: every block parses to its announced octet count', () => {
  for (const f of fs.readdirSync(path.resolve('test/fixtures/rfc8448'))) {
    const blocks = parseTrace(fs.readFileSync(path.resolve('test/fixtures/rfc8448', f), 'utf8'));
    assert.ok(blocks.length >= 4, `${f} has blocks`);
  }
});

