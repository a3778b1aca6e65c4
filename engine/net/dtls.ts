// DTLS over real UDP sockets: connectDtls() for a client, createDtlsServer() for a server that answers every
// client address with its own association (after a stateless cookie exchange). The sans-IO DtlsConnection does
// the protocol; this file moves datagrams and runs its retransmission timer. Events as TlsSession's: 'trace',
// 'secure', 'data', 'end', 'error', 'close'; and 'datagram' (a DatagramEvent: each whole datagram sent or received,
// for captures).
import dgram from 'node:dgram';
import dns from 'node:dns/promises';
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { nobleProvider } from '../crypto/noble';
import type { CryptoProvider } from '../crypto/provider';
import type { NegotiatedSession } from '../conn/types';
import { HelloCookies } from '../dtls/cookie';
import { DtlsConnection, type DtlsConfig } from '../dtls/connection';
import { TlsSessionError } from './session';

export type DtlsSessionOptions = Omit<DtlsConfig, 'side' | 'provider' | 'peer' | 'cookies'> & {
  provider?: CryptoProvider;
  /** Milliseconds the handshake may take, retransmissions included (default 30 s). */
  handshakeTimeoutMs?: number;
};

/** A whole datagram as it crossed the socket ('datagram' event): its bytes and when (epoch ms, sub-ms precision). */
export interface DatagramEvent {
  dir: 'in' | 'out';
  bytes: Uint8Array;
  t: number;
}

/** One end of a UDP association. */
export interface UdpEndpoint {
  address: string;
  port: number;
}

const preciseNow = () => performance.timeOrigin + performance.now();

export class DtlsSession extends EventEmitter {
  readonly conn: DtlsConnection;
  bytesIn = 0;
  bytesOut = 0;
  /** Our socket's address and port, and the peer's (set by connectDtls and createDtlsServer). */
  local?: UdpEndpoint;
  remote?: UdpEndpoint;
  private timer?: NodeJS.Timeout;
  private deadline?: NodeJS.Timeout;
  private reported?: NegotiatedSession;
  private closed = false;
  readonly secured: Promise<NegotiatedSession>;

  constructor(private readonly send: (d: Uint8Array) => void, side: 'client' | 'server', opts: DtlsSessionOptions & Pick<DtlsConfig, 'peer' | 'cookies'>, private readonly onClose?: () => void) {
    super();
    const { provider, handshakeTimeoutMs, ...rest } = opts;
    this.conn = new DtlsConnection({ ...rest, side, provider: provider ?? nobleProvider() });
    this.conn.onEvent = (e) => this.emit('trace', e);
    this.secured = new Promise((resolve, reject) => {
      this.once('secure', resolve);
      this.once('error', reject);
    });
    this.secured.catch(() => undefined);
    // DTLS's own default is longer than TCP's: lost flights are resent after 1, 2, 4, 8... s (RFC 6347 section 4.2.4.1).
    const ms = handshakeTimeoutMs ?? opts.limits?.handshakeTimeoutMs ?? 30_000;
    this.deadline = setTimeout(() => this.fail(new TlsSessionError(`DTLS handshake timed out after ${ms / 1000} s in state ${this.conn.handshakeState} (limit handshakeTimeoutMs): ${this.bytesIn ? `the peer sent only ${this.bytesIn} bytes` : 'the peer went silent'}`)), ms);
  }

  begin(): void {
    this.conn.start();
    this.pump();
  }

  handshake(): Promise<NegotiatedSession> {
    return this.secured;
  }

  /** One datagram from the peer. */
  receive(d: Uint8Array): void {
    this.bytesIn += d.length;
    if (this.listenerCount('datagram')) this.emit('datagram', { dir: 'in', bytes: d, t: preciseNow() } satisfies DatagramEvent);
    this.conn.receiveDatagram(d);
    this.pump();
  }

  write(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.conn.write(bytes);
    this.pump();
  }

  keyUpdate(): void {
    throw new Error('KeyUpdate is TLS 1.3 only; DTLS 1.2 has no such message');
  }

  renegotiate(): void {
    throw new Error('DTLS renegotiation is not built');
  }

  requestClientCertificate(): void {
    throw new Error('post-handshake authentication is TLS 1.3 only');
  }

