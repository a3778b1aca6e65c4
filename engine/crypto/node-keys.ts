// Private and public key objects through node:crypto (OpenSSL underneath): decryption of PKCS#8 PBES2
// (PBKDF2 or scrypt) and legacy Proc-Type keys, deriving the public half, and sign/verify for key matching.
// The only module in engine/ that holds private keys; KeyObjects never leave it as bytes.
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

export type PrivateKeyHandle = KeyObject;

export class KeyLoadError extends Error {
  constructor(readonly reason: 'needs-passphrase' | 'wrong-passphrase' | 'unsupported' | 'malformed', message: string) {
    super(message);
    this.name = 'KeyLoadError';
  }
}

/** Loads a private key from one PEM block (with its headers) or DER of the given container type. */
export function loadPrivateKey(
  input: { pem: string } | { der: Uint8Array; type: 'pkcs8' | 'pkcs1' | 'sec1' },
  passphrase?: string,
): PrivateKeyHandle {
  try {
    const opts = 'pem' in input
      ? { key: input.pem, format: 'pem' as const }
      : { key: Buffer.from(input.der), format: 'der' as const, type: input.type };
    return createPrivateKey(passphrase !== undefined ? { ...opts, passphrase } : opts);
  } catch (e) {
    throw classify(e);
  }
}

function classify(e: unknown): KeyLoadError {
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  if (err.code === 'ERR_MISSING_PASSPHRASE' || /passphrase required|interrupted or cancelled/i.test(msg))
    return new KeyLoadError('needs-passphrase', 'the key is encrypted: a passphrase is needed');
  if (/bad decrypt|wrong password|BAD_DECRYPT/i.test(msg + (err.code ?? '')))
    return new KeyLoadError('wrong-passphrase', 'the passphrase does not decrypt this key');
  if (/unsupported/i.test(msg)) return new KeyLoadError('unsupported', `unsupported key: ${msg}`);
  return new KeyLoadError('malformed', `the key does not parse: ${msg}`);
}

/** DER SubjectPublicKeyInfo of the key's public half. */
export function publicSpkiOf(key: PrivateKeyHandle | Uint8Array): Uint8Array {
  const pub = key instanceof Uint8Array
    ? createPublicKey({ key: Buffer.from(key), format: 'der', type: 'spki' })
    : createPublicKey(key);
  return new Uint8Array(pub.export({ type: 'spki', format: 'der' }));
}

/** SPKI of an RSA PUBLIC KEY (PKCS#1 RSAPublicKey). */
export function spkiFromPkcs1Public(der: Uint8Array): Uint8Array {
  const pub = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'pkcs1' });
  return new Uint8Array(pub.export({ type: 'spki', format: 'der' }));
}

/** Re-encodes an SPKI through OpenSSL so that equal keys compare equal (e.g. compressed vs uncompressed points). */
export function normaliseSpki(spki: Uint8Array): Uint8Array {
  return publicSpkiOf(spki);
}

/** The digest and padding that prove possession for this key type. */
function proofParams(key: KeyObject): { digest: string | null; padding?: number; saltLength?: number } {
  switch (key.asymmetricKeyType) {
    case 'ed25519': case 'ed448': return { digest: null };
    case 'rsa-pss': return { digest: 'sha256', saltLength: 32 };
    default: return { digest: 'sha256' };
  }
}

/** Signs fresh random bytes with the private key and verifies under `spki`: proof the key pair is whole. */
export function signatureVerifiesUnder(key: PrivateKeyHandle, spki: Uint8Array): boolean {
  if (key.asymmetricKeyType === 'x25519' || key.asymmetricKeyType === 'x448') return false;
  const challenge = randomBytes(32);
  const p = proofParams(key);
  const signOpts = p.saltLength ? { key, saltLength: p.saltLength } : key;
  const sig = sign(p.digest, challenge, signOpts);
  const pub = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  const verifyOpts = p.saltLength ? { key: pub, saltLength: p.saltLength } : pub;
  try {
    return verify(p.digest, challenge, verifyOpts, sig);
  } catch {
    return false;
  }
}

export function keyTypeOf(key: PrivateKeyHandle): string {
  return key.asymmetricKeyType ?? 'unknown';
}
