// Key derivation of SSL 3.0 and TLS 1.0-1.2 (engine/handshake/tls12/prf.ts).
// Known answers:
//   - the TLS 1.2 PRF vectors posted to the IETF TLS list (msg03416: P_SHA224/256/384/512, "test label"), as
//     carried by latchset/kryoptic src/tests/tls.rs and tompetersen/bachelor-thesis PseudoRandomFunction.java;
//   - NIST CAVP SP 800-135 TLS KDF vectors, [TLS 1.2, SHA-256] and [TLS 1.2, SHA-384] COUNT = 0 (master secret
//     and 1024-bit key block), checked against `openssl kdf` before they were copied here;
//   - golang/go src/crypto/tls/prf_test.go (commit 04ca921e), vectors Go generated with GnuTLS: three TLS 1.0
//     and one SSL 3.0 master secret and key block (the SSL 3.0 one from Go before it dropped SSL 3.0).
// Cross-checks at test time: `openssl kdf ... TLS1-PRF` (SHA256, SHA384, MD5-SHA1) on random inputs, and the
// master secret, extended master secret, key block and Finished rebuilt from RFC 5246/2246/7627 with openssl
// computing each PRF. SSL 3.0 Finished and CertificateVerify have no published vectors we could find; they are
// checked against the RFC 6101 section 5.6.8/5.6.9 formulas spelled out here over node:crypto's MD5 and SHA-1.
// openssl is required: without it these tests fail (they never skip).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { nobleProvider } from '../../engine/crypto/noble';
import {
  SSL3, TLS10, TLS11, TLS12,
  deriveKeyBlock, extendedMasterSecret, finishedVerifyData, handshakeHash, keyBlockLayout, masterSecret,
  pHash, prf, prf10, prf12, ssl3CertificateVerify, ssl3Derive, ssl3Finished, suiteAllowed, tlsFinished, writeKeys,
} from '../../engine/handshake/tls12/prf';
import { suiteByCode, type CipherSuite } from '../../engine/registry/suites';
import { fromHex, toHex } from '../../engine/util/hex';

const P = nobleProvider();
const ascii = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const suite = (code: number): CipherSuite => {
  const s = suiteByCode(code);
  if (!s) throw new Error(`no suite 0x${code.toString(16)}`);
  return s;
};

const AES128_SHA = suite(0x002f); // TLS_RSA_WITH_AES_128_CBC_SHA: SSL 3.0 .. TLS 1.2
const AES256_SHA = suite(0x0035);
const AES256_SHA256 = suite(0x003d);
const ECDHE_AES128_GCM = suite(0xc02f);
const ECDHE_AES256_GCM = suite(0xc030); // PRF SHA-384
const ECDHE_CHACHA = suite(0xcca8);
const DES3_SHA = suite(0x000a);

/** `openssl kdf` TLS1-PRF: digest SHA256, SHA384 or MD5-SHA1 (TLS 1.0/1.1). Throws, naming openssl, if it is missing. */
function opensslPrf(digest: 'SHA256' | 'SHA384' | 'MD5-SHA1', secret: Uint8Array, labelSeed: Uint8Array, length: number): Uint8Array {
  let out: string;
  try {
    out = execFileSync('openssl', ['kdf', '-keylen', String(length), '-kdfopt', `digest:${digest}`, '-kdfopt', `hexsecret:${toHex(secret)}`, '-kdfopt', `hexseed:${toHex(labelSeed)}`, 'TLS1-PRF'], { encoding: 'utf8' });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new Error('openssl is not installed: these tests need the openssl command (scripts/install-test-deps.sh installs it)');
    throw e;
  }
  return fromHex(out);
}

// ---------------------------------------------------------------------------------------------------------------
// Published vectors

