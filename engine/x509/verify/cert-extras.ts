// What revocation, policy and x509_strict checks need from a certificate beyond VCert: extension criticality,
// the raw policy extensions (RFC 5280 4.2.1.4, 4.2.1.5, 4.2.1.11, 4.2.1.14), CRL distribution points and AIA.
// Parsed once per certificate (WeakMap) with pkijs/asn1js; a malformed extension is recorded, never thrown.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { colonHexUpper, toHex, view } from '../../util/hex';
import { fromPkijs } from '../general-names';
import { decodeName } from '../name';
import type { GeneralName } from '../types';
import { canonicalName, type VCert } from './cert';

export const OID = {
  basicConstraints: '2.5.29.19', keyUsage: '2.5.29.15', subjectAltName: '2.5.29.17', aki: '2.5.29.35', ski: '2.5.29.14',
  certificatePolicies: '2.5.29.32', policyMappings: '2.5.29.33', policyConstraints: '2.5.29.36', inhibitAnyPolicy: '2.5.29.54',
  crlDistributionPoints: '2.5.29.31', freshestCrl: '2.5.29.46', aia: '1.3.6.1.5.5.7.1.1', anyPolicy: '2.5.29.32.0',
  ocspSigning: '1.3.6.1.5.5.7.3.9', ocspNoCheck: '1.3.6.1.5.5.7.48.1.5', adOcsp: '1.3.6.1.5.5.7.48.1', adCaIssuers: '1.3.6.1.5.5.7.48.2',
} as const;

/** A DistributionPoint (RFC 5280 4.2.1.13) in the form OpenSSL's CRL scope check compares. */
export interface DistPoint {
  /** fullName entries as `type:value` (GENERAL_NAME_cmp compares type and value). */
  fullName?: string[];
  /** nameRelativeToCRLIssuer, made absolute (DIST_POINT_set_dpname): the canonical name. */
  relativeName?: string;
  /** ReasonFlags as OpenSSL's dp_reasons (0x807f = all, when absent). */
  reasons: number;
  /** cRLIssuer directoryNames, canonical. */
  crlIssuer?: string[];
  /** URIs for display. */
  uris: string[];
}

export interface PolicyExtensions {
  /** certificatePolicies OIDs in order; undefined when the extension is absent. */
  policies?: string[];
  /** Why OpenSSL would flag EXFLAG_INVALID_POLICY (duplicate OIDs, mapping to/from anyPolicy, negative or empty constraints...). */
  invalid?: string;
  mappings?: { issuer: string; subject: string }[];
  requireExplicitPolicy?: number;
  inhibitPolicyMapping?: number;
  inhibitAnyPolicy?: number;
}

export interface CertExtras {
  /** extnIDs in order (duplicates kept). */
  extensionOids: string[];
  critical: Set<string>;
  bc?: { ca: boolean; pathLen?: number; critical: boolean };
  /** OpenSSL's ex_kusage: the first two bytes of the keyUsage bits, 0 when the extension is absent. */
  kuBits: number;
  kuPresent: boolean;
  san?: { count: number; critical: boolean };
  aki?: { keyId?: string; serialHex?: string; issuerNames: string[]; critical: boolean };
  ski?: { critical: boolean };
  subjectEntries: number;
  issuerEntries: number;
  /** EC key with explicit curve parameters (OpenSSL check_curve). */
  ecExplicit: boolean;
  crlDps: DistPoint[];
  /** freshestCRL present (OpenSSL EXFLAG_FRESHEST). */
  freshest: boolean;
  ocspUrls: string[];
  caIssuerUrls: string[];
  policy: PolicyExtensions;
  /** Serial number as a signed value (RFC 5280 4.1.2.2 wants positive, at most 20 octets). */
  serial: { negative: boolean; zero: boolean; octets: number };
  /** Raw DER subject Name and subjectPublicKey BIT STRING contents (OCSP CertID hashes, RFC 6960 4.1.1). */
  subjectDer: Uint8Array;
  publicKeyBits: Uint8Array;
}

export const KU = { digitalSignature: 0x80, keyCertSign: 0x04, cRLSign: 0x02 } as const;
export const ALL_REASONS = 0x807f;

const cache = new WeakMap<VCert, CertExtras>();

