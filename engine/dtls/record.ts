// The DTLS record layer of RFC 6347 section 4.1 (DTLS 1.2) and RFC 4347 section 4.1 (DTLS 1.0), sans-IO:
//   - the 13-byte DTLSPlaintext header codec (type, version, epoch, sequence_number, length);
//   - splitDatagram: the records of one datagram (several may share it, none spans two, section 4.1.1). A
//     malformed record ends the datagram: it is returned as a typed drop, never thrown (section 4.1.2.7);
//   - ReplayWindow: the sliding window of section 4.1.2.6 (64 entries by default);
//   - DtlsEpochWriter / DtlsEpochReader: sealing and opening per epoch with a Tls12Protector in DTLS mode
//     (MAC/AAD sequence number = epoch || sequence_number, section 4.1.2.1), the reader checking the window
//     first and advancing it only on records that authenticate;
//   - DtlsRecordReader: the current and the previous epoch (section 4.1: "Until the handshake has completed,
//     implementations MUST accept packets from the old epoch"), routing each record to its epoch;
//   - packDatagrams: whole records packed into datagrams under a size.
// Nothing here throws for bad input from the network: every failure is a `DtlsDrop` with a reason the
// connection can trace before it drops the record. Caller bugs (a sequence number out of range) do throw.
import { ProtocolError } from '../conn/errors';
import { TLS11, TLS12 } from '../handshake/tls12/prf';
import { DecodeError, Reader } from '../msgs/reader';
import { Writer } from '../msgs/writer';
import { MAX_CIPHERTEXT, MAX_PLAINTEXT, type Tls12Protector } from '../record/protect12';
import { CT } from '../record/framer';

/** Wire versions: the 1's complement of the TLS-style numbers 1.0 and 1.2 (RFC 6347 section 4.1). */
export const DTLS10 = 0xfeff;
export const DTLS12 = 0xfefd;
/** DTLSPlaintext header: type(1) version(2) epoch(2) sequence_number(6) length(2). */
export const DTLS_RECORD_HEADER_LEN = 13;
/** The largest sequence_number (uint48); RFC 6347 section 4.1: never wraps within an epoch. */
export const MAX_DTLS_SEQ = 0xffff_ffff_ffff;
/** Content types a DTLS 1.0/1.2 record may carry: RFC 6347 section 4.1 (20-23), RFC 6520 heartbeat (24). */
const DTLS_CONTENT_TYPES: ReadonlySet<number> = new Set([CT.change_cipher_spec, CT.alert, CT.handshake, CT.application_data, CT.heartbeat]);

/** The TLS version whose record protection and PRF a DTLS version uses (RFC 4347 section 1, RFC 6347 section 1). */
export function tlsVersionOf(dtlsVersion: number): number {
  if (dtlsVersion === DTLS12) return TLS12;
  if (dtlsVersion === DTLS10) return TLS11;
  throw new RangeError(`0x${dtlsVersion.toString(16)} is not DTLS 1.0 (0xfeff) or DTLS 1.2 (0xfefd)`);
}

/** `DTLS 1.2` for 0xfefd, `DTLS 1.0` for 0xfeff, `0xfeXX` otherwise. */
export function dtlsVersionName(v: number): string {
  return v === DTLS12 ? 'DTLS 1.2' : v === DTLS10 ? 'DTLS 1.0' : `0x${v.toString(16).padStart(4, '0')}`;
}

// --- header codec -------------------------------------------------------------------------------------------------

export interface DtlsRecordHeader {
  type: number;
  version: number;
  epoch: number;
  /** sequence_number, a uint48 (exact as a JS number). */
  seq: number;
  length: number;
}

/** One record as found in a datagram. */
export interface DtlsRecord extends DtlsRecordHeader {
  /** The record body as received (ciphertext when protected), a view into the datagram. */
  fragment: Uint8Array;
  /** Header and body, a view into the datagram, for the trace. */
  raw: Uint8Array;
  /** Where the record starts in its datagram. */
  offset: number;
}

export function encodeDtlsRecordHeader(h: DtlsRecordHeader): Uint8Array {
  return new Writer(DTLS_RECORD_HEADER_LEN)
    .u8(h.type, 'DTLSPlaintext.type')
    .u16(h.version, 'DTLSPlaintext.version')
    .u16(h.epoch, 'DTLSPlaintext.epoch')
    .u48(h.seq, 'DTLSPlaintext.sequence_number')
    .u16(h.length, 'DTLSPlaintext.length')
    .finish();
}

