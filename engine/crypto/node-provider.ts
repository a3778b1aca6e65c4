// The node:crypto provider: the same CryptoProvider as noble.ts, on OpenSSL inside Node, which uses the hardware
// (AES-NI, PCLMUL) and native big-number code. Cipher state is made per record by node:crypto itself (its
// createCipheriv is cheap next to noble's key expansion); groups Node lacks (ffdhe, ML-KEM hybrids) come from
// noble. Results are byte-identical to noble's: the provider tests run both over the same vectors.
import {
  createCipheriv, createDecipheriv, createECDH, createHash, createHmac, createPublicKey,
  diffieHellman, generateKeyPairSync, randomFillSync, verify as nodeVerify, constants as nodeConstants,
  type CipherGCMTypes, type KeyObject,
} from 'node:crypto';
import {
  KeyExchangeError, type Aead, type AeadKey, type AeadName, type BlockCipher, type BlockCipherName, type CryptoProvider,
  type Hash, type HashContext, type HashName, type KeyExchange, type KeyExchangeSecret,
} from './provider';
import { nobleProvider, schemeInfo } from './noble';
import { spkiInfo, spkiKeyObject } from './public-key-cache';
import { NamedGroup } from '../registry/groups';

const HASH_SIZES: Record<HashName, [number, number]> = {
  md5: [16, 64], sha1: [20, 64], sha224: [28, 64], sha256: [32, 64], sha384: [48, 128], sha512: [64, 128],
};

function hashObject(name: HashName): Hash {
  const [outputLen, blockLen] = HASH_SIZES[name];
  const wrap = (h: ReturnType<typeof createHash>): HashContext => ({
    update(data) {
      h.update(data);
      return this;
    },
    digest: () => new Uint8Array(h.copy().digest()),
    clone: () => wrap(h.copy()),
  });
  return { name, outputLen, blockLen, digest: (d) => new Uint8Array(createHash(name).update(d).digest()), create: () => wrap(createHash(name)) };
}

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

const AEADS: Record<AeadName, { cipher: string; keyLen: number; tagLen: number; ccm: boolean }> = {
  'AES-128-GCM': { cipher: 'aes-128-gcm', keyLen: 16, tagLen: 16, ccm: false },
  'AES-256-GCM': { cipher: 'aes-256-gcm', keyLen: 32, tagLen: 16, ccm: false },
  'CHACHA20-POLY1305': { cipher: 'chacha20-poly1305', keyLen: 32, tagLen: 16, ccm: false },
  'AES-128-CCM': { cipher: 'aes-128-ccm', keyLen: 16, tagLen: 16, ccm: true },
  'AES-256-CCM': { cipher: 'aes-256-ccm', keyLen: 32, tagLen: 16, ccm: true },
  'AES-128-CCM8': { cipher: 'aes-128-ccm', keyLen: 16, tagLen: 8, ccm: true },
  'AES-256-CCM8': { cipher: 'aes-256-ccm', keyLen: 32, tagLen: 8, ccm: true },
};

function aeadObject(name: AeadName): Aead {
  const a = AEADS[name];
  return {
    name, keyLen: a.keyLen, nonceLen: 12, tagLen: a.tagLen,
    init(keyBytes: Uint8Array): AeadKey {
      const key = Buffer.from(keyBytes); // our copy
      const algo = a.cipher as CipherGCMTypes;
      return {
        seal(nonce, aad, plaintext) {
          const c = createCipheriv(algo, key, nonce, { authTagLength: a.tagLen });
          if (a.ccm) c.setAAD(aad, { plaintextLength: plaintext.length });
          else c.setAAD(aad);
          const body = c.update(plaintext);
          c.final();
          const tag = c.getAuthTag();
          const out = new Uint8Array(body.length + tag.length);
          out.set(body);
          out.set(tag, body.length);
          return out;
        },
        // CCM takes its plaintext in one update() (its length goes first), so only GCM and ChaCha20 stream it.
        ...(a.ccm ? {} : {
          sealRecord(nonce: Uint8Array, header: Uint8Array, content: Uint8Array, trailer: Uint8Array): Uint8Array[] {
            const c = createCipheriv(algo, key, nonce, { authTagLength: a.tagLen });
            c.setAAD(header);
            // GCM and ChaCha20 stream: each update() gives back as many bytes as it took, so the content's
            // ciphertext is one piece and the trailer's (content type, padding) another, never joined.
            const body = c.update(content);
            const tail = c.update(trailer);
            const rest = c.final();
            const pieces: Uint8Array[] = [header, body];
            if (tail.length) pieces.push(tail);
            if (rest.length) pieces.push(rest);
            pieces.push(c.getAuthTag());
            return pieces;
          },
        }),
        open(nonce, aad, ciphertext) {
          if (ciphertext.length < a.tagLen) return null;
          const body = ciphertext.subarray(0, ciphertext.length - a.tagLen);
          try {
            const d = createDecipheriv(algo, key, nonce, { authTagLength: a.tagLen });
            d.setAuthTag(ciphertext.subarray(ciphertext.length - a.tagLen));
            if (a.ccm) d.setAAD(aad, { plaintextLength: body.length });
            else d.setAAD(aad);
            const out = d.update(body);
            d.final(); // throws when the tag does not verify
            return u8(out);
          } catch {
            return null;
          }
        },
      };
    },
  };
}

