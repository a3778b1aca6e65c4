// One sans-IO TLS connection: bytes in, bytes out, application data in and out, trace events out.
// This file owns the record layer's plumbing (framing, protection per direction, handshake reassembly,
// alerts, application data); the handshake state machines (handshake/tls13/*) decide what to send and when
// keys change, through the HandshakeHost interface below.
import { decodeAlert, encodeAlert } from '../msgs/alert';
import { decodeHandshake, encodeHandshake, HandshakeReader, MessageSizeError, type DecodeOptions, type Handshake, type HandshakeInit } from '../msgs/handshake';
import { collectSpans, DecodeError } from '../msgs/reader';
import { alertByCode, alertCode, alertName, isAlertDescription } from '../registry/alerts';
import { contentTypeName } from '../registry/content-types';
import { handshakeTypeName } from '../registry/handshake-types';
import { suiteByCode, suiteName, type CipherSuite } from '../registry/suites';
import { groupName } from '../registry/groups';
import { sigSchemeName } from '../registry/sigschemes';
import { versionName } from '../registry/versions';
import type { AeadName } from '../crypto/provider';
import { trafficKeys, type SecretLabel } from '../handshake/tls13/key-schedule';
import type { KeyScheduleRecorder } from '../handshake/key-schedule-capture';
import { Client13 } from '../handshake/tls13/client';
import { Client12 } from '../handshake/tls12/client';
import type { RecordForm } from '../handshake/tls12/common';
import { Server13 } from '../handshake/tls13/server';
import { CT, RecordFramer, recordHeader, type RecordIn } from '../record/framer';
import { Tls13Protector } from '../record/protect13';
import { MAX_CIPHERTEXT, Tls12Protector } from '../record/protect12';
import type { Direction, TraceEvent } from '../trace/events';
import type { ConnectionConfig } from './config';
import { PeerAlertError, ProtocolError, Suspend, type SuspendReason } from './errors';
import { checkMessageLimits, LimitError, RenegotiationWindow, resolveLimits, type ConnectionLimits } from './limits';
import type { ConnectionStatus, NegotiatedSession, SansIoConnection } from './types';
import { concatBytes } from '../util/hex';

export type Epoch = 'plaintext' | 'early' | 'handshake' | 'application';

/** What a handshake state machine may ask of its connection. */
export interface HandshakeHost {
  readonly cfg: ConnectionConfig;
  /** Encodes, traces and queues a handshake message under the current write keys; returns it decoded (with raw). */
  send(msg: HandshakeInit): Handshake;
  /** The same for a message already encoded (a ClientHello whose PSK binders were patched in). */
  sendBytes(bytes: Uint8Array): Handshake;
  /** RFC 8446 appendix D.4: a plaintext change_cipher_spec record. */
  sendChangeCipherSpec(): void;
  setReadKeys(epoch: Exclude<Epoch, 'plaintext'>, suite: CipherSuite, secret: Uint8Array): void;
  setWriteKeys(epoch: Exclude<Epoch, 'plaintext'>, suite: CipherSuite, secret: Uint8Array): void;
  setState(name: string): void;
  emit(e: DistributiveOmit<TraceEvent, 't' | 'side'>): void;
  keyLog(label: SecretLabel, secret: Uint8Array): void;
  /** The key-schedule recorder, when the config asked for one (read when used: a caller may set it after construction). */
  readonly keySchedule?: KeyScheduleRecorder;
  /** The handshake is done: application data may flow. */
  established(session: NegotiatedSession): void;
  /** The client random, once known (for the key log). */
  clientRandom?: Uint8Array;
  /**
   * Pauses the handshake until `op` settles (SSL_ERROR_WANT_ASYNC), then calls `next` with its value on
   * resume(). The state machine returns right after calling this.
   */
  suspendFor<T>(op: Promise<T>, next: (value: T) => void): void;
  /** Client: application data as 0-RTT records under the current (early) write keys (RFC 8446 section 2.3). */
  sendEarlyData(data: Uint8Array): void;
  /** Client, after a HelloRetryRequest ended its 0-RTT: the early write keys are dropped, the next ClientHello goes in the clear. */
  clearWriteKeys(): void;
  /** Server: inner application_data under the early read keys is early data, at most `limit` bytes (RFC 8446 section 4.2.10). */
  acceptEarlyData(limit: number): void;
  /**
   * Server, having rejected 0-RTT: discard the client's early records, up to `limit` bytes, either those that do
   * not decrypt under the handshake keys ('trial-decrypt') or, after a HelloRetryRequest, every protected record
   * before the second ClientHello ('after-hrr') (RFC 8446 section 4.2.10).
   */
  skipEarlyData(limit: number, how: 'trial-decrypt' | 'after-hrr'): void;
  /** Server: the client authenticated after the handshake (RFC 8446 section 4.6.2); `chain` is its certificate chain. */
  peerAuthenticated(chain: Uint8Array[]): void;
  /**
   * record_size_limit (RFC 8449), once both sides sent it: 'write' caps the TLSInnerPlaintext (content plus type
   * byte) of the protected records we send at the peer's limit; 'read' makes a larger received one record_overflow.
   */
  setRecordSizeLimit(dir: 'read' | 'write', limit: number): void;
  /**
   * TLS 1.2 and older: the version both sides now speak (record headers carry it; records may be 2^14 + 2048
   * bytes), and from the next handshake on, the driver's message shapes.
   */
  setLegacyVersion(version: number): void;
  /** TLS 1.2 and older: installs record protection for one direction, at a ChangeCipherSpec (RFC 5246 section 7.1). */
  setProtector12(dir: 'read' | 'write', prot: Tls12Protector): void;
  /** Hands the connection to another state machine (a TLS 1.3 driver that found the peer speaks TLS 1.2). */
  replaceDriver(next: HandshakeDriver): void;
  /** A warning alert that does not end the connection (TLS 1.2 and older: no_renegotiation). */
  sendWarning(name: string): void;
  /** DTLS: the record form protectors must use (undefined for TLS). */
  recordForm?(): RecordForm | undefined;
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

export interface HandshakeDriver {
  readonly state: string;
  start(): void;
  handle(msg: Handshake): void;
  /** Whether plaintext change_cipher_spec records may arrive now (TLS 1.3 compatibility mode). */
  acceptsCompatCcs(): boolean;
  keyUpdate?(requestPeer: boolean): void;
  /** How to decode the messages that arrive now (TLS 1.2 shapes depend on version and key exchange). */
  decodeOptions?(): DecodeOptions;
  /** TLS 1.2 and older: a ChangeCipherSpec arrived (the driver installs the pending read keys or refuses it). */
  onChangeCipherSpec?(): void;
  /** TLS 1.2 and older, client: start a renegotiation (RFC 5746). */
  renegotiate?(): void;
  /** TLS 1.2 and older, server: ask the client to renegotiate (HelloRequest). */
  requestRenegotiation?(): void;
  /** A renegotiation (or the first handshake) is under way. */
  readonly handshaking?: boolean;
  /** TLS 1.2 and older: a warning alert arrived (no_renegotiation answers a renegotiation attempt). */
  onWarning?(code: number): void;
  /** Server: sends a post-handshake CertificateRequest; throws an Error saying why when it cannot. */
  requestClientCertificate?(): void;
  /** Zeroes the secrets the state machine holds (util/wipe.ts). */
  wipe?(): void;
}

const MAX_FRAGMENT = 1 << 14;
/** AEAD tag (16 bytes for every TLS 1.3 suite) and inner content type: what a protected record adds to its data. */
const RECORD_OVERHEAD = 17;

export class TlsConnection implements SansIoConnection {
  readonly side: 'client' | 'server';
  status: ConnectionStatus = 'handshaking';
  error?: ProtocolError | PeerAlertError;
  negotiated?: NegotiatedSession;
  onEvent?: (e: TraceEvent) => void;

