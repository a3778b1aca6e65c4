// Protocol versions as they appear on the wire (ProtocolVersion, RFC 8446 section 4.1.2 and appendix D;
// DTLS: RFC 6347 section 4.1, RFC 9147 section 5.3), named the way OpenSSL spells them (`TLSv1.3`).
// Lookups never throw: an unknown code prints as `0x1234`.
import { greaseName, hexCode, isGrease } from './extensions';

export interface VersionRow {
  readonly code: number;
  /** OpenSSL's spelling (`SSL_get_version`, `-min_protocol`): `SSLv3`, `TLSv1` ... `TLSv1.3`, `DTLSv1.2`. */
  readonly name: string;
  /** How the RFCs write it: `TLS 1.3`. */
  readonly iana: string;
  readonly dtls: boolean;
}

const ROWS = [
  { code: 0x0300, name: 'SSLv3', iana: 'SSL 3.0', dtls: false },
  { code: 0x0301, name: 'TLSv1', iana: 'TLS 1.0', dtls: false },
  { code: 0x0302, name: 'TLSv1.1', iana: 'TLS 1.1', dtls: false },
  { code: 0x0303, name: 'TLSv1.2', iana: 'TLS 1.2', dtls: false },
  { code: 0x0304, name: 'TLSv1.3', iana: 'TLS 1.3', dtls: false },
  { code: 0xfeff, name: 'DTLSv1', iana: 'DTLS 1.0', dtls: true },
  { code: 0xfefd, name: 'DTLSv1.2', iana: 'DTLS 1.2', dtls: true },
  { code: 0xfefc, name: 'DTLSv1.3', iana: 'DTLS 1.3', dtls: true },
] as const satisfies readonly VersionRow[];

export const VERSIONS: readonly VersionRow[] = ROWS;

/** Wire codes by short name: `ProtocolVersion.TLS13 === 0x0304`. */
export const ProtocolVersion = {
  SSL3: 0x0300,
  TLS10: 0x0301,
  TLS11: 0x0302,
  TLS12: 0x0303,
  TLS13: 0x0304,
  DTLS10: 0xfeff,
  DTLS12: 0xfefd,
  DTLS13: 0xfefc,
} as const;

const byCode = new Map<number, VersionRow>(ROWS.map((r) => [r.code, r]));
const byKey = new Map<string, VersionRow>(ROWS.map((r) => [key(r.name), r]));

// 'TLSv1.3', 'tls1.3', 'tls1_3', 'TLS 1.3', 'TLSv1_3' -> 'tls1.3'; 'TLSv1', 'tls1.0', 'tls1_0' -> 'tls1';
// 'SSLv3', 'ssl3.0' -> 'ssl3'; 'DTLSv1', 'dtls1.0' -> 'dtls1'.
function key(name: string): string {
  let k = name.trim().toLowerCase().replace(/\s+/g, '').replace(/_/g, '.');
  k = k.replace(/^(d?tls|ssl)v?/, '$1');
  k = k.replace(/\.0$/, '');
  return k;
}

export function versionByCode(code: number): VersionRow | undefined {
  return byCode.get(code);
}

/** Accepts OpenSSL's names and the usual variants: `TLSv1.3`, `tls1.3`, `tls1_3`, `TLS 1.3`, `SSLv3`, `DTLSv1.2`. */
export function versionByName(name: string): VersionRow | undefined {
  return byKey.get(key(name));
}

/** `TLSv1.3`; a TLS 1.3 draft (0x7fNN) as `TLSv1.3-draft23`; GREASE as `GREASE(0x0a0a)`; else `0x1234`. */
export function versionName(code: number): string {
  const row = byCode.get(code);
  if (row) return row.name;
  if (isGrease(code)) return greaseName(code);
  if (code >> 8 === 0x7f) return `TLSv1.3-draft${code & 0xff}`;
  return hexCode(code);
}

export function isDtls(code: number): boolean {
  return code >> 8 === 0xfe;
}

/**
 * Orders versions of one family: positive if `a` is newer than `b`. DTLS codes count down
 * (0xfeff is DTLS 1.0, 0xfefd is DTLS 1.2), so they compare inverted.
 */
export function compareVersions(a: number, b: number): number {
  return isDtls(a) && isDtls(b) ? b - a : a - b;
}
