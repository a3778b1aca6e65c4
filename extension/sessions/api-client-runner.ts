// Connect to Host through OpenSSL's API, as a C program would: SSL_CTX_new, SSL_new, a connect BIO,
// SSL_connect / SSL_read / SSL_write until they stop asking to retry. Every call appears in the panel with its
// return value and SSL_get_error outcome, next to the records and messages that caused it.
import type { KeyObject } from 'node:crypto';
import * as ctxApi from '../../engine/api/ctx';
import * as api from '../../engine/api/ssl';
import { BIO_new_connect, SocketBIO } from '../../engine/api/bio';
import type net from 'node:net';
import { openTransport, type TransportOptions } from '../../engine/transport/open';
import { ERR_drain_strings } from '../../engine/api/err';
import { TLS_client_method } from '../../engine/api/method';
import { EVP_PKEY, X509 } from '../../engine/api/objects';
import { PeerAlertError, ProtocolError } from '../../engine/conn/errors';
import { TlsSessionError } from '../../engine/net/session';
import { sslErrorName } from '../../engine/registry/ssl-errors';
import type { TraceEvent } from '../../engine/trace/events';
import { handshakePhases } from '../../engine/trace/phases';
import { certificateRequestText, fitText, watchCertificateRequests, type CertificateRequestSummary, type ClientCertificateFit } from '../../engine/tools/client-cert-request';
import type { SessionSummary, SessionTarget } from '../../webview/shared/protocol';
import { isIpAddress } from '../../engine/handshake/tls13/common';
import { loadCert } from '../../engine/x509/verify';
import { EventBatcher, revocationView, runnerKeyLog, sessionExports, summarize, verificationView, type RunnerListener, type RunnerState, type SessionExports } from './session-runner';
import { ConnectionCapture, preciseNow, type KeyLog, type SecretSink } from '../../engine/export/capture';
import { t } from '../l10n';
import { KeyScheduleRecorder } from '../../engine/handshake/key-schedule-capture';
import { keyFailureFromTrace } from '../../engine/tools/key-failure';
import { keyScheduleText } from '../../engine/tools/key-schedule-text';
import { nobleProvider } from '../../engine/crypto/noble';
import { TlsConnection } from '../../engine/conn/connection';

export interface ApiClientOptions {
  serverName?: string;
  alpn?: string[];
  cipherSuites?: string[];
  groups?: string[];
  signatureAlgorithms?: string[];
  /** Client certificate chain (DER, leaf first) and its private key. */
  identity?: { chain: Uint8Array[]; key: KeyObject };
  handshakeTimeoutMs?: number;
  /**
   * Trust anchors for the server's chain, as s_client takes them: the system store (SSL_CTX_set_default_verify_paths),
   * a PEM file or a directory (SSL_CTX_load_verify_locations), or none (the chain is shown, not judged).
   */
  trust?: { kind: 'system' } | { kind: 'file' | 'dir'; path: string } | { kind: 'none' };
  /** SSL_CTX_set_min/max_proto_version. */
  minVersion?: number;
  maxVersion?: number;
  /** A proxy and/or a STARTTLS protocol before TLS (engine/transport): their plaintext steps come first in the trace. */
  transport?: Pick<TransportOptions, 'proxy' | 'starttls' | 'name'>;
  /** Record the key schedule (secrets, kept on the host) for Show Key Schedule: only when the user asked for it. */
  recordKeySchedule?: boolean;
}

const RETRY = new Set([api.SSL_ERROR_WANT_READ, api.SSL_ERROR_WANT_WRITE, api.SSL_ERROR_WANT_CONNECT, api.SSL_ERROR_WANT_ACCEPT, api.SSL_ERROR_WANT_ASYNC]);

function alpnWire(list: string[]): Uint8Array {
  const bytes = list.flatMap((p) => [p.length, ...new TextEncoder().encode(p)]);
  return Uint8Array.from(bytes);
}

export class ApiClientRunner {
  private readonly batcher: EventBatcher;
  private ssl?: api.SSL;
  private bio?: SocketBIO;
  private readonly t0 = Date.now();
  private tcpMs?: number;
  private hsMs?: number;
  private error?: TlsSessionError;
  private closed = false;
  private readonly keyLog: KeyLog;
  private readonly capture = new ConnectionCapture('client');
  /** The connection's bytes and secrets, for Save capture and Save key log (host side only). */
  readonly exports: SessionExports;

  /** The key schedule's copies, only with opts.recordKeySchedule; they go with the runner when its panel closes. */
  private readonly recorder?: KeyScheduleRecorder;

