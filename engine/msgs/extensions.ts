// Hello and handshake extensions (RFC 8446 section 4.2). On the wire an extension is `{ type, data }`; this
// module gives both directions for the ones TLS 1.3 (and the TLS 1.2 hellos it shares) use:
//   - builders, `ext.serverName(['example.com'])`, each returning a wire Extension;
//   - `parseExtensions(list, context)` (and `readExtensions` for the message decoders), which applies the rules
//     once for every message: no extension twice (illegal_parameter), pre_shared_key last in a ClientHello
//     (illegal_parameter), a known extension only in the messages RFC 8446 section 4.2 allows
//     (illegal_parameter), each known body decoded into a typed value and consumed exactly, lists the RFC
//     says are non-empty non-empty (decode_error), and unknown extensions (GREASE included) kept raw.
// The typed value depends on the message: key_share is a list in a ClientHello, one entry in a ServerHello
// and a bare group in a HelloRetryRequest, hence one `...Extensions` interface per context.
import { ExtensionType, extensionName, type ExtensionContext } from '../registry/extensions';
import { groupName } from '../registry/groups';
import { Reader } from './reader';
import { EncodeError, Writer } from './writer';
import { readEchClientHello, readEchEncryptedExtensions, readEchHelloRetryRequest, type EchClientHello, type EchConfig } from './ech';

export type { ExtensionContext };

/** An extension as it travels: its code point and its body (a view into the message when decoded). */
export interface Extension {
  type: number;
  data: Uint8Array;
}

// --- typed values ----------------------------------------------------------------------------------------------

export interface KeyShareEntry {
  group: number;
  keyExchange: Uint8Array;
}

export interface PskIdentity {
  identity: Uint8Array;
  obfuscatedTicketAge: number;
}

export interface OfferedPsks {
  identities: PskIdentity[];
  binders: Uint8Array[];
}

/** A ClientHello status_request (RFC 6066 section 8); `ocsp` is the only type RFC 6066 defines. */
export type CertificateStatusRequest =
  | { statusType: 1; responderIds: Uint8Array[]; requestExtensions: Uint8Array }
  | { statusType: number; body: Uint8Array };

/** The status_request of a TLS 1.3 CertificateEntry (RFC 8446 section 4.4.2.1): a DER OCSPResponse. */
export interface CertificateStatus {
  statusType: number;
  ocspResponse: Uint8Array;
}

export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;
export const CertificateStatusType = { ocsp: 1 } as const;
export const HeartbeatMode = { peer_allowed_to_send: 1, peer_not_allowed_to_send: 2 } as const;
export const ECPointFormat = { uncompressed: 0, ansiX962_compressed_prime: 1, ansiX962_compressed_char2: 2 } as const;
/** RFC 6066 section 4: 2^9, 2^10, 2^11, 2^12 bytes. */
export const MaxFragmentLength = { 1: 512, 2: 1024, 3: 2048, 4: 4096 } as const;

export interface ClientHelloExtensions {
  serverName?: string[];
  maxFragmentLength?: number;
  statusRequest?: CertificateStatusRequest;
  supportedGroups?: number[];
  ecPointFormats?: number[];
  signatureAlgorithms?: number[];
  heartbeat?: number;
  alpn?: string[];
  signedCertificateTimestamp?: true;
  padding?: number;
  encryptThenMac?: true;
  extendedMasterSecret?: true;
  compressCertificate?: number[];
  recordSizeLimit?: number;
  sessionTicket?: Uint8Array;
  preSharedKey?: OfferedPsks;
  earlyData?: true;
  supportedVersions?: number[];
  cookie?: Uint8Array;
  pskKeyExchangeModes?: number[];
  certificateAuthorities?: Uint8Array[];
  postHandshakeAuth?: true;
  signatureAlgorithmsCert?: number[];
  keyShare?: KeyShareEntry[];
  renegotiationInfo?: Uint8Array;
  /** RFC 9849 section 5: ECHClientHello, outer or inner. */
  encryptedClientHello?: EchClientHello;
}

/** TLS 1.3 ServerHello extensions, and those a TLS 1.2 ServerHello may carry (the message is shared). */
export interface ServerHelloExtensions {
  supportedVersions?: number;
  keyShare?: KeyShareEntry;
  preSharedKey?: number;
  serverName?: true;
  maxFragmentLength?: number;
  statusRequest?: true;
  ecPointFormats?: number[];
  heartbeat?: number;
  alpn?: string;
  signedCertificateTimestamp?: Uint8Array[];
  encryptThenMac?: true;
  extendedMasterSecret?: true;
  recordSizeLimit?: number;
  sessionTicket?: true;
  renegotiationInfo?: Uint8Array;
}

