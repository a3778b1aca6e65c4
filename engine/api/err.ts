// OpenSSL's error queue (ERR_get_error, ERR_error_string...): one queue, as OpenSSL keeps one per thread and
// JavaScript runs the engine on one. Codes are packed as OpenSSL 3 packs them (lib << 23 | reason), so the
// strings match what `openssl` prints, e.g. "error:0A0000B1:SSL routines::no certificate assigned".

export const ERR_LIB_SYS = 2;
export const ERR_LIB_EVP = 6;
export const ERR_LIB_PEM = 9;
export const ERR_LIB_X509 = 11;
export const ERR_LIB_ASN1 = 13;
export const ERR_LIB_SSL = 20;

const LIB_NAMES: Record<number, string> = {
  [ERR_LIB_SYS]: 'system library',
  [ERR_LIB_EVP]: 'digital envelope routines',
  [ERR_LIB_PEM]: 'PEM routines',
  [ERR_LIB_X509]: 'x509 certificate routines',
  [ERR_LIB_ASN1]: 'asn1 encoding routines',
  [ERR_LIB_SSL]: 'SSL routines',
};

/** Reason codes we raise, with OpenSSL's numbers and texts (include/openssl/*err.h, crypto/err/openssl.txt). */
export const R = {
  SSL_R_BAD_SSL_FILETYPE: { lib: ERR_LIB_SSL, reason: 124, text: 'bad ssl filetype' },
  SSL_R_NO_CERTIFICATE_ASSIGNED: { lib: ERR_LIB_SSL, reason: 177, text: 'no certificate assigned' },
  SSL_R_NO_PRIVATE_KEY_ASSIGNED: { lib: ERR_LIB_SSL, reason: 190, text: 'no private key assigned' },
  SSL_R_UNKNOWN_CERTIFICATE_TYPE: { lib: ERR_LIB_SSL, reason: 247, text: 'unknown certificate type' },
  SSL_R_NULL_SSL_CTX: { lib: ERR_LIB_SSL, reason: 195, text: 'null ssl ctx' },
  SSL_R_NULL_SSL_METHOD_PASSED: { lib: ERR_LIB_SSL, reason: 196, text: 'null ssl method passed' },
  SSL_R_UNSUPPORTED_PROTOCOL: { lib: ERR_LIB_SSL, reason: 258, text: 'unsupported protocol' },
  X509_R_KEY_TYPE_MISMATCH: { lib: ERR_LIB_X509, reason: 115, text: 'key type mismatch' },
  X509_R_KEY_VALUES_MISMATCH: { lib: ERR_LIB_X509, reason: 116, text: 'key values mismatch' },
  PEM_R_BAD_DECRYPT: { lib: ERR_LIB_PEM, reason: 101, text: 'bad decrypt' },
  PEM_R_BAD_PASSWORD_READ: { lib: ERR_LIB_PEM, reason: 104, text: 'bad password read' },
  PEM_R_NO_START_LINE: { lib: ERR_LIB_PEM, reason: 108, text: 'no start line' },
  PEM_R_BAD_BASE64_DECODE: { lib: ERR_LIB_PEM, reason: 100, text: 'bad base64 decode' },
  ASN1_R_NOT_ENOUGH_DATA: { lib: ERR_LIB_ASN1, reason: 142, text: 'not enough data' },
  ASN1_R_WRONG_TAG: { lib: ERR_LIB_ASN1, reason: 168, text: 'wrong tag' },
  ASN1_R_TOO_LONG: { lib: ERR_LIB_ASN1, reason: 155, text: 'too long' },
  EVP_R_UNSUPPORTED_PRIVATE_KEY_ALGORITHM: { lib: ERR_LIB_EVP, reason: 118, text: 'unsupported private key algorithm' },
  SSL_R_BAD_EXTENSION: { lib: ERR_LIB_SSL, reason: 110, text: 'bad extension' },
  SSL_R_CERTIFICATE_VERIFY_FAILED: { lib: ERR_LIB_SSL, reason: 134, text: 'certificate verify failed' },
  SSL_R_NO_CIPHER_MATCH: { lib: ERR_LIB_SSL, reason: 185, text: 'no cipher match' },
  SSL_R_WRONG_SSL_VERSION: { lib: ERR_LIB_SSL, reason: 266, text: 'wrong ssl version' },
  SSL_R_NO_RENEGOTIATION: { lib: ERR_LIB_SSL, reason: 339, text: 'no renegotiation' },
  SSL_R_BAD_SIGNATURE: { lib: ERR_LIB_SSL, reason: 123, text: 'bad signature' },
  SSL_R_DATA_LENGTH_TOO_LONG: { lib: ERR_LIB_SSL, reason: 146, text: 'data length too long' },
  SSL_R_LENGTH_MISMATCH: { lib: ERR_LIB_SSL, reason: 159, text: 'length mismatch' },
  SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE: { lib: ERR_LIB_SSL, reason: 199, text: 'peer did not return a certificate' },
  SSL_R_SSL_HANDSHAKE_FAILURE: { lib: ERR_LIB_SSL, reason: 229, text: 'ssl handshake failure' },
  SSL_R_NO_APPLICATION_PROTOCOL: { lib: ERR_LIB_SSL, reason: 235, text: 'no application protocol' },
  SSL_R_UNEXPECTED_MESSAGE: { lib: ERR_LIB_SSL, reason: 244, text: 'unexpected message' },
  SSL_R_UNINITIALIZED: { lib: ERR_LIB_SSL, reason: 276, text: 'uninitialized' },
  SSL_R_EXCESSIVE_MESSAGE_SIZE: { lib: ERR_LIB_SSL, reason: 152, text: 'excessive message size' },
  SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC: { lib: ERR_LIB_SSL, reason: 281, text: 'decryption failed or bad record mac' },
} as const;

