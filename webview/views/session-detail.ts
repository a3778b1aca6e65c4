// The expanded part of a timeline row: decoded fields as a collapsible tree, raw bytes as a hex view, an
// alert's likely causes, an error's place, an API call's error queue. Built only when a row is first expanded.
// Every string here may come from the peer: it goes into the DOM as text nodes only.
import type { AlertGlossary, TraceEventJson } from '../shared/protocol';
import { el } from './dom';
import { t } from '../shared/l10n';
import { buildTree, codePointLabel, handshakeSpans, hexLength, hexRows, lineText, recordSpans, spanAt, spanPlace, type ByteSpan, type EventLine, type TreeNode } from './session-format';

/** Rows of hex shown before a "Show all" button (4 KiB). */
const HEX_ROWS_FIRST = 256;
/** Byte strings up to this length are shown inline in the tree; longer ones get a collapsible hex view. */
const INLINE_BYTES = 32;

export function renderDetail(e: TraceEventJson, line: EventLine, glossary: AlertGlossary): HTMLElement {
  const d = el('div', { class: 'ev-detail' });
  d.append(el('p', { class: 'full' }, lineText(line)));
  const a = e as Record<string, unknown>;
  switch (e.kind) {
    case 'handshake':
      d.append(el('h4', {}, t('Fields')), renderTree(buildTree(a.fields)));
      if (typeof a.raw === 'string') d.append(el('h4', {}, t('Raw bytes ({0}, header included)', hexLength(a.raw))), renderLinkedHex(a.raw, handshakeSpans(e, hexLength(a.raw))));
      break;
    case 'record': {
      const inner = a.inner && typeof a.inner === 'object' ? (a.inner as Record<string, unknown>) : undefined;
      const rows: [string, string][] = [
        [t('Content type'), typeof a.contentType === 'number' ? codePointLabel('contentType', a.contentType) : String(a.contentTypeName ?? '?')],
        [t('Version'), typeof a.version === 'number' ? codePointLabel('version', a.version) : '?'],
        [t('Length'), t('{0} bytes', String(a.length))],
        [t('Epoch'), String(a.epoch ?? '?')],
      ];
      if (a.seq !== undefined) rows.push([t('Sequence'), String(a.seq)]);
      if (inner) {
        rows.push([t('Inner type'), typeof inner.contentType === 'number' ? codePointLabel('contentType', inner.contentType) : String(inner.contentTypeName ?? '?')]);
        rows.push([t('Plaintext'), inner.padding ? t('{0} bytes + {1} bytes padding', String(inner.length), String(inner.padding)) : t('{0} bytes', String(inner.length))]);
      }
      d.append(kv(rows));
      if (typeof a.raw === 'string') d.append(el('h4', {}, inner ? t('Raw record ({0} bytes, header included; payload encrypted)', hexLength(a.raw)) : t('Raw record ({0} bytes, header included)', hexLength(a.raw))), renderLinkedHex(a.raw, recordSpans(hexLength(a.raw), !!inner)));
      break;
    }
    case 'alert': {
      const name = String(a.name ?? '');
      const g = glossary[name];
      const rows: [string, string][] = [[t('Level'), String(a.level ?? '?')], [t('Code'), `${String(a.code)} (${name})`]];
      const server = e.side === 'server';
      rows.push([t('Direction'), a.dir === 'in' ? (server ? t('received by the server') : t('received by the client')) : server ? t('sent by the server') : t('sent by the client')]);
      d.append(kv(rows));
      if (g?.description && !lineText(line).includes(g.description)) d.append(el('p', {}, g.description));
      d.append(...causes(g?.causes));
      break;
    }
    case 'error': {
      const place = a.place && typeof a.place === 'object' ? (a.place as Record<string, unknown>) : undefined;
      const rows: [string, string][] = [];
      if (a.alert) rows.push([t('Alert'), String(a.alert)]);
      if (place?.field !== undefined) rows.push([t('Field'), String(place.field)]);
      if (place?.offset !== undefined) rows.push([t('Offset'), String(place.offset)]);
      if (place?.message !== undefined) rows.push([t('In message'), String(place.message)]);
      if (rows.length) d.append(kv(rows));
      if (a.alert) d.append(...causes(glossary[String(a.alert)]?.causes));
      break;
    }
    case 'api': {
      const err = a.error && typeof a.error === 'object' ? (a.error as Record<string, unknown>) : undefined;
      const rows: [string, string][] = [[t('Call'), String(a.call)], [t('Returned'), String(a.ret)]];
      if (err) rows.push(['SSL_get_error', `${String(err.name)} (${String(err.code)})`], [t('Meaning'), t(String(err.meaning ?? ''))]);
      d.append(kv(rows));
      const queue = Array.isArray(a.queue) ? a.queue : [];
      if (queue.length) d.append(el('h4', {}, t('Error queue')), el('ul', { class: 'mono' }, ...queue.map((q) => el('li', {}, String(q)))));
      break;
    }
    case 'ech': {
      // Encrypted Client Hello: the ClientHelloInner, which never crosses the wire in the clear, decoded as a sent hello is.
      const inner = a.inner && typeof a.inner === 'object' ? (a.inner as Record<string, unknown>) : undefined;
      const { kind: _k, t: _t, side: _s, inner: _i, message: _m, ...rest } = a;
      if (Object.keys(rest).length) d.append(renderTree(buildTree(rest)));
      if (inner) {
        d.append(el('h4', {}, 'ClientHelloInner'), renderTree(buildTree(inner.fields)));
        if (typeof inner.raw === 'string') d.append(el('h4', {}, t('Raw bytes ({0}, header included)', hexLength(inner.raw))), renderLinkedHex(inner.raw, handshakeSpans(inner as unknown as TraceEventJson, hexLength(inner.raw))));
      }
      break;
    }
    default: {
      const { kind: _k, t: _t, side: _s, ...rest } = a;
      if (Object.keys(rest).length) d.append(renderTree(buildTree(rest)));
    }
  }
  return d;
}