function blockCipherObject(name: BlockCipherName): BlockCipher {
  const algo = name === 'AES-128-CBC' ? 'aes-128-cbc' : name === 'AES-256-CBC' ? 'aes-256-cbc' : 'des-ede3-cbc';
  const keyLen = name === 'AES-128-CBC' ? 16 : name === 'AES-256-CBC' ? 32 : 24;
  const blockLen = name === '3DES-EDE-CBC' ? 8 : 16;
  return {
    name, keyLen, blockLen,
    init(keyBytes) {
      const key = Buffer.from(keyBytes);
      const run = (enc: boolean, iv: Uint8Array, data: Uint8Array) => {
        if (data.length % blockLen) throw new RangeError(`${name}: ${data.length} bytes is not a whole number of blocks`);
        const c = enc ? createCipheriv(algo, key, iv) : createDecipheriv(algo, key, iv);
        c.setAutoPadding(false);
        const a = c.update(data);
        const b = c.final();
        return b.length ? u8(Buffer.concat([a, b])) : u8(a);
      };
      return { encrypt: (iv, data) => run(true, iv, data), decrypt: (iv, data) => run(false, iv, data) };
    },
  };
}

interface NodeSecret extends KeyExchangeSecret {
  priv: KeyObject | ReturnType<typeof createECDH>;
}

const EC_CURVES: Partial<Record<number, { curve: string; len: number }>> = {
  [NamedGroup.secp256r1]: { curve: 'prime256v1', len: 32 },
  [NamedGroup.secp384r1]: { curve: 'secp384r1', len: 48 },
  [NamedGroup.secp521r1]: { curve: 'secp521r1', len: 66 },
};
const MONT: Partial<Record<number, { type: 'x25519' | 'x448'; len: number }>> = {
  [NamedGroup.x25519]: { type: 'x25519', len: 32 },
  [NamedGroup.x448]: { type: 'x448', len: 56 },
};

function montgomery(group: number, type: 'x25519' | 'x448', len: number): KeyExchange {
  const pub = (k: KeyObject) => new Uint8Array(Buffer.from(String(k.export({ format: 'jwk' }).x), 'base64url'));
  const agree = (priv: KeyObject, peer: Uint8Array) => {
    if (peer.length !== len) throw new KeyExchangeError(`a ${type} share must be ${len} bytes, got ${peer.length}`);
    let z: Uint8Array;
    try {
      const publicKey = createPublicKey({ key: { kty: 'OKP', crv: type === 'x25519' ? 'X25519' : 'X448', x: Buffer.from(peer).toString('base64url') }, format: 'jwk' });
      z = u8(diffieHellman({ privateKey: priv, publicKey }));
    } catch (e) {
      throw new KeyExchangeError(`the ${type} share is not usable: ${(e as Error).message}`);
    }
    // RFC 7748 section 6.1 / RFC 8446 section 7.4.2: an all-zero shared secret means a small-order point.
    if (z.every((b) => b === 0)) throw new KeyExchangeError(`the ${type} shared secret is all zeros (a small-order point, RFC 7748 section 6.1)`);
    return z;
  };
  const keyPair = () => (type === 'x25519' ? generateKeyPairSync('x25519') : generateKeyPairSync('x448'));
  return {
    group,
    start() {
      const { privateKey, publicKey } = keyPair();
      return { share: pub(publicKey), secret: { group, priv: privateKey } as NodeSecret };
    },
    respond(clientShare) {
      const { privateKey, publicKey } = keyPair();
      return { share: pub(publicKey), sharedSecret: agree(privateKey, clientShare) };
    },
    finish(secret, serverShare) {
      return agree((secret as NodeSecret).priv as KeyObject, serverShare);
    },
  };
}

