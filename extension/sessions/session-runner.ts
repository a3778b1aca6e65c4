// Runs TLS sessions for the panel (the server of Serve TLS Here here; the Connect to Host client in
// api-client-runner.ts), and turns what happens into the panel's vocabulary: JSON-form trace events in batches,
// a summary, and a state. No vscode imports: the panel and tests drive it.
import type { AddressInfo, Server } from 'node:net';
import { createServer, type SessionOptions, type TlsSession, type TlsSessionError } from '../../engine/net/session';
import type { NegotiatedSession } from '../../engine/conn/types';
import { ALERTS, alertByName } from '../../engine/registry/alerts';
import { groupName } from '../../engine/registry/groups';
import { sigSchemeName } from '../../engine/registry/sigschemes';
import { suiteName } from '../../engine/registry/suites';
import { versionName } from '../../engine/registry/versions';
import { toJson, type TraceEvent } from '../../engine/trace/events';
import { clientOfferText, watchClientOffers, type ClientOffer } from '../../engine/tools/client-offer';
import { decodeCertificate } from '../../engine/x509/certificate';
import type { CertificateInfo } from '../../engine/x509/types';
import { checkOcspResponse, loadCert, revocationPointers, verifyChain, type VCert, type VerifyResult } from '../../engine/x509/verify';
import { V } from '../../engine/registry/x509-verify-errors';
import { systemAnchors } from '../../engine/x509/system-anchors';
import { isIpAddress } from '../../engine/handshake/tls13/common';
import type { AlertGlossary, SessionSummary, SessionTarget, TraceEventJson } from '../../webview/shared/protocol';
import fs from 'node:fs';
import { capturePcapng, ConnectionCapture, KeyLog, preciseNow } from '../../engine/export/capture';
import { alertText, errorText, findingAdvice, isSimplifiedChinese, t } from '../l10n';

export type RunnerState = 'connecting' | 'handshaking' | 'open' | 'closed' | 'failed' | 'listening';

export interface RunnerListener {
  events(batch: TraceEventJson[]): void;
  summary(s: SessionSummary): void;
  state(s: RunnerState): void;
  /** A file to append every secret to as NSS key log lines (SSLKEYLOGFILE, when the user enabled it), or none. */
  keyLogFile?(): string | undefined;
}

/**
 * What the panel's Save capture and Save key log read. It stays on the extension host: the secrets and the record
 * bytes are never posted to the webview.
 */
export interface SessionExports {
  /** Every connection so far as pcapng, with the key log in a Decryption Secrets Block. */
  pcapng(): Uint8Array;
  /** The NSS key log of every connection so far (empty before any handshake). */
  keyLog(): string;
  /** Connections with bytes in the capture. */
  readonly connections: number;
}

/** Secrets of a runner's connections, also appended to the listener's key log file when there is one. */
export function runnerKeyLog(listener: RunnerListener): KeyLog {
  const log = new KeyLog();
  const file = listener.keyLogFile?.();
  if (file) log.tee((line) => fs.appendFileSync(file, `${line}\n`, { mode: 0o600 }));
  return log;
}

/** The exports of some captured connections and their key log. */
export function sessionExports(captures: readonly ConnectionCapture[], keyLog: KeyLog): SessionExports {
  return {
    pcapng: () => capturePcapng(captures, keyLog),
    keyLog: () => keyLog.text(),
    get connections() {
      return captures.filter((c) => c.segments.length).length;
    },
  };
}

export function alertGlossary(): AlertGlossary {
  return Object.fromEntries(ALERTS.map((a) => [a.name, alertText(a)]));
}

const BATCH_MS = 40;

/** Collects events and forwards them in batches, so a fast handshake does not flood the webview. */
export class EventBatcher {
  private pending: TraceEventJson[] = [];
  private timer?: NodeJS.Timeout;
  readonly all: TraceEventJson[] = [];
  constructor(private readonly flushTo: (batch: TraceEventJson[]) => void) {}
  push(e: TraceEvent): void {
    const j = JSON.parse(toJson(e)) as TraceEventJson;
    j.seq = this.all.length + 1;
    this.all.push(j);
    this.pending.push(j);
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length) this.flushTo(this.pending.splice(0));
  }
}

function decodeChain(ders: Uint8Array[]): CertificateInfo[] {
  const out: CertificateInfo[] = [];
  for (const d of ders) {
    try {
      out.push(decodeCertificate(d));
    } catch {
      // a certificate that does not decode is reported by the trace; the cards show the rest
    }
  }
  return out;
}

function anchors(): VCert[] {
  return systemAnchors().certs;
}

/**
 * Judges the peer's chain as a browser or curl would: against the system trust store, for TLS server
 * authentication, with the host name (or IP) that was dialled.
 */
