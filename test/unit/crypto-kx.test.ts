// Key exchange of the noble provider: RFC 7748 section 5.2 (X25519/X448 function vectors and iterations) and
// 6.1/6.2 (the Diffie-Hellman examples), low-order X25519/X448 points (RFC 7748 section 6, RFC 8446 section
// 7.4.2), P-256/384/521 ECDHE (RFC 8446 section 4.2.8.2) against node:crypto ECDH, ffdhe2048-8192 (RFC 7919)
// against node:crypto DiffieHellman and OpenSSL's built-in groups, and the hybrid groups of
// draft-ietf-tls-ecdhe-mlkem-03 (X25519MLKEM768 and the two NIST-curve hybrids).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createDiffieHellman, createECDH, getCurves, getDiffieHellman, randomBytes } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { ffdhePrime, GROUPS, nobleProvider } from '../../engine/crypto/noble';
import { KeyExchangeError, type KeyExchange } from '../../engine/crypto/provider';
import { fromHex, toHex } from '../../engine/util/hex';

/** A provider whose random source hands out the given byte strings in order (then fails). */
function scripted(...chunks: string[]) {
  const queue = chunks.map(fromHex);
  return nobleProvider({
    random: (n) => {
      const next = queue.shift();
      if (!next) throw new Error('scripted randomness exhausted');
      assert.equal(next.length, n, 'scripted randomness has the requested length');
      return next;
    },
  });
}

function kx(group: number, p = nobleProvider()): KeyExchange {
  const k = p.keyExchange(group);
  assert.ok(k, `group ${group} is implemented`);
  assert.equal(k.group, group);
  return k;
}

function isKxError(e: unknown): boolean {
  return e instanceof KeyExchangeError;
}

// ---------------------------------------------------------------------------------------------------------------
// X25519 and X448

