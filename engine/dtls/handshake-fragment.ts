// DTLS handshake messages and their fragments (RFC 6347 sections 4.2.2, 4.2.3 and 4.2.6), sans-IO:
//   - the 12-byte handshake header codec (msg_type, length, message_seq, fragment_offset, fragment_length) and the
//     fragments of a handshake record's payload (several may share a record, section 4.2.3);
//   - fragmentHandshake: a message cut into fragments that fit a datagram after the record overhead;
//   - DtlsReassembler: fragments in any order, overlapping or repeated, give whole messages released in message_seq
//     order; messages below the next expected are retransmissions and ignored (section 4.2.2: "MUST be
//     discarded"); a bounded number ahead are buffered; memory is bounded by a message-length limit and a limit on
//     all buffered bytes, each named in the DtlsLimitError it throws;
//   - transcriptBytes: the form the Finished and CertificateVerify hashes cover, each message "as if ... sent as a
//     single fragment" (section 4.2.6): the 12-byte header with fragment_offset 0 and fragment_length = length;
//   - toTlsForm/fromTlsForm: to and from the 4-byte TLS header engine/msgs decodes and encodes.
import { HandshakeType, handshakeLabel } from '../registry/handshake-types';
import type { AlertDescription } from '../registry/alerts';
import { DecodeError, Reader } from '../msgs/reader';
import { EncodeError, Writer } from '../msgs/writer';

export const DTLS_HANDSHAKE_HEADER_LEN = 12;

export interface DtlsHandshakeHeader {
  msgType: number;
  /** The whole message body's length. */
  length: number;
  messageSeq: number;
  fragmentOffset: number;
  fragmentLength: number;
}

export interface DtlsHandshakeFragment extends DtlsHandshakeHeader {
  /** The fragment's bytes (fragmentLength of them), a view into the record payload. */
  fragment: Uint8Array;
  /** Header and fragment, a view into the record payload. */
  raw: Uint8Array;
}

/** One whole handshake message: its type, sequence number and body (without any header). */
export interface DtlsHandshakeMessage {
  msgType: number;
  messageSeq: number;
  body: Uint8Array;
}

export function encodeDtlsHandshakeHeader(h: DtlsHandshakeHeader): Uint8Array {
  return new Writer(DTLS_HANDSHAKE_HEADER_LEN)
    .u8(h.msgType, 'Handshake.msg_type')
    .u24(h.length, 'Handshake.length')
    .u16(h.messageSeq, 'Handshake.message_seq')
    .u24(h.fragmentOffset, 'Handshake.fragment_offset')
    .u24(h.fragmentLength, 'Handshake.fragment_length')
    .finish();
}

/** Header then bytes [offset, offset + n) of `msg`'s body. */
export function encodeDtlsHandshakeFragment(msg: DtlsHandshakeMessage, offset: number, n: number): Uint8Array {
  if (!(offset >= 0 && n >= 0 && offset + n <= msg.body.length)) throw new EncodeError('Handshake.fragment', `[${offset}, ${offset + n}) is not inside the ${msg.body.length}-byte body`);
  const out = new Uint8Array(DTLS_HANDSHAKE_HEADER_LEN + n);
  out.set(encodeDtlsHandshakeHeader({ msgType: msg.msgType, length: msg.body.length, messageSeq: msg.messageSeq, fragmentOffset: offset, fragmentLength: n }));
  out.set(msg.body.subarray(offset, offset + n), DTLS_HANDSHAKE_HEADER_LEN);
  return out;
}

/** The header of the fragment at `r`, checked: the fragment lies inside the message (RFC 6347 section 4.2.3). */
function readFragment(r: Reader): DtlsHandshakeFragment {
  const start = r.pos;
  const msgType = r.u8('msg_type');
  const label = handshakeLabel(msgType);
  const length = r.u24(`${label}.length`);
  const messageSeq = r.u16(`${label}.message_seq`);
  const fragmentOffset = r.u24(`${label}.fragment_offset`);
  const fragmentLength = r.u24(`${label}.fragment_length`);
  if (fragmentOffset + fragmentLength > length)
    r.fail(`${label}.fragment_length`, `fragment [${fragmentOffset}, ${fragmentOffset + fragmentLength}) runs past the message length ${length}`, 'decode_error', start + 9);
  const fragment = r.bytes(fragmentLength, `${label}.fragment`);
  return { msgType, length, messageSeq, fragmentOffset, fragmentLength, fragment, raw: r.buf.subarray(start, r.pos) };
}

/**
 * The handshake fragments in one handshake record's payload (RFC 6347 section 4.2.3: several may share a record).
 * Throws DecodeError naming the field (`Certificate.fragment_length`) for a truncated or inconsistent fragment;
 * the connection drops the record (section 4.1.2.7) or alerts, its choice.
 */
