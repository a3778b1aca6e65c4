// The session panel's words, without a DOM: one line per trace event (in the spirit of the terminal printer,
// engine/trace/format-text.ts), the category each event is filtered by, the decoded-fields tree with code
// points named from the registries, and hex-dump rows. Events arrive in their JSON form (bytes as hex
// strings) and come from a peer, so nothing here trusts a field's type: every read is checked.
import { contentTypeName } from '../../engine/registry/content-types';
import { extensionName } from '../../engine/registry/extensions';
import { groupName } from '../../engine/registry/groups';
import { handshakeTypeByName, handshakeTypeName } from '../../engine/registry/handshake-types';
import { sigSchemeName } from '../../engine/registry/sigschemes';
import { suiteName } from '../../engine/registry/suites';
import { versionName } from '../../engine/registry/versions';
import { t, ts } from '../shared/l10n';
import type { AlertGlossary, TraceEventJson } from '../shared/protocol';

// ---- categories and filtering ----------------------------------------------------------------------------------

export type Category = 'handshake' | 'record' | 'alert' | 'keys' | 'data' | 'api' | 'error' | 'info';

export const CATEGORIES: readonly { id: Category; label: string; shownByDefault: boolean }[] = [
  { id: 'handshake', label: 'Handshake', shownByDefault: true },
  { id: 'record', label: 'Records', shownByDefault: false },
  { id: 'alert', label: 'Alerts', shownByDefault: true },
  { id: 'keys', label: 'Keys/state', shownByDefault: false },
  { id: 'data', label: 'Data', shownByDefault: true },
  { id: 'api', label: 'API', shownByDefault: true },
  { id: 'error', label: 'Errors', shownByDefault: true },
  { id: 'info', label: 'Info', shownByDefault: true },
];

export interface FilterState {
  text: string;
  kinds: Record<Category, boolean>;
}

export function defaultFilter(): FilterState {
  return { text: '', kinds: Object.fromEntries(CATEGORIES.map((c) => [c.id, c.shownByDefault])) as Record<Category, boolean> };
}

/** A filter state read back from storage: anything missing or malformed falls back to the defaults. */
export function sanitizeFilter(v: unknown): FilterState {
  const f = defaultFilter();
  if (!v || typeof v !== 'object') return f;
  const o = v as { text?: unknown; kinds?: unknown };
  if (typeof o.text === 'string') f.text = o.text;
  if (o.kinds && typeof o.kinds === 'object') {
    for (const c of CATEGORIES) {
      const k = (o.kinds as Record<string, unknown>)[c.id];
      if (typeof k === 'boolean') f.kinds[c.id] = k;
    }
  }
  return f;
}

/** What a row is matched on: its category and its description, lower-cased once. */
export interface Filterable {
  category: Category;
  search: string;
}

/** Compiles a filter once: the kind must be on, and every whitespace-separated word of the text must occur. */
export function compileFilter(f: FilterState): (r: Filterable) => boolean {
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean);
  return (r) => f.kinds[r.category] === true && words.every((w) => r.search.includes(w));
}

export function matchesFilter(r: Filterable, f: FilterState): boolean {
  return compileFilter(f)(r);
}

// ---- one line per event ----------------------------------------------------------------------------------------

export type Tone = 'normal' | 'muted' | 'good' | 'warn' | 'error';

export interface EventLine {
  category: Category;
  /** `C` or `S`: which endpoint emitted it. */
  side: 'C' | 'S';
  /** `>>` sent by that side, `<<` received, empty for events without a direction. */
  arrow: '>>' | '<<' | '';
  /** Seconds with 3 decimals. */
  time: string;
  /** The event's name: `ClientHello`, `Record`, `Alert`, `SSL_connect`... (may be empty for info lines). */
  title: string;
  /** The rest of the line. */
  detail: string;
  tone: Tone;
}

/** The whole description, as the text filter sees it. */
export function lineText(l: EventLine): string {
  return l.title && l.detail ? `${l.title} ${l.detail}` : l.title || l.detail;
}

