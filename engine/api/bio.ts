// BIOs: where an SSL object reads and writes its TLS bytes. Memory BIOs for tests and pipes; a socket BIO
// over a real file descriptor (SSL_set_fd); connect and accept BIOs whose sockets may not be ready yet
// (SSL_ERROR_WANT_CONNECT / WANT_ACCEPT). Reads never block: JavaScript cannot, so "would block" is -1
// with BIO_should_retry, exactly as a non-blocking BIO in OpenSSL, and `ready()` says when to try again.
import type dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';

export type BioKind = 'mem' | 'dgram-mem' | 'dgram' | 'socket' | 'connect' | 'accept';

export const BIO_NOCLOSE = 0;
export const BIO_CLOSE = 1;

export abstract class BIO {
  abstract readonly kind: BioKind;
  references = 1;
  /** Set by the last read or write that would have blocked. */
  retryRead = false;
  retryWrite = false;
  /** Set when the last operation waits for a connection (connect or accept BIOs). */
  retrySpecial: 'connect' | 'accept' | undefined;
  /** The peer closed its side (EOF). */
  eof = false;
  /** An I/O error, as errno's name (ECONNRESET...). */
  ioError?: string;

  /** Up to `max` bytes; empty with retryRead when none yet; empty with eof at end of stream. */
  abstract read(max: number): Uint8Array;
  /** Bytes accepted (all, or 0 with retryWrite when the BIO is full). */
  abstract write(data: Uint8Array): number;
  /** Bytes buffered for reading. */
  abstract pending(): number;
  /** Resolves when a retried operation may succeed (readable, writable, connected, accepted or closed). */
  abstract ready(want: 'read' | 'write' | 'connect' | 'accept'): Promise<void>;
  free(): void {
    this.references--;
  }
}

/** BIO_s_mem(): bytes written are read back in order. Empty reads retry (BIO_set_mem_eof_return -1). */
export class MemBIO extends BIO {
  readonly kind = 'mem';
  private chunks: Uint8Array[] = [];
  private size = 0;
  private waiters: (() => void)[] = [];
  /** Optional capacity, to provoke WANT_WRITE in tests (0 = unbounded). */
  capacity = 0;
  /** When set, reading an empty BIO is EOF rather than retry (BIO_set_mem_eof_return 0). */
  eofWhenEmpty = false;

  read(max: number): Uint8Array {
    this.retryRead = false;
    if (this.size === 0) {
      if (this.eofWhenEmpty) this.eof = true;
      else this.retryRead = true;
      return new Uint8Array(0);
    }
    const out = new Uint8Array(Math.min(max, this.size));
    let off = 0;
    while (off < out.length) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, out.length - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.size -= out.length;
    this.wake();
    return out;
  }

  write(data: Uint8Array): number {
    this.retryWrite = false;
    const room = this.capacity ? this.capacity - this.size : data.length;
    if (room <= 0) {
      this.retryWrite = true;
      return 0;
    }
    const n = Math.min(room, data.length);
    if (n < data.length) this.retryWrite = true; // the rest must be offered again
    this.chunks.push(data.slice(0, n));
    this.size += n;
    this.wake();
    return n;
  }

  pending(): number {
    return this.size;
  }

  ready(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }

  private wake(): void {
    const w = this.waiters.splice(0);
    w.forEach((f) => f());
  }
}

/**
 * BIO_s_dgram_mem() (OpenSSL 3.2): a memory BIO that keeps datagram boundaries. Each write is one datagram and
 * each read returns one whole datagram (cut to the read size, the rest lost, as recvfrom does). For DTLS.
 */
export class DatagramMemBIO extends BIO {
  readonly kind = 'dgram-mem';
  private queue: Uint8Array[] = [];
  private waiters: (() => void)[] = [];

  read(max: number): Uint8Array {
    this.retryRead = false;
    const d = this.queue.shift();
    if (!d) {
      this.retryRead = true;
      return new Uint8Array(0);
    }
    return d.length > max ? d.subarray(0, max) : d;
  }

  write(data: Uint8Array): number {
    this.retryWrite = false;
    this.queue.push(data.slice());
    this.waiters.splice(0).forEach((f) => f());
    return data.length;
  }

  pending(): number {
    return this.queue[0]?.length ?? 0;
  }

  ready(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }
}

/** The largest UDP payload: a read never cuts a datagram short. */
const MAX_DATAGRAM = 65_535;
/** How often ready() looks at a raw descriptor: Node has no poll() on one. */
const DGRAM_POLL_MS = 5;