export function decodeDtlsHandshakeFragments(payload: Uint8Array): DtlsHandshakeFragment[] {
  const r = new Reader(payload, 'Handshake');
  // RFC 5246 section 6.2.1 (which DTLS keeps): no zero-length fragments of the handshake type.
  if (r.atEnd()) r.fail(undefined, 'a handshake record must not be empty (RFC 5246 section 6.2.1)', 'unexpected_message');
  const out: DtlsHandshakeFragment[] = [];
  while (!r.atEnd()) out.push(readFragment(r));
  return out;
}

// --- fragmenting ------------------------------------------------------------------------------------------------------

export interface FragmentBudget {
  /** The largest datagram payload that can be sent: the PMTU minus IP and UDP headers (RFC 6347 section 4.1.1.1). */
  maxDatagramSize: number;
  /** Bytes each record adds to its content: the 13-byte header and the protector's overhead (DtlsEpochWriter.overhead). */
  recordOverhead: number;
}

/** The most message bytes one fragment may carry so its record fits the datagram: size - overhead - 12. */
export function maxFragmentLength(b: FragmentBudget): number {
  const n = b.maxDatagramSize - b.recordOverhead - DTLS_HANDSHAKE_HEADER_LEN;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`a ${b.maxDatagramSize}-byte datagram leaves no room for handshake bytes after ${b.recordOverhead} bytes of record overhead and the 12-byte header`);
  return n;
}

/**
 * `msg` as contiguous, non-overlapping fragments of at most `budget` body bytes each (a number, or what a datagram
 * leaves, see maxFragmentLength), each with its 12-byte header (RFC 6347 section 4.2.3). An empty body still
 * makes one fragment. Each goes in its own record, or several in one record when they fit.
 */
export function fragmentHandshake(msg: DtlsHandshakeMessage, budget: number | FragmentBudget): Uint8Array[] {
  const max = typeof budget === 'number' ? budget : maxFragmentLength(budget);
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`fragment size ${max} must be a positive integer`);
  if (msg.body.length > 0xffffff) throw new EncodeError('Handshake.length', `${msg.body.length} bytes do not fit in 24 bits`);
  const out: Uint8Array[] = [];
  let off = 0;
  do {
    const n = Math.min(max, msg.body.length - off);
    out.push(encodeDtlsHandshakeFragment(msg, off, n));
    off += n;
  } while (off < msg.body.length);
  return out;
}

// --- transcript and TLS form ------------------------------------------------------------------------------------------

/**
 * The bytes the handshake hash covers for `msg` (RFC 6347 section 4.2.6): its 12-byte DTLS header with
 * fragment_offset 0 and fragment_length = length, then the body, however the message was fragmented on the wire.
 * (The first ClientHello and the HelloVerifyRequest of a cookie exchange are left out by the caller, same section.)
 */
export function transcriptBytes(msg: DtlsHandshakeMessage): Uint8Array {
  return encodeDtlsHandshakeFragment(msg, 0, msg.body.length);
}

/** The message with TLS's 4-byte header (msg_type, length), which engine/msgs decoders take. */
export function toTlsForm(msg: Pick<DtlsHandshakeMessage, 'msgType' | 'body'>): Uint8Array {
  const n = msg.body.length;
  if (n > 0xffffff) throw new EncodeError('Handshake.length', `${n} bytes do not fit in 24 bits`);
  const out = new Uint8Array(4 + n);
  out[0] = msg.msgType;
  out[1] = n >>> 16;
  out[2] = n >>> 8;
  out[3] = n;
  out.set(msg.body, 4);
  return out;
}

/** A message encoded by engine/msgs (4-byte header) as a DTLS message with `messageSeq`; the body is a view. */
export function fromTlsForm(raw: Uint8Array, messageSeq: number): DtlsHandshakeMessage {
  const r = new Reader(raw, 'Handshake');
  const msgType = r.u8('msg_type');
  const body = r.opaque24(`${handshakeLabel(msgType)}.body`);
  r.end();
  return { msgType, messageSeq, body };
}

// --- reassembly -------------------------------------------------------------------------------------------------------

/** The limits a DtlsReassembler enforces. */
export type DtlsReassemblyLimit = 'maxMessageLength' | 'maxCertificateLength' | 'maxBufferedBytes';

/** A fragment that would break a memory limit: `limit` names it, `value` is what was asked, `max` the limit. */
export class DtlsLimitError extends DecodeError {
  constructor(readonly limit: DtlsReassemblyLimit, field: string, readonly value: number, readonly max: number, alert: AlertDescription = 'illegal_parameter') {
    super(field, `${value} bytes exceed the limit of ${max} bytes (${limit})`, 0, alert);
    this.name = 'DtlsLimitError';
  }
}

