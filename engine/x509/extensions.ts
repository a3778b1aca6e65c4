// Certificate and CRL extensions (RFC 5280 section 4.2, RFC 6962 section 3.3), decoded by name,
// with the lines `openssl x509 -text` prints. Unknown extensions keep their OID and hex.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { oidLong, oidEntry } from '../registry/oids';
import { colonHexUpper, toHex, view } from '../util/hex';
import { childrenOf, contentOf, DerError, oidOf } from './der';
import { fromPkijs, generalNameText } from './general-names';
import type { ExtensionInfo, GeneralName } from './types';

const KEY_USAGE = [
  'Digital Signature', 'Non Repudiation', 'Key Encipherment', 'Data Encipherment',
  'Key Agreement', 'Certificate Sign', 'CRL Sign', 'Encipher Only', 'Decipher Only',
];

const CRL_REASONS = [
  'Unspecified', 'Key Compromise', 'CA Compromise', 'Affiliation Changed', 'Superseded',
  'Cessation Of Operation', 'Certificate Hold', '(unused)', 'Remove From CRL', 'Privilege Withdrawn', 'AA Compromise',
];

export function crlReasonText(code: number): string {
  return CRL_REASONS[code] ?? `reason ${code}`;
}

/**
 * An extension pkijs could not read: a DerError unless it is at least SEQUENCE { OID, [BOOLEAN], OCTET STRING },
 * in which case it is shown as hex with the reason, as openssl shows a value it cannot parse.
 */
function unparsedExtension(block: asn1js.AsnType, why: string): ExtensionInfo {
  const [idB, second, third] = childrenOf(block, 'Extension');
  const oid = oidOf(idB, 'Extension.extnID');
  const critical = second instanceof asn1js.Boolean ? second.valueBlock.value : false;
  const value = second instanceof asn1js.Boolean ? third : second;
  if (!(value instanceof asn1js.OctetString)) throw new DerError('Extension.extnValue', `expected an OCTET STRING (${why})`);
  const raw = contentOf(value);
  return { oid, name: oidEntry(oid)?.long ?? oid, critical, lines: [`<unparsable: ${why}>`, hexLines(raw)], hex: toHex(raw) };
}

/** Decodes one Extension (SEQUENCE { extnID, critical, extnValue }). */
export function decodeExtension(block: asn1js.AsnType): ExtensionInfo {
  let ext: pkijs.Extension;
  try {
    ext = new pkijs.Extension({ schema: block });
  } catch (e) {
    // pkijs throws plain Errors for a malformed Extension and for a known one whose value does not parse.
    return unparsedExtension(block, (e as Error).message);
  }
  const oid = ext.extnID;
  const critical = ext.critical;
  const raw = view(ext.extnValue.valueBlock.valueHexView);
  const name = oidEntry(oid)?.long ?? oid;
  try {
    const known = describe(oid, ext.parsedValue, raw);
    if (known) return { oid, name, critical, lines: known.lines, value: known.value };
  } catch {
    // fall through: shown as hex with a note, never fatal
  }
  return { oid, name, critical, lines: [hexLines(raw)], hex: toHex(raw) };
}

export function decodeExtensions(blocks: asn1js.AsnType[]): ExtensionInfo[] {
  return blocks.map(decodeExtension);
}

/** SANs from a decoded extension list. */
export function subjectAltNames(exts: ExtensionInfo[]): GeneralName[] {
  const san = exts.find((e) => e.oid === '2.5.29.17');
  return (san?.value as GeneralName[] | undefined) ?? [];
}

function hexLines(b: Uint8Array): string {
  return colonHexUpper(b);
}

function bitStringBits(bs: asn1js.BitString): boolean[] {
  const bytes = contentOf(bs);
  const out: boolean[] = [];
  for (let i = 0; i < bytes.length * 8; i++) out.push(((bytes[i >> 3]! >> (7 - (i & 7))) & 1) === 1);
  return out;
}

function names(list: pkijs.GeneralName[]): GeneralName[] {
  return list.map(fromPkijs);
}

