// Encrypted Client Hello wire structures (RFC 9849): ECHConfig and ECHConfigList (section 4), the
// encrypted_client_hello extension in its three forms (ClientHello: ECHClientHello, section 5; HelloRetryRequest:
// the 8-byte confirmation; EncryptedExtensions: retry_configs), ech_outer_extensions (section 5.1), and
// EncodedClientHelloInner (section 5.1). Decoders read with the bounds-checked Reader and name the field that
// fails; the alert is decode_error for bad syntax and illegal_parameter where RFC 9849 says so.
import { Reader } from './reader';
import { Writer } from './writer';
import type { Extension } from './extensions';

/** RFC 9849 section 4: the ECHConfig version this implementation speaks (the extension's code point). */
export const ECH_VERSION = 0xfe0d;

export interface HpkeSymmetricCipherSuite {
  kdfId: number;
  aeadId: number;
}

/** ECHConfigContents (RFC 9849 section 4). */
export interface EchConfigContents {
  configId: number;
  kemId: number;
  publicKey: Uint8Array;
  cipherSuites: HpkeSymmetricCipherSuite[];
  maximumNameLength: number;
  publicName: string;
  extensions: Extension[];
}

/** One ECHConfig: its version, its exact bytes (the HPKE info and retry_configs use them), and the contents when the version is ours. */
export interface EchConfig {
  version: number;
  /** The whole ECHConfig, version and length included. */
  raw: Uint8Array;
  contents?: EchConfigContents;
}

