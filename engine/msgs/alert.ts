// The Alert message (RFC 8446 section 6, RFC 5246 section 7.2): one level byte and one description byte.
// A record of type alert holds exactly one alert (RFC 8446 section 5.1): anything but 2 bytes is a
// decode_error. Unknown levels and descriptions decode (and print as `unknown(N)`): TLS 1.3 treats every
// unknown alert as fatal (RFC 8446 section 6), which is the connection's business, not the codec's.
import { AlertCode, AlertLevel, alertLevelName, alertName, type AlertDescription } from '../registry/alerts';
import { Reader } from './reader';

export interface Alert {
  /** 1 warning, 2 fatal (AlertLevel); other values are kept as received. */
  level: number;
  /** The AlertDescription code. */
  description: number;
}

export function decodeAlert(payload: Uint8Array): Alert {
  const r = new Reader(payload, 'Alert');
  if (payload.length !== 2) {
    r.fail(undefined, `an alert record must hold exactly one 2-byte alert, not ${payload.length} bytes (RFC 8446, Section 5.1)`);
  }
  return { level: r.u8('level'), description: r.u8('description') };
}

export function encodeAlert(alert: { level: 'warning' | 'fatal' | number; description: AlertDescription | number }): Uint8Array {
  const level = typeof alert.level === 'number' ? alert.level : AlertLevel[alert.level];
  const description = typeof alert.description === 'number' ? alert.description : AlertCode[alert.description];
  if (!(level >= 0 && level <= 255 && description >= 0 && description <= 255)) throw new RangeError('alert level and description are single bytes');
  return Uint8Array.of(level, description);
}

/** `fatal handshake_failure`, `warning close_notify`, `unknown(7) unknown(200)`. */
export function alertToString(alert: Alert): string {
  return `${alertLevelName(alert.level)} ${alertName(alert.description)}`;
}

/**
 * Whether an alert ends the connection. TLS 1.3 (RFC 8446 section 6): every alert but close_notify and
 * user_canceled, whatever its level. Earlier versions: its level says so (RFC 5246 section 7.2).
 */
export function isFatalAlert(alert: Alert, tls13: boolean): boolean {
  if (tls13) return alert.description !== AlertCode.close_notify && alert.description !== AlertCode.user_canceled;
  return alert.level !== AlertLevel.warning;
}