/** Header then body: one whole record. */
export function encodeDtlsRecord(type: number, version: number, epoch: number, seq: number, fragment: Uint8Array): Uint8Array {
  const out = new Uint8Array(DTLS_RECORD_HEADER_LEN + fragment.length);
  out.set(encodeDtlsRecordHeader({ type, version, epoch, seq, length: fragment.length }));
  out.set(fragment, DTLS_RECORD_HEADER_LEN);
  return out;
}

/** The header at `offset`; DecodeError (MissingData) naming the field when fewer than 13 bytes remain. */
export function decodeDtlsRecordHeader(buf: Uint8Array, offset = 0): DtlsRecordHeader {
  const r = new Reader(buf, 'DTLSPlaintext', offset);
  const type = r.u8('type');
  const version = r.u16('version');
  const epoch = r.u16('epoch');
  const seq = r.u48('sequence_number');
  const length = r.u16('length');
  return { type, version, epoch, seq, length };
}

// --- drops ----------------------------------------------------------------------------------------------------------

/**
 * Why a record (or the rest of a datagram) was dropped. Datagram-level: truncated-header, truncated-record,
 * bad-content-type, bad-version, record-overflow. Record-level: unknown-epoch and future-epoch (no keys for it;
 * RFC 6347 section 4.1 lets the connection buffer the next epoch's records), replayed and too-old (section
 * 4.1.2.6), bad-record-mac (does not authenticate or decode, section 4.1.2.7), record-overflow (plaintext over 2^14).
 */
export type DtlsDropReason =
  | 'truncated-header'
  | 'truncated-record'
  | 'bad-content-type'
  | 'bad-version'
  | 'record-overflow'
  | 'unknown-epoch'
  | 'future-epoch'
  | 'replayed'
  | 'too-old'
  | 'bad-record-mac';

export interface DtlsDrop {
  reason: DtlsDropReason;
  /** A sentence for the trace. */
  detail: string;
  /** The field that was wrong, as decode errors name them (`DTLSPlaintext.length`), when one was. */
  field?: string;
}

/** A datagram whose tail could not be read as records: everything from `offset` on is dropped. */
export interface DatagramDrop extends DtlsDrop {
  offset: number;
  droppedBytes: number;
}

export interface SplitDatagram {
  /** The whole, well-formed records before any malformed one, in datagram order. */
  records: DtlsRecord[];
  /** Set when the datagram ended in bytes that are not a record. */
  drop?: DatagramDrop;
}

export interface SplitOptions {
  /** Largest record body accepted: 2^14 + 2048 by default (RFC 6347 section 4.1 keeps TLS 1.2's limit). */
  maxLength?: number;
  /** When set, records of another wire version are dropped (once the version is negotiated). Otherwise any 0xfeXX. */
  version?: number;
}

/**
 * The records of one datagram (RFC 6347 section 4.1.1: "Multiple DTLS records may be placed in a single datagram
 * ... Records may not span datagrams"). A record with a bad header, or one that runs past the datagram's end,
 * ends the datagram: the records before it are returned with a `drop` describing the rest (section 4.1.2.7:
 * invalid records are silently discarded). Never throws. Records are views into `datagram`.
 */
export function splitDatagram(datagram: Uint8Array, opts: SplitOptions = {}): SplitDatagram {
  const maxLength = opts.maxLength ?? MAX_CIPHERTEXT;
  const records: DtlsRecord[] = [];
  let p = 0;
  const stop = (reason: DtlsDropReason, detail: string, field?: string): SplitDatagram => ({
    records,
    drop: { reason, detail, offset: p, droppedBytes: datagram.length - p, ...(field ? { field } : {}) },
  });
  while (p < datagram.length) {
    let h: DtlsRecordHeader;
    try {
      h = decodeDtlsRecordHeader(datagram, p);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return stop('truncated-header', `${datagram.length - p} bytes left at offset ${p}, too few for a 13-byte DTLS record header (${e.detail})`, e.field);
    }
    if (!DTLS_CONTENT_TYPES.has(h.type))
      return stop('bad-content-type', `record type ${h.type} is not a DTLS 1.0/1.2 content type (20-24)`, 'DTLSPlaintext.type');
    if (opts.version !== undefined ? h.version !== opts.version : h.version >> 8 !== 0xfe)
      return stop('bad-version', `record version 0x${h.version.toString(16).padStart(4, '0')} is not ${opts.version !== undefined ? dtlsVersionName(opts.version) : 'a DTLS version (0xfeXX)'}`, 'DTLSPlaintext.version');
    if (h.length > maxLength)
      return stop('record-overflow', `record of ${h.length} bytes exceeds the limit of ${maxLength}`, 'DTLSPlaintext.length');
    const end = p + DTLS_RECORD_HEADER_LEN + h.length;
    if (end > datagram.length)
      return stop('truncated-record', `record ${h.epoch}/${h.seq} announces ${h.length} bytes but the datagram holds ${datagram.length - p - DTLS_RECORD_HEADER_LEN} more (records never span datagrams, RFC 6347 section 4.1.1)`, 'DTLSPlaintext.length');
    records.push({ ...h, fragment: datagram.subarray(p + DTLS_RECORD_HEADER_LEN, end), raw: datagram.subarray(p, end), offset: p });
    p = end;
  }
  return { records };
}

