// The one typed message protocol between the extension host and its webviews. Both sides import this file.
// Trace events cross in their documented JSON form (engine/trace/events.ts: bytes as hex strings), so what the
// panel shows is exactly what `tlslens connect --json` prints. Key material never crosses.
import type { CertificateInfo, DecodedObject } from '../../engine/x509/types';
import type { Problem } from '../../engine/x509/file';
import type { ScanReport } from '../../engine/scan/types';

export const PROTOCOL_VERSION = 4;

// ---- certificate panel ----

/** A decoded block as the panel shows it: no DER bytes, no key material. */
export interface BlockView {
  index: number;
  label: string;
  startLine: number;
  endLine: number;
  summary: string;
  object?: DecodedObject;
  problem?: Problem;
}

// ---- session panel ----

/**
 * A TraceEvent in its JSON form: every Uint8Array field is a lower-case hex string. `seq` numbers the events of
 * one session from 1, so a view that is sent an event twice (a backlog and a batch overlapping) shows it once.
 */
export type TraceEventJson = Record<string, unknown> & { kind: string; t: number; side: 'client' | 'server'; seq?: number };

export interface SessionTarget {
  /** 'connect' for Connect to Host, 'serve' for Serve TLS here. */
  mode: 'connect' | 'serve';
  host: string;
  port: number;
  protocol: 'TLS' | 'DTLS';
  /** The options in force, as words (versions, SNI, ALPN, suites, groups...). */
  settings: { label: string; value: string }[];
}

export interface SessionSummary {
  ok: boolean;
  version?: string;
  suite?: string;
  group?: string;
  signatureScheme?: string;
  alpn?: string;
  resumed?: boolean;
  helloRetry?: boolean;
  serverName?: string;
  /** The peer's chain, decoded, leaf first. */
  chain: CertificateInfo[];
  verification: {
    state: 'not-performed' | 'ok' | 'failed';
    text: string;
    /** X509_V_ERR number (0 = OK), as `openssl verify` and s_client's "Verify return code" give it. */
    code?: number;
    /** Per certificate of the path, leaf first: the verdict and what would fix each finding. */
    links?: { subject: string; source: string; verdict: 'ok' | 'warning' | 'error'; findings: { name: string; text: string; fix: string }[] }[];
  };
  /**
   * Revocation, as far as it can be known without fetching anything: the stapled OCSP response judged against the
   * peer's chain (RFC 6960, as `openssl ocsp` does), and where each certificate says its status can be asked.
   */
  revocation?: {
    /** Whether the client asked for a staple (status_request); without it no staple can come. */
    requested: boolean;
    stapled?: {
      /** good, revoked, unknown, or invalid (the response itself does not verify or is not about this certificate). */
      status: string;
      /** X509_V_ERR: 0 good, 23 revoked, 75 unknown, 96-100 the response's own faults. */
      code: number;
      /** The response itself verified (signature, responder, CertID, times), whatever status it gives. */
      verified: boolean;
      /** One line: openssl ocsp's verdict with ours, e.g. `OCSP response verify OK: good, signed by the issuer "X"`. */
      text: string;
      thisUpdate?: string;
      nextUpdate?: string;
      /** Each problem: what was found, then what would fix it. */
      findings: string[];
    };
    /** Per certificate of `chain` (`depth` its index there): CRL distribution points and OCSP responders, not fetched. */
    pointers: { depth: number; subject: string; crl: string[]; ocsp: string[]; summary: string }[];
  };
  /** Milliseconds: TCP connect, handshake, whole session so far. */
  timings: { label: string; ms: number }[];
  /** The error that ended the session, in plain words, with the alert and its likely causes. */
  error?: { message: string; alert?: string; fromPeer?: boolean; causes?: readonly string[] };
  /** Connect: what the server's CertificateRequest asked for (engine/tools/client-cert-request.ts) and whether our client certificate fits it. */
  certificateRequest?: { lines: string[]; fits?: boolean; reasons?: string[] };
  /** Serve: what the last client offered in its ClientHello, with its JA4 (engine/tools/client-offer.ts), and why it was refused. */
  clientOffer?: { lines: string[]; ja4: string; refusal?: string };
  bytesIn: number;
  bytesOut: number;
}

/** One session as the comparison view takes it: its target and options, summary, and trace. */
export interface SessionSnapshot {
  title: string;
  target: SessionTarget;
  summary?: SessionSummary;
  events: TraceEventJson[];
}

/** Alert names to their RFC meaning and likely causes, so the panel explains alerts without the registry. */
export type AlertGlossary = Record<string, { description: string; causes: readonly string[] }>;

export type ToWebview =
  /**
   * The panel's words in VS Code's display language (vscode.env.language): English source string -> translation, from
   * the extension's l10n bundle and the registries' explanations (webview/shared/l10n.ts), and `sentences`, the
   * templates of the engine's own sentences (engine/l10n/sentences.ts). Sent before a view's init; empty in English.
   */
  | { type: 'l10n'; language: string; strings: Record<string, string>; sentences?: [string, string][] }
  | { type: 'certificates/init'; protocolVersion: number; title: string; blocks: BlockView[]; now: string }
  | { type: 'session/init'; protocolVersion: number; sessionId: string; title: string; target: SessionTarget; glossary: AlertGlossary; events: TraceEventJson[] }
  | { type: 'session/events'; sessionId: string; events: TraceEventJson[] }
  | { type: 'session/summary'; sessionId: string; summary: SessionSummary }
  | { type: 'compare/init'; protocolVersion: number; left: SessionSnapshot; right: SessionSnapshot }
  /** Scan Server's report (engine/scan/types.ts): facts and weaknesses only, no key material. */
  | { type: 'scan/init'; protocolVersion: number; title: string; report: ScanReport }
  /** Where the session stands; a serve session goes back to 'listening' when its last client leaves. */
  | { type: 'session/state'; sessionId: string; state: 'connecting' | 'handshaking' | 'open' | 'closed' | 'failed' | 'listening' };

export type FromWebview =
  | { type: 'ready'; protocolVersion: number }
  | { type: 'openDecode'; index: number }
  | { type: 'revealBlock'; index: number }
  /** Session panel buttons. */
  | { type: 'session/reconnect' }
  | { type: 'session/new' }
  | { type: 'session/close' }
  /** Application data: `text` as UTF-8, or with `hex` the bytes it spells (webview/shared/hex-input.ts). */
  | { type: 'session/send'; text: string; hex?: boolean }
  | { type: 'session/openCertificate'; index: number }
  | { type: 'session/copyJson' }
  /** Compare this session with another open one. */
  | { type: 'session/compare' }
  /** Run the handshake again with one change (version, suites, groups, SNI, ALPN, client certificate, our chain) and compare. */
  | { type: 'session/whatIf' }
  /** Show the recorded key schedule: the host asks the user first and opens it in an editor; secrets never cross. */
  | { type: 'session/keySchedule' }
  /**
   * Take the session elsewhere. The host builds each from what it holds: a pcapng file with the key log in it, the
   * key log alone, a report (summary, chain, verification, decoded trace). Secrets and the capture never cross to the
   * webview: these messages only ask.
   */
  | { type: 'session/saveCapture' }
  | { type: 'session/saveKeyLog' }
  | { type: 'session/report'; format: ReportFormat; action: 'copy' | 'save' }
  /** Scan panel buttons: the report as JSON to the clipboard; the same scan again. */
  | { type: 'scan/copyJson' }
  | { type: 'scan/rescan' };

/** A session report as Markdown (for a ticket) or JSON (for tools). */
export type ReportFormat = 'markdown' | 'json';