/** OpenSSL reports an alert received from the peer as reason 1000 + its code (SSL_AD_REASON_OFFSET). */
const PEER_ALERT_TEXTS: Record<number, string> = {
  10: 'sslv3 alert unexpected message', 20: 'sslv3 alert bad record mac', 21: 'tlsv1 alert decryption failed', 22: 'tlsv1 alert record overflow',
  30: 'sslv3 alert decompression failure', 40: 'sslv3 alert handshake failure', 41: 'sslv3 alert no certificate', 42: 'sslv3 alert bad certificate',
  43: 'sslv3 alert unsupported certificate', 44: 'sslv3 alert certificate revoked', 45: 'sslv3 alert certificate expired', 46: 'sslv3 alert certificate unknown',
  47: 'sslv3 alert illegal parameter', 48: 'tlsv1 alert unknown ca', 49: 'tlsv1 alert access denied', 50: 'tlsv1 alert decode error',
  51: 'tlsv1 alert decrypt error', 60: 'tlsv1 alert export restriction', 70: 'tlsv1 alert protocol version', 71: 'tlsv1 alert insufficient security',
  80: 'tlsv1 alert internal error', 86: 'tlsv1 alert inappropriate fallback', 90: 'tlsv1 alert user cancelled', 100: 'tlsv1 alert no renegotiation',
  109: 'tlsv13 alert missing extension', 110: 'tlsv1 unsupported extension', 111: 'tlsv1 certificate unobtainable', 112: 'tlsv1 unrecognized name',
  113: 'tlsv1 bad certificate status response', 114: 'tlsv1 bad certificate hash value', 115: 'tlsv1 alert unknown psk identity',
  116: 'tlsv13 alert certificate required', 120: 'tlsv1 alert no application protocol',
};

/** The reason OpenSSL raises when the peer sends alert `code`. */
export function peerAlertReason(code: number): Reason {
  return { lib: ERR_LIB_SSL, reason: 1000 + code, text: PEER_ALERT_TEXTS[code] ?? `reason(${1000 + code})` } as unknown as Reason;
}

