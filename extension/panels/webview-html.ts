// The HTML shell shared by our webview panels: strict CSP, one nonce'd script, the bundle from dist/.
import * as vscode from 'vscode';

export function webviewHtml(webview: vscode.Webview, root: vscode.Uri, title: string): string {
  const nonce = Array.from({ length: 32 }, () => Math.floor(Math.random() * 36).toString(36)).join('');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'webview.js'));
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}'; font-src ${webview.cspSource};">
<meta name="viewport" content="width=device-width, initial-scale=1.0"><title>${title.replace(/[<&"]/g, '')}</title></head>
<body><main id="app" aria-live="polite">Loading…</main><script nonce="${nonce}" src="${script}"></script></body></html>`;
}

export function webviewOptions(root: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [vscode.Uri.joinPath(root, 'dist')] };
}
