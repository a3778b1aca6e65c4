// The TLS 1.2 / 1.1 / 1.0 / SSL 3.0 client (RFC 5246 section 7.3, RFC 2246, RFC 6101). States:
//   full:        wait_sh -> wait_cert -> [wait_status] -> [wait_ske] -> wait_cr_or_done -> (our flight) ->
//                [wait_ticket] -> wait_ccs -> wait_finished -> connected
//   abbreviated: wait_sh -> [wait_ticket] -> wait_ccs -> wait_finished -> (our CCS and Finished) -> connected
// It starts either on its own (the highest version we offer is TLS 1.2 or lower) or from a TLS 1.3 client whose
// ClientHello offered both and got a TLS 1.2 ServerHello (fromHello).
import { wipe } from '../../util/wipe';
import { ProtocolError } from '../../conn/errors';
import { DEFAULT_GROUPS, DEFAULT_SIGNATURE_SCHEMES } from '../../conn/config';
import type { HandshakeDriver, HandshakeHost } from '../../conn/connection';
import type { NegotiatedSession, OcspInfo } from '../../conn/types';
import type { ClientSession } from '../../conn/session-ticket';
import { KeyExchangeError, type Signer } from '../../crypto/provider';
import { customDh, rsaEncryptPremaster } from '../../crypto/tls12-kx';
import { ext, type Extension } from '../../msgs/extensions';
import { DOWNGRADE_TLS11, DOWNGRADE_TLS12, type Certificate, type DecodeOptions, type Finished, type Handshake, type ServerHello } from '../../msgs/handshake';
import { serverKeyExchangeSignedContent, type CertificateRequest12, type ServerKeyExchange } from '../../msgs/handshake12';
import { groupName } from '../../registry/groups';
import { sigSchemeName } from '../../registry/sigschemes';
import { suiteByCode, suiteName, type CipherSuite } from '../../registry/suites';
import { versionName } from '../../registry/versions';
import { certificateSpki } from '../../x509/certificate';
import { unlistedCertificateSignatures } from '../cert-signatures';
import { decodeSpkiBytes } from '../../x509/public-key';
import { decodeOcspResponse, ocspSummary } from '../../x509/ocsp';
import { decodeSct, type SctInfo } from '../../x509/sct';
import { bytesEqual, isIpAddress, unexpected } from '../tls13/common';
import { DEFAULT_SUITES_12, EMPTY_RENEGOTIATION_INFO_SCSV, FALLBACK_SCSV, kxOf, protectorsFor, signFor, Transcript12, verifyFor, type PreviousHandshake } from './common';
import { extendedMasterSecret, finishedVerifyData, masterSecret, SSL3, suiteAllowed, TLS10, TLS12 } from './prf';
import type { Tls12Protector } from '../../record/protect12';

export type Client12State = 'start' | 'wait_sh' | 'wait_cert' | 'wait_status' | 'wait_ske' | 'wait_cr_or_done' | 'wait_done' | 'wait_ticket' | 'wait_ccs' | 'wait_finished' | 'connected';

/** What the ClientHello offered, which the rest of the handshake is held to. */
export interface HelloOffer {
  raw: Uint8Array;
  random: Uint8Array;
  /** legacy_version of the ClientHello: the RSA premaster's first two bytes (RFC 5246 section 7.4.7.1). */
  clientVersion: number;
  minVersion: number;
  /** The extension types the ClientHello carried: a server may answer only these (RFC 5246 section 7.4.1.4). */
  extensionTypes: number[];
  /** Whether TLS 1.3 was offered too (then the downgrade sentinels must be absent, RFC 8446 section 4.1.3). */
  offered13: boolean;
  suites: number[];
  groups: number[];
  schemes: number[];
  sessionId: Uint8Array;
  /** The TLS 1.2 session offered for resumption, by ID or ticket. */
  session?: ClientSession;
  ext: { ems: boolean; etm: boolean; ticket: boolean; status: boolean; sct: boolean; alpn?: string[] };
}

export class Client12 implements HandshakeDriver {
  state: Client12State = 'start';
  private readonly p;
  private transcript = new Transcript12();
  private offer!: HelloOffer;
  private version = TLS12;
  private suite?: CipherSuite;
  private serverRandom: Uint8Array = new Uint8Array(32);
  private sessionId: Uint8Array = new Uint8Array(0);
  private ems = false;
  private etm = false;
  private expectTicket = false;
  private expectStatus = false;
  private secureRenegotiation = false;
  private resumed = false;
  private alpn?: string;
  private peerChain: Uint8Array[] = [];
  private ske?: ServerKeyExchange;
  private certRequest?: CertificateRequest12;
  private master?: Uint8Array;
  private pendingRead?: Tls12Protector;
  private ticket?: { ticket: Uint8Array; lifetime: number };
  private ocsp?: OcspInfo;
  private scts?: SctInfo[];
  private group?: number;
  private peerScheme?: number;
  private clientVerifyData: Uint8Array = new Uint8Array(0);
  private serverVerifyData: Uint8Array = new Uint8Array(0);

