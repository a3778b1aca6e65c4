// ClientHelloInner on the wire and back (RFC 9849 sections 5.1 and 5.2): the client encodes it (empty
// legacy_session_id, extensions it shares with ClientHelloOuter replaced by one ech_outer_extensions, padding as
// section 6.1.3 recommends); the server decodes it, copies legacy_session_id from ClientHelloOuter and expands the
// referenced extensions, refusing what section 5.1 forbids with illegal_parameter. ClientHelloOuterAAD is the
// outer ClientHello (no handshake header) with the payload zeroed.
import { ProtocolError } from '../conn/errors';
import { decodeClientHello, encodeClientHello, type ClientHello } from '../msgs/handshake';
import { decodeEncodedClientHelloInner, encodeOuterExtensions, readOuterExtensions } from '../msgs/ech';
import type { Extension } from '../msgs/extensions';
import { Reader } from '../msgs/reader';
import { ExtensionType, extensionName } from '../registry/extensions';

const EMPTY = new Uint8Array(0);

/**
 * EncodedClientHelloInner for `inner` (section 5.1), with the extensions of `compress` (consecutive in `inner`,
 * section 6.1 rule 3) replaced by ech_outer_extensions, padded as section 6.1.3 recommends: the server_name up to
 * maximum_name_length (L + 9 bytes when there is none), then the whole to a multiple of 32 bytes.
 */
export function encodeClientHelloInner(inner: ClientHello, compress: readonly number[], maximumNameLength: number): Uint8Array {
  const extensions: Extension[] = [];
  let placed = false;
  for (const e of inner.extensions) {
    if (!compress.includes(e.type)) {
      extensions.push(e);
      continue;
    }
    if (!placed) extensions.push({ type: ExtensionType.ech_outer_extensions, data: encodeOuterExtensions(compress) });
    placed = true;
  }
  const body = encodeClientHello({ ...inner, legacySessionId: EMPTY, extensions }).subarray(4);
  const sni = inner.ext.serverName?.[0];
  let padding = sni !== undefined ? Math.max(0, maximumNameLength - sni.length) : maximumNameLength + 9;
  padding += 31 - ((body.length + padding - 1) % 32);
  const out = new Uint8Array(body.length + padding);
  out.set(body);
  return out;
}

/** The extensions of `inner` to compress: the run of consecutive ones that `outer` carries byte for byte. */
export function compressibleRun(inner: readonly Extension[], shared: readonly Extension[]): number[] {
  const same = (e: Extension) => shared.some((o) => o.type === e.type && o.data.length === e.data.length && o.data.every((b, i) => b === e.data[i]));
  const start = inner.findIndex(same);
  if (start < 0) return [];
  const run: number[] = [];
  for (let i = start; i < inner.length && same(inner[i]!); i++) run.push(inner[i]!.type);
  // OuterExtensions<2..254>: one extension is still two bytes, but at least one type must be there.
  return run;
}

/** ClientHelloOuterAAD (section 5.2): the outer ClientHello without its handshake header, payload zeroed. */
export function clientHelloOuterAad(outer: ClientHello): Uint8Array {
  const e = outer.extensions.find((x) => x.type === ExtensionType.encrypted_client_hello);
  const payload = outer.ext.encryptedClientHello;
  if (!e || !payload || payload.type !== 'outer' || e.data.buffer !== outer.raw.buffer) throw new Error('clientHelloOuterAad: no outer encrypted_client_hello in this ClientHello');
  const out = outer.raw.slice(4);
  // The payload is the extension body's last bytes.
  const end = e.data.byteOffset - outer.raw.byteOffset + e.data.length - 4;
  out.fill(0, end - payload.payload.length, end);
  return out;
}

/**
 * ClientHelloInner from a decrypted EncodedClientHelloInner and the ClientHelloOuter it came in (section 5.1):
 * legacy_session_id copied from the outer hello, ech_outer_extensions expanded in linear time (one pass over the
 * outer extensions, as appendix A suggests). Referenced extensions missing from the outer hello, referenced twice,
 * out of order, or encrypted_client_hello itself: illegal_parameter. The result is decoded as any ClientHello is.
 */
export function decodeClientHelloInner(plaintext: Uint8Array, outer: ClientHello): ClientHello {
  const enc = decodeEncodedClientHelloInner(plaintext);
  if (enc.legacySessionId.length)
    throw new ProtocolError('illegal_parameter', 'EncodedClientHelloInner carries a legacy_session_id; it must be empty (RFC 9849 section 5.1)', { message: 'ClientHelloInner', field: 'legacy_session_id' });
  const extensions: Extension[] = [];
  let cursor = 0;
  let expanded = false;
  for (const e of enc.extensions) {
    if (e.type !== ExtensionType.ech_outer_extensions) {
      extensions.push(e);
      continue;
    }
    if (expanded) throw new ProtocolError('illegal_parameter', 'two ech_outer_extensions in EncodedClientHelloInner', { message: 'ClientHelloInner', field: 'ech_outer_extensions' });
    expanded = true;
    const r = new Reader(e.data, 'ech_outer_extensions');
    const types = readOuterExtensions(r);
    r.end();
    const seen = new Set<number>();
    for (const t of types) {
      const bad = (why: string) => new ProtocolError('illegal_parameter', `ech_outer_extensions references ${extensionName(t)}: ${why} (RFC 9849 section 5.1)`, { message: 'ClientHelloInner', field: 'ech_outer_extensions' });
      if (t === ExtensionType.encrypted_client_hello) throw bad('encrypted_client_hello may not be referenced');
      if (seen.has(t)) throw bad('referenced twice');
      seen.add(t);
      while (cursor < outer.extensions.length && outer.extensions[cursor]!.type !== t) cursor++;
      if (cursor >= outer.extensions.length) throw bad(outer.extensions.some((o) => o.type === t) ? 'the outer ClientHello has it in a different order' : 'the outer ClientHello does not have it');
      extensions.push(outer.extensions[cursor++]!);
    }
  }
  const raw = encodeClientHello({ type: 'client_hello', legacyVersion: enc.legacyVersion, random: enc.random, legacySessionId: outer.legacySessionId, cipherSuites: enc.cipherSuites, legacyCompressionMethods: enc.legacyCompressionMethods, extensions });
  // Named ClientHello in errors, as the message the handshake goes on with.
  return decodeClientHello(raw);
}
