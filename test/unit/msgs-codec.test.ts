// The codec's foundations: the bounds-checked Reader and length-patching Writer (RFC 8446 section 3), the
// alert message (section 6), the record header and TLSInnerPlaintext (sections 5.1 and 5.4), and the
// handshake reassembler (section 5.1: messages span records, records hold several).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertToString, decodeAlert, encodeAlert, isFatalAlert } from '../../engine/msgs/alert';
import { encodeHandshake, HandshakeReader } from '../../engine/msgs/handshake';
import { DecodeError, MissingData, Reader, TrailingData } from '../../engine/msgs/reader';
import {
  decodeInnerPlaintext,
  decodeRecordHeader,
  encodeInnerPlaintext,
  encodeRecord,
  encodeRecordHeader,
  RECORD_HEADER_LENGTH,
} from '../../engine/msgs/record-header';
import { EncodeError, Writer } from '../../engine/msgs/writer';
import { toHex } from '../../engine/util/hex';

const seq = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

function catchDecode(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  assert.fail('expected a DecodeError');
}

// --- Reader -----------------------------------------------------------------------------------------------------

test('Reader reads big-endian integers of every width (RFC 8446, Section 3.3)', () => {
  const r = new Reader(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24), 'n');
  assert.equal(r.u8('a'), 0x01);
  assert.equal(r.u16('b'), 0x0203);
  assert.equal(r.u24('c'), 0x040506);
  assert.equal(r.u32('d'), 0x0708090a);
  assert.equal(r.u48('e'), 0x0b0c0d0e0f10);
  assert.equal(r.u64('f'), 0x1112131415161718n);
  assert.ok(r.atEnd());
  assert.equal(new Reader(Uint8Array.of(0xff, 0xff, 0xff, 0xff)).u32('x'), 0xffffffff, 'u32 is unsigned');
});

test('Reader.bytes and vectors are views into the input, not copies', () => {
  const buf = seq(10);
  const r = new Reader(buf);
  const b = r.bytes(3, 'b');
  assert.equal(b.buffer, buf.buffer);
  assert.equal(b.byteOffset, 0);
  const v = new Reader(Uint8Array.of(2, 9, 8)).opaque8('v');
  assert.deepEqual([...v], [9, 8]);
});

test('a vector child reader cannot read past its own end, and the parent continues after the vector', () => {
  const r = new Reader(Uint8Array.of(0, 2, 0xaa, 0xbb, 0xcc), 'Msg');
  const child = r.vec16('list');
  assert.equal(child.remaining, 2);
  assert.equal(r.u8('after'), 0xcc, 'the parent skipped the vector at once');
  assert.equal(child.u8('x'), 0xaa);
  const e = catchDecode(() => child.u16('y'));
  assert.ok(e instanceof MissingData);
  assert.equal(e.field, 'Msg.list.y');
  assert.equal(e.offset, 3);
  assert.match(e.message, /needs 2 bytes, 1 remains/);
});

test('a vector length pointing past its container is a decode_error at the length field', () => {
  const e = catchDecode(() => new Reader(Uint8Array.of(0, 5, 1, 2), 'Msg').vec16('list'));
  assert.ok(e instanceof MissingData);
  assert.equal(e.alert, 'decode_error');
  assert.equal(e.field, 'Msg.list');
  assert.equal(e.offset, 0);
});

test('vector bounds <min..max> are enforced with decode_error', () => {
  assert.match(catchDecode(() => new Reader(Uint8Array.of(0)).opaque8('v', 1)).detail, /must not be empty/);
  assert.match(catchDecode(() => new Reader(Uint8Array.of(3, 1, 2, 3)).opaque8('v', 0, 2)).detail, /above the maximum of 2/);
  assert.match(catchDecode(() => new Reader(Uint8Array.of(0, 1, 1)).u16List('v')).detail, /not a multiple of 2/);
});

