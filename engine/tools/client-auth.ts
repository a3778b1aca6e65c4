// A server's side of client authentication, shared by `tlslens serve` and Serve TLS Here: the CA names a
// CertificateRequest carries (certificate_authorities, RFC 8446 section 4.2.4; RFC 5246 section 7.4.4) and the
// judge of the chain a client sends (path validation for client authentication, purpose sslclient), from a CA file,
// as s_server -CAfile does with -verify.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { PeerVerdict } from '../conn/config';
import { alertForVerifyError } from '../x509/verify-alert';
import { certsFromBytes, loadCert, verifyChain } from '../x509/verify';

/** The subject Name of a certificate, as its DER bytes (a DistinguishedName for certificate_authorities). */
export function certificateSubjectDer(der: Uint8Array): Uint8Array {
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1) throw new Error('certificate does not decode');
  const cert = new pkijs.Certificate({ schema: asn.result });
  return new Uint8Array(cert.subject.toSchema().toBER(false));
}

/**
 * From a CA file's bytes (PEM or DER; `source` names it in errors): the subjects to name in the CertificateRequest
 * and a verifier of client chains against those CAs. Throws when the file holds no certificate.
 */
export function clientCaOptions(bytes: Uint8Array, source: string): { certificateAuthorities: Uint8Array[]; verifyPeer: (chain: Uint8Array[]) => PeerVerdict } {
  const loaded = certsFromBytes(bytes, source);
  const cas = loaded.certs;
  if (!cas.length) throw new Error(loaded.problems[0]?.message ?? 'no certificate');
  return {
    certificateAuthorities: cas.map((c) => certificateSubjectDer(c.der)),
    verifyPeer: (chain) => {
      const [leaf, ...rest] = chain.map((d) => loadCert(d));
      const v = verifyChain({ target: leaf!, untrusted: rest, trusted: cas }, { purpose: 'sslclient' });
      return { ok: v.ok, code: v.code, reason: `${v.text} (${v.code}) at depth ${v.errorDepth}`, alert: alertForVerifyError(v.code) };
    },
  };
}
