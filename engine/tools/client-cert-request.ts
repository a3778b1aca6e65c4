// A server's CertificateRequest, decoded for people ("what the server asked for"), and whether a client
// certificate and key fit it, with the reasons in plain words:
//   - TLS 1.2 and older (RFC 5246 section 7.4.4): certificate_types, supported_signature_algorithms (TLS 1.2 only),
//     certificate_authorities as DER DistinguishedNames;
//   - TLS 1.3 (RFC 8446 section 4.3.2): certificate_request_context and extensions: signature_algorithms,
//     signature_algorithms_cert, certificate_authorities (section 4.2.4).
// A certificate fits when its key is of a type the server takes, the key can make a signature scheme the server
// accepts, and (when the server named CAs) its issuer chain reaches one of them.
import * as asn1js from 'asn1js';
import type { CertificateRequest } from '../msgs/handshake';
import type { CertificateRequest12 } from '../msgs/handshake12';
import { clientCertTypeByCode, clientCertTypeName } from '../registry/client-cert-types';
import { extensionName, isGrease } from '../registry/extensions';
import { SIGSCHEMES, sigSchemeByCode, sigSchemeName } from '../registry/sigschemes';
import { versionName } from '../registry/versions';
import { toHex } from '../util/hex';
import { decodeName } from '../x509/name';
import { loadCert, type VCert } from '../x509/verify';
import { canonicalName } from '../x509/verify/cert';
import type { PublicKeyInfo } from '../x509/types';
import type { Signer } from '../crypto/provider';
import type { TraceEvent } from '../trace/events';

const TLS12 = 0x0303;
const TLS13 = 0x0304;

export interface NamedCode {
  code: number;
  name: string;
}

export interface RequestedCa {
  /** One-line DN: `C = US, O = Example, CN = Example Client CA`, or why it does not decode. */
  text: string;
  /** DER, hex. */
  der: string;
  /** RFC 5280 section 7.1 canonical form, for matching; absent when the name does not decode. */
  key?: string;
}

/** What the server asked for. */
export interface CertificateRequestSummary {
  version: number;
  versionName: string;
  /** TLS 1.3: certificate_request_context, hex (empty during the handshake, set for post-handshake requests). */
  context?: string;
  /** TLS 1.2 and older. */
  certificateTypes?: NamedCode[];
  /** Empty before TLS 1.2: the server names no schemes and the key's type decides. */
  signatureAlgorithms: NamedCode[];
  signatureAlgorithmsCert?: NamedCode[];
  certificateAuthorities: RequestedCa[];
  /** TLS 1.3: the extensions of the request, in order. */
  extensions?: string[];
}

export interface FitCheck {
  check: 'key-type' | 'signature' | 'issuer';
  ok: boolean;
  reason: string;
}

export interface ClientCertificateFit {
  fits: boolean;
  /** The certificate judged: its subject. */
  subject: string;
  /** The scheme the CertificateVerify would be signed with. */
  scheme?: NamedCode;
  checks: FitCheck[];
}

const code = (c: number, name: string): NamedCode => ({ code: c, name });

function caOf(der: Uint8Array, i: number): RequestedCa {
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset !== der.length) throw new Error('not one DER value');
    const dn = decodeName(asn.result, `certificate_authorities[${i}]`);
    return { text: dn.text, der: toHex(der), key: canonicalName(dn) };
  } catch (e) {
    return { text: `(name ${i} does not decode: ${(e as Error).message})`, der: toHex(der) };
  }
}

/**
 * The summary of a decoded CertificateRequest: a trace event's `fields` or a decoder's result. `version` is the
 * negotiated version; for the TLS 1.2 form it defaults to TLS 1.2 when the request lists signature algorithms.
 */
export function summarizeCertificateRequest(cr: CertificateRequest | CertificateRequest12 | Omit<CertificateRequest, 'raw'> | Omit<CertificateRequest12, 'raw'>, version?: number): CertificateRequestSummary {
  if (cr.type === 'certificate_request') {
    const v = version ?? TLS13;
    const e = cr.ext;
    return {
      version: v, versionName: versionName(v),
      context: toHex(cr.certificateRequestContext),
      signatureAlgorithms: (e.signatureAlgorithms ?? []).map((s) => code(s, sigSchemeName(s))),
      ...(e.signatureAlgorithmsCert ? { signatureAlgorithmsCert: e.signatureAlgorithmsCert.map((s) => code(s, sigSchemeName(s))) } : {}),
      certificateAuthorities: (e.certificateAuthorities ?? []).map(caOf),
      extensions: cr.extensions.map((x) => extensionName(x.type)),
    };
  }
  const v = version ?? (cr.supportedSignatureAlgorithms ? TLS12 : 0x0302);
  return {
    version: v, versionName: versionName(v),
    certificateTypes: cr.certificateTypes.map((t) => code(t, clientCertTypeName(t))),
    signatureAlgorithms: (cr.supportedSignatureAlgorithms ?? []).map((s) => code(s, sigSchemeName(s))),
    certificateAuthorities: cr.certificateAuthorities.map(caOf),
  };
}

