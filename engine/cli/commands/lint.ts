// `tlslens lint FILE...`: RFC 5280 and CA/Browser Forum Baseline Requirements checks on every certificate of
// every file (PEM or DER), each certificate by its role in the chain, with the source section of each finding.
import { formatLint, formatRules } from '../../lint/format-text';
import { hasErrors, lintBytes, LINT_RULES, SEVERITY_RANK, type CertRole, type CertificateLint, type LintSeverity } from '../../lint/index';
import { EXIT, UsageError, type CliIO, readOperand } from '../io';
import { parse, type CommandSpec } from '../options';

export const spec: CommandSpec = {
  name: 'lint',
  synopsis: 'lint [options] FILE...',
  summary: 'Check certificates against RFC 5280 and the CA/Browser Forum TLS Baseline Requirements (validity, names, SANs, keys, signature algorithms, extensions, serial), each finding with its source section and fix.',
  options: [
    { name: 'json', kind: 'flag', help: 'one JSON document: {files: [{file, certificates: [{role, subject, findings}]}]}' },
    { name: 'role', kind: 'string', arg: 'ROLE', help: 'lint every certificate as leaf, intermediate or root (default: by basicConstraints: a CA is a root when self-issued, else an intermediate; others are leaves)' },
    { name: 'min-severity', kind: 'string', arg: 'LEVEL', help: 'show findings of this severity and above: error, warning, notice (default notice)' },
    { name: 'rules', kind: 'flag', help: 'list the rules (id, severity, source section, roles) and exit' },
    { name: 'help', kind: 'flag', short: 'h', help: 'this help' },
  ],
  notes: [
    'Exit status: 0 no error-level finding, 1 an error-level finding (or a block that does not decode), 2 a file could not be read.',
    'Example: tlslens lint fullchain.pem   (zlint / x509lint in spirit, sections of RFC 5280 and the BRs 2.x)',
  ],
};

const ROLES: CertRole[] = ['leaf', 'intermediate', 'root'];
const LEVELS: LintSeverity[] = ['error', 'warning', 'notice'];

export function run(argv: string[], io: CliIO): number {
  const { values, positionals } = parse(spec, argv);
  if (values.rules) {
    if (values.json) io.out(JSON.stringify({ rules: LINT_RULES }, null, 2) + '\n');
    else io.out(formatRules());
    return EXIT.OK;
  }
  const role = values.role as string | undefined;
  if (role !== undefined && !ROLES.includes(role as CertRole)) throw new UsageError(`lint: --role ${role}: use leaf, intermediate or root`);
  const min = (values['min-severity'] as string | undefined) ?? 'notice';
  if (!LEVELS.includes(min as LintSeverity)) throw new UsageError(`lint: --min-severity ${min}: use error, warning or notice`);
  if (positionals.length === 0) {
    io.err('lint: name at least one FILE\n');
    return EXIT.USAGE;
  }
  let status: number = EXIT.OK;
  const json: unknown[] = [];
  for (const file of positionals) {
    const bytes = readOperand(io, 'lint', file);
    if (!bytes) {
      status = EXIT.UNREADABLE;
      continue;
    }
    const { certificates, problems } = lintBytes(bytes, role ? { role: role as CertRole } : {});
    const format = isPem(bytes) ? 'pem' : 'der';
    const bad = problems.length > 0 || certificates.length === 0 || hasErrors(certificates);
    if (bad && status === EXIT.OK) status = EXIT.MISMATCH_OR_PROBLEM;
    if (values.json) json.push({ file, certificates: certificates.map((c) => filtered(c, min as LintSeverity)), problems: problems.map((p) => p!.message) });
    else {
      io.out(formatLint(file, certificates, min as LintSeverity, format));
      for (const p of problems) io.err(`${file}:${p!.line + 1}: ${p!.message}\n`);
      if (certificates.length === 0 && problems.length === 0) io.err(`lint: ${file}: no certificate\n`);
    }
  }
  if (values.json) io.out(JSON.stringify({ files: json }, null, 2) + '\n');
  return status;
}

function filtered(c: CertificateLint, min: LintSeverity): CertificateLint {
  return { ...c, findings: c.findings.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[min]) };
}

function isPem(bytes: Uint8Array): boolean {
  return new TextDecoder().decode(bytes.subarray(0, 4096)).includes('-----BEGIN ');
}
