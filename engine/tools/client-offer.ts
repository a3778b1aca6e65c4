// What a client offered in its ClientHello, as a server sees it (for `tlslens serve` and Serve TLS Here): versions,
// suites, groups (post-quantum hybrids marked), key shares, signature algorithms, ALPN, SNI, the extensions in wire
// order, GREASE values named as GREASE (RFC 8701), and the JA4 fingerprint. When our server refuses the client,
// `explainRefusal` says why in plain words by comparing the offer with what the server accepts.
import type { ClientHello } from '../msgs/handshake';
import { decodeClientHello } from '../msgs/handshake';
import { extensionName, hexCode, isGrease } from '../registry/extensions';
import { groupByCode, groupName } from '../registry/groups';
import { sigSchemeName } from '../registry/sigschemes';
import { suiteByCode, suiteName } from '../registry/suites';
import { versionName } from '../registry/versions';
import { DEFAULT_GROUPS, DEFAULT_SUITES } from '../conn/config';
import { DEFAULT_SUITES_12, suiteFitsKey } from '../handshake/tls12/common';
import type { Signer } from '../crypto/provider';
import { dtlsVersion, ja4OfClientHello, type Ja4, type Ja4Transport } from './ja4';
import type { TraceEvent } from '../trace/events';

/** A code point with its registry name; `grease` when it is an RFC 8701 GREASE value. */
export interface Named {
  code: number;
  name: string;
  grease?: true;
}

export interface OfferedGroup extends Named {
  kind?: string;
  /** A post-quantum group: an ML-KEM hybrid (X25519MLKEM768...) or ML-KEM alone. */
  postQuantum?: true;
}

export interface ClientOffer {
  /** ClientHello.legacy_version. */
  legacyVersion: Named;
  /** supported_versions in the client's order, or the legacy version alone when the extension is absent. */
  versions: Named[];
  suites: Named[];
  groups: OfferedGroup[];
  keyShares: (OfferedGroup & { length: number })[];
  signatureAlgorithms: Named[];
  signatureAlgorithmsCert?: Named[];
  alpn: string[];
  serverName?: string;
  extensions: (Named & { length: number })[];
  compressionMethods: number[];
  /** Every GREASE value, by where it was found. */
  grease: { field: string; code: number }[];
  ja4: Ja4;
}

const named = (code: number, name: string): Named => (isGrease(code) ? { code, name, grease: true } : { code, name });

function group(code: number): OfferedGroup {
  const row = groupByCode(code);
  const g: OfferedGroup = { ...named(code, groupName(code)), ...(row ? { kind: row.kind } : {}) };
  if (row?.kind === 'hybrid' || row?.kind === 'kem') g.postQuantum = true;
  return g;
}

/** The offer in a decoded ClientHello (a trace event's `fields`, or `decodeClientHello`). */
export function clientOfferOf(ch: ClientHello, transport: Ja4Transport = 't'): ClientOffer {
  const e = ch.ext;
  const grease: ClientOffer['grease'] = [];
  const note = (field: string, codes: readonly number[] | undefined) => codes?.forEach((c) => isGrease(c) && grease.push({ field, code: c }));
  note('cipher_suites', ch.cipherSuites);
  note('extensions', ch.extensions.map((x) => x.type));
  note('supported_versions', e.supportedVersions);
  note('supported_groups', e.supportedGroups);
  note('key_share', e.keyShare?.map((k) => k.group));
  note('signature_algorithms', e.signatureAlgorithms);
  // A DTLS hello reaches us in TLS form: its versions are named as DTLS ones.
  const wire = transport === 'd' ? dtlsVersion : (v: number) => v;
  return {
    legacyVersion: named(wire(ch.legacyVersion), versionName(wire(ch.legacyVersion))),
    versions: (e.supportedVersions ?? [ch.legacyVersion]).map(wire).map((v) => named(v, versionName(v))),
    suites: ch.cipherSuites.map((c) => named(c, suiteName(c, 'iana'))),
    groups: (e.supportedGroups ?? []).map(group),
    keyShares: (e.keyShare ?? []).map((k) => ({ ...group(k.group), length: k.keyExchange.length })),
    signatureAlgorithms: (e.signatureAlgorithms ?? []).map((s) => named(s, sigSchemeName(s))),
    ...(e.signatureAlgorithmsCert ? { signatureAlgorithmsCert: e.signatureAlgorithmsCert.map((s) => named(s, sigSchemeName(s))) } : {}),
    alpn: e.alpn ?? [],
    ...(e.serverName?.length ? { serverName: e.serverName[0]! } : {}),
    extensions: ch.extensions.map((x) => ({ ...named(x.type, extensionName(x.type)), length: x.data.length })),
    compressionMethods: ch.legacyCompressionMethods,
    grease,
    ja4: ja4OfClientHello(ch, transport),
  };
}