export interface HelloRetryRequestExtensions {
  supportedVersions?: number;
  /** selected_group */
  keyShare?: number;
  cookie?: Uint8Array;
  /** RFC 9849 section 5: ECHHelloRetryRequest.confirmation (8 bytes). */
  encryptedClientHello?: Uint8Array;
}

export interface EncryptedExtensionsExtensions {
  serverName?: true;
  maxFragmentLength?: number;
  supportedGroups?: number[];
  heartbeat?: number;
  alpn?: string;
  recordSizeLimit?: number;
  earlyData?: true;
  /** RFC 9849 section 5: ECHEncryptedExtensions (retry_configs), with the ECHConfigList's bytes. */
  encryptedClientHello?: { retryConfigs: EchConfig[]; raw: Uint8Array };
}

export interface CertificateEntryExtensions {
  statusRequest?: CertificateStatus;
  signedCertificateTimestamp?: Uint8Array[];
}

export interface CertificateRequestExtensions {
  statusRequest?: true;
  signatureAlgorithms?: number[];
  signedCertificateTimestamp?: true;
  compressCertificate?: number[];
  certificateAuthorities?: Uint8Array[];
  /** OIDFilterExtension body, kept raw (RFC 8446 section 4.2.5). */
  oidFilters?: Uint8Array;
  signatureAlgorithmsCert?: number[];
}

export interface NewSessionTicketExtensions {
  /** max_early_data_size */
  earlyData?: number;
}

export interface ExtensionsByContext {
  CH: ClientHelloExtensions;
  SH: ServerHelloExtensions;
  HRR: HelloRetryRequestExtensions;
  EE: EncryptedExtensionsExtensions;
  CT: CertificateEntryExtensions;
  CR: CertificateRequestExtensions;
  NST: NewSessionTicketExtensions;
}

export const CONTEXT_LABEL: Readonly<Record<ExtensionContext, string>> = {
  CH: 'ClientHello',
  SH: 'ServerHello',
  HRR: 'HelloRetryRequest',
  EE: 'EncryptedExtensions',
  CT: 'CertificateEntry',
  CR: 'CertificateRequest',
  NST: 'NewSessionTicket',
};

// --- body decoders -----------------------------------------------------------------------------------------------

type Decode = (r: Reader) => unknown;

interface Codec {
  key: string;
  decoders: Partial<Record<ExtensionContext, Decode>>;
}

const empty: Decode = () => true;

/** Bytes to a string, one char per byte (lossless; names on the wire are ASCII by RFC 6066 and RFC 7301). */
function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode.apply(null, b.subarray(i, i + 4096) as unknown as number[]);
  return s;
}

function latin1Bytes(s: string, field: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new EncodeError(field, `character U+${c.toString(16).padStart(4, '0')} is not a single byte`);
    out[i] = c;
  }
  return out;
}

function opaqueList16(r: Reader, listField: string, itemField: string, minList: number, minItem: number): Uint8Array[] {
  const list = r.vec16(listField, minList);
  const out: Uint8Array[] = [];
  while (!list.atEnd()) {
    list.index = out.length;
    out.push(list.opaque16(itemField, minItem));
  }
  return out;
}

// RFC 6066, Section 3: ServerNameList server_name_list<1..2^16-1>; HostName<1..2^16-1>.
function serverNameList(r: Reader): string[] {
  const list = r.vec16('server_name_list', 1);
  const names: string[] = [];
  let i = 0;
  let sawHost = false;
  while (!list.atEnd()) {
    list.index = i++;
    const at = list.pos;
    const type = list.u8('name_type');
    const name = list.opaque16('host_name', 1);
    if (type !== 0) continue; // no other NameType is defined; ignore as RFC 6066 lets servers
    if (sawHost) list.fail('name_type', 'two names of type host_name (RFC 6066, Section 3)', 'illegal_parameter', at);
    sawHost = true;
    names.push(latin1(name));
  }
  return names;
}

// RFC 6066, Section 4: one byte, 1..4; any other value is illegal_parameter.
function maxFragmentLength(r: Reader): number {
  const at = r.pos;
  const v = r.u8('max_fragment_length');
  if (v < 1 || v > 4) r.fail('max_fragment_length', `${v} is not one of 1..4 (RFC 6066, Section 4)`, 'illegal_parameter', at);
  return v;
}