  private readonly now: () => number;
  private readonly t0: number;
  private readonly framer = new RecordFramer();
  private readonly hsReader: HandshakeReader;
  /** What the peer may make us hold or do (limits.ts); exceeding one fails the connection naming it. */
  readonly limits: ConnectionLimits;
  /** Records received in the handshake under way (maxRecordsPerHandshake). */
  private handshakeRecords = 0;
  /** KeyUpdates received since the last application data (maxKeyUpdatesInARow). */
  private keyUpdatesInARow = 0;
  private readonly renegotiations: RenegotiationWindow;
  private driver: HandshakeDriver;
  private readonly host: HandshakeHost;
  private readProt?: Tls13Protector | Tls12Protector;
  private writeProt?: Tls13Protector | Tls12Protector;
  /** TLS 1.2 and older: the negotiated version, once the ServerHello settled it. Undefined for TLS 1.3. */
  private legacyVersion?: number;
  /** TLS 1.2 and older: warning alerts in a row (each is harmless alone; a flood is not). */
  private warningsInARow = 0;
  private readEpoch: Epoch = 'plaintext';
  private writeEpoch: Epoch = 'plaintext';
  /** Records to send, in order; a record sealed in pieces (sealPieces) is held as its pieces. */
  private readonly out: (Uint8Array | Uint8Array[])[] = [];
  private outBytes = 0;
  private readonly appIn: Uint8Array[] = [];
  /** For each chunk of appIn: whether it arrived as 0-RTT early data. */
  private readonly appInEarly: boolean[] = [];
  private appInBytes = 0;
  /** Server: accepted 0-RTT, counted against max_early_data_size. */
  private earlyIn?: { limit: number; received: number };
  /** Server: rejected 0-RTT still being skipped. */
  private skipEarly?: { limit: number; skipped: number; how: 'trial-decrypt' | 'after-hrr' };
  /** Server: post-handshake authentications completed (RFC 8446 section 4.6.2). */
  postHandshakeAuths = 0;
  private started = false;
  private readonly generation = { read: 0, write: 0 };
  private emptyInARow = 0;
  /** RFC 8449: most data bytes per protected record we send (the peer's record_size_limit minus the type byte). */
  private writeFragment = MAX_FRAGMENT;
  /** RFC 8449: our record_size_limit, enforced on received protected records once negotiated. */
  private readLimit?: number;
  /** Set while the handshake waits for the application; receive() then only buffers. */
  suspended?: SuspendReason;
  /** Messages of the record being processed when a Suspend came, the first being the one to retry. */
  private pendingMessages: Uint8Array[] = [];
  private pendingAsync?: { settled: boolean; value?: unknown; error?: unknown; next: (v: unknown) => void; done: Promise<void> };

  readonly cfg: ConnectionConfig;

  constructor(config: ConnectionConfig) {
    // On the node provider, a key that can also sign through node:crypto does so (RSA already does).
    const native = config.provider.name === 'node' ? config.signer?.native : undefined;
    this.cfg = native ? { ...config, signer: native } : config;
    // Recording the key schedule: the provider's HKDF and HMAC calls are noted (handshake/key-schedule-capture.ts).
    if (this.cfg.keySchedule) this.cfg = { ...this.cfg, provider: this.cfg.keySchedule.wrapProvider(this.cfg.provider) };
    const cfg = this.cfg;
    this.side = cfg.side;
    this.now = cfg.now ?? (() => Date.now());
    this.t0 = this.now();
    this.limits = resolveLimits(cfg.limits);
    this.hsReader = new HandshakeReader({ maxMessageSize: this.limits.maxHandshakeMessageBytes, maxCertificateSize: this.limits.maxCertificateChainBytes });
    this.renegotiations = new RenegotiationWindow(this.limits.maxRenegotiationsPerMinute);
    this.host = this.makeHost();
    // A client whose highest version is TLS 1.2 or lower speaks the older handshake from its first message; otherwise
    // the TLS 1.3 machines start, and hand over to the TLS 1.2 ones if the hellos settle on an older version.
    this.driver = cfg.side === 'client'
      ? ((cfg.maxVersion ?? 0x0304) < 0x0304 ? new Client12(this.host) : new Client13(this.host))
      : new Server13(this.host);
  }