const RFC7748_5_2 = [
  { group: GROUPS.x25519, k: 'a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
    u: 'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
    out: 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552' },
  { group: GROUPS.x25519, k: '4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d',
    u: 'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493', // high bit set: masked (RFC 7748 section 5)
    out: '95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957' },
  { group: GROUPS.x448, k: '3d262fddf9ec8e88495266fea19a34d28882acef045104d0d1aae121700a779c984c24f8cdd78fbff44943eba368f54b29259a4f1c600ad3',
    u: '06fce640fa3487bfda5f6cf2d5263f8aad88334cbd07437f020f08f9814dc031ddbdc38c19c6da2583fa5429db94ada18aa7a7fb4ef8a086',
    out: 'ce3e4ff95a60dc6697da1db1d85e6afbdf79b50a2412d7546d5f239fe14fbaadeb445fc66a01b0779d98223961111e21766282f73dd96b6f' },
  { group: GROUPS.x448, k: '203d494428b8399352665ddca42f9de8fef600908e0d461cb021f8c538345dd77c3e4806e25f46d3315c44e0a5b4371282dd2c8d5be3095f',
    u: '0fbcc2f993cd56d3305b0b7d9e55d4c1a8fb5dbb52f8e9a1e9b6201b165d015894e56c4d3570bee52fe205e28a78b91cdfbde71ce8d157db',
    out: '884a02576239ff7a2f2f63b2db6a9ff37047ac13568e1e30fe63c4a7ad1b3ee3a5700df34321d62077e63633c575c1c954514e99da7c179d' },
];

/** X25519(k, u) / X448(k, u) through the provider: the server side draws k as its private key. */
function scalarMult(group: number, k: string, u: string): string {
  return toHex(kx(group, scripted(k)).respond(fromHex(u)).sharedSecret);
}

test('X25519/X448: RFC 7748 section 5.2 function test vectors', () => {
  for (const v of RFC7748_5_2) assert.equal(scalarMult(v.group, v.k, v.u), v.out);
});

// X448 runs one iteration only: 1,000 through the provider cost ~4 s (noble X448 is ~2 ms per multiplication).
test('X25519/X448: RFC 7748 section 5.2 iterated vectors (X25519: 1 and 1,000 iterations; X448: 1)', () => {
  const cases = [
    { group: GROUPS.x25519, start: '09' + '00'.repeat(31),
      one: '422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079',
      thousand: '684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51' },
    { group: GROUPS.x448, start: '05' + '00'.repeat(55),
      one: '3f482c8a9f19b01e6c46ee9711d9dc14fd4bf67af30765c2ae2b846a4d23a8cd0db897086239492caf350b51f833868b9bc2b3bca9cf4113',
      thousand: 'aa3b4749d55b9daf1e5b00288826c467274ce3ebbdd5c17b975e09d4af6c67cf10d087202db88286e2b79fceea3ec353ef54faa26e219f38' },
  ];
  for (const c of cases) {
    const rounds = c.group === GROUPS.x25519 ? 1000 : 1;
    let k = c.start, u = c.start;
    for (let i = 1; i <= rounds; i++) {
      const next = scalarMult(c.group, k, u);
      u = k;
      k = next;
      if (i === 1) assert.equal(k, c.one, 'after one iteration');
    }
    if (rounds === 1000) assert.equal(k, c.thousand, 'after 1,000 iterations');
  }
});

test('X25519: RFC 7748 section 6.1 Diffie-Hellman example, both roles', () => {
  const a = '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a';
  const A = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
  const b = '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb';
  const B = 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f';
  const K = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
  const alice = kx(GROUPS.x25519, scripted(a)).start();
  assert.equal(toHex(alice.share), A);
  const bob = kx(GROUPS.x25519, scripted(b)).respond(fromHex(A));
  assert.equal(toHex(bob.share), B);
  assert.equal(toHex(bob.sharedSecret), K);
  assert.equal(toHex(kx(GROUPS.x25519).finish(alice.secret, fromHex(B))), K);
});

test('X448: RFC 7748 section 6.2 Diffie-Hellman example, both roles', () => {
  const a = '9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b';
  const A = '9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0';
  const b = '1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d';
  const B = '3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609';
  const K = '07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d';
  const alice = kx(GROUPS.x448, scripted(a)).start();
  assert.equal(toHex(alice.share), A);
  const bob = kx(GROUPS.x448, scripted(b)).respond(fromHex(A));
  assert.equal(toHex(bob.share), B);
  assert.equal(toHex(bob.sharedSecret), K);
  assert.equal(toHex(kx(GROUPS.x448).finish(alice.secret, fromHex(B))), K);
});

test('X25519/X448: low-order points are rejected with KeyExchangeError (illegal_parameter), both roles', () => {
  const x25519LowOrder = [
    '00'.repeat(32), // 0
    '01' + '00'.repeat(31), // 1
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p - 1
    'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', // order 8
    '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157', // order 8
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p (non-canonical 0)
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // p + 1 (non-canonical 1)
    '0000000000000000000000000000000000000000000000000000000000000080', // 0 with the high bit set
  ];
  const x448LowOrder = ['00'.repeat(56), '01' + '00'.repeat(55), 'fe' + 'ff'.repeat(27) + 'fe' + 'ff'.repeat(27)];
  const client = kx(GROUPS.x25519).start();
  for (const u of x25519LowOrder) {
    assert.throws(() => kx(GROUPS.x25519).respond(fromHex(u)), isKxError, `respond to ${u}`);
    assert.throws(() => kx(GROUPS.x25519).finish(client.secret, fromHex(u)), isKxError, `finish with ${u}`);
  }
  const c448 = kx(GROUPS.x448).start();
  for (const u of x448LowOrder) {
    assert.throws(() => kx(GROUPS.x448).respond(fromHex(u)), isKxError, `x448 respond to ${u}`);
    assert.throws(() => kx(GROUPS.x448).finish(c448.secret, fromHex(u)), isKxError);
  }
  assert.throws(() => kx(GROUPS.x25519).respond(new Uint8Array(31)), isKxError, 'short share');
  assert.throws(() => kx(GROUPS.x25519).respond(new Uint8Array(33)), isKxError, 'long share');
  assert.throws(() => kx(GROUPS.x448).respond(new Uint8Array(32)), isKxError);
});

// ---------------------------------------------------------------------------------------------------------------
// NIST curves

const NIST = [
  { group: GROUPS.secp256r1, node: 'prime256v1', len: 32 },
  { group: GROUPS.secp384r1, node: 'secp384r1', len: 48 },
  { group: GROUPS.secp521r1, node: 'secp521r1', len: 66 },
];

for (const c of NIST) {
  test(`ECDHE ${c.node} (group ${c.group}): 20 random exchanges each way against node:crypto ECDH`, () => {
    for (let i = 0; i < 20; i++) {
      // we are the client, node the server
      const ours = kx(c.group).start();
      assert.equal(ours.share.length, 1 + 2 * c.len);
      assert.equal(ours.share[0], 0x04);
      const theirs = createECDH(c.node);
      theirs.generateKeys();
      const want = theirs.computeSecret(ours.share).toString('hex');
      assert.equal(want.length, 2 * c.len);
      assert.equal(toHex(kx(c.group).finish(ours.secret, theirs.getPublicKey())), want);
      // node is the client, we the server
      const client = createECDH(c.node);
      client.generateKeys();
      const r = kx(c.group).respond(client.getPublicKey());
      assert.equal(toHex(r.sharedSecret), client.computeSecret(r.share).toString('hex'));
    }
  });

  test(`ECDHE ${c.node}: invalid points and encodings are KeyExchangeError`, () => {
    const e = createECDH(c.node);
    e.generateKeys();
    const good = new Uint8Array(e.getPublicKey());
    const offCurve = good.slice();
    offCurve[offCurve.length - 1]! ^= 1; // Y changed: not on the curve
    const compressed = new Uint8Array(e.getPublicKey(null, 'compressed'));
    const hybrid = good.slice();
    hybrid[0] = 0x06;
    const xTooBig = good.slice();
    xTooBig.fill(0xff, 1, 1 + c.len); // X >= p
    const bad = [offCurve, compressed, hybrid, xTooBig, new Uint8Array([0]), new Uint8Array(0), good.subarray(0, good.length - 1), new Uint8Array([...good, 0])];
    const client = kx(c.group).start();
    for (const share of bad) {
      assert.throws(() => kx(c.group).respond(share), isKxError, `respond to ${toHex(share).slice(0, 16)}…`);
      assert.throws(() => kx(c.group).finish(client.secret, share), isKxError);
    }
  });
}

test('ECDHE P-521: a masked random scalar is accepted, an out-of-range one is drawn again', () => {
  // first draw: all 0xff, masked to 2^521-1 > n: rejected; second draw: a small valid scalar
  const p = scripted('ff'.repeat(66), '00'.repeat(65) + '05');
  const { share } = kx(GROUPS.secp521r1, p).start();
  const node = createECDH('secp521r1');
  node.setPrivateKey(Buffer.from('00'.repeat(65) + '05', 'hex'));
  assert.equal(toHex(share), node.getPublicKey('hex'));
});

// ---------------------------------------------------------------------------------------------------------------
// RFC 7919 finite-field groups

const FFDHE = ['ffdhe2048', 'ffdhe3072', 'ffdhe4096', 'ffdhe6144', 'ffdhe8192'] as const;

test('ffdhe: our RFC 7919 primes equal OpenSSL\'s built-in groups (and node\'s, where it has them)', (t) => {
  for (const name of FFDHE) {
    const ours = toHex(ffdhePrime(name));
    assert.equal(ours.length, Number(name.slice(5)) / 4);
    let node: string | undefined;
    try {
      node = getDiffieHellman(name).getPrime('hex');
    } catch {
      node = undefined; // Node 20 knows only the modp groups
    }
    if (node) assert.equal(ours, node);
    let pem: string;
    try {
      pem = execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', `group:${name}`], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    } catch {
      t.diagnostic('openssl not available: prime checked against node only');
      continue;
    }
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
    const parsed = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input: der }).toString();
    const firstInt = /INTEGER\s*:([0-9A-F]+)/.exec(parsed);
    assert.ok(firstInt, 'openssl shows the prime');
    assert.equal(ours, firstInt[1]!.toLowerCase(), `${name} prime`);
    assert.match(parsed, /INTEGER\s*:02\b/, 'generator 2');
  }
});

