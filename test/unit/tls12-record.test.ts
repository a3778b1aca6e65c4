// Record protection of SSL 3.0 and TLS 1.0-1.2 (engine/record/protect12.ts) and the provider's CBC ciphers.
// Every layout is proven by a second implementation built here by hand from the RFCs over node:crypto (OpenSSL):
// GCM, CCM, CCM_8 and ChaCha20-Poly1305 records (nonce, AAD and explicit nonce placement), CBC MAC-then-encrypt
// with explicit and chained IVs, encrypt-then-MAC, the SSL 3.0 MAC and padding, NULL with a MAC. Then round trips
// for every mode and version, tampering with every byte, bad padding, length limits and the 1/n-1 split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { nobleProvider } from '../../engine/crypto/noble';
import type { BlockCipherName, CryptoProvider } from '../../engine/crypto/provider';
import { ProtocolError } from '../../engine/conn/errors';
import { SSL3, TLS10, TLS11, TLS12, deriveKeyBlock, masterSecret } from '../../engine/handshake/tls12/prf';
import { MAX_CIPHERTEXT, MAX_PLAINTEXT, Tls12Protector } from '../../engine/record/protect12';
import { CT, RecordFramer, type RecordIn } from '../../engine/record/framer';
import { suiteByCode, type CipherSuite } from '../../engine/registry/suites';
import { toHex } from '../../engine/util/hex';

const P = nobleProvider();
const str = (u: Uint8Array): string => Buffer.from(u).toString();
const suite = (code: number): CipherSuite => {
  const s = suiteByCode(code);
  if (!s) throw new Error(`no suite 0x${code.toString(16)}`);
  return s;
};

const AES128_SHA = suite(0x002f);
const AES256_SHA = suite(0x0035);
const DES3_SHA = suite(0x000a);
const NULL_SHA = suite(0x0002);
const NULL_MD5 = suite(0x0001);
const NULL_SHA256 = suite(0x003b);
const AES128_SHA256 = suite(0x003c);
const AES256_SHA384 = suite(0xc028);
const GCM128 = suite(0xc02f);
const GCM256 = suite(0xc030);
const CCM128 = suite(0xc09c);
const CCM256 = suite(0xc09d);
const CCM8_128 = suite(0xc0a0);
const CCM8_256 = suite(0xc0a1);
const CHACHA = suite(0xcca8);
const RC4_SHA = suite(0x0005);

const VNAME: Record<number, string> = { [SSL3]: 'SSL 3.0', [TLS10]: 'TLS 1.0', [TLS11]: 'TLS 1.1', [TLS12]: 'TLS 1.2' };

interface Keys {
  macKey: Uint8Array;
  key: Uint8Array;
  iv: Uint8Array;
}

function keysFor(s: CipherSuite): Keys {
  return { macKey: randomBytes(s.macLen), key: randomBytes(s.cipher.keyLen), iv: randomBytes(s.cipher.ivLen) };
}

function protector(s: CipherSuite, version: number, k: Keys, extra: { encryptThenMac?: boolean; provider?: CryptoProvider; recordVersion?: number } = {}): Tls12Protector {
  const { provider = P, ...rest } = extra;
  return new Tls12Protector({ provider, suite: s, version, macKey: k.macKey, key: k.key, iv: k.iv, ...rest });
}

/** Splits bytes into records as the connection would. */
function frame(bytes: Uint8Array): RecordIn[] {
  const f = new RecordFramer(MAX_CIPHERTEXT);
  f.push(bytes);
  const out: RecordIn[] = [];
  for (let r = f.next(); r; r = f.next()) out.push(r);
  assert.equal(f.pendingBytes, 0, 'whole records');
  return out;
}

const one = (bytes: Uint8Array): RecordIn => {
  const r = frame(bytes);
  assert.equal(r.length, 1);
  return r[0]!;
};

function throwsAlert(fn: () => unknown, alert: string, what: string, re?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProtocolError, `${what}: a ProtocolError, got ${String(e)}`);
    assert.equal(e.alert, alert, `${what}: alert (${e.message})`);
    if (re) assert.match(e.message, re, what);
    return true;
  }, what);
}

// ---- by hand, from the RFCs, over node:crypto -------------------------------------------------------------------

