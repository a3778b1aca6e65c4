// Pieces both TLS 1.2-and-older state machines use: the default suites, which suites a key and a version
// allow, the signatures of ServerKeyExchange and CertificateVerify in each version's form, the transcript
// as raw messages, and the record protectors made from the key block at each ChangeCipherSpec.
import type { CryptoProvider, Signer } from '../../crypto/provider';
import { verifyRsaMd5Sha1 } from '../../crypto/noble';
import { legacyDigest } from '../../crypto/tls12-kx';
import { ProtocolError } from '../../conn/errors';
import { Tls12Protector } from '../../record/protect12';
import { suiteByName, type CipherSuite } from '../../registry/suites';
import { sigSchemeName } from '../../registry/sigschemes';
import { decodeSpkiBytes } from '../../x509/public-key';
import { concatBytes } from '../../util/hex';
import { deriveKeyBlock, SSL3, suiteAllowed, TLS12, type KeyBlock } from './prf';

/** OpenSSL 3.0's DEFAULT order for TLS 1.2 and older (`openssl ciphers -s -tls1_2 DEFAULT`), minus what we lack. */
const DEFAULT_NAMES_12 = [
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305', 'DHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384', 'DHE-RSA-AES256-SHA256',
  'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256', 'DHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA', 'DHE-RSA-AES256-SHA',
  'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'DHE-RSA-AES128-SHA',
  'AES256-GCM-SHA384', 'AES128-GCM-SHA256', 'AES256-SHA256', 'AES128-SHA256', 'AES256-SHA', 'AES128-SHA',
];

export const DEFAULT_SUITES_12: number[] = DEFAULT_NAMES_12.map((n) => {
  const s = suiteByName(n);
  if (!s || !('cipher' in s)) throw new Error(`registry lacks ${n}`);
  return s.code;
});

/** RFC 5746: the signalling value a client sends instead of an empty renegotiation_info. */
export const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;
/** RFC 7507: a client that retries with a lower version than it supports says so. */
export const FALLBACK_SCSV = 0x5600;

/** The key exchange of a TLS 1.2 suite, as the message codecs name it. */
export function kxOf(suite: CipherSuite): 'ECDHE' | 'DHE' | 'RSA' {
  if (suite.kx === 'ECDHE' || suite.kx === 'DHE' || suite.kx === 'RSA') return suite.kx;
  throw new ProtocolError('illegal_parameter', `${suite.iana} is not a TLS 1.2 suite`);
}

/** Whether `suite` can be used with `version` and a certificate key of `keyKind` (RFC 5246 appendix F.1.1.2; RFC 8422 section 2). */
export function suiteFitsKey(suite: CipherSuite, version: number, keyKind: Signer['keyKind']): boolean {
  if (!suiteAllowed(version, suite)) return false;
  if (suite.auth === 'RSA') return keyKind === 'RSA' || (keyKind === 'RSA-PSS' && suite.kx !== 'RSA' && version === TLS12);
  if (suite.auth === 'ECDSA') return keyKind === 'ECDSA' || (keyKind === 'EdDSA' && version === TLS12);
  return false;
}

/** The handshake messages so far, as sent and received (RFC 5246 section 7.4.9: handshake_messages). */
export class Transcript12 {
  private readonly msgs: Uint8Array[] = [];
  add(raw: Uint8Array): void {
    this.msgs.push(raw);
  }
  bytes(): Uint8Array {
    return concatBytes(this.msgs);
  }
}

/**
 * Signs `content` as a ServerKeyExchange or CertificateVerify does in `version`: TLS 1.2 with the first scheme the
 * peer accepts (or that RFC 5246 section 7.4.1.4.1 assumes when it sent no signature_algorithms), older versions
 * in the fixed MD5+SHA-1 / SHA-1 form.
 */
