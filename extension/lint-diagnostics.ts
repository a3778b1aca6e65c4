// Certificate lint (engine/lint/) as diagnostics at each certificate block's BEGIN line, when
// tlsLens.lint.enabled is on, from tlsLens.lint.minimumSeverity up. The requirement and the fix are the rule's, in
// the display language (engine/lint/zh-cn.ts for zh-cn), and so are what the check saw (engine/l10n/zh-cn/lint.ts)
// and the frame.
import * as vscode from 'vscode';
import { lintItems, SEVERITY_RANK, type CertificateLint, type CertRole, type LintFinding, type LintSeverity } from '../engine/lint/index';
import type { DecodedItem } from '../engine/x509/file';
import { LINT_TEXTS_ZH_CN } from '../engine/lint/zh-cn';
import { engineSentence, isSimplifiedChinese } from './l10n';
import { BoundedCache } from '../engine/util/bounded-cache';

// One step down from the rule's own severity: most certificates in a workspace are for development and never meant
// to meet the Baseline Requirements, and red is kept for what breaks a handshake (a block that does not decode, an
// expired certificate). `tlslens lint` keeps the rules' severities and its exit status.
const SEVERITY: Record<LintSeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Warning,
  warning: vscode.DiagnosticSeverity.Information,
  notice: vscode.DiagnosticSeverity.Hint,
};

/** Findings by the certificates' DER and roles: an edit elsewhere in a bundle lints nothing again. */
const cache = new BoundedCache<string, CertificateLint[]>(64);

export function lintDiagnostics(doc: vscode.TextDocument, items: readonly DecodedItem[]): vscode.Diagnostic[] {
  const cfg = vscode.workspace.getConfiguration('tlsLens', doc);
  if (!cfg.get<boolean>('lint.enabled', true)) return [];
  const min = cfg.get<LintSeverity>('lint.minimumSeverity', 'warning');
  const minRank = SEVERITY_RANK[min] ?? SEVERITY_RANK.warning;
  return lintCached(items).flatMap((c) => c.findings
    .filter((f) => SEVERITY_RANK[f.severity] >= minRank)
    .map((f) => diagnostic(doc, c, f)));
}

function lintCached(items: readonly DecodedItem[]): CertificateLint[] {
  const certs = items.filter((i) => i.object?.kind === 'certificate' && i.der);
  const key = certs.map((i) => `${i.index}:${i.range.startLine}:${i.label}:${(i.object as { certificate: { fingerprints: { sha256: string } } }).certificate.fingerprints.sha256}`).join('|');
  return cache.get(key, () => lintItems(items));
}

function roleText(role: CertRole): string {
  switch (role) {
    case 'leaf': return vscode.l10n.t('leaf certificate');
    case 'intermediate': return vscode.l10n.t('intermediate CA certificate');
    case 'root': return vscode.l10n.t('root CA certificate');
  }
}

function diagnostic(doc: vscode.TextDocument, c: CertificateLint, f: LintFinding): vscode.Diagnostic {
  const line = Math.min(c.line, doc.lineCount - 1);
  const zh = isSimplifiedChinese() ? LINT_TEXTS_ZH_CN[f.rule] : undefined;
  const message = vscode.l10n.t('Lint ({0}, {1}): {2} [{3}]. {4} Fix: {5}', f.source, roleText(c.role), engineSentence(f.message), f.field, zh?.summary ?? f.summary, zh?.fix ?? f.fix);
  const d = new vscode.Diagnostic(doc.lineAt(line).range, message, SEVERITY[f.severity]);
  d.source = 'TLS Lens lint';
  d.code = f.rule;
  return d;
}
