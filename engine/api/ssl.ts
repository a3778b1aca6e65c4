// The SSL object and its I/O functions, with the seed's names, arguments, return values and SSL_get_error
// outcomes (openssl-ssl-api.zh.md: SSL_new, SSL_set_fd, SSL_read, SSL_write, SSL_set_connect_state,
// SSL_get_error). A thin facade: the protocol lives in the sans-IO TlsConnection; this file moves bytes between
// it and the BIOs and keeps OpenSSL's bookkeeping (modes, reference counts, the last outcome, the error queue).
// JavaScript cannot block, so every BIO behaves as a non-blocking one; SSL_wait() is the select()/poll() the
// seed tells callers to use before retrying.
import { LimitError } from '../conn/limits';
import { TlsConnection } from '../conn/connection';
import { DtlsConnection } from '../dtls/connection';
import { PeerAlertError, ProtocolError } from '../conn/errors';
import type { ConnectionConfig } from '../conn/config';
import type { ClientSession } from '../conn/session-ticket';
import { nobleProvider } from '../crypto/noble';
import { signerFor } from '../crypto/signer';
import { withWebCrypto } from '../crypto/webcrypto-signer';
import { releaseJob, takeJob } from './async';
import type { ClientHelloInfo } from '../conn/config';
import { sslErrorByCode, sslErrorName } from '../registry/ssl-errors';
import { suiteName } from '../registry/suites';
import { versionName } from '../registry/versions';
import type { TraceEvent } from '../trace/events';
import { DatagramFdBIO, SocketBIO, socketForFd, type BIO } from './bio';
import {
  SSL_CTX, SSL_CTX_check_private_key, SSL_CTX_use_certificate, SSL_CTX_use_certificate_ASN1, SSL_CTX_use_certificate_chain_file,
  SSL_CTX_use_certificate_file, SSL_CTX_use_PrivateKey, SSL_CTX_use_PrivateKey_ASN1, SSL_CTX_use_PrivateKey_file,
} from './ctx';
import type { EVP_PKEY } from './objects';
import { ERR_clear_error, ERR_peek_error, ERR_raise, peerAlertReason, R, type Reason } from './err';
import { X509 } from './objects';
import { SSL_OP_ALLOW_CLIENT_RENEGOTIATION, SSL_OP_NO_RENEGOTIATION, SSL_OP_NO_TICKET } from './ctx';
import { verifyPeerChain, X509_V_OK, type PeerVerification, type VerifyCallback } from './x509-store';

export const SSL_ERROR_NONE = 0;
export const SSL_ERROR_SSL = 1;
export const SSL_ERROR_WANT_READ = 2;
export const SSL_ERROR_WANT_WRITE = 3;
export const SSL_ERROR_WANT_X509_LOOKUP = 4;
export const SSL_ERROR_SYSCALL = 5;
export const SSL_ERROR_ZERO_RETURN = 6;
export const SSL_ERROR_WANT_CONNECT = 7;
export const SSL_ERROR_WANT_ACCEPT = 8;
export const SSL_ERROR_WANT_ASYNC = 9;
export const SSL_ERROR_WANT_ASYNC_JOB = 10;
export const SSL_ERROR_WANT_CLIENT_HELLO_CB = 11;

export const SSL_MODE_ENABLE_PARTIAL_WRITE = 0x1;
export const SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 0x2;
export const SSL_MODE_AUTO_RETRY = 0x4;
export const SSL_MODE_ASYNC = 0x100;

export const SSL_SENT_SHUTDOWN = 1;
export const SSL_RECEIVED_SHUTDOWN = 2;

/** What the last I/O call ended with, for SSL_get_error. */
type Outcome = 'none' | 'want_read' | 'want_write' | 'want_connect' | 'want_accept' | 'want_x509_lookup' | 'want_client_hello_cb' | 'want_async' | 'want_async_job' | 'zero_return' | 'syscall' | 'ssl';

const OUTCOME_CODE: Record<Outcome, number> = {
  none: SSL_ERROR_NONE, want_read: SSL_ERROR_WANT_READ, want_write: SSL_ERROR_WANT_WRITE, want_connect: SSL_ERROR_WANT_CONNECT,
  want_accept: SSL_ERROR_WANT_ACCEPT, zero_return: SSL_ERROR_ZERO_RETURN, syscall: SSL_ERROR_SYSCALL, ssl: SSL_ERROR_SSL,
  want_x509_lookup: SSL_ERROR_WANT_X509_LOOKUP, want_client_hello_cb: SSL_ERROR_WANT_CLIENT_HELLO_CB, want_async: SSL_ERROR_WANT_ASYNC, want_async_job: SSL_ERROR_WANT_ASYNC_JOB,
};

const RECORD_READ = (1 << 14) + 2048 + 5;

export class SSL {
  references = 1;
  /** Undefined until SSL_set_connect_state / SSL_set_accept_state (or SSL_connect / SSL_accept). */
  server?: boolean;
  conn?: TlsConnection | DtlsConnection;
  rbio?: BIO;
  wbio?: BIO;
  mode: number;
  hostname?: string;
  outcome: Outcome = 'none';
  shutdown = 0;
  /** Records produced but not yet accepted by the write BIO. */
  private unsent: Uint8Array[] = [];
  /** SSL_write that returned WANT_WRITE after its data was sealed: the length to report once flushed. */
  pendingWrite?: number;
  traceCallback?: (e: TraceEvent) => void;
  /** SSL_set_session: the session to resume; SSL_get_session: the latest ticket the server gave us. */
  session?: SSL_SESSION;
  /** The ClientHello a client-hello callback is looking at (SSL_client_hello_get0_*). */
  clientHello?: ClientHelloInfo;
  /** Under SSL_MODE_ASYNC: whether this SSL holds a job from the pool. */
  holdsJob = false;
  /** SSL_set_post_handshake_auth: undefined keeps the engine's default (offered when a certificate or callback is set). */
  postHandshakeAuth?: boolean;
  private readonly t0 = Date.now();
  /** SSL_set_verify / SSL_set_verify_depth; copied from the context by SSL_new. */
  verifyMode: number;
  /** SSL_set_min/max_proto_version; 0 = no bound. Copied from the context by SSL_new. */
  minVersion: number;
  maxVersion: number;
  verifyCallback?: VerifyCallback;
  verifyDepth: number;
  /** SSL_set1_host: the name (or IP address) the peer's certificate must match. */
  verifyHost?: string;
  /** DTLS_set_link_mtu / SSL_set_mtu: the path MTU DTLS fragments to. */
  mtu?: number;
  /** SSL_set_max_cert_list (from the SSL_CTX at SSL_new). */
  maxCertList: number;
  /** SSL_set_tlsext_status_type(TLSEXT_STATUSTYPE_ocsp): ask for a stapled OCSP response. */
  requestOcsp = false;
  /** SSL_get_verify_result; X509_V_OK until a chain fails (as OpenSSL, also when no chain was verified). */
  verifyResult = X509_V_OK;
  verified?: PeerVerification;

