// Lint results as terminal text: one line per finding (severity, source section, rule, what was seen, the
// field), the fix under it, and a count per file.
import { LINT_RULES, SEVERITY_RANK, sourceText, type LintSeverity } from './rules';
import type { CertificateLint } from './index';

export function formatLint(file: string, certs: readonly CertificateLint[], min: LintSeverity = 'notice', format: 'pem' | 'der' = 'pem'): string {
  const lines: string[] = [];
  const count: Record<LintSeverity, number> = { error: 0, warning: 0, notice: 0 };
  certs.forEach((c, i) => {
    const where = format === 'der' ? '' : `, line ${c.line + 1}`;
    lines.push(`${file}: certificate ${i + 1} (block ${c.blockIndex + 1}${where}) as ${c.role}: ${c.subject}`);
    const shown = c.findings.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[min]);
    for (const f of shown) {
      count[f.severity]++;
      lines.push(`  ${f.severity.padEnd(8)}${f.source.padEnd(20)}${f.rule}: ${f.message} [${f.field}]`);
      lines.push(`  ${''.padEnd(28)}fix: ${f.fix}`);
    }
    if (shown.length === 0) lines.push('  no findings');
  });
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  lines.push(`${file}: ${n(certs.length, 'certificate')}, ${n(count.error, 'error')}, ${n(count.warning, 'warning')}, ${n(count.notice, 'notice')}`);
  return lines.join('\n') + '\n';
}

/** The registry as a table, for `tlslens lint --rules`. */
export function formatRules(): string {
  const w = Math.max(...LINT_RULES.map((r) => r.id.length)) + 2;
  const rows = LINT_RULES.map((r) => `${r.id.padEnd(w)}${r.severity.padEnd(9)}${sourceText(r.source).padEnd(20)}${r.appliesTo.join(',').padEnd(24)}${r.summary}${r.since ? ` (certificates from ${r.since})` : ''}${r.rootsFrom ? ` (roots from ${r.rootsFrom})` : ''}`);
  return [`${'RULE'.padEnd(w)}${'SEVERITY'.padEnd(9)}${'SOURCE'.padEnd(20)}${'APPLIES TO'.padEnd(24)}REQUIREMENT`, ...rows, ''].join('\n');
}
