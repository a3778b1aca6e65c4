// The plaintext part of a connection, before TLS: a proxy's handshake or a STARTTLS protocol's exchange, read
// and written on the Node socket that the TLS session takes over afterwards. Every message sent or received
// becomes a 'preamble' trace event; every failure is a TransportError naming the protocol and the step.
import type net from 'node:net';
import type { TraceEvent } from '../trace/events';

export type PreambleEvent = Extract<TraceEvent, { kind: 'preamble' }>;
export type Layer = 'proxy' | 'starttls';

/**
 * Why the plaintext exchange failed: `timeout` (the peer did not answer within the connect timeout), `refused`
 * (it answered with an error), `garbage` (it sent what the protocol does not allow), `closed` (it hung up),
 * `socket` (a socket error), `usage` (our own options were wrong).
 */
export type TransportFailure = 'timeout' | 'refused' | 'garbage' | 'closed' | 'socket' | 'usage';

export class TransportError extends Error {
  constructor(readonly layer: Layer | 'tcp', readonly protocol: string, readonly step: string, readonly reason: TransportFailure, detail: string) {
    super(`${protocol} ${step}: ${detail}`);
    this.name = 'TransportError';
  }
}

/** What a protocol may hold unanswered: one reply (a long EHLO or XMPP features list stays far below). */
export const MAX_PREAMBLE_BYTES = 64 * 1024;

