// The flight and retransmission state machine of RFC 6347 section 4.2.4 (engine/dtls/flight-timer.ts): starting
// states, doubling from 1 s to the 60 s cap, the bound on retransmissions, reset on progress, answering the peer's
// retransmissions in WAITING and FINISHED, DTLSv1_get_timeout / DTLSv1_handle_timeout semantics, and a full
// handshake between two timers over a lossy channel driven by a fake clock. OpenSSL's own 1 s retransmission is
// observed in dtls-openssl.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlightTimer, type TimeoutOutcome } from '../../engine/dtls/flight-timer';

const D = (s: string): Uint8Array[] => [new TextEncoder().encode(s)];
const text = (f: readonly Uint8Array[] | null): string => (f ? f.map((b) => new TextDecoder().decode(b)).join('|') : 'null');

function retransmit<F>(o: TimeoutOutcome<F>): Extract<TimeoutOutcome<F>, { kind: 'retransmit' }> {
  assert.equal(o.kind, 'retransmit', JSON.stringify(o));
  return o as Extract<TimeoutOutcome<F>, { kind: 'retransmit' }>;
}

test('starting states (section 4.2.4): a client PREPARING, a server WAITING with no flight and no timer', () => {
  const c = new FlightTimer('client');
  assert.equal(c.state, 'PREPARING');
  assert.equal(c.getTimeout(0), null);
  const s = new FlightTimer('server');
  assert.equal(s.state, 'WAITING');
  assert.equal(s.flight, null);
  assert.equal(s.getTimeout(0), null, 'no timer');
  assert.deepEqual(s.handleTimeout(1e9), { kind: 'not-due', remainingMs: null });
  assert.equal(s.peerRetransmitted(0), null, 'nothing to retransmit yet');
  s.received(false, 0);
  assert.equal(s.state, 'PREPARING');
});

test('timer values (section 4.2.4.1): 1 s, doubled at each retransmission, capped at 60 s; getTimeout counts down to 0', () => {
  const t = new FlightTimer('client', { maxRetransmissions: 100 });
  assert.equal(text(t.send(D('CH'), 1000)), 'CH');
  assert.equal(t.state, 'WAITING');
  assert.equal(t.getTimeout(1000), 1000);
  assert.equal(t.getTimeout(1700), 300);
  assert.equal(t.getTimeout(2500), 0, 'overdue reads 0');
  assert.deepEqual(t.handleTimeout(1999), { kind: 'not-due', remainingMs: 1 });
  let now = 2000;
  const seen: number[] = [];
  for (let i = 1; i <= 9; i++) {
    const o = retransmit(t.handleTimeout(now));
    assert.equal(text(o.flight), 'CH', 'the whole last flight');
    assert.equal(o.retransmission, i);
    seen.push(o.timeoutMs);
    assert.equal(t.getTimeout(now), o.timeoutMs);
    assert.equal(t.state, 'WAITING');
    now += o.timeoutMs;
  }
  assert.deepEqual(seen, [2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000]);
  assert.equal(t.retransmissions, 9);
});

test('the bound on retransmissions: after maxRetransmissions the next expiry gives up and the timer stops', () => {
  const t = new FlightTimer('client', { maxRetransmissions: 3 });
  t.send(D('CH'), 0);
  let now = 0;
  for (let i = 0; i < 3; i++) {
    now += t.getTimeout(now)!;
    assert.equal(retransmit(t.handleTimeout(now)).retransmission, i + 1);
  }
  now += t.getTimeout(now)!;
  assert.deepEqual(t.handleTimeout(now), { kind: 'give-up', retransmissions: 3 });
  assert.equal(t.getTimeout(now), null);
  assert.equal(new FlightTimer('client').maxRetransmissions, 12, "OpenSSL's DTLS1_TMO_ALERT_COUNT by default");
  // zero: the first expiry gives up
  const z = new FlightTimer('client', { maxRetransmissions: 0 });
  z.send(D('CH'), 0);
  assert.equal(z.handleTimeout(1000).kind, 'give-up');
});

test('backOffMtu from the second retransmission (RFC 6347 section 4.1.1.1: "2-3 seems appropriate")', () => {
  const t = new FlightTimer('client', { mtuBackoffAfter: 2 });
  t.send(D('CH'), 0);
  let now = 0;
  const flags: boolean[] = [];
  for (let i = 0; i < 4; i++) {
    now += t.getTimeout(now)!;
    flags.push(retransmit(t.handleTimeout(now)).backOffMtu);
  }
  assert.deepEqual(flags, [false, true, true, true]);
});

test('reset on progress: the next flight received stops the timer and the value returns to 1 s; the count restarts', () => {
  const t = new FlightTimer('client');
  t.send(D('CH'), 0);
  retransmit(t.handleTimeout(1000));
  retransmit(t.handleTimeout(3000));
  assert.equal(t.timeoutMs, 4000);
  t.received(false, 3500); // HelloVerifyRequest
  assert.equal(t.state, 'PREPARING');
  assert.equal(t.getTimeout(3500), null, 'no timer while preparing');
  assert.equal(t.timeoutMs, 1000);
  assert.equal(t.retransmissions, 0);
  t.send(D('CH2'), 3600);
  assert.equal(t.getTimeout(3600), 1000);
  assert.equal(text(retransmit(t.handleTimeout(4600)).flight), 'CH2', 'the new flight replaces the old one');
});

test('partial reads change nothing (section 4.2.4): the timer keeps running until received() is called', () => {
  const t = new FlightTimer('client');
  t.send(D('CH'), 0);
  // the caller does not call received() for a partial flight
  assert.equal(t.getTimeout(500), 500);
  assert.equal(retransmit(t.handleTimeout(1000)).timeoutMs, 2000);
});