// RFC 6066, Section 8: CertificateStatusRequest; OCSPStatusRequest { ResponderID responder_id_list<0..2^16-1>;
// Extensions request_extensions; } with ResponderID opaque<1..2^16-1>.
function statusRequestClient(r: Reader): CertificateStatusRequest {
  const statusType = r.u8('status_type');
  if (statusType !== CertificateStatusType.ocsp) return { statusType, body: r.rest('request') };
  const responderIds = opaqueList16(r, 'responder_id_list', 'ResponderID', 0, 1);
  return { statusType: 1, responderIds, requestExtensions: r.opaque16('request_extensions') };
}

// RFC 8446, Section 4.4.2.1 / RFC 6066, Section 8: CertificateStatus { status_type; OCSPResponse<1..2^24-1> }.
function certificateStatus(r: Reader): CertificateStatus {
  const at = r.pos;
  const statusType = r.u8('status_type');
  if (statusType !== CertificateStatusType.ocsp) r.fail('status_type', `unknown CertificateStatusType ${statusType}`, 'decode_error', at);
  return { statusType, ocspResponse: r.opaque24('ocsp_response', 1) };
}

// RFC 8446, Section 4.2.7: NamedGroup named_group_list<2..2^16-1>.
const groupList: Decode = (r) => r.u16List('named_group_list', 2);
// RFC 8446, Section 4.2.3: SignatureScheme supported_signature_algorithms<2..2^16-2>.
const sigList: Decode = (r) => r.u16List('supported_signature_algorithms', 2, 0xfffe);

// RFC 8422, Section 5.1.2: ECPointFormat ec_point_format_list<1..2^8-1>.
const pointFormats: Decode = (r) => r.u8List('ec_point_format_list', 1);

// RFC 6520, Section 2: HeartbeatMode; an unknown mode is illegal_parameter.
function heartbeat(r: Reader): number {
  const at = r.pos;
  const mode = r.u8('mode');
  if (mode !== 1 && mode !== 2) r.fail('mode', `unknown HeartbeatMode ${mode} (RFC 6520, Section 2)`, 'illegal_parameter', at);
  return mode;
}

// RFC 7301, Section 3.1: ProtocolName protocol_name_list<2..2^16-1>; ProtocolName opaque<1..2^8-1>.
function alpnList(r: Reader): string[] {
  const list = r.vec16('protocol_name_list', 2);
  const out: string[] = [];
  while (!list.atEnd()) {
    list.index = out.length;
    out.push(latin1(list.opaque8('protocol_name', 1)));
  }
  return out;
}

// RFC 7301, Section 3.1: the server's list "MUST contain exactly one" protocol.
function alpnSelected(r: Reader): string {
  const at = r.pos;
  const names = alpnList(r);
  if (names.length !== 1) r.fail('protocol_name_list', `the server must select exactly one protocol, not ${names.length} (RFC 7301, Section 3.1)`, 'illegal_parameter', at);
  return names[0]!;
}

// RFC 6962, Section 3.3: SerializedSCT sct_list<1..2^16-1>; SerializedSCT opaque<1..2^16-1>.
const sctList: Decode = (r) => opaqueList16(r, 'sct_list', 'SerializedSCT', 1, 1);

// RFC 8449, Section 4: uint16; a value below 64 is illegal_parameter.
function recordSizeLimit(r: Reader): number {
  const at = r.pos;
  const v = r.u16('record_size_limit');
  if (v < 64) r.fail('record_size_limit', `${v} is below the minimum of 64 (RFC 8449, Section 4)`, 'illegal_parameter', at);
  return v;
}

// RFC 7685, Section 3: any number of zero bytes; the value is its length.
const padding: Decode = (r) => r.rest('zeros').length;

// RFC 8879, Section 3: CertificateCompressionAlgorithm algorithms<2..2^8-2>.
const compressionAlgorithms: Decode = (r) => r.u16List8('algorithms', 2, 254);

// RFC 8446, Section 4.2.1: ProtocolVersion versions<2..254> (ClientHello) or selected_version.
const versionsList: Decode = (r) => r.u16List8('versions', 2, 254);
const selectedVersion: Decode = (r) => r.u16('selected_version');

// RFC 8446, Section 4.2.2: opaque cookie<1..2^16-1>.
const cookie: Decode = (r) => r.opaque16('cookie', 1);

