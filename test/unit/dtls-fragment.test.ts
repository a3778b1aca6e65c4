// DTLS handshake fragments (engine/dtls/handshake-fragment.ts): the 12-byte header, fragmenting to a datagram
// budget, the reassembler (seeded shuffles, overlaps and duplicates always give the same messages in message_seq
// order; retransmissions, far-ahead and inconsistent fragments are typed drops; the memory limits throw the
// DtlsLimitError naming them), and the transcript form of RFC 6347 section 4.2.6. OpenSSL's fragmented flights
// are reassembled in dtls-openssl.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { nobleProvider } from '../../engine/crypto/noble';
import { decodeHandshake, encodeFinished } from '../../engine/msgs/handshake';
import { DecodeError, MissingData } from '../../engine/msgs/reader';
import { EncodeError } from '../../engine/msgs/writer';
import { CT } from '../../engine/record/framer';
import { Tls12Protector } from '../../engine/record/protect12';
import { HandshakeType } from '../../engine/registry/handshake-types';
import { suiteByCode } from '../../engine/registry/suites';
import { toHex } from '../../engine/util/hex';
import { DTLS12, DtlsEpochWriter } from '../../engine/dtls/record';
import {
  DTLS_HANDSHAKE_HEADER_LEN,
  DtlsLimitError,
  DtlsReassembler,
  decodeDtlsHandshakeFragments,
  encodeDtlsHandshakeFragment,
  encodeDtlsHandshakeHeader,
  fragmentHandshake,
  fromTlsForm,
  maxFragmentLength,
  toTlsForm,
  transcriptBytes,
  type DtlsHandshakeFragment,
  type DtlsHandshakeMessage,
} from '../../engine/dtls/handshake-fragment';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (rand: () => number, n: number): number => Math.floor(rand() * n);
function shuffle<T>(a: T[], rand: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = int(rand, i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

const msg = (msgType: number, messageSeq: number, body: Uint8Array): DtlsHandshakeMessage => ({ msgType, messageSeq, body });
/** A fragment object as decodeDtlsHandshakeFragments gives it. */
const frag = (m: DtlsHandshakeMessage, offset: number, n: number): DtlsHandshakeFragment => decodeDtlsHandshakeFragments(encodeDtlsHandshakeFragment(m, offset, n))[0]!;

// ---- header and fragments ----------------------------------------------------------------------------------------

test('header: 12 bytes msg_type, length, message_seq, fragment_offset, fragment_length; round trip; out-of-range values refuse to encode', () => {
  const h = { msgType: HandshakeType.certificate, length: 0x0005a1, messageSeq: 2, fragmentOffset: 0x0001bf, fragmentLength: 0x0001bf };
  const b = encodeDtlsHandshakeHeader(h);
  assert.equal(toHex(b), '0b0005a100020001bf0001bf');
  assert.equal(b.length, DTLS_HANDSHAKE_HEADER_LEN);
  const m = msg(HandshakeType.certificate, 2, randomBytes(0x5a1));
  const f = frag(m, 0x1bf, 0x1bf);
  assert.deepEqual({ msgType: f.msgType, length: f.length, messageSeq: f.messageSeq, fragmentOffset: f.fragmentOffset, fragmentLength: f.fragmentLength }, h);
  assert.equal(toHex(f.fragment), toHex(m.body.subarray(0x1bf, 0x37e)));
  assert.throws(() => encodeDtlsHandshakeHeader({ ...h, messageSeq: 0x10000 }), (e: unknown) => e instanceof EncodeError && e.field === 'Handshake.message_seq');
  assert.throws(() => encodeDtlsHandshakeHeader({ ...h, length: 1 << 24 }), (e: unknown) => e instanceof EncodeError && e.field === 'Handshake.length');
  assert.throws(() => encodeDtlsHandshakeFragment(m, 0x500, 0x200), EncodeError);
});

test('decodeDtlsHandshakeFragments: several per record; every malformed payload is a DecodeError naming the field', () => {
  const a = msg(HandshakeType.server_hello, 1, randomBytes(61));
  const b = msg(HandshakeType.certificate, 2, randomBytes(1000));
  const c = msg(HandshakeType.server_hello_done, 3, new Uint8Array(0));
  const payload = Buffer.concat([encodeDtlsHandshakeFragment(a, 0, 61), encodeDtlsHandshakeFragment(b, 0, 300), encodeDtlsHandshakeFragment(c, 0, 0)]);
  const fs = decodeDtlsHandshakeFragments(payload);
  assert.deepEqual(fs.map((f) => [f.msgType, f.messageSeq, f.length, f.fragmentOffset, f.fragmentLength]), [[2, 1, 61, 0, 61], [11, 2, 1000, 0, 300], [14, 3, 0, 0, 0]]);
  assert.equal(fs[1]!.raw.length, 312);
  assert.equal(fs[1]!.fragment.buffer, payload.buffer, 'views');

  const bad = (p: Uint8Array, field: string, alert = 'decode_error', cls: typeof DecodeError = DecodeError): void => {
    assert.throws(() => decodeDtlsHandshakeFragments(p), (e: unknown) => {
      assert.ok(e instanceof cls, `${field}: ${String(e)}`);
      assert.equal((e as DecodeError).field, field);
      assert.equal((e as DecodeError).alert, alert);
      return true;
    });
  };
  bad(new Uint8Array(0), 'Handshake', 'unexpected_message');
  bad(encodeDtlsHandshakeFragment(b, 0, 300).subarray(0, 7), 'Handshake.Certificate.fragment_offset', 'decode_error', MissingData);
  bad(encodeDtlsHandshakeFragment(b, 0, 300).subarray(0, 200), 'Handshake.Certificate.fragment', 'decode_error', MissingData);
  const over = encodeDtlsHandshakeFragment(b, 900, 100);
  over[11] = 101; // fragment_length 101 at offset 900 of a 1000-byte message
  bad(Buffer.concat([over, new Uint8Array(1)]), 'Handshake.Certificate.fragment_length');
  bad(Buffer.concat([encodeDtlsHandshakeFragment(a, 0, 61), new Uint8Array([1, 2, 3])]), 'Handshake.ClientHello.length', 'decode_error', MissingData);
});

test('fragmentHandshake: contiguous fragments of at most the budget; a record of each fits the datagram after the overhead', () => {
  const m = msg(HandshakeType.certificate, 2, randomBytes(1441));
  const fs = fragmentHandshake(m, 447).map((b) => decodeDtlsHandshakeFragments(b)[0]!);
  assert.deepEqual(fs.map((f) => [f.fragmentOffset, f.fragmentLength]), [[0, 447], [447, 447], [894, 447], [1341, 100]]);
  assert.deepEqual(fragmentHandshake(msg(14, 3, new Uint8Array(0)), 100).map(toHex), ['0e0000000003000000000000'], 'an empty body is one empty fragment');
  assert.equal(fragmentHandshake(m, 5000).length, 1);
  assert.throws(() => fragmentHandshake(m, 0), RangeError);
  assert.throws(() => maxFragmentLength({ maxDatagramSize: 60, recordOverhead: 48 }), RangeError);
  // With a real protector: a GCM epoch writer, a 472-byte datagram (what OpenSSL's -mtu 500 allows over IPv4/UDP).
  const gcm = suiteByCode(0xc02f)!;
  const w = new DtlsEpochWriter(1, DTLS12, new Tls12Protector({ provider: nobleProvider(), suite: gcm, version: 0x0303, recordVersion: DTLS12, dtls: true, macKey: new Uint8Array(0), key: randomBytes(16), iv: randomBytes(4) }));
  for (const size of [472, 1200, 100]) {
    const budget = { maxDatagramSize: size, recordOverhead: w.overhead };
    assert.equal(maxFragmentLength(budget), size - 37 - 12);
    for (const f of fragmentHandshake(m, budget)) {
      const rec = w.seal(CT.handshake, f);
      assert.ok(rec.length <= size, `${rec.length} <= ${size}`);
    }
    assert.equal(w.sealedLength(fragmentHandshake(m, budget)[0]!.length), size, 'full fragments fill the datagram exactly');
  }
  // CBC: overhead counts the worst-case padding, so every record fits
  const cbc = suiteByCode(0xc027)!; // ECDHE-RSA-AES128-SHA256
  const wc = new DtlsEpochWriter(1, DTLS12, new Tls12Protector({ provider: nobleProvider(), suite: cbc, version: 0x0303, recordVersion: DTLS12, dtls: true, macKey: randomBytes(32), key: randomBytes(16), iv: new Uint8Array(0) }));
  for (let size = 120; size < 200; size++) for (const f of fragmentHandshake(m, { maxDatagramSize: size, recordOverhead: wc.overhead })) assert.ok(wc.seal(CT.handshake, f).length <= size);
});

// ---- transcript and TLS form --------------------------------------------------------------------------------------

test('transcriptBytes (RFC 6347 section 4.2.6): the 12-byte header with offset 0 and fragment_length = length, whatever the fragmentation', () => {
  const m = msg(HandshakeType.certificate, 2, randomBytes(1441));
  const t = transcriptBytes(m);
  assert.equal(toHex(t.subarray(0, 12)), '0b0005a10002000000' + '0005a1');
  assert.equal(toHex(t.subarray(12)), toHex(m.body));
  for (const size of [1, 7, 100, 447, 1441]) {
    const r = new DtlsReassembler({ nextSeq: 2 });
    const out = shuffle(fragmentHandshake(m, size), rng(size)).flatMap((f) => r.pushPayload(f).messages);
    assert.equal(out.length, 1);
    assert.equal(toHex(transcriptBytes(out[0]!)), toHex(t), `fragments of ${size}`);
  }
  assert.equal(toHex(transcriptBytes(msg(14, 4, new Uint8Array(0)))), '0e0000000004000000000000');
});

test('toTlsForm/fromTlsForm: to and from the 4-byte header engine/msgs decodes', () => {
  const fin = encodeFinished({ type: 'finished', verifyData: randomBytes(12) });
  const m = fromTlsForm(fin, 5);
  assert.deepEqual([m.msgType, m.messageSeq, m.body.length], [HandshakeType.finished, 5, 12]);
  assert.equal(toHex(toTlsForm(m)), toHex(fin));
  assert.equal(decodeHandshake(toTlsForm(m), { version: 'tls12' }).type, 'finished');
  assert.throws(() => fromTlsForm(fin.subarray(0, 10), 0), MissingData);
  assert.throws(() => fromTlsForm(Buffer.concat([fin, new Uint8Array(1)]), 0), DecodeError);
});

// ---- reassembly ---------------------------------------------------------------------------------------------------

test('reassembler: a whole next message is released at once, as a view; gaps hold later messages until filled', () => {
  const r = new DtlsReassembler();
  const m0 = msg(HandshakeType.client_hello, 0, randomBytes(100));
  const f0 = frag(m0, 0, 100);
  const out = r.push(f0);
  assert.equal(out.messages.length, 1);
  assert.equal(out.messages[0]!.body.buffer, f0.fragment.buffer, 'zero-copy');
  assert.equal(r.nextSeq, 1);
  const m1 = msg(HandshakeType.certificate, 1, randomBytes(50));
  const m2 = msg(HandshakeType.server_hello_done, 2, new Uint8Array(0));
  assert.deepEqual(r.push(frag(m2, 0, 0)).messages, []);
  assert.deepEqual(r.push(frag(m1, 25, 25)).messages, []);
  assert.equal(r.bufferedBytes, 50);
  assert.ok(r.hasPartial);
  const done = r.push(frag(m1, 0, 25)).messages;
  assert.deepEqual(done.map((m) => [m.msgType, m.messageSeq, toHex(m.body)]), [[11, 1, toHex(m1.body)], [14, 2, '']]);
  assert.equal(r.bufferedBytes, 0);
  assert.equal(r.hasPartial, false);
  assert.equal(r.nextSeq, 3);
});

test('reassembler: seeded random fragmentations, overlaps, duplicates and shuffles always give the same messages in order', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const rand = rng(seed);
    const first = int(rand, 3);
    const n = 1 + int(rand, 6);
    const msgs = Array.from({ length: n }, (_, i) =>
      msg([1, 2, 11, 12, 14, 16, 20][int(rand, 7)]!, first + i, Uint8Array.from({ length: rand() < 0.15 ? 0 : int(rand, rand() < 0.3 ? 3000 : 300) }, () => int(rand, 256))));
    const pieces: DtlsHandshakeFragment[] = [];
    for (const m of msgs) {
      // one or two full fragmentations (a retransmission with another PMTU), then random overlapping ranges
      for (let k = 0; k < 1 + int(rand, 2); k++) pieces.push(...fragmentHandshake(m, 1 + int(rand, 400)).map((b) => decodeDtlsHandshakeFragments(b)[0]!));
      for (let k = int(rand, 4); k > 0 && m.body.length > 0; k--) {
        const a = int(rand, m.body.length);
        pieces.push(frag(m, a, int(rand, m.body.length - a + 1)));
      }
    }
    // duplicates
    for (let k = int(rand, 5); k > 0; k--) pieces.push(pieces[int(rand, pieces.length)]!);
    shuffle(pieces, rand);
    // several fragments per record sometimes
    const r = new DtlsReassembler({ nextSeq: first });
    const got: DtlsHandshakeMessage[] = [];
    for (let i = 0; i < pieces.length; ) {
      const k = 1 + int(rand, 3);
      const payload = Buffer.concat(pieces.slice(i, i + k).map((p) => p.raw));
      const { messages, drops } = r.pushPayload(payload);
      got.push(...messages);
      for (const d of drops) assert.ok(['duplicate', 'retransmission'].includes(d.reason), `seed ${seed}: ${d.reason} ${d.detail}`);
      i += k;
    }
    assert.deepEqual(got.map((m) => [m.msgType, m.messageSeq, toHex(m.body)]), msgs.map((m) => [m.msgType, m.messageSeq, toHex(m.body)]), `seed ${seed}`);
    assert.equal(r.bufferedBytes, 0, `seed ${seed}: nothing left buffered`);
    assert.equal(r.nextSeq, first + n);
  }
});

