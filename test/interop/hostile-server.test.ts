// Issue 10, robustness: a hostile server on 127.0.0.1 sends each misbehaviour in turn at our client
// (engine/net/session.ts connect, TLS 1.3 and TLS 1.2; engine/net/dtls.ts connectDtls). Every case must end with a
// typed error naming the alert or limit it calls for, within its bound, with nothing thrown out of the engine and
// nothing hung; the last test prints "hostile server: N cases, N survived (0 crashed, 0 hung, 0 misjudged)".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOWNGRADE_TLS12, encodeCertificate, encodeEncryptedExtensions, encodeHelloRetryRequest } from '../../engine/msgs/handshake';
import { ext } from '../../engine/msgs/extensions';
import type { ConnectOptions } from '../../engine/net/session';
import { NamedGroup } from '../../engine/registry/groups';
import { SignatureScheme } from '../../engine/registry/sigschemes';
import { engineServer, hostileServer, ID, onFirstEncrypted, onFirstPlain, sealRecord, sendMessage, type HostilePeer, victimClient } from './hostile/endpoints';
import { describeOutcome, HostileSuite, judge, type Expected } from './hostile/harness';
import { dtlsServerCases } from './hostile/dtls';
import {
  alertRecord, ascii, cat, CT, fragmentIntoRecords, handshake, HS, record, repeat, seededBytes, serverHelloFor, ssl2ServerHello, TLS12, TLS13,
  u16, u24, unknownExtensions, ECDHE_ECDSA_AES128_GCM_SHA256,
} from './hostile/wire';

const suite = new HostileSuite('hostile server');
const TLS12_ONLY = { maxVersion: TLS12 } as const;

/**
 * One case: a hostile server runs `script` on the connection of our client (`client` options), and the client's
 * end is judged by `want`. The deadline is the hard one: a case still running then is counted as hung.
 */
function serverCase(name: string, script: (p: HostilePeer) => unknown, want: Expected | Expected[], client: Partial<ConnectOptions> = {}, deadlineMs = 6000): void {
  test(name, async (t) => {
    const r = await suite.run(name, deadlineMs, async (c) => {
      const srv = await hostileServer(script);
      c.defer(() => srv.close());
      const v = await victimClient(srv.port, client);
      c.defer(() => v.session.destroy());
      const o = await v.outcome;
      try {
        judge(o, want);
        c.note(describeOutcome(o));
      } catch (e) {
        const notes = srv.peers.flatMap((p) => p.notes);
        if (notes.length) (e as Error).message += `\n  hostile server notes: ${notes.join('; ')}`;
        throw e;
      }
    });
    if (r.verdict === 'survived') t.diagnostic(r.detail);
    assert.equal(r.verdict, 'survived', r.detail);
  });
}

/** Answers the ClientHello with `reply(ch)` (records), then waits. */
const answer = (reply: (ch: Awaited<ReturnType<HostilePeer['clientHello']>>) => Uint8Array) => async (p: HostilePeer) => p.write(reply(await p.clientHello()));
const shRecord = (msg: Uint8Array) => record(CT.handshake, msg);
const flipLastByte = (msg: Uint8Array) => {
  const m = msg.slice();
  m[m.length - 1]! ^= 0x5a;
  return m;
};
/** A message's body with its signature scheme (the first two bytes of a CertificateVerify body) replaced. */
const withScheme = (msg: Uint8Array, scheme: number) => {
  const m = msg.slice();
  m.set(u16(scheme), 4);
  return m;
};

// ---- wrong versions ---------------------------------------------------------------------------------------------

serverCase('ServerHello.legacy_version 0x0200 with no supported_versions: protocol_version (RFC 8446 appendix D.5)',
  answer((ch) => shRecord(serverHelloFor(ch, { legacyVersion: 0x0200, extensions: [] }))), { alert: 'protocol_version', withinMs: 1500 });

serverCase('ServerHello.legacy_version 0x0305 with no supported_versions: protocol_version (RFC 8446 section 4.1.3)',
  answer((ch) => shRecord(serverHelloFor(ch, { legacyVersion: 0x0305, extensions: [] }))), { alert: 'protocol_version', withinMs: 1500 });

serverCase('ServerHello.supported_versions selects 0x0305, never offered: illegal_parameter (RFC 8446 section 4.2.1)',
  answer((ch) => shRecord(serverHelloFor(ch, { extensions: [ext.supportedVersionsServer(0x0305), ext.keyShareServer({ group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(9) })] }))),
  { alert: 'illegal_parameter', withinMs: 1500 });