// RFC 8446, Section 4.2.4: DistinguishedName authorities<3..2^16-1>; DistinguishedName opaque<1..2^16-1>.
const authorities: Decode = (r) => opaqueList16(r, 'authorities', 'DistinguishedName', 3, 1);

// RFC 8446, Section 4.2.8: KeyShareEntry client_shares<0..2^16-1>; key_exchange<1..2^16-1>. One share per
// group at most: the RFC lets servers answer a repeat with illegal_parameter, and we do.
function keyShareClient(r: Reader): KeyShareEntry[] {
  const list = r.vec16('client_shares');
  const out: KeyShareEntry[] = [];
  while (!list.atEnd()) {
    list.index = out.length;
    const at = list.pos;
    const group = list.u16('group');
    const keyExchange = list.opaque16('key_exchange', 1);
    for (const e of out) {
      if (e.group === group) list.fail('group', `two key shares for ${groupName(group)} (RFC 8446, Section 4.2.8)`, 'illegal_parameter', at);
    }
    out.push({ group, keyExchange });
  }
  return out;
}

function keyShareServer(r: Reader): KeyShareEntry {
  const share = r.sub(r.remaining, 'server_share');
  const entry = { group: share.u16('group'), keyExchange: share.opaque16('key_exchange', 1) };
  share.end();
  return entry;
}

// RFC 8446, Section 4.2.9: PskKeyExchangeMode ke_modes<1..255>.
const pskModes: Decode = (r) => r.u8List('ke_modes', 1);

// RFC 8446, Section 4.2.11: PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>;
// identity<1..2^16-1>; PskBinderEntry opaque<32..255>. One binder per identity.
function offeredPsks(r: Reader): OfferedPsks {
  const ids = r.vec16('identities', 7);
  const identities: PskIdentity[] = [];
  while (!ids.atEnd()) {
    ids.index = identities.length;
    identities.push({ identity: ids.opaque16('identity', 1), obfuscatedTicketAge: ids.u32('obfuscated_ticket_age') });
  }
  const at = r.pos;
  const bs = r.vec16('binders', 33);
  const binders: Uint8Array[] = [];
  while (!bs.atEnd()) {
    bs.index = binders.length;
    binders.push(bs.opaque8('PskBinderEntry', 32));
  }
  if (binders.length !== identities.length) {
    r.fail('binders', `${binders.length} binders for ${identities.length} identities (RFC 8446, Section 4.2.11)`, 'illegal_parameter', at);
  }
  return { identities, binders };
}

