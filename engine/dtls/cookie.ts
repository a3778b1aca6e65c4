// The stateless cookie exchange of RFC 6347 section 4.2.1 (RFC 4347 section 4.2.1 for DTLS 1.0):
//   - HelloCookies: cookies as HMAC-SHA256(secret, client address, port, ClientHello parameters), made and checked
//     without per-client state; the secret rotates and the previous one still verifies, so a client caught by a
//     rotation between its two ClientHellos gets through ("simply to try verifying with both secrets");
//   - the HelloVerifyRequest codec (server_version, cookie<0..2^8-1>);
//   - the DTLS ClientHello, which has cookie<0..2^8-1> after session_id: coded by composition with engine/msgs'
//     TLS ClientHello (the cookie is spliced in or out, the rest is the TLS codec's work).
// Messages here use engine/msgs' convention: whole messages with the 4-byte TLS header (msg_type, length); see
// toTlsForm/fromTlsForm in handshake-fragment.ts for the DTLS 12-byte form.
import type { CryptoProvider } from '../crypto/provider';
import { decodeClientHello, encodeClientHello, type ClientHello, type ClientHelloInit } from '../msgs/handshake';
import { DecodeError, MissingData, Reader, TrailingData } from '../msgs/reader';
import { EncodeError, Writer } from '../msgs/writer';
import { HandshakeType } from '../registry/handshake-types';
import { DTLS10, DTLS12 } from './record';

/** Cookie size limits: 255 bytes in DTLS 1.2 (RFC 6347 section 4.2.1), 32 in DTLS 1.0 (RFC 4347 section 4.2.1). */
export const MAX_COOKIE_DTLS12 = 255;
export const MAX_COOKIE_DTLS10 = 32;

// --- HelloVerifyRequest -------------------------------------------------------------------------------------------------

export interface HelloVerifyRequestInit {
  type: 'hello_verify_request';
  /** Default DTLS 1.0 (0xfeff): "DTLS 1.2 server implementations SHOULD use DTLS version 1.0" (section 4.2.1), as OpenSSL does. */
  serverVersion?: number;
  cookie: Uint8Array;
}

export interface HelloVerifyRequest extends HelloVerifyRequestInit {
  serverVersion: number;
  /** The message as received, 4-byte TLS header included. */
  raw: Uint8Array;
}

export function encodeHelloVerifyRequest(m: HelloVerifyRequestInit): Uint8Array {
  const w = new Writer(8 + m.cookie.length);
  w.u8(HandshakeType.hello_verify_request, 'msg_type');
  w.u24Prefixed((w) => {
    w.u16(m.serverVersion ?? DTLS10, 'HelloVerifyRequest.server_version');
    w.opaque8(m.cookie, 'HelloVerifyRequest.cookie');
  }, 'HelloVerifyRequest');
  return w.finish();
}

/** Reads the 4-byte header of a whole message of type `expected` and returns a reader over its body. */
function openBody(raw: Uint8Array, expected: number, label: string): Reader {
  const h = new Reader(raw, label);
  const msgType = h.u8('msg_type');
  if (msgType !== expected) h.fail('msg_type', `expected ${label} (${expected}), got ${msgType}`, 'unexpected_message', 0);
  const len = h.u24('length');
  if (len > h.remaining) throw new MissingData(`${label}.length`, `says ${len} bytes but ${h.remaining} follow`, 1);
  if (len < h.remaining) throw new TrailingData(`${label}.length`, `says ${len} bytes but ${h.remaining} follow`, 1);
  return new Reader(raw, label, 4, raw.length);
}

/** `maxCookieLength`: 255 (DTLS 1.2, the default) or MAX_COOKIE_DTLS10 for a DTLS 1.0-only client. */
export function decodeHelloVerifyRequest(raw: Uint8Array, opts: { maxCookieLength?: number } = {}): HelloVerifyRequest {
  const r = openBody(raw, HandshakeType.hello_verify_request, 'HelloVerifyRequest');
  const serverVersion = r.u16('server_version');
  const cookie = r.opaque8('cookie', 0, opts.maxCookieLength ?? MAX_COOKIE_DTLS12);
  r.end();
  return { type: 'hello_verify_request', serverVersion, cookie, raw };
}

// --- the DTLS ClientHello -------------------------------------------------------------------------------------------------