export function formatTime(t: unknown): string {
  return typeof t === 'number' && Number.isFinite(t) ? (t / 1000).toFixed(3) : '–';
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown, dflt = '?'): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : dflt);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const codes = (v: unknown, f: (n: number) => string): string => arr(v).map((x) => (typeof x === 'number' ? f(x) : str(x))).join(', ');

/** `client_hello` -> `ClientHello`: the registry's label when the type byte agrees (a HelloRetryRequest is a
 *  ServerHello on the wire, type 2, not the drafts' type 6), else the name in CamelCase. */
export function messageTitle(name: string, msgType?: number): string {
  const row = handshakeTypeByName(name);
  if (row && row.name === name && (msgType === undefined || row.code === msgType)) return row.label;
  return name.split('_').filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('').replace('Ee', 'EE') || name;
}

export function describeEvent(e: TraceEventJson, glossary: AlertGlossary = {}): EventLine {
  const a = e as Record<string, unknown>;
  const base = {
    side: (e.side === 'server' ? 'S' : 'C') as 'C' | 'S',
    arrow: (a.dir === 'out' ? '>>' : a.dir === 'in' ? '<<' : '') as EventLine['arrow'],
    time: formatTime(e.t),
  };
  switch (e.kind) {
    case 'handshake': {
      const name = str(a.name, handshakeTypeName(num(a.msgType) ?? -1));
      const len = num(a.length);
      const parts = handshakeParts(name, obj(a.fields));
      return { ...base, category: 'handshake', title: messageTitle(name, num(a.msgType)), detail: `${t('({0} bytes)', len ?? '?')}${parts.length ? `: ${parts.join('; ')}` : ''}`, tone: 'normal' };
    }
    case 'record': {
      const version = num(a.version);
      const inner = a.inner ? obj(a.inner) : undefined;
      let detail = `${str(a.contentTypeName, contentTypeName(num(a.contentType) ?? -1))} ${version !== undefined ? versionName(version) : '?'} len=${str(a.length)}`;
      if (inner) {
        const pad = num(inner.padding);
        detail += ` [${t('{0} epoch', str(a.epoch))}${a.seq !== undefined ? `, seq ${str(a.seq)}` : ''}: ${str(inner.contentTypeName, contentTypeName(num(inner.contentType) ?? -1))} ${pad ? t('{0} bytes + {1} bytes padding', str(inner.length), pad) : t('{0} bytes', str(inner.length))}]`;
      } else if (a.epoch !== undefined && a.epoch !== 'plaintext') {
        detail += ` [${t('{0} epoch', str(a.epoch))}]`;
      }
      return { ...base, category: 'record', title: t('Record'), detail, tone: 'muted' };
    }
    case 'alert': {
      const name = str(a.name);
      // The glossary is the host's (in the display language); an event's own description is the engine's English.
      const description = glossary[name]?.description ?? (typeof a.description === 'string' ? t(a.description) : '');
      const fatal = a.level === 'fatal';
      return { ...base, category: 'alert', title: t('Alert'), detail: `${a.level === 'fatal' ? t('fatal') : a.level === 'warning' ? t('warning') : str(a.level)} ${name} (${str(a.code)})${description ? `: ${description}` : ''}`, tone: fatal ? 'error' : name === 'close_notify' || name === 'user_canceled' ? 'normal' : 'warn' };
    }
    case 'state':
      return { ...base, category: 'keys', title: t('State'), detail: `${str(a.from)} → ${str(a.to)}`, tone: 'muted' };
    case 'keys': {
      const gen = num(a.generation) ?? 0;
      return { ...base, category: 'keys', title: t('Keys'), detail: `${str(a.dir)}: ${t('{0} epoch', str(a.epoch))}${gen > 1 ? ` ${t('(update {0})', gen - 1)}` : ''}, ${str(a.suite)}`, tone: 'muted' };
    }
    case 'negotiated': {
      const parts = [str(a.version), str(a.suite)];
      if (a.group) parts.push(str(a.group));
      if (a.signatureScheme) parts.push(str(a.signatureScheme));
      if (a.alpn) parts.push(`ALPN ${str(a.alpn)}`);
      if (a.helloRetry) parts.push(t('after HelloRetryRequest'));
      if (a.resumed) parts.push(t('resumed'));
      if (a.earlyData === 'accepted') parts.push(t('early data accepted'));
      if (a.earlyData === 'rejected') parts.push(t('early data rejected'));
      return { ...base, category: 'handshake', title: t('Negotiated'), detail: parts.join(', '), tone: 'good' };
    }
    case 'app-data':
      return { ...base, category: 'data', title: t('Application data'), detail: t('{0} bytes', str(a.length)), tone: 'normal' };
    case 'api': {
      const err = a.error ? obj(a.error) : undefined;
      const errName = err ? str(err.name) : '';
      const tone: Tone = !err || errName === 'SSL_ERROR_NONE' ? 'normal' : /WANT_|ZERO_RETURN/.test(errName) ? 'warn' : 'error';
      const queue = arr(a.queue);
      return { ...base, category: 'api', title: str(a.call), detail: `= ${str(a.ret)}${err ? ` (${errName}: ${t(str(err.meaning, ''))})` : ''}${queue.length ? ` ${queue.length > 1 ? t('[{0} queued errors]', queue.length) : t('[1 queued error]')}` : ''}`, tone };
    }
    case 'error': {
      const place = a.place ? obj(a.place) : undefined;
      let detail = ts(str(a.message, 'error'));
      if (a.alert) detail += ` ${t('[alert {0}]', str(a.alert))}`;
      if (place && (place.field !== undefined || place.offset !== undefined)) {
        const at = [place.field !== undefined ? str(place.field) : '', place.offset !== undefined ? t('offset {0}', str(place.offset)) : ''].filter(Boolean).join(', ');
        detail += ` ${t('(at {0})', at)}`;
      }
      return { ...base, category: 'error', title: t('Error'), detail, tone: 'error' };
    }
    case 'info':
      return { ...base, category: 'info', title: '', detail: ts(str(a.message, '')), tone: 'muted' };
    case 'preamble': {
      // A proxy's or STARTTLS step before TLS (engine/transport): the first line here, the rest in the detail.
      const lines = str(a.text, '').split('\n');
      return { ...base, category: 'info', title: `${str(a.protocol)} ${str(a.step)}`, detail: lines.length > 1 ? `${lines[0]} (+${lines.length - 1})` : lines[0]!, tone: 'normal' };
    }
    case 'ech': {
      // Encrypted Client Hello (RFC 9849): the verdict, and the ClientHelloInner's key fields when the event has it.
      const inner = a.inner ? obj(obj(a.inner).fields) : undefined;
      const parts = inner ? handshakeParts('client_hello', inner) : [];
      return { ...base, category: 'handshake', title: 'ECH', detail: `${ts(str(a.message, ''))}${parts.length ? ` · ClientHelloInner: ${parts.join('; ')}` : ''}`, tone: a.status === 'rejected' ? 'warn' : a.status === 'accepted' ? 'good' : 'normal' };
    }
    default: {
      const { kind, t: _t, side: _s, ...rest } = a;
      let json = '';
      try {
        json = JSON.stringify(rest);
      } catch {
        json = '';
      }
      return { ...base, category: 'info', title: str(kind), detail: json.length > 200 ? `${json.slice(0, 199)}…` : json, tone: 'muted' };
    }
  }
}