serverCase('ServerHello.supported_versions selects TLS 1.2: illegal_parameter (RFC 8446 section 4.2.1)',
  answer((ch) => shRecord(serverHelloFor(ch, { extensions: [ext.supportedVersionsServer(TLS12)] }))), { alert: 'illegal_parameter', withinMs: 1500 });

serverCase('an SSL 2.0 SERVER-HELLO: unexpected_message, named as SSLv2',
  answer(() => ssl2ServerHello()), { alert: 'unexpected_message', message: /SSLv2/, withinMs: 1500 });

serverCase('a TLS 1.2 ServerHello to a TLS 1.3-only client: protocol_version (RFC 8446 appendix D.2)',
  answer((ch) => shRecord(serverHelloFor(ch, { cipherSuite: ECDHE_ECDSA_AES128_GCM_SHA256, extensions: [ext.renegotiationInfo()] }))),
  { alert: 'protocol_version', withinMs: 1500 }, { minVersion: TLS13 });

serverCase('a TLS 1.2 ServerHello whose random ends in the TLS 1.3 downgrade sentinel: illegal_parameter (RFC 8446 section 4.1.3)',
  (p) => engineServer(p, TLS12_ONLY, onFirstPlain(HS.server_hello, (rec) => {
    const r = rec.slice();
    r.set(DOWNGRADE_TLS12, 5 + 4 + 2 + 24); // record header, handshake header, legacy_version, then random[24..32]
    return [r];
  })), { alert: 'illegal_parameter', message: /downgrade/, withinMs: 1500 });

serverCase('a second HelloRetryRequest: unexpected_message (RFC 8446 section 4.1.4)', async (p) => {
  const ch = await p.clientHello();
  const hrr = (cookie: number) => shRecord(encodeHelloRetryRequest({ type: 'hello_retry_request', legacySessionIdEcho: ch.legacySessionId, cipherSuite: 0x1301, extensions: [ext.supportedVersionsServer(TLS13), ext.cookie(new Uint8Array(8).fill(cookie))] }));
  p.write(hrr(1));
  await p.until(() => (p.reader.messages.filter((m) => m[0] === HS.client_hello).length >= 2 ? true : undefined), 'the second ClientHello');
  p.write(hrr(2));
}, { alert: 'unexpected_message', withinMs: 1500 });

serverCase('a HelloRetryRequest for x25519, whose share the client already sent: illegal_parameter (RFC 8446 section 4.1.4)',
  answer((ch) => shRecord(encodeHelloRetryRequest({ type: 'hello_retry_request', legacySessionIdEcho: ch.legacySessionId, cipherSuite: 0x1301, extensions: [ext.supportedVersionsServer(TLS13), ext.keyShareHelloRetry(NamedGroup.x25519)] }))),
  { alert: 'illegal_parameter', withinMs: 1500 });

serverCase('a ServerHello choosing a cipher suite never offered: illegal_parameter (RFC 8446 section 4.1.3)',
  answer((ch) => shRecord(serverHelloFor(ch, { cipherSuite: 0x1305 }))), { alert: 'illegal_parameter', withinMs: 1500 }, { cipherSuites: [0x1301] });

serverCase('a ServerHello that does not echo the session id: illegal_parameter (RFC 8446 section 4.1.3)',
  answer((ch) => shRecord(serverHelloFor({ ...ch, legacySessionId: seededBytes(12, 32) }))), { alert: 'illegal_parameter', withinMs: 1500 });

serverCase('a ServerHello with an all-zero x25519 share (a low-order point): illegal_parameter (RFC 8446 section 7.4.2)',
  answer((ch) => shRecord(serverHelloFor(ch, { extensions: [ext.supportedVersionsServer(TLS13), ext.keyShareServer({ group: NamedGroup.x25519, keyExchange: new Uint8Array(32) })] }))),
  { alert: 'illegal_parameter', withinMs: 1500 });

// ---- bad signatures ---------------------------------------------------------------------------------------------

serverCase('CertificateVerify with a corrupted signature: decrypt_error (RFC 8446 section 4.4.3)',
  (p) => engineServer(p, {}, onFirstEncrypted(HS.certificate_verify, (m) => [flipLastByte(m)])), { alert: 'decrypt_error', withinMs: 1500 });

serverCase('CertificateVerify signed with rsa_pkcs1_sha1, a scheme the client did not offer: illegal_parameter (RFC 8446 section 4.4.3)',
  (p) => engineServer(p, {}, onFirstEncrypted(HS.certificate_verify, (m) => [withScheme(m, SignatureScheme.rsa_pkcs1_sha1)])), { alert: 'illegal_parameter', withinMs: 1500 });