function kv(rows: [string, string][]): HTMLElement {
  return el('dl', { class: 'kv' }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

function causes(list: readonly string[] | undefined): Node[] {
  if (!list?.length) return [];
  return [el('h4', {}, t('Likely causes')), el('ul', {}, ...list.map((c) => el('li', {}, c)))];
}

// ---- tree ----

export function renderTree(root: TreeNode): HTMLElement {
  const wrap = el('div', { class: 'tree' });
  if (root.children) for (const c of root.children) wrap.append(renderNode(c, 0));
  else wrap.append(renderNode(root, 0));
  return wrap;
}

/** Whether a container starts open: the top levels, and small lists, unless its one-line preview says it all. */
function startsOpen(n: TreeNode, depth: number): boolean {
  const count = n.children?.length ?? 0;
  if (depth === 0) return true;
  if (n.kind === 'object' && !/^\d+ fields?$/.test(n.text)) return false;
  return depth <= 2 && count <= 16;
}

function renderNode(n: TreeNode, depth: number): HTMLElement {
  if (n.children) {
    const d = el('details', { class: `tn tn-${n.kind}` });
    d.append(el('summary', {}, el('span', { class: 'tk' }, n.key), el('span', { class: 'tp' }, n.text)));
    const fill = () => {
      for (const c of n.children!) d.append(renderNode(c, depth + 1));
    };
    if (startsOpen(n, depth)) {
      d.open = true;
      fill();
    } else {
      d.addEventListener('toggle', fill, { once: true });
    }
    return d;
  }
  if (n.kind === 'bytes' && n.hex !== undefined && n.hex.length / 2 > INLINE_BYTES) {
    const d = el('details', { class: 'tn tn-bytes' });
    d.append(el('summary', {}, el('span', { class: 'tk' }, n.key), el('span', { class: 'tv-bytes' }, n.text, el('span', { class: 'hexinline' }, `${n.hex.slice(0, 16)}…`))));
    d.addEventListener('toggle', () => d.append(renderHex(n.hex!)), { once: true });
    return d;
  }
  const v = el('span', { class: `tv-${n.kind}` });
  if (n.kind === 'code') {
    const sp = n.text.indexOf(' ');
    v.append(el('span', { class: 'cp' }, sp > 0 ? n.text.slice(0, sp) : n.text), sp > 0 ? n.text.slice(sp) : '');
  } else if (n.kind === 'bytes') {
    v.append(n.text);
    if (n.hex) v.append(el('span', { class: 'hexinline' }, n.hex));
  } else {
    v.append(n.text);
  }
  return el('div', { class: 'leaf' }, el('span', { class: 'tk' }, n.key), v);
}

// ---- hex view ----

export function renderHex(hex: string, firstRows = HEX_ROWS_FIRST): HTMLElement {
  const total = hexLength(hex);
  const box = el('div', { class: 'hexview', role: 'group', 'aria-label': t('{0} bytes in hex', total) });
  const body = el('div');
  box.append(body);
  appendRows(body, hex, firstRows, 0);
  const shown = firstRows * 16;
  if (total > shown) {
    const more = el('vscode-button', { appearance: 'secondary', class: 'more' }, t('Show all {0} bytes', total));
    more.addEventListener('click', () => {
      appendRows(body, hex, Infinity, shown);
      more.remove();
    });
    box.append(more);
  }
  if (total === 0) body.append(el('div', { class: 'muted' }, t('(empty)')));
  return box;
}

function appendRows(body: HTMLElement, hex: string, max: number, from: number): void {
  const frag = document.createDocumentFragment();
  for (const r of hexRows(hex, max, from)) frag.append(el('div', { class: 'hx' }, el('span', { class: 'o' }, r.offset), el('span', { class: 'b' }, r.hex), el('span', { class: 'a' }, r.ascii)));
  body.append(frag);
}

// ---- hex view linked to fields ----

/**
 * A hex view whose bytes know their field: pointing at a byte lights up the whole field and names it; the
 * field list beside it (keyboard focusable) lights up its bytes. Without spans, the plain hex view.
 */
export function renderLinkedHex(hex: string, spans: ByteSpan[], firstRows = HEX_ROWS_FIRST): HTMLElement {
  if (!spans.length) return renderHex(hex, firstRows);
  const total = hexLength(hex);
  const wrap = el('div', { class: 'linked-hex' });
  const box = el('div', { class: 'hexview', role: 'group', 'aria-label': t('{0} bytes in hex; point at a byte to see its field', total) });
  const status = el('div', { class: 'hexfield', 'aria-live': 'polite' }, t('Point at a byte or a field to see which is which.'));
  const cells: HTMLElement[][] = [];
  let lit: ByteSpan | undefined;
  const light = (s: ByteSpan | undefined) => {
    if (lit) for (let i = lit.start; i < lit.end; i++) for (const c of cells[i] ?? []) c.classList.remove('hl');
    lit = s;
    if (!s) return;
    for (let i = s.start; i < s.end; i++) for (const c of cells[i] ?? []) c.classList.add('hl');
    status.textContent = `${s.label}  ${spanPlace(s)}`;
  };
  const rows = hexRows(hex, Math.min(firstRows, Math.ceil(total / 16)));
  const frag = document.createDocumentFragment();
  rows.forEach((r, ri) => {
    const bytesEl = el('span', { class: 'b' });
    const asciiEl = el('span', { class: 'a' });
    const hexBytes = r.hex.trim().split(/\s+/).filter(Boolean);
    hexBytes.forEach((b, k) => {
      const i = ri * 16 + k;
      const hb = el('span', { class: 'by', 'data-i': String(i) }, b);
      const ab = el('span', { class: 'by', 'data-i': String(i) }, r.ascii[k] ?? '');
      (cells[i] ??= []).push(hb, ab);
      bytesEl.append(k === 0 ? '' : k === 8 ? '  ' : ' ', hb);
      asciiEl.append(ab);
    });
    bytesEl.append(' '.repeat(Math.max(0, 48 - (hexBytes.length * 3 - 1 + (hexBytes.length > 8 ? 1 : 0)))));
    frag.append(el('div', { class: 'hx' }, el('span', { class: 'o' }, r.offset), bytesEl, asciiEl));
  });
  box.append(frag);
  box.addEventListener('mouseover', (ev) => {
    const i = Number((ev.target as HTMLElement).dataset?.i);
    if (Number.isInteger(i)) light(spanAt(spans, i));
  });
  if (total > firstRows * 16) box.append(el('div', { class: 'muted' }, t('(first {0} of {1} bytes)', firstRows * 16, total)));
  const list = el('ul', { class: 'fieldlist', 'aria-label': t('Fields and their bytes') });
  for (const s of spans) {
    const li = el('li', { tabindex: '0' }, el('span', { class: 'fl' }, s.label), el('span', { class: 'fp' }, spanPlace(s)));
    li.addEventListener('mouseenter', () => light(s));
    li.addEventListener('focus', () => light(s));
    list.append(li);
  }
  wrap.append(box, status, el('details', { class: 'fields-bytes' }, el('summary', {}, t('Fields by byte range ({0})', spans.length)), list));
  return wrap;
}