function ascii(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

// ECHConfigContents: key_config, maximum_name_length, public_name<1..255>, extensions<0..2^16-1>.
function readContents(r: Reader): EchConfigContents {
  const key = r.sub(r.remaining, 'key_config');
  const configId = key.u8('config_id');
  const kemId = key.u16('kem_id');
  const publicKey = key.opaque16('public_key', 1);
  const at = key.pos;
  const suites = key.vec16('cipher_suites', 4, 0xfffc);
  if (suites.remaining % 4) key.fail('cipher_suites', `length ${suites.remaining} is not a multiple of 4`, 'decode_error', at);
  const cipherSuites: HpkeSymmetricCipherSuite[] = [];
  while (!suites.atEnd()) {
    suites.index = cipherSuites.length;
    cipherSuites.push({ kdfId: suites.u16('kdf_id'), aeadId: suites.u16('aead_id') });
  }
  // key_config is not length-prefixed: what follows it belongs to the contents.
  r.pos = key.pos;
  const maximumNameLength = r.u8('maximum_name_length');
  const publicName = ascii(r.opaque8('public_name', 1));
  const exts = r.vec16('extensions');
  const extensions: Extension[] = [];
  const seen = new Set<number>();
  while (!exts.atEnd()) {
    exts.index = extensions.length;
    const eat = exts.pos;
    const type = exts.u16('type');
    const data = exts.opaque16('data');
    if (seen.has(type)) exts.fail('type', `extension 0x${type.toString(16).padStart(4, '0')} appears twice (RFC 9849 section 4.2)`, 'decode_error', eat);
    seen.add(type);
    extensions.push({ type, data });
  }
  r.end();
  return { configId, kemId, publicKey, cipherSuites, maximumNameLength, publicName, extensions };
}

/** One ECHConfig from `r`; a version other than 0xfe0d is kept with its bytes and no contents (section 4: clients ignore it). */
export function readEchConfig(r: Reader): EchConfig {
  const start = r.pos;
  const version = r.u16('version');
  const body = r.vec16('contents');
  const raw = r.buf.subarray(start, r.pos);
  if (version !== ECH_VERSION) return { version, raw };
  return { version, raw, contents: readContents(body) };
}

/** ECHConfig ECHConfigList<4..2^16-1> (RFC 9849 section 4). */
export function decodeEchConfigList(bytes: Uint8Array, name = 'ECHConfigList'): EchConfig[] {
  const r = new Reader(bytes, name);
  const list = readConfigList(r);
  r.end();
  return list;
}

function readConfigList(r: Reader): EchConfig[] {
  const v = r.vec16('configs', 4);
  const out: EchConfig[] = [];
  while (!v.atEnd()) {
    v.index = out.length;
    const one = v.sub(v.remaining, 'ECHConfig');
    out.push(readEchConfig(one));
    v.pos = one.pos;
  }
  return out;
}

export function encodeEchConfig(c: EchConfigContents): Uint8Array {
  const w = new Writer(128);
  w.u16(ECH_VERSION, 'version');
  w.u16Prefixed((w) => {
    w.u8(c.configId, 'config_id').u16(c.kemId, 'kem_id').opaque16(c.publicKey, 'public_key');
    w.u16Prefixed((w) => c.cipherSuites.forEach((s) => w.u16(s.kdfId, 'kdf_id').u16(s.aeadId, 'aead_id')), 'cipher_suites');
    w.u8(c.maximumNameLength, 'maximum_name_length');
    w.opaque8(new TextEncoder().encode(c.publicName), 'public_name');
    w.u16Prefixed((w) => c.extensions.forEach((e) => w.u16(e.type, 'type').opaque16(e.data, 'data')), 'extensions');
  }, 'contents');
  return w.finish().slice();
}

/** An ECHConfigList of already-encoded ECHConfigs. */
export function encodeEchConfigList(configs: readonly Uint8Array[]): Uint8Array {
  const w = new Writer(256);
  w.u16Prefixed((w) => configs.forEach((c) => w.bytes(c)), 'ECHConfigList');
  return w.finish().slice();
}

// --- the encrypted_client_hello extension -----------------------------------------------------------------------

/** ECHClientHelloType (RFC 9849 section 5). */
export const EchClientHelloType = { outer: 0, inner: 1 } as const;

export type EchClientHello =
  | { type: 'outer'; cipherSuite: HpkeSymmetricCipherSuite; configId: number; enc: Uint8Array; payload: Uint8Array }
  | { type: 'inner' };

/** The ClientHello form (section 5); an unknown ECHClientHelloType is illegal_parameter (section 7). */
export function readEchClientHello(r: Reader): EchClientHello {
  const at = r.pos;
  const type = r.u8('type');
  if (type === EchClientHelloType.inner) return { type: 'inner' };
  if (type !== EchClientHelloType.outer) r.fail('type', `ECHClientHelloType ${type} is neither outer (0) nor inner (1) (RFC 9849 section 7)`, 'illegal_parameter', at);
  const cipherSuite = { kdfId: r.u16('cipher_suite.kdf_id'), aeadId: r.u16('cipher_suite.aead_id') };
  const configId = r.u8('config_id');
  const enc = r.opaque16('enc');
  const payload = r.opaque16('payload', 1);
  return { type: 'outer', cipherSuite, configId, enc, payload };
}

export function encodeEchClientHello(e: EchClientHello): Uint8Array {
  const w = new Writer(64);
  if (e.type === 'inner') return w.u8(EchClientHelloType.inner).finish().slice();
  w.u8(EchClientHelloType.outer).u16(e.cipherSuite.kdfId, 'kdf_id').u16(e.cipherSuite.aeadId, 'aead_id').u8(e.configId, 'config_id');
  w.opaque16(e.enc, 'enc').opaque16(e.payload, 'payload');
  return w.finish().slice();
}

/** The HelloRetryRequest form: opaque confirmation[8] (section 5); any other length is decode_error (section 6.1.4). */
export function readEchHelloRetryRequest(r: Reader): Uint8Array {
  return r.bytes(8, 'confirmation');
}

/** The EncryptedExtensions form: ECHEncryptedExtensions { ECHConfigList retry_configs; } (section 5). */
export function readEchEncryptedExtensions(r: Reader): { retryConfigs: EchConfig[]; raw: Uint8Array } {
  const start = r.pos;
  const sub = r.sub(r.remaining, 'retry_configs');
  const retryConfigs = readConfigList(sub);
  sub.end();
  return { retryConfigs, raw: r.buf.subarray(start, sub.pos) };
}

// --- ech_outer_extensions and EncodedClientHelloInner (section 5.1) -----------------------------------------------

/** ExtensionType OuterExtensions<2..254>. */
export function readOuterExtensions(r: Reader): number[] {
  return r.u16List8('OuterExtensions', 2, 254);
}

export function encodeOuterExtensions(types: readonly number[]): Uint8Array {
  const w = new Writer(16);
  w.u8Prefixed((w) => types.forEach((t) => w.u16(t, 'OuterExtensions')), 'OuterExtensions');
  return w.finish().slice();
}

/** The ClientHello fields of an EncodedClientHelloInner, its extensions raw (ech_outer_extensions not yet expanded). */
export interface EncodedInner {
  legacyVersion: number;
  random: Uint8Array;
  legacySessionId: Uint8Array;
  cipherSuites: number[];
  legacyCompressionMethods: number[];
  extensions: Extension[];
  /** Bytes of padding after the ClientHello (all zeros, checked). */
  padding: number;
}

/**
 * EncodedClientHelloInner: a ClientHello without its handshake header, then zeros (section 5.1). A non-zero
 * padding byte is illegal_parameter; two extensions of one type are illegal_parameter as in any ClientHello.
 */
export function decodeEncodedClientHelloInner(bytes: Uint8Array): EncodedInner {
  const r = new Reader(bytes, 'EncodedClientHelloInner');
  const legacyVersion = r.u16('client_hello.legacy_version');
  const random = r.bytes(32, 'client_hello.random');
  const legacySessionId = r.opaque8('client_hello.legacy_session_id', 0, 32);
  const cipherSuites = r.u16List('client_hello.cipher_suites', 2, 0xfffe);
  const legacyCompressionMethods = r.u8List('client_hello.legacy_compression_methods', 1);
  const v = r.vec16('client_hello.extensions');
  const extensions: Extension[] = [];
  const seen = new Set<number>();
  while (!v.atEnd()) {
    const at = v.pos;
    const type = v.u16('extension_type');
    const data = v.opaque16('extension_data');
    if (seen.has(type)) v.fail('extension_type', `0x${type.toString(16).padStart(4, '0')} appears twice (RFC 8446 section 4.2)`, 'illegal_parameter', at);
    seen.add(type);
    extensions.push({ type, data });
  }
  const padAt = r.pos;
  const zeros = r.rest('zeros');
  const bad = zeros.findIndex((b) => b !== 0);
  if (bad >= 0) r.fail('zeros', `padding byte ${bad} is 0x${zeros[bad]!.toString(16).padStart(2, '0')}, not zero (RFC 9849 section 5.1)`, 'illegal_parameter', padAt + bad);
  return { legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods, extensions, padding: zeros.length };
}

/** EncodedClientHelloInner: `clientHelloBody` (a ClientHello without its 4-byte header) and `padding` zeros. */
export function encodeEncodedClientHelloInner(clientHelloBody: Uint8Array, padding: number): Uint8Array {
  const out = new Uint8Array(clientHelloBody.length + padding);
  out.set(clientHelloBody);
  return out;
}
