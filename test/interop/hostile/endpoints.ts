// The two ends of a hostile case on 127.0.0.1: the victim (our client from connect(), our server from
// createServer()) and the hostile peer (a raw node:net socket with a script). For cases that need a real
// handshake first, the hostile peer runs one of our own sans-IO connections and tampers with what it sends: TLS 1.3
// handshake records are opened with the key log (onSecret) and re-sealed with engine/record/protect13.ts.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ConnectionConfig } from '../../../engine/conn/config';
import { TlsConnection } from '../../../engine/conn/connection';
import { nobleProvider } from '../../../engine/crypto/noble';
import type { AeadName } from '../../../engine/crypto/provider';
import { trafficKeys } from '../../../engine/handshake/tls13/key-schedule';
import { decodeHandshake, HandshakeReader, type HandshakeInit } from '../../../engine/msgs/handshake';
import { connect, createServer, type ConnectOptions, type SessionOptions, type TlsSession } from '../../../engine/net/session';
import { Tls13Protector } from '../../../engine/record/protect13';
import { suiteByCode } from '../../../engine/registry/suites';
import { identityFromPem } from '../../../engine/tools/identity';
import { watch, type VictimOutcome } from './harness';
import { cat, CT, HS, StreamReader } from './wire';

const pem = (n: string) => fs.readFileSync(path.resolve('test/fixtures/pki', n), 'utf8');
/** The ECDSA P-256 localhost identity every server here uses (TLS 1.3, and ECDHE-ECDSA in TLS 1.2). */
export const ID = identityFromPem(pem('ec-p256.crt'), pem('ec-p256.key'), 'ec-p256');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- the hostile end of a TCP connection ----------------------------------------------------------------------

