// The HTML shell shared by our webview panels: strict CSP, one nonce'd script, the bundle from dist/.
// Only `vscode` types are imported (URIs are built with Uri#with), so the unit tests can read the HTML it makes.
import type * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { ToWebview } from '../../webview/shared/protocol';
import { currentLanguage, t, webviewStrings } from '../l10n';

/** The CSP: nothing by default; scripts only by nonce (no inline, no eval); styles and fonts from the webview's own origin. */
export function webviewCsp(cspSource: string, nonce: string): string {
  return `default-src 'none'; style-src ${cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}'; font-src ${cspSource};`;
}

export function webviewHtml(webview: Pick<vscode.Webview, 'cspSource' | 'asWebviewUri'>, root: vscode.Uri, title: string): string {
  // A nonce an injected page cannot guess: 128 bits from the CSPRNG.
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(distUri(root, 'webview.js'));
  const lang = currentLanguage().replace(/[^A-Za-z0-9-]/g, '') || 'en';
  return `<!DOCTYPE html><html lang="${lang}"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${webviewCsp(webview.cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0"><title>${title.replace(/[<&"]/g, '')}</title></head>
<body><main id="app" aria-live="polite">${t('Loading…').replace(/[<&"]/g, '')}</main><script nonce="${nonce}" src="${script}"></script></body></html>`;
}

export function webviewOptions(root: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [distUri(root)] };
}

function distUri(root: vscode.Uri, file?: string): vscode.Uri {
  return root.with({ path: `${root.path.replace(/\/+$/, '')}/dist${file ? `/${file}` : ''}` });
}

/** The panel's words in VS Code's display language: posted on `ready`, before the view's init (protocol.ts). */
export function l10nMessage(): Extract<ToWebview, { type: 'l10n' }> {
  return { type: 'l10n', ...webviewStrings() };
}
