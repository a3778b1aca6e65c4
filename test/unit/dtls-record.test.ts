// The DTLS record layer (engine/dtls/record.ts) and Tls12Protector's DTLS mode (engine/record/protect12.ts):
// the 13-byte header codec, splitting datagrams (every malformed case a typed drop, never a throw), packing, the
// RFC 6347 section 4.1.2.6 replay window against a reference model on seeded random sequences, and sealing/opening
// per epoch for every protection mode, each layout proven by a second implementation by hand over node:crypto
// (the MAC/AAD/nonce sequence number is epoch || sequence_number, RFC 6347 section 4.1.2.1). OpenSSL's own records
// are opened in dtls-openssl.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { nobleProvider } from '../../engine/crypto/noble';
import { ProtocolError } from '../../engine/conn/errors';
import { TLS10, TLS11, TLS12 } from '../../engine/handshake/tls12/prf';
import { DecodeError, MissingData } from '../../engine/msgs/reader';
import { EncodeError } from '../../engine/msgs/writer';
import { CT } from '../../engine/record/framer';
import { MAX_CIPHERTEXT, Tls12Protector } from '../../engine/record/protect12';
import { suiteByCode, type CipherSuite } from '../../engine/registry/suites';
import { toHex } from '../../engine/util/hex';
import {
  DTLS10,
  DTLS12,
  DTLS_RECORD_HEADER_LEN,
  DtlsEpochReader,
  DtlsEpochWriter,
  DtlsRecordReader,
  MAX_DTLS_SEQ,
  ReplayWindow,
  decodeDtlsRecordHeader,
  dtlsVersionName,
  encodeDtlsRecord,
  encodeDtlsRecordHeader,
  packDatagrams,
  splitDatagram,
  tlsVersionOf,
  type DtlsOpenResult,
  type DtlsRecord,
} from '../../engine/dtls/record';

const P = nobleProvider();
const suite = (code: number): CipherSuite => {
  const s = suiteByCode(code);
  if (!s) throw new Error(`no suite 0x${code.toString(16)}`);
  return s;
};
const AES128_SHA = suite(0x002f);
const DES3_SHA = suite(0x000a);
const NULL_SHA = suite(0x0002);
const AES256_SHA384 = suite(0xc028);
const GCM128 = suite(0xc02f);
const GCM256 = suite(0xc030);
const CCM128 = suite(0xc09c);
const CCM8_128 = suite(0xc0a0);
const CHACHA = suite(0xcca8);

/** mulberry32: a small seeded PRNG, so every random sequence here is reproducible. */
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

interface Keys {
  macKey: Uint8Array;
  key: Uint8Array;
  iv: Uint8Array;
}
const keysFor = (s: CipherSuite): Keys => ({ macKey: randomBytes(s.macLen), key: randomBytes(s.cipher.keyLen), iv: randomBytes(s.cipher.ivLen) });
const dtlsProtector = (s: CipherSuite, wire: number, k: Keys, etm = false): Tls12Protector =>
  new Tls12Protector({ provider: P, suite: s, version: tlsVersionOf(wire), recordVersion: wire, dtls: true, encryptThenMac: etm, ...k });

const one = (datagram: Uint8Array): DtlsRecord => {
  const { records, drop } = splitDatagram(datagram);
  assert.equal(drop, undefined, drop?.detail);
  assert.equal(records.length, 1);
  return records[0]!;
};

function expectOk(r: DtlsOpenResult): Extract<DtlsOpenResult, { ok: true }> {
  if (!r.ok) assert.fail(`expected the record to open, dropped: ${r.reason}: ${r.detail}`);
  return r;
}
function expectDrop(r: DtlsOpenResult, reason: string): void {
  assert.equal(r.ok, false, 'expected a drop');
  if (!r.ok) assert.equal(r.reason, reason, r.detail);
}

// ---- header codec ------------------------------------------------------------------------------------------------