  /** The recorded key schedule as text, with what a bad_record_mac or decrypt_error implicates; undefined when not recorded. */
  keySchedule(): string | undefined {
    if (!this.recorder) return undefined;
    return keyScheduleText(this.recorder.snapshot(), keyFailureFromTrace(this.batcher.all));
  }

  constructor(readonly target: SessionTarget, private readonly opts: ApiClientOptions, private readonly listener: RunnerListener) {
    if (opts.recordKeySchedule) this.recorder = new KeyScheduleRecorder();
    this.batcher = new EventBatcher((b) => listener.events(b));
    this.keyLog = runnerKeyLog(listener);
    this.exports = sessionExports([this.capture], this.keyLog);
  }

  get events() {
    return this.batcher.all;
  }

  /** What the server's CertificateRequest asked for and whether our certificate fits it (Connect to Host offers others). */
  certificateRequest?: { request: CertificateRequestSummary; fit?: ClientCertificateFit };
  private requestWatcher?: (e: TraceEvent) => void;

  private push(e: TraceEvent): void {
    this.requestWatcher ??= watchCertificateRequests(this.opts.identity ? { chain: this.opts.identity.chain } : undefined, (request, fit) => (this.certificateRequest = { request, ...(fit ? { fit } : {}) }));
    this.requestWatcher(e);
    this.capture.onTrace(e, preciseNow());
    this.batcher.push(e);
    if (e.kind === 'handshake' && this.traced.length < 64) this.traced.push(e);
  }

  /** The handshake messages, for the phase timings. */
  private readonly traced: TraceEvent[] = [];

  private fail(message: string, alert?: string, fromPeer = false): void {
    this.error = new TlsSessionError(message, alert, fromPeer);
    this.push({ kind: 'error', t: Date.now() - this.t0, side: 'client', message, ...(alert ? { alert } : {}) });
    this.finish('failed');
  }

  /** The context and SSL exactly as a C client would set them up; a setting the API refuses is reported as such. */
  private setUp(socket?: net.Socket): api.SSL | undefined {
    const o = this.opts;
    const ctx = ctxApi.SSL_CTX_new(TLS_client_method())!;
    const check = (ok: boolean, what: string) => {
      if (!ok) this.fail(`${what} failed: ${ERR_drain_strings().join('; ') || 'no reason on the error queue'}`);
      return ok;
    };
    if (o.minVersion && !check(ctxApi.SSL_CTX_set_min_proto_version(ctx, o.minVersion) === 1, 'SSL_CTX_set_min_proto_version')) return undefined;
    if (o.maxVersion && !check(ctxApi.SSL_CTX_set_max_proto_version(ctx, o.maxVersion) === 1, 'SSL_CTX_set_max_proto_version')) return undefined;
    if (o.cipherSuites?.length && !check(ctxApi.SSL_CTX_set_ciphersuites(ctx, o.cipherSuites.join(':')) === 1, 'SSL_CTX_set_ciphersuites')) return undefined;
    if (o.groups?.length && !check(ctxApi.SSL_CTX_set1_groups_list(ctx, o.groups.join(':')) === 1, 'SSL_CTX_set1_groups_list')) return undefined;
    if (o.signatureAlgorithms?.length && !check(ctxApi.SSL_CTX_set1_sigalgs_list(ctx, o.signatureAlgorithms.join(':')) === 1, 'SSL_CTX_set1_sigalgs_list')) return undefined;
    if (o.alpn?.length && !check(ctxApi.SSL_CTX_set_alpn_protos(ctx, alpnWire(o.alpn)) === 0, 'SSL_CTX_set_alpn_protos')) return undefined;
    if (o.identity) {
      if (!check(ctxApi.SSL_CTX_use_certificate(ctx, new X509(o.identity.chain[0]!)) === 1, 'SSL_CTX_use_certificate')) return undefined;
      for (const der of o.identity.chain.slice(1)) ctxApi.SSL_CTX_add_extra_chain_cert(ctx, new X509(der));
      if (!check(ctxApi.SSL_CTX_use_PrivateKey(ctx, new EVP_PKEY(o.identity.key)) === 1, 'SSL_CTX_use_PrivateKey')) return undefined;
    }
    const trust = o.trust ?? { kind: 'system' };
    if (trust.kind === 'system') ctxApi.SSL_CTX_set_default_verify_paths(ctx);
    else if (trust.kind !== 'none' && !check(ctxApi.SSL_CTX_load_verify_locations(ctx, trust.kind === 'file' ? trust.path : null, trust.kind === 'dir' ? trust.path : null) === 1, `SSL_CTX_load_verify_locations(${trust.path})`)) return undefined;
    // The recorder notes the TLS 1.3 HKDF steps through the context's provider (the facade has no API of its own for it).
    if (this.recorder) ctx.provider = this.recorder.wrapProvider(ctx.provider ?? nobleProvider());
    const ssl = api.SSL_new(ctx)!;
    api.SSL_set_trace_callback(ssl, (e) => this.push(e));
    if (o.serverName && !isIpAddress(o.serverName)) api.SSL_set_tlsext_host_name(ssl, o.serverName);
    // As s_client -status: ask for a stapled OCSP response, checked against the chain in the panel.
    api.SSL_set_tlsext_status_type(ssl, api.TLSEXT_STATUSTYPE_ocsp);
    // As s_client -verify_hostname: the name dialled must be in the certificate; SSL_VERIFY_NONE keeps it a report.
    api.SSL_set1_host(ssl, o.serverName ?? this.target.host);
    // A socket already through a proxy or STARTTLS gets a socket BIO, as a C client's SSL_set_fd would.
    this.bio = socket ? new SocketBIO(socket) : BIO_new_connect(`${this.target.host}:${this.target.port}`);
    this.bio.socket.once('connect', () => (this.tcpMs = Date.now() - this.t0));
    // The capture: the real endpoints once connected, and each side's FIN (the BIO reads the socket itself).
    const sock = this.bio.socket;
    this.capture.openedAt ??= preciseNow();
    const established = () => {
      this.capture.establishedAt ??= preciseNow();
      this.capture.setEndpoints(sock);
      this.capture.watch(sock);
    };
    if (socket) established();
    else sock.once('connect', established);
    api.SSL_set_bio(ssl, this.bio, this.bio);
    api.SSL_set_connect_state(ssl);
    return ssl;
  }

