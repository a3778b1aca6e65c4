// Cipher suites: every TLS 1.3 suite (RFC 8446 appendix B.4) and the TLS 1.2-and-older suites that OpenSSL
// and GnuTLS ship with ECDHE, DHE or RSA key exchange and RSA or ECDSA authentication (AES-GCM RFC 5288/5289,
// ChaCha20-Poly1305 RFC 7905, AES-CCM RFC 6655/7251, AES-CBC RFC 5246/5289, and the weak 3DES, RC4 and NULL
// ones), plus the signalling values (RFC 5746 SCSV, RFC 7507 fallback SCSV, RFC 8701 GREASE).
// Names: IANA's `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256` and OpenSSL's `ECDHE-RSA-AES128-GCM-SHA256`
// (cross-checked against `openssl ciphers -V -stdname`). Lookups never throw: unknown codes print as `0x1234`.
import { greaseName, hexCode, isGrease } from './extensions';

export type CipherName =
  | 'AES-128-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305'
  | 'AES-128-CCM' | 'AES-128-CCM8' | 'AES-256-CCM' | 'AES-256-CCM8'
  | 'AES-128-CBC' | 'AES-256-CBC' | '3DES-EDE-CBC' | 'RC4-128' | 'NULL';

export interface CipherSpec {
  readonly name: CipherName;
  readonly keyLen: number;
  /**
   * AEAD: the fixed (implicit) IV from the key schedule: 12 in TLS 1.3 and for ChaCha20 in TLS 1.2, 4 for
   * TLS 1.2 GCM/CCM (RFC 5288 section 3, RFC 6655 section 3). CBC: the block size (the key-block IV of
   * SSL 3.0/TLS 1.0, which TLS 1.1+ replace with an explicit per-record IV). 0 for RC4 and NULL.
   */
  readonly ivLen: number;
  /** Bytes of explicit IV/nonce carried in each record: 8 for TLS 1.2 GCM/CCM, the block size for CBC in TLS 1.1+. */
  readonly recordIvLen: number;
  /** AEAD tag length (16, or 8 for CCM_8); 0 for MAC-then-encrypt suites (see `macLen`). */
  readonly tagLen: number;
}

export type KeyExchange = 'any' | 'ECDHE' | 'DHE' | 'RSA';
export type Authentication = 'any' | 'RSA' | 'ECDSA';
export type MacAlgorithm = 'AEAD' | 'SHA1' | 'SHA256' | 'SHA384' | 'MD5';
/** Which protocol versions may negotiate the suite: TLS 1.3 only, TLS 1.2 only, TLS 1.0-1.2, SSL 3.0-TLS 1.2. */
export type SuiteVersions = 'tls13' | 'tls12' | 'tls10+' | 'ssl3+';

export interface CipherSuite {
  readonly code: number;
  /** IANA name, e.g. `TLS_AES_128_GCM_SHA256`, `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`. */
  readonly iana: string;
  /** OpenSSL name: the IANA name for TLS 1.3, `ECDHE-RSA-AES128-GCM-SHA256` style before. */
  readonly openssl: string;
  readonly versions: SuiteVersions;
  readonly kx: KeyExchange;
  readonly auth: Authentication;
  readonly cipher: CipherSpec;
  readonly mac: MacAlgorithm;
  /** HMAC output (and key) length for MAC-then-encrypt suites; 0 for AEAD. */
  readonly macLen: number;
  /** Hash of the TLS 1.3 key schedule / the TLS 1.2 PRF (TLS 1.0-1.1 always use the MD5+SHA-1 PRF). */
  readonly prfHash: 'sha256' | 'sha384';
  /** Why the suite must not be used, if it must not. */
  readonly weak?: string;
}

/** Values sent in the cipher_suites list that are not suites (RFC 5746, RFC 7507, RFC 8701). */
export interface SignallingSuite {
  readonly code: number;
  readonly iana: string;
  readonly openssl: string;
  readonly signalling: 'scsv' | 'grease';
}

// --- cipher specs ------------------------------------------------------------------------------------------

const aead = (name: CipherName, keyLen: number, ivLen: number, recordIvLen: number, tagLen = 16): CipherSpec => ({ name, keyLen, ivLen, recordIvLen, tagLen });
const block = (name: CipherName, keyLen: number, blockLen: number): CipherSpec => ({ name, keyLen, ivLen: blockLen, recordIvLen: blockLen, tagLen: 0 });