test('header: encode/decode round trip, 13 bytes, uint48 sequence numbers exact; out-of-range fields refuse to encode', () => {
  const h = { type: CT.application_data, version: DTLS12, epoch: 0xabcd, seq: MAX_DTLS_SEQ, length: 0x1234 };
  const b = encodeDtlsRecordHeader(h);
  assert.equal(b.length, DTLS_RECORD_HEADER_LEN);
  assert.equal(toHex(b), '17fefdabcdffffffffffff1234');
  assert.deepEqual(decodeDtlsRecordHeader(b), h);
  const h2 = { type: CT.handshake, version: DTLS10, epoch: 0, seq: 0x0102_0304_0506, length: 0 };
  assert.equal(toHex(encodeDtlsRecordHeader(h2)), '16feff00000102030405060000');
  assert.deepEqual(decodeDtlsRecordHeader(encodeDtlsRecordHeader(h2)), h2);
  // at an offset
  const buf = new Uint8Array(20);
  buf.set(b, 7);
  assert.deepEqual(decodeDtlsRecordHeader(buf, 7), h);
  assert.throws(() => encodeDtlsRecordHeader({ ...h, seq: MAX_DTLS_SEQ + 1 }), (e: unknown) => e instanceof EncodeError && e.field === 'DTLSPlaintext.sequence_number');
  assert.throws(() => encodeDtlsRecordHeader({ ...h, epoch: 0x10000 }), (e: unknown) => e instanceof EncodeError && e.field === 'DTLSPlaintext.epoch');
  assert.throws(() => encodeDtlsRecordHeader({ ...h, length: -1 }), EncodeError);
  for (let n = 0; n < 13; n++)
    assert.throws(() => decodeDtlsRecordHeader(b.subarray(0, n)), (e: unknown) => e instanceof MissingData && e.field.startsWith('DTLSPlaintext.'), `${n} bytes`);
  assert.throws(() => decodeDtlsRecordHeader(b.subarray(0, 5)), (e: unknown) => e instanceof DecodeError && e.field === 'DTLSPlaintext.sequence_number');
  assert.equal(tlsVersionOf(DTLS12), TLS12);
  assert.equal(tlsVersionOf(DTLS10), TLS11, 'DTLS 1.0 is based on TLS 1.1 (RFC 4347 section 1)');
  assert.throws(() => tlsVersionOf(0x0303), RangeError);
  assert.deepEqual([dtlsVersionName(DTLS12), dtlsVersionName(DTLS10), dtlsVersionName(0xfefc)], ['DTLS 1.2', 'DTLS 1.0', '0xfefc']);
});

// ---- splitting datagrams -------------------------------------------------------------------------------------------

test('splitDatagram: several records per datagram, as views with offsets; an empty datagram holds none', () => {
  const a = encodeDtlsRecord(CT.handshake, DTLS10, 0, 0, new Uint8Array([1, 2, 3]));
  const b = encodeDtlsRecord(CT.change_cipher_spec, DTLS12, 0, 1, new Uint8Array([1]));
  const c = encodeDtlsRecord(CT.application_data, DTLS12, 1, 0, new Uint8Array(0));
  const d = encodeDtlsRecord(CT.heartbeat, DTLS12, 1, 1, new Uint8Array([9]));
  const dg = Buffer.concat([a, b, c, d]);
  const { records, drop } = splitDatagram(dg);
  assert.equal(drop, undefined);
  assert.deepEqual(records.map((r) => [r.type, r.version, r.epoch, r.seq, r.length, r.offset, toHex(r.fragment)]), [
    [22, DTLS10, 0, 0, 3, 0, '010203'],
    [20, DTLS12, 0, 1, 1, 16, '01'],
    [23, DTLS12, 1, 0, 0, 30, ''],
    [24, DTLS12, 1, 1, 1, 43, '09'],
  ]);
  assert.equal(records[1]!.raw.buffer, dg.buffer, 'views, not copies');
  assert.equal(toHex(records[2]!.raw), toHex(c));
  assert.deepEqual(splitDatagram(new Uint8Array(0)), { records: [] });
});