export type Reason = (typeof R)[keyof typeof R];

/** OpenSSL 3 marks system errors with the top bit and keeps errno in the low bits. */
const ERR_SYSTEM_FLAG = 0x80000000;

interface Entry {
  code: number;
  /** Extra context OpenSSL would give with ERR_add_error_data (a file name, a field). */
  data?: string;
}

const queue: Entry[] = [];
const reasonTexts = new Map<number, string>(Object.values(R).map((r) => [ERR_PACK(r.lib, r.reason), r.text]));

export function ERR_PACK(lib: number, reason: number): number {
  return ((lib & 0xff) << 23) | (reason & 0x7fffff);
}

export function ERR_GET_LIB(code: number): number {
  return code & ERR_SYSTEM_FLAG ? ERR_LIB_SYS : (code >>> 23) & 0xff;
}

export function ERR_GET_REASON(code: number): number {
  return code & ERR_SYSTEM_FLAG ? code & 0x7fffffff : code & 0x7fffff;
}

/** Pushes an error (OpenSSL's ERR_raise + ERR_add_error_data). */
export function ERR_raise(reason: Reason, data?: string): void {
  const packed = ERR_PACK(reason.lib, reason.reason);
  if (!reasonTexts.has(packed)) reasonTexts.set(packed, reason.text);
  queue.push(data === undefined ? { code: ERR_PACK(reason.lib, reason.reason) } : { code: ERR_PACK(reason.lib, reason.reason), data });
}

/** Pushes a system error from a Node error code such as ENOENT. */
export function ERR_raise_system(errnoName: string, message: string, data?: string): void {
  const errno = SYS_ERRNO[errnoName] ?? 5; // EIO when unknown
  const code = (ERR_SYSTEM_FLAG | errno) >>> 0;
  sysTexts.set(code, message);
  queue.push(data === undefined ? { code } : { code, data });
}

const SYS_ERRNO: Record<string, number> = { ENOENT: 2, EIO: 5, EACCES: 13, EISDIR: 21, ENOTDIR: 20, EMFILE: 24 };
const sysTexts = new Map<number, string>();

/** Removes and returns the earliest error code, 0 when empty. */
export function ERR_get_error(): number {
  return queue.shift()?.code ?? 0;
}

export function ERR_peek_error(): number {
  return queue[0]?.code ?? 0;
}

export function ERR_peek_last_error(): number {
  return queue[queue.length - 1]?.code ?? 0;
}

/** Like ERR_get_error_all: the code and its extra data. */
export function ERR_get_error_all(): { code: number; data?: string } | undefined {
  return queue.shift();
}

export function ERR_clear_error(): void {
  queue.length = 0;
}

export function ERR_lib_error_string(code: number): string | undefined {
  return LIB_NAMES[ERR_GET_LIB(code)];
}

export function ERR_reason_error_string(code: number): string | undefined {
  return reasonTexts.get(code) ?? sysTexts.get(code);
}

/** "error:0A0000B1:SSL routines::no certificate assigned" (OpenSSL 3's format; the function field is empty). */
export function ERR_error_string(code: number): string {
  const hex = (code >>> 0).toString(16).toUpperCase().padStart(8, '0');
  const lib = ERR_lib_error_string(code) ?? `lib(${ERR_GET_LIB(code)})`;
  const reason = ERR_reason_error_string(code) ?? `reason(${ERR_GET_REASON(code)})`;
  return `error:${hex}:${lib}::${reason}`;
}

/** Drains the queue into printable lines, with each entry's data, as ERR_print_errors does. */
export function ERR_drain_strings(): string[] {
  const out: string[] = [];
  for (let e = ERR_get_error_all(); e; e = ERR_get_error_all()) out.push(ERR_error_string(e.code) + (e.data ? `:${e.data}` : ''));
  return out;
}
