// CRL checking as OpenSSL 3.0 does with -crl_check (the leaf) and -crl_check_all (every certificate, the root
// included): crypto/x509/x509_vfy.c check_cert, get_crl_sk, get_crl_score, check_crl, cert_crl. Each CRL gets
// OpenSSL's score (issuer name, no unhandled critical extension, time, issuer on the path by name and AKID,
// scope by distribution point); the best is used, and its checks run in OpenSSL's order. RFC 5280 section 6.3.
// Not supported, as OpenSSL without -extended_crl: indirect CRLs, CRLs partitioned by reason, CRL issuers off the
// path; delta CRLs are scored like full CRLs (OpenSSL 3.0 does the same without -use_deltas).
import fs from 'node:fs';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { V } from '../../registry/x509-verify-errors';
import { looksLikePem, scanPem } from '../../pem/blocks';
import { colonHexUpper, toHex, view } from '../../util/hex';
import { decodeCrl } from '../crl';
import { declaredLength, DerError } from '../der';
import { crlReasonText } from '../extensions';
import { fromPkijs } from '../general-names';
import { decodeName } from '../name';
import type { CrlInfo } from '../types';
import { canonicalName, type VCert } from './cert';
import { ALL_REASONS, extras, gnKey, KU, reasonBits, type DistPoint } from './cert-extras';
import { checkSigned } from './signature';

export interface VCrl {
  der: Uint8Array;
  /** Where it came from: a file name, or 'bag'. */
  source: string;
  info: CrlInfo;
  tbs: Uint8Array;
  signature: Uint8Array;
  sigAlgOid: string;
  sigAlgParams?: Uint8Array;
  issuerKey: string;
  issuerText: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** AuthorityKeyIdentifier: keyIdentifier as colon hex (the form VCert.ski has), serial as hex. */
  akid?: { keyId?: string; serialHex?: string; issuerNames: string[] };
  idp?: { onlyUser: boolean; onlyCA: boolean; onlyAttr: boolean; indirect: boolean; reasons?: number; fullName?: string[]; relativeName?: string; invalid: boolean };
  /** OpenSSL's EXFLAG_CRITICAL: a critical CRL or entry extension it does not handle. */
  unhandledCritical?: string;
  /** Revoked serials (colon hex, as CertificateInfo.serialHex) to date and reason code. */
  revoked: Map<string, { date: string; reasonCode?: number }>;
  label: string;
}

export interface LoadedCrls {
  crls: VCrl[];
  problems: { source: string; message: string }[];
}

const HANDLED_CRL_CRITICAL = new Set(['2.5.29.28', '2.5.29.35', '2.5.29.27']); // IDP, AKID, deltaCRLIndicator (x_crl.c crl_cb)
const CERTIFICATE_ISSUER = '2.5.29.29';
const REASON_CODE = '2.5.29.21';
const REMOVE_FROM_CRL = 8;

