// Real peers on 127.0.0.1 for interop tests: openssl s_server / s_client (and later gnutls), started per
// case, each stopped when the case ends. Nothing here fakes a peer.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { connect, createServer, TlsSessionError, type ConnectOptions, type SessionOptions, type TlsSession } from '../../engine/net/session';
import type { NegotiatedSession } from '../../engine/conn/types';
import type { TraceEvent } from '../../engine/trace/events';
import { identityFromPem } from '../../engine/tools/identity';
import { connectDtls, createDtlsServer, type DtlsServer, type DtlsSession, type DtlsSessionOptions } from '../../engine/net/dtls';

export const PKI = (n: string) => path.resolve('test/fixtures/pki', n);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

export interface Peer {
  proc: ChildProcess;
  port: number;
  /** Everything the peer printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the output matches. */
  waitFor(re: RegExp, ms?: number): Promise<string>;
  stop(): Promise<void>;
}

function track(proc: ChildProcess, port: number): Peer {
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (b: Buffer) => {
    out += b.toString('utf8');
    for (const l of listeners) l();
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  return {
    proc,
    port,
    output: () => out,
    waitFor(re, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out);
          if (m) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(m[0]);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`peer did not print ${re} within ${ms} ms; it printed:\n${out.slice(-2000)}`));
        }, ms);
        listeners.add(check);
        proc.once('exit', () => setTimeout(check, 10));
        check();
      });
    },
    stop() {
      return new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 2000).unref();
      });
    },
  };
}

/** `openssl s_server` on 127.0.0.1; ready once it prints ACCEPT. Its stdin stays open (it quits at EOF). */
export async function opensslServer(args: string[], env?: Record<string, string>): Promise<Peer> {
  const port = await freePort();
  const proc = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
  const peer = track(proc, port);
  await peer.waitFor(/ACCEPT/);
  return peer;
}

/** `openssl s_client` to 127.0.0.1:port; `input` is written to its stdin (kept open unless `end`). */
export function opensslClient(port: number, args: string[], input?: string, end = false, env?: Record<string, string>): Peer {
  const proc = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
  proc.stdin!.on('error', () => undefined); // it may exit (a refused handshake) before reading what we wrote
  if (input) proc.stdin!.write(input);
  if (end) proc.stdin!.end();
  return track(proc, port);
}

/**
 * `tlslens serve --port 0 ARGS` from the bundled CLI, once it has printed its ACCEPT line (and a match of `also`, a
 * line it prints at start-up that the test needs, when given).
 */
export function tlslensServe(args: string[], also?: RegExp): Promise<{ port: number; proc: ChildProcess; also?: RegExpExecArray; output: () => string }> {
  const proc = spawn(process.execPath, [path.resolve('dist/cli.js'), 'serve', '--port', '0', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (out += b));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ACCEPT line${also ? ` and ${also}` : ''}: ${out}`)), 10_000);
    proc.stdout!.on('data', () => {
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
      const extra = also?.exec(out) ?? undefined;
      if (m && (!also || extra)) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), proc, ...(extra ? { also: extra } : {}), output: () => out });
      }
    });
  });
}

export function readPem(n: string): string {
  return fs.readFileSync(PKI(n), 'utf8');
}

/** A fixture's certificate and key as an identity for our client or server. */
export function identity(cert: string, key: string) {
  return identityFromPem(readPem(cert), readPem(key), cert);
}

/** Reads from a session until `want` has arrived (or fails after `ms`). */
export function receive(s: TlsSession, want: string, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const timer = setTimeout(() => reject(new Error(`did not receive ${JSON.stringify(want)}; got ${JSON.stringify(got)}`)), ms);
    const onData = (d: Uint8Array) => {
      got += new TextDecoder().decode(d);
      if (got.includes(want)) {
        clearTimeout(timer);
        s.off('data', onData);
        resolve(got);
      }
    };
    s.on('data', onData);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Helpers for the TLS 1.2-and-older interop tests (tls12-*.test.ts): one peer process serves many cases, so
// what a case looks for in its output starts where the case began.

/** Resolves when `peer`'s output after character `from` matches `re` (the match); rejects after `ms`. */
export function waitForFrom(peer: Peer, re: RegExp, from: number, ms = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      const m = re.exec(peer.output().slice(from));
      if (m) return resolve(m[0]);
      if (Date.now() - t0 > ms) return reject(new Error(`peer did not print ${re} within ${ms} ms; it printed:\n${peer.output().slice(from).slice(-3000)}`));
      setTimeout(tick, 15);
    };
    tick();
  });
}

/** What one connection of our client or server saw: its trace, reduced to what tests look at. */
export interface TraceLog {
  /** Handshake messages as `in:certificate`, `out:client_key_exchange`. */
  messages: string[];
  /** Alerts as `in:fatal:protocol_version`. */
  alerts: string[];
  /** The trace's info lines. */
  infos: string[];
}

export function traceLog(s: TlsSession): TraceLog {
  const log: TraceLog = { messages: [], alerts: [], infos: [] };
  s.on('trace', (e: TraceEvent) => {
    if (e.kind === 'handshake') log.messages.push(`${e.dir}:${e.name}`);
    else if (e.kind === 'alert') log.alerts.push(`${e.dir}:${e.level}:${e.name}`);
    else if (e.kind === 'info') log.infos.push(e.message);
  });
  return log;
}

export interface ClientRun extends TraceLog {
  session: TlsSession;
  n: NegotiatedSession;
  /** Rejects when the session fails later (race it with reads). */
  failure: Promise<never>;
}

/** Our client: connects, runs the handshake; rejects with the error and the trace so far. */
export async function ourClientHandshake(opts: ConnectOptions): Promise<ClientRun> {
  const session = await connect({ serverName: 'localhost', handshakeTimeoutMs: 10_000, ...opts });
  const log = traceLog(session);
  const failure = new Promise<never>((_, reject) => session.on('error', reject));
  failure.catch(() => undefined);
  session.begin();
  try {
    const n = await Promise.race([session.handshake(), failure]);
    return { session, n, failure, ...log };
  } catch (e) {
    session.destroy();
    const err = e as TlsSessionError;
    const wrapped = new TlsSessionError(`${err.message}\n  our client's messages: ${log.messages.join(' ')}\n  alerts: ${log.alerts.join(' ')}`, err.alert, err.fromPeer);
    throw Object.assign(wrapped, { log });
  }
}

