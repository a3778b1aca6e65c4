// Drift: is the chain a server sends the one in the workspace, and does the served leaf match the workspace key?
// Compares certificate by certificate (SHA-256 of the DER), checks the key with the very calls a server makes at
// start-up (tools/check-key.ts), and says how far each certificate is from expiry. Each difference is a finding with
// the workspace line it is about, so the editor can show it as a diagnostic. Pure: bytes in, a report out.
import { decodeCertificate } from '../x509/certificate';
import { decodeBytes } from '../x509/decode';
import type { CertificateInfo } from '../x509/types';
import { checkKey, findPrivateKey } from './check-key';

export interface DriftInput {
  /** What the server sent, leaf first (DER). */
  served: Uint8Array[];
  /** The workspace's certificate file (PEM or DER; the leaf first, then its chain) and where it came from. */
  certificate: { name: string; bytes: Uint8Array };
  /** A separate chain file (Apache's SSLCertificateChainFile, a Secret's ca.crt), appended after the certificate's. */
  chain?: { name: string; bytes: Uint8Array };
  /** The workspace's private key (its own file, or the certificate file when it holds both). */
  key?: { name: string; bytes: Uint8Array };
  passphrase?: string;
  now?: Date;
}

export interface DriftCert {
  subject: string;
  sha256: string;
  notAfter: string;
  /** Whole days until notAfter (negative once expired). */
  daysLeft: number;
  /** 0-based line of its BEGIN in the workspace file, when it is from there. */
  line?: number;
  file?: string;
}

export interface DriftFinding {
  severity: 'error' | 'warning' | 'info';
  /** Stable names for tests and filters. */
  code: 'leaf-differs' | 'chain-differs' | 'chain-order' | 'missing-in-served' | 'extra-in-served' | 'key-mismatch' | 'key-unreadable' | 'expired' | 'expires-soon' | 'served-older' | 'served-newer';
  message: string;
  file?: string;
  line?: number;
}

export interface DriftReport {
  /** Every certificate the same, in the same order. */
  sameChain: boolean;
  sameLeaf: boolean;
  /** The workspace key matches the served leaf (undefined without a key). */
  keyMatchesServed?: boolean;
  served: DriftCert[];
  workspace: DriftCert[];
  findings: DriftFinding[];
}

export class DriftError extends Error {
  constructor(readonly field: 'served' | 'certificate' | 'chain' | 'key', message: string) {
    super(`drift ${field}: ${message}`);
    this.name = 'DriftError';
  }
}

const DAY = 86_400_000;

function describe(info: CertificateInfo, now: Date, at?: { file: string; line: number }): DriftCert {
  return {
    subject: info.subject.text, sha256: info.fingerprints.sha256, notAfter: info.validity.notAfter,
    daysLeft: Math.floor((Date.parse(info.validity.notAfter) - now.getTime()) / DAY),
    ...(at ? { file: at.file, line: at.line } : {}),
  };
}

/** The certificates of a workspace file, in file order, with their lines. */
function fileCerts(f: { name: string; bytes: Uint8Array }, field: 'certificate' | 'chain', now: Date): DriftCert[] {
  const items = decodeBytes(f.bytes).items.filter((i) => i.object?.kind === 'certificate');
  if (!items.length) throw new DriftError(field, `no certificate in ${f.name}`);
  return items.map((i) => describe((i.object as { certificate: CertificateInfo }).certificate, now, { file: f.name, line: i.range.startLine }));
}

/** Days before expiry from which a certificate is flagged (as tlsLens.diagnostics.expiryWarningDays defaults). */
export const EXPIRY_WARNING_DAYS = 30;