  /** Set when this handshake renegotiates an established connection (RFC 5746). */
  private previous?: PreviousHandshake;
  /** The established handshake being renegotiated: it takes the connection back if the server declines. */
  private before?: Client12;

  /** RFC 5746 section 4.2 / RFC 5246 section 7.2.2: a server may decline a renegotiation with no_renegotiation. */
  onWarning(code: number): void {
    if (code !== 100 || !this.before || this.state !== 'wait_sh') return;
    this.host.emit({ kind: 'info', message: 'the server declined to renegotiate (no_renegotiation warning): the connection goes on with its current parameters' });
    this.host.replaceDriver(this.before);
  }

  constructor(private readonly host: HandshakeHost) {
    this.p = host.cfg.provider;
  }

  /**
   * Renegotiates (RFC 5746 section 3.5): a new Client12 takes over the connection and sends a ClientHello under the
   * current keys, bound to the last handshake by renegotiation_info. Throws if the server does not support it.
   */
  renegotiate(): void {
    if (this.state !== 'connected') throw new Error(`cannot renegotiate in state ${this.state}: the handshake is not done`);
    if (!this.secureRenegotiation) throw new Error('the server does not support secure renegotiation (no renegotiation_info, RFC 5746): renegotiating would be open to the 2009 prefix attack');
    const next = new Client12(this.host);
    next.previous = { version: this.version, clientVerifyData: this.clientVerifyData, serverVerifyData: this.serverVerifyData };
    next.before = this;
    this.host.replaceDriver(next);
    this.host.emit({ kind: 'info', message: 'renegotiating: a new full handshake under the current keys, bound to the last one (RFC 5746)' });
    next.start();
  }

  get handshaking(): boolean {
    return this.state !== 'connected';
  }

  /** Continues a handshake whose ClientHello (offering TLS 1.3 and 1.2) was sent by a TLS 1.3 client. */
  static fromHello(host: HandshakeHost, offer: HelloOffer): Client12 {
    const c = new Client12(host);
    c.offer = offer;
    c.transcript.add(offer.raw);
    c.state = 'wait_sh';
    return c;
  }

  private to(s: Client12State): void {
    this.host.setState(s);
    this.state = s;
  }

  acceptsCompatCcs(): boolean {
    return false;
  }

  decodeOptions(): DecodeOptions {
    return { version: 'tls12', protocolVersion: this.version, ...(this.suite ? { keyExchange: kxOf(this.suite) } : {}) };
  }

  /** On its own: a ClientHello offering only TLS 1.2 and older (RFC 5246 section 7.4.1.2). */
  /** Zeroes our master secret (util/wipe.ts); sessions kept for resumption hold their own copy until they expire. */
  wipe(): void {
    wipe(this.master);
  }

  start(): void {
    const cfg = this.host.cfg;
    const prev = this.previous;
    // A renegotiation keeps the version (RFC 5246 section 7.4.1.2: the client offers what it offered before).
    const max = prev ? prev.version : Math.min(cfg.maxVersion ?? TLS12, TLS12);
    const min = prev ? prev.version : cfg.minVersion ?? TLS12;
    if (min > max) throw new ProtocolError('internal_error', `no protocol version to offer: the minimum ${versionName(min)} is above the maximum ${versionName(max)}`);
    const random = this.p.random(32);
    this.host.clientRandom = random;
    const suites = (cfg.cipherSuites12 ?? DEFAULT_SUITES_12).filter((c) => {
      const s = suiteByCode(c);
      return s && (suiteAllowed(max, s) || suiteAllowed(min, s));
    });
    if (!suites.length) throw new ProtocolError('internal_error', `none of the configured cipher suites can be used with ${versionName(min)}..${versionName(max)}`);
    const s = !prev && cfg.session && cfg.session.version <= TLS12 && cfg.session.version >= min && suites.includes(cfg.session.cipherSuite) ? cfg.session : undefined;
    // RFC 5077 section 3.4: with a ticket, the client makes up a session ID to recognise the server's acceptance by.
    const sessionId = s ? (s.ticket.length ? this.p.random(32) : s.sessionId ?? new Uint8Array(0)) : new Uint8Array(0);
    const groups = cfg.groups ?? DEFAULT_GROUPS;
    const schemes = cfg.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES;
    const hasCbc = suites.some((c) => suiteByCode(c)?.mac !== 'AEAD');
    const { extensions, offered } = legacyHelloExtensions(this.host, { max, groups, schemes, hasCbc, ...(s ? { session: s } : {}), ...(prev ? { renegotiatedConnection: prev.clientVerifyData } : {}) });
    // SSL 3.0 has no extensions: the SCSV says we support secure renegotiation (RFC 5746 section 3.3); never when renegotiating.
    const signalled = max === SSL3 && !prev ? [...suites, EMPTY_RENEGOTIATION_INFO_SCSV] : suites;
    // RFC 7507 section 4: a client retrying below its highest version says so (never in a renegotiation).
    const cipherSuites = cfg.fallbackScsv && !prev ? [...signalled, FALLBACK_SCSV] : signalled;
    const compression = cfg.compressionMethods && !prev ? { legacyCompressionMethods: cfg.compressionMethods } : {};
    const ch = this.host.send({ type: 'client_hello', legacyVersion: max, random, legacySessionId: sessionId, cipherSuites, ...compression, extensions: max === SSL3 && !prev ? [] : extensions });
    this.offer = { raw: ch.raw, random, clientVersion: max, minVersion: min, extensionTypes: (ch as { extensions?: { type: number }[] }).extensions?.map((e) => e.type) ?? [], offered13: false, suites, groups, schemes, sessionId, ...(s ? { session: s } : {}), ext: offered };
    this.transcript.add(ch.raw);
    this.to('wait_sh');
  }

