// The TLS 1.3 key schedule (RFC 8446 section 7.1) as three stages, each offering only the derivations the
// RFC allows there, so no code can encrypt under a secret of the wrong stage:
//   EarlySecret(psk?) -> HandshakeSecret(shared) -> MasterSecret
// Every derived secret is reported to `onSecret` with its NSS key log label (draft-ietf-tls-keylogfile).
import type { CryptoProvider, HashName } from '../../crypto/provider';

const enc = new TextEncoder();

/** HKDF-Expand-Label (RFC 8446 section 7.1). */
export function expandLabel(p: CryptoProvider, hash: HashName, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const full = enc.encode('tls13 ' + label);
  if (full.length > 255 || context.length > 255 || length > 0xffff) throw new RangeError('HKDF-Expand-Label: label, context or length too long');
  const info = new Uint8Array(2 + 1 + full.length + 1 + context.length);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = full.length;
  info.set(full, 3);
  info[3 + full.length] = context.length;
  info.set(context, 4 + full.length);
  return p.hkdfExpand(hash, secret, info, length);
}

/** Derive-Secret(Secret, Label, Messages) with the transcript hash already computed. */
export function deriveSecret(p: CryptoProvider, hash: HashName, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  return expandLabel(p, hash, secret, label, transcriptHash, p.hash(hash).outputLen);
}

/** Key log labels of draft-ietf-tls-keylogfile section 3 for the secrets that have one. */
export type SecretLabel =
  | 'CLIENT_EARLY_TRAFFIC_SECRET' | 'EARLY_EXPORTER_MASTER_SECRET'
  | 'CLIENT_HANDSHAKE_TRAFFIC_SECRET' | 'SERVER_HANDSHAKE_TRAFFIC_SECRET'
  | 'CLIENT_TRAFFIC_SECRET_0' | 'SERVER_TRAFFIC_SECRET_0' | 'EXPORTER_SECRET'
  /** TLS 1.2 and older: the master secret, by client random (NSS key log format). */
  | 'CLIENT_RANDOM';

export type SecretSink = (label: SecretLabel, secret: Uint8Array) => void;

abstract class Stage {
  protected constructor(protected readonly p: CryptoProvider, readonly hash: HashName, protected readonly secret: Uint8Array, protected readonly onSecret?: SecretSink) {}

  protected get hashLen(): number {
    return this.p.hash(this.hash).outputLen;
  }

  protected derive(label: string, transcriptHash: Uint8Array, logAs?: SecretLabel): Uint8Array {
    const s = deriveSecret(this.p, this.hash, this.secret, label, transcriptHash);
    if (logAs) this.onSecret?.(logAs, s);
    return s;
  }

  /** Derive-Secret(., "derived", "") : the salt of the next stage. */
  protected derivedSalt(): Uint8Array {
    return this.derive('derived', this.p.hash(this.hash).digest(new Uint8Array(0)));
  }

  /** Zeroes this stage's secret (util/wipe.ts): the connection is done with it. */
  wipe(): void {
    this.secret.fill(0);
  }

  /** For tests and the key-schedule view; callers never encrypt with it directly. */
  exposeForTrace(): Uint8Array {
    return this.secret;
  }
}

export class EarlySecret extends Stage {
  /** Early Secret = HKDF-Extract(0, PSK), with PSK = 0 when none (RFC 8446 section 7.1). */
  constructor(p: CryptoProvider, hash: HashName, psk: Uint8Array | undefined, onSecret?: SecretSink) {
    const len = p.hash(hash).outputLen;
    super(p, hash, p.hkdfExtract(hash, new Uint8Array(len), psk ?? new Uint8Array(len)), onSecret);
  }

  binderKey(resumption: boolean): Uint8Array {
    return this.derive(resumption ? 'res binder' : 'ext binder', this.p.hash(this.hash).digest(new Uint8Array(0)));
  }

  clientEarlyTrafficSecret(chHash: Uint8Array): Uint8Array {
    return this.derive('c e traffic', chHash, 'CLIENT_EARLY_TRAFFIC_SECRET');
  }

