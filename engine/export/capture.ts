// What a capture is made of, gathered while a session runs: each connection's wire bytes (the trace's record
// events, exact) with their times and endpoints, and the session's secrets as an NSS key log. The CLI and the
// extension feed these; engine/export/pcapng.ts turns them into a file. Secrets stay in KeyLog objects on the
// host: nothing here puts them in a trace event or a message to a webview.
import type { SecretLabel } from '../handshake/tls13/key-schedule';
import type { Side } from '../trace/events';
import { buildPcapng, type Endpoint, type Flow, type FlowSegment } from './pcapng';

/** The labels of an NSS key log (draft-ietf-tls-keylogfile section 3): TLS 1.2 and older, then TLS 1.3. */
export const KEYLOG_LABELS = [
  'CLIENT_RANDOM',
  'CLIENT_EARLY_TRAFFIC_SECRET', 'EARLY_EXPORTER_MASTER_SECRET',
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET',
] as const satisfies readonly SecretLabel[];

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** One key log line: `LABEL <client_random hex> <secret hex>`. */
export function keyLogLine(label: SecretLabel, clientRandom: Uint8Array, secret: Uint8Array): string {
  return `${label} ${hex(clientRandom)} ${hex(secret)}`;
}

export type SecretSink = (label: SecretLabel, clientRandom: Uint8Array, secret: Uint8Array) => void;

/** The secrets of one or more connections as NSS key log lines, each once, in the order they were derived. */
export class KeyLog {
  private readonly lines: string[] = [];
  private readonly seen = new Set<string>();
  private readonly tees: ((line: string) => void)[] = [];

  /** Every new line is also given to `f` (a file append, SSLKEYLOGFILE). */
  tee(f: (line: string) => void): this {
    this.tees.push(f);
    return this;
  }

  add(label: SecretLabel, clientRandom: Uint8Array, secret: Uint8Array): void {
    const line = keyLogLine(label, clientRandom, secret);
    if (this.seen.has(line)) return;
    this.seen.add(line);
    this.lines.push(line);
    for (const t of this.tees) {
      try {
        t(line);
      } catch {
        // a key log file that cannot be written must not break the session
      }
    }
  }

  /** As `onSecret` for a connection's settings; `also` (e.g. the CLI's --keylog file) still gets every secret. */
  sink(also?: SecretSink): SecretSink {
    return (label, clientRandom, secret) => {
      this.add(label, clientRandom, secret);
      also?.(label, clientRandom, secret);
    };
  }

  get size(): number {
    return this.lines.length;
  }

  /** The key log file's text (a line each, newline-terminated; empty when there is nothing). */
  text(): string {
    return this.lines.map((l) => `${l}\n`).join('');
  }
}

/** A record event as the capture needs it, from a TraceEvent (bytes) or its JSON form (hex). */
export interface RecordLike {
  kind: string;
  t: number;
  side: Side;
  dir?: 'in' | 'out' | string;
  raw?: Uint8Array | string | unknown;
}

function bytesOf(raw: unknown): Uint8Array | undefined {
  if (raw instanceof Uint8Array) return raw;
  if (typeof raw === 'string' && /^(?:[0-9a-fA-F]{2})*$/.test(raw)) return Uint8Array.from(raw.match(/../g) ?? [], (h) => parseInt(h, 16));
  return undefined;
}

/** Wall-clock milliseconds with sub-millisecond precision. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * One TCP connection as it ran: fed the trace of the endpoint we are (`role`), it keeps each record's bytes with the
 * time it was sent or read, and the two FINs. `flow()` gives it to the pcapng writer.
 */
export class ConnectionCapture {
  readonly segments: FlowSegment[] = [];
  readonly fins: Partial<Record<'client' | 'server', number>> = {};
  client?: Endpoint;
  server?: Endpoint;
  openedAt?: number;
  establishedAt?: number;
  /** Epoch milliseconds at the trace's t = 0, for events replayed later (their t only). */
  private base?: number;
  /** When the socket's latest chunk arrived: the time of the records it completed. */
  private arrival?: number;

