// A bounds-checked reader for the TLS presentation language (RFC 8446 section 3). Every read names the
// field it reads; a failure throws DecodeError carrying the field's full path
// (`ClientHello.extensions.key_share.client_shares[1].key_exchange`), the byte offset and the alert the
// RFC asks for. Vectors are read as child Readers bounded to the vector: a child can never read past its
// own end, and the parent moves past the vector at once (like Go's cryptobyte and rustls's Reader::sub).
// No copies: bytes come back as subarray views of the input, and paths are only built when an error is.
import type { AlertDescription } from '../registry/alerts';

/** A message that does not decode: where (field path and byte offset) and which alert to send. */
export class DecodeError extends Error {
  /** Full path of the field: `ClientHello.extensions.key_share.client_shares[1].key_exchange`. */
  readonly field: string;
  /** Byte offset into the buffer being decoded (for a handshake message: from its 4-byte header). */
  readonly offset: number;
  /** decode_error for malformed syntax; illegal_parameter and others where the RFC says so. */
  readonly alert: AlertDescription;
  /** The failure without its place: `needs 32 bytes, 5 remain`. */
  readonly detail: string;

  constructor(field: string, detail: string, offset: number, alert: AlertDescription = 'decode_error') {
    super(`${field}: ${detail} (at byte ${offset}; alert ${alert})`);
    this.name = 'DecodeError';
    this.field = field;
    this.offset = offset;
    this.alert = alert;
    this.detail = detail;
  }
}

/** Bytes were left over after a structure that must be consumed exactly. */
export class TrailingData extends DecodeError {
  constructor(field: string, detail: string, offset: number) {
    super(field, detail, offset, 'decode_error');
    this.name = 'TrailingData';
  }
}

/** The input ended inside a field (a truncated message or a length that points past its container). */
export class MissingData extends DecodeError {
  constructor(field: string, detail: string, offset: number) {
    super(field, detail, offset, 'decode_error');
    this.name = 'MissingData';
  }
}

/** Where a decoded field's bytes are: [start, end) in the message being traced. */
export interface FieldSpan {
  /** Full path, as in DecodeError: `ClientHello.extensions.key_share.client_shares[0].key_exchange`. */
  path: string;
  start: number;
  end: number;
}

// While collectSpans runs, every read also notes where its field lay. Off otherwise: one null check per read.
let collector: { spans: FieldSpan[]; buffer: ArrayBufferLike; offset: number; length: number } | undefined;

/**
 * Runs `decode` over `raw` (or views of it) and returns the byte range of every field it read, for the
 * panel's hex view. A decode that throws still yields the fields read before the failure.
 */
export function collectSpans(raw: Uint8Array, decode: () => unknown): FieldSpan[] {
  const prev = collector;
  const mine = { spans: [] as FieldSpan[], buffer: raw.buffer, offset: raw.byteOffset, length: raw.length };
  collector = mine;
  try {
    decode();
  } catch {
    // the spans so far are still true
  } finally {
    collector = prev;
  }
  return mine.spans;
}

export class Reader {
  /** Absolute position in `buf`. */
  pos: number;
  /**
   * Set by a decoder while it walks the elements of a list held by this reader: errors then name
   * `name[index].field`. -1 when not inside an element.
   */
  index = -1;

  /**
   * @param buf   the whole buffer; offsets in errors are positions in it
   * @param name  this reader's segment of the field path (`ClientHello`, `extensions`, `key_share`)
   * @param start first byte this reader may read
   * @param limit one past the last byte this reader may read
   */
  constructor(
    readonly buf: Uint8Array,
    public name = 'message',
    start = 0,
    readonly limit: number = buf.length,
    readonly parent: Reader | null = null,
  ) {
    if (start < 0 || limit > buf.length || start > limit) throw new RangeError('Reader: bounds outside the buffer');
    this.pos = start;
  }

  get remaining(): number {
    return this.limit - this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.limit;
  }

  /** The field path, e.g. `ClientHello.extensions.key_share.client_shares[1].key_exchange`. */
  path(field?: string): string {
    let s = field ?? '';
    for (let r: Reader | null = this; r; r = r.parent) {
      const seg = r.index >= 0 ? `${r.name}[${r.index}]` : r.name;
      s = s ? `${seg}.${s}` : seg;
    }
    return s;
  }

  /** Throws a DecodeError at this reader's position (or `offset`) naming `field`. */
  fail(field: string | undefined, detail: string, alert: AlertDescription = 'decode_error', offset = this.pos): never {
    throw new DecodeError(this.path(field), detail, offset, alert);
  }

  /** Notes [start, end) of this reader's buffer as `field`, when spans are being collected for this buffer. */
  private mark(field: string, start: number, end: number): void {
    const c = collector!;
    if (this.buf.buffer !== c.buffer) return;
    const s = this.buf.byteOffset + start - c.offset;
    const e = this.buf.byteOffset + end - c.offset;
    if (s >= 0 && e <= c.length && e > s) c.spans.push({ path: this.path(field), start: s, end: e });
  }