export function extras(c: VCert): CertExtras {
  let x = cache.get(c);
  if (!x) {
    try {
      x = parse(c);
    } catch {
      // loadCert already parsed this DER with pkijs, so this is not expected; a verdict beats an exception.
      x = { extensionOids: c.info.extensions.map((e) => e.oid), critical: new Set(), kuBits: 0, kuPresent: false, subjectEntries: c.info.subject.rdns.flat().length, issuerEntries: c.info.issuer.rdns.flat().length,
        ecExplicit: false, crlDps: [], freshest: false, ocspUrls: [], caIssuerUrls: [], policy: { invalid: 'the policy extensions do not decode' }, serial: { negative: false, zero: false, octets: 0 }, subjectDer: new Uint8Array(), publicKeyBits: new Uint8Array() };
    }
    cache.set(c, x);
  }
  return x;
}

/** Canonical text for a GeneralName, as GENERAL_NAME_cmp would distinguish them. */
export function gnKey(gn: GeneralName): string {
  return `${gn.type}:${gn.value}`;
}

function parse(c: VCert): CertExtras {
  const pc = new pkijs.Certificate({ schema: asn1js.fromBER(c.der).result });
  const exts = pc.extensions ?? [];
  const out: CertExtras = {
    extensionOids: exts.map((e) => e.extnID),
    critical: new Set(exts.filter((e) => e.critical).map((e) => e.extnID)),
    kuBits: 0,
    kuPresent: false,
    subjectEntries: c.info.subject.rdns.flat().length,
    issuerEntries: c.info.issuer.rdns.flat().length,
    ecExplicit: false,
    crlDps: [],
    freshest: false,
    ocspUrls: [],
    caIssuerUrls: [],
    policy: {},
    serial: serialInfo(pc),
    subjectDer: new Uint8Array(pc.subject.valueBeforeDecode),
    publicKeyBits: view(pc.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView),
  };
  const algParams = pc.subjectPublicKeyInfo.algorithm.algorithmParams as asn1js.AsnType | undefined;
  out.ecExplicit = pc.subjectPublicKeyInfo.algorithm.algorithmId === '1.2.840.10045.2.1' && algParams instanceof asn1js.Sequence;
  const count = new Map<string, number>();
  for (const e of exts) count.set(e.extnID, (count.get(e.extnID) ?? 0) + 1);
  for (const e of exts) {
    const raw = view(e.extnValue.valueBlock.valueHexView);
    try {
      switch (e.extnID) {
        case OID.basicConstraints: {
          const bc = c.basicConstraints;
          out.bc = { ca: !!bc?.ca, ...(bc?.pathLen !== undefined ? { pathLen: bc.pathLen } : {}), critical: e.critical };
          break;
        }
        case OID.keyUsage: {
          const bs = asn1js.fromBER(raw).result as asn1js.BitString;
          const b = view(bs.valueBlock.valueHexView);
          out.kuPresent = true;
          out.kuBits = (b[0] ?? 0) | ((b[1] ?? 0) << 8);
          break;
        }
        case OID.subjectAltName: {
          const seq = asn1js.fromBER(raw).result as asn1js.Sequence;
          out.san = { count: seq.valueBlock.value.length, critical: e.critical };
          break;
        }
        case OID.aki: {
          const aki = e.parsedValue as pkijs.AuthorityKeyIdentifier;
          out.aki = {
            ...(aki.keyIdentifier ? { keyId: colonHexUpper(view(aki.keyIdentifier.valueBlock.valueHexView)) } : {}),
            ...(aki.authorityCertSerialNumber ? { serialHex: toHex(stripSign(view(aki.authorityCertSerialNumber.valueBlock.valueHexView))) } : {}),
            issuerNames: (aki.authorityCertIssuer ?? []).filter((g) => g.type === 4).map((g) => dirKey(g)),
            critical: e.critical,
          };
          break;
        }
        case OID.ski:
          out.ski = { critical: e.critical };
          break;
        case OID.crlDistributionPoints:
          out.crlDps = (e.parsedValue as pkijs.CRLDistributionPoints).distributionPoints.map((dp) => distPoint(dp, c));
          break;
        case OID.freshestCrl:
          out.freshest = true;
          break;
        case OID.aia:
          for (const ad of (e.parsedValue as pkijs.InfoAccess).accessDescriptions) {
            if (ad.accessLocation.type !== 6) continue;
            if (ad.accessMethod === OID.adOcsp) out.ocspUrls.push(String(ad.accessLocation.value));
            else if (ad.accessMethod === OID.adCaIssuers) out.caIssuerUrls.push(String(ad.accessLocation.value));
          }
          break;
      }
    } catch {
      // A malformed extension is left out; the decoder reports it, and the checks treat it as absent.
    }
  }
  try {
    out.policy = policyExtensions(exts, count);
  } catch {
    out.policy = { invalid: 'the policy extensions do not decode' };
  }
  return out;
}

