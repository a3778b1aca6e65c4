// Scripted plaintext peers for the STARTTLS and proxy tests: a TCP server on 127.0.0.1 whose script speaks a
// protocol's plaintext part as its RFC has it, then (when the script says so) hands the same socket to Node's
// tls.TLSSocket as a real TLS server. Also the helpers to run our client through engine/transport.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { Duplex } from 'node:stream';
import { connectVia } from '../../engine/transport/open';
import type { PreambleEvent } from '../../engine/transport/channel';
import type { NegotiatedSession } from '../../engine/conn/types';
import type { TlsSession } from '../../engine/net/session';
import { PKI } from './peers';

export const CERT_PEM = fs.readFileSync(PKI('ec-p256.crt'), 'utf8');
export const KEY_PEM = fs.readFileSync(PKI('ec-p256.key'), 'utf8');
/** The DER of the fixture certificate the TLS server presents. */
export const CERT_DER = new Uint8Array(Buffer.from(CERT_PEM.replace(/-----[^-]+-----|\s/g, ''), 'base64'));

/** One connection's plaintext side, as the script sees it. */
export class Script {
  private buf = Buffer.alloc(0);
  private wake?: () => void;
  private closed = false;
  /** What the client sent, line by line (and `<n bytes>` for binary reads), for assertions. */
  readonly received: string[] = [];
  readonly onData = (b: Buffer) => {
    this.buf = Buffer.concat([this.buf, b]);
    this.wake?.();
  };

  constructor(readonly socket: net.Socket) {
    socket.on('data', this.onData);
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  write(s: string | Uint8Array): void {
    this.socket.write(s);
  }

  private async until<T>(take: () => T | undefined): Promise<T> {
    for (;;) {
      const v = take();
      if (v !== undefined) return v;
      if (this.closed) throw new Error(`scripted peer: the client closed; unread ${JSON.stringify(this.buf.toString('latin1'))}`);
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  /** One CRLF-terminated line, without its CRLF. */
  line(): Promise<string> {
    return this.until(() => {
      const i = this.buf.indexOf('\n');
      if (i < 0) return undefined;
      const l = this.buf.subarray(0, i).toString('utf8').replace(/\r$/, '');
      this.buf = this.buf.subarray(i + 1);
      this.received.push(l);
      return l;
    });
  }

  bytes(n: number): Promise<Buffer> {
    return this.until(() => {
      if (this.buf.length < n) return undefined;
      const b = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
      this.received.push(b.toString('hex'));
      return b;
    });
  }

  /** Text up to and including `marker`. */
  upTo(marker: string): Promise<string> {
    return this.until(() => {
      const i = this.buf.indexOf(marker);
      if (i < 0) return undefined;
      const s = this.buf.subarray(0, i + marker.length).toString('utf8');
      this.buf = this.buf.subarray(i + marker.length);
      this.received.push(s);
      return s;
    });
  }

  /**
   * Stops reading plaintext: what arrives next is the client's TLS. Bytes already read past the plaintext (a
   * MySQL client sends its ClientHello right after the SSL Request) go first, through a stream TLSSocket reads.
   */
  detach(): net.Socket | Duplex {
    this.socket.off('data', this.onData);
    if (!this.buf.length) return this.socket;
    const sock = this.socket;
    const d = new Duplex({
      read: () => undefined,
      write: (chunk: Buffer, _enc, cb) => sock.write(chunk, cb),
      final: (cb) => {
        sock.end();
        cb();
      },
    });
    d.push(this.buf);
    sock.on('data', (b: Buffer) => d.push(b));
    sock.on('end', () => d.push(null));
    return d;
  }
}

export interface ScriptedPeer {
  port: number;
  /** Resolves when a connection's script and TLS handshake (if the script started TLS) are done; rejects on a script error. */
  served: Promise<{ tls?: tls.TLSSocket; received: string[] }>;
  close(): Promise<void>;
}

/**
 * A scripted peer: `script` runs the plaintext part and returns 'tls' to hand the socket to a TLS server
 * (tls.TLSSocket with the ec-p256 fixture), or 'hold' to keep the socket open without TLS (bad-input cases).
 */
export async function scriptedPeer(script: (s: Script) => Promise<'tls' | 'hold' | 'close'>, tlsOptions: tls.TlsOptions = {}): Promise<ScriptedPeer> {
  const sockets = new Set<net.Socket>();
  let resolveServed!: (v: { tls?: tls.TLSSocket; received: string[] }) => void;
  let rejectServed!: (e: Error) => void;
  const served = new Promise<{ tls?: tls.TLSSocket; received: string[] }>((res, rej) => {
    resolveServed = res;
    rejectServed = rej;
  });
  served.catch(() => undefined);
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    const s = new Script(sock);
    script(s).then((next) => {
      const stream = s.detach();
      if (next === 'close') {
        sock.end();
        resolveServed({ received: s.received });
        return;
      }
      if (next === 'hold') return resolveServed({ received: s.received });
      const t = new tls.TLSSocket(stream, { isServer: true, key: KEY_PEM, cert: CERT_PEM, ...tlsOptions });
      t.on('error', (e) => rejectServed(e));
      t.on('secure', () => resolveServed({ tls: t, received: s.received }));
    }, (e: Error) => rejectServed(e));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    served,
    close: () => new Promise<void>((r) => {
      for (const sock of sockets) sock.destroy();
      server.close(() => r());
    }),
  };
}

/** RFC 3207 section 4's exchange, server side: greeting, EHLO answered with STARTTLS advertised, 220 Go ahead, TLS. */
export function smtpStartTlsPeer(): Promise<ScriptedPeer> {
  return scriptedPeer(async (s) => {
    s.write('220 mail.example.org ESMTP\r\n');
    await s.line();
    s.write('250-mail.example.org\r\n250 STARTTLS\r\n');
    await s.line();
    s.write('220 Go ahead\r\n');
    return 'tls';
  });
}

export interface ViaRun {
  session: TlsSession;
  n: NegotiatedSession;
  preamble: PreambleEvent[];
}

/** Our client through engine/transport: the plaintext part, then the TLS handshake; rejects with the error. */
export async function handshakeVia(opts: Parameters<typeof connectVia>[0]): Promise<ViaRun> {
  const preamble: PreambleEvent[] = [];
  const session = await connectVia({ serverName: 'localhost', handshakeTimeoutMs: 10_000, connectTimeoutMs: 10_000, ...opts, onTrace: (e) => preamble.push(e) });
  const failure = new Promise<never>((_, reject) => session.on('error', reject));
  failure.catch(() => undefined);
  session.begin();
  const n = await Promise.race([session.handshake(), failure]);
  return { session, n, preamble };
}

/** The preamble as `>> smtp EHLO` lines, for assertions and failure messages. */
export function steps(events: PreambleEvent[]): string[] {
  return events.map((e) => `${e.dir === 'out' ? '>>' : '<<'} ${e.protocol} ${e.step}`);
}
