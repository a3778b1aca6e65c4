// Certificate path validation that explains itself: build candidate paths from an unordered bag, validate each
// (RFC 5280 section 6.1), and report the first that passes, or the most telling failure, as plain data.
import { verifyError } from '../../registry/x509-verify-errors';
import type { VCert } from './cert';
import { buildPaths, type BuildOptions, type PathEnd } from './path-builder';
import type { PolicyReport } from './policy';
import { validatePath, type Finding, type LinkReport, type RevocationReport, type ValidateOptions } from './validate';

export { loadCert, type VCert } from './cert';
export { crlsFromBytes, loadCrl, loadDirectoryCrls, type LoadedCrls, type VCrl } from './crl';
export { checkEmail, checkHost, checkIp, matchDnsName } from './hostname';
export { checkOcspResponse, type OcspOptions, type OcspVerdict } from './ocsp';
export { POLICY_NODES_MAX, type PolicyOptions, type PolicyReport } from './policy';
export { revocationPointers, type RevocationPointers } from './revocation';
export { certsFromBytes, loadDirectory, loadFile, loadSystemStore, mergeCerts } from './trust-store';
export type { Finding, LinkReport, Purpose, RevocationReport, ValidateOptions } from './validate';

export interface VerifyInput {
  /** The certificate to verify (the leaf, depth 0). */
  target: VCert;
  /** Certificates the peer sent after the leaf, plus any --untrusted ones: any order, duplicates allowed. */
  untrusted?: VCert[];
  /** Trust anchors. */
  trusted: VCert[];
}

export type VerifyOptions = ValidateOptions & Omit<BuildOptions, 'time'>;

export interface CandidateSummary {
  subjects: string[];
  end: PathEnd;
  code: number;
  errorDepth: number;
}

export interface VerifyResult {
  ok: boolean;
  /** X509_V_ERR number (0 when ok). */
  code: number;
  /** X509_V_ERR name without prefix, e.g. 'CERT_HAS_EXPIRED'. */
  name: string;
  /** OpenSSL's text for `code`. */
  text: string;
  /** Depth of the certificate the first error is about; -1 when ok. */
  errorDepth: number;
  /** The reported path, leaf first, with each link's verdict and findings. */
  chain: LinkReport[];
  /** Every finding of the reported path, first (the one `code` names) first. */
  errors: Finding[];
  /** Weak algorithms and other notes that did not fail verification. */
  warnings: Finding[];
  candidatesTried: number;
  candidates: CandidateSummary[];
  /** What revocation checking found for the reported path (with --crl_check/--crl_check_all or an OCSP response). */
  revocation?: RevocationReport;
  /** The policy processing of the reported path (with a policy option). */
  policy?: PolicyReport;
}

export function verifyChain(input: VerifyInput, opts: VerifyOptions = {}): VerifyResult {
  const time = opts.time ?? new Date();
  const paths = buildPaths(input.target, { trusted: input.trusted, untrusted: input.untrusted ?? [] }, { ...opts, time });
  const reports = paths.map((p) => ({ p, r: validatePath(p, { ...opts, time }) }));
  const summaries: CandidateSummary[] = reports.map(({ p, r }) => ({ subjects: p.certs.map((c) => c.label), end: p.end, code: r.code, errorDepth: r.errorDepth }));
  // The first path that passes; otherwise the first complete path (as OpenSSL reports the path it built), else the first.
  const chosen = reports.find((x) => x.r.ok) ?? reports[0]!;
  const e = verifyError(chosen.r.code);
  return {
    ok: chosen.r.ok,
    code: chosen.r.code,
    name: e.name,
    text: e.text,
    errorDepth: chosen.r.errorDepth,
    chain: chosen.r.chain,
    errors: chosen.r.findings,
    warnings: chosen.r.chain.flatMap((l) => l.warnings),
    candidatesTried: reports.length,
    candidates: summaries,
    ...(chosen.r.revocation ? { revocation: chosen.r.revocation } : {}),
    ...(chosen.r.policy ? { policy: chosen.r.policy } : {}),
  };
}

/** The explanation as text: OpenSSL's line, then each finding with its certificate, rule and fix. */
export function formatResult(r: VerifyResult, name: string): string {
  const lines: string[] = [];
  if (r.ok) lines.push(`${name}: OK`);
  else {
    const at = r.chain[r.errorDepth];
    if (at) lines.push(at.subject);
    lines.push(`error ${r.code} at ${r.errorDepth} depth lookup: ${r.text}`, `error ${name}: verification failed`);
  }
  lines.push('', `Chain (${r.chain.length} certificate${r.chain.length === 1 ? '' : 's'}; ${r.candidatesTried} candidate path${r.candidatesTried === 1 ? '' : 's'} tried):`);
  for (const l of r.chain) {
    const mark = l.verdict === 'ok' ? 'ok' : l.verdict === 'warning' ? 'warning' : 'FAIL';
    lines.push(`  ${l.depth} [${mark}] ${l.subject}   (${l.source})`);
    if (l.depth === r.chain.length - 1 && l.issuer !== l.subject) lines.push(`      issuer: ${l.issuer}`);
    for (const e of [...l.errors, ...l.warnings]) {
      const kind = l.errors.includes(e) ? 'error' : 'warning';
      lines.push(`      ${kind} ${e.code} ${e.name}: ${e.detail}`, `        rule: ${e.rule}`, `        means: ${e.meaning}`, `        fix: ${e.fix}`);
    }
  }
  if (r.revocation) {
    lines.push('', 'Revocation:');
    const o = r.revocation.ocsp;
    if (o) {
      const resp = o.response;
      lines.push(`  OCSP (depth 0): ${o.status}${o.code ? ` [error ${o.code} ${o.name}]` : ''}${o.responder ? `; responder "${o.responder.subject}" (${o.responder.kind})` : ''}${resp?.thisUpdate ? `; thisUpdate ${resp.thisUpdate}` : ''}${resp?.nextUpdate ? `, nextUpdate ${resp.nextUpdate}` : ''}${resp?.revocationTime ? `; revoked ${resp.revocationTime}${resp.reason ? ` (${resp.reason})` : ''}` : ''}`);
      for (const c of o.checks) lines.push(`      checked: ${c}`);
    }
    for (const s of r.revocation.crl) {
      lines.push(`  CRL (depth ${s.depth}): ${s.status}${s.crl ? ` by ${s.crl.source} (issuer ${s.crl.issuer}, thisUpdate ${s.crl.thisUpdate}${s.crl.nextUpdate ? `, nextUpdate ${s.crl.nextUpdate}` : ''})` : ''}${s.revocationDate ? `; revoked ${s.revocationDate} (${s.reason})` : ''}`);
      for (const p of s.passedOver) lines.push(`      passed over: ${p}`);
    }
  }
  if (r.policy) {
    const p = r.policy;
    lines.push('', `Policy: ${p.result}; explicit policy ${p.explicitRequired ? 'required' : 'not required'}; authority set: ${p.authority.join(', ') || '<empty>'}; user set: ${p.user.join(', ') || '<empty>'} (${p.nodes} tree nodes)`);
    for (const t of p.trace) lines.push(`  ${t}`);
  }
  if (r.candidates.length > 1) {
    lines.push('', 'Other candidate paths:');
    for (const c of r.candidates) lines.push(`  ${c.subjects.join(' <- ')}  [${c.end}${c.code ? `, error ${c.code} at depth ${c.errorDepth}` : ', OK'}]`);
  }
  return lines.join('\n') + '\n';
}
