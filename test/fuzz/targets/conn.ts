// Targets `conn` (TlsConnection, TLS 1.3 and 1.2, both roles) and `dtls-conn` (DtlsConnection): one flight of a
// recorded conversation (transcripts.ts) is changed and fed to a fresh endpoint brought to the state it was in
// just before that flight; then that endpoint and a fresh peer, in the state right after it sent the original,
// answer each other until both fall silent. Input = scenario (1 byte) || flight (1 byte) || mode (1 byte) ||
// payload: mode even, the flight's bytes as sent (DTLS: its datagrams, u16 length each); mode odd (TLS), its
// records as items (transcripts.ts encodeItems), TLS 1.3 ones opened, so a change inside a protected message is
// sealed again and reaches the handshake. Never a throw from receive(); an endpoint that fails must hold a
// ProtocolError it did not make of an untyped exception (internal_error "internal error: ...") and must have
// sent its fatal alert, or a PeerAlertError; and they must fall silent within the round limit.
// FUZZ_TRACE=1 prints both endpoints' trace from the changed flight on (with --replay).
import { PeerAlertError, ProtocolError } from '../../../engine/conn/errors';
import { formatEvent } from '../../../engine/trace/format-text';
import { FuzzViolation, type FuzzTarget } from '../target';
import { decodeItems, deliver, DTLS_SCENARIOS, encodeItems, flightsOf, recordingOf, replayTo, sealItems, TLS_SCENARIOS, type Endpoint, type Scenario, type Side } from '../transcripts';
import { joinPieces, splitPieces } from './util';

/** Exchanges after the changed flight before two endpoints still talking count as a loop. */
const MAX_ROUNDS = 16;
const ENVELOPE = 3;

function check(e: Endpoint, who: string, mark: number, failedBefore: boolean): void {
  const c = e.conn;
  // An endpoint that failed while being brought to its state (the RSA key exchange's client, whose own flights
  // differ from the recording) met nothing of this case.
  if (c.status !== 'failed' || failedBefore) return;
  const err = c.error;
  if (err instanceof PeerAlertError) return;
  if (!(err instanceof ProtocolError)) throw new FuzzViolation(`the ${who} failed without a typed error (${String(err)})`);
  if (err.alert === 'internal_error' && /^internal error: /.test(err.message)) throw new FuzzViolation(`the ${who} turned an untyped exception into internal_error: ${err.message}`);
  if (!e.events.slice(mark).some((ev) => ev.kind === 'alert' && ev.dir === 'out' && ev.level === 'fatal'))
    throw new FuzzViolation(`the ${who} failed (${err.alert}: ${err.message}) without sending a fatal alert`);
}

function runCase(scenarios: readonly Scenario[], input: Uint8Array): void {
  if (input.length < ENVELOPE) return;
  const sc = scenarios[input[0]! % scenarios.length]!;
  const steps = recordingOf(sc);
  const flights = flightsOf(steps);
  const f = flights[input[1]! % flights.length]!;
  const payload = input.subarray(ENVELOPE);
  const asItems = !sc.dtls && (input[2]! & 1) === 1 && f.items !== undefined;
  const pieces = sc.dtls ? splitPieces(payload) : asItems ? sealItems(decodeItems(payload), f.keys) : [payload];
  const to: Side = f.from === 'client' ? 'server' : 'client';
  const receiver = replayTo(sc, steps, to, f.index);
  const sender = replayTo(sc, steps, f.from, f.index + 1);
  const marks = [receiver.events.length, sender.events.length] as const;
  const failedBefore = [receiver.conn.status === 'failed', sender.conn.status === 'failed'] as const;
  deliver(receiver, pieces, sc.dtls);
  let rounds = 0;
  for (; rounds < MAX_ROUNDS; rounds++) {
    const back = receiver.conn.takeOutgoing();
    if (back.length) deliver(sender, back, sc.dtls);
    const forth = sender.conn.takeOutgoing();
    if (forth.length) deliver(receiver, forth, sc.dtls);
    if (!back.length && !forth.length) break;
  }
  if (rounds === MAX_ROUNDS) throw new FuzzViolation(`scenario ${sc.name}: the two endpoints were still talking after ${MAX_ROUNDS} exchanges`);
  receiver.conn.read(1 << 16);
  if (process.env.FUZZ_TRACE) {
    for (const [e, m] of [[receiver, marks[0]], [sender, marks[1]]] as const) {
      for (const ev of e.events.slice(m)) console.log(formatEvent(ev) ?? ev.kind);
      console.log(`-- ${e.conn.side}: ${e.conn.status} ${e.conn.error?.message ?? ''}`);
    }
  }
  check(receiver, `${to} (${sc.name}, flight ${f.index})`, marks[0], failedBefore[0]);
  check(sender, `${f.from} (${sc.name}, flight ${f.index})`, marks[1], failedBefore[1]);
}

/** Every flight of every scenario, as sent and (TLS) as items. */
function seedsOf(scenarios: readonly Scenario[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  scenarios.forEach((sc, s) => {
    flightsOf(recordingOf(sc)).forEach((f, i) => {
      const head = (mode: number) => Uint8Array.of(s, i, mode);
      if (sc.dtls) out.push(Uint8Array.from([...head(0), ...joinPieces(f.pieces)]));
      else {
        out.push(Uint8Array.from([...head(0), ...f.pieces.flatMap((p) => [...p])]));
        if (f.items) out.push(Uint8Array.from([...head(1), ...encodeItems(f.items)]));
      }
    });
  });
  return out;
}

export const connTarget: FuzzTarget = {
  name: 'conn',
  about: `one changed flight of ${TLS_SCENARIOS.length} recorded TLS 1.3/1.2 conversations (${TLS_SCENARIOS.map((s) => s.name).join(', ')}) to a fresh TlsConnection in that state, then both ends until silent`,
  typedErrors: [],
  fixedPrefix: ENVELOPE,
  deadlineMs: 1000,
  seeds: () => seedsOf(TLS_SCENARIOS),
  run: (input) => runCase(TLS_SCENARIOS, input),
};

export const dtlsConnTarget: FuzzTarget = {
  name: 'dtls-conn',
  about: `one changed flight of ${DTLS_SCENARIOS.length} recorded DTLS conversations (${DTLS_SCENARIOS.map((s) => s.name).join(', ')}) to a fresh DtlsConnection in that state, then both ends until silent`,
  typedErrors: [],
  fixedPrefix: ENVELOPE,
  deadlineMs: 1000,
  seeds: () => seedsOf(DTLS_SCENARIOS),
  run: (input) => runCase(DTLS_SCENARIOS, input),
};