/**
 * Packs whole records into datagrams of at most `maxDatagramSize` bytes, in order (RFC 6347 section 4.1.1: records
 * never span datagrams). A record larger than the limit goes alone in its own datagram (the caller should
 * have fragmented; IP fragmentation then carries it).
 */
export function packDatagrams(records: readonly Uint8Array[], maxDatagramSize: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let cur: Uint8Array[] = [];
  let size = 0;
  const flush = (): void => {
    if (cur.length === 0) return;
    const d = new Uint8Array(size);
    let o = 0;
    for (const r of cur) {
      d.set(r, o);
      o += r.length;
    }
    out.push(d);
    cur = [];
    size = 0;
  };
  for (const r of records) {
    if (size > 0 && size + r.length > maxDatagramSize) flush();
    cur.push(r);
    size += r.length;
  }
  flush();
  return out;
}

// --- anti-replay ------------------------------------------------------------------------------------------------------

export type ReplayVerdict = 'new' | 'duplicate' | 'too-old';

/**
 * The anti-replay window of RFC 6347 section 4.1.2.6 (after RFC 4303 section 3.4.3): the right edge is the highest
 * sequence number that authenticated; a bit per sequence number within `size` of it records which arrived.
 * `check` is the cheap first test and changes nothing; `accept` is called only after the record authenticates
 * ("The receive window is updated only if the MAC verification succeeds").
 */
export class ReplayWindow {
  /** The highest sequence number accepted, -1 before any. */
  private top = -1;
  /** Bit i set: sequence number top - i was accepted. */
  private bits = 0n;
  private readonly mask: bigint;

  /** `size`: at least 32 (the section's minimum), 64 by default ("preferred and SHOULD be employed as the default"). */
  constructor(readonly size = 64) {
    if (!Number.isInteger(size) || size < 32 || size > 4096) throw new RangeError(`replay window size ${size}: RFC 6347 section 4.1.2.6 needs at least 32 (and we allow at most 4096)`);
    this.mask = (1n << BigInt(size)) - 1n;
  }

  /** The right edge: the highest sequence number accepted so far, -1 before any. */
  get highest(): number {
    return this.top;
  }

  check(seq: number): ReplayVerdict {
    if (seq > this.top) return 'new';
    const diff = this.top - seq;
    if (diff >= this.size) return 'too-old';
    return (this.bits >> BigInt(diff)) & 1n ? 'duplicate' : 'new';
  }

  accept(seq: number): void {
    if (seq > this.top) {
      const shift = seq - this.top;
      this.bits = shift >= this.size ? 1n : ((this.bits << BigInt(shift)) | 1n) & this.mask;
      this.top = seq;
      return;
    }
    const diff = this.top - seq;
    if (diff < this.size) this.bits |= 1n << BigInt(diff);
  }
}

// --- epochs -------------------------------------------------------------------------------------------------------------

/**
 * Seals records of one epoch (RFC 6347 section 4.1: "Sequence numbers are maintained separately for each epoch,
 * with each sequence_number initially being 0 for each epoch"). Epoch 0 has no protector (the null cipher).
 * Keep the writer of a previous epoch while its flight may be retransmitted: retransmitted records carry
 * their original epoch and a new sequence number (sections 4.1 and 4.2.2).
 */
export class DtlsEpochWriter {
  private next = 0;

