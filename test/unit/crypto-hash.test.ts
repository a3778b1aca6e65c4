// Hashes, HMAC and HKDF of the noble provider: RFC 4231 (HMAC-SHA-256/384/512), RFC 5869 Appendix A
// (HKDF test cases 1-3), and every hash against node:crypto, incremental use included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { nobleProvider } from '../../engine/crypto/noble';
import type { HashName } from '../../engine/crypto/provider';
import { fromHex, toHex } from '../../engine/util/hex';

const P = nobleProvider();
const ascii = (s: string) => new TextEncoder().encode(s);
const HASHES: HashName[] = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

test('hashes: one-shot digests, lengths and block sizes equal node:crypto', () => {
  const sizes: Record<HashName, [number, number]> = { md5: [16, 64], sha1: [20, 64], sha224: [28, 64], sha256: [32, 64], sha384: [48, 128], sha512: [64, 128] };
  for (const name of HASHES) {
    const h = P.hash(name);
    assert.equal(h.name, name);
    assert.deepEqual([h.outputLen, h.blockLen], sizes[name]);
    for (const len of [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000]) {
      const m = randomBytes(len);
      assert.equal(toHex(h.digest(m)), createHash(name).update(m).digest('hex'), `${name} of ${len} bytes`);
    }
  }
});

test('hashes: digest() does not finalise the running context; clone() forks it', () => {
  for (const name of HASHES) {
    const parts = [randomBytes(7), randomBytes(100), randomBytes(0), randomBytes(300)];
    const ctx = P.hash(name).create();
    const ref = createHash(name);
    for (const part of parts) {
      ctx.update(part);
      ref.update(part);
      // read the transcript hash at several points, as the handshake does
      assert.equal(toHex(ctx.digest()), ref.copy().digest('hex'));
      assert.equal(toHex(ctx.digest()), ref.copy().digest('hex'), 'a second digest() gives the same value');
    }
    const fork = ctx.clone();
    const extra = randomBytes(33);
    fork.update(extra);
    assert.equal(toHex(ctx.digest()), ref.copy().digest('hex'), 'updating the clone leaves the original alone');
    assert.equal(toHex(fork.digest()), ref.copy().update(extra).digest('hex'));
    assert.equal(ctx.update(extra), ctx, 'update() returns the context for chaining');
  }
});

// RFC 4231 section 4.2-4.8 (test case 5 is truncated to 128 bits).
const RFC4231 = [
  { key: '0b'.repeat(20), data: toHex(ascii('Hi There')),
    sha256: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    sha384: 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
    sha512: '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854' },
  { key: toHex(ascii('Jefe')), data: toHex(ascii('what do ya want for nothing?')),
    sha256: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    sha384: 'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
    sha512: '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737' },
  { key: 'aa'.repeat(20), data: 'dd'.repeat(50),
    sha256: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
    sha384: '88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27',
    sha512: 'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb' },
  { key: '0102030405060708090a0b0c0d0e0f10111213141516171819', data: 'cd'.repeat(50),
    sha256: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    sha384: '3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb',
    sha512: 'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd' },
  { key: '0c'.repeat(20), data: toHex(ascii('Test With Truncation')), truncate: 16,
    sha256: 'a3b6167473100ee06e0c796c2955552b',
    sha384: '3abf34c3503b2a23a46efc619baef897',
    sha512: '415fad6271580a531d4179bc891d87a6' },
  { key: 'aa'.repeat(131), data: toHex(ascii('Test Using Larger Than Block-Size Key - Hash Key First')),
    sha256: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    sha384: '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952',
    sha512: '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598' },
  { key: 'aa'.repeat(131),
    data: toHex(ascii('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.')),
    sha256: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    sha384: '6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e',
    sha512: 'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58' },
];

test('HMAC: RFC 4231 section 4 test cases 1-7 for SHA-256, SHA-384, SHA-512', () => {
  RFC4231.forEach((v, i) => {
    for (const h of ['sha256', 'sha384', 'sha512'] as const) {
      let mac = P.hmac(h, fromHex(v.key), fromHex(v.data));
      if (v.truncate) mac = mac.subarray(0, v.truncate);
      assert.equal(toHex(mac), v[h], `RFC 4231 test case ${i + 1}, HMAC-${h}`);
    }
  });
});

test('HMAC: every hash against node:crypto createHmac, keys around the block size', () => {
  for (const name of HASHES) {
    for (const klen of [0, 1, 20, 64, 65, 128, 129, 200]) {
      const key = randomBytes(klen);
      const data = randomBytes(klen * 3 + 1);
      assert.equal(toHex(P.hmac(name, key, data)), createHmac(name, key).update(data).digest('hex'), `HMAC-${name} key ${klen}`);
    }
  }
});

// RFC 5869 Appendix A.1-A.3 (SHA-256).
const RFC5869 = [
  { ikm: '0b'.repeat(22), salt: '000102030405060708090a0b0c', info: 'f0f1f2f3f4f5f6f7f8f9', L: 42,
    prk: '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5',
    okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865' },
  { ikm: range(0x00, 0x4f), salt: range(0x60, 0xaf), info: range(0xb0, 0xff), L: 82,
    prk: '06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244',
    okm: 'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87' },
  { ikm: '0b'.repeat(22), salt: '', info: '', L: 42,
    prk: '19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04',
    okm: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8' },
];

function range(from: number, to: number): string {
  let s = '';
  for (let i = from; i <= to; i++) s += i.toString(16).padStart(2, '0');
  return s;
}

test('HKDF: RFC 5869 Appendix A test cases 1-3 (extract then expand)', () => {
  RFC5869.forEach((v, i) => {
    const prk = P.hkdfExtract('sha256', fromHex(v.salt), fromHex(v.ikm));
    assert.equal(toHex(prk), v.prk, `test case ${i + 1} PRK`);
    assert.equal(toHex(P.hkdfExpand('sha256', prk, fromHex(v.info), v.L)), v.okm, `test case ${i + 1} OKM`);
  });
});

test('HKDF: SHA-384 against node:crypto hkdfSync; over-long output is refused', () => {
  for (let i = 0; i < 20; i++) {
    const ikm = randomBytes(48), salt = randomBytes(i), info = randomBytes(i * 2);
    const L = 1 + i * 13;
    const prk = P.hkdfExtract('sha384', salt, ikm);
    const ours = P.hkdfExpand('sha384', prk, info, L);
    assert.equal(toHex(ours), Buffer.from(hkdfSync('sha384', ikm, salt, info, L)).toString('hex'));
  }
  assert.throws(() => P.hkdfExpand('sha256', new Uint8Array(32), new Uint8Array(0), 255 * 32 + 1));
});