/**
 * BIO_new_dgram(fd): a connected UDP socket's descriptor, read and written with read(2) and write(2), one datagram
 * each, without blocking (the descriptor must be non-blocking, as every socket Node makes is): EAGAIN is a retry,
 * as with OpenSSL's datagram BIO on a non-blocking socket. What SSL_set_fd makes for a DTLS SSL. ready() tries a
 * read every few milliseconds and keeps the datagram it got for the next read.
 */
export class DatagramFdBIO extends BIO {
  readonly kind = 'dgram';
  private held?: Uint8Array;

  constructor(readonly fd: number) {
    super();
    if (!fs.fstatSync(fd).isSocket()) throw new Error(`descriptor ${fd} is not a socket`);
  }

  read(max: number): Uint8Array {
    this.retryRead = false;
    const d = this.held ?? this.receive();
    this.held = undefined;
    if (!d) return new Uint8Array(0);
    return d.length > max ? d.subarray(0, max) : d; // as recv(2): the rest of a longer datagram is lost
  }

  write(data: Uint8Array): number {
    this.retryWrite = false;
    try {
      return fs.writeSync(this.fd, data);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') this.retryWrite = true;
      else this.ioError = code === 'EDESTADDRREQ' ? 'EDESTADDRREQ (the UDP socket must be connected to its peer)' : code ?? String(e);
      return 0;
    }
  }

  pending(): number {
    return this.held?.length ?? 0;
  }

  ready(want: 'read' | 'write' | 'connect' | 'accept'): Promise<void> {
    if (want !== 'read') return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      if (this.waiters.length === 1) this.look();
    });
  }

  private waiters: (() => void)[] = [];

  /** One poll for every waiter; its timer does not keep the process alive on its own. */
  private look(): void {
    if (!this.held) this.held = this.receive();
    if (this.held || this.ioError || this.references <= 0) this.waiters.splice(0).forEach((f) => f());
    else setTimeout(() => this.look(), DGRAM_POLL_MS).unref();
  }

  /** One datagram, or undefined with retryRead (none yet) or ioError (ECONNREFUSED: ICMP port unreachable). */
  private receive(): Uint8Array | undefined {
    const buf = Buffer.allocUnsafe(MAX_DATAGRAM);
    try {
      const n = fs.readSync(this.fd, buf, 0, MAX_DATAGRAM, null);
      return new Uint8Array(buf.buffer, buf.byteOffset, n);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') this.retryRead = true;
      else this.ioError = code ?? String(e);
      return undefined;
    }
  }
}

/** BIO *BIO_new_dgram(int fd, int close_flag). */
export function BIO_new_dgram(fd: number, _closeFlag = BIO_NOCLOSE): DatagramFdBIO {
  return new DatagramFdBIO(fd);
}

/**
 * A Node UDP socket's descriptor, for SSL_set_fd or BIO_new_dgram, as a C program holds one. Node stops reading it
 * (the descriptor is the BIO's now); connect() the socket to its peer first.
 */
export function datagramSocketFd(socket: dgram.Socket): number {
  const state = Object.getOwnPropertySymbols(socket).map((k) => (socket as unknown as Record<symbol, { handle?: { fd?: number; recvStop?: () => void } }>)[k]).find((v) => v?.handle);
  const handle = state?.handle;
  if (!handle || typeof handle.fd !== 'number' || handle.fd < 0) throw new Error('this UDP socket has no descriptor yet (bind or connect it first)');
  handle.recvStop?.();
  return handle.fd;
}

/** A socket BIO over a Node socket (the descriptor of SSL_set_fd). Node reads the descriptor for us; we take from its buffer. */
export class SocketBIO extends BIO {
  readonly kind: BioKind = 'socket';
  constructor(readonly socket: net.Socket) {
    super();
    socket.pause();
    socket.on('end', () => (this.eof = true));
    socket.on('error', (e: NodeJS.ErrnoException) => (this.ioError = e.code ?? e.message));
  }

  read(max: number): Uint8Array {
    this.retryRead = false;
    const b = this.socket.read() as Buffer | null;
    if (b) {
      if (b.length > max) this.socket.unshift(b.subarray(max));
      const out = b.subarray(0, max);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    }
    if (!this.eof && !this.ioError && !this.socket.destroyed) this.retryRead = true;
    return new Uint8Array(0);
  }

