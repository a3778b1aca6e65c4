// Named groups (IANA "TLS Supported Groups"): the elliptic curves of RFC 8422 (and the RFC 4492 ones it
// deprecated), X25519/X448 (RFC 8422), the FFDHE groups of RFC 7919, brainpool (RFC 7027, RFC 8734), the
// ML-KEM hybrids of draft-ietf-tls-ecdhe-mlkem and pure ML-KEM (draft-connolly-tls-mlkem-key-agreement,
// IANA-registered and shipped by OpenSSL 3.5), and GREASE (RFC 8701).
// Names: IANA's (`secp256r1`, `x25519`) and OpenSSL's `-groups` spelling (`P-256`, `X25519`); lookups by name
// accept either and the aliases OpenSSL takes (`prime256v1`). Unknown codes print as `0x1234`, never throw.
import { greaseName, hexCode, isGrease } from './extensions';

export type GroupKind = 'ecdhe' | 'xdh' | 'ffdhe' | 'hybrid' | 'kem' | 'grease';

export interface GroupRow {
  readonly code: number;
  /** IANA name: `secp256r1`, `x25519`, `ffdhe2048`, `X25519MLKEM768`. */
  readonly iana: string;
  /** OpenSSL's name: `P-256`, `X25519`, `ffdhe2048`, `X25519MLKEM768`. */
  readonly openssl: string;
  /** Other names OpenSSL accepts in `-groups` / `-curves`. */
  readonly aliases?: readonly string[];
  readonly kind: GroupKind;
  /**
   * key_exchange lengths in a KeyShareEntry (RFC 8446 section 4.2.8): the client's share and the server's.
   * They differ only for KEMs (encapsulation key vs ciphertext).
   */
  readonly shareLen?: { readonly client: number; readonly server: number };
  /** Usable in TLS 1.3 (RFC 8446 section 4.2.7 and later registrations). */
  readonly tls13: boolean;
  readonly deprecated?: true;
}

const same = (n: number) => ({ client: n, server: n });

// RFC 4492 curves that RFC 8422 deprecated: still seen in old ClientHellos, printed by name.
const OLD_CURVES: readonly GroupRow[] = (
  [
    [1, 'sect163k1'], [2, 'sect163r1'], [3, 'sect163r2'], [4, 'sect193r1'], [5, 'sect193r2'], [6, 'sect233k1'],
    [7, 'sect233r1'], [8, 'sect239k1'], [9, 'sect283k1'], [10, 'sect283r1'], [11, 'sect409k1'], [12, 'sect409r1'],
    [13, 'sect571k1'], [14, 'sect571r1'], [15, 'secp160k1'], [16, 'secp160r1'], [17, 'secp160r2'], [18, 'secp192k1'],
    [19, 'secp192r1'], [20, 'secp224k1'], [21, 'secp224r1'], [22, 'secp256k1'],
  ] as const
).map(([code, name]): GroupRow => ({
  code, iana: name, openssl: name, kind: 'ecdhe', tls13: false, deprecated: true,
  ...(name === 'secp192r1' ? { aliases: ['P-192', 'prime192v1'] } : name === 'secp224r1' ? { aliases: ['P-224'] } : {}),
}));