function nist(group: number, curve: string, len: number): KeyExchange {
  const agree = (ecdh: ReturnType<typeof createECDH>, peer: Uint8Array) => {
    // RFC 8446 section 4.2.8.2: uncompressed points only.
    if (peer.length !== 1 + 2 * len || peer[0] !== 4) throw new KeyExchangeError(`a ${curve} share must be an uncompressed point of ${1 + 2 * len} bytes`);
    try {
      return u8(ecdh.computeSecret(peer)); // the x-coordinate, as TLS uses it
    } catch (e) {
      throw new KeyExchangeError(`the ${curve} share is not a point on the curve: ${(e as Error).message}`);
    }
  };
  const fresh = () => {
    const ecdh = createECDH(curve);
    ecdh.generateKeys();
    return { ecdh, share: u8(ecdh.getPublicKey()) };
  };
  return {
    group,
    start() {
      const { ecdh, share } = fresh();
      return { share, secret: { group, priv: ecdh } as NodeSecret };
    },
    respond(clientShare) {
      const { ecdh, share } = fresh();
      return { share, sharedSecret: agree(ecdh, clientShare) };
    },
    finish(secret, serverShare) {
      return agree((secret as NodeSecret).priv as ReturnType<typeof createECDH>, serverShare);
    },
  };
}

/** Verifies with node:crypto; false on any mismatch or malformed input (never throws), as noble.ts's verifySignature. */
export function nodeVerifySignature(scheme: number, spki: Uint8Array, message: Uint8Array, signature: Uint8Array, tls12 = false): boolean {
  const info = schemeInfo(scheme, tls12);
  if (!info) return false;
  try {
    const k = spkiInfo(spki);
    const key = spkiKeyObject(spki);
    switch (info.kind) {
      case 'ecdsa':
        if (k.algorithm !== 'EC' || (info.curve && info.curve !== k.curve)) return false;
        return nodeVerify(info.hash, message, { key, dsaEncoding: 'der' }, signature);
      case 'eddsa':
        if (k.algorithm !== info.alg) return false;
        return nodeVerify(null, message, key, signature);
      case 'rsa-pkcs1':
        if (k.algorithm !== 'RSA') return false;
        return nodeVerify(info.hash, message, { key, padding: nodeConstants.RSA_PKCS1_PADDING }, signature);
      case 'rsa-pss': {
        if (k.algorithm !== info.keyAlg) return false;
        const saltLength = HASH_SIZES[info.hash][0];
        return nodeVerify(info.hash, message, { key, padding: nodeConstants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
      }
    }
  } catch {
    return false;
  }
}

/**
 * The node:crypto provider. `random` is Node's CSPRNG; tests that need fixed randomness (RFC 8448) use noble's
 * provider, whose key shares derive from the injected bytes.
 */
export function nodeProvider(): CryptoProvider {
  const fallback = nobleProvider();
  return {
    hash: hashObject,
    hmac: (hash, key, data) => u8(createHmac(hash, key).update(data).digest()),
    // HMAC pads its key with zeros, so an empty salt is the RFC 5869 default of HashLen zeros.
    hkdfExtract: (hash, salt, ikm) => u8(createHmac(hash, salt).update(ikm).digest()),
    hkdfExpand: (hash, prk, info, length) => {
      // RFC 5869 section 2.3; node's hkdfSync always extracts first, and TLS needs expand alone.
      const out = new Uint8Array(length);
      let t: Uint8Array = new Uint8Array(0);
      for (let off = 0, i = 1; off < length; i++) {
        t = u8(createHmac(hash, prk).update(t).update(info).update(new Uint8Array([i])).digest());
        out.set(t.subarray(0, Math.min(t.length, length - off)), off);
        off += t.length;
      }
      return out;
    },
    aead: aeadObject,
    blockCipher: blockCipherObject,
    keyExchange: (group) => {
      const ec = EC_CURVES[group];
      if (ec) return nist(group, ec.curve, ec.len);
      const m = MONT[group];
      if (m) return montgomery(group, m.type, m.len);
      return fallback.keyExchange(group); // ffdhe and the ML-KEM hybrids
    },
    verify: (scheme, spki, message, signature, o) => nodeVerifySignature(scheme, spki, message, signature, o?.tls12 ?? false),
    random: (n) => {
      const out = new Uint8Array(n);
      randomFillSync(out);
      return out;
    },
    name: 'node',
  };
}

/** Which provider a name means (CLI --crypto, the tlsLens.crypto setting). */
export function providerByName(name: string | undefined): CryptoProvider {
  if (name === undefined || name === 'noble') return nobleProvider();
  if (name === 'node') return nodeProvider();
  throw new Error(`unknown crypto provider "${name}": use noble or node`);
}

