// TLS ExtensionType values (IANA "TLS ExtensionType Values", up to encrypted_client_hello 0xfe0d and
// renegotiation_info 0xff01), with the messages each may appear in: the "TLS 1.3" column of RFC 8446 section
// 4.2 (and of the IANA registry for later extensions), and for TLS 1.2 and earlier the hellos that carry it.
// Also the GREASE values of RFC 8701, which this module owns for every vocabulary (`isGrease`).
// Lookups never throw: an unknown code prints as `0x1234`.

/** The messages of RFC 8446 section 4.2's table: CH, SH, HRR, EE, CT (CertificateEntry), CR, NST. */
export type ExtensionContext = 'CH' | 'SH' | 'HRR' | 'EE' | 'CT' | 'CR' | 'NST';

export interface ExtensionRow {
  readonly code: number;
  /** IANA name, e.g. `server_name`. */
  readonly name: string;
  readonly rfc: string;
  /** Where TLS 1.3 allows it (RFC 8446 section 4.2 / IANA "TLS 1.3" column); empty if not used in TLS 1.3. */
  readonly contexts: readonly ExtensionContext[];
  /** Where TLS 1.2 and earlier carry it (ClientHello, ServerHello). */
  readonly tls12: readonly ('CH' | 'SH')[];
  readonly deprecated?: true;
}