  handle(msg: Handshake): void {
    // RFC 5246 section 7.4.1.1: a HelloRequest that arrives while a handshake is under way is ignored (OpenSSL does
    // the same); a flood of them then ends at the renegotiation limit, not at the first one.
    if (msg.type === 'hello_request' && this.state !== 'connected') {
      this.host.emit({ kind: 'info', message: `ignored a HelloRequest in state ${this.state}: a handshake is already under way (RFC 5246 section 7.4.1.1)` });
      return;
    }
    switch (this.state) {
      case 'wait_sh':
        if (msg.type === 'server_hello') return this.onServerHello(msg);
        throw unexpected(this.state, msg, ['ServerHello']);
      case 'wait_cert':
        if (msg.type === 'certificate') return this.onCertificate(msg);
        throw unexpected(this.state, msg, ['Certificate']);
      case 'wait_status':
        if (msg.type === 'certificate_status') return this.onStatus(msg.ocspResponse, msg.raw);
        // RFC 6066 section 8: a server that said it would staple may still send none.
        this.to(this.suite && kxOf(this.suite) === 'RSA' ? 'wait_cr_or_done' : 'wait_ske');
        return this.handle(msg);
      case 'wait_ske':
        if (msg.type === 'server_key_exchange') return this.onServerKeyExchange(msg);
        throw unexpected(this.state, msg, ['ServerKeyExchange']);
      case 'wait_cr_or_done':
        if (msg.type === 'certificate_request12') return this.onCertificateRequest(msg);
        if (msg.type === 'server_hello_done') return this.onServerHelloDone(msg.raw);
        throw unexpected(this.state, msg, ['CertificateRequest', 'ServerHelloDone']);
      case 'wait_done':
        if (msg.type === 'server_hello_done') return this.onServerHelloDone(msg.raw);
        throw unexpected(this.state, msg, ['ServerHelloDone']);
      case 'wait_ticket':
        if (msg.type === 'new_session_ticket12') {
          this.transcript.add(msg.raw);
          this.ticket = { ticket: msg.ticket, lifetime: msg.ticketLifetimeHint };
          this.host.emit({ kind: 'info', message: msg.ticket.length ? `session ticket received (RFC 5077): ${msg.ticket.length} bytes, lifetime hint ${msg.ticketLifetimeHint} s` : 'the server sent an empty ticket: it issues none after all (RFC 5077 section 3.3)' });
          return this.to('wait_ccs');
        }
        throw unexpected(this.state, msg, ['NewSessionTicket']);
      case 'wait_finished':
        if (msg.type === 'finished') return this.onFinished(msg);
        throw unexpected(this.state, msg, ['Finished']);
      case 'connected':
        if (msg.type === 'hello_request') {
          // RFC 5246 section 7.4.1.1: HelloRequest is not part of any transcript. We renegotiate when it is secure.
          if (this.secureRenegotiation && this.host.cfg.renegotiation !== false) {
            this.host.emit({ kind: 'info', message: 'the server asked to renegotiate (HelloRequest)' });
            return this.renegotiate();
          }
          this.host.emit({ kind: 'info', message: `the server asked to renegotiate (HelloRequest); declined with a no_renegotiation warning (${this.secureRenegotiation ? 'renegotiation is turned off' : 'the server lacks secure renegotiation, RFC 5746'})` });
          this.host.sendWarning('no_renegotiation');
          return;
        }
        throw unexpected(this.state, msg, ['HelloRequest']);
      default:
        throw unexpected(this.state, msg, []);
    }
  }