export function verifyPeer(ders: Uint8Array[], host: string | undefined): SessionSummary['verification'] {
  if (!ders.length) return { state: 'not-performed', text: t('The peer sent no certificate to verify.') };
  try {
    const [leaf, ...rest] = ders.map((d) => loadCert(d));
    const r = verifyChain({ target: leaf!, untrusted: rest, trusted: anchors() }, {
      purpose: 'sslserver', ...(host ? (isIpAddress(host) ? { ip: host } : { hostname: host }) : {}),
    });
    return verificationView(r, t('the system trust store'), host);
  } catch (e) {
    return { state: 'failed', text: t('The chain could not be verified: {0}', errorText(e)) };
  }
}

/** A verifier's result as the panel shows it: the X509_V_ERR code, the fix, and each link's verdict. */
export function verificationView(r: VerifyResult, storeName: string, host: string | undefined): SessionSummary['verification'] {
  const first = r.errors[0];
  return {
    state: r.ok ? 'ok' : 'failed',
    code: r.code,
    text: r.ok ? t('Verified against {0} for {1} (X509_V_OK).', storeName, host ?? t('this server'))
      : first ? t('{0} (X509_V_ERR {1}, depth {2}; trust: {3}): {4}', r.text, r.code, r.errorDepth, storeName, findingAdvice(first))
        : t('{0} (X509_V_ERR {1}, depth {2}; trust: {3})', r.text, r.code, r.errorDepth, storeName),
    links: r.chain.map((l) => ({ subject: l.subject, source: l.source, verdict: l.verdict, findings: [...l.errors, ...l.warnings].map((f) => ({ name: f.name, text: f.text, fix: findingAdvice(f) })) })),
  };
}

/**
 * Revocation as the panel shows it: the staple (if any) judged against the peer's chain with `issuers` (the trust
 * anchors or verified path) as further candidates for its issuer, and each certificate's CRL/OCSP pointers. Nothing
 * is fetched. `depth` follows the chain's certificates that load, as the cards do.
 */
export function revocationView(peer: Uint8Array[], staple: Uint8Array | undefined, issuers: VCert[], requested: boolean, time?: Date): NonNullable<SessionSummary['revocation']> {
  const chain: VCert[] = [];
  for (const d of peer) {
    try {
      chain.push(loadCert(d));
    } catch {
      // not decodable: the cards skip it too
    }
  }
  const out: NonNullable<SessionSummary['revocation']> = {
    requested,
    pointers: revocationPointers(chain).map((p) => ({ depth: p.depth, subject: p.label, crl: p.crlUrls, ocsp: p.ocspUrls, summary: p.summary })),
  };
  if (!staple) return out;
  const v = checkOcspResponse(staple, chain, { issuers, ...(time ? { time } : {}) });
  // A revoked or unknown status comes from a response that verified (as openssl ocsp: "Response verify OK", then the status).
  const problem = v.findings.find((f) => f.code !== V.CERT_REVOKED && f.code !== V.OCSP_CERT_UNKNOWN);
  // "OCSP response verify OK/failure" are openssl ocsp's words, kept as they are; the rest is in the display language.
  const signer = v.responder ? (v.responder.kind === 'issuer' ? t('signed by the issuer "{0}"', v.responder.subject) : t('signed by "{0}" (delegated responder)', v.responder.subject)) : '';
  const text = problem ? `OCSP response verify failure: ${problem.text} (X509_V_ERR ${problem.code})`
    : `OCSP response verify OK: ${v.status}${v.ok ? '' : ` (X509_V_ERR ${v.code}: ${v.text})`}, ${signer}`;
  out.stapled = {
    status: v.status, code: v.code, verified: !problem, text,
    ...(v.response?.thisUpdate ? { thisUpdate: v.response.thisUpdate } : {}),
    ...(v.response?.nextUpdate ? { nextUpdate: v.response.nextUpdate } : {}),
    // The engine's findings name the certificate, in English; in Chinese each says its code's meaning and fix.
    findings: v.findings.map((f) => (isSimplifiedChinese() ? findingAdvice(f) : `${f.detail.charAt(0).toUpperCase()}${f.detail.slice(1)} ${f.fix}`)),
  };
  return out;
}

