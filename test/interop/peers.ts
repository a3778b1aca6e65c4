// Real peers on 127.0.0.1 for interop tests: openssl s_server / s_client (and later gnutls), started per
// case, each stopped when the case ends. Nothing here fakes a peer.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { connect, createServer, TlsSessionError, type ConnectOptions, type SessionOptions, type TlsSession } from '../../engine/net/session';
import type { NegotiatedSession } from '../../engine/conn/types';
import type { TraceEvent } from '../../engine/trace/events';
import { identityFromPem } from '../../engine/tools/identity';

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
