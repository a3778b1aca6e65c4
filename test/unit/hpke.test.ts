// HPKE (RFC 9180) against its own known answers: appendix A.1.1 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// AES-128-GCM) and A.2.1 (the same with ChaCha20Poly1305), base mode: DeriveKeyPair, Encap/Decap, the key
// schedule, six encryptions each in sequence order (the nonce for sequence numbers 0, 1, 2, 4, 255 and 256),
// and the exports. The fixture was copied from the RFC's text (test/fixtures/hpke/rfc9180-base-x25519.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vectors from '../fixtures/hpke/rfc9180-base-x25519.json';
import { decap, deriveKeyPair, HpkeError, setupBaseR, setupBaseS, x25519PrivateKeyFromPem, x25519PrivateKeyToPem, generateKeyPair, publicKeyOf, hpkeSupported } from '../../engine/crypto/hpke';
import { fromHex, toHex } from '../../engine/util/hex';

for (const v of vectors.vectors) {
  const suite = { kem: v.kem_id, kdf: v.kdf_id, aead: v.aead_id };

  test(`RFC 9180 appendix ${v.section}: DeriveKeyPair for the ephemeral and recipient keys (section 7.1.3)`, () => {
    const e = deriveKeyPair(fromHex(v.ikmE));
    assert.equal(toHex(e.privateKey), v.skEm);
    assert.equal(toHex(e.publicKey), v.pkEm);
    const r = deriveKeyPair(fromHex(v.ikmR));
    assert.equal(toHex(r.privateKey), v.skRm);
    assert.equal(toHex(r.publicKey), v.pkRm);
  });

  test(`RFC 9180 appendix ${v.section}: SetupBaseS gives enc, the key schedule and the encryptions; SetupBaseR opens them (sections 5.1, 5.2)`, () => {
    const { enc, context: s } = setupBaseS(suite, fromHex(v.pkRm), fromHex(v.info), fromHex(v.ikmE));
    assert.equal(toHex(enc), v.enc);
    assert.equal(toHex(decap(enc, fromHex(v.skRm))), v.shared_secret);
    const ks = s.keySchedule;
    assert.equal(toHex(ks.keyScheduleContext), v.key_schedule_context);
    assert.equal(toHex(ks.secret), v.secret);
    assert.equal(toHex(ks.key), v.key);
    assert.equal(toHex(ks.baseNonce), v.base_nonce);
    assert.equal(toHex(ks.exporterSecret), v.exporter_secret);
    const r = setupBaseR(suite, enc, fromHex(v.skRm), fromHex(v.info));
    // The vectors skip sequence numbers: seal throwaway messages to reach each one, in order.
    for (const x of v.encryptions) {
      while (s.sequence < x.seq) r.open(new Uint8Array(0), s.seal(new Uint8Array(0), new Uint8Array(0)));
      const ct = s.seal(fromHex(x.aad), fromHex(x.pt));
      assert.equal(toHex(ct), x.ct, `sequence ${x.seq}`);
      assert.equal(toHex(r.open(fromHex(x.aad), ct)), x.pt, `sequence ${x.seq} opens`);
    }
    for (const x of v.exports) {
      assert.equal(toHex(s.export(fromHex(x.context), x.L)), x.value, `export ${x.context || '(empty)'}`);
      assert.equal(toHex(r.export(fromHex(x.context), x.L)), x.value);
    }
  });

  test(`RFC 9180 appendix ${v.section}: a changed ciphertext or AAD is an OpenError and does not move the sequence number`, () => {
    const { enc, context: s } = setupBaseS(suite, fromHex(v.pkRm), fromHex(v.info));
    const r = setupBaseR(suite, enc, fromHex(v.skRm), fromHex(v.info));
    const ct = s.seal(fromHex('0102'), fromHex(v.encryptions[0]!.pt));
    const bad = ct.slice();
    bad[0]! ^= 1;
    assert.throws(() => r.open(fromHex('0102'), bad), (e: unknown) => e instanceof HpkeError && e.kind === 'OpenError');
    assert.throws(() => r.open(fromHex('0103'), ct), (e: unknown) => e instanceof HpkeError && e.kind === 'OpenError');
    assert.equal(r.sequence, 0);
    assert.equal(toHex(r.open(fromHex('0102'), ct)), v.encryptions[0]!.pt);
  });
}

test('RFC 9180 section 7.1.4: a small-order X25519 public key (all-zero shared secret) is a ValidationError', () => {
  const skR = deriveKeyPair(fromHex(vectors.vectors[0]!.ikmR)).privateKey;
  assert.throws(() => decap(new Uint8Array(32), skR), (e: unknown) => e instanceof HpkeError && e.kind === 'ValidationError');
  assert.throws(() => decap(new Uint8Array(31), skR), (e: unknown) => e instanceof HpkeError && e.kind === 'DeserializeError');
});

test('unsupported suites are refused by name before any key work', () => {
  assert.equal(hpkeSupported(0x0020, 1, 1), true);
  assert.equal(hpkeSupported(0x0010, 1, 1), false);
  assert.throws(() => setupBaseS({ kem: 0x0020, kdf: 2, aead: 1 }, generateKeyPair().publicKey, new Uint8Array(0)), /HKDF-SHA384.*not implemented/);
});

test('an X25519 key survives PKCS#8 PEM (as openssl genpkey -algorithm X25519 writes it)', () => {
  const kp = generateKeyPair();
  const pem = x25519PrivateKeyToPem(kp.privateKey);
  assert.match(pem, /^-----BEGIN PRIVATE KEY-----/);
  assert.deepEqual(x25519PrivateKeyFromPem(pem), kp.privateKey);
  assert.deepEqual(publicKeyOf(kp.privateKey), kp.publicKey);
});
