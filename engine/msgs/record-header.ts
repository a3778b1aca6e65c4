// The 5-byte TLS record header (RFC 8446 section 5.1: ContentType type; ProtocolVersion
// legacy_record_version; uint16 length) and the TLSInnerPlaintext of protected TLS 1.3 records (RFC 8446
// section 5.2: content, then the real content type, then zero padding). Length limits are the framer's to
// enforce (record_overflow); they are exported here so every layer quotes the same numbers.
// DTLS headers (RFC 6347 section 4.1, RFC 9147 section 4) will sit beside these.
import { MissingData, DecodeError } from './reader';

export const RECORD_HEADER_LENGTH = 5;
/** TLSPlaintext.length and TLSInnerPlaintext content: at most 2^14 bytes (RFC 8446 section 5.1). */
export const MAX_PLAINTEXT_LENGTH = 1 << 14;
/** TLSCiphertext.length in TLS 1.3: at most 2^14 + 256 (RFC 8446 section 5.2). */
export const MAX_TLS13_CIPHERTEXT_LENGTH = (1 << 14) + 256;
/** TLSCiphertext.length in TLS 1.2 and earlier: at most 2^14 + 2048 (RFC 5246 section 6.2.3). */
export const MAX_TLS12_CIPHERTEXT_LENGTH = (1 << 14) + 2048;

export interface RecordHeader {
  /** ContentType (registry/content-types). */
  type: number;
  /** legacy_record_version: 0x0303 for TLS 1.3 protected records, 0x0301 allowed in an initial ClientHello. */
  version: number;
  length: number;
}

/** Reads the header at `offset`; throws MissingData when fewer than 5 bytes are there (callers framing a stream check first). */
export function decodeRecordHeader(buf: Uint8Array, offset = 0): RecordHeader {
  if (buf.length - offset < RECORD_HEADER_LENGTH) {
    throw new MissingData('TLSPlaintext', `a record header needs 5 bytes, ${Math.max(0, buf.length - offset)} available`, offset);
  }
  return {
    type: buf[offset]!,
    version: (buf[offset + 1]! << 8) | buf[offset + 2]!,
    length: (buf[offset + 3]! << 8) | buf[offset + 4]!,
  };
}

/** Writes the header into `out` at `offset` (so a record can be assembled in one buffer). */
export function writeRecordHeader(out: Uint8Array, offset: number, h: RecordHeader): void {
  if (h.length < 0 || h.length > 0xffff) throw new RangeError(`record length ${h.length} does not fit 16 bits`);
  out[offset] = h.type;
  out[offset + 1] = h.version >>> 8;
  out[offset + 2] = h.version;
  out[offset + 3] = h.length >>> 8;
  out[offset + 4] = h.length;
}

export function encodeRecordHeader(h: RecordHeader): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_LENGTH);
  writeRecordHeader(out, 0, h);
  return out;
}

/** Header and fragment in one buffer. */
export function encodeRecord(type: number, version: number, fragment: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_LENGTH + fragment.length);
  writeRecordHeader(out, 0, { type, version, length: fragment.length });
  out.set(fragment, RECORD_HEADER_LENGTH);
  return out;
}

export interface InnerPlaintext {
  /** The real content type, the last non-zero byte. */
  type: number;
  /** The content, a view into the decrypted plaintext. */
  content: Uint8Array;
  /** Number of zero padding bytes that followed the type. */
  padding: number;
}

/**
 * Splits a decrypted TLSInnerPlaintext (RFC 8446 section 5.4): strips the zero padding from the end and takes
 * the last non-zero byte as the content type. A plaintext of zeros only has no type: unexpected_message.
 */
export function decodeInnerPlaintext(plaintext: Uint8Array): InnerPlaintext {
  let i = plaintext.length - 1;
  while (i >= 0 && plaintext[i] === 0) i--;
  if (i < 0) {
    throw new DecodeError('TLSInnerPlaintext.type', `no content type: all ${plaintext.length} bytes are zero padding (RFC 8446, Section 5.4)`, 0, 'unexpected_message');
  }
  return { type: plaintext[i]!, content: plaintext.subarray(0, i), padding: plaintext.length - 1 - i };
}

/** content || type || zeros(padding). */
export function encodeInnerPlaintext(content: Uint8Array, type: number, padding = 0): Uint8Array {
  if (type <= 0 || type > 255) throw new RangeError('TLSInnerPlaintext type must be a non-zero byte');
  const out = new Uint8Array(content.length + 1 + padding);
  out.set(content, 0);
  out[content.length] = type;
  return out;
}