/** The request as lines of text, for the terminal and the session panel. */
export function certificateRequestText(s: CertificateRequestSummary): string[] {
  const list = (xs: NamedCode[]) => xs.map((x) => x.name).join(', ');
  return [
    `The server asks for a client certificate (${s.versionName})`,
    ...(s.context ? [`  Context              : ${s.context} (post-handshake authentication)`] : []),
    ...(s.certificateTypes ? [`  Certificate types    : ${list(s.certificateTypes) || '(none)'}`] : []),
    `  Signature algorithms : ${s.version >= TLS12 ? list(s.signatureAlgorithms) || '(none)' : '(none before TLS 1.2: the key type decides)'}`,
    ...(s.signatureAlgorithmsCert ? [`  Signature algs (cert): ${list(s.signatureAlgorithmsCert)}`] : []),
    `  Acceptable CA names  : ${s.certificateAuthorities.length ? '' : '(none: any issuer)'}`.trimEnd(),
    ...s.certificateAuthorities.map((c) => `    ${c.text}`),
  ];
}

/** Key kinds as the registries name them, from a decoded public key. */
function keyKindOf(pk: PublicKeyInfo): 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | 'DSA' | undefined {
  return pk.algorithm === 'X25519' || pk.algorithm === 'X448' || pk.algorithm === 'unknown' ? undefined : pk.algorithm;
}

/**
 * The schemes a key of this certificate can sign a CertificateVerify with in `version`, preferred first, when no
 * Signer is at hand (a certificate whose key is still locked): as engine/crypto/signer.ts would offer them.
 */
export function schemesForKey(pk: PublicKeyInfo, version: number): number[] {
  const kind = keyKindOf(pk);
  if (!kind) return [];
  const rows = SIGSCHEMES.filter((r) => r.keyType === kind);
  if (kind === 'EC') {
    // TLS 1.3 binds ECDSA schemes to the key's curve; TLS 1.2 reads them as (hash, ECDSA) on any curve.
    if (version >= TLS13) return rows.filter((r) => r.curve === pk.curve).map((r) => r.code);
    const own = rows.find((r) => r.curve === pk.curve)?.code;
    return [...(own ? [own] : []), ...[0x0403, 0x0503, 0x0603, 0x0203].filter((c) => c !== own)];
  }
  if (kind === 'RSA') {
    const pss = rows.filter((r) => r.padding === 'pss').map((r) => r.code);
    return version >= TLS13 ? pss : [...pss, 0x0401, 0x0501, 0x0601, 0x0201];
  }
  return rows.filter((r) => version < TLS13 || r.tls13).map((r) => r.code);
}

export interface FitInput {
  /** The certificate chain we would send, leaf first (DER). */
  chain: readonly Uint8Array[];
  /** The key's signer, when the key is open: its schemes are the ones the handshake will use. */
  signer?: Pick<Signer, 'schemes' | 'schemes12'>;
  /** More certificates that may complete the issuer chain (a PKCS#12 file's CAs, a CA file): not sent, only followed. */
  extraCertificates?: readonly Uint8Array[];
}