test('reassembler drops: retransmission (below next_receive_seq), duplicate, too-far-ahead, inconsistent', () => {
  const r = new DtlsReassembler({ maxMessagesAhead: 4 });
  const m0 = msg(1, 0, randomBytes(20));
  r.push(frag(m0, 0, 20));
  const again = r.push(frag(m0, 0, 10));
  assert.equal(again.drop?.reason, 'retransmission', 'RFC 6347 section 4.2.2: "the message MUST be discarded"');
  assert.equal(again.drop?.messageSeq, 0);
  const m3 = msg(11, 3, randomBytes(40));
  assert.equal(r.push(frag(m3, 0, 20)).drop, undefined);
  assert.equal(r.push(frag(m3, 5, 10)).drop?.reason, 'duplicate');
  assert.equal(r.push(frag(m3, 0, 20)).drop?.reason, 'duplicate');
  assert.equal(r.push(frag(msg(11, 3, randomBytes(41)), 20, 21)).drop?.reason, 'inconsistent', 'another length');
  assert.equal(r.push(frag(msg(12, 3, randomBytes(40)), 20, 20)).drop?.reason, 'inconsistent', 'another type');
  assert.equal(r.push(frag(msg(1, 5, randomBytes(4)), 0, 4)).drop, undefined, '5 - 1 = 4: within maxMessagesAhead');
  const far = r.push(frag(msg(1, 6, randomBytes(4)), 0, 4));
  assert.equal(far.drop?.reason, 'too-far-ahead');
  assert.match(far.drop!.detail, /more than 4 past/);
  // a fragment object that contradicts itself is a DecodeError
  const f = frag(m3, 0, 20);
  assert.throws(() => r.push({ ...f, fragmentLength: 21 }), (e: unknown) => e instanceof DecodeError && e.field === 'Certificate.fragment_length');
  assert.throws(() => r.push({ ...f, fragmentOffset: 30 }), DecodeError);
  // a complete message ahead, then its duplicate
  const m2 = msg(2, 2, randomBytes(3));
  assert.deepEqual(r.push(frag(m2, 0, 3)).messages, []);
  assert.equal(r.push(frag(m2, 0, 3)).drop?.reason, 'duplicate');
  r.reset(7);
  assert.equal(r.nextSeq, 7);
  assert.equal(r.bufferedBytes, 0);
  assert.equal(r.push(frag(m2, 0, 3)).drop?.reason, 'retransmission');
});

