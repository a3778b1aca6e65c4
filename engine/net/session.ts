// The idiomatic API over the sans-IO connection: `connect()` and `createServer()` on Node sockets, for the
// CLI and the extension. Every trace event is re-emitted as 'trace'; peer silence ends in a timeout error.
import { DEFAULT_LIMITS } from '../conn/limits';
import { SessionCache12 } from '../handshake/tls12/session';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { TlsConnection } from '../conn/connection';
import type { ConnectionConfig } from '../conn/config';
import type { NegotiatedSession } from '../conn/types';
import type { TraceEvent } from '../trace/events';
import { SingleUseTicketCache } from '../conn/session-ticket';
import { nobleProvider } from '../crypto/noble';
import type { CryptoProvider } from '../crypto/provider';

export type SessionOptions = Omit<ConnectionConfig, 'side' | 'provider'> & {
  provider?: CryptoProvider;
  /** Milliseconds the handshake may take before the session fails (default 10 s). */
  handshakeTimeoutMs?: number;
};

export class TlsSessionError extends Error {
  constructor(message: string, readonly alert?: string, readonly fromPeer = false) {
    super(message);
    this.name = 'TlsSessionError';
  }
}

/**
 * A TLS connection on a socket. Events: 'trace' (TraceEvent), 'secure' (NegotiatedSession), 'data' (Uint8Array,
 * then `{ early: true }` for 0-RTT early data, which may arrive before 'secure' and may be a replay),
 * 'client-certificate' (NegotiatedSession, on a server, after post-handshake authentication succeeded),
 * 'end' (the peer sent close_notify), 'close', 'error' (TlsSessionError).
 */
export class TlsSession extends EventEmitter {
  readonly conn: TlsConnection;
  private timer?: NodeJS.Timeout;
  private ended = false;
  private closedEmitted = false;
  private phaSeen = 0;
  private failed = false;
  private readonly secured: Promise<NegotiatedSession>;
  bytesIn = 0;
  bytesOut = 0;

  constructor(readonly socket: net.Socket, side: 'client' | 'server', opts: SessionOptions) {
    super();
    const { provider, handshakeTimeoutMs, ...rest } = opts;
    this.conn = new TlsConnection({ ...rest, side, provider: provider ?? nobleProvider() });
    // Trace events are built only while someone listens to 'trace': each costs objects per record otherwise.
    const forward = (e: TraceEvent) => this.emit('trace', e);
    this.on('newListener', (ev) => {
      if (ev === 'trace') this.conn.onEvent = forward;
    });
    this.on('removeListener', (ev) => {
      if (ev === 'trace' && this.listenerCount('trace') === 0) this.conn.onEvent = undefined;
    });
    socket.setNoDelay(true); // records are whole messages: send each flight at once
    this.secured = new Promise((resolve, reject) => {
      this.once('secure', resolve);
      this.once('error', reject);
    });
    this.secured.catch(() => undefined); // observed through handshake(); avoid an unhandled rejection
    const ms = handshakeTimeoutMs ?? this.conn.limits.handshakeTimeoutMs;
    // A deadline for the whole handshake, not an idle timer: a peer trickling a byte at a time (slowloris) ends too.
    this.timer = setTimeout(() => this.fail(new TlsSessionError(`handshake timed out after ${ms / 1000} s in state ${this.conn.handshakeState} (limit handshakeTimeoutMs): ${this.bytesIn ? `the peer sent only ${this.bytesIn} bytes` : 'the peer went silent'}`)), ms);
    socket.on('data', (b: Buffer) => {
      if (this.failed) return; // lingering after our fatal alert: nothing more is read
      this.bytesIn += b.length;
      this.conn.receive(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
      this.pump();
    });
    socket.on('end', () => {
      if (this.conn.status === 'handshaking') this.fail(new TlsSessionError(`the peer closed the TCP connection during the handshake (state ${this.conn.handshakeState}, ${this.bytesIn} bytes received)`));
      else if (this.conn.status === 'open' || this.conn.status === 'closing') this.emitEnd(false);
      socket.end();
    });
    socket.on('error', (e) => this.fail(new TlsSessionError(`socket error: ${e.message}`)));
    socket.on('close', () => {
      clearTimeout(this.timer);
      if (!this.closedEmitted) {
        this.closedEmitted = true;
        this.emit('close');
      }
      this.conn.wipe(); // the socket is gone: no key is needed again
    });
  }

  /** Starts the handshake (clients send their ClientHello; servers wait). */
  begin(): void {
    this.conn.start();
    this.pump();
  }

  handshake(): Promise<NegotiatedSession> {
    return this.secured;
  }

  /** Sends now if the connection can (a server may send 0.5-RTT data after its Finished), else once the handshake is done. */
  write(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    if (this.queued.length || !this.conn.canWrite) this.queued.push(bytes);
    else this.conn.write(bytes);
    this.pump();
  }

  private queued: Uint8Array[] = [];
  /** The parameters 'secure' (or the last 'renegotiated') reported. */
  private reported?: NegotiatedSession;

  keyUpdate(requestPeer: boolean): void {
    this.conn.keyUpdate(requestPeer);
    this.pump();
  }

  /** TLS 1.2 and older: renegotiate (client) or ask the client to (server); 'secure' is emitted again when done. */
  renegotiate(): void {
    this.conn.renegotiate();
    this.pump();
  }

  /**
   * Server: post-handshake authentication (RFC 8446 section 4.6.2): sends a CertificateRequest now; when the
   * client's certificate has been verified, 'client-certificate' is emitted. Throws if it cannot be asked (the
   * client did not offer post_handshake_auth, the handshake is not done, or a request is pending).
   */
  requestClientCertificate(): void {
    this.conn.requestClientCertificate();
    this.pump();
  }

  /** close_notify, then the TCP FIN. */
  end(): void {
    this.conn.close();
    this.pump();
    this.socket.end();
  }

  destroy(): void {
    clearTimeout(this.timer);
    this.socket.destroy();
  }

  /**
   * Everything the connection produced, in one socket write: a flight of several records sent record by record
   * meets Nagle's algorithm and the peer's delayed ACK, which cost a TLS 1.2 handshake about 40 ms on loopback.
   */
  private flushOut(): void {
    const chunks = this.conn.takeOutgoingPieces();
    if (!chunks.length) return;
    if (this.socket.destroyed) return;
    // Several records go out as one writev (cork/uncork): one system call, no copy to join them.
    if (chunks.length > 1) this.socket.cork();
    for (const c of chunks) {
      this.bytesOut += c.length;
      this.socket.write(c);
    }
    if (chunks.length > 1) this.socket.uncork();
  }

  private pump(): void {
    this.flushOut();
    const status = this.conn.status;
    if (status === 'failed') {
      const err = this.conn.error!;
      const fromPeer = err.name === 'PeerAlertError';
      this.fail(new TlsSessionError(err.message, (err as { alert?: string }).alert, fromPeer), !fromPeer);
      return;
    }
    if ((status === 'open' || status === 'peer-closed' || status === 'closing' || status === 'closed') && this.conn.negotiated && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.reported = this.conn.negotiated;
      this.emit('secure', this.conn.negotiated);
    } else if (this.reported && this.conn.negotiated && this.conn.negotiated !== this.reported) {
      // A renegotiation finished (TLS 1.2 and older): the new parameters.
      this.reported = this.conn.negotiated;
      this.emit('renegotiated', this.conn.negotiated);
    }
    if (this.queued.length && this.conn.canWrite) {
      for (const b of this.queued.splice(0)) this.conn.write(b);
      this.flushOut();
    }
    while (this.conn.readableBytes > 0) {
      const early = this.conn.nextReadIsEarly;
      const chunk = this.conn.read(1 << 16);
      if (early) this.emit('data', chunk, { early: true });
      else this.emit('data', chunk);
    }
    if (this.conn.postHandshakeAuths !== this.phaSeen && this.conn.negotiated) {
      this.phaSeen = this.conn.postHandshakeAuths;
      this.emit('client-certificate', this.conn.negotiated);
    }
    if ((status === 'peer-closed' || status === 'closed') && !this.ended) this.emitEnd(true);
  }

  private emitEnd(cleanly: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('end', cleanly);
  }

  private fail(e: TlsSessionError, alertSent = false): void {
    if (this.failed) return;
    this.failed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.listenerCount('error') > 0) this.emit('error', e);
    if (alertSent && !this.socket.destroyed) {
      // Our fatal alert is written: send FIN after it and read (and drop) what the peer still sends for a moment.
      // Closing at once with the peer's records unread makes the kernel answer with a RST, and a RST can discard
      // the alert on the peer's side before it is read: the peer would see "connection reset", not the reason.
      this.socket.end();
      this.socket.resume();
      setTimeout(() => this.socket.destroy(), 500).unref();
    } else this.socket.destroy();
  }
}