export interface DtlsClientHelloInit extends ClientHelloInit {
  /** Empty in the first ClientHello (section 4.2.1); the HelloVerifyRequest's cookie in the second. */
  cookie?: Uint8Array;
}

export interface DtlsClientHello extends ClientHello {
  cookie: Uint8Array;
  /** The DTLS ClientHello as received (4-byte TLS header, cookie included); transcriptBytes() takes its body. */
  raw: Uint8Array;
  /** The same ClientHello without its cookie field, as the TLS codec read it. */
  tlsRaw: Uint8Array;
}

/** Offset of the cookie field in a whole ClientHello (4-byte header): after version, random and session_id. */
function cookieOffset(raw: Uint8Array): number {
  const sidAt = 4 + 2 + 32;
  return sidAt + 1 + raw[sidAt]!;
}

/**
 * A DTLS ClientHello (4-byte TLS header) from `m`: engine/msgs' ClientHello with `cookie` spliced in after
 * session_id. legacyVersion defaults to DTLS 1.2 (0xfefd).
 */
export function encodeDtlsClientHello(m: DtlsClientHelloInit): Uint8Array {
  const cookie = m.cookie ?? new Uint8Array(0);
  if (cookie.length > MAX_COOKIE_DTLS12) throw new EncodeError('ClientHello.cookie', `${cookie.length} bytes do not fit cookie<0..2^8-1>`);
  const tls = encodeClientHello({ ...m, legacyVersion: m.legacyVersion ?? DTLS12 });
  const at = cookieOffset(tls);
  const bodyLen = tls.length - 4 + 1 + cookie.length;
  if (bodyLen > 0xffffff) throw new EncodeError('ClientHello', `${bodyLen} bytes do not fit a 24-bit length`);
  const out = new Uint8Array(tls.length + 1 + cookie.length);
  out.set(tls.subarray(0, at));
  out[at] = cookie.length;
  out.set(cookie, at + 1);
  out.set(tls.subarray(at), at + 1 + cookie.length);
  out[1] = bodyLen >>> 16;
  out[2] = bodyLen >>> 8;
  out[3] = bodyLen;
  return out;
}

/**
 * Decodes a DTLS ClientHello (4-byte TLS header): reads up to the cookie here, then has engine/msgs decode the rest as
 * a TLS ClientHello without the cookie. Errors are DecodeErrors whose offsets are in `raw`. `maxCookieLength`: 255
 * (default) or MAX_COOKIE_DTLS10.
 */
export function decodeDtlsClientHello(raw: Uint8Array, opts: { maxCookieLength?: number } = {}): DtlsClientHello {
  const r = openBody(raw, HandshakeType.client_hello, 'ClientHello');
  r.u16('legacy_version');
  r.bytes(32, 'random');
  r.opaque8('legacy_session_id', 0, 32);
  const at = r.pos;
  const cookie = r.opaque8('cookie', 0, opts.maxCookieLength ?? MAX_COOKIE_DTLS12);
  const cut = 1 + cookie.length;
  const tlsRaw = new Uint8Array(raw.length - cut);
  tlsRaw.set(raw.subarray(0, at));
  tlsRaw.set(raw.subarray(at + cut), at);
  const bodyLen = tlsRaw.length - 4;
  tlsRaw[1] = bodyLen >>> 16;
  tlsRaw[2] = bodyLen >>> 8;
  tlsRaw[3] = bodyLen;
  let ch: ClientHello;
  try {
    ch = decodeClientHello(tlsRaw);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    // Report the place in the DTLS bytes: past the cookie, offsets move by the cookie field's size.
    const offset = e.offset >= at ? e.offset + cut : e.offset;
    const Ctor = e instanceof MissingData ? MissingData : e instanceof TrailingData ? TrailingData : null;
    throw Ctor ? new Ctor(e.field, e.detail, offset) : new DecodeError(e.field, e.detail, offset, e.alert);
  }
  return { ...ch, cookie, raw, tlsRaw };
}

// --- cookies --------------------------------------------------------------------------------------------------------------

/** Where the ClientHello came from: the UDP source address (as the socket reports it) and port. */
export interface CookiePeer {
  address: string;
  port: number;
}