  async start(): Promise<void> {
    this.listener.state('connecting');
    let socket: net.Socket | undefined;
    if (this.opts.transport) {
      this.capture.openedAt = preciseNow();
      try {
        // The capture starts at the TCP connect: the proxy's and STARTTLS's bytes go into it as they pass.
        socket = (await openTransport({
          host: this.target.host, port: this.target.port, ...this.opts.transport, onTrace: (e) => this.push(e),
          onConnected: (s) => {
            this.capture.establishedAt = preciseNow();
            this.capture.setEndpoints(s);
          },
        })).socket;
      } catch (e) {
        return this.fail((e as Error).message);
      }
      this.tcpMs = Date.now() - this.t0; // TCP, the proxy and STARTTLS together
      if (this.closed) return void socket.destroy();
    }
    const ssl = this.setUp(socket);
    if (!ssl) return;
    this.ssl = ssl;
    // The secrets for the key log (as SSL_CTX_set_keylog_callback would give them; the facade has none yet): the
    // connection, set up as SSL_connect would make it, reads its onSecret each time a secret is derived.
    (ssl.connection().cfg as { onSecret?: SecretSink }).onSecret = this.keyLog.sink();
    if (this.recorder && ssl.conn instanceof TlsConnection) (ssl.conn.cfg as { keySchedule?: KeyScheduleRecorder }).keySchedule = this.recorder;
    const deadline = Date.now() + (this.opts.handshakeTimeoutMs ?? 10_000);
    for (;;) {
      const r = api.SSL_connect(ssl);
      if (r === 1) break;
      const e = api.SSL_get_error(ssl, r);
      if (RETRY.has(e)) {
        if (e !== api.SSL_ERROR_WANT_CONNECT) this.listener.state('handshaking');
        const left = deadline - Date.now();
        try {
          if (left <= 0) throw new Error('deadline');
          await api.SSL_wait(ssl, left);
        } catch {
          this.bio?.socket.destroy();
          return this.fail(`handshake timed out after ${Math.round((this.opts.handshakeTimeoutMs ?? 10_000) / 1000)} s: SSL_connect kept returning ${sslErrorName(e)} (state ${ssl.conn?.handshakeState ?? 'start'})`);
        }
        continue;
      }
      return this.failFromSsl(ssl, e);
    }
    this.hsMs = Date.now() - this.t0 - (this.tcpMs ?? 0);
    this.batcher.flush();
    this.listener.state('open');
    this.publishSummary();
    void this.readLoop(ssl);
  }

