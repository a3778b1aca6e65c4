// TLS signatures (RFC 8446 section 4.2.3; RFC 5246 section 7.4.1.4.1; RFC 2246 section 7.4.3 for MD5+SHA1):
// every scheme signerFor offers for the fixture keys (test/fixtures/pki, made by openssl) is signed by ours and
// verified by ours, by node:crypto and (one ECDSA, one PSS case) by `openssl dgst -verify`; node-made
// signatures, including high-S ECDSA ones, verify with ours; changed signatures and mismatched keys do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, createHash, createPublicKey, generateKeyPairSync, publicDecrypt, sign as nodeSign, verify as nodeVerify, type KeyObject, type RSAPSSKeyPairKeyObjectOptions } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { nobleProvider, SCHEMES, verifyRsaMd5Sha1, verifySignature, verifyTls12 } from '../../engine/crypto/noble';
import { loadPrivateKey, publicSpkiOf, type PrivateKeyHandle } from '../../engine/crypto/node-keys';
import { signerFor, signRsaMd5Sha1 } from '../../engine/crypto/signer';

const P = nobleProvider();
const FIX = path.resolve('test/fixtures/pki');
const msg = new TextEncoder().encode(' '.repeat(64) + 'TLS 1.3, server CertificateVerify\0' + 'transcript hash stand-in');

function fixture(name: string): PrivateKeyHandle {
  return loadPrivateKey({ pem: fs.readFileSync(path.join(FIX, name), 'utf8') });
}

function flip(sig: Uint8Array, at = Math.floor(sig.length / 2)): Uint8Array {
  const s = sig.slice();
  s[at]! ^= 0x10;
  return s;
}

type Params = { hash: string | null; padding?: number; saltLength?: number; dsaEncoding?: 'der' };

/** How node:crypto signs and verifies a scheme. */
function nodeParams(scheme: number): Params {
  const hash = (h: number) => ({ 2: 'sha1', 3: 'sha224', 4: 'sha256', 5: 'sha384', 6: 'sha512' } as Record<number, string>)[h]!;
  if (scheme === 0x0807 || scheme === 0x0808) return { hash: null };
  if (scheme >= 0x0804 && scheme <= 0x080b) {
    const h = ({ 0x0804: 'sha256', 0x0805: 'sha384', 0x0806: 'sha512', 0x0809: 'sha256', 0x080a: 'sha384', 0x080b: 'sha512' } as Record<number, 'sha256' | 'sha384' | 'sha512'>)[scheme]!;
    return { hash: h, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: { sha256: 32, sha384: 48, sha512: 64 }[h] };
  }
  if ((scheme & 0xff) === 1) return { hash: hash(scheme >> 8), padding: constants.RSA_PKCS1_PADDING };
  return { hash: hash(scheme >> 8), dsaEncoding: 'der' };
}

function nodeVerifies(scheme: number, pub: KeyObject, m: Uint8Array, sig: Uint8Array): boolean {
  const { hash, ...opts } = nodeParams(scheme);
  try {
    return nodeVerify(hash, m, { key: pub, ...opts }, sig);
  } catch {
    return false;
  }
}

function nodeSigns(scheme: number, key: KeyObject, m: Uint8Array): Uint8Array {
  const { hash, ...opts } = nodeParams(scheme);
  return new Uint8Array(nodeSign(hash, m, { key, ...opts }));
}

const FIXTURES: Array<{ file: string; schemes: number[] }> = [
  { file: 'ec-p256.key', schemes: [0x0403] },
  { file: 'ec-p384.key', schemes: [0x0503] },
  { file: 'ec-p521.key', schemes: [0x0603] },
  { file: 'ed25519.key', schemes: [0x0807] },
  { file: 'ed448.key', schemes: [0x0808] },
  { file: 'rsa2048.key', schemes: [0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201] },
  { file: 'rsa-pss.key', schemes: [0x0809, 0x080a, 0x080b] },
];