  private onServerHello(sh: ServerHello): void {
    const o = this.offer;
    if (sh.ext.supportedVersions !== undefined)
      throw new ProtocolError('illegal_parameter', `the ServerHello selects ${versionName(sh.ext.supportedVersions)} in supported_versions, which only TLS 1.3 uses`, { message: 'ServerHello', field: 'supported_versions' });
    const v = sh.legacyVersion;
    if (v < o.minVersion || v > o.clientVersion || v < SSL3)
      throw new ProtocolError('protocol_version', `the server chose ${versionName(v)}, outside what we offered (${versionName(o.minVersion)} to ${versionName(o.offered13 ? 0x0304 : o.clientVersion)})`, { message: 'ServerHello', field: 'legacy_version' });
    // RFC 8446 section 4.1.3: a TLS 1.3 server that downgrades says so in its random; an attacker in between cannot hide it.
    const tail = sh.random.subarray(24);
    if ((o.offered13 && (bytesEqual(tail, DOWNGRADE_TLS12) || bytesEqual(tail, DOWNGRADE_TLS11))) || (o.clientVersion === TLS12 && v < TLS12 && bytesEqual(tail, DOWNGRADE_TLS11)))
      throw new ProtocolError('illegal_parameter', `the server's random ends with the downgrade sentinel (RFC 8446 section 4.1.3): it supports a higher version than ${versionName(v)}, so something in between removed it`, { message: 'ServerHello', field: 'random' });
    this.version = v;
    this.host.setLegacyVersion(v);
    const suite = suiteByCode(sh.cipherSuite);
    if (!suite || !o.suites.includes(sh.cipherSuite) || !suiteAllowed(v, suite))
      throw new ProtocolError('illegal_parameter', `the server chose cipher suite ${suiteName(sh.cipherSuite)}, which we did not offer for ${versionName(v)}`, { message: 'ServerHello', field: 'cipher_suite' });
    if (sh.legacyCompressionMethod !== 0)
      throw new ProtocolError('illegal_parameter', `the server chose compression method ${sh.legacyCompressionMethod}; we offered only null (0)`, { message: 'ServerHello', field: 'legacy_compression_method' });
    this.checkServerExtensions(sh.extensions);
    this.suite = suite;
    this.serverRandom = sh.random;
    this.sessionId = sh.legacySessionIdEcho;
    const e = sh.ext;
    this.secureRenegotiation = e.renegotiationInfo !== undefined;
    const prev = this.previous;
    if (prev) {
      // RFC 5746 section 3.5: the server must echo both verify_data of the handshake being renegotiated.
      const want = new Uint8Array([...prev.clientVerifyData, ...prev.serverVerifyData]);
      if (!e.renegotiationInfo || !bytesEqual(e.renegotiationInfo, want))
        throw new ProtocolError('handshake_failure', 'the renegotiation ServerHello\'s renegotiation_info does not carry both Finished verify_data of the last handshake (RFC 5746 section 3.5): this could be a prefix attack', { message: 'ServerHello', field: 'renegotiation_info' });
      if (v !== prev.version) throw new ProtocolError('protocol_version', `the server changed the version from ${versionName(prev.version)} to ${versionName(v)} in a renegotiation`, { message: 'ServerHello' });
    } else if (e.renegotiationInfo !== undefined && e.renegotiationInfo.length !== 0)
      throw new ProtocolError('handshake_failure', 'the initial ServerHello\'s renegotiation_info is not empty (RFC 5746 section 3.4)', { message: 'ServerHello', field: 'renegotiation_info' });
    if (!this.secureRenegotiation) this.host.emit({ kind: 'info', message: 'the server does not support secure renegotiation (RFC 5746): no renegotiation_info in its ServerHello' });
    this.ems = o.ext.ems && e.extendedMasterSecret !== undefined;
    this.etm = o.ext.etm && e.encryptThenMac !== undefined && suite.mac !== 'AEAD';
    this.expectTicket = o.ext.ticket && e.sessionTicket !== undefined;
    this.expectStatus = o.ext.status && e.statusRequest !== undefined;
    if (e.alpn !== undefined) {
      if (!o.ext.alpn?.includes(e.alpn)) throw new ProtocolError('illegal_parameter', `the server selected ALPN "${e.alpn}", which we did not offer`, { message: 'ServerHello', field: 'application_layer_protocol_negotiation' });
      this.alpn = e.alpn;
    }
    if (e.signedCertificateTimestamp) this.scts = e.signedCertificateTimestamp.map((raw) => decodeSct(raw));
    this.transcript.add(sh.raw);
    this.host.emit({ kind: 'info', message: `${versionName(v)} with ${suiteName(suite.code, 'iana')} (OpenSSL: ${suite.openssl})${this.ems ? ', extended master secret' : ''}${this.etm ? ', encrypt-then-MAC' : ''}` });
    // RFC 5246 section 7.4.1.3: the same non-empty session ID (or, with a ticket, the ID we made up) means resumption.
    const s = o.session;
    if (s && o.sessionId.length && bytesEqual(sh.legacySessionIdEcho, o.sessionId)) {
      if (s.cipherSuite !== suite.code || s.version !== v)
        throw new ProtocolError('illegal_parameter', `the server resumed the session with ${suiteName(suite.code)} ${versionName(v)}; the session was ${suiteName(s.cipherSuite)} ${versionName(s.version)}`, { message: 'ServerHello' });
      if (!!s.extendedMasterSecret !== this.ems)
        throw new ProtocolError('handshake_failure', 'the resumed session and this handshake disagree on extended_master_secret (RFC 7627 section 5.3)', { message: 'ServerHello', field: 'extended_master_secret' });
      this.resumed = true;
      this.master = s.psk.slice(); // ours to wipe; the session keeps its own
      this.host.keySchedule?.master12({ version: v, suite, clientRandom: this.offer.random, serverRandom: this.serverRandom, masterSecret: this.master, resumed: true });
      this.peerChain = s.peerCertificates ?? [];
      this.host.keyLog('CLIENT_RANDOM', this.master);
      this.pendingRead = this.protectors().server;
      this.host.emit({ kind: 'info', message: `resuming the session by ${s.ticket.length ? 'ticket (RFC 5077)' : 'session ID'}: no certificate, no key exchange (RFC 5246 section 7.3)` });
      return this.to(this.expectTicket ? 'wait_ticket' : 'wait_ccs');
    }
    if (s) this.host.emit({ kind: 'info', message: 'the server did not resume the offered session: a full handshake' });
    this.to('wait_cert');
  }