/** The key fields of a handshake message, as the terminal printer picks them. */
function handshakeParts(name: string, f: Record<string, unknown>): string[] {
  const ext = obj(f.ext);
  const parts: string[] = [];
  switch (name) {
    case 'client_hello': {
      if (ext.serverName) parts.push(`SNI ${arr(ext.serverName).map((s) => str(s)).join(', ')}`);
      if (ext.supportedVersions) parts.push(t('versions {0}', codes(ext.supportedVersions, versionName)));
      if (Array.isArray(f.cipherSuites)) parts.push(t('suites {0}', codes(f.cipherSuites, (c) => suiteName(c))));
      if (ext.supportedGroups) parts.push(t('groups {0}', codes(ext.supportedGroups, (g) => groupName(g))));
      if (ext.keyShare) parts.push(`key_share ${arr(ext.keyShare).map((k) => groupOf(obj(k).group)).join(', ')}`);
      if (ext.signatureAlgorithms) parts.push(t('sigalgs {0}', codes(ext.signatureAlgorithms, (s) => sigSchemeName(s))));
      if (ext.alpn) parts.push(`ALPN ${arr(ext.alpn).map((s) => str(s)).join(', ')}`);
      if (ext.preSharedKey) parts.push(arr(obj(ext.preSharedKey).identities).length === 1 ? t('PSK 1 identity') : t('PSK {0} identities', arr(obj(ext.preSharedKey).identities).length));
      if (ext.earlyData) parts.push('early_data');
      if (ext.cookie) parts.push('cookie');
      break;
    }
    case 'server_hello':
      parts.push(suiteName(num(f.cipherSuite) ?? -1));
      if (ext.supportedVersions !== undefined) parts.push(t('version {0}', versionName(num(ext.supportedVersions) ?? -1)));
      else if (num(f.legacyVersion) !== undefined) parts.push(t('version {0}', versionName(num(f.legacyVersion)!)));
      if (ext.extendedMasterSecret !== undefined) parts.push(t('extended master secret'));
      if (ext.encryptThenMac !== undefined) parts.push('encrypt-then-MAC');
      if (ext.keyShare) parts.push(`key_share ${groupOf(obj(ext.keyShare).group)}`);
      if (ext.preSharedKey !== undefined) parts.push(`PSK ${str(ext.preSharedKey)}`);
      break;
    case 'hello_retry_request':
      parts.push(suiteName(num(f.cipherSuite) ?? -1));
      if (ext.keyShare !== undefined) parts.push(t('wants {0}', groupOf(ext.keyShare)));
      if (ext.cookie) parts.push('cookie');
      break;
    case 'encrypted_extensions':
      parts.push(arr(f.extensions).map((x) => extensionName(num(obj(x).type) ?? -1)).join(', ') || t('none'));
      if (ext.alpn) parts.push(`ALPN ${str(ext.alpn)}`);
      if (ext.earlyData) parts.push(t('early data accepted'));
      break;
    case 'certificate': {
      const n = arr(f.certificateList).length;
      parts.push(n === 1 ? t('1 certificate') : t('{0} certificates', n));
      if (typeof f.certificateRequestContext === 'string' && f.certificateRequestContext) parts.push(t('context {0} bytes', f.certificateRequestContext.length / 2));
      break;
    }
    case 'certificate_request':
      if (ext.signatureAlgorithms) parts.push(t('sigalgs {0}', codes(ext.signatureAlgorithms, (s) => sigSchemeName(s))));
      if (ext.certificateAuthorities) parts.push(t('{0} CA name(s)', arr(ext.certificateAuthorities).length));
      if (Array.isArray(f.supportedSignatureAlgorithms)) parts.push(t('sigalgs {0}', codes(f.supportedSignatureAlgorithms, (s) => sigSchemeName(s))));
      if (Array.isArray(f.certificateAuthorities)) parts.push(t('{0} CA name(s)', f.certificateAuthorities.length));
      break;
    case 'certificate_verify':
      parts.push(num(f.algorithm) !== undefined ? sigSchemeName(num(f.algorithm)!) : t('MD5+SHA-1 / SHA-1 (TLS 1.1 and older)'));
      break;
    case 'server_key_exchange':
      // RFC 8422 section 5.4 / RFC 5246 section 7.4.3: the server's ephemeral key, signed over both randoms.
      if (f.keyExchange === 'ECDHE') parts.push(`ECDHE ${groupOf(f.namedCurve)}`, t('public {0} bytes', typeof f.point === 'string' ? f.point.length / 2 : '?'));
      else if (f.keyExchange === 'DHE') parts.push(t('DHE {0}-bit group', typeof f.dhP === 'string' ? Math.round((f.dhP.length / 2) * 8) : '?'), `g ${typeof f.dhG === 'string' ? parseInt(f.dhG.slice(0, 8) || '0', 16) : '?'}`);
      parts.push(t('signed {0}', num(f.algorithm) !== undefined ? sigSchemeName(num(f.algorithm)!) : 'MD5+SHA-1 / SHA-1'));
      break;
    case 'client_key_exchange':
      if (f.keyExchange === 'RSA') parts.push(t('RSA-encrypted premaster, {0} bytes', typeof f.encryptedPreMasterSecret === 'string' ? f.encryptedPreMasterSecret.length / 2 : '?'));
      else if (f.keyExchange === 'ECDHE') parts.push(t('ECDHE public {0} bytes', typeof f.point === 'string' ? f.point.length / 2 : '?'));
      else if (f.keyExchange === 'DHE') parts.push(t('DHE public {0} bytes', typeof f.dhYc === 'string' ? f.dhYc.length / 2 : '?'));
      break;
    case 'certificate_status':
      parts.push(t('OCSP response {0} bytes', typeof f.ocspResponse === 'string' ? f.ocspResponse.length / 2 : '?'));
      break;
    case 'finished':
      if (typeof f.verifyData === 'string') parts.push(t('verify_data {0} bytes {1}', f.verifyData.length / 2, f.verifyData.slice(0, 24)));
      break;
    case 'key_update':
      parts.push(f.requestUpdate ? 'update_requested' : 'update_not_requested');
      break;
    case 'new_session_ticket':
      parts.push(t('lifetime {0} s', str(f.ticketLifetime ?? f.ticketLifetimeHint)));
      if (typeof f.ticket === 'string') parts.push(t('ticket {0} bytes', f.ticket.length / 2));
      if (ext.earlyData !== undefined) parts.push(t('early data up to {0} bytes', str(ext.earlyData)));
      break;
  }
  return parts;
}

