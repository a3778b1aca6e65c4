// The webview's entry. Renders what the host sends, in VS Code's theme colours, with the webview UI toolkit.
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDivider, vsCodeTag } from '@vscode/webview-ui-toolkit';
import { PROTOCOL_VERSION, type FromWebview, type ToWebview } from './shared/protocol';
import { renderCertificates } from './views/certificates';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDivider(), vsCodeTag());

declare function acquireVsCodeApi(): { postMessage(m: FromWebview): void };
const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;

window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
  const m = e.data;
  switch (m.type) {
    case 'certificates/init':
      renderCertificates(app, m, (msg) => vscode.postMessage(msg));
      break;
  }
});

vscode.postMessage({ type: 'ready', protocolVersion: PROTOCOL_VERSION });