export function loadCrl(der: Uint8Array, source = 'bag'): VCrl {
  // asn1js tolerates an outer length that disagrees with the bytes; OpenSSL does not, and neither do we.
  const declared = declaredLength(der);
  if (declared !== der.length) throw new DerError('CertificateList', `the outer SEQUENCE declares ${declared ?? 'an unreadable number of'} bytes, the CRL has ${der.length}`);
  const info = decodeCrl(der);
  const pc = new pkijs.CertificateRevocationList({ schema: asn1js.fromBER(der).result });
  const params = pc.signatureAlgorithm.algorithmParams as asn1js.AsnType | undefined;
  const issuerDn = decodeName(asn1js.fromBER(pc.issuer.valueBeforeDecode).result, 'tbsCertList.issuer');
  const crl: VCrl = {
    der,
    source,
    info,
    tbs: view(pc.tbsView),
    signature: view(pc.signatureValue.valueBlock.valueHexView),
    sigAlgOid: pc.signatureAlgorithm.algorithmId,
    ...(params && !(params instanceof asn1js.Null) ? { sigAlgParams: view(params.toBER()) } : {}),
    issuerKey: canonicalName(issuerDn),
    issuerText: issuerDn.opensslText,
    thisUpdate: pc.thisUpdate.value,
    ...(pc.nextUpdate ? { nextUpdate: pc.nextUpdate.value } : {}),
    revoked: new Map(),
    label: `CRL of "${issuerDn.rdns.flat().find((a) => a.short === 'CN')?.value ?? issuerDn.text}" (${source})`,
  };
  for (const e of pc.crlExtensions?.extensions ?? []) {
    if (e.critical && !HANDLED_CRL_CRITICAL.has(e.extnID) && !crl.unhandledCritical) crl.unhandledCritical = `CRL extension ${e.extnID}`;
    if (e.extnID === '2.5.29.35') {
      const aki = e.parsedValue as pkijs.AuthorityKeyIdentifier;
      crl.akid = {
        ...(aki.keyIdentifier ? { keyId: colonHexUpper(view(aki.keyIdentifier.valueBlock.valueHexView)) } : {}),
        ...(aki.authorityCertSerialNumber ? { serialHex: toHex(stripSign(view(aki.authorityCertSerialNumber.valueBlock.valueHexView))) } : {}),
        issuerNames: (aki.authorityCertIssuer ?? []).filter((g) => g.type === 4).map((g) => canonicalName(decodeName(asn1js.fromBER((g.value as pkijs.RelativeDistinguishedNames).valueBeforeDecode).result, 'authorityCertIssuer'))),
      };
    } else if (e.extnID === '2.5.29.28') crl.idp = idpOf(e.parsedValue as pkijs.IssuingDistributionPoint, crl.issuerKey);
  }
  for (const r of pc.revokedCertificates ?? []) {
    const serial = serialHexOf(r.userCertificate);
    let reasonCode: number | undefined;
    for (const e of r.crlEntryExtensions?.extensions ?? []) {
      if (e.critical && e.extnID !== CERTIFICATE_ISSUER && !crl.unhandledCritical) crl.unhandledCritical = `entry extension ${e.extnID} (serial ${serial})`;
      if (e.extnID === REASON_CODE) {
        const v = asn1js.fromBER(view(e.extnValue.valueBlock.valueHexView)).result;
        if (v instanceof asn1js.Enumerated) reasonCode = v.valueBlock.valueDec;
      }
    }
    crl.revoked.set(serial, { date: r.revocationDate.value.toISOString(), ...(reasonCode !== undefined ? { reasonCode } : {}) });
  }
  return crl;
}

function stripSign(b: Uint8Array): Uint8Array {
  return b.length > 1 && b[0] === 0 ? b.subarray(1) : b;
}