/** The offer in a ClientHello handshake message (4-byte header included). */
export function clientOfferOfBytes(raw: Uint8Array, transport: Ja4Transport = 't'): ClientOffer {
  return clientOfferOf(decodeClientHello(raw), transport);
}

const names = (xs: Named[]) => xs.map((x) => x.name).join(', ') || '(none)';

/** The offer as lines of text, for the terminal and the session panel. */
export function clientOfferText(o: ClientOffer): string[] {
  const pq = o.groups.filter((g) => g.postQuantum);
  return [
    'Client offer',
    `  SNI              : ${o.serverName ?? '(none)'}`,
    `  Versions         : ${names(o.versions)}${o.versions.length === 1 && o.versions[0]!.code === o.legacyVersion.code ? ' (legacy_version; no supported_versions)' : ''}`,
    `  Cipher suites    : ${names(o.suites)}`,
    `  Groups           : ${names(o.groups)}${pq.length ? ` (post-quantum: ${pq.map((g) => g.name).join(', ')})` : ''}`,
    `  Key shares       : ${o.keyShares.map((k) => `${k.name} (${k.length} bytes)`).join(', ') || '(none)'}`,
    `  Signature algs   : ${names(o.signatureAlgorithms)}`,
    ...(o.signatureAlgorithmsCert ? [`  Signature (certs): ${names(o.signatureAlgorithmsCert)}`] : []),
    `  ALPN             : ${o.alpn.join(', ') || '(none)'}`,
    `  Extensions       : ${o.extensions.map((x) => x.name).join(', ') || '(none)'}`,
    `  GREASE (RFC 8701): ${o.grease.length ? o.grease.map((g) => `${hexCode(g.code)} in ${g.field}`).join(', ') : 'none'}`,
    `  JA4              : ${o.ja4.ja4}`,
    `  JA4_r            : ${o.ja4.ja4_r}`,
  ];
}

/** What our server accepts, as far as a refusal depends on it (the server's ConnectionConfig, defaults applied here). */
export interface ServerPolicy {
  minVersion?: number;
  maxVersion?: number;
  cipherSuites?: number[];
  cipherSuites12?: number[];
  groups?: number[];
  signer?: Pick<Signer, 'schemes' | 'schemes12' | 'keyKind'>;
  alpn?: string[];
  clientAuth?: 'none' | 'request' | 'require';
}

export type RefusalCheck = 'version' | 'suite' | 'group' | 'signature' | 'alpn' | 'client-certificate' | 'other';

export interface Refusal {
  check: RefusalCheck;
  /** One sentence, starting with what is missing: "no shared group: the client offered only X25519MLKEM768; ...". */
  reason: string;
}

const only = (xs: string[]) => (xs.length === 1 ? `only ${xs[0]}` : xs.length ? xs.join(', ') : 'none');
const real = <T extends Named>(xs: T[]): T[] => xs.filter((x) => !x.grease);

