// DOM building for the webviews: nodes made with createElement and text set with textContent (via append of
// strings, which become text nodes), never innerHTML, so peer-controlled strings can never become markup.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string>, ...children: (Node | string)[]): HTMLElementTagNameMap[K];
export function el(tag: string, attrs?: Record<string, string>, ...children: (Node | string)[]): HTMLElement;
export function el(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

/** A `<dl>` of label/value rows; values are text (or nodes the caller built the same way). */
export function definitionList(rows: [string, string | Node][], attrs: Record<string, string> = {}): HTMLDListElement {
  return el('dl', attrs, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}
