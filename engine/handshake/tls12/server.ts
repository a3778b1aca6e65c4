// The TLS 1.2 / 1.1 / 1.0 / SSL 3.0 server (RFC 5246 section 7.3). It takes over from the TLS 1.3 server when
// version negotiation settles below TLS 1.3. States:
//   full:        (ClientHello) -> [wait_cert] -> wait_cke -> [wait_cv] -> wait_ccs -> wait_finished -> connected
//   abbreviated: (ClientHello, resumable ticket or session ID) -> wait_ccs -> wait_finished -> connected
import { wipe } from '../../util/wipe';
import { ProtocolError } from '../../conn/errors';
import { DEFAULT_GROUPS, DEFAULT_SIGNATURE_SCHEMES } from '../../conn/config';
import type { HandshakeDriver, HandshakeHost } from '../../conn/connection';
import type { NegotiatedSession } from '../../conn/types';
import { KeyExchangeError, type KeyExchangeSecret } from '../../crypto/provider';
import { ffdhePrime } from '../../crypto/noble';
import { ext, type Extension } from '../../msgs/extensions';
import { DOWNGRADE_TLS11, DOWNGRADE_TLS12, type Certificate, type ClientHello, type DecodeOptions, type Finished, type Handshake } from '../../msgs/handshake';
import { encodeServerKeyExchangeParams, serverKeyExchangeSignedContent, type CertificateVerify12, type ClientKeyExchange } from '../../msgs/handshake12';
import { groupName, NamedGroup } from '../../registry/groups';
import { sigSchemeName } from '../../registry/sigschemes';
import { suiteByCode, suiteName, type CipherSuite } from '../../registry/suites';
import { versionName } from '../../registry/versions';
import { certificateSpki } from '../../x509/certificate';
import { decodeSpkiBytes } from '../../x509/public-key';
import { loadCert } from '../../x509/verify/cert';
import { bytesEqual, unexpected } from '../tls13/common';
import { DEFAULT_SUITES_12, EMPTY_RENEGOTIATION_INFO_SCSV, FALLBACK_SCSV, kxOf, protectorsFor, signFor, suiteFitsKey, Transcript12, verifyFor, type PreviousHandshake } from './common';
import { extendedMasterSecret, finishedVerifyData, masterSecret, SSL3, TLS12 } from './prf';
import { openTicket12, sealTicket12, type SessionState12 } from './session';
import type { Tls12Protector } from '../../record/protect12';

export type Server12State = 'wait_ch' | 'wait_cert' | 'wait_cke' | 'wait_cv' | 'wait_ccs' | 'wait_finished' | 'connected';

const FFDHE = [NamedGroup.ffdhe2048, NamedGroup.ffdhe3072, NamedGroup.ffdhe4096, NamedGroup.ffdhe6144, NamedGroup.ffdhe8192] as number[];

export class Server12 implements HandshakeDriver {
  state: Server12State = 'wait_ch';
  private readonly p;
  private readonly transcript = new Transcript12();
  private version = TLS12;
  private suite?: CipherSuite;
  private ch!: ClientHello;
  private serverRandom: Uint8Array = new Uint8Array(32);
  private sessionId: Uint8Array = new Uint8Array(0);
  private ems = false;
  private etm = false;
  private sendTicket = false;
  private resumed = false;
  private alpn?: string;
  private group?: number;
  private kxSecret?: KeyExchangeSecret;
  private scheme?: number;
  private requestedCert = false;
  private requestedSchemes?: number[];
  private peerChain: Uint8Array[] = [];
  private master?: Uint8Array;
  private pendingRead?: Tls12Protector;
  private clientVerifyData: Uint8Array = new Uint8Array(0);
  private serverVerifyData: Uint8Array = new Uint8Array(0);

  /** Set when this handshake renegotiates an established connection (RFC 5746). */
  private previous?: PreviousHandshake;
  private ourMax = TLS12;
  /** We sent a HelloRequest and wait for the client's ClientHello. */
  private askedToRenegotiate = false;