/** Which checks each failing field points at (ErrorPlace.field of the server's ProtocolError). */
const FIELD_CHECK: Readonly<Record<string, RefusalCheck>> = {
  supported_versions: 'version', legacy_version: 'version', cipher_suites: 'suite', supported_groups: 'group', key_share: 'group',
  signature_algorithms: 'signature', alpn: 'alpn', application_layer_protocol_negotiation: 'alpn',
};

/**
 * Why our server refused this offer, in plain words. The checks run in the order a server makes them (version,
 * suite, group, signature scheme, ALPN); `error` (the failure the server traced) picks the check when its field or
 * alert names one, and is quoted when no check explains it.
 */
export function explainRefusal(o: ClientOffer, policy: ServerPolicy, error?: { alert?: string; message: string; field?: string; place?: string }): Refusal {
  const findings = refusalFindings(o, policy);
  // After the hellos: the client's certificate or its CertificateVerify was refused; the server's own words say why.
  if (error?.place === 'Certificate' || error?.place === 'CertificateVerify') return { check: 'client-certificate', reason: `client certificate refused: ${error.message}` };
  const wanted = error?.field ? FIELD_CHECK[error.field] : error?.alert === 'protocol_version' ? 'version' : error?.alert === 'no_application_protocol' ? 'alpn'
    : error?.alert === 'certificate_required' ? 'client-certificate' : undefined;
  if (wanted === 'client-certificate') return { check: wanted, reason: 'no client certificate: this server requires one (-Verify) and the client sent none' };
  // A mismatch the offer shows explains a refusal better than the server's words, even when they name another field.
  const hit = (wanted && findings.find((f) => f.check === wanted)) ?? findings[0];
  if (hit) return hit;
  return { check: wanted ?? 'other', reason: error ? `${error.message}${error.alert ? ` (alert ${error.alert})` : ''}` : 'the handshake failed for a reason the offer does not show' };
}