  private need(n: number, field: string): void {
    if (this.limit - this.pos < n) {
      const left = this.limit - this.pos;
      throw new MissingData(this.path(field), `needs ${n} byte${n === 1 ? '' : 's'}, ${left} remain${left === 1 ? 's' : ''}`, this.pos);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    if (collector) this.mark(field, this.pos, this.pos + 1);
    return this.buf[this.pos++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const b = this.buf, p = this.pos;
    this.pos = p + 2;
    if (collector) this.mark(field, p, p + 2);
    return (b[p]! << 8) | b[p + 1]!;
  }

  u24(field: string): number {
    this.need(3, field);
    const b = this.buf, p = this.pos;
    this.pos = p + 3;
    if (collector) this.mark(field, p, p + 3);
    return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  u32(field: string): number {
    this.need(4, field);
    const b = this.buf, p = this.pos;
    this.pos = p + 4;
    if (collector) this.mark(field, p, p + 4);
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** 48-bit unsigned (DTLS sequence numbers); exact as a JS number. */
  u48(field: string): number {
    this.need(6, field);
    const hi = this.u16(field);
    return hi * 0x1_0000_0000 + this.u32(field);
  }

  u64(field: string): bigint {
    this.need(8, field);
    const hi = this.u32(field);
    return (BigInt(hi) << 32n) | BigInt(this.u32(field));
  }

  /** `n` bytes as a view into the input (not a copy). */
  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const p = this.pos;
    this.pos = p + n;
    if (collector) this.mark(field, p, p + n);
    return this.buf.subarray(p, p + n);
  }

  /** Everything left, as a view; `field` names it for span collection. */
  rest(field?: string): Uint8Array {
    const p = this.pos;
    this.pos = this.limit;
    if (collector && field) this.mark(field, p, this.limit);
    return this.buf.subarray(p, this.limit);
  }

  /** A child reader over the next `n` bytes, named `field`; this reader moves past them. */
  sub(n: number, field: string): Reader {
    this.need(n, field);
    const p = this.pos;
    this.pos = p + n;
    return new Reader(this.buf, field, p, p + n, this);
  }

  private prefixedLength(size: 1 | 2 | 3, field: string, min: number, max: number): number {
    const at = this.pos;
    const lengthField = `${field}.length`;
    const n = size === 1 ? this.u8(lengthField) : size === 2 ? this.u16(lengthField) : this.u24(lengthField);
    if (n < min) this.fail(field, n === 0 ? 'must not be empty' : `length ${n} is below the minimum of ${min}`, 'decode_error', at);
    if (n > max) this.fail(field, `length ${n} is above the maximum of ${max}`, 'decode_error', at);
    if (n > this.limit - this.pos) {
      throw new MissingData(this.path(field), `length ${n} runs past the end (${this.limit - this.pos} bytes remain)`, at);
    }
    return n;
  }

  /** A `<min..max>` vector with a 1-byte length, as a child reader named `field`. */
  vec8(field: string, min = 0, max = 0xff): Reader {
    const at = this.pos;
    const r = this.sub(this.prefixedLength(1, field, min, max), field);
    if (collector) this.mark(field, at, this.pos);
    return r;
  }

  /** A `<min..max>` vector with a 2-byte length, as a child reader named `field`. */
  vec16(field: string, min = 0, max = 0xffff): Reader {
    const at = this.pos;
    const r = this.sub(this.prefixedLength(2, field, min, max), field);
    if (collector) this.mark(field, at, this.pos);
    return r;
  }

  /** A `<min..max>` vector with a 3-byte length, as a child reader named `field`. */
  vec24(field: string, min = 0, max = 0xffffff): Reader {
    const at = this.pos;
    const r = this.sub(this.prefixedLength(3, field, min, max), field);
    if (collector) this.mark(field, at, this.pos);
    return r;
  }

  /** `opaque field<min..max>` with a 1-byte length, as a view. */
  opaque8(field: string, min = 0, max = 0xff): Uint8Array {
    return this.bytes(this.prefixedLength(1, field, min, max), field);
  }

  opaque16(field: string, min = 0, max = 0xffff): Uint8Array {
    return this.bytes(this.prefixedLength(2, field, min, max), field);
  }

  opaque24(field: string, min = 0, max = 0xffffff): Uint8Array {
    return this.bytes(this.prefixedLength(3, field, min, max), field);
  }

  /** `uint16 field<min..max>` (a 2-byte-length list of 2-byte values): length must be even. */
  u16List(field: string, min = 0, max = 0xffff): number[] {
    const at = this.pos;
    const n = this.prefixedLength(2, field, min, max);
    if (n & 1) this.fail(field, `length ${n} is not a multiple of 2`, 'decode_error', at);
    const out = new Array<number>(n >> 1);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < out.length; i++, p += 2) out[i] = (b[p]! << 8) | b[p + 1]!;
    this.pos = p;
    if (collector) this.mark(field, at, p);
    return out;
  }

  /** `uint16 field<min..max>` with a 1-byte length (supported_versions in a ClientHello). */
  u16List8(field: string, min = 0, max = 0xff): number[] {
    const at = this.pos;
    const n = this.prefixedLength(1, field, min, max);
    if (n & 1) this.fail(field, `length ${n} is not a multiple of 2`, 'decode_error', at);
    const out = new Array<number>(n >> 1);
    for (let i = 0; i < out.length; i++) out[i] = this.u16(field);
    return out;
  }

  /** `uint8 field<min..max>` with a 1-byte length. */
  u8List(field: string, min = 0, max = 0xff): number[] {
    const n = this.prefixedLength(1, field, min, max);
    return Array.from(this.bytes(n, field));
  }

  /** Requires this reader to be used up; otherwise throws TrailingData naming `field` (or this reader). */
  end(field?: string): void {
    if (this.pos !== this.limit) {
      const n = this.limit - this.pos;
      throw new TrailingData(this.path(field), `${n} unexpected trailing byte${n === 1 ? '' : 's'}`, this.pos);
    }
  }
}