function groupOf(v: unknown): string {
  return typeof v === 'number' ? groupName(v) : str(v);
}

// ---- code points ----------------------------------------------------------------------------------------------

export type CodeSpace = 'suite' | 'group' | 'sigscheme' | 'extension' | 'version' | 'contentType' | 'handshakeType' | 'pskMode' | 'pointFormat' | 'certCompression' | 'compression';

/** Field names (from engine/msgs) whose numbers are code points, and of which registry. */
const KEY_SPACES: Record<string, CodeSpace> = {
  cipherSuites: 'suite', cipherSuite: 'suite',
  supportedGroups: 'group', group: 'group',
  signatureAlgorithms: 'sigscheme', signatureAlgorithmsCert: 'sigscheme', algorithm: 'sigscheme',
  supportedVersions: 'version', legacyVersion: 'version', version: 'version',
  contentType: 'contentType', msgType: 'handshakeType',
  pskKeyExchangeModes: 'pskMode', ecPointFormats: 'pointFormat', compressCertificate: 'certCompression',
  legacyCompressionMethods: 'compression', legacyCompressionMethod: 'compression',
};

const PSK_MODES: Record<number, string> = { 0: 'psk_ke', 1: 'psk_dhe_ke' };
const POINT_FORMATS: Record<number, string> = { 0: 'uncompressed', 1: 'ansiX962_compressed_prime', 2: 'ansiX962_compressed_char2' };
const CERT_COMPRESSION: Record<number, string> = { 1: 'zlib', 2: 'brotli', 3: 'zstd' };
const COMPRESSION: Record<number, string> = { 0: 'null', 1: 'DEFLATE' };