  get handshakeState(): string {
    return this.driver.state;
  }

  get outgoingBytes(): number {
    return this.outBytes;
  }

  get readableBytes(): number {
    return this.appInBytes;
  }

  /** Whether the bytes the next read() returns arrived as 0-RTT early data (not replay-protected: RFC 8446 section 8). */
  get nextReadIsEarly(): boolean {
    return this.appInEarly[0] ?? false;
  }

  // ---- the SansIoConnection surface ----

  start(): void {
    if (this.started) return;
    this.started = true;
    this.guard(() => this.driver.start());
  }

  receive(bytes: Uint8Array): void {
    if (this.status === 'failed' || this.status === 'closed') return;
    if (!this.started) this.start();
    this.guard(() => {
      this.framer.push(bytes);
      this.processRecords();
    });
  }

  private processRecords(): void {
    if (this.suspended) return;
    for (let rec = this.framer.next(); rec; rec = this.framer.next()) {
      this.onRecord(rec);
      if (this.status === 'failed' || this.status === 'closed' || this.suspended) break;
    }
  }

  /**
   * Continues a paused handshake: the message that paused it is handled again (the callback is asked again),
   * or the finished async operation's result is handed on. Returns false while it must still wait.
   */
  resume(): boolean {
    if (!this.suspended) return true;
    if (this.suspended === 'async') {
      const p = this.pendingAsync!;
      if (!p.settled) return false;
      this.pendingAsync = undefined;
      this.suspended = undefined;
      this.guard(() => {
        if (p.error !== undefined) throw p.error;
        p.next(p.value);
        this.processRecords();
      });
      return !this.suspended;
    }
    const pending = this.pendingMessages.splice(0);
    this.suspended = undefined;
    this.guard(() => {
      this.handleMessages(pending, true);
      this.processRecords();
    });
    return !this.suspended;
  }

  /** Resolves when a pending async operation has settled (what SSL_wait waits for under WANT_ASYNC). */
  asyncSettled(): Promise<void> {
    return this.pendingAsync?.done ?? Promise.resolve();
  }

  /** The records to send, one whole record per chunk (what tools that look at records expect). */
  takeOutgoing(): Uint8Array[] {
    this.outBytes = 0;
    return this.out.splice(0).map((r) => (Array.isArray(r) ? concatBytes(r) : r));
  }

  /**
   * The same bytes for a gathered socket write (writev): a record sealed in pieces stays in pieces, so its body is
   * never copied behind its header. The socket session's path; chunks are not records.
   */
  takeOutgoingPieces(): Uint8Array[] {
    this.outBytes = 0;
    return this.out.splice(0).flat();
  }

  read(max: number, peek = false): Uint8Array {
    const first = this.appIn[0];
    if (!first || max <= 0) return new Uint8Array(0);
    // As SSL_read: bytes of the current record only.
    const n = Math.min(max, first.length);
    const chunk = first.subarray(0, n);
    if (!peek) {
      if (n === first.length) {
        this.appIn.shift();
        this.appInEarly.shift();
      } else this.appIn[0] = first.subarray(n);
      this.appInBytes -= n;
    }
    return chunk;
  }

  write(data: Uint8Array): number {
    // Only under application keys: never a byte of application data in the clear.
    if (!this.canWrite) return 0;
    const halfRtt = this.status === 'handshaking';
    const step = this.writeFragment;
    for (let off = 0; off < data.length; off += step) {
      this.writeRecord(CT.application_data, data.subarray(off, Math.min(data.length, off + step)));
    }
    if (this.onEvent) this.emit({ kind: 'app-data', dir: 'out', length: data.length, ...(halfRtt ? { halfRtt: true as const } : {}) });
    return data.length;
  }

  /**
   * Whether write() sends now: once open, and on a server already after its Finished (0.5-RTT data, RFC 8446
   * section 2.3: sent before the client's Finished, so to a client not yet authenticated).
   */
  get canWrite(): boolean {
    if (this.writeEpoch !== 'application') return false;
    if (this.status === 'handshaking') return this.cfg.side === 'server';
    return (this.status === 'open' || this.status === 'peer-closed') && !!this.negotiated;
  }

  close(): void {
    if (this.status === 'closed' || this.status === 'closing' || this.status === 'failed') return;
    this.sendAlert('warning', 'close_notify');
    this.status = this.status === 'peer-closed' ? 'closed' : 'closing';
  }

  /**
   * TLS 1.2 and older: renegotiate (RFC 5746). A client sends a new ClientHello; a server sends a HelloRequest.
   * Application data keeps flowing meanwhile. Throws, saying why, when it cannot (TLS 1.3, the peer lacks secure
   * renegotiation, or a handshake is already under way).
   */
  renegotiate(): void {
    if (this.status !== 'open' || !this.negotiated) throw new Error(`renegotiation needs an established connection (it is ${this.status})`);
    if (this.legacyVersion === undefined) throw new Error('TLS 1.3 has no renegotiation (RFC 8446 section 4.1.2): use KeyUpdate or post-handshake authentication');
    const d = this.driver;
    const fn = this.side === 'client' ? d.renegotiate : d.requestRenegotiation;
    if (!fn) throw new Error('this connection cannot renegotiate');
    fn.call(d);
  }

  /** A renegotiation is under way (TLS 1.2 and older). */
  get renegotiating(): boolean {
    return this.status === 'open' && !!this.negotiated && !!this.driver.handshaking;
  }

  keyUpdate(requestPeer: boolean): void {
    if (this.status !== 'open') throw new Error('KeyUpdate needs an established connection');
    this.guard(() => this.driver.keyUpdate?.(requestPeer));
  }

