// Real peers on 127.0.0.1 for interop tests: openssl s_server / s_client (and later gnutls), started per
// case, each stopped when the case ends. Nothing here fakes a peer.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { TlsSession } from '../../engine/net/session';
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
export async function opensslServer(args: string[]): Promise<Peer> {
  const port = await freePort();
  const proc = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const peer = track(proc, port);
  await peer.waitFor(/ACCEPT/);
  return peer;
}

/** `openssl s_client` to 127.0.0.1:port; `input` is written to its stdin (kept open unless `end`). */
export function opensslClient(port: number, args: string[], input?: string, end = false): Peer {
  const proc = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
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
