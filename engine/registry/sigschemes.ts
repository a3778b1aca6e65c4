// Signature schemes (RFC 8446 section 4.2.3, IANA "TLS SignatureScheme"), including the TLS 1.2
// hash/signature pairs they grew out of (RFC 5246 section 7.4.1.4.1: code = hash << 8 | signature), the
// legacy SHA-1, SHA-224 and DSA ones, the brainpool TLS 1.3 schemes of RFC 8734, and GREASE (RFC 8701).
// `openssl` is the spelling OpenSSL's `-sigalgs` takes and prints (`RSA+SHA256`, `ECDSA+SHA256`,
// `rsa_pss_rsae_sha256`, `ed25519`). Lookups never throw: unknown codes print as `0x1234`.
import { greaseName, hexCode, isGrease } from './extensions';

export type SigKeyType = 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | 'DSA';
export type SigHash = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
export type SigCurve = 'P-256' | 'P-384' | 'P-521' | 'brainpoolP256r1' | 'brainpoolP384r1' | 'brainpoolP512r1';

export interface SigSchemeRow {
  readonly code: number;
  /** IANA name: `rsa_pss_rsae_sha256`, `ecdsa_secp256r1_sha256`. */
  readonly iana: string;
  /** OpenSSL's `-sigalgs` spelling: `RSA+SHA256`, `ECDSA+SHA256`, `rsa_pss_rsae_sha256`, `ed25519`. */
  readonly openssl: string;
  /** The certificate key that signs: `RSA-PSS` is an id-RSASSA-PSS key (rsa_pss_pss_*). */
  readonly keyType: SigKeyType;
  /** Digest signed (null for EdDSA, which hashes internally). */
  readonly hash: SigHash | null;
  readonly padding?: 'pkcs1' | 'pss';
  /**
   * The curve TLS 1.3 binds the scheme to (RFC 8446 section 4.2.3). In TLS 1.2 the same code means ECDSA
   * with that hash on any curve the peer supports.
   */
  readonly curve?: SigCurve;
  /** May sign a TLS 1.3 CertificateVerify (RSASSA-PKCS1-v1_5 and SHA-1 may only appear in certificates). */
  readonly tls13: boolean;
}

const rsa = (code: number, hash: SigHash): SigSchemeRow => ({
  code, iana: `rsa_pkcs1_${hash}`, openssl: `RSA+${hash.toUpperCase()}`, keyType: 'RSA', hash, padding: 'pkcs1', tls13: false,
});
const dsa = (code: number, hash: SigHash): SigSchemeRow => ({
  code, iana: `dsa_${hash}`, openssl: `DSA+${hash.toUpperCase()}`, keyType: 'DSA', hash, tls13: false,
});
const pss = (code: number, key: 'rsae' | 'pss', hash: SigHash): SigSchemeRow => ({
  code, iana: `rsa_pss_${key}_${hash}`, openssl: `rsa_pss_${key}_${hash}`, keyType: key === 'rsae' ? 'RSA' : 'RSA-PSS', hash, padding: 'pss', tls13: true,
});

