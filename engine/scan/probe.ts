// One scan probe: a connection of our own client with chosen settings, reduced to what the server said. The
// server's ServerHello is read from the trace, so a choice counts even when our side then ends the handshake
// (a suite's key exchange we refuse, a compression method we cannot do): the server's answer is the fact.
import { connect, TlsSessionError, type SessionOptions, type TlsSession } from '../net/session';
import type { ClientSession } from '../conn/session-ticket';
import type { NegotiatedSession } from '../conn/types';
import type { TraceEvent } from '../trace/events';

/** What the ServerHello said, from its decoded fields. */
export interface HelloSeen {
  version: number;
  cipherSuite: number;
  compression: number;
  /** Extension types in the ServerHello (TLS 1.2 and older) or EncryptedExtensions (TLS 1.3). */
  extensions: number[];
  helloRetry: boolean;
}

export interface ProbeResult {
  /** The handshake completed. */
  ok: boolean;
  /** No TCP connection was made: the probe asked nothing, so it proves nothing either way. */
  unreachable?: boolean;
  hello?: HelloSeen;
  negotiated?: NegotiatedSession;
  /** The DER chain of the server's Certificate message, when one arrived. */
  chain?: Uint8Array[];
  /** TLS 1.2 and older: the ServerKeyExchange's curve or DH prime size and its signature scheme. */
  kx?: { curve?: number; dhBits?: number; scheme?: number };
  /** TLS 1.3: the CertificateVerify's signature scheme. */
  certificateVerifyScheme?: number;
  /** Alerts the server sent, by name. */
  alertsIn: { level: 'warning' | 'fatal'; name: string }[];
  error?: string;
  sessions: ClientSession[];
  /** What the `after` step reported. */
  after?: string;
}

export class ScanCancelled extends Error {
  constructor() {
    super('scan cancelled');
    this.name = 'ScanCancelled';
  }
}

export interface ProbeTarget {
  host: string;
  port: number;
  serverName?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Steps after a completed handshake (wait for tickets, renegotiate); resolves to a word for `after`. */
export type AfterStep = (s: TlsSession, n: NegotiatedSession, r: ProbeResult) => Promise<string>;

function fieldsOf(e: TraceEvent & { kind: 'handshake' }): Record<string, unknown> {
  return (e.fields ?? {}) as Record<string, unknown>;
}

/** Runs one probe; never rejects except with ScanCancelled. */
export async function probe(t: ProbeTarget, opts: SessionOptions, after?: AfterStep): Promise<ProbeResult> {
  if (t.signal?.aborted) throw new ScanCancelled();
  const r: ProbeResult = { ok: false, alertsIn: [], sessions: [] };
  let session: TlsSession;
  try {
    session = await connect({
      host: t.host, port: t.port, connectTimeoutMs: t.timeoutMs, handshakeTimeoutMs: t.timeoutMs,
      ...(t.serverName !== undefined ? { serverName: t.serverName } : {}),
      ...opts,
      onSession: (s) => r.sessions.push(s),
    });
  } catch (e) {
    if (t.signal?.aborted) throw new ScanCancelled();
    r.error = (e as Error).message;
    r.unreachable = true;
    return r;
  }
  if (t.signal?.aborted) {
    session.destroy();
    throw new ScanCancelled();
  }
  session.on('trace', (e: TraceEvent) => {
    if (e.kind === 'alert' && e.dir === 'in') r.alertsIn.push({ level: e.level, name: e.name });
    if (e.kind !== 'handshake' || e.dir !== 'in') return;
    const f = fieldsOf(e);
    const exts = ((f.extensions as { type: number }[] | undefined) ?? []).map((x) => x.type);
    if (f.type === 'server_hello' || f.type === 'hello_retry_request') {
      const ext = (f.ext ?? {}) as { supportedVersions?: number };
      r.hello = {
        version: ext.supportedVersions ?? (f.legacyVersion as number),
        cipherSuite: f.cipherSuite as number,
        compression: (f.legacyCompressionMethod as number | undefined) ?? 0,
        extensions: exts,
        helloRetry: f.type === 'hello_retry_request' || !!r.hello?.helloRetry,
      };
    } else if (f.type === 'encrypted_extensions' && r.hello) r.hello.extensions.push(...exts);
    else if (f.type === 'certificate' && !r.chain) {
      const list = (f.certificateList ?? f.certificates) as { data: Uint8Array }[] | undefined;
      if (list) r.chain = list.map((c) => c.data);
    } else if (f.type === 'server_key_exchange') {
      r.kx = {
        ...(typeof f.namedCurve === 'number' ? { curve: f.namedCurve } : {}),
        ...(f.dhP instanceof Uint8Array ? { dhBits: primeBits(f.dhP) } : {}),
        ...(typeof f.algorithm === 'number' ? { scheme: f.algorithm } : {}),
      };
    } else if (f.type === 'certificate_verify' && typeof f.algorithm === 'number') r.certificateVerifyScheme = f.algorithm;
  });
  let cancel: (e: Error) => void = () => undefined;
  const cancelled = new Promise<never>((_, reject) => (cancel = reject));
  cancelled.catch(() => undefined);
  const onAbort = () => {
    session.destroy();
    cancel(new ScanCancelled());
  };
  t.signal?.addEventListener('abort', onAbort, { once: true });
  const failure = new Promise<never>((_, reject) => session.on('error', reject));
  failure.catch(() => undefined);
  try {
    session.begin();
    const n = await Promise.race([session.handshake(), failure, cancelled]);
    r.ok = true;
    r.negotiated = n;
    if (!r.chain && n.peerCertificates.length) r.chain = n.peerCertificates;
    if (after) r.after = await Promise.race([after(session, n, r), failure, cancelled]);
  } catch (e) {
    if (t.signal?.aborted) throw new ScanCancelled();
    r.error = e instanceof TlsSessionError || e instanceof Error ? e.message : String(e);
  } finally {
    t.signal?.removeEventListener('abort', onAbort);
    // A completed handshake ends with close_notify: a server drops from its cache a session whose connection
    // just broke off (OpenSSL does), and resumption by session ID would then look unsupported.
    if (r.ok && !t.signal?.aborted) await closeGently(session, Math.min(t.timeoutMs, 1000));
    session.destroy();
  }
  return r;
}

/** close_notify and FIN, then up to `ms` for the server to close its side (servers close at once). */
function closeGently(s: TlsSession, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    s.socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      s.end();
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** Bits in a big-endian unsigned integer (a DH prime p), leading zero bytes ignored. */
export function primeBits(p: Uint8Array): number {
  let i = 0;
  while (i < p.length && p[i] === 0) i++;
  if (i === p.length) return 0;
  return (p.length - i - 1) * 8 + (32 - Math.clz32(p[i]!));
}

/** Resolves after `ms`, or at once if the signal fires (the caller's next await then sees the abort). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