  constructor(readonly role: Side, opts: { client?: Endpoint; server?: Endpoint; openedAt?: number; establishedAt?: number } = {}) {
    if (opts.client) this.client = opts.client;
    if (opts.server) this.server = opts.server;
    if (opts.openedAt !== undefined) this.openedAt = opts.openedAt;
    if (opts.establishedAt !== undefined) this.establishedAt = opts.establishedAt;
  }

  /**
   * The endpoints of a connected socket (ours is the local one), and when it was connected. With `arrivals`, records
   * received are stamped with the time their bytes arrived (a 'data' listener put first: only for a socket already
   * read in flowing mode, as TlsSession's is), so those that came in one TCP segment stay in one.
   */
  static fromSocket(role: Side, socket: SocketLike, at: { openedAt?: number; establishedAt?: number; arrivals?: boolean } = {}): ConnectionCapture {
    const { arrivals, ...times } = at;
    const c = new ConnectionCapture(role, times);
    c.setEndpoints(socket);
    c.watch(socket);
    if (arrivals && socket.prependListener) socket.prependListener('data', () => (c.arrival = preciseNow()));
    return c;
  }

  setEndpoints(socket: SocketLike): void {
    const local = { address: socket.localAddress ?? '127.0.0.1', port: socket.localPort ?? 0 };
    const remote = { address: socket.remoteAddress ?? '127.0.0.1', port: socket.remotePort ?? 0 };
    if (this.role === 'client') {
      this.client = local;
      this.server = remote;
    } else {
      this.client = remote;
      this.server = local;
    }
  }

  /** Notes each side's FIN: the peer's ('end') and ours ('finish', once everything written is flushed). */
  watch(socket: SocketLike): void {
    const peer = this.role === 'client' ? 'server' : 'client';
    socket.once('end', () => (this.fins[peer] ??= preciseNow()));
    socket.once('finish', () => (this.fins[this.role] ??= preciseNow()));
  }

  /**
   * A trace event of this connection: records of our side are kept (others ignored). `now` is when it happened
   * (default: now, as events arrive live); replayed events give none and are placed by their `t`.
   */
  onTrace(e: RecordLike, now?: number): void {
    // A proxy's or STARTTLS exchange (engine/transport) was on the wire before the records: kept when live (its t counts from the TCP connect).
    if ((e.kind !== 'record' && !(e.kind === 'preamble' && now !== undefined)) || e.side !== this.role) return;
    const data = bytesOf(e.raw);
    if (!data?.length) return;
    // Replayed events are placed from the trace's t = 0: the connection's time if known, else now.
    if (now === undefined) this.base ??= this.establishedAt ?? this.openedAt ?? preciseNow() - e.t;
    const t = now ?? this.base! + e.t;
    this.base ??= t - e.t;
    this.openedAt ??= t;
    const from: Side = e.dir === 'out' ? this.role : this.role === 'client' ? 'server' : 'client';
    this.segments.push({ t, from, data: data.slice() });
  }

  /** A live listener for a session's 'trace' events. */
  readonly listener = (e: RecordLike): void => this.onTrace(e, e.dir === 'in' && this.arrival !== undefined ? this.arrival : preciseNow());

  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.data.length, 0);
  }

  flow(): Flow {
    return {
      transport: 'tcp',
      client: this.client ?? { address: '127.0.0.1', port: 0 },
      server: this.server ?? { address: '127.0.0.1', port: 0 },
      ...(this.openedAt !== undefined ? { openedAt: this.openedAt } : {}),
      ...(this.establishedAt !== undefined ? { establishedAt: this.establishedAt } : {}),
      segments: this.segments,
      fins: { ...this.fins },
      perspective: this.role,
    };
  }
}

/** What a socket must offer a capture: its addresses and the 'end'/'finish' events (a net.Socket does). */
export interface SocketLike {
  localAddress?: string;
  localPort?: number;
  remoteAddress?: string;
  remotePort?: number;
  once(event: 'end' | 'finish', f: () => void): unknown;
  prependListener?(event: 'data', f: () => void): unknown;
}

/** A whole datagram as a DtlsSession reports it ('datagram' event). */
export interface DatagramLike {
  dir: 'in' | 'out';
  bytes: Uint8Array;
  /** Epoch milliseconds. */
  t: number;
}