  earlyExporterMasterSecret(chHash: Uint8Array): Uint8Array {
    return this.derive('e exp master', chHash, 'EARLY_EXPORTER_MASTER_SECRET');
  }

  next(sharedSecret: Uint8Array): HandshakeSecret {
    return new HandshakeSecret(this.p, this.hash, this.p.hkdfExtract(this.hash, this.derivedSalt(), sharedSecret), this.onSecret);
  }
}

export class HandshakeSecret extends Stage {
  /** Constructed by EarlySecret.next. */
  constructor(p: CryptoProvider, hash: HashName, secret: Uint8Array, onSecret?: SecretSink) {
    super(p, hash, secret, onSecret);
  }

  clientHandshakeTrafficSecret(chShHash: Uint8Array): Uint8Array {
    return this.derive('c hs traffic', chShHash, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET');
  }

  serverHandshakeTrafficSecret(chShHash: Uint8Array): Uint8Array {
    return this.derive('s hs traffic', chShHash, 'SERVER_HANDSHAKE_TRAFFIC_SECRET');
  }

  next(): MasterSecret {
    return new MasterSecret(this.p, this.hash, this.p.hkdfExtract(this.hash, this.derivedSalt(), new Uint8Array(this.hashLen)), this.onSecret);
  }
}

export class MasterSecret extends Stage {
  constructor(p: CryptoProvider, hash: HashName, secret: Uint8Array, onSecret?: SecretSink) {
    super(p, hash, secret, onSecret);
  }

  clientApplicationTrafficSecret(chToServerFinishedHash: Uint8Array): Uint8Array {
    return this.derive('c ap traffic', chToServerFinishedHash, 'CLIENT_TRAFFIC_SECRET_0');
  }

  serverApplicationTrafficSecret(chToServerFinishedHash: Uint8Array): Uint8Array {
    return this.derive('s ap traffic', chToServerFinishedHash, 'SERVER_TRAFFIC_SECRET_0');
  }

  exporterMasterSecret(chToServerFinishedHash: Uint8Array): Uint8Array {
    return this.derive('exp master', chToServerFinishedHash, 'EXPORTER_SECRET');
  }

  resumptionMasterSecret(chToClientFinishedHash: Uint8Array): Uint8Array {
    return this.derive('res master', chToClientFinishedHash);
  }
}

/** Traffic key and IV of a traffic secret (RFC 8446 section 7.3). */
export function trafficKeys(p: CryptoProvider, hash: HashName, secret: Uint8Array, keyLen: number, ivLen: number): { key: Uint8Array; iv: Uint8Array } {
  return { key: expandLabel(p, hash, secret, 'key', new Uint8Array(0), keyLen), iv: expandLabel(p, hash, secret, 'iv', new Uint8Array(0), ivLen) };
}

/** application_traffic_secret_N+1 (RFC 8446 section 7.2). */
export function nextTrafficSecret(p: CryptoProvider, hash: HashName, secret: Uint8Array): Uint8Array {
  return expandLabel(p, hash, secret, 'traffic upd', new Uint8Array(0), p.hash(hash).outputLen);
}

/** verify_data = HMAC(finished_key, Transcript-Hash) (RFC 8446 section 4.4.4). */
export function finishedVerifyData(p: CryptoProvider, hash: HashName, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  const finishedKey = expandLabel(p, hash, baseKey, 'finished', new Uint8Array(0), p.hash(hash).outputLen);
  return p.hmac(hash, finishedKey, transcriptHash);
}

/** The PSK of a ticket (RFC 8446 section 4.6.1). */
export function resumptionPsk(p: CryptoProvider, hash: HashName, resumptionMasterSecret: Uint8Array, ticketNonce: Uint8Array): Uint8Array {
  return expandLabel(p, hash, resumptionMasterSecret, 'resumption', ticketNonce, p.hash(hash).outputLen);
}

/** TLS-Exporter (RFC 8446 section 7.5). */
export function exportKeyingMaterial(p: CryptoProvider, hash: HashName, exporterSecret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const h = p.hash(hash);
  const derived = deriveSecret(p, hash, exporterSecret, label, h.digest(new Uint8Array(0)));
  return expandLabel(p, hash, derived, 'exporter', h.digest(context), length);
}
