// Bytes a hostile peer puts on the wire: records, handshake messages, alerts, hellos built with the engine's own
// encoders (so they look right up to the one field that is wrong), and readers for what the victim sends back.
import { encodeAlert } from '../../../engine/msgs/alert';
import { ext, type Extension } from '../../../engine/msgs/extensions';
import { decodeHandshake, encodeClientHello, encodeServerHello, HandshakeReader, type ClientHello } from '../../../engine/msgs/handshake';
import { RecordFramer, type RecordIn } from '../../../engine/record/framer';
import { NamedGroup } from '../../../engine/registry/groups';
import { SignatureScheme } from '../../../engine/registry/sigschemes';
import { concatBytes } from '../../../engine/util/hex';

export const CT = { ccs: 20, alert: 21, handshake: 22, appData: 23, heartbeat: 24 } as const;
export const HS = { hello_request: 0, client_hello: 1, server_hello: 2, new_session_ticket: 4, encrypted_extensions: 8, certificate: 11, server_key_exchange: 12, certificate_verify: 15, finished: 20, key_update: 24 } as const;
export const TLS12 = 0x0303;
export const TLS13 = 0x0304;
/** The TLS 1.3 suites, and the TLS 1.2 one our ECDSA fixtures serve. */
export const TLS_AES_128_GCM_SHA256 = 0x1301;
export const ECDHE_ECDSA_AES128_GCM_SHA256 = 0xc02b;

export const cat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

export const u8 = (n: number) => Uint8Array.of(n & 0xff);
export const u16 = (n: number) => Uint8Array.of((n >> 8) & 0xff, n & 0xff);
export const u24 = (n: number) => Uint8Array.of((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
export const ascii = (s: string) => new TextEncoder().encode(s);

/** A TLSPlaintext record (RFC 8446 section 5.1); `length` may lie about the body. */
export function record(type: number, body: Uint8Array, version = TLS12, length = body.length): Uint8Array {
  return cat(u8(type), u16(version), u16(length), body);
}

/** A Handshake message (RFC 8446 section 4); `length` may lie about the body. */
export function handshake(type: number, body: Uint8Array, length = body.length): Uint8Array {
  return cat(u8(type), u24(length), body);
}

export function alertRecord(level: 'warning' | 'fatal', description: number, version = TLS12): Uint8Array {
  return record(CT.alert, encodeAlert({ level, description }), version);
}

/** `count` copies of `unit`, as one buffer (one socket write). */
export function repeat(unit: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(unit.length * count);
  for (let i = 0; i < count; i++) out.set(unit, i * unit.length);
  return out;
}

/** A handshake byte stream cut into records of `size` bytes of body each (a peer that fragments on purpose). */
export function fragmentIntoRecords(type: number, body: Uint8Array, size: number, version = TLS12): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let off = 0; off < body.length; off += size) parts.push(record(type, body.subarray(off, Math.min(body.length, off + size)), version));
  return cat(...parts);
}

/** mulberry32: reproducible garbage, so a failing case can be replayed. */
export function seededBytes(seed: number, n: number): Uint8Array {
  let a = seed >>> 0;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return out;
}

/** An SSL 2.0 SERVER-HELLO (draft-hickman-netscape-ssl-00 section C): two-byte header with the top bit set. */
export function ssl2ServerHello(): Uint8Array {
  const body = cat(u8(4), u8(0), u8(1), u16(0x0002), u16(16), u16(3), u16(16), seededBytes(2, 16), Uint8Array.of(0x01, 0x00, 0x80), seededBytes(3, 16));
  return cat(u16(0x8000 | body.length), body);
}

/** An SSL 2.0-format CLIENT-HELLO offering TLS 1.0 (RFC 5246 appendix E.2), as very old clients sent. */
export function ssl2ClientHello(): Uint8Array {
  const specs = Uint8Array.of(0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, 0x01, 0x00, 0x80);
  const body = cat(u8(1), u16(0x0301), u16(specs.length), u16(0), u16(16), specs, seededBytes(4, 16));
  return cat(u16(0x8000 | body.length), body);
}

// ---- hellos -------------------------------------------------------------------------------------------------

/** A fresh random for a hello. */
export const random32 = () => globalThis.crypto.getRandomValues(new Uint8Array(32));