  write(data: Uint8Array): number {
    this.retryWrite = false;
    if (this.socket.destroyed || this.ioError) return 0;
    // Node buffers what it cannot send yet; past its high-water mark we say "retry" as a full socket would.
    if (this.socket.writableNeedDrain) {
      this.retryWrite = true;
      return 0;
    }
    this.socket.write(data);
    return data.length;
  }

  pending(): number {
    return this.socket.readableLength;
  }

  ready(want: 'read' | 'write' | 'connect' | 'accept'): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('readable', done).off('drain', done).off('end', done).off('close', done).off('connect', done);
        resolve();
      };
      if (want === 'write') this.socket.once('drain', done);
      else if (want === 'connect') this.socket.once('connect', done);
      else this.socket.once('readable', done);
      this.socket.once('end', done).once('close', done);
      if (want === 'read' && this.socket.readableLength > 0) done();
    });
  }
}

/**
 * BIO_new_connect("host:port") or BIO_new(BIO_s_connect()) + BIO_set_conn_hostname: connects on first use
 * (or BIO_do_connect); until connected, operations retry with WANT_CONNECT.
 */
export class ConnectBIO extends SocketBIO {
  override readonly kind: BioKind = 'connect';
  private started = false;
  constructor(public host = '', public port = 0) {
    super(new net.Socket());
  }

  /** Starts connecting if it has not; false when no address was set. */
  start(): boolean {
    if (this.started) return true;
    if (!this.host || !this.port) return false;
    this.started = true;
    this.socket.connect(this.port, this.host);
    return true;
  }

  get connected(): boolean {
    return this.started && !this.socket.connecting && !this.socket.destroyed;
  }

  override read(max: number): Uint8Array {
    if (!this.start()) {
      this.ioError = 'BIO_s_connect: no hostname set (BIO_set_conn_hostname)';
      return new Uint8Array(0);
    }
    if (this.socket.connecting) {
      this.retrySpecial = 'connect';
      return new Uint8Array(0);
    }
    this.retrySpecial = undefined;
    return super.read(max);
  }

  override write(data: Uint8Array): number {
    if (!this.start()) {
      this.ioError = 'BIO_s_connect: no hostname set (BIO_set_conn_hostname)';
      return 0;
    }
    if (this.socket.connecting) {
      this.retrySpecial = 'connect';
      return 0;
    }
    this.retrySpecial = undefined;
    return super.write(data);
  }
}

/** BIO_new_accept("host:port"): listens; until a client connects, operations retry with WANT_ACCEPT. */
export class AcceptBIO extends BIO {
  readonly kind = 'accept';
  readonly server: net.Server;
  private conn?: SocketBIO;
  private accepted?: Promise<void>;
  port = 0;

  constructor(public host = '', port = 0, listenNow = true) {
    super();
    this.port = port;
    this.server = net.createServer({ pauseOnConnect: true });
    this.accepted = new Promise((resolve) => {
      this.server.once('connection', (s) => {
        this.conn = new SocketBIO(s);
        this.server.close();
        resolve();
      });
    });
    if (listenNow) this.listen();
  }

  /** Binds and listens (the first BIO_do_accept); idempotent. */
  listen(): void {
    if (this.bound) return;
    this.bound = true;
    this.server.listen(this.port, this.host || '127.0.0.1');
  }
  bound = false;

  get hasConnection(): boolean {
    return !!this.conn;
  }

  /** Resolves with the bound port once listening. */
  listening(): Promise<number> {
    return new Promise((resolve) => {
      const done = () => resolve((this.port = (this.server.address() as net.AddressInfo).port));
      if (this.server.listening) done();
      else this.server.once('listening', done);
    });
  }

  get socket(): SocketBIO | undefined {
    return this.conn;
  }

  read(max: number): Uint8Array {
    if (!this.conn) {
      this.retrySpecial = 'accept';
      return new Uint8Array(0);
    }
    this.retrySpecial = undefined;
    const out = this.conn.read(max);
    this.retryRead = this.conn.retryRead;
    this.eof = this.conn.eof;
    this.ioError = this.conn.ioError;
    return out;
  }

  write(data: Uint8Array): number {
    if (!this.conn) {
      this.retrySpecial = 'accept';
      return 0;
    }
    this.retrySpecial = undefined;
    const n = this.conn.write(data);
    this.retryWrite = this.conn.retryWrite;
    return n;
  }

  pending(): number {
    return this.conn?.pending() ?? 0;
  }

