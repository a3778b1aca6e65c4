// Text in the layout of `openssl x509 -text` / `req -text` / `crl -text` / `pkey -text_pub`, plus what those
// leave out and users ask for (time left, fingerprints, SPKI pin). Used by `tlslens decode` and the decode view.
import { generalNameText } from './general-names';
import { opensslTime } from './validity';
import type { DecodedFile, DecodedItem } from './file';
import type { CertificateInfo, CrlInfo, CsrInfo, ExtensionInfo, PrivateKeyInfo, PublicKeyInfo } from './types';

export function formatFile(file: DecodedFile, name?: string): string {
  return file.items.map((item) => formatItem(item, name)).join('\n');
}

export function formatItem(item: DecodedItem, name?: string): string {
  const where = file(name, item);
  const out: string[] = [`${where}: ${item.label}`];
  if (item.headers.length) for (const h of item.headers) out.push(`    ${h.name}: ${h.value}`);
  if (item.problem) out.push(`    Problem (line ${item.problem.line + 1}): ${item.problem.message}`);
  const o = item.object;
  if (o) {
    switch (o.kind) {
      case 'certificate': out.push(...certificateLines(o.certificate)); break;
      case 'csr': out.push(...csrLines(o.csr)); break;
      case 'crl': out.push(...crlLines(o.crl)); break;
      case 'public-key': out.push(...publicKeyLines(o.publicKey, '    ')); break;
      case 'private-key': out.push(...privateKeyLines(o.privateKey)); break;
      case 'pkcs7':
        out.push(`    PKCS#7 bundle: ${o.certificates.length} certificate(s), ${o.crls.length} CRL(s)`);
        o.certificates.forEach((c, i) => out.push(`  Certificate ${i + 1} of ${o.certificates.length}:`, ...certificateLines(c)));
        o.crls.forEach((c) => out.push(...crlLines(c)));
        break;
      case 'parameters': out.push(`    ${o.description}`); break;
    }
  }
  return out.join('\n') + '\n';
}

function file(name: string | undefined, item: DecodedItem): string {
  const lines = item.range.startLine === item.range.endLine ? `line ${item.range.startLine + 1}` : `lines ${item.range.startLine + 1}-${item.range.endLine + 1}`;
  return `${name ? `${name}, ` : ''}block ${item.index + 1} (${lines})`;
}

export function certificateLines(c: CertificateInfo): string[] {
  const serial = c.serialDecimal !== undefined ? [`        Serial Number: ${c.serialDecimal} (${c.serialDecimal.startsWith('-') ? '-' : ''}0x${(BigInt(c.serialDecimal) < 0n ? -BigInt(c.serialDecimal) : BigInt(c.serialDecimal)).toString(16)})`]
    : ['        Serial Number:', `            ${c.serialNegative ? '(Negative)' : ''}${c.serialHex}`];
  const mark = c.validity.state === 'valid' ? '' : c.validity.state === 'expired' ? '  [EXPIRED]' : '  [NOT YET VALID]';
  return [
    'Certificate:',
    '    Data:',
    `        Version: ${c.version} (0x${(c.version - 1).toString(16)})`,
    ...serial,
    `        Signature Algorithm: ${c.signatureAlgorithm}`,
    `        Issuer: ${c.issuer.opensslText}`,
    '        Validity',
    `            Not Before: ${opensslTime(c.validity.notBefore)}`,
    `            Not After : ${opensslTime(c.validity.notAfter)}`,
    `            (${c.validity.relative})${mark}`,
    `        Subject: ${c.subject.opensslText}`,
    '        Subject Public Key Info:',
    ...publicKeyLines(c.publicKey, '            '),
    ...extensionLines(c.extensions),
    `    Signature Algorithm: ${c.signatureAlgorithm}`,
    `    SHA1 Fingerprint: ${c.fingerprints.sha1}`,
    `    SHA256 Fingerprint: ${c.fingerprints.sha256}`,
    `    SPKI SHA256 pin: ${c.publicKey.pin}`,
    ...(c.subjectAltNames.length ? [`    Names: ${c.subjectAltNames.map(generalNameText).join(', ')}`] : []),
  ];
}

