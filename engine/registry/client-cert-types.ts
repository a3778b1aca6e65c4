// ClientCertificateType (IANA "TLS ClientCertificateType Identifiers"): the certificate_types a TLS 1.2-and-older
// CertificateRequest lists (RFC 5246 section 7.4.4, RFC 8422 section 5.5, RFC 9189), and which key can answer each.
// TLS 1.3 has no such list: signature_algorithms says it all.
import { hexCode } from './extensions';

/** The public key kinds of engine/x509 (PublicKeyAlgorithm) that can sign a CertificateVerify. */
export type ClientKeyKind = 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | 'DSA';

export interface ClientCertTypeRow {
  readonly code: number;
  readonly name: string;
  readonly rfc: string;
  /** Keys a certificate of this type signs with; empty for fixed (EC)DH and reserved types, which no one uses now. */
  readonly keys: readonly ClientKeyKind[];
}

export const CLIENT_CERT_TYPES: readonly ClientCertTypeRow[] = [
  // OpenSSL sends an RSA-PSS key's certificate under rsa_sign too (its TLS 1.2 CertificateVerify uses rsa_pss_pss_*).
  { code: 1, name: 'rsa_sign', rfc: 'RFC 5246', keys: ['RSA', 'RSA-PSS'] },
  { code: 2, name: 'dss_sign', rfc: 'RFC 5246', keys: ['DSA'] },
  { code: 3, name: 'rsa_fixed_dh', rfc: 'RFC 5246', keys: [] },
  { code: 4, name: 'dss_fixed_dh', rfc: 'RFC 5246', keys: [] },
  { code: 5, name: 'rsa_ephemeral_dh_RESERVED', rfc: 'RFC 5246', keys: [] },
  { code: 6, name: 'dss_ephemeral_dh_RESERVED', rfc: 'RFC 5246', keys: [] },
  { code: 20, name: 'fortezza_dms_RESERVED', rfc: 'RFC 5246', keys: [] },
  // RFC 8422 section 5.5: ecdsa_sign also stands for EdDSA keys.
  { code: 64, name: 'ecdsa_sign', rfc: 'RFC 8422', keys: ['EC', 'Ed25519', 'Ed448'] },
  { code: 65, name: 'rsa_fixed_ecdh', rfc: 'RFC 8422', keys: [] },
  { code: 66, name: 'ecdsa_fixed_ecdh', rfc: 'RFC 8422', keys: [] },
  { code: 67, name: 'gost_sign256', rfc: 'RFC 9189', keys: [] },
  { code: 68, name: 'gost_sign512', rfc: 'RFC 9189', keys: [] },
];

const byCode = new Map(CLIENT_CERT_TYPES.map((r) => [r.code, r]));

export function clientCertTypeByCode(code: number): ClientCertTypeRow | undefined {
  return byCode.get(code);
}

/** `ecdsa_sign`; unknown as `0x00NN`. */
export function clientCertTypeName(code: number): string {
  return byCode.get(code)?.name ?? hexCode(code);
}