  constructor(private readonly host: HandshakeHost) {
    this.p = host.cfg.provider;
  }

  get handshaking(): boolean {
    return this.state !== 'connected';
  }

  /** Server-initiated renegotiation (RFC 5246 section 7.4.1.1): a HelloRequest; the client answers with a ClientHello. */
  requestRenegotiation(): void {
    if (this.state !== 'connected') throw new Error(`cannot renegotiate in state ${this.state}: the handshake is not done`);
    if (!this.secureRenegotiation()) throw new Error('the client does not support secure renegotiation (RFC 5746)');
    this.askedToRenegotiate = true;
    this.host.send({ type: 'hello_request' });
  }

  private secureRenegotiation(): boolean {
    return this.ch.ext.renegotiationInfo !== undefined || this.ch.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV);
  }

  /** A ClientHello on an established connection: a new Server12 runs the renegotiation, bound to this handshake. */
  private onRenegotiation(ch: ClientHello): void {
    const allowed = this.askedToRenegotiate || this.host.cfg.renegotiation === true;
    const prev = { version: this.version, clientVerifyData: this.clientVerifyData, serverVerifyData: this.serverVerifyData };
    if (!this.secureRenegotiation() || !allowed || !ch.ext.renegotiationInfo || !bytesEqual(ch.ext.renegotiationInfo, prev.clientVerifyData)) {
      const why = !this.secureRenegotiation() ? 'the client lacks secure renegotiation (RFC 5746)' : !allowed ? 'client-initiated renegotiation is off (as in OpenSSL 3)' : 'its renegotiation_info does not carry our last client Finished (RFC 5746 section 3.7)';
      if (allowed && this.secureRenegotiation()) throw new ProtocolError('handshake_failure', `renegotiation refused: ${why}`, { message: 'ClientHello', field: 'renegotiation_info' });
      this.host.emit({ kind: 'info', message: `the client asked to renegotiate; declined with a no_renegotiation warning: ${why}` });
      this.host.sendWarning('no_renegotiation');
      return;
    }
    const next = new Server12(this.host);
    next.previous = prev;
    this.host.replaceDriver(next);
    this.host.emit({ kind: 'info', message: 'renegotiating: a new full handshake under the current keys, bound to the last one (RFC 5746)' });
    next.onClientHello(ch, this.version, this.ourMax);
  }

  private to(s: Server12State): void {
    this.host.setState(s);
    this.state = s;
  }

  acceptsCompatCcs(): boolean {
    return false;
  }

  decodeOptions(): DecodeOptions {
    return { version: 'tls12', protocolVersion: this.version, ...(this.suite ? { keyExchange: kxOf(this.suite) } : {}) };
  }

  /** Zeroes our master secret (util/wipe.ts); sessions kept for resumption hold their own copy until they expire. */
  wipe(): void {
    wipe(this.master);
  }

  start(): void {
    // Started by the TLS 1.3 server with the ClientHello (fromClientHello).
  }

  /** Takes over a connection whose ClientHello negotiated `version` (below TLS 1.3), and answers it. */
  static fromClientHello(host: HandshakeHost, ch: ClientHello, version: number, ourMax: number): Server12 {
    const s = new Server12(host);
    host.replaceDriver(s); // before answering: what we send is traced with this driver's message shapes
    s.onClientHello(ch, version, ourMax);
    return s;
  }

  handle(msg: Handshake): void {
    switch (this.state) {
      case 'wait_cert':
        if (msg.type === 'certificate') return this.onCertificate(msg);
        throw unexpected(this.state, msg, ['Certificate']);
      case 'wait_cke':
        if (msg.type === 'client_key_exchange') return this.onClientKeyExchange(msg);
        throw unexpected(this.state, msg, ['ClientKeyExchange']);
      case 'wait_cv':
        if (msg.type === 'certificate_verify12') return this.onCertificateVerify(msg);
        throw unexpected(this.state, msg, ['CertificateVerify']);
      case 'wait_finished':
        if (msg.type === 'finished') return this.onFinished(msg);
        throw unexpected(this.state, msg, ['Finished']);
      case 'connected':
        if (msg.type === 'client_hello') return this.onRenegotiation(msg);
        throw unexpected(this.state, msg, []);
      default:
        throw unexpected(this.state, msg, []);
    }
  }

  private onClientHello(ch: ClientHello, version: number, ourMax: number): void {
    const cfg = this.host.cfg;
    this.ch = ch;
    this.ourMax = ourMax;
    const prev = this.previous;
    if (prev && ch.legacyVersion < prev.version)
      throw new ProtocolError('protocol_version', `the renegotiation ClientHello offers ${versionName(ch.legacyVersion)}, below the ${versionName(prev.version)} in use`, { message: 'ClientHello' });
    this.version = version;
    this.host.setLegacyVersion(version);
    this.transcript.add(ch.raw);
    // RFC 7507: a client retrying with a lower version than it could, to a server that speaks higher, is being downgraded.
    if (ch.cipherSuites.includes(FALLBACK_SCSV) && version < Math.min(ourMax, TLS12 + 1) && version < ourMax)
      throw new ProtocolError('inappropriate_fallback', `the client signalled TLS_FALLBACK_SCSV while offering ${versionName(version)}, but we support ${versionName(ourMax)}: an attacker may be forcing the downgrade (RFC 7507)`, { message: 'ClientHello', field: 'cipher_suites' });
    if (!ch.legacyCompressionMethods.includes(0))
      throw new ProtocolError('illegal_parameter', 'the ClientHello does not offer the null compression method (RFC 5246 section 7.4.1.2)', { message: 'ClientHello', field: 'compression_methods' });
    const e = ch.ext;
    if (!prev && e.renegotiationInfo !== undefined && e.renegotiationInfo.length !== 0)
      throw new ProtocolError('handshake_failure', 'the initial ClientHello\'s renegotiation_info is not empty (RFC 5746 section 3.6)', { message: 'ClientHello', field: 'renegotiation_info' });
    if (prev && ch.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV))
      throw new ProtocolError('handshake_failure', 'the renegotiation ClientHello carries the SCSV (RFC 5746 section 3.7)', { message: 'ClientHello', field: 'cipher_suites' });
    const secureReneg = e.renegotiationInfo !== undefined || ch.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV);
    // RFC 5746 section 3.7: in a renegotiation the extension carries both verify_data of the handshake before.
    const renegInfo = prev ? new Uint8Array([...prev.clientVerifyData, ...prev.serverVerifyData]) : new Uint8Array(0);

    // Resumption first: a ticket we sealed, for this version and a suite the client still offers (RFC 5077 section 3.1).
    const resumable = prev ? undefined : this.resumable(ch, version);
    const signer = cfg.signer;
    const suite = resumable ? suiteByCode(resumable.cipherSuite)! : this.chooseSuite(ch, version);
    this.suite = suite;
    this.ems = e.extendedMasterSecret !== undefined;
    this.etm = e.encryptThenMac !== undefined && suite.mac !== 'AEAD' && version !== SSL3;
    this.sendTicket = e.sessionTicket !== undefined && !!cfg.ticketKey && (cfg.ticketsToSend ?? 1) > 0;
    if (e.alpn?.length && cfg.alpn?.length) {
      this.alpn = cfg.alpn.find((p) => e.alpn!.includes(p));
      if (!this.alpn) throw new ProtocolError('no_application_protocol', `the client offers ALPN ${e.alpn.join(', ')}; we accept only ${cfg.alpn.join(', ')}`, { message: 'ClientHello', field: 'application_layer_protocol_negotiation' });
    }
    this.serverRandom = this.p.random(32);
    // RFC 8446 section 4.1.3: a server able to speak TLS 1.3 that negotiates lower marks its random.
    if (ourMax >= 0x0304) this.serverRandom.set(version === TLS12 ? DOWNGRADE_TLS12 : DOWNGRADE_TLS11, 24);
    else if (ourMax === TLS12 && version < TLS12) this.serverRandom.set(DOWNGRADE_TLS11, 24);

    if (resumable) {
      if (resumable.extendedMasterSecret && !this.ems)
        throw new ProtocolError('handshake_failure', 'the client resumes an extended-master-secret session without the extension (RFC 7627 section 5.3)', { message: 'ClientHello', field: 'extended_master_secret' });
      this.resumed = true;
      this.master = resumable.masterSecret.slice(); // ours to wipe; the cache keeps its own
      this.peerChain = resumable.peerCertificates;
      // RFC 5077 section 3.4: the server echoes the client's session ID to say it accepted the ticket.
      this.sessionId = ch.legacySessionId;
    } else {
      // RFC 5077 section 3.3: with a ticket to issue, the session ID may stay empty; otherwise one for our cache.
      this.sessionId = this.sendTicket || !cfg.sessionCache ? new Uint8Array(0) : this.p.random(32);
    }
    const extensions: Extension[] = [
      ...(secureReneg ? [ext.renegotiationInfo(renegInfo)] : []),
      ...(this.ems ? [ext.extendedMasterSecret()] : []),
      ...(this.etm ? [ext.encryptThenMac()] : []),
      ...(this.sendTicket ? [ext.sessionTicket(new Uint8Array(0))] : []),
      ...(this.alpn ? [ext.alpn([this.alpn])] : []),
      ...(e.ecPointFormats && suite.kx === 'ECDHE' ? [ext.ecPointFormats([0])] : []),
      ...(!this.resumed && e.serverName?.length ? [ext.serverNameAck()] : []),
      ...(!this.resumed && this.stapling() ? [ext.statusRequestEmpty()] : []),
      ...(!this.resumed && e.signedCertificateTimestamp && cfg.scts?.length ? [ext.sctList(cfg.scts)] : []),
    ];
    const sh = this.host.send({ type: 'server_hello', legacyVersion: version, random: this.serverRandom, legacySessionIdEcho: this.sessionId, cipherSuite: suite.code, extensions });
    this.transcript.add(sh.raw);
    this.host.emit({ kind: 'info', message: `${versionName(version)} with ${suite.iana} (OpenSSL: ${suite.openssl})${this.ems ? ', extended master secret' : ''}${this.etm ? ', encrypt-then-MAC' : ''}${this.resumed ? ', resuming a session' : ''}` });

    if (this.resumed) {
      this.host.keyLog('CLIENT_RANDOM', this.master!);
      this.host.keySchedule?.master12({ version, suite, clientRandom: this.ch.random, serverRandom: this.serverRandom, masterSecret: this.master!, resumed: true });
      const { client, server } = this.protectors();
      this.pendingRead = client;
      if (this.sendTicket) this.issueTicket();
      this.host.sendChangeCipherSpec();
      this.host.setProtector12('write', server);
      this.sendFinished();
      return this.to('wait_ccs');
    }
    if (!signer || !cfg.certificateChain?.length) throw new ProtocolError('internal_error', 'no certificate and key configured for TLS 1.2', { message: 'ClientHello' });
    const cert = this.host.send({ type: 'certificate', form: 'tls12', certificateList: cfg.certificateChain.map((data) => ({ data })) });
    this.transcript.add(cert.raw);
    const staple = this.stapling();
    if (staple) {
      const cs = this.host.send({ type: 'certificate_status', ocspResponse: staple });
      this.transcript.add(cs.raw);
    }
    if (suite.kx !== 'RSA') this.sendServerKeyExchange(suite);
    if ((cfg.clientAuth ?? 'none') !== 'none') {
      this.requestedCert = true;
      this.requestedSchemes = version >= TLS12 ? (cfg.clientSignatureSchemes ?? cfg.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES) : undefined;
      const cr = this.host.send({ type: 'certificate_request12', certificateTypes: [1, 64], ...(this.requestedSchemes ? { supportedSignatureAlgorithms: this.requestedSchemes } : {}), certificateAuthorities: cfg.certificateAuthorities ?? [] });
      this.transcript.add(cr.raw);
    }
    const done = this.host.send({ type: 'server_hello_done' });
    this.transcript.add(done.raw);
    this.to(this.requestedCert ? 'wait_cert' : 'wait_cke');
  }

  private stapling(): Uint8Array | undefined {
    const r = this.host.cfg.ocspResponse;
    return this.ch.ext.statusRequest?.statusType === 1 && r?.length ? r : undefined;
  }

  /** A session the client offers by ticket that we can open, or by an ID in our cache, and still use. */
  private resumable(ch: ClientHello, version: number): SessionState12 | undefined {
    const cfg = this.host.cfg;
    const t = ch.ext.sessionTicket;
    if (!t?.length && ch.legacySessionId.length && cfg.sessionCache) {
      const st = cfg.sessionCache.get(ch.legacySessionId, (cfg.now ?? Date.now)());
      if (st && st.version === version && ch.cipherSuites.includes(st.cipherSuite)) return st;
      if (st) this.host.emit({ kind: 'info', message: 'the client offered a cached session for another version or suite: a full handshake' });
      return undefined;
    }
    if (!t?.length || !cfg.ticketKey) return undefined;
    const st = openTicket12(this.p, cfg.ticketKey, t);
    const now = (cfg.now ?? Date.now)();
    if (!st) {
      this.host.emit({ kind: 'info', message: 'the client offered a session ticket we cannot open (not ours, or damaged): a full handshake' });
      return undefined;
    }
    if (st.version !== version || !ch.cipherSuites.includes(st.cipherSuite) || now - st.issuedAt > st.lifetime * 1000 || !ch.legacySessionId.length) {
      this.host.emit({ kind: 'info', message: 'the client\'s session ticket is for another version or suite, or has expired: a full handshake' });
      return undefined;
    }
    return st;
  }

  /** Server preference among the suites the client offers, that fit our key, version and groups (RFC 5246 section 7.4.1.3). */
  private chooseSuite(ch: ClientHello, version: number): CipherSuite {
    const cfg = this.host.cfg;
    const keyKind = cfg.signer?.keyKind;
    const groups = ch.ext.supportedGroups;
    const ours = cfg.groups ?? DEFAULT_GROUPS;
    const cert = certificateFacts(cfg.certificateChain?.[0]);
    for (const code of cfg.cipherSuites12 ?? DEFAULT_SUITES_12) {
      if (!ch.cipherSuites.includes(code)) continue;
      const s = suiteByCode(code);
      if (!s || !suiteFitsKey(s, version, keyKind)) continue;
      // RFC 8422 section 5.1: an ECDSA certificate's curve must be one the client lists.
      if (s.auth === 'ECDSA' && groups && cert.curveGroup !== undefined && !groups.includes(cert.curveGroup)) continue;
      // RFC 5246 section 7.4.2 / RFC 5280 4.2.1.3: RSA key exchange needs keyEncipherment, signing needs
      // digitalSignature. OpenSSL's servers do not enforce it, so neither do we, but we say so: strict clients
      // (GnuTLS) refuse the handshake with "key usage violation".
      const needs = s.kx === 'RSA' ? 'Key Encipherment' : 'Digital Signature';
      if (cert.keyUsage && !cert.keyUsage.includes(needs))
        this.host.emit({ kind: 'info', message: `our certificate's keyUsage (${cert.keyUsage.join(', ')}) lacks ${needs}, which ${s.openssl} needs (RFC 5246 section 7.4.2): OpenSSL and node:tls clients accept it anyway, strict ones such as GnuTLS refuse the handshake` });
      if (s.kx === 'ECDHE') {
        // RFC 8422 section 4: without supported_groups the client is assumed to take P-256.
        const g = groups ? ours.find((x) => groups.includes(x) && !FFDHE.includes(x) && this.p.keyExchange(x) && x < 0x0200) : NamedGroup.secp256r1;
        if (g === undefined) continue;
        this.group = g;
      } else if (s.kx === 'DHE') {
        // RFC 7919 section 4: a named FFDHE group the client listed, else ffdhe2048.
        const g = groups ? ours.find((x) => groups.includes(x) && FFDHE.includes(x)) : undefined;
        this.group = g ?? NamedGroup.ffdhe2048;
      }
      return s;
    }
    throw new ProtocolError('handshake_failure', `no cipher suite in common for ${versionName(version)} with our ${keyKind ?? 'missing'} key: the client offers ${ch.cipherSuites.map((c) => suiteName(c)).join(', ')}`, { message: 'ClientHello', field: 'cipher_suites' });
  }

  private sendServerKeyExchange(suite: CipherSuite): void {
    const g = this.p.keyExchange(this.group!);
    if (!g) throw new ProtocolError('internal_error', `no implementation of ${groupName(this.group!)}`);
    const { share, secret } = g.start();
    this.kxSecret = secret;
    const params = suite.kx === 'ECDHE'
      ? { keyExchange: 'ECDHE' as const, namedCurve: this.group!, point: share }
      : { keyExchange: 'DHE' as const, dhP: ffdhePrimeBytes(this.group!), dhG: new Uint8Array([2]), dhYs: share };
    const content = serverKeyExchangeSignedContent(this.ch.random, this.serverRandom, encodeServerKeyExchangeParams(params));
    const signed = signFor(this.host.cfg.signer!, this.version, this.ch.ext.signatureAlgorithms, content, 'ServerKeyExchange');
    this.scheme = signed.algorithm;
    const ske = this.host.send({ type: 'server_key_exchange', ...params, ...signed });
    this.transcript.add(ske.raw);
  }

  private onCertificate(cert: Certificate): void {
    this.transcript.add(cert.raw);
    this.peerChain = cert.certificateList.map((e) => e.data);
    if (!this.peerChain.length) {
      if (this.host.cfg.clientAuth === 'require')
        throw new ProtocolError('handshake_failure', 'the client sent no certificate, and we require one (RFC 5246 section 7.4.6)', { message: 'Certificate' });
      this.host.emit({ kind: 'info', message: 'the client sent no certificate (it had none to offer)' });
    } else {
      try {
        certificateSpki(this.peerChain[0]!);
      } catch (e) {
        throw new ProtocolError('bad_certificate', `the client's certificate does not parse: ${(e as Error).message}`, { message: 'Certificate' });
      }
      const verdict = this.host.cfg.verifyPeer?.(this.peerChain, undefined);
      if (verdict && !verdict.ok) throw new ProtocolError(verdict.alert ?? 'bad_certificate', `client certificate verification failed: ${verdict.reason}`, { message: 'Certificate' });
    }
    this.to('wait_cke');
  }

  private onClientKeyExchange(cke: ClientKeyExchange): void {
    const suite = this.suite!;
    let premaster: Uint8Array;
    try {
      if (cke.keyExchange === 'RSA') {
        const decrypt = this.host.cfg.signer?.decryptPremaster;
        if (!decrypt) throw new ProtocolError('internal_error', 'the RSA key exchange needs an RSA key');
        const offered = this.host.recordForm?.()?.onWire(this.ch.legacyVersion) ?? this.ch.legacyVersion;
        premaster = decrypt(cke.encryptedPreMasterSecret, offered, (n) => this.p.random(n));
      } else if (cke.keyExchange === 'ECDHE') {
        premaster = this.p.keyExchange(this.group!)!.finish(this.kxSecret!, cke.point);
      } else {
        const len = ffdhePrimeBytes(this.group!).length;
        if (cke.dhYc.length > len) throw new KeyExchangeError('dh_Yc is longer than the prime');
        const padded = new Uint8Array(len);
        padded.set(cke.dhYc, len - cke.dhYc.length);
        const z = this.p.keyExchange(this.group!)!.finish(this.kxSecret!, padded);
        // RFC 5246 section 8.1.2: leading zero bytes of Z are stripped before it is used as the premaster.
        let i = 0;
        while (i < z.length - 1 && z[i] === 0) i++;
        premaster = z.subarray(i);
      }
    } catch (e) {
      if (e instanceof KeyExchangeError) throw new ProtocolError('illegal_parameter', `the client's key exchange value is invalid: ${e.message}`, { message: 'ClientKeyExchange' });
      throw e;
    }
    this.transcript.add(cke.raw);
    const sessionHash = this.ems ? emsHash(this.p, this.version, suite, this.transcript.bytes()) : undefined;
    this.master = sessionHash
      ? extendedMasterSecret(this.p, this.version, suite, premaster, sessionHash)
      : masterSecret(this.p, this.version, suite, premaster, this.ch.random, this.serverRandom);
    this.host.keySchedule?.master12({ version: this.version, suite, preMasterSecret: premaster, clientRandom: this.ch.random, serverRandom: this.serverRandom, ...(sessionHash ? { sessionHash } : {}), masterSecret: this.master });
    this.host.keyLog('CLIENT_RANDOM', this.master);
    const { client } = this.protectors();
    this.pendingRead = client;
    this.to(this.peerChain.length ? 'wait_cv' : 'wait_ccs');
  }

  private onCertificateVerify(cv: CertificateVerify12): void {
    if (this.version >= TLS12 && (cv.algorithm === undefined || !this.requestedSchemes?.includes(cv.algorithm)))
      throw new ProtocolError('illegal_parameter', `the client signed with ${cv.algorithm === undefined ? 'no algorithm' : sigSchemeName(cv.algorithm)}, which we did not list in our CertificateRequest`, { message: 'CertificateVerify', field: 'algorithm' });
    if (!verifyFor(this.p, this.version, cv.algorithm, certificateSpki(this.peerChain[0]!), this.transcript.bytes(), cv.signature))
      throw new ProtocolError('decrypt_error', 'the client\'s CertificateVerify does not verify under its certificate\'s key', { message: 'CertificateVerify', field: 'signature' });
    this.transcript.add(cv.raw);
    this.to('wait_ccs');
  }

  onChangeCipherSpec(): void {
    if (this.state !== 'wait_ccs') throw new ProtocolError('unexpected_message', `ChangeCipherSpec in state ${this.state}: the client switched keys before the handshake allowed it`, { message: 'change_cipher_spec' });
    this.host.setProtector12('read', this.pendingRead!);
    this.to('wait_finished');
  }

  private onFinished(fin: Finished): void {
    const expected = finishedVerifyData(this.p, this.version, this.suite!, this.master!, 'client', this.transcript.bytes());
    if (!bytesEqual(expected, fin.verifyData))
      throw new ProtocolError('decrypt_error', 'the client\'s Finished does not match our transcript and keys: a message was changed in transit, or the master secrets differ', { message: 'Finished', field: 'verify_data' });
    this.transcript.add(fin.raw);
    this.clientVerifyData = fin.verifyData;
    if (!this.resumed) {
      if (this.sendTicket) this.issueTicket();
      else if (this.sessionId.length && this.host.cfg.sessionCache) {
        const now = (this.host.cfg.now ?? Date.now)();
        this.host.cfg.sessionCache.set(this.sessionId, { version: this.version, cipherSuite: this.suite!.code, masterSecret: this.master!.slice(), extendedMasterSecret: this.ems, issuedAt: now, lifetime: 7200, peerCertificates: this.peerChain }, now);
      }
      const { server } = this.protectors();
      this.host.sendChangeCipherSpec();
      this.host.setProtector12('write', server);
      this.sendFinished();
    }
    this.done();
  }

  private issueTicket(): void {
    const cfg = this.host.cfg;
    const lifetime = 7200;
    const ticket = sealTicket12(this.p, cfg.ticketKey!, {
      version: this.version, cipherSuite: this.suite!.code, masterSecret: this.master!.slice(), extendedMasterSecret: this.ems,
      issuedAt: (cfg.now ?? Date.now)(), lifetime, peerCertificates: this.peerChain,
    });
    const nst = this.host.send({ type: 'new_session_ticket12', ticketLifetimeHint: lifetime, ticket });
    this.transcript.add(nst.raw);
  }

  private protectors() {
    const made = protectorsFor(this.p, this.version, this.suite!, this.master!, this.ch.random, this.serverRandom, this.etm, this.host.recordForm?.());
    this.host.keySchedule?.keyBlock12(made.keyBlock);
    return made;
  }

  private sendFinished(): void {
    const vd = finishedVerifyData(this.p, this.version, this.suite!, this.master!, 'server', this.transcript.bytes());
    const fin = this.host.send({ type: 'finished', verifyData: vd });
    this.transcript.add(fin.raw);
    this.serverVerifyData = vd;
  }

  private done(): void {
    const n: NegotiatedSession = {
      version: this.version, cipherSuite: this.suite!.code, resumed: this.resumed, helloRetry: false, peerCertificates: this.peerChain,
      ...(this.resumed ? { resumedBy: this.ch.ext.sessionTicket?.length ? 'ticket' as const : 'session-id' as const } : {}),
      ...(this.group !== undefined && !this.resumed ? { group: this.group } : {}),
      ...(this.scheme !== undefined ? { signatureScheme: this.scheme } : {}),
      ...(this.alpn ? { alpn: this.alpn } : {}),
      ...(this.ch.ext.serverName?.[0] ? { serverName: this.ch.ext.serverName[0] } : {}),
      legacy: { extendedMasterSecret: this.ems, encryptThenMac: this.etm, secureRenegotiation: this.ch.ext.renegotiationInfo !== undefined || this.ch.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV), clientVerifyData: this.clientVerifyData, serverVerifyData: this.serverVerifyData },
    };
    this.to('connected');
    this.host.established(n);
  }
}

