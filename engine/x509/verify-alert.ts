// Which alert an endpoint sends when the peer's chain fails verification: OpenSSL's ssl_x509err2alert
// (ssl/statem/statem_lib.c), so a peer that logs our alert sees what OpenSSL would have sent.
const ALERT_BY_CODE: ReadonlyMap<number, string> = new Map([
  // CERT_NOT_YET_VALID, CERT_HAS_EXPIRED, ERROR_IN_CERT_NOT_BEFORE/AFTER_FIELD
  ...[9, 10, 13, 14].map((c) => [c, 'certificate_expired'] as const),
  // UNABLE_TO_GET_ISSUER_CERT(_LOCALLY), DEPTH_ZERO_SELF_SIGNED, SELF_SIGNED_CERT_IN_CHAIN,
  // UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_UNTRUSTED, CERT_REJECTED, UNABLE_TO_GET_CRL
  ...[2, 20, 18, 19, 21, 27, 28, 3].map((c) => [c, 'unknown_ca'] as const),
  [23, 'certificate_revoked'], // CERT_REVOKED
  // CERT_SIGNATURE_FAILURE, CRL_SIGNATURE_FAILURE, UNABLE_TO_DECRYPT_CERT/CRL_SIGNATURE, UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY
  ...[7, 8, 4, 5, 6].map((c) => [c, 'decrypt_error'] as const),
  [17, 'internal_error'], // OUT_OF_MEM
  [62, 'handshake_failure'], [63, 'handshake_failure'], [64, 'handshake_failure'], // HOSTNAME/EMAIL/IP_ADDRESS_MISMATCH
]);

export function alertForVerifyError(code: number): string {
  return ALERT_BY_CODE.get(code) ?? 'bad_certificate';
}