export function summarize(n: NegotiatedSession | undefined, base: { chainDer: Uint8Array[]; timings: { label: string; ms: number }[]; bytesIn: number; bytesOut: number; error?: TlsSessionError; host?: string; verification?: SessionSummary['verification']; revocation?: SessionSummary['revocation'] }): SessionSummary {
  const s: SessionSummary = {
    ok: !!n && !base.error,
    chain: decodeChain(n?.peerCertificates ?? base.chainDer),
    verification: base.verification ?? (n && n.peerCertificates.length && base.host !== undefined ? verifyPeer(n.peerCertificates, base.host) : { state: 'not-performed', text: n?.resumed ? t('A resumed session: the certificate was checked when the session was first made.') : base.host === undefined && n?.peerCertificates.length ? t('Client certificates are shown, not verified (no client trust store is configured).') : t('Nothing to verify yet.') }),
    timings: base.timings,
    bytesIn: base.bytesIn,
    bytesOut: base.bytesOut,
    ...(base.revocation ? { revocation: base.revocation } : {}),
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
  if (base.error) {
    const row = base.error.alert ? alertByName(base.error.alert) : undefined;
    s.error = { message: base.error.message, ...(base.error.alert ? { alert: base.error.alert } : {}), fromPeer: base.error.fromPeer, ...(row ? { causes: alertText(row).causes } : {}) };
  }
  return s;
}

/** One client of Serve TLS here: its session, how it ended, what it offered. */
interface ServedEntry {
  session: TlsSession;
  error?: TlsSessionError;
  t0: number;
  offer?: ClientOffer;
  refusal?: string;
}

/** Serve TLS here: a server on 127.0.0.1; every client session's events go to the same panel. */
export class ServerRunner {
  private server?: Server;
  private batcher: EventBatcher;
  private readonly sessions = new Set<TlsSession>();
  port = 0;
  private readonly keyLog: KeyLog;
  private readonly captures: ConnectionCapture[] = [];
  /** Every client connection's bytes and secrets, for Save capture and Save key log (host side only). */
  readonly exports: SessionExports;

  constructor(readonly target: SessionTarget, private readonly options: SessionOptions, private readonly listener: RunnerListener) {
    this.batcher = new EventBatcher((b) => listener.events(b));
    this.keyLog = runnerKeyLog(listener);
    this.exports = sessionExports(this.captures, this.keyLog);
  }

  get events(): TraceEventJson[] {
    return this.batcher.all;
  }

  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server = createServer({ ...this.options, onSecret: this.keyLog.sink(this.options.onSecret) }, (s) => {
        const entry: ServedEntry = { session: s, t0: Date.now() };
        // Serve-side analysis: the client's offer and JA4, and why a refused client was refused.
        s.on('trace', watchClientOffers(this.options, 't', { offer: (o) => (entry.offer = o), refusal: (r) => (entry.refusal = r.reason) }));
        this.sessions.add(s);
        const at = preciseNow();
        const capture = ConnectionCapture.fromSocket('server', s.socket, { openedAt: at, establishedAt: at, arrivals: true });
        this.captures.push(capture);
        s.on('trace', capture.listener);
        this.batcher.push({ kind: 'info', t: 0, side: 'server', message: `connection from ${s.socket.remoteAddress}:${s.socket.remotePort}` });
        s.on('trace', (e: TraceEvent) => this.batcher.push(e));
        s.on('secure', () => {
          this.listener.state('open');
          this.publish(entry);
        });
        s.on('error', (e: TlsSessionError) => {
          entry.error = e;
          this.publish(entry);
        });
        s.on('data', (d: Uint8Array) => {
          const text = new TextDecoder().decode(d);
          if (/^(GET|HEAD|POST) /.test(text)) {
            s.write(`HTTP/1.0 200 ok\r\nContent-Type: text/plain\r\n\r\nTLS Lens: ${s.conn.negotiated ? `${versionName(s.conn.negotiated.version)} ${suiteName(s.conn.negotiated.cipherSuite, 'iana')}` : ''}\n`);
            s.end();
          }
        });
        s.on('end', () => s.end());
        s.on('close', () => {
          this.sessions.delete(s);
          this.batcher.flush();
          this.publish(entry);
          if (this.sessions.size === 0 && this.server?.listening) this.listener.state('listening');
        });
      });
      this.server.once('error', reject);
      this.server.listen(this.target.port, this.target.host, () => {
        this.port = (this.server!.address() as AddressInfo).port;
        this.listener.state('listening');
        resolve(this.port);
      });
    });
  }

  send(data: Uint8Array): void {
    for (const s of this.sessions) if (s.conn.status === 'open') s.write(data);
  }

  close(): void {
    for (const s of this.sessions) s.destroy();
    this.server?.close();
    this.batcher.flush();
    this.listener.state('closed');
  }

  private publish(entry: ServedEntry): void {
    this.batcher.flush();
    const s = entry.session;
    this.listener.summary({
      ...summarize(s.conn.negotiated, { chainDer: [], timings: [{ label: 'last session', ms: Date.now() - entry.t0 }], bytesIn: s.bytesIn, bytesOut: s.bytesOut, ...(entry.error ? { error: entry.error } : {}) }),
      ...(entry.offer ? { clientOffer: { lines: clientOfferText(entry.offer), ja4: entry.offer.ja4.ja4, ...(entry.refusal ? { refusal: entry.refusal } : {}) } } : {}),
    });
  }
}