/** One connection to our echo server, as it went. */
export interface ServerConn extends TraceLog {
  negotiated?: NegotiatedSession;
  error?: TlsSessionError;
  received: string;
}

export interface EchoServer {
  port: number;
  conns: ServerConn[];
  /** Resolves with the `i`th connection once it completed its handshake or failed. */
  settled(i: number, ms?: number): Promise<ServerConn>;
  close(): Promise<void>;
}

/** Our server (createServer) on 127.0.0.1, a free port, echoing what it receives; each connection is recorded. */
export async function ourEchoServer(opts: SessionOptions): Promise<EchoServer> {
  const conns: ServerConn[] = [];
  const server = createServer(opts, (s) => {
    const c: ServerConn = { ...traceLog(s), received: '' };
    conns.push(c);
    s.on('secure', (n: NegotiatedSession) => (c.negotiated = n));
    s.on('error', (e: TlsSessionError) => (c.error = e));
    s.on('data', (d: Uint8Array) => {
      c.received += new TextDecoder().decode(d);
      s.write(d);
    });
    s.on('end', () => s.end());
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (sock: net.Socket) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    conns,
    settled(i, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const t0 = Date.now();
        const tick = () => {
          const c = conns[i];
          if (c && (c.negotiated || c.error)) return resolve(c);
          if (Date.now() - t0 > ms) return reject(new Error(`our server's connection ${i} did not settle within ${ms} ms (${conns.length} connections)`));
          setTimeout(tick, 15);
        };
        tick();
      });
    },
    close: () => new Promise<void>((r) => {
      // connections still open (a peer that did not hang up) must not hold the close
      for (const sock of sockets) sock.destroy();
      server.close(() => r());
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Helpers for the DTLS interop tests (dtls-*.test.ts): UDP ports, s_server on UDP, our DTLS client and echo
// server with their traces, and a UDP relay that can lose, reorder, duplicate, change or inject datagrams.

/** A UDP port free on 127.0.0.1 right now (bound, read, released). */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve());
  });
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** `openssl s_server` on UDP 127.0.0.1 (put -dtls1_2 or -dtls1 in `args`); ready once it prints ACCEPT. */
export async function opensslDtlsServer(args: string[], env?: Record<string, string>): Promise<Peer> {
  requireOpensslTool();
  const port = await freeUdpPort();
  const proc = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
  proc.stdin!.on('error', () => undefined);
  const peer = track(proc, port);
  // With -brief s_server prints no ACCEPT line: it is ready once its UDP port is taken.
  const t0 = Date.now();
  while (!/ACCEPT/.test(peer.output()) && !(await udpPortTaken(port))) {
    if (proc.exitCode !== null || Date.now() - t0 > 10_000) throw new Error(`openssl s_server did not listen on UDP 127.0.0.1:${port} within ${Date.now() - t0} ms; it printed:\n${peer.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return peer;
}

/** Whether some process has bound UDP 127.0.0.1:port. */
function udpPortTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(true));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(false)));
  });
}

/** Throws naming openssl when it is not installed (a missing peer fails the test, never skips it). */
export function requireOpensslTool(): void {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`missing tool 'openssl' (Debian package openssl): install it (bash scripts/install-test-deps.sh): ${r.error?.message ?? r.stderr}`);
}

/** What one DTLS association of ours saw, reduced to what tests look at. */
export interface DtlsTraceLog extends TraceLog {
  /** Every trace event, in order. */
  events: TraceEvent[];
  /** Info lines that mention a retransmission (timer-driven, or in answer to the peer's). */
  retransmissions(): string[];
  /** Info lines that say a record or datagram was dropped. */
  drops(): string[];
  /** Alerts we sent. */
  alertsOut(): string[];
}

export function dtlsTraceLog(s: DtlsSession): DtlsTraceLog {
  const events: TraceEvent[] = [];
  const log: DtlsTraceLog = {
    messages: [], alerts: [], infos: [], events,
    retransmissions: () => log.infos.filter((m) => /retransmit/i.test(m)),
    drops: () => log.infos.filter((m) => /dropped/i.test(m)),
    alertsOut: () => log.alerts.filter((a) => a.startsWith('out:')),
  };
  s.on('trace', (e: TraceEvent) => {
    events.push(e);
    if (e.kind === 'handshake') log.messages.push(`${e.dir}:${e.name}`);
    else if (e.kind === 'alert') log.alerts.push(`${e.dir}:${e.level}:${e.name}`);
    else if (e.kind === 'info') log.infos.push(e.message);
  });
  return log;
}

/** A short account of a DTLS trace for assertion messages. */
export function describeDtlsLog(log: DtlsTraceLog): string {
  return `messages: ${log.messages.join(' ')}\n  alerts: ${log.alerts.join(' ') || '-'}\n  infos: ${log.infos.join(' | ')}`;
}

export interface DtlsClientRun extends DtlsTraceLog {
  session: DtlsSession;
  n: NegotiatedSession;
  /** Rejects when the association fails later (race it with reads). */
  failure: Promise<never>;
}

/** Our DTLS client: connects, runs the handshake; rejects with the error and the trace so far. */
export async function ourDtlsClientHandshake(opts: DtlsSessionOptions & { host: string; port: number }): Promise<DtlsClientRun> {
  const session = await connectDtls({ handshakeTimeoutMs: 10_000, ...opts });
  const log = dtlsTraceLog(session);
  const failure = new Promise<never>((_, reject) => session.on('error', reject));
  failure.catch(() => undefined);
  session.begin();
  try {
    const n = await Promise.race([session.handshake(), failure]);
    return { session, n, failure, ...log };
  } catch (e) {
    session.destroy();
    const err = e as TlsSessionError;
    throw Object.assign(new TlsSessionError(`${err.message}\n  our DTLS client's ${describeDtlsLog(log)}`, err.alert, err.fromPeer), { log });
  }
}

/** Reads from a DTLS session until `want` has arrived (or fails after `ms`). */
export function receiveDtls(s: DtlsSession, want: string, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const timer = setTimeout(() => {
      s.off('data', onData);
      reject(new Error(`did not receive ${JSON.stringify(want)}; got ${JSON.stringify(got)}`));
    }, ms);
    const onData = (d: Uint8Array) => {
      got += new TextDecoder().decode(d);
      if (got.includes(want)) {
        clearTimeout(timer);
        s.off('data', onData);
        resolve(got);
      }
    };
    s.on('data', onData);
  });
}