/** Up to `n` bytes of what the peer sent, printable, for error messages. */
export function shown(bytes: Uint8Array, n = 48): string {
  const s = Array.from(bytes.subarray(0, n), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 0x0d ? '\\r' : b === 0x0a ? '\\n' : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
  return `"${s}"${bytes.length > n ? `... (${bytes.length} bytes)` : ''}`;
}

/** A TLS record header where a protocol reply was expected: the server speaks TLS from the first byte. */
function looksLikeTls(b: Uint8Array): boolean {
  return b.length >= 2 && (b[0] === 0x15 || b[0] === 0x16) && b[1] === 0x03;
}

/** A parser for one message at the front of the buffer: its length and text, or undefined while it is incomplete. */
export type Framer<T> = (buf: Uint8Array) => { length: number; text: string; value: T } | undefined;

export class PlainChannel {
  private buf = new Uint8Array(0);
  private wake?: () => void;
  private ended?: TransportFailure;
  private endDetail = '';
  private timedOut = false;
  private readonly timer: NodeJS.Timeout;
  private readonly onData = (b: Buffer) => {
    const next = new Uint8Array(this.buf.length + b.length);
    next.set(this.buf);
    next.set(b, this.buf.length);
    this.buf = next;
    this.wake?.();
  };
  private readonly onEnd = () => this.stop('closed', 'the server closed the connection');
  private readonly onError = (e: NodeJS.ErrnoException) => this.stop('socket', `socket error: ${e.code ?? e.message}`);
  /** The protocol being spoken; set by each stage (a proxy, then STARTTLS). */
  layer: Layer = 'starttls';
  protocol = '';

  /**
   * @param deadline  the time (Date.now()) by which the whole exchange must be done: the connect timeout
   * @param t0        the time the trace's `t` counts from (the TCP connect)
   */
  constructor(readonly socket: net.Socket, deadline: number, private readonly emit: (e: PreambleEvent) => void, private readonly t0 = Date.now()) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.wake?.();
    }, Math.max(0, deadline - Date.now()));
  }

  private stop(why: TransportFailure, detail: string): void {
    if (this.ended) return;
    this.ended = why;
    this.endDetail = detail;
    this.wake?.();
  }

  private event(step: string, dir: 'in' | 'out', raw: Uint8Array, text: string, redacted?: boolean): void {
    this.emit({ kind: 'preamble', t: Date.now() - this.t0, side: 'client', layer: this.layer, protocol: this.protocol, step, dir, text, raw, ...(redacted ? { redacted: true as const } : {}) });
  }

  /** Sends bytes as one step. `shownAs` replaces them in the trace when they hold a credential. */
  send(step: string, data: Uint8Array | string, text?: string, shownAs?: { raw: Uint8Array; text: string }): void {
    const raw = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    if (shownAs) this.event(step, 'out', shownAs.raw, shownAs.text, true);
    else this.event(step, 'out', raw, text ?? new TextDecoder().decode(raw));
    this.socket.write(raw);
  }

  /** A note in the trace that is not a message (a missing capability we go on without). */
  note(step: string, text: string): void {
    this.event(step, 'in', new Uint8Array(0), text);
  }

  fail(step: string, reason: TransportFailure, detail: string): never {
    throw new TransportError(this.layer, this.protocol, step, reason, detail);
  }

  /**
   * Waits until `frame` finds a whole message at the front of what arrived, takes it and traces it. Fails with
   * the step named when the peer goes silent past the deadline, hangs up, or sends more than a reply may hold.
   */
  async receive<T>(step: string, frame: Framer<T>): Promise<T> {
    for (;;) {
      const got = this.buf.length ? frame(this.buf) : undefined;
      if (got) {
        const raw = this.buf.slice(0, got.length);
        this.buf = this.buf.slice(got.length);
        this.event(step, 'in', raw, got.text);
        return got.value;
      }
      if (this.buf.length && looksLikeTls(this.buf) && this.layer === 'starttls')
        this.fail(step, 'garbage', `the server sent a TLS record (${shown(this.buf, 8)}) instead of a ${this.protocol} reply: it speaks TLS from the first byte; connect without --starttls`);
      if (this.buf.length > MAX_PREAMBLE_BYTES) this.fail(step, 'garbage', `the server sent ${this.buf.length} bytes without completing a ${this.protocol} reply (limit ${MAX_PREAMBLE_BYTES}): ${shown(this.buf)}`);
      if (this.ended) this.fail(step, this.ended, `${this.endDetail}${this.buf.length ? ` after sending ${shown(this.buf)}` : ' before answering'}`);
      if (this.timedOut) this.fail(step, 'timeout', `no answer from the server within the connect timeout${this.buf.length ? `; it sent only ${shown(this.buf)}` : ''}`);
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  /** Waits for exactly `n` bytes. */
  bytes(step: string, n: number, describe: (b: Uint8Array) => string): Promise<Uint8Array> {
    return this.receive(step, (b) => (b.length >= n ? { length: n, text: describe(b.subarray(0, n)), value: b.slice(0, n) } : undefined));
  }

  /**
   * Ends the plaintext part and hands the socket on, paused, for TLS. Bytes the server sent after the reply that
   * starts TLS, before our ClientHello, are refused: a man in the middle can inject them into the plaintext
   * stream and have them read as if protected (RFC 3207 section 6, CVE-2011-0411, CVE-2021-23222).
   */
  release(step: string): net.Socket {
    clearTimeout(this.timer);
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('error', this.onError);
    this.socket.pause();
    if (this.buf.length) this.fail(step, 'garbage', `the server sent ${this.buf.length} bytes after its go-ahead, before the TLS handshake: ${shown(this.buf)} (refused: such bytes may have been injected)`);
    if (this.ended) this.fail(step, this.ended, this.endDetail);
    return this.socket;
  }

  /** Stops the deadline and listeners after a failure (the caller destroys the socket). */
  dispose(): void {
    clearTimeout(this.timer);
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('error', this.onError);
    this.wake?.();
  }
}

// ---- framers shared by the line protocols ------------------------------------------------------------------

/** Lines of a reply: CRLF (or a lone LF, as some servers send) ends each. */
export const MAX_LINE = 8192;

/** The first complete line at `from`: its end (after the LF) and text, or undefined. */
export function lineAt(buf: Uint8Array, from = 0): { end: number; line: string } | undefined {
  const lf = buf.indexOf(0x0a, from);
  if (lf < 0) return undefined;
  const endText = lf > from && buf[lf - 1] === 0x0d ? lf - 1 : lf;
  return { end: lf + 1, line: new TextDecoder('utf-8', { fatal: false }).decode(buf.subarray(from, endText)) };
}

/**
 * Lines up to and including the one `last` accepts (a multi-line reply ends with a line of its own shape).
 * `check` sees each line and may fail the exchange (a line that is not of the protocol).
 */
export function linesUntil(last: (line: string, index: number) => boolean, check?: (line: string, index: number) => void): Framer<string[]> {
  return (buf) => {
    const lines: string[] = [];
    let at = 0;
    for (;;) {
      const l = lineAt(buf, at);
      if (!l) {
        if (buf.length - at > MAX_LINE) check?.(new TextDecoder().decode(buf.subarray(at, at + 200)), lines.length);
        return undefined;
      }
      check?.(l.line, lines.length);
      lines.push(l.line);
      at = l.end;
      if (last(l.line, lines.length - 1)) return { length: at, text: lines.join('\n'), value: lines };
    }
  };
}