function serialInfo(pc: pkijs.Certificate): CertExtras['serial'] {
  const b = view(pc.serialNumber.valueBlock.valueHexView);
  return { negative: b.length > 0 && (b[0]! & 0x80) !== 0, zero: b.every((x) => x === 0), octets: b.length };
}

function stripSign(b: Uint8Array): Uint8Array {
  return b.length > 1 && b[0] === 0 ? b.subarray(1) : b;
}

function dirKey(g: pkijs.GeneralName): string {
  const rdn = g.value as pkijs.RelativeDistinguishedNames;
  return canonicalName(decodeName(asn1js.fromBER(rdn.valueBeforeDecode).result, 'directoryName'));
}

/** ReasonFlags BIT STRING as OpenSSL stores it: first byte, second byte shifted, masked to the defined reasons. */
export function reasonBits(bs: asn1js.BitString | undefined): number {
  if (!bs) return ALL_REASONS;
  const b = view(bs.valueBlock.valueHexView);
  return ((b[0] ?? 0) | ((b[1] ?? 0) << 8)) & ALL_REASONS;
}

function distPoint(dp: pkijs.DistributionPoint, c: VCert): DistPoint {
  const out: DistPoint = { reasons: reasonBits(dp.reasons), uris: [] };
  if (dp.cRLIssuer) out.crlIssuer = dp.cRLIssuer.filter((g) => g.type === 4).map(dirKey);
  if (Array.isArray(dp.distributionPoint)) {
    const names = dp.distributionPoint.map(fromPkijs);
    out.fullName = names.map(gnKey);
    out.uris = names.filter((n) => n.type === 'uri').map((n) => n.value);
  } else if (dp.distributionPoint) {
    // nameRelativeToCRLIssuer is appended to the cRLIssuer, else to the certificate's issuer (DIST_POINT_set_dpname).
    const rdn = dp.distributionPoint as pkijs.RelativeDistinguishedNames;
    const base = out.crlIssuer?.[0] ?? c.issuerKey;
    out.relativeName = `${base}/${rdn.typesAndValues.map((tv) => `${tv.type}=${String(tv.value.valueBlock.value ?? '').trim().replace(/\s+/g, ' ').toLowerCase()}`).sort().join('+')}`;
  }
  return out;
}