/** Which code space a number at `path` is in (path: property names and array indexes from the root). */
export function codeSpaceAt(path: readonly (string | number)[], value: unknown): CodeSpace | undefined {
  const key = [...path].reverse().find((p): p is string => typeof p === 'string');
  if (key === undefined) return undefined;
  if (key === 'type') {
    // { type, data } entries of an `extensions` list (the message's, or a CertificateEntry's)
    const i = path.lastIndexOf('type');
    return typeof path[i - 1] === 'number' && path[i - 2] === 'extensions' ? 'extension' : undefined;
  }
  // key_share is a bare group in a HelloRetryRequest
  if (key === 'keyShare' && typeof value === 'number') return 'group';
  return KEY_SPACES[key];
}

const hex = (n: number, digits: number) => `0x${n.toString(16).padStart(digits, '0')}`;

/** `0x1301 TLS_AES_128_GCM_SHA256`, `0x0017 P-256 (secp256r1)`, `0x002b supported_versions`; `0x9999 (unknown)`. */
export function codePointLabel(space: CodeSpace, n: number): string {
  let h = hex(n, 4);
  let name: string;
  switch (space) {
    case 'suite': {
      const iana = suiteName(n, 'iana');
      const ossl = suiteName(n, 'openssl');
      name = iana === ossl ? iana : `${iana} (${ossl})`;
      break;
    }
    case 'group': {
      const ossl = groupName(n);
      const iana = groupName(n, 'iana');
      name = iana === ossl ? ossl : `${ossl} (${iana})`;
      break;
    }
    case 'sigscheme': name = sigSchemeName(n); break;
    case 'extension': name = extensionName(n); break;
    case 'version': name = versionName(n); break;
    case 'certCompression': name = CERT_COMPRESSION[n] ?? h; break;
    default: {
      h = hex(n, 2);
      const table: Record<string, (c: number) => string | undefined> = {
        contentType: contentTypeName, handshakeType: handshakeTypeName,
        pskMode: (c) => PSK_MODES[c], pointFormat: (c) => POINT_FORMATS[c], compression: (c) => COMPRESSION[c],
      };
      name = table[space]?.(n) ?? h;
      if (name.startsWith('unknown(')) name = h;
    }
  }
  return name === h || name === hex(n, 4) ? `${h} (unknown)` : `${h} ${name}`;
}