export function publicKeyLines(k: PublicKeyInfo, indent: string): string[] {
  const out = [`${indent}Public Key Algorithm: ${algorithmName(k)}`];
  if (k.algorithm === 'RSA' || k.algorithm === 'RSA-PSS') {
    out.push(`${indent}    Public-Key: (${k.bits} bit)`, `${indent}    Exponent: ${k.exponent} (0x${BigInt(k.exponent ?? 0).toString(16)})`);
  } else if (k.algorithm === 'EC') {
    out.push(`${indent}    Public-Key: (${k.bits} bit)`, `${indent}    NIST CURVE: ${k.curve}`);
  } else {
    out.push(`${indent}    ${k.description} Public-Key`);
  }
  out.push(`${indent}    SPKI SHA256: ${k.spkiSha256}`);
  return out;
}

function algorithmName(k: PublicKeyInfo): string {
  switch (k.algorithm) {
    case 'RSA': return 'rsaEncryption';
    case 'RSA-PSS': return 'rsassaPss';
    case 'EC': return 'id-ecPublicKey';
    case 'Ed25519': return 'ED25519';
    case 'Ed448': return 'ED448';
    default: return k.algorithm === 'unknown' ? k.oid : k.algorithm;
  }
}

export function extensionLines(exts: ExtensionInfo[]): string[] {
  if (!exts.length) return [];
  const out = ['        X509v3 extensions:'];
  for (const e of exts) {
    out.push(`            ${e.name}:${e.critical ? ' critical' : ''}`);
    for (const l of e.lines) out.push(`                ${l}`);
  }
  return out;
}

function csrLines(r: CsrInfo): string[] {
  return [
    'Certificate Request:',
    '    Data:',
    `        Version: ${r.version} (0x${(r.version - 1).toString(16)})`,
    `        Subject: ${r.subject.opensslText}`,
    '        Subject Public Key Info:',
    ...publicKeyLines(r.publicKey, '            '),
    '        Attributes:',
    ...r.attributes.map((a) => `            ${a.name}:${a.values.join(', ')}`),
    ...(r.extensions.length ? ['        Requested Extensions:', ...extensionLines(r.extensions).slice(1)] : []),
    `    Signature Algorithm: ${r.signatureAlgorithm}`,
  ];
}

function crlLines(c: CrlInfo): string[] {
  return [
    'Certificate Revocation List (CRL):',
    `        Version ${c.version} (0x${(c.version - 1).toString(16)})`,
    `        Signature Algorithm: ${c.signatureAlgorithm}`,
    `        Issuer: ${c.issuer.opensslText}`,
    `        Last Update: ${opensslTime(c.thisUpdate)}`,
    `        Next Update: ${c.nextUpdate ? opensslTime(c.nextUpdate) : 'NONE'}`,
    ...(c.extensions.length ? ['        CRL extensions:', ...extensionLines(c.extensions).slice(1)] : []),
    c.revoked.length ? 'Revoked Certificates:' : 'No Revoked Certificates.',
    ...c.revoked.flatMap((r) => [
      `    Serial Number: ${r.serialHex.replace(/:/g, '').toUpperCase()}`,
      `        Revocation Date: ${opensslTime(r.revocationDate)}`,
      ...(r.reason ? [`        CRL Reason Code: ${r.reason}`] : []),
    ]),
  ];
}

function privateKeyLines(k: PrivateKeyInfo): string[] {
  const out = [`    Private key (${k.format}); its secret part is never shown.`];
  if (k.encryption) out.push(`    Encryption: ${k.encryption.scheme}, ${k.encryption.kdf}, ${k.encryption.cipher}`);
  if (k.locked === 'needs-passphrase') out.push('    Locked: give the passphrase (--passin) to read its public half.');
  if (k.locked === 'wrong-passphrase') out.push('    Locked: the passphrase given does not decrypt it.');
  if (k.publicKey) out.push(...publicKeyLines(k.publicKey, '    '));
  return out;
}
