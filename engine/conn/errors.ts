// Errors of a connection are values with a place and an alert (models.md section 5): the alert is chosen
// where the fault is seen, the message says it in plain English, `place` says where.

/** An alert description by its RFC 8446 section 6 name ('decode_error', 'bad_record_mac', ...). */
export type AlertName = string;

export interface ErrorPlace {
  /** The record or handshake message being processed, e.g. 'ServerHello'. */
  message?: string;
  /** The field path, e.g. 'ServerHello.extensions.key_share'. */
  field?: string;
  offset?: number;
}

/** A fault that ends the connection: we send `alert` (fatal) unless `sent` is false for errors the peer caused by alerting us. */
export class ProtocolError extends Error {
  constructor(readonly alert: AlertName, message: string, readonly place: ErrorPlace = {}) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** The peer sent a fatal alert (or close_notify handled elsewhere). */
export class PeerAlertError extends Error {
  constructor(readonly alert: AlertName, readonly code: number, readonly level: number) {
    super(`the peer sent a ${level === 2 ? 'fatal' : 'warning'} alert: ${alert} (${code})`);
    this.name = 'PeerAlertError';
  }
}
