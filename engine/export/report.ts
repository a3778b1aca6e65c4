// A session report to take elsewhere: the summary, the peer's chain, the verification result and the decoded trace,
// as Markdown (for a ticket) or JSON (for tools). Pure: the CLI and the session panel give it what they hold.
// Everything in a report came from the peer or the trace, so Markdown text is escaped; no secret is in a trace event,
// so none is in a report.
import { decodeCertificate } from '../x509/certificate';
import type { CertificateInfo } from '../x509/types';
import type { VerifyResult } from '../x509/verify';
import type { NegotiatedSession } from '../conn/types';
import { groupName } from '../registry/groups';
import { sigSchemeName } from '../registry/sigschemes';
import { suiteName } from '../registry/suites';
import { versionName } from '../registry/versions';
import { formatEvent } from '../trace/format-text';
import type { TraceEvent } from '../trace/events';

export interface ReportTarget {
  mode: 'connect' | 'serve';
  host: string;
  port: number;
  protocol: string;
  settings: { label: string; value: string }[];
}

/** The session panel's summary (webview/shared/protocol.ts SessionSummary has this shape). */
export interface ReportSummary {
  ok: boolean;
  version?: string;
  suite?: string;
  group?: string;
  signatureScheme?: string;
  alpn?: string;
  resumed?: boolean;
  helloRetry?: boolean;
  serverName?: string;
  chain: CertificateInfo[];
  verification: {
    state: 'not-performed' | 'ok' | 'failed';
    text: string;
    code?: number;
    links?: { subject: string; source: string; verdict: 'ok' | 'warning' | 'error'; findings: { name: string; text: string; fix: string }[] }[];
  };
  revocation?: {
    requested: boolean;
    stapled?: { status: string; code: number; verified: boolean; text: string; thisUpdate?: string; nextUpdate?: string; findings: string[] };
    pointers: { depth: number; subject: string; crl: string[]; ocsp: string[]; summary: string }[];
  };
  timings: { label: string; ms: number }[];
  error?: { message: string; alert?: string; fromPeer?: boolean; causes?: readonly string[] };
  bytesIn: number;
  bytesOut: number;
}

/** A trace event in its JSON form (bytes as hex strings), as the panel holds them and `connect --json` prints them. */
export type ReportEvent = Record<string, unknown> & { kind: string; t: number; side: 'client' | 'server'; seq?: number };

export interface ReportInput {
  title: string;
  target: ReportTarget;
  summary?: ReportSummary;
  events: readonly ReportEvent[];
  /** When the report was made (default: now). */
  generatedAt?: Date;
  /** The tool and its version, e.g. 'TLS Lens 0.4.0'. */
  tool?: string;
}

export type ReportFormat = 'markdown' | 'json';

export const REPORT_VERSION = 1;

/** JSON for a file named *.json, Markdown otherwise. */
export function reportFormatFor(file: string): ReportFormat {
  return /\.json$/i.test(file) ? 'json' : 'markdown';
}

export function buildReport(r: ReportInput, format: ReportFormat): string {
  return format === 'json' ? reportJson(r) : reportMarkdown(r);
}

// ---- JSON ---------------------------------------------------------------------------------------------------------

/**
 * `{ kind: 'tlslens-report', reportVersion, generatedAt, tool, title, target, summary, events }`: the summary in the
 * panel's shape (protocol.ts SessionSummary), the events in their documented JSON form.
 */
export function reportJson(r: ReportInput): string {
  return JSON.stringify({
    kind: 'tlslens-report',
    reportVersion: REPORT_VERSION,
    generatedAt: (r.generatedAt ?? new Date()).toISOString(),
    tool: r.tool ?? 'TLS Lens',
    title: r.title,
    target: r.target,
    summary: r.summary ?? null,
    events: r.events,
  }, null, 2) + '\n';
}

// ---- Markdown -----------------------------------------------------------------------------------------------------

