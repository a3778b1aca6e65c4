// Runs hostile-peer cases and keeps their score. Each case gets a hard deadline, listeners for uncaught
// exceptions and unhandled rejections, and a judge that checks how the side under attack ended: a typed error
// naming the alert or limit the case calls for, within a time bound. The suite prints one line per file:
//   hostile server: 34 cases, 34 survived (0 crashed, 0 hung, 0 misjudged)
import { performance } from 'node:perf_hooks';
import type { LimitName } from '../../../engine/conn/limits';
import type { DtlsSession } from '../../../engine/net/dtls';
import type { TlsSession, TlsSessionError } from '../../../engine/net/session';
import type { TraceEvent } from '../../../engine/trace/events';

/**
 * survived: ended as the case requires. crashed: an exception escaped the engine (uncaught, unhandled, or caught
 * by its guard as an internal error). hung: no outcome by the deadline. misjudged: ended, but not as required
 * (no error, a wrong alert, a limit not named, too slow).
 */
export type Verdict = 'survived' | 'crashed' | 'hung' | 'misjudged';

export interface CaseResult {
  name: string;
  verdict: Verdict;
  detail: string;
  ms: number;
}

/** The engine failed inside itself: an exception its guard turned into internal_error, or one that escaped. */
export class CrashError extends Error {}

export interface CaseContext {
  /** Runs when the case ends, however it ends (sockets, servers, timers), last registered first. */
  defer(fn: () => unknown): void;
  /** How the case went, for the test output when it survived. */
  note(text: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HostileSuite {
  readonly results: CaseResult[] = [];

  constructor(readonly label: string) {}

  /** Runs one case: `body` attacks and judges; it must settle before `deadlineMs`. */
  async run(name: string, deadlineMs: number, body: (c: CaseContext) => Promise<void>): Promise<CaseResult> {
    const escaped: unknown[] = [];
    const onEscape = (e: unknown) => escaped.push(e);
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
    const deferred: Array<() => unknown> = [];
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), deadlineMs)));
    let verdict: Verdict = 'survived';
    let detail = '';
    try {
      const r = await Promise.race([body({ defer: (fn) => deferred.push(fn), note: (text) => (detail = text) }).then(() => 'done' as const), deadline]);
      if (r === 'hung') {
        verdict = 'hung';
        detail = `no outcome within the case's deadline of ${deadlineMs} ms`;
      }
    } catch (e) {
      verdict = e instanceof CrashError ? 'crashed' : 'misjudged';
      detail = (e as Error)?.stack ?? String(e);
    } finally {
      clearTimeout(timer);
      for (const fn of deferred.reverse()) {
        try {
          await fn();
        } catch {
          // cleanup of a peer already gone
        }
      }
      // Late events (a socket closing, an alert arriving) still count against this case.
      await sleep(30);
      process.off('uncaughtException', onEscape);
      process.off('unhandledRejection', onEscape);
    }
    if (escaped.length) {
      verdict = 'crashed';
      detail = `escaped the engine: ${escaped.map((e) => (e as Error)?.stack ?? String(e)).join('\n')}\n${detail}`;
    }
    const result = { name, verdict, detail, ms: Math.round(performance.now() - t0) };
    this.results.push(result);
    return result;
  }

  count(v: Verdict): number {
    return this.results.filter((r) => r.verdict === v).length;
  }

  summary(): string {
    return `${this.label}: ${this.results.length} cases, ${this.count('survived')} survived (${this.count('crashed')} crashed, ${this.count('hung')} hung, ${this.count('misjudged')} misjudged)`;
  }

  /** The cases that did not survive, one line each. */
  failures(): string[] {
    return this.results.filter((r) => r.verdict !== 'survived').map((r) => `${r.verdict}: ${r.name} (${r.ms} ms): ${r.detail.split('\n')[0]}`);
  }
}

// ---- how the side under attack ended ---------------------------------------------------------------------------

export interface VictimOutcome {
  /** The error the session ended with (TlsSessionError), if any. */
  error?: TlsSessionError;
  /** The handshake completed at some point. */
  secure: boolean;
  /** From the session's creation to its end. */
  ms: number;
  bytesIn: number;
  /** Alerts as `fatal:decode_error`, by direction. */
  alertsOut: string[];
  alertsIn: string[];
  infos: string[];
}

