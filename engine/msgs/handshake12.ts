// TLS 1.2-family handshake messages (RFC 5246 section 7.4, RFC 4346, RFC 2246, SSL 3.0 in RFC 6101, ECC in
// RFC 8422, tickets in RFC 5077, CertificateStatus in RFC 6066), one encodeX/decodeX pair per message, in the
// same style as handshake.ts (which re-exports this module and dispatches to it from decodeHandshake and
// encodeHandshake for `version: 'tls12'`).
//
// Types: where every version of the family fits the TLS 1.3 shape the decoder returns that shape (Certificate,
// marked `form: 'tls12'`; Finished). Where it does not, the message has its own type string ending in `12`
// (`certificate_request12`, `certificate_verify12`, `new_session_ticket12`), so code narrowing the TLS 1.3
// forms by `type` never meets a TLS 1.2 value. Messages TLS 1.3 lacks keep their IANA names.
//
// Versions: `protocolVersion` is the negotiated ProtocolVersion (0x0300 SSL 3.0 .. 0x0303 TLS 1.2; DTLS 1.0
// 0xfeff and 1.2 0xfefd map to TLS 1.1 and 1.2: RFC 4347 section 1, RFC 6347 section 1). Only TLS 1.2 carries signature
// algorithms (RFC 5246 sections 4.7 and 7.4.4); only SSL 3.0 omits the length of an RSA-encrypted premaster
// secret (RFC 5246 section 7.4.7.1). Everything else is shared.
//
// Framing helpers are repeated here rather than imported so this module needs nothing from handshake.ts at
// run time (handshake.ts imports this one).
import type { AlertDescription } from '../registry/alerts';
import { handshakeLabel, HandshakeType } from '../registry/handshake-types';
import type { Certificate, CertificateEntry, CertificateInit } from './handshake';
import { DecodeError, MissingData, Reader, TrailingData } from './reader';
import { EncodeError, Writer } from './writer';

// --- versions and key exchanges --------------------------------------------------------------------------------

// Module-private: registry/versions.ts ProtocolVersion is the shared vocabulary.
const SSL30 = 0x0300;
const TLS12 = 0x0303;

/** The key exchange a ServerKeyExchange / ClientKeyExchange is shaped by (from the negotiated cipher suite). */
export type KeyExchange12 = 'ECDHE' | 'DHE' | 'RSA';

/** What ServerKeyExchange and ClientKeyExchange need to know to decode: neither says its own shape. */
export interface KeyExchangeContext {
  keyExchange: KeyExchange12;
  /** Negotiated ProtocolVersion, 0x0300..0x0303 (or DTLS 0xfeff / 0xfefd). */
  protocolVersion: number;
}

/** True where DigitallySigned and CertificateRequest carry signature algorithms: TLS 1.2 and DTLS 1.2 only. */
export function hasSignatureAlgorithms(protocolVersion: number): boolean {
  if (protocolVersion >= 0xfe00) return protocolVersion <= 0xfefd; // DTLS counts down: 0xfeff 1.0, 0xfefd 1.2
  return protocolVersion >= TLS12;
}

/** ECCurveType (RFC 8422, Section 5.4): only named_curve remains; the explicit forms are deprecated. */
export const ECCurveType = { explicit_prime: 1, explicit_char2: 2, named_curve: 3 } as const;

/** ClientCertificateType (RFC 5246, Section 7.4.4; RFC 8422, Section 5.5). */
export const ClientCertificateType = {
  rsa_sign: 1,
  dss_sign: 2,
  rsa_fixed_dh: 3,
  dss_fixed_dh: 4,
  rsa_ephemeral_dh: 5,
  dss_ephemeral_dh: 6,
  fortezza_dms: 20,
  ecdsa_sign: 64,
  rsa_fixed_ecdh: 65,
  ecdsa_fixed_ecdh: 66,
} as const;

// --- message types ------------------------------------------------------------------------------------------------

// RFC 5246, Section 7.4.1.1
export interface HelloRequestInit {
  type: 'hello_request';
}
export interface HelloRequest extends HelloRequestInit {
  raw: Uint8Array;
}

// RFC 5246, Section 7.4.5
export interface ServerHelloDoneInit {
  type: 'server_hello_done';
}
export interface ServerHelloDone extends ServerHelloDoneInit {
  raw: Uint8Array;
}

