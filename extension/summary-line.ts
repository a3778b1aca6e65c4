// The one-line summary of a decoded PEM block (CodeLens titles, the certificate panel's list), in the display
// language: vscode-free, so it reads the extension's t() rather than vscode.l10n.t.
import { commonName } from '../engine/x509/name';
import type { DecodedItem } from '../engine/x509/file';
import { certificateTitle } from '../engine/x509/summary';
import { localizeRelative } from '../webview/shared/relative-time';
import { engineSentence, t } from './l10n';

export function oneLine(item: DecodedItem): string {
  if (item.problem && !item.object) return `${item.label}: ${engineSentence(item.problem.message)}`;
  const o = item.object;
  if (!o) return item.label;
  switch (o.kind) {
    case 'certificate': {
      const c = o.certificate;
      const relative = localizeRelative(c.validity.relative, t);
      const state = c.validity.state === 'valid' ? relative : c.validity.state === 'expired' ? t('EXPIRED ({0})', relative) : t('NOT YET VALID ({0})', relative);
      const role = c.isCA ? (c.selfIssued ? t('root CA') : t('CA')) : c.selfIssued ? t('self-signed') : t('leaf');
      return t('Certificate {0} · {1} · {2} · {3}', certificateTitle(c), role, c.publicKey.description, state);
    }
    case 'csr': return t('Certificate request {0} · {1}', commonName(o.csr.subject) ?? o.csr.subject.text, o.csr.publicKey.description);
    case 'crl': return t('CRL from {0} · {1} revoked', commonName(o.crl.issuer) ?? o.crl.issuer.text, o.crl.revoked.length);
    case 'public-key': return t('Public key · {0}', o.publicKey.description);
    case 'private-key': {
      const k = o.privateKey;
      const key = k.publicKey?.description ?? t('type unknown until unlocked');
      if (k.locked) return t('Private key · {0} · {1} · encrypted (locked)', key, k.format);
      return k.encryption ? t('Private key · {0} · {1} · encrypted', key, k.format) : t('Private key · {0} · {1}', key, k.format);
    }
    case 'pkcs7': return t('PKCS#7 bundle · {0} certificate(s)', o.certificates.length);
    case 'pkcs12': {
      const p = o.pkcs12;
      const opened = p.locked ? t('{0} container(s)', p.contents.length) : t('{0} certificate(s), {1} key(s)', p.certificateCount, p.keyCount);
      return p.locked === 'needs-passphrase' ? t('PKCS#12 · {0} · password needed', opened) : p.locked === 'wrong-passphrase' ? t('PKCS#12 · {0} · wrong password', opened) : t('PKCS#12 · {0}', opened);
    }
    case 'parameters': return o.description;
  }
}