// TLS 1.3: the whole 12-byte IV comes from the key schedule (RFC 8446 section 5.3).
const T13 = {
  AES128GCM: aead('AES-128-GCM', 16, 12, 0),
  AES256GCM: aead('AES-256-GCM', 32, 12, 0),
  CHACHA: aead('CHACHA20-POLY1305', 32, 12, 0),
  AES128CCM: aead('AES-128-CCM', 16, 12, 0),
  AES128CCM8: aead('AES-128-CCM8', 16, 12, 0, 8),
};
// TLS 1.2: GCM/CCM have a 4-byte salt and an 8-byte explicit nonce; ChaCha20 a 12-byte IV, no explicit nonce.
const T12 = {
  AES128GCM: aead('AES-128-GCM', 16, 4, 8),
  AES256GCM: aead('AES-256-GCM', 32, 4, 8),
  CHACHA: aead('CHACHA20-POLY1305', 32, 12, 0),
  AES128CCM: aead('AES-128-CCM', 16, 4, 8),
  AES256CCM: aead('AES-256-CCM', 32, 4, 8),
  AES128CCM8: aead('AES-128-CCM8', 16, 4, 8, 8),
  AES256CCM8: aead('AES-256-CCM8', 32, 4, 8, 8),
  AES128CBC: block('AES-128-CBC', 16, 16),
  AES256CBC: block('AES-256-CBC', 32, 16),
  DES3: block('3DES-EDE-CBC', 24, 8),
  RC4: { name: 'RC4-128', keyLen: 16, ivLen: 0, recordIvLen: 0, tagLen: 0 } as CipherSpec,
  NULL: { name: 'NULL', keyLen: 0, ivLen: 0, recordIvLen: 0, tagLen: 0 } as CipherSpec,
};

const MAC_LEN: Record<MacAlgorithm, number> = { AEAD: 0, MD5: 16, SHA1: 20, SHA256: 32, SHA384: 48 };

const WEAK_3DES = '64-bit block cipher, open to Sweet32 (CVE-2016-2183)';
const WEAK_RC4 = 'RC4 is prohibited in TLS (RFC 7465)';
const WEAK_NULL = 'no encryption: records are authenticated but sent in clear';

function tls13(code: number, iana: string, cipher: CipherSpec, prfHash: 'sha256' | 'sha384'): CipherSuite {
  return { code, iana, openssl: iana, versions: 'tls13', kx: 'any', auth: 'any', cipher, mac: 'AEAD', macLen: 0, prfHash };
}

function legacy(
  code: number, iana: string, openssl: string, versions: SuiteVersions, kx: KeyExchange, auth: Authentication,
  cipher: CipherSpec, mac: MacAlgorithm, weak?: string,
): CipherSuite {
  const prfHash = mac === 'SHA384' || /SHA384$/.test(iana) ? 'sha384' : 'sha256';
  const row: CipherSuite = { code, iana, openssl, versions, kx, auth, cipher, mac, macLen: MAC_LEN[mac], prfHash };
  return weak ? { ...row, weak } : row;
}

// --- the table ---------------------------------------------------------------------------------------------

