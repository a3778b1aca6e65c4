// Certificate lint (engine/lint/): for every rule of the registry, a certificate made with openssl at test time
// that breaks it and one that keeps it, each test named by the rule id and its source section (RFC 5280 or the
// CA/Browser Forum TLS Baseline Requirements); the roots of Debian's CA bundle give no error-level finding; and
// `tlslens lint` as a command (text, --json, exit status, PEM chains and DER). Run from the repository root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { main } from '../../engine/cli/main';
import type { CliIO } from '../../engine/cli/io';
import { lintCertificate, LINT_RULES, lintRule, sourceText, type CertRole, type LintFinding } from '../../engine/lint/index';
import { LintPki, resign, editExtensions, extensionOid, name, time, tlv, F, type Made, type CertSpec } from '../fixtures/lint/make';

let pki: LintPki;
let ec: string;
let rsa: string;
let root: Made;
let inter: Made;
let rsaInter: Made;

const AIA = 'authorityInfoAccess = caIssuers;URI:http://ca.example/inter.crt, OCSP;URI:http://ocsp.example';
const CRLDP = 'crlDistributionPoints = URI:http://ca.example/inter.crl';
const DV = 'certificatePolicies = 2.23.140.1.2.1';
const LEAF_EXT = ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = serverAuth',
  'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid:always', 'subjectAltName = DNS:good.example', AIA, CRLDP, DV];
/** A policy section of openssl's extension file (it must come last: the lines after `[pol]` belong to it). */
const policySection = (...lines: string[]) => ['certificatePolicies = @pol', '[pol]', 'policyIdentifier = 2.23.140.1.2.1', ...lines];
const ROOT_EXT = ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash'];
const INTER_EXT = [...ROOT_EXT, 'authorityKeyIdentifier = keyid:always', 'crlDistributionPoints = URI:http://ca.example/root.crl', 'authorityInfoAccess = caIssuers;URI:http://ca.example/root.crt'];

/** LEAF_EXT with the lines whose name is in `drop` removed and `add` appended. */
const leafExt = (drop: string[] = [], add: string[] = []) => [...LEAF_EXT.filter((l) => !drop.some((d) => l.startsWith(`${d} `))), ...add];

function leaf(o: Partial<CertSpec> = {}): Made {
  return pki.cert('leaf', { subj: '/CN=good.example', ext: LEAF_EXT, ca: inter, ...o }, ec);
}

function intermediate(o: Partial<CertSpec> = {}): Made {
  return pki.cert('inter', { subj: '/O=Lint Test/CN=Lint Intermediate', ext: INTER_EXT, ca: root, days: 3000, ...o }, ec);
}

function rootCa(o: Partial<CertSpec> = {}): Made {
  return pki.cert('root', { subj: '/C=US/O=Lint Test/CN=Lint Root', ext: ROOT_EXT, days: 3000, ...o }, ec);
}

interface Case {
  role: CertRole;
  breaks: () => Uint8Array;
  keeps: () => Uint8Array;
  /** What the finding must say about the broken certificate. */
  seen: RegExp;
}

const d = (m: Made) => m.der;
const L = (o: Partial<CertSpec> = {}) => () => d(leaf(o));
const I = (o: Partial<CertSpec> = {}) => () => d(intermediate(o));
const R = (o: Partial<CertSpec> = {}) => () => d(rootCa(o));
/** An openssl leaf re-encoded with `edit` applied to its tbsCertificate fields. */
const edited = (edit: (f: Uint8Array[]) => Uint8Array[], o: Partial<CertSpec> = {}) => () => resign(leaf(o), edit);
const replaceField = (i: number, value: Uint8Array) => (f: Uint8Array[]) => f.map((x, j) => (j === i ? value : x));
/** Limits of BR 6.3.2 as amended by ballot SC-081v3, for a certificate issued today. */
const validityLimit = () => (Date.now() >= Date.parse('2029-03-15') ? 47 : Date.now() >= Date.parse('2027-03-15') ? 100 : 200);
const hex20 = '7f' + 'ab'.repeat(19);

