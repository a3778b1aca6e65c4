// Certificate cards: subject, issuer, a validity bar (elapsed share of the lifetime), names, key, fingerprints.
import type { BlockView, FromWebview, ToWebview } from '../shared/protocol';
import type { CertificateInfo } from '../../engine/x509/types';

type Init = Extract<ToWebview, { type: 'certificates/init' }>;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string>, ...children: (Node | string)[]): HTMLElementTagNameMap[K];
function el(tag: string, attrs?: Record<string, string>, ...children: (Node | string)[]): HTMLElement;
function el(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

const STYLE = `
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
.card { border: 1px solid var(--vscode-panel-border); border-radius: 4px; padding: 8px 12px; margin: 10px 0; }
.card h2 { font-size: 1.1em; margin: 4px 0 8px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
dt { color: var(--vscode-descriptionForeground); }
dd { margin: 0; word-break: break-all; font-family: var(--vscode-editor-font-family); font-size: 0.95em; }
.bar { height: 6px; background: var(--vscode-editorWidget-border, #555); border-radius: 3px; margin: 6px 0 10px; position: relative; }
.bar > span { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 3px; background: var(--vscode-charts-green, #3c3); }
.bar.expired > span, .bar.not-yet-valid > span { background: var(--vscode-charts-red, #c33); }
.problem { color: var(--vscode-errorForeground); }
.actions { margin-top: 8px; display: flex; gap: 8px; }
`;

export function renderCertificates(root: HTMLElement, m: Init, post: (msg: FromWebview) => void): void {
  root.replaceChildren(el('style', {}, STYLE), el('h1', {}, m.title), ...m.blocks.map((b) => card(b, new Date(m.now), post)));
}

function card(b: BlockView, now: Date, post: (msg: FromWebview) => void): HTMLElement {
  const c = el('section', { class: 'card', 'aria-label': b.summary, tabindex: '0' });
  c.append(el('h2', {}, `${b.label} · lines ${b.startLine + 1}-${b.endLine + 1}`), el('div', {}, b.summary));
  if (b.object?.kind === 'certificate') c.append(...certificate(b.object.certificate, now));
  if (b.problem) c.append(el('p', { class: 'problem' }, b.problem.message));
  const open = el('vscode-button', { appearance: 'secondary' }, 'Full decode');
  open.addEventListener('click', () => post({ type: 'openDecode', index: b.index }));
  const reveal = el('vscode-button', { appearance: 'secondary' }, 'Show in editor');
  reveal.addEventListener('click', () => post({ type: 'revealBlock', index: b.index }));
  c.append(el('div', { class: 'actions' }, open, reveal));
  return c;
}

function certificate(ci: CertificateInfo, now: Date): Node[] {
  const from = Date.parse(ci.validity.notBefore);
  const to = Date.parse(ci.validity.notAfter);
  const share = Math.min(1, Math.max(0, (now.getTime() - from) / Math.max(1, to - from)));
  const bar = el('div', { class: `bar ${ci.validity.state}`, role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(share * 100)), title: ci.validity.relative });
  const fill = el('span');
  fill.style.width = `${Math.round(share * 100)}%`;
  bar.append(fill);
  const rows: [string, string][] = [
    ['Subject', ci.subject.text], ['Issuer', ci.issuer.text],
    ['Validity', `${ci.validity.notBefore} → ${ci.validity.notAfter} (${ci.validity.relative})`],
    ['Names', ci.subjectAltNames.map((n) => `${n.type}:${n.value}`).join(', ') || '(none)'],
    ['Key', ci.publicKey.description], ['Signature', ci.signatureAlgorithm],
    ['SHA-256', ci.fingerprints.sha256], ['SPKI pin', ci.publicKey.pin],
  ];
  return [bar, el('dl', {}, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]))];
}