  /**
   * Server: asks the client for a certificate now that the handshake is done (RFC 8446 section 4.6.2). The
   * CertificateRequest is queued (takeOutgoing); the client's answer is verified as it arrives, and the chain
   * lands in `negotiated.peerCertificates`. Throws when it cannot be asked: not a server, not established, the
   * client did not offer post_handshake_auth, or a request is still unanswered.
   */
  requestClientCertificate(): void {
    if (this.side !== 'server') throw new Error('only a server can request a client certificate after the handshake');
    if (this.status !== 'open' || !this.negotiated) throw new Error(`post-handshake authentication needs an established connection (it is ${this.status})`);
    this.driver.requestClientCertificate!();
  }

  // ---- records ----

  private onRecord(rec: RecordIn): void {
    // A renegotiation's records are counted, the application data flowing beside it is not (TLS 1.2 keeps types).
    if (this.status === 'handshaking' || (this.driver.handshaking && rec.type !== CT.application_data)) {
      if (++this.handshakeRecords > this.limits.maxRecordsPerHandshake)
        throw new LimitError('maxRecordsPerHandshake', this.handshakeRecords, this.limits.maxRecordsPerHandshake, 'records received during one handshake', 'unexpected_message', { message: 'record' });
    } else if (!this.driver.handshaking) this.handshakeRecords = 0;
    let type = rec.type;
    let content = rec.fragment;
    const base = { kind: 'record' as const, dir: 'in' as const, contentType: rec.type, contentTypeName: contentTypeName(rec.type), version: rec.version, length: rec.fragment.length, raw: rec.raw, epoch: this.readEpoch };
    // Under protection the outer type is always application_data: the inner type is checked once opened, below.
    if (rec.type !== CT.handshake && !(this.readProt && rec.type === CT.application_data) && this.hsReader.hasPartial)
      throw new ProtocolError('unexpected_message', `a ${contentTypeName(rec.type)} record arrived in the middle of a fragmented handshake message (RFC 8446 section 5.1)`, { message: 'record' });
    if (this.legacyVersion !== undefined) return this.onRecord12(rec, base);
    if (rec.type === CT.change_cipher_spec) {
      this.emit(base);
      this.countEmpty();
      // RFC 8446 section 5: a single 0x01 byte may arrive between the first ClientHello and the peer's Finished.
      if (!(rec.fragment.length === 1 && rec.fragment[0] === 1 && this.driver.acceptsCompatCcs()))
        throw new ProtocolError('unexpected_message', 'change_cipher_spec record outside the TLS 1.3 compatibility window', { message: 'change_cipher_spec' });
      return;
    }
    if (this.skipEarly && rec.type !== CT.application_data) this.skipEarly = undefined;
    if (this.skipEarly?.how === 'after-hrr' && !this.readProt && rec.type === CT.application_data) {
      // A HelloRetryRequest rejected the client's 0-RTT: its protected records are skipped until the second ClientHello.
      this.emit(base);
      return this.skipRecord(rec.fragment.length, 'before the second ClientHello');
    }
    if (this.readProt instanceof Tls13Protector && rec.type === CT.application_data) {
      const seq = this.readProt.seq;
      let opened;
      if (this.skipEarly?.how === 'trial-decrypt') {
        try {
          opened = this.readProt.open(rec);
        } catch (e) {
          if (!(e instanceof ProtocolError && e.alert === 'bad_record_mac')) throw e;
          // Rejected 0-RTT (RFC 8446 section 4.2.10): a record that does not open under the handshake keys is early data; skip it.
          this.readProt.seq = seq;
          this.emit(base);
          return this.skipRecord(rec.fragment.length, 'that does not decrypt under the handshake keys');
        }
        // The first record that opens is the start of the client's second flight.
        this.skipEarly = undefined;
      } else opened = this.readProt.open(rec);
      type = opened.type;
      content = opened.content;
      const inner = content.length + 1 + opened.padding;
      if (this.readLimit !== undefined && inner > this.readLimit)
        throw new ProtocolError('record_overflow', `record ${seq} carries ${inner} bytes of TLSInnerPlaintext (content, type and padding), over our record_size_limit of ${this.readLimit} (RFC 8449 section 4)`, { message: 'record', field: 'length' });
      if (this.onEvent) this.emit({ ...base, seq: seq.toString(), inner: { contentType: type, contentTypeName: contentTypeName(type), length: content.length, padding: opened.padding } });
    } else {
      this.emit(base);
      if (this.readProt && rec.type !== CT.alert)
        throw new ProtocolError('unexpected_message', `unprotected ${contentTypeName(rec.type)} record after keys were installed`, { message: 'record' });
      if (rec.fragment.length > MAX_FRAGMENT)
        throw new ProtocolError('record_overflow', `plaintext record of ${rec.fragment.length} bytes exceeds 2^14 (RFC 8446 section 5.1)`, { message: 'record header', field: 'length' });
    }
    if (type !== CT.handshake && this.hsReader.hasPartial)
      throw new ProtocolError('unexpected_message', `a ${contentTypeName(type)} record arrived in the middle of a fragmented handshake message (RFC 8446 section 5.1)`, { message: 'record' });
    switch (type) {
      case CT.handshake:
        return this.onHandshakeRecord(content);
      case CT.alert:
        return this.onAlert(content);
      case CT.application_data:
        if (this.readEpoch === 'early' && this.status === 'handshaking') return this.onEarlyData(content);
        if (this.status === 'peer-closed' || this.status === 'closed') {
          // RFC 8446 section 6.1: data after a closure alert is ignored.
          this.emit({ kind: 'info', message: `ignored ${content.length} bytes of application data received after close_notify` });
          return;
        }
        if (this.status !== 'open' && this.status !== 'closing')
          throw new ProtocolError('unexpected_message', 'application data before the handshake completed', { message: 'application_data' });
        if (content.length === 0) {
          this.countEmpty();
          return;
        }
        this.emptyInARow = 0;
        this.keyUpdatesInARow = 0;
        this.appIn.push(content);
        this.appInEarly.push(false);
        this.appInBytes += content.length;
        if (this.onEvent) this.emit({ kind: 'app-data', dir: 'in', length: content.length });
        return;
      default:
        throw new ProtocolError('unexpected_message', `unexpected inner content type ${type} (${contentTypeName(type)})`, { message: 'record' });
    }
  }