const ROWS = [
  { code: 0, name: 'server_name', rfc: 'RFC 6066', contexts: ['CH', 'EE'], tls12: ['CH', 'SH'] },
  { code: 1, name: 'max_fragment_length', rfc: 'RFC 6066', contexts: ['CH', 'EE'], tls12: ['CH', 'SH'] },
  { code: 2, name: 'client_certificate_url', rfc: 'RFC 6066', contexts: [], tls12: ['CH', 'SH'] },
  { code: 3, name: 'trusted_ca_keys', rfc: 'RFC 6066', contexts: [], tls12: ['CH', 'SH'] },
  { code: 4, name: 'truncated_hmac', rfc: 'RFC 6066', contexts: [], tls12: ['CH', 'SH'], deprecated: true },
  { code: 5, name: 'status_request', rfc: 'RFC 6066', contexts: ['CH', 'CR', 'CT'], tls12: ['CH', 'SH'] },
  { code: 6, name: 'user_mapping', rfc: 'RFC 4681', contexts: [], tls12: ['CH', 'SH'] },
  { code: 7, name: 'client_authz', rfc: 'RFC 5878', contexts: [], tls12: ['CH', 'SH'] },
  { code: 8, name: 'server_authz', rfc: 'RFC 5878', contexts: [], tls12: ['CH', 'SH'] },
  { code: 9, name: 'cert_type', rfc: 'RFC 6091', contexts: [], tls12: ['CH', 'SH'] },
  { code: 10, name: 'supported_groups', rfc: 'RFC 8422, RFC 7919', contexts: ['CH', 'EE'], tls12: ['CH'] },
  { code: 11, name: 'ec_point_formats', rfc: 'RFC 8422', contexts: [], tls12: ['CH', 'SH'] },
  { code: 12, name: 'srp', rfc: 'RFC 5054', contexts: [], tls12: ['CH'] },
  { code: 13, name: 'signature_algorithms', rfc: 'RFC 8446', contexts: ['CH', 'CR'], tls12: ['CH'] },
  { code: 14, name: 'use_srtp', rfc: 'RFC 5764', contexts: ['CH', 'EE'], tls12: ['CH', 'SH'] },
  { code: 15, name: 'heartbeat', rfc: 'RFC 6520', contexts: ['CH', 'EE'], tls12: ['CH', 'SH'] },
  { code: 16, name: 'application_layer_protocol_negotiation', rfc: 'RFC 7301', contexts: ['CH', 'EE'], tls12: ['CH', 'SH'] },
  { code: 17, name: 'status_request_v2', rfc: 'RFC 6961', contexts: [], tls12: ['CH', 'SH'] },
  { code: 18, name: 'signed_certificate_timestamp', rfc: 'RFC 6962', contexts: ['CH', 'CR', 'CT'], tls12: ['CH', 'SH'] },
  { code: 19, name: 'client_certificate_type', rfc: 'RFC 7250', contexts: ['CH', 'EE'], tls12: ['CH', 'SH'] },
  { code: 20, name: 'server_certificate_type', rfc: 'RFC 7250', contexts: ['CH', 'EE'], tls12: ['CH', 'SH'] },
  { code: 21, name: 'padding', rfc: 'RFC 7685', contexts: ['CH'], tls12: ['CH'] },
  { code: 22, name: 'encrypt_then_mac', rfc: 'RFC 7366', contexts: [], tls12: ['CH', 'SH'] },
  { code: 23, name: 'extended_master_secret', rfc: 'RFC 7627', contexts: [], tls12: ['CH', 'SH'] },
  { code: 24, name: 'token_binding', rfc: 'RFC 8472', contexts: [], tls12: ['CH', 'SH'] },
  { code: 25, name: 'cached_info', rfc: 'RFC 7924', contexts: [], tls12: ['CH', 'SH'] },
  { code: 26, name: 'tls_lts', rfc: 'draft-gutmann-tls-lts', contexts: [], tls12: ['CH', 'SH'] },
  { code: 27, name: 'compress_certificate', rfc: 'RFC 8879', contexts: ['CH', 'CR'], tls12: [] },
  { code: 28, name: 'record_size_limit', rfc: 'RFC 8449', contexts: ['CH', 'EE'], tls12: ['CH', 'SH'] },
  { code: 29, name: 'pwd_protect', rfc: 'RFC 8492', contexts: ['CH'], tls12: [] },
  { code: 30, name: 'pwd_clear', rfc: 'RFC 8492', contexts: ['CH'], tls12: [] },
  { code: 31, name: 'password_salt', rfc: 'RFC 8492', contexts: ['CH', 'SH', 'HRR'], tls12: [] },
  { code: 32, name: 'ticket_pinning', rfc: 'RFC 8672', contexts: ['CH', 'EE'], tls12: [] },
  { code: 33, name: 'tls_cert_with_extern_psk', rfc: 'RFC 8773', contexts: ['CH', 'SH'], tls12: [] },
  { code: 34, name: 'delegated_credential', rfc: 'RFC 9345', contexts: ['CH', 'CR', 'CT'], tls12: [] },
  { code: 35, name: 'session_ticket', rfc: 'RFC 5077, RFC 8447', contexts: [], tls12: ['CH', 'SH'] },
  { code: 36, name: 'TLMSP', rfc: 'ETSI TS 103 523-2', contexts: [], tls12: ['CH', 'SH'] },
  { code: 37, name: 'TLMSP_proxying', rfc: 'ETSI TS 103 523-2', contexts: [], tls12: ['CH', 'SH'] },
  { code: 38, name: 'TLMSP_delegate', rfc: 'ETSI TS 103 523-2', contexts: [], tls12: ['CH', 'SH'] },
  { code: 39, name: 'supported_ekt_ciphers', rfc: 'RFC 8870', contexts: ['CH', 'EE'], tls12: [] },
  { code: 41, name: 'pre_shared_key', rfc: 'RFC 8446', contexts: ['CH', 'SH'], tls12: [] },
  { code: 42, name: 'early_data', rfc: 'RFC 8446', contexts: ['CH', 'EE', 'NST'], tls12: [] },
  { code: 43, name: 'supported_versions', rfc: 'RFC 8446', contexts: ['CH', 'SH', 'HRR'], tls12: [] },
  { code: 44, name: 'cookie', rfc: 'RFC 8446', contexts: ['CH', 'HRR'], tls12: [] },
  { code: 45, name: 'psk_key_exchange_modes', rfc: 'RFC 8446', contexts: ['CH'], tls12: [] },
  { code: 47, name: 'certificate_authorities', rfc: 'RFC 8446', contexts: ['CH', 'CR'], tls12: [] },
  { code: 48, name: 'oid_filters', rfc: 'RFC 8446', contexts: ['CR'], tls12: [] },
  { code: 49, name: 'post_handshake_auth', rfc: 'RFC 8446', contexts: ['CH'], tls12: [] },
  { code: 50, name: 'signature_algorithms_cert', rfc: 'RFC 8446', contexts: ['CH', 'CR'], tls12: ['CH'] },
  { code: 51, name: 'key_share', rfc: 'RFC 8446', contexts: ['CH', 'SH', 'HRR'], tls12: [] },
  { code: 52, name: 'transparency_info', rfc: 'RFC 9162', contexts: ['CH', 'CR', 'CT'], tls12: ['CH', 'SH'] },
  { code: 53, name: 'connection_id_deprecated', rfc: 'draft-ietf-tls-dtls-connection-id', contexts: [], tls12: ['CH', 'SH'], deprecated: true },
  { code: 54, name: 'connection_id', rfc: 'RFC 9146', contexts: ['CH', 'SH'], tls12: ['CH', 'SH'] },
  { code: 55, name: 'external_id_hash', rfc: 'RFC 8844', contexts: ['CH', 'EE'], tls12: ['CH', 'SH'] },
  { code: 56, name: 'external_session_id', rfc: 'RFC 8844', contexts: ['CH', 'EE'], tls12: ['CH', 'SH'] },
  { code: 57, name: 'quic_transport_parameters', rfc: 'RFC 9001', contexts: ['CH', 'EE'], tls12: [] },
  { code: 58, name: 'ticket_request', rfc: 'RFC 9149', contexts: ['CH', 'EE'], tls12: [] },
  { code: 59, name: 'dnssec_chain', rfc: 'RFC 9102', contexts: ['CH', 'CT'], tls12: ['CH', 'SH'] },
  { code: 0x3374, name: 'next_protocol_negotiation', rfc: 'draft-agl-tls-nextprotoneg (not IANA-registered)', contexts: [], tls12: ['CH', 'SH'] },
  { code: 0xfd00, name: 'ech_outer_extensions', rfc: 'RFC 9849', contexts: ['CH'], tls12: [] },
  { code: 0xfe0d, name: 'encrypted_client_hello', rfc: 'RFC 9849', contexts: ['CH', 'HRR', 'EE'], tls12: [] },
  { code: 0xff01, name: 'renegotiation_info', rfc: 'RFC 5746', contexts: [], tls12: ['CH', 'SH'] },
] as const satisfies readonly ExtensionRow[];

