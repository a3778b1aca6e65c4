// A certificate as path validation needs it: the decoded CertificateInfo plus the raw pieces that signatures,
// name chaining (RFC 5280 section 7.1) and name constraints work on.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { decodeCertificate, certificateSpki } from '../certificate';
import { decodeName } from '../name';
import { fromPkijs } from '../general-names';
import { toHex, view } from '../../util/hex';
import type { CertificateInfo, DistinguishedName, GeneralName, NameAttribute } from '../types';

export interface VCert {
  der: Uint8Array;
  info: CertificateInfo;
  /** SHA-256 fingerprint, the identity used to drop duplicates and detect loops. */
  id: string;
  tbs: Uint8Array;
  signature: Uint8Array;
  sigAlgOid: string;
  /** DER of the outer signatureAlgorithm.parameters, absent when omitted. */
  sigAlgParams?: Uint8Array;
  /** Whether tbsCertificate.signature equals the outer signatureAlgorithm (RFC 5280 section 4.1.1.2). */
  sigAlgConsistent: boolean;
  spki: Uint8Array;
  /** Canonical forms of subject and issuer for comparison (RFC 5280 section 7.1: case and whitespace folded). */
  subjectKey: string;
  issuerKey: string;
  ski?: string;
  akiKeyId?: string;
  basicConstraints?: { ca: boolean; pathLen?: number };
  keyUsage?: string[];
  /** EKU OIDs; undefined when the extension is absent. */
  extKeyUsage?: string[];
  nameConstraints?: { permitted: ConstraintName[]; excluded: ConstraintName[] };
  /** Display name: the CN, else the one-line subject. */
  label: string;
  /** OpenSSL trust settings of a TRUSTED CERTIFICATE (X509_AUX): purposes (EKU OIDs) trusted and rejected. */
  aux?: { trust: string[]; reject: string[]; alias?: string };
}

/** A name-constraint subtree base; directoryName keeps its RDNs so prefixes can be compared. */
export type ConstraintName = GeneralName | { type: 'dirNameRdns'; value: string; rdns: NameAttribute[][] };

export function loadCert(der: Uint8Array, now = new Date()): VCert {
  const info = decodeCertificate(der, now);
  const asn = asn1js.fromBER(der);
  const pc = new pkijs.Certificate({ schema: asn.result });
  const sigAlgParams = pc.signatureAlgorithm.algorithmParams ? view(pc.signatureAlgorithm.algorithmParams.toBER()) : undefined;
  const outer = view(pc.signatureAlgorithm.toSchema().toBER());
  const inner = view(pc.signature.toSchema().toBER());
  const ext = (oid: string) => info.extensions.find((e) => e.oid === oid);
  const bc = ext('2.5.29.19')?.value as { ca: boolean; pathLen?: number | string } | undefined;
  const aki = ext('2.5.29.35')?.value as { keyId?: string } | undefined;
  const eku = ext('2.5.29.37')?.value as { oid: string }[] | undefined;
  const cert: VCert = {
    der,
    info,
    id: info.fingerprints.sha256,
    tbs: view(pc.tbsView),
    signature: view(pc.signatureValue.valueBlock.valueHexView),
    sigAlgOid: pc.signatureAlgorithm.algorithmId,
    ...(sigAlgParams ? { sigAlgParams } : {}),
    sigAlgConsistent: toHex(outer) === toHex(inner),
    spki: certificateSpki(der),
    subjectKey: canonicalName(info.subject),
    issuerKey: canonicalName(info.issuer),
    label: cnOf(info.subject) ?? (info.subject.text || '(empty subject)'),
  };
  const ski = ext('2.5.29.14')?.value as string | undefined;
  if (ski) cert.ski = ski;
  if (aki?.keyId) cert.akiKeyId = aki.keyId;
  if (bc) cert.basicConstraints = { ca: bc.ca, ...(bc.pathLen !== undefined ? { pathLen: Number(bc.pathLen) } : {}) };
  const ku = ext('2.5.29.15')?.value as string[] | undefined;
  if (ku) cert.keyUsage = ku;
  if (eku) cert.extKeyUsage = eku.map((e) => e.oid);
  const nc = pc.extensions?.find((e) => e.extnID === '2.5.29.30');
  if (nc) {
    const parsed = nc.parsedValue as pkijs.NameConstraints | undefined;
    if (parsed) cert.nameConstraints = {
      permitted: (parsed.permittedSubtrees ?? []).map((s) => constraintName(s.base)),
      excluded: (parsed.excludedSubtrees ?? []).map((s) => constraintName(s.base)),
    };
  }
  return cert;
}

/** X509_CERT_AUX (OpenSSL): SEQUENCE { trust SEQUENCE OF OID OPTIONAL, reject [0] SEQUENCE OF OID OPTIONAL, alias UTF8String OPTIONAL, ... }. */
export function parseAux(bytes: Uint8Array): VCert['aux'] {
  if (!bytes.length) return undefined;
  const seq = asn1js.fromBER(bytes).result;
  if (!(seq instanceof asn1js.Sequence)) return undefined;
  const out: NonNullable<VCert['aux']> = { trust: [], reject: [] };
  const oids = (b: asn1js.AsnType) => ((b as asn1js.Constructed).valueBlock.value ?? []).filter((x): x is asn1js.ObjectIdentifier => x instanceof asn1js.ObjectIdentifier).map((x) => x.valueBlock.toString());
  for (const f of seq.valueBlock.value) {
    if (f instanceof asn1js.Sequence) out.trust = oids(f);
    else if (f.idBlock.tagClass === 3 && f.idBlock.tagNumber === 0) out.reject = oids(f);
    else if (f instanceof asn1js.Utf8String) out.alias = f.valueBlock.value;
  }
  return out;
}

function constraintName(gn: pkijs.GeneralName): ConstraintName {
  if (gn.type === 4) {
    const rdn = gn.value as pkijs.RelativeDistinguishedNames;
    if (rdn.valueBeforeDecode?.byteLength) {
      const dn = decodeName(asn1js.fromBER(rdn.valueBeforeDecode).result, 'nameConstraints.directoryName');
      return { type: 'dirNameRdns', value: dn.text, rdns: dn.rdns };
    }
  }
  if (gn.type === 7) {
    // Keep the raw address+mask bytes as hex: ipText's form is for display.
    return { type: 'ip', value: toHex(view((gn.value as asn1js.OctetString).valueBlock.valueHexView)) };
  }
  return fromPkijs(gn);
}

/** RFC 5280 section 7.1 / RFC 4518, simplified: attribute type plus value, lower-cased with internal whitespace collapsed. */
export function canonicalName(dn: DistinguishedName): string {
  return dn.rdns.map((rdn) => rdn.map(canonicalAttr).sort().join('+')).join('/');
}

export function canonicalAttr(a: NameAttribute): string {
  return `${a.oid}=${a.value.trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

export function cnOf(dn: DistinguishedName): string | undefined {
  for (const rdn of dn.rdns) for (const a of rdn) if (a.short === 'CN') return a.value;
  return undefined;
}

/** Self-issued: subject and issuer names match (RFC 5280 section 6.1). */
export function isSelfIssued(c: VCert): boolean {
  return c.subjectKey === c.issuerKey;
}
