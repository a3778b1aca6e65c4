// Signed certificate timestamps (RFC 6962 section 3.2): what a Certificate Transparency log promised about a
// certificate. They arrive three ways: in the certificate (extension 1.3.6.1.4.1.11129.2.4.2), in a stapled
// OCSP response, or in the TLS handshake (signed_certificate_timestamp, RFC 6962 section 3.3). This decodes
// the SerializedSCT of the handshake form; the log's signature is shown, not checked (that needs the log's key).
import { Reader } from '../msgs/reader';
import { toHex } from '../util/hex';

export interface SctInfo {
  /** v1 is 0. */
  version: number;
  /** SHA-256 of the log's public key, hex. */
  logId: string;
  /** Milliseconds since 1970, as the log wrote it, and as ISO text. */
  timestamp: number;
  time: string;
  /** CtExtensions, hex ('' when none). */
  extensions: string;
  /** TLS 1.2 HashAlgorithm and SignatureAlgorithm of the log's signature (RFC 5246 section 7.4.1.4.1). */
  hash: string;
  signatureAlgorithm: string;
  signature: string;
}

const HASHES = ['none', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
const SIGNATURES = ['anonymous', 'rsa', 'dsa', 'ecdsa'];

/** Throws DecodeError naming the field when the bytes are not one SCT. */
export function decodeSct(serialized: Uint8Array): SctInfo {
  const r = new Reader(serialized, 'SignedCertificateTimestamp');
  const version = r.u8('sct_version');
  if (version !== 0) r.fail('sct_version', `version ${version} is not v1 (0): the rest cannot be read (RFC 6962 section 3.2)`, 'illegal_parameter', 0);
  const logId = toHex(r.bytes(32, 'id'));
  const ts = r.u64('timestamp');
  const extensions = toHex(r.opaque16('extensions'));
  const h = r.u8('signature.algorithm.hash');
  const s = r.u8('signature.algorithm.signature');
  const signature = toHex(r.opaque16('signature.signature'));
  r.end();
  const timestamp = Number(ts);
  const date = new Date(timestamp);
  return {
    version, logId, timestamp, time: Number.isNaN(date.getTime()) ? `${ts} ms` : date.toISOString(), extensions,
    hash: HASHES[h] ?? `hash ${h}`, signatureAlgorithm: SIGNATURES[s] ?? `signature ${s}`, signature,
  };
}

/** As `openssl s_client -ct` prints each one. */
export function sctText(s: SctInfo): string[] {
  const colon = (hex: string) => (hex.match(/../g) ?? []).join(':').toUpperCase();
  return [
    'Signed Certificate Timestamp:',
    `    Version   : v${s.version + 1} (0x${s.version.toString(16)})`,
    `    Log ID    : ${colon(s.logId)}`,
    `    Timestamp : ${s.time}`,
    `    Extensions: ${s.extensions ? colon(s.extensions) : 'none'}`,
    `    Signature : ${s.signatureAlgorithm}-with-${s.hash.toUpperCase()}`,
    `                ${colon(s.signature)}`,
  ];
}
