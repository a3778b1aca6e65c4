// The node:crypto provider (engine/crypto/node-provider.ts) against the noble one: the same answers for every
// hash, HMAC, HKDF, AEAD, block cipher, key exchange and signature check, each checked across the two (one seals,
// the other opens; one starts a key exchange, the other answers), then whole handshakes on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { nodeProvider, providerByName } from '../../engine/crypto/node-provider';
import { nobleProvider } from '../../engine/crypto/noble';
import type { AeadName, BlockCipherName, HashName } from '../../engine/crypto/provider';
import { signerFor } from '../../engine/crypto/signer';
import { concatBytes } from '../../engine/util/hex';
import { loadPrivateKey, publicSpkiOf } from '../../engine/crypto/node-keys';
import { NamedGroup } from '../../engine/registry/groups';
import { TlsConnection } from '../../engine/conn/connection';
import { identityFromPem } from '../../engine/tools/identity';
import type { ConnectionConfig } from '../../engine/conn/config';

const N = nodeProvider();
const B = nobleProvider();
const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('hashes, HMAC and HKDF: identical to noble for every hash', () => {
  for (const h of ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as HashName[]) {
    const m = bytes(1000);
    assert.equal(hex(N.hash(h).digest(m)), hex(B.hash(h).digest(m)), h);
    const ctx = N.hash(h).create().update(m.subarray(0, 10));
    const fork = ctx.clone();
    ctx.update(m.subarray(10));
    assert.equal(hex(ctx.digest()), hex(B.hash(h).digest(m)), `${h} incremental`);
    assert.equal(hex(fork.digest()), hex(B.hash(h).digest(m.subarray(0, 10))), `${h} clone keeps its own state`);
    assert.equal(hex(N.hmac(h, bytes(20), m)), hex(B.hmac(h, bytes(20), m)), `${h} HMAC`);
  }
  for (const h of ['sha256', 'sha384'] as HashName[]) {
    const prk = N.hkdfExtract(h, new Uint8Array(0), bytes(32));
    assert.equal(hex(prk), hex(B.hkdfExtract(h, new Uint8Array(0), bytes(32))), `${h} extract, empty salt`);
    assert.equal(hex(N.hkdfExpand(h, prk, bytes(10), 100)), hex(B.hkdfExpand(h, prk, bytes(10), 100)), `${h} expand`);
  }
});

test('every AEAD: node seals what noble opens and back; a changed byte does not open', () => {
  for (const name of ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305', 'AES-128-CCM', 'AES-256-CCM', 'AES-128-CCM8', 'AES-256-CCM8'] as AeadName[]) {
    const key = bytes(N.aead(name).keyLen, 7);
    const nonce = bytes(12, 3);
    const aad = bytes(13, 5);
    for (const len of [0, 1, 100, 16384]) {
      const pt = bytes(len, 9);
      const sealed = N.aead(name).init(key).seal(nonce, aad, pt);
      assert.equal(hex(sealed), hex(B.aead(name).init(key).seal(nonce, aad, pt)), `${name} ${len}: same ciphertext and tag`);
      assert.equal(hex(B.aead(name).init(key).open(nonce, aad, sealed)!), hex(pt));
      assert.equal(hex(N.aead(name).init(key).open(nonce, aad, sealed)!), hex(pt));
      const bad = sealed.slice();
      bad[bad.length - 1]! ^= 1;
      assert.equal(N.aead(name).init(key).open(nonce, aad, bad), null, `${name}: a changed tag does not open`);
    }
  }
});

test('block ciphers without padding: identical to noble', () => {
  for (const name of ['AES-128-CBC', 'AES-256-CBC', '3DES-EDE-CBC'] as BlockCipherName[]) {
    const c = N.blockCipher(name);
    const key = bytes(c.keyLen, 2);
    const iv = bytes(c.blockLen, 4);
    const data = bytes(c.blockLen * 5, 6);
    const enc = c.init(key).encrypt(iv, data);
    assert.equal(hex(enc), hex(B.blockCipher(name).init(key).encrypt(iv, data)), name);
    assert.equal(hex(c.init(key).decrypt(iv, enc)), hex(data));
    assert.throws(() => c.init(key).encrypt(iv, bytes(c.blockLen + 1)), RangeError);
  }
});