export function compareDrift(input: DriftInput): DriftReport {
  const now = input.now ?? new Date();
  if (!input.served.length) throw new DriftError('served', 'the server sent no certificate');
  const served = input.served.map((d, i) => {
    try {
      return describe(decodeCertificate(d), now);
    } catch (e) {
      throw new DriftError('served', `certificate ${i} does not decode: ${(e as Error).message}`);
    }
  });
  const workspace = [...fileCerts(input.certificate, 'certificate', now), ...(input.chain ? fileCerts(input.chain, 'chain', now) : [])];
  const findings: DriftFinding[] = [];
  const at = (c: DriftCert) => (c.file !== undefined ? { file: c.file, line: c.line! } : {});
  const sameLeaf = served[0]!.sha256 === workspace[0]!.sha256;
  if (!sameLeaf) {
    const w = workspace[0]!;
    const s = served[0]!;
    const newer = Date.parse(s.notAfter) > Date.parse(w.notAfter);
    findings.push({ severity: 'error', code: 'leaf-differs', ...at(w), message: `the server sends a different certificate: "${s.subject}" (SHA-256 ${s.sha256.slice(0, 23)}…, valid until ${s.notAfter}) instead of this one ("${w.subject}", ${w.sha256.slice(0, 23)}…, valid until ${w.notAfter})` });
    if (s.notAfter !== w.notAfter)
      findings.push({ severity: 'info', code: newer ? 'served-newer' : 'served-older', ...at(w), message: newer ? 'the served certificate expires later: the server has a renewed certificate this file does not have yet' : 'the served certificate expires sooner: this file was renewed but the server was not reloaded (or still reads another file)' });
  }
  // The chain after the leaf: the same set in the same order, or what is missing, extra or out of order.
  const sRest = served.slice(1).map((c) => c.sha256);
  const wRest = workspace.slice(1);
  for (const w of wRest) if (!sRest.includes(w.sha256)) findings.push({ severity: 'warning', code: 'missing-in-served', ...at(w), message: `the server does not send "${w.subject}"` });
  for (const s of served.slice(1)) if (!wRest.some((w) => w.sha256 === s.sha256)) findings.push({ severity: 'warning', code: 'extra-in-served', ...at(workspace[0]!), message: `the server sends "${s.subject}", which is not in the workspace file` });
  const common = wRest.filter((w) => sRest.includes(w.sha256)).map((w) => w.sha256);
  const servedOrder = sRest.filter((h) => common.includes(h));
  if (common.join() !== servedOrder.join()) findings.push({ severity: 'warning', code: 'chain-order', ...at(wRest[0]!), message: 'the server sends the same intermediates in another order than the workspace file' });
  const sameChain = sameLeaf && served.length === workspace.length && served.every((s, i) => s.sha256 === workspace[i]!.sha256);
  if (sameLeaf && !sameChain && !findings.length) findings.push({ severity: 'warning', code: 'chain-differs', ...at(workspace[0]!), message: 'the served chain differs from the workspace file' });
  // Expiry: both sides.
  for (const [c, where] of [...served.map((c) => [c, 'served'] as const), ...workspace.map((c) => [c, 'workspace'] as const)]) {
    if (where === 'workspace' && served.some((s) => s.sha256 === c.sha256)) continue; // said once, for the served copy
    if (c.daysLeft < 0) findings.push({ severity: 'error', code: 'expired', ...at(c), message: `${where === 'served' ? 'served' : 'workspace'} certificate "${c.subject}" expired ${-c.daysLeft} days ago (${c.notAfter})` });
    else if (c.daysLeft <= EXPIRY_WARNING_DAYS) findings.push({ severity: 'warning', code: 'expires-soon', ...at(c), message: `${where === 'served' ? 'served' : 'workspace'} certificate "${c.subject}" expires in ${c.daysLeft} days (${c.notAfter})` });
  }
  const report: DriftReport = { sameChain, sameLeaf, served, workspace, findings };
  // The key: against the served leaf, as the server would load it (SSL_CTX_check_private_key).
  const keySource = input.key ?? (findPrivateKey(decodeBytes(input.certificate.bytes).items) ? input.certificate : undefined);
  if (keySource) {
    const r = checkKey({ name: 'the served leaf', bytes: input.served[0]! }, keySource, input.passphrase);
    if (r.status === 2) findings.push({ severity: 'warning', code: 'key-unreadable', file: keySource.name, line: 0, message: `the key could not be checked: ${r.reason}` });
    else {
      report.keyMatchesServed = r.match;
      if (!r.match) findings.push({ severity: 'error', code: 'key-mismatch', file: keySource.name, line: r.key?.line ?? 0, message: `this key does not belong to the certificate the server sends: ${r.reason}` });
    }
  }
  return report;
}

/** The report as lines for a terminal. */
export function driftText(r: DriftReport): string {
  const lines = [
    r.sameChain ? 'Served chain: the same as the workspace\'s' : r.sameLeaf ? 'Served chain: the same leaf, a different chain' : 'Served chain: a DIFFERENT certificate',
    ...(r.keyMatchesServed === undefined ? [] : [`Workspace key: ${r.keyMatchesServed ? 'matches' : 'does NOT match'} the served leaf`]),
    'Served:',
    ...r.served.map((c, i) => `  ${i} ${c.subject}  SHA-256 ${c.sha256}  notAfter ${c.notAfter} (${c.daysLeft} days)`),
    'Workspace:',
    ...r.workspace.map((c, i) => `  ${i} ${c.subject}  SHA-256 ${c.sha256}  notAfter ${c.notAfter} (${c.daysLeft} days)  ${c.file}:${(c.line ?? 0) + 1}`),
  ];
  if (r.findings.length) lines.push('Findings:', ...r.findings.map((f) => `  ${f.severity}: ${f.message}${f.file ? `  (${f.file}:${(f.line ?? 0) + 1})` : ''}`));
  return lines.join('\n') + '\n';
}
