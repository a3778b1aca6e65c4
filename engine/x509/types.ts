// The decoded forms of everything a PEM or DER file can hold. Plain data (no class instances) so that
// the CLI's --json, the extension's hovers and the webview all read the same shape.
// Private key material never appears here: a private key is described by its public half.

/** One attribute of a distinguished name, e.g. { oid: '2.5.4.3', short: 'CN', value: 'example.com' }. */
export interface NameAttribute {
  oid: string;
  short: string;
  value: string;
}

export interface DistinguishedName {
  /** Relative distinguished names in encoding order; each RDN may hold several attributes. */
  rdns: NameAttribute[][];
  /** One-line form for people: `C = US, O = Example, CN = example.com`, non-ASCII shown as is. */
  text: string;
  /** Exactly as `openssl x509 -text` prints it (XN_FLAG_ONELINE): bytes over 0x7F escaped as \XX. */
  opensslText: string;
}

export type PublicKeyAlgorithm = 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519' | 'Ed448' | 'X25519' | 'X448' | 'DSA' | 'unknown';

export interface PublicKeyInfo {
  algorithm: PublicKeyAlgorithm;
  /** The algorithm OID from SubjectPublicKeyInfo. */
  oid: string;
  /** Key size in bits as OpenSSL's EVP_PKEY_get_bits: RSA modulus, EC order size, 253 for Ed25519, 456 for Ed448. */
  bits: number;
  /** Named curve for EC keys: 'P-256', 'P-384', 'P-521', or the OID when unknown. */
  curve?: string;
  /** RSA public exponent, decimal. */
  exponent?: string;
  /** Hex of the RSA modulus or EC point / raw public key, for display and comparison. */
  publicHex: string;
  /** SHA-256 of the DER SubjectPublicKeyInfo, colon-separated upper-case hex. */
  spkiSha256: string;
  /** base64(SHA-256(SPKI)): the value used for HPKP/`pin-sha256` and curl's --pinnedpubkey. */
  pin: string;
  /** Short human description, e.g. 'RSA 2048 bits', 'EC P-256', 'Ed25519'. */
  description: string;
}

export type GeneralName =
  | { type: 'dns'; value: string }
  | { type: 'ip'; value: string }
  | { type: 'email'; value: string }
  | { type: 'uri'; value: string }
  | { type: 'dirName'; value: string }
  | { type: 'registeredId'; value: string }
  | { type: 'otherName'; value: string };

export interface ExtensionInfo {
  oid: string;
  /** OpenSSL's long name, e.g. 'X509v3 Basic Constraints', or the OID when unknown. */
  name: string;
  critical: boolean;
  /** Lines as `openssl x509 -text` prints the value (without its indentation). */
  lines: string[];
  /** Structured value for the extensions we know; absent for unknown ones. */
  value?: unknown;
  /** Raw extnValue (the OCTET STRING's content), hex, for unknown extensions. */
  hex?: string;
}

export interface Validity {
  notBefore: string; // ISO 8601
  notAfter: string;
  /** At the moment of decoding (or the time asked for). */
  state: 'valid' | 'expired' | 'not-yet-valid';
  /** A human phrase: 'expires in 29 days', 'expired 3 months ago', 'valid in 2 days'. */
  relative: string;
}

export interface CertificateInfo {
  version: number; // 1, 2 or 3
  serialHex: string; // colon-separated lower-case, as openssl prints long serials
  serialDecimal?: string; // for serials that fit a non-negative long, as openssl prints them
  serialNegative?: boolean; // openssl prints "(Negative)" before the hex
  subject: DistinguishedName;
  issuer: DistinguishedName;
  validity: Validity;
  publicKey: PublicKeyInfo;
  signatureAlgorithm: string; // OpenSSL's name, e.g. 'sha256WithRSAEncryption', 'ecdsa-with-SHA256'
  signatureAlgorithmOid: string;
  subjectAltNames: GeneralName[];
  extensions: ExtensionInfo[];
  fingerprints: { sha1: string; sha256: string };
  selfIssued: boolean;
  isCA: boolean;
}

export interface CsrInfo {
  version: number;
  subject: DistinguishedName;
  publicKey: PublicKeyInfo;
  signatureAlgorithm: string;
  signatureAlgorithmOid: string;
  /** Extensions requested through the extensionRequest attribute. */
  extensions: ExtensionInfo[];
  subjectAltNames: GeneralName[];
  /** Other attributes (challengePassword etc.) by name. */
  attributes: { oid: string; name: string; values: string[] }[];
}

export interface RevokedEntry {
  serialHex: string;
  revocationDate: string;
  reason?: string;
}