  constructor(readonly epoch: number, readonly version: number, readonly protector: Tls12Protector | null = null) {
    if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffff) throw new RangeError(`DTLS epoch ${epoch} is not a uint16`);
    if (version >> 8 !== 0xfe) throw new RangeError(`0x${version.toString(16)} is not a DTLS wire version`);
    if (protector && (!protector.dtls || protector.recordVersion !== version))
      throw new RangeError('the protector must be made with dtls: true and this recordVersion (see Tls12ProtectorOptions.dtls)');
  }

  /** The sequence number the next record gets. */
  get nextSeq(): number {
    return this.next;
  }

  /** Most bytes a record adds to its content: the 13-byte header and the protector's overhead. */
  get overhead(): number {
    return DTLS_RECORD_HEADER_LEN + (this.protector?.overhead ?? 0);
  }

  /** The exact length of the record `seal` makes of `contentLen` bytes. */
  sealedLength(contentLen: number): number {
    return this.protector ? this.protector.sealedLength(contentLen) : DTLS_RECORD_HEADER_LEN + contentLen;
  }

  /**
   * Moves the counter forward to `seq` (never back: a sequence number is used once per epoch). The server's
   * initial ServerHello takes the ClientHello's record sequence number (RFC 6347 section 4.2.1).
   */
  skipTo(seq: number): void {
    if (!Number.isInteger(seq) || seq < this.next || seq > MAX_DTLS_SEQ)
      throw new RangeError(`cannot move the epoch ${this.epoch} sequence number from ${this.next} to ${seq}: numbers are never reused (RFC 6347 section 4.1)`);
    this.next = seq;
  }

  /** One whole record (13-byte header included) holding `content` (at most 2^14 bytes). */
  seal(type: number, content: Uint8Array): Uint8Array {
    if (content.length > MAX_PLAINTEXT) throw new RangeError(`record content of ${content.length} bytes exceeds 2^14 (RFC 6347 section 4.1)`);
    const seq = this.next;
    // RFC 6347 section 4.1: "implementations MUST either abandon an association or rehandshake prior to allowing
    // the sequence number to wrap".
    if (seq > MAX_DTLS_SEQ) throw new ProtocolError('internal_error', `epoch ${this.epoch} has used every sequence number: the association must rehandshake or close first`);
    this.next = seq + 1;
    const body = this.protector ? this.protector.sealDtls(type, content, this.epoch, seq) : content;
    return encodeDtlsRecord(type, this.version, this.epoch, seq, body);
  }
}

/** What happened to one received record. */
export type DtlsOpenResult =
  | { ok: true; record: DtlsRecord; type: number; content: Uint8Array; epoch: number; seq: number }
  | ({ ok: false; record: DtlsRecord } & DtlsDrop);

export interface DtlsEpochReaderOptions {
  /** Replay window entries (RFC 6347 section 4.1.2.6); 64 by default, 0 turns replay detection off. */
  replayWindow?: number;
}

/** Opens the records of one epoch, with its own replay window. Epoch 0 has no protector. */
export class DtlsEpochReader {
  readonly window: ReplayWindow | null;

  constructor(readonly epoch: number, readonly protector: Tls12Protector | null = null, opts: DtlsEpochReaderOptions = {}) {
    if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffff) throw new RangeError(`DTLS epoch ${epoch} is not a uint16`);
    if (protector && !protector.dtls) throw new RangeError('the protector must be made with dtls: true (see Tls12ProtectorOptions.dtls)');
    const size = opts.replayWindow ?? 64;
    this.window = size === 0 ? null : new ReplayWindow(size);
  }

  /**
   * Replay check first (section 4.1.2.6: "the first check applied to a packet"), then authentication; the
   * window advances only when the record authenticates. Every failure is a drop, never a throw.
   */
  open(rec: DtlsRecord): DtlsOpenResult {
    const id = `${rec.epoch}/${rec.seq}`;
    if (rec.epoch !== this.epoch) return { ok: false, record: rec, reason: 'unknown-epoch', detail: `record ${id} is not of epoch ${this.epoch}` };
    const verdict = this.window ? this.window.check(rec.seq) : 'new';
    if (verdict === 'duplicate') return { ok: false, record: rec, reason: 'replayed', detail: `record ${id} was already received (RFC 6347 section 4.1.2.6)` };
    if (verdict === 'too-old')
      return { ok: false, record: rec, reason: 'too-old', detail: `record ${id} is left of the replay window (highest ${this.window!.highest}, ${this.window!.size} entries; RFC 6347 section 4.1.2.6)` };
    let type = rec.type;
    let content: Uint8Array;
    if (this.protector) {
      try {
        const o = this.protector.openDtls(rec);
        type = o.type;
        content = o.content;
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        const reason: DtlsDropReason = e.alert === 'record_overflow' ? 'record-overflow' : 'bad-record-mac';
        return { ok: false, record: rec, reason, detail: `${e.message} (dropped, RFC 6347 section 4.1.2.7)`, field: 'DTLSCiphertext.fragment' };
      }
    } else {
      if (rec.fragment.length > MAX_PLAINTEXT)
        return { ok: false, record: rec, reason: 'record-overflow', detail: `record ${id} holds ${rec.fragment.length} bytes of plaintext, over 2^14 (RFC 6347 section 4.1)`, field: 'DTLSPlaintext.length' };
      content = rec.fragment;
    }
    this.window?.accept(rec.seq);
    return { ok: true, record: rec, type, content, epoch: rec.epoch, seq: rec.seq };
  }
}

