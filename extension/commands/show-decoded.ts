// The full decode of a block (or a whole file) as a read-only text document, as `tlslens decode` prints it.
import * as vscode from 'vscode';
import { formatFile, formatItem } from '../../engine/x509/format-text';
import type { DocumentModel } from '../document-model';
import { DECODE_SCHEME } from '../ids';

export class DecodedContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly model: DocumentModel) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { source, index } = JSON.parse(uri.query) as { source: string; index?: number };
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(source));
    const name = vscode.workspace.asRelativePath(doc.uri);
    const item = index === undefined ? undefined : this.model.item(doc, index);
    if (item) return formatItem(item, name);
    const items = (await this.model.all(doc)) ?? [];
    return formatFile({ format: 'pem', items, problems: [] }, name);
  }
}

export async function showDecoded(source?: string | vscode.Uri, index?: number): Promise<void> {
  const src = source ? (typeof source === 'string' ? vscode.Uri.parse(source) : source) : vscode.window.activeTextEditor?.document.uri;
  if (!src) {
    void vscode.window.showWarningMessage(vscode.l10n.t('TLS Lens: open a PEM file first.'));
    return;
  }
  const base = src.path.split('/').pop() ?? 'decode';
  const uri = vscode.Uri.from({
    scheme: DECODE_SCHEME,
    path: `/${base}${index !== undefined ? `#${index + 1}` : ''}.decoded.txt`,
    query: JSON.stringify({ source: src.toString(), ...(index !== undefined ? { index } : {}) }),
  });
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}
