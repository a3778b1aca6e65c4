// Problems in PEM documents: blocks that do not decode (at their line), certificates expired, not yet valid,
// or expiring soon, and certificate lint findings (lint-diagnostics.ts). Recomputed shortly after edits, not on every keystroke.
import * as vscode from 'vscode';
import type { DecodedItem } from '../engine/x509/file';
import type { ChainAnalysis } from '../engine/tools/chain-file';
import { certificateTitle } from '../engine/x509/summary';
import type { DocumentModel } from './document-model';
import { LANGUAGE_ID } from './ids';
import { lintDiagnostics } from './lint-diagnostics';
import { engineSentence } from './l10n';
import { localizeRelative } from '../webview/shared/relative-time';

export class PemDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('tls-lens');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly model: DocumentModel) {
    this.subs.push(
      vscode.workspace.onDidOpenTextDocument((d) => void this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('tlsLens.lint')) vscode.workspace.textDocuments.forEach((d) => void this.update(d));
      }),
    );
    vscode.workspace.textDocuments.forEach((d) => void this.update(d));
  }

  private schedule(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => void this.update(doc), 300));
  }

  async update(doc: vscode.TextDocument): Promise<void> {
    if (doc.languageId !== LANGUAGE_ID) return;
    const warnDays = vscode.workspace.getConfiguration('tlsLens', doc).get<number>('diagnostics.expiryWarningDays', 30);
    const items = await this.model.all(doc);
    if (!items) return; // changed while decoding: the scheduled update will redo it
    const chain = items.filter((i) => i.object?.kind === 'certificate').length >= 2 ? this.model.chain(doc) : undefined;
    this.collection.set(doc.uri, [...items.flatMap((item) => diagnosticsFor(doc, item, warnDays)), ...chainDiagnostics(doc, items, chain), ...lintDiagnostics(doc, items)]);
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.subs.forEach((s) => s.dispose());
    this.collection.dispose();
  }
}

/** A chain file's order and links (RFC 8446 section 4.4.2), at the BEGIN line of the block concerned. */
export function chainDiagnostics(doc: vscode.TextDocument, items: readonly DecodedItem[], chain: ChainAnalysis | undefined): vscode.Diagnostic[] {
  if (!chain) return [];
  return chain.findings.map((f) => {
    const item = items[f.blockIndex];
    const d = new vscode.Diagnostic(lineRange(doc, item?.range.startLine ?? 0), engineSentence(f.message), vscode.DiagnosticSeverity.Warning);
    d.source = 'TLS Lens';
    d.code = `chain-${f.kind}`;
    return d;
  });
}

function lineRange(doc: vscode.TextDocument, line: number): vscode.Range {
  const l = Math.min(line, doc.lineCount - 1);
  return doc.lineAt(l).range;
}

export function diagnosticsFor(doc: vscode.TextDocument, item: DecodedItem, warnDays: number): vscode.Diagnostic[] {
  const out: vscode.Diagnostic[] = [];
  if (item.problem) {
    const p = item.problem;
    const severity = p.code === 'needs-passphrase' ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Error;
    const range = p.column !== undefined ? new vscode.Range(p.line, p.column, p.line, p.column + 1) : lineRange(doc, p.line);
    const d = new vscode.Diagnostic(range, engineSentence(p.message), severity);
    d.source = 'TLS Lens';
    d.code = p.code;
    out.push(d);
  }
  const o = item.object;
  if (o?.kind === 'certificate') {
    const c = o.certificate;
    const range = lineRange(doc, item.range.startLine);
    const name = certificateTitle(c);
    let message: string | undefined;
    let severity = vscode.DiagnosticSeverity.Warning;
    const relative = localizeRelative(c.validity.relative, (m, ...a) => vscode.l10n.t(m, ...a));
    if (c.validity.state === 'expired') message = vscode.l10n.t('Certificate {0} {1} (Not After {2})', name, relative, c.validity.notAfter);
    else if (c.validity.state === 'not-yet-valid') message = vscode.l10n.t('Certificate {0} is not yet valid: {1} (Not Before {2})', name, relative, c.validity.notBefore);
    else if (new Date(c.validity.notAfter).getTime() - Date.now() < warnDays * 86_400_000) {
      message = vscode.l10n.t('Certificate {0} {1}', name, relative);
      severity = vscode.DiagnosticSeverity.Information;
    }
    if (message) {
      const d = new vscode.Diagnostic(range, message, severity);
      d.source = 'TLS Lens';
      d.code = c.validity.state;
      out.push(d);
    }
  }
  return out;
}