  /**
   * This SSL's own certificates and keys: a copy of the context's at SSL_new (the seed's SSL_CTX_use_certificate
   * page: changes to the context later do not reach existing SSL objects), changed by SSL_use_*.
   */
  readonly certs: SSL_CTX;

  constructor(readonly ctx: SSL_CTX) {
    this.mode = ctx.mode;
    this.certs = copyCertificates(ctx);
    this.verifyMode = ctx.verifyMode;
    if (ctx.verifyCallback) this.verifyCallback = ctx.verifyCallback;
    this.verifyDepth = ctx.verifyDepth;
    this.maxCertList = ctx.maxCertList;
    this.minVersion = ctx.minVersion;
    this.maxVersion = ctx.maxVersion;
  }

  /** The connection, created on first use with the settings of the context (copied, as SSL_new does). */
  connection(): TlsConnection | DtlsConnection {
    if (this.conn) return this.conn;
    const ctx = this.ctx;
    const certs = this.certs;
    const slot = certs.current ? certs.slots.get(certs.current) : undefined;
    const cfg: ConnectionConfig = {
      side: this.server ? 'server' : 'client',
      provider: ctx.provider ?? nobleProvider(),
      ...(ctx.cipherSuites ? { cipherSuites: ctx.cipherSuites } : {}),
      ...(ctx.cipherSuites12 ? { cipherSuites12: ctx.cipherSuites12 } : {}),
      // OpenSSL's defaults: TLS 1.0 to 1.3 for the flexible methods would be what OpenSSL 3.0 allows at level 1; we
      // start at TLS 1.2 unless told lower, as most deployments do.
      ...(this.minVersion ? { minVersion: this.minVersion } : {}),
      ...(this.maxVersion ? { maxVersion: this.maxVersion } : {}),
      ...(ctx.groups ? { groups: ctx.groups, keyShareGroups: [ctx.groups[0]!] } : {}),
      ...(ctx.sigalgs ? { signatureSchemes: ctx.sigalgs } : {}),
      ...(ctx.alpn ? { alpn: ctx.alpn } : {}),
      ...(this.hostname ? { serverName: this.hostname } : {}),
      ...(slot?.x509 && slot.privatekey ? { certificateChain: [slot.x509.der, ...slot.chain.map((c) => c.der), ...certs.extraChain.map((c) => c.der)], signer: this.signer(slot.privatekey.key) } : {}),
      ...(this.mode & SSL_MODE_ASYNC ? { asyncSigning: true } : {}),
      ...(ctx.clientHelloCb && this.server ? { clientHelloCallback: (info: ClientHelloInfo) => {
        this.clientHello = info;
        return ctx.clientHelloCb!(this, { value: 0 }, ctx.clientHelloArg);
      } } : {}),
      ...(ctx.clientCertCb && !this.server ? { clientCertCallback: () => {
        const out: { x509?: X509; pkey?: import('./objects').EVP_PKEY } = {};
        const r = ctx.clientCertCb!(this, out);
        if (r < 0) return 'retry' as const;
        if (r === 0 || !out.x509 || !out.pkey) return null;
        return { certificateChain: [out.x509.der], signer: this.signer(out.pkey.key) };
      } } : {}),
      ...(this.verifyMode & 1 && this.server ? { clientAuth: this.verifyMode & 2 ? 'require' : 'request' } : {}),
      // A client always judges the server's chain (the result is kept for SSL_get_verify_result); a server only
      // one it asked for. Only SSL_VERIFY_PEER makes a failure end the handshake.
      verifyPeer: (chain: Uint8Array[]) => {
        const { verdict, record } = verifyPeerChain(this, chain, {
          store: ctx.certStore, peer: !!(this.verifyMode & 1), depth: this.verifyDepth,
          purpose: this.server ? 'sslclient' : 'sslserver',
          ...(this.verifyCallback ? { callback: this.verifyCallback } : {}),
          ...(this.verifyHost ? { host: this.verifyHost } : {}),
        });
        this.verifyResult = record.result;
        this.verified = record;
        return verdict;
      },
      ...(this.server ? { ...(ctx.options & SSL_OP_NO_TICKET ? { ticketsToSend: 0 } : { ticketKey: ctx.ticketKey }), sessionCache: ctx.sessionCache } : {}),
      // SSL_OP_NO_RENEGOTIATION refuses every renegotiation; a server accepts the client's only with SSL_OP_ALLOW_CLIENT_RENEGOTIATION.
      ...(ctx.options & SSL_OP_NO_RENEGOTIATION ? { renegotiation: false } : this.server && ctx.options & SSL_OP_ALLOW_CLIENT_RENEGOTIATION ? { renegotiation: true } : {}),
      ...(!this.server && this.session ? { session: this.session.data } : {}),
      ...(!this.server ? { onSession: (data: ClientSession) => (this.session = new SSL_SESSION(data)) } : {}),
      ...(!this.server && this.postHandshakeAuth !== undefined ? { postHandshakeAuth: this.postHandshakeAuth } : {}),
      ...(!this.server && this.requestOcsp ? { requestOcsp: true } : {}),
      limits: { maxCertificateChainBytes: this.maxCertList },
    };
    // DTLS methods make a datagram association; the rest of this facade drives both alike (a BIO read is one datagram).
    this.conn = ctx.method.family === 'dtls'
      ? new DtlsConnection({ ...cfg, dtlsMin: this.minVersion || 0xfeff, dtlsMax: this.maxVersion || 0xfefd, ...(this.mtu ? { mtu: this.mtu } : {}) })
      : new TlsConnection(cfg);
    this.conn.onEvent = (e) => this.traceCallback?.(e);
    return this.conn;
  }