  ready(want: 'read' | 'write' | 'connect' | 'accept'): Promise<void> {
    if (!this.conn) return this.accepted!;
    return this.conn.ready(want);
  }
}

// ---- OpenSSL-named constructors ----

export function BIO_new_mem(): MemBIO {
  return new MemBIO();
}

export function BIO_read(b: BIO, buf: Uint8Array, len: number): number {
  const got = b.read(Math.min(len, buf.length));
  buf.set(got);
  return got.length > 0 ? got.length : b.eof ? 0 : -1;
}

export function BIO_write(b: BIO, data: Uint8Array, len = data.length): number {
  const n = b.write(data.subarray(0, len));
  return n > 0 ? n : -1;
}

export function BIO_ctrl_pending(b: BIO): number {
  return b.pending();
}

export function BIO_should_retry(b: BIO): boolean {
  return b.retryRead || b.retryWrite || b.retrySpecial !== undefined;
}

export function BIO_new_connect(hostPort: string): ConnectBIO {
  const b = new ConnectBIO();
  BIO_set_conn_hostname(b, hostPort);
  b.start();
  return b;
}

export function BIO_new_accept(hostPort: string): AcceptBIO {
  const i = hostPort.lastIndexOf(':');
  return new AcceptBIO(hostPort.slice(0, i), Number(hostPort.slice(i + 1)));
}

/** BIO_METHOD: which kind of BIO BIO_new makes. */
export interface BIO_METHOD {
  readonly type: 'mem' | 'dgram-mem' | 'connect' | 'accept';
}
export const BIO_s_mem = (): BIO_METHOD => ({ type: 'mem' });
export const BIO_s_dgram_mem = (): BIO_METHOD => ({ type: 'dgram-mem' });
export const BIO_s_connect = (): BIO_METHOD => ({ type: 'connect' });
export const BIO_s_accept = (): BIO_METHOD => ({ type: 'accept' });

/** BIO_new(BIO_s_mem() | BIO_s_connect() | BIO_s_accept()); connect and accept BIOs get their address from BIO_set_conn_hostname / BIO_set_accept_name. */
export function BIO_new(method: BIO_METHOD): BIO {
  switch (method.type) {
    case 'mem': return new MemBIO();
    case 'dgram-mem': return new DatagramMemBIO();
    case 'connect': return new ConnectBIO();
    case 'accept': return new AcceptBIO('', 0, false);
  }
}

/** "host:port" (IPv6 as "[::1]:443"); 1 on success, 0 when it is not host:port. */
export function BIO_set_conn_hostname(b: ConnectBIO, hostPort: string): number {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(hostPort);
  if (!m || Number(m[2]) > 65535) return 0;
  b.host = m[1]!;
  b.port = Number(m[2]);
  return 1;
}

/** "host:port", "*:port" or "port"; port 0 lets the system choose (read it back from the BIO's `port` after BIO_do_accept). */
export function BIO_set_accept_name(b: AcceptBIO, name: string): number {
  const m = /^(?:\[?([^\]]*?)\]?:)?(\d{1,5})$/.exec(name);
  if (!m || Number(m[2]) > 65535) return 0;
  b.host = !m[1] || m[1] === '*' ? '' : m[1];
  b.port = Number(m[2]);
  return 1;
}

/** 1 once connected; -1 with BIO_should_retry while connecting (the seed's WANT_CONNECT), or on failure. */
export function BIO_do_connect(b: ConnectBIO): number {
  if (!b.start()) return -1;
  if (b.connected) return 1;
  b.retrySpecial = b.socket.destroyed ? undefined : 'connect';
  return -1;
}

/** First call: bind and listen (1). Later calls: 1 once a client has connected, else -1 with BIO_should_retry. */
export function BIO_do_accept(b: AcceptBIO): number {
  if (!b.bound) {
    b.listen();
    return 1;
  }
  if (b.hasConnection) return 1;
  b.retrySpecial = 'accept';
  return -1;
}

/** Sockets we created, by descriptor, so SSL_set_fd finds the Node socket that owns it. */
const sockets = new Map<number, net.Socket>();

export function registerSocket(socket: net.Socket): number {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
  if (fd >= 0) sockets.set(fd, socket);
  socket.once('close', () => sockets.delete(fd));
  return fd;
}

/** The socket behind a descriptor: ours if we made it, else Node wraps the descriptor. */
export function socketForFd(fd: number): net.Socket {
  return sockets.get(fd) ?? new net.Socket({ fd, readable: true, writable: true });
}