test('ffdhe2048: 10 exchanges each way against node:crypto createDiffieHellman(prime, 2)', () => {
  const prime = ffdhePrime('ffdhe2048');
  const pad = (b: Buffer) => Buffer.concat([Buffer.alloc(256 - b.length), b]).toString('hex');
  for (let i = 0; i < 10; i++) {
    const node = createDiffieHellman(prime, 2);
    node.generateKeys();
    const ours = kx(GROUPS.ffdhe2048).start();
    assert.equal(ours.share.length, 256);
    assert.equal(toHex(kx(GROUPS.ffdhe2048).finish(ours.secret, Buffer.from(pad(node.getPublicKey()), 'hex'))), pad(node.computeSecret(ours.share)));
    const client = createDiffieHellman(prime, 2);
    client.generateKeys();
    const r = kx(GROUPS.ffdhe2048).respond(Buffer.from(pad(client.getPublicKey()), 'hex'));
    assert.equal(r.share.length, 256);
    assert.equal(toHex(r.sharedSecret), pad(client.computeSecret(r.share)));
  }
});

test('ffdhe: shares and secrets are left-padded to the prime length (RFC 8446 section 4.2.8.1)', () => {
  // x = 2: share = 4, which needs padding to 256 bytes; the peer's share 2 gives Z = 4 as well
  const ours = kx(GROUPS.ffdhe2048, scripted('00'.repeat(31) + '02')).start();
  assert.equal(toHex(ours.share), '00'.repeat(255) + '04');
  assert.equal(toHex(kx(GROUPS.ffdhe2048).finish(ours.secret, fromHex('00'.repeat(255) + '02'))), '00'.repeat(255) + '04');
});