const CODECS = new Map<number, Codec>([
  // RFC 6066, Section 3
  [ExtensionType.server_name, { key: 'serverName', decoders: { CH: serverNameList, SH: empty, EE: empty } }],
  // RFC 6066, Section 4
  [ExtensionType.max_fragment_length, { key: 'maxFragmentLength', decoders: { CH: maxFragmentLength, SH: maxFragmentLength, EE: maxFragmentLength } }],
  // RFC 6066, Section 8; RFC 8446, Section 4.4.2.1
  [ExtensionType.status_request, { key: 'statusRequest', decoders: { CH: statusRequestClient, SH: empty, CR: empty, CT: certificateStatus } }],
  // RFC 8446, Section 4.2.7; RFC 8422, Section 5.1.1
  [ExtensionType.supported_groups, { key: 'supportedGroups', decoders: { CH: groupList, EE: groupList } }],
  // RFC 8422, Section 5.1.2
  [ExtensionType.ec_point_formats, { key: 'ecPointFormats', decoders: { CH: pointFormats, SH: pointFormats } }],
  // RFC 8446, Section 4.2.3
  [ExtensionType.signature_algorithms, { key: 'signatureAlgorithms', decoders: { CH: sigList, CR: sigList } }],
  // RFC 6520, Section 2
  [ExtensionType.heartbeat, { key: 'heartbeat', decoders: { CH: heartbeat, SH: heartbeat, EE: heartbeat } }],
  // RFC 7301, Section 3.1
  [ExtensionType.application_layer_protocol_negotiation, { key: 'alpn', decoders: { CH: alpnList, SH: alpnSelected, EE: alpnSelected } }],
  // RFC 6962, Section 3.3.1; RFC 8446, Section 4.4.2.1
  [ExtensionType.signed_certificate_timestamp, { key: 'signedCertificateTimestamp', decoders: { CH: empty, CR: empty, SH: sctList, CT: sctList } }],
  // RFC 7685, Section 3
  [ExtensionType.padding, { key: 'padding', decoders: { CH: padding } }],
  // RFC 7366, Section 2
  [ExtensionType.encrypt_then_mac, { key: 'encryptThenMac', decoders: { CH: empty, SH: empty } }],
  // RFC 7627, Section 5.1
  [ExtensionType.extended_master_secret, { key: 'extendedMasterSecret', decoders: { CH: empty, SH: empty } }],
  // RFC 8879, Section 3
  [ExtensionType.compress_certificate, { key: 'compressCertificate', decoders: { CH: compressionAlgorithms, CR: compressionAlgorithms } }],
  // RFC 8449, Section 4
  [ExtensionType.record_size_limit, { key: 'recordSizeLimit', decoders: { CH: recordSizeLimit, SH: recordSizeLimit, EE: recordSizeLimit } }],
  // RFC 5077, Section 3.2 (the ClientHello body is the ticket, possibly empty; the ServerHello's is empty)
  [ExtensionType.session_ticket, { key: 'sessionTicket', decoders: { CH: (r) => r.rest('ticket'), SH: empty } }],
  // RFC 8446, Section 4.2.11
  [ExtensionType.pre_shared_key, { key: 'preSharedKey', decoders: { CH: offeredPsks, SH: (r) => r.u16('selected_identity') } }],
  // RFC 8446, Section 4.2.10
  [ExtensionType.early_data, { key: 'earlyData', decoders: { CH: empty, EE: empty, NST: (r) => r.u32('max_early_data_size') } }],
  // RFC 8446, Section 4.2.1
  [ExtensionType.supported_versions, { key: 'supportedVersions', decoders: { CH: versionsList, SH: selectedVersion, HRR: selectedVersion } }],
  // RFC 8446, Section 4.2.2
  [ExtensionType.cookie, { key: 'cookie', decoders: { CH: cookie, HRR: cookie } }],
  // RFC 8446, Section 4.2.9
  [ExtensionType.psk_key_exchange_modes, { key: 'pskKeyExchangeModes', decoders: { CH: pskModes } }],
  // RFC 8446, Section 4.2.4
  [ExtensionType.certificate_authorities, { key: 'certificateAuthorities', decoders: { CH: authorities, CR: authorities } }],
  // RFC 8446, Section 4.2.5 (kept raw)
  [ExtensionType.oid_filters, { key: 'oidFilters', decoders: { CR: (r) => r.rest('filters') } }],
  // RFC 8446, Section 4.2.6
  [ExtensionType.post_handshake_auth, { key: 'postHandshakeAuth', decoders: { CH: empty } }],
  // RFC 8446, Section 4.2.3
  [ExtensionType.signature_algorithms_cert, { key: 'signatureAlgorithmsCert', decoders: { CH: sigList, CR: sigList } }],
  // RFC 8446, Section 4.2.8
  [ExtensionType.key_share, { key: 'keyShare', decoders: { CH: keyShareClient, SH: keyShareServer, HRR: (r) => r.u16('selected_group') } }],
  // RFC 5746, Section 3.2: opaque renegotiated_connection<0..255>
  [ExtensionType.renegotiation_info, { key: 'renegotiationInfo', decoders: { CH: (r) => r.opaque8('renegotiated_connection'), SH: (r) => r.opaque8('renegotiated_connection') } }],
  // RFC 9849, Section 5 (ech_outer_extensions is left raw: it may only appear inside an EncodedClientHelloInner)
  [ExtensionType.encrypted_client_hello, { key: 'encryptedClientHello', decoders: { CH: readEchClientHello, HRR: readEchHelloRetryRequest, EE: readEchEncryptedExtensions } }],
]);

/** Code points this module decodes into typed values, with the contexts each is allowed in. */
export function typedExtensionContexts(): ReadonlyMap<number, readonly ExtensionContext[]> {
  return new Map([...CODECS].map(([code, c]) => [code, Object.keys(c.decoders) as ExtensionContext[]]));
}

function decodeBody(out: Record<string, unknown>, type: number, body: Reader, context: ExtensionContext, at: number): void {
  const codec = CODECS.get(type);
  if (!codec) return; // unknown (or GREASE): kept raw, ignored (RFC 8446, Section 4.2)
  const decode = codec.decoders[context];
  if (!decode) body.fail(undefined, `not allowed in a ${CONTEXT_LABEL[context]} (RFC 8446, Section 4.2)`, 'illegal_parameter', at);
  out[codec.key] = decode(body);
  body.end();
}

