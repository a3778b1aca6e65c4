// Certificate cards: subject, issuer, a validity bar (elapsed share of the lifetime), names, key, fingerprints.
import type { BlockView, FromWebview, ToWebview } from '../shared/protocol';
import { CERTIFICATE_CARD_STYLE, certificateDetails } from './certificate-card';
import { el } from './dom';
import { t, ts } from '../shared/l10n';

type Init = Extract<ToWebview, { type: 'certificates/init' }>;

const STYLE = `
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
${CERTIFICATE_CARD_STYLE}`;

export function renderCertificates(root: HTMLElement, m: Init, post: (msg: FromWebview) => void): void {
  root.replaceChildren(el('style', {}, STYLE), el('h1', {}, m.title), ...m.blocks.map((b) => card(b, new Date(m.now), post)));
}

function card(b: BlockView, now: Date, post: (msg: FromWebview) => void): HTMLElement {
  const c = el('section', { class: 'card', 'aria-label': b.summary, tabindex: '0' });
  c.append(el('h2', {}, t('{0} · lines {1}-{2}', b.label, b.startLine + 1, b.endLine + 1)), el('div', {}, b.summary));
  if (b.object?.kind === 'certificate') c.append(...certificateDetails(b.object.certificate, now));
  if (b.problem) c.append(el('p', { class: 'problem' }, ts(b.problem.message)));
  const open = el('vscode-button', { appearance: 'secondary' }, t('Full decode'));
  open.addEventListener('click', () => post({ type: 'openDecode', index: b.index }));
  const reveal = el('vscode-button', { appearance: 'secondary' }, t('Show in editor'));
  reveal.addEventListener('click', () => post({ type: 'revealBlock', index: b.index }));
  c.append(el('div', { class: 'actions' }, open, reveal));
  return c;
}
