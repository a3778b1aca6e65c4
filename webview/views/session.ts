// The session panel: a header (target, settings, state, actions), a filter bar, the live timeline of trace
// events (one row per event, appended batch by batch, expandable, keyboard navigable), a summary side (or top
// section at narrow widths) with the error explanation and the peer's chain, and a send box while open.
// The words come from session-format.ts (pure, unit-tested); this file only builds and updates DOM nodes.
// Everything shown from events, summaries and certificates is peer-controlled: text nodes only, no innerHTML.
import { PROTOCOL_VERSION, type AlertGlossary, type FromWebview, type SessionSummary, type ToWebview, type TraceEventJson } from '../shared/protocol';
import { parseHexInput } from '../shared/hex-input';
import { certificateDetails } from './certificate-card';
import { el } from './dom';
import { t, ts } from '../shared/l10n';
import { renderDetail } from './session-detail';
import { analysisSections } from './session-analysis';
import {
  CATEGORIES,
  compileFilter,
  describeEvent,
  formatBytes,
  formatMs,
  formatTime,
  lineText,
  pointerRows,
  revocationSection,
  sanitizeFilter,
  type Category,
  type EventLine,
  type FilterState,
} from './session-format';
import { SESSION_STYLE } from './session-style';

type Init = Extract<ToWebview, { type: 'session/init' }>;
export type SessionState = Extract<ToWebview, { type: 'session/state' }>['state'];
type Post = (m: FromWebview) => void;

/** Where the filter survives the panel being hidden and restored (the webview's getState/setState). */
export interface FilterStore {
  load(): unknown;
  save(f: FilterState): void;
}

interface Row {
  ev: TraceEventJson;
  line: EventLine;
  category: Category;
  search: string;
  item: HTMLElement;
  head: HTMLElement;
  visible: boolean;
  detail?: HTMLElement;
}

/** Events rendered per task; bigger backlogs (a restored panel with thousands of events) yield in between. */
const CHUNK = 600;
/** English here; shown through t() (the strings table arrives before the view is made). */
const STATE_WORDS: Record<SessionState, string> = {
  connecting: 'Connecting', handshaking: 'Handshaking', open: 'Open', closed: 'Closed', failed: 'Failed', listening: 'Listening',
};
/** A state as a badge says it, and as a sentence says it ("Session closed"). */
const stateWord = (s: SessionState) => t(STATE_WORDS[s]);
const STATE_SENTENCES: Record<SessionState, string> = {
  connecting: 'Session connecting', handshaking: 'Session handshaking', open: 'Session open', closed: 'Session closed', failed: 'Session failed', listening: 'Session listening',
};

export class SessionView {
  readonly id: string;
  private readonly glossary: AlertGlossary;
  private readonly rows: Row[] = [];
  private readonly queue: TraceEventJson[] = [];
  private draining = false;
  private filter: FilterState;
  private test: (r: { category: Category; search: string }) => boolean;
  private current = -1;
  private following = true;
  private scrollPending = false;
  private unseen = 0;
  private shown = 0;
  private readonly counts = Object.fromEntries(CATEGORIES.map((c) => [c.id, 0])) as Record<Category, number>;
  private state: SessionState;
  private summary?: SessionSummary;
  private textTimer?: ReturnType<typeof setTimeout>;

  // DOM
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly aside: HTMLElement;
  private readonly summaryBody: HTMLElement;
  private readonly asideToggle: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly live: HTMLElement;
  private readonly countEl: HTMLElement;
  private readonly chips = new Map<Category, { button: HTMLButtonElement; n: HTMLElement }>();
  private readonly search: HTMLInputElement;
  private readonly jump: HTMLElement;
  private readonly sendbox: HTMLElement;
  private readonly closeButton: HTMLElement;

