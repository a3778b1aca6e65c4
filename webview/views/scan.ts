// The Scan Server panel: a report of engine/scan (versions, suites in the server's order, groups, signature
// schemes, chains, ALPN, features) with the weaknesses first, each explained. What the server sent goes in as
// text nodes only (dom.ts).
import type { FromWebview, ToWebview } from '../shared/protocol';
import type { FactStatus, ScanReport, Severity } from '../../engine/scan/types';
import { el } from './dom';
import { t, ts } from '../shared/l10n';
import { localizeRelative } from '../shared/relative-time';

const STYLE = `
body.tls-scan { padding: 8px 16px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); }
.scan h1 { font-size: 1.2em; margin: 4px 0 4px; }
.scan h2 { font-size: 1.05em; margin: 16px 0 6px; }
.scan table { border-collapse: collapse; width: 100%; margin-bottom: 8px; }
.scan th, .scan td { text-align: left; vertical-align: top; padding: 2px 8px; border-bottom: 1px solid var(--vscode-panel-border, #8883); overflow-wrap: anywhere; }
.scan .muted { color: var(--vscode-descriptionForeground); }
.scan .mono { font-family: var(--vscode-editor-font-family, monospace); }
.scan .yes { color: var(--vscode-testing-iconPassed, #3a3); }
.scan .no { color: var(--vscode-descriptionForeground); }
.scan .weak { color: var(--vscode-errorForeground); }
.scan .sev-high { border-left: 3px solid var(--vscode-errorForeground, #e44); }
.scan .sev-medium { border-left: 3px solid var(--vscode-editorWarning-foreground, #ca0); }
.scan .sev-low { border-left: 3px solid var(--vscode-editorInfo-foreground, #39f); }
.scan .weakness { padding: 4px 8px; margin: 6px 0; }
.scan .weakness p { margin: 2px 0; }
.scan .buttons { display: flex; gap: 8px; margin: 8px 0; }
`;

function statusWord(s: FactStatus): string {
  switch (s) {
    case 'yes': return t('yes');
    case 'no': return t('no');
    case 'not-tested': return t('not tested');
    case 'not-applicable': return t('not applicable');
  }
}

function severityWord(s: Severity): string {
  return s === 'high' ? t('high') : s === 'medium' ? t('medium') : t('low');
}

function table(label: string, head: string[], rows: (string | Node)[][]): HTMLTableElement {
  return el('table', { 'aria-label': label }, el('tr', {}, ...head.map((h) => el('th', {}, h))), ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c)))));
}

export function renderScan(root: HTMLElement, m: Extract<ToWebview, { type: 'scan/init' }>, post: (msg: FromWebview) => void): void {
  document.body.classList.add('tls-scan');
  const r: ScanReport = m.report;
  const wrap = el('div', { class: 'scan' });
  const copy = el('vscode-button', { appearance: 'secondary' }, t('Copy JSON'));
  copy.addEventListener('click', () => post({ type: 'scan/copyJson' }));
  const again = el('vscode-button', { appearance: 'secondary' }, t('Scan Again'));
  again.addEventListener('click', () => post({ type: 'scan/rescan' }));
  wrap.append(
    el('h1', {}, m.title),
    el('p', { class: 'muted', role: 'status' }, t('{0} probes in {1} s, started {2}', r.probes, (r.durationMs / 1000).toFixed(1), r.startedAt)),
    el('div', { class: 'buttons' }, copy, again),
  );

  wrap.append(el('h2', {}, r.weaknesses.length ? t('Weaknesses ({0})', r.weaknesses.length) : t('Weaknesses: none found')));
  for (const w of r.weaknesses) {
    wrap.append(el('div', { class: `weakness sev-${w.severity}`, role: 'note' }, el('p', {}, el('strong', {}, ts(w.title)), ` (${severityWord(w.severity)})`), el('p', {}, ts(w.explanation))));
  }

  wrap.append(el('h2', {}, t('Protocol versions')), table(t('Protocol versions'), [t('Version'), t('Accepted'), t('Detail')],
    r.versions.map((v) => [v.name, el('span', { class: v.status }, statusWord(v.status)), ts(v.detail)])));

  wrap.append(el('h2', {}, t('Cipher suites')));
  if (!r.suites.length) wrap.append(el('p', { class: 'muted' }, t('No suite accepted.')));
  for (const s of r.suites) {
    const order = s.serverPreference === true ? t('in the server\'s order of preference') : s.serverPreference === false ? t('the server follows the client\'s order') : t('order not determinable (fewer than two suites)');
    wrap.append(el('p', {}, el('strong', {}, s.version), ` — ${order}`),
      table(t('Cipher suites of {0}', s.version), [t('OpenSSL name'), t('IANA name'), t('Key exchange'), t('Weakness')],
        s.accepted.map((a) => [el('span', { class: 'mono' }, a.openssl), el('span', { class: 'mono' }, a.iana), a.kx, a.weak ? el('span', { class: 'weak' }, ts(a.weak)) : ''])));
  }

  wrap.append(el('h2', {}, t('Groups')), table(t('Groups'), [t('Where'), t('Accepted')], [
    ['TLS 1.3', r.groups.tls13.join(', ') || t('(none)')],
    [t('ECDHE, TLS 1.2 and older'), r.groups.ecdhe.join(', ') || t('(none)')],
    ...(r.groups.dheBits !== undefined ? [[t('DHE prime'), t('{0} bits', r.groups.dheBits)]] : []),
  ]));
  if (r.signatureAlgorithms.length) {
    wrap.append(el('h2', {}, t('Signature algorithms the server signs with')), table(t('Signature algorithms'), [t('Version'), t('Accepted')],
      r.signatureAlgorithms.map((s) => [s.version, s.accepted.join(', ') || t('(none)')])));
  }

  for (const c of r.chains) {
    const verdict = c.verify.ok ? t('verifies') : t('does not verify: {0} (X509_V_ERR {1}, depth {2})', c.verify.text, c.verify.code, c.verify.errorDepth);
    wrap.append(el('h2', {}, t('Certificate chain for {0} ({1}): {2}', c.keyType, c.version, verdict)),
      table(t('Certificate chain'), [t('Depth'), t('Subject'), t('Issuer'), t('Key'), t('Signature'), t('Not after')],
        c.certificates.map((x, i) => [String(i), x.subject, x.issuer, `${x.keyType}${x.curve ? ` ${x.curve}` : ''} ${x.keyBits}`, x.signatureAlgorithm, `${x.notAfter} (${localizeRelative(x.validity, t)})`])));
  }

  wrap.append(el('h2', {}, 'ALPN'), table('ALPN', [t('Offered alone'), t('Selected')], r.alpn.map((a) => [a.offered, a.selected ? t('yes') : t('no')])));
  wrap.append(el('h2', {}, t('Features')), table(t('Features'), [t('Feature'), t('Status'), t('Detail')],
    r.features.map((f) => [ts(f.name), el('span', { class: f.status }, statusWord(f.status)), ts(f.detail)])));
  wrap.append(el('h2', {}, t('Not tested')), el('ul', {}, ...r.notTested.map((n) => el('li', {}, ts(n)))));
  root.replaceChildren(el('style', {}, STYLE), wrap);
}