/** One association of our DTLS echo server, as it went. */
export interface DtlsServerConn extends DtlsTraceLog {
  session: DtlsSession;
  negotiated?: NegotiatedSession;
  error?: TlsSessionError;
  received: string;
  closed: boolean;
}

export interface DtlsEchoServer {
  port: number;
  server: DtlsServer;
  conns: DtlsServerConn[];
  /** Resolves with the first association, from index `from` on, that completed its handshake or failed. */
  settled(from?: number, ms?: number): Promise<DtlsServerConn>;
  /** Resolves once some association's received data matches `re`. */
  received(re: RegExp, ms?: number): Promise<DtlsServerConn>;
  describe(): string;
  close(): void;
}

/** Our DTLS server (createDtlsServer) on 127.0.0.1, a free port, echoing every datagram's data; each association recorded. */
export async function ourDtlsEchoServer(opts: DtlsSessionOptions): Promise<DtlsEchoServer> {
  const conns: DtlsServerConn[] = [];
  const server = await createDtlsServer({ host: '127.0.0.1', port: 0, handshakeTimeoutMs: 10_000, ...opts }, (s) => {
    const c: DtlsServerConn = { ...dtlsTraceLog(s), session: s, received: '', closed: false };
    conns.push(c);
    s.on('secure', (n: NegotiatedSession) => (c.negotiated = n));
    s.on('error', (e: TlsSessionError) => (c.error = e));
    s.on('close', () => (c.closed = true));
    s.on('data', (d: Uint8Array) => {
      c.received += new TextDecoder().decode(d);
      s.write(d);
    });
  });
  const poll = <T>(what: () => T | undefined, ms: number, fail: () => string): Promise<T> =>
    new Promise((resolve, reject) => {
      const t0 = Date.now();
      const tick = () => {
        const v = what();
        if (v !== undefined) return resolve(v);
        if (Date.now() - t0 > ms) return reject(new Error(fail()));
        setTimeout(tick, 15);
      };
      tick();
    });
  const self: DtlsEchoServer = {
    port: server.port,
    server,
    conns,
    settled: (from = 0, ms = 10_000) =>
      poll(() => conns.slice(from).find((c) => c.negotiated || c.error), ms, () => `our DTLS server: no association from #${from} settled within ${ms} ms\n${self.describe()}`),
    received: (re, ms = 10_000) => poll(() => conns.find((c) => re.test(c.received)), ms, () => `our DTLS server did not receive ${re} within ${ms} ms\n${self.describe()}`),
    describe: () =>
      conns.map((c, i) => `  association ${i}: ${c.negotiated ? 'secure' : c.error ? `error ${c.error.message}` : 'handshaking'}\n  ${describeDtlsLog(c)}`).join('\n') || '  (no association)',
    close: () => server.close(),
  };
  return self;
}