/** Text safe in a Markdown paragraph or table cell: no HTML, no table breaks, no emphasis or links from peer data. */
export function mdText(s: unknown): string {
  return String(s ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/([\\`*[\]|#~])/g, '\\$1'); // `_` stays: names like TLS_AES_128_GCM_SHA256 read as they are
}

/** A fenced block whose fence is longer than any run of backticks inside it. */
export function mdFence(body: string, info = 'text'): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body.replace(/\n$/, '')}\n${fence}`;
}

function table(rows: [string, string | undefined][]): string[] {
  const kept = rows.filter(([, v]) => v !== undefined && v !== '');
  if (!kept.length) return [];
  return ['| | |', '| --- | --- |', ...kept.map(([k, v]) => `| ${k} | ${v} |`)];
}

const yesNo = (b: boolean | undefined) => (b === undefined ? undefined : b ? 'yes' : 'no');

function certificateSection(c: CertificateInfo, i: number): string[] {
  const sans = c.subjectAltNames.map((n) => `${n.type === 'dns' ? 'DNS' : n.type === 'ip' ? 'IP' : n.type}:${n.value}`).join(', ');
  return [
    `### ${i}. ${mdText(c.subject.text || '(empty subject)')}`,
    '',
    ...table([
      ['Issuer', mdText(c.issuer.text)],
      ['Valid', `${mdText(c.validity.notBefore)} to ${mdText(c.validity.notAfter)} (${mdText(c.validity.state)}, ${mdText(c.validity.relative)})`],
      ['Subject alternative names', sans ? mdText(sans) : undefined],
      ['Key', mdText(c.publicKey.description)],
      ['Signature', mdText(c.signatureAlgorithm)],
      ['Serial', mdText(c.serialHex)],
      ['CA', c.isCA ? 'yes' : 'no'],
      ['SHA-256', `\`${c.fingerprints.sha256}\``],
      ['SPKI SHA-256', `\`${c.publicKey.spkiSha256}\``],
    ]),
    '',
  ];
}

/** Byte fields of handshake messages whose length the text printer shows: hex strings in the JSON form. */
const BYTE_FIELDS = new Set(['point', 'dhP', 'dhG', 'dhYs', 'dhYc', 'encryptedPreMasterSecret', 'ocspResponse']);

function revive(e: ReportEvent): TraceEvent {
  if (e.kind !== 'handshake' || typeof e.fields !== 'object' || e.fields === null) return e as unknown as TraceEvent;
  const fields: Record<string, unknown> = { ...(e.fields as Record<string, unknown>) };
  for (const k of Object.keys(fields)) {
    const v = fields[k];
    if (BYTE_FIELDS.has(k) && typeof v === 'string' && /^(?:[0-9a-f]{2})*$/i.test(v)) fields[k] = new Uint8Array(v.length / 2);
  }
  return { ...e, fields } as unknown as TraceEvent;
}

/** The decoded trace, a line per event (records and key changes too), as `tlslens connect --msg` prints it. */
export function traceLines(events: readonly ReportEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    try {
      const line = formatEvent(revive(e), { records: true });
      if (line) out.push(line);
    } catch {
      out.push(`${e.side === 'client' ? 'C' : 'S'} ${(Number(e.t) / 1000).toFixed(3).padStart(7)}s    ${String(e.kind)} (not shown: unexpected fields)`);
    }
  }
  return out;
}

export function reportMarkdown(r: ReportInput): string {
  const s = r.summary;
  const t = r.target;
  const when = (r.generatedAt ?? new Date()).toISOString();
  const lines: string[] = [
    `# ${mdText(r.title)}`,
    '',
    `${mdText(t.mode === 'connect' ? `Connection to ${t.host}:${t.port}` : `Server listening on ${t.host}:${t.port}`)} over ${mdText(t.protocol)}; report made ${mdText(when)} by ${mdText(r.tool ?? 'TLS Lens')}.`,
    '',
    '## Summary',
    '',
  ];
  if (!s) lines.push('No summary: the session had not reached the end of its handshake.', '');
  else {
    lines.push(...table([
      ['Result', s.ok ? 'handshake completed' : `**failed**${s.error ? `: ${mdText(s.error.message)}` : ''}`],
      ['Alert', s.error?.alert ? `${mdText(s.error.alert)} (${s.error.fromPeer ? 'sent by the peer' : 'sent by us'})` : undefined],
      ['Protocol', s.version ? mdText(s.version) : undefined],
      ['Cipher suite', s.suite ? mdText(s.suite) : undefined],
      ['Key exchange group', s.group ? mdText(s.group) : undefined],
      ['Peer signature', s.signatureScheme ? mdText(s.signatureScheme) : undefined],
      ['ALPN', s.alpn ? mdText(s.alpn) : s.version ? '(none)' : undefined],
      ['Server name (SNI)', s.serverName ? mdText(s.serverName) : undefined],
      ['Resumed', yesNo(s.resumed)],
      ['HelloRetryRequest', yesNo(s.helloRetry)],
      ['Bytes received / sent', `${s.bytesIn} / ${s.bytesOut}`],
    ]), '');
    if (s.error?.causes?.length) lines.push('Likely causes:', '', ...s.error.causes.map((c) => `- ${mdText(c)}`), '');
  }
  if (t.settings.length) lines.push('### Settings', '', ...table(t.settings.map((x) => [mdText(x.label), mdText(x.value)])), '');
  if (s?.timings.length) lines.push('### Timings', '', ...table(s.timings.map((x) => [mdText(x.label.trim()), `${x.ms} ms`])), '');

  lines.push('## Certificate chain', '');
  if (!s?.chain.length) lines.push('The peer sent no certificate (or none that decodes).', '');
  else s.chain.forEach((c, i) => lines.push(...certificateSection(c, i)));

  lines.push('## Verification', '');
  if (!s) lines.push('Not performed.', '');
  else {
    const v = s.verification;
    lines.push(`**${v.state === 'ok' ? 'OK' : v.state === 'failed' ? 'Failed' : 'Not performed'}**${v.code !== undefined ? ` (X509_V_ERR ${v.code})` : ''}: ${mdText(v.text)}`, '');
    if (v.links?.length) {
      lines.push('| Depth | Certificate | From | Verdict | Findings |', '| --- | --- | --- | --- | --- |');
      v.links.forEach((l, i) => lines.push(`| ${i} | ${mdText(l.subject)} | ${mdText(l.source)} | ${l.verdict} | ${l.findings.map((f) => `${mdText(f.name)}: ${mdText(f.text)}; fix: ${mdText(f.fix)}`).join('<br>') || '-'} |`));
      lines.push('');
    }
  }
  if (s?.revocation) {
    const rv = s.revocation;
    lines.push('## Revocation', '');
    if (rv.stapled) {
      lines.push(`Stapled OCSP response: ${mdText(rv.stapled.text)}`, '');
      if (rv.stapled.findings.length) lines.push(...rv.stapled.findings.map((f) => `- ${mdText(f)}`), '');
    } else lines.push(rv.requested ? 'No OCSP response was stapled.' : 'No stapled OCSP response was asked for.', '');
    if (rv.pointers.length) lines.push('Where each certificate says its status can be checked (not fetched):', '', ...rv.pointers.map((p) => `- ${p.depth} ${mdText(p.subject)}: ${mdText(p.summary)}`), '');
  }

  const trace = traceLines(r.events);
  lines.push('## Trace', '', `${r.events.length} events (C = client, S = server, >> sent, << received; seconds since the connection began).`, '', mdFence(trace.join('\n')), '');
  return lines.join('\n');
}

// ---- a summary from the engine's own results (the CLI) -------------------------------------------------------------

function decodeChain(ders: readonly Uint8Array[]): CertificateInfo[] {
  const out: CertificateInfo[] = [];
  for (const d of ders) {
    try {
      out.push(decodeCertificate(d));
    } catch {
      // not decodable: the trace still holds its bytes
    }
  }
  return out;
}

/** A verifier's result in the summary's words (as the session panel shows it). */
export function verificationOf(r: VerifyResult, storeName: string, host: string | undefined): ReportSummary['verification'] {
  const first = r.errors[0];
  return {
    state: r.ok ? 'ok' : 'failed',
    code: r.code,
    text: r.ok ? `Verified against ${storeName} for ${host ?? 'this server'} (X509_V_OK).` : `${r.text} (X509_V_ERR ${r.code}, depth ${r.errorDepth}; trust: ${storeName})${first ? `: ${first.fix}` : ''}`,
    links: r.chain.map((l) => ({ subject: l.subject, source: l.source, verdict: l.verdict, findings: [...l.errors, ...l.warnings].map((f) => ({ name: f.name, text: f.text, fix: f.fix })) })),
  };
}

/** The summary of a connection the CLI ran: what was negotiated, the chain, the verdict, the error if any. */
export function summaryFromNegotiated(n: NegotiatedSession | undefined, x: { bytesIn: number; bytesOut: number; host?: string; verify?: VerifyResult; storeName?: string; error?: ReportSummary['error']; timings?: ReportSummary['timings'] }): ReportSummary {
  const s: ReportSummary = {
    ok: !!n && !x.error,
    chain: decodeChain(n?.peerCertificates ?? []),
    verification: x.verify ? verificationOf(x.verify, x.storeName ?? 'the trust anchors', x.host)
      : { state: 'not-performed', text: n?.resumed ? 'A resumed session: the certificate was checked when the session was first made.' : 'Not performed.' },
    timings: x.timings ?? [],
    bytesIn: x.bytesIn,
    bytesOut: x.bytesOut,
    ...(x.error ? { error: x.error } : {}),
  };
  if (n) {
    s.version = versionName(n.version);
    s.suite = suiteName(n.cipherSuite, 'iana');
    if (n.group !== undefined) s.group = groupName(n.group);
    if (n.signatureScheme !== undefined) s.signatureScheme = sigSchemeName(n.signatureScheme);
    if (n.alpn) s.alpn = n.alpn;
    s.resumed = n.resumed;
    s.helloRetry = n.helloRetry;
    if (n.serverName) s.serverName = n.serverName;
  }
  return s;
}