  /** RFC 5246 section 7.4.1.4: a server may only answer extensions we sent. */
  private checkServerExtensions(list: Extension[]): void {
    const offered = new Set(this.offeredExtensionTypes());
    // RFC 5746 section 3.6: the SCSV asks for renegotiation_info as much as the extension does.
    if (this.offer.suites.includes(EMPTY_RENEGOTIATION_INFO_SCSV) || this.offer.clientVersion === SSL3) offered.add(0xff01);
    for (const e of list) {
      if (!offered.has(e.type)) throw new ProtocolError('unsupported_extension', `the ServerHello carries extension ${e.type}, which we did not offer (RFC 5246 section 7.4.1.4)`, { message: 'ServerHello', field: `extensions` });
    }
  }

  private offeredExtensionTypes(): number[] {
    return this.offer.extensionTypes;
  }

  /**
   * DTLS (RFC 6347 section 4.2.1): the ClientHello was sent again with the server's cookie. The handshake (and its
   * transcript) starts from that second ClientHello; the first and the HelloVerifyRequest are not part of it.
   */
  helloResent(raw: Uint8Array): void {
    this.offer = { ...this.offer, raw };
    this.transcript = new Transcript12();
    this.transcript.add(raw);
  }

  private onCertificate(cert: Certificate): void {
    if (cert.certificateList.length === 0)
      throw new ProtocolError('decode_error', 'the server sent an empty Certificate (RFC 5246 section 7.4.2: it must send its certificate)', { message: 'Certificate' });
    this.peerChain = cert.certificateList.map((e) => e.data);
    // RFC 5246 section 7.4.2: with our signature_algorithms sent, every certificate should be signed with one of them.
    if (this.version === TLS12)
      for (const u of unlistedCertificateSignatures(this.peerChain, this.offer.schemes))
        this.host.emit({ kind: 'info', message: `the server's certificate ${u.depth} is signed with ${u.algorithm}, which is not among the pairs we listed in signature_algorithms: RFC 5246 section 7.4.2 asks the server for certificates signed with them, and a client that holds to its list refuses this chain` });
    let spki: Uint8Array;
    try {
      spki = certificateSpki(this.peerChain[0]!);
    } catch (e) {
      throw new ProtocolError('bad_certificate', `the server's certificate does not parse: ${(e as Error).message}`, { message: 'Certificate' });
    }
    const suite = this.suite!;
    const alg = keyAlgorithm(spki);
    if ((suite.auth === 'RSA' && alg !== 'RSA' && alg !== 'RSA-PSS') || (suite.auth === 'ECDSA' && alg !== 'EC' && alg !== 'Ed25519' && alg !== 'Ed448') || (kxOf(suite) === 'RSA' && alg !== 'RSA'))
      throw new ProtocolError('illegal_parameter', `the server's certificate key is ${alg}, which ${suite.openssl} cannot use (it needs ${suite.auth === 'RSA' ? 'RSA' : 'ECDSA'})`, { message: 'Certificate' });
    this.transcript.add(cert.raw);
    // OpenSSL judges the chain as soon as it arrives (RFC 5246 leaves the moment to the client).
    const verdict = this.host.cfg.verifyPeer?.(this.peerChain, this.host.cfg.serverName);
    if (verdict && !verdict.ok) throw new ProtocolError(verdict.alert ?? 'bad_certificate', `certificate verification failed: ${verdict.reason}`, { message: 'Certificate' });
    this.to(this.expectStatus ? 'wait_status' : kxOf(suite) === 'RSA' ? 'wait_cr_or_done' : 'wait_ske');
  }