function serialHexOf(i: asn1js.Integer): string {
  return Array.from(stripSign(view(i.valueBlock.valueHexView)), (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** IssuingDistributionPoint as OpenSSL's setup_idp flags it (x_crl.c). */
function idpOf(idp: pkijs.IssuingDistributionPoint, issuerKey: string): NonNullable<VCrl['idp']> {
  const onlyUser = !!idp.onlyContainsUserCerts;
  const onlyCA = !!idp.onlyContainsCACerts;
  const onlyAttr = !!idp.onlyContainsAttributeCerts;
  const out: NonNullable<VCrl['idp']> = { onlyUser, onlyCA, onlyAttr, indirect: !!idp.indirectCRL, invalid: [onlyUser, onlyCA, onlyAttr].filter(Boolean).length > 1 };
  if (idp.onlySomeReasons !== undefined) {
    // pkijs gives the ReasonFlags' first byte as a number.
    out.reasons = typeof idp.onlySomeReasons === 'number' ? idp.onlySomeReasons & ALL_REASONS : reasonBits(idp.onlySomeReasons as unknown as asn1js.BitString);
  }
  if (Array.isArray(idp.distributionPoint)) out.fullName = idp.distributionPoint.map((g) => gnKey(fromPkijs(g)));
  else if (idp.distributionPoint) {
    const rdn = idp.distributionPoint as pkijs.RelativeDistinguishedNames;
    out.relativeName = `${issuerKey}/${rdn.typesAndValues.map((tv) => `${tv.type}=${String(tv.value.valueBlock.value ?? '').trim().replace(/\s+/g, ' ').toLowerCase()}`).sort().join('+')}`;
  }
  return out;
}

/** Every X509 CRL block of a PEM file, or one DER CRL. Never throws for one bad block. */
export function crlsFromBytes(bytes: Uint8Array, source: string): LoadedCrls {
  const out: LoadedCrls = { crls: [], problems: [] };
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (!looksLikePem(text)) {
    try {
      out.crls.push(loadCrl(bytes, source));
    } catch (e) {
      out.problems.push({ source, message: `not a PEM file and not a DER CRL: ${(e as Error).message}` });
    }
    return out;
  }
  for (const b of scanPem(text).blocks) {
    if (b.label !== 'X509 CRL') continue;
    if (!b.der) {
      out.problems.push({ source, message: `CRL block ${b.index + 1}: ${b.problem?.message ?? 'unreadable'}` });
      continue;
    }
    try {
      out.crls.push(loadCrl(b.der, source));
    } catch (e) {
      out.problems.push({ source, message: `CRL block ${b.index + 1} (line ${b.range.startLine + 1}): ${(e as Error).message}` });
    }
  }
  return out;
}

const CRL_FILE = /\.(pem|crt|cer|crl)$|^[0-9a-f]{8}\.r\d+$/i;

/** CRLs in a --CApath directory: c_rehash's HHHHHHHH.rN links and any *.pem/*.crl/... holding X509 CRL blocks. */
export function loadDirectoryCrls(dir: string): LoadedCrls {
  const out: LoadedCrls = { crls: [], problems: [] };
  const seen = new Set<string>();
  for (const name of fs.readdirSync(dir).filter((n) => CRL_FILE.test(n)).sort()) {
    const full = path.join(dir, name);
    let bytes: Uint8Array;
    try {
      if (!fs.statSync(full).isFile()) continue;
      bytes = new Uint8Array(fs.readFileSync(full));
    } catch {
      continue;
    }
    // Certificates in the same directory are not CRLs: only files with CRL blocks (or DER CRL links) count.
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096));
    if (looksLikePem(text) ? !new TextDecoder().decode(bytes).includes('-----BEGIN X509 CRL-----') : !/\.r\d+$/.test(name) && !name.endsWith('.crl')) continue;
    const got = crlsFromBytes(bytes, full);
    out.problems.push(...got.problems);
    for (const c of got.crls) {
      const k = toHex(c.signature);
      if (!seen.has(k)) { seen.add(k); out.crls.push(c); }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checking

/** CRL score bits (x509_vfy.c). */
const S = { NOCRITICAL: 0x100, SCOPE: 0x080, TIME: 0x040, ISSUER_NAME: 0x020, ISSUER_CERT: 0x018, SAME_PATH: 0x008, AKID: 0x004 } as const;
const SCORE_VALID = S.NOCRITICAL | S.TIME | S.SCOPE;

export interface CrlFinding {
  code: number;
  depth: number;
  detail: string;
  rule: string;
  fix?: string;
  /** Position among this certificate's CRL findings (OpenSSL's order of checks). */
  step: number;
}

/** What the CRL check concluded for one certificate, for the report. */
export interface CrlStatus {
  depth: number;
  subject: string;
  status: 'good' | 'revoked' | 'no-crl' | 'error';
  crl?: { issuer: string; source: string; thisUpdate: string; nextUpdate?: string; signedBy: string };
  revocationDate?: string;
  reason?: string;
  /** CRLs that were looked at and why each was passed over. */
  passedOver: string[];
}

export interface CrlCheckInput {
  /** The path, leaf first, anchor last. */
  certs: VCert[];
  /** --CRLfile CRLs (OpenSSL's ctx->crls, consulted first). */
  crls: VCrl[];
  /** CRLs from the trust store files and the bag (consulted when none of `crls` is fully usable). */
  storeCrls: VCrl[];
  time: Date;
  /** 'leaf': -crl_check; 'all': -crl_check_all. */
  mode: 'leaf' | 'all';
  /** Depths already settled by a good OCSP response. */
  skip?: Set<number>;
}

interface Scored {
  crl: VCrl;
  score: number;
  issuer?: VCert;
  reasons: number;
  why: string[];
}

function timeOk(crl: VCrl, t: Date): boolean {
  // X509_cmp_time: lastUpdate after t is not yet valid; nextUpdate at or before t has expired.
  if (crl.thisUpdate > t) return false;
  if (crl.nextUpdate && crl.nextUpdate <= t) return false;
  return true;
}

/** X509_check_akid: the key id, serial and issuer name an AKID names must fit the candidate issuer. */
function akidFits(issuer: VCert, akid: VCrl['akid']): boolean {
  if (!akid) return true;
  if (akid.keyId && issuer.ski && akid.keyId !== issuer.ski) return false;
  if (akid.serialHex && akid.serialHex !== issuer.info.serialHex.replace(/:/g, '')) return false;
  if (akid.issuerNames.length && !akid.issuerNames.includes(issuer.issuerKey)) return false;
  return true;
}

function dpMatches(dp: DistPoint, idp: NonNullable<VCrl['idp']>): boolean {
  // idp_check_dp: either side without a name matches; names compare fullName to fullName, relative to relative or dirName.
  const a = dp.fullName ?? (dp.relativeName ? [`dirName:${dp.relativeName}`] : undefined);
  const b = idp.fullName ?? (idp.relativeName ? [`dirName:${idp.relativeName}`] : undefined);
  if (!a || !b) return true;
  return a.some((x) => b.includes(x));
}

function score(crl: VCrl, cert: VCert, depth: number, certs: VCert[], t: Date, reasonsSoFar: number): Scored {
  const out: Scored = { crl, score: 0, reasons: reasonsSoFar, why: [] };
  if (crl.idp?.invalid) { out.why.push('its issuingDistributionPoint sets more than one of onlyContainsUserCerts/CACerts/AttributeCerts'); return out; }
  if (crl.idp?.indirect || crl.idp?.reasons !== undefined) { out.why.push(`it is ${crl.idp.indirect ? 'an indirect CRL' : 'partitioned by reason (onlySomeReasons)'}, which needs OpenSSL's -extended_crl (not supported)`); return out; }
  let s = 0;
  if (crl.issuerKey !== cert.issuerKey) { out.why.push(`its issuer "${crl.issuerText}" is not the certificate's issuer "${cert.info.issuer.opensslText}"`); return out; }
  s |= S.ISSUER_NAME;
  if (!crl.unhandledCritical) s |= S.NOCRITICAL;
  if (timeOk(crl, t)) s |= S.TIME;
  // crl_akid_check: the certificate's issuer on the path, else a CA further up with the CRL's issuer name.
  let idx = depth !== certs.length - 1 ? depth + 1 : depth;
  const first = certs[idx]!;
  if (akidFits(first, crl.akid)) {
    s |= S.AKID | S.ISSUER_CERT;
    out.issuer = first;
  } else {
    for (idx++; idx < certs.length; idx++) {
      const c = certs[idx]!;
      if (c.subjectKey !== crl.issuerKey || !akidFits(c, crl.akid)) continue;
      s |= S.AKID | S.SAME_PATH;
      out.issuer = c;
      break;
    }
  }
  if (!(s & S.AKID)) { out.why.push(`its Authority Key Identifier (${crl.akid?.keyId ?? crl.akid?.serialHex ?? '?'}) names a key no CA on the path has: it was signed by another "${crl.issuerText}"`); return out; }
  // crl_crldp_check: the certificate's distribution points against the CRL's issuingDistributionPoint.
  const x = extras(cert);
  const idp = crl.idp;
  let inScope = false;
  let crlReasons = ALL_REASONS;
  const isCa = !!cert.basicConstraints?.ca;
  if (idp?.onlyAttr || (isCa && idp?.onlyUser) || (!isCa && idp?.onlyCA)) {
    out.why.push(idp.onlyAttr ? 'it covers attribute certificates only' : isCa ? 'it covers end-entity certificates only (onlyContainsUserCerts) and this is a CA' : 'it covers CA certificates only (onlyContainsCACerts) and this is an end-entity certificate');
  } else {
    for (const dp of x.crlDps) {
      const issuerOk = dp.crlIssuer ? dp.crlIssuer.includes(crl.issuerKey) : true;
      if (issuerOk && (!idp || dpMatches(dp, idp))) { inScope = true; crlReasons = ALL_REASONS & dp.reasons; break; }
    }
    if (!inScope && (!idp || (!idp.fullName && !idp.relativeName))) inScope = true;
    if (!inScope) out.why.push(`its issuingDistributionPoint (${idp?.fullName?.join(', ') ?? idp?.relativeName}) is none of the certificate's CRL distribution points (${x.crlDps.flatMap((d) => d.fullName ?? []).join(', ') || 'none'})`);
  }
  if (inScope) {
    if ((crlReasons & ~reasonsSoFar) === 0) { out.why.push('it adds no revocation reasons not already covered'); return out; }
    out.reasons = reasonsSoFar | crlReasons;
    s |= S.SCOPE;
  }
  if (!(s & S.TIME)) out.why.push(crl.thisUpdate > t ? `it is not valid until ${crl.thisUpdate.toISOString()}` : `it expired at ${crl.nextUpdate!.toISOString()}`);
  if (crl.unhandledCritical) out.why.push(`it has an unhandled critical ${crl.unhandledCritical}`);
  out.score = s;
  return out;
}

/** get_crl_sk: the best-scoring CRL of a list; ties go to the newer thisUpdate. */
function best(list: VCrl[], start: Scored | undefined, cert: VCert, depth: number, certs: VCert[], t: Date, reasons: number, seen: string[]): Scored | undefined {
  let b = start;
  for (const crl of list) {
    const sc = score(crl, cert, depth, certs, t, reasons);
    if (sc.score === 0) seen.push(`${crl.label}: ${sc.why.join('; ')}`);
    if (sc.score === 0 || (b && sc.score < b.score)) continue;
    if (b && sc.score === b.score && crl.thisUpdate <= b.crl.thisUpdate) continue;
    b = sc;
  }
  return b;
}

export function checkCrls(input: CrlCheckInput): { findings: CrlFinding[]; statuses: CrlStatus[] } {
  const { certs, time: t } = input;
  const findings: CrlFinding[] = [];
  const statuses: CrlStatus[] = [];
  const last = input.mode === 'all' ? certs.length - 1 : 0;
  for (let depth = 0; depth <= last; depth++) {
    if (input.skip?.has(depth)) continue;
    const cert = certs[depth]!;
    const status: CrlStatus = { depth, subject: cert.info.subject.opensslText, status: 'good', passedOver: [] };
    statuses.push(status);
    const add = (code: number, detail: string, rule: string, fix?: string) => {
      findings.push({ code, depth, detail, rule, step: findings.length, ...(fix ? { fix } : {}) });
      if (status.status === 'good') status.status = code === V.CERT_REVOKED ? 'revoked' : code === V.UNABLE_TO_GET_CRL ? 'no-crl' : 'error';
    };
    let reasons = 0;
    // check_cert: keep fetching CRLs until every revocation reason is covered (one CRL does, unless partitioned).
    for (let round = 0; reasons !== ALL_REASONS && round < 16; round++) {
      const before = reasons;
      const found = findings.length;
      const seen: string[] = [];
      let chosen = best(input.crls, undefined, cert, depth, certs, t, reasons, seen);
      if (!chosen || chosen.score < SCORE_VALID) chosen = best(input.storeCrls.filter((c) => c.issuerKey === cert.issuerKey), chosen, cert, depth, certs, t, reasons, seen);
      status.passedOver.push(...seen);
      if (!chosen) {
        const issuerCn = cert.info.issuer.rdns.flat().find((a) => a.short === 'CN')?.value ?? cert.info.issuer.text;
        const urls = extras(cert).crlDps.flatMap((d) => d.uris);
        add(V.UNABLE_TO_GET_CRL, round === 0
          ? `no usable CRL from "${issuerCn}" for "${cert.label}"${seen.length ? ` (${seen.join('; ')})` : ' was given'}.`
          : `the CRL used covers only some revocation reasons, and no CRL covers the rest.`,
        'RFC 5280 6.3.3', `Download the current CRL of "${issuerCn}"${urls.length ? ` (${urls.join(', ')})` : ''} and pass it with --CRLfile${depth === certs.length - 1 ? ' (with --crl_check_all the root needs a CRL from itself too)' : ''}.`);
        break;
      }
      const { crl, issuer } = chosen;
      reasons = chosen.reasons;
      status.crl = { issuer: crl.issuerText, source: crl.source, thisUpdate: crl.thisUpdate.toISOString(), ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate.toISOString() } : {}), signedBy: issuer!.label };
      // check_crl, in OpenSSL's order.
      const kx = extras(issuer!);
      if (kx.kuPresent && !(kx.kuBits & KU.cRLSign))
        add(V.KEYUSAGE_NO_CRL_SIGN, `"${issuer!.label}", which issued the CRL, has keyUsage ${issuer!.keyUsage?.join(', ') || '(empty)'} without cRLSign.`, 'RFC 5280 4.2.1.3, 6.3.3 (f)',
          `Re-issue "${issuer!.label}" with keyUsage cRLSign (with keyCertSign), or have the CRL signed by a key allowed to sign CRLs.`);
      if (!(chosen.score & S.SCOPE))
        add(V.DIFFERENT_CRL_SCOPE, `${crl.label} does not cover "${cert.label}": ${chosen.why.filter((w) => /covers|issuingDistributionPoint/.test(w)).join('; ') || 'out of scope'}.`, 'RFC 5280 5.2.5, 6.3.3 (b)',
          `Use the CRL named by "${cert.label}"'s CRL distribution point${extras(cert).crlDps.length ? ` (${extras(cert).crlDps.flatMap((d) => d.uris).join(', ')})` : ''}.`);
      if (!(chosen.score & S.TIME)) {
        if (crl.thisUpdate > t) add(V.CRL_NOT_YET_VALID, `${crl.label} has thisUpdate ${crl.thisUpdate.toISOString()}, after the time checked ${t.toISOString()}.`, 'RFC 5280 5.1.2.4, 6.3.3 (a)',
          `Check the clock of the machine verifying; a CRL dated in the future usually means a wrong clock on one side.`);
        if (crl.nextUpdate && crl.nextUpdate <= t) add(V.CRL_HAS_EXPIRED, `${crl.label} had nextUpdate ${crl.nextUpdate.toISOString()}; the time checked is ${t.toISOString()}.`, 'RFC 5280 5.1.2.5, 6.3.3 (a)(2)',
          `Fetch a fresh CRL from "${issuer!.label}"${extras(cert).crlDps.length ? ` (${extras(cert).crlDps.flatMap((d) => d.uris).join(', ')})` : ''}; CRLs are reissued before nextUpdate.`);
      }
      const sig = checkSigned({ sigAlgOid: crl.sigAlgOid, ...(crl.sigAlgParams ? { sigAlgParams: crl.sigAlgParams } : {}), tbs: crl.tbs, signature: crl.signature }, issuer!);
      if (!sig.ok) add(sig.code === V.UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY ? sig.code : V.CRL_SIGNATURE_FAILURE,
        `${crl.label}: ${sig.detail.replace('the ', 'the CRL\'s ')}.`, 'RFC 5280 6.3.3 (g)',
        `This CRL was not signed by the "${issuer!.label}" on the path: same name, other key (a re-keyed CA, or a forged or damaged CRL). Get the CRL that this CA's current key signed.`);
      // cert_crl
      if (crl.unhandledCritical) add(V.UNHANDLED_CRITICAL_CRL_EXTENSION, `${crl.label} has a critical ${crl.unhandledCritical} that is not understood, so its entries cannot be relied on.`, 'RFC 5280 5.2, 5.3',
        `Ask the CA to issue the CRL without that critical extension; OpenSSL handles only issuingDistributionPoint, authorityKeyIdentifier and deltaCRLIndicator as critical.`);
      const entry = crl.revoked.get(cert.info.serialHex);
      if (entry && entry.reasonCode !== REMOVE_FROM_CRL) {
        const reason = entry.reasonCode !== undefined ? crlReasonText(entry.reasonCode) : 'no reason given';
        status.revocationDate = entry.date;
        status.reason = reason;
        add(V.CERT_REVOKED, `"${cert.label}" (serial ${cert.info.serialHex}) is on ${crl.label}: revoked ${entry.date}, reason: ${reason}.`, 'RFC 5280 6.3.3 (i)',
          `Replace "${cert.label}": a revoked certificate cannot be un-revoked${entry.reasonCode === 6 ? ' (certificateHold: unless the CA releases the hold)' : ''}. Issue a new certificate${entry.reasonCode === 1 ? ' with a new key (reason: keyCompromise)' : ''} and deploy it.`);
      }
      // OpenSSL stops at the first error of a certificate's CRL check (its verify callback gives up on these).
      if (findings.length > found) break;
      if (reasons === before) {
        add(V.UNABLE_TO_GET_CRL, `the CRL used covers only some revocation reasons, and no CRL covers the rest.`, 'RFC 5280 6.3.3 (j)');
        break;
      }
    }
  }
  return { findings, statuses };
}