test('splitDatagram: every malformed tail is a typed drop after the good records before it, never a throw', () => {
  const good = encodeDtlsRecord(CT.handshake, DTLS12, 0, 5, new Uint8Array([7, 7]));
  const cases: Array<[string, Uint8Array, string, string | undefined, { version?: number; maxLength?: number }?]> = [
    ['truncated header', new Uint8Array([22, 0xfe, 0xfd, 0, 0]), 'truncated-header', 'DTLSPlaintext.sequence_number'],
    ['one stray byte', new Uint8Array([0]), 'truncated-header', 'DTLSPlaintext.version'],
    ['body past the end', encodeDtlsRecord(CT.handshake, DTLS12, 0, 6, new Uint8Array(10)).subarray(0, 20), 'truncated-record', 'DTLSPlaintext.length'],
    ['content type 0', encodeDtlsRecord(0, DTLS12, 0, 6, new Uint8Array(1)), 'bad-content-type', 'DTLSPlaintext.type'],
    ['content type 25 (tls12_cid, not negotiated)', encodeDtlsRecord(25, DTLS12, 0, 6, new Uint8Array(1)), 'bad-content-type', 'DTLSPlaintext.type'],
    ['a TLS record', new Uint8Array([22, 3, 3, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]), 'bad-version', 'DTLSPlaintext.version'],
    ['DTLS 1.0 where DTLS 1.2 was negotiated', encodeDtlsRecord(CT.application_data, DTLS10, 1, 0, new Uint8Array(1)), 'bad-version', 'DTLSPlaintext.version', { version: DTLS12 }],
    ['over 2^14+2048', encodeDtlsRecordHeader({ type: 23, version: DTLS12, epoch: 1, seq: 0, length: MAX_CIPHERTEXT + 1 }), 'record-overflow', 'DTLSPlaintext.length'],
    ['over a smaller limit', encodeDtlsRecord(CT.application_data, DTLS12, 1, 0, new Uint8Array(101)), 'record-overflow', 'DTLSPlaintext.length', { maxLength: 100 }],
  ];
  for (const [what, tail, reason, field, opts] of cases) {
    // A truncation can only be the datagram's end; anything else is followed by a good record, dropped with it.
    const dg = Buffer.concat(reason.startsWith('truncated') ? [good, tail] : [good, tail, good]);
    const out = splitDatagram(dg, opts);
    assert.equal(out.records.length, 1, `${what}: the record before survives`);
    assert.ok(out.drop, `${what}: a drop`);
    assert.equal(out.drop.reason, reason, `${what}: ${out.drop.detail}`);
    assert.equal(out.drop.field, field, what);
    assert.equal(out.drop.offset, good.length, what);
    assert.equal(out.drop.droppedBytes, dg.length - good.length, `${what}: the rest of the datagram is dropped`);
    assert.ok(out.drop.detail.length > 10);
  }
  // Random garbage never throws.
  const rand = rng(7);
  for (let i = 0; i < 2000; i++) {
    const dg = Uint8Array.from({ length: Math.floor(rand() * 60) }, () => Math.floor(rand() * 256));
    if (rand() < 0.5 && dg.length > 3) [dg[0], dg[1], dg[2]] = [22, 0xfe, 0xfd];
    const { records, drop } = splitDatagram(dg);
    const used = records.reduce((n, r) => n + r.raw.length, 0);
    assert.equal(used + (drop?.droppedBytes ?? 0), dg.length, 'every byte is a record or dropped');
  }
});

