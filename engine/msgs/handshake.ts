// TLS 1.3 handshake messages (RFC 8446 section 4), one encodeX/decodeX pair per message, side by side.
// Encoders take an `...Init` (the fields a sender chooses) and return the whole message with its 4-byte header;
// decoders take that whole message and return it typed, with `raw` (its exact bytes, header included: the
// transcript hashes those, never a re-encoding, RFC 8446 section 4.4.1) and, where it has extensions, `ext`
// (their typed values, see extensions.ts). `decodeHandshake(raw, { version })` dispatches on the type byte and
// returns the `Handshake` union, `{ type: 'unknown' }` for types it does not model.
// Version: ClientHello, ServerHello and Finished are shared by all versions and decode the same way; the
// TLS 1.2 family (TLS 1.2, 1.1, 1.0, SSL 3.0) has its own forms of the rest, coded in handshake12.ts (re-exported
// here) and chosen by `version: 'tls12'` (with `protocolVersion` and `keyExchange` where the shape needs them).
// `HandshakeReader` reassembles messages from record payloads.
import { handshakeLabel, HandshakeType } from '../registry/handshake-types';
import {
  pskBindersLength,
  readExtensions,
  writeExtensions,
  type CertificateEntryExtensions,
  type CertificateRequestExtensions,
  type ClientHelloExtensions,
  type EncryptedExtensionsExtensions,
  type Extension,
  type HelloRetryRequestExtensions,
  type NewSessionTicketExtensions,
  type ServerHelloExtensions,
} from './extensions';
import {
  decodeHandshake12,
  encodeCertificate12,
  encodeHandshake12,
  type Handshake12,
  type Handshake12Init,
  type KeyExchange12,
} from './handshake12';
import { DecodeError, MissingData, Reader, TrailingData } from './reader';
import { EncodeError, Writer } from './writer';

export * from './handshake12';

export type HandshakeVersion = 'tls13' | 'tls12';

export interface DecodeOptions {
  /** Which protocol's message shapes to use; the hellos decode the same under both. 'tls12' covers TLS 1.2 and older. */
  version: HandshakeVersion;
  /**
   * With 'tls12': the negotiated key exchange, which alone decides how ServerKeyExchange and ClientKeyExchange
   * read (RFC 5246, Sections 7.4.3 and 7.4.7). Without it (or without protocolVersion) they decode as 'unknown'.
   */
  keyExchange?: KeyExchange12;
  /**
   * With 'tls12': the negotiated ProtocolVersion, 0x0300 (SSL 3.0) .. 0x0303 (TLS 1.2). Only TLS 1.2 has
   * signature algorithms in CertificateRequest, CertificateVerify and ServerKeyExchange; only SSL 3.0 sends an
   * RSA ClientKeyExchange without its length. CertificateRequest and CertificateVerify default to TLS 1.2.
   */
  protocolVersion?: number;
}

/** ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (RFC 8446, Section 4.1.3). */
export const HELLO_RETRY_REQUEST_RANDOM = Uint8Array.from([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/** Last 8 bytes of ServerHello.random from a TLS 1.3 server negotiating TLS 1.2 / TLS 1.1 or below (RFC 8446, Section 4.1.3). */
export const DOWNGRADE_TLS12 = Uint8Array.from([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
export const DOWNGRADE_TLS11 = Uint8Array.from([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);

export const KeyUpdateRequest = { update_not_requested: 0, update_requested: 1 } as const;

// --- message types ------------------------------------------------------------------------------------------------

// RFC 8446, Section 4.1.2
export interface ClientHelloInit {
  type: 'client_hello';
  /** Default 0x0303 (RFC 8446 section 4.1.2). */
  legacyVersion?: number;
  random: Uint8Array;
  /** Default empty; 32 bytes in middlebox compatibility mode (RFC 8446 appendix D.4). */
  legacySessionId?: Uint8Array;
  cipherSuites: readonly number[];
  /** Default [0] (the null method). */
  legacyCompressionMethods?: readonly number[];
  /** An empty list is written as no extensions block at all (as a TLS 1.2 or SSL 3.0 client may). */
  extensions: readonly Extension[];
}
export interface ClientHello extends ClientHelloInit {
  legacyVersion: number;
  legacySessionId: Uint8Array;
  cipherSuites: number[];
  legacyCompressionMethods: number[];
  extensions: Extension[];
  ext: ClientHelloExtensions;
  raw: Uint8Array;
}

// RFC 8446, Section 4.1.3
export interface ServerHelloInit {
  type: 'server_hello';
  legacyVersion?: number;
  random: Uint8Array;
  legacySessionIdEcho: Uint8Array;
  cipherSuite: number;
  legacyCompressionMethod?: number;
  /** An empty list is written as no extensions block (a TLS 1.2 ServerHello may omit it). */
  extensions: readonly Extension[];
}
export interface ServerHello extends ServerHelloInit {
  legacyVersion: number;
  legacyCompressionMethod: number;
  extensions: Extension[];
  ext: ServerHelloExtensions;
  raw: Uint8Array;
}

// RFC 8446, Section 4.1.4: a ServerHello whose random is HELLO_RETRY_REQUEST_RANDOM
export interface HelloRetryRequestInit {
  type: 'hello_retry_request';
  legacyVersion?: number;
  legacySessionIdEcho: Uint8Array;
  cipherSuite: number;
  legacyCompressionMethod?: number;
  extensions: readonly Extension[];
}
export interface HelloRetryRequest extends HelloRetryRequestInit {
  legacyVersion: number;
  random: Uint8Array;
  legacyCompressionMethod: number;
  extensions: Extension[];
  ext: HelloRetryRequestExtensions;
  raw: Uint8Array;
}

// RFC 8446, Section 4.3.1
export interface EncryptedExtensionsInit {
  type: 'encrypted_extensions';
  extensions: readonly Extension[];
}
export interface EncryptedExtensions extends EncryptedExtensionsInit {
  extensions: Extension[];
  ext: EncryptedExtensionsExtensions;
  raw: Uint8Array;
}

// RFC 8446, Section 4.4.2
export interface CertificateEntryInit {
  /** DER certificate, or a DER SubjectPublicKeyInfo for raw public keys (RFC 7250). */
  data: Uint8Array;
  extensions?: readonly Extension[];
}
export interface CertificateEntry extends CertificateEntryInit {
  extensions: Extension[];
  ext: CertificateEntryExtensions;
}
export interface CertificateInit {
  type: 'certificate';
  /**
   * Wire form: absent or 'tls13' for RFC 8446's; 'tls12' for RFC 5246's bare certificate list (no request
   * context, no extensions), as decodeHandshake gives with `version: 'tls12'`.
   */
  form?: 'tls13' | 'tls12';
  /** Empty in the server's Certificate; echoes the CertificateRequest's in the client's. */
  certificateRequestContext?: Uint8Array;
  certificateList: readonly CertificateEntryInit[];
}
export interface Certificate extends CertificateInit {
  certificateRequestContext: Uint8Array;
  certificateList: CertificateEntry[];
  raw: Uint8Array;
}

// RFC 8446, Section 4.3.2
export interface CertificateRequestInit {
  type: 'certificate_request';
  certificateRequestContext?: Uint8Array;
  extensions: readonly Extension[];
}
export interface CertificateRequest extends CertificateRequestInit {
  certificateRequestContext: Uint8Array;
  extensions: Extension[];
  ext: CertificateRequestExtensions;
  raw: Uint8Array;
}

// RFC 8446, Section 4.4.3
export interface CertificateVerifyInit {
  type: 'certificate_verify';
  algorithm: number;
  signature: Uint8Array;
}
export interface CertificateVerify extends CertificateVerifyInit {
  raw: Uint8Array;
}

// RFC 8446, Section 4.4.4 (the length, Hash.length, is the state machine's to check)
export interface FinishedInit {
  type: 'finished';
  verifyData: Uint8Array;
}
export interface Finished extends FinishedInit {
  raw: Uint8Array;
}

// RFC 8446, Section 4.6.1
export interface NewSessionTicketInit {
  type: 'new_session_ticket';
  ticketLifetime: number;
  ticketAgeAdd: number;
  ticketNonce: Uint8Array;
  ticket: Uint8Array;
  extensions?: readonly Extension[];
}
export interface NewSessionTicket extends NewSessionTicketInit {
  extensions: Extension[];
  ext: NewSessionTicketExtensions;
  raw: Uint8Array;
}

// RFC 8446, Section 4.5
export interface EndOfEarlyDataInit {
  type: 'end_of_early_data';
}
export interface EndOfEarlyData extends EndOfEarlyDataInit {
  raw: Uint8Array;
}

// RFC 8446, Section 4.6.3
export interface KeyUpdateInit {
  type: 'key_update';
  /** KeyUpdateRequest: 0 update_not_requested, 1 update_requested. */
  requestUpdate: number;
}
export interface KeyUpdate extends KeyUpdateInit {
  raw: Uint8Array;
}

// RFC 8446, Section 4.4.1: replaces ClientHello1 in the transcript after a HelloRetryRequest; never sent
export interface MessageHashInit {
  type: 'message_hash';
  /** Hash(ClientHello1). */
  hash: Uint8Array;
}
export interface MessageHash extends MessageHashInit {
  raw: Uint8Array;
}

/** A message type this module does not model (or not for the version asked). */
export interface UnknownHandshakeInit {
  type: 'unknown';
  msgType: number;
  body: Uint8Array;
}
export interface UnknownHandshake extends UnknownHandshakeInit {
  raw: Uint8Array;
}

/** A decoded handshake message. */
export type Handshake =
  | ClientHello
  | ServerHello
  | HelloRetryRequest
  | EncryptedExtensions
  | Certificate
  | CertificateRequest
  | CertificateVerify
  | Finished
  | NewSessionTicket
  | EndOfEarlyData
  | KeyUpdate
  | MessageHash
  | Handshake12
  | UnknownHandshake;

/** A handshake message to encode (a decoded one is one too). */
export type HandshakeInit =
  | ClientHelloInit
  | ServerHelloInit
  | HelloRetryRequestInit
  | EncryptedExtensionsInit
  | CertificateInit
  | CertificateRequestInit
  | CertificateVerifyInit
  | FinishedInit
  | NewSessionTicketInit
  | EndOfEarlyDataInit
  | KeyUpdateInit
  | MessageHashInit
  | Handshake12Init
  | UnknownHandshakeInit;

// --- framing -----------------------------------------------------------------------------------------------------

/** The handshake header: msg_type (1 byte) and a 3-byte length that must match what follows exactly. */
function openMessage(raw: Uint8Array): { msgType: number } {
  const h = new Reader(raw, 'Handshake');
  const msgType = h.u8('msg_type');
  const len = h.u24('length');
  if (len > h.remaining) throw new MissingData(`${handshakeLabel(msgType)}.length`, `says ${len} bytes but ${h.remaining} follow`, 1);
  if (len < h.remaining) throw new TrailingData(`${handshakeLabel(msgType)}.length`, `says ${len} bytes but ${h.remaining} follow`, 1);
  return { msgType };
}

function body(raw: Uint8Array, expected: number, label: string): Reader {
  const { msgType } = openMessage(raw);
  if (msgType !== expected) {
    throw new DecodeError(`${label}.msg_type`, `expected ${handshakeLabel(expected)} (${expected}), got ${handshakeLabel(msgType)} (${msgType})`, 0, 'unexpected_message');
  }
  return new Reader(raw, label, 4, raw.length);
}

function message(type: number, fn: (w: Writer) => void, sizeHint = 128): Uint8Array {
  const w = new Writer(sizeHint);
  w.u8(type, 'msg_type');
  w.u24Prefixed(fn, handshakeLabel(type));
  return w.finish();
}

const EMPTY = new Uint8Array(0);

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkLength(value: Uint8Array, exact: number, field: string): void {
  if (value.length !== exact) throw new EncodeError(field, `must be ${exact} bytes, not ${value.length}`);
}

// --- ClientHello, RFC 8446 Section 4.1.2 --------------------------------------------------------------------------

export function encodeClientHello(m: ClientHelloInit): Uint8Array {
  checkLength(m.random, 32, 'ClientHello.random');
  return message(HandshakeType.client_hello, (w) => {
    w.u16(m.legacyVersion ?? 0x0303, 'legacy_version');
    w.bytes(m.random);
    w.opaque8(m.legacySessionId ?? EMPTY, 'legacy_session_id');
    w.u16Prefixed((w) => m.cipherSuites.forEach((s) => w.u16(s, 'cipher_suites')), 'cipher_suites');
    w.u8Prefixed((w) => (m.legacyCompressionMethods ?? [0]).forEach((c) => w.u8(c, 'legacy_compression_methods')), 'legacy_compression_methods');
    if (m.extensions.length > 0) writeExtensions(w, m.extensions);
  }, 512);
}

export function decodeClientHello(raw: Uint8Array): ClientHello {
  const r = body(raw, HandshakeType.client_hello, 'ClientHello');
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const legacySessionId = r.opaque8('legacy_session_id', 0, 32);
  const cipherSuites = r.u16List('cipher_suites', 2, 0xfffe);
  const legacyCompressionMethods = r.u8List('legacy_compression_methods', 1);
  // RFC 5246 section 7.4.1.2: a TLS 1.2 (or SSL 3.0) ClientHello may end here, without an extensions block.
  const { list, ext } = r.atEnd() ? { list: [], ext: {} } : readExtensions(r, 'CH');
  r.end();
  return { type: 'client_hello', legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods, extensions: list, ext, raw };
}

// --- ServerHello and HelloRetryRequest, RFC 8446 Sections 4.1.3 and 4.1.4 -----------------------------------------

export function encodeServerHello(m: ServerHelloInit): Uint8Array {
  checkLength(m.random, 32, 'ServerHello.random');
  return message(HandshakeType.server_hello, (w) => {
    w.u16(m.legacyVersion ?? 0x0303, 'legacy_version');
    w.bytes(m.random);
    w.opaque8(m.legacySessionIdEcho, 'legacy_session_id_echo');
    w.u16(m.cipherSuite, 'cipher_suite');
    w.u8(m.legacyCompressionMethod ?? 0, 'legacy_compression_method');
    if (m.extensions.length > 0) writeExtensions(w, m.extensions);
  });
}

export function encodeHelloRetryRequest(m: HelloRetryRequestInit): Uint8Array {
  return encodeServerHello({ ...m, type: 'server_hello', random: HELLO_RETRY_REQUEST_RANDOM });
}

/** A ServerHello, or a HelloRetryRequest when its random is the special value of RFC 8446 section 4.1.3. */
export function decodeServerHello(raw: Uint8Array): ServerHello | HelloRetryRequest {
  const r = body(raw, HandshakeType.server_hello, 'ServerHello');
  const legacyVersion = r.u16('legacy_version');
  const random = r.bytes(32, 'random');
  const hrr = equalBytes(random, HELLO_RETRY_REQUEST_RANDOM);
  if (hrr) r.name = 'HelloRetryRequest';
  const legacySessionIdEcho = r.opaque8('legacy_session_id_echo', 0, 32);
  const cipherSuite = r.u16('cipher_suite');
  const legacyCompressionMethod = r.u8('legacy_compression_method');
  if (hrr) {
    const { list, ext } = readExtensions(r, 'HRR', 6); // extensions<6..2^16-1>
    r.end();
    return { type: 'hello_retry_request', legacyVersion, random, legacySessionIdEcho, cipherSuite, legacyCompressionMethod, extensions: list, ext, raw };
  }
  const { list, ext } = r.atEnd() ? { list: [], ext: {} } : readExtensions(r, 'SH');
  r.end();
  return { type: 'server_hello', legacyVersion, random, legacySessionIdEcho, cipherSuite, legacyCompressionMethod, extensions: list, ext, raw };
}

// --- EncryptedExtensions, RFC 8446 Section 4.3.1 ------------------------------------------------------------------

export function encodeEncryptedExtensions(m: EncryptedExtensionsInit): Uint8Array {
  return message(HandshakeType.encrypted_extensions, (w) => writeExtensions(w, m.extensions));
}

export function decodeEncryptedExtensions(raw: Uint8Array): EncryptedExtensions {
  const r = body(raw, HandshakeType.encrypted_extensions, 'EncryptedExtensions');
  const { list, ext } = readExtensions(r, 'EE');
  r.end();
  return { type: 'encrypted_extensions', extensions: list, ext, raw };
}

// --- Certificate (TLS 1.3 form), RFC 8446 Section 4.4.2 -----------------------------------------------------------

export function encodeCertificate(m: CertificateInit): Uint8Array {
  if (m.form === 'tls12') return encodeCertificate12(m);
  let size = 64;
  for (const e of m.certificateList) size += e.data.length + 16;
  return message(HandshakeType.certificate, (w) => {
    w.opaque8(m.certificateRequestContext ?? EMPTY, 'certificate_request_context');
    w.u24Prefixed((w) => {
      for (const e of m.certificateList) {
        w.opaque24(e.data, 'cert_data');
        writeExtensions(w, e.extensions ?? []);
      }
    }, 'certificate_list');
  }, size);
}

export function decodeCertificate(raw: Uint8Array): Certificate {
  const r = body(raw, HandshakeType.certificate, 'Certificate');
  const certificateRequestContext = r.opaque8('certificate_request_context');
  const list = r.vec24('certificate_list');
  const certificateList: CertificateEntry[] = [];
  while (!list.atEnd()) {
    list.index = certificateList.length;
    const data = list.opaque24('cert_data', 1);
    const { list: extensions, ext } = readExtensions(list, 'CT');
    certificateList.push({ data, extensions, ext });
  }
  r.end();
  return { type: 'certificate', certificateRequestContext, certificateList, raw };
}

// --- CertificateRequest (TLS 1.3 form), RFC 8446 Section 4.3.2 ----------------------------------------------------

export function encodeCertificateRequest(m: CertificateRequestInit): Uint8Array {
  return message(HandshakeType.certificate_request, (w) => {
    w.opaque8(m.certificateRequestContext ?? EMPTY, 'certificate_request_context');
    writeExtensions(w, m.extensions);
  });
}

export function decodeCertificateRequest(raw: Uint8Array): CertificateRequest {
  const r = body(raw, HandshakeType.certificate_request, 'CertificateRequest');
  const certificateRequestContext = r.opaque8('certificate_request_context');
  const at = r.pos;
  const { list, ext } = readExtensions(r, 'CR', 2);
  r.end();
  // "The "signature_algorithms" extension MUST be specified" (RFC 8446, Section 4.3.2).
  if (!ext.signatureAlgorithms) r.fail('extensions', 'signature_algorithms is missing (RFC 8446, Section 4.3.2)', 'missing_extension', at);
  return { type: 'certificate_request', certificateRequestContext, extensions: list, ext, raw };
}

// --- CertificateVerify, RFC 8446 Section 4.4.3 --------------------------------------------------------------------

export function encodeCertificateVerify(m: CertificateVerifyInit): Uint8Array {
  return message(HandshakeType.certificate_verify, (w) => w.u16(m.algorithm, 'algorithm').opaque16(m.signature, 'signature'), m.signature.length + 16);
}

export function decodeCertificateVerify(raw: Uint8Array): CertificateVerify {
  const r = body(raw, HandshakeType.certificate_verify, 'CertificateVerify');
  const algorithm = r.u16('algorithm');
  const signature = r.opaque16('signature');
  r.end();
  return { type: 'certificate_verify', algorithm, signature, raw };
}

// --- Finished, RFC 8446 Section 4.4.4 -----------------------------------------------------------------------------

export function encodeFinished(m: FinishedInit): Uint8Array {
  return message(HandshakeType.finished, (w) => w.bytes(m.verifyData), m.verifyData.length + 8);
}

/** verify_data is the whole body; whether it is Hash.length (12 in TLS 1.2) long is the state machine's check. */
export function decodeFinished(raw: Uint8Array): Finished {
  const r = body(raw, HandshakeType.finished, 'Finished');
  if (r.atEnd()) r.fail('verify_data', 'must not be empty');
  return { type: 'finished', verifyData: r.rest('verify_data'), raw };
}

// --- NewSessionTicket (TLS 1.3 form), RFC 8446 Section 4.6.1 ------------------------------------------------------

export function encodeNewSessionTicket(m: NewSessionTicketInit): Uint8Array {
  return message(HandshakeType.new_session_ticket, (w) => {
    w.u32(m.ticketLifetime, 'ticket_lifetime').u32(m.ticketAgeAdd, 'ticket_age_add');
    w.opaque8(m.ticketNonce, 'ticket_nonce').opaque16(m.ticket, 'ticket');
    writeExtensions(w, m.extensions ?? []);
  }, m.ticket.length + 64);
}

export function decodeNewSessionTicket(raw: Uint8Array): NewSessionTicket {
  const r = body(raw, HandshakeType.new_session_ticket, 'NewSessionTicket');
  const ticketLifetime = r.u32('ticket_lifetime');
  const ticketAgeAdd = r.u32('ticket_age_add');
  const ticketNonce = r.opaque8('ticket_nonce');
  const ticket = r.opaque16('ticket', 1);
  const { list, ext } = readExtensions(r, 'NST');
  r.end();
  return { type: 'new_session_ticket', ticketLifetime, ticketAgeAdd, ticketNonce, ticket, extensions: list, ext, raw };
}

// --- EndOfEarlyData, RFC 8446 Section 4.5 -------------------------------------------------------------------------

export function encodeEndOfEarlyData(_m: EndOfEarlyDataInit = { type: 'end_of_early_data' }): Uint8Array {
  return message(HandshakeType.end_of_early_data, () => {}, 8);
}

export function decodeEndOfEarlyData(raw: Uint8Array): EndOfEarlyData {
  const r = body(raw, HandshakeType.end_of_early_data, 'EndOfEarlyData');
  r.end();
  return { type: 'end_of_early_data', raw };
}

// --- KeyUpdate, RFC 8446 Section 4.6.3 ----------------------------------------------------------------------------

export function encodeKeyUpdate(m: KeyUpdateInit): Uint8Array {
  return message(HandshakeType.key_update, (w) => w.u8(m.requestUpdate, 'request_update'), 8);
}

export function decodeKeyUpdate(raw: Uint8Array): KeyUpdate {
  const r = body(raw, HandshakeType.key_update, 'KeyUpdate');
  const at = r.pos;
  const requestUpdate = r.u8('request_update');
  // "... any other value, it MUST terminate the connection with an "illegal_parameter" alert."
  if (requestUpdate > 1) r.fail('request_update', `${requestUpdate} is neither update_not_requested nor update_requested`, 'illegal_parameter', at);
  r.end();
  return { type: 'key_update', requestUpdate, raw };
}

// --- message_hash, RFC 8446 Section 4.4.1 -------------------------------------------------------------------------

export function encodeMessageHash(m: MessageHashInit): Uint8Array {
  return message(HandshakeType.message_hash, (w) => w.bytes(m.hash), m.hash.length + 8);
}

export function decodeMessageHash(raw: Uint8Array): MessageHash {
  const r = body(raw, HandshakeType.message_hash, 'message_hash');
  if (r.atEnd()) r.fail('hash', 'must not be empty');
  return { type: 'message_hash', hash: r.rest('hash'), raw };
}

// --- any message -------------------------------------------------------------------------------------------------

function encodeUnknown(m: UnknownHandshakeInit): Uint8Array {
  return message(m.msgType, (w) => w.bytes(m.body), m.body.length + 8);
}

function decodeUnknown(raw: Uint8Array, msgType: number): UnknownHandshake {
  return { type: 'unknown', msgType, body: raw.subarray(4), raw };
}

/** Encodes any message, header included. */
export function encodeHandshake(m: HandshakeInit): Uint8Array {
  switch (m.type) {
    case 'client_hello': return encodeClientHello(m);
    case 'server_hello': return encodeServerHello(m);
    case 'hello_retry_request': return encodeHelloRetryRequest(m);
    case 'encrypted_extensions': return encodeEncryptedExtensions(m);
    case 'certificate': return encodeCertificate(m);
    case 'certificate_request': return encodeCertificateRequest(m);
    case 'certificate_verify': return encodeCertificateVerify(m);
    case 'finished': return encodeFinished(m);
    case 'new_session_ticket': return encodeNewSessionTicket(m);
    case 'end_of_early_data': return encodeEndOfEarlyData(m);
    case 'key_update': return encodeKeyUpdate(m);
    case 'message_hash': return encodeMessageHash(m);
    case 'unknown': return encodeUnknown(m);
    case 'hello_request':
    case 'server_hello_done':
    case 'server_key_exchange':
    case 'client_key_exchange':
    case 'certificate_request12':
    case 'certificate_verify12':
    case 'new_session_ticket12':
    case 'certificate_status':
      return encodeHandshake12(m);
  }
}

/**
 * Decodes one whole message (4-byte header included, nothing after it). Throws DecodeError; never anything
 * else on any input.
 */
export function decodeHandshake(raw: Uint8Array, opts: DecodeOptions = { version: 'tls13' }): Handshake {
  const { msgType } = openMessage(raw);
  switch (msgType) {
    case HandshakeType.client_hello: return decodeClientHello(raw);
    case HandshakeType.server_hello: return decodeServerHello(raw);
    case HandshakeType.finished: return decodeFinished(raw);
  }
  if (opts.version === 'tls12') return decodeHandshake12(raw, msgType, opts) ?? decodeUnknown(raw, msgType);
  switch (msgType) {
    case HandshakeType.encrypted_extensions: return decodeEncryptedExtensions(raw);
    case HandshakeType.certificate: return decodeCertificate(raw);
    case HandshakeType.certificate_request: return decodeCertificateRequest(raw);
    case HandshakeType.certificate_verify: return decodeCertificateVerify(raw);
    case HandshakeType.new_session_ticket: return decodeNewSessionTicket(raw);
    case HandshakeType.end_of_early_data: return decodeEndOfEarlyData(raw);
    case HandshakeType.key_update: return decodeKeyUpdate(raw);
    case HandshakeType.message_hash: return decodeMessageHash(raw);
    default: return decodeUnknown(raw, msgType);
  }
}

/** Encodes then decodes: the message as a peer will see it, with `raw` and `ext` (handy for senders' traces). */
export function buildHandshake(m: HandshakeInit, opts: DecodeOptions = { version: 'tls13' }): Handshake {
  return decodeHandshake(encodeHandshake(m), opts);
}

// --- PSK binders, RFC 8446 Section 4.2.11.2 -----------------------------------------------------------------------

/**
 * The ClientHello up to, not including, its binders list: the "Truncate(ClientHello)" whose transcript hash
 * each PSK binder covers. A view into `ch.raw`.
 */
export function truncateForBinders(ch: Pick<ClientHello, 'raw' | 'ext'>): Uint8Array {
  const psk = ch.ext.preSharedKey;
  if (!psk) throw new Error('truncateForBinders: the ClientHello has no pre_shared_key extension');
  return ch.raw.subarray(0, ch.raw.length - pskBindersLength(psk));
}

/**
 * Writes real binders over the placeholder ones at the end of an encoded ClientHello, in place. The client
 * encodes the ClientHello with zero binders of the right lengths, hashes `truncateForBinders`, computes the
 * binders, then patches them in. The tail must hold exactly a binders list of these lengths.
 */
export function patchBinders(rawClientHello: Uint8Array, binders: readonly Uint8Array[]): void {
  const n = pskBindersLength({ binders });
  let p = rawClientHello.length - n;
  const listLen = p >= 0 ? (rawClientHello[p]! << 8) | rawClientHello[p + 1]! : -1;
  if (listLen !== n - 2) throw new EncodeError('pre_shared_key.binders', 'the ClientHello does not end with a binders list of these lengths');
  p += 2;
  for (const b of binders) {
    if (rawClientHello[p] !== b.length) throw new EncodeError('pre_shared_key.binders', 'a placeholder binder has a different length');
    rawClientHello.set(b, p + 1);
    p += 1 + b.length;
  }
}

// --- reassembly ---------------------------------------------------------------------------------------------------

/** A message header announcing more than the reader's limit: `limit` names it (as the connection's limits do). */
export class MessageSizeError extends DecodeError {
  constructor(readonly limit: 'maxHandshakeMessageBytes' | 'maxCertificateChainBytes', field: string, readonly value: number, readonly max: number, at: number) {
    super(field, `${value} bytes exceed the limit of ${max} bytes (${limit})`, at, 'illegal_parameter');
    this.name = 'MessageSizeError';
  }
}

export interface HandshakeReaderOptions {
  /** Largest message body accepted, Certificate aside. Default 64 KiB. */
  maxMessageSize?: number;
  /** Largest Certificate / CompressedCertificate body accepted. Default 256 KiB. */
  maxCertificateSize?: number;
}

/**
 * Reassembles handshake messages from the payloads of handshake records (RFC 8446 section 5.1): a message may
 * span records and a record may hold several. `feed` returns the whole messages completed so far, each with
 * its header, in order; a message inside one payload is returned as a view of it (no copy), one spanning
 * payloads is copied once into a buffer of its announced size. A header announcing more than the limit throws
 * DecodeError (illegal_parameter, as OpenSSL's "excessive message size") before anything is buffered.
 */
export class HandshakeReader {
  readonly maxMessageSize: number;
  readonly maxCertificateSize: number;
  private header = new Uint8Array(4);
  private headerLen = 0;
  private message: Uint8Array | null = null;
  private have = 0;
  private consumed = 0;

  constructor(opts: HandshakeReaderOptions = {}) {
    this.maxMessageSize = opts.maxMessageSize ?? 64 * 1024;
    this.maxCertificateSize = opts.maxCertificateSize ?? 256 * 1024;
  }

  /** A message has begun and not ended: keys must not change now (RFC 8446 section 5.1). */
  get hasPartial(): boolean {
    return this.headerLen > 0 || this.message !== null;
  }

  /** Bytes of the unfinished message held. */
  get bufferedBytes(): number {
    return this.message ? this.have : this.headerLen;
  }

  reset(): void {
    this.headerLen = 0;
    this.message = null;
    this.have = 0;
  }

  private limitFor(msgType: number, length: number, at: number): void {
    const cert = msgType === HandshakeType.certificate || msgType === HandshakeType.compressed_certificate;
    const limit = cert ? this.maxCertificateSize : this.maxMessageSize;
    if (length > limit) {
      throw new MessageSizeError(cert ? 'maxCertificateChainBytes' : 'maxHandshakeMessageBytes', `${handshakeLabel(msgType)}.length`, length, limit, at);
    }
  }

  feed(payload: Uint8Array): Uint8Array[] {
    if (payload.length === 0) {
      // RFC 8446, Section 5.1: "Implementations MUST NOT send zero-length fragments of Handshake types".
      throw new DecodeError('TLSPlaintext.fragment', 'a handshake record must not be empty (RFC 8446, Section 5.1)', this.consumed, 'unexpected_message');
    }
    const out: Uint8Array[] = [];
    let p = 0;
    while (p < payload.length) {
      if (this.message) {
        const take = Math.min(this.message.length - this.have, payload.length - p);
        this.message.set(payload.subarray(p, p + take), this.have);
        this.have += take;
        p += take;
        if (this.have === this.message.length) {
          out.push(this.message);
          this.message = null;
          this.have = 0;
        }
        continue;
      }
      if (this.headerLen === 0 && payload.length - p >= 4) {
        const len = (payload[p + 1]! << 16) | (payload[p + 2]! << 8) | payload[p + 3]!;
        this.limitFor(payload[p]!, len, this.consumed + p);
        if (payload.length - p >= 4 + len) {
          out.push(payload.subarray(p, p + 4 + len));
          p += 4 + len;
          continue;
        }
        this.message = new Uint8Array(4 + len);
        this.have = payload.length - p;
        this.message.set(payload.subarray(p));
        p = payload.length;
        continue;
      }
      // The header itself is split across payloads.
      const take = Math.min(4 - this.headerLen, payload.length - p);
      this.header.set(payload.subarray(p, p + take), this.headerLen);
      this.headerLen += take;
      p += take;
      if (this.headerLen === 4) {
        const len = (this.header[1]! << 16) | (this.header[2]! << 8) | this.header[3]!;
        this.limitFor(this.header[0]!, len, this.consumed + p - 4);
        this.headerLen = 0;
        const m = new Uint8Array(4 + len);
        m.set(this.header);
        if (len === 0) out.push(m);
        else {
          this.message = m;
          this.have = 4;
        }
      }
    }
    this.consumed += payload.length;
    return out;
  }
}
