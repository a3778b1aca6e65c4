// Check Key: does the private key belong to the certificate? Runs the very calls a server makes at start-up
// (SSL_CTX_use_certificate_ASN1, SSL_CTX_use_PrivateKey, SSL_CTX_check_private_key), records each return value
// and error-queue entry, and adds a signature proof. Shared by `tlslens check-key` and the extension.
import { SSL_CTX_check_private_key, SSL_CTX_free, SSL_CTX_new, SSL_CTX_use_certificate_ASN1, SSL_CTX_use_PrivateKey } from '../api/ctx';
import { ERR_clear_error, ERR_drain_strings } from '../api/err';
import { TLS_method } from '../api/method';
import { EVP_PKEY } from '../api/objects';
import { KeyLoadError } from '../crypto/node-keys';
import { certificateOfTrusted, certificateSpki } from '../x509/certificate';
import { decodeBytes, isPrivateKeyLabel, openItemKey } from '../x509/decode';
import { matchKeyToSpki } from '../x509/match';
import { commonName } from '../x509/name';
import type { DecodedItem } from '../x509/file';

export interface CheckKeyInput {
  name: string;
  bytes: Uint8Array;
}

export interface ApiCall {
  call: string;
  ret: number;
  errors: string[];
}

export interface CheckKeyReport {
  /** 0 match, 1 mismatch, 2 unreadable input: the CLI's exit code. */
  status: 0 | 1 | 2;
  match: boolean;
  reason: string;
  certificate?: { file: string; line: number; subject: string; commonName?: string; description: string; spkiSha256: string; sha256: string };
  key?: { file: string; line: number; format: string; description: string; spkiSha256: string };
  publicKeyEqual?: boolean;
  signatureVerified?: boolean;
  calls: ApiCall[];
  /** Set when the key is encrypted and no or a wrong passphrase was given, so a front end can ask. */
  needsPassphrase?: 'needs-passphrase' | 'wrong-passphrase';
}

export function findCertificate(items: DecodedItem[]): DecodedItem | undefined {
  return items.find((i) => i.object?.kind === 'certificate' && i.der);
}

export function findPrivateKey(items: DecodedItem[]): DecodedItem | undefined {
  return items.find((i) => isPrivateKeyLabel(i.label) && i.der);
}

export function checkKey(cert: CheckKeyInput, key?: CheckKeyInput, passphrase?: string): CheckKeyReport {
  const calls: ApiCall[] = [];
  const unreadable = (reason: string): CheckKeyReport => ({ status: 2, match: false, reason, calls });
  const certFile = decodeBytes(cert.bytes);
  const certItem = findCertificate(certFile.items);
  if (!certItem) {
    const why = certFile.items.find((i) => /CERTIFICATE$/.test(i.label))?.problem?.message;
    return unreadable(`no certificate in ${cert.name}${why ? `: ${why}` : ''}`);
  }
  const keySource = key ?? cert;
  const keyFile = key ? decodeBytes(key.bytes) : certFile;
  const keyItem = findPrivateKey(keyFile.items);
  if (!keyItem) {
    const why = keyFile.items.find((i) => /PRIVATE KEY$/.test(i.label))?.problem?.message;
    return unreadable(`no private key in ${keySource.name}${why ? `: ${why}` : ''}`);
  }
  const c = certItem.object!.kind === 'certificate' ? certItem.object!.certificate : undefined;
  const certificate = {
    file: cert.name, line: certItem.range.startLine, subject: c!.subject.text, ...(commonName(c!.subject) ? { commonName: commonName(c!.subject)! } : {}),
    description: c!.publicKey.description, spkiSha256: c!.publicKey.spkiSha256, sha256: c!.fingerprints.sha256,
  };

  let pkey: EVP_PKEY;
  try {
    pkey = new EVP_PKEY(openItemKey(keyItem, passphrase));
  } catch (e) {
    const lock = e instanceof KeyLoadError && (e.reason === 'needs-passphrase' || e.reason === 'wrong-passphrase') ? e.reason : undefined;
    return { ...unreadable(`cannot open the key in ${keySource.name} (line ${keyItem.range.startLine + 1}): ${(e as Error).message}`), certificate, ...(lock ? { needsPassphrase: lock } : {}) };
  }
  const keyInfo = {
    file: keySource.name, line: keyItem.range.startLine, format: keyItem.object?.kind === 'private-key' ? keyItem.object.privateKey.format : keyItem.label,
    description: pkey.publicKey.description, spkiSha256: pkey.publicKey.spkiSha256,
  };

  ERR_clear_error();
  const record = (call: string, ret: number) => calls.push({ call, ret, errors: ERR_drain_strings() });
  const ctx = SSL_CTX_new(TLS_method())!;
  const der = certItem.label === 'TRUSTED CERTIFICATE' ? certificateOfTrusted(certItem.der!) : certItem.der!;
  record(`SSL_CTX_use_certificate_ASN1(ctx, ${der.length}, <${cert.name}>)`, SSL_CTX_use_certificate_ASN1(ctx, der.length, der));
  record(`SSL_CTX_use_PrivateKey(ctx, <${keySource.name}>)`, SSL_CTX_use_PrivateKey(ctx, pkey));
  const checked = SSL_CTX_check_private_key(ctx);
  record('SSL_CTX_check_private_key(ctx)', checked);
  SSL_CTX_free(ctx);

  const m = matchKeyToSpki(certificateSpki(der), pkey.key);
  const match = checked === 1 && m.match;
  return {
    status: match ? 0 : 1, match, reason: m.reason, certificate, key: keyInfo,
    publicKeyEqual: m.publicKeyEqual, signatureVerified: m.signatureVerified, calls,
  };
}

/** The report as text: the CLI's output and the editor's report document. */
export function formatReport(r: CheckKeyReport): string {
  const out: string[] = [];
  if (r.certificate) out.push(`Certificate: ${r.certificate.file} line ${r.certificate.line + 1}: ${r.certificate.subject}`, `  Key: ${r.certificate.description}`, `  SPKI SHA256: ${r.certificate.spkiSha256}`);
  if (r.key) out.push(`Private key: ${r.key.file} line ${r.key.line + 1}: ${r.key.format}`, `  Key: ${r.key.description}`, `  SPKI SHA256: ${r.key.spkiSha256}`);
  for (const c of r.calls) {
    out.push(`${c.call} = ${c.ret}`);
    for (const e of c.errors) out.push(`  ${e}`);
  }
  if (r.status === 2) out.push(`Unreadable: ${r.reason}`);
  else out.push(r.match ? `Result: MATCH: ${r.reason}` : `Result: MISMATCH: ${r.reason}`);
  return out.join('\n') + '\n';
}
