// One sans-IO DTLS 1.2 / 1.0 association (RFC 6347): datagrams in, datagrams out, events out, and a timer the
// caller drives (getTimeout / handleTimeout, as DTLSv1_get_timeout / DTLSv1_handle_timeout). The handshake is the
// TLS 1.2-family state machine (handshake/tls12), which speaks TLS version numbers; this class maps them to
// DTLS's, frames messages with message_seq and fragments them to the path MTU, keeps one record writer per
// epoch, answers and checks HelloVerifyRequest cookies, and retransmits flights. Records that do not open are
// dropped and traced, never fatal (RFC 6347 section 4.1.2.7).
import { decodeAlert, encodeAlert } from '../msgs/alert';
import { decodeHandshake, encodeHandshake, type ClientHello, type DecodeOptions, type Handshake, type HandshakeInit } from '../msgs/handshake';
import { DecodeError, collectSpans } from '../msgs/reader';
import { alertByCode, alertCode, alertName, isAlertDescription } from '../registry/alerts';
import { contentTypeName } from '../registry/content-types';
import { groupName } from '../registry/groups';
import { handshakeTypeName } from '../registry/handshake-types';
import { sigSchemeName } from '../registry/sigschemes';
import { suiteName } from '../registry/suites';
import { versionName } from '../registry/versions';
import { CT } from '../record/framer';
import type { Tls12Protector } from '../record/protect12';
import type { ConnectionConfig } from '../conn/config';
import type { HandshakeDriver, HandshakeHost } from '../conn/connection';
import { PeerAlertError, ProtocolError } from '../conn/errors';
import { checkMessageLimits, LimitError, resolveLimits, type ConnectionLimits, type LimitName } from '../conn/limits';
import type { ConnectionStatus, NegotiatedSession } from '../conn/types';
import { Client12 } from '../handshake/tls12/client';
import { Server12 } from '../handshake/tls12/server';
import type { SecretLabel } from '../handshake/tls13/key-schedule';
import type { Direction, TraceEvent } from '../trace/events';
import { decodeDtlsClientHello, decodeHelloVerifyRequest, encodeDtlsClientHello, encodeHelloVerifyRequest, HelloCookies, type CookiePeer, type DtlsClientHello } from './cookie';
import { FlightTimer } from './flight-timer';
import { decodeDtlsHandshakeFragments, DtlsLimitError, DtlsReassembler, type DtlsReassemblyLimit, type FragmentDrop, fragmentHandshake, fromTlsForm, maxFragmentLength, toTlsForm, transcriptBytes, type DtlsHandshakeMessage } from './handshake-fragment';
import { DTLS10, DTLS12, DtlsEpochWriter, DtlsRecordReader, packDatagrams, type DtlsOpenResult } from './record';

/** The reassembler's limits by the names of the connection's (limits.ts). */
const DTLS_LIMIT_NAMES: Record<DtlsReassemblyLimit, LimitName> = { maxMessageLength: 'maxHandshakeMessageBytes', maxCertificateLength: 'maxCertificateChainBytes', maxBufferedBytes: 'maxDtlsReassemblyBytes' };

export interface DtlsConfig extends ConnectionConfig {
  /** Lowest and highest DTLS versions (0xfeff DTLS 1.0, 0xfefd DTLS 1.2); default DTLS 1.2 only... min DTLS 1.0 when asked. */
  dtlsMin?: number;
  dtlsMax?: number;
  /** Path MTU in bytes (IP packet); datagrams stay within it minus 28 bytes of IPv4 and UDP headers. Default 1400. */
  mtu?: number;
  /** Server: the cookie maker shared by the listener (stateless HelloVerifyRequest, RFC 6347 section 4.2.1). */
  cookies?: HelloCookies;
  /** Server: the client's address, which its cookie is bound to. */
  peer?: CookiePeer;
  /** Server: answer a ClientHello without a valid cookie with a HelloVerifyRequest (default true, as s_server). */
  requireCookie?: boolean;
}

/** DTLS wire version <-> the TLS version whose handshake it uses (RFC 6347 section 4.1: DTLS 1.0 is TLS 1.1). */
const toTls = (v: number) => (v === DTLS12 ? 0x0303 : v === DTLS10 ? 0x0302 : v);
const toDtls = (v: number) => (v === 0x0303 ? DTLS12 : v === 0x0302 ? DTLS10 : v);