  /**
   * TLS 1.2 and older (RFC 5246 section 6): every record keeps its content type; once a ChangeCipherSpec switched
   * the read state, every record is protected (a renegotiation's CCS too).
   */
  private onRecord12(rec: RecordIn, base: Extract<TraceEvent, { kind: 'record' }> extends infer R ? Omit<R, 't' | 'side'> : never): void {
    let type = rec.type;
    let content = rec.fragment;
    // RFC 5246 appendix E.1: once the ServerHello settled the version, every record carries it (OpenSSL checks
    // every record after the first; a client's first ClientHello record alone may say 0x0301).
    if (rec.version >> 8 !== 3 || rec.version !== this.legacyVersion)
      throw new ProtocolError('protocol_version', `record version 0x${rec.version.toString(16)} is not the negotiated ${versionName(this.legacyVersion!)} (RFC 5246 appendix E.1)`, { message: 'record header', field: 'version' });
    const prot = this.readProt as Tls12Protector | undefined;
    if (prot) {
      const seq = prot.seq;
      const opened = prot.open(rec);
      type = opened.type;
      content = opened.content;
      if (this.onEvent) this.emit({ ...base, seq: seq.toString(), inner: { contentType: type, contentTypeName: contentTypeName(type), length: content.length, padding: 0 } });
    } else {
      this.emit(base);
      if (content.length > MAX_FRAGMENT)
        throw new ProtocolError('record_overflow', `plaintext record of ${content.length} bytes exceeds 2^14 (RFC 5246 section 6.2.1)`, { message: 'record header', field: 'length' });
    }
    if (type !== CT.handshake && this.hsReader.hasPartial)
      throw new ProtocolError('unexpected_message', `a ${contentTypeName(type)} record arrived in the middle of a fragmented handshake message (RFC 5246 section 6.2.1)`, { message: 'record' });
    // OpenSSL resets its warning count on any record that is not an alert.
    if (type !== CT.alert && content.length) this.warningsInARow = 0;
    switch (type) {
      case CT.change_cipher_spec:
        if (!(content.length === 1 && content[0] === 1))
          throw new ProtocolError('decode_error', 'a change_cipher_spec record must hold the one byte 0x01 (RFC 5246 section 7.1)', { message: 'change_cipher_spec' });
        if (!this.driver.onChangeCipherSpec) throw new ProtocolError('unexpected_message', 'change_cipher_spec where none is expected', { message: 'change_cipher_spec' });
        return this.driver.onChangeCipherSpec();
      case CT.handshake:
        if (content.length === 0) throw new ProtocolError('unexpected_message', 'an empty handshake record (RFC 5246 section 6.2.1 forbids zero-length handshake fragments)', { message: 'record' });
        return this.onHandshakeRecord(content);
      case CT.alert:
        return this.onAlert(content);
      case CT.application_data:
        if (this.status === 'peer-closed' || this.status === 'closed') {
          this.emit({ kind: 'info', message: `ignored ${content.length} bytes of application data received after close_notify` });
          return;
        }
        if (!prot || !this.negotiated)
          throw new ProtocolError('unexpected_message', 'application data before the handshake completed', { message: 'application_data' });
        if (content.length === 0) return this.countEmpty();
        this.emptyInARow = 0;
        this.keyUpdatesInARow = 0;
        this.appIn.push(content);
        this.appInEarly.push(false);
        this.appInBytes += content.length;
        if (this.onEvent) this.emit({ kind: 'app-data', dir: 'in', length: content.length });
        return;
      case CT.heartbeat:
        // RFC 6520: we never negotiate heartbeat, so a heartbeat message is unexpected (OpenSSL answers the same).
        throw new ProtocolError('unexpected_message', 'a heartbeat record, though heartbeat was not negotiated (RFC 6520 section 2)', { message: 'heartbeat' });
      default:
        throw new ProtocolError('unexpected_message', `unexpected content type ${type} (${contentTypeName(type)})`, { message: 'record' });
    }
  }

  /** Server: 0-RTT application data under client_early_traffic_secret, delivered marked as early. */
  private onEarlyData(content: Uint8Array): void {
    const e = this.earlyIn;
    if (!e) throw new ProtocolError('unexpected_message', 'application data under early keys, but early data was not accepted', { message: 'application_data' });
    if (content.length === 0) {
      this.countEmpty();
      return;
    }
    e.received += content.length;
    if (e.received > e.limit)
      throw new ProtocolError('unexpected_message', `the client sent ${e.received} bytes of early data, more than the ${e.limit} bytes of max_early_data_size (RFC 8446 section 4.2.10)`, { message: 'application_data', field: 'max_early_data_size' });
    this.emptyInARow = 0;
    this.appIn.push(content);
    this.appInEarly.push(true);
    this.appInBytes += content.length;
    this.emit({ kind: 'app-data', dir: 'in', length: content.length, early: true });
    this.emit({ kind: 'info', message: `early data: ${content.length} bytes received under client_early_traffic_secret (0-RTT; ${e.received} of ${e.limit} bytes allowed); they may be a replay` });
  }

  /** Server: one rejected 0-RTT record skipped, counted against the limit (RFC 8446 section 4.2.10). */
  private skipRecord(length: number, why: string): void {
    const s = this.skipEarly!;
    s.skipped += Math.max(0, length - RECORD_OVERHEAD);
    if (s.skipped > s.limit)
      throw new ProtocolError('unexpected_message', `more than ${s.limit} bytes of rejected early data (RFC 8446 section 4.2.10 lets a server skip only up to its max_early_data_size)`, { message: 'application_data' });
    this.emit({ kind: 'info', message: `skipped a rejected 0-RTT record of ${length} bytes ${why} (${s.skipped} of ${s.limit} bytes skipped so far)` });
  }

