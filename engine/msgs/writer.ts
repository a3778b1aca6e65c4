// A growable writer for the TLS presentation language (RFC 8446 section 3). Vectors are written through
// length-prefixed callbacks (`u16Prefixed(w => ...)`, as Go's cryptobyte builder does), so no length is
// ever counted by hand: the prefix is reserved as 0xFF bytes, the body written, then the real length patched
// in. A body too long for its prefix throws EncodeError. Values out of range for their width throw too:
// a bug in our encoder must never put a silently truncated number on the wire.

export class EncodeError extends Error {
  constructor(readonly field: string, detail: string) {
    super(`${field}: ${detail}`);
    this.name = 'EncodeError';
  }
}

export class Writer {
  private buf: Uint8Array;
  private len = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  private ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private check(v: number, max: number, field: string | undefined): void {
    if (!(v >= 0 && v <= max) || Math.floor(v) !== v) throw new EncodeError(field ?? 'value', `${v} does not fit in ${bitsOf(max)} bits`);
  }

  u8(v: number, field?: string): this {
    this.check(v, 0xff, field);
    this.ensure(1);
    this.buf[this.len++] = v;
    return this;
  }

  u16(v: number, field?: string): this {
    this.check(v, 0xffff, field);
    this.ensure(2);
    const b = this.buf, p = this.len;
    b[p] = v >>> 8;
    b[p + 1] = v;
    this.len = p + 2;
    return this;
  }

  u24(v: number, field?: string): this {
    this.check(v, 0xffffff, field);
    this.ensure(3);
    const b = this.buf, p = this.len;
    b[p] = v >>> 16;
    b[p + 1] = v >>> 8;
    b[p + 2] = v;
    this.len = p + 3;
    return this;
  }

  u32(v: number, field?: string): this {
    this.check(v, 0xffffffff, field);
    this.ensure(4);
    const b = this.buf, p = this.len;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.len = p + 4;
    return this;
  }

  u48(v: number, field?: string): this {
    this.check(v, 0xffff_ffff_ffff, field);
    this.u16(Math.floor(v / 0x1_0000_0000));
    return this.u32(v % 0x1_0000_0000);
  }

  u64(v: bigint, field?: string): this {
    if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new EncodeError(field ?? 'value', `${v} does not fit in 64 bits`);
    this.u32(Number(v >> 32n));
    return this.u32(Number(v & 0xffff_ffffn));
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }

  private prefixed(size: 1 | 2 | 3, fn: (w: this) => void, field: string | undefined): this {
    const at = this.len;
    this.ensure(size);
    this.buf.fill(0xff, at, at + size); // a half-written vector never reads as a shorter valid one
    this.len += size;
    fn(this);
    const n = this.len - at - size;
    const max = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffff;
    if (n > max) throw new EncodeError(field ?? 'vector', `${n} bytes do not fit a ${size * 8}-bit length`);
    const b = this.buf;
    if (size === 3) b[at] = n >>> 16;
    if (size >= 2) b[at + size - 2] = n >>> 8;
    b[at + size - 1] = n;
    return this;
  }

  /** A vector with a 1-byte length: `fn` writes the body. */
  u8Prefixed(fn: (w: this) => void, field?: string): this {
    return this.prefixed(1, fn, field);
  }

  /** A vector with a 2-byte length: `fn` writes the body. */
  u16Prefixed(fn: (w: this) => void, field?: string): this {
    return this.prefixed(2, fn, field);
  }

  /** A vector with a 3-byte length: `fn` writes the body. */
  u24Prefixed(fn: (w: this) => void, field?: string): this {
    return this.prefixed(3, fn, field);
  }

  /** `opaque<..2^8-1>`: 1-byte length then the bytes. */
  opaque8(b: Uint8Array, field?: string): this {
    if (b.length > 0xff) throw new EncodeError(field ?? 'vector', `${b.length} bytes do not fit an 8-bit length`);
    return this.u8(b.length).bytes(b);
  }

  opaque16(b: Uint8Array, field?: string): this {
    if (b.length > 0xffff) throw new EncodeError(field ?? 'vector', `${b.length} bytes do not fit a 16-bit length`);
    return this.u16(b.length).bytes(b);
  }

  opaque24(b: Uint8Array, field?: string): this {
    if (b.length > 0xffffff) throw new EncodeError(field ?? 'vector', `${b.length} bytes do not fit a 24-bit length`);
    return this.u24(b.length).bytes(b);
  }

  /** The bytes written, as a view of exactly `length` bytes. Do not write after finishing. */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

function bitsOf(max: number): number {
  return Math.round(Math.log2(max + 1));
}