test('end() throws TrailingData naming the structure when bytes are left over', () => {
  const r = new Reader(Uint8Array.of(1, 2, 3), 'Finished');
  r.u8('a');
  const e = catchDecode(() => r.end());
  assert.ok(e instanceof TrailingData);
  assert.equal(e.field, 'Finished');
  assert.equal(e.offset, 1);
  assert.equal(e.alert, 'decode_error');
});

test('error paths name list elements by index: ClientHello.extensions.key_share.client_shares[1].key_exchange', () => {
  const root = new Reader(Uint8Array.of(0, 10, 0, 29, 0, 1, 7, 0, 23, 0, 5, 1), 'ClientHello');
  const shares = root.vec16('extensions').sub(10, 'key_share').sub(10, 'client_shares');
  shares.index = 0;
  shares.u16('group');
  shares.opaque16('key_exchange', 1);
  shares.index = 1;
  shares.u16('group');
  const e = catchDecode(() => shares.opaque16('key_exchange', 1));
  assert.equal(e.field, 'ClientHello.extensions.key_share.client_shares[1].key_exchange');
  assert.equal(e.offset, 9);
});

test('Reader.fail carries the alert the caller names', () => {
  const e = catchDecode(() => new Reader(Uint8Array.of(0), 'KeyUpdate').fail('request_update', 'bad', 'illegal_parameter'));
  assert.equal(e.alert, 'illegal_parameter');
  assert.equal(e.field, 'KeyUpdate.request_update');
});

// --- Writer -----------------------------------------------------------------------------------------------------

test('Writer writes big-endian integers and patches the lengths of nested vectors', () => {
  const w = new Writer(16);
  w.u8(1).u16(0x0203).u24(0x040506).u32(0x0708090a).u48(0x0b0c0d0e0f10).u64(0x1112131415161718n);
  w.u16Prefixed((w) => {
    w.u8Prefixed((w) => w.bytes(Uint8Array.of(0xaa, 0xbb)));
    w.u24Prefixed((w) => w.zeros(3));
  });
  assert.equal(toHex(w.finish()), '0102030405060708090a0b0c0d0e0f101112131415161718' + '0009' + '02aabb' + '000003000000');
});

test('Writer grows past its initial capacity', () => {
  const w = new Writer(16);
  for (let i = 0; i < 1000; i++) w.u16(i);
  const out = w.finish();
  assert.equal(out.length, 2000);
  assert.equal((out[1998]! << 8) | out[1999]!, 999);
});

test('a vector too long for its length prefix throws EncodeError naming the field', () => {
  assert.throws(() => new Writer().u8Prefixed((w) => w.zeros(256), 'legacy_session_id'), (e: unknown) => e instanceof EncodeError && /legacy_session_id/.test(e.message));
  assert.throws(() => new Writer().u16Prefixed((w) => w.zeros(0x10000)), EncodeError);
  assert.doesNotThrow(() => new Writer().u16Prefixed((w) => w.zeros(0xffff)));
});

test('values that do not fit their width throw EncodeError instead of being truncated', () => {
  assert.throws(() => new Writer().u8(256), EncodeError);
  assert.throws(() => new Writer().u16(-1), EncodeError);
  assert.throws(() => new Writer().u24(0x1000000), EncodeError);
  assert.throws(() => new Writer().u32(1.5), EncodeError);
  assert.throws(() => new Writer().u64(-1n), EncodeError);
});

test('what a Writer writes, a Reader reads back', () => {
  const w = new Writer();
  w.u16(0x1301).opaque8(seq(5)).opaque16(seq(300)).opaque24(seq(70000)).u48(2 ** 47 + 5);
  const r = new Reader(w.finish());
  assert.equal(r.u16('a'), 0x1301);
  assert.equal(toHex(r.opaque8('b')), toHex(seq(5)));
  assert.equal(r.opaque16('c').length, 300);
  assert.equal(r.opaque24('d').length, 70000);
  assert.equal(r.u48('e'), 2 ** 47 + 5);
  r.end();
});

