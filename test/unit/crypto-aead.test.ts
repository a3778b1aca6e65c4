// AEADs of the noble provider: RFC 8439 section 2.8.2 (ChaCha20-Poly1305), the GCM specification's test cases
// (McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 2, 3, 4 and 16), AES-CCM per RFC 3610
// section 8 (packet vectors 1 and 2) and NIST SP 800-38C Appendix C (examples 1 and 3), then 200 random
// cross-checks per AEAD against node:crypto (OpenSSL), tag failures included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes, randomInt } from 'node:crypto';
import { aesCcm, nobleProvider } from '../../engine/crypto/noble';
import type { AeadName } from '../../engine/crypto/provider';
import { fromHex, toHex } from '../../engine/util/hex';

const P = nobleProvider();
const ascii = (s: string) => new TextEncoder().encode(s);

test('ChaCha20-Poly1305: RFC 8439 section 2.8.2 AEAD test vector', () => {
  const key = fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
  const nonce = fromHex('07000000' + '4041424344454647'); // constant || IV
  const aad = fromHex('50515253c0c1c2c3c4c5c6c7');
  const pt = ascii("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
  const ct =
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b' +
    '1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
    '3ff4def08e4b7a9de576d26586cec64b6116';
  const tag = '1ae10b594f09e26a7e902ecbd0600691';
  const k = P.aead('CHACHA20-POLY1305').init(key);
  assert.equal(toHex(k.seal(nonce, aad, pt)), ct + tag);
  assert.deepEqual(k.open(nonce, aad, fromHex(ct + tag)), pt);
  assert.equal(k.open(nonce, fromHex('50515253c0c1c2c3c4c5c6c8'), fromHex(ct + tag)), null, 'changed AAD fails');
});

// The GCM specification, Appendix B.
const GCM_P = 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const GCM_VECTORS: Array<{ tc: number; name: AeadName; key: string; iv: string; pt: string; aad: string; ct: string; tag: string }> = [
  { tc: 2, name: 'AES-128-GCM', key: '00'.repeat(16), iv: '00'.repeat(12), pt: '00'.repeat(16), aad: '',
    ct: '0388dace60b6a392f328c2b971b2fe78', tag: 'ab6e47d42cec13bdf53a67b21257bddf' },
  { tc: 3, name: 'AES-128-GCM', key: 'feffe9928665731c6d6a8f9467308308', iv: 'cafebabefacedbaddecaf888', pt: GCM_P, aad: '',
    ct: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985',
    tag: '4d5c2af327cd64a62cf35abd2ba6fab4' },
  { tc: 4, name: 'AES-128-GCM', key: 'feffe9928665731c6d6a8f9467308308', iv: 'cafebabefacedbaddecaf888', pt: GCM_P.slice(0, 120),
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    ct: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091',
    tag: '5bc94fbc3221a5db94fae95ae7121a47' },
  { tc: 16, name: 'AES-256-GCM', key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308', iv: 'cafebabefacedbaddecaf888',
    pt: GCM_P.slice(0, 120), aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    ct: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    tag: '76fc6ece0f4e1768cddf8853bb2d551b' },
];

test('AES-GCM: GCM specification test cases 2, 3, 4 (AES-128) and 16 (AES-256)', () => {
  for (const v of GCM_VECTORS) {
    const k = P.aead(v.name).init(fromHex(v.key));
    assert.equal(toHex(k.seal(fromHex(v.iv), fromHex(v.aad), fromHex(v.pt))), v.ct + v.tag, `test case ${v.tc}`);
    assert.equal(toHex(k.open(fromHex(v.iv), fromHex(v.aad), fromHex(v.ct + v.tag))!), v.pt, `test case ${v.tc} opens`);
  }
});

// RFC 3610 section 8, packet vectors #1 and #2 (M = 8, L = 2, 8-byte header as AAD), and NIST SP 800-38C
// Appendix C examples 1 (7-byte nonce, 4-byte tag) and 3 (12-byte nonce as in TLS, 8-byte tag).
const CCM_VECTORS = [
  { what: 'RFC 3610 packet vector #1', key: 'c0c1c2c3c4c5c6c7c8c9cacbcccdcecf', nonce: '00000003020100a0a1a2a3a4a5', tagLen: 8,
    aad: '0001020304050607', pt: '08090a0b0c0d0e0f101112131415161718191a1b1c1d1e',
    out: '588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0' },
  { what: 'RFC 3610 packet vector #2', key: 'c0c1c2c3c4c5c6c7c8c9cacbcccdcecf', nonce: '00000004030201a0a1a2a3a4a5', tagLen: 8,
    aad: '0001020304050607', pt: '08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    out: '72c91a36e135f8cf291ca894085c87e3cc15c439c9e43a3ba091d56e10400916' },
  { what: 'SP 800-38C example 1', key: '404142434445464748494a4b4c4d4e4f', nonce: '10111213141516', tagLen: 4,
    aad: '0001020304050607', pt: '20212223', out: '7162015b4dac255d' },
  { what: 'SP 800-38C example 3', key: '404142434445464748494a4b4c4d4e4f', nonce: '101112131415161718191a1b', tagLen: 8,
    aad: '000102030405060708090a0b0c0d0e0f10111213', pt: '202122232425262728292a2b2c2d2e2f3031323334353637',
    out: 'e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5484392fbc1b09951' },
];

test('AES-CCM: RFC 3610 section 8 packet vectors and SP 800-38C examples', () => {
  for (const v of CCM_VECTORS) {
    const k = aesCcm(fromHex(v.key), v.tagLen);
    assert.equal(toHex(k.seal(fromHex(v.nonce), fromHex(v.aad), fromHex(v.pt))), v.out, v.what);
    assert.equal(toHex(k.open(fromHex(v.nonce), fromHex(v.aad), fromHex(v.out))!), v.pt, `${v.what} opens`);
    const bad = fromHex(v.out);
    bad[bad.length - 1]! ^= 1;
    assert.equal(k.open(fromHex(v.nonce), fromHex(v.aad), bad), null, `${v.what} with a changed tag`);
  }
});

test('AES-CCM: long AAD (>= 0xff00 bytes, RFC 3610 section 2.2 six-byte length form) equals node:crypto', () => {
  const key = randomBytes(16), nonce = randomBytes(12), aad = randomBytes(0xff00 + 5), pt = randomBytes(100);
  const ours = aesCcm(new Uint8Array(key), 16).seal(nonce, aad, pt);
  assert.equal(toHex(ours), nodeSeal('AES-128-CCM', key, nonce, aad, pt));
});

// ---------------------------------------------------------------------------------------------------------------
// node:crypto cross-checks

const NODE: Record<AeadName, { alg: string; tagLen: number }> = {
  'AES-128-GCM': { alg: 'aes-128-gcm', tagLen: 16 },
  'AES-256-GCM': { alg: 'aes-256-gcm', tagLen: 16 },
  'CHACHA20-POLY1305': { alg: 'chacha20-poly1305', tagLen: 16 },
  'AES-128-CCM': { alg: 'aes-128-ccm', tagLen: 16 },
  'AES-256-CCM': { alg: 'aes-256-ccm', tagLen: 16 },
  'AES-128-CCM8': { alg: 'aes-128-ccm', tagLen: 8 },
  'AES-256-CCM8': { alg: 'aes-256-ccm', tagLen: 8 },
};

function nodeSeal(name: AeadName, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): string {
  const { alg, tagLen } = NODE[name];
  const c = createCipheriv(alg as 'aes-128-ccm', key, nonce, { authTagLength: tagLen });
  c.setAAD(aad, { plaintextLength: pt.length });
  const out = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
  return out.toString('hex');
}

function nodeOpen(name: AeadName, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): string | null {
  const { alg, tagLen } = NODE[name];
  const d = createDecipheriv(alg as 'aes-128-ccm', key, nonce, { authTagLength: tagLen });
  const ct = sealed.subarray(0, sealed.length - tagLen);
  d.setAuthTag(sealed.subarray(sealed.length - tagLen));
  d.setAAD(aad, { plaintextLength: ct.length });
  try {
    return Buffer.concat([d.update(ct), d.final()]).toString('hex');
  } catch {
    return null;
  }
}

for (const name of Object.keys(NODE) as AeadName[]) {
  test(`${name}: 200 random seal/open cross-checks with node:crypto, tag failures give null`, () => {
    const aead = P.aead(name);
    assert.equal(aead.name, name);
    assert.equal(aead.nonceLen, 12);
    assert.equal(aead.tagLen, NODE[name].tagLen);
    assert.equal(aead.keyLen, name.includes('128') ? 16 : 32);
    for (let i = 0; i < 200; i++) {
      const key: Uint8Array = new Uint8Array(randomBytes(aead.keyLen));
      const k = aead.init(key);
      const nonce = new Uint8Array(randomBytes(12));
      const aad = new Uint8Array(randomBytes(i % 4 === 0 ? 13 : randomInt(0, 40))); // 13: the TLS 1.2 AAD
      const pt = new Uint8Array(randomBytes(i < 20 ? i : randomInt(0, 2000)));
      // odd offsets: records arrive as subarrays of a larger buffer
      const ptView = new Uint8Array(pt.length + 3);
      ptView.set(pt, 3);
      const sealed = k.seal(nonce, aad, ptView.subarray(3));
      assert.equal(sealed.length, pt.length + aead.tagLen);
      assert.equal(toHex(sealed), nodeSeal(name, key, nonce, aad, pt), `seal #${i} (pt ${pt.length}, aad ${aad.length})`);
      assert.equal(toHex(k.open(nonce, aad, sealed)!), toHex(pt), `open #${i}`);
      // OpenSSL-made ciphertext opens with ours
      const theirs = fromHex(nodeSeal(name, key, nonce, aad, pt));
      assert.equal(toHex(k.open(nonce, aad, theirs)!), toHex(pt));
      // one flipped bit anywhere (ciphertext, tag, AAD or nonce) fails for both
      const where = randomInt(0, 3);
      const bit = 1 << randomInt(0, 8);
      const c2 = sealed.slice(), a2 = aad.slice(), n2 = nonce.slice();
      if (where === 0 || aad.length === 0) c2[randomInt(0, c2.length)]! ^= bit;
      else if (where === 1) a2[randomInt(0, a2.length)]! ^= bit;
      else n2[randomInt(0, 12)]! ^= bit;
      assert.equal(k.open(n2, a2, c2), null, `tampered #${i}`);
      assert.equal(nodeOpen(name, key, n2, a2, c2), null);
    }
  });
}

test('AEAD: init copies the key; short ciphertexts give null; wrong key or nonce sizes throw', () => {
  for (const name of Object.keys(NODE) as AeadName[]) {
    const aead = P.aead(name);
    const key = new Uint8Array(randomBytes(aead.keyLen));
    const keep = key.slice();
    const k = aead.init(key);
    key.fill(0);
    const nonce = new Uint8Array(12), aad = new Uint8Array(5), pt = ascii('hello');
    assert.equal(toHex(k.seal(nonce, aad, pt)), nodeSeal(name, keep, nonce, aad, pt), `${name} after the caller wiped its key`);
    assert.equal(toHex(k.seal(nonce, aad, pt)), nodeSeal(name, keep, nonce, aad, pt), `${name} the same key and nonce twice (the record layer decides)`);
    assert.equal(k.open(nonce, aad, new Uint8Array(aead.tagLen - 1)), null);
    assert.equal(toHex(k.open(nonce, aad, k.seal(nonce, aad, new Uint8Array(0)))!), '', `${name} empty plaintext`);
    assert.throws(() => aead.init(new Uint8Array(aead.keyLen + 1)), RangeError);
    assert.throws(() => k.seal(new Uint8Array(8), aad, pt), RangeError);
    assert.throws(() => k.open(new Uint8Array(16), aad, new Uint8Array(32)), RangeError);
  }
  assert.throws(() => P.aead('AES-192-GCM' as AeadName));
});

test('noble sealRecord: ChaCha20-Poly1305 seals a TLS 1.3 record in place, equal to header || seal(header as AAD, content || trailer); GCM and CCM have none', () => {
  const p = nobleProvider();
  for (const name of ['CHACHA20-POLY1305', 'AES-128-GCM', 'AES-128-CCM'] as const) {
    const aead = p.aead(name);
    const k = aead.init(new Uint8Array(aead.keyLen).fill(5));
    if (name !== 'CHACHA20-POLY1305') {
      assert.equal(k.sealRecord, undefined, name);
      continue;
    }
    const nonce = new Uint8Array(12).fill(7);
    const header = Uint8Array.of(23, 3, 3, 0x03, 0xfc);
    const content = new Uint8Array(1000).map((_, i) => i * 7);
    const trailer = Uint8Array.of(23, 0, 0);
    const pieces = k.sealRecord!(nonce, header, content, trailer);
    assert.equal(pieces.length, 1, 'one buffer: header, then the sealed body where it was built');
    const joined = new Uint8Array([...content, ...trailer]);
    assert.deepEqual(pieces[0], new Uint8Array([...header, ...k.seal(nonce, header, joined)]));
    assert.deepEqual(content.slice(0, 3), Uint8Array.of(0, 7, 14), 'the caller\'s content is not touched');
    assert.deepEqual(k.open(nonce, header, pieces[0]!.subarray(5)), joined);
  }
});