/** One TCP connection as the hostile peer holds it: what the victim sent, and ways to misbehave at it. */
export class HostilePeer {
  readonly reader = new StreamReader();
  closed = false;
  /** What went wrong in the script (kept for the case's report, not fatal: the victim may hang up at any time). */
  readonly notes: string[] = [];
  private parsing = true;
  private readonly waiters = new Set<() => void>();

  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('error', (e) => this.notes.push(`socket: ${e.message}`)); // the victim hangs up mid-flood: expected
    socket.on('data', (b: Buffer) => {
      if (this.parsing) {
        try {
          this.reader.push(new Uint8Array(b));
        } catch {
          this.parsing = false; // past the plaintext part (TLS 1.2 encrypted Finished): nothing more to read here
        }
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves once `pred` holds (checked on every arrival); rejects if the victim hangs up first or after `ms`. */
  until<T>(pred: () => T | undefined, what: string, ms = 3000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = pred();
        if (v !== undefined) {
          finish();
          resolve(v);
        } else if (this.closed) {
          finish();
          reject(new Error(`the victim hung up before ${what}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no ${what} within ${ms} ms`));
      }, ms);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  clientHello(ms?: number) {
    return this.until(() => this.reader.clientHello(), 'a ClientHello', ms);
  }

  write(bytes: Uint8Array): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(bytes);
  }

  /** Writes `bytes` in chunks, waiting for the socket to drain, until done or the victim hangs up. */
  async pour(bytes: Uint8Array, chunk = 64 * 1024): Promise<void> {
    for (let off = 0; off < bytes.length && !this.closed; off += chunk) {
      if (!this.socket.write(bytes.subarray(off, off + chunk))) await new Promise<void>((r) => {
        const go = () => {
          this.socket.off('drain', go);
          this.socket.off('close', go);
          r();
        };
        this.socket.on('drain', go);
        this.socket.on('close', go);
      });
    }
  }

  /** Slowloris: one byte every `everyMs` until `bytes` run out or the victim hangs up. */
  trickle(bytes: Uint8Array, everyMs: number): void {
    let i = 0;
    const tick = setInterval(() => {
      if (this.closed || i >= bytes.length) return clearInterval(tick);
      this.write(bytes.subarray(i, ++i));
    }, everyMs);
    this.socket.on('close', () => clearInterval(tick));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export interface HostileServer {
  port: number;
  peers: HostilePeer[];
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 that runs `script` against every connection. */
export async function hostileServer(script: (p: HostilePeer) => unknown): Promise<HostileServer> {
  const peers: HostilePeer[] = [];
  const server = net.createServer((sock) => {
    const p = new HostilePeer(sock);
    peers.push(p);
    Promise.resolve()
      .then(() => script(p))
      .catch((e: unknown) => p.notes.push(`script: ${(e as Error).message}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    peers,
    close: () =>
      new Promise<void>((r) => {
        for (const p of peers) p.destroy();
        server.close(() => r());
      }),
  };
}

/** A hostile client: a raw TCP connection to `port`. */
export function hostileClient(port: number): Promise<HostilePeer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(new HostilePeer(s));
    });
  });
}

// ---- the victims ----------------------------------------------------------------------------------------------

export interface VictimClient {
  session: TlsSession;
  outcome: Promise<VictimOutcome>;
}

/** Our client (engine/net/session.ts connect) against `port`, its handshake started, its end watched. */
export async function victimClient(port: number, opts: Partial<ConnectOptions> = {}): Promise<VictimClient> {
  const t0 = performance.now();
  const session = await connect({ host: '127.0.0.1', port, serverName: 'localhost', handshakeTimeoutMs: 1500, ...opts });
  const outcome = watch(session, t0);
  // A word once secure, so a hostile peer running our engine knows the victim saw the handshake complete.
  session.once('secure', () => session.write('ready'));
  session.begin();
  return { session, outcome };
}

export interface VictimServer {
  port: number;
  sessions: TlsSession[];
  /** How the `i`th connection ended (waits for it to be accepted first). */
  outcome(i: number): Promise<VictimOutcome>;
  /** A well-behaved client of ours completes a handshake and gets its data echoed: the server still serves. */
  stillServes(client?: Partial<ConnectOptions>): Promise<void>;
  close(): Promise<void>;
}

/** Our server (engine/net/session.ts createServer) on 127.0.0.1, echoing data; every session watched. */
export async function victimServer(opts: Partial<SessionOptions> = {}): Promise<VictimServer> {
  const sessions: TlsSession[] = [];
  const outcomes: Promise<VictimOutcome>[] = [];
  const accepted = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  const server = createServer({ certificateChain: ID.chain, signer: ID.signer, handshakeTimeoutMs: 1500, ...opts }, (s) => {
    sessions.push(s);
    outcomes.push(watch(s));
    s.on('data', (d: Uint8Array) => s.write(d));
    s.on('end', () => s.end());
    for (const a of [...accepted]) a();
  });
  server.on('connection', (sock: net.Socket) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    sessions,
    outcome(i) {
      if (i < outcomes.length) return outcomes[i]!;
      return new Promise((resolve) => {
        const a = () => {
          if (i >= outcomes.length) return;
          accepted.delete(a);
          resolve(outcomes[i]!);
        };
        accepted.add(a);
      });
    },
    async stillServes(client = {}) {
      const c = await connect({ host: '127.0.0.1', port, serverName: 'localhost', handshakeTimeoutMs: 3000, ...client });
      const fail = watch(c).then((o) => {
        throw new Error(`a well-behaved client could not use the server after the attack: ${o.error?.message ?? 'closed'}`);
      });
      fail.catch(() => undefined);
      c.begin();
      try {
        await Promise.race([c.handshake(), fail]);
        const echoed = new Promise<void>((resolve) => c.on('data', () => resolve()));
        c.write('ping');
        await Promise.race([echoed, fail, sleep(3000).then(() => Promise.reject(new Error('the server did not echo within 3 s')))]);
      } finally {
        c.destroy();
      }
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

// ---- our own connection inside the hostile peer ------------------------------------------------------------------

/** How a hostile peer running our engine alters what its connection sends. */
export interface Tamper {
  /** Each plaintext record (ServerHello, CCS, TLS 1.2 handshake messages, alerts): the records to send instead. */
  plain?(rec: Uint8Array): Uint8Array[];
  /** TLS 1.3: each handshake message sent under the handshake keys: the messages to send instead (each re-sealed). */
  encrypted?(msg: Uint8Array): Uint8Array[];
}

export interface EngineEnd {
  conn: TlsConnection;
  /** Sends what the connection has produced (after a call such as keyUpdate()). */
  flush(): void;
  /** Resolves once the connection is open (the victim completed the handshake with it). */
  open: Promise<void>;
  /** Resolves once application data arrived: the victim has seen its handshake complete (victimClient writes on 'secure'). */
  ready: Promise<void>;
}

/**
 * Re-seals TLS 1.3 handshake records as the engine's own server would: the same keys (from the key log) and the
 * same sequence numbers, so the victim cannot tell a tampered record from a real one until it reads the message.
 */
class HandshakeResealer {
  private readonly opener: Tls13Protector;
  private readonly sealer: Tls13Protector;
  private readonly reader = new HandshakeReader({ maxMessageSize: 1 << 24, maxCertificateSize: 1 << 24 });

  constructor(suiteCode: number, secret: Uint8Array) {
    const p = nobleProvider();
    const suite = suiteByCode(suiteCode)!;
    const { key, iv } = trafficKeys(p, suite.prfHash, secret, suite.cipher.keyLen, 12);
    this.opener = new Tls13Protector(p.aead(suite.cipher.name as AeadName), key, iv);
    this.sealer = new Tls13Protector(p.aead(suite.cipher.name as AeadName), key, iv);
  }

  /** The whole handshake messages a record completes, or its type and content when it is not handshake. */
  open(rec: Uint8Array): { messages: Uint8Array[] } | { type: number; content: Uint8Array } {
    const opened = this.opener.open({ type: rec[0]!, version: (rec[1]! << 8) | rec[2]!, fragment: rec.subarray(5), raw: rec });
    if (opened.type !== CT.handshake) return { type: opened.type, content: opened.content };
    return { messages: this.reader.feed(opened.content) };
  }

  seal(type: number, content: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let off = 0; off < content.length || off === 0; off += 1 << 14) {
      out.push(this.sealer.seal(type, content.subarray(off, Math.min(content.length, off + (1 << 14)))));
      if (content.length === 0) break;
    }
    return out;
  }
}

/** Runs a sans-IO connection of ours on the hostile peer's socket, passing its output through `tamper`. */
function engineOnSocket(peer: HostilePeer, cfg: ConnectionConfig, tamper: Tamper): EngineEnd {
  const secrets = new Map<string, Uint8Array>();
  const conn = new TlsConnection({ ...cfg, onSecret: (label, _cr, s) => secrets.set(label, s.slice()) });
  const hsLabel = cfg.side === 'server' ? 'SERVER_HANDSHAKE_TRAFFIC_SECRET' : 'CLIENT_HANDSHAKE_TRAFFIC_SECRET';
  let suite: number | undefined;
  let resealer: HandshakeResealer | undefined;
  let handshakeKeysDone = false;
  let markOpen!: () => void;
  const open = new Promise<void>((r) => (markOpen = r));
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const flush = () => {
    const out: Uint8Array[] = [];
    for (const rec of conn.takeOutgoing()) {
      if (rec[0] === CT.handshake && rec[5] === HS.server_hello && suite === undefined) suite = (decodeHandshake(rec.subarray(5)) as { cipherSuite: number }).cipherSuite;
      const secret = secrets.get(hsLabel);
      if (rec[0] !== CT.appData || !secret || handshakeKeysDone || !tamper.encrypted) {
        out.push(...(tamper.plain?.(rec) ?? [rec]));
        continue;
      }
      resealer ??= new HandshakeResealer(suite ?? 0x1301, secret);
      const opened = resealer.open(rec);
      if ('type' in opened) {
        out.push(...resealer.seal(opened.type, opened.content));
        continue;
      }
      for (const msg of opened.messages) {
        for (const m of tamper.encrypted(msg)) out.push(...resealer.seal(CT.handshake, m));
        if (msg[0] === HS.finished) handshakeKeysDone = true; // what follows is under the application keys: passed on as is
      }
    }
    if (out.length) peer.write(cat(...out));
    if (conn.status === 'open') markOpen();
    if (conn.readableBytes > 0) {
      while (conn.readableBytes > 0) conn.read(1 << 16);
      markReady();
    }
  };
  peer.socket.on('data', (b: Buffer) => {
    conn.receive(new Uint8Array(b));
    flush();
  });
  return { conn, flush, open, ready };
}

/** Our server (sans IO) answering the victim client on the hostile peer's socket; its output tampered with. */
export function engineServer(peer: HostilePeer, over: Partial<ConnectionConfig> = {}, tamper: Tamper = {}): EngineEnd {
  return engineOnSocket(peer, { side: 'server', provider: nobleProvider(), certificateChain: ID.chain, signer: ID.signer, cipherSuites: [0x1301], ...over }, tamper);
}

/** Our client (sans IO) on a hostile client's socket; its ClientHello sent at once, its output tampered with. */
export function engineClient(peer: HostilePeer, over: Partial<ConnectionConfig> = {}, tamper: Tamper = {}): EngineEnd {
  const end = engineOnSocket(peer, { side: 'client', provider: nobleProvider(), serverName: 'localhost', ...over }, tamper);
  end.conn.start();
  end.flush();
  return end;
}

// The record layer's private senders, reached as test/unit/conn-limits.test.ts does: records no API sends on purpose.
type Internals = { writeRecord(type: number, content: Uint8Array): void; host: { send(m: HandshakeInit): unknown } };

/** Seals one record of any type and content under the connection's current write keys. */
export function sealRecord(end: EngineEnd, type: number, content: Uint8Array): void {
  (end.conn as unknown as Internals).writeRecord(type, content);
}

/** Sends one handshake message through the connection's record layer, whatever its state machine thinks. */
export function sendMessage(end: EngineEnd, msg: HandshakeInit): void {
  (end.conn as unknown as Internals).host.send(msg);
}

/** A record's handshake message type, when it is a plaintext handshake record. */
export function plainMessageType(rec: Uint8Array): number | undefined {
  return rec[0] === CT.handshake && rec.length > 5 ? rec[5] : undefined;
}

/** Alters the first plaintext handshake record carrying `msgType` (before any ChangeCipherSpec); the rest pass. */
export function onFirstPlain(msgType: number, fn: (rec: Uint8Array) => Uint8Array[]): Tamper {
  let done = false;
  let afterCcs = false;
  return {
    plain(rec) {
      if (rec[0] === CT.ccs) afterCcs = true;
      if (done || afterCcs || plainMessageType(rec) !== msgType) return [rec];
      done = true;
      return fn(rec);
    },
  };
}

/** TLS 1.3: alters the first handshake message of `msgType` sent under the handshake keys; the rest pass. */
export function onFirstEncrypted(msgType: number, fn: (msg: Uint8Array) => Uint8Array[]): Tamper {
  let done = false;
  return {
    encrypted(msg) {
      if (done || msg[0] !== msgType) return [msg];
      done = true;
      return fn(msg);
    },
  };
}