// ---- decoded-fields tree ----------------------------------------------------------------------------------------

export type TreeKind = 'object' | 'array' | 'bytes' | 'code' | 'number' | 'string' | 'boolean' | 'null';

export interface TreeNode {
  /** The property name, or `[i]` for array items. */
  key: string;
  kind: TreeKind;
  /** Leaves: the value as shown. Containers: a one-line preview. Bytes: `N bytes`. */
  text: string;
  /** Bytes only: the lower-case hex. */
  hex?: string;
  children?: TreeNode[];
}

/** String fields that are text on the wire (the rest of the JSON form's strings are bytes as hex). */
const TEXT_KEYS = new Set(['type', 'name', 'serverName', 'alpn', 'contentTypeName', 'epoch', 'seq', 'level', 'description', 'message', 'suite', 'group', 'signatureScheme', 'version', 'call', 'meaning', 'from', 'to', 'earlyData', 'dir', 'kind', 'side', 'field']);

const HEX_RE = /^(?:[0-9a-f]{2})*$/;

/** Largest number of children built for one container (the rest are summarised). */
export const TREE_CHILD_LIMIT = 500;

export function buildTree(value: unknown, key = '', path: readonly (string | number)[] = []): TreeNode {
  if (value === null || value === undefined) return { key, kind: 'null', text: String(value) };
  if (typeof value === 'number') {
    const space = Number.isInteger(value) && value >= 0 && value <= 0xffff ? codeSpaceAt(path, value) : undefined;
    return space ? { key, kind: 'code', text: codePointLabel(space, value) } : { key, kind: 'number', text: String(value) };
  }
  if (typeof value === 'boolean') return { key, kind: 'boolean', text: String(value) };
  if (typeof value === 'string') {
    const textual = [...path].reverse().find((p) => typeof p === 'string');
    if (!TEXT_KEYS.has(String(textual)) && HEX_RE.test(value)) return { key, kind: 'bytes', text: `${value.length / 2} bytes`, hex: value };
    return { key, kind: 'string', text: JSON.stringify(value) };
  }
  if (Array.isArray(value)) {
    const children = value.slice(0, TREE_CHILD_LIMIT).map((v, i) => buildTree(v, `[${i}]`, [...path, i]));
    if (value.length > TREE_CHILD_LIMIT) children.push({ key: '…', kind: 'null', text: `${value.length - TREE_CHILD_LIMIT} more not shown` });
    return { key, kind: 'array', text: `${value.length} item${value.length === 1 ? '' : 's'}`, children };
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const children = entries.slice(0, TREE_CHILD_LIMIT).map(([k, v]) => buildTree(v, k, [...path, k]));
    return { key, kind: 'object', text: objectPreview(children), children };
  }
  return { key, kind: 'string', text: String(value) };
}

