// What a connection is configured with. The OpenSSL facade fills this from SSL_CTX/SSL settings, the
// idiomatic API from its options; defaults follow OpenSSL 3.0's where a user would compare the two.
import type { CryptoProvider, Signer } from '../crypto/provider';
import { NamedGroup } from '../registry/groups';
import { SignatureScheme } from '../registry/sigschemes';
import { TLS13_SUITES } from '../registry/suites';
import type { SecretLabel } from '../handshake/tls13/key-schedule';
import type { ClientSession, SingleUseTicketCache } from './session-ticket';
import type { SessionCache12 } from '../handshake/tls12/session';
import type { ConnectionLimits } from './limits';
import type { EchConfig } from '../msgs/ech';
import type { EchServerConfig } from '../ech/config';
import type { KeyScheduleRecorder } from '../handshake/key-schedule-capture';

export interface PeerVerdict {
  ok: boolean;
  /** X509_V_ERR code (0 = X509_V_OK). */
  code: number;
  reason: string;
  /** The alert to send when verification fails (default bad_certificate). */
  alert?: string;
}

export interface ConnectionConfig {
  side: 'client' | 'server';
  provider: CryptoProvider;
  /** Milliseconds clock, for the trace and ticket ages. */
  now?: () => number;
  /** TLS 1.3 cipher suites, preferred first. */
  cipherSuites?: number[];
  /** TLS 1.2-and-older cipher suites, preferred first (OpenSSL's "cipher list"); default DEFAULT_SUITES_12. */
  cipherSuites12?: number[];
  /**
   * Lowest and highest protocol versions (0x0300 SSL 3.0 .. 0x0304 TLS 1.3), as SSL_CTX_set_min/max_proto_version.
   * Default TLS 1.2 to TLS 1.3.
   */
  minVersion?: number;
  maxVersion?: number;
  /** supported_groups, preferred first. */
  groups?: number[];
  /** Client: groups to send key shares for in the first ClientHello (default: the first of `groups`). */
  keyShareGroups?: number[];
  /** Signature schemes accepted from the peer (our signature_algorithms), preferred first. */
  signatureSchemes?: number[];
  /** Client: the server name for SNI (not sent when it is an IP address, RFC 6066 section 3). */
  serverName?: string;
  /** ALPN protocols, preferred first (client: offered; server: accepted). */
  alpn?: string[];
  /** Our certificate chain, leaf first (DER), and its key. */
  certificateChain?: Uint8Array[];
  signer?: Signer;
  /** Server: ask the client for a certificate; `require` fails the handshake without one. */
  clientAuth?: 'none' | 'request' | 'require';
  /** Server: answer every first ClientHello with a HelloRetryRequest carrying a cookie (for tests and demos). */
  forceHelloRetry?: boolean;
  /** RFC 8446 appendix D.4; on by default as in OpenSSL. */
  middleboxCompat?: boolean;
  /** Judges the peer's chain after its signature has been checked; without it the chain is only reported. */
  verifyPeer?: (chain: Uint8Array[], serverName: string | undefined) => PeerVerdict;
  /** Key log sink: (label, client random, secret), in NSS key log terms. */
  onSecret?: (label: SecretLabel, clientRandom: Uint8Array, secret: Uint8Array) => void;
  /** Server: session tickets to send after the handshake (default 2, as OpenSSL; 0 without a ticket key). */
  ticketsToSend?: number;
  /** Server: the 32-byte key that seals our stateless tickets; without it no tickets are issued or accepted. */
  ticketKey?: Uint8Array;
  /**
   * TLS 1.2 and older: whether to renegotiate when the peer asks (RFC 5746, only when it is secure). Client: answer
   * a HelloRequest (default true, as OpenSSL). Server: accept a client's renegotiation (default false, as OpenSSL 3's
   * servers, since client-initiated renegotiation is a cheap way to make a server work hard).
   */
  renegotiation?: boolean;
  /** Server: TLS 1.2 sessions by session ID, shared by the server's connections (clients that take no ticket resume with these). */
  sessionCache?: SessionCache12;
  /** Client: a session to resume (from onSession of an earlier connection, or a --sess-in file). */
  session?: ClientSession;
  /** Client: called with each resumable session the server gives us (SSL_CTX_sess_set_new_cb). */
  onSession?: (s: ClientSession) => void;
  /**
   * Server: SSL_CTX_set_client_hello_cb. Called before the ClientHello is acted on: 1 go on, 0 refuse
   * (handshake_failure), -1 pause (SSL_ERROR_WANT_CLIENT_HELLO_CB) until the connection is resumed.
   */
  clientHelloCallback?: (hello: ClientHelloInfo) => number;
  /**
   * Client: SSL_CTX_set_client_cert_cb. Called when the server asks for a certificate and none is configured:
   * an identity, null for none, or 'retry' to pause (SSL_ERROR_WANT_X509_LOOKUP).
   */
  clientCertCallback?: () => { certificateChain: Uint8Array[]; signer: Signer } | null | 'retry';
  /** Sign CertificateVerify with signer.signAsync, pausing the handshake until it completes (SSL_MODE_ASYNC). */
  asyncSigning?: boolean;
  /**
   * Server: 0-RTT (RFC 8446 sections 2.3, 4.2.10). Bytes of early data our tickets allow (their early_data
   * extension's max_early_data_size) and that we accept; 0, the default, turns early data off. Accepting it also
   * needs `antiReplay`: without a cache shared by the server's connections, 0-RTT is always rejected.
   */
  maxEarlyData?: number;
  /** Server: the single-use ticket cache of RFC 8446 section 8.1 that makes accepted early data at-most-once. */
  antiReplay?: SingleUseTicketCache;
  /**
   * Client: application data to send as 0-RTT early data with `session`, when its ticket allows early data
   * (max_early_data_size at least this long, same ALPN offered). If the server rejects it, it is NOT resent:
   * NegotiatedSession.earlyData says 'rejected' and the application decides whether to send it again.
   */
  earlyData?: Uint8Array;
  /**
   * Client: offer post_handshake_auth (RFC 8446 section 4.2.6), so the server may ask for a certificate after the
   * handshake. Default: offered when a certificate and key or a client certificate callback are configured.
   */
  postHandshakeAuth?: boolean;
  /** Client: send signed_certificate_timestamp asking for the server's SCTs (RFC 6962 section 3.3; as s_client -ct). */
  requestScts?: boolean;
  /**
   * Server: SerializedSCTs sent in the leaf CertificateEntry's signed_certificate_timestamp extension when the client
   * asked (RFC 8446 section 4.4.2; as s_server -serverinfo with extension 18).
   */
  scts?: Uint8Array[];
  /** Client: send status_request (RFC 6066 section 8) asking for a stapled OCSP response (as s_client -status). */
  requestOcsp?: boolean;
  /**
   * Server: a DER OCSPResponse (RFC 6960) stapled in the leaf CertificateEntry's status_request extension when the
   * client asked for one (RFC 8446 section 4.4.2.1; as s_server -status_file).
   */
  ocspResponse?: Uint8Array;
  /**
   * Both: the record_size_limit we advertise (RFC 8449), 64..16385 in TLS 1.3 (the limit counts the inner content
   * type byte). When both sides send it, each side's protected records stay within the peer's limit. Default: not sent.
   */
  recordSizeLimit?: number;
  /** Client: pad the ClientHello with the padding extension (RFC 7685) up to this many bytes (handshake message). */
  padToLength?: number;
  /**
   * Client: Encrypted Client Hello (RFC 9849) with the first usable config of this ECHConfigList (decoded, e.g. by
   * ech/config.ts loadEchConfigList); TLS 1.3 only. Without a usable config, a GREASE extension is sent instead.
   * `grease` alone sends GREASE ECH (section 6.2).
   */
  ech?: { configs?: EchConfig[]; grease?: boolean };
  /** Server: the ECH keys it decrypts with and the retry_configs it sends when it cannot (RFC 9849 section 7.1). */
  echServer?: EchServerConfig;
  /**
   * Client, TLS 1.2 and older (for probes, as `tlslens scan` makes): append TLS_FALLBACK_SCSV (RFC 7507; s_client
   * -fallback_scsv); offer these legacy_compression_methods instead of null alone; offer no session_ticket extension
   * when false (SSL_OP_NO_TICKET), so only a session ID can resume; offer heartbeat (RFC 6520, peer_not_allowed_to_send).
   */
  fallbackScsv?: boolean;
  compressionMethods?: number[];
  sessionTickets?: boolean;
  heartbeat?: boolean;
  /** Server: DER distinguished names sent as certificate_authorities in CertificateRequest (RFC 8446 section 4.2.4). */
  certificateAuthorities?: Uint8Array[];
  /** Server: the signature schemes our CertificateRequest accepts from a client (s_server -client_sigalgs); default signatureSchemes. */
  clientSignatureSchemes?: number[];
  /** What the peer may make this connection hold or do (limits.ts, DEFAULT_LIMITS); exceeding one fails it naming the limit. */
  limits?: Partial<ConnectionLimits>;
  /**
   * Record the key schedule (secrets: only when the user asked, e.g. `connect --keyschedule`): copies of every HKDF
   * step (TLS 1.3) or the PRF inputs, master secret and key block (TLS 1.2 and older). Never part of the trace.
   */
  keySchedule?: KeyScheduleRecorder;
}