serverCase('TLS 1.2 ServerKeyExchange with a corrupted signature: decrypt_error (RFC 5246 section 7.4.3)',
  (p) => engineServer(p, TLS12_ONLY, onFirstPlain(HS.server_key_exchange, (rec) => [flipLastByte(rec)])), { alert: 'decrypt_error', withinMs: 1500 }, TLS12_ONLY);

serverCase('TLS 1.2 ServerKeyExchange signed with rsa_pkcs1_sha1, not offered: illegal_parameter (RFC 5246 section 7.4.1.4.1)',
  (p) => engineServer(p, TLS12_ONLY, onFirstPlain(HS.server_key_exchange, (rec) => {
    // ECParameters (curve_type 1 + named_curve 2), the point (1-byte length), then the SignatureAndHashAlgorithm.
    const r = rec.slice();
    const at = 5 + 4 + 3 + 1 + r[5 + 4 + 3]!;
    r.set(u16(SignatureScheme.rsa_pkcs1_sha1), at);
    return [r];
  })), { alert: ['illegal_parameter', 'handshake_failure'], withinMs: 1500 }, TLS12_ONLY);

// ---- bad certificates -------------------------------------------------------------------------------------------

serverCase('a Certificate of garbage DER: bad_certificate or decode_error',
  (p) => engineServer(p, { certificateChain: [seededBytes(11, 300)] }), { alert: ['bad_certificate', 'decode_error'], withinMs: 1500 });

serverCase('an empty Certificate from the server: decode_error (RFC 8446 section 4.4.2.4)',
  (p) => engineServer(p, {}, onFirstEncrypted(HS.certificate, () => [encodeCertificate({ type: 'certificate', certificateList: [] })])), { alert: 'decode_error', withinMs: 1500 });

serverCase('TLS 1.2: an empty Certificate from the server: a fatal alert, not a handshake without a key (RFC 5246 section 7.4.2)',
  (p) => engineServer(p, TLS12_ONLY, onFirstPlain(HS.certificate, () => [record(CT.handshake, handshake(HS.certificate, u24(0)))])),
  { alert: ['decode_error', 'handshake_failure', 'bad_certificate', 'unexpected_message'], withinMs: 1500 }, TLS12_ONLY);

serverCase('a chain of 1000 tiny certificates: maxCertificateChainLength',
  (p) => engineServer(p, { certificateChain: [ID.chain[0]!, ...Array.from({ length: 999 }, (_, i) => Uint8Array.of(0x30, i & 0xff))] }),
  { limit: 'maxCertificateChainLength', alert: 'illegal_parameter', withinMs: 1500 });

serverCase('a 200 KB chain: maxCertificateChainBytes',
  (p) => engineServer(p, { certificateChain: [ID.chain[0]!, ...Array.from({ length: 4 }, (_, i) => seededBytes(i, 50_000))] }),
  { limit: 'maxCertificateChainBytes', withinMs: 1500 });

// ---- oversized fields -------------------------------------------------------------------------------------------

serverCase('a record announcing 2^14 + 2049 bytes: record_overflow before its body arrives (RFC 5246 section 6.2.3)',
  answer(() => record(CT.handshake, new Uint8Array(100), TLS12, (1 << 14) + 2049)), { alert: 'record_overflow', withinMs: 1500 });

serverCase('a handshake message announcing 2^24 - 1 bytes: maxHandshakeMessageBytes, nothing allocated',
  answer(() => record(CT.handshake, cat(Uint8Array.of(HS.server_hello), u24(0xffffff), new Uint8Array(64)))), { limit: 'maxHandshakeMessageBytes', withinMs: 1500 });

serverCase('a 70 KB ServerHello (an extension of 65,535 bytes and more): maxHandshakeMessageBytes', answer((ch) => {
  const sh = serverHelloFor(ch, { extensions: [] });
  const body = cat(sh.subarray(4), u16(0xffff), u16(0xa0a0), u16(0xffff), seededBytes(5, 70_000 - sh.length));
  return fragmentIntoRecords(CT.handshake, handshake(HS.server_hello, body), 1 << 14);
}), { limit: 'maxHandshakeMessageBytes', withinMs: 1500 });

