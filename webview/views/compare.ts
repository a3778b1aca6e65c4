// The comparison panel: two sessions side by side (webview/views/compare-model.ts), differences marked in the
// editor's diff colours, with a toggle to show only what differs. Peer strings go in as text nodes only.
import type { ToWebview } from '../shared/protocol';
import { compareSessions } from './compare-model';
import { el } from './dom';
import { t } from '../shared/l10n';

const STYLE = `
body.tls-compare { padding: 8px 16px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); }
.cmp h1 { font-size: 1.2em; margin: 4px 0 8px; }
.cmp table { border-collapse: collapse; width: 100%; table-layout: fixed; margin-bottom: 16px; }
.cmp th, .cmp td { text-align: left; vertical-align: top; padding: 2px 8px; border-bottom: 1px solid var(--vscode-panel-border, #8883); overflow-wrap: anywhere; }
.cmp th { font-weight: 600; }
.cmp td.k { width: 18%; color: var(--vscode-descriptionForeground); }
.cmp .msgs td { font-family: var(--vscode-editor-font-family, monospace); font-size: 0.92em; }
.cmp tr.diff td.l { background: var(--vscode-diffEditor-removedTextBackground, rgba(255, 0, 0, 0.15)); }
.cmp tr.diff td.r { background: var(--vscode-diffEditor-insertedTextBackground, rgba(0, 255, 0, 0.12)); }
.cmp.only-diff tr.same { display: none; }
.cmp .muted { color: var(--vscode-descriptionForeground); }
.cmp label { display: inline-flex; gap: 4px; align-items: center; margin-bottom: 8px; }
.cmp tr.first td { outline: 2px solid var(--vscode-focusBorder, #07f); outline-offset: -2px; font-weight: 600; }
`;

export function renderCompare(root: HTMLElement, m: Extract<ToWebview, { type: 'compare/init' }>): void {
  document.body.classList.add('tls-compare');
  const c = compareSessions(m.left, m.right);
  const wrap = el('div', { class: 'cmp' });
  const onlyDiff = el('input', { type: 'checkbox' });
  onlyDiff.addEventListener('change', () => wrap.classList.toggle('only-diff', onlyDiff.checked));
  const head = (a: string, b: string) => el('tr', {}, el('th', {}, ''), el('th', {}, a), el('th', {}, b));
  const table = el('table', { 'aria-label': t('Session summaries side by side') }, head(m.left.title, m.right.title));
  const firstClass = (section: 'rows' | 'messages', i: number) => (c.first?.section === section && c.first.index === i ? ' first' : '');
  for (const [i, r] of c.rows.entries()) {
    table.append(el('tr', { class: (r.same ? 'same' : 'diff') + firstClass('rows', i) }, el('td', { class: 'k' }, labelText(r.label)), el('td', { class: 'l' }, valueText(r.label, r.left)), el('td', { class: 'r' }, valueText(r.label, r.right))));
  }
  const msgs = el('table', { class: 'msgs', 'aria-label': t('Handshake messages aligned') }, el('tr', {}, el('th', {}, m.left.title), el('th', {}, m.right.title)));
  for (const [i, p] of c.messages.entries()) {
    msgs.append(el('tr', { class: (p.same ? 'same' : 'diff') + firstClass('messages', i) }, el('td', { class: 'l' }, p.left ?? '—'), el('td', { class: 'r' }, p.right ?? '—')));
  }
  wrap.append(
    el('h1', {}, t('{0}  vs  {1}', m.left.title, m.right.title)),
    el('p', { class: 'muted', role: 'status' }, c.differences ? (c.differences === 1 ? t('1 difference') : t('{0} differences', c.differences)) : t('No differences in what was negotiated or sent.')),
    ...(c.first ? [el('p', { role: 'note' }, t('First difference: {0}', c.first.section === 'rows' ? labelText(c.rows[c.first.index]!.label) : t('Handshake messages and alerts')))] : []),
    el('label', {}, onlyDiff, t('Only differences')),
    el('h2', {}, t('Summary')), table,
    el('h2', {}, t('Handshake messages and alerts')), msgs,
  );
  root.replaceChildren(el('style', {}, STYLE), wrap);
  wrap.querySelector<HTMLElement>('tr.first')?.scrollIntoView?.({ block: 'center' });
}

/** A row label of the model (English, as its tests read it) in the display language. */
function labelText(label: string): string {
  const cert = /^Certificate (\d+)$/.exec(label);
  if (cert) return t('Certificate {0}', cert[1]!);
  const pathLink = /^Path (\d+)$/.exec(label);
  if (pathLink) return t('Path {0}', pathLink[1]!);
  const option = /^Option: (.*)$/.exec(label);
  if (option) return t('Option: {0}', option[1]!);
  return t(label);
}

/** The model's own words in a few rows (outcome, yes/no); every other value is data and shows as it is. */
function valueText(label: string, v: string): string {
  if (label === 'Outcome') {
    if (v === 'running' || v === 'handshake completed') return t(v);
    const failed = /^failed: ([\s\S]*)$/.exec(v);
    if (failed) return t('failed: {0}', failed[1]!);
  }
  if ((label === 'HelloRetryRequest' || label === 'Resumed') && (v === 'yes' || v === 'no')) return t(v);
  if (label === 'Verification') {
    const words: Record<string, string> = { ok: t('verified'), failed: t('failed'), 'not-performed': t('not performed') };
    return v.replace(/^(ok|failed|not-performed)\b/, (w) => words[w] ?? w);
  }
  return v;
}