/** A well-formed x25519 public value (any 32 bytes but the low-order points are one). */
export const x25519Share = () => globalThis.crypto.getRandomValues(new Uint8Array(32));

/** n extensions of distinct unassigned types (none the engine knows), each with a small body. */
export function unknownExtensions(n: number, bodyLength = 0): Extension[] {
  return Array.from({ length: n }, (_, i) => ext.raw(0xa000 + i, new Uint8Array(bodyLength)));
}

export interface ClientHelloParts {
  legacyVersion?: number;
  sessionId?: Uint8Array;
  cipherSuites?: number[];
  compression?: number[];
  extensions?: Extension[];
}

/** The extensions of an ordinary TLS 1.3 ClientHello (x25519 share, ECDSA/EdDSA/PSS signatures). */
export function tls13ClientExtensions(over: { versions?: number[]; groups?: number[]; share?: Extension | null } = {}): Extension[] {
  return [
    ext.serverName(['localhost']),
    ext.supportedGroups(over.groups ?? [NamedGroup.x25519, NamedGroup.secp256r1]),
    ext.signatureAlgorithms([SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.ed25519, SignatureScheme.rsa_pss_rsae_sha256]),
    ext.supportedVersionsClient(over.versions ?? [TLS13]),
    ...(over.share === null ? [] : [over.share ?? ext.keyShareClient([{ group: NamedGroup.x25519, keyExchange: x25519Share() }])]),
  ];
}

/** A ClientHello message (handshake header included) from the engine's encoder, every part overridable. */
export function clientHello(p: ClientHelloParts = {}): Uint8Array {
  return encodeClientHello({
    type: 'client_hello', random: random32(), legacyVersion: p.legacyVersion ?? TLS12, legacySessionId: p.sessionId ?? new Uint8Array(32),
    cipherSuites: p.cipherSuites ?? [TLS_AES_128_GCM_SHA256], legacyCompressionMethods: p.compression ?? [0],
    extensions: p.extensions ?? tls13ClientExtensions(),
  });
}

/** The same, as one handshake record (the first ClientHello record may say 0x0301, RFC 8446 section 5.1). */
export function clientHelloRecord(p: ClientHelloParts = {}): Uint8Array {
  return record(CT.handshake, clientHello(p), 0x0301);
}

export interface ServerHelloParts {
  legacyVersion?: number;
  random?: Uint8Array;
  cipherSuite?: number;
  extensions?: Extension[];
}

/** A ServerHello answering `ch` (its session id echoed), TLS 1.3 by default with an x25519 share. */
export function serverHelloFor(ch: ClientHello, p: ServerHelloParts = {}): Uint8Array {
  return encodeServerHello({
    type: 'server_hello', legacyVersion: p.legacyVersion ?? TLS12, random: p.random ?? random32(), legacySessionIdEcho: ch.legacySessionId,
    cipherSuite: p.cipherSuite ?? TLS_AES_128_GCM_SHA256,
    extensions: p.extensions ?? [ext.supportedVersionsServer(TLS13), ext.keyShareServer({ group: NamedGroup.x25519, keyExchange: x25519Share() })],
  });
}

// ---- reading what the victim sends ----------------------------------------------------------------------------

/**
 * Plaintext records and handshake messages from a byte stream, with the engine's own framer and reassembler
 * (they are what is under test elsewhere; here they only read a well-behaved victim's first flight).
 */
export class StreamReader {
  private readonly framer = new RecordFramer((1 << 14) + 2048);
  private readonly hs = new HandshakeReader({ maxMessageSize: 1 << 20, maxCertificateSize: 1 << 20 });
  readonly records: RecordIn[] = [];
  readonly messages: Uint8Array[] = [];

  push(bytes: Uint8Array): void {
    this.framer.push(bytes);
    for (let r = this.framer.next(); r; r = this.framer.next()) {
      this.records.push(r);
      if (r.type === CT.handshake) this.messages.push(...this.hs.feed(r.fragment));
    }
  }

  /** The first ClientHello, decoded, once it has arrived. */
  clientHello(): ClientHello | undefined {
    const raw = this.messages.find((m) => m[0] === HS.client_hello);
    return raw ? (decodeHandshake(raw) as ClientHello) : undefined;
  }
}