// --- Alert ------------------------------------------------------------------------------------------------------

test('an alert is two bytes, level then description (RFC 8446, Section 6)', () => {
  assert.deepEqual([...encodeAlert({ level: 'fatal', description: 'handshake_failure' })], [2, 40]);
  assert.deepEqual(decodeAlert(Uint8Array.of(1, 0)), { level: 1, description: 0 });
  assert.equal(alertToString({ level: 2, description: 40 }), 'fatal handshake_failure');
  assert.equal(alertToString({ level: 7, description: 200 }), 'unknown(7) unknown(200)');
});

test('an alert record that is not exactly one 2-byte alert is a decode_error (RFC 8446, Section 5.1)', () => {
  for (const payload of [new Uint8Array(0), Uint8Array.of(2), Uint8Array.of(2, 40, 2, 40)]) {
    const e = catchDecode(() => decodeAlert(payload));
    assert.equal(e.alert, 'decode_error');
    assert.equal(e.field, 'Alert');
  }
});

test('TLS 1.3 treats every alert but close_notify and user_canceled as fatal whatever its level (RFC 8446, Section 6)', () => {
  assert.equal(isFatalAlert({ level: 1, description: 40 }, true), true);
  assert.equal(isFatalAlert({ level: 1, description: 0 }, true), false);
  assert.equal(isFatalAlert({ level: 1, description: 90 }, true), false);
  assert.equal(isFatalAlert({ level: 1, description: 40 }, false), false);
  assert.equal(isFatalAlert({ level: 2, description: 0 }, false), true);
});

// --- record header and TLSInnerPlaintext --------------------------------------------------------------------------

test('the record header is type, legacy_record_version and length (RFC 8446, Section 5.1)', () => {
  const h = { type: 22, version: 0x0301, length: 0x1234 };
  assert.equal(toHex(encodeRecordHeader(h)), '1603011234');
  assert.deepEqual(decodeRecordHeader(encodeRecordHeader(h)), h);
  const rec = encodeRecord(23, 0x0303, seq(3));
  assert.equal(toHex(rec), '1703030003000102');
  assert.deepEqual(decodeRecordHeader(Uint8Array.of(9, ...rec), 1), { type: 23, version: 0x0303, length: 3 });
  assert.ok(catchDecode(() => decodeRecordHeader(rec.subarray(0, RECORD_HEADER_LENGTH - 1))) instanceof MissingData);
  assert.throws(() => encodeRecordHeader({ type: 23, version: 0x0303, length: 0x10000 }), RangeError);
});

test('TLSInnerPlaintext: the content type is the last non-zero byte and the zeros after it are padding (RFC 8446, Section 5.4)', () => {
  const inner = encodeInnerPlaintext(seq(4, 1), 22, 5);
  assert.equal(toHex(inner), '01020304' + '16' + '0000000000');
  const p = decodeInnerPlaintext(inner);
  assert.equal(p.type, 22);
  assert.equal(toHex(p.content), '01020304');
  assert.equal(p.padding, 5);
  assert.equal(p.content.buffer, inner.buffer, 'content is a view');
  const noContent = decodeInnerPlaintext(Uint8Array.of(21));
  assert.equal(noContent.type, 21);
  assert.equal(noContent.content.length, 0);
});

test('a TLSInnerPlaintext of zeros only (or nothing) is unexpected_message (RFC 8446, Section 5.4)', () => {
  for (const p of [new Uint8Array(0), new Uint8Array(100)]) {
    const e = catchDecode(() => decodeInnerPlaintext(p));
    assert.equal(e.alert, 'unexpected_message');
    assert.equal(e.field, 'TLSInnerPlaintext.type');
  }
});

// --- HandshakeReader --------------------------------------------------------------------------------------------