/** What one flight holds, re-sealed on each retransmission with new record sequence numbers (section 4.2.4). */
interface FlightItem {
  type: number;
  content: Uint8Array;
  writer: DtlsEpochWriter;
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

export class DtlsConnection {
  readonly side: 'client' | 'server';
  status: ConnectionStatus = 'handshaking';
  error?: ProtocolError | PeerAlertError;
  negotiated?: NegotiatedSession;
  onEvent?: (e: TraceEvent) => void;
  readonly cfg: DtlsConfig;

  private driver?: HandshakeDriver;
  private readonly host: HandshakeHost;
  private readonly now: () => number;
  private readonly t0: number;
  private readonly reader = new DtlsRecordReader();
  private writer: DtlsEpochWriter;
  /** The DTLS wire version records carry: the lowest we speak until the ServerHello settles it. */
  private wireVersion: number;
  private readonly reassembler: DtlsReassembler;
  readonly limits: ConnectionLimits;
  /** Records received during the handshake (maxRecordsPerHandshake). */
  private handshakeRecords = 0;
  private sendSeq = 0;
  private readonly timer: FlightTimer<FlightItem[]>;
  private flight: FlightItem[] = [];
  /** The peer's flight has begun since we last sent: the next message we send starts a new flight of ours. */
  private newFlightNext = false;
  /** Items were added to `flight` since it was last handed to the timer. */
  private flightDirty = false;
  /** The record sequence number of the record being processed (a HelloVerifyRequest reuses the ClientHello's). */
  private inRecordSeq = 0;
  /** A ChangeCipherSpec that came before the messages it follows (one of them lost): applied once they are in. */
  private pendingCcs = false;
  private readonly out: Uint8Array[] = [];
  private readonly appIn: Uint8Array[] = [];
  private appInBytes = 0;
  private started = false;
  /** Client: the last ClientHello as built, to send again with the server's cookie. */
  private lastHello?: HandshakeInit;
  private readonly generation = { read: 0, write: 0 };

  constructor(config: DtlsConfig) {
    const native = config.provider.name === 'node' ? config.signer?.native : undefined;
    const min = config.dtlsMin ?? DTLS12;
    const max = config.dtlsMax ?? DTLS12;
    // The handshake machines speak TLS numbers: DTLS 1.2 is TLS 1.2, DTLS 1.0 is TLS 1.1. Note DTLS counts down.
    this.cfg = { ...config, ...(native ? { signer: native } : {}), minVersion: toTls(min), maxVersion: toTls(max) };
    this.side = config.side;
    this.now = config.now ?? (() => Date.now());
    this.t0 = this.now();
    this.wireVersion = DTLS10;
    this.writer = new DtlsEpochWriter(0, DTLS10);
    this.timer = new FlightTimer<FlightItem[]>(config.side);
    this.limits = resolveLimits(config.limits);
    const l = this.limits;
    this.reassembler = new DtlsReassembler({ maxMessageLength: l.maxHandshakeMessageBytes, maxCertificateLength: l.maxCertificateChainBytes, maxBufferedBytes: l.maxDtlsReassemblyBytes });
    this.host = this.makeHost();
  }

  get handshakeState(): string {
    return this.driver?.state ?? (this.side === 'server' ? 'wait_ch' : 'start');
  }

  /** Server: no ClientHello with a good cookie yet, so nothing is known of the client but its address (section 4.2.1). */
  get awaitingCookie(): boolean {
    return this.side === 'server' && !this.driver;
  }

  get readableBytes(): number {
    return this.appInBytes;
  }

