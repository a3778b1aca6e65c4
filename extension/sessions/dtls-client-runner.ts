// Connect to Host over DTLS (UDP): the engine's DtlsSession, its trace streamed to the panel as the TLS runners do.
// Not through the OpenSSL facade (whose DTLS runs over datagram memory BIOs): this runner owns a real UDP socket.
import { connectDtls, type DtlsSession } from '../../engine/net/dtls';
import { TlsSessionError } from '../../engine/net/session';
import type { SessionSummary, SessionTarget } from '../../webview/shared/protocol';
import { EventBatcher, summarize, verifyPeer, type RunnerListener } from './session-runner';
import type { TraceEvent } from '../../engine/trace/events';

export interface DtlsClientOptions {
  serverName?: string;
  alpn?: string[];
  /** DTLS wire versions: 0xfeff DTLS 1.0, 0xfefd DTLS 1.2. */
  dtlsMin: number;
  dtlsMax: number;
  mtu?: number;
  handshakeTimeoutMs?: number;
}

export class DtlsClientRunner {
  private readonly batcher: EventBatcher;
  private session?: DtlsSession;
  private readonly t0 = Date.now();
  private hsMs?: number;
  private error?: TlsSessionError;
  private closed = false;

  constructor(readonly target: SessionTarget, private readonly opts: DtlsClientOptions, private readonly listener: RunnerListener) {
    this.batcher = new EventBatcher((b) => listener.events(b));
  }

  get events() {
    return this.batcher.all;
  }

  async start(): Promise<void> {
    this.listener.state('connecting');
    try {
      this.session = await connectDtls({
        host: this.target.host, port: this.target.port, dtlsMin: this.opts.dtlsMin, dtlsMax: this.opts.dtlsMax,
        ...(this.opts.serverName ? { serverName: this.opts.serverName } : {}), ...(this.opts.alpn?.length ? { alpn: this.opts.alpn } : {}),
        ...(this.opts.mtu ? { mtu: this.opts.mtu } : {}), handshakeTimeoutMs: this.opts.handshakeTimeoutMs ?? 15_000,
      });
    } catch (e) {
      this.fail(new TlsSessionError(`cannot reach ${this.target.host}:${this.target.port} over UDP: ${(e as Error).message}`));
      return;
    }
    const s = this.session;
    s.on('trace', (e: TraceEvent) => this.batcher.push(e));
    s.on('error', (e: TlsSessionError) => this.fail(e));
    s.on('secure', () => {
      this.hsMs = Date.now() - this.t0;
      this.listener.state('open');
      this.publish();
    });
    s.on('data', () => this.publish());
    s.on('close', () => {
      if (!this.closed && !this.error) this.listener.state('closed');
      this.publish();
    });
    this.listener.state('handshaking');
    s.begin();
  }

  private fail(e: TlsSessionError): void {
    if (this.error) return;
    this.error = e;
    this.batcher.push({ kind: 'error', t: Date.now() - this.t0, side: 'client', message: e.message, ...(e.alert ? { alert: e.alert } : {}) });
    this.batcher.flush();
    this.listener.state('failed');
    this.publish();
  }

  private publish(): void {
    const n = this.session?.conn.negotiated;
    const timings = [
      ...(this.hsMs !== undefined ? [{ label: 'DTLS handshake (with retransmissions, if any)', ms: this.hsMs }] : []),
      { label: 'session so far', ms: Date.now() - this.t0 },
    ];
    const host = this.opts.serverName ?? this.target.host;
    const verification: SessionSummary['verification'] | undefined = n?.peerCertificates.length ? verifyPeer(n.peerCertificates, host) : undefined;
    this.listener.summary(summarize(n, { chainDer: [], timings, bytesIn: this.session?.bytesIn ?? 0, bytesOut: this.session?.bytesOut ?? 0, host, ...(this.error ? { error: this.error } : {}), ...(verification ? { verification } : {}) }));
  }

  send(data: Uint8Array): void {
    this.session?.write(data);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session?.end();
    this.batcher.flush();
    this.listener.state('closed');
  }
}