const MSGS = [
  encodeHandshake({ type: 'encrypted_extensions', extensions: [] }),
  encodeHandshake({ type: 'certificate', certificateList: [{ data: seq(3000) }] }),
  encodeHandshake({ type: 'end_of_early_data' }),
  encodeHandshake({ type: 'certificate_verify', algorithm: 0x0804, signature: seq(256) }),
  encodeHandshake({ type: 'finished', verifyData: seq(32) }),
];
const STREAM = Uint8Array.from(MSGS.flatMap((m) => [...m]));

function feedInChunks(sizes: (i: number) => number): Uint8Array[] {
  const hr = new HandshakeReader();
  const out: Uint8Array[] = [];
  for (let p = 0, i = 0; p < STREAM.length; i++) {
    const n = Math.min(sizes(i), STREAM.length - p);
    out.push(...hr.feed(STREAM.subarray(p, p + n)));
    p += n;
  }
  assert.equal(hr.hasPartial, false);
  return out;
}

test('HandshakeReader: one payload holding several messages gives them all, as views (RFC 8446, Section 5.1)', () => {
  const hr = new HandshakeReader();
  const out = hr.feed(STREAM);
  assert.deepEqual(out.map(toHex), MSGS.map(toHex));
  assert.equal(out[1]!.buffer, STREAM.buffer);
});

test('HandshakeReader: messages split at every boundary, even inside the 4-byte header, come out whole and in order', () => {
  for (const size of [1, 2, 3, 5, 7, 100, 1000]) assert.deepEqual(feedInChunks(() => size).map(toHex), MSGS.map(toHex), `chunks of ${size}`);
  let x = 17;
  assert.deepEqual(feedInChunks(() => (x = (x * 7 + 3) % 97) + 1).map(toHex), MSGS.map(toHex), 'irregular chunks');
});

test('HandshakeReader: hasPartial and bufferedBytes report a half-received message (keys must not change then, RFC 8446, Section 5.1)', () => {
  const hr = new HandshakeReader();
  assert.deepEqual(hr.feed(STREAM.subarray(0, 2)), []);
  assert.equal(hr.hasPartial, true);
  assert.equal(hr.bufferedBytes, 2);
  hr.feed(STREAM.subarray(2, 10));
  assert.equal(hr.bufferedBytes, 10 - MSGS[0]!.length);
  hr.reset();
  assert.equal(hr.hasPartial, false);
});

test('HandshakeReader: a message larger than the limit is refused from its header, naming the limit', () => {
  const big = Uint8Array.of(15, 0x01, 0x00, 0x01); // CertificateVerify of 65537 bytes
  const e = catchDecode(() => new HandshakeReader().feed(big));
  assert.equal(e.alert, 'illegal_parameter');
  assert.match(e.message, /65537 bytes exceed the limit of 65536 bytes \(maxHandshakeMessageBytes\)/);
  assert.equal(e.field, 'CertificateVerify.length');
  // Certificates get the larger cap.
  assert.deepEqual(new HandshakeReader().feed(Uint8Array.of(11, 0x01, 0x00, 0x01)), []);
  const c = catchDecode(() => new HandshakeReader({ maxCertificateSize: 1000 }).feed(Uint8Array.of(11, 0, 0x03, 0xe9)));
  assert.match(c.message, /1001 bytes exceed the limit of 1000 bytes \(maxCertificateChainBytes\)/);
  // Also when the header arrives in pieces; the offset counts bytes fed so far.
  const hr = new HandshakeReader({ maxMessageSize: 10 });
  hr.feed(encodeHandshake({ type: 'end_of_early_data' }));
  hr.feed(Uint8Array.of(20, 0));
  const split = catchDecode(() => hr.feed(Uint8Array.of(0, 11)));
  assert.equal(split.offset, 4);
});

test('HandshakeReader: an empty handshake record is unexpected_message (RFC 8446, Section 5.1)', () => {
  assert.equal(catchDecode(() => new HandshakeReader().feed(new Uint8Array(0))).alert, 'unexpected_message');
});
