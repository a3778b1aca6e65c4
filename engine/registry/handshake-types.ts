// Handshake message types (IANA "TLS HandshakeType"; RFC 8446 section 4, RFC 5246 section 7.4, RFC 6347,
// RFC 9147 and the extensions that added messages). `label` is how RFC prose and our decode errors name the
// message (`ClientHello`). Lookups never throw: an unknown type prints as `unknown(N)`.

export interface HandshakeTypeRow {
  readonly code: number;
  /** IANA name: `client_hello`. */
  readonly name: string;
  /** The message's name in RFC prose: `ClientHello`. */
  readonly label: string;
  readonly rfc: string;
  /** Sent in TLS 1.3 (RFC 8446 section 4 and later registrations). */
  readonly tls13: boolean;
  /** Sent in TLS 1.2 and earlier. */
  readonly tls12: boolean;
  /** Only DTLS sends it. */
  readonly dtlsOnly?: true;
  /** Where TLS 1.2 and older define it, when that is not `rfc` (the message changed shape in TLS 1.3). */
  readonly rfc12?: string;
  /**
   * Other `type` strings engine/msgs decodes this code point to: the TLS 1.2-family forms of messages TLS 1.3
   * reshaped (`certificate_request12`). handshakeTypeByName finds the row by these too.
   */
  readonly aliases?: readonly string[];
}

const ROWS = [
  { code: 0, name: 'hello_request', label: 'HelloRequest', rfc: 'RFC 5246, Section 7.4.1.1', tls13: false, tls12: true },
  { code: 1, name: 'client_hello', label: 'ClientHello', rfc: 'RFC 8446, Section 4.1.2', tls13: true, tls12: true, rfc12: 'RFC 5246, Section 7.4.1.2' },
  { code: 2, name: 'server_hello', label: 'ServerHello', rfc: 'RFC 8446, Section 4.1.3', tls13: true, tls12: true, rfc12: 'RFC 5246, Section 7.4.1.3' },
  { code: 3, name: 'hello_verify_request', label: 'HelloVerifyRequest', rfc: 'RFC 6347, Section 4.2.1', tls13: false, tls12: true, dtlsOnly: true },
  { code: 4, name: 'new_session_ticket', label: 'NewSessionTicket', rfc: 'RFC 8446, Section 4.6.1; RFC 5077, Section 3.3', tls13: true, tls12: true, rfc12: 'RFC 5077, Section 3.3', aliases: ['new_session_ticket12'] },
  { code: 5, name: 'end_of_early_data', label: 'EndOfEarlyData', rfc: 'RFC 8446, Section 4.5', tls13: true, tls12: false },
  { code: 6, name: 'hello_retry_request', label: 'HelloRetryRequest (draft)', rfc: 'RFC 8446, Section 4.1.4 (reserved: drafts only; now a ServerHello)', tls13: false, tls12: false },
  { code: 8, name: 'encrypted_extensions', label: 'EncryptedExtensions', rfc: 'RFC 8446, Section 4.3.1', tls13: true, tls12: false },
  { code: 9, name: 'request_connection_id', label: 'RequestConnectionId', rfc: 'RFC 9147, Section 9', tls13: true, tls12: false, dtlsOnly: true },
  { code: 10, name: 'new_connection_id', label: 'NewConnectionId', rfc: 'RFC 9147, Section 9', tls13: true, tls12: false, dtlsOnly: true },
  { code: 11, name: 'certificate', label: 'Certificate', rfc: 'RFC 8446, Section 4.4.2', tls13: true, tls12: true, rfc12: 'RFC 5246, Section 7.4.2' },
  { code: 12, name: 'server_key_exchange', label: 'ServerKeyExchange', rfc: 'RFC 5246, Section 7.4.3', tls13: false, tls12: true },
  { code: 13, name: 'certificate_request', label: 'CertificateRequest', rfc: 'RFC 8446, Section 4.3.2', tls13: true, tls12: true, rfc12: 'RFC 5246, Section 7.4.4', aliases: ['certificate_request12'] },
  { code: 14, name: 'server_hello_done', label: 'ServerHelloDone', rfc: 'RFC 5246, Section 7.4.5', tls13: false, tls12: true },
  { code: 15, name: 'certificate_verify', label: 'CertificateVerify', rfc: 'RFC 8446, Section 4.4.3', tls13: true, tls12: true, rfc12: 'RFC 5246, Section 7.4.8', aliases: ['certificate_verify12'] },
  { code: 16, name: 'client_key_exchange', label: 'ClientKeyExchange', rfc: 'RFC 5246, Section 7.4.7', tls13: false, tls12: true },
  { code: 17, name: 'client_certificate_request', label: 'ClientCertificateRequest', rfc: 'RFC 9261, Section 4', tls13: true, tls12: false },
  { code: 20, name: 'finished', label: 'Finished', rfc: 'RFC 8446, Section 4.4.4', tls13: true, tls12: true, rfc12: 'RFC 5246, Section 7.4.9' },
  { code: 21, name: 'certificate_url', label: 'CertificateURL', rfc: 'RFC 6066, Section 5', tls13: false, tls12: true },
  { code: 22, name: 'certificate_status', label: 'CertificateStatus', rfc: 'RFC 6066, Section 8', tls13: false, tls12: true },
  { code: 23, name: 'supplemental_data', label: 'SupplementalData', rfc: 'RFC 4680, Section 2', tls13: false, tls12: true },
  { code: 24, name: 'key_update', label: 'KeyUpdate', rfc: 'RFC 8446, Section 4.6.3', tls13: true, tls12: false },
  { code: 25, name: 'compressed_certificate', label: 'CompressedCertificate', rfc: 'RFC 8879, Section 4', tls13: true, tls12: false },
  { code: 26, name: 'ekt_key', label: 'EKTKey', rfc: 'RFC 8870, Section 5.2.2', tls13: true, tls12: false, dtlsOnly: true },
  { code: 67, name: 'next_protocol', label: 'NextProtocol', rfc: 'draft-agl-tls-nextprotoneg (not IANA-registered)', tls13: false, tls12: true },
  { code: 254, name: 'message_hash', label: 'message_hash', rfc: 'RFC 8446, Section 4.4.1 (synthetic, never sent)', tls13: true, tls12: false },
] as const satisfies readonly HandshakeTypeRow[];

