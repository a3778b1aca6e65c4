// RFC 8446 section 4.2.3: the schemes of signature_algorithms (or of signature_algorithms_cert, when sent) also say
// which signatures on certificates the sender accepts; section 4.4.2.2 asks a server for a chain signed only with
// them "if it is able to provide such a chain", and lets it send another otherwise. One client then accepts the
// chain and a stricter one refuses it: we say so in the trace. Self-issued certificates begin a path and their
// signature is not checked (RFC 5280 section 3.2), so they are left out.
import { certificateSignature } from '../x509/certificate';
import { oidEntry } from '../registry/oids';

const PSS = [0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b];

/** Certificate signatureAlgorithm OIDs and the SignatureScheme codes that stand for them in a certificate. */
const SCHEMES_BY_OID: Record<string, readonly number[]> = {
  '1.2.840.113549.1.1.5': [0x0201], // sha1WithRSAEncryption: rsa_pkcs1_sha1
  '1.2.840.113549.1.1.11': [0x0401], // sha256WithRSAEncryption: rsa_pkcs1_sha256
  '1.2.840.113549.1.1.12': [0x0501],
  '1.2.840.113549.1.1.13': [0x0601],
  '1.2.840.113549.1.1.10': PSS, // RSASSA-PSS: rsae or pss by the issuer's key, the hash in the parameters
  '1.2.840.10045.4.1': [0x0203], // ecdsa-with-SHA1: ecdsa_sha1
  '1.2.840.10045.4.3.2': [0x0403], // ecdsa-with-SHA256: ecdsa_secp256r1_sha256
  '1.2.840.10045.4.3.3': [0x0503],
  '1.2.840.10045.4.3.4': [0x0603],
  '1.3.101.112': [0x0807], // Ed25519
  '1.3.101.113': [0x0808], // Ed448
};

export interface UnlistedSignature {
  /** Position in the chain as sent, 0 = the end-entity certificate. */
  depth: number;
  /** OpenSSL's name of the signature algorithm, e.g. sha256WithRSAEncryption. */
  algorithm: string;
}

/** The certificates of `chain` (not self-issued) whose signature is none of `listed`. Unparseable ones are skipped. */
export function unlistedCertificateSignatures(chain: readonly Uint8Array[], listed: readonly number[]): UnlistedSignature[] {
  const out: UnlistedSignature[] = [];
  chain.forEach((der, depth) => {
    let sig: { oid: string; selfIssued: boolean };
    try {
      sig = certificateSignature(der);
    } catch {
      return; // the verifier reports a certificate that does not parse
    }
    if (sig.selfIssued) return;
    const schemes = SCHEMES_BY_OID[sig.oid];
    if (schemes && schemes.some((s) => listed.includes(s))) return;
    out.push({ depth, algorithm: oidEntry(sig.oid)?.long ?? sig.oid });
  });
  return out;
}