  /** Under SSL_MODE_ASYNC, signatures go through WebCrypto (asynchronous); otherwise synchronously. */
  signer(key: import('node:crypto').KeyObject) {
    const base = signerFor(key);
    return this.mode & SSL_MODE_ASYNC ? withWebCrypto(base, key) : base;
  }

  /** Maps a paused connection to its WANT_* outcome. */
  pausedOutcome(): Outcome | undefined {
    switch (this.conn?.suspended) {
      case 'client_hello_cb': return 'want_client_hello_cb';
      case 'x509_lookup': return 'want_x509_lookup';
      case 'async': return 'want_async';
      default: return undefined;
    }
  }

  api(call: string, ret: number): number {
    if (this.traceCallback) {
      const code = ret > 0 ? SSL_ERROR_NONE : OUTCOME_CODE[this.outcome];
      const row = sslErrorByCode(code)!;
      this.traceCallback({ kind: 'api', t: Date.now() - this.t0, side: this.server ? 'server' : 'client', call, ret, ...(ret > 0 ? {} : { error: { code, name: row.name, meaning: row.meaning } }) });
    }
    return ret;
  }

  // ---- moving bytes ----

  /** Hands produced records to the write BIO. False when it could not take them all. */
  flush(): boolean {
    if (this.conn) this.unsent.push(...this.conn.takeOutgoing());
    while (this.unsent.length) {
      const chunk = this.unsent[0]!;
      const n = this.wbio!.write(chunk);
      if (n === chunk.length) this.unsent.shift();
      else {
        if (n > 0) this.unsent[0] = chunk.subarray(n);
        return false;
      }
    }
    return true;
  }

  /** Feeds one read from the read BIO into the connection; returns what stopped it, or undefined if bytes came. */
  pull(): Outcome | undefined {
    const got = this.rbio!.read(RECORD_READ);
    if (got.length) {
      this.conn!.receive(got);
      return undefined;
    }
    if (this.rbio!.retrySpecial === 'connect') return 'want_connect';
    if (this.rbio!.retrySpecial === 'accept') return 'want_accept';
    if (this.rbio!.retryRead) return 'want_read';
    return 'syscall'; // EOF or an I/O error without close_notify
  }

  /** Turns a failed connection into SSL_ERROR_SSL with OpenSSL's reason on the error queue. */
  failure(): Outcome {
    const err = this.conn!.error;
    if (err instanceof PeerAlertError) ERR_raise(peerAlertReason(err.code), err.message);
    else if (err instanceof ProtocolError && this.verified && this.verifyResult !== X509_V_OK && this.verifyMode & 1) ERR_raise(R.SSL_R_CERTIFICATE_VERIFY_FAILED, err.message);
    else if (err instanceof LimitError && /Bytes$/.test(err.limit)) ERR_raise(R.SSL_R_EXCESSIVE_MESSAGE_SIZE, err.message);
    else if (err instanceof ProtocolError) ERR_raise(reasonFor(err.alert), err.message);
    return 'ssl';
  }
}

/** Why the write BIO took less than offered: still connecting or accepting, full, or broken (SYSCALL). */
function writeBlocked(s: SSL): Outcome {
  const b = s.wbio!;
  if (b.retrySpecial === 'connect') return 'want_connect';
  if (b.retrySpecial === 'accept') return 'want_accept';
  return b.retryWrite ? 'want_write' : 'syscall';
}

function reasonFor(alert: string): Reason {
  switch (alert) {
    case 'unexpected_message': return R.SSL_R_UNEXPECTED_MESSAGE;
    case 'bad_record_mac': return R.SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC;
    case 'record_overflow': return R.SSL_R_DATA_LENGTH_TOO_LONG;
    case 'decode_error': return R.SSL_R_LENGTH_MISMATCH;
    case 'illegal_parameter': case 'missing_extension': case 'unsupported_extension': return R.SSL_R_BAD_EXTENSION;
    case 'decrypt_error': return R.SSL_R_BAD_SIGNATURE;
    case 'protocol_version': return R.SSL_R_UNSUPPORTED_PROTOCOL;
    case 'certificate_required': return R.SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE;
    case 'no_application_protocol': return R.SSL_R_NO_APPLICATION_PROTOCOL;
    default: return R.SSL_R_SSL_HANDSHAKE_FAILURE;
  }
}

// ---- construction and reference counts (seed: SSL_new) ----

export function SSL_new(ctx: SSL_CTX | null): SSL | null {
  if (!ctx) {
    ERR_raise(R.SSL_R_NULL_SSL_CTX);
    return null;
  }
  ctx.references++;
  return new SSL(ctx);
}

export function SSL_up_ref(s: SSL): number {
  s.references++;
  return 1;
}

export function SSL_free(s: SSL | null): void {
  if (!s || --s.references > 0) return;
  s.conn?.wipe(); // OpenSSL cleanses the keys in SSL_free; we zero what JavaScript lets us reach
  s.ctx.references--;
  s.rbio?.free();
  if (s.wbio !== s.rbio) s.wbio?.free();
}

/** A new SSL with the same settings, ready for a new connection in the same role; no connection state is copied. */
export function SSL_dup(s: SSL): SSL | null {
  const d = SSL_new(s.ctx);
  if (!d) return null;
  d.mode = s.mode;
  if (s.server !== undefined) d.server = s.server;
  if (s.hostname !== undefined) d.hostname = s.hostname;
  return d;
}

// ---- role (seed: SSL_set_connect_state) ----

export function SSL_set_connect_state(s: SSL): void {
  s.server = false;
}

export function SSL_set_accept_state(s: SSL): void {
  s.server = true;
}

export function SSL_is_server(s: SSL): number {
  if (s.server !== undefined) return s.server ? 1 : 0;
  return s.ctx.method.side === 'client' ? 0 : 1;
}