/** Resolves when the session ends: at its first 'error', or at 'close' without one. */
export function watch(s: TlsSession | DtlsSession, t0 = performance.now()): Promise<VictimOutcome> {
  const o = { secure: false, alertsOut: [] as string[], alertsIn: [] as string[], infos: [] as string[] };
  s.on('trace', (e: TraceEvent) => {
    const alerts = e.kind === 'alert' ? (e.dir === 'out' ? o.alertsOut : o.alertsIn) : undefined;
    // A flood is summed up by its first 20 warnings; fatal alerts are always kept.
    if (alerts && e.kind === 'alert' && (alerts.length < 20 || e.level === 'fatal')) alerts.push(`${e.level}:${e.name}`);
    else if (e.kind === 'info' && o.infos.length < 50) o.infos.push(e.message);
  });
  s.on('secure', () => (o.secure = true));
  return new Promise((resolve) => {
    let error: TlsSessionError | undefined;
    const done = () => resolve({ ...o, ...(error ? { error } : {}), ms: performance.now() - t0, bytesIn: s.bytesIn });
    s.on('error', (e: TlsSessionError) => {
      error ??= e;
      done();
    });
    s.on('close', done);
  });
}

export interface Expected {
  /** The alert the victim sent, one of these (the RFC's where it names one). */
  alert?: string | readonly string[];
  /** The limit the error must name (one of them, when several would be right). */
  limit?: LimitName | readonly LimitName[];
  /** The error's message must match. */
  message?: RegExp;
  /** The victim must have ended within this many ms of its session starting. */
  withinMs: number;
  /** The handshake completes before the attack (post-handshake cases). */
  secureFirst?: boolean;
}

/** One line on how a victim ended. */
export function describeOutcome(o: VictimOutcome): string {
  const e = o.error;
  return `${e ? `error "${e.message}" (alert ${e.alert ?? '-'}${e.fromPeer ? ', from the peer' : ''})` : 'no error'}, after ${Math.round(o.ms)} ms, secure ${o.secure}, ${o.bytesIn} bytes in; alerts out [${o.alertsOut.join(' ')}] in [${o.alertsIn.join(' ')}]`;
}

/**
 * Throws (CrashError, or an Error saying what differs) unless the outcome is what the case requires; with several
 * expectations, any one of them will do.
 */
export function judge(o: VictimOutcome, want: Expected | readonly Expected[]): void {
  if (!isExpected(want)) {
    const whys: string[] = [];
    for (const w of want) {
      try {
        return judgeOne(o, w);
      } catch (e) {
        if (e instanceof CrashError) throw e;
        whys.push((e as Error).message);
      }
    }
    throw new Error(`none of the ${want.length} acceptable outcomes: ${whys.join(' / ')}`);
  }
  judgeOne(o, want);
}

function isExpected(w: Expected | readonly Expected[]): w is Expected {
  return !Array.isArray(w);
}

function judgeOne(o: VictimOutcome, want: Expected): void {
  const e = o.error;
  const fail = (why: string) => {
    throw new Error(`${why}: ${describeOutcome(o)}`);
  };
  if (e && e.alert === 'internal_error' && !e.fromPeer) throw new CrashError(`the engine failed inside itself: ${describeOutcome(o)}`);
  if (!e) fail('the session ended without an error');
  if (e!.name !== 'TlsSessionError') fail(`the error is a ${e!.name}, not a TlsSessionError`);
  if (want.secureFirst !== undefined && o.secure !== want.secureFirst) fail(want.secureFirst ? 'the handshake should have completed before the attack' : 'the handshake should not have completed');
  if (want.alert !== undefined) {
    const alerts = typeof want.alert === 'string' ? [want.alert] : want.alert;
    if (!alerts.includes(e!.alert ?? '')) fail(`expected alert ${alerts.join(' or ')}`);
    if (e!.fromPeer) fail('the alert came from the hostile peer, not from our side');
    if (!o.alertsOut.includes(`fatal:${e!.alert}`)) fail(`our side did not send the fatal ${e!.alert} alert it failed with`);
  }
  if (want.limit) {
    const limits = typeof want.limit === 'string' ? [want.limit] : want.limit;
    if (!limits.some((l) => new RegExp(`\\b${l}\\b`).test(e!.message))) fail(`the error does not name the limit ${limits.join(' or ')}`);
  }
  if (want.message && !want.message.test(e!.message)) fail(`the error does not match ${want.message}`);
  if (o.ms > want.withinMs) fail(`took ${Math.round(o.ms)} ms, over the bound of ${want.withinMs} ms`);
}

/**
 * The longest the event loop went without turning while it runs: a peer that makes one datagram or record cost
 * seconds of CPU stalls every other connection of the process, even if a deadline ends its own.
 */
export function stallMeter(tickMs = 5): { max(): number; stop(): void } {
  let last = performance.now();
  let max = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - tickMs);
    last = now;
  }, tickMs);
  return { max: () => Math.round(max), stop: () => clearInterval(timer) };
}