  private onStatus(response: Uint8Array, raw: Uint8Array): void {
    this.transcript.add(raw);
    this.ocsp = decodeOcspResponse(response);
    this.host.emit({ kind: 'info', message: ocspSummary(this.ocsp) });
    this.to(kxOf(this.suite!) === 'RSA' ? 'wait_cr_or_done' : 'wait_ske');
  }

  private onServerKeyExchange(ske: ServerKeyExchange): void {
    const v = this.version;
    if (v >= TLS12) {
      if (ske.algorithm === undefined || !this.offer.schemes.includes(ske.algorithm))
        throw new ProtocolError('illegal_parameter', `the server signed its key exchange with ${ske.algorithm === undefined ? 'no algorithm' : sigSchemeName(ske.algorithm)}, which we did not offer in signature_algorithms`, { message: 'ServerKeyExchange', field: 'algorithm' });
    }
    const content = serverKeyExchangeSignedContent(this.offer.random, this.serverRandom, ske.params);
    if (!verifyFor(this.p, v, ske.algorithm, certificateSpki(this.peerChain[0]!), content, ske.signature))
      throw new ProtocolError('decrypt_error', `the ServerKeyExchange signature${ske.algorithm !== undefined ? ` (${sigSchemeName(ske.algorithm)})` : ''} does not verify under the server's certificate key: the server does not hold that key, or the parameters were changed in transit`, { message: 'ServerKeyExchange', field: 'signature' });
    if (ske.keyExchange === 'ECDHE' && !this.offer.groups.includes(ske.namedCurve))
      throw new ProtocolError('illegal_parameter', `the server chose curve ${groupName(ske.namedCurve)}, which we did not offer in supported_groups`, { message: 'ServerKeyExchange', field: 'named_curve' });
    this.peerScheme = ske.algorithm;
    this.ske = ske;
    this.transcript.add(ske.raw);
    this.to('wait_cr_or_done');
  }

  private onCertificateRequest(cr: CertificateRequest12): void {
    this.certRequest = cr;
    this.transcript.add(cr.raw);
    this.to('wait_done');
  }

  /** RFC 5246 section 7.4.5-7.4.9: our flight, [Certificate], ClientKeyExchange, [CertificateVerify], CCS, Finished. */
  private onServerHelloDone(raw: Uint8Array): void {
    this.transcript.add(raw);
    const cfg = this.host.cfg;
    const suite = this.suite!;
    const v = this.version;
    let identity: { certificateChain: Uint8Array[]; signer: Signer } | undefined;
    if (this.certRequest) {
      if (cfg.certificateChain?.length && cfg.signer) identity = { certificateChain: cfg.certificateChain, signer: cfg.signer };
      else if (cfg.clientCertCallback) {
        const r = cfg.clientCertCallback();
        if (r === 'retry') throw new ProtocolError('internal_error', 'the client certificate callback asked to be called again, which TLS 1.2 does not support here yet');
        if (r) identity = r;
      }
      const c = this.host.send({ type: 'certificate', form: 'tls12', certificateList: (identity?.certificateChain ?? []).map((data) => ({ data })) });
      this.transcript.add(c.raw);
      if (!identity) this.host.emit({ kind: 'info', message: 'the server asked for a client certificate; we have none and send an empty Certificate' });
    }
    const premaster = this.keyExchange();
    const transcriptAtCke = this.transcript.bytes();
    const sessionHash = this.ems ? hashFor(this.p, v, suite, transcriptAtCke) : undefined;
    this.master = sessionHash
      ? extendedMasterSecret(this.p, v, suite, premaster, sessionHash)
      : masterSecret(this.p, v, suite, premaster, this.offer.random, this.serverRandom);
    this.host.keySchedule?.master12({ version: v, suite, preMasterSecret: premaster, clientRandom: this.offer.random, serverRandom: this.serverRandom, ...(sessionHash ? { sessionHash } : {}), masterSecret: this.master });
    premaster.fill(0);
    this.host.keyLog('CLIENT_RANDOM', this.master);
    if (identity) {
      if (v === SSL3) throw new ProtocolError('handshake_failure', 'client authentication in SSL 3.0 is not built', { message: 'CertificateVerify' });
      const signed = signFor(identity.signer, v, this.certRequest?.supportedSignatureAlgorithms, this.transcript.bytes(), 'CertificateVerify');
      const cv = this.host.send({ type: 'certificate_verify12', ...signed });
      this.transcript.add(cv.raw);
    }
    const { client, server } = this.protectors();
    this.pendingRead = server;
    this.host.sendChangeCipherSpec();
    this.host.setProtector12('write', client);
    this.sendFinished();
    this.to(this.expectTicket ? 'wait_ticket' : 'wait_ccs');
  }