/**
 * A `digitally-signed` element (RFC 5246, Section 4.7): TLS 1.2 prefixes the signature with its
 * SignatureAndHashAlgorithm (one u16, the SignatureScheme code point); TLS 1.1 and older have the signature only.
 */
export interface DigitallySigned {
  /** SignatureAndHashAlgorithm as a u16 (hash << 8 | signature); present only in TLS 1.2. */
  algorithm?: number;
  signature: Uint8Array;
}

// RFC 8422, Section 5.4: ServerECDHParams with curve_type named_curve
export interface ServerEcdhParams {
  keyExchange: 'ECDHE';
  /** NamedCurve (a NamedGroup code point). */
  namedCurve: number;
  /** ECPoint.point: the server's ephemeral public key. */
  point: Uint8Array;
}

// RFC 5246, Section 7.4.3: ServerDHParams
export interface ServerDhParams {
  keyExchange: 'DHE';
  dhP: Uint8Array;
  dhG: Uint8Array;
  dhYs: Uint8Array;
}

export type ServerKeyExchangeParams = ServerEcdhParams | ServerDhParams;

// RFC 5246, Section 7.4.3; RFC 8422, Section 5.4: params, then signed_params
export interface ServerKeyExchangeEcdheInit extends ServerEcdhParams, DigitallySigned {
  type: 'server_key_exchange';
}
export interface ServerKeyExchangeDheInit extends ServerDhParams, DigitallySigned {
  type: 'server_key_exchange';
}
export type ServerKeyExchangeInit = ServerKeyExchangeEcdheInit | ServerKeyExchangeDheInit;
export interface ServerKeyExchangeEcdhe extends ServerKeyExchangeEcdheInit {
  /** The encoded ServerECDHParams exactly as received: what signed_params signs after the two randoms. */
  params: Uint8Array;
  raw: Uint8Array;
}
export interface ServerKeyExchangeDhe extends ServerKeyExchangeDheInit {
  /** The encoded ServerDHParams exactly as received: what signed_params signs after the two randoms. */
  params: Uint8Array;
  raw: Uint8Array;
}
export type ServerKeyExchange = ServerKeyExchangeEcdhe | ServerKeyExchangeDhe;

// RFC 8422, Section 5.7: ClientECDiffieHellmanPublic, explicit encoding
export interface ClientKeyExchangeEcdheInit {
  type: 'client_key_exchange';
  keyExchange: 'ECDHE';
  /** ecdh_Yc: ECPoint.point, the client's ephemeral public key. */
  point: Uint8Array;
}
// RFC 5246, Section 7.4.7.2: ClientDiffieHellmanPublic, explicit encoding
export interface ClientKeyExchangeDheInit {
  type: 'client_key_exchange';
  keyExchange: 'DHE';
  dhYc: Uint8Array;
}
// RFC 5246, Section 7.4.7.1; RFC 6101, Section 5.6.7.1
export interface ClientKeyExchangeRsaInit {
  type: 'client_key_exchange';
  keyExchange: 'RSA';
  encryptedPreMasterSecret: Uint8Array;
  /** SSL 3.0 form: the encrypted bytes are the whole body, with no length prefix. Default false. */
  ssl3?: boolean;
}
export type ClientKeyExchangeInit = ClientKeyExchangeEcdheInit | ClientKeyExchangeDheInit | ClientKeyExchangeRsaInit;
export interface ClientKeyExchangeEcdhe extends ClientKeyExchangeEcdheInit {
  raw: Uint8Array;
}
export interface ClientKeyExchangeDhe extends ClientKeyExchangeDheInit {
  raw: Uint8Array;
}
export interface ClientKeyExchangeRsa extends ClientKeyExchangeRsaInit {
  ssl3: boolean;
  raw: Uint8Array;
}
export type ClientKeyExchange = ClientKeyExchangeEcdhe | ClientKeyExchangeDhe | ClientKeyExchangeRsa;