// ---- BIOs (seed: SSL_set_fd) ----

export function SSL_set_bio(s: SSL, rbio: BIO, wbio: BIO): void {
  s.rbio = rbio;
  s.wbio = wbio;
}

export function SSL_get_rbio(s: SSL): BIO | undefined {
  return s.rbio;
}

export function SSL_get_wbio(s: SSL): BIO | undefined {
  return s.wbio;
}

/** Connects `s` to a socket descriptor through a socket BIO; non-blocking like the descriptor. */
export function SSL_set_fd(s: SSL, fd: number): number {
  try {
    // DTLS reads and writes whole datagrams on a connected UDP socket (as OpenSSL's SSL_set_fd with a DTLS method).
    const bio = s.ctx.method.family === 'dtls' ? new DatagramFdBIO(fd) : new SocketBIO(socketForFd(fd));
    SSL_set_bio(s, bio, bio);
    return 1;
  } catch (e) {
    ERR_raise(R.SSL_R_UNINITIALIZED, `SSL_set_fd(${fd}): ${(e as Error).message}`);
    return 0;
  }
}

export function SSL_CTX_set_mode(ctx: SSL_CTX, mode: number): number {
  return (ctx.mode |= mode);
}

export function SSL_CTX_clear_mode(ctx: SSL_CTX, mode: number): number {
  return (ctx.mode &= ~mode);
}

export function SSL_CTX_get_mode(ctx: SSL_CTX): number {
  return ctx.mode;
}

export function SSL_set_mode(s: SSL, mode: number): number {
  return (s.mode |= mode);
}

export function SSL_clear_mode(s: SSL, mode: number): number {
  return (s.mode &= ~mode);
}

export function SSL_get_mode(s: SSL): number {
  return s.mode;
}

export function SSL_set_tlsext_host_name(s: SSL, name: string): number {
  s.hostname = name;
  return 1;
}

export function SSL_set_trace_callback(s: SSL, cb: ((e: TraceEvent) => void) | undefined): void {
  s.traceCallback = cb;
}

// ---- the handshake ----

function ready(s: SSL, call: string): boolean {
  if (s.server === undefined) {
    ERR_raise(R.SSL_R_UNINITIALIZED, `${call}: call SSL_set_connect_state or SSL_set_accept_state first (the seed's SSL_set_connect_state page)`);
    s.outcome = 'ssl';
    return false;
  }
  if (!s.rbio || !s.wbio) {
    ERR_raise(R.SSL_R_UNINITIALIZED, `${call}: no BIO set (SSL_set_fd or SSL_set_bio)`);
    s.outcome = 'ssl';
    return false;
  }
  return true;
}

/** Runs the handshake as far as the BIOs allow. 1 done, else the outcome is recorded. */
function handshake(s: SSL): number {
  const conn = s.connection();
  conn.start();
  conn.resume();
  for (;;) {
    const paused = s.pausedOutcome();
    if (paused) {
      s.flush();
      s.outcome = paused;
      return -1;
    }
    if (!s.flush()) {
      s.outcome = writeBlocked(s);
      return s.outcome === 'syscall' ? 0 : -1;
    }
    if (conn.status === 'failed') {
      s.outcome = s.failure();
      return -1;
    }
    if (conn.status !== 'handshaking') {
      s.outcome = 'none';
      return 1;
    }
    const stop = s.pull();
    if (stop) {
      s.outcome = stop;
      return stop === 'syscall' ? 0 : -1;
    }
  }
}

/**
 * Runs one I/O call as OpenSSL does under SSL_MODE_ASYNC: inside a job from the pool (none free:
 * SSL_ERROR_WANT_ASYNC_JOB, nothing done). The job is kept while the connection waits on an async operation.
 */
function inJob(s: SSL, fn: () => number): number {
  if (!(s.mode & SSL_MODE_ASYNC)) return fn();
  if (!s.holdsJob) {
    if (!takeJob()) {
      s.outcome = 'want_async_job';
      return -1;
    }
    s.holdsJob = true;
  }
  const r = fn();
  if (s.conn?.suspended !== 'async') {
    releaseJob();
    s.holdsJob = false;
  }
  return r;
}

export function SSL_do_handshake(s: SSL): number {
  ERR_clear_error();
  if (!ready(s, 'SSL_do_handshake')) return s.api('SSL_do_handshake(ssl)', -1);
  if (s.conn?.renegotiating) return s.api('SSL_do_handshake(ssl)', continueRenegotiation(s));
  return s.api('SSL_do_handshake(ssl)', inJob(s, () => handshake(s)));
}

/**
 * A renegotiation under way (TLS 1.2 and older): sends what is due and reads until it completes. 1 when done;
 * -1 with WANT_READ / WANT_WRITE while it waits, as OpenSSL's handshake function does when SSL_read or SSL_write
 * find one in progress.
 */
function continueRenegotiation(s: SSL): number {
  const conn = s.conn!;
  for (;;) {
    if (!s.flush()) {
      s.outcome = writeBlocked(s);
      return s.outcome === 'syscall' ? 0 : -1;
    }
    if (conn.status === 'failed') {
      s.outcome = s.failure();
      return -1;
    }
    if (!conn.renegotiating) {
      s.outcome = 'none';
      return 1;
    }
    const stop = s.pull();
    if (stop) {
      s.outcome = stop;
      return stop === 'syscall' ? 0 : -1;
    }
  }
}

/**
 * int SSL_renegotiate(SSL *s): TLS 1.2 and older, RFC 5746. A client sends a new ClientHello, a server a
 * HelloRequest; SSL_do_handshake (or SSL_read/SSL_write) carries it through. 1 when started, 0 when it cannot be
 * (TLS 1.3, a peer without secure renegotiation, a handshake not done).
 */