// IETF TLS list msg03416 (P_<hash> with label "test label").
const IETF = [
  { hash: 'sha224' as const, secret: 'e18828740352b530d69b34c6597dea2e', seed: 'f5a3fe6d34e2e28560fdcaf6823f9091',
    out: '224d8af3c0453393a9779789d21cf7da5ee62ae6b617873d489428efc8dd58d1566e7029e2ca3a5ecd355dc64d4d927e2fbd78c4233e8604b14749a77a92a70fddf614bc0df623d798604e4ca5512794d802a258e82f86cf' },
  { hash: 'sha256' as const, secret: '9bbe436ba940f017b17652849a71db35', seed: 'a0ba9f936cda311827a6f796ffd5198c',
    out: 'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66' },
  { hash: 'sha384' as const, secret: 'b80b733d6ceefcdc71566ea48e5567df', seed: 'cd665cf6a8447dd6ff8b27555edb7465',
    out: '7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f' },
  { hash: 'sha512' as const, secret: 'b0323523c1853599584d88568bbb05eb', seed: 'd4640e12e4bcdbfb437f03e6ae418ee5',
    out: '1261f588c798c5c201ff036e7a9cb5edcd7fe3f94c669a122a4638d7d508b283042df6789875c7147e906d868bc75c45e20eb40c1cf4a1713b27371f68432592f7dc8ea8ef223e12ea8507841311bf68653d0cfc4056d811f025c45ddfa6e6fec702f054b409d6f28dd0a3233e498da41a3e75c5630eedbe22fe254e33a1b0e9f6b9826675bec7d01a845658dc9c397545401d40b9f46c7a400ee1b8f81ca0a60d1a397a1028bff5d2ef5066126842fb8da4197632bdb54ff6633f86bbc836e640d4d898' },
];

test('TLS 1.2 PRF: the IETF TLS list vectors for SHA-224, SHA-256, SHA-384 and SHA-512', () => {
  for (const v of IETF) {
    const out = prf12(P, v.hash, fromHex(v.secret), 'test label', fromHex(v.seed), v.out.length / 2);
    assert.equal(toHex(out), v.out, v.hash);
    // and P_hash is the PRF with the label folded into the seed
    assert.equal(toHex(pHash(P, v.hash, fromHex(v.secret), cat(ascii('test label'), fromHex(v.seed)), 20)), v.out.slice(0, 40));
  }
});

// NIST CAVP SP 800-135 TLS KDF, COUNT = 0 of [TLS 1.2, SHA-256] and [TLS 1.2, SHA-384]. The master secret uses
// the hello randoms, the key block separate server/client randoms (the CAVP layout).
const CAVP = [
  { suite: AES256_SHA256, hash: 'sha256',
    pms: 'f8938ecc9edebc5030c0c6a441e213cd24e6f770a50dda07876f8d55da062bcadb386b411fd4fe4313a604fce6c17fbc',
    serverHelloRandom: 'f6c9575ed7ddd73e1f7d16eca115415812a43c2b747daaaae043abfb50053fce',
    clientHelloRandom: '36c129d01a3200894b9179faac589d9835d58775f9b5ea3587cb8fd0364cae8c',
    serverRandom: 'ae6c806f8ad4d80784549dff28a4b58fd837681a51d928c3e30ee5ff14f39868',
    clientRandom: '62e1fd91f23f558a605f28478c58cf72637b89784d959df7e946d3f07bd1b616',
    master: '202c88c00f84a17a20027079604787461176455539e705be730890602c289a5001e34eeb3a043e5d52a65e66125188bf',
    keyBlock: 'd06139889fffac1e3a71865f504aa5d0d2a2e89506c6f2279b670c3e1b74f531016a2530c51a3a0f7e1d6590d0f0566b2f387f8d11fd4f731cdd572d2eae927f6f2f81410b25e6960be68985add6c38445ad9f8c64bf8068bf9a6679485d966f1ad6f68b43495b10a683755ea2b858d70ccac7ec8b053c6bd41ca299d4e51928' },
  { suite: suite(0xc028), hash: 'sha384', // ECDHE-RSA-AES256-SHA384
    pms: 'a5e2642633f5b8c81ad3fe0c2fe3a8e5ef806b06121dd10df4bb0fe857bfdcf522558e05d2682c9a80c741a3aab1716f',
    serverHelloRandom: 'cb6e0b3eb02976b6466dfa9651c2919414f1648fd3a7838d02153e5bd39535b6',
    clientHelloRandom: 'abe4bf5527429ac8eb13574d2709e8012bd1a113c6d3b1d3aa2c3840518778ac',
    serverRandom: '1b1c8568344a65c30828e7483c0e353e2c68641c9551efae6927d9cd627a107c',
    clientRandom: '954b5fe1849c2ede177438261f099a2fcd884d001b9fe1de754364b1f6a6dd8e',
    master: 'b4d49bfa87747fe815457bc3da15073d6ac73389e703079a3503c09e14bd559a5b3c7c601c7365f6ea8c68d3d9596827',
    keyBlock: '10fd89ef689c7ef033387b8a8f3e5e8e7c11f680f6bdd71fbac3246a73e98d45d03185dde686e6b2369e4503e9dc5a6d2cee3e2bf2fa3f41d3de57dff3e197c8a9d5f74cc2d277119d894f8584b07a0a5822f0bd68b3433ec6adaf5c9406c5f3ddbb71bbe17ce98f3d4d5893d3179ef369f57aad908e2bf710639100c3ce7e0c' },
];

