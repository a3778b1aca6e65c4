// Flights and their retransmission (RFC 6347 section 4.2.4, figure 3), sans-IO: the caller passes the time in
// (milliseconds, any monotonic origin) and sends what it is handed back. States:
//   PREPARING  building the next flight (a client starts here)
//   SENDING    passing through: the flight is handed to the caller, then WAITING, or FINISHED for the last flight
//   WAITING    the retransmit timer runs (a server starts here, with no flight and no timer)
//   FINISHED   the handshake's last flight was sent or received; a retransmission of the peer's last flight is
//              answered with ours for `finishedHoldMs` (twice the TCP MSL by default, section 4.2.4)
// Timer values (section 4.2.4.1): 1 s at first, doubled at each retransmission up to 60 s. The value goes back to
// the initial one when the peer's next flight arrives (the flight got through: OpenSSL's dtls1_stop_timer does
// the same). After `maxRetransmissions` timeouts without progress the handshake gives up (OpenSSL: 12).
//
// The flight is opaque here (`F`): retransmitted records must carry new record sequence numbers (section 4.2.2:
// "from the perspective of the DTLS record layer, the retransmission is a new record"), so the connection keeps
// the flight's messages (type, epoch, content) and seals them again on each retransmission, possibly with smaller
// fragments (section 4.1.1.1 backs off the record size after 2-3 fruitless retransmissions: `backOffMtu`).

export type FlightState = 'PREPARING' | 'SENDING' | 'WAITING' | 'FINISHED';

export interface FlightTimerOptions {
  /** The first timer value, ms. Default 1000 (section 4.2.4.1, the RFC 6298 minimum). */
  initialTimeoutMs?: number;
  /** The cap on doubling, ms. Default 60000 (section 4.2.4.1: "up to no less than the RFC 6298 maximum of 60 seconds"). */
  maxTimeoutMs?: number;
  /** Timer-driven retransmissions of one flight before giving up. Default 12 (OpenSSL's DTLS1_TMO_ALERT_COUNT). */
  maxRetransmissions?: number;
  /** Retransmissions after which `backOffMtu` is set (section 4.1.1.1: "2-3 seems appropriate"). Default 2. */
  mtuBackoffAfter?: number;
  /** How long FINISHED still answers the peer's retransmitted last flight, ms. Default 240000 (2 x the 2-minute MSL). */
  finishedHoldMs?: number;
}

export type TimeoutOutcome<F> =
  /** Nothing due: no timer runs, or it has not expired (`remainingMs`). DTLSv1_handle_timeout returns 0. */
  | { kind: 'not-due'; remainingMs: number | null }
  /** Retransmit `flight` now; the timer is re-armed with `timeoutMs`. */
  | { kind: 'retransmit'; flight: F; retransmission: number; timeoutMs: number; backOffMtu: boolean }
  /** The flight was retransmitted maxRetransmissions times without an answer: the handshake fails. */
  | { kind: 'give-up'; retransmissions: number };

export class FlightTimer<F = readonly Uint8Array[]> {
  readonly initialTimeoutMs: number;
  readonly maxTimeoutMs: number;
  readonly maxRetransmissions: number;
  readonly mtuBackoffAfter: number;
  readonly finishedHoldMs: number;

  private st: FlightState;
  private last: F | null = null;
  private value: number;
  /** When the running timer expires; null when none runs. */
  private deadline: number | null = null;
  private count = 0;
  /** When FINISHED was entered by sending the last flight (our flight is then kept to answer retransmissions). */
  private finishedAt: number | null = null;

  /** A client starts PREPARING; a server WAITING, "with empty buffers and no retransmit timer" (section 4.2.4). */
  constructor(readonly role: 'client' | 'server', opts: FlightTimerOptions = {}) {
    this.initialTimeoutMs = opts.initialTimeoutMs ?? 1000;
    this.maxTimeoutMs = opts.maxTimeoutMs ?? 60_000;
    this.maxRetransmissions = opts.maxRetransmissions ?? 12;
    this.mtuBackoffAfter = opts.mtuBackoffAfter ?? 2;
    this.finishedHoldMs = opts.finishedHoldMs ?? 240_000;
    if (!(this.initialTimeoutMs > 0 && this.maxTimeoutMs >= this.initialTimeoutMs)) throw new RangeError('timer values: need 0 < initialTimeoutMs <= maxTimeoutMs');
    if (!(Number.isInteger(this.maxRetransmissions) && this.maxRetransmissions >= 0)) throw new RangeError('maxRetransmissions must be a non-negative integer');
    this.value = this.initialTimeoutMs;
    this.st = role === 'client' ? 'PREPARING' : 'WAITING';
  }