export function SSL_renegotiate(s: SSL): number {
  ERR_clear_error();
  const conn = s.conn;
  if (!conn?.negotiated) {
    ERR_raise(R.SSL_R_UNINITIALIZED, 'SSL_renegotiate: the handshake is not done');
    return s.api('SSL_renegotiate(ssl)', 0);
  }
  if (conn.negotiated.version >= 0x0304) {
    ERR_raise(R.SSL_R_WRONG_SSL_VERSION, 'SSL_renegotiate: TLS 1.3 has no renegotiation (use SSL_key_update)');
    return s.api('SSL_renegotiate(ssl)', 0);
  }
  try {
    conn.renegotiate();
  } catch (e) {
    ERR_raise(R.SSL_R_NO_RENEGOTIATION, `SSL_renegotiate: ${(e as Error).message}`);
    return s.api('SSL_renegotiate(ssl)', 0);
  }
  s.flush();
  return s.api('SSL_renegotiate(ssl)', 1);
}

/** 1 while a renegotiation is under way, else 0. */
export function SSL_renegotiate_pending(s: SSL): number {
  return s.conn?.renegotiating ? 1 : 0;
}

export function SSL_connect(s: SSL): number {
  if (s.server === undefined) s.server = false;
  ERR_clear_error();
  if (!ready(s, 'SSL_connect')) return s.api('SSL_connect(ssl)', -1);
  return s.api('SSL_connect(ssl)', inJob(s, () => handshake(s)));
}

export function SSL_accept(s: SSL): number {
  if (s.server === undefined) s.server = true;
  ERR_clear_error();
  if (!ready(s, 'SSL_accept')) return s.api('SSL_accept(ssl)', -1);
  return s.api('SSL_accept(ssl)', inJob(s, () => handshake(s)));
}

// ---- reading (seed: SSL_read) ----

function readInto(s: SSL, buf: Uint8Array, num: number, peek: boolean): number {
  if (!ready(s, peek ? 'SSL_peek' : 'SSL_read')) return -1;
  const conn = s.connection();
  if (conn.status === 'handshaking') {
    const r = handshake(s);
    if (r <= 0) return r;
  }
  conn.resume(); // a post-handshake CertificateRequest may have paused on the client certificate callback
  for (;;) {
    const paused = s.pausedOutcome();
    if (paused) {
      s.flush();
      s.outcome = paused;
      return -1;
    }
    if (conn.readableBytes > 0) {
      const data = conn.read(Math.min(num, buf.length), peek);
      buf.set(data);
      s.outcome = 'none';
      s.flush(); // a KeyUpdate answer or a NewSessionTicket reply may be waiting
      return data.length;
    }
    if (conn.status === 'failed') {
      s.outcome = s.failure();
      return -1;
    }
    if (conn.status === 'peer-closed' || conn.status === 'closed') {
      s.shutdown |= SSL_RECEIVED_SHUTDOWN;
      s.outcome = 'zero_return';
      return 0;
    }
    if (!s.flush()) {
      // Reading can need writing (a KeyUpdate reply): SSL_read reports WANT_WRITE, as the seed says.
      s.outcome = writeBlocked(s);
      return s.outcome === 'syscall' ? 0 : -1;
    }
    const stop = s.pull();
    if (stop) {
      s.outcome = stop;
      return stop === 'syscall' ? 0 : -1;
    }
  }
}

export function SSL_read(s: SSL, buf: Uint8Array, num: number): number {
  ERR_clear_error();
  return s.api(`SSL_read(ssl, buf, ${num})`, inJob(s, () => readInto(s, buf, num, false)));
}

export function SSL_peek(s: SSL, buf: Uint8Array, num: number): number {
  ERR_clear_error();
  return s.api(`SSL_peek(ssl, buf, ${num})`, readInto(s, buf, num, true));
}

/** `readbytes.value` receives the count. 1 when at least one byte was read, else 0. */
export function SSL_read_ex(s: SSL, buf: Uint8Array, num: number, readbytes: { value: number }): number {
  ERR_clear_error();
  const r = readInto(s, buf, num, false);
  readbytes.value = r > 0 ? r : 0;
  return s.api(`SSL_read_ex(ssl, buf, ${num})`, r > 0 ? 1 : 0);
}

export function SSL_peek_ex(s: SSL, buf: Uint8Array, num: number, readbytes: { value: number }): number {
  ERR_clear_error();
  const r = readInto(s, buf, num, true);
  readbytes.value = r > 0 ? r : 0;
  return s.api(`SSL_peek_ex(ssl, buf, ${num})`, r > 0 ? 1 : 0);
}

export function SSL_pending(s: SSL): number {
  return s.conn?.readableBytes ?? 0;
}

// ---- writing (seed: SSL_write) ----

const MAX_RECORD = 1 << 14;

function writeFrom(s: SSL, buf: Uint8Array, num: number): number {
  if (!ready(s, 'SSL_write')) return -1;
  const conn = s.connection();
  if (conn.status === 'handshaking') {
    const r = handshake(s);
    if (r <= 0) return r;
  }
  if (conn.status === 'failed') {
    s.outcome = s.failure();
    return -1;
  }
  if (s.pendingWrite !== undefined) {
    // The retry the seed requires after WANT_WRITE: the data is already sealed; finish sending it.
    if (!s.flush()) {
      s.outcome = writeBlocked(s);
      return s.outcome === 'syscall' ? 0 : -1;
    }
    const n = s.pendingWrite;
    s.pendingWrite = undefined;
    s.outcome = 'none';
    return n;
  }
  if (conn.status !== 'open' && conn.status !== 'peer-closed') {
    ERR_raise(R.SSL_R_UNINITIALIZED, `SSL_write: the connection is ${conn.status}`);
    s.outcome = 'ssl';
    return -1;
  }
  // As OpenSSL: a write finds the renegotiation in progress and drives it first; while it waits for the peer,
  // SSL_write returns -1 with SSL_ERROR_WANT_READ (the seed's "SSL_write may need to read").
  if (conn.renegotiating) {
    const r = continueRenegotiation(s);
    if (r <= 0) return r;
  }
  const partial = (s.mode & SSL_MODE_ENABLE_PARTIAL_WRITE) !== 0;
  let written = 0;
  while (written < num) {
    const n = Math.min(MAX_RECORD, num - written);
    conn.write(buf.subarray(written, written + n));
    written += n;
    if (!s.flush()) {
      if (partial) {
        // With SSL_MODE_ENABLE_PARTIAL_WRITE a write succeeds once records are done, even if not all were sent.
        s.outcome = 'none';
        return written;
      }
      s.outcome = writeBlocked(s);
      if (s.outcome === 'syscall') return 0;
      s.pendingWrite = num;
      return -1;
    }
  }
  s.outcome = 'none';
  return num;
}

