// The one registry of object identifiers that the decoders, the text printer, the CLI and the panel read.
// `short` and `long` are OpenSSL's names (crypto/objects/objects.txt) so our output reads like `openssl x509 -text`.
// Unknown OIDs are never an error: they print as dotted numbers.

export interface OidEntry {
  short: string;
  long: string;
}

const table: Record<string, OidEntry> = {
  // Name attributes (X.520, RFC 4519, PKCS#9)
  '2.5.4.3': { short: 'CN', long: 'commonName' },
  '2.5.4.4': { short: 'SN', long: 'surname' },
  '2.5.4.5': { short: 'serialNumber', long: 'serialNumber' },
  '2.5.4.6': { short: 'C', long: 'countryName' },
  '2.5.4.7': { short: 'L', long: 'localityName' },
  '2.5.4.8': { short: 'ST', long: 'stateOrProvinceName' },
  '2.5.4.9': { short: 'street', long: 'streetAddress' },
  '2.5.4.10': { short: 'O', long: 'organizationName' },
  '2.5.4.11': { short: 'OU', long: 'organizationalUnitName' },
  '2.5.4.12': { short: 'title', long: 'title' },
  '2.5.4.15': { short: 'businessCategory', long: 'businessCategory' },
  '2.5.4.17': { short: 'postalCode', long: 'postalCode' },
  '2.5.4.42': { short: 'GN', long: 'givenName' },
  '2.5.4.43': { short: 'initials', long: 'initials' },
  '2.5.4.46': { short: 'dnQualifier', long: 'dnQualifier' },
  '2.5.4.97': { short: 'organizationIdentifier', long: 'organizationIdentifier' },
  '0.9.2342.19200300.100.1.1': { short: 'UID', long: 'userId' },
  '0.9.2342.19200300.100.1.25': { short: 'DC', long: 'domainComponent' },
  '1.2.840.113549.1.9.1': { short: 'emailAddress', long: 'emailAddress' },
  '1.2.840.113549.1.9.2': { short: 'unstructuredName', long: 'unstructuredName' },
  '1.2.840.113549.1.9.7': { short: 'challengePassword', long: 'challengePassword' },
  '1.2.840.113549.1.9.14': { short: 'extReq', long: 'Extension Request' },
  '1.3.6.1.4.1.311.60.2.1.3': { short: 'jurisdictionC', long: 'jurisdictionCountryName' },
  '1.3.6.1.4.1.311.60.2.1.2': { short: 'jurisdictionST', long: 'jurisdictionStateOrProvinceName' },
  '1.3.6.1.4.1.311.60.2.1.1': { short: 'jurisdictionL', long: 'jurisdictionLocalityName' },

  // Public key algorithms
  '1.2.840.113549.1.1.1': { short: 'rsaEncryption', long: 'rsaEncryption' },
  '1.2.840.113549.1.1.10': { short: 'RSASSA-PSS', long: 'rsassaPss' },
  '1.2.840.10045.2.1': { short: 'id-ecPublicKey', long: 'id-ecPublicKey' },
  '1.3.101.110': { short: 'X25519', long: 'X25519' },
  '1.3.101.111': { short: 'X448', long: 'X448' },
  '1.3.101.112': { short: 'ED25519', long: 'ED25519' },
  '1.3.101.113': { short: 'ED448', long: 'ED448' },
  '1.2.840.10040.4.1': { short: 'DSA', long: 'dsaEncryption' },

  // Named curves (OpenSSL names; NIST names in curveNames below)
  '1.2.840.10045.3.1.7': { short: 'prime256v1', long: 'prime256v1' },
  '1.3.132.0.34': { short: 'secp384r1', long: 'secp384r1' },
  '1.3.132.0.35': { short: 'secp521r1', long: 'secp521r1' },
  '1.3.132.0.10': { short: 'secp256k1', long: 'secp256k1' },

  // Signature algorithms
  '1.2.840.113549.1.1.2': { short: 'RSA-MD2', long: 'md2WithRSAEncryption' },
  '1.2.840.113549.1.1.4': { short: 'RSA-MD5', long: 'md5WithRSAEncryption' },
  '1.3.14.3.2.29': { short: 'RSA-SHA1-2', long: 'sha1WithRSA' },
  '1.2.840.10040.4.3': { short: 'DSA-SHA1', long: 'dsaWithSHA1' },
  '1.2.840.113549.1.1.5': { short: 'RSA-SHA1', long: 'sha1WithRSAEncryption' },
  '1.2.840.113549.1.1.11': { short: 'RSA-SHA256', long: 'sha256WithRSAEncryption' },
  '1.2.840.113549.1.1.12': { short: 'RSA-SHA384', long: 'sha384WithRSAEncryption' },
  '1.2.840.113549.1.1.13': { short: 'RSA-SHA512', long: 'sha512WithRSAEncryption' },
  '1.2.840.113549.1.1.14': { short: 'RSA-SHA224', long: 'sha224WithRSAEncryption' },
  '1.2.840.10045.4.1': { short: 'ecdsa-with-SHA1', long: 'ecdsa-with-SHA1' },
  '1.2.840.10045.4.3.1': { short: 'ecdsa-with-SHA224', long: 'ecdsa-with-SHA224' },
  '1.2.840.10045.4.3.2': { short: 'ecdsa-with-SHA256', long: 'ecdsa-with-SHA256' },
  '1.2.840.10045.4.3.3': { short: 'ecdsa-with-SHA384', long: 'ecdsa-with-SHA384' },
  '1.2.840.10045.4.3.4': { short: 'ecdsa-with-SHA512', long: 'ecdsa-with-SHA512' },
  '2.16.840.1.101.3.4.3.2': { short: 'dsa_with_SHA256', long: 'dsa_with_SHA256' },

  // Hashes and MGF (for RSA-PSS parameters and PBES2)
  '1.3.14.3.2.26': { short: 'SHA1', long: 'sha1' },
  '2.16.840.1.101.3.4.2.1': { short: 'SHA256', long: 'sha256' },
  '2.16.840.1.101.3.4.2.2': { short: 'SHA384', long: 'sha384' },
  '2.16.840.1.101.3.4.2.3': { short: 'SHA512', long: 'sha512' },
  '2.16.840.1.101.3.4.2.4': { short: 'SHA224', long: 'sha224' },
  '1.2.840.113549.1.1.8': { short: 'MGF1', long: 'mgf1' },
  '1.2.840.113549.2.7': { short: 'hmacWithSHA1', long: 'hmacWithSHA1' },
  '1.2.840.113549.2.9': { short: 'hmacWithSHA256', long: 'hmacWithSHA256' },
  '1.2.840.113549.2.10': { short: 'hmacWithSHA384', long: 'hmacWithSHA384' },
  '1.2.840.113549.2.11': { short: 'hmacWithSHA512', long: 'hmacWithSHA512' },

  // Password-based encryption (RFC 8018, RFC 7914)
  '1.2.840.113549.1.5.13': { short: 'PBES2', long: 'PBES2' },
  '1.2.840.113549.1.5.12': { short: 'PBKDF2', long: 'PBKDF2' },
  '1.3.6.1.4.1.11591.4.11': { short: 'id-scrypt', long: 'scrypt' },
  '2.16.840.1.101.3.4.1.2': { short: 'AES-128-CBC', long: 'aes-128-cbc' },
  '2.16.840.1.101.3.4.1.22': { short: 'AES-192-CBC', long: 'aes-192-cbc' },
  '2.16.840.1.101.3.4.1.42': { short: 'AES-256-CBC', long: 'aes-256-cbc' },
  '1.2.840.113549.3.7': { short: 'DES-EDE3-CBC', long: 'des-ede3-cbc' },

  // Certificate extensions (RFC 5280 section 4.2, RFC 6962, RFC 7633)
  '2.5.29.14': { short: 'subjectKeyIdentifier', long: 'X509v3 Subject Key Identifier' },
  '2.5.29.15': { short: 'keyUsage', long: 'X509v3 Key Usage' },
  '2.5.29.16': { short: 'privateKeyUsagePeriod', long: 'X509v3 Private Key Usage Period' },
  '2.5.29.17': { short: 'subjectAltName', long: 'X509v3 Subject Alternative Name' },
  '2.5.29.18': { short: 'issuerAltName', long: 'X509v3 Issuer Alternative Name' },
  '2.5.29.19': { short: 'basicConstraints', long: 'X509v3 Basic Constraints' },
  '2.5.29.20': { short: 'crlNumber', long: 'X509v3 CRL Number' },
  '2.5.29.21': { short: 'CRLReason', long: 'X509v3 CRL Reason Code' },
  '2.5.29.24': { short: 'invalidityDate', long: 'Invalidity Date' },
  '2.5.29.27': { short: 'deltaCRL', long: 'X509v3 Delta CRL Indicator' },
  '2.5.29.28': { short: 'issuingDistributionPoint', long: 'X509v3 Issuing Distribution Point' },
  '2.5.29.30': { short: 'nameConstraints', long: 'X509v3 Name Constraints' },
  '2.5.29.31': { short: 'crlDistributionPoints', long: 'X509v3 CRL Distribution Points' },
  '2.5.29.32': { short: 'certificatePolicies', long: 'X509v3 Certificate Policies' },
  '2.5.29.33': { short: 'policyMappings', long: 'X509v3 Policy Mappings' },
  '2.5.29.35': { short: 'authorityKeyIdentifier', long: 'X509v3 Authority Key Identifier' },
  '2.5.29.36': { short: 'policyConstraints', long: 'X509v3 Policy Constraints' },
  '2.5.29.37': { short: 'extendedKeyUsage', long: 'X509v3 Extended Key Usage' },
  '2.5.29.46': { short: 'freshestCRL', long: 'X509v3 Freshest CRL' },
  '2.5.29.54': { short: 'inhibitAnyPolicy', long: 'X509v3 Inhibit Any Policy' },
  '1.3.6.1.5.5.7.1.1': { short: 'authorityInfoAccess', long: 'Authority Information Access' },
  '1.3.6.1.5.5.7.1.11': { short: 'subjectInfoAccess', long: 'Subject Information Access' },
  '1.3.6.1.5.5.7.1.24': { short: 'tlsfeature', long: 'TLS Feature' },
  '1.3.6.1.4.1.11129.2.4.2': { short: 'ct_precert_scts', long: 'CT Precertificate SCTs' },
  '1.3.6.1.4.1.11129.2.4.3': { short: 'ct_precert_poison', long: 'CT Precertificate Poison' },
  '1.3.6.1.4.1.11129.2.4.5': { short: 'ct_cert_scts', long: 'CT Certificate SCTs' },
  '2.16.840.1.113730.1.1': { short: 'nsCertType', long: 'Netscape Cert Type' },
  '2.16.840.1.113730.1.13': { short: 'nsComment', long: 'Netscape Comment' },
  '1.3.6.1.5.5.7.48.1.5': { short: 'noCheck', long: 'OCSP No Check' },

  // Extended key usage purposes
  '2.5.29.37.0': { short: 'anyExtendedKeyUsage', long: 'Any Extended Key Usage' },
  '1.3.6.1.5.5.7.3.1': { short: 'serverAuth', long: 'TLS Web Server Authentication' },
  '1.3.6.1.5.5.7.3.2': { short: 'clientAuth', long: 'TLS Web Client Authentication' },
  '1.3.6.1.5.5.7.3.3': { short: 'codeSigning', long: 'Code Signing' },
  '1.3.6.1.5.5.7.3.4': { short: 'emailProtection', long: 'E-mail Protection' },
  '1.3.6.1.5.5.7.3.8': { short: 'timeStamping', long: 'Time Stamping' },
  '1.3.6.1.5.5.7.3.9': { short: 'OCSPSigning', long: 'OCSP Signing' },
  '1.3.6.1.4.1.311.10.3.3': { short: 'msSGC', long: 'Microsoft Server Gated Crypto' },
  '2.16.840.1.113730.4.1': { short: 'nsSGC', long: 'Netscape Server Gated Crypto' },
  '1.3.6.1.4.1.11129.2.4.4': { short: 'ct_precert_signer', long: 'CT Precertificate Signer' },

  // Access methods and policy qualifiers
  '1.3.6.1.5.5.7.48.1': { short: 'OCSP', long: 'OCSP' },
  '1.3.6.1.5.5.7.48.2': { short: 'caIssuers', long: 'CA Issuers' },
  '1.3.6.1.5.5.7.2.1': { short: 'id-qt-cps', long: 'Policy Qualifier CPS' },
  '1.3.6.1.5.5.7.2.2': { short: 'id-qt-unotice', long: 'Policy Qualifier User Notice' },
  '2.5.29.32.0': { short: 'anyPolicy', long: 'X509v3 Any Policy' },

  // CMS / PKCS#7 content types
  '1.2.840.113549.1.7.1': { short: 'pkcs7-data', long: 'pkcs7-data' },
  '1.2.840.113549.1.7.2': { short: 'pkcs7-signedData', long: 'pkcs7-signedData' },
};

/** Names that TLS people use for curves, keyed by OID. */
export const curveNames: Record<string, string> = {
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
  '1.3.132.0.10': 'secp256k1',
};

/** Curve order sizes in bits, for the key-size line. */
export const curveBits: Record<string, number> = {
  '1.2.840.10045.3.1.7': 256,
  '1.3.132.0.34': 384,
  '1.3.132.0.35': 521,
  '1.3.132.0.10': 256,
};

export function oidEntry(oid: string): OidEntry | undefined {
  return table[oid];
}

/** OpenSSL's short name, or the dotted OID. */
export function oidShort(oid: string): string {
  return table[oid]?.short ?? oid;
}

/** OpenSSL's long name, or the dotted OID. */
export function oidLong(oid: string): string {
  return table[oid]?.long ?? oid;
}
