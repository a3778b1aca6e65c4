// Hover on a PEM block: the decoded summary in place, and a link to the full decode.
import * as vscode from 'vscode';
import type { DocumentModel } from './document-model';
import { COMMANDS, HOVERED_CONTEXT } from './ids';
import { hoverMarkdown } from './hover-markdown';

export class PemHoverProvider implements vscode.HoverProvider {
  private hovered = false;
  constructor(private readonly model: DocumentModel) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    if (!vscode.workspace.getConfiguration('tlsLens', doc).get<boolean>('hover.enabled', true)) return undefined;
    const item = this.model.itemAt(doc, pos.line);
    if (!item) return undefined;
    const chain = item.object?.kind === 'certificate' ? this.model.chain(doc) : undefined;
    const md = new vscode.MarkdownString(hoverMarkdown(item, doc.uri.toString(), chain));
    md.isTrusted = { enabledCommands: [COMMANDS.showDecoded] };
    md.supportThemeIcons = true;
    if (!this.hovered) {
      // The Getting Started walkthrough's first step ("hover a PEM block") completes on this context key.
      this.hovered = true;
      void vscode.commands.executeCommand('setContext', HOVERED_CONTEXT, true);
    }
    return new vscode.Hover(md, new vscode.Range(item.range.startLine, 0, item.range.endLine, Number.MAX_SAFE_INTEGER));
  }
}