export function SSL_write(s: SSL, buf: Uint8Array, num: number): number {
  ERR_clear_error();
  return s.api(`SSL_write(ssl, buf, ${num})`, inJob(s, () => writeFrom(s, buf, num)));
}

/** `written.value` receives the count. 1 on success, else 0. */
export function SSL_write_ex(s: SSL, buf: Uint8Array, num: number, written: { value: number }): number {
  ERR_clear_error();
  const r = writeFrom(s, buf, num);
  written.value = r > 0 ? r : 0;
  return s.api(`SSL_write_ex(ssl, buf, ${num})`, r > 0 ? 1 : 0);
}

// ---- shutdown ----

/** 0: our close_notify sent, the peer's not seen yet; 1: both; -1: an error or a retry (SSL_get_error says which). */
export function SSL_shutdown(s: SSL): number {
  ERR_clear_error();
  if (!s.conn || s.conn.status === 'failed') {
    s.outcome = s.conn ? s.failure() : 'ssl';
    if (!s.conn) ERR_raise(R.SSL_R_UNINITIALIZED, 'SSL_shutdown before a connection');
    return s.api('SSL_shutdown(ssl)', -1);
  }
  const conn = s.conn;
  if (!(s.shutdown & SSL_SENT_SHUTDOWN)) {
    conn.close();
    s.shutdown |= SSL_SENT_SHUTDOWN;
    if (!s.flush()) {
      s.outcome = 'want_write';
      return s.api('SSL_shutdown(ssl)', -1);
    }
    if (conn.status === 'closed') s.shutdown |= SSL_RECEIVED_SHUTDOWN;
    s.outcome = 'none';
    return s.api('SSL_shutdown(ssl)', s.shutdown & SSL_RECEIVED_SHUTDOWN ? 1 : 0);
  }
  // Second call: wait for the peer's close_notify, discarding data still in flight.
  for (;;) {
    if (conn.status === 'closed' || conn.status === 'peer-closed') {
      s.shutdown |= SSL_RECEIVED_SHUTDOWN;
      s.outcome = 'none';
      return s.api('SSL_shutdown(ssl)', 1);
    }
    while (conn.readableBytes) conn.read(1 << 16);
    if (!s.flush()) {
      s.outcome = 'want_write';
      return s.api('SSL_shutdown(ssl)', -1);
    }
    const stop = s.pull();
    if (stop) {
      s.outcome = stop;
      return s.api('SSL_shutdown(ssl)', -1);
    }
  }
}

export function SSL_get_shutdown(s: SSL): number {
  return s.shutdown;
}

// ---- the outcome (seed: SSL_get_error) ----

/** The result code of the last I/O call on `s`, given its return value; consults the error queue as OpenSSL does. */
export function SSL_get_error(s: SSL, ret: number): number {
  if (ret > 0) return SSL_ERROR_NONE;
  if (ERR_peek_error() !== 0 && s.outcome === 'ssl') return SSL_ERROR_SSL;
  return OUTCOME_CODE[s.outcome];
}

export function SSL_error_name(code: number): string {
  return sslErrorName(code);
}

/**
 * Waits until retrying the last call can make progress: the BIO named by its WANT_* outcome is readable,
 * writable, connected or has accepted (the seed's "use select() or poll()"). Resolves at once otherwise.
 */
export function SSL_wait(s: SSL, timeoutMs = 30_000): Promise<void> {
  if (s.outcome === 'want_async') return s.conn instanceof TlsConnection ? s.conn.asyncSettled() : Promise.resolve();
  const want = s.outcome === 'want_read' ? 'read' : s.outcome === 'want_write' ? 'write' : s.outcome === 'want_connect' ? 'connect' : s.outcome === 'want_accept' ? 'accept' : undefined;
  if (!want) return Promise.resolve();
  const bio = want === 'write' ? s.wbio! : s.rbio!;
  // DTLS: a lost flight is only resent when its timer fires, so waiting ends then too (DTLSv1_get_timeout).
  const dtlsMs = s.conn instanceof DtlsConnection && want === 'read' ? s.conn.getTimeout() : null;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`SSL_wait: nothing happened on the ${want === 'write' ? 'write' : 'read'} BIO within ${timeoutMs} ms (${sslErrorName(OUTCOME_CODE[s.outcome])})`)), timeoutMs);
    const retransmit = dtlsMs !== null && dtlsMs < timeoutMs ? setTimeout(done, dtlsMs) : undefined;
    function done(): void {
      clearTimeout(timer);
      clearTimeout(retransmit);
      resolve();
    }
    void bio.ready(want).then(done);
  });
}

/** Calls `op` until it no longer asks to retry, waiting with SSL_wait in between (a blocking call, in JavaScript). */
export async function SSL_retry(s: SSL, op: () => number, timeoutMs = 30_000): Promise<number> {
  for (;;) {
    const r = op();
    const e = SSL_get_error(s, r);
    if (e !== SSL_ERROR_WANT_READ && e !== SSL_ERROR_WANT_WRITE && e !== SSL_ERROR_WANT_CONNECT && e !== SSL_ERROR_WANT_ACCEPT && e !== SSL_ERROR_WANT_ASYNC) return r;
    await SSL_wait(s, timeoutMs);
    // DTLS: a flight whose timer ran out is sent again, as a blocking OpenSSL DTLS call does by itself.
    if (s.conn instanceof DtlsConnection && DTLSv1_handle_timeout(s) < 0) return -1;
  }
}

// ---- what was negotiated ----

export function SSL_get_version(s: SSL): string {
  return s.conn?.negotiated ? versionName(s.conn.negotiated.version) : 'unknown';
}

export function SSL_get_cipher_name(s: SSL): string | null {
  return s.conn?.negotiated ? suiteName(s.conn.negotiated.cipherSuite) : null;
}

export function SSL_get0_alpn_selected(s: SSL): string | undefined {
  return s.conn?.negotiated?.alpn;
}