/** Every mismatch between the offer and the policy, in the order a server meets them. */
export function refusalFindings(o: ClientOffer, policy: ServerPolicy): Refusal[] {
  const out: Refusal[] = [];
  const min = policy.minVersion ?? 0x0303;
  const max = policy.maxVersion ?? 0x0304;
  // DTLS offers are compared in TLS form (DTLS 1.2 is TLS 1.2's version, RFC 6347 section 4.1), as the engine does.
  const tlsForm = (v: number) => (v === 0xfeff ? 0x0302 : v === 0xfefd ? 0x0303 : v === 0xfefc ? 0x0304 : v);
  const versions = real(o.versions).map((v) => tlsForm(v.code));
  const common = versions.filter((v) => v >= min && v <= max && v <= 0x0304);
  // Without supported_versions, legacy_version is the highest the client takes and anything below it is offered too.
  const legacy = tlsForm(o.legacyVersion.code);
  const legacyOnly = !versions.includes(0x0304) && o.versions.length === 1;
  const version = common.length ? Math.max(...common) : legacyOnly && legacy >= min ? Math.min(legacy, max) : undefined;
  if (version === undefined) {
    out.push({ check: 'version', reason: `no shared protocol version: the client offered ${only(real(o.versions).map((v) => v.name))}; this server accepts ${min === max ? versionName(min) : `${versionName(min)} to ${versionName(max)}`}` });
    return out;
  }
  const offeredSuites = real(o.suites).filter((s) => suiteByCode(s.code));
  const groupsOffered = real(o.groups);
  const ourGroups = policy.groups ?? DEFAULT_GROUPS;
  const sharedGroups = groupsOffered.filter((g) => ourGroups.includes(g.code));
  if (version === 0x0304) {
    const ours = policy.cipherSuites ?? DEFAULT_SUITES;
    if (!offeredSuites.some((s) => ours.includes(s.code)))
      out.push({ check: 'suite', reason: `no shared cipher suite: the client offered ${only(offeredSuites.filter((s) => suiteByCode(s.code)?.versions === 'tls13').map((s) => s.name))} for TLSv1.3; this server accepts ${only(ours.map((s) => suiteName(s, 'iana')))}` });
    if (!sharedGroups.length)
      out.push({ check: 'group', reason: `no shared group: the client offered ${only(groupsOffered.map((g) => g.name))}; this server accepts ${only(ourGroups.map((g) => groupName(g)))}` });
    const schemes = policy.signer?.schemes ?? [];
    const sigs = real(o.signatureAlgorithms);
    if (policy.signer && !sigs.some((s) => schemes.includes(s.code)))
      out.push({ check: 'signature', reason: `no shared signature scheme: the client accepts ${only(sigs.map((s) => s.name))}; this server's ${policy.signer.keyKind ?? ''} key can sign only with ${schemes.map((s) => sigSchemeName(s)).join(', ')}`.replace('  ', ' ') });
  } else {
    const ours = policy.cipherSuites12 ?? DEFAULT_SUITES_12;
    const both = offeredSuites.filter((s) => ours.includes(s.code));
    const keyKind = policy.signer?.keyKind;
    const fitting = both.filter((s) => suiteFitsKey(suiteByCode(s.code)!, version, keyKind));
    if (!both.length) {
      out.push({ check: 'suite', reason: `no shared cipher suite: the client offered ${only(offeredSuites.map((s) => s.name))} for ${versionName(version)}; this server accepts ${only(ours.map((s) => suiteName(s, 'iana')))}` });
    } else if (!fitting.length) {
      out.push({ check: 'suite', reason: `no shared cipher suite for this server's ${keyKind ?? ''} key: the suites both sides take (${both.map((s) => s.name).join(', ')}) need a key of another type`.replace('  ', ' ') });
    } else if (o.groups.length && fitting.every((s) => suiteByCode(s.code)!.kx === 'ECDHE') && !sharedGroups.some((g) => g.kind === 'ecdhe' || g.kind === 'xdh')) {
      out.push({ check: 'group', reason: `no shared group: the client offered ${only(groupsOffered.map((g) => g.name))} for its ECDHE suites; this server accepts ${only(ourGroups.filter((g) => g < 0x0100).map((g) => groupName(g)))}` });
    }
  }
  if (policy.alpn?.length && o.alpn.length && !o.alpn.some((p) => policy.alpn!.includes(p)))
    out.push({ check: 'alpn', reason: `no shared ALPN protocol: the client offered ${only(o.alpn)}; this server accepts ${only(policy.alpn)}` });
  return out;
}

/**
 * A trace listener for a server connection: at each ClientHello received, the client's offer; when the server then
 * fails the handshake, the refusal explained against `policy` (the server's options).
 */
export function watchClientOffers(policy: ServerPolicy, transport: Ja4Transport, on: { offer?: (o: ClientOffer) => void; refusal?: (r: Refusal, o: ClientOffer) => void }): (e: TraceEvent) => void {
  let offer: ClientOffer | undefined;
  let refused = false;
  return (e) => {
    if (e.kind === 'handshake' && e.dir === 'in' && e.name === 'client_hello') {
      try {
        offer = clientOfferOf(e.fields as ClientHello, transport);
      } catch {
        // The engine decoded this ClientHello before tracing it; a summary that cannot be made must not break the connection.
        return;
      }
      on.offer?.(offer);
    } else if (e.kind === 'error' && e.side === 'server' && offer && !refused) {
      refused = true;
      let r: Refusal;
      try {
        r = explainRefusal(offer, policy, { message: e.message, ...(e.alert ? { alert: e.alert } : {}), ...(e.place?.field ? { field: e.place.field } : {}), ...(e.place?.message ? { place: e.place.message } : {}) });
      } catch {
        r = { check: 'other', reason: e.message };
      }
      on.refusal?.(r, offer);
    }
  };
}