/**
 * Reads an `Extension extensions<min..2^16-1>` block from a message decoder's reader, checking every rule
 * above. Error paths come out as `ClientHello.extensions.key_share.client_shares[1].key_exchange`.
 */
export function readExtensions<C extends ExtensionContext>(r: Reader, context: C, min = 0): { list: Extension[]; ext: ExtensionsByContext[C] } {
  const v = r.vec16('extensions', min);
  const list: Extension[] = [];
  const ext: Record<string, unknown> = {};
  const seen = new Set<number>();
  let pskAt = -1;
  while (!v.atEnd()) {
    const at = v.pos;
    const type = v.u16('extension_type');
    const name = extensionName(type);
    const body = v.vec16(name);
    if (seen.has(type)) v.fail(name, 'the same extension appears twice (RFC 8446, Section 4.2)', 'illegal_parameter', at);
    seen.add(type);
    if (type === ExtensionType.pre_shared_key) pskAt = at;
    list.push({ type, data: body.buf.subarray(body.pos, body.limit) });
    decodeBody(ext, type, body, context, at);
  }
  if (context === 'CH' && pskAt >= 0 && list[list.length - 1]!.type !== ExtensionType.pre_shared_key) {
    v.fail('pre_shared_key', 'must be the last extension of a ClientHello (RFC 8446, Section 4.2.11)', 'illegal_parameter', pskAt);
  }
  return { list, ext: ext as ExtensionsByContext[C] };
}

/**
 * Decodes a list of wire extensions found in `context` into typed values, with the same checks as the
 * message decoders. Error offsets are then relative to each extension's body.
 */
export function parseExtensions<C extends ExtensionContext>(list: readonly Extension[], context: C): ExtensionsByContext[C] {
  const root = new Reader(new Uint8Array(0), `${CONTEXT_LABEL[context]}.extensions`);
  const out: Record<string, unknown> = {};
  const seen = new Set<number>();
  list.forEach((e, i) => {
    const name = extensionName(e.type);
    if (seen.has(e.type)) root.fail(name, 'the same extension appears twice (RFC 8446, Section 4.2)', 'illegal_parameter', 0);
    seen.add(e.type);
    if (context === 'CH' && e.type === ExtensionType.pre_shared_key && i !== list.length - 1) {
      root.fail(name, 'must be the last extension of a ClientHello (RFC 8446, Section 4.2.11)', 'illegal_parameter', 0);
    }
    decodeBody(out, e.type, new Reader(e.data, name, 0, e.data.length, root), context, 0);
  });
  return out as ExtensionsByContext[C];
}

/** Writes `Extension extensions<..2^16-1>`. */
export function writeExtensions(w: Writer, list: readonly Extension[]): void {
  w.u16Prefixed((w) => {
    for (const e of list) w.u16(e.type, 'extension_type').opaque16(e.data, extensionName(e.type));
  }, 'extensions');
}

export function findExtension(list: readonly Extension[], type: number): Extension | undefined {
  return list.find((e) => e.type === type);
}

// --- pre_shared_key binders (RFC 8446, Section 4.2.11.2) ------------------------------------------------------------

/**
 * Bytes the binders list takes at the very end of a ClientHello carrying `offered`: its 2-byte length, then a
 * 1-byte length and the value per binder. The PSK binder is computed over the ClientHello truncated by this
 * many bytes (see `handshake.ts` `truncateForBinders`).
 */
export function pskBindersLength(offered: { binders: readonly Uint8Array[] }): number {
  let n = 2;
  for (const b of offered.binders) n += 1 + b.length;
  return n;
}

// --- builders ------------------------------------------------------------------------------------------------------

function build(type: number, fn: (w: Writer) => void): Extension {
  const w = new Writer(64);
  fn(w);
  return { type, data: w.finish() };
}

const u16s = (field: string, values: readonly number[]) => (w: Writer) => {
  w.u16Prefixed((w) => values.forEach((v) => w.u16(v, field)), field);
};

