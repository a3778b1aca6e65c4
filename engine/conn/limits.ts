// What a peer may make a connection hold or do before we give up on it. A TLS debugger is pointed at broken and
// hostile servers by design: each limit bounds memory, time or work, has a default a real peer never reaches, and
// when exceeded ends the connection with an alert and an error that names it (so a user can raise it on purpose).
import type { Handshake } from '../msgs/handshake';
import { ProtocolError, type AlertName } from './errors';

export interface ConnectionLimits {
  /** Largest handshake message body, Certificate aside (bytes). */
  maxHandshakeMessageBytes: number;
  /** Largest Certificate message: the whole chain with its entries' extensions (bytes; OpenSSL's max_cert_list). */
  maxCertificateChainBytes: number;
  /** Most certificates in one Certificate message. */
  maxCertificateChainLength: number;
  /** Most extensions in one handshake message (ClientHello, ServerHello, EncryptedExtensions...). */
  maxExtensions: number;
  /** Most records received during one handshake (a peer that fragments a handshake into 1-byte records). */
  maxRecordsPerHandshake: number;
  /** Records in a row that carry nothing (empty data, change_cipher_spec in the compatibility window, user_canceled). */
  maxEmptyRecordsInARow: number;
  /** Warning alerts in a row (TLS 1.2 and older, where a warning does not end the connection). */
  maxWarningAlertsInARow: number;
  /** Renegotiations the peer may start in any 60 seconds (TLS 1.2 and older). */
  maxRenegotiationsPerMinute: number;
  /** KeyUpdates received in a row with no application data between them (TLS 1.3). */
  maxKeyUpdatesInARow: number;
  /** DTLS: bytes held for handshake messages still being reassembled or waiting for an earlier one. */
  maxDtlsReassemblyBytes: number;
  /** Sockets: how long a TCP connect may take (ms). */
  connectTimeoutMs: number;
  /** Sockets: how long the handshake may take from the first byte sent or received (ms). */
  handshakeTimeoutMs: number;
}

/** The defaults, documented in the README's limits table; OpenSSL's where it has one, for comparison. */
export const DEFAULT_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  maxHandshakeMessageBytes: 64 * 1024,
  maxCertificateChainBytes: 100 * 1024, // SSL_CTX_set_max_cert_list's default
  maxCertificateChainLength: 32,
  maxExtensions: 128,
  maxRecordsPerHandshake: 4096,
  maxEmptyRecordsInARow: 32, // OpenSSL's MAX_EMPTY_RECORDS
  maxWarningAlertsInARow: 5, // OpenSSL's MAX_WARN_ALERT_COUNT
  maxRenegotiationsPerMinute: 5,
  maxKeyUpdatesInARow: 32, // OpenSSL's MAX_KEY_UPDATE_MESSAGES
  maxDtlsReassemblyBytes: 512 * 1024,
  connectTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
});

export type LimitName = keyof ConnectionLimits;

/** The defaults with the caller's overrides; a value that is not a positive number is refused here, not later. */
export function resolveLimits(overrides: Partial<ConnectionLimits> | undefined): ConnectionLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(overrides ?? {})) {
    if (!(k in DEFAULT_LIMITS)) throw new RangeError(`unknown connection limit ${k} (known: ${Object.keys(DEFAULT_LIMITS).join(', ')})`);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`connection limit ${k} must be a positive number, not ${String(v)}`);
    out[k as LimitName] = v;
  }
  return out;
}

/** A peer went past one of our limits. */
export class LimitError extends ProtocolError {
  constructor(readonly limit: LimitName, readonly value: number, readonly max: number, what: string, alert: AlertName = 'unexpected_message', place: ProtocolError['place'] = {}) {
    super(alert, `${what}: ${value} is over the limit ${limit} = ${max} (raise it in the connection's limits if this peer is legitimate)`, place);
    this.name = 'LimitError';
  }
}

/** Limits that apply to one decoded handshake message, whatever the protocol (TLS or DTLS). */
export function checkMessageLimits(msg: Handshake, limits: ConnectionLimits): void {
  if (msg.type === 'certificate' && msg.certificateList.length > limits.maxCertificateChainLength)
    throw new LimitError('maxCertificateChainLength', msg.certificateList.length, limits.maxCertificateChainLength, 'certificates in the Certificate message', 'illegal_parameter', { message: 'Certificate', field: 'certificate_list' });
  const ext = (msg as { extensions?: unknown }).extensions;
  if (Array.isArray(ext) && ext.length > limits.maxExtensions)
    throw new LimitError('maxExtensions', ext.length, limits.maxExtensions, `extensions in ${msg.type}`, 'illegal_parameter', { message: msg.type, field: 'extensions' });
}

/**
 * Counts the peer's renegotiations in a sliding minute. `note` records one at `now` and throws when the window
 * holds more than the limit.
 */
export class RenegotiationWindow {
  private times: number[] = [];
  constructor(private readonly max: number) {}

  note(now: number): void {
    this.times = this.times.filter((t) => now - t < 60_000);
    this.times.push(now);
    if (this.times.length > this.max)
      throw new LimitError('maxRenegotiationsPerMinute', this.times.length, this.max, 'renegotiations started by the peer in the last 60 s', 'handshake_failure', { message: 'renegotiation' });
  }
}