function emsHash(p: import('../../crypto/provider').CryptoProvider, version: number, suite: CipherSuite, messages: Uint8Array): Uint8Array {
  if (version >= TLS12) return p.hash(suite.prfHash).digest(messages);
  const out = new Uint8Array(36);
  out.set(p.hash('md5').digest(messages), 0);
  out.set(p.hash('sha1').digest(messages), 16);
  return out;
}

function ffdhePrimeBytes(group: number): Uint8Array {
  const name = groupName(group).toLowerCase() as Parameters<typeof ffdhePrime>[0];
  return ffdhePrime(name);
}

/** What suite choice needs from our certificate: its EC curve as a NamedGroup, and its keyUsage if it has one. */
const factsCache = new WeakMap<Uint8Array, { curveGroup?: number; keyUsage?: string[] }>();

function certificateFacts(der: Uint8Array | undefined): { curveGroup?: number; keyUsage?: string[] } {
  if (!der) return {};
  const hit = factsCache.get(der);
  if (hit) return hit;
  const facts = readFacts(der);
  factsCache.set(der, facts); // a server answers many ClientHellos with one certificate: parse it once
  return facts;
}

function readFacts(der: Uint8Array): { curveGroup?: number; keyUsage?: string[] } {
  try {
    const c = loadCert(der);
    const curve = decodeSpkiBytes(c.spki).curve;
    const curveGroup = curve === 'P-256' ? NamedGroup.secp256r1 : curve === 'P-384' ? NamedGroup.secp384r1 : curve === 'P-521' ? NamedGroup.secp521r1 : undefined;
    return { ...(curveGroup !== undefined ? { curveGroup } : {}), ...(c.keyUsage ? { keyUsage: c.keyUsage } : {}) };
  } catch {
    return {};
  }
}