test('TLS 1.2 master secret and key block: NIST CAVP SP 800-135 [TLS 1.2, SHA-256] and [SHA-384] COUNT = 0', () => {
  for (const v of CAVP) {
    assert.equal(v.suite.prfHash, v.hash);
    const ms = masterSecret(P, TLS12, v.suite, fromHex(v.pms), fromHex(v.clientHelloRandom), fromHex(v.serverHelloRandom));
    assert.equal(toHex(ms), v.master, `${v.hash} master secret`);
    const kb = deriveKeyBlock(P, TLS12, v.suite, ms, fromHex(v.clientRandom), fromHex(v.serverRandom));
    // AES-256-CBC with SHA-256/384 MACs: the CAVP block's 128 bytes are MAC keys and keys, in the RFC's order
    // (the SHA-384 suite needs 160 of them, the SHA-256 one 128, plus IVs after them).
    const flat = toHex(cat(kb.clientMacKey, kb.serverMacKey, kb.clientKey, kb.serverKey, kb.clientIv, kb.serverIv));
    assert.equal(flat.slice(0, 256), v.keyBlock, `${v.hash} key block`);
  }
});

// golang/go src/crypto/tls/prf_test.go: vectors generated from GnuTLS (gnutls-cli -d 9).
// The last TLS 1.0 vector and the SSL 3.0 one share their premaster secret and randoms.
const GO_SHARED = {
    pms: '832d515f1d61eebb2be56ba0ef79879efb9b527504abb386fb4310ed5d0e3b1f220d3bb6b455033a2773e6d8bdf951d278a187482b400d45deb88a5d5a6bb7d6a7a1decc04eb9ef0642876cd4a82d374d3b6ff35f0351dc5d411104de431375355addc39bfb1f6329fb163b0bc298d658338930d07d313cd980a7e3d9196cac1',
    clientRandom: '4ae663b2ee389c0de147c509d8f18f5052afc4aaf9699efe8cb05ece883d3a5e',
    serverRandom: '4ae664d503fd4cff50cfc1fb8fc606580f87b0fcdac9554ba0e01d785bdf278e',
};
const GO = [
  { version: TLS10, pms: '0302cac83ad4b1db3b9ab49ad05957de2a504a634a386fc600889321e1a971f57479466830ac3e6f468e87f5385fa0c5',
    clientRandom: '4ae66303755184a3917fcb44880605fcc53baa01912b22ed94473fc69cebd558',
    serverRandom: '4ae663020ec16e6bb5130be918cfcafd4d765979a3136a5d50c593446e4e44db',
    master: '3d851bab6e5556e959a16bc36d66cfae32f672bfa9ecdef6096cbb1b23472df1da63dbbd9827606413221d149ed08ceb',
    clientMac: '805aaa19b3d2c0a0759a4b6c9959890e08480119', serverMac: '2d22f9fe519c075c16448305ceee209fc24ad109',
    clientKey: 'd50b5771244f850cd8117a9ccafe2cf1', serverKey: 'e076e33206b30507a85c32855acd0919' },
  { version: TLS10, pms: '03023f7527316bc12cbcd69e4b9e8275d62c028f27e65c745cfcddc7ce01bd3570a111378b63848127f1c36e5f9e4890',
    clientRandom: '4ae66364b5ea56b20ce4e25555aed2d7e67f42788dd03f3fee4adae0459ab106',
    serverRandom: '4ae66363ab815cbf6a248b87d6b556184e945e9b97fbdf247858b0bdafacfa1c',
    master: '7d64be7c80c59b740200b4b9c26d0baaa1c5ae56705acbcf2307fe62beb4728c19392c83f20483801cce022c77645460',
    clientMac: '97742ed60a0554ca13f04f97ee193177b971e3b0', serverMac: '37068751700400e03a8477a5c7eec0813ab9e0dc',
    clientKey: '207cddbc600d2a200abac6502053ee5c', serverKey: 'df3f94f6e1eacc753b815fe16055cd43' },
  { version: TLS10,
    ...GO_SHARED,
    master: '1aff2e7a2c4279d0126f57a65a77a8d9d0087cf2733366699bec27eb53d5740705a8574bb1acc2abbe90e44f0dd28d6c',
    clientMac: '3c7647c93c1379a31a609542aa44e7f117a70085', serverMac: '0d73102994be74a575a3ead8532590ca32a526d4',
    clientKey: 'ac7581b0b6c10d85bbd905ffbf36c65e', serverKey: 'ff07edde49682b45466bd2e39464b306' },
  { version: SSL3,
    ...GO_SHARED,
    master: 'a614863e56299dcffeea2938f22c2ba023768dbe4b3f6877bc9c346c6ae529b51d9cb87ff9695ea4d01f2205584405b2',
    clientMac: '2c450d5b6f6e2013ac6bea6a0b32200d4e1ffb94', serverMac: '7a7a7438769536f2fb1ae49a61f0703b79b2dc53',
    clientKey: 'f8f6b26c10f12855c9aafb1e0e839ccf', serverKey: '2b9d4b4a60cb7f396780ebff50650419' },
];