export const GROUPS: readonly GroupRow[] = [
  ...OLD_CURVES,
  // RFC 8422, Section 5.1.1
  { code: 23, iana: 'secp256r1', openssl: 'P-256', aliases: ['prime256v1', 'secp256r1'], kind: 'ecdhe', shareLen: same(65), tls13: true },
  { code: 24, iana: 'secp384r1', openssl: 'P-384', aliases: ['secp384r1'], kind: 'ecdhe', shareLen: same(97), tls13: true },
  { code: 25, iana: 'secp521r1', openssl: 'P-521', aliases: ['secp521r1'], kind: 'ecdhe', shareLen: same(133), tls13: true },
  // RFC 7027 (TLS 1.2 only), RFC 8734 (TLS 1.3)
  { code: 26, iana: 'brainpoolP256r1', openssl: 'brainpoolP256r1', kind: 'ecdhe', shareLen: same(65), tls13: false },
  { code: 27, iana: 'brainpoolP384r1', openssl: 'brainpoolP384r1', kind: 'ecdhe', shareLen: same(97), tls13: false },
  { code: 28, iana: 'brainpoolP512r1', openssl: 'brainpoolP512r1', kind: 'ecdhe', shareLen: same(129), tls13: false },
  { code: 29, iana: 'x25519', openssl: 'X25519', kind: 'xdh', shareLen: same(32), tls13: true },
  { code: 30, iana: 'x448', openssl: 'X448', kind: 'xdh', shareLen: same(56), tls13: true },
  { code: 31, iana: 'brainpoolP256r1tls13', openssl: 'brainpoolP256r1tls13', kind: 'ecdhe', shareLen: same(65), tls13: true },
  { code: 32, iana: 'brainpoolP384r1tls13', openssl: 'brainpoolP384r1tls13', kind: 'ecdhe', shareLen: same(97), tls13: true },
  { code: 33, iana: 'brainpoolP512r1tls13', openssl: 'brainpoolP512r1tls13', kind: 'ecdhe', shareLen: same(129), tls13: true },
  // RFC 7919, Section 2 (shares are left-padded to the size of p, RFC 8446 section 4.2.8.1)
  { code: 256, iana: 'ffdhe2048', openssl: 'ffdhe2048', kind: 'ffdhe', shareLen: same(256), tls13: true },
  { code: 257, iana: 'ffdhe3072', openssl: 'ffdhe3072', kind: 'ffdhe', shareLen: same(384), tls13: true },
  { code: 258, iana: 'ffdhe4096', openssl: 'ffdhe4096', kind: 'ffdhe', shareLen: same(512), tls13: true },
  { code: 259, iana: 'ffdhe6144', openssl: 'ffdhe6144', kind: 'ffdhe', shareLen: same(768), tls13: true },
  { code: 260, iana: 'ffdhe8192', openssl: 'ffdhe8192', kind: 'ffdhe', shareLen: same(1024), tls13: true },
  // draft-connolly-tls-mlkem-key-agreement (FIPS 203 sizes: encapsulation key, ciphertext)
  { code: 0x0200, iana: 'MLKEM512', openssl: 'MLKEM512', kind: 'kem', shareLen: { client: 800, server: 768 }, tls13: true },
  { code: 0x0201, iana: 'MLKEM768', openssl: 'MLKEM768', kind: 'kem', shareLen: { client: 1184, server: 1088 }, tls13: true },
  { code: 0x0202, iana: 'MLKEM1024', openssl: 'MLKEM1024', kind: 'kem', shareLen: { client: 1568, server: 1568 }, tls13: true },
  // draft-ietf-tls-ecdhe-mlkem, Sections 4.1 and 7 (ECDH share and ML-KEM share concatenated)
  { code: 0x11eb, iana: 'SecP256r1MLKEM768', openssl: 'SecP256r1MLKEM768', kind: 'hybrid', shareLen: { client: 65 + 1184, server: 65 + 1088 }, tls13: true },
  { code: 0x11ec, iana: 'X25519MLKEM768', openssl: 'X25519MLKEM768', kind: 'hybrid', shareLen: { client: 1184 + 32, server: 1088 + 32 }, tls13: true },
  { code: 0x11ed, iana: 'SecP384r1MLKEM1024', openssl: 'SecP384r1MLKEM1024', kind: 'hybrid', shareLen: { client: 97 + 1568, server: 97 + 1568 }, tls13: true },
  // RFC 8422, Section 5.1.1 (deprecated explicit curves)
  { code: 0xff01, iana: 'arbitrary_explicit_prime_curves', openssl: 'arbitrary_explicit_prime_curves', kind: 'ecdhe', tls13: false, deprecated: true },
  { code: 0xff02, iana: 'arbitrary_explicit_char2_curves', openssl: 'arbitrary_explicit_char2_curves', kind: 'ecdhe', tls13: false, deprecated: true },
  // RFC 8701, Section 2
  ...Array.from({ length: 16 }, (_, i): GroupRow => {
    const code = (i << 12) | 0x0a00 | (i << 4) | 0x0a;
    return { code, iana: greaseName(code), openssl: greaseName(code), kind: 'grease', tls13: true };
  }),
];

/** Code points of the groups a TLS 1.3 stack meets every day: `NamedGroup.x25519 === 29`. */
export const NamedGroup = {
  secp256r1: 23,
  secp384r1: 24,
  secp521r1: 25,
  x25519: 29,
  x448: 30,
  ffdhe2048: 256,
  ffdhe3072: 257,
  ffdhe4096: 258,
  ffdhe6144: 259,
  ffdhe8192: 260,
  MLKEM512: 0x0200,
  MLKEM768: 0x0201,
  MLKEM1024: 0x0202,
  SecP256r1MLKEM768: 0x11eb,
  X25519MLKEM768: 0x11ec,
  SecP384r1MLKEM1024: 0x11ed,
} as const;

const byCode = new Map<number, GroupRow>(GROUPS.map((g) => [g.code, g]));
const byName = new Map<string, GroupRow>();
for (const g of GROUPS) for (const n of [g.iana, g.openssl, ...(g.aliases ?? [])]) byName.set(n.toLowerCase(), g);

export function groupByCode(code: number): GroupRow | undefined {
  return byCode.get(code);
}

/** Case-insensitive, any of IANA's, OpenSSL's or an alias: `P-256`, `prime256v1`, `secp256r1`, `X25519`. */
export function groupByName(name: string): GroupRow | undefined {
  return byName.get(name.trim().toLowerCase());
}

/** OpenSSL's name by default (`P-256`), IANA's on request (`secp256r1`); unknown as `0x1234`. */
export function groupName(code: number, style: 'openssl' | 'iana' = 'openssl'): string {
  const g = byCode.get(code);
  if (g) return style === 'iana' ? g.iana : g.openssl;
  return isGrease(code) ? greaseName(code) : hexCode(code);
}