  constructor(root: HTMLElement, init: Init, private readonly post: Post, private readonly store?: FilterStore) {
    this.id = init.sessionId;
    this.glossary = init.glossary ?? {};
    this.state = init.target.mode === 'serve' ? 'listening' : 'connecting';
    this.filter = sanitizeFilter(store?.load());
    this.test = compileFilter(this.filter);
    document.body.classList.add('tls-session');
    root.setAttribute('aria-live', 'off'); // rows must not be read out one by one; state changes go to `live`

    // header
    this.badge = el('span', { class: 'badge', role: 'status' });
    this.closeButton = this.button(t('Close'), 'session/close', 'secondary');
    const actions = el('div', { class: 'h-actions' },
      this.button(t('Reconnect'), 'session/reconnect', 'primary'), this.button(t('New Connection'), 'session/new', 'secondary'),
      this.closeButton, this.button(t('Compare…'), 'session/compare', 'secondary'), this.button(t('What if…'), 'session/whatIf', 'secondary'),
      this.button(t('Show Key Schedule…'), 'session/keySchedule', 'secondary'), this.button(t('Copy JSON'), 'session/copyJson', 'secondary'));
    const tg = init.target;
    const target = el('div', { class: 'target' },
      el('span', { class: 'pill' }, tg.protocol), el('span', { class: 'pill' }, tg.mode === 'serve' ? t('serve') : t('connect')),
      el('span', { class: 'addr' }, tg.mode === 'serve' ? t('listening on {0}', formatHostPort(tg.host, tg.port)) : formatHostPort(tg.host, tg.port)));
    const settings = tg.settings?.length
      ? el('ul', { class: 'settings', 'aria-label': t('Settings') }, ...tg.settings.map((s) => el('li', {}, el('span', { class: 'k' }, `${s.label}${t(': ').trim()}`), el('span', { class: 'v' }, s.value))))
      : el('p', { class: 'settings muted' }, t('Default settings'));
    // Taking the session elsewhere: the host builds these (the capture and key log hold secrets and stay there).
    const exports = el('div', { class: 'h-row h-export' }, el('span', { class: 'muted' }, t('Export:')),
      el('div', { class: 'h-actions', role: 'group', 'aria-label': t('Export this session') },
        this.action(t('Save Capture…'), { type: 'session/saveCapture' }, t('Save the session as pcapng for Wireshark or tshark: the bytes on the wire, with the key log inside so they decrypt with no set-up')),
        this.action(t('Save Key Log…'), { type: 'session/saveKeyLog' }, t('Save the session\'s secrets as an NSS key log (SSLKEYLOGFILE format) for Wireshark')),
        this.action(t('Copy Report'), { type: 'session/report', format: 'markdown', action: 'copy' }, t('Copy the summary, chain, verification result and decoded trace as Markdown, for a ticket')),
        this.action(t('Save Report…'), { type: 'session/report', format: 'markdown', action: 'save' }, t('Save the summary, chain, verification result and decoded trace as a Markdown file')),
        this.action(t('Copy Report JSON'), { type: 'session/report', format: 'json', action: 'copy' }, t('Copy the report as JSON, for tools')),
        this.action(t('Save Report JSON…'), { type: 'session/report', format: 'json', action: 'save' }, t('Save the report as a JSON file, for tools'))));
    const header = el('header', { class: 'sess-header' }, el('div', { class: 'h-row' }, el('h1', {}, init.title), this.badge, actions), target, settings, exports);
    if (init.protocolVersion !== PROTOCOL_VERSION) {
      header.append(el('p', { class: 'banner', role: 'alert' }, t('This panel speaks protocol {0} but the extension sent {1}: some details may be missing. Reload the window (Developer: Reload Window).', PROTOCOL_VERSION, String(init.protocolVersion))));
    }

    // filter bar
    this.search = el('input', { type: 'search', placeholder: t('Filter (e.g. alert, X25519, 0x1301)'), 'aria-label': t('Filter events by text'), spellcheck: 'false' });
    this.search.value = this.filter.text;
    this.search.addEventListener('input', () => {
      clearTimeout(this.textTimer);
      this.textTimer = setTimeout(() => this.setFilter({ ...this.filter, text: this.search.value }), 120);
    });
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.search.value) {
        this.search.value = '';
        this.setFilter({ ...this.filter, text: '' });
      } else if (e.key === 'ArrowDown') {
        e.preventDefault();
        this.focusRow(this.current >= 0 && this.rows[this.current]?.visible ? this.current : this.nextVisible(-1, 1));
      }
    });
    const chipBox = el('div', { class: 'chips', role: 'group', 'aria-label': t('Show event kinds') });
    for (const c of CATEGORIES) {
      const n = el('span', { class: 'n' }, '0');
      const b = el('button', { type: 'button', class: `chip c-${c.id}`, 'aria-pressed': String(this.filter.kinds[c.id]), title: t('Show or hide {0} events', t(c.label).toLowerCase()) },
        el('span', { class: 'dot', 'aria-hidden': 'true' }), t(c.label), n);
      b.addEventListener('click', () => this.setFilter({ ...this.filter, kinds: { ...this.filter.kinds, [c.id]: !this.filter.kinds[c.id] } }));
      this.chips.set(c.id, { button: b, n });
      chipBox.append(b);
    }
    this.countEl = el('span', { class: 'count', 'aria-live': 'off' });
    const filterbar = el('div', { class: 'filterbar', role: 'search' }, this.search, chipBox, this.countEl);

    // timeline
    this.list = el('div', { class: 'timeline', role: 'list', 'aria-label': t('Trace events') });
    this.empty = el('div', { class: 'empty' });
    this.jump = el('vscode-button', { class: 'jump', appearance: 'secondary', hidden: '' }, t('Jump to latest'));
    this.jump.addEventListener('click', () => this.scrollToEnd());
    this.list.addEventListener('keydown', (e) => this.onKey(e));
    this.list.addEventListener('click', (e) => this.onClick(e));
    this.list.addEventListener('scroll', () => {
      this.following = this.atEnd();
      if (this.following) this.setUnseen(0);
    }, { passive: true });
    const tlWrap = el('section', { class: 'tl-wrap', 'aria-label': t('Timeline') }, this.empty, this.list, this.jump);

    // summary side (at narrow widths a top section that folds away behind a one-line toggle)
    this.summaryBody = el('div', { class: 'aside-body', id: `summary-${this.id}` });
    this.asideToggle = el('button', { type: 'button', class: 'aside-toggle', 'aria-expanded': 'true', 'aria-controls': this.summaryBody.id });
    this.asideToggle.addEventListener('click', () => {
      const open = this.asideToggle.getAttribute('aria-expanded') !== 'true';
      this.asideToggle.setAttribute('aria-expanded', String(open));
      this.aside.classList.toggle('collapsed', !open);
    });
    this.aside = el('aside', { class: 'aside', 'aria-label': t('Session summary') }, this.asideToggle, this.summaryBody);

    // send box
    const input = el('input', { type: 'text', placeholder: t('Text to send as application data'), 'aria-label': t('Text to send'), spellcheck: 'false' });
    const crlf = el('input', { type: 'checkbox', checked: '' });
    const hex = el('input', { type: 'checkbox' });
    const problem = el('span', { class: 'send-problem', role: 'alert' });
    hex.addEventListener('change', () => {
      crlf.disabled = hex.checked;
      input.placeholder = hex.checked ? t('Bytes as hex, e.g. 16 03 01 00 05') : t('Text to send as application data');
      input.setAttribute('aria-label', hex.checked ? t('Bytes to send, in hex') : t('Text to send'));
      problem.textContent = '';
    });
    const sendButton = el('vscode-button', { appearance: 'primary' }, t('Send'));
    const send = () => {
      problem.textContent = '';
      if (hex.checked) {
        const parsed = parseHexInput(input.value);
        if ('error' in parsed) {
          problem.textContent = parsed.error;
          return;
        }
        this.post({ type: 'session/send', text: input.value, hex: true });
      } else {
        if (!input.value && !crlf.checked) return;
        this.post({ type: 'session/send', text: input.value + (crlf.checked ? '\r\n' : '') });
      }
      input.value = '';
      input.focus();
    };
    sendButton.addEventListener('click', send);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        send();
      }
    });
    this.sendbox = el('div', { class: 'sendbox', role: 'form', 'aria-label': t('Send application data'), hidden: '' }, input, el('label', {}, crlf, t('end with CRLF')), el('label', {}, hex, t('hex')), sendButton, problem);

    this.live = el('div', { class: 'sr-only', 'aria-live': 'polite' });
    root.replaceChildren(el('style', {}, SESSION_STYLE), el('div', { class: 'sess' }, header, filterbar, el('div', { class: 'main' }, tlWrap, this.aside), this.sendbox), this.live);

    this.applyState();
    this.renderSummary();
    this.updateCounts();
    this.addEvents(init.events ?? []);
  }

  // ---- inputs from the host ----

  private lastSeq = 0;

  addEvents(events: readonly TraceEventJson[]): void {
    for (const e of events) {
      // Each event once, whichever way it came (the init backlog, a batch, a replay of held messages).
      if (typeof e.seq === 'number') {
        if (e.seq <= this.lastSeq) continue;
        this.lastSeq = e.seq;
      }
      this.queue.push(e);
    }
    if (!this.draining) this.drain();
  }

  setState(s: SessionState): void {
    if (!(s in STATE_WORDS)) return;
    this.state = s;
    this.applyState();
    this.live.textContent = t(STATE_SENTENCES[s]);
    this.renderSummary();
    this.updateEmpty();
  }

  setSummary(s: SessionSummary): void {
    this.summary = s;
    this.renderSummary();
    if (s.error) this.live.textContent = t('Error: {0}', ts(s.error.message));
    this.updateEmpty();
  }

  /** Stops pending work (a new session/init replaces this view). */
  dispose(): void {
    this.queue.length = 0;
    clearTimeout(this.textTimer);
  }

  // ---- timeline ----

  private drain(): void {
    const batch = this.queue.splice(0, CHUNK);
    if (batch.length) this.append(batch);
    if (this.queue.length) {
      this.draining = true;
      setTimeout(() => this.drain(), 0);
    } else {
      this.draining = false;
    }
  }

  private append(batch: TraceEventJson[]): void {
    const follow = this.following;
    const frag = document.createDocumentFragment();
    let added = 0;
    for (const ev of batch) {
      const row = this.makeRow(ev, this.rows.length);
      this.rows.push(row);
      this.counts[row.category]++;
      if (row.visible) {
        this.shown++;
        added++;
      }
      frag.append(row.item);
    }
    this.list.append(frag);
    if (this.current < 0) this.setCurrent(this.nextVisible(-1, 1));
    this.updateCounts();
    this.updateEmpty();
    if (follow) this.scheduleScrollToEnd();
    else if (added) this.setUnseen(this.unseen + added);
  }

  /** Scrolls once per frame at most: reading the list's height forces a layout, which batches must not pay each. */
  private scheduleScrollToEnd(): void {
    if (this.scrollPending) return;
    this.scrollPending = true;
    requestAnimationFrame(() => {
      this.scrollPending = false;
      if (this.following) this.scrollToEnd();
    });
  }

  private makeRow(ev: TraceEventJson, index: number): Row {
    let line: EventLine;
    try {
      line = describeEvent(ev, this.glossary);
    } catch (err) {
      line = { category: 'error', side: 'C', arrow: '', time: formatTime((ev as { t?: unknown } | null)?.t), title: t('Unreadable event'), detail: String(err), tone: 'error' };
    }
    const text = lineText(line);
    const sideWord = line.side === 'S' ? t('server') : t('client');
    const dirWord = line.arrow === '>>' ? (line.side === 'S' ? t('sent by the server') : t('sent by the client')) : line.arrow === '<<' ? (line.side === 'S' ? t('received by the server') : t('received by the client')) : '';
    const item = el('div', { class: `ev cat-${line.category} tone-${line.tone}`, role: 'listitem' });
    const head = el('div', {
      class: 'ev-head', role: 'button', tabindex: '-1', 'aria-expanded': 'false', 'data-i': String(index),
      'aria-label': t('{0} seconds, {1}: {2}', line.time, dirWord ? `${sideWord}, ${dirWord}` : sideWord, text),
    },
    el('span', { class: 'chev', 'aria-hidden': 'true' }, '▶'),
    el('span', { class: 'time', 'aria-hidden': 'true' }, line.time),
    el('span', { class: `side side-${line.side}`, title: sideWord, 'aria-hidden': 'true' }, line.side),
    el('span', { class: `arrow s-${line.side}`, title: dirWord, 'aria-hidden': 'true' }, line.arrow),
    ...(line.title ? [el('span', { class: 'title', 'aria-hidden': 'true' }, line.title)] : []),
    el('span', { class: 'desc', title: text, 'aria-hidden': 'true' }, line.detail));
    item.append(head);
    const row: Row = { ev, line, category: line.category, search: text.toLowerCase(), item, head, visible: true };
    row.visible = this.test(row);
    if (!row.visible) item.hidden = true;
    return row;
  }

  private setFilter(f: FilterState): void {
    this.filter = f;
    this.test = compileFilter(f);
    this.store?.save(f);
    let shown = 0;
    for (const r of this.rows) {
      const v = this.test(r);
      if (v !== r.visible) {
        r.visible = v;
        r.item.hidden = !v;
      }
      if (v) shown++;
    }
    this.shown = shown;
    for (const [id, c] of this.chips) c.button.setAttribute('aria-pressed', String(f.kinds[id]));
    if (this.current < 0 || !this.rows[this.current]?.visible) {
      const next = this.current < 0 ? this.nextVisible(-1, 1) : this.nearestVisible(this.current);
      this.setCurrent(next);
    }
    this.updateCounts();
    this.updateEmpty();
    if (this.following) this.scheduleScrollToEnd();
  }

  private updateCounts(): void {
    for (const [id, c] of this.chips) c.n.textContent = String(this.counts[id]);
    const total = this.rows.length;
    this.countEl.textContent = total === this.shown ? (total === 1 ? t('1 event') : t('{0} events', total)) : t('{0} of {1} events shown', this.shown, total);
  }

  private updateEmpty(): void {
    if (this.shown > 0) {
      this.empty.hidden = true;
      return;
    }
    this.empty.hidden = false;
    this.empty.classList.remove('failed');
    if (this.rows.length > 0) {
      const reset = el('button', { type: 'button', class: 'linkish' }, t('Show all kinds and clear the text filter'));
      reset.addEventListener('click', () => {
        this.search.value = '';
        this.setFilter({ text: '', kinds: Object.fromEntries(CATEGORIES.map((c) => [c.id, true])) as Record<Category, boolean> });
      });
      this.empty.replaceChildren(t('No event matches the filter ({0} hidden). ', this.rows.length), reset);
    } else if (this.state === 'failed') {
      this.empty.classList.add('failed');
      const why = this.summary?.error?.message;
      this.empty.replaceChildren(why ? t('The session failed before any event was recorded: {0}', ts(why)) : t('The session failed before any event was recorded.'));
    } else if (this.state === 'closed') {
      this.empty.replaceChildren(t('The session ended without events.'));
    } else {
      this.empty.replaceChildren(this.state === 'listening' ? t('Waiting for a client to connect…') : t('Waiting for events…'));
    }
  }

  private atEnd(): boolean {
    return this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 8;
  }

  private scrollToEnd(): void {
    this.list.scrollTop = this.list.scrollHeight;
    this.following = true;
    this.setUnseen(0);
  }

  private setUnseen(n: number): void {
    this.unseen = n;
    this.jump.hidden = n === 0;
    if (n) this.jump.textContent = n === 1 ? t('1 new event ↓') : t('{0} new events ↓', n);
  }

  // ---- keyboard and mouse ----

  private rowOf(target: EventTarget | null): number {
    const head = (target as HTMLElement | null)?.closest?.('.ev-head') as HTMLElement | null;
    if (!head || head.parentElement?.parentElement !== this.list) return -1;
    return Number(head.dataset.i);
  }

  private onClick(e: MouseEvent): void {
    const i = this.rowOf(e.target);
    if (i < 0) return;
    // let people select text in a row without toggling it
    if (window.getSelection()?.toString()) return;
    this.setCurrent(i);
    this.toggle(i);
  }

  private onKey(e: KeyboardEvent): void {
    const i = this.rowOf(e.target);
    if (i < 0) {
      // inside an expanded detail: Escape goes back to its row
      if (e.key === 'Escape') {
        const item = (e.target as HTMLElement).closest('.ev');
        const head = item?.querySelector<HTMLElement>(':scope > .ev-head');
        if (head) {
          e.preventDefault();
          this.focusRow(Number(head.dataset.i));
        }
      }
      return;
    }
    const page = Math.max(1, Math.floor(this.list.clientHeight / Math.max(1, this.rows[i]!.head.offsetHeight)) - 1);
    let to = -1;
    switch (e.key) {
      case 'ArrowDown': to = this.nextVisible(i, 1); break;
      case 'ArrowUp': to = this.nextVisible(i, -1); break;
      case 'Home': to = this.nextVisible(-1, 1); break;
      case 'End': to = this.nextVisible(this.rows.length, -1); break;
      case 'PageDown': to = this.stepVisible(i, page); break;
      case 'PageUp': to = this.stepVisible(i, -page); break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        this.toggle(i);
        return;
      case 'ArrowRight':
        e.preventDefault();
        if (!this.rows[i]!.detail || this.rows[i]!.detail!.hidden) this.toggle(i);
        return;
      case 'ArrowLeft':
        e.preventDefault();
        if (this.rows[i]!.detail && !this.rows[i]!.detail!.hidden) this.toggle(i);
        return;
      default:
        return;
    }
    e.preventDefault();
    if (to >= 0) this.focusRow(to);
  }

  private nextVisible(from: number, dir: 1 | -1): number {
    for (let j = from + dir; j >= 0 && j < this.rows.length; j += dir) if (this.rows[j]!.visible) return j;
    return -1;
  }

  private stepVisible(from: number, n: number): number {
    let at = from;
    const dir = n > 0 ? 1 : -1;
    for (let k = 0; k < Math.abs(n); k++) {
      const next = this.nextVisible(at, dir);
      if (next < 0) break;
      at = next;
    }
    return at;
  }

  private nearestVisible(i: number): number {
    const after = this.nextVisible(i, 1);
    return after >= 0 ? after : this.nextVisible(i, -1);
  }

  private setCurrent(i: number): void {
    if (i === this.current) return;
    const old = this.rows[this.current];
    if (old) old.head.tabIndex = -1;
    this.current = i;
    const row = this.rows[i];
    if (row) row.head.tabIndex = 0;
  }

  private focusRow(i: number): void {
    const row = this.rows[i];
    if (!row) return;
    this.setCurrent(i);
    row.head.focus({ preventScroll: true });
    row.head.scrollIntoView({ block: 'nearest' });
  }

  private toggle(i: number): void {
    const row = this.rows[i];
    if (!row) return;
    const open = !row.detail || row.detail.hidden;
    if (open && !row.detail) {
      try {
        row.detail = renderDetail(row.ev, row.line, this.glossary);
      } catch (err) {
        row.detail = el('div', { class: 'ev-detail' }, el('p', { class: 'full' }, t('This event could not be shown in detail: {0}', String(err))));
      }
      row.detail.id = `ev-detail-${this.id}-${i}`;
      row.head.setAttribute('aria-controls', row.detail.id);
      row.item.append(row.detail);
    } else if (row.detail) {
      row.detail.hidden = !open;
    }
    row.item.classList.toggle('expanded', open);
    row.head.setAttribute('aria-expanded', String(open));
    if (open) this.following = false;
  }

  // ---- header ----

  private button(label: string, type: 'session/reconnect' | 'session/new' | 'session/close' | 'session/copyJson' | 'session/compare' | 'session/whatIf' | 'session/keySchedule', appearance: 'primary' | 'secondary'): HTMLElement {
    const b = el('vscode-button', { appearance });
    b.textContent = label;
    b.addEventListener('click', () => {
      if (!b.hasAttribute('disabled')) this.post({ type });
    });
    return b;
  }

  /** A header button that sends `message` as it is (export buttons: the host does the work). */
  private action(label: string, message: Extract<FromWebview, { type: 'session/saveCapture' | 'session/saveKeyLog' | 'session/report' }>, title: string): HTMLElement {
    const b = el('vscode-button', { appearance: 'secondary', title });
    b.textContent = label;
    b.addEventListener('click', () => this.post(message));
    return b;
  }

  private applyState(): void {
    this.badge.className = `badge state-${this.state}`;
    this.badge.textContent = stateWord(this.state);
    this.badge.setAttribute('aria-label', t('State: {0}', stateWord(this.state)));
    const ended = this.state === 'closed' || this.state === 'failed';
    if (ended) this.closeButton.setAttribute('disabled', '');
    else this.closeButton.removeAttribute('disabled');
    this.sendbox.hidden = this.state !== 'open';
  }

  // ---- summary ----

  private renderSummary(): void {
    const s = this.summary;
    const out: Node[] = [];
    const err = s?.error ?? (this.state === 'failed' ? this.errorFromEvents() : undefined);
    if (err) out.push(this.errorBlock(err, s?.version ? t('The session failed') : this.rows.some((r) => r.ev.kind === 'handshake') ? t('The handshake failed') : t('The connection failed')));
    out.push(el('h2', {}, t('Negotiated')));
    if (!s) {
      out.push(el('p', { class: 'muted' }, this.state === 'failed' ? t('No summary was received.') : t('The summary appears when the handshake completes or fails.')));
    } else {
      const yesNo = (v: boolean | undefined) => (v === undefined ? '—' : v ? t('yes') : t('no'));
      const dash = (v: string | undefined) => v || '—';
      const bytes: [string, string][] = [[t('Bytes in'), formatBytes(s.bytesIn)], [t('Bytes out'), formatBytes(s.bytesOut)]];
      if (s.version) {
        out.push(kvList([
          [t('Protocol'), dash(s.version)], [t('Cipher suite'), dash(s.suite)], [t('Group'), dash(s.group)],
          [t('Signature scheme'), dash(s.signatureScheme)], ['ALPN', s.alpn || t('none')],
          [t('Resumed'), yesNo(s.resumed)], ['HelloRetryRequest', yesNo(s.helloRetry)], ['SNI', s.serverName || t('none')],
          ...bytes,
        ], true));
      } else {
        out.push(el('p', { class: 'muted' }, t('Nothing was negotiated.')), kvList(bytes, true));
      }
      out.push(...analysisSections(s));
      // Timing labels are the runner's English words and the handshake phases (engine/trace/phases.ts), indented.
      if (s.timings?.length) out.push(el('h2', {}, t('Timings')), kvList(s.timings.map((x) => [x.label.replace(/\S.*$/, (l) => t(l)), formatMs(x.ms)] as [string, string]), true));
      const v = s.verification ?? { state: 'not-performed', text: '' };
      const chain = s.chain ?? [];
      if (s.version || chain.length || v.state !== 'not-performed') {
        const word = { ok: t('verified'), failed: t('failed'), 'not-performed': t('not performed') }[v.state] ?? String(v.state);
        out.push(el('h2', {}, t('Verification')), el('span', { class: `badge verif-${v.state}` }, word));
        if (v.text) out.push(el('p', { class: 'verif-text' }, v.text));
        const rev = revocationSection(s.revocation);
        if (rev) {
          out.push(el('h2', {}, t('Revocation')), el('span', { class: `badge verif-${rev.badge.state}` }, rev.badge.word), el('p', { class: 'verif-text' }, rev.headline));
          for (const l of rev.lines) out.push(el('p', { class: l.tone === 'error' ? 'problem' : l.tone === 'normal' ? 'verif-text' : 'muted' }, l.text));
        }
        out.push(el('h2', {}, t('Peer certificates ({0})', chain.length)));
        if (!chain.length) out.push(el('p', { class: 'muted' }, t('The peer sent no certificate.')));
      }
      const now = new Date();
      chain.forEach((ci, i) => {
        const role = i === 0 ? t('Leaf') : ci.selfIssued ? t('Root') : t('Intermediate');
        const card = el('section', { class: 'card', 'aria-label': t('{0} certificate {1}: {2}', role, i, ci.subject?.text ?? '') });
        card.append(el('h3', {}, `${i} · ${role}${ci.selfIssued ? t(' (self-issued)') : ''}`));
        const link = v.links?.[i];
        if (link) {
          card.append(el('span', { class: `badge verif-${link.verdict === 'ok' ? 'ok' : link.verdict === 'error' ? 'failed' : 'not-performed'}` }, link.verdict === 'ok' ? t('link verified') : link.verdict === 'error' ? t('link fails') : t('link has warnings')));
          for (const f of link.findings) card.append(el('p', { class: link.verdict === 'error' ? 'problem' : 'muted' }, `${f.text}${t(': ')}${f.fix}`));
        }
        try {
          card.append(...certificateDetails(ci, now, pointerRows(s.revocation, i)));
        } catch (e) {
          card.append(el('p', { class: 'problem' }, t('This certificate could not be shown: {0}', String(e))));
        }
        const open = el('vscode-button', { appearance: 'secondary' }, t('Open certificate'));
        open.addEventListener('click', () => this.post({ type: 'session/openCertificate', index: i }));
        card.append(el('div', { class: 'actions' }, open));
        out.push(card);
      });
    }
    this.summaryBody.replaceChildren(...out);
    const brief = s?.version ? [s.version, s.suite, s.group].filter(Boolean).join(' · ') : err ? t('failed') : stateWord(this.state).toLowerCase();
    this.asideToggle.replaceChildren(el('span', { class: 'chev', 'aria-hidden': 'true' }, '▶'), t('Summary'), el('span', { class: 'muted' }, brief));
  }

  /** Without a summary, a failed session is explained by its last error event or fatal alert. */
  private errorFromEvents(): SessionSummary['error'] {
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const e = this.rows[i]!.ev as Record<string, unknown>;
      if (e.kind === 'error') return { message: String(e.message ?? 'error'), ...(typeof e.alert === 'string' ? { alert: e.alert } : {}) };
      if (e.kind === 'alert' && e.level === 'fatal') {
        const fromPeer = e.dir === 'in';
        const what = `${String(e.name)} (${String(e.code)})`;
        return { message: fromPeer ? t('the peer sent a fatal alert: {0}', what) : t('we sent a fatal alert: {0}', what), alert: String(e.name), fromPeer };
      }
    }
    return { message: t('The session failed; no error event was recorded.') };
  }

  private errorBlock(err: NonNullable<SessionSummary['error']>, title: string): HTMLElement {
    const g = err.alert ? this.glossary[err.alert] : undefined;
    const block = el('section', { class: 'err-block', role: 'alert', 'aria-label': t('Error') });
    block.append(el('h2', {}, title), el('p', { class: 'msg' }, ts(err.message)));
    if (err.alert) {
      const who = err.fromPeer === undefined ? '' : err.fromPeer ? t(' — sent by the peer') : t(' — sent by TLS Lens');
      block.append(el('p', {}, t('Alert: '), el('span', { class: 'mono' }, err.alert), who));
      if (g?.description) block.append(el('p', { class: 'alert-desc' }, g.description));
    }
    const causes = err.causes?.length ? err.causes : g?.causes;
    if (causes?.length) block.append(el('p', {}, t('Likely causes:')), el('ul', {}, ...causes.map((c) => el('li', {}, c))));
    return block;
  }
}

function kvList(rows: [string, string][], mono = false): HTMLElement {
  return el('dl', { class: 'kv' }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', mono ? { class: 'mono' } : {}, v)]));
}

function formatHostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
