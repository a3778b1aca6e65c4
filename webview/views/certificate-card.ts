// The certificate card body both panels show: a validity bar (elapsed share of the lifetime, marked when the
// certificate is expired or not yet valid), then subject, issuer, validity, names, key, signature, fingerprints.
import type { CertificateInfo } from '../../engine/x509/types';
import { definitionList, el } from './dom';
import { t } from '../shared/l10n';
import { localizeRelative } from '../shared/relative-time';

export const CERTIFICATE_CARD_STYLE = `
.card { border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, #8884)); border-radius: 4px; padding: 8px 12px; margin: 10px 0; }
.card h2, .card h3 { font-size: 1.1em; margin: 4px 0 8px; }
.card dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
.card dt { color: var(--vscode-descriptionForeground); }
.card dd { margin: 0; word-break: break-all; font-family: var(--vscode-editor-font-family); font-size: 0.95em; }
.bar { height: 6px; background: var(--vscode-editorWidget-border, #555); border-radius: 3px; margin: 6px 0 10px; position: relative; }
.bar > span { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 3px; background: var(--vscode-charts-green, #3c3); }
.bar.expired > span, .bar.not-yet-valid > span { background: var(--vscode-charts-red, #c33); }
.validity-flag { display: inline-block; margin: 2px 0 0; padding: 0 6px; border-radius: 3px; font-size: 0.85em; font-weight: 600;
  color: var(--vscode-errorForeground); border: 1px solid var(--vscode-errorForeground); }
.problem { color: var(--vscode-errorForeground); }
.actions { margin-top: 8px; display: flex; gap: 8px; flex-wrap: wrap; }
`;

const FLAG: Record<string, string> = { expired: 'Expired', 'not-yet-valid': 'Not yet valid' };

/** Validity bar, an expired / not-yet-valid mark, and the fields as a definition list; `extra` rows (e.g. revocation URLs) end it. */
export function certificateDetails(ci: CertificateInfo, now: Date, extra: [string, string][] = []): Node[] {
  const from = Date.parse(ci.validity.notBefore);
  const to = Date.parse(ci.validity.notAfter);
  const share = Math.min(1, Math.max(0, (now.getTime() - from) / Math.max(1, to - from)));
  const pct = String(Math.round(share * 100));
  const relative = localizeRelative(ci.validity.relative, t);
  const bar = el('div', { class: `bar ${ci.validity.state}`, role: 'meter', 'aria-label': t('Elapsed share of the validity period'), 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': pct, title: relative });
  const fill = el('span');
  fill.style.width = `${pct}%`;
  bar.append(fill);
  const out: Node[] = [];
  const flag = FLAG[ci.validity.state];
  if (flag) out.push(el('div', { class: 'validity-flag' }, `${t(flag)}${t(': ')}${relative}`));
  const rows: [string, string][] = [
    [t('Subject'), ci.subject.text], [t('Issuer'), ci.issuer.text],
    [t('Validity'), `${ci.validity.notBefore} → ${ci.validity.notAfter} (${relative})`],
    [t('Names'), ci.subjectAltNames.map((n) => `${n.type}:${n.value}`).join(', ') || t('(none)')],
    [t('Key'), ci.publicKey.description], [t('Signature'), ci.signatureAlgorithm],
    ['SHA-256', ci.fingerprints.sha256], [t('SPKI pin'), ci.publicKey.pin],
    ...extra,
  ];
  out.push(bar, definitionList(rows));
  return out;
}