export interface ConnectOptions extends SessionOptions {
  host: string;
  port: number;
  /** Milliseconds for the TCP connect (default 10 s). */
  connectTimeoutMs?: number;
}

/** Opens a TCP connection and starts a TLS client on it. Resolves once TCP is connected. */
export function connect(opts: ConnectOptions): Promise<TlsSession> {
  const { host, port, connectTimeoutMs, ...rest } = opts;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const ms = connectTimeoutMs ?? rest.limits?.connectTimeoutMs ?? DEFAULT_LIMITS.connectTimeoutMs;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TlsSessionError(`TCP connect to ${host}:${port} timed out after ${ms / 1000} s (limit connectTimeoutMs)`));
    }, ms);
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(new TlsSessionError(`cannot connect to ${host}:${port}: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      const session = new TlsSession(socket, 'client', { ...(rest.serverName === undefined ? { serverName: host } : {}), ...rest });
      resolve(session);
    });
  });
}

/**
 * A TCP server whose connections run the TLS server side; `onSession` sees each before its handshake. With
 * `maxEarlyData`, the server gets one single-use ticket cache (RFC 8446 section 8.1) shared by all its
 * connections, so a ticket's 0-RTT data is accepted at most once by this server.
 */
export function createServer(opts: SessionOptions, onSession: (s: TlsSession) => void): net.Server {
  // One ticket key per server, so a client can resume with any of its connections (RFC 8446 section 4.6.1).
  const withKey = {
    ...opts,
    ...(opts.ticketKey ? {} : { ticketKey: globalThis.crypto.getRandomValues(new Uint8Array(32)) }),
    ...((opts.maxEarlyData ?? 0) > 0 && !opts.antiReplay ? { antiReplay: new SingleUseTicketCache() } : {}),
    ...(opts.sessionCache ? {} : { sessionCache: new SessionCache12() }),
  };
  return net.createServer((socket) => {
    const s = new TlsSession(socket, 'server', withKey);
    onSession(s);
    s.begin();
  });
}
