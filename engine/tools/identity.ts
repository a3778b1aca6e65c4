// A certificate chain and its private key, from PEM files or generated, ready for a connection.
import { signerFor } from '../crypto/signer';
import type { PrivateKeyHandle } from '../crypto/node-keys';
import type { Signer } from '../crypto/provider';
import { scanPem } from '../pem/blocks';
import { certificateOfTrusted } from '../x509/certificate';
import { isPrivateKeyLabel, openKey } from '../x509/decode';
import { generateSelfSigned } from '../x509/generate';
import { matchKeyToSpki } from '../x509/match';
import { certificateSpki } from '../x509/certificate';

export interface Identity {
  chain: Uint8Array[];
  signer: Signer;
  /** The private key itself, for the OpenSSL facade (SSL_CTX_use_PrivateKey); it never leaves engine/. */
  key: PrivateKeyHandle;
  /** Where it came from, for messages. */
  source: string;
}

export class IdentityError extends Error {}

/** Reads the chain (leaf first) from `certPem` and the key from `keyPem` (or from `certPem` when absent). */
export function identityFromPem(certPem: string, keyPem: string | undefined, source: string, passphrase?: string): Identity {
  const certBlocks = scanPem(certPem).blocks.filter((b) => /^(X509 |TRUSTED )?CERTIFICATE$/.test(b.label));
  if (!certBlocks.length) throw new IdentityError(`${source}: no CERTIFICATE block`);
  const chain = certBlocks.map((b) => {
    if (!b.der) throw new IdentityError(`${source}: ${b.problem?.message ?? 'a certificate block does not decode'}`);
    return b.label === 'TRUSTED CERTIFICATE' ? certificateOfTrusted(b.der) : b.der;
  });
  const keyBlock = scanPem(keyPem ?? certPem).blocks.find((b) => isPrivateKeyLabel(b.label));
  if (!keyBlock?.der) throw new IdentityError(`${source}: no private key${keyBlock?.problem ? `: ${keyBlock.problem.message}` : ''}`);
  const key = openKey(keyBlock.label, keyBlock.der, keyBlock.headers, passphrase);
  const m = matchKeyToSpki(certificateSpki(chain[0]!), key);
  if (!m.match) throw new IdentityError(`${source}: the private key does not match the certificate (${m.reason})`);
  return { chain, signer: signerFor(key), key, source };
}

/** A fresh self-signed ECDSA P-256 identity for localhost, as `tlslens serve` uses without --cert. */
export async function generatedIdentity(commonName = 'localhost'): Promise<Identity & { certPem: string }> {
  const g = await generateSelfSigned({ commonName });
  const id = identityFromPem(g.certPem, g.keyPem, 'generated certificate');
  return { ...id, certPem: g.certPem };
}
