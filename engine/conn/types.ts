// What a sans-IO connection offers the layers above it (the OpenSSL facade, the idiomatic API, the CLI):
// bytes in, bytes out, application data in and out, events out. No sockets, no timers.
import type { TraceEvent } from '../trace/events';
import type { SctInfo } from '../x509/sct';
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
  /** Which crypto provider served the session: 'noble' (pure JavaScript) or 'node' (node:crypto). */
  provider?: string;
  /** How a resumed session was offered: a TLS 1.3 PSK, a TLS 1.2 ticket (RFC 5077) or a TLS 1.2 session ID. */
  resumedBy?: 'psk' | 'ticket' | 'session-id';
  helloRetry: boolean;
  peerCertificates: Uint8Array[];
  serverName?: string;
  earlyData?: 'accepted' | 'rejected' | 'not offered';
  /** Client: the stapled OCSP response (RFC 8446 section 4.4.2.1), decoded. */
  ocsp?: OcspInfo;
  /** TLS 1.2 and older: what the hellos agreed beyond the suite (RFC 7627, RFC 7366, RFC 5746) and the Finished data renegotiation binds to. */
  legacy?: { extendedMasterSecret: boolean; encryptThenMac: boolean; secureRenegotiation: boolean; clientVerifyData: Uint8Array; serverVerifyData: Uint8Array };
  /** Client: the signed certificate timestamps the server sent with its certificate (RFC 6962 section 3.3). */
  scts?: SctInfo[];
  /** record_size_limit (RFC 8449) when both sides sent it: ours, and the peer's (the limit on what we send). */
  recordSizeLimit?: { ours: number; peer: number };
  /** Client: the certificate_authorities of the server's CertificateRequest (RFC 8446 section 4.2.4), as one-line names. */
  certificateAuthorities?: string[];
  /** Encrypted Client Hello (RFC 9849): accepted (the handshake used ClientHelloInner), or GREASE sent (client). */
  ech?: 'accepted' | 'grease';
}

/** A decoded OCSPResponse (RFC 6960 section 4.2.1). */
export interface OcspInfo {
  /** successful, malformedRequest, internalError, tryLater, sigRequired, unauthorized (or the number). */
  responseStatus: string;
  responseType?: string;
  producedAt?: string;
  responses: OcspSingle[];
  /** Why the response could not be decoded, when it could not. */
  error?: string;
  der: Uint8Array;
}

export interface OcspSingle {
  /** Serial number of the certificate the status is for, hex. */
  serial: string;
  certStatus: 'good' | 'revoked' | 'unknown';
  thisUpdate?: string;
  nextUpdate?: string;
  revocationTime?: string;
  revocationReason?: string;
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
  /** Zeroes the key material held (util/wipe.ts); the connection is closed after. Failure does it by itself. */
  wipe(): void;
  /** Events since the last call. */
  onEvent?: (e: TraceEvent) => void;
}