/** Whether a client certificate (and key) fits the request; each check with its reason. */
export function judgeClientCertificate(req: CertificateRequestSummary, input: FitInput): ClientCertificateFit {
  if (!input.chain.length) return { fits: false, subject: '(no certificate)', checks: [{ check: 'key-type', ok: false, reason: 'no client certificate is configured (give one with --cert and --key)' }] };
  let leaf: VCert;
  try {
    leaf = loadCert(input.chain[0]!);
  } catch (e) {
    return { fits: false, subject: '(does not decode)', checks: [{ check: 'key-type', ok: false, reason: `the client certificate does not decode: ${(e as Error).message}` }] };
  }
  const pk = leaf.info.publicKey;
  const kind = keyKindOf(pk);
  const checks: FitCheck[] = [];

  // Key type against certificate_types (TLS 1.2 and older); in TLS 1.3 the signature algorithms decide.
  if (req.certificateTypes) {
    const takes = req.certificateTypes.filter((t) => kind && clientCertTypeByCode(t.code)?.keys.includes(kind));
    checks.push(takes.length
      ? { check: 'key-type', ok: true, reason: `the certificate's ${pk.description} key is of a type the server takes (${takes.map((t) => t.name).join(', ')})` }
      : { check: 'key-type', ok: false, reason: `the certificate's ${pk.description} key is not of a type the server takes: it asked for ${req.certificateTypes.map((t) => t.name).join(', ') || 'no type at all'}` });
  } else if (!kind) {
    checks.push({ check: 'key-type', ok: false, reason: `the certificate's ${pk.description} key cannot sign, so it cannot prove possession in a CertificateVerify` });
  }

  // A scheme we can make that the server accepts (TLS 1.2 and 1.3); before TLS 1.2 the key type is enough.
  let scheme: NamedCode | undefined;
  if (req.version >= TLS12) {
    const ours = input.signer ? (req.version >= TLS13 ? input.signer.schemes : input.signer.schemes12 ?? input.signer.schemes) : schemesForKey(pk, req.version);
    const theirs = req.signatureAlgorithms.map((s) => s.code).filter((c) => !isGrease(c));
    const pick = ours.find((s) => theirs.includes(s));
    if (pick !== undefined) {
      scheme = code(pick, sigSchemeName(pick));
      checks.push({ check: 'signature', ok: true, reason: `the key can sign with ${scheme.name}, which the server accepts` });
    } else {
      const tls13Only = req.version >= TLS13 && kind === 'RSA' && theirs.some((c) => sigSchemeByCode(c)?.padding === 'pkcs1') ? ' (RSA PKCS#1 v1.5 is not allowed for CertificateVerify in TLS 1.3, RFC 8446 section 4.2.3)' : '';
      checks.push({ check: 'signature', ok: false, reason: `no signature scheme in common: the key can sign with ${ours.map((s) => sigSchemeName(s)).join(', ') || 'nothing TLS uses'}; the server accepts only ${theirs.map((s) => sigSchemeName(s)).join(', ') || '(none)'}${tls13Only}` });
    }
  }

  // The issuer chain against the CA names.
  if (!req.certificateAuthorities.length) {
    checks.push({ check: 'issuer', ok: true, reason: 'the server named no CAs: any issuer may do (it decides when it verifies the chain)' });
  } else {
    const wanted = new Map(req.certificateAuthorities.filter((c) => c.key).map((c) => [c.key!, c.text]));
    const pool: VCert[] = [];
    for (const d of [...input.chain.slice(1), ...(input.extraCertificates ?? [])]) {
      try {
        pool.push(loadCert(d));
      } catch {
        // A certificate that does not decode cannot extend the chain; the leaf's own issuer is still checked.
      }
    }
    const path: string[] = [];
    let at: VCert | undefined = leaf;
    let reached: string | undefined;
    for (let depth = 0; at && depth < 10 && !reached; depth++) {
      path.push(at.info.issuer.text);
      if (wanted.has(at.issuerKey)) reached = wanted.get(at.issuerKey);
      else if (wanted.has(at.subjectKey) && depth > 0) reached = wanted.get(at.subjectKey);
      const cur: VCert = at;
      at = cur.issuerKey === cur.subjectKey ? undefined : pool.find((c) => c.subjectKey === cur.issuerKey && c.id !== cur.id);
    }
    checks.push(reached
      ? { check: 'issuer', ok: true, reason: `the chain reaches "${reached}", one of the CAs the server named` }
      : { check: 'issuer', ok: false, reason: `the chain does not reach any CA the server named: its issuers are ${path.map((p) => `"${p}"`).join(' then ')}; the server named ${req.certificateAuthorities.map((c) => `"${c.text}"`).join(', ')}` });
  }
  return { fits: checks.every((c) => c.ok), subject: leaf.info.subject.text, ...(scheme ? { scheme } : {}), checks };
}

/** The verdict as lines of text. */
export function fitText(f: ClientCertificateFit): string[] {
  return [
    `Client certificate "${f.subject}": ${f.fits ? 'fits the request' : 'does not fit the request'}`,
    ...f.checks.map((c) => `  ${c.ok ? 'ok ' : 'NO '} ${c.reason}`),
  ];
}

/**
 * A trace listener for a client: follows the version the ServerHello chose and, at each CertificateRequest
 * received, hands over what the server asked for and (when `identity` is given) whether it fits.
 */
export function watchCertificateRequests(identity: FitInput | undefined, onRequest: (request: CertificateRequestSummary, fit?: ClientCertificateFit) => void): (e: TraceEvent) => void {
  let version: number | undefined;
  return (e) => {
    if (e.kind !== 'handshake' || e.dir !== 'in') return;
    const f = e.fields as { type?: string; legacyVersion?: number; ext?: { supportedVersions?: number } };
    if (e.name === 'server_hello') version = f.ext?.supportedVersions ?? f.legacyVersion;
    if (e.name !== 'certificate_request') return;
    try {
      const request = summarizeCertificateRequest(f as CertificateRequest | CertificateRequest12, version);
      onRequest(request, identity ? judgeClientCertificate(request, identity) : undefined);
    } catch {
      // A request the engine decoded always has these fields; a malformed one already failed the handshake.
    }
  };
}