  end(): void {
    this.conn.close();
    this.pump();
    this.destroy();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.deadline);
    this.onClose?.();
    this.emit('close');
    this.conn.wipe();
  }

  /** Ends the association with an error (the transport failed, or the handshake timed out). */
  fail(e: TlsSessionError): void {
    if (this.closed) return;
    this.emit('error', e);
    this.destroy();
  }

  private pump(): void {
    for (const d of this.conn.takeDatagrams()) {
      this.bytesOut += d.length;
      if (this.closed) continue;
      this.send(d);
      if (this.listenerCount('datagram')) this.emit('datagram', { dir: 'out', bytes: d, t: preciseNow() } satisfies DatagramEvent);
    }
    const status = this.conn.status;
    if (status === 'failed') {
      const err = this.conn.error!;
      this.fail(new TlsSessionError(err.message, (err as { alert?: string }).alert, err.name === 'PeerAlertError'));
      return;
    }
    if (this.conn.negotiated && this.conn.negotiated !== this.reported) {
      const first = !this.reported;
      this.reported = this.conn.negotiated;
      clearTimeout(this.deadline);
      this.emit(first ? 'secure' : 'renegotiated', this.conn.negotiated);
    }
    while (this.conn.readableBytes > 0) this.emit('data', this.conn.read(1 << 16));
    if (status === 'peer-closed') {
      this.emit('end');
      this.destroy();
      return;
    }
    // The retransmission timer (RFC 6347 section 4.2.4): DTLSv1_get_timeout, then DTLSv1_handle_timeout.
    clearTimeout(this.timer);
    const t = this.conn.getTimeout();
    if (t !== null && !this.closed) {
      this.timer = setTimeout(() => {
        this.conn.handleTimeout();
        this.pump();
      }, Math.max(0, t));
      this.timer.unref?.();
    }
  }
}

/** A DTLS client association over a connected UDP socket. */
export async function connectDtls(opts: DtlsSessionOptions & { host: string; port: number }): Promise<DtlsSession> {
  const { host, port, ...rest } = opts;
  const address = net.isIP(host) ? host : (await dns.lookup(host)).address;
  const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const s = new DtlsSession((d) => socket.send(d), 'client', { ...rest, ...(net.isIP(host) ? {} : { serverName: rest.serverName ?? host }) }, () => socket.close());
  const local = socket.address();
  s.local = { address: local.address, port: local.port };
  s.remote = { address, port };
  socket.on('message', (m) => s.receive(new Uint8Array(m.buffer, m.byteOffset, m.byteLength)));
  // ICMP port unreachable surfaces as ECONNREFUSED on a connected UDP socket.
  socket.on('error', (e) => {
    const code = (e as NodeJS.ErrnoException).code;
    s.fail(new TlsSessionError(code === 'ECONNREFUSED' ? `nothing listens on UDP ${address}:${port} (ICMP port unreachable)` : `UDP: ${code ?? e.message}`));
  });
  return s;
}

export interface DtlsServer {
  socket: dgram.Socket;
  port: number;
  /** Associations now open. */
  readonly sessions: number;
  /** New clients are ignored; those already here go on (serve --naccept). */
  stopAccepting(): void;
  close(): void;
}

/** Most associations kept while their cookie has not come back, and for how long. */
const MAX_AWAITING_COOKIE = 256;
const AWAITING_COOKIE_MS = 10_000;

/** A DTLS server on one UDP socket: one association per client address and port, cookies checked statelessly. */
export async function createDtlsServer(opts: DtlsSessionOptions & { host?: string; port?: number }, onSession: (s: DtlsSession) => void): Promise<DtlsServer> {
  const { host = '127.0.0.1', port = 0, ...rest } = opts;
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  const cookies = new HelloCookies({ provider: rest.provider ?? nobleProvider() });
  const sessions = new Map<string, DtlsSession>();
  // Associations still waiting for their cookie, oldest first: any source address can make one (it may be spoofed),
  // so they are few and short-lived; the rest of the handshake needs the cookie back (RFC 6347 section 4.2.1).
  const awaiting = new Map<string, number>();
  const dropAwaiting = (now: number) => {
    for (const [k, since] of awaiting) {
      if (awaiting.size <= MAX_AWAITING_COOKIE && now - since < AWAITING_COOKIE_MS) break;
      awaiting.delete(k);
      sessions.get(k)?.destroy();
    }
  };
  let accepting = true;
  socket.on('message', (m, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let s = sessions.get(key);
    if (!s) {
      // Only a datagram starting with an epoch-0 handshake record (a ClientHello) opens an association: a stray
      // close_notify or retransmission from one that ended does not (RFC 6347 section 4.2.8's new-epoch-0 rule).
      if (!accepting || m.length < 14 || m[0] !== 22 || m[3] !== 0 || m[4] !== 0 || m[13] !== 1) return;
      s = new DtlsSession((d) => socket.send(d, rinfo.port, rinfo.address), 'server', { ...rest, cookies, peer: { address: rinfo.address, port: rinfo.port } }, () => sessions.delete(key));
      const local = socket.address();
      s.local = { address: local.address, port: local.port };
      s.remote = { address: rinfo.address, port: rinfo.port };
      sessions.set(key, s);
      onSession(s);
      s.begin();
    }
    s.receive(new Uint8Array(m.buffer, m.byteOffset, m.byteLength));
    if (s.conn.awaitingCookie && sessions.has(key)) {
      if (!awaiting.has(key)) awaiting.set(key, Date.now());
      dropAwaiting(Date.now());
    } else awaiting.delete(key);
  });
  await new Promise<void>((resolve) => socket.bind(port, host, resolve));
  return {
    socket,
    port: socket.address().port,
    get sessions() {
      return sessions.size;
    },
    stopAccepting() {
      accepting = false;
    },
    close() {
      for (const s of sessions.values()) s.destroy();
      socket.close();
    },
  };
}