/** RFC 8701: the sixteen reserved values 0x0a0a, 0x1a1a, ... 0xfafa used by cipher suites, extensions, groups,
 *  signature algorithms and versions (ALPN and PSK modes use other forms). */
export const GREASE_VALUES: readonly number[] = Array.from({ length: 16 }, (_, i) => (i << 12) | 0x0a00 | (i << 4) | 0x0a);

/** True for an RFC 8701 GREASE value of a two-byte code space (0x?a?a with both bytes equal). */
export function isGrease(code: number): boolean {
  return (code & 0x0f0f) === 0x0a0a && code >> 8 === (code & 0xff);
}

/** How a GREASE value prints in every registry: `GREASE(0x0a0a)`. */
export function greaseName(code: number): string {
  return `GREASE(0x${code.toString(16).padStart(4, '0')})`;
}

/** How an unknown two-byte code point prints in every registry: `0x1234`. */
export function hexCode(code: number): string {
  return `0x${code.toString(16).padStart(4, '0')}`;
}

const GREASE_ROWS: readonly ExtensionRow[] = GREASE_VALUES.map((code) => ({
  code, name: greaseName(code), rfc: 'RFC 8701', contexts: ['CH', 'CR', 'NST'], tls12: ['CH'],
}));

export const EXTENSIONS: readonly ExtensionRow[] = [...ROWS, ...GREASE_ROWS];

/** `ExtensionType.key_share === 51`. */
export const ExtensionType = Object.fromEntries(ROWS.map((r) => [r.name, r.code])) as {
  readonly [R in (typeof ROWS)[number] as R['name']]: R['code'];
};

const byCode = new Map<number, ExtensionRow>(EXTENSIONS.map((r) => [r.code, r]));
const byName = new Map<string, ExtensionRow>(EXTENSIONS.map((r) => [r.name.toLowerCase(), r]));

export function extensionByCode(code: number): ExtensionRow | undefined {
  return byCode.get(code);
}

/** Case-insensitive; also accepts the old names `elliptic_curves` and `SessionTicket`. */
export function extensionByName(name: string): ExtensionRow | undefined {
  const n = name.trim().toLowerCase();
  return byName.get(n) ?? byName.get(ALIASES[n] ?? '');
}

const ALIASES: Record<string, string> = {
  elliptic_curves: 'supported_groups',
  sessionticket: 'session_ticket',
  'sessionticket tls': 'session_ticket',
  alpn: 'application_layer_protocol_negotiation',
  sni: 'server_name',
  ech: 'encrypted_client_hello',
};

/** `server_name`, `GREASE(0x0a0a)`, or `0x1234` for a code we do not know. */
export function extensionName(code: number): string {
  return byCode.get(code)?.name ?? hexCode(code);
}

/**
 * Whether a known extension may appear in `context`: for TLS 1.3 the RFC 8446 section 4.2 table; with
 * `tls12` also where TLS 1.2 and earlier carry it (ClientHello and ServerHello are shared by all versions).
 * Unknown codes answer true: they are ignored, not refused (RFC 8446 section 4.2).
 */
export function allowedIn(code: number, context: ExtensionContext, opts: { tls12?: boolean } = {}): boolean {
  const row = byCode.get(code);
  if (!row || isGrease(code)) return true;
  if (row.contexts.includes(context)) return true;
  return !!opts.tls12 && (context === 'CH' || context === 'SH') && row.tls12.includes(context);
}
