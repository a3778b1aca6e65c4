// The one registry of certificate lint rules: each rule's id, severity, the section it comes from (RFC 5280 or
// the CA/Browser Forum TLS Baseline Requirements, version 2.x numbering), the certificates it applies to, and a
// one-line explanation and fix. The checks themselves live in checks.ts, keyed by these ids.
//
// Severity follows the source's own word: MUST / MUST NOT is an error, SHOULD / SHOULD NOT a warning, NOT
// RECOMMENDED or a practical consequence a notice. `since` limits a rule to certificates whose notBefore is on or
// after the date the requirement took effect (the BRs apply to certificates issued after their effective dates).

export type LintSeverity = 'error' | 'warning' | 'notice';
export type CertRole = 'leaf' | 'intermediate' | 'root';

export interface LintSource {
  doc: 'RFC 5280' | 'BR';
  section: string;
}

export interface LintRule {
  id: string;
  severity: LintSeverity;
  source: LintSource;
  appliesTo: readonly CertRole[];
  /** What the rule requires, in one line. */
  summary: string;
  /** What to change, in one line (openssl configuration names where they help). */
  fix: string;
  /** ISO date: only certificates with notBefore on or after it are checked. */
  since?: string;
  /**
   * For roots only: checked on roots with notBefore on or after this date. A root serves as a trust anchor by its
   * name and key alone (RFC 5280 section 6.1.1 (d)); the encoding rules of RFC 5280 were first imposed on roots by
   * the BR 2.0.0 Root CA profile (7.1.2.1, effective 2023-09-15), and older roots in the trust stores break them.
   */
  rootsFrom?: string;
}

/** BR 2.0.0 (ballot SC-62): the certificate profiles of 7.1.2, the Root CA profile 7.1.2.1 among them, apply from here. */
export const BR_PROFILES_EFFECTIVE = '2023-09-15';

export const SEVERITY_RANK: Record<LintSeverity, number> = { error: 3, warning: 2, notice: 1 };

const ALL: readonly CertRole[] = ['leaf', 'intermediate', 'root'];
const LEAF: readonly CertRole[] = ['leaf'];
const CA: readonly CertRole[] = ['intermediate', 'root'];
const ISSUED: readonly CertRole[] = ['leaf', 'intermediate'];

const rfc = (section: string): LintSource => ({ doc: 'RFC 5280', section });
const br = (section: string): LintSource => ({ doc: 'BR', section });

