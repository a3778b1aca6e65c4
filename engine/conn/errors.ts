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

/** Why a handshake paused for the application (SSL_ERROR_WANT_CLIENT_HELLO_CB, WANT_X509_LOOKUP, WANT_ASYNC). */
export type SuspendReason = 'client_hello_cb' | 'x509_lookup' | 'async';

/**
 * Thrown by a state machine before it changes anything, to pause on a message until the application is ready;
 * the connection keeps the message and hands it back on resume().
 */
export class Suspend extends Error {
  constructor(readonly reason: Exclude<SuspendReason, 'async'>) {
    super(`waiting for the application (${reason})`);
    this.name = 'Suspend';
  }
}
