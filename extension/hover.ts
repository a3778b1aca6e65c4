// Hover on a PEM block: the decoded summary in place, and a link to the full decode.
import * as vscode from 'vscode';
import type { DocumentModel } from './document-model';
import { COMMANDS } from './ids';
import { hoverMarkdown } from './hover-markdown';

export class PemHoverProvider implements vscode.HoverProvider {
  constructor(private readonly model: DocumentModel) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    if (!vscode.workspace.getConfiguration('tlsLens', doc).get<boolean>('hover.enabled', true)) return undefined;
    const item = this.model.itemAt(doc, pos.line);
    if (!item) return undefined;
    const chain = item.object?.kind === 'certificate' ? this.model.chain(doc) : undefined;
    const md = new vscode.MarkdownString(hoverMarkdown(item, doc.uri.toString(), chain));
    md.isTrusted = { enabledCommands: [COMMANDS.showDecoded] };
    md.supportThemeIcons = true;
    return new vscode.Hover(md, new vscode.Range(item.range.startLine, 0, item.range.endLine, Number.MAX_SAFE_INTEGER));
  }
}