  private failFromSsl(ssl: api.SSL, code: number): void {
    const queue = ERR_drain_strings();
    const err = ssl.conn?.error;
    const bioError = this.bio?.ioError;
    if (err instanceof PeerAlertError) return this.fail(err.message, err.alert, true);
    if (err instanceof ProtocolError) return this.fail(err.message, err.alert, false);
    if (code === api.SSL_ERROR_SYSCALL) {
      return this.fail(bioError ? `cannot connect to ${this.target.host}:${this.target.port}: ${bioError}` : 'the peer closed the TCP connection without a close_notify (SSL_ERROR_SYSCALL)');
    }
    this.fail(`${sslErrorName(code)}${queue.length ? `: ${queue.join('; ')}` : ''}`);
  }

  private async readLoop(ssl: api.SSL): Promise<void> {
    const buf = new Uint8Array(16_384);
    while (!this.closed) {
      const n = api.SSL_read(ssl, buf, buf.length);
      if (n > 0) {
        this.publishSummary();
        continue;
      }
      const e = api.SSL_get_error(ssl, n);
      if (e === api.SSL_ERROR_WANT_READ || e === api.SSL_ERROR_WANT_WRITE) {
        try {
          await api.SSL_wait(ssl, 3_600_000);
        } catch {
          return;
        }
        continue;
      }
      if (e === api.SSL_ERROR_ZERO_RETURN) {
        api.SSL_shutdown(ssl);
        this.bio?.socket.end();
        return this.finish('closed');
      }
      if (this.closed) return;
      return this.failFromSsl(ssl, e);
    }
  }

  send(bytes: Uint8Array): void {
    if (!this.ssl) return;
    void api.SSL_retry(this.ssl, () => api.SSL_write(this.ssl!, bytes, bytes.length)).then(() => this.publishSummary());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ssl?.conn) api.SSL_shutdown(this.ssl);
    this.bio?.socket.end();
    this.finish(this.error ? 'failed' : 'closed');
  }

  private finish(state: RunnerState): void {
    this.batcher.flush();
    this.publishSummary();
    this.listener.state(state);
  }

  private publishSummary(): void {
    const timings = [
      ...(this.tcpMs !== undefined ? [{ label: 'TCP connect', ms: this.tcpMs }] : []),
      ...(this.hsMs !== undefined ? [{ label: 'TLS handshake', ms: this.hsMs }] : []),
      ...handshakePhases(this.traced).map((p) => ({ label: `  ${p.label}`, ms: p.ms })),
      { label: 'session so far', ms: Date.now() - this.t0 },
    ];
    const sock = this.bio?.socket;
    const cr = this.certificateRequest;
    this.listener.summary({
      ...summarize(this.ssl?.conn?.negotiated, { chainDer: [], timings, bytesIn: sock?.bytesRead ?? 0, bytesOut: sock?.bytesWritten ?? 0, host: this.opts.serverName ?? this.target.host, ...(this.error ? { error: this.error } : {}), verification: this.verification(), ...this.revocation() }),
      ...(cr ? { certificateRequest: { lines: certificateRequestText(cr.request), ...(cr.fit ? { fits: cr.fit.fits, reasons: fitText(cr.fit) } : {}) } } : {}),
    });
  }

  private revocationCache?: SessionSummary['revocation'];

  /**
   * The staple and the chain's revocation pointers, computed once after the handshake (a summary goes out on every
   * read). The verified path's certificates are the staple's further issuer candidates: they include the anchor.
   * No staple is asked for yet: the facade has no SSL_set_tlsext_status_type.
   */
  private revocation(): { revocation?: SessionSummary['revocation'] } {
    const n = this.ssl?.conn?.negotiated;
    if (!n || n.resumed) return {};
    if (!this.revocationCache) {
      const issuers = api.SSL_get0_verified_chain(this.ssl!).map((x) => loadCert(x.der));
      this.revocationCache = revocationView(n.peerCertificates, n.ocsp?.der, issuers, true);
    }
    return { revocation: this.revocationCache };
  }

  /** What the SSL's own verification found (SSL_get_verify_result and the path it built), in the panel's words. */
  private verification(): SessionSummary['verification'] {
    const host = this.opts.serverName ?? this.target.host;
    const trust = this.opts.trust ?? { kind: 'system' };
    const n = this.ssl?.conn?.negotiated;
    if (trust.kind === 'none') return { state: 'not-performed', text: t('No trust store was chosen: the chain is shown, not judged.') };
    const v = this.ssl?.verified;
    if (!v) return { state: 'not-performed', text: n?.resumed ? t('A resumed session: the certificate was checked when the session was first made.') : t('Nothing to verify yet.') };
    return verificationView(v.details, trust.kind === 'system' ? t('the system trust store') : trust.path, host);
  }
}
