// An asynchronous signer on WebCrypto (crypto.subtle): the "asynchronous crypto call" behind SSL_MODE_ASYNC.
// The private key is imported once per algorithm as a non-extractable CryptoKey; signatures are converted
// to TLS's encodings (ECDSA: DER, not WebCrypto's r||s).
import type { KeyObject } from 'node:crypto';
import type { Signer } from './provider';

interface Algo {
  import: AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams;
  sign: AlgorithmIdentifier | RsaPssParams | EcdsaParams;
  der?: number; // ECDSA: the byte length of r and of s
}

function algoFor(key: KeyObject, scheme: number): Algo | undefined {
  const t = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (t === 'ec') {
    const map: Record<number, [string, string, number]> = { 0x0403: ['P-256', 'SHA-256', 32], 0x0503: ['P-384', 'SHA-384', 48], 0x0603: ['P-521', 'SHA-512', 66] };
    const m = map[scheme];
    const nodeCurve = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' } as Record<string, string>;
    if (!m || nodeCurve[m[0]] !== curve) return undefined;
    return { import: { name: 'ECDSA', namedCurve: m[0] }, sign: { name: 'ECDSA', hash: m[1] }, der: m[2] };
  }
  if (t === 'ed25519' && scheme === 0x0807) return { import: { name: 'Ed25519' }, sign: { name: 'Ed25519' } };
  if (t === 'rsa') {
    const pss: Record<number, [string, number]> = { 0x0804: ['SHA-256', 32], 0x0805: ['SHA-384', 48], 0x0806: ['SHA-512', 64] };
    const m = pss[scheme];
    if (!m) return undefined;
    return { import: { name: 'RSA-PSS', hash: m[0] }, sign: { name: 'RSA-PSS', saltLength: m[1] } };
  }
  return undefined;
}

/** IEEE P1363 r||s to DER SEQUENCE { INTEGER r, INTEGER s }. */
function p1363ToDer(sig: Uint8Array, n: number): Uint8Array {
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    return v[0]! & 0x80 ? Uint8Array.from([0, ...v]) : v;
  };
  const r = int(sig.subarray(0, n));
  const s = int(sig.subarray(n));
  const body = [0x02, r.length, ...r, 0x02, s.length, ...s];
  const len = body.length < 128 ? [body.length] : [0x81, body.length];
  return Uint8Array.from([0x30, ...len, ...body]);
}

/** Adds signAsync (WebCrypto) to a synchronous signer for the schemes WebCrypto can do with this key. */
export function withWebCrypto(base: Signer, key: KeyObject): Signer {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return base;
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const cache = new Map<number, Promise<CryptoKey>>();
  return {
    ...base,
    sign: (scheme, message) => base.sign(scheme, message),
    async signAsync(scheme: number, message: Uint8Array): Promise<Uint8Array> {
      const algo = algoFor(key, scheme);
      if (!algo) return base.sign(scheme, message); // WebCrypto lacks this scheme: still asynchronous to the caller
      let k = cache.get(scheme);
      if (!k) cache.set(scheme, (k = subtle.importKey('pkcs8', pkcs8, algo.import, false, ['sign'])));
      const sig = new Uint8Array(await subtle.sign(algo.sign, await k, message as Uint8Array<ArrayBuffer>));
      return algo.der ? p1363ToDer(sig, algo.der) : sig;
    },
  };
}