test('key exchange: node and noble agree on every group, either side starting; bad shares are refused', () => {
  for (const g of [NamedGroup.x25519, NamedGroup.x448, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1, NamedGroup.ffdhe2048, NamedGroup.X25519MLKEM768]) {
    for (const [a, b] of [[N, B], [B, N], [N, N]] as const) {
      const start = a.keyExchange(g)!.start();
      const reply = b.keyExchange(g)!.respond(start.share);
      assert.equal(hex(a.keyExchange(g)!.finish(start.secret, reply.share)), hex(reply.sharedSecret), `group ${g}`);
    }
  }
  assert.throws(() => N.keyExchange(NamedGroup.x25519)!.respond(new Uint8Array(32)), /all zeros|not usable/);
  assert.throws(() => N.keyExchange(NamedGroup.secp256r1)!.respond(bytes(65)), /not a point|uncompressed/);
});

test('signature checks: what noble accepts and refuses, node does too, for every fixture key and scheme', () => {
  const msg = bytes(200);
  for (const f of ['ec-p256.key', 'ec-p384.key', 'ec-p521.key', 'ed25519.key', 'ed448.key', 'rsa2048.key', 'rsa-pss.key']) {
    const key = loadPrivateKey({ pem: fs.readFileSync(path.resolve('test/fixtures/pki', f), 'utf8') });
    const signer = signerFor(key);
    const spki = publicSpkiOf(key);
    for (const s of signer.schemes) {
      const sig = signer.sign(s, msg);
      assert.equal(N.verify(s, spki, msg, sig), true, `${f} ${s.toString(16)}`);
      const bad = sig.slice();
      bad[bad.length >> 1]! ^= 1;
      assert.equal(N.verify(s, spki, msg, bad), B.verify(s, spki, msg, bad), `${f} ${s.toString(16)}: a changed signature`);
    }
  }
});

function run(cfg: Partial<ConnectionConfig>): { c: TlsConnection; s: TlsConnection } {
  const id = identityFromPem(fs.readFileSync(path.resolve('test/fixtures/pki/ec-p256.crt'), 'utf8'), fs.readFileSync(path.resolve('test/fixtures/pki/ec-p256.key'), 'utf8'), 'ec-p256');
  const c = new TlsConnection({ side: 'client', provider: N, ...cfg });
  const s = new TlsConnection({ side: 'server', provider: N, certificateChain: id.chain, signer: id.signer, ...cfg });
  c.start();
  s.start();
  for (let i = 0; i < 10; i++) {
    for (const r of c.takeOutgoing()) s.receive(r);
    for (const r of s.takeOutgoing()) c.receive(r);
  }
  return { c, s };
}

test('whole handshakes on the node provider: TLS 1.3 and TLS 1.2 (GCM, ChaCha, CBC), data both ways', () => {
  for (const cfg of [{}, { maxVersion: 0x0303, cipherSuites12: [0xc02b] }, { maxVersion: 0x0303, cipherSuites12: [0xcca9] }, { maxVersion: 0x0303, cipherSuites12: [0xc009] }]) {
    const { c, s } = run(cfg);
    assert.equal(c.status, 'open', `${JSON.stringify(cfg)}: ${c.error?.message ?? ''} ${s.error?.message ?? ''}`);
    c.write(new TextEncoder().encode('ping'));
    for (const r of c.takeOutgoing()) s.receive(r);
    assert.equal(new TextDecoder().decode(s.read(10)), 'ping');
  }
  assert.equal(providerByName('node').name, 'node');
  assert.equal(providerByName(undefined).name, 'noble');
  assert.throws(() => providerByName('openssl'), /unknown crypto provider/);
});

test('node provider sealRecord: header || seal(header as AAD, content || trailer) in pieces, header first, the content\'s ciphertext never copied; equal to seal() for GCM and ChaCha20; absent for CCM', async () => {
  const { nodeProvider } = await import('../../engine/crypto/node-provider');
  const p = nodeProvider();
  for (const name of ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305', 'AES-128-CCM'] as const) {
    const aead = p.aead(name);
    const k = aead.init(new Uint8Array(aead.keyLen).fill(3));
    const nonce = new Uint8Array(12).fill(9);
    const header = Uint8Array.of(23, 3, 3, 0, 0);
    const content = new Uint8Array(1000).map((_, i) => i);
    const trailer = Uint8Array.of(22, 0, 0);
    if (name === 'AES-128-CCM') {
      assert.equal(k.sealRecord, undefined);
      continue;
    }
    const joined = new Uint8Array([...content, ...trailer]);
    const expected = new Uint8Array([...header, ...k.seal(nonce, header, joined)]);
    const pieces = k.sealRecord!(nonce, header, content, trailer);
    assert.equal(pieces[0], header, `${name}: the header goes out as given`);
    assert.equal(pieces[1]!.length, content.length, `${name}: the content's ciphertext is one piece`);
    assert.deepEqual(concatBytes(pieces), expected, name);
    assert.deepEqual(k.open(nonce, header, expected.subarray(5)), joined);
  }
});
