// X509 and EVP_PKEY: the handles OpenSSL's API passes around, each over our decoded forms.
import { decodeCertificate, certificateSpki } from '../x509/certificate';
import { publicSpkiOf, keyTypeOf, type PrivateKeyHandle } from '../crypto/node-keys';
import { decodeSpkiBytes } from '../x509/public-key';
import type { CertificateInfo, PublicKeyInfo } from '../x509/types';
import { EVP_PKEY_EC, EVP_PKEY_ED25519, EVP_PKEY_ED448, EVP_PKEY_RSA, EVP_PKEY_RSA_PSS } from './constants';

export class X509 {
  readonly info: CertificateInfo;
  readonly spki: Uint8Array;
  private refs = 1;
  constructor(readonly der: Uint8Array) {
    this.info = decodeCertificate(der);
    this.spki = certificateSpki(der);
  }
  up_ref(): void { this.refs++; }
  free(): void { this.refs--; }
}

export class EVP_PKEY {
  readonly publicKey: PublicKeyInfo;
  constructor(readonly key: PrivateKeyHandle) {
    this.publicKey = decodeSpkiBytes(publicSpkiOf(key));
  }
  get type(): number {
    return pkeyTypeOf(keyTypeOf(this.key));
  }
}

function pkeyTypeOf(nodeType: string): number {
  switch (nodeType) {
    case 'rsa': return EVP_PKEY_RSA;
    case 'rsa-pss': return EVP_PKEY_RSA_PSS;
    case 'ec': return EVP_PKEY_EC;
    case 'ed25519': return EVP_PKEY_ED25519;
    case 'ed448': return EVP_PKEY_ED448;
    default: return 0;
  }
}

/** OpenSSL keeps one certificate/key pair per key type (ssl_cert_lookup_by_pkey); these are its slots. */
export type CertSlot = 'rsa' | 'rsa-pss' | 'ecc' | 'ed25519' | 'ed448';

export function slotOf(k: PublicKeyInfo): CertSlot | undefined {
  switch (k.algorithm) {
    case 'RSA': return 'rsa';
    case 'RSA-PSS': return 'rsa-pss';
    case 'EC': return 'ecc';
    case 'Ed25519': return 'ed25519';
    case 'Ed448': return 'ed448';
    default: return undefined;
  }
}
