// Record content types (IANA "TLS ContentType"; RFC 8446 section 5.1, RFC 6520, RFC 9146, RFC 9147).
// Lookups never throw: an unknown type prints as `unknown(N)`.

export interface ContentTypeRow {
  readonly code: number;
  readonly name: string;
  readonly rfc: string;
  /** True for types only DTLS uses. */
  readonly dtlsOnly?: true;
}

const ROWS = [
  { code: 20, name: 'change_cipher_spec', rfc: 'RFC 8446, Section 5.1' },
  { code: 21, name: 'alert', rfc: 'RFC 8446, Section 5.1' },
  { code: 22, name: 'handshake', rfc: 'RFC 8446, Section 5.1' },
  { code: 23, name: 'application_data', rfc: 'RFC 8446, Section 5.1' },
  { code: 24, name: 'heartbeat', rfc: 'RFC 6520, Section 3' },
  { code: 25, name: 'tls12_cid', rfc: 'RFC 9146, Section 3', dtlsOnly: true },
  { code: 26, name: 'ack', rfc: 'RFC 9147, Section 7', dtlsOnly: true },
] as const satisfies readonly ContentTypeRow[];

export const CONTENT_TYPES: readonly ContentTypeRow[] = ROWS;

/** `ContentType.handshake === 22`. */
export const ContentType = Object.fromEntries(ROWS.map((r) => [r.name, r.code])) as {
  readonly [R in (typeof ROWS)[number] as R['name']]: R['code'];
};

const byCode = new Map<number, ContentTypeRow>(ROWS.map((r) => [r.code, r]));
const byName = new Map<string, ContentTypeRow>(ROWS.map((r) => [r.name, r]));

export function contentTypeByCode(code: number): ContentTypeRow | undefined {
  return byCode.get(code);
}

export function contentTypeByName(name: string): ContentTypeRow | undefined {
  return byName.get(name.trim().toLowerCase());
}

/** `handshake`, or `unknown(N)`. */
export function contentTypeName(code: number): string {
  return byCode.get(code)?.name ?? `unknown(${code})`;
}