export interface DatagramOpened {
  results: DtlsOpenResult[];
  /** The datagram's malformed tail, if any (see splitDatagram). */
  drop?: DatagramDrop;
}

/**
 * The reading side of a DTLS association: the current epoch and, until `dropPrevious`, the one before (RFC 6347
 * section 4.1: old-epoch records MUST be accepted until the handshake completes; e.g. a retransmitted final flight
 * of epoch 0 messages that tells the server to retransmit its own). Records of the next epoch are dropped as
 * `future-epoch`, which the connection may buffer until it installs that epoch (section 4.1: "MAY either buffer
 * or discard"); any other epoch is `unknown-epoch`.
 */
export class DtlsRecordReader {
  private cur: DtlsEpochReader;
  private prev: DtlsEpochReader | null = null;

  constructor(private readonly opts: DtlsEpochReaderOptions & SplitOptions = {}) {
    this.cur = new DtlsEpochReader(0, null, opts);
  }

  get epoch(): number {
    return this.cur.epoch;
  }

  get current(): DtlsEpochReader {
    return this.cur;
  }

  get previous(): DtlsEpochReader | null {
    return this.prev;
  }

  /** Switches reading to the next epoch (after the peer's ChangeCipherSpec); the current one becomes the previous. */
  install(protector: Tls12Protector): void {
    // RFC 6347 section 4.1: the epoch never wraps; a new association is needed instead.
    if (this.cur.epoch === 0xffff) throw new ProtocolError('internal_error', 'the epoch would wrap: a new association is needed (RFC 6347 section 4.1)');
    this.prev = this.cur;
    this.cur = new DtlsEpochReader(this.cur.epoch + 1, protector, this.opts);
  }

  /** Forgets the previous epoch's keys (after the handshake, or after the MSL of section 4.1). */
  dropPrevious(): void {
    this.prev = null;
  }

  open(rec: DtlsRecord): DtlsOpenResult {
    if (rec.epoch === this.cur.epoch) return this.cur.open(rec);
    if (this.prev && rec.epoch === this.prev.epoch) return this.prev.open(rec);
    const id = `${rec.epoch}/${rec.seq}`;
    if (rec.epoch === this.cur.epoch + 1)
      return { ok: false, record: rec, reason: 'future-epoch', detail: `record ${id} is of the next epoch, whose keys are not installed yet (RFC 6347 section 4.1: buffer or discard)` };
    return { ok: false, record: rec, reason: 'unknown-epoch', detail: `record ${id} is of epoch ${rec.epoch}; epoch ${this.cur.epoch}${this.prev ? ` and ${this.prev.epoch} are` : ' is'} readable` };
  }

  /**
   * Splits a datagram and opens its records in order; never throws for what the datagram holds. Each record is
   * opened only after `each` has returned for the one before, so a ChangeCipherSpec handled there (install)
   * applies to the records after it in the same datagram: OpenSSL sends ChangeCipherSpec and the epoch-1
   * Finished in one datagram.
   */
  openDatagram(datagram: Uint8Array, each?: (result: DtlsOpenResult) => void): DatagramOpened {
    const { records, drop } = splitDatagram(datagram, this.opts);
    const results: DtlsOpenResult[] = [];
    for (const r of records) {
      const res = this.open(r);
      results.push(res);
      each?.(res);
    }
    return drop ? { results, drop } : { results };
  }
}
