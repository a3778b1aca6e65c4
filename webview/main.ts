// The webview's entry. Renders what the host sends, in VS Code's theme colours, with the webview UI toolkit.
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDivider, vsCodeTag } from '@vscode/webview-ui-toolkit';
import { setStrings, t } from './shared/l10n';
import { PROTOCOL_VERSION, type FromWebview, type ToWebview } from './shared/protocol';
import { renderCertificates } from './views/certificates';
import { renderCompare } from './views/compare';
import { renderScan } from './views/scan';
import { SessionView } from './views/session';
import type { FilterState } from './views/session-format';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDivider(), vsCodeTag());

declare function acquireVsCodeApi(): { postMessage(m: FromWebview): void; getState?(): unknown; setState?(s: unknown): void };
const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
const post = (msg: FromWebview) => vscode.postMessage(msg);

/** The session panel's filter survives the panel being hidden and shown again. */
const filterStore = {
  load: (): unknown => (vscode.getState?.() as { sessionFilter?: unknown } | undefined)?.sessionFilter,
  save: (f: FilterState) => vscode.setState?.({ ...((vscode.getState?.() as object | undefined) ?? {}), sessionFilter: f }),
};

let session: SessionView | undefined;
/** Session messages that arrive before their session/init (kept briefly, replayed in order). */
let early: ToWebview[] = [];

function sessionMessage(m: Exclude<Extract<ToWebview, { sessionId: string }>, { type: 'session/init' }>): void {
  if (!session || session.id !== m.sessionId) {
    if (early.length < 1000) early.push(m);
    return;
  }
  switch (m.type) {
    case 'session/events':
      session.addEvents(m.events);
      break;
    case 'session/summary':
      session.setSummary(m.summary);
      break;
    case 'session/state':
      session.setState(m.state);
      break;
  }
}

window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
  const m = e.data;
  if (!m || typeof m !== 'object') return;
  try {
    switch (m.type) {
      case 'l10n':
        setStrings(m.strings, m.language, m.sentences);
        break;
      case 'certificates/init':
        renderCertificates(app, m, post);
        break;
      case 'compare/init':
        renderCompare(app, m);
        break;
      case 'scan/init':
        renderScan(app, m, post);
        break;
      case 'session/init': {
        session?.dispose();
        session = new SessionView(app, m, post, filterStore);
        const replay = early.filter((x) => 'sessionId' in x && x.sessionId === m.sessionId);
        early = [];
        for (const x of replay) sessionMessage(x as Parameters<typeof sessionMessage>[0]);
        break;
      }
      case 'session/events':
      case 'session/summary':
      case 'session/state':
        sessionMessage(m);
        break;
    }
  } catch (err) {
    // never leave the panel on "Loading…": say what went wrong
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.style.color = 'var(--vscode-errorForeground)';
    p.textContent = t('TLS Lens could not show this panel: {0}', err instanceof Error ? err.message : String(err));
    app.append(p);
  }
});

vscode.postMessage({ type: 'ready', protocolVersion: PROTOCOL_VERSION });