export function signFor(signer: Signer, version: number, peerSchemes: number[] | undefined, content: Uint8Array, what: string): { algorithm?: number; signature: Uint8Array } {
  if (version < TLS12) {
    if (!signer.signLegacy) throw new ProtocolError('handshake_failure', `this key cannot make a ${versionWord(version)} signature (only RSA and ECDSA keys can)`, { message: what });
    return { signature: signer.signLegacy(content) };
  }
  // RFC 5246 section 7.4.1.4.1: without the extension, the peer accepts sha1 with the key's algorithm.
  const accepted = peerSchemes ?? (signer.keyKind === 'ECDSA' ? [0x0203] : [0x0201]);
  const ours = signer.schemes12 ?? signer.schemes;
  const scheme = ours.find((s) => accepted.includes(s));
  if (scheme === undefined) throw new ProtocolError('handshake_failure', `no signature scheme both sides accept for ${what}: our key offers ${ours.map((s) => sigSchemeName(s)).join(', ')}; the peer accepts ${accepted.map((s) => sigSchemeName(s)).join(', ')}`, { message: what });
  return { algorithm: scheme, signature: signer.sign12 && signer.schemes12?.includes(scheme) ? signer.sign12(scheme, content) : signer.sign(scheme, content) };
}

/** Checks a ServerKeyExchange or CertificateVerify signature in `version`'s form; false on any mismatch. */
export function verifyFor(p: CryptoProvider, version: number, algorithm: number | undefined, spki: Uint8Array, content: Uint8Array, signature: Uint8Array): boolean {
  if (version >= TLS12) return algorithm !== undefined && p.verify(algorithm, spki, content, signature, { tls12: true });
  let alg: string;
  try {
    alg = decodeSpkiBytes(spki).algorithm;
  } catch {
    return false;
  }
  if (alg === 'RSA') return verifyRsaMd5Sha1(spki, legacyDigest('rsa', content), signature);
  // ECDSA over SHA-1 of the content: the TLS 1.2 reading of ecdsa_sha1 (0x0203) is exactly that.
  if (alg === 'EC') return p.verify(0x0203, spki, content, signature, { tls12: true });
  return false;
}

export function versionWord(v: number): string {
  return v === SSL3 ? 'SSL 3.0' : v === 0x0301 ? 'TLS 1.0' : v === 0x0302 ? 'TLS 1.1' : 'TLS 1.2';
}

/** The two protectors a ChangeCipherSpec installs, from the key block (RFC 5246 section 6.3). */
export function protectorsFor(p: CryptoProvider, version: number, suite: CipherSuite, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array, encryptThenMac: boolean, record?: RecordForm): { client: Tls12Protector; server: Tls12Protector; keyBlock: KeyBlock } {
  const keyBlock = deriveKeyBlock(p, version, suite, master, clientRandom, serverRandom);
  const etm = encryptThenMac && suite.mac !== 'AEAD' && version !== SSL3;
  const opts = { encryptThenMac: etm, ...(record ? { dtls: true, recordVersion: record.recordVersion } : {}) };
  return {
    keyBlock,
    client: Tls12Protector.fromKeyBlock(p, suite, version, keyBlock, 'client', opts),
    server: Tls12Protector.fromKeyBlock(p, suite, version, keyBlock, 'server', opts),
  };
}

/** DTLS: protectors seal DTLS records (epoch and sequence in the MAC/AAD) carrying this wire version. */
export interface RecordForm {
  dtls: true;
  recordVersion: number;
  /** The wire form of a TLS version number (DTLS 1.2 for TLS 1.2...), e.g. for the RSA premaster's version bytes. */
  onWire(tlsVersion: number): number;
}

/** What a TLS 1.2 session leaves for resumption (by session ID or RFC 5077 ticket). */
export interface Session12 {
  version: number;
  cipherSuite: number;
  masterSecret: Uint8Array;
  extendedMasterSecret: boolean;
  sessionId: Uint8Array;
  /** RFC 5077 ticket the server gave, if any. */
  ticket?: Uint8Array;
  peerCertificates: Uint8Array[];
  alpn?: string;
  serverName?: string;
  /** Milliseconds clock when it was made, and the lifetime in seconds. */
  createdAt: number;
  lifetime: number;
}

/** What a renegotiation binds to (RFC 5746 section 3): the version and both Finished verify_data of the handshake before. */
export interface PreviousHandshake {
  version: number;
  clientVerifyData: Uint8Array;
  serverVerifyData: Uint8Array;
}