  // ---- the surface: start, datagrams in and out, the timer, data ----

  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.side === 'client') {
      this.driver = new Client12(this.host);
      this.guard(() => {
        this.driver!.start();
        this.endFlight();
      });
    }
  }

  receiveDatagram(datagram: Uint8Array): void {
    if (this.status === 'failed' || this.status === 'closed') return;
    if (!this.started) this.start();
    this.guard(() => {
      const opened = this.reader.openDatagram(datagram, (r) => this.onRecord(r));
      if (opened.drop) this.emit({ kind: 'info', message: `dropped the rest of a datagram: ${opened.drop.detail}` });
      this.endFlight();
    });
  }

  /** Whole datagrams to send, in order. */
  takeDatagrams(): Uint8Array[] {
    return this.out.splice(0);
  }

  /** Milliseconds until handleTimeout() is due, or null when no timer runs (DTLSv1_get_timeout). */
  getTimeout(): number | null {
    return this.timer.getTimeout(this.now());
  }

  /** DTLSv1_handle_timeout: retransmits the last flight when its timer expired; 1 when it did, 0 when nothing was due. */
  handleTimeout(): number {
    if (this.status === 'failed' || this.status === 'closed') return 0;
    const r = this.timer.handleTimeout(this.now());
    if (r.kind === 'not-due') return 0;
    if (r.kind === 'give-up') {
      this.fail(new ProtocolError('handshake_failure', `the peer did not answer after ${r.retransmissions} retransmissions of our flight (RFC 6347 section 4.2.4)`));
      return 1;
    }
    this.emit({ kind: 'info', message: `retransmitting our last flight (${r.flight.length} record(s)), retransmission ${r.retransmission}, next timeout ${r.timeoutMs} ms (RFC 6347 section 4.2.4)` });
    this.resend(r.flight);
    return 1;
  }

  write(data: Uint8Array): number {
    if (this.status !== 'open' || !this.negotiated) return 0;
    const max = Math.max(1, maxFragmentLength({ maxDatagramSize: this.maxDatagram(), recordOverhead: this.writer.overhead }) + 12);
    const records: Uint8Array[] = [];
    for (let off = 0; off < data.length || off === 0; off += max) {
      const chunk = data.subarray(off, Math.min(data.length, off + max));
      records.push(this.sealTraced(CT.application_data, chunk, this.writer));
      if (data.length === 0) break;
    }
    this.out.push(...packDatagrams(records, this.maxDatagram()));
    this.emit({ kind: 'app-data', dir: 'out', length: data.length });
    return data.length;
  }

  read(max: number, peek = false): Uint8Array {
    const first = this.appIn[0];
    if (!first) return new Uint8Array(0);
    const n = Math.min(max, first.length);
    if (!peek) {
      if (n === first.length) this.appIn.shift();
      else this.appIn[0] = first.subarray(n);
      this.appInBytes -= n;
    }
    return first.subarray(0, n);
  }

  // ---- what the OpenSSL facade drives, shaped as TlsConnection's (each call is one datagram) ----

  receive(datagram: Uint8Array): void {
    this.receiveDatagram(datagram);
  }

  takeOutgoing(): Uint8Array[] {
    return this.takeDatagrams();
  }

  readonly suspended: undefined = undefined;
  /** The record-level reads of the facade: what is buffered but not yet read. */
  get canWrite(): boolean {
    return this.status === 'open';
  }

  resume(): boolean {
    return true;
  }

  get renegotiating(): boolean {
    return false;
  }

  renegotiate(): void {
    throw new Error('DTLS renegotiation is not built');
  }

  keyUpdate(): void {
    throw new Error('KeyUpdate is TLS 1.3 only');
  }

  requestClientCertificate(): void {
    throw new Error('post-handshake authentication is TLS 1.3 only');
  }

  close(): void {
    if (this.status === 'closed' || this.status === 'failed') return;
    this.sendAlert('warning', 'close_notify');
    this.status = 'closed';
  }

  // ---- receiving ----

  private onRecord(r: DtlsOpenResult): void {
    if (this.status === 'failed') return;
    const rec = r.record;
    if (this.status === 'handshaking' && ++this.handshakeRecords > this.limits.maxRecordsPerHandshake)
      throw new LimitError('maxRecordsPerHandshake', this.handshakeRecords, this.limits.maxRecordsPerHandshake, 'records received during the handshake', 'unexpected_message', { message: 'record' });
    const base = { kind: 'record' as const, dir: 'in' as const, contentType: rec.type, contentTypeName: contentTypeName(rec.type), version: rec.version, length: rec.fragment.length, raw: rec.raw, epoch: rec.epoch === 0 ? 'plaintext' as const : 'application' as const, seq: `${rec.epoch}/${rec.seq}` };
    if (!r.ok) {
      this.emit(base);
      // Section 4.1.2.7: invalid records are silently discarded; we say so in the trace.
      this.emit({ kind: 'info', message: `dropped record ${rec.epoch}/${rec.seq}: ${r.detail}` });
      return;
    }
    this.emit(rec.epoch > 0 ? { ...base, inner: { contentType: r.type, contentTypeName: contentTypeName(r.type), length: r.content.length, padding: 0 } } : base);
    this.inRecordSeq = rec.seq;
    // A record of an epoch we have left behind is a retransmission (or a forgery in the clear): handshake
    // retransmissions are answered, anything else is dropped (OpenSSL does the same).
    const stale = rec.epoch < this.reader.epoch;
    switch (r.type) {
      case CT.handshake:
        return this.onHandshakeRecord(r.content);
      case CT.change_cipher_spec:
        if (!(r.content.length === 1 && r.content[0] === 1)) throw new ProtocolError('decode_error', 'a change_cipher_spec record must hold the one byte 0x01', { message: 'change_cipher_spec' });
        if (stale) return this.peerRetransmitted('a ChangeCipherSpec we already applied');
        if (!this.driver?.onChangeCipherSpec) throw new ProtocolError('unexpected_message', 'change_cipher_spec before the handshake began', { message: 'change_cipher_spec' });
        if (this.driver.state !== 'wait_ccs') {
          // Section 4.1: records can be lost or reordered; a message before the ChangeCipherSpec is missing yet.
          this.pendingCcs = true;
          this.emit({ kind: 'info', message: `ChangeCipherSpec in state ${this.driver.state}: held until the messages before it arrive` });
          return;
        }
        return this.driver.onChangeCipherSpec();
      case CT.alert:
        if (stale && this.status === 'open') {
          this.emit({ kind: 'info', message: `dropped an alert in epoch ${rec.epoch}, behind the current ${this.reader.epoch}: not from the peer's current keys` });
          return;
        }
        return this.onAlert(r.content);
      case CT.application_data:
        if (this.status !== 'open') {
          // Section 4.1: application data of the next epoch can arrive before the Finished; before the handshake it is dropped.
          this.emit({ kind: 'info', message: `dropped ${r.content.length} bytes of application data that came before the handshake completed` });
          return;
        }
        this.appIn.push(r.content);
        this.appInBytes += r.content.length;
        this.emit({ kind: 'app-data', dir: 'in', length: r.content.length });
        return;
      default:
        this.emit({ kind: 'info', message: `dropped a record of content type ${r.type}` });
    }
  }

  private onHandshakeRecord(payload: Uint8Array): void {
    let result;
    try {
      if (this.side === 'server' && !this.driver) {
        // Before the handshake the server keeps no state (section 4.2.1): each ClientHello is taken as it comes,
        // a retransmitted first one (our HelloVerifyRequest was lost) or a second one at a new association.
        // Only message_seq 0 (a first ClientHello) or 1 (one with our cookie, section 4.2.2) starts a handshake, as in
        // OpenSSL's DTLSv1_listen: fuzzing found 0xffff taken, and our next message_seq then overflowed 16 bits.
        // Only ClientHello fragments are held before the cookie: a spoofed source must not make us buffer other
        // messages (announced at up to 64 KiB each) for a client that never proved its address.
        const fragments = decodeDtlsHandshakeFragments(payload);
        const hellos = fragments.filter((f) => f.msgType === 1);
        if (hellos.length < fragments.length) this.emit({ kind: 'info', message: `dropped ${fragments.length - hellos.length} handshake fragment(s) other than ClientHello that came before a ClientHello with our cookie` });
        const first = hellos[0];
        if (first && first.messageSeq <= 1) this.reassembler.reset(first.messageSeq);
        result = { messages: [] as DtlsHandshakeMessage[], drops: [] as FragmentDrop[] };
        for (const f of hellos) {
          const r = this.reassembler.push(f);
          result.messages.push(...r.messages);
          if (r.drop) result.drops.push(r.drop);
        }
      } else result = this.reassembler.pushPayload(payload);
    } catch (e) {
      if (e instanceof DtlsLimitError) throw new LimitError(DTLS_LIMIT_NAMES[e.limit], e.value, e.max, `DTLS handshake reassembly (${e.field})`, e.alert, { message: 'handshake', field: e.field });
      if (e instanceof DecodeError) throw new ProtocolError(e.alert, e.message, { message: 'handshake', field: e.field });
      throw e;
    }
    if (result.drops.some((d) => d.reason === 'retransmission')) this.peerRetransmitted('messages we already had');
    // The peer's flight has begun: our next message starts a new flight. Our timer keeps running until the peer's
    // flight is complete (we answer it, or the handshake ends): a lost last part of it is asked for again by our
    // retransmission (section 4.2.4).
    if (result.messages.length) this.newFlightNext = true;
    for (const m of result.messages) {
      this.onMessage(m);
      if (this.status === 'failed') return;
      if (this.pendingCcs && this.driver?.state === 'wait_ccs') {
        this.pendingCcs = false;
        this.driver.onChangeCipherSpec!();
      }
    }
  }

  /** The peer sent again what we already processed: our answer was lost; send our last flight again (section 4.2.4). */
  private peerRetransmitted(what: string): void {
    const again = this.timer.peerRetransmitted(this.now());
    if (!again) return;
    this.emit({ kind: 'info', message: `the peer retransmitted (${what}): sending our last flight again` });
    this.resend(again);
  }

  private onMessage(m: DtlsHandshakeMessage): void {
    const tlsRaw = toTlsForm(m);
    const transcript = transcriptBytes(m);
    if (m.msgType === 3) return this.onHelloVerifyRequest(tlsRaw);
    let msg: Handshake;
    try {
      if (m.msgType === 1) {
        const ch = decodeDtlsClientHello(tlsRaw);
        msg = { ...ch, legacyVersion: toTls(ch.legacyVersion), raw: transcript } as ClientHello;
        this.trace('in', msg, ch.raw);
        checkMessageLimits(msg, this.limits);
        return this.onClientHello(ch, msg as ClientHello);
      }
      const d = decodeHandshake(tlsRaw, this.decodeOptions());
      msg = d.type === 'server_hello' ? { ...d, legacyVersion: toTls(d.legacyVersion), raw: transcript } : { ...d, raw: transcript } as Handshake;
    } catch (e) {
      if (e instanceof DecodeError) throw new ProtocolError(e.alert, e.message, { message: handshakeTypeName(m.msgType), field: e.field, offset: e.offset });
      throw e;
    }
    this.trace('in', msg, tlsRaw);
    checkMessageLimits(msg, this.limits);
    // The ServerHello's version becomes our record version: anything but DTLS 1.0 or 1.2 is refused here (fuzzing
    // found 0x1234 reaching the record writer, which throws on a non-DTLS version: an internal_error).
    if (msg.type === 'server_hello' && msg.legacyVersion !== 0x0303 && msg.legacyVersion !== 0x0302)
      throw new ProtocolError('protocol_version', `the ServerHello's server_version 0x${toDtls(msg.legacyVersion).toString(16)} is not DTLS 1.0 or 1.2`, { message: 'ServerHello', field: 'server_version' });
    if (msg.type === 'server_hello') this.settleVersion(toDtls(msg.legacyVersion));
    if (!this.driver) throw new ProtocolError('unexpected_message', `${handshakeTypeName(m.msgType)} before a ClientHello`);
    this.driver.handle(msg);
  }

  /** Server: the cookie exchange (stateless, section 4.2.1), then the TLS 1.2 server takes over. */
  private onClientHello(ch: DtlsClientHello, msg: ClientHello): void {
    if (this.side !== 'server') throw new ProtocolError('unexpected_message', 'a ClientHello sent to a client');
    if (this.driver) return this.driver.handle(msg); // a renegotiation
    const cookies = this.cfg.cookies;
    if (cookies && this.cfg.peer && this.cfg.requireCookie !== false) {
      const check = cookies.verify(this.cfg.peer, ch);
      if (!check.ok) {
        const cookie = cookies.cookieFor(this.cfg.peer, ch);
        this.emit({ kind: 'info', message: `${check.reason === 'missing' ? 'no cookie' : 'a cookie we did not make for this client'}: answering with a HelloVerifyRequest (RFC 6347 section 4.2.1)` });
        const raw = encodeHelloVerifyRequest({ type: 'hello_verify_request', serverVersion: DTLS10, cookie });
        // Section 4.2.1: the HelloVerifyRequest "MUST use the record sequence number in the ClientHello", and its
        // message_seq is the ClientHello's.
        if (this.inRecordSeq >= this.writer.nextSeq) this.writer.skipTo(this.inRecordSeq);
        this.sendSeq = this.reassembler.nextSeq - 1;
        this.sendMessage(raw, 'hello_verify_request');
        this.flight = [];
        this.flightDirty = false;
        return;
      }
      this.emit({ kind: 'info', message: 'the client returned our cookie: the handshake goes on' });
    }
    // The ServerHello takes the ClientHello's message_seq (1 after a cookie exchange), even at a fresh association.
    this.sendSeq = Math.max(this.sendSeq, this.reassembler.nextSeq - 1);
    const maxTls = toTls(this.cfg.dtlsMax ?? DTLS12);
    const minTls = toTls(this.cfg.dtlsMin ?? DTLS12);
    const offered = msg.legacyVersion;
    const version = Math.min(offered, maxTls);
    if (version < minTls) throw new ProtocolError('protocol_version', `the client offers up to ${versionName(toDtls(offered))}; we accept ${versionName(this.cfg.dtlsMin ?? DTLS12)} to ${versionName(this.cfg.dtlsMax ?? DTLS12)}`, { message: 'ClientHello' });
    this.settleVersion(toDtls(version));
    this.host.clientRandom = msg.random; // the key log's CLIENT_RANDOM (the TLS path sets it in the TLS 1.3 server)
    Server12.fromClientHello(this.host, msg, version, maxTls);
  }

  /** Client: send the ClientHello again with the server's cookie; the handshake starts over from it. */
  private onHelloVerifyRequest(tlsRaw: Uint8Array): void {
    if (this.side !== 'client' || this.driver?.state !== 'wait_sh' || !this.lastHello) throw new ProtocolError('unexpected_message', 'a HelloVerifyRequest out of place', { message: 'HelloVerifyRequest' });
    const hvr = decodeHelloVerifyRequest(tlsRaw);
    this.emit({ kind: 'handshake', dir: 'in', msgType: 3, name: 'hello_verify_request', length: tlsRaw.length - 4, raw: tlsRaw, fields: { serverVersion: hvr.serverVersion, cookie: hvr.cookie } });
    this.emit({ kind: 'info', message: `HelloVerifyRequest with a ${hvr.cookie.length}-byte cookie: sending the ClientHello again with it (RFC 6347 section 4.2.1)` });
    this.flight = [];
    this.newFlightNext = false;
    const raw = this.encodeOut({ ...(this.lastHello as object), cookie: hvr.cookie } as unknown as HandshakeInit);
    const sent = this.sendMessage(raw, 'client_hello');
    (this.driver as Client12).helloResent(sent);
    this.endFlight();
  }

  private onAlert(content: Uint8Array): void {
    const alert = decodeAlert(content);
    const row = alertByCode(alert.description);
    this.emit({ kind: 'alert', dir: 'in', level: alert.level === 2 ? 'fatal' : 'warning', code: alert.description, name: alertName(alert.description), description: row?.description ?? '' });
    if (alert.description === 0) {
      this.status = this.status === 'handshaking' ? 'failed' : 'peer-closed';
      if (this.status === 'failed') this.error = new PeerAlertError('close_notify', 0, alert.level);
      return;
    }
    if (alert.level === 1) return;
    this.error = new PeerAlertError(alertName(alert.description), alert.description, alert.level);
    this.status = 'failed';
  }

  // ---- sending ----

  private maxDatagram(): number {
    return (this.cfg.mtu ?? 1400) - 28;
  }

  /** Encodes an outgoing handshake message in TLS form (4-byte header), with DTLS's version numbers. */
  private encodeOut(m: HandshakeInit): Uint8Array {
    if (m.type === 'client_hello') {
      // RFC 6347 section 4.2.1: the cookie of the HelloVerifyRequest, if any, rides in the DTLS ClientHello.
      const dm = { ...m, legacyVersion: toDtls(m.legacyVersion ?? 0x0303) };
      return encodeDtlsClientHello(dm);
    }
    const raw = encodeHandshake(m);
    if (m.type === 'server_hello') {
      // legacy_version is the ServerHello's first field, right after the 4-byte header.
      const v = toDtls(m.legacyVersion ?? 0x0303);
      raw[4] = v >> 8;
      raw[5] = v & 0xff;
    }
    return raw;
  }

  /** Frames, fragments and seals one message into the current flight; returns its transcript form. */
  private sendMessage(tlsRaw: Uint8Array, name: string): Uint8Array {
    this.startFlightIfNew();
    const msg = fromTlsForm(tlsRaw, this.sendSeq++);
    const frags = fragmentHandshake(msg, { maxDatagramSize: this.maxDatagram(), recordOverhead: this.writer.overhead });
    const records = frags.map((f) => {
      this.flight.push({ type: CT.handshake, content: f, writer: this.writer });
      this.flightDirty = true;
      return this.sealTraced(CT.handshake, f, this.writer);
    });
    if (frags.length > 1) this.emit({ kind: 'info', message: `${name} (${msg.body.length} bytes) sent in ${frags.length} fragments to fit the ${this.cfg.mtu ?? 1400}-byte path MTU` });
    this.out.push(...packDatagrams(records, this.maxDatagram()));
    return transcriptBytes(msg);
  }

  private sealTraced(type: number, content: Uint8Array, writer: DtlsEpochWriter): Uint8Array {
    const seq = writer.nextSeq;
    const rec = writer.seal(type, content);
    this.emit({ kind: 'record', dir: 'out', contentType: type, contentTypeName: contentTypeName(type), version: writer.version, length: rec.length - 13, raw: rec, epoch: writer.epoch === 0 ? 'plaintext' : 'application', seq: `${writer.epoch}/${seq}`, ...(writer.epoch > 0 ? { inner: { contentType: type, contentTypeName: contentTypeName(type), length: content.length, padding: 0 } } : {}) });
    return rec;
  }

  /** After each batch: hand our flight to the timer (a new one restarts it), then wait for the peer. */
  /** Our first message after the peer's flight began starts a new flight of ours (the old one is answered). */
  private startFlightIfNew(): void {
    if (!this.newFlightNext) return;
    this.flight = [];
    this.flightDirty = false;
    this.newFlightNext = false;
  }

  private endFlight(): void {
    if (!this.flight.length || !this.flightDirty) return;
    this.flightDirty = false;
    if (this.timer.state === 'WAITING') this.timer.received(false, this.now());
    if (this.timer.state !== 'PREPARING') return;
    // Our last flight: the handshake is done on our side (the peer may still ask for it again).
    this.timer.send(this.flight, this.now(), this.status === 'open');
  }

  private resend(items: FlightItem[]): void {
    const records = items.map((i) => this.sealTraced(i.type, i.content, i.writer));
    this.out.push(...packDatagrams(records, this.maxDatagram()));
  }

  private sendAlert(level: 'warning' | 'fatal', name: string): void {
    if (!isAlertDescription(name)) name = 'internal_error';
    const code = alertCode(name as Parameters<typeof alertCode>[0]);
    this.emit({ kind: 'alert', dir: 'out', level, code, name, description: alertByCode(code)?.description ?? '' });
    this.out.push(this.sealTraced(CT.alert, encodeAlert({ level, description: code }), this.writer));
  }

  private settleVersion(wire: number): void {
    this.wireVersion = wire;
    if (this.writer.epoch === 0 && this.writer.version !== wire) {
      const next = new DtlsEpochWriter(0, wire);
      next.skipTo(this.writer.nextSeq);
      this.writer = next;
    }
  }

  // ---- errors, trace ----

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    const err = e instanceof ProtocolError || e instanceof PeerAlertError ? e : e instanceof DecodeError ? new ProtocolError(e.alert, e.message, { field: e.field }) : new ProtocolError('internal_error', `internal error: ${(e as Error)?.message ?? String(e)}`);
    this.error = err;
    if (err instanceof ProtocolError) {
      this.emit({ kind: 'error', alert: err.alert, message: err.message, place: err.place });
      try {
        this.sendAlert('fatal', err.alert);
      } catch {
        // failed anyway
      }
    }
    this.status = 'failed';
    this.wipe();
  }

  /** Zeroes the state machine's secrets and the record keys of every epoch still held (util/wipe.ts). */
  wipe(): void {
    if (this.wiped) return;
    this.wiped = true;
    this.driver?.wipe?.();
    this.reader.current.protector?.wipe();
    this.reader.previous?.protector?.wipe();
    this.writer.protector?.wipe();
    if (this.status !== 'failed') this.status = 'closed';
  }

  private wiped = false;

  private emit(e: DistributiveOmit<TraceEvent, 't' | 'side'>): void {
    this.onEvent?.({ ...e, t: this.now() - this.t0, side: this.side } as TraceEvent);
  }

  private decodeOptions(): DecodeOptions {
    return this.driver?.decodeOptions?.() ?? { version: 'tls12', protocolVersion: toTls(this.wireVersion) };
  }

  private trace(dir: Direction, msg: Handshake, tlsRaw: Uint8Array): void {
    if (!this.onEvent) return;
    const { raw: _raw, ...fields } = msg as Handshake & { raw: Uint8Array };
    const spans = collectSpans(tlsRaw, () => decodeHandshake(tlsRaw, this.decodeOptions()));
    this.emit({ kind: 'handshake', dir, msgType: tlsRaw[0]!, name: msg.type === 'unknown' ? handshakeTypeName(tlsRaw[0]!) : msg.type.replace(/12$/, ''), length: tlsRaw.length - 4, raw: tlsRaw, fields, spans });
  }

  private makeHost(): HandshakeHost {
    const self = this;
    const notInDtls = (what: string) => () => {
      throw new ProtocolError('internal_error', `${what} is TLS 1.3 only; this is DTLS`);
    };
    return {
      cfg: this.cfg,
      send(m: HandshakeInit): Handshake {
        if (m.type === 'client_hello') self.lastHello = m;
        const tlsRaw = self.encodeOut(m);
        const transcript = self.sendMessage(tlsRaw, m.type);
        let decoded: Handshake;
        if (m.type === 'client_hello') {
          const ch = decodeDtlsClientHello(tlsRaw);
          decoded = { ...ch, legacyVersion: toTls(ch.legacyVersion), raw: transcript } as ClientHello;
        } else {
          const d = decodeHandshake(tlsRaw, self.decodeOptions());
          decoded = d.type === 'server_hello' ? { ...d, legacyVersion: toTls(d.legacyVersion), raw: transcript } : ({ ...d, raw: transcript } as Handshake);
        }
        self.trace('out', decoded, tlsRaw);
        return decoded;
      },
      sendBytes(): Handshake {
        throw new ProtocolError('internal_error', 'sendBytes is not used in DTLS');
      },
      sendChangeCipherSpec(): void {
        self.startFlightIfNew();
        const content = new Uint8Array([1]);
        self.flight.push({ type: CT.change_cipher_spec, content, writer: self.writer });
        self.flightDirty = true;
        self.out.push(self.sealTraced(CT.change_cipher_spec, content, self.writer));
      },
      setReadKeys: notInDtls('setReadKeys'),
      setWriteKeys: notInDtls('setWriteKeys'),
      setState: (name) => self.emit({ kind: 'state', from: self.driver?.state ?? 'start', to: name }),
      emit: (e) => self.emit(e),
      keyLog(label: SecretLabel, secret: Uint8Array): void {
        if (self.host.clientRandom) self.cfg.onSecret?.(label, self.host.clientRandom, secret);
      },
      suspendFor: notInDtls('asynchronous signing'),
      sendEarlyData: notInDtls('early data'),
      clearWriteKeys: notInDtls('clearWriteKeys'),
      acceptEarlyData: notInDtls('early data'),
      skipEarlyData: notInDtls('early data'),
      peerAuthenticated(chain: Uint8Array[]): void {
        if (self.negotiated) self.negotiated.peerCertificates = chain;
      },
      setRecordSizeLimit(): void {
        // not negotiated in DTLS here
      },
      setLegacyVersion(): void {
        // the wire version is settled from the hellos (settleVersion)
      },
      setProtector12(dir: 'read' | 'write', prot: Tls12Protector): void {
        if (dir === 'read') self.reader.install(prot);
        else self.writer = new DtlsEpochWriter(self.writer.epoch + 1, self.wireVersion, prot);
        self.emit({ kind: 'keys', dir, epoch: 'application', generation: self.generation[dir]++, suite: prot.suiteName });
      },
      replaceDriver(next: HandshakeDriver): void {
        self.driver = next;
      },
      sendWarning: (name) => self.sendAlert('warning', name),
      recordForm: () => ({ dtls: true, recordVersion: self.wireVersion, onWire: toDtls }),
      established(session: NegotiatedSession): void {
        // The peer's final flight is in: nothing more to retransmit for (our own last flight, if we sent one, is kept).
        if (self.timer.state === 'WAITING' && !self.flightDirty) self.timer.received(true, self.now());
        session.version = toDtls(session.version);
        session.provider = self.cfg.provider.name ?? 'custom';
        self.negotiated = session;
        if (self.status === 'handshaking') self.status = 'open';
        self.emit({
          kind: 'negotiated', version: versionName(session.version), suite: suiteName(session.cipherSuite, 'iana'),
          ...(session.group !== undefined ? { group: groupName(session.group) } : {}),
          ...(session.signatureScheme !== undefined ? { signatureScheme: sigSchemeName(session.signatureScheme) } : {}),
          ...(session.alpn ? { alpn: session.alpn } : {}), resumed: session.resumed, helloRetry: false, provider: session.provider,
        });
      },
    };
  }
}