// RFC 8446 section 4.2 asks for unsupported_extension when an extension comes back unrequested; OpenSSL 3.0 ignores
// unknown types in ServerHello and EncryptedExtensions, and so do we: then the tampered transcript fails the
// CertificateVerify. Either way the 60 KB message, spread over four records, ends the handshake with a fatal alert.
serverCase('EncryptedExtensions of 60 KB with an unrequested extension: unsupported_extension, or decrypt_error as OpenSSL',
  (p) => engineServer(p, {}, onFirstEncrypted(HS.encrypted_extensions, () => [encodeEncryptedExtensions({ type: 'encrypted_extensions', extensions: [ext.raw(0xa0a0, seededBytes(6, 60_000))] })])),
  [{ alert: 'unsupported_extension', withinMs: 1500 }, { alert: 'decrypt_error', message: /CertificateVerify/, withinMs: 1500 }]);

serverCase('a ServerHello with 2000 extensions: maxExtensions',
  answer((ch) => fragmentIntoRecords(CT.handshake, serverHelloFor(ch, { extensions: [ext.supportedVersionsServer(TLS13), ...unknownExtensions(2000)] }), 1 << 14)),
  { limit: 'maxExtensions', withinMs: 1500 });

serverCase('a TLS 1.3 ServerHello with an unknown extension never offered: unsupported_extension, or ignored as OpenSSL does',
  answer((ch) => shRecord(serverHelloFor(ch, { extensions: [ext.supportedVersionsServer(TLS13), ext.keyShareServer({ group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(9) }), ext.raw(0xa0a0, new Uint8Array(4))] }))),
  [{ alert: 'unsupported_extension', withinMs: 1200 }, { limit: 'handshakeTimeoutMs', message: /state wait_ee/, withinMs: 1200 }], { handshakeTimeoutMs: 500 });

serverCase('a TLS 1.2 ServerHello with an extension the client never offered: unsupported_extension (RFC 5246 section 7.4.1.4)',
  answer((ch) => shRecord(serverHelloFor(ch, { cipherSuite: ECDHE_ECDSA_AES128_GCM_SHA256, extensions: [ext.renegotiationInfo(), ext.raw(0xa0a0, new Uint8Array(4))] }))),
  { alert: 'unsupported_extension', withinMs: 1500 }, TLS12_ONLY);

// ---- record floods ----------------------------------------------------------------------------------------------

serverCase('10,000 empty handshake records: unexpected_message at the first (RFC 8446 section 5.1)',
  async (p) => {
    await p.clientHello();
    await p.pour(repeat(record(CT.handshake, new Uint8Array(0)), 10_000));
  }, { alert: 'unexpected_message', withinMs: 1500 });

serverCase('10,000 change_cipher_spec records after the ServerHello: maxEmptyRecordsInARow',
  (p) => engineServer(p, {}, { plain: (rec) => (rec[0] === CT.ccs ? [repeat(rec, 10_000)] : [rec]) }), { limit: 'maxEmptyRecordsInARow', withinMs: 1500 });

serverCase('10,000 unrecognized_name warnings before the ServerHello: maxWarningAlertsInARow',
  async (p) => {
    await p.clientHello();
    await p.pour(repeat(alertRecord('warning', 112), 10_000));
  }, { limit: 'maxWarningAlertsInARow', withinMs: 1500 });

serverCase('TLS 1.2: 10,000 warning alerts after the ServerHello: maxWarningAlertsInARow',
  (p) => engineServer(p, TLS12_ONLY, onFirstPlain(HS.server_hello, (rec) => [rec, repeat(alertRecord('warning', 112), 10_000)])),
  { limit: 'maxWarningAlertsInARow', withinMs: 1500 }, TLS12_ONLY);

serverCase('100,000 one-byte handshake records: maxRecordsPerHandshake', async (p) => {
  await p.clientHello();
  const stream = new Uint8Array(100_000);
  stream.set(cat(Uint8Array.of(HS.server_hello), u24(65_000)));
  await p.pour(fragmentIntoRecords(CT.handshake, stream, 1));
}, { limit: 'maxRecordsPerHandshake', withinMs: 3000 });

serverCase('1000 KeyUpdates asking for an update, after the handshake: maxKeyUpdatesInARow (RFC 8446 section 4.6.3)', async (p) => {
  const e = engineServer(p);
  await e.ready;
  for (let i = 0; i < 1000 && e.conn.status === 'open'; i++) e.conn.keyUpdate(true);
  e.flush();
}, { limit: 'maxKeyUpdatesInARow', secureFirst: true, withinMs: 3000 });

serverCase('1000 empty application_data records after the handshake: maxEmptyRecordsInARow', async (p) => {
  const e = engineServer(p);
  await e.ready;
  for (let i = 0; i < 1000; i++) sealRecord(e, CT.appData, new Uint8Array(0));
  e.flush();
}, { limit: 'maxEmptyRecordsInARow', secureFirst: true, withinMs: 3000 });

