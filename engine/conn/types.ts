// What a sans-IO connection offers the layers above it (the OpenSSL facade, the idiomatic API, the CLI):
// bytes in, bytes out, application data in and out, events out. No sockets, no timers.
import type { TraceEvent } from '../trace/events';
import type { PeerAlertError, ProtocolError } from './errors';

export type ConnectionStatus =
  /** Handshake under way: it needs input (`wantsRead`) and/or has output to send. */
  | 'handshaking'
  /** Application data can flow both ways. */
  | 'open'
  /** We received close_notify: no more data will come (SSL_ERROR_ZERO_RETURN). */
  | 'peer-closed'
  /** We sent close_notify. */
  | 'closing'
  | 'closed'
  /** A fatal error; `error` says which. */
  | 'failed';

export interface NegotiatedSession {
  version: number;
  cipherSuite: number;
  group?: number;
  signatureScheme?: number;
  alpn?: string;
  resumed: boolean;
  helloRetry: boolean;
  peerCertificates: Uint8Array[];
  serverName?: string;
  earlyData?: 'accepted' | 'rejected' | 'not offered';
}

export interface SansIoConnection {
  readonly side: 'client' | 'server';
  readonly status: ConnectionStatus;
  /** The handshake state machine's current state, by name (for the trace and SSL_state_string). */
  readonly handshakeState: string;
  readonly error?: ProtocolError | PeerAlertError;
  readonly negotiated?: NegotiatedSession;

  /** Client: queues the ClientHello. Server: nothing to do until bytes arrive. Idempotent. */
  start(): void;
  /** Feeds bytes received from the peer. Never throws: a fault moves the connection to 'failed'. */
  receive(bytes: Uint8Array): void;
  /** Bytes to send to the peer, in order; empty when nothing is pending. */
  takeOutgoing(): Uint8Array[];
  readonly outgoingBytes: number;
  /** Decrypted application data available to read. */
  readonly readableBytes: number;
  /** Up to `max` bytes of application data, from the current record only (as SSL_read returns). */
  read(max: number, peek?: boolean): Uint8Array;
  /** Queues application data (split into records). Returns the bytes accepted (all, while open). */
  write(data: Uint8Array): number;
  /** Sends close_notify. */
  close(): void;
  /** TLS 1.3 KeyUpdate; `requestPeer` asks the peer to update too. */
  keyUpdate(requestPeer: boolean): void;
  /** Events since the last call. */
  onEvent?: (e: TraceEvent) => void;
}