// RFC 5246, Section 7.4.4 (TLS 1.2); RFC 4346 / RFC 2246 Section 7.4.4 and RFC 6101 Section 5.6.4 without algorithms
export interface CertificateRequest12Init {
  type: 'certificate_request12';
  /** ClientCertificateType values, at least one. */
  certificateTypes: readonly number[];
  /** TLS 1.2 only (and then required, at least one): SignatureAndHashAlgorithm code points. */
  supportedSignatureAlgorithms?: readonly number[];
  /** DER-encoded DistinguishedNames of acceptable CAs; may be empty. */
  certificateAuthorities: readonly Uint8Array[];
}
export interface CertificateRequest12 extends CertificateRequest12Init {
  certificateTypes: number[];
  supportedSignatureAlgorithms?: number[];
  certificateAuthorities: Uint8Array[];
  raw: Uint8Array;
}

// RFC 5246, Section 7.4.8: digitally-signed struct { handshake_messages }
export interface CertificateVerify12Init extends DigitallySigned {
  type: 'certificate_verify12';
}
export interface CertificateVerify12 extends CertificateVerify12Init {
  raw: Uint8Array;
}

// RFC 5077, Section 3.3
export interface NewSessionTicket12Init {
  type: 'new_session_ticket12';
  /** Seconds; 0 means unspecified. */
  ticketLifetimeHint: number;
  /** May be empty: the server has changed its mind about issuing one. */
  ticket: Uint8Array;
}
export interface NewSessionTicket12 extends NewSessionTicket12Init {
  raw: Uint8Array;
}

// RFC 6066, Section 8 (named ...Message: extensions.ts's CertificateStatus is the TLS 1.3 extension body)
export interface CertificateStatusMessageInit {
  type: 'certificate_status';
  /** CertificateStatusType; ocsp(1) is the only one RFC 6066 defines. Default 1. */
  statusType?: number;
  /** A DER OCSPResponse. */
  ocspResponse: Uint8Array;
}
export interface CertificateStatusMessage extends CertificateStatusMessageInit {
  statusType: number;
  raw: Uint8Array;
}

/** The messages this module adds to handshake.ts's `Handshake` union (Certificate and Finished are shared). */
export type Handshake12 =
  | HelloRequest
  | ServerHelloDone
  | ServerKeyExchange
  | ClientKeyExchange
  | CertificateRequest12
  | CertificateVerify12
  | NewSessionTicket12
  | CertificateStatusMessage;

export type Handshake12Init =
  | HelloRequestInit
  | ServerHelloDoneInit
  | ServerKeyExchangeInit
  | ClientKeyExchangeInit
  | CertificateRequest12Init
  | CertificateVerify12Init
  | NewSessionTicket12Init
  | CertificateStatusMessageInit;

// --- framing (as in handshake.ts) ---------------------------------------------------------------------------------