export function SSL_get_servername(s: SSL): string | undefined {
  return s.server ? s.conn?.negotiated?.serverName : s.hostname;
}

/** The peer's certificate (OpenSSL 3: SSL_get1_peer_certificate), or null. */
export function SSL_get1_peer_certificate(s: SSL): X509 | null {
  const der = s.conn?.negotiated?.peerCertificates[0];
  return der ? new X509(der) : null;
}

export const SSL_get_peer_certificate = SSL_get1_peer_certificate;

/** TLS 1.3 KeyUpdate (SSL_key_update); the message goes out with the next I/O call. */
export function SSL_key_update(s: SSL, updatetype: number): number {
  if (!s.conn || s.conn.status !== 'open') {
    ERR_raise(R.SSL_R_UNINITIALIZED, 'SSL_key_update needs an established TLS 1.3 connection');
    return 0;
  }
  s.conn.keyUpdate(updatetype === 1);
  return 1;
}

/**
 * Server: post-handshake authentication (RFC 8446 section 4.6.2). 1 when the CertificateRequest is queued (it
 * goes out with the next I/O call: SSL_read, SSL_write or SSL_do_handshake, as in OpenSSL), 0 with the reason on
 * the error queue when it cannot be asked: not a server, the handshake not done, the client did not send
 * post_handshake_auth, or a request is pending. The client's certificate, once verified, is SSL_get1_peer_certificate.
 */
export function SSL_verify_client_post_handshake(s: SSL): number {
  const fail = (why: string) => {
    ERR_raise(R.SSL_R_UNINITIALIZED, `SSL_verify_client_post_handshake: ${why}`);
    return 0;
  };
  if (!SSL_is_server(s)) return fail('not a server');
  if (!s.conn || s.conn.status !== 'open') return fail('still in init: the handshake is not complete');
  try {
    s.conn.requestClientCertificate();
  } catch (e) {
    return fail((e as Error).message);
  }
  return 1;
}

/** Client: whether to send post_handshake_auth (SSL_set_post_handshake_auth; set before the handshake). */
export function SSL_set_post_handshake_auth(s: SSL, val: number): void {
  s.postHandshakeAuth = val !== 0;
}

export const SSL_EARLY_DATA_NOT_SENT = 0;
export const SSL_EARLY_DATA_REJECTED = 1;
export const SSL_EARLY_DATA_ACCEPTED = 2;

/** What became of 0-RTT early data on this connection (SSL_get_early_data_status). */
export function SSL_get_early_data_status(s: SSL): number {
  const st = s.conn?.negotiated?.earlyData;
  return st === 'accepted' ? SSL_EARLY_DATA_ACCEPTED : st === 'rejected' ? SSL_EARLY_DATA_REJECTED : SSL_EARLY_DATA_NOT_SENT;
}

export const SSL_KEY_UPDATE_NOT_REQUESTED = 0;
export const SSL_KEY_UPDATE_REQUESTED = 1;

// ---- sessions (resumption) ----

/** A resumable TLS 1.3 session: what a NewSessionTicket gave the client. */
export class SSL_SESSION {
  references = 1;
  constructor(readonly data: ClientSession) {}
}

/** The session to resume, or null; the caller must SSL_SESSION_free it (here: references only). */
export function SSL_get1_session(s: SSL): SSL_SESSION | null {
  if (!s.session) return null;
  s.session.references++;
  return s.session;
}

export function SSL_get_session(s: SSL): SSL_SESSION | null {
  return s.session ?? null;
}

/** Offers `session` in the next handshake (before SSL_connect). */
export function SSL_set_session(s: SSL, session: SSL_SESSION | null): number {
  if (session) s.session = session;
  else delete s.session;
  return 1;
}

export function SSL_SESSION_free(session: SSL_SESSION | null): void {
  if (session) session.references--;
}

export function SSL_session_reused(s: SSL): number {
  return s.conn?.negotiated?.resumed ? 1 : 0;
}

export function SSL_SESSION_is_resumable(session: SSL_SESSION): number {
  return session.data.ticket.length > 0 ? 1 : 0;
}

// ---- the ClientHello callback's view (SSL_client_hello_get0_*) ----

export function SSL_client_hello_get0_legacy_version(s: SSL): number {
  return s.clientHello?.legacyVersion ?? 0;
}

export function SSL_client_hello_get0_ciphers(s: SSL): number[] {
  return s.clientHello?.cipherSuites ?? [];
}

export function SSL_client_hello_get1_extensions_present(s: SSL): number[] {
  return s.clientHello?.extensionTypes ?? [];
}

export function SSL_client_hello_get0_servername(s: SSL): string | undefined {
  return s.clientHello?.serverName;
}

// ---- certificates and keys of one SSL (seed: SSL_CTX_use_certificate, the SSL_use_* forms) ----

function copyCertificates(ctx: SSL_CTX): SSL_CTX {
  const c = new SSL_CTX(ctx.method);
  for (const [k, v] of ctx.slots) c.slots.set(k, { ...v, chain: [...v.chain] });
  if (ctx.current) c.current = ctx.current;
  c.extraChain = [...ctx.extraChain];
  if (ctx.passwdCb) c.passwdCb = ctx.passwdCb;
  c.passwdUserdata = ctx.passwdUserdata;
  return c;
}

export function SSL_use_certificate(s: SSL, x: X509 | null): number {
  return SSL_CTX_use_certificate(s.certs, x);
}

/** Note the seed's argument order: (ssl, d, len), unlike SSL_CTX_use_certificate_ASN1(ctx, len, d). */
export function SSL_use_certificate_ASN1(s: SSL, d: Uint8Array, len: number): number {
  return SSL_CTX_use_certificate_ASN1(s.certs, len, d);
}

export function SSL_use_certificate_file(s: SSL, file: string, type: number): number {
  return SSL_CTX_use_certificate_file(s.certs, file, type);
}

export function SSL_use_certificate_chain_file(s: SSL, file: string): number {
  return SSL_CTX_use_certificate_chain_file(s.certs, file);
}

export function SSL_use_PrivateKey(s: SSL, pkey: EVP_PKEY | null): number {
  return SSL_CTX_use_PrivateKey(s.certs, pkey);
}

