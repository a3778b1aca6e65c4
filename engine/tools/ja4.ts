// JA4 client fingerprints (FoxIO's JA4 specification, technical_details/JA4.md): `t13d1516h2_8daaf6152771_e5627efa2ab1`.
//   a: transport (t TLS over TCP, q QUIC, d DTLS), version, SNI (d) or not (i), counts of suites and extensions,
//      the first and last characters of the first ALPN value;
//   b: sha256 of the suites sorted, 12 hex characters;
//   c: sha256 of the extensions sorted (SNI and ALPN left out), "_", the signature algorithms in wire order.
// GREASE values (RFC 8701) are ignored everywhere. The raw forms (JA4_r, and JA4_o/JA4_ro in wire order) are
// given too, so a fingerprint can be explained and not only compared.
import { sha256 } from '@noble/hashes/sha2.js';
import { isGrease } from '../registry/extensions';
import { toHex } from '../util/hex';
import type { ClientHello } from '../msgs/handshake';

export type Ja4Transport = 't' | 'q' | 'd';

/** What JA4 reads from a ClientHello, in wire order, GREASE included (it is dropped here). */
export interface Ja4Input {
  transport: Ja4Transport;
  legacyVersion: number;
  /** supported_versions, when the extension is present. */
  supportedVersions?: readonly number[];
  cipherSuites: readonly number[];
  extensionTypes: readonly number[];
  /** The first ALPN protocol name as bytes, when there is one. */
  firstAlpn?: Uint8Array;
  signatureAlgorithms?: readonly number[];
}

export interface Ja4 {
  /** The fingerprint: sorted lists, hashed. */
  ja4: string;
  /** Sorted lists, not hashed (JA4_r). */
  ja4_r: string;
  /** Wire order, hashed, SNI and ALPN kept among the extensions (JA4_o). */
  ja4_o: string;
  /** Wire order, not hashed (JA4_ro). */
  ja4_ro: string;
}

const VERSION_CODES: Readonly<Record<number, string>> = {
  0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3', 0x0002: 's2',
  0xfeff: 'd1', 0xfefd: 'd2', 0xfefc: 'd3',
};

const SNI = 0x0000;
const ALPN = 0x0010;

const hex4 = (n: number) => n.toString(16).padStart(4, '0');
const two = (n: number) => String(Math.min(n, 99)).padStart(2, '0');
const hash12 = (s: string) => toHex(sha256(new TextEncoder().encode(s))).slice(0, 12);

/** DTLS versions count downwards; every other version upwards. */
function higher(a: number, b: number): boolean {
  const dtls = (v: number) => v >= 0xfe00;
  if (dtls(a) && dtls(b)) return a < b;
  return a > b;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** The ALPN part: "00" without one; first and last characters; their hex digits when either is not alphanumeric. */
function alpnChars(first: Uint8Array | undefined): string {
  if (!first?.length) return '00';
  const a = first[0]!;
  const z = first[first.length - 1]!;
  if (isAlnum(a) && isAlnum(z)) return String.fromCharCode(a) + String.fromCharCode(z);
  const h = toHex(first);
  return h[0]! + h[h.length - 1]!;
}

export function ja4(input: Ja4Input): Ja4 {
  const suites = input.cipherSuites.filter((c) => !isGrease(c));
  const exts = input.extensionTypes.filter((c) => !isGrease(c));
  const sigalgs = (input.signatureAlgorithms ?? []).filter((c) => !isGrease(c));
  let version = input.legacyVersion;
  const offered = input.supportedVersions?.filter((v) => !isGrease(v));
  if (offered?.length) version = offered.reduce((best, v) => (higher(v, best) ? v : best));
  const a = `${input.transport}${VERSION_CODES[version] ?? '00'}${exts.includes(SNI) ? 'd' : 'i'}${two(suites.length)}${two(exts.length)}${alpnChars(input.firstAlpn)}`;

  const suitesSorted = suites.map(hex4).sort().join(',');
  const suitesWire = suites.map(hex4).join(',');
  const sig = sigalgs.map(hex4).join(',');
  const withSig = (list: string) => (sig ? `${list}_${sig}` : list);
  const extsSorted = exts.filter((e) => e !== SNI && e !== ALPN).map(hex4).sort().join(',');
  const extsWire = exts.map(hex4).join(',');
  // An empty list is written as twelve zeros rather than the hash of nothing (JA4.md "Cipher hash", "Extension hash").
  const b = (list: string) => (list ? hash12(list) : '000000000000');
  const c = (list: string) => (list ? hash12(withSig(list)) : '000000000000');
  return {
    ja4: `${a}_${b(suitesSorted)}_${c(extsSorted)}`,
    ja4_r: `${a}_${suitesSorted}_${withSig(extsSorted)}`,
    ja4_o: `${a}_${b(suitesWire)}_${c(extsWire)}`,
    ja4_ro: `${a}_${suitesWire}_${withSig(extsWire)}`,
  };
}

/** JA4 of a decoded ClientHello; `transport` is 'd' for a DTLS ClientHello. */
export function ja4OfClientHello(ch: ClientHello, transport: Ja4Transport = 't'): Ja4 {
  const first = ch.ext.alpn?.[0];
  const v = transport === 'd' ? dtlsVersion : (x: number) => x;
  return ja4({
    transport,
    legacyVersion: v(ch.legacyVersion),
    ...(ch.ext.supportedVersions ? { supportedVersions: ch.ext.supportedVersions.map(v) } : {}),
    cipherSuites: ch.cipherSuites,
    extensionTypes: ch.extensions.map((e) => e.type),
    // ALPN names are decoded one character per byte (latin1), so this gives back the bytes.
    ...(first !== undefined ? { firstAlpn: Uint8Array.from(first, (ch) => ch.charCodeAt(0)) } : {}),
    ...(ch.ext.signatureAlgorithms ? { signatureAlgorithms: ch.ext.signatureAlgorithms } : {}),
  });
}

/**
 * The DTLS version a TLS-form version stands for (DTLS 1.0 is TLS 1.1's, DTLS 1.2 is TLS 1.2's, DTLS 1.3 TLS 1.3's,
 * RFC 6347 section 4.1): our DTLS layer hands its hellos up in TLS form. DTLS codes pass unchanged.
 */
export function dtlsVersion(v: number): number {
  return v === 0x0302 ? 0xfeff : v === 0x0303 ? 0xfefd : v === 0x0304 ? 0xfefc : v;
}
