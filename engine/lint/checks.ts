// One check per rule of rules.ts, each a pure function of a certificate's facts: it returns what it saw (the
// field and a sentence), nothing when the certificate keeps the rule. Severity, source and fix come from the
// registry, never from here.
import { isIP } from 'node:net';
import { TAG, TAG_NAME, type CertFacts, type ExtensionFact } from './facts';
import type { GeneralName } from '../x509/types';
import { oidLong, oidShort } from '../registry/oids';

export interface Violation {
  field: string;
  message: string;
}

type Check = (f: CertFacts) => Violation[];

const OID = {
  rsa: '1.2.840.113549.1.1.1', ec: '1.2.840.10045.2.1', pss: '1.2.840.113549.1.1.10', mgf1: '1.2.840.113549.1.1.8',
  sha256: '2.16.840.1.101.3.4.2.1', sha384: '2.16.840.1.101.3.4.2.2', sha512: '2.16.840.1.101.3.4.2.3',
  ski: '2.5.29.14', ku: '2.5.29.15', san: '2.5.29.17', bc: '2.5.29.19', crldp: '2.5.29.31', aki: '2.5.29.35', eku: '2.5.29.37',
  aia: '1.3.6.1.5.5.7.1.1', cn: '2.5.4.3', c: '2.5.4.6', cp: '2.5.29.32', anyPolicy: '2.5.29.32.0', cps: '1.3.6.1.5.5.7.2.1',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** Signature algorithms that rest on MD2, MD5 or SHA-1 (names from the OID registry). */
const WEAK_SIGNATURES = new Set(['1.2.840.113549.1.1.2', '1.2.840.113549.1.1.4', '1.2.840.113549.1.1.5', '1.3.14.3.2.29', '1.2.840.10045.4.1', '1.2.840.10040.4.3']);

/** BR 7.1.2.7.10: key purposes a TLS server certificate must not have. */
const LEAF_PROHIBITED_EKU = new Set(['2.5.29.37.0', '1.3.6.1.5.5.7.3.4', '1.3.6.1.5.5.7.3.3', '1.3.6.1.5.5.7.3.8', '1.3.6.1.5.5.7.3.9', '1.3.6.1.4.1.11129.2.4.4']);

/** BR 7.1.3.2.1 and 7.1.3.2.2: the only AlgorithmIdentifier encodings allowed, byte for byte (PSS is checked apart). */
const ALLOWED_SIGNATURE_DER = new Set([
  '300d06092a864886f70d01010b0500', '300d06092a864886f70d01010c0500', '300d06092a864886f70d01010d0500',
  '300a06082a8648ce3d040302', '300a06082a8648ce3d040303', '300a06082a8648ce3d040304',
]);

/** BR 7.1.3.2.1: RSASSA-PSS with SHA-256/384/512, MGF1 with the same hash and a salt of the hash's length. */
const ALLOWED_PSS_DER = new Set([
  '304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120',
  '304106092a864886f70d01010a3034a00f300d06096086480165030402020500a11c301a06092a864886f70d010108300d06096086480165030402020500a203020130',
  '304106092a864886f70d01010a3034a00f300d06096086480165030402030500a11c301a06092a864886f70d010108300d06096086480165030402030500a203020140',
]);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ext = (f: CertFacts, oid: string) => f.extensions.find((e) => e.oid === oid);
const extField = (e: ExtensionFact) => `tbsCertificate.extensions[${e.index}] (${e.name})`;
const SUBJECT_FIELD = 'tbsCertificate.subject';
const SAN_FIELD = 'tbsCertificate.extensions.subjectAltName';

/** BR 7.1.6.1: the CA/Browser Forum's reserved policy identifiers (EV, DV, OV, IV). */
const RESERVED_POLICIES = new Set(['2.23.140.1.1', '2.23.140.1.2.1', '2.23.140.1.2.2', '2.23.140.1.2.3']);

function policies(e: ExtensionFact): { oid: string; qualifiers: string[] }[] {
  return ((e.value as { oid: string; qualifiers?: string[] }[] | undefined) ?? []).map((p) => ({ oid: p.oid, qualifiers: p.qualifiers ?? [] }));
}

function sanNames(f: CertFacts): GeneralName[] {
  return f.info.subjectAltNames;
}

function keyUsage(f: CertFacts): string[] | undefined {
  return ext(f, OID.ku)?.value as string[] | undefined;
}

function ekuOids(f: CertFacts): string[] | undefined {
  return (ext(f, OID.eku)?.value as { oid: string }[] | undefined)?.map((p) => p.oid);
}

/** Validity Period as BR 1.6.1 defines it: notBefore through notAfter inclusive, in seconds. */
export function validitySeconds(f: CertFacts): number {
  return (f.notAfter.date.getTime() - f.notBefore.date.getTime()) / 1000 + 1;
}

/** BR 6.3.2 (ballot SC-081v3 for 2026 on): the longest validity allowed for a certificate issued on `issued`. */
export function maxValidityDays(issued: Date): number | undefined {
  const t = issued.getTime();
  const steps: [string, number][] = [['2029-03-15', 47], ['2027-03-15', 100], ['2026-03-15', 200], ['2020-09-01', 398], ['2018-03-01', 825]];
  for (const [from, days] of steps) if (t >= Date.parse(`${from}T00:00:00Z`)) return days;
  return undefined;
}

/** The serial's magnitude: content octets without the sign byte DER adds before a high bit. */
function serialMagnitude(serial: Uint8Array): Uint8Array {
  return serial.length > 1 && serial[0] === 0 ? serial.subarray(1) : serial;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** Attributes whose syntax is DirectoryString (X.520), as RFC 5280 4.1.2.4 lists and profiles them. */
const DIRECTORY_STRING = new Set(['2.5.4.3', '2.5.4.4', '2.5.4.7', '2.5.4.8', '2.5.4.9', '2.5.4.10', '2.5.4.11', '2.5.4.12', '2.5.4.15', '2.5.4.17', '2.5.4.42', '2.5.4.43', '2.5.4.44', '2.5.4.65', '2.5.4.97']);

/** RFC 5280 Appendix A.1 upper bounds, in characters. */
const UPPER_BOUNDS: Record<string, number> = { '2.5.4.3': 64, '2.5.4.10': 64, '2.5.4.11': 64, '2.5.4.7': 128, '2.5.4.8': 128 };

/** A DNS name's problems in RFC 1034 section 3.5 / RFC 1123 section 2.1 preferred syntax, the wildcard label aside. */
function dnsSyntaxProblems(name: string): string | undefined {
  if (name === '' || name === ' ') return 'is empty';
  if (name.endsWith('.')) return 'ends with a dot (a trailing root label)';
  if (name.length > 253) return `is ${name.length} characters long (253 at most)`;
  const labels = name.split('.');
  for (const [i, label] of labels.entries()) {
    if (i === 0 && label === '*') continue;
    if (label.length === 0) return 'has an empty label';
    if (label.length > 63) return `has a label of ${label.length} characters (63 at most)`;
    const clean = label.replace(/[_*]/g, 'a'); // underscores and stray asterisks have rules of their own
    if (!/^[A-Za-z0-9-]+$/.test(clean)) return `has a character outside letters, digits and hyphen in "${label}"`;
    if (label.startsWith('-') || label.endsWith('-')) return `has a label that starts or ends with a hyphen ("${label}")`;
  }
  return undefined;
}

function dnsNames(f: CertFacts): { name: string; i: number }[] {
  return sanNames(f).flatMap((n, i) => (n.type === 'dns' ? [{ name: n.value, i }] : []));
}

export const CHECKS: Record<string, Check> = {
  'version-3': (f) => (f.version === 3 ? [] : [{ field: 'tbsCertificate.version', message: `version is ${f.version}, not 3` }]),

  'unique-ids-absent': (f) => [
    ...(f.issuerUniqueId ? [{ field: 'tbsCertificate.issuerUniqueID', message: 'issuerUniqueID is present' }] : []),
    ...(f.subjectUniqueId ? [{ field: 'tbsCertificate.subjectUniqueID', message: 'subjectUniqueID is present' }] : []),
  ],

  'serial-positive': (f) => {
    const negative = (f.serial[0] ?? 0) & 0x80;
    const zero = f.serial.every((b) => b === 0);
    return negative || zero ? [{ field: 'tbsCertificate.serialNumber', message: `serial ${f.info.serialNegative ? '-' : ''}${f.info.serialHex} is ${zero ? 'zero' : 'negative'}` }] : [];
  },

  'serial-max-20-octets': (f) => (f.serial.length > 20 ? [{ field: 'tbsCertificate.serialNumber', message: `serial is ${f.serial.length} octets long` }] : []),

  'serial-64-bit-entropy': (f) => {
    const n = serialMagnitude(f.serial).length;
    return n < 8 ? [{ field: 'tbsCertificate.serialNumber', message: `serial ${f.info.serialHex} is ${n} octet${n === 1 ? '' : 's'} long: too short to hold 64 random bits` }] : [];
  },

  'signature-algorithm-match': (f) => (hex(f.tbsSignature.der) === hex(f.signature.der) ? []
    : [{ field: 'tbsCertificate.signature', message: `tbsCertificate.signature (${hex(f.tbsSignature.der)}) differs from signatureAlgorithm (${hex(f.signature.der)})` }]),

  'signature-algorithm-weak': (f) => {
    return WEAK_SIGNATURES.has(f.signature.oid) ? [{ field: 'signatureAlgorithm', message: `signed with ${oidLong(f.signature.oid)}` }] : [];
  },

  'signature-algorithm-encoding': (f) => {
    if (f.signature.oid === OID.pss || WEAK_SIGNATURES.has(f.signature.oid)) return []; // their own rules
    const der = hex(f.signature.der);
    return ALLOWED_SIGNATURE_DER.has(der) ? [] : [{ field: 'signatureAlgorithm', message: `${f.info.signatureAlgorithm} encoded as ${der}, not one of the encodings BR 7.1.3.2 lists` }];
  },

  'signature-rsa-pss-params': (f) => {
    if (f.signature.oid !== OID.pss) return [];
    const der = hex(f.signature.der);
    return ALLOWED_PSS_DER.has(der) ? [] : [{ field: 'signatureAlgorithm.parameters', message: `RSASSA-PSS parameters ${der} are not SHA-256/384/512 with MGF1 of the same hash and a salt of the hash's length` }];
  },

  'spki-algorithm': (f) => {
    const a = f.spkiAlgorithm;
    const field = 'tbsCertificate.subjectPublicKeyInfo.algorithm';
    if (a.oid === OID.rsa) return hex(a.der) === '300d06092a864886f70d0101010500' ? [] : [{ field, message: 'rsaEncryption without NULL parameters' }];
    if (a.oid === OID.ec) return f.info.publicKey.curve === 'explicit parameters' ? [{ field, message: 'EC key with explicit curve parameters, not a named curve' }] : [];
    return [{ field, message: `${f.info.publicKey.description} keys are not allowed (only RSA and ECDSA)` }];
  },

  'rsa-key-size': (f) => (f.spkiAlgorithm.oid === OID.rsa && f.info.publicKey.bits < 2048
    ? [{ field: 'tbsCertificate.subjectPublicKeyInfo', message: `RSA modulus of ${f.info.publicKey.bits} bits` }] : []),

  'rsa-modulus-multiple-of-8': (f) => (f.spkiAlgorithm.oid === OID.rsa && f.info.publicKey.bits % 8 !== 0
    ? [{ field: 'tbsCertificate.subjectPublicKeyInfo', message: `RSA modulus of ${f.info.publicKey.bits} bits is not a multiple of 8` }] : []),

  'rsa-exponent': (f) => {
    if (f.spkiAlgorithm.oid !== OID.rsa || f.info.publicKey.exponent === undefined) return [];
    const e = BigInt(f.info.publicKey.exponent);
    return e % 2n === 1n && e >= 3n ? [] : [{ field: 'tbsCertificate.subjectPublicKeyInfo', message: `RSA public exponent ${e} is ${e % 2n === 0n ? 'even' : 'less than 3'}` }];
  },

  'rsa-exponent-range': (f) => {
    if (f.spkiAlgorithm.oid !== OID.rsa || f.info.publicKey.exponent === undefined) return [];
    const e = BigInt(f.info.publicKey.exponent);
    return e >= 65537n && e <= (1n << 256n) - 1n ? [] : [{ field: 'tbsCertificate.subjectPublicKeyInfo', message: `RSA public exponent ${e} is outside 65537 to 2^256-1` }];
  },

  'ec-curve': (f) => {
    if (f.spkiAlgorithm.oid !== OID.ec) return [];
    const c = f.info.publicKey.curve;
    return c === 'P-256' || c === 'P-384' || c === 'P-521' ? [] : [{ field: 'tbsCertificate.subjectPublicKeyInfo.algorithm.parameters', message: `EC key on ${c ?? 'an unknown curve'}` }];
  },

  'validity-time-encoding': (f) => [
    ...timeProblem(f.notBefore, 'tbsCertificate.validity.notBefore'),
    ...timeProblem(f.notAfter, 'tbsCertificate.validity.notAfter'),
  ],

  'validity-period': (f) => {
    const max = maxValidityDays(f.notBefore.date);
    if (max === undefined) return [];
    const secs = validitySeconds(f);
    if (secs <= max * 86400) return [];
    return [{ field: 'tbsCertificate.validity', message: `valid for ${(secs / 86400).toFixed(2).replace(/\.00$/, '')} days; issued ${f.notBefore.date.toISOString().slice(0, 10)}, the limit is ${max} days` }];
  },

  'name-string-type': (f) => f.subject.filter((a) => DIRECTORY_STRING.has(a.oid) && a.tag !== TAG.PrintableString && a.tag !== TAG.UTF8String)
    .map((a) => ({ field: a.field, message: `${a.short} is a ${TAG_NAME[a.tag] ?? `tag ${a.tag}`}` })),

  'printable-string-charset': (f) => f.subject.filter((a) => a.tag === TAG.PrintableString && !PRINTABLE.test(new TextDecoder('latin1').decode(a.bytes)))
    .map((a) => ({ field: a.field, message: `${a.short} "${a.value}" has a character PrintableString does not allow` })),

  'country-code': (f) => f.subject.filter((a) => a.oid === OID.c && (a.tag !== TAG.PrintableString || !/^[A-Z]{2}$/.test(a.value)))
    .map((a) => ({ field: a.field, message: `countryName "${a.value}"${a.tag !== TAG.PrintableString ? ` is a ${TAG_NAME[a.tag] ?? `tag ${a.tag}`}` : ''} is not a two-letter upper-case code` })),

  'name-length': (f) => f.subject.filter((a) => UPPER_BOUNDS[a.oid] !== undefined && [...a.value].length > UPPER_BOUNDS[a.oid]!)
    .map((a) => ({ field: a.field, message: `${a.short} is ${[...a.value].length} characters long (${UPPER_BOUNDS[a.oid]} at most)` })),

  'cn-in-san': (f) => {
    const san = sanNames(f);
    return f.subject.filter((a) => a.oid === OID.cn).flatMap((a) => {
      const inSan = san.some((n) => (n.type === 'dns' && n.value === a.value) || (n.type === 'ip' && sameIp(n.value, a.value)));
      return inSan ? [] : [{ field: a.field, message: `commonName "${a.value}" is not among the subjectAltName entries${san.length ? ` (${san.map((n) => n.value).join(', ')})` : ''}` }];
    });
  },

  'cn-single': (f) => {
    const cns = f.subject.filter((a) => a.oid === OID.cn);
    return cns.length > 1 ? [{ field: SUBJECT_FIELD, message: `${cns.length} commonName attributes` }] : [];
  },

  'san-present': (f) => (ext(f, OID.san) ? [] : [{ field: SAN_FIELD, message: 'no subjectAltName extension' }]),

  'san-entry-types': (f) => {
    const e = ext(f, OID.san);
    if (!e) return [];
    const names = sanNames(f);
    if (names.length === 0) return [{ field: extField(e), message: 'subjectAltName is empty' }];
    return names.filter((n) => n.type !== 'dns' && n.type !== 'ip').map((n) => ({ field: extField(e), message: `${n.type} entry "${n.value}"` }));
  },

  'san-critical-empty-subject': (f) => {
    const e = ext(f, OID.san);
    if (!f.subjectEmpty) return [];
    if (!e) return [{ field: SUBJECT_FIELD, message: 'the subject is empty and there is no subjectAltName' }];
    return e.critical ? [] : [{ field: extField(e), message: 'the subject is empty and subjectAltName is not critical' }];
  },

  'san-not-critical': (f) => {
    const e = ext(f, OID.san);
    return e?.critical && !f.subjectEmpty ? [{ field: extField(e), message: 'subjectAltName is critical although the subject is not empty' }] : [];
  },

  'dns-name-syntax': (f) => dnsNames(f).flatMap(({ name }) => {
    const p = isIP(name) ? undefined : dnsSyntaxProblems(name);
    return p ? [{ field: SAN_FIELD, message: `dNSName "${name}" ${p}` }] : [];
  }),

  'dns-name-underscore': (f) => dnsNames(f).filter(({ name }) => name.includes('_')).map(({ name }) => ({ field: SAN_FIELD, message: `dNSName "${name}" contains "_"` })),

  'dns-name-wildcard': (f) => dnsNames(f).flatMap(({ name }) => {
    if (!name.includes('*')) return [];
    const labels = name.split('.');
    const ok = labels[0] === '*' && labels.slice(1).every((l) => !l.includes('*')) && labels.length >= 3;
    return ok ? [] : [{ field: SAN_FIELD, message: `dNSName "${name}" has a wildcard ${labels[0] === '*' ? 'over too few labels' : 'outside a whole leftmost label'}` }];
  }),

  'dns-name-ip': (f) => dnsNames(f).filter(({ name }) => isIP(name) !== 0 || isIP(name.replace(/^\[|\]$/g, '')) !== 0)
    .map(({ name }) => ({ field: SAN_FIELD, message: `dNSName "${name}" is an IP address` })),

  'basic-constraints-leaf': (f) => {
    const e = ext(f, OID.bc);
    const v = e?.value as { ca: boolean; pathLen?: number } | undefined;
    if (!e || !v) return [];
    return [
      ...(v.ca ? [{ field: extField(e), message: 'cA is TRUE in a subscriber certificate' }] : []),
      ...(v.pathLen !== undefined ? [{ field: extField(e), message: `pathLenConstraint ${v.pathLen} is present` }] : []),
    ];
  },

  'basic-constraints-ca': (f) => {
    const e = ext(f, OID.bc);
    const v = e?.value as { ca: boolean } | undefined;
    if (!e) return [{ field: 'tbsCertificate.extensions.basicConstraints', message: 'a CA certificate without basicConstraints' }];
    return [
      ...(!v?.ca ? [{ field: extField(e), message: 'cA is not TRUE' }] : []),
      ...(!e.critical ? [{ field: extField(e), message: 'basicConstraints is not critical' }] : []),
    ];
  },

  'key-usage-critical': (f) => {
    const e = ext(f, OID.ku);
    return e && !e.critical ? [{ field: extField(e), message: 'keyUsage is not critical' }] : [];
  },

  'key-usage-present': (f) => (ext(f, OID.ku) ? [] : [{ field: 'tbsCertificate.extensions.keyUsage', message: 'no keyUsage extension' }]),

  'key-usage-leaf': (f) => {
    const e = ext(f, OID.ku);
    const ku = keyUsage(f);
    if (!e || !ku) return [];
    const banned = ['Certificate Sign', 'CRL Sign', 'Non Repudiation', 'Encipher Only', 'Decipher Only'];
    const out = ku.filter((u) => banned.includes(u)).map((u) => ({ field: extField(e), message: `${u} in a subscriber certificate` }));
    if (f.spkiAlgorithm.oid === OID.ec) {
      if (!ku.includes('Digital Signature')) out.push({ field: extField(e), message: 'an ECDSA key without Digital Signature' });
      for (const u of ['Key Encipherment', 'Data Encipherment']) if (ku.includes(u)) out.push({ field: extField(e), message: `${u} with an ECDSA key (it cannot encrypt)` });
    }
    if (f.spkiAlgorithm.oid === OID.rsa && ku.includes('Key Agreement')) out.push({ field: extField(e), message: 'Key Agreement with an RSA key' });
    return out;
  },

  'key-usage-leaf-not-recommended': (f) => {
    const e = ext(f, OID.ku);
    const ku = keyUsage(f) ?? [];
    const odd = f.spkiAlgorithm.oid === OID.ec ? 'Key Agreement' : f.spkiAlgorithm.oid === OID.rsa ? 'Data Encipherment' : undefined;
    return e && odd && ku.includes(odd) ? [{ field: extField(e), message: `${odd} with an ${f.spkiAlgorithm.oid === OID.ec ? 'ECDSA' : 'RSA'} key` }] : [];
  },

  'key-usage-ca': (f) => {
    const e = ext(f, OID.ku);
    const ku = keyUsage(f);
    if (!e || !ku) return [{ field: 'tbsCertificate.extensions.keyUsage', message: 'a CA certificate without keyUsage' }];
    return ['Certificate Sign', 'CRL Sign'].filter((u) => !ku.includes(u)).map((u) => ({ field: extField(e), message: `keyUsage lacks ${u}` }));
  },

  'eku-server-auth': (f) => {
    const e = ext(f, OID.eku);
    const oids = ekuOids(f);
    if (!e) return [{ field: 'tbsCertificate.extensions.extendedKeyUsage', message: 'no extKeyUsage extension' }];
    return oids?.includes(OID.serverAuth) ? [] : [{ field: extField(e), message: `extKeyUsage (${(e.lines[0] ?? '')}) lacks serverAuth` }];
  },

  'eku-leaf-prohibited': (f) => {
    const e = ext(f, OID.eku);
    return e ? (ekuOids(f) ?? []).filter((o) => LEAF_PROHIBITED_EKU.has(o)).map((o) => ({ field: extField(e), message: `${oidShort(o)} in a TLS server certificate` })) : [];
  },

  'eku-leaf-other': (f) => {
    const e = ext(f, OID.eku);
    const other = (ekuOids(f) ?? []).filter((o) => o !== OID.serverAuth && o !== '1.3.6.1.5.5.7.3.2' && !LEAF_PROHIBITED_EKU.has(o));
    return e ? other.map((o) => ({ field: extField(e), message: `${oidShort(o)} in a TLS server certificate` })) : [];
  },

  'aki-present': (f) => {
    const e = ext(f, OID.aki);
    if (!e) return [{ field: 'tbsCertificate.extensions.authorityKeyIdentifier', message: 'no authorityKeyIdentifier extension' }];
    const v = e.value as { keyId?: string } | undefined;
    return v?.keyId ? [] : [{ field: extField(e), message: 'authorityKeyIdentifier has no keyIdentifier' }];
  },

  'aki-not-critical': (f) => critical(f, OID.aki),
  'ski-not-critical': (f) => critical(f, OID.ski),
  'aia-not-critical': (f) => critical(f, OID.aia),
  'crldp-not-critical': (f) => critical(f, OID.crldp),

  'ski-ca-present': (f) => (ext(f, OID.ski) ? [] : [{ field: 'tbsCertificate.extensions.subjectKeyIdentifier', message: 'no subjectKeyIdentifier extension' }]),

  'extension-duplicate': (f) => {
    const seen = new Set<string>();
    return f.extensions.flatMap((e) => {
      if (!seen.has(e.oid)) { seen.add(e.oid); return []; }
      return [{ field: extField(e), message: `${e.name} appears more than once` }];
    });
  },

  'aia-present': (f) => (ext(f, OID.aia) ? [] : [{ field: 'tbsCertificate.extensions.authorityInfoAccess', message: 'no authorityInfoAccess extension' }]),

  'aia-ca-issuers': (f) => {
    const e = ext(f, OID.aia);
    const ads = (e?.value as { method: string }[] | undefined) ?? [];
    return e && !ads.some((a) => a.method === 'CA Issuers') ? [{ field: extField(e), message: 'authorityInfoAccess has no caIssuers URL' }] : [];
  },

  'cp-present': (f) => (ext(f, OID.cp) ? [] : [{ field: 'tbsCertificate.extensions.certificatePolicies', message: 'no certificatePolicies extension' }]),

  'cp-not-critical': (f) => critical(f, OID.cp),

  'cp-reserved-policy': (f) => {
    const e = ext(f, OID.cp);
    if (!e) return [];
    const all = policies(e).map((p) => p.oid);
    const reserved = all.filter((oid) => RESERVED_POLICIES.has(oid));
    if (reserved.length === 1) return [];
    return [{ field: extField(e), message: reserved.length ? `${reserved.length} reserved policy identifiers (${reserved.join(', ')}); exactly one is allowed` : `no CA/Browser Forum reserved policy identifier among ${all.join(', ')}` }];
  },

  'cp-no-any-policy': (f) => {
    const e = ext(f, OID.cp);
    return e && policies(e).some((p) => p.oid === OID.anyPolicy) ? [{ field: extField(e), message: 'anyPolicy (2.5.29.32.0) is asserted' }] : [];
  },

  'cp-qualifiers': (f) => {
    const e = ext(f, OID.cp);
    if (!e) return [];
    return policies(e).flatMap((p) => p.qualifiers.filter((q) => q !== OID.cps).map((q) => ({ field: extField(e), message: `policy ${p.oid} carries a ${oidLong(q)} qualifier` })));
  },

  'crl-or-ocsp': (f) => {
    // BR 1.6.1 Short-lived Subscriber Certificate: 10 days issued from 2024-03-15, 7 days from 2026-03-15.
    const shortLived = validitySeconds(f) <= (f.notBefore.date.getTime() >= Date.parse('2026-03-15T00:00:00Z') ? 7 : 10) * 86400;
    const ocsp = ((ext(f, OID.aia)?.value as { method: string }[] | undefined) ?? []).some((a) => a.method === 'OCSP');
    return shortLived || ocsp || ext(f, OID.crldp) ? [] : [{ field: 'tbsCertificate.extensions.crlDistributionPoints', message: 'neither cRLDistributionPoints nor an OCSP URL in authorityInfoAccess' }];
  },

  'crldp-ca': (f) => (ext(f, OID.crldp) ? [] : [{ field: 'tbsCertificate.extensions.crlDistributionPoints', message: 'no cRLDistributionPoints extension' }]),
};

function critical(f: CertFacts, oid: string): Violation[] {
  const e = ext(f, oid);
  return e?.critical ? [{ field: extField(e), message: `${e.name} is marked critical` }] : [];
}

function timeProblem(t: CertFacts['notBefore'], field: string): Violation[] {
  const year = t.date.getUTCFullYear();
  if (t.tag === TAG.UTCTime) {
    if (!/^\d{12}Z$/.test(t.text)) return [{ field, message: `UTCTime "${t.text}" is not YYMMDDHHMMSSZ` }];
    return [];
  }
  if (year < 2050) return [{ field, message: `GeneralizedTime "${t.text}" for a date before 2050 (UTCTime is required)` }];
  if (!/^\d{14}Z$/.test(t.text)) return [{ field, message: `GeneralizedTime "${t.text}" is not YYYYMMDDHHMMSSZ` }];
  return [];
}

/** The same address in two spellings (IPv6 in full or compressed form, as OpenSSL prints SANs and people write CNs). */
function sameIp(san: string, cn: string): boolean {
  if (isIP(cn) === 0) return false;
  if (isIP(cn) === 4) return san === cn;
  const expand = (s: string) => {
    const [head, tail] = s.split('::');
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail ? tail.split(':') : [];
    const fill = tail !== undefined ? Array(8 - h.length - t.length).fill('0') : [];
    return [...h, ...fill, ...t].map((g) => parseInt(g, 16)).join(':');
  };
  return isIP(san) === 6 && expand(san.toLowerCase()) === expand(cn.toLowerCase());
}