  private onHandshakeRecord(content: Uint8Array): void {
    let messages: Uint8Array[];
    try {
      messages = this.hsReader.feed(content);
    } catch (e) {
      if (e instanceof MessageSizeError) throw new LimitError(e.limit, e.value, e.max, `the announced length of ${e.field.replace(/\.length$/, '')}`, e.alert, { message: 'handshake', field: e.field, offset: e.offset });
      throw asProtocolError(e, 'handshake');
    }
    this.handleMessages(messages, false);
  }

  private handleMessages(messages: Uint8Array[], retrying: boolean): void {
    for (let i = 0; i < messages.length; i++) {
      const raw = messages[i]!;
      let msg: Handshake;
      try {
        msg = decodeHandshake(raw, this.decodeOptions());
      } catch (e) {
        throw asProtocolError(e, handshakeTypeName(raw[0]!));
      }
      if (!(retrying && i === 0)) this.traceHandshake('in', msg);
      if (!retrying || i > 0) this.checkLimits(msg);
      const keysBefore = this.readProt;
      try {
        this.driver.handle(msg);
      } catch (e) {
        if (!(e instanceof Suspend)) throw e;
        this.suspended = e.reason;
        this.pendingMessages = messages.slice(i);
        this.emit({ kind: 'info', message: e.reason === 'client_hello_cb' ? 'paused: the ClientHello callback asked to be called again (SSL_ERROR_WANT_CLIENT_HELLO_CB)' : 'paused: the client certificate callback asked to be called again (SSL_ERROR_WANT_X509_LOOKUP)' });
        return;
      }
      if (this.status === 'failed') return;
      if (this.suspended) {
        // An async operation began inside this message: the rest of the record waits with it.
        if (i < messages.length - 1) throw new ProtocolError('unexpected_message', `more handshake data followed ${msg.type} in the same record`, { message: msg.type });
        return;
      }
      // RFC 8446 section 5.1: a key change must fall on a record boundary.
      if (this.readProt !== keysBefore && (i < messages.length - 1 || this.hsReader.hasPartial))
        throw new ProtocolError('unexpected_message', `more handshake data followed ${msg.type} in the record that changed the keys (RFC 8446 section 5.1)`, { message: msg.type });
    }
    this.emptyInARow = 0;
  }

  private onAlert(content: Uint8Array): void {
    let alert;
    try {
      alert = decodeAlert(content);
    } catch (e) {
      throw asProtocolError(e, 'alert');
    }
    const row = alertByCode(alert.description);
    this.emit({ kind: 'alert', dir: 'in', level: alert.level === 2 ? 'fatal' : 'warning', code: alert.description, name: alertName(alert.description), description: row?.description ?? '' });
    if (alert.description === 0) {
      if (this.status === 'handshaking') {
        // The handshake cannot complete: nothing may be sent unprotected, so this is a failure, not a close.
        this.error = new PeerAlertError('close_notify', 0, alert.level);
        this.setStatus('failed');
        return;
      }
      // close_notify: no more data will come (SSL_ERROR_ZERO_RETURN).
      this.status = this.status === 'closing' ? 'closed' : 'peer-closed';
      return;
    }
    if (alert.description === 90) {
      this.countEmpty(); // user_canceled: a close_notify follows (RFC 8446 section 6.1)
      return;
    }
    // In TLS 1.2 and older a warning does not end the connection; TLS 1.3 makes every alert fatal. Before the version
    // is settled, only the warnings TLS 1.2 servers really send ahead of their ServerHello are let through
    // (unrecognized_name for an unknown SNI name, RFC 6066 section 3; no_renegotiation).
    const preVersion = this.readEpoch === 'plaintext' && !this.negotiated && (alert.description === 112 || alert.description === 100);
    if (alert.level === 1 && (this.legacyVersion !== undefined || preVersion)) {
      // TLS 1.2 and older (RFC 5246 section 7.2): a warning does not end the connection (no_renegotiation,
      // unrecognized_name...); the state machine hears of it through the trace. A flood of them does.
      if (++this.warningsInARow > this.limits.maxWarningAlertsInARow)
        throw new LimitError('maxWarningAlertsInARow', this.warningsInARow, this.limits.maxWarningAlertsInARow, 'warning alerts in a row', 'unexpected_message', { message: 'alert' });
      this.driver.onWarning?.(alert.description);
      return;
    }
    // TLS 1.3: every other alert is fatal, whatever its level says (RFC 8446 section 6).
    this.error = new PeerAlertError(alertName(alert.description), alert.description, alert.level);
    this.setStatus('failed');
  }