/** Builders for the wire form of each extension, named after the message side that sends them. */
export const ext = {
  /** An extension with an empty body (acknowledgements: server_name in EE, extended_master_secret, ...). */
  empty(type: number): Extension {
    return { type, data: new Uint8Array(0) };
  },
  /** Any type with a given body (GREASE, extensions we do not model, deliberately malformed tests). */
  raw(type: number, data: Uint8Array = new Uint8Array(0)): Extension {
    return { type, data };
  },
  // RFC 6066, Section 3
  serverName(hosts: readonly string[]): Extension {
    return build(ExtensionType.server_name, (w) =>
      w.u16Prefixed((w) => hosts.forEach((h) => w.u8(0).opaque16(latin1Bytes(h, 'host_name'), 'host_name')), 'server_name_list'));
  },
  serverNameAck(): Extension {
    return ext.empty(ExtensionType.server_name);
  },
  // RFC 6066, Section 4
  maxFragmentLength(code: 1 | 2 | 3 | 4): Extension {
    return build(ExtensionType.max_fragment_length, (w) => w.u8(code));
  },
  // RFC 6066, Section 8: an OCSP request (ClientHello)
  statusRequest(req: { responderIds?: readonly Uint8Array[]; requestExtensions?: Uint8Array } = {}): Extension {
    return build(ExtensionType.status_request, (w) => {
      w.u8(CertificateStatusType.ocsp);
      w.u16Prefixed((w) => (req.responderIds ?? []).forEach((id) => w.opaque16(id, 'ResponderID')), 'responder_id_list');
      w.opaque16(req.requestExtensions ?? new Uint8Array(0), 'request_extensions');
    });
  },
  /** Empty status_request: a CertificateRequest asking for OCSP, a TLS 1.2 ServerHello promising it. */
  statusRequestEmpty(): Extension {
    return ext.empty(ExtensionType.status_request);
  },
  // RFC 8446, Section 4.4.2.1: the OCSP response in a CertificateEntry
  statusResponse(ocspResponse: Uint8Array): Extension {
    return build(ExtensionType.status_request, (w) => w.u8(CertificateStatusType.ocsp).opaque24(ocspResponse, 'ocsp_response'));
  },
  // RFC 8446, Section 4.2.7
  supportedGroups(groups: readonly number[]): Extension {
    return build(ExtensionType.supported_groups, u16s('named_group_list', groups));
  },
  // RFC 8422, Section 5.1.2
  ecPointFormats(formats: readonly number[] = [ECPointFormat.uncompressed]): Extension {
    return build(ExtensionType.ec_point_formats, (w) => w.u8Prefixed((w) => formats.forEach((f) => w.u8(f)), 'ec_point_format_list'));
  },
  // RFC 8446, Section 4.2.3
  signatureAlgorithms(schemes: readonly number[]): Extension {
    return build(ExtensionType.signature_algorithms, u16s('supported_signature_algorithms', schemes));
  },
  signatureAlgorithmsCert(schemes: readonly number[]): Extension {
    return build(ExtensionType.signature_algorithms_cert, u16s('supported_signature_algorithms', schemes));
  },
  // RFC 6520, Section 2
  heartbeat(mode: number = HeartbeatMode.peer_not_allowed_to_send): Extension {
    return build(ExtensionType.heartbeat, (w) => w.u8(mode));
  },
  // RFC 7301, Section 3.1: the client's list, or the server's single choice (`alpn(['h2'])`)
  alpn(protocols: readonly string[]): Extension {
    return build(ExtensionType.application_layer_protocol_negotiation, (w) =>
      w.u16Prefixed((w) => protocols.forEach((p) => w.opaque8(latin1Bytes(p, 'protocol_name'), 'protocol_name')), 'protocol_name_list'));
  },
  // RFC 6962, Section 3.3.1: empty in a ClientHello or CertificateRequest
  sctRequest(): Extension {
    return ext.empty(ExtensionType.signed_certificate_timestamp);
  },
  // RFC 6962, Section 3.3: the SCT list in a CertificateEntry (or a TLS 1.2 ServerHello)
  sctList(scts: readonly Uint8Array[]): Extension {
    return build(ExtensionType.signed_certificate_timestamp, (w) => w.u16Prefixed((w) => scts.forEach((s) => w.opaque16(s, 'SerializedSCT')), 'sct_list'));
  },
  // RFC 7685, Section 3
  padding(length: number): Extension {
    return build(ExtensionType.padding, (w) => w.zeros(length));
  },
  // RFC 7366, Section 2
  encryptThenMac(): Extension {
    return ext.empty(ExtensionType.encrypt_then_mac);
  },
  // RFC 7627, Section 5.1
  extendedMasterSecret(): Extension {
    return ext.empty(ExtensionType.extended_master_secret);
  },
  // RFC 8879, Section 3
  compressCertificate(algorithms: readonly number[]): Extension {
    return build(ExtensionType.compress_certificate, (w) => w.u8Prefixed((w) => algorithms.forEach((a) => w.u16(a)), 'algorithms'));
  },
  // RFC 8449, Section 4
  recordSizeLimit(limit: number): Extension {
    return build(ExtensionType.record_size_limit, (w) => w.u16(limit, 'record_size_limit'));
  },
  // RFC 5077, Section 3.2
  sessionTicket(ticket: Uint8Array = new Uint8Array(0)): Extension {
    return { type: ExtensionType.session_ticket, data: ticket };
  },
  // RFC 8446, Section 4.2.11: identities and binders (use zero-filled binders of the right length first,
  // hash the truncated ClientHello, then patch the real ones in; see handshake.ts)
  preSharedKeyClient(offered: OfferedPsks): Extension {
    return build(ExtensionType.pre_shared_key, (w) => {
      w.u16Prefixed((w) => offered.identities.forEach((id) => w.opaque16(id.identity, 'identity').u32(id.obfuscatedTicketAge, 'obfuscated_ticket_age')), 'identities');
      w.u16Prefixed((w) => offered.binders.forEach((b) => w.opaque8(b, 'PskBinderEntry')), 'binders');
    });
  },
  preSharedKeyServer(selectedIdentity: number): Extension {
    return build(ExtensionType.pre_shared_key, (w) => w.u16(selectedIdentity, 'selected_identity'));
  },
  // RFC 8446, Section 4.2.10: empty in ClientHello and EncryptedExtensions
  earlyData(): Extension {
    return ext.empty(ExtensionType.early_data);
  },
  earlyDataTicket(maxEarlyDataSize: number): Extension {
    return build(ExtensionType.early_data, (w) => w.u32(maxEarlyDataSize, 'max_early_data_size'));
  },
  // RFC 8446, Section 4.2.1
  supportedVersionsClient(versions: readonly number[]): Extension {
    return build(ExtensionType.supported_versions, (w) => w.u8Prefixed((w) => versions.forEach((v) => w.u16(v, 'versions')), 'versions'));
  },
  supportedVersionsServer(version: number): Extension {
    return build(ExtensionType.supported_versions, (w) => w.u16(version, 'selected_version'));
  },
  // RFC 8446, Section 4.2.2
  cookie(value: Uint8Array): Extension {
    return build(ExtensionType.cookie, (w) => w.opaque16(value, 'cookie'));
  },
  // RFC 8446, Section 4.2.9
  pskKeyExchangeModes(modes: readonly number[] = [PskKeyExchangeMode.psk_dhe_ke]): Extension {
    return build(ExtensionType.psk_key_exchange_modes, (w) => w.u8Prefixed((w) => modes.forEach((m) => w.u8(m)), 'ke_modes'));
  },
  // RFC 8446, Section 4.2.4: DER-encoded distinguished names
  certificateAuthorities(names: readonly Uint8Array[]): Extension {
    return build(ExtensionType.certificate_authorities, (w) => w.u16Prefixed((w) => names.forEach((n) => w.opaque16(n, 'DistinguishedName')), 'authorities'));
  },
  // RFC 8446, Section 4.2.5: the OIDFilterExtension body, already encoded
  oidFilters(body: Uint8Array): Extension {
    return { type: ExtensionType.oid_filters, data: body };
  },
  // RFC 8446, Section 4.2.6
  postHandshakeAuth(): Extension {
    return ext.empty(ExtensionType.post_handshake_auth);
  },
  // RFC 8446, Section 4.2.8
  keyShareClient(shares: readonly KeyShareEntry[]): Extension {
    return build(ExtensionType.key_share, (w) =>
      w.u16Prefixed((w) => shares.forEach((s) => w.u16(s.group, 'group').opaque16(s.keyExchange, 'key_exchange')), 'client_shares'));
  },
  keyShareServer(share: KeyShareEntry): Extension {
    return build(ExtensionType.key_share, (w) => w.u16(share.group, 'group').opaque16(share.keyExchange, 'key_exchange'));
  },
  keyShareHelloRetry(selectedGroup: number): Extension {
    return build(ExtensionType.key_share, (w) => w.u16(selectedGroup, 'selected_group'));
  },
  // RFC 5746, Section 3.2
  renegotiationInfo(renegotiatedConnection: Uint8Array = new Uint8Array(0)): Extension {
    return build(ExtensionType.renegotiation_info, (w) => w.opaque8(renegotiatedConnection, 'renegotiated_connection'));
  },
  // RFC 8701, Section 2: a GREASE extension (empty or with a little noise)
  grease(code: number, data: Uint8Array = new Uint8Array(0)): Extension {
    return { type: code, data };
  },
};