export type RelayDir = 'c2s' | 's2c';

/** One datagram through the relay: its direction, its bytes, its index in that direction, and when. */
export interface RelayDatagram {
  dir: RelayDir;
  bytes: Uint8Array;
  index: number;
  t: number;
}

/**
 * What to do with one datagram: forward it, drop it, send it twice, hold it until the next datagram in the same
 * direction has gone (or `holdMs` passed), or send other bytes in its place (a list, sent in order).
 */
export type RelayAction = 'forward' | 'drop' | 'duplicate' | 'hold' | { send: Uint8Array[] };

export interface UdpRelay {
  /** Where the client should connect. */
  port: number;
  /** Everything that arrived, with what was done to it. */
  log: Array<RelayDatagram & { action: string }>;
  /** Sends bytes to the client (from the relay's client-facing address) or to the server. */
  inject(dir: RelayDir, bytes: Uint8Array): void;
  close(): void;
}

/** A UDP relay on 127.0.0.1 between one client and the server at `serverPort`; `policy` decides each datagram's fate. */
export async function udpRelay(serverPort: number, policy: (d: RelayDatagram) => RelayAction = () => 'forward', holdMs = 60): Promise<UdpRelay> {
  const bind = async () => {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => resolve());
    });
    s.on('error', () => undefined);
    return s;
  };
  const front = await bind(); // faces the client
  const back = await bind(); // faces the server
  const t0 = Date.now();
  let client: { address: string; port: number } | undefined;
  const counts = { c2s: 0, s2c: 0 };
  const held: Record<RelayDir, { bytes: Uint8Array; timer: NodeJS.Timeout } | undefined> = { c2s: undefined, s2c: undefined };
  const log: UdpRelay['log'] = [];
  let closed = false;
  const send = (dir: RelayDir, b: Uint8Array) => {
    if (closed) return;
    if (dir === 'c2s') back.send(b, serverPort, '127.0.0.1');
    else if (client) front.send(b, client.port, client.address);
  };
  const release = (dir: RelayDir) => {
    const h = held[dir];
    if (!h) return;
    held[dir] = undefined;
    clearTimeout(h.timer);
    send(dir, h.bytes);
  };
  const onDatagram = (dir: RelayDir, m: Buffer) => {
    const d: RelayDatagram = { dir, bytes: new Uint8Array(m), index: counts[dir]++, t: Date.now() - t0 };
    const a = policy(d);
    log.push({ ...d, action: typeof a === 'string' ? a : `send ${a.send.length}` });
    if (a === 'drop') return;
    if (a === 'hold' && !held[dir]) {
      held[dir] = { bytes: d.bytes, timer: setTimeout(() => release(dir), holdMs) };
      return;
    }
    if (typeof a === 'object') for (const b of a.send) send(dir, b);
    else {
      send(dir, d.bytes);
      if (a === 'duplicate') send(dir, d.bytes);
    }
    release(dir); // a held datagram goes after the one that overtook it
  };
  front.on('message', (m, ri) => {
    client = { address: ri.address, port: ri.port };
    onDatagram('c2s', m);
  });
  back.on('message', (m) => onDatagram('s2c', m));
  return {
    port: front.address().port,
    log,
    inject: send,
    close() {
      closed = true;
      for (const h of Object.values(held)) if (h) clearTimeout(h.timer);
      front.close();
      back.close();
    },
  };
}