/** `0x0000 server_name · 14 bytes` for an extension, `X25519 · 32 bytes` for a key share, else a field count. */
function objectPreview(children: TreeNode[]): string {
  const by = new Map(children.map((c) => [c.key, c]));
  const type = by.get('type');
  const data = by.get('data');
  if (type?.kind === 'code' && data?.kind === 'bytes') return `${type.text} · ${data.text}`;
  const group = by.get('group');
  const share = by.get('keyExchange');
  if (group?.kind === 'code' && share?.kind === 'bytes') return `${group.text.replace(/^0x[0-9a-f]+ /, '')} · ${share.text}`;
  return `${children.length} field${children.length === 1 ? '' : 's'}`;
}

// ---- hex view ---------------------------------------------------------------------------------------------------

export interface HexRow {
  offset: string;
  /** 16 bytes as `16 03 03 00 ea 01 00 00  e6 03 ...`, padded to full width so the ASCII column lines up. */
  hex: string;
  ascii: string;
}

/** Characters in a full row's hex column: 16 two-digit bytes, 15 separators, one extra gap after byte 8. */
export const HEX_ROW_WIDTH = 48;

/** Rows of a hex dump (16 bytes a row) of `hexString`, from byte `from`, at most `maxRows` rows. */
export function hexRows(hexString: string, maxRows = Infinity, from = 0): HexRow[] {
  let clean = hexString.toLowerCase();
  if (!HEX_RE.test(clean)) {
    clean = clean.replace(/[^0-9a-f]/g, '');
    if (clean.length % 2) clean = clean.slice(0, -1);
  }
  const total = clean.length / 2;
  const digits = total > 0xffff ? 8 : 4;
  const rows: HexRow[] = [];
  for (let at = from; at < total && rows.length < maxRows; at += 16) {
    const bytes: string[] = [];
    let ascii = '';
    for (let i = at; i < Math.min(at + 16, total); i++) {
      const b = clean.slice(2 * i, 2 * i + 2);
      bytes.push(b);
      const c = parseInt(b, 16);
      ascii += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
    }
    const left = bytes.slice(0, 8).join(' ');
    const right = bytes.slice(8).join(' ');
    rows.push({ offset: at.toString(16).padStart(digits, '0'), hex: (right ? `${left}  ${right}` : left).padEnd(HEX_ROW_WIDTH), ascii });
  }
  return rows;
}

/** Byte count of a hex string. */
export function hexLength(h: string): number {
  return Math.floor(h.replace(/[^0-9a-fA-F]/g, '').length / 2);
}

// ---- summary helpers --------------------------------------------------------------------------------------------

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const s = n === 1 ? t('1 byte') : t('{0} bytes', n.toLocaleString('en-US'));
  return n >= 10240 ? `${s} (${(n / 1024).toFixed(1)} KiB)` : s;
}

