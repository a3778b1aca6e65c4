// A one-line summary above every PEM block; clicking it opens the full decode.
import * as vscode from 'vscode';
import { oneLine } from './summary-line';
import type { DocumentModel } from './document-model';
import { COMMANDS } from './ids';

export class PemCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly model: DocumentModel) {}

  refresh(): void {
    this.changed.fire();
  }

  // Lenses are placed from the cheap scan; each title is decoded only when VS Code resolves a visible lens.
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration('tlsLens', doc).get<boolean>('codeLens.enabled', true)) return [];
    return this.model.blocks(doc).map((b) => new BlockLens(new vscode.Range(b.range.startLine, 0, b.range.startLine, 0), doc, b.index));
  }

  resolveCodeLens(lens: vscode.CodeLens): vscode.CodeLens {
    if (!(lens instanceof BlockLens)) return lens;
    const item = this.model.item(lens.doc, lens.index);
    lens.command = {
      title: item ? oneLine(item) : vscode.l10n.t('PEM block'),
      command: COMMANDS.showDecoded,
      arguments: [lens.doc.uri.toString(), lens.index],
      tooltip: vscode.l10n.t('Open the whole decode of this block'),
    };
    return lens;
  }
}

class BlockLens extends vscode.CodeLens {
  constructor(range: vscode.Range, readonly doc: vscode.TextDocument, readonly index: number) {
    super(range);
  }
}