/** RFC 8449 section 4: the largest record_size_limit TLS 1.3 allows (2^14 plus the content type byte). */
export const MAX_RECORD_SIZE_LIMIT_13 = (1 << 14) + 1;

/** Early data a server skips when it rejects 0-RTT and has no limit of its own (OpenSSL's default recv_max_early_data). */
export const DEFAULT_EARLY_DATA_SKIP = 16384;
/** How far a client's ticket age may differ from ours before 0-RTT is refused as not fresh (RFC 8446 section 8.3; OpenSSL's 10 s). */
export const TICKET_AGE_TOLERANCE_MS = 10_000;

/** What SSL_client_hello_get0_* would tell a ClientHello callback. */
export interface ClientHelloInfo {
  legacyVersion: number;
  cipherSuites: number[];
  serverName?: string;
  alpn?: string[];
  supportedVersions?: number[];
  extensionTypes: number[];
}

export const DEFAULT_SUITES = [TLS13_SUITES.TLS_AES_256_GCM_SHA384, TLS13_SUITES.TLS_CHACHA20_POLY1305_SHA256, TLS13_SUITES.TLS_AES_128_GCM_SHA256];

export const DEFAULT_GROUPS = [
  NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.x448, NamedGroup.secp521r1, NamedGroup.secp384r1,
  NamedGroup.ffdhe2048, NamedGroup.ffdhe3072, NamedGroup.ffdhe4096, NamedGroup.ffdhe6144, NamedGroup.ffdhe8192,
];

export const DEFAULT_SIGNATURE_SCHEMES = [
  SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.ecdsa_secp384r1_sha384, SignatureScheme.ecdsa_secp521r1_sha512,
  SignatureScheme.ed25519, SignatureScheme.ed448,
  SignatureScheme.rsa_pss_pss_sha256, SignatureScheme.rsa_pss_pss_sha384, SignatureScheme.rsa_pss_pss_sha512,
  SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.rsa_pss_rsae_sha384, SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pkcs1_sha256, SignatureScheme.rsa_pkcs1_sha384, SignatureScheme.rsa_pkcs1_sha512,
];