  private writeRecord(type: number, content: Uint8Array, dirEpoch: Epoch = this.writeEpoch): void {
    let record: Uint8Array;
    const prot = this.writeProt;
    if (prot instanceof Tls12Protector) {
      // TLS 1.2 and older: the record keeps its type; a renegotiation's CCS is protected too.
      const seq = prot.seq;
      record = prot.seal(type, content);
      if (this.onEvent) this.emit({ kind: 'record', dir: 'out', contentType: type, contentTypeName: contentTypeName(type), version: prot.recordVersion, length: record.length - 5, raw: record, epoch: dirEpoch, seq: seq.toString(), inner: { contentType: type, contentTypeName: contentTypeName(type), length: content.length, padding: 0 } });
    } else if (prot && type !== CT.change_cipher_spec) {
      const seq = prot.seq;
      const pieces = prot.sealPieces(type, content);
      // Untraced, the pieces go out as they are (a gathered write); the trace needs the record whole.
      if (!this.onEvent) {
        for (const p of pieces) this.outBytes += p.length;
        this.out.push(pieces.length === 1 ? pieces[0]! : pieces);
        return;
      }
      record = pieces.length === 1 ? pieces[0]! : concatBytes(pieces);
      this.emit({ kind: 'record', dir: 'out', contentType: CT.application_data, contentTypeName: 'application_data', version: 0x0303, length: record.length - 5, raw: record, epoch: dirEpoch, seq: seq.toString(), inner: { contentType: type, contentTypeName: contentTypeName(type), length: content.length, padding: 0 } });
    } else {
      // RFC 8446 section 5.1: 0x0301 is allowed in an initial ClientHello for compatibility; 0x0303 otherwise.
      // TLS 1.2 and older: the negotiated version once known (RFC 5246 appendix E.1).
      const version = this.legacyVersion ?? (this.side === 'client' && this.writeEpoch === 'plaintext' && type === CT.handshake && (this.driver.state === 'wait_sh' || this.driver.state === 'start') ? 0x0301 : 0x0303);
      record = new Uint8Array(5 + content.length);
      record.set(recordHeader(type, version, content.length));
      record.set(content, 5);
      this.emit({ kind: 'record', dir: 'out', contentType: type, contentTypeName: contentTypeName(type), version, length: content.length, raw: record, epoch: 'plaintext' });
    }
    this.out.push(record);
    this.outBytes += record.length;
  }

  private countEmpty(): void {
    if (++this.emptyInARow > this.limits.maxEmptyRecordsInARow)
      throw new LimitError('maxEmptyRecordsInARow', this.emptyInARow, this.limits.maxEmptyRecordsInARow, 'records in a row that carried nothing', 'unexpected_message', { message: 'record' });
  }

  /** The limits one received handshake message is held to, beyond those of its decoder. */
  private checkLimits(msg: Handshake): void {
    checkMessageLimits(msg, this.limits);
    if (msg.type === 'key_update') {
      if (++this.keyUpdatesInARow > this.limits.maxKeyUpdatesInARow)
        throw new LimitError('maxKeyUpdatesInARow', this.keyUpdatesInARow, this.limits.maxKeyUpdatesInARow, 'KeyUpdates received with no application data between them', 'unexpected_message', { message: 'KeyUpdate' });
    }
    // A renegotiation the peer starts: a server hears a new ClientHello, a client a HelloRequest (RFC 5246 section 7.4.1.1).
    const peerStarts = this.side === 'server' ? msg.type === 'client_hello' : msg.type === 'hello_request';
    if (peerStarts && this.negotiated && this.legacyVersion !== undefined) this.renegotiations.note(this.now());
  }

  private sendAlert(level: 'warning' | 'fatal', name: string): void {
    if (!isAlertDescription(name)) name = 'internal_error';
    const code = alertCode(name as Parameters<typeof alertCode>[0]);
    this.emit({ kind: 'alert', dir: 'out', level, code, name, description: alertByCode(code)?.description ?? '' });
    this.writeRecord(CT.alert, encodeAlert({ level, description: code }));
  }

  /**
   * Zeroes the key material this connection holds: the state machine's secrets and both directions' record keys
   * (util/wipe.ts says how far that reaches). Done when the connection fails and when its owner frees it
   * (SSL_free, a closed socket); nothing can be sent or read after.
   */
  wipe(): void {
    if (this.wiped) return;
    this.wiped = true;
    this.driver.wipe?.();
    this.readProt?.wipe();
    this.writeProt?.wipe();
    if (this.status !== 'failed') this.status = 'closed';
  }

  private wiped = false;

  // ---- errors and state ----

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    const err = e instanceof ProtocolError || e instanceof PeerAlertError ? e : asProtocolError(e, undefined);
    this.error = err;
    if (err instanceof ProtocolError) {
      this.emit({ kind: 'error', alert: err.alert, message: err.message, place: err.place });
      try {
        this.sendAlert('fatal', err.alert);
      } catch {
        // could not even encode the alert: the connection is failed anyway
      }
    }
    this.setStatus('failed');
  }

  private setStatus(s: ConnectionStatus): void {
    this.status = s;
    if (s === 'failed') this.wipe(); // the alert is out: no key is needed again
  }

  private emit(e: DistributiveOmit<TraceEvent, 't' | 'side'>): void {
    this.onEvent?.({ ...e, t: this.now() - this.t0, side: this.side } as TraceEvent);
  }

  private decodeOptions(): DecodeOptions {
    return this.driver.decodeOptions?.() ?? { version: 'tls13' };
  }

  private traceHandshake(dir: Direction, msg: Handshake): void {
    const { raw, ...fields } = msg as Handshake & { raw: Uint8Array };
    if (!this.onEvent) return;
    // Decoded a second time, noting each field's bytes, so the panel can show which bytes are which field.
    const spans = collectSpans(raw, () => decodeHandshake(raw, this.decodeOptions()));
    this.emit({ kind: 'handshake', dir, msgType: raw[0]!, name: msg.type === 'unknown' ? handshakeTypeName(raw[0]!) : msg.type.replace(/12$/, ''), length: raw.length - 4, raw, fields, spans });
  }

  private installKeys(dir: 'read' | 'write', epoch: Exclude<Epoch, 'plaintext'>, suite: CipherSuite, secret: Uint8Array): void {
    if (dir === 'read' && this.hsReader.hasPartial)
      throw new ProtocolError('unexpected_message', 'a handshake message spans a key change (RFC 8446 section 5.1)', { message: 'handshake' });
    const aead = this.cfg.provider.aead(suite.cipher.name as AeadName);
    const { key, iv } = trafficKeys(this.cfg.provider, suite.prfHash, secret, suite.cipher.keyLen, 12);
    const prot = new Tls13Protector(aead, key, iv);
    if (dir === 'read') {
      this.readProt = prot;
      this.readEpoch = epoch;
    } else {
      this.writeProt = prot;
      this.writeEpoch = epoch;
    }
    this.emit({ kind: 'keys', dir, epoch, generation: this.generation[dir]++, suite: suite.iana });
  }