export const SIGSCHEMES: readonly SigSchemeRow[] = [
  // RFC 8446, Section 4.2.3: RSASSA-PKCS1-v1_5
  rsa(0x0401, 'sha256'),
  rsa(0x0501, 'sha384'),
  rsa(0x0601, 'sha512'),
  // ECDSA
  { code: 0x0403, iana: 'ecdsa_secp256r1_sha256', openssl: 'ECDSA+SHA256', keyType: 'EC', hash: 'sha256', curve: 'P-256', tls13: true },
  { code: 0x0503, iana: 'ecdsa_secp384r1_sha384', openssl: 'ECDSA+SHA384', keyType: 'EC', hash: 'sha384', curve: 'P-384', tls13: true },
  { code: 0x0603, iana: 'ecdsa_secp521r1_sha512', openssl: 'ECDSA+SHA512', keyType: 'EC', hash: 'sha512', curve: 'P-521', tls13: true },
  // RSASSA-PSS with an rsaEncryption key, EdDSA, RSASSA-PSS with an id-RSASSA-PSS key
  pss(0x0804, 'rsae', 'sha256'),
  pss(0x0805, 'rsae', 'sha384'),
  pss(0x0806, 'rsae', 'sha512'),
  { code: 0x0807, iana: 'ed25519', openssl: 'ed25519', keyType: 'Ed25519', hash: null, tls13: true },
  { code: 0x0808, iana: 'ed448', openssl: 'ed448', keyType: 'Ed448', hash: null, tls13: true },
  pss(0x0809, 'pss', 'sha256'),
  pss(0x080a, 'pss', 'sha384'),
  pss(0x080b, 'pss', 'sha512'),
  // Legacy: SHA-1 (RFC 8446), and the TLS 1.2 pairs with SHA-224, MD5 and DSA (RFC 5246 section 7.4.1.4.1)
  rsa(0x0201, 'sha1'),
  { code: 0x0203, iana: 'ecdsa_sha1', openssl: 'ECDSA+SHA1', keyType: 'EC', hash: 'sha1', tls13: false },
  rsa(0x0301, 'sha224'),
  { code: 0x0303, iana: 'ecdsa_sha224', openssl: 'ECDSA+SHA224', keyType: 'EC', hash: 'sha224', tls13: false },
  rsa(0x0101, 'md5'),
  dsa(0x0202, 'sha1'),
  dsa(0x0302, 'sha224'),
  dsa(0x0402, 'sha256'),
  dsa(0x0502, 'sha384'),
  dsa(0x0602, 'sha512'),
  // RFC 8734, Section 2
  { code: 0x081a, iana: 'ecdsa_brainpoolP256r1tls13_sha256', openssl: 'ecdsa_brainpoolP256r1tls13_sha256', keyType: 'EC', hash: 'sha256', curve: 'brainpoolP256r1', tls13: true },
  { code: 0x081b, iana: 'ecdsa_brainpoolP384r1tls13_sha384', openssl: 'ecdsa_brainpoolP384r1tls13_sha384', keyType: 'EC', hash: 'sha384', curve: 'brainpoolP384r1', tls13: true },
  { code: 0x081c, iana: 'ecdsa_brainpoolP512r1tls13_sha512', openssl: 'ecdsa_brainpoolP512r1tls13_sha512', keyType: 'EC', hash: 'sha512', curve: 'brainpoolP512r1', tls13: true },
];

/** GREASE signature algorithms (RFC 8701) are not rows: they print as `GREASE(0x0a0a)` and match nothing. */

/** Code points by IANA name: `SignatureScheme.rsa_pss_rsae_sha256 === 0x0804`. */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
} as const;

const byCode = new Map<number, SigSchemeRow>(SIGSCHEMES.map((s) => [s.code, s]));
const byName = new Map<string, SigSchemeRow>();
for (const s of SIGSCHEMES) {
  byName.set(s.iana.toLowerCase(), s);
  byName.set(s.openssl.toLowerCase(), s);
}
// OpenSSL's "+" form with RSA-PSS or PSS picks the rsaEncryption-key variant (ssl/t1_lib.c table order).
for (const h of ['sha256', 'sha384', 'sha512'] as const) {
  const rsae = byName.get(`rsa_pss_rsae_${h}`)!;
  byName.set(`rsa-pss+${h}`, rsae);
  byName.set(`pss+${h}`, rsae);
}

export function sigSchemeByCode(code: number): SigSchemeRow | undefined {
  return byCode.get(code);
}

/** Case-insensitive IANA or OpenSSL name: `rsa_pss_rsae_sha256`, `RSA-PSS+SHA256`, `ECDSA+SHA256`, `Ed25519`. */
export function sigSchemeByName(name: string): SigSchemeRow | undefined {
  return byName.get(name.trim().toLowerCase());
}

/** IANA's name by default (as OpenSSL prints "Peer signature type"), OpenSSL's `-sigalgs` form on request. */
export function sigSchemeName(code: number, style: 'iana' | 'openssl' = 'iana'): string {
  const s = byCode.get(code);
  if (s) return style === 'openssl' ? s.openssl : s.iana;
  return isGrease(code) ? greaseName(code) : hexCode(code);
}