test('reassembler limits: DtlsLimitError names maxMessageLength, maxCertificateLength or maxBufferedBytes, before allocating', () => {
  const check = (fn: () => unknown, limit: string, field: string, value: number, max: number): void => {
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof DtlsLimitError, String(e));
      assert.ok(e instanceof DecodeError, 'a DecodeError, so the connection handles it as one');
      assert.equal(e.limit, limit);
      assert.equal(e.field, field);
      assert.equal(e.alert, 'illegal_parameter');
      assert.equal(e.value, value);
      assert.equal(e.max, max);
      assert.match(e.message, new RegExp(limit));
      return true;
    }, limit);
  };
  const r = new DtlsReassembler({ maxMessageLength: 1000, maxCertificateLength: 5000, maxBufferedBytes: 6000 });
  // the announced length counts, not the fragment's: a tiny first fragment of a huge message trips the limit
  check(() => r.push(frag(msg(HandshakeType.client_hello, 0, new Uint8Array(1001)), 0, 1)), 'maxMessageLength', 'ClientHello.length', 1001, 1000);
  assert.equal(r.push(frag(msg(HandshakeType.client_hello, 0, new Uint8Array(1000)), 0, 1000)).messages.length, 1, 'at the limit is fine');
  check(() => r.push(frag(msg(HandshakeType.certificate, 1, new Uint8Array(5001)), 0, 10)), 'maxCertificateLength', 'Certificate.length', 5001, 5000);
  check(() => r.push(frag(msg(HandshakeType.certificate, 1, new Uint8Array(2 ** 24 - 1)), 0, 0)), 'maxCertificateLength', 'Certificate.length', 2 ** 24 - 1, 5000);
  // buffered bytes: partial messages ahead add up
  r.push(frag(msg(HandshakeType.certificate, 1, new Uint8Array(5000)), 0, 100));
  assert.equal(r.bufferedBytes, 5000);
  r.push(frag(msg(HandshakeType.server_key_exchange, 2, new Uint8Array(1000)), 0, 10));
  assert.equal(r.bufferedBytes, 6000);
  check(() => r.push(frag(msg(HandshakeType.server_hello_done, 3, new Uint8Array(1)), 0, 0)), 'maxBufferedBytes', 'ServerHelloDone.length', 6001, 6000);
  check(() => r.push(frag(msg(HandshakeType.server_hello_done, 3, new Uint8Array(1)), 0, 1)), 'maxBufferedBytes', 'ServerHelloDone.length', 6001, 6000);
  assert.equal(r.bufferedBytes, 6000, 'nothing was allocated for the refused fragments');
  // a zero-length message costs nothing
  assert.deepEqual(r.push(frag(msg(HandshakeType.server_hello_done, 3, new Uint8Array(0)), 0, 0)).messages, []);
  // default limits
  const d = new DtlsReassembler();
  assert.deepEqual([d.maxMessageLength, d.maxCertificateLength, d.maxBufferedBytes, d.maxMessagesAhead], [65536, 262144, 524288, 16]);
});

test('reassembler: random payloads never throw anything but DecodeError, and never hold more than the limit', () => {
  const rand = rng(4242);
  const r = new DtlsReassembler({ maxBufferedBytes: 20000, maxMessageLength: 10000, maxCertificateLength: 10000 });
  for (let i = 0; i < 3000; i++) {
    const len = 12 + int(rand, 40);
    const p = Uint8Array.from({ length: len }, () => int(rand, 256));
    // make some headers plausible
    if (rand() < 0.7) {
      p[1] = 0; p[2] = int(rand, 0x30); p[4] = 0; p[5] = int(rand, 20); p[6] = 0; p[7] = int(rand, 0x30); p[9] = 0; p[10] = 0; p[11] = len - 12;
    }
    try {
      r.pushPayload(p);
    } catch (e) {
      assert.ok(e instanceof DecodeError, String(e));
    }
    assert.ok(r.bufferedBytes <= 20000);
  }
});