  private makeHost(): HandshakeHost {
    const self = this;
    return {
      cfg: this.cfg,
      send(msg: HandshakeInit): Handshake {
        return this.sendBytes(encodeHandshake(msg));
      },
      sendBytes(bytes: Uint8Array): Handshake {
        const built = decodeHandshake(bytes, self.decodeOptions());
        self.traceHandshake('out', built);
        const step = self.writeProt ? self.writeFragment : MAX_FRAGMENT;
        for (let off = 0; off < bytes.length; off += step) self.writeRecord(CT.handshake, bytes.subarray(off, Math.min(bytes.length, off + step)));
        return built;
      },
      sendChangeCipherSpec(): void {
        self.writeRecord(CT.change_cipher_spec, new Uint8Array([1]));
      },
      setReadKeys: (epoch, suite, secret) => this.installKeys('read', epoch, suite, secret),
      setWriteKeys: (epoch, suite, secret) => this.installKeys('write', epoch, suite, secret),
      setState: (name) => this.emit({ kind: 'state', from: this.driver?.state ?? 'start', to: name }),
      emit: (e) => this.emit(e),
      get keySchedule() {
        return self.cfg.keySchedule;
      },
      keyLog(label: SecretLabel, secret: Uint8Array): void {
        // A copy: ours is zeroed when the connection is wiped, the key log's is the application's to keep.
        if (self.host.clientRandom) self.cfg.onSecret?.(label, self.host.clientRandom, secret.slice());
      },
      suspendFor<T>(op: Promise<T>, next: (value: T) => void): void {
        let markDone!: () => void;
        const pending = { settled: false, next: next as (v: unknown) => void, done: new Promise<void>((r) => (markDone = r)) } as NonNullable<TlsConnection['pendingAsync']>;
        op.then((v) => {
          pending.value = v;
        }, (e: unknown) => {
          pending.error = new ProtocolError('internal_error', `the asynchronous operation failed: ${(e as Error)?.message ?? String(e)}`);
        }).finally(() => {
          pending.settled = true;
          markDone();
        });
        self.pendingAsync = pending;
        self.suspended = 'async';
        self.emit({ kind: 'info', message: 'paused: an asynchronous crypto operation is running (SSL_ERROR_WANT_ASYNC)' });
      },
      sendEarlyData(data: Uint8Array): void {
        for (let off = 0; off < data.length; off += self.writeFragment) self.writeRecord(CT.application_data, data.subarray(off, Math.min(data.length, off + self.writeFragment)));
        self.emit({ kind: 'app-data', dir: 'out', length: data.length, early: true });
      },
      clearWriteKeys(): void {
        self.writeProt = undefined;
        self.writeEpoch = 'plaintext';
      },
      acceptEarlyData(limit: number): void {
        self.earlyIn = { limit, received: 0 };
      },
      skipEarlyData(limit: number, how: 'trial-decrypt' | 'after-hrr'): void {
        self.skipEarly = { limit, skipped: 0, how };
      },
      setRecordSizeLimit(dir: 'read' | 'write', limit: number): void {
        if (dir === 'write') self.writeFragment = Math.max(1, Math.min(MAX_FRAGMENT, limit - 1));
        else self.readLimit = limit;
      },
      setLegacyVersion(version: number): void {
        self.legacyVersion = version;
        self.framer.maxCiphertext = MAX_CIPHERTEXT;
      },
      setProtector12(dir: 'read' | 'write', prot: Tls12Protector): void {
        if (dir === 'read') {
          if (self.hsReader.hasPartial)
            throw new ProtocolError('unexpected_message', 'a handshake message spans the ChangeCipherSpec (RFC 5246 section 7.1)', { message: 'change_cipher_spec' });
          self.readProt = prot;
          self.readEpoch = 'application';
        } else {
          self.writeProt = prot;
          self.writeEpoch = 'application';
        }
        self.emit({ kind: 'keys', dir, epoch: 'application', generation: self.generation[dir]++, suite: prot.suiteName });
      },
      replaceDriver(next: HandshakeDriver): void {
        self.driver = next;
      },
      sendWarning: (name) => this.sendAlert('warning', name),
      peerAuthenticated(chain: Uint8Array[]): void {
        if (self.negotiated) self.negotiated.peerCertificates = chain;
        self.postHandshakeAuths++;
      },
      established(session: NegotiatedSession): void {
        session.provider = self.cfg.provider.name ?? 'custom';
        self.negotiated = session;
        if (self.status === 'handshaking') self.status = 'open';
        self.emit({
          kind: 'negotiated', version: versionName(session.version), suite: suiteName(session.cipherSuite, 'iana'),
          ...(session.group !== undefined ? { group: groupName(session.group) } : {}),
          ...(session.signatureScheme !== undefined ? { signatureScheme: sigSchemeName(session.signatureScheme) } : {}),
          ...(session.alpn ? { alpn: session.alpn } : {}), resumed: session.resumed, helloRetry: session.helloRetry,
          ...(session.earlyData ? { earlyData: session.earlyData } : {}),
          provider: session.provider,
        });
      },
    };
  }
}

/** Any failure inside the engine becomes a ProtocolError with the alert its kind calls for. */
export function asProtocolError(e: unknown, message: string | undefined): ProtocolError {
  if (e instanceof ProtocolError) return e;
  if (e instanceof DecodeError) return new ProtocolError(e.alert, e.message, { ...(message ? { message } : {}), field: e.field, offset: e.offset });
  return new ProtocolError('internal_error', `internal error: ${(e as Error)?.message ?? String(e)}`, message ? { message } : {});
}

export function suiteOrThrow(code: number): CipherSuite {
  const s = suiteByCode(code);
  if (!s) throw new ProtocolError('illegal_parameter', `unknown cipher suite ${code}`);
  return s;
}