export function SSL_use_PrivateKey_ASN1(pk: number, s: SSL, d: Uint8Array, len: number): number {
  return SSL_CTX_use_PrivateKey_ASN1(pk, s.certs, d, len);
}

export function SSL_use_PrivateKey_file(s: SSL, file: string, type: number): number {
  return SSL_CTX_use_PrivateKey_file(s.certs, file, type);
}

/** Checks this SSL's pair; with none of its own, the one it copied from its context. */
export function SSL_check_private_key(s: SSL): number {
  return SSL_CTX_check_private_key(s.certs);
}

// ---- peer verification (seed: SSL_CTX_set_verify) ----

export function SSL_set_verify(s: SSL, mode: number, callback?: VerifyCallback | null): void {
  s.verifyMode = mode;
  if (callback) s.verifyCallback = callback;
  else delete s.verifyCallback;
}

export function SSL_get_verify_mode(s: SSL): number {
  return s.verifyMode;
}

export function SSL_set_verify_depth(s: SSL, depth: number): void {
  s.verifyDepth = depth;
}

/** long SSL_set_max_cert_list(SSL *s, long size): returns the previous value; applies to handshakes started after. */
export function SSL_set_max_cert_list(s: SSL, size: number): number {
  const old = s.maxCertList;
  s.maxCertList = size;
  return old;
}

export function SSL_get_max_cert_list(s: SSL): number {
  return s.maxCertList;
}

/** int SSL_set1_host(SSL *s, const char *hostname): the peer's certificate must match it (RFC 6125; an IP address matches IP SANs). */
export function SSL_set1_host(s: SSL, hostname: string | null): number {
  if (hostname) s.verifyHost = hostname;
  else delete s.verifyHost;
  return 1;
}

/** long SSL_get_verify_result(const SSL *ssl): X509_V_OK, or the X509_V_ERR code of the peer's chain. */
export function SSL_get_verify_result(s: SSL): number {
  return s.verifyResult;
}

export function SSL_set_verify_result(s: SSL, v: number): void {
  s.verifyResult = v;
}

/** The path that was built for the peer, leaf first, anchor last; empty before verification. */
export function SSL_get0_verified_chain(s: SSL): X509[] {
  return s.verified?.chain ?? [];
}

/** The chain as the peer sent it, leaf first (OpenSSL's client-side SSL_get_peer_cert_chain includes the leaf). */
export function SSL_get_peer_cert_chain(s: SSL): X509[] | null {
  const n = s.conn?.negotiated;
  if (!n || !n.peerCertificates.length) return null;
  return n.peerCertificates.map((d) => new X509(d));
}

// ---- library initialisation (seed: SSL_library_init) ----

/** Always 1, as the seed says; the engine needs no global set-up (algorithms are registered statically). */
export function SSL_library_init(): number {
  return 1;
}

/** The seed's alias of SSL_library_init. */
export const OpenSSL_add_ssl_algorithms = SSL_library_init;
export const SSLeay_add_ssl_algorithms = SSL_library_init;

// ---- per-SSL version bounds (seed: SSL_CTX_set_min_proto_version / SSL_set_max_proto_version) ----

export function SSL_set_min_proto_version(s: SSL, version: number): number {
  s.minVersion = version;
  return 1;
}

export function SSL_set_max_proto_version(s: SSL, version: number): number {
  if (version !== 0 && (version < 0x0300 || version > 0x0304) && s.ctx.method.family === 'tls') {
    ERR_raise(R.SSL_R_UNSUPPORTED_PROTOCOL, `max version 0x${version.toString(16)}: not a TLS version`);
    return 0;
  }
  s.maxVersion = version;
  return 1;
}

export function SSL_get_min_proto_version(s: SSL): number {
  return s.minVersion;
}

export function SSL_get_max_proto_version(s: SSL): number {
  return s.maxVersion;
}

// ---- OCSP stapling (SSL_set_tlsext_status_type) ----

export const TLSEXT_STATUSTYPE_ocsp = 1;

/** Asks the server for a stapled OCSP response (status_request, RFC 6066 section 8), as s_client -status does. 1 on success. */
export function SSL_set_tlsext_status_type(s: SSL, type: number): number {
  if (type !== TLSEXT_STATUSTYPE_ocsp) {
    ERR_raise(R.SSL_R_UNINITIALIZED, `SSL_set_tlsext_status_type: status type ${type} is not ocsp (1)`);
    return 0;
  }
  s.requestOcsp = true;
  return 1;
}

/** The DER OCSPResponse the server stapled, or undefined (SSL_get_tlsext_status_ocsp_resp returns its length, -1 without). */
export function SSL_get_tlsext_status_ocsp_resp(s: SSL): Uint8Array | undefined {
  return s.conn?.negotiated?.ocsp?.der;
}

// ---- DTLS timers (seed: DTLS methods; OpenSSL's DTLSv1_get_timeout / DTLSv1_handle_timeout) ----

/** When the DTLS retransmission timer is running: 1 with `tv` set to the time left, else 0. */
export function DTLSv1_get_timeout(s: SSL, tv: { tv_sec: number; tv_usec: number }): number {
  const c = s.conn;
  if (!(c instanceof DtlsConnection)) return 0;
  const ms = c.getTimeout();
  if (ms === null) return 0;
  tv.tv_sec = Math.floor(ms / 1000);
  tv.tv_usec = Math.round((ms % 1000) * 1000);
  return 1;
}

/** Retransmits the last flight if its timer expired: 1 when it did, 0 when nothing was due, -1 on failure. */
export function DTLSv1_handle_timeout(s: SSL): number {
  const c = s.conn;
  if (!(c instanceof DtlsConnection)) return 0;
  const r = c.handleTimeout();
  s.flush();
  if (c.status === 'failed') {
    s.outcome = s.failure();
    return -1;
  }
  return r;
}

/** The path MTU for DTLS fragmentation (SSL_set_mtu, DTLS_set_link_mtu); 1 on success. */
export function SSL_set_mtu(s: SSL, mtu: number): number {
  if (!Number.isInteger(mtu) || mtu < 256 || mtu > 65535) return 0;
  s.mtu = mtu;
  return 1;
}
