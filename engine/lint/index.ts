// Certificate lint: the rules of rules.ts run over the certificates of a file, each by its role (leaf, intermediate, root).
// Used by `tlslens lint` and by the editor's diagnostics; never throws for bad input (a certificate that does
// not decode becomes a problem naming the field).
import { certificateOfTrusted } from '../x509/certificate';
import { decodeBytes } from '../x509/decode';
import { DerError } from '../x509/der';
import type { DecodedItem } from '../x509/file';
import type { CertificateInfo } from '../x509/types';
import { certFacts, type CertFacts } from './facts';
import { CHECKS } from './checks';
import { LINT_RULES, SEVERITY_RANK, sourceText, type CertRole, type LintRule, type LintSeverity } from './rules';

export { LINT_RULES, lintRule, sourceText, SEVERITY_RANK, type CertRole, type LintRule, type LintSeverity } from './rules';

export interface LintFinding {
  rule: string;
  severity: LintSeverity;
  /** `RFC 5280 4.1.2.2`, `BR 7.1.2.7.10`. */
  source: string;
  role: CertRole;
  /** The certificate's field: `tbsCertificate.serialNumber`, `tbsCertificate.extensions[3] (X509v3 Key Usage)`. */
  field: string;
  /** What was seen in this certificate. */
  message: string;
  /** The rule's one-line requirement and fix, from the registry. */
  summary: string;
  fix: string;
}

export interface CertificateLint {
  /** Index of the block (PEM) or 0 (DER). */
  blockIndex: number;
  /** 0-based line of the block's BEGIN (0 for DER). */
  line: number;
  role: CertRole;
  subject: string;
  findings: LintFinding[];
}

export interface LintOptions {
  /** Lint every certificate as this role instead of the role its position and basicConstraints give. */
  role?: CertRole;
  /** Rules to skip (ids). */
  skip?: readonly string[];
}

/** A certificate that could not be linted (it did not decode). */
export class LintInputError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'LintInputError';
  }
}

/** The rules that apply to a certificate of this role issued at `notBefore`. */
export function rulesFor(role: CertRole, notBefore: Date): LintRule[] {
  const from = (d: string | undefined) => !d || notBefore.getTime() >= Date.parse(`${d}T00:00:00Z`);
  return LINT_RULES.filter((r) => r.appliesTo.includes(role) && from(r.since) && (role !== 'root' || from(r.rootsFrom)));
}

export function lintFacts(facts: CertFacts, role: CertRole, opts: LintOptions = {}): LintFinding[] {
  const out: LintFinding[] = [];
  for (const rule of rulesFor(role, facts.notBefore.date)) {
    if (opts.skip?.includes(rule.id)) continue;
    const check = CHECKS[rule.id];
    if (!check) throw new Error(`lint: rule "${rule.id}" has no check`);
    for (const v of check(facts))
      out.push({ rule: rule.id, severity: rule.severity, source: sourceText(rule.source), role, field: v.field, message: v.message, summary: rule.summary, fix: rule.fix });
  }
  return out.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
}

/** Lints one DER certificate as `role`. Throws LintInputError when it does not decode. */
export function lintCertificate(der: Uint8Array, role: CertRole, opts: LintOptions = {}): LintFinding[] {
  let facts: CertFacts;
  try {
    facts = certFacts(der);
  } catch (e) {
    if (e instanceof DerError) throw new LintInputError(e.field, e.message);
    throw new LintInputError('Certificate', (e as Error).message);
  }
  return lintFacts(facts, role, opts);
}

/**
 * A certificate's role, from the certificate itself: a CA (basicConstraints cA TRUE) is a root when self-issued and
 * an intermediate otherwise; anything else is a leaf. Position is not used: a trust bundle starts with a root, a
 * server's chain file with its leaf, and both are common in workspaces (`--role` overrides).
 */
export function roleOf(cert: CertificateInfo): CertRole {
  if (!cert.isCA) return 'leaf';
  return cert.selfIssued ? 'root' : 'intermediate';
}

/** Lints the certificate items of a decoded file, each by its role. Items that did not decode are left out. */
export function lintItems(items: readonly DecodedItem[], opts: LintOptions = {}): CertificateLint[] {
  const certs = items.filter((i) => i.object?.kind === 'certificate' && i.der);
  return certs.map((item) => {
    const info = (item.object as { certificate: CertificateInfo }).certificate;
    const role = opts.role ?? roleOf(info);
    let findings: LintFinding[];
    try {
      findings = lintCertificate(item.label === 'TRUSTED CERTIFICATE' ? certificateOfTrusted(item.der!) : item.der!, role, opts);
    } catch (e) {
      // The decoder read it, so this is unexpected; shown rather than thrown.
      findings = [{ rule: 'decode', severity: 'error', source: 'RFC 5280 4.1', role, field: e instanceof LintInputError ? e.field : 'Certificate', message: (e as Error).message, summary: 'The certificate must decode.', fix: 'Re-issue the certificate.' }];
    }
    return { blockIndex: item.index, line: item.range.startLine, role, subject: info.subject.text || '(empty subject)', findings };
  });
}

/** Lints a file's bytes (PEM or DER). */
export function lintBytes(bytes: Uint8Array, opts: LintOptions = {}): { certificates: CertificateLint[]; problems: DecodedItem['problem'][] } {
  const decoded = decodeBytes(bytes);
  return { certificates: lintItems(decoded.items, opts), problems: decoded.problems };
}

export function hasErrors(lints: readonly CertificateLint[]): boolean {
  return lints.some((c) => c.findings.some((f) => f.severity === 'error'));
}