export function formatMs(ms: number): string {
  return !Number.isFinite(ms) ? '?' : ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

// ---- revocation: the stapled OCSP verdict and each certificate's pointers ----------------------------------------

export interface RevocationSection {
  /** The badge: its word and the verification state class it borrows (verif-ok / -failed / -not-performed). */
  badge: { word: string; state: 'ok' | 'failed' | 'not-performed' };
  headline: string;
  lines: { text: string; tone: Tone }[];
}

/**
 * The summary's Revocation section from SessionSummary.revocation; undefined when there is none (serve sessions).
 * Read as data (it crosses the webview boundary): a malformed field shows as missing, never throws.
 */
export function revocationSection(rev: unknown): RevocationSection | undefined {
  if (!rev || typeof rev !== 'object') return undefined;
  const r = obj(rev);
  const pointers = arr(r.pointers);
  const lines: RevocationSection['lines'] = [];
  const where = pointers.length ? t('Each certificate\'s CRL and OCSP addresses are on its card (not fetched).') : '';
  const st = r.stapled && typeof r.stapled === 'object' ? obj(r.stapled) : undefined;
  if (!st) {
    if (where) lines.push({ text: where, tone: 'muted' });
    return {
      badge: { word: t('no staple'), state: 'not-performed' },
      headline: r.requested === true ? t('The server stapled no OCSP response, though one was asked for (status_request).') : t('No stapled OCSP response was asked for, so the status of the certificate is not known here.'),
      lines,
    };
  }
  const status = str(st.status, 'invalid');
  const verified = st.verified === true;
  const badge: RevocationSection['badge'] = !verified ? { word: t('staple invalid'), state: 'failed' }
    : status === 'good' ? { word: t('good'), state: 'ok' }
      : status === 'revoked' ? { word: t('revoked'), state: 'failed' } : { word: str(status), state: 'not-performed' };
  if (typeof st.thisUpdate === 'string') lines.push({ text: typeof st.nextUpdate === 'string' ? t('This update {0}, next update {1}', st.thisUpdate, st.nextUpdate) : t('This update {0} (no next update given)', st.thisUpdate), tone: 'muted' });
  for (const f of arr(st.findings)) if (typeof f === 'string') lines.push({ text: f, tone: badge.state === 'failed' ? 'error' : 'warn' });
  if (where) lines.push({ text: where, tone: 'muted' });
  return { badge, headline: str(st.text, `OCSP: ${status}`), lines };
}

/** A certificate card's revocation rows (`depth`: its place in the chain): its OCSP and CRL URLs, or why there are none. */
export function pointerRows(rev: unknown, depth: number): [string, string][] {
  const p = arr(obj(rev).pointers).map(obj).find((x) => x.depth === depth);
  if (!p) return [];
  const urls = (v: unknown) => arr(v).filter((u): u is string => typeof u === 'string');
  const rows: [string, string][] = [];
  if (urls(p.ocsp).length) rows.push(['OCSP', urls(p.ocsp).join(', ')]);
  if (urls(p.crl).length) rows.push(['CRL', urls(p.crl).join(', ')]);
  if (!rows.length && typeof p.summary === 'string') rows.push([t('Revocation'), p.summary]);
  return rows;
}

// ---- byte spans: which bytes are which field ----

/** A named byte range [start, end) of a record or message, for the linked hex view. */
export interface ByteSpan {
  label: string;
  start: number;
  end: number;
}

/**
 * The spans the engine noted while decoding a handshake message (event.spans: full field paths), validated (the
 * event is data) and labelled without the message name: `ClientHello.extensions.key_share` -> `extensions.key_share`.
 */
export function handshakeSpans(e: TraceEventJson, total: number): ByteSpan[] {
  const raw = (e as Record<string, unknown>).spans;
  if (!Array.isArray(raw)) return [];
  const out: ByteSpan[] = [];
  for (const s of raw) {
    if (!s || typeof s !== 'object') continue;
    const { path, start, end } = s as Record<string, unknown>;
    if (typeof path !== 'string' || !Number.isInteger(start) || !Number.isInteger(end)) continue;
    const a = start as number;
    const b = end as number;
    if (a < 0 || b > total || b <= a) continue;
    const dot = path.indexOf('.');
    out.push({ label: dot > 0 ? path.slice(dot + 1) : path, start: a, end: b });
  }
  return out;
}

/** A record's header fields (RFC 8446 section 5.1 / RFC 5246 section 6.2.1) and its payload. */
export function recordSpans(total: number, protectedRecord: boolean): ByteSpan[] {
  if (total < 5) return [];
  const spans: ByteSpan[] = [
    { label: 'type', start: 0, end: 1 },
    { label: 'legacy_record_version', start: 1, end: 3 },
    { label: 'length', start: 3, end: 5 },
  ];
  if (total > 5) spans.push({ label: protectedRecord ? 'encrypted_record (ciphertext, then the AEAD tag)' : 'fragment', start: 5, end: total });
  return spans;
}

/** The narrowest span holding byte `i` (the most specific field), if any. */
export function spanAt(spans: readonly ByteSpan[], i: number): ByteSpan | undefined {
  let best: ByteSpan | undefined;
  for (const s of spans) if (s.start <= i && i < s.end && (!best || s.end - s.start < best.end - best.start)) best = s;
  return best;
}

/** Offset and size as the field list shows them: `@38 +1`. */
export function spanPlace(s: ByteSpan): string {
  return `@${s.start} +${s.end - s.start}`;
}