export const HANDSHAKE_TYPES: readonly HandshakeTypeRow[] = ROWS;

/** `HandshakeType.client_hello === 1`. */
export const HandshakeType = Object.fromEntries(ROWS.map((r) => [r.name, r.code])) as {
  readonly [R in (typeof ROWS)[number] as R['name']]: R['code'];
};

const byCode = new Map<number, HandshakeTypeRow>(ROWS.map((r) => [r.code, r]));
const byName = new Map<string, HandshakeTypeRow>();
for (const r of ROWS as readonly HandshakeTypeRow[]) {
  byName.set(r.name, r);
  byName.set(r.label.toLowerCase(), r);
  for (const a of r.aliases ?? []) byName.set(a, r);
}

export function handshakeTypeByCode(code: number): HandshakeTypeRow | undefined {
  return byCode.get(code);
}

/** `client_hello` or `ClientHello` (case-insensitive), or an alias (`certificate_request12`). */
export function handshakeTypeByName(name: string): HandshakeTypeRow | undefined {
  return byName.get(name.trim().toLowerCase());
}

/** `client_hello`, or `unknown(N)`. */
export function handshakeTypeName(code: number): string {
  return byCode.get(code)?.name ?? `unknown(${code})`;
}

/** `ClientHello`, or `unknown(N)`. */
export function handshakeLabel(code: number): string {
  return byCode.get(code)?.label ?? `unknown(${code})`;
}