for (const f of FIXTURES) {
  test(`signerFor(${f.file}): schemes in preference order; each signs, and ours and node:crypto verify`, () => {
    const key = fixture(f.file);
    const spki = publicSpkiOf(key);
    const pub = createPublicKey(key);
    const signer = signerFor(key);
    assert.deepEqual(signer.schemes, f.schemes);
    // Nothing but the scheme list, the key's kind and functions: no key material is reachable as data.
    const visible = Object.keys(signer).filter((k) => typeof (signer as unknown as Record<string, unknown>)[k] !== 'function').sort();
    assert.deepEqual(visible.filter((k) => k !== 'native' && k !== 'schemes12'), ['keyKind', 'schemes'], 'nothing but the scheme lists and the key kind is visible as data');
    for (const s of signer.schemes12 ?? []) {
      // TLS 1.2's reading of the ECDSA code points: any hash on the key's curve (RFC 5246 section 7.4.1.4.1).
      const sig = signer.sign12!(s, msg);
      assert.ok(verifyTls12(s, spki, msg, sig), `${f.file} TLS 1.2 0x${s.toString(16)}`);
    }
    if (signer.native) {
      assert.deepEqual(signer.native.schemes, signer.schemes, 'the node:crypto variant signs the same schemes');
      for (const scheme of signer.schemes) assert.ok(createPublicKey(key) && signer.native.sign(scheme, msg).length > 0);
    }
    assert.doesNotMatch(JSON.stringify(signer), /"d"|scalar|seed/);
    for (const scheme of signer.schemes) {
      const label = `${f.file} 0x${scheme.toString(16).padStart(4, '0')}`;
      const sig = signer.sign(scheme, msg);
      assert.equal(P.verify(scheme, spki, msg, sig), true, `${label}: ours verifies ours`);
      assert.equal(nodeVerifies(scheme, pub, msg, sig), true, `${label}: node verifies ours`);
      assert.equal(P.verify(scheme, spki, msg, flip(sig)), false, `${label}: a flipped bit fails`);
      assert.equal(P.verify(scheme, spki, msg, flip(sig, sig.length - 1)), false, `${label}: a flipped last byte fails`);
      assert.equal(P.verify(scheme, spki, msg.subarray(1), sig), false, `${label}: another message fails`);
      assert.equal(P.verify(scheme, spki, msg, sig.subarray(0, sig.length - 1)), false, `${label}: a truncated signature fails`);
      const theirs = nodeSigns(scheme, key, msg);
      assert.equal(P.verify(scheme, spki, msg, theirs), true, `${label}: ours verifies node's`);
      assert.equal(P.verify(scheme, spki, msg, flip(theirs)), false);
    }
    assert.throws(() => signer.sign(0x0b0b, msg), /cannot sign with scheme 0x0b0b/);
  });
}

test('ECDSA signatures are DER, deterministic (RFC 6979) and low-S; high-S ones made from node\'s verify too', () => {
  const curves = [
    { file: 'ec-p256.key', scheme: 0x0403, curve: p256 },
    { file: 'ec-p384.key', scheme: 0x0503, curve: p384 },
    { file: 'ec-p521.key', scheme: 0x0603, curve: p521 },
  ];
  for (const c of curves) {
    const key = fixture(c.file);
    const spki = publicSpkiOf(key);
    const pub = createPublicKey(key);
    const signer = signerFor(key);
    const a = signer.sign(c.scheme, msg);
    assert.equal(a[0], 0x30, 'a DER SEQUENCE');
    assert.deepEqual(signer.sign(c.scheme, msg), a, 'deterministic');
    assert.equal(c.curve.Signature.fromBytes(a, 'der').hasHighS(), false, 'ours are low-S');
    const n = c.curve.Point.Fn.ORDER;
    let highSeen = 0;
    for (let i = 0; i < 8; i++) {
      const m = new TextEncoder().encode(`message ${i}`);
      const sig = c.curve.Signature.fromBytes(nodeSigns(c.scheme, key, m), 'der');
      const other = new c.curve.Signature(sig.r, n - sig.s).toBytes('der'); // the same signature, s negated
      for (const der of [sig.toBytes('der'), other]) {
        const high = c.curve.Signature.fromBytes(der, 'der').hasHighS();
        if (high) highSeen++;
        assert.equal(P.verify(c.scheme, spki, m, der), true, `${c.file} ${high ? 'high' : 'low'}-S verifies`);
        assert.equal(nodeVerifies(c.scheme, pub, m, der), true, 'OpenSSL agrees');
      }
    }
    assert.equal(highSeen, 8, 'one of (s, n-s) is always high');
  }
});