export interface DtlsReassemblerOptions {
  /** The message_seq expected first: 0, or the ClientHello's for a server after a stateless cookie exchange. */
  nextSeq?: number;
  /** Largest message body, Certificate aside. Default 64 KiB (as HandshakeReader). */
  maxMessageLength?: number;
  /** Largest Certificate / CompressedCertificate body. Default 256 KiB. */
  maxCertificateLength?: number;
  /** Most bytes held for unfinished or not yet releasable messages. Default 512 KiB. */
  maxBufferedBytes?: number;
  /** How far past the next expected message_seq fragments are buffered; further ones are dropped. Default 16. */
  maxMessagesAhead?: number;
}

/**
 * Why a fragment was not used: `retransmission` (its message_seq was already released: the peer is
 * retransmitting, which RFC 6347 section 4.2.4 makes a cue to retransmit our last flight), `duplicate` (no
 * new bytes for a message being assembled), `too-far-ahead` (beyond maxMessagesAhead; its retransmission will
 * come), `inconsistent` (msg_type or length differ from earlier fragments of the same message_seq).
 */
export type FragmentDropReason = 'retransmission' | 'duplicate' | 'too-far-ahead' | 'inconsistent' | 'too-fragmented';

export interface FragmentDrop {
  reason: FragmentDropReason;
  messageSeq: number;
  detail: string;
}

export interface PushResult {
  /** Whole messages now releasable, in message_seq order (often none, sometimes several when a gap fills). */
  messages: DtlsHandshakeMessage[];
  /** Set when this fragment was not used. */
  drop?: FragmentDrop;
}

interface Pending {
  msgType: number;
  /** The message body, allocated at its announced length on the first fragment. */
  body: Uint8Array;
  /** Covered byte ranges [start, end), sorted and merged. */
  ranges: Array<[number, number]>;
  complete: boolean;
}

/**
 * Reassembles DTLS handshake messages from fragments (RFC 6347 sections 4.2.2 and 4.2.3). Bounded: a message
 * longer than its limit, or a fragment that would take the buffered total over maxBufferedBytes, throws
 * DtlsLimitError before anything is allocated; fragments more than maxMessagesAhead past the next expected are
 * dropped. Whatever the order, overlap or repetition of the fragments, the same messages come out.
 */
export class DtlsReassembler {
  readonly maxMessageLength: number;
  readonly maxCertificateLength: number;
  readonly maxBufferedBytes: number;
  readonly maxMessagesAhead: number;
  private next: number;
  private pending = new Map<number, Pending>();
  private buffered = 0;

  constructor(opts: DtlsReassemblerOptions = {}) {
    this.next = opts.nextSeq ?? 0;
    this.maxMessageLength = opts.maxMessageLength ?? 64 * 1024;
    this.maxCertificateLength = opts.maxCertificateLength ?? 256 * 1024;
    this.maxBufferedBytes = opts.maxBufferedBytes ?? 512 * 1024;
    this.maxMessagesAhead = opts.maxMessagesAhead ?? 16;
  }

  /** The message_seq of the next message to be released (RFC 6347 section 4.2.2's next_receive_seq). */
  get nextSeq(): number {
    return this.next;
  }

  /** Bytes held for messages not yet released. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Some message has begun and not been released. */
  get hasPartial(): boolean {
    return this.pending.size > 0;
  }

  /** Forgets everything buffered and expects `nextSeq` next (a new handshake restarts at 0, section 4.2.2). */
  reset(nextSeq = 0): void {
    this.pending.clear();
    this.buffered = 0;
    this.next = nextSeq;
  }

  /** Feeds every fragment of a handshake record's payload (decodeDtlsHandshakeFragments); drops are collected. */
  pushPayload(payload: Uint8Array): { messages: DtlsHandshakeMessage[]; drops: FragmentDrop[] } {
    const messages: DtlsHandshakeMessage[] = [];
    const drops: FragmentDrop[] = [];
    for (const f of decodeDtlsHandshakeFragments(payload)) {
      const r = this.push(f);
      messages.push(...r.messages);
      if (r.drop) drops.push(r.drop);
    }
    return { messages, drops };
  }