test('packDatagrams: whole records in order, never over the size unless a record alone is larger', () => {
  const recs = [30, 40, 50, 200, 20, 20, 20].map((n, i) => encodeDtlsRecord(CT.handshake, DTLS12, 0, i, new Uint8Array(n - 13).fill(i)));
  const dgs = packDatagrams(recs, 100);
  assert.deepEqual(dgs.map((d) => d.length), [70, 50, 200, 60]);
  const back = dgs.flatMap((d) => splitDatagram(d).records.map((r) => r.seq));
  assert.deepEqual(back, [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(packDatagrams([], 100), []);
});

// ---- anti-replay ------------------------------------------------------------------------------------------------

test('ReplayWindow (RFC 6347 section 4.1.2.6): in-window duplicates, records left of the window, far-ahead records', () => {
  const w = new ReplayWindow();
  assert.equal(w.size, 64, '64 entries by default');
  assert.equal(w.highest, -1);
  assert.equal(w.check(0), 'new');
  w.accept(0);
  assert.equal(w.check(0), 'duplicate');
  w.accept(5);
  assert.deepEqual([1, 2, 3, 4].map((s) => w.check(s)), ['new', 'new', 'new', 'new'], 'gaps inside the window are still new');
  w.accept(3);
  assert.equal(w.check(3), 'duplicate', 'a late record, once accepted, is a duplicate');
  assert.equal(w.check(5), 'duplicate');
  // right edge 70: 6 is inside (70 - 6 = 64 is not < 64 ... so it is left of the window)
  w.accept(70);
  assert.equal(w.highest, 70);
  assert.equal(w.check(7), 'new', '70 - 7 = 63: the window’s last slot');
  assert.equal(w.check(6), 'too-old', '70 - 6 = 64: left of a 64-entry window');
  assert.equal(w.check(5), 'too-old');
  // far ahead: the window jumps and forgets everything
  w.accept(1_000_000);
  assert.equal(w.check(70), 'too-old');
  assert.equal(w.check(999_999), 'new');
  assert.equal(w.check(1_000_000), 'duplicate');
  assert.equal(w.check(MAX_DTLS_SEQ), 'new', 'uint48 values are exact');
  w.accept(MAX_DTLS_SEQ);
  assert.equal(w.check(MAX_DTLS_SEQ), 'duplicate');
  assert.equal(w.check(MAX_DTLS_SEQ - 63), 'new');
  assert.equal(w.check(MAX_DTLS_SEQ - 64), 'too-old');
  // check never changes the window
  const v = new ReplayWindow(32);
  for (let i = 0; i < 10; i++) assert.equal(v.check(3), 'new');
  assert.equal(v.highest, -1);
  assert.throws(() => new ReplayWindow(31), /at least 32/);
  assert.throws(() => new ReplayWindow(64.5), RangeError);
});

test('ReplayWindow equals a reference model of section 4.1.2.6 on seeded random sequences (sizes 32, 64, 100)', () => {
  for (const size of [32, 64, 100]) {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = rng(seed * 1000 + size);
      const w = new ReplayWindow(size);
      const seen = new Set<number>();
      let top = -1;
      let base = 0;
      for (let i = 0; i < 600; i++) {
        // mostly near the edge, sometimes replays, sometimes jumps far ahead
        const r = rand();
        base += r < 0.05 ? Math.floor(rand() * 500) : Math.floor(rand() * 3);
        const seq = Math.max(0, base - Math.floor(rand() * (size + 20)));
        const expected = seq > top ? 'new' : top - seq >= size ? 'too-old' : seen.has(seq) ? 'duplicate' : 'new';
        assert.equal(w.check(seq), expected, `size ${size} seed ${seed} step ${i} seq ${seq} top ${top}`);
        // some records fail authentication and are never accepted
        if (expected === 'new' && rand() < 0.9) {
          w.accept(seq);
          seen.add(seq);
          top = Math.max(top, seq);
        }
        assert.equal(w.highest, top);
      }
    }
  }
});

// ---- sealing and opening: layouts by hand ------------------------------------------------------------------------

const seq64 = (epoch: number, seq: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeUInt16BE(epoch, 0);
  b.writeUIntBE(seq, 2, 6);
  return b;
};
/** RFC 6347 section 4.1.2.1 with RFC 5246 section 6.2.3.1/6.2.3.3: epoch||seq || type || version || length. */
const macPrefix = (epoch: number, seq: number, type: number, version: number, len: number): Buffer =>
  Buffer.concat([seq64(epoch, seq), Buffer.from([type, version >> 8, version & 0xff, len >> 8, len & 0xff])]);

test('DTLS AES-GCM: fragment = epoch||seq (explicit nonce) || ciphertext || tag, AAD over epoch||seq and the DTLS version (node:crypto)', () => {
  for (const s of [GCM128, GCM256]) {
    const k = keysFor(s);
    const w = new DtlsEpochWriter(3, DTLS12, dtlsProtector(s, DTLS12, k));
    w.skipTo(0x0000_0100_0002);
    for (let i = 0; i < 3; i++) {
      const seq = w.nextSeq;
      const content = randomBytes(10 + i * 40);
      const rec = one(w.seal(CT.application_data, content));
      assert.deepEqual([rec.type, rec.version, rec.epoch, rec.seq], [CT.application_data, DTLS12, 3, seq]);
      const c = createCipheriv((s.cipher.keyLen === 16 ? 'aes-128-gcm' : 'aes-256-gcm') as 'aes-128-gcm', k.key, Buffer.concat([k.iv, seq64(3, seq)]));
      c.setAAD(macPrefix(3, seq, CT.application_data, DTLS12, content.length));
      const expect = Buffer.concat([seq64(3, seq), c.update(content), c.final(), c.getAuthTag()]);
      assert.equal(toHex(rec.fragment), expect.toString('hex'), `${s.openssl} record 3/${seq}`);
    }
  }
});

test('DTLS AES-CCM(_8): nonce salt || epoch||seq, AAD over epoch||seq (node:crypto)', () => {
  for (const s of [CCM128, CCM8_128]) {
    const k = keysFor(s);
    const w = new DtlsEpochWriter(1, DTLS12, dtlsProtector(s, DTLS12, k));
    const content = randomBytes(33);
    const rec = one(w.seal(CT.application_data, content));
    const c = createCipheriv('aes-128-ccm', k.key, Buffer.concat([k.iv, seq64(1, 0)]), { authTagLength: s.cipher.tagLen });
    c.setAAD(macPrefix(1, 0, CT.application_data, DTLS12, content.length), { plaintextLength: content.length });
    assert.equal(toHex(rec.fragment), Buffer.concat([seq64(1, 0), c.update(content), c.final(), c.getAuthTag()]).toString('hex'), s.openssl);
  }
});

test('DTLS ChaCha20-Poly1305: nonce = IV xor (0^4 || epoch||seq) (RFC 7905 section 2 with RFC 6347 section 4.1.2.1)', () => {
  const k = keysFor(CHACHA);
  const w = new DtlsEpochWriter(2, DTLS12, dtlsProtector(CHACHA, DTLS12, k));
  w.skipTo(77);
  const content = randomBytes(50);
  const rec = one(w.seal(CT.application_data, content));
  const nonce = Buffer.from(k.iv);
  const s = seq64(2, 77);
  for (let i = 0; i < 8; i++) nonce[4 + i]! ^= s[i]!;
  const c = createCipheriv('chacha20-poly1305', k.key, nonce, { authTagLength: 16 });
  c.setAAD(macPrefix(2, 77, CT.application_data, DTLS12, content.length), { plaintextLength: content.length });
  assert.equal(toHex(rec.fragment), Buffer.concat([c.update(content), c.final(), c.getAuthTag()]).toString('hex'));
});

test('DTLS CBC (1.0 and 1.2): explicit IV per record, HMAC over epoch||seq || type || DTLS version || length, MAC-then-encrypt and encrypt-then-MAC', () => {
  const NODE: Record<string, string> = { 'AES-128-CBC': 'aes-128-cbc', '3DES-EDE-CBC': 'des-ede3-cbc', 'AES-256-CBC': 'aes-256-cbc' };
  const HASH: Record<string, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384' };
  const cases: Array<[CipherSuite, number]> = [[AES128_SHA, DTLS10], [DES3_SHA, DTLS10], [AES128_SHA, DTLS12], [AES256_SHA384, DTLS12]];
  for (const [s, wire] of cases) {
    for (const etm of [false, true]) {
      const k = keysFor(s);
      const w = new DtlsEpochWriter(1, wire, dtlsProtector(s, wire, k, etm));
      const bl = s.cipher.name === '3DES-EDE-CBC' ? 8 : 16;
      for (let i = 0; i < 3; i++) {
        const content = randomBytes(i * 19);
        const seq = w.nextSeq;
        const rec = one(w.seal(CT.application_data, content));
        const what = `${s.openssl} ${dtlsVersionName(wire)}${etm ? ' EtM' : ''} record ${seq}`;
        const frag = Buffer.from(rec.fragment);
        const iv = frag.subarray(0, bl);
        const mac = (data: Uint8Array): Buffer => createHmac(HASH[s.mac]!, k.macKey).update(macPrefix(1, seq, CT.application_data, wire, data.length)).update(data).digest();
        const dec = (ct: Buffer): Buffer => {
          const d = createDecipheriv(NODE[s.cipher.name]!, k.key, iv);
          d.setAutoPadding(false);
          return Buffer.concat([d.update(ct), d.final()]);
        };
        if (etm) {
          const body = frag.subarray(0, frag.length - s.macLen);
          assert.equal(frag.subarray(body.length).toString('hex'), mac(body).toString('hex'), `${what}: MAC over IV || ciphertext (RFC 7366)`);
          const plain = dec(body.subarray(bl));
          assert.equal(plain.subarray(0, content.length).toString('hex'), toHex(content), what);
        } else {
          const plain = dec(frag.subarray(bl));
          const padLen = plain[plain.length - 1]!;
          const body = plain.subarray(0, plain.length - padLen - 1);
          assert.equal(body.subarray(0, content.length).toString('hex'), toHex(content), what);
          assert.equal(body.subarray(content.length).toString('hex'), mac(content).toString('hex'), `${what}: the MAC`);
        }
        assert.notEqual(toHex(iv), toHex(k.iv), `${what}: a fresh explicit IV, not the key block's (no chaining in DTLS)`);
      }
    }
  }
});

test('DTLS NULL cipher: fragment = content || HMAC over epoch||seq... (RFC 6347 section 4.1.2.2)', () => {
  const k = keysFor(NULL_SHA);
  const w = new DtlsEpochWriter(1, DTLS12, dtlsProtector(NULL_SHA, DTLS12, k));
  const content = Buffer.from('null but authenticated');
  const rec = one(w.seal(CT.application_data, content));
  const mac = createHmac('sha1', k.macKey).update(macPrefix(1, 0, CT.application_data, DTLS12, content.length)).update(content).digest();
  assert.equal(toHex(rec.fragment), Buffer.concat([content, mac]).toString('hex'));
});

// ---- round trips and drops ---------------------------------------------------------------------------------------

const ALL: Array<[CipherSuite, number, boolean]> = [
  [GCM128, DTLS12, false], [GCM256, DTLS12, false], [CCM128, DTLS12, false], [CCM8_128, DTLS12, false], [CHACHA, DTLS12, false],
  [AES128_SHA, DTLS12, false], [AES128_SHA, DTLS12, true], [AES256_SHA384, DTLS12, false], [AES256_SHA384, DTLS12, true],
  [AES128_SHA, DTLS10, false], [AES128_SHA, DTLS10, true], [DES3_SHA, DTLS10, false], [NULL_SHA, DTLS12, false], [NULL_SHA, DTLS10, false],
];

test('every mode: sealed records open in any order, sealedLength is exact and within overhead, tampering with any byte drops as bad-record-mac', () => {
  for (const [s, wire, etm] of ALL) {
    const what = `${s.openssl} ${dtlsVersionName(wire)}${etm ? ' EtM' : ''}`;
    const k = keysFor(s);
    const w = new DtlsEpochWriter(1, wire, dtlsProtector(s, wire, k, etm));
    const r = new DtlsEpochReader(1, dtlsProtector(s, wire, k, etm));
    const sent: Array<[Uint8Array, Uint8Array]> = [];
    for (const n of [0, 1, 15, 16, 17, 100, 1000]) {
      const content = randomBytes(n);
      const rec = w.seal(CT.application_data, content);
      assert.equal(rec.length, w.sealedLength(n), `${what}: sealedLength(${n})`);
      assert.ok(rec.length <= n + w.overhead, `${what}: within overhead`);
      sent.push([rec, content]);
    }
    // out of order
    for (const i of [3, 0, 6, 1, 5, 2, 4]) {
      const [rec, content] = sent[i]!;
      const o = expectOk(r.open(one(rec)));
      assert.equal(toHex(o.content), toHex(content), `${what} record ${i}`);
      assert.deepEqual([o.type, o.epoch, o.seq], [CT.application_data, 1, i]);
    }
    // every byte of one fresh record, flipped: a drop, never a throw, and the window does not move
    const content = randomBytes(40);
    const rec = w.seal(CT.application_data, content);
    const seq = w.nextSeq - 1;
    for (let i = 0; i < rec.length; i++) {
      if (i >= 3 && i < 11) continue; // epoch and sequence number: another record's identity (covered below)
      const bad = Uint8Array.from(rec);
      bad[i]! ^= 0x40;
      const split = splitDatagram(bad);
      if (split.drop) continue; // a changed type, version or length no longer frames: dropped by the splitter
      const res = r.open(split.records[0]!);
      assert.equal(res.ok, false, `${what}: byte ${i} changed must not open`);
      if (!res.ok) assert.ok(res.reason === 'bad-record-mac' || res.reason === 'unknown-epoch', `${what} byte ${i}: ${res.reason}`);
    }
    assert.equal(r.window!.highest, 6, `${what}: failed records leave the window alone`);
    // the record with another sequence number (header changed) fails too; then the genuine one opens
    const moved = Uint8Array.from(rec);
    moved[6]! ^= 1; // sequence_number + 2^32: new to the window, but the MAC/AAD covered the real one
    expectDrop(r.open(one(moved)), 'bad-record-mac');
    assert.equal(toHex(expectOk(r.open(one(rec))).content), toHex(content), `${what}: the genuine record still opens`);
    expectDrop(r.open(one(rec)), 'replayed');
    assert.equal(r.window!.highest, seq);
  }
});

test('DtlsEpochReader: replayed, too-old, record-overflow; epoch 0 plaintext; replay detection can be turned off', () => {
  const k = keysFor(GCM128);
  const w = new DtlsEpochWriter(1, DTLS12, dtlsProtector(GCM128, DTLS12, k));
  const r = new DtlsEpochReader(1, dtlsProtector(GCM128, DTLS12, k));
  const recs = Array.from({ length: 100 }, (_, i) => w.seal(CT.application_data, new Uint8Array([i])));
  expectOk(r.open(one(recs[99]!)));
  expectDrop(r.open(one(recs[99]!)), 'replayed');
  expectOk(r.open(one(recs[36]!)));
  expectDrop(r.open(one(recs[35]!)), 'too-old');
  expectDrop(r.open(one(recs[0]!)), 'too-old');
  const off = new DtlsEpochReader(1, dtlsProtector(GCM128, DTLS12, k), { replayWindow: 0 });
  expectOk(off.open(one(recs[5]!)));
  expectOk(off.open(one(recs[5]!)));
  assert.equal(off.window, null);

  const plain = new DtlsEpochReader(0);
  const o = expectOk(plain.open(one(encodeDtlsRecord(CT.handshake, DTLS10, 0, 3, new Uint8Array([1, 2])))));
  assert.deepEqual([o.type, o.seq, toHex(o.content)], [CT.handshake, 3, '0102']);
  expectDrop(plain.open(one(encodeDtlsRecord(CT.handshake, DTLS10, 0, 3, new Uint8Array([1, 2])))), 'replayed');
  const big = splitDatagram(encodeDtlsRecord(CT.handshake, DTLS12, 0, 4, new Uint8Array((1 << 14) + 1)));
  expectDrop(plain.open(big.records[0]!), 'record-overflow');
  expectDrop(plain.open(one(encodeDtlsRecord(CT.handshake, DTLS12, 1, 4, new Uint8Array(1)))), 'unknown-epoch');

  // protected: a NULL-SHA record whose authenticated content is over 2^14 bytes (built by hand)
  const nk = keysFor(NULL_SHA);
  const nr = new DtlsEpochReader(1, dtlsProtector(NULL_SHA, DTLS12, nk));
  const content = new Uint8Array((1 << 14) + 1);
  const mac = createHmac('sha1', nk.macKey).update(macPrefix(1, 0, CT.application_data, DTLS12, content.length)).update(content).digest();
  const rec = splitDatagram(encodeDtlsRecord(CT.application_data, DTLS12, 1, 0, Buffer.concat([content, mac]))).records[0]!;
  expectDrop(nr.open(rec), 'record-overflow');
  // over 2^14+2048 given straight to the reader (the splitter would have dropped it first)
  const huge = { ...rec, fragment: new Uint8Array(MAX_CIPHERTEXT + 1), length: MAX_CIPHERTEXT + 1, seq: 1 };
  expectDrop(nr.open(huge), 'record-overflow');
  // short fragments of every mode are bad-record-mac drops
  for (const [s, wire, etm] of ALL) {
    const rr = new DtlsEpochReader(1, dtlsProtector(s, wire, keysFor(s), etm));
    for (const n of [0, 1, 8, 16, 31]) {
      const res = rr.open({ type: CT.application_data, version: wire, epoch: 1, seq: n, length: n, fragment: new Uint8Array(n), raw: new Uint8Array(0), offset: 0 });
      expectDrop(res, 'bad-record-mac');
    }
  }
});

test('DtlsRecordReader: epoch 0, then install: the previous epoch stays readable, the next is future-epoch, others unknown-epoch', () => {
  const k1 = keysFor(GCM128);
  const k2 = keysFor(GCM128);
  const w0 = new DtlsEpochWriter(0, DTLS12);
  const w1 = new DtlsEpochWriter(1, DTLS12, dtlsProtector(GCM128, DTLS12, k1));
  const w2 = new DtlsEpochWriter(2, DTLS12, dtlsProtector(GCM128, DTLS12, k2));
  const rd = new DtlsRecordReader();
  assert.equal(rd.epoch, 0);
  const e0 = w0.seal(CT.handshake, new Uint8Array([1]));
  const e1 = w1.seal(CT.handshake, new Uint8Array([2]));
  const e2 = w2.seal(CT.application_data, new Uint8Array([3]));
  expectOk(rd.open(one(e0)));
  expectDrop(rd.open(one(e1)), 'future-epoch');
  expectDrop(rd.open(one(e2)), 'unknown-epoch');
  rd.install(dtlsProtector(GCM128, DTLS12, k1));
  assert.equal(rd.epoch, 1);
  expectOk(rd.open(one(e1)));
  const late0 = w0.seal(CT.handshake, new Uint8Array([4]));
  assert.equal(expectOk(rd.open(one(late0))).epoch, 0, 'a retransmitted epoch-0 record is still read (RFC 6347 section 4.1)');
  expectDrop(rd.open(one(e2)), 'future-epoch');
  rd.dropPrevious();
  expectDrop(rd.open(one(w0.seal(CT.handshake, new Uint8Array([5])))), 'unknown-epoch');
  // a datagram mixing epochs, a replay and a malformed tail
  const dg = Buffer.concat([w1.seal(CT.application_data, new Uint8Array([6])), e1, e2, new Uint8Array([22, 0xfe])]);
  const out = rd.openDatagram(dg);
  assert.deepEqual(out.results.map((x) => (x.ok ? 'ok' : x.reason)), ['ok', 'replayed', 'future-epoch']);
  assert.equal(out.drop?.reason, 'truncated-header');
  // ChangeCipherSpec and the next epoch's Finished in one datagram (as OpenSSL sends them): keys installed in the
  // callback apply to the records after it
  const cw0 = new DtlsEpochWriter(0, DTLS12);
  const k3 = keysFor(CHACHA);
  const cw1 = new DtlsEpochWriter(1, DTLS12, dtlsProtector(CHACHA, DTLS12, k3));
  const flight = Buffer.concat([cw0.seal(CT.handshake, new Uint8Array([16])), cw0.seal(CT.change_cipher_spec, new Uint8Array([1])), cw1.seal(CT.handshake, new Uint8Array([20]))]);
  const fresh = new DtlsRecordReader();
  assert.deepEqual(fresh.openDatagram(flight).results.map((x) => (x.ok ? 'ok' : x.reason)), ['ok', 'ok', 'future-epoch'], 'without the callback the keys come too late');
  const rd2 = new DtlsRecordReader();
  const seen: string[] = [];
  rd2.openDatagram(flight, (x) => {
    seen.push(x.ok ? `${x.type}@${x.epoch}` : x.reason);
    if (x.ok && x.type === CT.change_cipher_spec) rd2.install(dtlsProtector(CHACHA, DTLS12, k3));
  });
  assert.deepEqual(seen, ['22@0', '20@0', '22@1']);
  // garbage datagrams never throw
  const rand = rng(99);
  for (let i = 0; i < 500; i++) {
    const g = Uint8Array.from({ length: 13 + Math.floor(rand() * 80) }, () => Math.floor(rand() * 256));
    g[0] = 23; g[1] = 0xfe; g[2] = 0xfd; g[3] = 0; g[4] = Math.floor(rand() * 3);
    const len = g.length - 13;
    g[11] = len >> 8; g[12] = len & 0xff;
    const res = rd.openDatagram(g);
    assert.equal(res.results.length, 1);
    assert.equal(res.results[0]!.ok, false);
  }
});

test('DtlsEpochWriter: per-epoch counters, skipTo only forward, sequence exhaustion is internal_error; caller bugs are RangeErrors', () => {
  const w = new DtlsEpochWriter(0, DTLS10);
  assert.equal(w.overhead, 13);
  assert.equal(one(w.seal(CT.handshake, new Uint8Array(1))).seq, 0);
  assert.equal(one(w.seal(CT.handshake, new Uint8Array(1))).seq, 1);
  w.skipTo(7);
  assert.equal(one(w.seal(CT.handshake, new Uint8Array(1))).seq, 7);
  assert.throws(() => w.skipTo(7), /never reused/);
  assert.throws(() => w.skipTo(3), /never reused/);
  w.skipTo(MAX_DTLS_SEQ);
  assert.equal(one(w.seal(CT.handshake, new Uint8Array(1))).seq, MAX_DTLS_SEQ);
  assert.throws(() => w.seal(CT.handshake, new Uint8Array(1)), (e: unknown) => e instanceof ProtocolError && e.alert === 'internal_error');
  assert.throws(() => new DtlsEpochWriter(0, DTLS12).seal(CT.application_data, new Uint8Array((1 << 14) + 1)), RangeError);
  assert.throws(() => new DtlsEpochWriter(0x10000, DTLS12), RangeError);
  assert.throws(() => new DtlsEpochWriter(1, 0x0303), RangeError);
  const k = keysFor(GCM128);
  assert.throws(() => new DtlsEpochWriter(1, DTLS10, dtlsProtector(GCM128, DTLS12, k)), /recordVersion/);
  const tls = new Tls12Protector({ provider: P, suite: GCM128, version: TLS12, ...k });
  assert.throws(() => new DtlsEpochWriter(1, DTLS12, tls), /dtls: true/);
  assert.throws(() => new DtlsEpochReader(1, tls), /dtls: true/);
  assert.equal(new DtlsEpochWriter(1, DTLS12, dtlsProtector(GCM128, DTLS12, k)).overhead, 13 + 8 + 16);
});

test('Tls12Protector DTLS mode: seal/open refused, TLS protectors refuse sealDtls/openDtls, DTLS needs TLS 1.1+ and a 0xfeXX record version', () => {
  const k = keysFor(AES128_SHA);
  const d = dtlsProtector(AES128_SHA, DTLS12, k);
  assert.equal(d.dtls, true);
  assert.equal(d.headerLen, 13);
  assert.equal(d.explicitNonceLen, 16);
  assert.throws(() => d.seal(CT.application_data, new Uint8Array(1)), /sealDtls/);
  assert.throws(() => d.open({ type: 23, version: DTLS12, fragment: new Uint8Array(64), raw: new Uint8Array(0) }), /openDtls/);
  const t = new Tls12Protector({ provider: P, suite: AES128_SHA, version: TLS12, ...k });
  assert.equal(t.dtls, false);
  assert.equal(t.headerLen, 5);
  assert.throws(() => t.sealDtls(CT.application_data, new Uint8Array(1), 1, 0), /not made for DTLS/);
  assert.throws(() => t.openDtls({ type: 23, version: DTLS12, epoch: 1, seq: 0, fragment: new Uint8Array(64) }), /not made for DTLS/);
  assert.throws(() => new Tls12Protector({ provider: P, suite: AES128_SHA, version: TLS10, recordVersion: DTLS10, dtls: true, ...k }), /TLS 1.1/);
  assert.throws(() => new Tls12Protector({ provider: P, suite: AES128_SHA, version: TLS12, dtls: true, ...k }), /recordVersion/);
  assert.throws(() => d.sealDtls(CT.application_data, new Uint8Array(1), 0x10000, 0), /uint16/);
  assert.throws(() => d.sealDtls(CT.application_data, new Uint8Array(1), 1, MAX_DTLS_SEQ + 1), /uint48/);
  assert.throws(() => d.sealDtls(CT.application_data, new Uint8Array((1 << 14) + 1), 1, 0), RangeError);
  // the drop's detail names epoch/seq as the header shows them
  const r = new DtlsEpochReader(4, dtlsProtector(AES128_SHA, DTLS12, k));
  const res = r.open({ type: 23, version: DTLS12, epoch: 4, seq: 9, length: 64, fragment: new Uint8Array(64), raw: new Uint8Array(0), offset: 0 });
  assert.ok(!res.ok && /record 4\/9 /.test(res.detail), !res.ok ? res.detail : '');
});