export interface CrlInfo {
  version: number;
  issuer: DistinguishedName;
  thisUpdate: string;
  nextUpdate?: string;
  signatureAlgorithm: string;
  signatureAlgorithmOid: string;
  revoked: RevokedEntry[];
  extensions: ExtensionInfo[];
}

export interface KeyEncryptionInfo {
  /** 'PBES2' for PKCS#8, 'legacy PEM' for Proc-Type: 4,ENCRYPTED. */
  scheme: string;
  /** 'PBKDF2 (hmacWithSHA256, 2048 iterations)', 'scrypt (N=16384, r=8, p=1)', 'MD5 (EVP_BytesToKey)'. */
  kdf: string;
  /** 'AES-256-CBC', etc. */
  cipher: string;
}

export interface PrivateKeyInfo {
  /** Container: 'PKCS#8', 'PKCS#1 (RSA PRIVATE KEY)', 'SEC1 (EC PRIVATE KEY)', 'encrypted PKCS#8', 'legacy encrypted PEM'. */
  format: string;
  encryption?: KeyEncryptionInfo;
  /** The public half, derived from the private key. Absent while an encrypted key is still locked. */
  publicKey?: PublicKeyInfo;
  /** Set when the key is encrypted and no (or a wrong) passphrase was given. */
  locked?: 'needs-passphrase' | 'wrong-passphrase';
}

// ---- PKCS#12 (RFC 7292), as engine/x509/pkcs12.ts reads it ----

export type Pkcs12BagType = 'keyBag' | 'pkcs8ShroudedKeyBag' | 'certBag' | 'crlBag' | 'secretBag' | 'safeContentsBag' | 'unknown';
export type Pkcs12Lock = 'needs-passphrase' | 'wrong-passphrase' | 'unsupported';

export interface Pkcs12Attribute {
  oid: string;
  name: string;
  values: string[];
}

export interface Pkcs12Bag {
  type: Pkcs12BagType;
  /** The bag's OID (for an unknown type, the only name it has). */
  oid: string;
  /** As openssl prints it: `Certificate bag`, `Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, ...`. */
  label: string;
  friendlyName?: string;
  /** Colon-separated upper-case hex, as openssl prints key identifiers. */
  localKeyId?: string;
  attributes: Pkcs12Attribute[];
  /** pkcs8ShroudedKeyBag: how the key is encrypted. */
  encryption?: string;
  certificate?: CertificateInfo;
  /** certBag: the certificate's DER (a chain for a connection, or a check against a key). */
  certificateDer?: Uint8Array;
  crl?: CrlInfo;
  /** keyBag, pkcs8ShroudedKeyBag: the public half once the key could be opened. */
  privateKey?: PrivateKeyInfo;
  /** safeContentsBag: the bags inside. */
  bags?: Pkcs12Bag[];
  /** Why part of the bag could not be read. */
  problem?: string;
}

export interface Pkcs12SafeContents {
  /** ContentInfo type: `data` (plain), `encryptedData` (password), `envelopedData` (a recipient's key), or the OID. */
  type: string;
  /** As openssl prints it: `PKCS7 Data`, `PKCS7 Encrypted data: PBES2, ...`. */
  label: string;
  encryption?: string;
  /** The bags, when they could be read. */
  bags?: Pkcs12Bag[];
  locked?: Pkcs12Lock;
  problem?: string;
}

export interface Pkcs12Info {
  /** PFX.version: 3 for RFC 7292. */
  version: number;
  /** 'password' (MacData), 'public-key' (signedData authSafe, not checked here) or 'none'. */
  integrity: 'password' | 'public-key' | 'none';
  mac?: { algorithm: string; iterations: number; macLength: number; saltLength: number };
  /** Set once a password was given: whether the MAC verified with it. */
  macVerified?: boolean;
  contents: Pkcs12SafeContents[];
  /** The file as a whole: needs a password, or the one given does not verify the MAC. */
  locked?: Pkcs12Lock;
  certificateCount: number;
  keyCount: number;
}

export type DecodedObject =
  | { kind: 'certificate'; certificate: CertificateInfo; trusted?: boolean }
  | { kind: 'csr'; csr: CsrInfo }
  | { kind: 'crl'; crl: CrlInfo }
  | { kind: 'public-key'; publicKey: PublicKeyInfo }
  | { kind: 'private-key'; privateKey: PrivateKeyInfo }
  | { kind: 'pkcs7'; certificates: CertificateInfo[]; crls: CrlInfo[] }
  /** A .p12 / .pfx file: its containers and bags, certificates decoded and keys described once opened. */
  | { kind: 'pkcs12'; pkcs12: Pkcs12Info }
  /** EC PARAMETERS / DH PARAMETERS blocks that openssl writes beside keys: described, not decoded further. */
  | { kind: 'parameters'; description: string };