export const LINT_RULES: readonly LintRule[] = [
  // ---- version, serial, unique identifiers, signature algorithm ----
  { id: 'version-3', severity: 'error', source: br('7.1.1'), appliesTo: ALL,
    summary: 'Certificates must be X.509 version 3.', fix: 'Issue the certificate with extensions (openssl x509 -extfile / req -x509 -addext); OpenSSL then writes version 3.' },
  { id: 'unique-ids-absent', severity: 'error', source: rfc('4.1.2.8'), appliesTo: ALL,
    summary: 'issuerUniqueID and subjectUniqueID must not be present.', fix: 'Re-issue without unique identifiers (OpenSSL never writes them; another tool did).' },
  { id: 'serial-positive', severity: 'error', source: rfc('4.1.2.2'), appliesTo: ALL, rootsFrom: BR_PROFILES_EFFECTIVE,
    summary: 'The serial number must be a positive integer.', fix: 'Re-issue with a positive serial: openssl x509 -set_serial 0x<random hex> or openssl ca with a serial file.' },
  { id: 'serial-max-20-octets', severity: 'error', source: rfc('4.1.2.2'), appliesTo: ALL, rootsFrom: BR_PROFILES_EFFECTIVE,
    summary: 'The serial number must not be longer than 20 octets.', fix: 'Use at most 159 random bits (openssl rand -hex 19 keeps the top bit clear).' },
  { id: 'serial-64-bit-entropy', severity: 'error', source: br('7.1'), appliesTo: ISSUED, since: '2016-09-30',
    summary: 'The serial must carry at least 64 bits from a CSPRNG: a serial shorter than 8 octets cannot.', fix: 'Use a random serial of 9 to 20 octets (openssl x509 -set_serial 0x$(openssl rand -hex 16); openssl ca -create_serial).' },
  { id: 'signature-algorithm-match', severity: 'error', source: rfc('4.1.1.2'), appliesTo: ALL,
    summary: 'tbsCertificate.signature must be the same AlgorithmIdentifier as signatureAlgorithm.', fix: 'Re-sign with a tool that writes both fields from the one algorithm.' },
  { id: 'signature-algorithm-weak', severity: 'error', source: br('7.1.3.2'), appliesTo: ISSUED,
    summary: 'The signature must not use MD2, MD5 or SHA-1.', fix: 'Re-sign with SHA-256 or stronger (openssl x509 -sha256, openssl ca -md sha256).' },
  { id: 'signature-algorithm-encoding', severity: 'error', source: br('7.1.3.2'), appliesTo: ISSUED,
    summary: 'The signature AlgorithmIdentifier must be one of the encodings the BRs list (RSA PKCS#1 v1.5 or ECDSA with SHA-256/384/512).', fix: 'Sign with sha256WithRSAEncryption (NULL parameters), ecdsa-with-SHA256/384/512 (no parameters) or RSA-PSS as in 7.1.3.2.1.' },
  { id: 'signature-rsa-pss-params', severity: 'error', source: br('7.1.3.2.1'), appliesTo: ISSUED,
    summary: 'RSASSA-PSS parameters must be SHA-256/384/512, MGF1 with the same hash, a salt as long as the hash, and no trailerField.', fix: 'openssl x509 ... -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -sigopt rsa_mgf1_md:sha256 -sha256' },

  // ---- subject public key (BR 6.1.5, 6.1.6, 7.1.3.1) ----
  { id: 'spki-algorithm', severity: 'error', source: br('7.1.3.1'), appliesTo: ALL,
    summary: 'The key must be rsaEncryption with NULL parameters or id-ecPublicKey with a named curve.', fix: 'Generate an RSA or ECDSA key (openssl genpkey -algorithm RSA|EC); Ed25519, DSA, RSA-PSS-only and explicit curve parameters are not allowed.' },
  { id: 'rsa-key-size', severity: 'error', source: br('6.1.5'), appliesTo: ALL,
    summary: 'An RSA modulus must be at least 2048 bits.', fix: 'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 (or 3072, 4096).' },
  { id: 'rsa-modulus-multiple-of-8', severity: 'error', source: br('6.1.5'), appliesTo: ALL,
    summary: 'The RSA modulus size in bits must be divisible by 8.', fix: 'Generate the key with a bit size that is a multiple of 8 (2048, 3072, 4096).' },
  { id: 'rsa-exponent', severity: 'error', source: br('6.1.6'), appliesTo: ALL,
    summary: 'The RSA public exponent must be an odd number equal to 3 or more.', fix: 'Generate the key with the default exponent 65537.' },
  { id: 'rsa-exponent-range', severity: 'warning', source: br('6.1.6'), appliesTo: ALL,
    summary: 'The RSA public exponent should be between 2^16+1 and 2^256-1.', fix: 'Generate the key with the default exponent 65537 (not rsa_keygen_pubexp:3).' },
  { id: 'ec-curve', severity: 'error', source: br('6.1.5'), appliesTo: ALL,
    summary: 'An ECDSA key must be on P-256, P-384 or P-521.', fix: 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 (or P-384, P-521).' },

  // ---- validity (RFC 5280 4.1.2.5, BR 6.3.2) ----
  { id: 'validity-time-encoding', severity: 'error', source: rfc('4.1.2.5'), appliesTo: ALL, rootsFrom: BR_PROFILES_EFFECTIVE,
    summary: 'Dates through 2049 must be UTCTime YYMMDDHHMMSSZ, from 2050 GeneralizedTime YYYYMMDDHHMMSSZ (seconds, Z, no fraction).', fix: 'Re-issue with OpenSSL, which chooses the right type; do not write GeneralizedTime for years before 2050.' },
  { id: 'validity-period', severity: 'error', source: br('6.3.2'), appliesTo: LEAF, since: '2018-03-01',
    summary: 'A subscriber certificate\'s validity must not exceed 825 days (from 2018-03-01), 398 (from 2020-09-01), 200 (from 2026-03-15), 100 (from 2027-03-15), 47 days (from 2029-03-15).', fix: 'Issue with fewer days (openssl x509 -days N); automate renewal (ACME).' },

  // ---- names (RFC 5280 4.1.2.4 and Appendix A, BR 7.1.4) ----
  { id: 'name-string-type', severity: 'error', source: rfc('4.1.2.4'), appliesTo: ALL, since: '2004-01-01',
    summary: 'DirectoryString attributes must be encoded as PrintableString or UTF8String.', fix: 'Set string_mask = utf8only in the [req] section (the default in openssl.cnf) and re-issue.' },
  { id: 'printable-string-charset', severity: 'error', source: rfc('4.1.2.4'), appliesTo: ALL,
    summary: 'A PrintableString may hold only A-Z a-z 0-9 space and \' ( ) + , - . / : = ?', fix: 'Encode values with other characters (@ & _ * etc.) as UTF8String (string_mask = utf8only).' },
  { id: 'country-code', severity: 'error', source: br('7.1.4.2'), appliesTo: ALL,
    summary: 'countryName must be a two-letter ISO 3166-1 code (upper case) in a PrintableString.', fix: 'Use the upper-case two-letter code: -subj "/C=US/...".' },
  { id: 'name-length', severity: 'error', source: rfc('Appendix A.1'), appliesTo: ALL,
    summary: 'Subject attributes must stay within X.520 upper bounds (CN, O, OU 64; L, ST 128 characters).', fix: 'Shorten the attribute; put long DNS names only in subjectAltName.' },
  { id: 'cn-in-san', severity: 'error', source: br('7.1.4.3'), appliesTo: LEAF,
    summary: 'A commonName must be a character-for-character copy of a dNSName or an iPAddress in subjectAltName.', fix: 'Add the CN value to subjectAltName (subjectAltName = DNS:<cn>) or drop the CN.' },
  { id: 'cn-single', severity: 'error', source: br('7.1.4.3'), appliesTo: LEAF,
    summary: 'The subject must hold at most one commonName.', fix: 'Keep one CN; list every name in subjectAltName.' },

  // ---- subjectAltName (RFC 5280 4.2.1.6, BR 7.1.2.7.12) ----
  { id: 'san-present', severity: 'error', source: br('7.1.2.7.6'), appliesTo: LEAF,
    summary: 'A TLS server certificate must have a subjectAltName extension.', fix: 'Add subjectAltName = DNS:<host>[, IP:<addr>] to the extension section.' },
  { id: 'san-entry-types', severity: 'error', source: br('7.1.2.7.12'), appliesTo: LEAF,
    summary: 'subjectAltName must hold at least one entry, each a dNSName or an iPAddress.', fix: 'Keep only DNS: and IP: entries; email, URI, dirName and otherName do not belong in a server certificate.' },
  { id: 'san-critical-empty-subject', severity: 'error', source: rfc('4.2.1.6'), appliesTo: ALL,
    summary: 'With an empty subject, subjectAltName must be critical.', fix: 'subjectAltName = critical, DNS:<host>' },
  { id: 'san-not-critical', severity: 'warning', source: rfc('4.2.1.6'), appliesTo: ALL,
    summary: 'With a non-empty subject, subjectAltName should not be critical (the BRs say must not, 7.1.2.7.12).', fix: 'Drop "critical," from the subjectAltName line.' },
  { id: 'dns-name-syntax', severity: 'error', source: rfc('4.2.1.6'), appliesTo: LEAF,
    summary: 'A dNSName must be in preferred name syntax: LDH labels of 1-63 characters, no leading or trailing hyphen, 253 characters at most.', fix: 'Correct the name; IDNs go in as their xn-- A-label.' },
  { id: 'dns-name-underscore', severity: 'error', source: br('7.1.2.7.12'), appliesTo: LEAF, since: '2019-04-01',
    summary: 'A dNSName must not contain an underscore.', fix: 'Rename the host without "_" (underscores were sunset by ballot SC-12).' },
  { id: 'dns-name-wildcard', severity: 'error', source: br('7.1.2.7.12'), appliesTo: LEAF,
    summary: 'A wildcard must be the whole leftmost label ("*.") followed by a domain of two or more labels.', fix: 'Use *.example.com; not w*.example.com, www.*.example.com or *.com.' },
  { id: 'dns-name-ip', severity: 'error', source: br('7.1.2.7.12'), appliesTo: LEAF,
    summary: 'An IP address must be an iPAddress entry, not a dNSName.', fix: 'Write subjectAltName = IP:<address> instead of DNS:<address>.' },

  // ---- basicConstraints, keyUsage, extKeyUsage (RFC 5280 4.2.1.3, 4.2.1.9, 4.2.1.12; BR 7.1.2.7.8-11) ----
  { id: 'basic-constraints-leaf', severity: 'error', source: br('7.1.2.7.8'), appliesTo: LEAF,
    summary: 'A subscriber certificate\'s basicConstraints, if present, must have cA FALSE and no pathLenConstraint.', fix: 'basicConstraints = critical, CA:FALSE' },
  { id: 'basic-constraints-ca', severity: 'error', source: rfc('4.2.1.9'), appliesTo: CA, rootsFrom: BR_PROFILES_EFFECTIVE,
    summary: 'A CA certificate must have basicConstraints with cA TRUE, marked critical.', fix: 'basicConstraints = critical, CA:TRUE' },
  { id: 'key-usage-critical', severity: 'warning', source: rfc('4.2.1.3'), appliesTo: ALL,
    summary: 'keyUsage should be marked critical.', fix: 'keyUsage = critical, ...' },
  { id: 'key-usage-present', severity: 'warning', source: br('7.1.2.7.6'), appliesTo: LEAF,
    summary: 'A subscriber certificate should have a keyUsage extension.', fix: 'keyUsage = critical, digitalSignature (add keyEncipherment only for RSA keys that serve TLS 1.2 RSA key exchange).' },
  { id: 'key-usage-leaf', severity: 'error', source: br('7.1.2.7.11'), appliesTo: LEAF,
    summary: 'Leaf keyUsage: never keyCertSign, cRLSign, nonRepudiation, encipherOnly or decipherOnly; ECDSA keys need digitalSignature and never key/data encipherment.', fix: 'keyUsage = critical, digitalSignature (RSA may add keyEncipherment).' },
  { id: 'key-usage-leaf-not-recommended', severity: 'notice', source: br('7.1.2.7.11'), appliesTo: LEAF,
    summary: 'keyAgreement with an ECDSA key and dataEncipherment with an RSA key are NOT RECOMMENDED in a subscriber certificate.', fix: 'keyUsage = critical, digitalSignature' },
  { id: 'key-usage-ca', severity: 'error', source: br('7.1.2.10.7'), appliesTo: CA, rootsFrom: BR_PROFILES_EFFECTIVE,
    summary: 'A CA certificate must have keyUsage with keyCertSign and cRLSign.', fix: 'keyUsage = critical, keyCertSign, cRLSign' },
  { id: 'eku-server-auth', severity: 'error', source: br('7.1.2.7.10'), appliesTo: LEAF,
    summary: 'A TLS server certificate must have extKeyUsage containing id-kp-serverAuth.', fix: 'extendedKeyUsage = serverAuth (clientAuth may be added).' },
  { id: 'eku-leaf-prohibited', severity: 'error', source: br('7.1.2.7.10'), appliesTo: LEAF,
    summary: 'A TLS server certificate\'s extKeyUsage must not contain anyExtendedKeyUsage, emailProtection, codeSigning, timeStamping, OCSPSigning or Precertificate Signing.', fix: 'extendedKeyUsage = serverAuth' },

  { id: 'eku-leaf-other', severity: 'notice', source: br('7.1.2.7.10'), appliesTo: LEAF,
    summary: 'Key purposes other than serverAuth and clientAuth are NOT RECOMMENDED in a TLS server certificate.', fix: 'extendedKeyUsage = serverAuth (, clientAuth)' },

  // ---- key identifiers (RFC 5280 4.2.1.1, 4.2.1.2) ----
  { id: 'aki-present', severity: 'error', source: rfc('4.2.1.1'), appliesTo: ISSUED,
    summary: 'authorityKeyIdentifier with a keyIdentifier must be present (only a self-signed certificate may omit it).', fix: 'authorityKeyIdentifier = keyid:always' },
  { id: 'aki-not-critical', severity: 'error', source: rfc('4.2.1.1'), appliesTo: ALL,
    summary: 'authorityKeyIdentifier must not be critical.', fix: 'authorityKeyIdentifier = keyid:always (without "critical,").' },
  { id: 'ski-ca-present', severity: 'error', source: rfc('4.2.1.2'), appliesTo: CA, rootsFrom: BR_PROFILES_EFFECTIVE,
    summary: 'A CA certificate must have a subjectKeyIdentifier.', fix: 'subjectKeyIdentifier = hash' },
  { id: 'ski-not-critical', severity: 'error', source: rfc('4.2.1.2'), appliesTo: ALL,
    summary: 'subjectKeyIdentifier must not be critical.', fix: 'subjectKeyIdentifier = hash (without "critical,").' },

  // ---- other extensions (RFC 5280 4.2, 4.2.1.13, 4.2.2.1; BR 7.1.2.6, 7.1.2.7.6, 7.1.2.11.2) ----
  { id: 'extension-duplicate', severity: 'error', source: rfc('4.2'), appliesTo: ALL,
    summary: 'A certificate must not include more than one instance of an extension.', fix: 'Merge the duplicated extension lines into one.' },
  { id: 'aia-not-critical', severity: 'error', source: rfc('4.2.2.1'), appliesTo: ALL,
    summary: 'authorityInfoAccess must not be critical.', fix: 'authorityInfoAccess = caIssuers;URI:http://..., OCSP;URI:http://... (without "critical,").' },
  { id: 'crldp-not-critical', severity: 'warning', source: rfc('4.2.1.13'), appliesTo: ALL,
    summary: 'cRLDistributionPoints should not be critical.', fix: 'crlDistributionPoints = URI:http://... (without "critical,").' },
  { id: 'aia-present', severity: 'error', source: br('7.1.2.7.6'), appliesTo: LEAF,
    summary: 'A subscriber certificate must have authorityInfoAccess (caIssuers recommended, 7.1.2.7.7): clients fetch missing intermediates from it.', fix: 'authorityInfoAccess = caIssuers;URI:http://<ca>/issuer.crt' },
  { id: 'aia-ca-issuers', severity: 'warning', source: br('7.1.2.7.7'), appliesTo: LEAF,
    summary: 'authorityInfoAccess should name the issuer\'s certificate (id-ad-caIssuers) so clients can complete a chain.', fix: 'Add caIssuers;URI:http://<ca>/issuer.crt to authorityInfoAccess.' },
  // ---- certificate policies (BR 7.1.2.7.6, 7.1.2.7.9; the reserved identifiers of 7.1.6.1) ----
  { id: 'cp-present', severity: 'error', source: br('7.1.2.7.6'), appliesTo: LEAF, since: BR_PROFILES_EFFECTIVE,
    summary: 'A subscriber certificate must have certificatePolicies, naming the CA/Browser Forum policy it was validated under.', fix: 'certificatePolicies = 2.23.140.1.2.1 (domain validated; 2.23.140.1.2.2 organization, 2.23.140.1.2.3 individual).' },
  { id: 'cp-not-critical', severity: 'warning', source: br('7.1.2.7.6'), appliesTo: LEAF, since: BR_PROFILES_EFFECTIVE,
    summary: 'certificatePolicies should not be critical in a subscriber certificate: clients that do not process policies would reject it.', fix: 'certificatePolicies = 2.23.140.1.2.1 (without "critical,").' },
  { id: 'cp-reserved-policy', severity: 'error', source: br('7.1.2.7.9'), appliesTo: LEAF, since: BR_PROFILES_EFFECTIVE,
    summary: 'certificatePolicies must hold exactly one CA/Browser Forum reserved policy identifier (7.1.6.1): 2.23.140.1.2.1 (DV), 2.23.140.1.2.2 (OV), 2.23.140.1.2.3 (IV) or 2.23.140.1.1 (EV).', fix: 'certificatePolicies = 2.23.140.1.2.1, then your own policy OIDs if you have any; never two of the reserved ones.' },
  { id: 'cp-no-any-policy', severity: 'error', source: br('7.1.2.7.9'), appliesTo: LEAF, since: BR_PROFILES_EFFECTIVE,
    summary: 'A subscriber certificate must not assert anyPolicy (2.5.29.32.0).', fix: 'Replace anyPolicy by the reserved identifier the certificate was validated under (certificatePolicies = 2.23.140.1.2.1).' },
  { id: 'cp-qualifiers', severity: 'error', source: br('7.1.2.7.9'), appliesTo: LEAF, since: BR_PROFILES_EFFECTIVE,
    summary: 'Policy qualifiers are not recommended; where present, only id-qt-cps (the CPS URL) is allowed: no userNotice.', fix: 'In the policy section keep at most CPS.1 = "https://<ca>/cps" and drop userNotice.' },
  { id: 'crl-or-ocsp', severity: 'error', source: br('7.1.2.11.2'), appliesTo: LEAF, since: '2024-03-15',
    summary: 'Unless short-lived, a subscriber certificate must carry cRLDistributionPoints or an OCSP URL in authorityInfoAccess.', fix: 'crlDistributionPoints = URI:http://<ca>/crl (or authorityInfoAccess = OCSP;URI:http://<ocsp>).' },
  { id: 'crldp-ca', severity: 'error', source: br('7.1.2.6'), appliesTo: ['intermediate'], since: '2023-09-15',
    summary: 'A subordinate CA certificate must have cRLDistributionPoints.', fix: 'crlDistributionPoints = URI:http://<root-ca>/crl' },
];

const BY_ID = new Map(LINT_RULES.map((r) => [r.id, r]));

export function lintRule(id: string): LintRule {
  const r = BY_ID.get(id);
  if (!r) throw new Error(`lint: no rule "${id}" in the registry`);
  return r;
}

/** `RFC 5280 4.1.2.2` or `BR 7.1.2.7.10`. */
export function sourceText(s: LintSource): string {
  return `${s.doc} ${s.section}`;
}