serverCase('TLS 1.2: 10,000 HelloRequests, those during the renegotiation they start ignored (RFC 5246 section 7.4.1.1): maxRenegotiationsPerMinute', async (p) => {
  const e = engineServer(p, { ...TLS12_ONLY, renegotiation: true });
  await e.ready;
  for (let i = 0; i < 10_000; i++) sendMessage(e, { type: 'hello_request' });
  e.flush();
  // HelloRequests that come while the client renegotiates are to be ignored (RFC 5246 section 7.4.1.1), so the flood
  // ends at the renegotiation limit, or at the record limit of the renegotiation under way.
}, { limit: ['maxRenegotiationsPerMinute', 'maxRecordsPerHandshake'], secureFirst: true, withinMs: 3000 }, TLS12_ONLY);

serverCase('TLS 1.2: 10,000 HelloRequests to a client that declines them (no_renegotiation): maxRenegotiationsPerMinute', async (p) => {
  const e = engineServer(p, TLS12_ONLY);
  await e.ready;
  for (let i = 0; i < 10_000; i++) sendMessage(e, { type: 'hello_request' });
  e.flush();
}, { limit: 'maxRenegotiationsPerMinute', secureFirst: true, withinMs: 3000 }, { ...TLS12_ONLY, renegotiation: false });

// ---- slowloris --------------------------------------------------------------------------------------------------

serverCase('slowloris: a ServerHello one byte every 50 ms: handshakeTimeoutMs',
  async (p) => p.trickle(shRecord(serverHelloFor(await p.clientHello())), 50), { limit: 'handshakeTimeoutMs', withinMs: 1200 }, { handshakeTimeoutMs: 500 });

serverCase('slowloris: accepts and never sends: handshakeTimeoutMs',
  () => undefined, { limit: 'handshakeTimeoutMs', message: /went silent/, withinMs: 1200 }, { handshakeTimeoutMs: 500 });

serverCase('slowloris: half a record, then nothing: handshakeTimeoutMs',
  answer((ch) => shRecord(serverHelloFor(ch)).subarray(0, 40)), { limit: 'handshakeTimeoutMs', withinMs: 1200 }, { handshakeTimeoutMs: 500 });

serverCase('slowloris: the whole flight but its last byte: handshakeTimeoutMs',
  (p) => engineServer(p, {}, onFirstEncrypted(HS.finished, (m) => [m.subarray(0, m.length - 1)])), { limit: 'handshakeTimeoutMs', withinMs: 1200 }, { handshakeTimeoutMs: 500 });

// ---- garbage and broken transport -------------------------------------------------------------------------------

for (const seed of [1, 2, 3]) {
  serverCase(`64 KB of random bytes (seed ${seed}): a fatal alert, no internal error`,
    async (p) => {
      await p.clientHello();
      await p.pour(seededBytes(seed, 64 * 1024));
    }, { alert: ['unexpected_message', 'record_overflow', 'decode_error', 'protocol_version', 'illegal_parameter'], withinMs: 1500 });
}

serverCase('records with good headers and random bodies: a fatal alert, no internal error', async (p) => {
  await p.clientHello();
  const recs = [CT.handshake, CT.handshake, CT.alert, CT.ccs, CT.appData].map((type, i) => record(type, seededBytes(100 + i, 40 + i * 50)));
  await p.pour(cat(...recs));
}, { alert: ['unexpected_message', 'decode_error', 'illegal_parameter', 'handshake_failure'], withinMs: 1500 });

serverCase('an HTTP response: unexpected_message, named as plain text',
  answer(() => ascii('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')), { alert: 'unexpected_message', message: /plain text/, withinMs: 1500 });

serverCase('a TCP reset after the ServerHello: a socket error, no exception', async (p) => {
  p.write(shRecord(serverHelloFor(await p.clientHello())));
  setTimeout(() => p.socket.resetAndDestroy(), 20);
}, { message: /ECONNRESET|closed the TCP connection/, withinMs: 1500 });

serverCase('a FIN in the middle of the ServerHello: the handshake fails as closed by the peer', async (p) => {
  p.write(shRecord(serverHelloFor(await p.clientHello())).subarray(0, 30));
  p.socket.end();
}, { message: /closed the TCP connection during the handshake/, withinMs: 1500 });

// ---- DTLS (engine/net/dtls.ts connectDtls) ----------------------------------------------------------------------

dtlsServerCases(suite);

test('summary: hostile server cases survived', (t) => {
  const line = suite.summary();
  console.log(line);
  t.diagnostic(line);
  for (const f of suite.failures()) t.diagnostic(f);
  assert.equal(suite.count('survived'), suite.results.length, suite.failures().join('\n'));
});
