// One-line and few-line summaries of decoded objects, for CodeLens, hovers and pickers.
import { commonName } from './name';
import type { DecodedItem } from './file';
import type { CertificateInfo } from './types';

export function certificateTitle(c: CertificateInfo): string {
  return commonName(c.subject) ?? (c.subjectAltNames[0]?.value ?? c.subject.text) ?? '(empty subject)';
}

export function oneLine(item: DecodedItem): string {
  if (item.problem && !item.object) return `${item.label}: ${item.problem.message}`;
  const o = item.object;
  if (!o) return item.label;
  switch (o.kind) {
    case 'certificate': {
      const c = o.certificate;
      const state = c.validity.state === 'valid' ? c.validity.relative : c.validity.state === 'expired' ? `EXPIRED ${c.validity.relative.replace(/^expired /, '')}` : `NOT YET VALID (${c.validity.relative})`;
      const role = c.isCA ? (c.selfIssued ? 'root CA' : 'CA') : c.selfIssued ? 'self-signed' : 'leaf';
      return `Certificate ${certificateTitle(c)} · ${role} · ${c.publicKey.description} · ${state}`;
    }
    case 'csr': return `Certificate request ${commonName(o.csr.subject) ?? o.csr.subject.text} · ${o.csr.publicKey.description}`;
    case 'crl': return `CRL from ${commonName(o.crl.issuer) ?? o.crl.issuer.text} · ${o.crl.revoked.length} revoked`;
    case 'public-key': return `Public key · ${o.publicKey.description}`;
    case 'private-key': {
      const k = o.privateKey;
      const lock = k.locked ? ' · encrypted (locked)' : k.encryption ? ' · encrypted' : '';
      return `Private key · ${k.publicKey?.description ?? 'type unknown until unlocked'} · ${k.format}${lock}`;
    }
    case 'pkcs7': return `PKCS#7 bundle · ${o.certificates.length} certificate(s)`;
    case 'pkcs12': {
      const p = o.pkcs12;
      const lock = p.locked === 'needs-passphrase' ? ' · password needed' : p.locked === 'wrong-passphrase' ? ' · wrong password' : '';
      const opened = p.locked ? `${p.contents.length} container(s)` : `${p.certificateCount} certificate(s), ${p.keyCount} key(s)`;
      return `PKCS#12 · ${opened}${lock}`;
    }
    case 'parameters': return o.description;
  }
}
