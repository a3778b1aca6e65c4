// Text in the layout of `openssl x509 -text` / `req -text` / `crl -text` / `pkey -text_pub`, plus what those
// leave out and users ask for (time left, fingerprints, SPKI pin). Used by `tlslens decode` and the decode view.
import { generalNameText } from './general-names';
import { opensslTime } from './validity';
import type { DecodedFile, DecodedItem } from './file';
import type { CertificateInfo, CrlInfo, CsrInfo, ExtensionInfo, Pkcs12Bag, Pkcs12Info, PrivateKeyInfo, PublicKeyInfo } from './types';

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
      case 'pkcs12': out.push(...pkcs12Lines(o.pkcs12)); break;
      case 'parameters': out.push(`    ${o.description}`); break;
    }
  }
  return out.join('\n') + '\n';
}

/** In the order and words of `openssl pkcs12 -info`, with each certificate and key decoded below its bag. */
export function pkcs12Lines(p: Pkcs12Info): string[] {
  const out = [`    PKCS#12 (PFX version ${p.version})`];
  if (p.mac) {
    const verdict = p.macVerified === undefined ? '' : p.macVerified ? ' (verified)' : ' (does not verify with this password)';
    out.push(`    MAC: ${p.mac.algorithm}, Iteration ${p.mac.iterations}${verdict}`, `    MAC length: ${p.mac.macLength}, salt length: ${p.mac.saltLength}`);
  } else out.push(`    Integrity: ${p.integrity === 'none' ? 'none (no MAC)' : p.integrity}`);
  for (const c of p.contents) {
    out.push(`    ${c.label}`);
    if (c.locked === 'needs-passphrase') out.push(p.locked === 'wrong-passphrase' ? '        (encrypted: not opened, the password does not verify the MAC)' : '        (encrypted: give the password to list its bags)');
    else if (c.problem) out.push(`        Problem: ${c.problem}`);
    for (const b of c.bags ?? []) out.push(...pkcs12BagLines(b, '        '));
  }
  return out;
}

function pkcs12BagLines(b: Pkcs12Bag, indent: string): string[] {
  const out = [`${indent}${b.label}`];
  for (const a of b.attributes) out.push(`${indent}    ${a.name}: ${a.values.join(', ')}`);
  if (b.problem) out.push(`${indent}    Problem: ${b.problem}`);
  if (b.certificate) out.push(`${indent}    subject=${b.certificate.subject.opensslText}`, `${indent}    issuer=${b.certificate.issuer.opensslText}`, ...certificateLines(b.certificate).map((l) => indent + l));
  if (b.crl) out.push(...crlLines(b.crl).map((l) => indent + l));
  if (b.privateKey) out.push(...privateKeyLines(b.privateKey).map((l) => indent + l));
  for (const inner of b.bags ?? []) out.push(...pkcs12BagLines(inner, indent + '    '));
  return out;
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