  /** The premaster secret, after sending our ClientKeyExchange. */
  private keyExchange(): Uint8Array {
    const kx = kxOf(this.suite!);
    if (kx === 'RSA') {
      // RFC 5246 section 7.4.7.1: the version we offered, then 46 random bytes.
      const pre = this.p.random(48);
      // In DTLS the version is DTLS's wire number (0xfefd), as the ClientHello said it.
      const v = this.host.recordForm?.()?.onWire(this.offer.clientVersion) ?? this.offer.clientVersion;
      pre[0] = v >> 8;
      pre[1] = v & 0xff;
      let encrypted: Uint8Array;
      try {
        encrypted = rsaEncryptPremaster(certificateSpki(this.peerChain[0]!), pre);
      } catch (e) {
        // A key OpenSSL cannot read (or not RSA) in the server's certificate; fuzzing found it becoming internal_error.
        throw new ProtocolError('bad_certificate', `the server's certificate key cannot encrypt the premaster secret: ${(e as Error).message}`, { message: 'Certificate' });
      }
      const m = this.host.send({ type: 'client_key_exchange', keyExchange: 'RSA', encryptedPreMasterSecret: encrypted, ssl3: this.version === SSL3 });
      this.transcript.add(m.raw);
      return pre;
    }
    const ske = this.ske;
    if (!ske) throw new ProtocolError('unexpected_message', 'no ServerKeyExchange before ServerHelloDone, though the suite needs one', { message: 'ServerHelloDone' });
    try {
      if (ske.keyExchange === 'ECDHE') {
        const g = this.p.keyExchange(ske.namedCurve);
        if (!g) throw new ProtocolError('illegal_parameter', `no implementation of ${groupName(ske.namedCurve)}`);
        const { share, secret } = g.start();
        const pre = g.finish(secret, ske.point);
        this.group = ske.namedCurve;
        const m = this.host.send({ type: 'client_key_exchange', keyExchange: 'ECDHE', point: share });
        this.transcript.add(m.raw);
        return pre;
      }
      const dh = customDh(ske.dhP, ske.dhG, this.p.random);
      this.host.emit({ kind: 'info', message: `DHE with the server's ${dh.bits}-bit group` });
      const pre = dh.agree(ske.dhYs);
      const m = this.host.send({ type: 'client_key_exchange', keyExchange: 'DHE', dhYc: dh.share });
      this.transcript.add(m.raw);
      return pre;
    } catch (e) {
      if (e instanceof KeyExchangeError) {
        const small = /under the minimum/.test(e.message);
        throw new ProtocolError(small ? 'handshake_failure' : 'illegal_parameter', `the server's key exchange parameters are not acceptable: ${e.message}`, { message: 'ServerKeyExchange' });
      }
      throw e;
    }
  }

  private protectors() {
    const made = protectorsFor(this.p, this.version, this.suite!, this.master!, this.offer.random, this.serverRandom, this.etm, this.host.recordForm?.());
    this.host.keySchedule?.keyBlock12(made.keyBlock);
    return made;
  }

  private sendFinished(): void {
    const vd = finishedVerifyData(this.p, this.version, this.suite!, this.master!, 'client', this.transcript.bytes());
    const fin = this.host.send({ type: 'finished', verifyData: vd });
    this.transcript.add(fin.raw);
    this.clientVerifyData = vd;
  }

  onChangeCipherSpec(): void {
    if (this.state === 'wait_ticket' && this.expectTicket)
      throw new ProtocolError('unexpected_message', 'ChangeCipherSpec before the NewSessionTicket the server promised in its ServerHello (RFC 5077 section 3.3)', { message: 'change_cipher_spec' });
    if (this.state !== 'wait_ccs') throw new ProtocolError('unexpected_message', `ChangeCipherSpec in state ${this.state}: the server switched keys before the handshake allowed it`, { message: 'change_cipher_spec' });
    this.host.setProtector12('read', this.pendingRead!);
    this.to('wait_finished');
  }

  private onFinished(fin: Finished): void {
    const expected = finishedVerifyData(this.p, this.version, this.suite!, this.master!, 'server', this.transcript.bytes());
    if (!bytesEqual(expected, fin.verifyData))
      throw new ProtocolError('decrypt_error', 'the server\'s Finished does not match our transcript and keys: a message was changed in transit, or the master secrets differ', { message: 'Finished', field: 'verify_data' });
    this.transcript.add(fin.raw);
    this.serverVerifyData = fin.verifyData;
    if (this.resumed) {
      // Abbreviated handshake: our CCS and Finished come last (RFC 5246 section 7.3, figure 2).
      const { client } = this.protectors();
      this.host.sendChangeCipherSpec();
      this.host.setProtector12('write', client);
      this.sendFinished();
    }
    this.done();
  }