function body(raw: Uint8Array, expected: number, label: string): Reader {
  const h = new Reader(raw, 'Handshake');
  const msgType = h.u8('msg_type');
  const len = h.u24('length');
  if (len > h.remaining) throw new MissingData(`${handshakeLabel(msgType)}.length`, `says ${len} bytes but ${h.remaining} follow`, 1);
  if (len < h.remaining) throw new TrailingData(`${handshakeLabel(msgType)}.length`, `says ${len} bytes but ${h.remaining} follow`, 1);
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

/**
 * A reader for a struct of unknown length that starts here (ServerKeyExchange.params): errors and spans are
 * named `parent.name.field`; the caller moves the parent to `child.pos` once the struct is read.
 */
function structReader(r: Reader, name: string): Reader {
  return new Reader(r.buf, name, r.pos, r.limit, r);
}

const EMPTY = new Uint8Array(0);

function fail(label: string, detail: string, alert: AlertDescription, offset = 0): never {
  throw new DecodeError(label, detail, offset, alert);
}

function readSigned(r: Reader, protocolVersion: number): DigitallySigned {
  const algorithm = hasSignatureAlgorithms(protocolVersion) ? r.u16('algorithm') : undefined;
  const signature = r.opaque16('signature');
  return algorithm === undefined ? { signature } : { algorithm, signature };
}

function writeSigned(w: Writer, s: DigitallySigned): void {
  if (s.algorithm !== undefined) w.u16(s.algorithm, 'algorithm');
  w.opaque16(s.signature, 'signature');
}

// --- HelloRequest, RFC 5246 Section 7.4.1.1 -----------------------------------------------------------------------

export function encodeHelloRequest(_m: HelloRequestInit = { type: 'hello_request' }): Uint8Array {
  return message(HandshakeType.hello_request, () => {}, 8);
}

export function decodeHelloRequest(raw: Uint8Array): HelloRequest {
  body(raw, HandshakeType.hello_request, 'HelloRequest').end();
  return { type: 'hello_request', raw };
}

// --- ServerHelloDone, RFC 5246 Section 7.4.5 ----------------------------------------------------------------------

export function encodeServerHelloDone(_m: ServerHelloDoneInit = { type: 'server_hello_done' }): Uint8Array {
  return message(HandshakeType.server_hello_done, () => {}, 8);
}

export function decodeServerHelloDone(raw: Uint8Array): ServerHelloDone {
  body(raw, HandshakeType.server_hello_done, 'ServerHelloDone').end();
  return { type: 'server_hello_done', raw };
}

// --- Certificate (TLS 1.2 form), RFC 5246 Section 7.4.2 -----------------------------------------------------------

/**
 * `ASN.1Cert certificate_list<0..2^24-1>` with `opaque ASN.1Cert<1..2^24-1>`. Takes the TLS 1.3 shape; it has
 * no request context and no per-certificate extensions, so those must be empty.
 */
export function encodeCertificate12(m: CertificateInit): Uint8Array {
  if (m.certificateRequestContext && m.certificateRequestContext.length > 0) {
    throw new EncodeError('Certificate.certificate_request_context', 'a TLS 1.2 Certificate has no request context (RFC 5246, Section 7.4.2)');
  }
  let size = 16;
  for (const e of m.certificateList) {
    if (e.extensions && e.extensions.length > 0) throw new EncodeError('Certificate.certificate_list', 'a TLS 1.2 certificate has no extensions (RFC 5246, Section 7.4.2)');
    size += e.data.length + 3;
  }
  return message(HandshakeType.certificate, (w) => {
    w.u24Prefixed((w) => m.certificateList.forEach((e) => w.opaque24(e.data, 'cert_data')), 'certificate_list');
  }, size);
}

/** Decodes into handshake.ts's Certificate (empty context, no extensions) with `form: 'tls12'`. */
export function decodeCertificate12(raw: Uint8Array): Certificate {
  const r = body(raw, HandshakeType.certificate, 'Certificate');
  const list = r.vec24('certificate_list');
  const certificateList: CertificateEntry[] = [];
  while (!list.atEnd()) {
    list.index = certificateList.length;
    // cert_data, as TLS 1.3 names it, so the panel's spans read the same in both versions
    certificateList.push({ data: list.opaque24('cert_data', 1), extensions: [], ext: {} });
  }
  r.end();
  return { type: 'certificate', form: 'tls12', certificateRequestContext: EMPTY, certificateList, raw };
}

// --- ServerKeyExchange, RFC 5246 Section 7.4.3 and RFC 8422 Section 5.4 --------------------------------------------

/** The encoded ServerECDHParams / ServerDHParams: what a server signs (after the two randoms) before it can build the message. */
export function encodeServerKeyExchangeParams(p: ServerKeyExchangeParams): Uint8Array {
  const w = new Writer(p.keyExchange === 'ECDHE' ? p.point.length + 8 : p.dhP.length + p.dhG.length + p.dhYs.length + 8);
  writeParams(w, p);
  return w.finish();
}

function writeParams(w: Writer, p: ServerKeyExchangeParams): void {
  if (p.keyExchange === 'ECDHE') {
    w.u8(ECCurveType.named_curve, 'curve_type').u16(p.namedCurve, 'namedcurve').opaque8(p.point, 'public');
  } else {
    w.opaque16(p.dhP, 'dh_p').opaque16(p.dhG, 'dh_g').opaque16(p.dhYs, 'dh_Ys');
  }
}

/** client_random + server_random + params: the bytes signed_params signs (RFC 5246, Section 7.4.3). */
export function serverKeyExchangeSignedContent(clientRandom: Uint8Array, serverRandom: Uint8Array, params: Uint8Array): Uint8Array {
  if (clientRandom.length !== 32 || serverRandom.length !== 32) throw new EncodeError('signed_params', 'client_random and server_random must be 32 bytes each');
  const out = new Uint8Array(64 + params.length);
  out.set(clientRandom);
  out.set(serverRandom, 32);
  out.set(params, 64);
  return out;
}

export function encodeServerKeyExchange(m: ServerKeyExchangeInit): Uint8Array {
  return message(HandshakeType.server_key_exchange, (w) => {
    writeParams(w, m);
    writeSigned(w, m);
  }, 640);
}

/**
 * The params and signature of an ECDHE or DHE ServerKeyExchange. RSA key exchange has none (RFC 5246,
 * Section 7.4.3: "It is not legal to send the ServerKeyExchange message" for it): unexpected_message.
 */
export function decodeServerKeyExchange(raw: Uint8Array, ctx: KeyExchangeContext): ServerKeyExchange {
  const r = body(raw, HandshakeType.server_key_exchange, 'ServerKeyExchange');
  if (ctx.keyExchange !== 'ECDHE' && ctx.keyExchange !== 'DHE') {
    fail('ServerKeyExchange.msg_type', `not sent with ${ctx.keyExchange} key exchange (RFC 5246, Section 7.4.3)`, 'unexpected_message');
  }
  const start = r.pos;
  const p = structReader(r, 'params');
  if (ctx.keyExchange === 'ECDHE') {
    const at = p.pos;
    const curveType = p.u8('curve_params.curve_type');
    if (curveType !== ECCurveType.named_curve) {
      const what = curveType === ECCurveType.explicit_prime ? 'explicit_prime' : curveType === ECCurveType.explicit_char2 ? 'explicit_char2' : `unknown (${curveType})`;
      // RFC 8422, Section 5.4: named_curve "is now the only remaining format"; OpenSSL and BoringSSL refuse the rest too.
      p.fail('curve_params.curve_type', `curve type ${what} is not named_curve (RFC 8422, Section 5.4)`, 'illegal_parameter', at);
    }
    const namedCurve = p.u16('curve_params.namedcurve');
    const point = p.opaque8('public', 1);
    r.pos = p.pos;
    const params = raw.subarray(start, r.pos);
    const s = structReader(r, 'signed_params');
    const signed = readSigned(s, ctx.protocolVersion);
    r.pos = s.pos;
    r.end();
    return { type: 'server_key_exchange', keyExchange: 'ECDHE', namedCurve, point, ...signed, params, raw };
  }
  const dhP = p.opaque16('dh_p', 1);
  const dhG = p.opaque16('dh_g', 1);
  const dhYs = p.opaque16('dh_Ys', 1);
  r.pos = p.pos;
  const params = raw.subarray(start, r.pos);
  const s = structReader(r, 'signed_params');
  const signed = readSigned(s, ctx.protocolVersion);
  r.pos = s.pos;
  r.end();
  return { type: 'server_key_exchange', keyExchange: 'DHE', dhP, dhG, dhYs, ...signed, params, raw };
}

// --- CertificateRequest (TLS 1.2 family), RFC 5246 Section 7.4.4 --------------------------------------------------

export function encodeCertificateRequest12(m: CertificateRequest12Init): Uint8Array {
  return message(HandshakeType.certificate_request, (w) => {
    w.u8Prefixed((w) => m.certificateTypes.forEach((t) => w.u8(t, 'certificate_types')), 'certificate_types');
    if (m.supportedSignatureAlgorithms) {
      w.u16Prefixed((w) => m.supportedSignatureAlgorithms!.forEach((a) => w.u16(a, 'supported_signature_algorithms')), 'supported_signature_algorithms');
    }
    w.u16Prefixed((w) => m.certificateAuthorities.forEach((n) => w.opaque16(n, 'DistinguishedName')), 'certificate_authorities');
  }, 256);
}

/**
 * supported_signature_algorithms is read only for TLS 1.2 (`protocolVersion`, default TLS 1.2).
 * certificate_authorities may be empty in every version: RFC 2246 and RFC 6101 wrote <3..2^16-1>, RFC 4346
 * relaxed it to <0..2^16-1>, and TLS 1.0 servers (OpenSSL among them) send an empty list.
 */
export function decodeCertificateRequest12(raw: Uint8Array, protocolVersion = TLS12): CertificateRequest12 {
  const r = body(raw, HandshakeType.certificate_request, 'CertificateRequest');
  const certificateTypes = r.u8List('certificate_types', 1);
  const supportedSignatureAlgorithms = hasSignatureAlgorithms(protocolVersion) ? r.u16List('supported_signature_algorithms', 2, 0xfffe) : undefined;
  const list = r.vec16('certificate_authorities');
  const certificateAuthorities: Uint8Array[] = [];
  while (!list.atEnd()) {
    list.index = certificateAuthorities.length;
    certificateAuthorities.push(list.opaque16('DistinguishedName', 1));
  }
  r.end();
  return supportedSignatureAlgorithms
    ? { type: 'certificate_request12', certificateTypes, supportedSignatureAlgorithms, certificateAuthorities, raw }
    : { type: 'certificate_request12', certificateTypes, certificateAuthorities, raw };
}

// --- ClientKeyExchange, RFC 5246 Section 7.4.7 and RFC 8422 Section 5.7 --------------------------------------------

export function encodeClientKeyExchange(m: ClientKeyExchangeInit): Uint8Array {
  return message(HandshakeType.client_key_exchange, (w) => {
    switch (m.keyExchange) {
      case 'ECDHE': w.opaque8(m.point, 'ecdh_Yc'); break;
      case 'DHE': w.opaque16(m.dhYc, 'dh_Yc'); break;
      case 'RSA':
        if (m.ssl3) {
          if (m.encryptedPreMasterSecret.length === 0) throw new EncodeError('ClientKeyExchange.encrypted_pre_master_secret', 'must not be empty');
          w.bytes(m.encryptedPreMasterSecret);
        } else {
          w.opaque16(m.encryptedPreMasterSecret, 'encrypted_pre_master_secret');
        }
        break;
    }
  }, 300);
}

/**
 * Only the explicit public-value encodings: ECDHE and DHE always send the key (the implicit, empty form is
 * for fixed-(EC)DH client certificates, which this engine does not offer).
 */
export function decodeClientKeyExchange(raw: Uint8Array, ctx: KeyExchangeContext): ClientKeyExchange {
  const r = body(raw, HandshakeType.client_key_exchange, 'ClientKeyExchange');
  switch (ctx.keyExchange) {
    case 'ECDHE': {
      const point = r.opaque8('ecdh_Yc', 1);
      r.end();
      return { type: 'client_key_exchange', keyExchange: 'ECDHE', point, raw };
    }
    case 'DHE': {
      const dhYc = r.opaque16('dh_Yc', 1);
      r.end();
      return { type: 'client_key_exchange', keyExchange: 'DHE', dhYc, raw };
    }
    case 'RSA': {
      // RFC 5246, Section 7.4.7.1: TLS writes the opaque<0..2^16-1> length; SSL 3.0 writes the bytes bare
      // (RFC 6101, Section 5.6.7.1), so there the body is the ciphertext.
      const ssl3 = ctx.protocolVersion === SSL30;
      if (ssl3 && r.atEnd()) r.fail('encrypted_pre_master_secret', 'must not be empty');
      const encryptedPreMasterSecret = ssl3 ? r.rest('encrypted_pre_master_secret') : r.opaque16('encrypted_pre_master_secret');
      r.end();
      return { type: 'client_key_exchange', keyExchange: 'RSA', encryptedPreMasterSecret, ssl3, raw };
    }
  }
}

// --- CertificateVerify (TLS 1.2 family), RFC 5246 Section 7.4.8 ---------------------------------------------------

export function encodeCertificateVerify12(m: CertificateVerify12Init): Uint8Array {
  return message(HandshakeType.certificate_verify, (w) => writeSigned(w, m), m.signature.length + 16);
}

/** algorithm is read only for TLS 1.2 (`protocolVersion`, default TLS 1.2). */
export function decodeCertificateVerify12(raw: Uint8Array, protocolVersion = TLS12): CertificateVerify12 {
  const r = body(raw, HandshakeType.certificate_verify, 'CertificateVerify');
  const signed = readSigned(r, protocolVersion);
  r.end();
  return { type: 'certificate_verify12', ...signed, raw };
}

// --- NewSessionTicket (RFC 5077 form), RFC 5077 Section 3.3 -------------------------------------------------------

export function encodeNewSessionTicket12(m: NewSessionTicket12Init): Uint8Array {
  return message(HandshakeType.new_session_ticket, (w) => {
    w.u32(m.ticketLifetimeHint, 'ticket_lifetime_hint').opaque16(m.ticket, 'ticket');
  }, m.ticket.length + 16);
}

export function decodeNewSessionTicket12(raw: Uint8Array): NewSessionTicket12 {
  const r = body(raw, HandshakeType.new_session_ticket, 'NewSessionTicket');
  const ticketLifetimeHint = r.u32('ticket_lifetime_hint');
  const ticket = r.opaque16('ticket'); // opaque ticket<0..2^16-1>: empty withdraws the promised ticket
  r.end();
  return { type: 'new_session_ticket12', ticketLifetimeHint, ticket, raw };
}

// --- CertificateStatus, RFC 6066 Section 8 ------------------------------------------------------------------------

export function encodeCertificateStatus(m: CertificateStatusMessageInit): Uint8Array {
  return message(HandshakeType.certificate_status, (w) => {
    w.u8(m.statusType ?? 1, 'status_type').opaque24(m.ocspResponse, 'ocsp_response');
  }, m.ocspResponse.length + 16);
}

/** Only ocsp(1) has a defined body (RFC 6066); any other status_type cannot be read, hence decode_error. */
export function decodeCertificateStatus(raw: Uint8Array): CertificateStatusMessage {
  const r = body(raw, HandshakeType.certificate_status, 'CertificateStatus');
  const at = r.pos;
  const statusType = r.u8('status_type');
  if (statusType !== 1) r.fail('status_type', `unknown CertificateStatusType ${statusType} (RFC 6066, Section 8 defines ocsp(1))`, 'decode_error', at);
  const ocspResponse = r.opaque24('ocsp_response', 1);
  r.end();
  return { type: 'certificate_status', statusType, ocspResponse, raw };
}

// --- dispatch (used by handshake.ts) ------------------------------------------------------------------------------

/** Encodes a message of this module; handshake.ts's encodeHandshake sends the TLS 1.2-only types here. */
export function encodeHandshake12(m: Handshake12Init): Uint8Array {
  switch (m.type) {
    case 'hello_request': return encodeHelloRequest(m);
    case 'server_hello_done': return encodeServerHelloDone(m);
    case 'server_key_exchange': return encodeServerKeyExchange(m);
    case 'client_key_exchange': return encodeClientKeyExchange(m);
    case 'certificate_request12': return encodeCertificateRequest12(m);
    case 'certificate_verify12': return encodeCertificateVerify12(m);
    case 'new_session_ticket12': return encodeNewSessionTicket12(m);
    case 'certificate_status': return encodeCertificateStatus(m);
  }
}

export interface Decode12Options {
  keyExchange?: KeyExchange12;
  protocolVersion?: number;
}

/**
 * Decodes a message whose TLS 1.2-family shape this module owns, or returns undefined for a type it does not
 * (the hellos, Finished, unmodelled types: handshake.ts handles those). ServerKeyExchange and ClientKeyExchange
 * also return undefined without both `keyExchange` and `protocolVersion`: their shape cannot be guessed.
 * CertificateRequest and CertificateVerify without `protocolVersion` are read as TLS 1.2.
 */
export function decodeHandshake12(raw: Uint8Array, msgType: number, opts: Decode12Options): Handshake12 | Certificate | undefined {
  const pv = opts.protocolVersion;
  switch (msgType) {
    case HandshakeType.hello_request: return decodeHelloRequest(raw);
    case HandshakeType.new_session_ticket: return decodeNewSessionTicket12(raw);
    case HandshakeType.certificate: return decodeCertificate12(raw);
    case HandshakeType.server_key_exchange:
      return opts.keyExchange && pv !== undefined ? decodeServerKeyExchange(raw, { keyExchange: opts.keyExchange, protocolVersion: pv }) : undefined;
    case HandshakeType.certificate_request: return decodeCertificateRequest12(raw, pv ?? TLS12);
    case HandshakeType.server_hello_done: return decodeServerHelloDone(raw);
    case HandshakeType.certificate_verify: return decodeCertificateVerify12(raw, pv ?? TLS12);
    case HandshakeType.client_key_exchange:
      return opts.keyExchange && pv !== undefined ? decodeClientKeyExchange(raw, { keyExchange: opts.keyExchange, protocolVersion: pv }) : undefined;
    case HandshakeType.certificate_status: return decodeCertificateStatus(raw);
    default: return undefined;
  }
}