export interface HelloCookiesOptions {
  provider: Pick<CryptoProvider, 'hmac' | 'random'>;
  /** The first secret (32 random bytes from the provider when omitted). */
  secret?: Uint8Array;
  /**
   * Also bind the extensions (the whole ClientHello but its cookie). Off by default: section 4.2.1 has the client
   * keep only version, random, session_id, cipher_suites and compression_methods, and an extension may legitimately
   * change (e.g. RFC 7685 padding, whose length depends on the hello's).
   */
  bindExtensions?: boolean;
}

export type CookieCheck =
  | { ok: true; secret: 'current' | 'previous' }
  /** `missing`: an empty cookie (a first ClientHello); `mismatch`: made for another peer or hello, or by a retired secret. */
  | { ok: false; reason: 'missing' | 'mismatch' };

/** 1 when equal, without an early exit (the cookie is a MAC). */
function ctEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/**
 * Stateless HelloVerifyRequest cookies (RFC 6347 section 4.2.1: "Cookie = HMAC(Secret, Client-IP,
 * Client-Parameters)"). 32 bytes, so they fit DTLS 1.0's cookie<0..32> as well. `rotate` replaces the secret; the
 * one before still verifies until the next rotation ("a limited window during which it accepts both secrets").
 * A ClientHello whose cookie does not verify should be treated as one without a cookie (same section).
 */
export class HelloCookies {
  private current: Uint8Array;
  private previous: Uint8Array | null = null;
  private readonly p: Pick<CryptoProvider, 'hmac' | 'random'>;
  readonly bindExtensions: boolean;

  constructor(opts: HelloCookiesOptions) {
    this.p = opts.provider;
    this.bindExtensions = opts.bindExtensions ?? false;
    this.current = this.checkSecret(opts.secret ?? this.p.random(32));
  }

  private checkSecret(s: Uint8Array): Uint8Array {
    if (s.length < 16) throw new RangeError(`a cookie secret of ${s.length} bytes is too short (16 at least)`);
    return new Uint8Array(s);
  }

  /** A new current secret (random when omitted); the current one becomes the previous, the previous is forgotten. */
  rotate(secret?: Uint8Array): void {
    const next = this.checkSecret(secret ?? this.p.random(32));
    this.previous = this.current;
    this.current = next;
  }

  /** What the HMAC covers: a label, the peer, then the parameters the client must repeat (or the whole hello). */
  private input(peer: CookiePeer, hello: DtlsClientHello): Uint8Array {
    const w = new Writer(128);
    w.bytes(new TextEncoder().encode('TLS Lens DTLS cookie v1'));
    w.opaque8(new TextEncoder().encode(peer.address.toLowerCase()), 'address');
    w.u16(peer.port, 'port');
    if (this.bindExtensions) {
      w.opaque24(hello.tlsRaw, 'ClientHello');
    } else {
      w.u16(hello.legacyVersion, 'client_version');
      w.bytes(hello.random);
      w.opaque8(hello.legacySessionId, 'session_id');
      w.u16Prefixed((w) => hello.cipherSuites.forEach((s) => w.u16(s)), 'cipher_suites');
      w.u8Prefixed((w) => hello.legacyCompressionMethods.forEach((c) => w.u8(c)), 'compression_methods');
    }
    return w.finish();
  }

  private mac(secret: Uint8Array, peer: CookiePeer, hello: DtlsClientHello): Uint8Array {
    return this.p.hmac('sha256', secret, this.input(peer, hello));
  }

  /** The cookie for a HelloVerifyRequest answering `hello` from `peer` (the hello's own cookie is not covered). */
  cookieFor(peer: CookiePeer, hello: DtlsClientHello): Uint8Array {
    return this.mac(this.current, peer, hello);
  }

  /** Whether `hello.cookie` is one we made for this peer and these parameters, with the current or previous secret. */
  verify(peer: CookiePeer, hello: DtlsClientHello): CookieCheck {
    if (hello.cookie.length === 0) return { ok: false, reason: 'missing' };
    if (ctEqual(hello.cookie, this.mac(this.current, peer, hello))) return { ok: true, secret: 'current' };
    if (this.previous && ctEqual(hello.cookie, this.mac(this.previous, peer, hello))) return { ok: true, secret: 'previous' };
    return { ok: false, reason: 'mismatch' };
  }
}