/** The policy extensions as OpenSSL's policy cache reads them (crypto/x509/pcy_cache.c), with its reasons for INVALID. */
function policyExtensions(exts: pkijs.Extension[], count: Map<string, number>): PolicyExtensions {
  const out: PolicyExtensions = {};
  const rawOf = (oid: string) => {
    const e = exts.find((x) => x.extnID === oid);
    return e ? view(e.extnValue.valueBlock.valueHexView) : undefined;
  };
  const dup = (oid: string, name: string) => ((count.get(oid) ?? 0) > 1 ? `${name} appears more than once` : undefined);
  // policyConstraints first: OpenSSL reads it even when there are no policies.
  const pcRaw = rawOf(OID.policyConstraints);
  if (pcRaw) {
    const why = dup(OID.policyConstraints, 'policyConstraints');
    if (why) return { invalid: why };
    const seq = asn1js.fromBER(pcRaw).result;
    if (!(seq instanceof asn1js.Sequence)) return { invalid: 'policyConstraints does not decode' };
    for (const f of seq.valueBlock.value) {
      const v = implicitInt(f);
      if (v === undefined) return { invalid: 'policyConstraints does not decode' };
      if (v < 0) return { invalid: 'policyConstraints has a negative SkipCerts' };
      if (f.idBlock.tagNumber === 0) out.requireExplicitPolicy = v;
      else if (f.idBlock.tagNumber === 1) out.inhibitPolicyMapping = v;
    }
    if (out.requireExplicitPolicy === undefined && out.inhibitPolicyMapping === undefined)
      return { invalid: 'policyConstraints has neither requireExplicitPolicy nor inhibitPolicyMapping (RFC 5280 4.2.1.11 forbids an empty sequence)' };
  }
  const cpRaw = rawOf(OID.certificatePolicies);
  // Without certificatePolicies OpenSSL stops here: policyMappings and inhibitAnyPolicy of such a certificate are not read.
  if (!cpRaw) return out;
  const cpDup = dup(OID.certificatePolicies, 'certificatePolicies');
  if (cpDup) return { ...out, invalid: cpDup };
  const cps = asn1js.fromBER(cpRaw).result;
  if (!(cps instanceof asn1js.Sequence)) return { ...out, invalid: 'certificatePolicies does not decode' };
  const oids: string[] = [];
  for (const pi of cps.valueBlock.value) {
    const id = pi instanceof asn1js.Sequence ? pi.valueBlock.value[0] : undefined;
    if (!(id instanceof asn1js.ObjectIdentifier)) return { ...out, invalid: 'certificatePolicies does not decode' };
    const oid = id.valueBlock.toString();
    if (oids.includes(oid)) return { ...out, invalid: `certificatePolicies lists ${oid === OID.anyPolicy ? 'anyPolicy' : oid} twice (RFC 5280 4.2.1.4: no more than once)` };
    oids.push(oid);
  }
  // An empty certificatePolicies counts as none (OpenSSL: no data, not invalid).
  if (!oids.length) return out;
  out.policies = oids;
  const pmRaw = rawOf(OID.policyMappings);
  if (pmRaw) {
    const why = dup(OID.policyMappings, 'policyMappings');
    if (why) return { ...out, invalid: why };
    const seq = asn1js.fromBER(pmRaw).result;
    if (!(seq instanceof asn1js.Sequence)) return { ...out, invalid: 'policyMappings does not decode' };
    const maps: { issuer: string; subject: string }[] = [];
    for (const m of seq.valueBlock.value) {
      const [a, b] = m instanceof asn1js.Sequence ? m.valueBlock.value : [];
      if (!(a instanceof asn1js.ObjectIdentifier) || !(b instanceof asn1js.ObjectIdentifier)) return { ...out, invalid: 'policyMappings does not decode' };
      const issuer = a.valueBlock.toString();
      const subject = b.valueBlock.toString();
      if (issuer === OID.anyPolicy || subject === OID.anyPolicy) return { ...out, invalid: 'policyMappings maps to or from anyPolicy (RFC 5280 4.2.1.5 forbids it)' };
      maps.push({ issuer, subject });
    }
    if (!maps.length) return { ...out, invalid: 'policyMappings is empty' };
    out.mappings = maps;
  }
  const iaRaw = rawOf(OID.inhibitAnyPolicy);
  if (iaRaw) {
    const why = dup(OID.inhibitAnyPolicy, 'inhibitAnyPolicy');
    if (why) return { ...out, invalid: why };
    const v = asn1js.fromBER(iaRaw).result;
    if (!(v instanceof asn1js.Integer)) return { ...out, invalid: 'inhibitAnyPolicy does not decode' };
    const n = intValue(view(v.valueBlock.valueHexView));
    if (n < 0) return { ...out, invalid: 'inhibitAnyPolicy is negative' };
    out.inhibitAnyPolicy = n;
  }
  return out;
}

/** [n] IMPLICIT INTEGER content, clamped so absurd values stay numbers. */
function implicitInt(f: asn1js.AsnType): number | undefined {
  const b = (f as asn1js.Primitive).valueBlock as { valueHexView?: Uint8Array };
  if (!b.valueHexView || !b.valueHexView.length) return undefined;
  return intValue(view(b.valueHexView));
}

function intValue(b: Uint8Array): number {
  if (!b.length) return 0;
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  if (b[0]! & 0x80) v -= 1n << BigInt(b.length * 8);
  const max = 1n << 30n;
  return Number(v > max ? max : v < -max ? -max : v);
}
