// Compare Sessions: two open session panels side by side (the view is webview/views/compare.ts). The sessions
// are snapshots taken when the comparison opens; comparing again takes new ones.
import * as vscode from 'vscode';
import { PROTOCOL_VERSION, type FromWebview, type SessionSnapshot, type ToWebview } from '../../webview/shared/protocol';
import { SessionPanel } from './session-panel';
import { l10nMessage, webviewHtml, webviewOptions } from './webview-html';

/** Opens the comparison; with fewer than two sessions open, says how to get them. */
export async function compareSessions(context: vscode.ExtensionContext, first?: SessionPanel, second?: SessionPanel): Promise<vscode.WebviewPanel | undefined> {
  if (first && second) return openComparison(context, first.snapshot(), second.snapshot());
  const open = SessionPanel.all();
  if (open.length < 2) {
    void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: Compare Sessions needs two open sessions. Connect to Host twice (for example with different groups or versions), then compare.'));
    return undefined;
  }
  let pair: SessionPanel[];
  if (open.length === 2) pair = first ? [first, open.find((p) => p !== first)!] : open;
  else {
    const others = first ? open.filter((p) => p !== first) : open;
    const picks = await vscode.window.showQuickPick(others.map((p) => ({ label: p.panel.title, description: p.describeState(), panel: p })), {
      title: first ? vscode.l10n.t('Compare {0} with…', first.panel.title) : vscode.l10n.t('Compare two sessions'),
      canPickMany: !first,
    });
    if (!picks) return undefined;
    const chosen = (Array.isArray(picks) ? picks : [picks]).map((x) => x.panel);
    pair = first ? [first, ...chosen] : chosen;
    if (pair.length !== 2) {
      void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: pick exactly two sessions to compare ({0} picked).', pair.length));
      return undefined;
    }
  }
  return openComparison(context, pair[0]!.snapshot(), pair[1]!.snapshot());
}

export function openComparison(context: vscode.ExtensionContext, left: SessionSnapshot, right: SessionSnapshot): vscode.WebviewPanel {
  const title = vscode.l10n.t('Compare: {0} ↔ {1}', left.title, right.title);
  const panel = vscode.window.createWebviewPanel('tlslens.compare', title, vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
  panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
  const post = (m: ToWebview) => panel.webview.postMessage(m);
  panel.webview.onDidReceiveMessage((m: FromWebview) => {
    if (m.type === 'ready') void post(l10nMessage()).then(() => post({ type: 'compare/init', protocolVersion: PROTOCOL_VERSION, left, right }));
  }, undefined, context.subscriptions);
  panel.webview.html = webviewHtml(panel.webview, context.extensionUri, title);
  return panel;
}