export const SUITES: readonly CipherSuite[] = [
  // TLS 1.3, RFC 8446 appendix B.4
  tls13(0x1301, 'TLS_AES_128_GCM_SHA256', T13.AES128GCM, 'sha256'),
  tls13(0x1302, 'TLS_AES_256_GCM_SHA384', T13.AES256GCM, 'sha384'),
  tls13(0x1303, 'TLS_CHACHA20_POLY1305_SHA256', T13.CHACHA, 'sha256'),
  tls13(0x1304, 'TLS_AES_128_CCM_SHA256', T13.AES128CCM, 'sha256'),
  tls13(0x1305, 'TLS_AES_128_CCM_8_SHA256', T13.AES128CCM8, 'sha256'),

  // ECDHE-ECDSA (RFC 8422, RFC 5289, RFC 7905, RFC 7251)
  legacy(0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'tls12', 'ECDHE', 'ECDSA', T12.AES128GCM, 'AEAD'),
  legacy(0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'tls12', 'ECDHE', 'ECDSA', T12.AES256GCM, 'AEAD'),
  legacy(0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'tls12', 'ECDHE', 'ECDSA', T12.CHACHA, 'AEAD'),
  legacy(0xc0ac, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM', 'ECDHE-ECDSA-AES128-CCM', 'tls12', 'ECDHE', 'ECDSA', T12.AES128CCM, 'AEAD'),
  legacy(0xc0ad, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM', 'ECDHE-ECDSA-AES256-CCM', 'tls12', 'ECDHE', 'ECDSA', T12.AES256CCM, 'AEAD'),
  legacy(0xc0ae, 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 'ECDHE-ECDSA-AES128-CCM8', 'tls12', 'ECDHE', 'ECDSA', T12.AES128CCM8, 'AEAD'),
  legacy(0xc0af, 'TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8', 'ECDHE-ECDSA-AES256-CCM8', 'tls12', 'ECDHE', 'ECDSA', T12.AES256CCM8, 'AEAD'),
  legacy(0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'ECDHE-ECDSA-AES128-SHA256', 'tls12', 'ECDHE', 'ECDSA', T12.AES128CBC, 'SHA256'),
  legacy(0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'ECDHE-ECDSA-AES256-SHA384', 'tls12', 'ECDHE', 'ECDSA', T12.AES256CBC, 'SHA384'),
  legacy(0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'ECDHE-ECDSA-AES128-SHA', 'tls10+', 'ECDHE', 'ECDSA', T12.AES128CBC, 'SHA1'),
  legacy(0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ECDHE-ECDSA-AES256-SHA', 'tls10+', 'ECDHE', 'ECDSA', T12.AES256CBC, 'SHA1'),
  legacy(0xc008, 'TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA', 'ECDHE-ECDSA-DES-CBC3-SHA', 'tls10+', 'ECDHE', 'ECDSA', T12.DES3, 'SHA1', WEAK_3DES),
  legacy(0xc007, 'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', 'ECDHE-ECDSA-RC4-SHA', 'tls10+', 'ECDHE', 'ECDSA', T12.RC4, 'SHA1', WEAK_RC4),
  legacy(0xc006, 'TLS_ECDHE_ECDSA_WITH_NULL_SHA', 'ECDHE-ECDSA-NULL-SHA', 'tls10+', 'ECDHE', 'ECDSA', T12.NULL, 'SHA1', WEAK_NULL),

  // ECDHE-RSA
  legacy(0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'tls12', 'ECDHE', 'RSA', T12.AES128GCM, 'AEAD'),
  legacy(0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'tls12', 'ECDHE', 'RSA', T12.AES256GCM, 'AEAD'),
  legacy(0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305', 'tls12', 'ECDHE', 'RSA', T12.CHACHA, 'AEAD'),
  legacy(0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'ECDHE-RSA-AES128-SHA256', 'tls12', 'ECDHE', 'RSA', T12.AES128CBC, 'SHA256'),
  legacy(0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'ECDHE-RSA-AES256-SHA384', 'tls12', 'ECDHE', 'RSA', T12.AES256CBC, 'SHA384'),
  legacy(0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ECDHE-RSA-AES128-SHA', 'tls10+', 'ECDHE', 'RSA', T12.AES128CBC, 'SHA1'),
  legacy(0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'ECDHE-RSA-AES256-SHA', 'tls10+', 'ECDHE', 'RSA', T12.AES256CBC, 'SHA1'),
  legacy(0xc012, 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'ECDHE-RSA-DES-CBC3-SHA', 'tls10+', 'ECDHE', 'RSA', T12.DES3, 'SHA1', WEAK_3DES),
  legacy(0xc011, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', 'ECDHE-RSA-RC4-SHA', 'tls10+', 'ECDHE', 'RSA', T12.RC4, 'SHA1', WEAK_RC4),
  legacy(0xc010, 'TLS_ECDHE_RSA_WITH_NULL_SHA', 'ECDHE-RSA-NULL-SHA', 'tls10+', 'ECDHE', 'RSA', T12.NULL, 'SHA1', WEAK_NULL),

  // DHE-RSA (RFC 5246, RFC 5288, RFC 7905, RFC 6655)
  legacy(0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'DHE-RSA-AES128-GCM-SHA256', 'tls12', 'DHE', 'RSA', T12.AES128GCM, 'AEAD'),
  legacy(0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'DHE-RSA-AES256-GCM-SHA384', 'tls12', 'DHE', 'RSA', T12.AES256GCM, 'AEAD'),
  legacy(0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'DHE-RSA-CHACHA20-POLY1305', 'tls12', 'DHE', 'RSA', T12.CHACHA, 'AEAD'),
  legacy(0xc09e, 'TLS_DHE_RSA_WITH_AES_128_CCM', 'DHE-RSA-AES128-CCM', 'tls12', 'DHE', 'RSA', T12.AES128CCM, 'AEAD'),
  legacy(0xc09f, 'TLS_DHE_RSA_WITH_AES_256_CCM', 'DHE-RSA-AES256-CCM', 'tls12', 'DHE', 'RSA', T12.AES256CCM, 'AEAD'),
  legacy(0xc0a2, 'TLS_DHE_RSA_WITH_AES_128_CCM_8', 'DHE-RSA-AES128-CCM8', 'tls12', 'DHE', 'RSA', T12.AES128CCM8, 'AEAD'),
  legacy(0xc0a3, 'TLS_DHE_RSA_WITH_AES_256_CCM_8', 'DHE-RSA-AES256-CCM8', 'tls12', 'DHE', 'RSA', T12.AES256CCM8, 'AEAD'),
  legacy(0x0067, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 'DHE-RSA-AES128-SHA256', 'tls12', 'DHE', 'RSA', T12.AES128CBC, 'SHA256'),
  legacy(0x006b, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', 'DHE-RSA-AES256-SHA256', 'tls12', 'DHE', 'RSA', T12.AES256CBC, 'SHA256'),
  legacy(0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 'DHE-RSA-AES128-SHA', 'ssl3+', 'DHE', 'RSA', T12.AES128CBC, 'SHA1'),
  legacy(0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 'DHE-RSA-AES256-SHA', 'ssl3+', 'DHE', 'RSA', T12.AES256CBC, 'SHA1'),
  legacy(0x0016, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA', 'DHE-RSA-DES-CBC3-SHA', 'ssl3+', 'DHE', 'RSA', T12.DES3, 'SHA1', WEAK_3DES),

  // RSA key exchange (RFC 5246, RFC 5288, RFC 6655)
  legacy(0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256', 'tls12', 'RSA', 'RSA', T12.AES128GCM, 'AEAD'),
  legacy(0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384', 'AES256-GCM-SHA384', 'tls12', 'RSA', 'RSA', T12.AES256GCM, 'AEAD'),
  legacy(0xc09c, 'TLS_RSA_WITH_AES_128_CCM', 'AES128-CCM', 'tls12', 'RSA', 'RSA', T12.AES128CCM, 'AEAD'),
  legacy(0xc09d, 'TLS_RSA_WITH_AES_256_CCM', 'AES256-CCM', 'tls12', 'RSA', 'RSA', T12.AES256CCM, 'AEAD'),
  legacy(0xc0a0, 'TLS_RSA_WITH_AES_128_CCM_8', 'AES128-CCM8', 'tls12', 'RSA', 'RSA', T12.AES128CCM8, 'AEAD'),
  legacy(0xc0a1, 'TLS_RSA_WITH_AES_256_CCM_8', 'AES256-CCM8', 'tls12', 'RSA', 'RSA', T12.AES256CCM8, 'AEAD'),
  legacy(0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256', 'AES128-SHA256', 'tls12', 'RSA', 'RSA', T12.AES128CBC, 'SHA256'),
  legacy(0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256', 'AES256-SHA256', 'tls12', 'RSA', 'RSA', T12.AES256CBC, 'SHA256'),
  legacy(0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA', 'AES128-SHA', 'ssl3+', 'RSA', 'RSA', T12.AES128CBC, 'SHA1'),
  legacy(0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA', 'AES256-SHA', 'ssl3+', 'RSA', 'RSA', T12.AES256CBC, 'SHA1'),
  legacy(0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'DES-CBC3-SHA', 'ssl3+', 'RSA', 'RSA', T12.DES3, 'SHA1', WEAK_3DES),
  legacy(0x0005, 'TLS_RSA_WITH_RC4_128_SHA', 'RC4-SHA', 'ssl3+', 'RSA', 'RSA', T12.RC4, 'SHA1', WEAK_RC4),
  legacy(0x0004, 'TLS_RSA_WITH_RC4_128_MD5', 'RC4-MD5', 'ssl3+', 'RSA', 'RSA', T12.RC4, 'MD5', `${WEAK_RC4}; MD5 MAC`),
  legacy(0x003b, 'TLS_RSA_WITH_NULL_SHA256', 'NULL-SHA256', 'tls12', 'RSA', 'RSA', T12.NULL, 'SHA256', WEAK_NULL),
  legacy(0x0002, 'TLS_RSA_WITH_NULL_SHA', 'NULL-SHA', 'ssl3+', 'RSA', 'RSA', T12.NULL, 'SHA1', WEAK_NULL),
  legacy(0x0001, 'TLS_RSA_WITH_NULL_MD5', 'NULL-MD5', 'ssl3+', 'RSA', 'RSA', T12.NULL, 'MD5', `${WEAK_NULL}; MD5 MAC`),
];

export const SIGNALLING_SUITES: readonly SignallingSuite[] = [
  // RFC 5746, Section 3.3
  { code: 0x00ff, iana: 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV', openssl: 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV', signalling: 'scsv' },
  // RFC 7507, Section 2
  { code: 0x5600, iana: 'TLS_FALLBACK_SCSV', openssl: 'TLS_FALLBACK_SCSV', signalling: 'scsv' },
  // RFC 8701, Section 2
  ...Array.from({ length: 16 }, (_, i): SignallingSuite => {
    const code = (i << 12) | 0x0a00 | (i << 4) | 0x0a;
    return { code, iana: greaseName(code), openssl: greaseName(code), signalling: 'grease' };
  }),
];

/** Code points of the TLS 1.3 suites by IANA name: `TLS13_SUITES.TLS_AES_128_GCM_SHA256 === 0x1301`. */
export const TLS13_SUITES = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_AES_128_CCM_SHA256: 0x1304,
  TLS_AES_128_CCM_8_SHA256: 0x1305,
} as const;

export const TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;
export const TLS_FALLBACK_SCSV = 0x5600;

const byCode = new Map<number, CipherSuite>(SUITES.map((s) => [s.code, s]));
const signalByCode = new Map<number, SignallingSuite>(SIGNALLING_SUITES.map((s) => [s.code, s]));
const byOpenSsl = new Map<string, CipherSuite | SignallingSuite>();
const byIana = new Map<string, CipherSuite | SignallingSuite>();
for (const s of [...SUITES, ...SIGNALLING_SUITES]) {
  byOpenSsl.set(s.openssl.toUpperCase(), s);
  byIana.set(s.iana.toUpperCase(), s);
}

/** A real cipher suite (never a signalling value). */
export function suiteByCode(code: number): CipherSuite | undefined {
  return byCode.get(code);
}

/** A real suite or a signalling value (SCSV, GREASE). */
export function lookupSuite(code: number): CipherSuite | SignallingSuite | undefined {
  return byCode.get(code) ?? signalByCode.get(code);
}

export function isSignallingSuite(code: number): boolean {
  return signalByCode.has(code);
}

/** Case-insensitive OpenSSL name: `ECDHE-RSA-AES128-GCM-SHA256`, `TLS_AES_128_GCM_SHA256`. */
export function suiteByOpenSslName(name: string): CipherSuite | undefined {
  const s = byOpenSsl.get(name.trim().toUpperCase());
  return s && 'cipher' in s ? s : undefined;
}

/** Case-insensitive IANA name: `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`. */
export function suiteByIanaName(name: string): CipherSuite | undefined {
  const s = byIana.get(name.trim().toUpperCase());
  return s && 'cipher' in s ? s : undefined;
}

/** Either name, including the signalling values. */
export function suiteByName(name: string): CipherSuite | SignallingSuite | undefined {
  const k = name.trim().toUpperCase();
  return byOpenSsl.get(k) ?? byIana.get(k);
}

/** OpenSSL's name by default, IANA's on request; GREASE as `GREASE(0x0a0a)`; unknown as `0x1234`. */
export function suiteName(code: number, style: 'openssl' | 'iana' = 'openssl'): string {
  const s = lookupSuite(code);
  if (s) return style === 'iana' ? s.iana : s.openssl;
  return isGrease(code) ? greaseName(code) : hexCode(code);
}
