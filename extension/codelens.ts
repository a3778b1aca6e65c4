// A one-line summary above every PEM block; clicking it opens the full decode.
import * as vscode from 'vscode';
import { oneLine } from '../engine/x509/summary';
import type { DocumentModel } from './document-model';
import { COMMANDS } from './ids';

export class PemCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly model: DocumentModel) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration('tlsLens', doc).get<boolean>('codeLens.enabled', true)) return [];
    return this.model.get(doc).items.map((item) => new vscode.CodeLens(new vscode.Range(item.range.startLine, 0, item.range.startLine, 0), {
      title: oneLine(item),
      command: COMMANDS.showDecoded,
      arguments: [doc.uri.toString(), item.index],
      tooltip: 'Open the full decode of this block',
    }));
  }
}