type Described = { lines: string[]; value: unknown } | undefined;

// eslint-disable-next-line complexity
function describe(oid: string, parsed: unknown, raw: Uint8Array): Described {
  switch (oid) {
    case '2.5.29.19': { // basicConstraints, 4.2.1.9
      const bc = parsed as pkijs.BasicConstraints;
      const pathLen = bc.pathLenConstraint === undefined ? undefined
        : typeof bc.pathLenConstraint === 'number' ? bc.pathLenConstraint : bc.pathLenConstraint.valueBlock.valueDec;
      const line = `CA:${bc.cA ? 'TRUE' : 'FALSE'}${pathLen !== undefined ? `, pathlen:${pathLen}` : ''}`;
      return { lines: [line], value: { ca: !!bc.cA, pathLen } };
    }
    case '2.5.29.15': { // keyUsage, 4.2.1.3
      const bits = bitStringBits(parsed as asn1js.BitString);
      const usages = KEY_USAGE.filter((_, i) => bits[i]);
      return { lines: [usages.join(', ')], value: usages };
    }
    case '2.5.29.37': { // extKeyUsage, 4.2.1.12
      const purposes = (parsed as pkijs.ExtKeyUsage).keyPurposes;
      return { lines: [purposes.map((p) => oidLong(p)).join(', ')], value: purposes.map((p) => ({ oid: p, name: oidLong(p) })) };
    }
    case '2.5.29.14': { // subjectKeyIdentifier, 4.2.1.2
      const id = colonHexUpper(contentOf(parsed as asn1js.OctetString));
      return { lines: [id], value: id };
    }
    case '2.5.29.35': { // authorityKeyIdentifier, 4.2.1.1
      const aki = parsed as pkijs.AuthorityKeyIdentifier;
      const lines: string[] = [];
      const keyId = aki.keyIdentifier ? colonHexUpper(contentOf(aki.keyIdentifier)) : undefined;
      const issuer = aki.authorityCertIssuer ? names(aki.authorityCertIssuer) : [];
      // OpenSSL 3.0 labels the key id only when issuer and serial follow it.
      if (keyId) lines.push(issuer.length || aki.authorityCertSerialNumber ? `keyid:${keyId}` : keyId);
      for (const n of issuer) lines.push(generalNameText(n));
      const serial = aki.authorityCertSerialNumber ? colonHexUpper(contentOf(aki.authorityCertSerialNumber)) : undefined;
      if (serial) lines.push(`serial:${serial}`);
      return { lines, value: { keyId, issuer, serial } };
    }
    case '2.5.29.17': case '2.5.29.18': { // subject/issuer alternative name, 4.2.1.6-7
      const list = names((parsed as pkijs.AltName).altNames);
      return { lines: [list.map(generalNameText).join(', ')], value: list };
    }
    case '1.3.6.1.5.5.7.1.1': case '1.3.6.1.5.5.7.1.11': { // AIA / SIA, 4.2.2.1-2
      const ads = (parsed as pkijs.InfoAccess).accessDescriptions.map((ad) => ({
        method: oidLong(ad.accessMethod), location: fromPkijs(ad.accessLocation),
      }));
      return { lines: ads.map((a) => `${a.method} - ${generalNameText(a.location)}`), value: ads };
    }
    case '2.5.29.31': case '2.5.29.46': { // CRL distribution points, 4.2.1.13
      const dps = (parsed as pkijs.CRLDistributionPoints).distributionPoints;
      const lines: string[] = [];
      const value: GeneralName[][] = [];
      for (const dp of dps) {
        if (Array.isArray(dp.distributionPoint)) {
          const full = names(dp.distributionPoint as pkijs.GeneralName[]);
          value.push(full);
          lines.push('Full Name:', ...full.map((n) => `  ${generalNameText(n)}`));
        }
      }
      return { lines, value };
    }
    case '2.5.29.32': { // certificatePolicies, 4.2.1.4
      const pols = (parsed as pkijs.CertificatePolicies).certificatePolicies;
      const lines: string[] = [];
      const value = pols.map((p) => {
        lines.push(`Policy: ${p.policyIdentifier === '2.5.29.32.0' ? 'X509v3 Any Policy' : p.policyIdentifier}`);
        const cps: string[] = [];
        for (const q of p.policyQualifiers ?? []) {
          if (q.policyQualifierId === '1.3.6.1.5.5.7.2.1') {
            const uri = (q.qualifier as { valueBlock: { value: string } }).valueBlock.value;
            cps.push(uri);
            lines.push(`  CPS: ${uri}`);
          } else {
            lines.push(`  ${oidLong(q.policyQualifierId)}`);
          }
        }
        return { oid: p.policyIdentifier, cps, qualifiers: (p.policyQualifiers ?? []).map((q) => q.policyQualifierId) };
      });
      return { lines, value };
    }
    case '2.5.29.30': { // nameConstraints, 4.2.1.10
      const nc = parsed as pkijs.NameConstraints;
      const permitted = (nc.permittedSubtrees ?? []).map((s) => fromPkijs(s.base));
      const excluded = (nc.excludedSubtrees ?? []).map((s) => fromPkijs(s.base));
      const lines: string[] = [];
      if (permitted.length) lines.push('Permitted:', ...permitted.map((n) => `  ${constraintText(n)}`));
      if (excluded.length) lines.push('Excluded:', ...excluded.map((n) => `  ${constraintText(n)}`));
      return { lines, value: { permitted, excluded } };
    }
    case '1.3.6.1.4.1.11129.2.4.2': case '1.3.6.1.4.1.11129.2.4.5': { // SCT list, RFC 6962 section 3.3
      const list = (parsed as pkijs.SignedCertificateTimestampList).timestamps;
      const lines: string[] = [];
      const value = list.map((t) => {
        const logId = colonHexUpper(new Uint8Array(t.logID));
        lines.push('Signed Certificate Timestamp:', `    Version   : v${t.version + 1} (0x${t.version.toString(16)})`,
          `    Log ID    : ${logId}`, `    Timestamp : ${t.timestamp.toISOString()}`,
          `    Signature : ${t.hashAlgorithm}-with-${t.signatureAlgorithm}`);
        return { version: t.version, logId, timestamp: t.timestamp.toISOString(), hash: t.hashAlgorithm, signature: t.signatureAlgorithm };
      });
      return { lines, value };
    }
    case '1.3.6.1.4.1.11129.2.4.3': // precertificate poison
      return { lines: ['NULL'], value: null };
    case '2.5.29.20': { // CRL number, 5.2.3
      const n = parseInteger(raw);
      return { lines: [n], value: n };
    }
    case '2.5.29.21': { // reason code, 5.3.1
      const asn = asn1js.fromBER(raw).result as asn1js.Enumerated;
      const code = asn.valueBlock.valueDec;
      return { lines: [crlReasonText(code)], value: code };
    }
    case '1.3.6.1.5.5.7.1.24': { // TLS feature, RFC 7633
      const seq = asn1js.fromBER(raw).result as asn1js.Sequence;
      const feats = seq.valueBlock.value.map((v) => (v as asn1js.Integer).valueBlock.valueDec);
      return { lines: [feats.map((f) => (f === 5 ? 'status_request' : f === 17 ? 'status_request_v2' : String(f))).join(', ')], value: feats };
    }
    case '2.16.840.1.113730.1.13': { // Netscape comment
      const s = (asn1js.fromBER(raw).result as asn1js.IA5String).valueBlock.value;
      return { lines: [s], value: s };
    }
    default:
      return undefined;
  }
}

function constraintText(n: GeneralName): string {
  return n.type === 'ip' ? `IP:${n.value}` : generalNameText(n);
}

function parseInteger(raw: Uint8Array): string {
  const int = asn1js.fromBER(raw).result as asn1js.Integer;
  const bytes = contentOf(int);
  return bytes.length <= 6 ? String(int.valueBlock.valueDec) : colonHexUpper(bytes);
}