test('peer retransmission in WAITING: our flight again at once, the timer restarted with its current value, not counted', () => {
  const t = new FlightTimer('server');
  t.received(false, 0);
  t.send(D('SH').concat(D('Cert'), D('SHD')), 10);
  retransmit(t.handleTimeout(1010)); // timer now 2000
  assert.equal(text(t.peerRetransmitted(1500)), 'SH|Cert|SHD');
  assert.equal(t.getTimeout(1500), 2000);
  assert.equal(t.retransmissions, 1);
  assert.equal(t.timeoutMs, 2000);
});

test('FINISHED: the sender of the last flight answers the peer’s retransmitted flight for 2 MSL, then forgets it; the receiver has nothing to send', () => {
  const s = new FlightTimer('server', { finishedHoldMs: 240_000 });
  s.received(false, 0);
  s.send(D('SH|...'), 0);
  s.received(false, 100); // client's flight 5
  assert.equal(s.state, 'PREPARING');
  s.send(D('CCS').concat(D('Fin')), 200, true);
  assert.equal(s.state, 'FINISHED');
  assert.equal(s.getTimeout(200), null, 'no timer for the last flight');
  assert.deepEqual(s.handleTimeout(1e6), { kind: 'not-due', remainingMs: null });
  assert.equal(text(s.peerRetransmitted(5000)), 'CCS|Fin', 'section 4.2.4: MUST respond to a retransmit of the peer’s last flight');
  assert.equal(s.canDiscard(5000), false);
  assert.equal(text(s.peerRetransmitted(240_200)), 'CCS|Fin');
  assert.equal(s.canDiscard(240_201), true);
  assert.equal(s.peerRetransmitted(240_201), null);
  assert.equal(s.flight, null, 'forgotten after the hold');
  // the client, receiving the last flight
  const c = new FlightTimer('client');
  c.send(D('CH'), 0);
  c.received(false, 10);
  c.send(D('CKE|CCS|Fin'), 20);
  c.received(true, 30);
  assert.equal(c.state, 'FINISHED');
  assert.equal(c.getTimeout(30), null);
  assert.equal(c.peerRetransmitted(40), null);
  assert.equal(c.canDiscard(40), true);
  // a rehandshake from FINISHED
  c.prepare();
  assert.equal(c.state, 'PREPARING');
});

test('misuse throws: send outside PREPARING, received outside WAITING, bad options', () => {
  const t = new FlightTimer('server');
  assert.throws(() => t.send(D('x'), 0), /PREPARING/);
  t.received(false, 0);
  assert.throws(() => t.received(false, 0), /WAITING/);
  assert.throws(() => new FlightTimer('client', { initialTimeoutMs: 0 }), RangeError);
  assert.throws(() => new FlightTimer('client', { initialTimeoutMs: 5000, maxTimeoutMs: 1000 }), RangeError);
  assert.throws(() => new FlightTimer('client', { maxRetransmissions: -1 }), RangeError);
});

test('a full handshake between two timers over a lossy channel (fake clock, seeded losses): both finish without giving up', () => {
  // flights: C1 (CH) -> S2 (SH..SHD) -> C3 (CKE CCS Fin) -> S4 (CCS Fin, last)
  for (let seed = 1; seed <= 50; seed++) {
    let a = seed;
    const lose = (): boolean => {
      a = (a * 1103515245 + 12345) & 0x7fffffff;
      return a % 100 < 35; // 35% loss
    };
    const c = new FlightTimer<string>('client');
    const s = new FlightTimer<string>('server');
    let now = 0;
    let serverGotC1 = false, clientGotS2 = false, serverGotC3 = false, clientGotS4 = false;
    const deliverToServer = (f: string): void => {
      if (lose()) return;
      if (f === 'C1' && !serverGotC1) {
        serverGotC1 = true;
        s.received(false, now);
        send(s, 'S2', false);
      } else if (f === 'C3' && !serverGotC3) {
        serverGotC3 = true;
        s.received(false, now);
        send(s, 'S4', true);
      } else {
        const again = s.peerRetransmitted(now);
        if (again) deliverToClient(again);
      }
    };
    const deliverToClient = (f: string): void => {
      if (lose()) return;
      if (f === 'S2' && !clientGotS2) {
        clientGotS2 = true;
        c.received(false, now);
        send(c, 'C3', false);
      } else if (f === 'S4' && !clientGotS4) {
        clientGotS4 = true;
        c.received(true, now);
      } else {
        const again = c.peerRetransmitted(now);
        if (again) deliverToServer(again);
      }
    };
    function send(t: FlightTimer<string>, f: string, last: boolean): void {
      const out = t.send(f, now, last);
      (t === c ? deliverToServer : deliverToClient)(out);
    }
    send(c, 'C1', false);
    for (let steps = 0; steps < 1000 && !(c.state === 'FINISHED' && s.state === 'FINISHED'); steps++) {
      const due = [c.getTimeout(now), s.getTimeout(now)].filter((x): x is number => x !== null);
      if (due.length === 0) break;
      now += Math.min(...due);
      for (const t of [c, s]) {
        const o = t.handleTimeout(now);
        if (o.kind === 'retransmit') (t === c ? deliverToServer : deliverToClient)(o.flight);
        assert.notEqual(o.kind, 'give-up', `seed ${seed}: gave up`);
      }
    }
    assert.equal(c.state, 'FINISHED', `seed ${seed}: client finished`);
    assert.equal(s.state, 'FINISHED', `seed ${seed}: server finished`);
    assert.ok(clientGotS4 && serverGotC3, `seed ${seed}`);
  }
});