test('ffdhe: peer values outside 1 < Y < p-1 and wrong lengths are KeyExchangeError (RFC 7919 section 5.1)', () => {
  const prime = ffdhePrime('ffdhe2048');
  const pMinus1 = prime.slice();
  pMinus1[255]! -= 1;
  const pPlus0 = prime.slice();
  const bad = [new Uint8Array(256), fromHex('00'.repeat(255) + '01'), pMinus1, pPlus0, new Uint8Array(256).fill(0xff), new Uint8Array(255).fill(7), new Uint8Array(257).fill(7)];
  const client = kx(GROUPS.ffdhe2048).start();
  for (const y of bad) {
    assert.throws(() => kx(GROUPS.ffdhe2048).respond(y), isKxError);
    assert.throws(() => kx(GROUPS.ffdhe2048).finish(client.secret, y), isKxError);
  }
});

test('ffdhe3072-8192: round trips give equal, prime-length secrets', () => {
  for (const [i, name] of FFDHE.entries()) {
    const group = GROUPS.ffdhe2048 + i;
    const len = Number(name.slice(5)) / 8;
    const c = kx(group).start();
    const s = kx(group).respond(c.share);
    assert.equal(c.share.length, len);
    assert.equal(s.share.length, len);
    assert.equal(s.sharedSecret.length, len);
    assert.deepEqual(kx(group).finish(c.secret, s.share), s.sharedSecret, name);
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Hybrid ML-KEM groups (draft-ietf-tls-ecdhe-mlkem-03)

test('X25519MLKEM768 (0x11ec): client start -> server respond -> client finish gives equal 64-byte secrets', () => {
  for (let i = 0; i < 5; i++) {
    const c = kx(0x11ec).start();
    assert.equal(c.share.length, 1216, 'client share: 1184-byte encapsulation key + 32-byte X25519 (section 4.1)');
    const s = kx(0x11ec).respond(c.share);
    assert.equal(s.share.length, 1120, 'server share: 1088-byte ciphertext + 32-byte X25519 (section 4.2)');
    assert.equal(s.sharedSecret.length, 64);
    assert.deepEqual(kx(0x11ec).finish(c.secret, s.share), s.sharedSecret);
  }
});

test('X25519MLKEM768: ML-KEM first in shares and secret (sections 4.1-4.3), checked with independent noble calls', () => {
  // the client draws the ML-KEM seed (64) then the X25519 key (32); the server the ML-KEM message (32), then X25519
  const seed = toHex(randomBytes(64)), cx = toHex(randomBytes(32)), m = toHex(randomBytes(32)), sx = toHex(randomBytes(32));
  const c = kx(0x11ec, scripted(seed, cx)).start();
  const { publicKey: ek, secretKey: dk } = ml_kem768.keygen(fromHex(seed));
  assert.equal(toHex(c.share), toHex(ek) + toHex(x25519.getPublicKey(fromHex(cx))));
  const s = kx(0x11ec, scripted(m, sx)).respond(c.share);
  const enc = ml_kem768.encapsulate(ek, fromHex(m));
  assert.equal(toHex(s.share), toHex(enc.cipherText) + toHex(x25519.getPublicKey(fromHex(sx))));
  const ecdh = x25519.getSharedSecret(fromHex(cx), x25519.getPublicKey(fromHex(sx)));
  assert.equal(toHex(s.sharedSecret), toHex(enc.sharedSecret) + toHex(ecdh));
  assert.equal(toHex(ml_kem768.decapsulate(enc.cipherText, dk)), toHex(enc.sharedSecret));
});

test('X25519MLKEM768: wrong share lengths, a bad encapsulation key and a low-order X25519 part are KeyExchangeError', () => {
  const c = kx(0x11ec).start();
  const s = kx(0x11ec).respond(c.share);
  for (const n of [0, 32, 1184, 1215, 1217, 1120]) assert.throws(() => kx(0x11ec).respond(new Uint8Array(n)), isKxError, `client share of ${n} bytes`);
  for (const n of [0, 32, 1088, 1119, 1121, 1216]) assert.throws(() => kx(0x11ec).finish(c.secret, new Uint8Array(n)), isKxError, `server share of ${n} bytes`);
  // FIPS 203 section 7.2 modulus check: the first 12-bit coefficient set to 4095 >= q
  const badEk = c.share.slice();
  badEk[0] = 0xff;
  badEk[1] = badEk[1]! | 0x0f;
  assert.throws(() => kx(0x11ec).respond(badEk), isKxError, 'encapsulation key with a coefficient >= q');
  const lowOrderClient = c.share.slice();
  lowOrderClient.fill(0, 1184);
  assert.throws(() => kx(0x11ec).respond(lowOrderClient), isKxError, 'X25519 part is zero');
  const lowOrderServer = s.share.slice();
  lowOrderServer.fill(0, 1088);
  assert.throws(() => kx(0x11ec).finish(c.secret, lowOrderServer), isKxError);
});

test('SecP256r1MLKEM768 (0x11eb) and SecP384r1MLKEM1024 (0x11ed): ECDH first, sizes per section 4.1-4.3', () => {
  const rows = [
    { group: 0x11eb, client: 65 + 1184, server: 65 + 1088, secret: 64, ecdhLen: 65 },
    { group: 0x11ed, client: 97 + 1568, server: 97 + 1568, secret: 80, ecdhLen: 97 },
  ];
  for (const r of rows) {
    const c = kx(r.group).start();
    assert.equal(c.share.length, r.client);
    assert.equal(c.share[0], 0x04, 'the uncompressed point comes first');
    const s = kx(r.group).respond(c.share);
    assert.equal(s.share.length, r.server);
    assert.equal(s.share[0], 0x04);
    assert.equal(s.sharedSecret.length, r.secret);
    assert.deepEqual(kx(r.group).finish(c.secret, s.share), s.sharedSecret);
    const offCurve = c.share.slice();
    offCurve[r.ecdhLen - 1]! ^= 1;
    assert.throws(() => kx(r.group).respond(offCurve), isKxError);
    assert.throws(() => kx(r.group).respond(c.share.subarray(1)), isKxError);
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Secrets, unknown groups, randomness

test('key exchange: secrets are opaque, bound to their group; unknown groups are undefined', () => {
  const c = kx(GROUPS.x25519).start();
  assert.equal(JSON.stringify(c.secret), '{"group":29}', 'nothing private is visible on the secret object');
  assert.deepEqual(Object.keys(c.secret), ['group']);
  const other = kx(GROUPS.secp256r1).start();
  assert.throws(() => kx(GROUPS.x25519).finish(other.secret, new Uint8Array(32)), isKxError);
  assert.throws(() => kx(GROUPS.x25519).finish({ group: 29 }, new Uint8Array(32).fill(9)), isKxError, 'a forged secret');
  for (const g of [0, 22, 26, 27, 28, 31, 0x0201, 0x11ee, 0xfe00]) assert.equal(nobleProvider().keyExchange(g), undefined);
  for (const g of Object.values(GROUPS)) assert.ok(nobleProvider().keyExchange(g), `group ${g}`);
  assert.ok(getCurves().includes('prime256v1'));
});

test('random: injected source is used and length-checked; the default gives fresh bytes of any length', () => {
  const p = scripted('0102030405');
  assert.equal(toHex(p.random(5)), '0102030405');
  const short = nobleProvider({ random: () => new Uint8Array(3) });
  assert.throws(() => short.random(4));
  const d = nobleProvider();
  assert.equal(d.random(100000).length, 100000);
  assert.notEqual(toHex(d.random(32)), toHex(d.random(32)));
  assert.equal(d.random(0).length, 0);
});