  push(f: DtlsHandshakeFragment): PushResult {
    const label = handshakeLabel(f.msgType);
    const seq = f.messageSeq;
    if (f.fragmentOffset + f.fragmentLength > f.length || f.fragment.length !== f.fragmentLength)
      throw new DecodeError(`${label}.fragment_length`, `fragment [${f.fragmentOffset}, ${f.fragmentOffset + f.fragmentLength}) of ${f.fragment.length} bytes does not fit the message length ${f.length}`, 0);
    const drop = (reason: FragmentDropReason, detail: string): PushResult => ({ messages: [], drop: { reason, messageSeq: seq, detail } });
    if (seq < this.next) return drop('retransmission', `${label} message_seq ${seq} was already received (next expected ${this.next}; RFC 6347 section 4.2.2)`);
    if (seq - this.next > this.maxMessagesAhead)
      return drop('too-far-ahead', `${label} message_seq ${seq} is more than ${this.maxMessagesAhead} past the next expected ${this.next}`);

    let p = this.pending.get(seq);
    if (p) {
      if (p.msgType !== f.msgType || p.body.length !== f.length)
        return drop('inconsistent', `${label} message_seq ${seq} of ${f.length} bytes contradicts earlier fragments (${handshakeLabel(p.msgType)} of ${p.body.length} bytes)`);
      // A message in more separate pieces than any real path MTU makes is a peer wasting our time: drop the
      // fragment (it is retransmitted if real) rather than keep an ever longer list of holes.
      if (p.ranges.length >= MAX_HOLES_PER_MESSAGE && !touchesRange(p.ranges, f.fragmentOffset, f.fragmentOffset + f.fragmentLength))
        return drop('too-fragmented', `${label} message_seq ${seq} is already held in ${p.ranges.length} separate pieces; a fragment that starts another is dropped`);
      if (p.complete || !addRange(p.ranges, f.fragmentOffset, f.fragmentOffset + f.fragmentLength))
        return drop('duplicate', `${label} message_seq ${seq} bytes [${f.fragmentOffset}, ${f.fragmentOffset + f.fragmentLength}) were already received`);
      p.body.set(f.fragment, f.fragmentOffset);
    } else {
      const cert = f.msgType === HandshakeType.certificate || f.msgType === HandshakeType.compressed_certificate;
      const [limit, max] = cert ? (['maxCertificateLength', this.maxCertificateLength] as const) : (['maxMessageLength', this.maxMessageLength] as const);
      if (f.length > max) throw new DtlsLimitError(limit, `${label}.length`, f.length, max);
      const whole = f.fragmentOffset === 0 && f.fragmentLength === f.length;
      // The common case, a whole message that is next: released at once, as a view, never buffered.
      if (whole && seq === this.next) {
        this.next++;
        return { messages: [{ msgType: f.msgType, messageSeq: seq, body: f.fragment }, ...this.release()] };
      }
      if (this.buffered + f.length > this.maxBufferedBytes)
        throw new DtlsLimitError('maxBufferedBytes', `${label}.length`, this.buffered + f.length, this.maxBufferedBytes);
      p = { msgType: f.msgType, body: new Uint8Array(f.length), ranges: [], complete: false };
      p.body.set(f.fragment, f.fragmentOffset);
      addRange(p.ranges, f.fragmentOffset, f.fragmentOffset + f.fragmentLength);
      this.pending.set(seq, p);
      this.buffered += f.length;
    }
    p.complete = f.length === 0 || (p.ranges.length === 1 && p.ranges[0]![0] === 0 && p.ranges[0]![1] === f.length);
    return { messages: this.release() };
  }

  /** The complete messages from next_receive_seq on, in order. */
  private release(): DtlsHandshakeMessage[] {
    const out: DtlsHandshakeMessage[] = [];
    for (let p = this.pending.get(this.next); p?.complete; p = this.pending.get(this.next)) {
      out.push({ msgType: p.msgType, messageSeq: this.next, body: p.body });
      this.pending.delete(this.next);
      this.buffered -= p.body.length;
      this.next++;
    }
    return out;
  }
}

/** Most separate byte ranges held for one message: in-order fragments make one, even shuffled 1-byte ones a few hundred. */
const MAX_HOLES_PER_MESSAGE = 1024;

/** Whether [start, end) overlaps or touches one of `ranges` (so adding it makes no new piece). */
function touchesRange(ranges: Array<[number, number]>, start: number, end: number): boolean {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]![1] < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < ranges.length && ranges[lo]![0] <= end;
}

/**
 * Adds [start, end) to sorted, merged `ranges`; true when it covers any byte not covered before. An empty range
 * adds nothing (a zero-length fragment of a non-empty message).
 */
function addRange(ranges: Array<[number, number]>, start: number, end: number): boolean {
  if (end <= start) return false;
  // The first range that ends at or after `start` (binary search: a hostile peer may send thousands of fragments).
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]![1] < start) lo = mid + 1;
    else hi = mid;
  }
  const first = ranges[lo];
  if (first && first[0] <= start && end <= first[1]) return false; // already covered
  // Merge every range that overlaps or touches [start, end) into one.
  let s = start;
  let e = end;
  let n = 0;
  for (let i = lo; i < ranges.length && ranges[i]![0] <= e; i++, n++) {
    s = Math.min(s, ranges[i]![0]);
    e = Math.max(e, ranges[i]![1]);
  }
  ranges.splice(lo, n, [s, e]);
  return true;
}
