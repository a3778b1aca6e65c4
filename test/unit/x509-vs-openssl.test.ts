// The decoder against the `openssl` CLI, field by field, over every fixture in test/fixtures/pki.
// openssl is asked at test time, so the fixtures can be regenerated (make.sh) without editing this file.
// Run from the repository root: fixtures are found relative to process.cwd().
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { decodeBytes } from '../../engine/x509/decode';
import { opensslTime } from '../../engine/x509/validity';
import type { DecodedFile, DecodedItem, DecodeOptions } from '../../engine/x509/file';
import type { CertificateInfo, CrlInfo, CsrInfo, ExtensionInfo, PrivateKeyInfo, PublicKeyInfo } from '../../engine/x509/types';

const FIX = path.resolve('test/fixtures/pki');
const PASS = 'tlslens';

// ---------------------------------------------------------------------------------------------
// openssl and fixture helpers

type Input = { data: string | Uint8Array; der: boolean; name: string };

function openssl(args: string[], input?: string | Uint8Array): Buffer {
  return execFileSync('openssl', args, { input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
}

function ssl(args: string[], input: Input): string {
  return openssl([...args, ...(input.der ? ['-inform', 'DER'] : [])], input.data).toString('utf8');
}

function colonSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').toUpperCase().match(/../g)!.join(':');
}

/** SHA-256 of the DER SubjectPublicKeyInfo in a PEM `PUBLIC KEY` text, as openssl encodes it. */
function spkiShaOfPem(pubPem: string): string {
  return colonSha256(openssl(['pkey', '-pubin', '-outform', 'DER'], pubPem));
}

const fixtureFiles = fs.readdirSync(FIX, { withFileTypes: true })
  .filter((e) => e.isFile() && e.name !== 'make.sh' && e.name !== 'README.md')
  .map((e) => e.name)
  .sort();

function read(name: string): Buffer {
  return fs.readFileSync(path.join(FIX, name));
}

function decodeFixture(name: string, opts: DecodeOptions = { passphrase: PASS }): DecodedFile {
  return decodeBytes(new Uint8Array(read(name)), opts);
}

/** The text of one PEM block as openssl would read it, or the whole DER file. */
function itemInput(name: string, file: DecodedFile, item: DecodedItem): Input {
  if (file.format === 'der') return { data: new Uint8Array(read(name)), der: true, name };
  const lines = read(name).toString('utf8').split(/\r\n|\r|\n/);
  return { data: lines.slice(item.range.startLine, item.range.endLine + 1).join('\n') + '\n', der: false, name: `${name}#${item.index}` };
}

const decoded = new Map<string, DecodedFile | Error>();
for (const name of fixtureFiles) {
  try {
    decoded.set(name, decodeFixture(name));
  } catch (e) {
    decoded.set(name, e as Error);
  }
}

function filesWith(kind: string): { name: string; file: DecodedFile; item: DecodedItem }[] {
  const out: { name: string; file: DecodedFile; item: DecodedItem }[] = [];
  for (const [name, file] of decoded) {
    if (file instanceof Error) continue;
    for (const item of file.items) if (item.object?.kind === kind) out.push({ name, file, item });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing openssl's -text output

interface SslExt { name: string; critical: boolean; lines: string[] }

const indentOf = (l: string) => l.length - l.trimStart().length;

/** Extensions printed as `<indent>Name: [critical]` followed by value lines indented 4 more. */
function parseExtensions(lines: string[], from: number, indent: number): SslExt[] {
  const out: SslExt[] = [];
  for (let i = from; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') continue;
    const ind = indentOf(l);
    if (ind < indent) break;
    if (ind === indent) {
      const m = /^(.*?):( critical)?\s*$/.exec(l.trim());
      if (!m) break;
      out.push({ name: m[1]!, critical: !!m[2], lines: [] });
    } else if (out.length) {
      out[out.length - 1]!.lines.push(l.slice(indent + 4).trimEnd());
    }
  }
  return out;
}

function field(text: string, re: RegExp): string | undefined {
  return re.exec(text)?.[1]?.trim();
}

/** The colon-hex block printed under `Modulus:` / `pub:` (openssl -text), as plain lower-case hex. */
function hexBlock(text: string, heading: RegExp): string | undefined {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => heading.test(l.trim()));
  if (at < 0) return undefined;
  let hex = '';
  for (let i = at + 1; i < lines.length && /^\s+([0-9a-f]{2}:)*[0-9a-f]{2}:?$/.test(lines[i]!); i++) hex += lines[i]!.trim().replace(/:/g, '');
  return hex;
}

/** What openssl prints of the public key itself: RSA modulus (without the sign byte) and exponent, or the EC/EdDSA point. */
function sslPublicValue(text: string): { publicHex?: string; exponent?: string } {
  const mod = hexBlock(text, /^(Modulus|modulus):$/);
  if (mod !== undefined) return { publicHex: mod.replace(/^(00)+(?=[0-9a-f])/, ''), exponent: field(text, /(?:Exponent|publicExponent): (\d+)/) };
  const pub = hexBlock(text, /^pub:$/);
  return pub !== undefined ? { publicHex: pub } : {};
}

interface SslCert {
  version: number;
  serialDecimal?: string;
  serialHex?: string;
  serialNegative: boolean;
  sigAlg: string;
  issuer: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  pkAlg: string;
  bits?: number;
  curve?: string;
  extensions: SslExt[];
}

function parseX509Text(text: string): SslCert {
  const lines = text.split('\n');
  const serialAt = lines.findIndex((l) => /^ {8}Serial Number:/.test(l));
  const rest = lines[serialAt]!.replace(/^ {8}Serial Number:/, '').trim();
  const dec = /^(-?\d+) \((-?0x[0-9a-f]+)\)$/.exec(rest);
  const extAt = lines.findIndex((l) => /^ {8}X509v3 extensions:$/.test(l));
  const bits = field(text, /Public-Key: \((\d+) bit\)/);
  const curve = field(text, /NIST CURVE: (.*)/);
  return {
    version: Number(field(text, /^ {8}Version: (\d+) \(/m)),
    ...(dec ? { serialDecimal: dec[1]! } : { serialHex: lines[serialAt + 1]!.trim() }),
    serialNegative: rest.startsWith('-') || /\(Negative\)/.test(lines[serialAt + 1] ?? ''),
    sigAlg: field(text, /Signature Algorithm: (.*)/)!,
    issuer: field(text, /^ {8}Issuer: ?(.*)$/m) ?? '',
    subject: field(text, /^ {8}Subject: ?(.*)$/m) ?? '',
    notBefore: field(text, /Not Before: (.*)/)!,
    notAfter: field(text, /Not After : (.*)/)!,
    pkAlg: field(text, /Public Key Algorithm: (.*)/)!,
    ...(bits ? { bits: Number(bits) } : {}),
    ...(curve ? { curve } : {}),
    extensions: extAt >= 0 ? parseExtensions(lines, extAt + 1, 12) : [],
  };
}

/** OpenSSL's name for the SubjectPublicKeyInfo algorithm, from ours. */
const SSL_PK_ALG: Record<string, string> = {
  RSA: 'rsaEncryption', 'RSA-PSS': 'rsassaPss', EC: 'id-ecPublicKey', Ed25519: 'ED25519', Ed448: 'ED448', X25519: 'X25519', X448: 'X448', DSA: 'dsaEncryption',
};

/** RFC 5280 (or other) section that defines each extension, for test names. */
const EXT_RFC: Record<string, string> = {
  '2.5.29.14': 'RFC 5280 4.2.1.2', '2.5.29.15': 'RFC 5280 4.2.1.3', '2.5.29.17': 'RFC 5280 4.2.1.6', '2.5.29.19': 'RFC 5280 4.2.1.9',
  '2.5.29.30': 'RFC 5280 4.2.1.10', '2.5.29.31': 'RFC 5280 4.2.1.13', '2.5.29.32': 'RFC 5280 4.2.1.4', '2.5.29.35': 'RFC 5280 4.2.1.1',
  '2.5.29.37': 'RFC 5280 4.2.1.12', '1.3.6.1.5.5.7.1.1': 'RFC 5280 4.2.2.1', '1.3.6.1.5.5.7.1.24': 'RFC 7633', '2.5.29.20': 'RFC 5280 5.2.3',
  '2.5.29.21': 'RFC 5280 5.3.1',
};

/** Compares our extension list with openssl's, one subtest per extension. */
async function compareExtensions(t: TestContext, ours: ExtensionInfo[], theirs: SslExt[]): Promise<void> {
  await t.test('extension count and order (RFC 5280 4.2)', () => {
    assert.deepEqual(ours.map((e) => e.name), theirs.map((e) => e.name));
  });
  for (const [k, ext] of ours.entries()) {
    const other = theirs[k];
    const unknown = ext.name === ext.oid;
    await t.test(`${EXT_RFC[ext.oid] ?? 'RFC 5280 4.2'}: ${ext.name}${ext.critical ? ' (critical)' : ''}`, () => {
      assert.ok(other, `openssl printed no extension #${k}`);
      assert.equal(ext.name, other.name, 'extension name');
      assert.equal(ext.critical, other.critical, 'critical flag');
      if (unknown) {
        // We keep an unknown extension as hex; openssl prints the same bytes as ASCII with '.' for the rest.
        const dump = (ext.hex!.match(/../g) ?? []).map((h) => parseInt(h, 16)).map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
        assert.equal(dump, other.lines.join(''), 'the same bytes as openssl dumps them');
      } else {
        assert.deepEqual(ext.lines, other.lines, 'value lines as `openssl -text` prints them');
      }
    });
  }
}

async function comparePublicValue(t: TestContext, pk: PublicKeyInfo, sslText: string): Promise<void> {
  const v = sslPublicValue(sslText);
  if (v.publicHex !== undefined) await t.test('public key value (RSA modulus / EC point / raw key)', () => assert.equal(pk.publicHex, v.publicHex));
  if (v.exponent !== undefined) await t.test('RSA public exponent', () => assert.equal(pk.exponent, v.exponent));
}

async function comparePublicKey(t: TestContext, pk: PublicKeyInfo, sslAlg: string, sslBits: number | undefined, sslCurve: string | undefined): Promise<void> {
  await t.test('RFC 5280 4.1.2.7: public key algorithm', () => assert.equal(SSL_PK_ALG[pk.algorithm] ?? pk.algorithm, sslAlg));
  if (sslBits !== undefined) await t.test('public key size in bits', () => assert.equal(pk.bits, sslBits));
  // Explicit curve parameters (RFC 3279 2.3.5) have no name in openssl's output: only named curves are compared.
  if (pk.algorithm === 'EC' && sslCurve) await t.test('named curve (RFC 5480 2.1.1.1)', () => assert.equal(pk.curve, sslCurve));
}

// ---------------------------------------------------------------------------------------------
// Certificates (RFC 5280 4.1)

async function compareCertificate(t: TestContext, cert: CertificateInfo, input: Input): Promise<void> {
  const text = ssl(['x509', '-noout', '-text'], input);
  const s = parseX509Text(text);
  await t.test('RFC 5280 4.1.2.1: version', () => assert.equal(cert.version, s.version));
  await t.test('RFC 5280 4.1.2.2: serial number as openssl prints it', () => {
    if (s.serialDecimal !== undefined) {
      assert.equal(cert.serialDecimal, s.serialDecimal, 'openssl prints this serial in decimal');
    } else {
      assert.equal(cert.serialHex, s.serialHex, 'colon hex');
      assert.equal(cert.serialDecimal, undefined, `openssl prints this serial in hex (${s.serialHex}), not decimal`);
    }
  });
  await t.test('RFC 5280 4.1.1.2: signature algorithm', () => assert.equal(cert.signatureAlgorithm, s.sigAlg));
  await t.test('RFC 5280 4.1.2.4: issuer', () => assert.equal(cert.issuer.opensslText, s.issuer));
  await t.test('RFC 5280 4.1.2.6: subject', () => assert.equal(cert.subject.opensslText, s.subject));
  await t.test('RFC 5280 4.1.2.5: notBefore', () => assert.equal(opensslTime(cert.validity.notBefore), s.notBefore));
  await t.test('RFC 5280 4.1.2.5: notAfter', () => assert.equal(opensslTime(cert.validity.notAfter), s.notAfter));
  await comparePublicKey(t, cert.publicKey, s.pkAlg, s.bits, s.curve);
  await comparePublicValue(t, cert.publicKey, text);
  await t.test('RFC 5280 4.1.2.7: SubjectPublicKeyInfo SHA-256', () => {
    assert.equal(cert.publicKey.spkiSha256, spkiShaOfPem(ssl(['x509', '-noout', '-pubkey'], input)));
  });
  await t.test('SHA-1 fingerprint', () => {
    assert.equal(cert.fingerprints.sha1, field(ssl(['x509', '-noout', '-fingerprint', '-sha1'], input), /Fingerprint=(.*)/));
  });
  await t.test('SHA-256 fingerprint', () => {
    assert.equal(cert.fingerprints.sha256, field(ssl(['x509', '-noout', '-fingerprint', '-sha256'], input), /Fingerprint=(.*)/));
  });
  await compareExtensions(t, cert.extensions, s.extensions);
}

for (const { name, file, item } of filesWith('certificate')) {
  const cert = (item.object as { certificate: CertificateInfo }).certificate;
  const input = itemInput(name, file, item);
  test(`RFC 5280 4.1: ${input.name} (${cert.subject.text}) matches openssl x509 -text`, async (t) => {
    await compareCertificate(t, cert, input);
  });
}

// Certificates inside PKCS#7 bundles: openssl pkcs7 -print_certs gives them in order.
for (const { name, file, item } of filesWith('pkcs7')) {
  const p7 = item.object as { certificates: CertificateInfo[]; crls: CrlInfo[] };
  const input = itemInput(name, file, item);
  test(`RFC 2315 9.1: ${input.name} holds the certificates and CRLs openssl lists`, async (t) => {
    const printed = ssl(['pkcs7', '-print_certs'], input);
    const certs = printed.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/g) ?? [];
    const crls = printed.match(/-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----\n/g) ?? [];
    await t.test('certificate and CRL counts', () => {
      assert.equal(p7.certificates.length, certs.length);
      assert.equal(p7.crls.length, crls.length);
    });
    for (const [k, cert] of p7.certificates.entries()) {
      if (!certs[k]) continue;
      await t.test(`certificate ${k}: ${cert.subject.text}`, (t2) => compareCertificate(t2, cert, { data: certs[k]!, der: false, name: `${input.name}/cert${k}` }));
    }
    for (const [k, crl] of p7.crls.entries()) {
      if (!crls[k]) continue;
      await t.test(`CRL ${k}`, (t2) => compareCrl(t2, crl, { data: crls[k]!, der: false, name: `${input.name}/crl${k}` }));
    }
  });
}

test('RFC 5280 4.1.2.5: validity state of the expired and not-yet-valid fixtures', () => {
  const state = (n: string, now?: Date) =>
    ((decodeFixture(n, now ? { now } : {}).items[0]!.object as { certificate: CertificateInfo }).certificate).validity.state;
  assert.equal(state('expired.crt'), 'expired');
  assert.equal(state('not-yet-valid.crt'), 'not-yet-valid');
  assert.equal(state('leaf.crt'), 'valid');
  assert.equal(state('expired.crt', new Date('2000-06-01T00:00:00Z')), 'valid');
  assert.equal(state('not-yet-valid.crt', new Date('2105-01-01T00:00:00Z')), 'valid');
});

test('OpenSSL TRUSTED CERTIFICATE: the certificate inside the X509_AUX is the root CA', () => {
  const trusted = decodeFixture('root-ca.trusted.pem').items[0]!;
  assert.equal(trusted.label, 'TRUSTED CERTIFICATE');
  assert.equal(trusted.problem, undefined);
  const obj = trusted.object as { kind: string; certificate: CertificateInfo; trusted?: boolean };
  assert.equal(obj.kind, 'certificate');
  assert.equal(obj.trusted, true);
  const root = (decodeFixture('root-ca.crt').items[0]!.object as { certificate: CertificateInfo }).certificate;
  assert.equal(obj.certificate.fingerprints.sha256, root.fingerprints.sha256);
});

test('RFC 5280 4.2.1.9/4.2.1.10: the chain intermediate has pathlen:0 and name constraints', () => {
  const items = decodeFixture('chain.pem').items;
  assert.equal(items.length, 3);
  const [leaf, inter, root] = items.map((i) => (i.object as { certificate: CertificateInfo }).certificate);
  assert.equal(leaf!.isCA, false);
  assert.equal(inter!.isCA, true);
  assert.equal(root!.isCA, true);
  assert.equal(root!.selfIssued, true);
  assert.deepEqual(inter!.extensions.find((e) => e.oid === '2.5.29.19')?.value, { ca: true, pathLen: 0 });
  assert.ok(inter!.extensions.find((e) => e.oid === '2.5.29.30')?.critical);
  assert.equal(leaf!.issuer.text, inter!.subject.text);
  assert.equal(inter!.issuer.text, root!.subject.text);
  assert.deepEqual(leaf!.subjectAltNames.map((n) => n.type), ['dns', 'dns', 'ip', 'ip', 'email', 'uri']);
});

test('RFC 5280 4.2.1.1: an AKI with issuer and serial labels the key id "keyid:" (as openssl prints it)', () => {
  const inter = (decodeFixture('intermediate-ca.crt').items[0]!.object as { certificate: CertificateInfo }).certificate;
  const aki = inter.extensions.find((e) => e.oid === '2.5.29.35');
  assert.ok(aki);
  assert.match(aki.lines[0]!, /^keyid:[0-9A-F]{2}(:[0-9A-F]{2})+$/);
  assert.match(aki.lines[2]!, /^serial:01$/);
});

test('RFC 5280 4.2.1.6: a directoryName keeps multi-valued RDNs (OU=PKI+OU=Testing)', () => {
  const inter = (decodeFixture('intermediate-ca.crt').items[0]!.object as { certificate: CertificateInfo }).certificate;
  const aki = inter.extensions.find((e) => e.oid === '2.5.29.35');
  const dirName = (aki?.value as { issuer: { type: string; value: string }[] }).issuer[0];
  assert.deepEqual(dirName, { type: 'dirName', value: '/C=US/O=TLS Lens Test/OU=PKI+OU=Testing/CN=TLS Lens Test Root CA' });
});

// ---------------------------------------------------------------------------------------------
// Certificate requests (RFC 2986)

for (const { name, file, item } of filesWith('csr')) {
  const csr = (item.object as { csr: CsrInfo }).csr;
  const input = itemInput(name, file, item);
  test(`RFC 2986 4.1: ${input.name} matches openssl req -text`, async (t) => {
    const text = ssl(['req', '-noout', '-text'], input);
    const lines = text.split('\n');
    await t.test('version', () => assert.equal(csr.version, Number(field(text, /^ {8}Version: (\d+) \(/m))));
    await t.test('subject', () => assert.equal(csr.subject.opensslText, field(text, /^ {8}Subject: ?(.*)$/m) ?? ''));
    await t.test('signature algorithm', () => assert.equal(csr.signatureAlgorithm, field(text, /Signature Algorithm: (.*)/)));
    const bits = field(text, /Public-Key: \((\d+) bit\)/);
    await comparePublicKey(t, csr.publicKey, field(text, /Public Key Algorithm: (.*)/)!, bits ? Number(bits) : undefined, field(text, /NIST CURVE: (.*)/));
    await t.test('SubjectPublicKeyInfo SHA-256', () => assert.equal(csr.publicKey.spkiSha256, spkiShaOfPem(ssl(['req', '-noout', '-pubkey'], input))));
    // Attributes: `            challengePassword        :value`, then `Requested Extensions:` with extensions at 16.
    const attrAt = lines.findIndex((l) => /^ {8}Attributes:$/.test(l));
    const attrs: { name: string; value: string }[] = [];
    let reqExtAt = -1;
    for (let i = attrAt + 1; attrAt >= 0 && i < lines.length && indentOf(lines[i]!) >= 12; i++) {
      const l = lines[i]!;
      if (indentOf(l) !== 12) continue;
      if (/^ {12}Requested Extensions:/.test(l)) { reqExtAt = i; continue; }
      const m = /^ {12}(\S+)\s*:(.*)$/.exec(l);
      if (m) attrs.push({ name: m[1]!, value: m[2]! });
    }
    await t.test('RFC 2986 4.1: attributes (challengePassword etc.)', () => {
      assert.deepEqual(csr.attributes.map((a) => ({ name: a.name, value: a.values.join(', ') })), attrs);
    });
    await compareExtensions(t, csr.extensions, reqExtAt >= 0 ? parseExtensions(lines, reqExtAt + 1, 16) : []);
  });
}

test('RFC 2986 5.4.1: the CSR requests SANs and carries a challengePassword', () => {
  const csr = (decodeFixture('rsa2048.csr').items[0]!.object as { csr: CsrInfo }).csr;
  assert.deepEqual(csr.subjectAltNames, [
    { type: 'dns', value: 'csr.example.com' }, { type: 'dns', value: 'www.csr.example.com' },
    { type: 'ip', value: '192.0.2.20' }, { type: 'email', value: 'csr@example.com' },
  ]);
  assert.deepEqual(csr.attributes.find((a) => a.oid === '1.2.840.113549.1.9.7')?.values, ['tlslens-challenge']);
});

// ---------------------------------------------------------------------------------------------
// CRLs (RFC 5280 5.1)

async function compareCrl(t: TestContext, crl: CrlInfo, input: Input): Promise<void> {
  const text = ssl(['crl', '-noout', '-text'], input);
  const lines = text.split('\n');
  await t.test('RFC 5280 5.1.2.1: version', () => assert.equal(crl.version, Number(field(text, /Version (\d+) \(/))));
  await t.test('RFC 5280 5.1.1.2: signature algorithm', () => assert.equal(crl.signatureAlgorithm, field(text, /Signature Algorithm: (.*)/)));
  await t.test('RFC 5280 5.1.2.3: issuer', () => assert.equal(crl.issuer.opensslText, field(text, /^ {8}Issuer: ?(.*)$/m) ?? ''));
  await t.test('RFC 5280 5.1.2.4: thisUpdate (Last Update)', () => assert.equal(opensslTime(crl.thisUpdate), field(text, /Last Update: (.*)/)));
  await t.test('RFC 5280 5.1.2.5: nextUpdate (Next Update)', () => {
    const next = field(text, /Next Update: (.*)/);
    assert.equal(crl.nextUpdate ? opensslTime(crl.nextUpdate) : 'NONE', next);
  });
  const extAt = lines.findIndex((l) => /^ {8}CRL extensions:$/.test(l));
  await compareExtensions(t, crl.extensions, extAt >= 0 ? parseExtensions(lines, extAt + 1, 12) : []);
  // Revoked entries: `    Serial Number: 1001` / `        Revocation Date: ...` / reason at 12/16.
  const revoked: { serial: string; date: string; reason?: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^ {4}Serial Number: (\S+)$/.exec(lines[i]!);
    if (!m) continue;
    const entry: { serial: string; date: string; reason?: string } = { serial: m[1]!, date: field(lines[i + 1]!, /Revocation Date: (.*)/)! };
    const extStart = lines[i + 2] && /^ {8}CRL entry extensions:/.test(lines[i + 2]!) ? i + 3 : -1;
    if (extStart > 0) {
      const reason = parseExtensions(lines, extStart, 12).find((e) => e.name === 'X509v3 CRL Reason Code');
      if (reason) entry.reason = reason.lines[0];
    }
    revoked.push(entry);
  }
  await t.test('RFC 5280 5.1.2.6: revoked serial numbers', () => {
    assert.deepEqual(crl.revoked.map((r) => r.serialHex.replace(/:/g, '').toUpperCase()), revoked.map((r) => r.serial.toUpperCase()));
  });
  await t.test('RFC 5280 5.1.2.6: revocation dates', () => {
    assert.deepEqual(crl.revoked.map((r) => opensslTime(r.revocationDate)), revoked.map((r) => r.date));
  });
  await t.test('RFC 5280 5.3.1: reason codes', () => {
    assert.deepEqual(crl.revoked.map((r) => r.reason), revoked.map((r) => r.reason));
  });
}

for (const { name, file, item } of filesWith('crl')) {
  const crl = (item.object as { crl: CrlInfo }).crl;
  const input = itemInput(name, file, item);
  test(`RFC 5280 5.1: ${input.name} matches openssl crl -text`, (t) => compareCrl(t, crl, input));
}

test('RFC 5280 5.1.2.6: the CRL revokes revoked-1.crt (keyCompromise) and revoked-2.crt (superseded) by their serials', () => {
  const crl = (decodeFixture('intermediate.crl').items[0]!.object as { crl: CrlInfo }).crl;
  const serial = (n: string) => ((decodeFixture(n).items[0]!.object as { certificate: CertificateInfo }).certificate).serialHex;
  assert.equal(crl.revoked.length, 2);
  assert.deepEqual(crl.revoked.map((r) => r.reason), ['Key Compromise', 'Superseded']);
  // The same number must read the same in a certificate and in a CRL entry, or a lookup by serial misses it.
  assert.equal(crl.revoked[0]!.serialHex.toLowerCase(), serial('revoked-1.crt'));
  assert.equal(crl.revoked[1]!.serialHex.toLowerCase(), serial('revoked-2.crt'));
});

// ---------------------------------------------------------------------------------------------
// Private and public keys

interface SslKey { algorithm: string; bits?: number; curve?: string }

/** The key type and size from `openssl pkey -text -noout` (the header line and the curve lines). */
function parsePkeyText(text: string, pub: boolean): SslKey {
  const head = text.split('\n')[0]!;
  const ecx = /^(ED25519|ED448|X25519|X448) (Private|Public)-Key:/.exec(head);
  if (ecx) return { algorithm: { ED25519: 'Ed25519', ED448: 'Ed448', X25519: 'X25519', X448: 'X448' }[ecx[1]!]! };
  const bits = Number(/\((\d+) bit/.exec(head)?.[1]);
  if (/^(pub|priv):$/m.test(text) || /ASN1 OID|Field Type/.test(text)) {
    const curve = field(text, /NIST CURVE: (.*)/);
    return { algorithm: 'EC', bits, ...(curve ? { curve } : {}) };
  }
  if (/PSS parameter restrictions/.test(text)) return { algorithm: 'RSA-PSS', bits };
  if (/^(modulus|Modulus):/m.test(text)) return { algorithm: 'RSA', bits };
  return { algorithm: `unrecognised (${head}${pub ? ', public' : ''})`, bits };
}

async function compareKey(t: TestContext, pk: PublicKeyInfo, sslKey: SslKey, sslSpkiSha: string): Promise<void> {
  await t.test('public key SHA-256 (openssl pkey -pubout -outform DER | sha256)', () => assert.equal(pk.spkiSha256, sslSpkiSha));
  await t.test('key type', () => assert.equal(pk.algorithm, sslKey.algorithm));
  if (sslKey.bits !== undefined) await t.test('key size', () => assert.equal(pk.bits, sslKey.bits));
  if (sslKey.algorithm === 'EC' && sslKey.curve) await t.test('curve', () => assert.equal(pk.curve, sslKey.curve));
}

for (const { name, file, item } of filesWith('private-key')) {
  const info = (item.object as { privateKey: PrivateKeyInfo }).privateKey;
  const input = itemInput(name, file, item);
  test(`RFC 5958 2: ${input.name} (${item.label}, ${info.format}) matches openssl pkey`, async (t) => {
    assert.ok(info.publicKey, `no public key: ${item.problem?.message}`);
    const spkiSha = colonSha256(openssl(['pkey', '-passin', `pass:${PASS}`, '-pubout', '-outform', 'DER', ...(input.der ? ['-inform', 'DER'] : [])], input.data));
    const text = ssl(['pkey', '-passin', `pass:${PASS}`, '-text', '-noout'], input);
    await compareKey(t, info.publicKey, parsePkeyText(text, false), spkiSha);
    await comparePublicValue(t, info.publicKey, text);
  });
}

for (const { name, file, item } of filesWith('public-key')) {
  const pk = (item.object as { publicKey: PublicKeyInfo }).publicKey;
  const input = itemInput(name, file, item);
  test(`RFC 5280 4.1.2.7: ${input.name} (${item.label}) matches openssl`, async (t) => {
    const pkcs1 = item.label === 'RSA PUBLIC KEY';
    const spkiDer = pkcs1 ? openssl(['rsa', '-RSAPublicKey_in', '-pubout', '-outform', 'DER'], input.data) : openssl(['pkey', '-pubin', '-outform', 'DER'], input.data);
    const text = pkcs1 ? ssl(['rsa', '-RSAPublicKey_in', '-text', '-noout'], input) : ssl(['pkey', '-pubin', '-text', '-noout'], input);
    await compareKey(t, pk, parsePkeyText(text, true), colonSha256(spkiDer));
    await comparePublicValue(t, pk, text);
  });
}

for (const { name, file, item } of filesWith('parameters')) {
  const description = (item.object as { description: string }).description;
  const input = itemInput(name, file, item);
  test(`RFC 5480 2.1.1: ${input.name} (${item.label}) names the curve openssl names`, () => {
    const text = ssl(['ecparam', '-noout', '-text'], input);
    const curve = field(text, /NIST CURVE: (.*)/) ?? field(text, /ASN1 OID: (.*)/);
    assert.ok(curve && description.includes(curve), `ours: "${description}", openssl: ${curve}`);
  });
}

// ---------------------------------------------------------------------------------------------
// Key/certificate pairs: matching by SubjectPublicKeyInfo, as openssl sees them

const PAIRS: [string, string, boolean][] = [
  ['rsa2048.crt', 'rsa2048.key', true], ['rsa2048.crt', 'rsa2048.rsa.key', true], ['rsa4096.crt', 'rsa4096.rsa.key', true],
  ['rsa-pss.crt', 'rsa-pss.key', true], ['ec-p256.crt', 'ec-p256.sec1.key', true], ['ec-p384.crt', 'ec-p384.key', true],
  ['ec-p521.crt', 'ec-p521.sec1.key', true], ['ed25519.crt', 'ed25519.key', true], ['ed448.crt', 'ed448.key', true],
  ['leaf.crt', 'leaf.key', true], ['intermediate-ca.crt', 'intermediate-ca.key', true], ['root-ca.crt', 'root-ca.key', true],
  ['rsa2048.crt', 'rsa2048.pbes2.key', true], ['ec-p384.crt', 'ec-p384.legacy-enc.key', true],
  ['mismatch-ec.crt', 'mismatch-ec.key', false], ['rsa2048.crt', 'rsa4096.key', false],
];

for (const [crtName, keyName, match] of PAIRS) {
  test(`key matching: ${crtName} and ${keyName} ${match ? 'match' : 'do not match'} (as openssl sees them)`, () => {
    const cert = (decodeFixture(crtName).items[0]!.object as { certificate: CertificateInfo }).certificate;
    const key = (decodeFixture(keyName).items.find((i) => i.object?.kind === 'private-key')!.object as { privateKey: PrivateKeyInfo }).privateKey;
    const sslCert = spkiShaOfPem(openssl(['x509', '-noout', '-pubkey', '-in', path.join(FIX, crtName)]).toString());
    const sslKey = colonSha256(openssl(['pkey', '-in', path.join(FIX, keyName), '-passin', `pass:${PASS}`, '-pubout', '-outform', 'DER']));
    assert.equal(sslCert === sslKey, match, 'openssl agrees with the fixture name');
    assert.equal(cert.publicKey.spkiSha256 === key.publicKey?.spkiSha256, match);
  });
}

test('key matching: mismatch-rsa.pem holds a certificate and a key that is not its key', () => {
  const items = decodeFixture('mismatch-rsa.pem').items;
  assert.deepEqual(items.map((i) => i.label), ['CERTIFICATE', 'PRIVATE KEY']);
  const cert = (items[0]!.object as { certificate: CertificateInfo }).certificate;
  const key = (items[1]!.object as { privateKey: PrivateKeyInfo }).privateKey;
  assert.ok(key.publicKey);
  assert.notEqual(cert.publicKey.spkiSha256, key.publicKey.spkiSha256);
});

// ---------------------------------------------------------------------------------------------
// Encrypted keys (RFC 8018 PBES2/PBKDF2, RFC 7914 scrypt, RFC 1421 4.6 legacy PEM)

/** OBJECT names and INTEGER values of `openssl asn1parse`, in order. */
function asn1Summary(name: string): { objects: string[]; integers: number[] } {
  const der = name.endsWith('.der');
  const text = openssl(['asn1parse', '-in', path.join(FIX, name), ...(der ? ['-inform', 'DER'] : [])]).toString();
  const objects = [...text.matchAll(/OBJECT\s+:(\S+)/g)].map((m) => m[1]!);
  const integers = [...text.matchAll(/INTEGER\s+:([0-9A-F]+)/g)].map((m) => parseInt(m[1]!, 16));
  return { objects, integers };
}

const ENCRYPTED: { file: string; rfc: string; label: string; kdf: RegExp; cipher: string }[] = [
  { file: 'rsa2048.pbes2.key', rfc: 'RFC 8018 6.2 (PBES2, PBKDF2)', label: 'ENCRYPTED PRIVATE KEY', kdf: /^PBKDF2/, cipher: 'AES-256-CBC' },
  { file: 'ec-p256.pbes2.key.der', rfc: 'RFC 8018 6.2 (PBES2, PBKDF2, DER)', label: 'ENCRYPTED PRIVATE KEY', kdf: /^PBKDF2/, cipher: 'AES-256-CBC' },
  { file: 'ec-p256.scrypt.key', rfc: 'RFC 7914 7 (PBES2, scrypt)', label: 'ENCRYPTED PRIVATE KEY', kdf: /^scrypt/, cipher: 'AES-256-CBC' },
  { file: 'rsa2048.legacy-enc.key', rfc: 'RFC 1421 4.6 (Proc-Type: 4,ENCRYPTED)', label: 'RSA PRIVATE KEY', kdf: /MD5/, cipher: 'AES-256-CBC' },
  { file: 'ec-p384.legacy-enc.key', rfc: 'RFC 1421 4.6 (Proc-Type: 4,ENCRYPTED)', label: 'EC PRIVATE KEY', kdf: /MD5/, cipher: 'AES-256-CBC' },
];

function keyItem(file: DecodedFile): DecodedItem {
  const item = file.items.find((i) => i.object?.kind === 'private-key' || isPrivateLabel(i.label));
  assert.ok(item, 'no private key item');
  return item;
}
const isPrivateLabel = (l: string) => /PRIVATE KEY$/.test(l);
const privOf = (item: DecodedItem) => (item.object as { privateKey: PrivateKeyInfo } | undefined)?.privateKey;

for (const enc of ENCRYPTED) {
  test(`${enc.rfc}: ${enc.file} with the passphrase gives the public key openssl derives`, () => {
    const item = keyItem(decodeFixture(enc.file, { passphrase: PASS }));
    assert.equal(item.label, enc.label);
    assert.equal(item.problem, undefined, item.problem?.message);
    const info = privOf(item)!;
    assert.equal(info.locked, undefined);
    const sslSha = colonSha256(openssl(['pkey', '-in', path.join(FIX, enc.file), ...(enc.file.endsWith('.der') ? ['-inform', 'DER'] : []), '-passin', `pass:${PASS}`, '-pubout', '-outform', 'DER']));
    assert.equal(info.publicKey?.spkiSha256, sslSha);
  });

  test(`${enc.rfc}: ${enc.file} with a passphrase function`, () => {
    const asked: { index: number; label: string }[] = [];
    const item = keyItem(decodeFixture(enc.file, { passphrase: (i) => { asked.push(i); return PASS; } }));
    assert.deepEqual(asked, [{ index: 0, label: enc.label }]);
    assert.ok(privOf(item)?.publicKey);
  });

  test(`${enc.rfc}: ${enc.file} without a passphrase is needs-passphrase`, () => {
    const file = decodeFixture(enc.file, {});
    const item = keyItem(file);
    assert.equal(item.problem?.code, 'needs-passphrase');
    assert.equal(privOf(item)?.locked, 'needs-passphrase');
    assert.equal(privOf(item)?.publicKey, undefined);
    assert.ok(privOf(item)?.encryption, 'the encryption is described even while locked');
    assert.ok(file.problems.some((p) => p.code === 'needs-passphrase'));
  });

  test(`${enc.rfc}: ${enc.file} with a wrong passphrase is wrong-passphrase`, () => {
    const item = keyItem(decodeFixture(enc.file, { passphrase: 'not-the-passphrase' }));
    assert.equal(item.problem?.code, 'wrong-passphrase', item.problem?.message);
    assert.equal(privOf(item)?.locked, 'wrong-passphrase');
    assert.equal(privOf(item)?.publicKey, undefined);
  });

  test(`${enc.rfc}: ${enc.file} names its KDF and cipher`, () => {
    const info = privOf(keyItem(decodeFixture(enc.file, {})))!;
    assert.ok(info.encryption);
    assert.match(info.encryption.kdf, enc.kdf);
    assert.equal(info.encryption.cipher, enc.cipher);
    if (enc.label === 'ENCRYPTED PRIVATE KEY') {
      assert.equal(info.encryption.scheme, 'PBES2');
      // The parameters must be those openssl wrote (asn1parse of the EncryptedPrivateKeyInfo).
      const { objects, integers } = asn1Summary(enc.file);
      assert.ok(objects.includes('PBES2') && objects.includes('aes-256-cbc'), objects.join(' '));
      if (objects.includes('PBKDF2')) {
        const prf = objects.find((o) => o.startsWith('hmacWith')) ?? 'hmacWithSHA1';
        assert.equal(info.encryption.kdf, `PBKDF2 (${prf}, ${integers[0]} iterations)`);
      } else {
        assert.ok(objects.includes('scrypt'), objects.join(' '));
        const [n, r, p] = integers;
        assert.equal(info.encryption.kdf, `scrypt (N=${n}, r=${r}, p=${p})`);
      }
    } else {
      const dek = fs.readFileSync(path.join(FIX, enc.file), 'utf8').match(/^DEK-Info: ([^,\n]+)/m)?.[1];
      assert.equal(dek, 'AES-256-CBC');
      assert.match(info.encryption.scheme, /legacy|1421/i);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Every fixture decodes without a problem, and DER files are recognised by shape

for (const name of fixtureFiles) {
  test(`${name}: decodes without an exception or a problem (passphrase given)`, () => {
    const file = decoded.get(name)!;
    if (file instanceof Error) throw file;
    assert.ok(file.items.length > 0, 'no items');
    assert.deepEqual(file.problems, []);
    for (const item of file.items) {
      assert.equal(item.problem, undefined, item.problem?.message);
      assert.ok(item.object, `${item.label}: no object`);
    }
  });
}

const DER_LABELS: Record<string, string> = {
  'rsa2048.crt.der': 'CERTIFICATE', 'ec-p256.key.der': 'PRIVATE KEY', 'ec-p256.sec1.key.der': 'EC PRIVATE KEY', 'rsa2048.rsa.key.der': 'RSA PRIVATE KEY',
  'ec-p256.pbes2.key.der': 'ENCRYPTED PRIVATE KEY', 'rsa2048.csr.der': 'CERTIFICATE REQUEST', 'intermediate.crl.der': 'X509 CRL',
  'chain.p7b.der': 'PKCS7',
};

for (const [name, label] of Object.entries(DER_LABELS)) {
  test(`DER: ${name} is recognised as ${label}`, () => {
    const file = decodeFixture(name);
    assert.equal(file.format, 'der');
    assert.equal(file.items.length, 1);
    assert.equal(file.items[0]!.label, label);
  });
}

test('DER: rsa2048.crt.der decodes to the same certificate as rsa2048.crt', () => {
  const der = (decodeFixture('rsa2048.crt.der').items[0]!.object as { certificate: CertificateInfo }).certificate;
  const pem = (decodeFixture('rsa2048.crt').items[0]!.object as { certificate: CertificateInfo }).certificate;
  assert.deepEqual(der, pem);
});