/** What a datagram capture needs of a DTLS session: its endpoints and its 'datagram' events (a DtlsSession has both). */
export interface DatagramSource {
  local?: Endpoint;
  remote?: Endpoint;
  on(event: 'datagram', f: (d: DatagramLike) => void): unknown;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::', '::0']);
const isLoopback = (a: string) => /^127\./.test(a) || a === '::1' || /^::ffff:127\./i.test(a);

/**
 * One DTLS association as it ran over UDP: each datagram our side (`role`) sent or received, whole, with its time.
 * The records in a datagram stay together, as they crossed the socket. `flow()` gives it to the pcapng writer as UDP.
 */
export class DatagramCapture {
  readonly segments: FlowSegment[] = [];
  /** UDP has no FIN: always empty (here so that captures of both kinds are handled alike). */
  readonly fins: Partial<Record<'client' | 'server', number>> = {};
  client?: Endpoint;
  server?: Endpoint;

  constructor(readonly role: Side, opts: { client?: Endpoint; server?: Endpoint } = {}) {
    if (opts.client) this.client = opts.client;
    if (opts.server) this.server = opts.server;
  }

  /** Follows a session from now on: its endpoints (ours is the local one) and every datagram. */
  static fromSession(role: Side, session: DatagramSource): DatagramCapture {
    const c = new DatagramCapture(role);
    c.setEndpoints(session.local, session.remote);
    session.on('datagram', c.listener);
    return c;
  }

  /**
   * A socket bound to the unspecified address (0.0.0.0, ::) does not say which of its addresses a peer wrote to:
   * a loopback peer wrote to the loopback, so that is taken; any other peer leaves the unspecified address.
   */
  setEndpoints(local: Endpoint | undefined, remote: Endpoint | undefined): void {
    const r = remote ?? { address: '127.0.0.1', port: 0 };
    let l = local ?? { address: '127.0.0.1', port: 0 };
    if (UNSPECIFIED.has(l.address) && isLoopback(r.address)) l = { address: r.address, port: l.port };
    if (this.role === 'client') {
      this.client = l;
      this.server = r;
    } else {
      this.client = r;
      this.server = l;
    }
  }

  onDatagram(d: DatagramLike): void {
    if (!d.bytes.length) return;
    const from: Side = d.dir === 'out' ? this.role : this.role === 'client' ? 'server' : 'client';
    this.segments.push({ t: d.t, from, data: d.bytes.slice() });
  }

  /** A live listener for a session's 'datagram' events. */
  readonly listener = (d: DatagramLike): void => this.onDatagram(d);

  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.data.length, 0);
  }

  flow(): Flow {
    return {
      transport: 'udp',
      client: this.client ?? { address: '127.0.0.1', port: 0 },
      server: this.server ?? { address: '127.0.0.1', port: 0 },
      segments: this.segments,
      perspective: this.role,
    };
  }
}

/** A capture of either kind: a TCP connection's or a UDP association's. */
export type Capture = ConnectionCapture | DatagramCapture;

/** The pcapng bytes of some connections with their key log in a Decryption Secrets Block. */
export function capturePcapng(captures: readonly Capture[], keyLog: KeyLog | string | undefined, comment?: string): Uint8Array {
  const text = typeof keyLog === 'string' ? keyLog : keyLog?.text();
  const flows = captures.filter((c) => c.segments.length || c.fins.client !== undefined || c.fins.server !== undefined).map((c) => c.flow());
  const transports = new Set(flows.map((f) => f.transport));
  const headers = transports.has('udp') ? (transports.has('tcp') ? 'TCP or UDP' : 'UDP') : 'TCP';
  const bytesOf = transports.has('udp') ? (transports.has('tcp') ? 'TLS and DTLS' : 'DTLS') : 'TLS';
  return buildPcapng({
    flows,
    ...(text ? { keyLog: text } : {}),
    application: 'TLS Lens',
    comment: comment ?? `Written by TLS Lens: the ${bytesOf} bytes are exactly those sent and received${transports.has('udp') ? ' (one packet per datagram, as sent and received)' : ''}; the IP and ${headers} headers around them are synthesized for the real endpoints. The key log is in the Decryption Secrets Block.`,
  });
}