const u64 = (n: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
const hdr = (type: number, version: number, len: number): Buffer => Buffer.from([type, version >> 8, version & 0xff, len >> 8, len & 0xff]);
const NODE_CBC: Record<string, string> = { 'AES-128-CBC': 'aes-128-cbc', 'AES-256-CBC': 'aes-256-cbc', '3DES-EDE-CBC': 'des-ede3-cbc' };
const NODE_HASH: Record<string, string> = { MD5: 'md5', SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384' };

function nodeCbc(cipher: string, key: Uint8Array, iv: Uint8Array, data: Uint8Array, decrypt = false): Buffer {
  const c = decrypt ? createDecipheriv(NODE_CBC[cipher]!, key, iv) : createCipheriv(NODE_CBC[cipher]!, key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/** RFC 5246 section 6.2.3.1: HMAC(MAC_write_key, seq_num + type + version + length + fragment). */
const tlsMac = (s: CipherSuite, macKey: Uint8Array, seq: number, type: number, version: number, data: Uint8Array): Buffer =>
  createHmac(NODE_HASH[s.mac]!, macKey).update(u64(seq)).update(hdr(type, version, data.length)).update(data).digest();

/** RFC 6101 section 5.2.3.1: hash(secret + pad_2 + hash(secret + pad_1 + seq_num + type + length + fragment)). */
function ssl3Mac(s: CipherSuite, macKey: Uint8Array, seq: number, type: number, data: Uint8Array): Buffer {
  const alg = NODE_HASH[s.mac]!;
  const n = alg === 'md5' ? 48 : 40;
  const len = Buffer.from([data.length >> 8, data.length & 0xff]);
  const inner = createHash(alg).update(macKey).update(Buffer.alloc(n, 0x36)).update(u64(seq)).update(Buffer.from([type])).update(len).update(data).digest();
  return createHash(alg).update(macKey).update(Buffer.alloc(n, 0x5c)).update(inner).digest();
}

/** Minimal TLS padding: padding_length + 1 bytes, each holding padding_length. */
const minimalPad = (n: number, bl: number): Buffer => {
  const padLen = bl - 1 - (n % bl);
  return Buffer.alloc(padLen + 1, padLen);
};

/** A MAC-then-encrypt CBC record (RFC 5246 section 6.2.3.2, RFC 6101 section 5.2.3.2), padding as given. */
function handCbc(o: { s: CipherSuite; version: number; k: Keys; seq: number; type: number; content: Uint8Array; iv: Uint8Array; explicitIv: boolean; pad?: Buffer; badMac?: boolean }): Buffer {
  const mac = o.version === SSL3 ? ssl3Mac(o.s, o.k.macKey, o.seq, o.type, o.content) : tlsMac(o.s, o.k.macKey, o.seq, o.type, o.version, o.content);
  if (o.badMac) mac[0]! ^= 1;
  const body = Buffer.concat([o.content, mac]);
  const plain = Buffer.concat([body, o.pad ?? minimalPad(body.length, o.iv.length)]);
  const ct = nodeCbc(o.s.cipher.name, o.k.key, o.iv, plain);
  const frag = o.explicitIv ? Buffer.concat([o.iv, ct]) : ct;
  return Buffer.concat([hdr(o.type, o.version, frag.length), frag]);
}

/** A provider whose random() hands out the given values in order (explicit CBC IVs). */
function scriptedIvs(ivs: Uint8Array[]): CryptoProvider {
  const queue = [...ivs];
  return nobleProvider({
    random: (n) => {
      const v = queue.shift();
      if (!v || v.length !== n) throw new Error('scripted randomness exhausted or of the wrong length');
      return v;
    },
  });
}

// ---- the provider's block ciphers -------------------------------------------------------------------------------

test('blockCipher: AES-128/256-CBC and 3DES-EDE-CBC without padding equal node:crypto; partial blocks are refused', () => {
  for (const name of ['AES-128-CBC', 'AES-256-CBC', '3DES-EDE-CBC'] as BlockCipherName[]) {
    const bc = P.blockCipher(name);
    assert.deepEqual([bc.name, bc.keyLen, bc.blockLen], [name, name === 'AES-128-CBC' ? 16 : name === 'AES-256-CBC' ? 32 : 24, name === '3DES-EDE-CBC' ? 8 : 16]);
    for (const blocks of [0, 1, 2, 7, 64]) {
      const key = randomBytes(bc.keyLen), iv = randomBytes(bc.blockLen), data = randomBytes(blocks * bc.blockLen);
      const k = bc.init(key);
      const ct = k.encrypt(iv, data);
      assert.equal(toHex(ct), nodeCbc(name, key, iv, data).toString('hex'), `${name} ${blocks} blocks`);
      assert.equal(toHex(k.decrypt(iv, ct)), data.toString('hex'));
    }
    const k = bc.init(randomBytes(bc.keyLen));
    assert.throws(() => k.encrypt(randomBytes(bc.blockLen), randomBytes(bc.blockLen + 1)), /whole/);
    assert.throws(() => k.decrypt(randomBytes(bc.blockLen), randomBytes(3)), /whole/);
    assert.throws(() => k.encrypt(randomBytes(bc.blockLen - 1), randomBytes(bc.blockLen)), /IV/);
    assert.throws(() => bc.init(randomBytes(bc.keyLen + 1)), /key/);
  }
});

// ---- known answers: AEAD --------------------------------------------------------------------------------------

test('GCM: record = header || seq(8) || ciphertext || tag, equal to node:crypto aes-*-gcm with salt || seq and the RFC 5246 AAD', () => {
  for (const s of [GCM128, GCM256]) {
    const k = keysFor(s);
    const tx = protector(s, TLS12, k);
    const nodeName = s.cipher.keyLen === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
    for (let seq = 0; seq < 4; seq++) {
      const content = randomBytes(17 + seq * 50);
      const type = seq === 0 ? CT.handshake : CT.application_data;
      const rec = tx.seal(type, content);
      // RFC 5288 section 3: nonce = salt(4, client_write_IV) || nonce_explicit(8); here nonce_explicit = seq
      const c = createCipheriv(nodeName as 'aes-128-gcm', k.key, Buffer.concat([k.iv, u64(seq)]));
      c.setAAD(Buffer.concat([u64(seq), hdr(type, TLS12, content.length)])); // RFC 5246 section 6.2.3.3
      const ct = Buffer.concat([c.update(content), c.final(), c.getAuthTag()]);
      assert.equal(toHex(rec), Buffer.concat([hdr(type, TLS12, 8 + ct.length), u64(seq), ct]).toString('hex'), `${s.openssl} record ${seq}`);
      assert.equal(toHex(rec.subarray(5, 13)), toHex(u64(seq)), 'the explicit nonce is the sequence number, first in the fragment');
    }
    assert.equal(tx.explicitNonceLen, 8);
    assert.equal(tx.overhead, 24);
  }
});

test('CCM and CCM_8: records equal node:crypto aes-*-ccm (16- and 8-byte tags) with the RFC 6655 nonce', () => {
  for (const s of [CCM128, CCM256, CCM8_128, CCM8_256]) {
    const k = keysFor(s);
    const tx = protector(s, TLS12, k);
    const tagLen = s.cipher.tagLen;
    const nodeName = (s.cipher.keyLen === 16 ? 'aes-128-ccm' : 'aes-256-ccm') as 'aes-128-ccm';
    for (let seq = 0; seq < 3; seq++) {
      const content = randomBytes(1 + seq * 33); // node:crypto's CCM fails on empty input ('tag not set'); round trips cover 0
      const rec = tx.seal(CT.application_data, content);
      const c = createCipheriv(nodeName, k.key, Buffer.concat([k.iv, u64(seq)]), { authTagLength: tagLen });
      c.setAAD(Buffer.concat([u64(seq), hdr(CT.application_data, TLS12, content.length)]), { plaintextLength: content.length });
      const ct = Buffer.concat([c.update(content), c.final(), c.getAuthTag()]);
      assert.equal(toHex(rec), Buffer.concat([hdr(CT.application_data, TLS12, 8 + ct.length), u64(seq), ct]).toString('hex'), `${s.openssl} record ${seq}`);
    }
    assert.equal(tx.overhead, 8 + tagLen);
  }
});

test('ChaCha20-Poly1305: nonce = IV xor (0^4 || seq), no explicit nonce; records equal node:crypto chacha20-poly1305', () => {
  const k = keysFor(CHACHA);
  assert.equal(k.iv.length, 12);
  const tx = protector(CHACHA, TLS12, k);
  assert.equal(tx.explicitNonceLen, 0);
  assert.equal(tx.overhead, 16);
  for (let seq = 0; seq < 5; seq++) {
    const content = randomBytes(10 + seq);
    const rec = tx.seal(CT.application_data, content);
    // RFC 7905 section 2: the 64-bit sequence number, left-padded with zeros to 96 bits, xor the IV
    const nonce = Buffer.from(k.iv);
    const padded = Buffer.concat([Buffer.alloc(4), u64(seq)]);
    for (let i = 0; i < 12; i++) nonce[i]! ^= padded[i]!;
    const c = createCipheriv('chacha20-poly1305', k.key, nonce, { authTagLength: 16 });
    c.setAAD(Buffer.concat([u64(seq), hdr(CT.application_data, TLS12, content.length)]), { plaintextLength: content.length });
    const ct = Buffer.concat([c.update(content), c.final(), c.getAuthTag()]);
    assert.equal(toHex(rec), Buffer.concat([hdr(CT.application_data, TLS12, ct.length), ct]).toString('hex'), `record ${seq}`);
  }
});

// ---- known answers: CBC, NULL, SSL 3.0 ----------------------------------------------------------------------------

test('CBC TLS 1.1/1.2: explicit random IV || E(content || HMAC || padding), equal to node:crypto aes-128-cbc + createHmac', () => {
  for (const [s, version] of [[AES128_SHA, TLS12], [AES128_SHA, TLS11], [AES256_SHA384, TLS12], [DES3_SHA, TLS12]] as const) {
    const k = keysFor(s);
    const bl = s.cipher.ivLen;
    const ivs = [randomBytes(bl), randomBytes(bl), randomBytes(bl)];
    const tx = protector(s, version, k, { provider: scriptedIvs(ivs) });
    for (let seq = 0; seq < 3; seq++) {
      const content = randomBytes([0, 15, 100][seq]!);
      const rec = tx.seal(CT.application_data, content);
      const want = handCbc({ s, version, k, seq, type: CT.application_data, content, iv: ivs[seq]!, explicitIv: true });
      assert.equal(toHex(rec), want.toString('hex'), `${s.openssl} ${VNAME[version]} record ${seq}`);
      assert.equal(rec.length, tx.sealedLength(content.length));
    }
    assert.equal(tx.explicitNonceLen, bl);
  }
});

test('CBC TLS 1.0 and SSL 3.0: the IV chains from the key-block IV through each record\'s last ciphertext block', () => {
  for (const version of [TLS10, SSL3]) {
    const k = keysFor(AES128_SHA);
    const tx = protector(AES128_SHA, version, k);
    const rx = protector(AES128_SHA, version, k);
    assert.equal(tx.explicitNonceLen, 0);
    let iv: Uint8Array = k.iv;
    const recs: Uint8Array[] = [];
    for (let seq = 0; seq < 4; seq++) {
      const content = randomBytes(20 + 13 * seq);
      const rec = tx.seal(CT.application_data, content);
      const want = handCbc({ s: AES128_SHA, version, k, seq, type: CT.application_data, content, iv, explicitIv: false });
      assert.equal(toHex(rec), want.toString('hex'), `${VNAME[version]} record ${seq} under the chained IV`);
      iv = rec.subarray(rec.length - 16);
      recs.push(rec);
    }
    // the receiver chains the same way; a record out of order fails (wrong IV and wrong sequence number)
    assert.equal(toHex(rx.open(one(recs[0]!)).content), toHex(nodeCbc('AES-128-CBC', k.key, k.iv, recs[0]!.subarray(5), true).subarray(0, 20)));
    throwsAlert(() => rx.open(one(recs[2]!)), 'bad_record_mac', `${VNAME[version]} record 2 in place of 1`);
    const rx2 = protector(AES128_SHA, version, k);
    for (const [i, r] of recs.entries()) assert.equal(rx2.open(one(r)).seq, BigInt(i));
  }
});

test('encrypt-then-MAC (RFC 7366): IV || E(content || padding) || HMAC over seq, header with that length, IV and ciphertext', () => {
  for (const version of [TLS10, TLS11, TLS12]) {
    const s = AES128_SHA;
    const k = keysFor(s);
    const explicit = version !== TLS10;
    const ivs = [randomBytes(16), randomBytes(16)];
    const tx = protector(s, version, k, { encryptThenMac: true, provider: scriptedIvs(ivs) });
    const rx = protector(s, version, k, { encryptThenMac: true });
    let chain: Uint8Array = k.iv;
    for (let seq = 0; seq < 2; seq++) {
      const content = randomBytes(seq ? 32 : 5);
      const rec = tx.seal(CT.application_data, content);
      const iv = explicit ? ivs[seq]! : chain;
      const ct = nodeCbc('AES-128-CBC', k.key, iv, Buffer.concat([content, minimalPad(content.length, 16)]));
      const body = explicit ? Buffer.concat([iv, ct]) : ct;
      const mac = tlsMac(s, k.macKey, seq, CT.application_data, version, body);
      assert.equal(toHex(rec), Buffer.concat([hdr(CT.application_data, version, body.length + mac.length), body, mac]).toString('hex'), `${VNAME[version]} EtM record ${seq}`);
      assert.equal(rec.length, tx.sealedLength(content.length));
      assert.equal(toHex(rx.open(one(rec)).content), toHex(content));
      chain = ct.subarray(ct.length - 16);
    }
  }
});

test('SSL 3.0 MAC (pad_1/pad_2 of 48 bytes for MD5, 40 for SHA-1, no version) and NULL records with a MAC', () => {
  for (const s of [NULL_MD5, NULL_SHA]) {
    const k = keysFor(s);
    const tx = protector(s, SSL3, k);
    for (let seq = 0; seq < 3; seq++) {
      const content = randomBytes(seq * 40);
      const rec = tx.seal(CT.handshake, content);
      const mac = ssl3Mac(s, k.macKey, seq, CT.handshake, content);
      assert.equal(toHex(rec), Buffer.concat([hdr(CT.handshake, SSL3, content.length + mac.length), content, mac]).toString('hex'), `SSL 3.0 ${s.openssl} ${seq}`);
    }
  }
  for (const [s, version] of [[NULL_SHA, TLS10], [NULL_SHA256, TLS12], [NULL_MD5, TLS11]] as const) {
    const k = keysFor(s);
    const rec = protector(s, version, k).seal(CT.alert, Buffer.from([1, 0]));
    const mac = tlsMac(s, k.macKey, 0, CT.alert, version, Buffer.from([1, 0]));
    assert.equal(toHex(rec), Buffer.concat([hdr(CT.alert, version, 2 + mac.length), Buffer.from([1, 0]), mac]).toString('hex'), `${VNAME[version]} ${s.openssl}`);
  }
  // and SSL 3.0 CBC: the SSL 3.0 MAC inside, chained IV
  const k = keysFor(DES3_SHA);
  const rec = protector(DES3_SHA, SSL3, k).seal(CT.application_data, Buffer.from('ssl three'));
  assert.equal(toHex(rec), handCbc({ s: DES3_SHA, version: SSL3, k, seq: 0, type: CT.application_data, content: Buffer.from('ssl three'), iv: k.iv, explicitIv: false }).toString('hex'));
});

// ---- round trips ------------------------------------------------------------------------------------------------

interface Case {
  s: CipherSuite;
  version: number;
  etm?: boolean;
}

const CASES: Case[] = [];
for (const version of [SSL3, TLS10, TLS11, TLS12]) for (const s of [AES128_SHA, AES256_SHA, DES3_SHA, NULL_SHA, NULL_MD5]) CASES.push({ s, version });
for (const version of [TLS10, TLS11, TLS12]) for (const s of [AES128_SHA, DES3_SHA]) CASES.push({ s, version, etm: true });
for (const s of [AES128_SHA256, AES256_SHA384, NULL_SHA256, GCM128, GCM256, CCM128, CCM256, CCM8_128, CCM8_256, CHACHA]) CASES.push({ s, version: TLS12 });
CASES.push({ s: AES256_SHA384, version: TLS12, etm: true });
const label = (c: Case) => `${c.s.openssl} ${VNAME[c.version]}${c.etm ? ' EtM' : ''}`;

test('round trips: every mode and version, contents of 0..2^14 bytes, sizes as announced', () => {
  const lens = [0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 255, 1000, MAX_PLAINTEXT];
  const types = [CT.handshake, CT.application_data, CT.alert, CT.change_cipher_spec];
  for (const c of CASES) {
    const k = keysFor(c.s);
    const tx = protector(c.s, c.version, k, { encryptThenMac: c.etm });
    const rx = protector(c.s, c.version, k, { encryptThenMac: c.etm });
    const stream: Uint8Array[] = [];
    const sent: Array<{ type: number; content: Buffer }> = [];
    for (const [i, len] of lens.entries()) {
      const content = randomBytes(len);
      const type = types[i % types.length]!;
      const rec = tx.seal(type, content);
      assert.deepEqual([rec[0], (rec[1]! << 8) | rec[2]!, (rec[3]! << 8) | rec[4]!], [type, c.version, rec.length - 5], `${label(c)} header`);
      assert.equal(rec.length, tx.sealedLength(len), `${label(c)} sealedLength(${len})`);
      assert.ok(rec.length - 5 - len <= tx.overhead, `${label(c)} overhead ${rec.length - 5 - len} <= ${tx.overhead}`);
      if (c.s.cipher.name !== 'NULL' && len >= 16) assert.ok(!toHex(rec).includes(toHex(content.subarray(0, 16))), `${label(c)} encrypts`);
      stream.push(rec);
      sent.push({ type, content });
    }
    assert.equal(tx.seq, BigInt(lens.length));
    // all records in one buffer, split again by the framer, opened in order
    const recs = frame(Buffer.concat(stream));
    for (const [i, r] of recs.entries()) {
      const o = rx.open(r);
      assert.equal(o.seq, BigInt(i));
      assert.equal(o.type, sent[i]!.type);
      assert.equal(toHex(o.content), sent[i]!.content.toString('hex'), `${label(c)} record ${i}`);
    }
  }
});

test('recordVersion: the header carries it and the MAC/AAD covers it', () => {
  const k = keysFor(GCM128);
  const rec = protector(GCM128, TLS12, k, { recordVersion: 0x0301 }).seal(CT.handshake, Buffer.from('x'));
  assert.equal((rec[1]! << 8) | rec[2]!, 0x0301);
  assert.equal(toHex(protector(GCM128, TLS12, k).open(one(rec)).content), '78');
});

// ---- tampering ------------------------------------------------------------------------------------------------

test('tampering: a flipped bit anywhere in the fragment, or in the header type or version, is bad_record_mac', () => {
  const reps: Case[] = [
    { s: GCM128, version: TLS12 }, { s: CCM8_128, version: TLS12 }, { s: CHACHA, version: TLS12 },
    { s: AES128_SHA, version: TLS12 }, { s: AES128_SHA, version: TLS11 }, { s: AES128_SHA, version: TLS10 }, { s: AES128_SHA, version: SSL3 },
    { s: DES3_SHA, version: SSL3 }, { s: AES128_SHA, version: TLS12, etm: true }, { s: AES128_SHA, version: TLS10, etm: true },
    { s: NULL_SHA, version: TLS10 }, { s: NULL_MD5, version: SSL3 },
  ];
  for (const c of reps) {
    const k = keysFor(c.s);
    const rec = protector(c.s, c.version, k, { encryptThenMac: c.etm }).seal(CT.application_data, randomBytes(40));
    assert.equal(toHex(protector(c.s, c.version, k, { encryptThenMac: c.etm }).open(one(rec)).content).length, 80, 'untouched opens');
    for (let i = 5; i < rec.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = Buffer.from(rec);
        bad[i]! ^= bit;
        throwsAlert(() => protector(c.s, c.version, k, { encryptThenMac: c.etm }).open(one(bad)), 'bad_record_mac', `${label(c)} byte ${i - 5} of ${rec.length - 5} ^ ${bit}`);
      }
    }
    const badType = Buffer.from(rec);
    badType[0] = CT.handshake;
    throwsAlert(() => protector(c.s, c.version, k, { encryptThenMac: c.etm }).open(one(badType)), 'bad_record_mac', `${label(c)} type`);
    if (c.version !== SSL3) { // SSL 3.0's MAC does not cover the version (RFC 6101 section 5.2.3.1)
      const badVersion = Buffer.from(rec);
      badVersion[2]! ^= 0x03;
      throwsAlert(() => protector(c.s, c.version, k, { encryptThenMac: c.etm }).open(one(badVersion)), 'bad_record_mac', `${label(c)} version`);
    }
  }
});

test('sequence numbers are authenticated: a replayed or reordered record is bad_record_mac', () => {
  for (const c of [{ s: GCM128, version: TLS12 }, { s: CHACHA, version: TLS12 }, { s: AES128_SHA, version: TLS12 }, { s: NULL_SHA, version: TLS12 }]) {
    const k = keysFor(c.s);
    const tx = protector(c.s, c.version, k);
    const r0 = tx.seal(CT.application_data, Buffer.from('zero'));
    const r1 = tx.seal(CT.application_data, Buffer.from('one'));
    const rx = protector(c.s, c.version, k);
    throwsAlert(() => rx.open(one(r1)), 'bad_record_mac', `${label(c)} record 1 first`);
    const rx2 = protector(c.s, c.version, k);
    rx2.open(one(r0));
    throwsAlert(() => rx2.open(one(r0)), 'bad_record_mac', `${label(c)} replay`);
  }
});

// ---- padding ----------------------------------------------------------------------------------------------------

test('CBC padding, TLS: any consistent padding up to 255 is accepted; a wrong byte or an impossible length is bad_record_mac', () => {
  for (const version of [TLS10, TLS12]) {
    const s = AES128_SHA;
    const k = keysFor(s);
    const explicitIv = version !== TLS10;
    const make = (pad: Buffer, content = Buffer.from('attack at dawn!!'), badMac = false) =>
      handCbc({ s, version, k, seq: 0, type: CT.application_data, content, iv: explicitIv ? randomBytes(16) : k.iv, explicitIv, pad, badMac });
    const open = (rec: Buffer) => protector(s, version, k).open(one(rec));
    // content 16 + MAC 20 = 36 bytes: padding lengths 11, 27, ... 251 fit the block
    for (const padLen of [11, 27, 251]) assert.equal(str(open(make(Buffer.alloc(padLen + 1, padLen))).content), 'attack at dawn!!', `padding ${padLen}`);
    const wrong = Buffer.alloc(12, 11);
    wrong[3] = 10;
    throwsAlert(() => open(make(wrong)), 'bad_record_mac', `${VNAME[version]} one wrong padding byte`, /padding/);
    const wrongFar = Buffer.alloc(252, 251);
    wrongFar[0] = 0;
    throwsAlert(() => open(make(wrongFar)), 'bad_record_mac', `${VNAME[version]} a wrong byte 251 back`, /padding/);
    // a padding_length byte claiming more than the record holds (content + MAC + 11 = 48 bytes, claim 60)
    const tooLong = Buffer.alloc(12, 11);
    tooLong[11] = 60;
    throwsAlert(() => open(make(tooLong)), 'bad_record_mac', `${VNAME[version]} padding_length past the start`, /padding/);
    // good padding, bad MAC: named as a MAC failure, same alert
    throwsAlert(() => open(make(Buffer.alloc(12, 11), undefined, true)), 'bad_record_mac', `${VNAME[version]} MAC`, /MAC check/);
  }
});

test('CBC padding, SSL 3.0: only the length byte is read and must be below the block length (RFC 6101 section 5.2.3.2)', () => {
  const s = AES128_SHA;
  const k = keysFor(s);
  const content = Buffer.from('sixteen bytes!!!');
  const open = (pad: Buffer) => protector(s, SSL3, k).open(one(handCbc({ s, version: SSL3, k, seq: 0, type: CT.application_data, content, iv: k.iv, explicitIv: false, pad })));
  // 16 + 20 = 36: 11 bytes of padding then the length byte 11; the padding bytes may be anything
  const arbitrary = Buffer.concat([randomBytes(11), Buffer.from([11])]);
  assert.equal(str(open(arbitrary).content), content.toString());
  // padding_length 27 (a whole extra block) is legal in TLS but not in SSL 3.0
  throwsAlert(() => open(Buffer.alloc(28, 27)), 'bad_record_mac', 'SSL 3.0 padding of a block or more', /padding/);
});

/**
 * The noble provider, counting the compression-function calls of every hash the MAC check runs: HMAC's inner
 * hash (its ipad block plus the data), and each hash context (finished ones with their padding and length, the
 * record layer's dummy ones by whole blocks fed). The outer HMAC hash is the same size every time and not counted.
 */
function countingProvider(): { p: CryptoProvider; calls(): number } {
  const compress = (len: number, bl: number, final: boolean) => (final ? Math.floor((len + (bl === 128 ? 16 : 8)) / bl) + 1 : Math.floor(len / bl));
  let hmacCalls = 0;
  const contexts: Array<{ fed: number; final: boolean; bl: number }> = [];
  const p: CryptoProvider = {
    ...P,
    hmac: (h, key, data) => {
      hmacCalls += compress(P.hash(h).blockLen + data.length, P.hash(h).blockLen, true);
      return P.hmac(h, key, data);
    },
    hash: (name) => {
      const H = P.hash(name);
      return {
        ...H,
        create: () => {
          const rec = { fed: 0, final: false, bl: H.blockLen };
          contexts.push(rec);
          const inner = H.create();
          const ctx = {
            update(d: Uint8Array) { rec.fed += d.length; inner.update(d); return ctx; },
            digest() { rec.final = true; return inner.digest(); },
            clone() { return inner.clone(); },
          };
          return ctx;
        },
      };
    },
  };
  return { p, calls: () => hmacCalls + contexts.reduce((n, c) => n + compress(c.fed, c.bl, c.final), 0) };
}

test('Lucky Thirteen counter-measure: records of one length cost the same hash work whatever their padding, good or bad', () => {
  for (const c of [{ s: AES128_SHA, version: TLS12 }, { s: AES256_SHA384, version: TLS12 }, { s: AES128_SHA, version: SSL3 }, { s: DES3_SHA, version: TLS10 }]) {
    const k = keysFor(c.s);
    const bl = c.s.cipher.ivLen;
    const plainLen = 256; // content + MAC + padding + length byte, a whole number of blocks
    const maxPad = c.version === SSL3 ? bl - 1 : Math.min(255, plainLen - 1 - c.s.macLen);
    const costs = new Map<string, number>();
    /** Opens a record of plainLen bytes of plaintext ending in `pad` (padding and length byte) and records the cost. */
    const measure = (what: string, pad: Buffer, badMac = false) => {
      const content = randomBytes(plainLen - c.s.macLen - pad.length);
      const rec = handCbc({ s: c.s, version: c.version, k, seq: 0, type: CT.application_data, content, iv: c.version <= TLS10 ? k.iv : randomBytes(bl), explicitIv: c.version > TLS10, pad, badMac });
      const counter = countingProvider();
      try {
        protector(c.s, c.version, k, { provider: counter.p }).open(one(rec));
        assert.ok(!badMac, `${label(c)} ${what} opened`);
      } catch (e) {
        assert.ok(e instanceof ProtocolError && e.alert === 'bad_record_mac', `${label(c)} ${what}: ${String(e)}`);
      }
      costs.set(what, counter.calls());
    };
    for (let padLen = 0; padLen <= maxPad; padLen += c.version === SSL3 ? 1 : 13) {
      measure(`padding ${padLen}`, Buffer.alloc(padLen + 1, padLen));
      measure(`padding ${padLen}, bad MAC`, Buffer.alloc(padLen + 1, padLen), true);
    }
    if (c.version !== SSL3) {
      const wrongByte = Buffer.alloc(20, 19);
      wrongByte[5] = 0;
      measure('a wrong padding byte', wrongByte);
    }
    measure('padding_length past the limit', Buffer.from([c.version === SSL3 ? bl : 255]));
    assert.ok(costs.size >= 4, `${label(c)}: ${costs.size} cases`);
    assert.equal(new Set(costs.values()).size, 1, `${label(c)}: compression calls per case ${JSON.stringify(Object.fromEntries(costs))}`);
  }
});

// ---- malformed and oversized records ---------------------------------------------------------------------------

test('malformed protected records are bad_record_mac: wrong CBC lengths, too short for IV + MAC, tag or MAC', () => {
  const raw = (type: number, version: number, frag: Uint8Array): RecordIn => ({ type, version, fragment: frag, raw: Buffer.concat([hdr(type, version, frag.length), frag]) });
  const checks: Array<[Case, number[]]> = [
    [{ s: AES128_SHA, version: TLS12 }, [0, 15, 16, 31, 32, 33, 47, 50]], // IV + ceil((20+1)/16)*16 = 48 minimum
    [{ s: AES128_SHA, version: TLS10 }, [0, 16, 17, 31, 40]], // 32 minimum, whole blocks
    [{ s: DES3_SHA, version: SSL3 }, [0, 8, 16, 20]], // 24 minimum
    [{ s: AES128_SHA, version: TLS12, etm: true }, [0, 20, 36, 51, 53]], // IV + block + MAC = 52
    [{ s: GCM128, version: TLS12 }, [0, 8, 23]], // 8 + 16
    [{ s: CCM8_128, version: TLS12 }, [0, 15]],
    [{ s: CHACHA, version: TLS12 }, [0, 15]],
    [{ s: NULL_SHA, version: TLS12 }, [0, 19]],
  ];
  for (const [c, lens] of checks) {
    for (const n of lens) {
      throwsAlert(() => protector(c.s, c.version, keysFor(c.s), { encryptThenMac: c.etm }).open(raw(CT.application_data, c.version, randomBytes(n))), 'bad_record_mac', `${label(c)} ${n}-byte fragment`);
    }
  }
});

test('record_overflow: a fragment over 2^14+2048 bytes, or authenticated content over 2^14; seal refuses over 2^14', () => {
  const big = (c: Case, n: number): RecordIn => {
    const frag = randomBytes(n);
    return { type: CT.application_data, version: c.version, fragment: frag, raw: Buffer.concat([hdr(CT.application_data, c.version, n), frag]) };
  };
  for (const c of [{ s: GCM128, version: TLS12 }, { s: AES128_SHA, version: TLS10 }, { s: NULL_SHA, version: SSL3 }, { s: CHACHA, version: TLS12 }]) {
    throwsAlert(() => protector(c.s, c.version, keysFor(c.s)).open(big(c, MAX_CIPHERTEXT + 1)), 'record_overflow', `${label(c)} 2^14+2049`);
    // exactly at the limit it is looked at, and fails authentication
    throwsAlert(() => protector(c.s, c.version, keysFor(c.s)).open(big(c, MAX_CIPHERTEXT)), 'bad_record_mac', `${label(c)} 2^14+2048 of junk`);
    assert.throws(() => protector(c.s, c.version, keysFor(c.s)).seal(CT.application_data, new Uint8Array(MAX_PLAINTEXT + 1)), RangeError);
  }
  const content = randomBytes(MAX_PLAINTEXT + 1);
  // GCM, built by hand so the oversized content authenticates
  {
    const k = keysFor(GCM128);
    const c = createCipheriv('aes-128-gcm', k.key, Buffer.concat([k.iv, u64(0)]));
    c.setAAD(Buffer.concat([u64(0), hdr(CT.application_data, TLS12, content.length)]));
    const frag = Buffer.concat([u64(0), c.update(content), c.final(), c.getAuthTag()]);
    throwsAlert(() => protector(GCM128, TLS12, k).open(one(Buffer.concat([hdr(CT.application_data, TLS12, frag.length), frag]))), 'record_overflow', 'GCM content 2^14+1', /over 2\^14/);
  }
  // CBC (MAC-then-encrypt) and NULL
  {
    const k = keysFor(AES128_SHA);
    const rec = handCbc({ s: AES128_SHA, version: TLS12, k, seq: 0, type: CT.application_data, content, iv: randomBytes(16), explicitIv: true });
    throwsAlert(() => protector(AES128_SHA, TLS12, k).open(one(rec)), 'record_overflow', 'CBC content 2^14+1');
    const kn = keysFor(NULL_SHA);
    const mac = tlsMac(NULL_SHA, kn.macKey, 0, CT.application_data, TLS11, content);
    throwsAlert(() => protector(NULL_SHA, TLS11, kn).open(one(Buffer.concat([hdr(CT.application_data, TLS11, content.length + 20), content, mac]))), 'record_overflow', 'NULL content 2^14+1');
  }
  // exactly 2^14 opens
  const k = keysFor(AES256_SHA384);
  const tx = protector(AES256_SHA384, TLS12, k);
  assert.equal(protector(AES256_SHA384, TLS12, k).open(one(tx.seal(CT.application_data, new Uint8Array(MAX_PLAINTEXT)))).content.length, MAX_PLAINTEXT);
});

// ---- 1/n-1 splitting --------------------------------------------------------------------------------------------

test('1/n-1 split: application data in TLS 1.0/SSL 3.0 CBC goes out as 1 byte then the rest; nothing else is split', () => {
  const msg = Buffer.from('GET / HTTP/1.1\r\n\r\n');
  for (const version of [TLS10, SSL3]) {
    const k = keysFor(AES128_SHA);
    const tx = protector(AES128_SHA, version, k);
    const rx = protector(AES128_SHA, version, k);
    const bytes = tx.seal(CT.application_data, msg, { splitFirstByte: true });
    const recs = frame(bytes);
    assert.equal(recs.length, 2, VNAME[version]);
    assert.equal(str(rx.open(recs[0]!).content), 'G');
    assert.equal(str(rx.open(recs[1]!).content), msg.subarray(1).toString());
    assert.equal(tx.seq, 2n);
    // the IV chain runs through both records: the next record still opens
    assert.equal(str(rx.open(one(tx.seal(CT.application_data, msg, { splitFirstByte: false }))).content), msg.toString());
    // not split: handshake records, one-byte data, and by default
    assert.equal(frame(tx.seal(CT.handshake, msg, { splitFirstByte: true })).length, 1);
    assert.equal(frame(tx.seal(CT.application_data, Buffer.from('x'), { splitFirstByte: true })).length, 1);
    assert.equal(frame(tx.seal(CT.application_data, msg)).length, 1);
  }
  for (const c of [{ s: AES128_SHA, version: TLS11 }, { s: GCM128, version: TLS12 }, { s: NULL_SHA, version: TLS10 }, { s: AES128_SHA, version: TLS10, etm: true }]) {
    const bytes = protector(c.s, c.version, keysFor(c.s), { encryptThenMac: c.etm }).seal(CT.application_data, msg, { splitFirstByte: true });
    assert.equal(frame(bytes).length, c.version === TLS10 && c.s === AES128_SHA ? 2 : 1, label(c));
  }
});

// ---- construction ---------------------------------------------------------------------------------------------

test('construction: from a derived key block; refusals for RC4, EtM outside CBC or in SSL 3.0, suites out of version, bad key sizes', () => {
  const cr = randomBytes(32), sr = randomBytes(32);
  for (const c of [{ s: GCM256, version: TLS12 }, { s: AES128_SHA, version: TLS10 }, { s: DES3_SHA, version: SSL3 }]) {
    const ms = masterSecret(P, c.version, c.s, randomBytes(48), cr, sr);
    const kb = deriveKeyBlock(P, c.version, c.s, ms, cr, sr);
    const clientWrite = Tls12Protector.fromKeyBlock(P, c.s, c.version, kb, 'client');
    const serverRead = Tls12Protector.fromKeyBlock(P, c.s, c.version, kb, 'client');
    const serverWrite = Tls12Protector.fromKeyBlock(P, c.s, c.version, kb, 'server');
    const rec = clientWrite.seal(CT.handshake, Buffer.from('Finished'));
    assert.equal(str(serverRead.open(one(rec)).content), 'Finished');
    throwsAlert(() => Tls12Protector.fromKeyBlock(P, c.s, c.version, kb, 'server').open(one(rec)), 'bad_record_mac', `${label(c)} the other direction's keys`);
    assert.equal(Tls12Protector.fromKeyBlock(P, c.s, c.version, kb, 'server').open(one(serverWrite.seal(CT.alert, Buffer.from([1, 0])))).type, CT.alert);
  }
  assert.throws(() => protector(RC4_SHA, TLS12, keysFor(RC4_SHA)), /RC4/);
  assert.throws(() => protector(GCM128, TLS12, keysFor(GCM128), { encryptThenMac: true }), /RFC 7366/);
  assert.throws(() => protector(AES128_SHA, SSL3, keysFor(AES128_SHA), { encryptThenMac: true }), /RFC 7366/);
  assert.throws(() => protector(GCM128, TLS11, keysFor(GCM128)), /cannot protect/);
  assert.throws(() => protector(suite(0x1301), 0x0304, keysFor(suite(0x1301))), /cannot protect/);
  assert.throws(() => protector(AES128_SHA, TLS12, { ...keysFor(AES128_SHA), macKey: randomBytes(19) }), /MAC key/);
  assert.throws(() => protector(AES128_SHA, TLS12, { ...keysFor(AES128_SHA), key: randomBytes(32) }), /key/);
  assert.throws(() => protector(AES128_SHA, TLS10, { ...keysFor(AES128_SHA), iv: new Uint8Array(0) }), /IV/, 'TLS 1.0 needs the key-block IV');
  assert.ok(protector(AES128_SHA, TLS12, { ...keysFor(AES128_SHA), iv: new Uint8Array(0) }), 'TLS 1.1+ does without it');
  assert.throws(() => protector(CHACHA, TLS12, { ...keysFor(CHACHA), iv: randomBytes(4) }), /implicit IV/);
});