test('TLS 1.0 and SSL 3.0 master secret and key block: Go crypto/tls prf_test.go vectors (generated with GnuTLS)', () => {
  for (const [i, v] of GO.entries()) {
    const cr = fromHex(v.clientRandom);
    const sr = fromHex(v.serverRandom);
    // 20-byte MAC keys and 16-byte keys: AES-128-CBC-SHA, which SSL 3.0 and TLS 1.0 both allow
    const ms = masterSecret(P, v.version, AES128_SHA, fromHex(v.pms), cr, sr);
    assert.equal(toHex(ms), v.master, `#${i} master secret`);
    const kb = deriveKeyBlock(P, v.version, AES128_SHA, ms, cr, sr);
    assert.deepEqual([toHex(kb.clientMacKey), toHex(kb.serverMacKey), toHex(kb.clientKey), toHex(kb.serverKey)],
      [v.clientMac, v.serverMac, v.clientKey, v.serverKey], `#${i} key block`);
    assert.equal(kb.clientIv.length, 16);
    const w = writeKeys(kb, 'server');
    assert.deepEqual([w.macKey, w.key, w.iv], [kb.serverMacKey, kb.serverKey, kb.serverIv]);
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Cross-checks against OpenSSL

test('TLS 1.2 PRF equals openssl kdf TLS1-PRF (SHA256 and SHA384) on random inputs', () => {
  for (let i = 0; i < 12; i++) {
    const hash = i % 2 ? 'sha384' : 'sha256';
    const secret = randomBytes(randomInt(1, 80));
    const label = `label ${randomBytes(4).toString('hex')}`;
    const seed = randomBytes(randomInt(0, 100));
    const len = randomInt(1, 200);
    const theirs = opensslPrf(hash === 'sha256' ? 'SHA256' : 'SHA384', secret, cat(ascii(label), seed), len);
    assert.equal(toHex(prf12(P, hash, secret, label, seed, len)), toHex(theirs), `${hash}, ${secret.length}-byte secret, ${len} bytes`);
  }
});

test('TLS 1.0/1.1 PRF equals openssl kdf TLS1-PRF with MD5-SHA1, odd secret lengths included (S1 and S2 overlap)', () => {
  for (const secretLen of [1, 2, 3, 47, 48, 49, 64, 97]) {
    const secret = randomBytes(secretLen);
    const seed = randomBytes(64);
    const len = randomInt(1, 150);
    const theirs = opensslPrf('MD5-SHA1', secret, cat(ascii('key expansion'), seed), len);
    assert.equal(toHex(prf10(P, secret, 'key expansion', seed, len)), toHex(theirs), `${secretLen}-byte secret`);
    assert.equal(toHex(prf(P, TLS11, AES128_SHA, secret, 'key expansion', seed, len)), toHex(theirs), 'TLS 1.1 uses the same PRF');
  }
});

test('master secret, extended master secret, key block and Finished rebuilt from the RFCs with openssl as the PRF', () => {
  const cases: Array<{ version: number; s: CipherSuite; digest: 'SHA256' | 'SHA384' | 'MD5-SHA1' }> = [
    { version: TLS10, s: AES128_SHA, digest: 'MD5-SHA1' },
    { version: TLS11, s: DES3_SHA, digest: 'MD5-SHA1' },
    { version: TLS12, s: ECDHE_AES128_GCM, digest: 'SHA256' },
    { version: TLS12, s: ECDHE_AES256_GCM, digest: 'SHA384' },
    { version: TLS12, s: ECDHE_CHACHA, digest: 'SHA256' },
  ];
  for (const { version, s, digest } of cases) {
    const what = `${s.openssl} v0x${version.toString(16)}`;
    const pms = randomBytes(48);
    const cr = randomBytes(32);
    const sr = randomBytes(32);
    const messages = randomBytes(700);
    // RFC 5246 section 8.1: PRF(pms, "master secret", ClientHello.random + ServerHello.random)[0..47]
    const ms = opensslPrf(digest, pms, cat(ascii('master secret'), cr, sr), 48);
    assert.equal(toHex(masterSecret(P, version, s, pms, cr, sr)), toHex(ms), `${what} master secret`);
    // RFC 7627 section 4 over session_hash = Hash(handshake_messages), section 3's Hash
    const sessionHash = digest === 'MD5-SHA1'
      ? cat(createHash('md5').update(messages).digest(), createHash('sha1').update(messages).digest())
      : createHash(digest.toLowerCase()).update(messages).digest();
    assert.equal(toHex(handshakeHash(P, version, s, messages)), toHex(sessionHash), `${what} handshake hash`);
    const ems = opensslPrf(digest, pms, cat(ascii('extended master secret'), sessionHash), 48);
    assert.equal(toHex(extendedMasterSecret(P, version, s, pms, new Uint8Array(sessionHash))), toHex(ems), `${what} extended master secret`);
    // RFC 5246 section 6.3: PRF(master, "key expansion", server_random + client_random)
    const layout = keyBlockLayout(version, s);
    const kbBytes = opensslPrf(digest, ms, cat(ascii('key expansion'), sr, cr), layout.total);
    const kb = deriveKeyBlock(P, version, s, ms, cr, sr);
    assert.equal(toHex(cat(kb.clientMacKey, kb.serverMacKey, kb.clientKey, kb.serverKey, kb.clientIv, kb.serverIv)), toHex(kbBytes), `${what} key block`);
    // RFC 5246 section 7.4.9: PRF(master, finished_label, Hash(handshake_messages))[0..11]
    for (const sender of ['client', 'server'] as const) {
      const vd = opensslPrf(digest, ms, cat(ascii(`${sender} finished`), sessionHash), 12);
      assert.equal(toHex(tlsFinished(P, version, s, ms, sender, new Uint8Array(sessionHash))), toHex(vd), `${what} ${sender} Finished`);
      assert.equal(toHex(finishedVerifyData(P, version, s, ms, sender, messages)), toHex(vd), `${what} ${sender} Finished from messages`);
    }
  }
});

// ---------------------------------------------------------------------------------------------------------------
// SSL 3.0

/** RFC 6101 section 6.1/6.2.2 spelled out with node:crypto: MD5(secret + SHA('A' + secret + seed)) + ... */
function ssl3DeriveByHand(secret: Uint8Array, seed: Uint8Array, length: number): string {
  let out = Buffer.alloc(0);
  for (let i = 1; out.length < length; i++) {
    const inner = createHash('sha1').update(Buffer.alloc(i, 0x40 + i)).update(secret).update(seed).digest();
    out = Buffer.concat([out, createHash('md5').update(secret).update(inner).digest()]);
  }
  return out.subarray(0, length).toString('hex');
}

/** RFC 6101 sections 5.6.8/5.6.9 spelled out: hash(master + pad2 + hash(messages + sender + master + pad1)). */
function ssl3HashesByHand(master: Uint8Array, messages: Uint8Array, sender: Uint8Array): string {
  const part = (alg: 'md5' | 'sha1', n: number) => {
    const inner = createHash(alg).update(messages).update(sender).update(master).update(Buffer.alloc(n, 0x36)).digest();
    return createHash(alg).update(master).update(Buffer.alloc(n, 0x5c)).update(inner).digest('hex');
  };
  return part('md5', 48) + part('sha1', 40);
}

test('SSL 3.0 derivation equals RFC 6101 sections 6.1 and 6.2.2 spelled out over node:crypto', () => {
  for (const len of [0, 1, 16, 48, 104, 136, 416]) {
    const secret = randomBytes(48);
    const seed = randomBytes(64);
    assert.equal(toHex(ssl3Derive(P, secret, seed, len)), ssl3DeriveByHand(secret, seed, len), `${len} bytes`);
  }
  assert.throws(() => ssl3Derive(P, randomBytes(48), randomBytes(64), 417), RangeError, 'past the letter Z');
  // the key block seed is server_random + client_random, the master secret's client_random + server_random
  const pms = randomBytes(48), cr = randomBytes(32), sr = randomBytes(32);
  const ms = masterSecret(P, SSL3, AES256_SHA, pms, cr, sr);
  assert.equal(toHex(ms), ssl3DeriveByHand(pms, cat(cr, sr), 48));
  const kb = deriveKeyBlock(P, SSL3, AES256_SHA, ms, cr, sr);
  assert.equal(toHex(cat(kb.clientMacKey, kb.serverMacKey, kb.clientKey, kb.serverKey, kb.clientIv, kb.serverIv)), ssl3DeriveByHand(ms, cat(sr, cr), 136));
});

test('SSL 3.0 Finished (CLNT/SRVR) and CertificateVerify equal RFC 6101 sections 5.6.8 and 5.6.9 spelled out', () => {
  const master = randomBytes(48);
  const messages = randomBytes(1234);
  const clnt = ssl3Finished(P, master, 'client', messages);
  assert.equal(clnt.length, 36);
  assert.equal(toHex(clnt), ssl3HashesByHand(master, messages, Buffer.from('434c4e54', 'hex')));
  assert.equal(toHex(ssl3Finished(P, master, 'server', messages)), ssl3HashesByHand(master, messages, Buffer.from('SRVR')));
  assert.equal(toHex(finishedVerifyData(P, SSL3, AES128_SHA, master, 'server', messages)), ssl3HashesByHand(master, messages, Buffer.from('SRVR')));
  assert.equal(toHex(ssl3CertificateVerify(P, master, messages)), ssl3HashesByHand(master, messages, new Uint8Array(0)));
  // running MD5/SHA-1 contexts give the same, and are left as they were
  const md5 = P.hash('md5').create().update(messages.subarray(0, 100)).update(messages.subarray(100));
  const sha1 = P.hash('sha1').create().update(messages);
  assert.equal(toHex(ssl3Finished(P, master, 'client', { md5, sha1 })), toHex(clnt));
  assert.equal(toHex(md5.digest()), createHash('md5').update(messages).digest('hex'), 'the caller context is untouched');
});

// ---------------------------------------------------------------------------------------------------------------
// Shapes and refusals

test('key block layout per suite and version: MAC keys, keys, IVs', () => {
  // RFC 4346 section 6.3's note: AES_256_CBC_SHA takes 2 x 32 + 2 x 20 + 2 x 16 = 136 bytes
  assert.deepEqual(keyBlockLayout(TLS11, AES256_SHA), { macKeyLen: 20, keyLen: 32, ivLen: 16, total: 136 });
  assert.deepEqual(keyBlockLayout(SSL3, DES3_SHA), { macKeyLen: 20, keyLen: 24, ivLen: 8, total: 104 });
  assert.deepEqual(keyBlockLayout(TLS12, ECDHE_AES128_GCM), { macKeyLen: 0, keyLen: 16, ivLen: 4, total: 40 }); // RFC 5288: 4-byte salt
  assert.deepEqual(keyBlockLayout(TLS12, ECDHE_CHACHA), { macKeyLen: 0, keyLen: 32, ivLen: 12, total: 88 }); // RFC 7905: 12-byte IV
  assert.deepEqual(keyBlockLayout(TLS12, suite(0xc0a0)), { macKeyLen: 0, keyLen: 16, ivLen: 4, total: 40 }); // CCM_8
  assert.deepEqual(keyBlockLayout(TLS12, suite(0x0001)), { macKeyLen: 16, keyLen: 0, ivLen: 0, total: 32 }); // NULL-MD5
  const kb = deriveKeyBlock(P, TLS12, ECDHE_AES256_GCM, randomBytes(48), randomBytes(32), randomBytes(32));
  assert.deepEqual([kb.clientMacKey.length, kb.clientKey.length, kb.serverKey.length, kb.clientIv.length, kb.serverIv.length], [0, 32, 32, 4, 4]);
});

test('refusals: SSL 3.0 has no PRF, no EMS, no handshake hash; suites outside their versions; bad lengths', () => {
  const ms = randomBytes(48);
  assert.throws(() => prf(P, SSL3, AES128_SHA, ms, 'x', new Uint8Array(0), 12), /SSL 3.0 has no PRF/);
  assert.throws(() => extendedMasterSecret(P, SSL3, AES128_SHA, ms, new Uint8Array(36)), /RFC 7627/);
  assert.throws(() => handshakeHash(P, SSL3, AES128_SHA, new Uint8Array(0)), RangeError);
  assert.throws(() => tlsFinished(P, SSL3, AES128_SHA, ms, 'client', new Uint8Array(36)), /ssl3Finished/);
  assert.throws(() => masterSecret(P, TLS10, ECDHE_AES128_GCM, ms, randomBytes(32), randomBytes(32)), /cannot be used/, 'GCM is TLS 1.2 only (RFC 5288 section 4)');
  assert.throws(() => deriveKeyBlock(P, SSL3, suite(0xc013), ms, randomBytes(32), randomBytes(32)), /cannot be used/, 'ECDHE suites start at TLS 1.0');
  assert.throws(() => keyBlockLayout(0x0304, suite(0x1301)), RangeError, 'TLS 1.3 is not this file');
  assert.throws(() => masterSecret(P, 0x0299, AES128_SHA, ms, randomBytes(32), randomBytes(32)), RangeError);
  assert.throws(() => tlsFinished(P, TLS10, AES128_SHA, ms, 'client', new Uint8Array(32)), /36 bytes/);
  assert.throws(() => tlsFinished(P, TLS12, ECDHE_AES256_GCM, ms, 'client', new Uint8Array(32)), /48 bytes/);
  assert.equal(suiteAllowed(TLS12, suite(0x1301)), false);
  assert.equal(suiteAllowed(SSL3, AES128_SHA), true);
  assert.equal(suiteAllowed(TLS11, ECDHE_CHACHA), false);
  assert.equal(prf12(P, 'sha256', ms, 'x', new Uint8Array(0), 0).length, 0);
});