  private done(): void {
    const suite = this.suite!;
    const cfg = this.host.cfg;
    if (!this.resumed || this.ticket) {
      const session: ClientSession = {
        version: this.version, cipherSuite: suite.code, psk: this.master!.slice(), ticket: this.ticket?.ticket ?? new Uint8Array(0), ticketAgeAdd: 0,
        lifetime: this.ticket?.lifetime || 7200, receivedAt: (cfg.now ?? Date.now)(), maxEarlyData: 0, sessionId: this.sessionId,
        extendedMasterSecret: this.ems, peerCertificates: this.peerChain,
        ...(cfg.serverName ? { serverName: cfg.serverName } : {}), ...(this.alpn ? { alpn: this.alpn } : {}),
      };
      if (session.ticket.length || session.sessionId!.length) cfg.onSession?.(session);
    }
    const n: NegotiatedSession = {
      version: this.version, cipherSuite: suite.code, resumed: this.resumed, helloRetry: false, peerCertificates: this.peerChain,
      ...(this.resumed ? { resumedBy: this.offer.session?.ticket.length ? 'ticket' as const : 'session-id' as const } : {}),
      ...(this.group !== undefined ? { group: this.group } : {}),
      ...(this.peerScheme !== undefined ? { signatureScheme: this.peerScheme } : {}),
      ...(this.alpn ? { alpn: this.alpn } : {}),
      ...(cfg.serverName && !isIpAddress(cfg.serverName) ? { serverName: cfg.serverName } : {}),
      ...(this.ocsp ? { ocsp: this.ocsp } : {}), ...(this.scts ? { scts: this.scts } : {}),
      legacy: { extendedMasterSecret: this.ems, encryptThenMac: this.etm, secureRenegotiation: this.secureRenegotiation, clientVerifyData: this.clientVerifyData, serverVerifyData: this.serverVerifyData },
    };
    this.to('connected');
    this.host.established(n);
  }
}

/** The handshake hash EMS uses (RFC 7627 section 3): the PRF's hash, MD5+SHA-1 before TLS 1.2. */
function hashFor(p: import('../../crypto/provider').CryptoProvider, version: number, suite: CipherSuite, messages: Uint8Array): Uint8Array {
  if (version >= TLS12) return p.hash(suite.prfHash).digest(messages);
  const out = new Uint8Array(36);
  out.set(p.hash('md5').digest(messages), 0);
  out.set(p.hash('sha1').digest(messages), 16);
  return out;
}

function keyAlgorithm(spki: Uint8Array): string {
  try {
    return decodeSpkiBytes(spki).algorithm;
  } catch {
    return 'unknown';
  }
}

/**
 * The TLS 1.2-and-older ClientHello extensions (RFC 5246 section 7.4.1.4 and the RFCs of each), and what they
 * offer. Shared by this client and the TLS 1.3 client when it offers TLS 1.2 too.
 */
export function legacyHelloExtensions(host: HandshakeHost, o: { max: number; groups: number[]; schemes: number[]; hasCbc: boolean; session?: ClientSession; renegotiatedConnection?: Uint8Array }): { extensions: Extension[]; offered: HelloOffer['ext'] } {
  const cfg = host.cfg;
  const ticket = o.session?.ticket.length ? o.session.ticket : new Uint8Array(0);
  const etm = o.hasCbc && o.max >= TLS10;
  const extensions: Extension[] = [
    ...(cfg.serverName && !isIpAddress(cfg.serverName) ? [ext.serverName([cfg.serverName])] : []),
    ext.renegotiationInfo(o.renegotiatedConnection ?? new Uint8Array(0)),
    ext.supportedGroups(o.groups.filter((g) => g < 0x0200 || (g >= 0x0100 && g <= 0x01ff))),
    ext.ecPointFormats([0]),
    ...(cfg.sessionTickets === false ? [] : [ext.sessionTicket(ticket)]),
    ...(o.max >= TLS12 ? [ext.signatureAlgorithms(o.schemes)] : []),
    ...(cfg.heartbeat ? [ext.heartbeat()] : []),
    ...(cfg.alpn?.length ? [ext.alpn(cfg.alpn)] : []),
    ...(cfg.requestOcsp ? [ext.statusRequest()] : []),
    ...(cfg.requestScts ? [ext.sctRequest()] : []),
    ...(etm ? [ext.encryptThenMac()] : []),
    ext.extendedMasterSecret(),
  ];
  return { extensions, offered: { ems: true, etm, ticket: cfg.sessionTickets !== false, status: !!cfg.requestOcsp, sct: !!cfg.requestScts, ...(cfg.alpn?.length ? { alpn: cfg.alpn } : {}) } };
}