  get state(): FlightState {
    return this.st;
  }

  /** The flight last sent (kept for retransmission), or null. */
  get flight(): F | null {
    return this.last;
  }

  /** Timer-driven retransmissions of the current flight so far. */
  get retransmissions(): number {
    return this.count;
  }

  /** The timer value the next arming uses, ms. */
  get timeoutMs(): number {
    return this.value;
  }

  /** Starts building a new flight (a rehandshake from FINISHED; section 4.2.4, the HelloRequest edges). */
  prepare(): void {
    this.stop();
    this.st = 'PREPARING';
  }

  /**
   * PREPARING -> SENDING -> WAITING (or FINISHED when `lastFlight`): keeps `flight` for retransmission, arms the
   * timer unless it is the last flight, and hands the flight back for the caller to send.
   */
  send(flight: F, now: number, lastFlight = false): F {
    if (this.st !== 'PREPARING') throw new Error(`FlightTimer.send in state ${this.st}: a flight is sent from PREPARING (RFC 6347 section 4.2.4)`);
    this.st = 'SENDING';
    this.last = flight;
    this.count = 0;
    if (lastFlight) {
      this.st = 'FINISHED';
      this.deadline = null;
      this.finishedAt = now;
    } else {
      this.st = 'WAITING';
      this.deadline = now + this.value;
    }
    return flight;
  }

  /**
   * The peer's next flight arrived in full (partial reads change nothing, section 4.2.4): the timer stops and its
   * value goes back to the initial one; FINISHED when that was the handshake's last flight, else PREPARING.
   */
  received(lastFlight: boolean, now: number): void {
    if (this.st !== 'WAITING') throw new Error(`FlightTimer.received in state ${this.st}: the peer's flight is awaited in WAITING`);
    this.stop();
    this.value = this.initialTimeoutMs;
    if (lastFlight) {
      this.st = 'FINISHED';
      // Who received the last flight sent none after it: nothing to answer retransmissions with.
      this.last = null;
      this.finishedAt = now;
    } else {
      this.st = 'PREPARING';
    }
  }

  /**
   * DTLSv1_get_timeout: ms until the timer expires (0 when already due), or null when no timer runs.
   */
  getTimeout(now: number): number | null {
    if (this.deadline === null) return null;
    return Math.max(0, this.deadline - now);
  }

  /**
   * DTLSv1_handle_timeout: when the timer has expired, the flight to retransmit (WAITING -> SENDING -> WAITING with
   * the timer value doubled, capped), or 'give-up' once maxRetransmissions were spent; otherwise 'not-due'.
   */
  handleTimeout(now: number): TimeoutOutcome<F> {
    if (this.st !== 'WAITING' || this.deadline === null || this.last === null) return { kind: 'not-due', remainingMs: null };
    if (now < this.deadline) return { kind: 'not-due', remainingMs: this.deadline - now };
    if (this.count >= this.maxRetransmissions) {
      const retransmissions = this.count;
      this.stop();
      return { kind: 'give-up', retransmissions };
    }
    this.count++;
    this.value = Math.min(this.value * 2, this.maxTimeoutMs);
    this.deadline = now + this.value;
    return { kind: 'retransmit', flight: this.last, retransmission: this.count, timeoutMs: this.value, backOffMtu: this.count >= this.mtuBackoffAfter };
  }

  /**
   * The peer retransmitted its previous flight, a sign ours was lost (section 4.2.4): in WAITING, the flight to
   * send again now (the timer restarts with its current value; this does not count towards the bound); in
   * FINISHED, our last flight for `finishedHoldMs` after it was sent ("MUST respond to a retransmit of the peer's
   * last flight"). Otherwise null.
   */
  peerRetransmitted(now: number): F | null {
    if (this.st === 'WAITING' && this.last !== null) {
      this.deadline = now + this.value;
      return this.last;
    }
    if (this.st === 'FINISHED' && this.last !== null && this.finishedAt !== null) {
      if (now - this.finishedAt <= this.finishedHoldMs) return this.last;
      this.last = null; // the hold is over: the flight's keys and bytes may go
    }
    return null;
  }

  /** FINISHED and the hold for answering retransmissions has passed: the last flight can be forgotten. */
  canDiscard(now: number): boolean {
    return this.st === 'FINISHED' && (this.last === null || (this.finishedAt !== null && now - this.finishedAt > this.finishedHoldMs));
  }

  private stop(): void {
    this.deadline = null;
    this.count = 0;
  }
}
