// What the lint rules read from one certificate: the decoded CertificateInfo (engine/x509/certificate.ts) plus
// the encoding details it deliberately drops (serial octets, time and string tags, unique IDs, algorithm
// parameters, extension order). Read once per certificate; every rule is a pure function of these facts.
import * as asn1js from 'asn1js';
import { decodeCertificate, need } from '../x509/certificate';
import { childrenOf, contentOf, contextTag, DerError, oidOf, parseDer, rawOf } from '../x509/der';
import type { CertificateInfo, ExtensionInfo } from '../x509/types';
import { oidShort } from '../registry/oids';

/** ASN.1 universal tags of the string and time types the rules name (X.680 section 8.6). */
export const TAG = {
  UTF8String: 12, PrintableString: 19, TeletexString: 20, IA5String: 22, UTCTime: 23, GeneralizedTime: 24,
  VisibleString: 26, UniversalString: 28, BMPString: 30,
} as const;

export const TAG_NAME: Record<number, string> = Object.fromEntries(Object.entries(TAG).map(([k, v]) => [v, k]));

export interface TimeFact {
  date: Date;
  /** TAG.UTCTime or TAG.GeneralizedTime (or another tag when the encoding is wrong). */
  tag: number;
  /** The encoded characters, e.g. '260101000000Z'. */
  text: string;
}

export interface NameAttributeFact {
  oid: string;
  short: string;
  value: string;
  /** Universal tag of the value's string type. */
  tag: number;
  /** The value's content octets as encoded. */
  bytes: Uint8Array;
  /** Where it sits: `tbsCertificate.subject.rdn[2][0]`. */
  field: string;
}

export interface AlgorithmFact {
  oid: string;
  /** The whole AlgorithmIdentifier DER, to compare with the byte-exact encodings of BR 7.1.3. */
  der: Uint8Array;
  /** The parameters block, absent when the SEQUENCE has only the OID. */
  params?: asn1js.AsnType;
}

export interface ExtensionFact extends ExtensionInfo {
  /** Position among the certificate's extensions, for the field name. */
  index: number;
}

export interface CertFacts {
  info: CertificateInfo;
  version: number;
  /** The serialNumber INTEGER's content octets, sign byte included, as encoded. */
  serial: Uint8Array;
  tbsSignature: AlgorithmFact;
  signature: AlgorithmFact;
  notBefore: TimeFact;
  notAfter: TimeFact;
  subject: NameAttributeFact[];
  subjectEmpty: boolean;
  issuerUniqueId: boolean;
  subjectUniqueId: boolean;
  spkiAlgorithm: AlgorithmFact;
  extensions: ExtensionFact[];
}

/** Reads the facts of one DER certificate. Throws DerError (naming the field) when it does not decode. */
export function certFacts(der: Uint8Array, now = new Date()): CertFacts {
  const info = decodeCertificate(der, now);
  const root = parseDer(der, 'Certificate');
  const [tbs, sigAlg] = childrenOf(root, 'Certificate');
  const f = childrenOf(tbs, 'tbsCertificate');
  let i = f[0] && contextTag(f[0]) === 0 ? 1 : 0;
  const serialBlock = need(f[i++], 'tbsCertificate.serialNumber');
  const tbsSignature = algorithm(need(f[i++], 'tbsCertificate.signature'), 'tbsCertificate.signature');
  i++; // issuer
  const [nb, na] = childrenOf(need(f[i++], 'tbsCertificate.validity'), 'tbsCertificate.validity');
  const subjectBlock = need(f[i++], 'tbsCertificate.subject');
  const spki = need(f[i++], 'tbsCertificate.subjectPublicKeyInfo');
  const rest = f.slice(i);
  const subject = nameAttributes(subjectBlock, 'tbsCertificate.subject', info);
  return {
    info,
    version: info.version,
    serial: contentOf(serialBlock),
    tbsSignature,
    signature: algorithm(sigAlg, 'signatureAlgorithm'),
    notBefore: time(nb, 'tbsCertificate.validity.notBefore'),
    notAfter: time(na, 'tbsCertificate.validity.notAfter'),
    subject,
    subjectEmpty: childrenOf(subjectBlock, 'tbsCertificate.subject').length === 0,
    issuerUniqueId: rest.some((b) => contextTag(b) === 1),
    subjectUniqueId: rest.some((b) => contextTag(b) === 2),
    spkiAlgorithm: algorithm(childrenOf(spki, 'tbsCertificate.subjectPublicKeyInfo')[0], 'tbsCertificate.subjectPublicKeyInfo.algorithm'),
    extensions: info.extensions.map((e, index) => ({ ...e, index })),
  };
}

function algorithm(block: asn1js.AsnType | undefined, field: string): AlgorithmFact {
  const [oidB, params] = childrenOf(block, field);
  return { oid: oidOf(oidB, `${field}.algorithm`), der: rawOf(block!), ...(params ? { params } : {}) };
}

function time(block: asn1js.AsnType | undefined, field: string): TimeFact {
  if (!(block instanceof asn1js.UTCTime || block instanceof asn1js.GeneralizedTime)) throw new DerError(field, 'expected UTCTime or GeneralizedTime');
  return { date: block.toDate(), tag: block.idBlock.tagNumber, text: new TextDecoder('latin1').decode(contentBytes(block)) };
}

/** Content octets of any primitive block, from its exact encoding (asn1js keeps strings decoded, not raw). */
export function contentBytes(block: asn1js.AsnType): Uint8Array {
  const b = block as asn1js.BaseBlock;
  return rawOf(block).subarray(b.idBlock.blockLength + b.lenBlock.blockLength);
}

function nameAttributes(block: asn1js.AsnType, field: string, info: CertificateInfo): NameAttributeFact[] {
  const out: NameAttributeFact[] = [];
  childrenOf(block, field).forEach((set, r) => childrenOf(set, `${field}.rdn[${r}]`).forEach((atv, a) => {
    const where = `${field}.rdn[${r}][${a}]`;
    const [type, valueBlock] = childrenOf(atv, where);
    const oid = oidOf(type, `${where}.type`);
    const v = need(valueBlock, `${where}.value`) as asn1js.BaseBlock;
    const bytes = contentBytes(v);
    // The text as the decoder read it (BMPString and UniversalString decoded), for comparisons and lengths.
    const value = info.subject.rdns[r]?.[a]?.value ?? new TextDecoder().decode(bytes);
    out.push({ oid, short: oidShort(oid), value, tag: v.idBlock.tagClass === 1 ? v.idBlock.tagNumber : -1, bytes, field: where });
  }));
  return out;
}