test('openssl dgst -verify accepts our ECDSA P-256 and RSA-PSS (rsae, SHA-256) signatures', () => {
  // openssl is a test dependency (scripts/install-test-deps.sh): its absence is a failure, not a skip.
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-sig-'));
  try {
    fs.writeFileSync(path.join(dir, 'msg'), msg);
    const cases = [
      { file: 'ec-p256.key', scheme: 0x0403, args: [] as string[] },
      { file: 'rsa2048.key', scheme: 0x0804, args: ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'] },
    ];
    for (const c of cases) {
      const key = fixture(c.file);
      fs.writeFileSync(path.join(dir, 'pub.pem'), createPublicKey(key).export({ type: 'spki', format: 'pem' }));
      const sig = signerFor(key).sign(c.scheme, msg);
      fs.writeFileSync(path.join(dir, 'sig'), sig);
      const out = execFileSync('openssl', ['dgst', '-sha256', '-verify', path.join(dir, 'pub.pem'), ...c.args, '-signature', path.join(dir, 'sig'), path.join(dir, 'msg')]).toString();
      assert.match(out, /Verified OK/, c.file);
      fs.writeFileSync(path.join(dir, 'sig'), flip(sig));
      assert.throws(() => execFileSync('openssl', ['dgst', '-sha256', '-verify', path.join(dir, 'pub.pem'), ...c.args, '-signature', path.join(dir, 'sig'), path.join(dir, 'msg')], { stdio: 'pipe' }), `${c.file}: openssl refuses a flipped bit`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('RSA-PSS keys with parameters offer only the scheme they allow; short RSA keys drop PSS-SHA512', () => {
  // @types/node 20 types saltLength as a string; node:crypto takes a number of bytes
  const pssOptions = (hash: string, saltLength: number) =>
    ({ modulusLength: 2048, hashAlgorithm: hash, mgf1HashAlgorithm: hash, saltLength }) as unknown as RSAPSSKeyPairKeyObjectOptions;
  const restricted = generateKeyPairSync('rsa-pss', pssOptions('sha384', 48));
  const s = signerFor(restricted.privateKey);
  assert.deepEqual(s.schemes, [0x080a]);
  const spki = publicSpkiOf(restricted.privateKey);
  const sig = s.sign(0x080a, msg);
  assert.equal(P.verify(0x080a, spki, msg, sig), true);
  assert.equal(nodeVerifies(0x080a, restricted.publicKey, msg, sig), true);
  const bigSalt = generateKeyPairSync('rsa-pss', pssOptions('sha256', 40));
  assert.deepEqual(signerFor(bigSalt.privateKey).schemes, [], 'a minimum salt above the hash length rules out the TLS scheme');
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  assert.deepEqual(signerFor(small.privateKey).schemes, [0x0804, 0x0805, 0x0401, 0x0501, 0x0601, 0x0201], '1024-bit: emLen 128 < 2*64+2');
});

test('verify: schemes must match the key (RFC 8446 section 4.2.3); TLS 1.2 reads ECDSA code points as (hash, ecdsa)', () => {
  const ec384 = fixture('ec-p384.key');
  const rsa = fixture('rsa2048.key');
  const pss = fixture('rsa-pss.key');
  const ed = fixture('ed25519.key');
  const ed448 = fixture('ed448.key');
  // P-384 key signing SHA-256: valid as TLS 1.2 ecdsa+sha256, not as TLS 1.3 ecdsa_secp256r1_sha256
  const s = nodeSigns(0x0403, ec384, msg);
  assert.equal(P.verify(0x0403, publicSpkiOf(ec384), msg, s), false);
  assert.equal(verifyTls12(0x0403, publicSpkiOf(ec384), msg, s), true);
  assert.equal(verifySignature(0x0403, publicSpkiOf(ec384), msg, s, { tls12: true }), true);
  // ecdsa_sha1 (0x0203) and the TLS 1.2-only ecdsa+sha224 (0x0303)
  const s1 = nodeSigns(0x0203, ec384, msg);
  assert.equal(P.verify(SCHEMES.ecdsa_sha1, publicSpkiOf(ec384), msg, s1), true);
  const s224 = nodeSigns(0x0303, ec384, msg);
  assert.equal(P.verify(0x0303, publicSpkiOf(ec384), msg, s224), false, 'not a TLS 1.3 code point');
  assert.equal(verifyTls12(0x0303, publicSpkiOf(ec384), msg, s224), true);
  assert.equal(verifyTls12(0x0301, publicSpkiOf(rsa), msg, nodeSigns(0x0301, rsa, msg)), true, 'rsa+sha224');
  // rsae needs an rsaEncryption key, pss an RSASSA-PSS key; PKCS#1 needs rsaEncryption
  const pssSig = nodeSigns(0x0809, pss, msg);
  assert.equal(P.verify(0x0809, publicSpkiOf(pss), msg, pssSig), true);
  assert.equal(P.verify(0x0804, publicSpkiOf(pss), msg, pssSig), false, 'rsae scheme, PSS key');
  const rsaeSig = nodeSigns(0x0804, rsa, msg);
  assert.equal(P.verify(0x0809, publicSpkiOf(rsa), msg, rsaeSig), false, 'pss scheme, rsaEncryption key');
  assert.equal(P.verify(0x0401, publicSpkiOf(rsa), msg, rsaeSig), false, 'PKCS#1 scheme, PSS signature');
  assert.equal(P.verify(0x0805, publicSpkiOf(rsa), msg, rsaeSig), false, 'wrong hash');
  // PSS salt must be the hash length exactly
  const salt20 = new Uint8Array(nodeSign('sha256', msg, { key: rsa, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }));
  assert.equal(P.verify(0x0804, publicSpkiOf(rsa), msg, salt20), false, 'salt length 20 with SHA-256');
  // EdDSA keys and schemes must agree
  const edSig = signerFor(ed).sign(0x0807, msg);
  assert.equal(P.verify(0x0808, publicSpkiOf(ed), msg, edSig), false);
  assert.equal(P.verify(0x0807, publicSpkiOf(ed448), msg, edSig), false);
  assert.equal(P.verify(0x0403, publicSpkiOf(ed), msg, edSig), false);
  // unknown schemes, garbage inputs: false, never a throw
  for (const scheme of [0x0000, 0x0101, 0x0202, 0x0303, 0x0700, 0x0809 + 10, 0xfe00]) assert.equal(P.verify(scheme, publicSpkiOf(rsa), msg, rsaeSig), false);
  assert.equal(P.verify(0x0804, new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]), msg, rsaeSig), false);
  assert.equal(P.verify(0x0804, new Uint8Array(0), msg, rsaeSig), false);
  assert.equal(P.verify(0x0403, publicSpkiOf(fixture('ec-p256.key')), msg, new Uint8Array(0)), false);
  assert.equal(P.verify(0x0807, publicSpkiOf(ed), msg, new Uint8Array(64)), false);
});

test('Ed25519: non-canonical S is rejected (RFC 8032 section 5.1.7, as OpenSSL)', () => {
  const ed = fixture('ed25519.key');
  const sig = signerFor(ed).sign(0x0807, msg);
  // S + L: same value mod L, but S >= L must be refused
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  let S = 0n;
  for (let i = 63; i >= 32; i--) S = (S << 8n) | BigInt(sig[i]!);
  const S2 = S + L;
  if (S2 < 2n ** 256n) {
    const bad = sig.slice();
    for (let i = 32, v = S2; i < 64; i++, v >>= 8n) bad[i] = Number(v & 0xffn);
    assert.equal(P.verify(0x0807, publicSpkiOf(ed), msg, bad), false);
    assert.equal(nodeVerifies(0x0807, createPublicKey(ed), msg, bad), false);
  }
});

test('MD5+SHA1 RSA signatures (TLS 1.0/1.1): signRsaMd5Sha1 and verifyRsaMd5Sha1, checked with node publicDecrypt', () => {
  const rsa = fixture('rsa2048.key');
  const spki = publicSpkiOf(rsa);
  const digest = new Uint8Array(Buffer.concat([createHash('md5').update(msg).digest(), createHash('sha1').update(msg).digest()]));
  const sig = signRsaMd5Sha1(rsa, digest);
  assert.equal(sig.length, 256);
  assert.deepEqual(new Uint8Array(publicDecrypt({ key: createPublicKey(rsa), padding: constants.RSA_PKCS1_PADDING }, sig)), digest, 'type 1 padding over the bare 36 bytes');
  assert.equal(verifyRsaMd5Sha1(spki, digest, sig), true);
  assert.equal(verifyRsaMd5Sha1(spki, digest, flip(sig)), false);
  assert.equal(verifyRsaMd5Sha1(spki, flip(digest, 0), sig), false);
  assert.equal(verifyRsaMd5Sha1(spki, digest.subarray(0, 35), sig), false);
  assert.equal(verifyRsaMd5Sha1(spki, digest, sig.subarray(1)), false);
  // a PKCS#1 v1.5 signature with a DigestInfo is not the bare MD5+SHA1 form
  assert.equal(verifyRsaMd5Sha1(spki, digest, nodeSigns(0x0401, rsa, msg)), false);
  assert.equal(verifyRsaMd5Sha1(publicSpkiOf(fixture('ec-p256.key')), digest, sig), false);
  assert.throws(() => signRsaMd5Sha1(fixture('ec-p256.key'), digest));
});

test('signerFor refuses keys that cannot sign TLS handshakes', () => {
  assert.throws(() => signerFor(generateKeyPairSync('x25519').privateKey), /x25519 key cannot sign/);
  assert.throws(() => signerFor(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey), /secp256k1/);
  assert.throws(() => signerFor(createPublicKey(fixture('ec-p256.key'))), /private key/);
});
