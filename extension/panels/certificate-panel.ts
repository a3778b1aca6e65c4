// The certificate panel: the blocks of a PEM file as cards (validity bar, names, key, fingerprints).
// The webview asks for its state with `ready` (so nothing is posted into a page not there yet).
import * as vscode from 'vscode';
import { oneLine } from '../summary-line';
import { PROTOCOL_VERSION, type BlockView, type FromWebview, type ToWebview } from '../../webview/shared/protocol';
import type { DocumentModel } from '../document-model';
import { showDecoded } from '../commands/show-decoded';
import { l10nMessage, webviewHtml, webviewOptions } from './webview-html';

export async function showCertificatePanel(context: vscode.ExtensionContext, model: DocumentModel, source?: string | vscode.Uri, index?: number): Promise<vscode.WebviewPanel | undefined> {
  const uri = source ? (typeof source === 'string' ? vscode.Uri.parse(source) : source) : vscode.window.activeTextEditor?.document.uri;
  if (!uri) return undefined;
  const doc = await vscode.workspace.openTextDocument(uri);
  const name = vscode.workspace.asRelativePath(uri);
  const title = vscode.l10n.t('Certificates: {0}', name);
  const panel = vscode.window.createWebviewPanel('tlslens.certificates', title, vscode.ViewColumn.Beside, webviewOptions(context.extensionUri));
  const post = (m: ToWebview) => panel.webview.postMessage(m);
  panel.webview.onDidReceiveMessage(async (m: FromWebview) => {
    switch (m.type) {
      case 'ready': {
        await post(l10nMessage());
        const blocks: BlockView[] = ((await model.all(doc)) ?? [])
          .filter((i) => index === undefined || i.index === index)
          .map((i) => ({ index: i.index, label: i.label, startLine: i.range.startLine, endLine: i.range.endLine, summary: oneLine(i),
            ...(i.object ? { object: i.object } : {}), ...(i.problem ? { problem: i.problem } : {}) }));
        await post({ type: 'certificates/init', protocolVersion: PROTOCOL_VERSION, title: name, blocks, now: new Date().toISOString() });
        break;
      }
      case 'openDecode':
        await showDecoded(uri, m.index);
        break;
      case 'revealBlock': {
        const item = model.blocks(doc)[m.index];
        if (item) await vscode.window.showTextDocument(doc, { selection: new vscode.Range(item.range.startLine, 0, item.range.startLine, 0), viewColumn: vscode.ViewColumn.One });
        break;
      }
    }
  }, undefined, context.subscriptions);
  panel.webview.html = webviewHtml(panel.webview, context.extensionUri, title);
  return panel;
}