const CASES: Record<string, Case> = {
  'version-3': { role: 'root', breaks: R({ ext: undefined }), keeps: R(), seen: /version is 1/ },
  'unique-ids-absent': {
    role: 'leaf', seen: /issuerUniqueID is present/,
    breaks: edited((f) => [...f.slice(0, F.spki + 1), tlv(0x81, new Uint8Array([0, 1, 2, 3])), ...f.slice(F.spki + 1)]),
    keeps: L(),
  },
  'serial-positive': { role: 'leaf', breaks: L({ serial: '-5' }), keeps: L(), seen: /is negative/ },
  'serial-max-20-octets': { role: 'leaf', breaks: L({ serial: `0x${hex20}cd` }), keeps: L({ serial: `0x${hex20}` }), seen: /21 octets/ },
  'serial-64-bit-entropy': { role: 'leaf', breaks: L({ serial: '0x01020304050607' }), keeps: L({ serial: '0x0102030405060708' }), seen: /7 octets long/ },
  'signature-algorithm-match': {
    role: 'leaf', seen: /differs from signatureAlgorithm/,
    breaks: edited(replaceField(F.signature, tlv(0x30, Buffer.from('06082a8648ce3d040303', 'hex')))), // ecdsa-with-SHA384 inside, SHA-256 outside
    keeps: L(),
  },
  'signature-algorithm-weak': { role: 'leaf', breaks: L({ md: 'sha1' }), keeps: L({ md: 'sha384' }), seen: /ecdsa-with-SHA1/ },
  'signature-algorithm-encoding': { role: 'leaf', breaks: L({ md: 'sha224' }), keeps: L({ md: 'sha512' }), seen: /ecdsa-with-SHA224/ },
  'signature-rsa-pss-params': {
    role: 'leaf', seen: /RSASSA-PSS parameters/, // signed by the RSA intermediate
    breaks: () => d(leaf({ ca: rsaInter, sigopt: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:20'] })),
    keeps: () => d(leaf({ ca: rsaInter, sigopt: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:digest'] })),
  },
  'spki-algorithm': { role: 'leaf', breaks: () => d(leaf({ key: pki.key('ed25519', 'ED25519') })), keeps: L(), seen: /ED25519|Ed25519/ },
  'rsa-key-size': { role: 'leaf', breaks: () => d(leaf({ key: pki.key('rsa1024', 'RSA', ['rsa_keygen_bits:1024']) })), keeps: () => d(leaf({ key: rsa, ext: leafExt(['keyUsage'], ['keyUsage = critical, digitalSignature, keyEncipherment']) })), seen: /1024 bits/ },
  'rsa-modulus-multiple-of-8': { role: 'leaf', breaks: () => d(leaf({ key: pki.key('rsa2052', 'RSA', ['rsa_keygen_bits:2052']) })), keeps: () => d(leaf({ key: rsa })), seen: /2052 bits is not a multiple of 8/ },
  'rsa-exponent': { role: 'leaf', breaks: () => d(leaf({ forcePubkey: evenExponentKey() })), keeps: () => d(leaf({ key: rsa })), seen: /65536 is even/ },
  'rsa-exponent-range': { role: 'leaf', breaks: () => d(leaf({ key: pki.key('rsae3', 'RSA', ['rsa_keygen_bits:2048', 'rsa_keygen_pubexp:3']) })), keeps: () => d(leaf({ key: rsa })), seen: /exponent 3 is outside/ },
  'ec-curve': { role: 'leaf', breaks: () => d(leaf({ key: pki.key('k1', 'EC', ['ec_paramgen_curve:secp256k1']) })), keeps: () => d(leaf({ key: pki.key('p384', 'EC', ['ec_paramgen_curve:P-384']) })), seen: /secp256k1/ },
  'validity-time-encoding': {
    role: 'leaf', seen: /GeneralizedTime "20\d{12}Z" for a date before 2050/,
    breaks: () => {
      const nb = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
      const na = new Date(Date.now() + 30 * 86400_000).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
      return resign(leaf(), replaceField(F.validity, tlv(0x30, time(0x18, nb), time(0x17, na))));
    },
    keeps: () => d(intermediate({ days: 10000 })), // openssl writes notAfter (after 2050) as GeneralizedTime
  },
  'validity-period': { role: 'leaf', breaks: () => d(leaf({ days: validityLimit() })), keeps: () => d(leaf({ days: validityLimit() - 1 })), seen: /the limit is \d+ days/ },
  'name-string-type': { role: 'leaf', breaks: L({ subj: '/O=Acme_Corp/CN=good.example', stringMask: 'default' }), keeps: L({ subj: '/O=Acme_Corp/CN=good.example' }), seen: /O is a TeletexString/ },
  'printable-string-charset': {
    role: 'leaf', seen: /O "Acme@Corp" has a character/,
    breaks: edited(replaceField(F.subject, name([['2.5.4.10', 0x13, 'Acme@Corp'], ['2.5.4.3', 0x13, 'good.example']]))),
    keeps: L({ subj: '/O=Acme Corp. (1999)/CN=good.example', stringMask: 'default' }), // a PrintableString within its alphabet
  },
  'country-code': { role: 'leaf', breaks: L({ subj: '/C=us/CN=good.example' }), keeps: L({ subj: '/C=US/CN=good.example' }), seen: /countryName "us"/ },
  'name-length': {
    role: 'leaf', seen: /O is 65 characters long \(64 at most\)/,
    breaks: edited(replaceField(F.subject, name([['2.5.4.10', 0x0c, 'o'.repeat(65)], ['2.5.4.3', 0x0c, 'good.example']]))),
    keeps: edited(replaceField(F.subject, name([['2.5.4.10', 0x0c, 'o'.repeat(64)], ['2.5.4.3', 0x0c, 'good.example']]))),
  },
  'cn-in-san': { role: 'leaf', breaks: L({ subj: '/CN=other.example' }), keeps: L({ subj: '/CN=192.0.2.7', ext: leafExt(['subjectAltName'], ['subjectAltName = DNS:good.example, IP:192.0.2.7']) }), seen: /"other.example" is not among/ },
  'cn-single': {
    role: 'leaf', seen: /2 commonName attributes/,
    breaks: L({ subj: '/CN=good.example/CN=www.good.example', ext: leafExt(['subjectAltName'], ['subjectAltName = DNS:good.example, DNS:www.good.example']) }),
    keeps: L({ subj: '/CN=www.good.example', ext: leafExt(['subjectAltName'], ['subjectAltName = DNS:good.example, DNS:www.good.example']) }),
  },
  'san-present': { role: 'leaf', breaks: L({ ext: leafExt(['subjectAltName']) }), keeps: L(), seen: /no subjectAltName/ },
  'san-entry-types': { role: 'leaf', breaks: L({ ext: leafExt(['subjectAltName'], ['subjectAltName = DNS:good.example, email:admin@good.example']) }), keeps: L({ ext: leafExt(['subjectAltName'], ['subjectAltName = DNS:good.example, IP:2001:db8::1']) }), seen: /email entry "admin@good.example"/ },
  'san-critical-empty-subject': {
    role: 'leaf', seen: /the subject is empty and subjectAltName is not critical/,
    breaks: L({ subj: '/' }), keeps: L({ subj: '/', ext: leafExt(['subjectAltName'], ['subjectAltName = critical, DNS:good.example']) }),
  },
  'san-not-critical': { role: 'leaf', breaks: L({ ext: leafExt(['subjectAltName'], ['subjectAltName = critical, DNS:good.example']) }), keeps: L(), seen: /critical although the subject is not empty/ },
  'dns-name-syntax': { role: 'leaf', breaks: L({ ext: leafExt(['subjectAltName'], ['subjectAltName = DNS:good.example, DNS:bad-.example']) }), keeps: L({ ext: leafExt(['subjectAltName'], ['subjectAltName = DNS:good.example, DNS:xn--bcher-kva.example']) }), seen: /"bad-.example" has a label that starts or ends with a hyphen/ },
  'dns-name-underscore': { role: 'leaf', breaks: L({ ext: leafExt(['subjectAltName'], ['subjectAltName = DNS:good.example, DNS:a_b.good.example']) }), keeps: L({ ext: leafExt(['subjectAltName'], ['subjectAltName = DNS:good.example, DNS:a-b.good.example']) }), seen: /"a_b.good.example" contains "_"/ },
  'dns-name-wildcard': { role: 'leaf', breaks: L({ ext: leafExt(['subjectAltName'], ['subjectAltName = DNS:good.example, DNS:w*.good.example']) }), keeps: L({ ext: leafExt(['subjectAltName'], ['subjectAltName = DNS:good.example, DNS:*.good.example']) }), seen: /"w\*.good.example" has a wildcard outside a whole leftmost label/ },
  'dns-name-ip': { role: 'leaf', breaks: L({ ext: leafExt(['subjectAltName'], ['subjectAltName = DNS:good.example, DNS:192.0.2.1']) }), keeps: L({ ext: leafExt(['subjectAltName'], ['subjectAltName = DNS:good.example, IP:192.0.2.1']) }), seen: /"192.0.2.1" is an IP address/ },
  'basic-constraints-leaf': { role: 'leaf', breaks: L({ ext: leafExt(['basicConstraints'], ['basicConstraints = critical, CA:TRUE']) }), keeps: L({ ext: leafExt(['basicConstraints']) }), seen: /cA is TRUE in a subscriber certificate/ },
  'basic-constraints-ca': { role: 'intermediate', breaks: I({ ext: [...INTER_EXT.filter((l) => !l.startsWith('basicConstraints')), 'basicConstraints = CA:TRUE'] }), keeps: I(), seen: /basicConstraints is not critical/ },
  'key-usage-critical': { role: 'leaf', breaks: L({ ext: leafExt(['keyUsage'], ['keyUsage = digitalSignature']) }), keeps: L(), seen: /keyUsage is not critical/ },
  'key-usage-present': { role: 'leaf', breaks: L({ ext: leafExt(['keyUsage']) }), keeps: L(), seen: /no keyUsage extension/ },
  'key-usage-leaf': { role: 'leaf', breaks: L({ ext: leafExt(['keyUsage'], ['keyUsage = critical, digitalSignature, keyEncipherment']) }), keeps: L({ ext: leafExt(['keyUsage'], ['keyUsage = critical, digitalSignature, keyAgreement']) }), seen: /Key Encipherment with an ECDSA key/ },
  'key-usage-leaf-not-recommended': { role: 'leaf', breaks: L({ ext: leafExt(['keyUsage'], ['keyUsage = critical, digitalSignature, keyAgreement']) }), keeps: L(), seen: /Key Agreement with an ECDSA key/ },
  'key-usage-ca': { role: 'intermediate', breaks: I({ ext: [...INTER_EXT.filter((l) => !l.startsWith('keyUsage')), 'keyUsage = critical, keyCertSign, digitalSignature'] }), keeps: I(), seen: /keyUsage lacks CRL Sign/ },
  'eku-server-auth': { role: 'leaf', breaks: L({ ext: leafExt(['extendedKeyUsage'], ['extendedKeyUsage = clientAuth']) }), keeps: L({ ext: leafExt(['extendedKeyUsage'], ['extendedKeyUsage = serverAuth, clientAuth']) }), seen: /lacks serverAuth/ },
  'eku-leaf-prohibited': { role: 'leaf', breaks: L({ ext: leafExt(['extendedKeyUsage'], ['extendedKeyUsage = serverAuth, anyExtendedKeyUsage']) }), keeps: L(), seen: /anyExtendedKeyUsage in a TLS server certificate/ },
  'eku-leaf-other': { role: 'leaf', breaks: L({ ext: leafExt(['extendedKeyUsage'], ['extendedKeyUsage = serverAuth, 1.3.6.1.5.5.7.3.17']) }), keeps: L({ ext: leafExt(['extendedKeyUsage'], ['extendedKeyUsage = serverAuth, clientAuth']) }), seen: /1\.3\.6\.1\.5\.5\.7\.3\.17 in a TLS server certificate/ },
  'aki-present': { role: 'leaf', breaks: L({ ext: leafExt(['authorityKeyIdentifier'], ['authorityKeyIdentifier = none']) }), keeps: L(), seen: /no authorityKeyIdentifier/ },
  'aki-not-critical': { role: 'leaf', breaks: L({ ext: leafExt(['authorityKeyIdentifier'], ['authorityKeyIdentifier = critical, keyid:always']) }), keeps: L(), seen: /Authority Key Identifier is marked critical/ },
  'ski-ca-present': { role: 'intermediate', breaks: I({ ext: [...INTER_EXT.filter((l) => !l.startsWith('subjectKeyIdentifier')), 'subjectKeyIdentifier = none'] }), keeps: I(), seen: /no subjectKeyIdentifier/ },
  'ski-not-critical': { role: 'leaf', breaks: L({ ext: leafExt(['subjectKeyIdentifier'], ['subjectKeyIdentifier = critical, hash']) }), keeps: L(), seen: /Subject Key Identifier is marked critical/ },
  'extension-duplicate': {
    role: 'leaf', seen: /Extended Key Usage appears more than once/,
    breaks: edited((f) => editExtensions(f, (exts) => [...exts, exts.find((e) => extensionOid(e) === '2.5.29.37')!])),
    keeps: edited((f) => editExtensions(f, (exts) => exts)),
  },
  'aia-not-critical': { role: 'leaf', breaks: L({ ext: leafExt(['authorityInfoAccess'], [AIA.replace('= ', '= critical, ')]) }), keeps: L(), seen: /Authority Information Access is marked critical/ },
  'crldp-not-critical': { role: 'leaf', breaks: L({ ext: leafExt(['crlDistributionPoints'], [CRLDP.replace('= ', '= critical, ')]) }), keeps: L(), seen: /CRL Distribution Points is marked critical/ },
  'aia-present': { role: 'leaf', breaks: L({ ext: leafExt(['authorityInfoAccess']) }), keeps: L(), seen: /no authorityInfoAccess/ },
  'aia-ca-issuers': { role: 'leaf', breaks: L({ ext: leafExt(['authorityInfoAccess'], ['authorityInfoAccess = OCSP;URI:http://ocsp.example']) }), keeps: L(), seen: /no caIssuers URL/ },
  'crl-or-ocsp': {
    role: 'leaf', seen: /neither cRLDistributionPoints nor an OCSP URL/,
    breaks: L({ ext: leafExt(['crlDistributionPoints', 'authorityInfoAccess'], ['authorityInfoAccess = caIssuers;URI:http://ca.example/inter.crt']) }),
    // A short-lived certificate (BR 1.6.1: 7 days from 2026-03-15) may do without either.
    keeps: L({ days: 6, ext: leafExt(['crlDistributionPoints', 'authorityInfoAccess'], ['authorityInfoAccess = caIssuers;URI:http://ca.example/inter.crt']) }),
  },
  'cp-present': { role: 'leaf', breaks: L({ ext: leafExt(['certificatePolicies']) }), keeps: L(), seen: /no certificatePolicies extension/ },
  'cp-not-critical': { role: 'leaf', breaks: L({ ext: leafExt(['certificatePolicies'], [DV.replace('= ', '= critical, ')]) }), keeps: L(), seen: /Certificate Policies is marked critical/ },
  'cp-reserved-policy': {
    role: 'leaf', seen: /no CA\/Browser Forum reserved policy identifier among 1\.3\.6\.1\.4\.1\.32473\.1/,
    breaks: L({ ext: leafExt(['certificatePolicies'], ['certificatePolicies = 1.3.6.1.4.1.32473.1']) }),
    keeps: L({ ext: leafExt(['certificatePolicies'], ['certificatePolicies = 2.23.140.1.2.2, 1.3.6.1.4.1.32473.1']) }),
  },
  'cp-no-any-policy': { role: 'leaf', breaks: L({ ext: leafExt(['certificatePolicies'], ['certificatePolicies = 2.23.140.1.2.1, 2.5.29.32.0']) }), keeps: L(), seen: /anyPolicy \(2\.5\.29\.32\.0\) is asserted/ },
  'cp-qualifiers': {
    role: 'leaf', seen: /policy 2\.23\.140\.1\.2\.1 carries a .*[Nn]otice qualifier/,
    breaks: L({ ext: leafExt(['certificatePolicies'], policySection('userNotice.1 = @notice', '[notice]', 'explicitText = "lint test"')) }),
    keeps: L({ ext: leafExt(['certificatePolicies'], policySection('CPS.1 = "https://ca.example/cps"')) }),
  },
  'crldp-ca': { role: 'intermediate', breaks: I({ ext: INTER_EXT.filter((l) => !l.startsWith('crlDistributionPoints')) }), keeps: I(), seen: /no cRLDistributionPoints/ },
};

/** An RSA public key with the even exponent 65536 (no real key has one), built with openssl asn1parse -genconf. */
function evenExponentKey(): string {
  const modulus = pki.openssl(['rsa', '-in', rsa, '-noout', '-modulus']).trim().split('=')[1]!;
  const cnf = pki.p('even.cnf');
  fs.writeFileSync(cnf, ['asn1=SEQUENCE:spki', '[spki]', 'alg=SEQUENCE:alg', 'key=BITWRAP,SEQUENCE:rsakey', '[alg]', 'oid=OID:rsaEncryption', 'p=NULL', '[rsakey]', `n=INTEGER:0x${modulus}`, 'e=INTEGER:65536', ''].join('\n'));
  pki.openssl(['asn1parse', '-genconf', cnf, '-out', pki.p('even.der'), '-noout']);
  pki.openssl(['pkey', '-pubin', '-inform', 'DER', '-in', pki.p('even.der'), '-out', pki.p('even.pem')]);
  return pki.p('even.pem');
}

before(() => {
  pki = new LintPki();
  ec = pki.key('ec', 'EC', ['ec_paramgen_curve:P-256']);
  rsa = pki.key('rsa', 'RSA', ['rsa_keygen_bits:2048']);
  root = rootCa();
  inter = intermediate();
  rsaInter = pki.cert('rsainter', { subj: '/O=Lint Test/CN=Lint RSA Intermediate', ext: INTER_EXT, ca: root, days: 3000, key: rsa }, ec);
});

after(() => pki?.cleanup());

const findings = (der: Uint8Array, role: CertRole) => lintCertificate(der, role);
const show = (fs_: LintFinding[]) => fs_.map((f) => `${f.rule} (${f.severity}): ${f.message}`).join('\n') || '(none)';

test('registry: every rule has an id, a severity, a source section, roles, a summary, a fix and a test case below', () => {
  const ids = new Set<string>();
  for (const r of LINT_RULES) {
    assert.ok(!ids.has(r.id), `duplicate rule id ${r.id}`);
    ids.add(r.id);
    assert.match(sourceText(r.source), /^(RFC 5280 (\d+(\.\d+)*|Appendix A\.1)|BR \d+(\.\d+)+)$/, r.id);
    assert.ok(r.appliesTo.length > 0 && r.summary.length > 10 && r.fix.length > 5, r.id);
    assert.ok(CASES[r.id], `no test case for ${r.id}`);
  }
  assert.deepEqual(Object.keys(CASES).sort(), [...ids].sort());
});

test('a conforming chain made by openssl: leaf, intermediate and root have no finding at any severity', () => {
  assert.equal(show(findings(d(leaf()), 'leaf')), '(none)');
  assert.equal(show(findings(d(leaf({ key: rsa, ca: rsaInter })), 'leaf')), '(none)');
  assert.equal(show(findings(inter.der, 'intermediate')), '(none)');
  assert.equal(show(findings(root.der, 'root')), '(none)');
});

// One test per rule, named by its id and section: the breaking certificate has a finding of this rule (with the
// rule's severity, the section, the field), the keeping one none.
for (const r of LINT_RULES) {
  test(`${r.id} (${sourceText(r.source)}, ${r.severity}): an openssl certificate that breaks it and one that keeps it`, () => {
    const c = CASES[r.id]!;
    const bad = findings(c.breaks(), c.role);
    const hit = bad.filter((f) => f.rule === r.id);
    assert.ok(hit.length > 0, `expected ${r.id}; got:\n${show(bad)}`);
    for (const f of hit) {
      assert.equal(f.severity, r.severity);
      assert.equal(f.source, sourceText(lintRule(r.id).source));
      assert.equal(f.role, c.role);
      assert.match(f.field, /^(tbsCertificate|signatureAlgorithm)/);
    }
    assert.ok(hit.some((f) => c.seen.test(f.message)), `${r.id}: ${show(hit)} does not match ${c.seen}`);
    const good = findings(c.keeps(), c.role);
    assert.deepEqual(good.filter((f) => f.rule === r.id).map((f) => f.message), [], `${r.id} on the keeping certificate`);
  });
}

test('validity-period (BR 6.3.2): each step of the schedule, from notBefore (398 days in 2021, 825 in 2019)', () => {
  const at = (nb: string, days: number) => edited(replaceField(F.validity, tlv(0x30, time(0x17, nb), time(0x17, utc(Date.parse(`20${nb.slice(0, 2)}-${nb.slice(2, 4)}-${nb.slice(4, 6)}T00:00:00Z`) + days * 86400_000 - 1000)))))();
  const period = (der: Uint8Array) => findings(der, 'leaf').filter((f) => f.rule === 'validity-period');
  assert.equal(period(at('210101000000Z', 398)).length, 0, '398 days (inclusive) in 2021');
  assert.match(period(at('210101000000Z', 399))[0]!.message, /the limit is 398 days/);
  assert.equal(period(at('190101000000Z', 825)).length, 0);
  assert.match(period(at('190101000000Z', 826))[0]!.message, /the limit is 825 days/);
  assert.match(period(at('260401000000Z', 201))[0]!.message, /the limit is 200 days/);
});

function utc(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}

test("Debian's CA bundle: no root gives an error-level finding under the rules that apply to roots", () => {
  // The roots as the ca-certificates package ships them (/etc/ssl/certs/ca-certificates.crt is built from these
  // plus any local additions in /usr/local/share/ca-certificates, which are not Debian's).
  const dir = '/usr/share/ca-certificates/mozilla';
  assert.ok(fs.existsSync(dir), `${dir} is missing: install the Debian package ca-certificates (scripts/install-test-deps.sh)`);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.crt'));
  assert.ok(files.length > 100, `only ${files.length} roots in ${dir}`);
  const bundle = fs.readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8');
  const errors: string[] = [];
  let linted = 0;
  for (const f of files) {
    const pem = fs.readFileSync(path.join(dir, f), 'utf8');
    const der = new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    assert.ok(bundle.includes(pem.split('\n')[1]!), `${f} is not in /etc/ssl/certs/ca-certificates.crt`);
    for (const x of findings(der, 'root')) if (x.severity === 'error') errors.push(`${f}: ${x.rule} (${x.source}): ${x.message}`);
    linted++;
  }
  assert.deepEqual(errors, []);
  assert.equal(linted, files.length);
});

test('roots issued before the BR 2.0.0 profiles (2023-09-15) are not held to the RFC 5280 encoding rules; newer ones are', () => {
  const bad = R({ serial: '0', ext: ['basicConstraints = CA:TRUE', 'subjectKeyIdentifier = hash'] })();
  const now = findings(bad, 'root').map((f) => f.rule).sort();
  for (const id of ['serial-positive', 'basic-constraints-ca', 'key-usage-ca']) assert.ok(now.includes(id), `${id} in ${now}`);
  const old = resign({ ...rootCa({ serial: '0', ext: ['basicConstraints = CA:TRUE', 'subjectKeyIdentifier = hash'] }) }, replaceField(F.validity, tlv(0x30, time(0x17, '090901000000Z'), time(0x17, '371231235959Z'))));
  assert.deepEqual(findings(old, 'root').filter((f) => f.severity === 'error').map((f) => f.rule), []);
});

// ---- the command ----

function io(): CliIO & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '' };
  return Object.assign(o, {
    out: (s: string) => { o.stdout += s; },
    err: (s: string) => { o.stderr += s; },
    readFile: (p: string) => new Uint8Array(fs.readFileSync(p)),
    env: {},
    readStdin: () => '',
  });
}

test('tlslens lint: a chain file, each certificate by its role; exit 0 without error-level findings', async () => {
  const file = pki.pem('chain.pem', leaf().der, inter.der, root.der);
  const x = io();
  assert.equal(await main(['lint', file], x), 0, x.stdout + x.stderr);
  assert.match(x.stdout, /certificate 1 \(block 1, line 1\) as leaf: CN = good\.example/);
  assert.match(x.stdout, /certificate 2 .* as intermediate/);
  assert.match(x.stdout, /certificate 3 .* as root/);
  assert.match(x.stdout, /3 certificates, 0 errors, 0 warnings, 0 notices/);
});

test('tlslens lint: findings with severity, section, rule, field and fix; exit 1 on an error; --json; DER; --role', async () => {
  const bad = leaf({ subj: '/CN=other.example', ext: leafExt(['keyUsage'], ['keyUsage = digitalSignature']) });
  const file = pki.pem('bad.pem', bad.der);
  const x = io();
  assert.equal(await main(['lint', file], x), 1);
  assert.match(x.stdout, /error {3}BR 7\.1\.4\.3 +cn-in-san: commonName "other\.example" is not among the subjectAltName entries \(good\.example\) \[tbsCertificate\.subject\.rdn\[0\]\[0\]\]/);
  assert.match(x.stdout, /warning RFC 5280 4\.2\.1\.3 +key-usage-critical: .*\n +fix: keyUsage = critical/);
  const j = io();
  assert.equal(await main(['lint', '--json', file], j), 1);
  const doc = JSON.parse(j.stdout) as { files: { certificates: { role: string; findings: LintFinding[] }[] }[] };
  const f = doc.files[0]!.certificates[0]!;
  assert.equal(f.role, 'leaf');
  assert.deepEqual(f.findings.map((x) => [x.rule, x.severity, x.source]).sort(), [['cn-in-san', 'error', 'BR 7.1.4.3'], ['key-usage-critical', 'warning', 'RFC 5280 4.2.1.3']]);
  const w = io();
  assert.equal(await main(['lint', '--min-severity', 'error', file], w), 1);
  assert.doesNotMatch(w.stdout, /key-usage-critical/);
  // DER input, and a CA certificate linted as a leaf on request.
  const der = pki.p('inter.der');
  fs.writeFileSync(der, inter.der);
  const r = io();
  assert.equal(await main(['lint', '--role', 'leaf', der], r), 1);
  assert.match(r.stdout, /as leaf: O = Lint Test, CN = Lint Intermediate/);
  assert.match(r.stdout, /basic-constraints-leaf: cA is TRUE/);
  const u = io();
  assert.equal(await main(['lint', '--role', 'server', der], u), 64);
  assert.equal(await main(['lint', '/nonexistent/x.pem'], io()), 2);
  const rules = io();
  assert.equal(await main(['lint', '--rules'], rules), 0);
  for (const rule of LINT_RULES) assert.match(rules.stdout, new RegExp(`^${rule.id} `, 'm'));
});

test('tlslens lint: a block that does not decode is a problem (exit 1), not a crash', async () => {
  const file = pki.p('broken.pem');
  fs.writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMIIBkjCCATig\n-----END CERTIFICATE-----\n');
  const x = io();
  assert.equal(await main(['lint', file], x), 1);
  assert.match(x.stderr, /broken\.pem:1: /);
});
