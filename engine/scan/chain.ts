// A served chain as the scan reports it: each certificate's key, signature and expiry, and the X509_V_ERR
// verdict of engine/x509/verify against the trust anchors for the host name.
import { isIpAddress } from '../handshake/tls13/common';
import { decodeCertificate } from '../x509/certificate';
import { loadCert, verifyChain, type VCert } from '../x509/verify';
import type { CertFact, ChainFact } from './types';

/** The key family of a leaf, as the scan groups chains (undefined for a key it does not sort). */
export function chainKeyFamily(leafDer: Uint8Array): ChainFact['keyType'] | undefined {
  try {
    const a = decodeCertificate(leafDer).publicKey.algorithm;
    if (a === 'RSA' || a === 'RSA-PSS') return 'RSA';
    if (a === 'EC') return 'ECDSA';
    if (a === 'Ed25519' || a === 'Ed448') return 'EdDSA';
  } catch {
    // an undecodable leaf is reported by analyseChain; it belongs to no family
  }
  return undefined;
}

export function analyseChain(keyType: ChainFact['keyType'], version: string, chain: Uint8Array[], trusted: VCert[], host: string, now = new Date()): ChainFact {
  const certificates: CertFact[] = chain.map((der) => {
    try {
      const c = decodeCertificate(der, now);
      return {
        subject: c.subject.text, issuer: c.issuer.text, keyType: c.publicKey.algorithm, keyBits: c.publicKey.bits,
        ...(c.publicKey.curve ? { curve: c.publicKey.curve } : {}),
        signatureAlgorithm: c.signatureAlgorithm, notAfter: c.validity.notAfter, validity: c.validity.relative, sha256: c.fingerprints.sha256,
      };
    } catch (e) {
      return { subject: `(undecodable: ${(e as Error).message})`, issuer: '', keyType: 'unknown', keyBits: 0, signatureAlgorithm: '', notAfter: '', validity: '', sha256: '' };
    }
  });
  let verify: ChainFact['verify'];
  try {
    const [leaf, ...rest] = chain.map((d) => loadCert(d, now));
    const v = verifyChain({ target: leaf!, untrusted: rest, trusted }, { purpose: 'sslserver', time: now, ...(isIpAddress(host) ? { ip: host } : { hostname: host }) });
    verify = { ok: v.ok, code: v.code, name: v.name, text: v.text, errorDepth: v.errorDepth };
  } catch (e) {
    verify = { ok: false, code: -1, name: 'UNDECODABLE', text: (e as Error).message, errorDepth: 0 };
  }
  return { keyType, version, certificates, verify };
}
