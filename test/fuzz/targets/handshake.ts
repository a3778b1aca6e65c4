// Target `handshake`: one handshake message (4-byte header included) through every decoder engine/msgs
// exports. The decoders are found by name in the modules' exports (`decode*`), so a decoder added later is
// fuzzed without touching this file; the ones that need to know the negotiated version or key exchange are
// called under every combination. A message that decodes must encode again, and that encoding must decode.
// Clean rejections: DecodeError (the Reader's), EncodeError only where a decoder accepted what the encoder
// refuses (reported as a violation instead, since the engine re-encodes what it traces).
import * as cookie from '../../../engine/dtls/cookie';
import * as handshake from '../../../engine/msgs/handshake';
import { decodeHandshake, encodeHandshake, HandshakeReader, truncateForBinders, type DecodeOptions, type Handshake, type KeyExchange12 } from '../../../engine/msgs/handshake';
import { collectSpans, DecodeError } from '../../../engine/msgs/reader';
import { EncodeError } from '../../../engine/msgs/writer';
import { hashBytes } from '../prng';
import { FuzzViolation, type FuzzTarget } from '../target';
import { tolerate } from './util';

const KEX: readonly KeyExchange12[] = ['ECDHE', 'DHE', 'RSA'];
/** SSL 3.0, TLS 1.0, TLS 1.1, TLS 1.2, DTLS 1.0, DTLS 1.2: the shapes change at SSL 3.0 and TLS 1.2. */
const VERSIONS = [0x0300, 0x0301, 0x0302, 0x0303, 0xfeff, 0xfefd];
const CONTEXTS = KEX.flatMap((keyExchange) => VERSIONS.map((protocolVersion) => ({ keyExchange, protocolVersion })));

export const DECODE_OPTIONS: readonly DecodeOptions[] = [
  { version: 'tls13' },
  { version: 'tls12' },
  ...CONTEXTS.map((c) => ({ version: 'tls12' as const, ...c })),
];

/** Argument lists after `raw` for decoders that need context; every other decoder is called with `raw` alone. */
const EXTRA_ARGS: Record<string, (raw: Uint8Array) => unknown[][]> = {
  decodeHandshake: () => DECODE_OPTIONS.map((o) => [o]),
  decodeHandshake12: (raw) => DECODE_OPTIONS.filter((o) => o.version === 'tls12').map((o) => [raw[0] ?? 0, o]),
  decodeServerKeyExchange: () => CONTEXTS.map((c) => [c]),
  decodeClientKeyExchange: () => CONTEXTS.map((c) => [c]),
  decodeCertificateRequest12: () => VERSIONS.map((v) => [v]),
  decodeCertificateVerify12: () => VERSIONS.map((v) => [v]),
  decodeHelloVerifyRequest: () => [[{}], [{ maxCookieLength: 32 }]],
  decodeDtlsClientHello: () => [[{}], [{ maxCookieLength: 32 }]],
};

type Decoder = (raw: Uint8Array, ...rest: unknown[]) => unknown;

/** Every `decode*` function of the message modules, by name. */
export const MESSAGE_DECODERS: ReadonlyMap<string, Decoder> = new Map(
  [...Object.entries(handshake), ...Object.entries(cookie)]
    .filter((e): e is [string, Decoder] => /^decode[A-Z]/.test(e[0]) && typeof e[1] === 'function'),
);

export const handshakeTarget: FuzzTarget = {
  name: 'handshake',
  about: `one handshake message through all ${MESSAGE_DECODERS.size} decode* functions of msgs/handshake(12).ts and dtls/cookie.ts, every version and key exchange; decoded messages re-encode`,
  typedErrors: [DecodeError],
  run(raw) {
    for (const [name, decode] of MESSAGE_DECODERS) {
      for (const args of EXTRA_ARGS[name]?.(raw) ?? [[]]) tolerate(this, () => decode(raw, ...args));
    }
    for (const opts of DECODE_OPTIONS) {
      const msg = tolerate(this, () => decodeHandshake(raw, opts));
      if (msg) reencode(msg, opts);
    }
    // What the connection does with it: reassembly from two pieces, then the panel's field spans.
    const cut = hashBytes(raw) % (raw.length + 1);
    const r = new HandshakeReader();
    const out = [...(tolerate(this, () => r.feed(raw.subarray(0, cut))) ?? []), ...(tolerate(this, () => (cut < raw.length ? r.feed(raw.subarray(cut)) : [])) ?? [])];
    for (const m of out) collectSpans(m, () => decodeHandshake(m));
  },
};

/** The engine encodes what it sends and decodes it again for the trace: a decoded message must survive that. */
function reencode(msg: Handshake, opts: DecodeOptions): void {
  if (msg.type === 'unknown') return;
  let bytes: Uint8Array;
  try {
    bytes = encodeHandshake(msg);
  } catch (e) {
    if (e instanceof EncodeError) throw new FuzzViolation(`${msg.type} decodes but does not encode again: ${e.message}`);
    throw e;
  }
  try {
    decodeHandshake(bytes, opts);
  } catch (e) {
    if (e instanceof DecodeError) throw new FuzzViolation(`${msg.type} re-encoded does not decode: ${e.message}`);
    throw e;
  }
  if (msg.type === 'client_hello' && msg.ext.preSharedKey) truncateForBinders(msg);
}
