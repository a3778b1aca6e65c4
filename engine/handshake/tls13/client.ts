// The TLS 1.3 client (RFC 8446 sections 2, 4 and appendix A.1). States, in order:
//   start -> wait_sh -> wait_ee -> wait_cert_cr -> wait_cert -> wait_cv -> wait_finished -> connected
// (wait_sh is entered again after a HelloRetryRequest). Each handler checks what RFC 8446 requires of the
// message, chooses the alert where the fault is seen, and says in plain words what went wrong.
// 0-RTT (sections 2.3, 4.2.10): with a resumable session whose ticket allows it, `earlyData` goes out right
// after the ClientHello under client_early_traffic_secret; if the server accepts it, EndOfEarlyData precedes
// our Finished; if not, it is reported as rejected and never resent by us. Post-handshake authentication
// (section 4.6.2): in `connected`, a CertificateRequest is answered with Certificate, CertificateVerify and
// Finished under the application keys, over the transcript up to our Finished plus that request.
import { wipe } from '../../util/wipe';
import { concatBytes } from '../../util/hex';
import { certificateSpki } from '../../x509/certificate';
import { unlistedCertificateSignatures } from '../cert-signatures';
import type { KeyExchangeSecret, Signer } from '../../crypto/provider';
import { KeyExchangeError } from '../../crypto/provider';
import { ProtocolError, Suspend } from '../../conn/errors';
import { DEFAULT_GROUPS, DEFAULT_SIGNATURE_SCHEMES, DEFAULT_SUITES } from '../../conn/config';
import type { HandshakeDriver, HandshakeHost } from '../../conn/connection';
import { ext, type Extension, type KeyShareEntry } from '../../msgs/extensions';
import { MAX_RECORD_SIZE_LIMIT_13 } from '../../conn/config';
import type { OcspInfo } from '../../conn/types';
import { decodeOcspResponse, ocspSummary } from '../../x509/ocsp';
import { decodeSct, type SctInfo } from '../../x509/sct';
import { decodeName } from '../../x509/name';
import * as asn1js from 'asn1js';
import type { Certificate, CertificateRequest, CertificateVerify, EncryptedExtensions, Finished, Handshake, HelloRetryRequest, NewSessionTicket, ServerHello } from '../../msgs/handshake';
import { groupName } from '../../registry/groups';
import { sigSchemeName } from '../../registry/sigschemes';
import { suiteByCode, suiteName, type CipherSuite } from '../../registry/suites';
import { Transcript } from '../transcript';
import { certificateVerifyContent, bytesEqual, isIpAddress, unexpected, receiveKeyUpdate, sendKeyUpdate } from './common';
import type { NegotiatedSession } from '../../conn/types';
import { EarlySecret, finishedVerifyData, resumptionPsk, type HandshakeSecret, type MasterSecret } from './key-schedule';
import { decodeHandshake, encodeHandshake, patchBinders, truncateForBinders, type ClientHello } from '../../msgs/handshake';
import { obfuscatedAge, sessionUsable, type ClientSession } from '../../conn/session-ticket';
import { Client12, legacyHelloExtensions, type HelloOffer } from '../tls12/client';
import { DEFAULT_SUITES_12 } from '../tls12/common';
import { suiteAllowed } from '../tls12/prf';
import { ExtensionType } from '../../registry/extensions';
import { versionName } from '../../registry/versions';
import { EchClient, ECH_SHARED_EXTENSIONS } from '../../ech/client';

export type Client13State = 'start' | 'wait_sh' | 'wait_ee' | 'wait_cert_cr' | 'wait_cert' | 'wait_cv' | 'wait_finished' | 'connected';

const TLS13 = 0x0304;

export class Client13 implements HandshakeDriver {
  state: Client13State = 'start';
  private readonly p;
  /** The handshake transcript; with ECH, the inner one until the server rejects ECH, then the outer one. */
  private transcript;
  private random: Uint8Array = new Uint8Array(32);
  private sessionId: Uint8Array = new Uint8Array(0);
  private shares = new Map<number, KeyExchangeSecret>();
  private offeredSuites: number[];
  private offeredGroups: number[];
  private offeredSchemes: number[];
  private helloRetry?: HelloRetryRequest;
  private suite?: CipherSuite;
  private group?: number;
  private hs?: HandshakeSecret;
  private master?: MasterSecret;
  private clientHsSecret?: Uint8Array;
  private serverHsSecret?: Uint8Array;
  private clientAppSecret?: Uint8Array;
  private serverAppSecret?: Uint8Array;
  private peerChain: Uint8Array[] = [];
  private certRequest?: CertificateRequest;
  /** A client identity from the client certificate callback (SSL_CTX_set_client_cert_cb). */
  private callbackIdentity?: { certificateChain: Uint8Array[]; signer: Signer } | null;
  private peerScheme?: number;
  private alpn?: string;
  /** The session offered for resumption, if any, and whether the server took it. */
  private offered?: ClientSession;
  private resumed = false;
  private resumptionSecret?: Uint8Array;
  /** 0-RTT offered with the session (the data and the session's suite, whose keys protect it). */
  private early?: { data: Uint8Array; suite: CipherSuite };
  private earlyStatus: NonNullable<NegotiatedSession['earlyData']> = 'not offered';
  /** Appendix D.4: the one compatibility change_cipher_spec has been sent. */
  private sentCcs = false;
  /** We sent post_handshake_auth (RFC 8446 section 4.2.6). */
  private offeredPha = false;
  private ocsp?: OcspInfo;
  private scts?: SctInfo[];
  private recordLimits?: { ours: number; peer: number };
  private certificateAuthorities?: string[];
  /** The first ClientHello as sent: a TLS 1.2 server's transcript starts with it. */
  private firstHello?: Uint8Array;
  private firstHelloExtensions: number[] = [];
  /** Encrypted Client Hello (RFC 9849 section 6): offered, GREASE, then accepted or rejected. */
  private ech?: EchClient;

  /** Lowest version offered: below TLS 1.3, the hello offers TLS 1.2 and older too, and a TLS 1.2 answer goes to Client12. */
  private readonly minVersion: number;
  /** What the ClientHello offered for TLS 1.2 and older, when it did. */
  private legacyOffer?: Omit<HelloOffer, 'raw' | 'extensionTypes'>;

  constructor(private readonly host: HandshakeHost) {
    this.p = host.cfg.provider;
    this.transcript = new Transcript(this.p);
    // RFC 9849 section 6.1: a ClientHelloInner offers nothing below TLS 1.3, and our ClientHelloOuter neither.
    this.minVersion = host.cfg.ech?.configs ? 0x0304 : host.cfg.minVersion ?? 0x0303;
    const suites13 = host.cfg.cipherSuites ?? DEFAULT_SUITES;
    this.offeredSuites = this.minVersion <= 0x0303
      ? [...suites13, ...(host.cfg.cipherSuites12 ?? DEFAULT_SUITES_12).filter((c) => { const s = suiteByCode(c); return !!s && s.versions !== 'tls13' && suiteAllowed(0x0303, s); })]
      : suites13;
    this.offeredGroups = host.cfg.groups ?? DEFAULT_GROUPS;
    this.offeredSchemes = host.cfg.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES;
  }

  private to(s: Client13State): void {
    this.host.setState(s);
    this.state = s;
  }

  acceptsCompatCcs(): boolean {
    return this.state !== 'start' && this.state !== 'connected';
  }

  /** Zeroes the secrets this handshake holds (util/wipe.ts): called when the connection is freed or failed. */
  wipe(): void {
    this.hs?.wipe();
    this.master?.wipe();
    wipe(this.clientHsSecret, this.serverHsSecret, this.clientAppSecret, this.serverAppSecret, this.resumptionSecret);
    this.ech?.wipe();
  }

  start(): void {
    this.random = this.p.random(32);
    this.host.clientRandom = this.random;
    // Appendix D.4: a non-empty legacy_session_id puts the server in compatibility mode.
    this.sessionId = this.host.cfg.middleboxCompat === false ? new Uint8Array(0) : this.p.random(32);
    const s = this.host.cfg.session;
    const now = (this.host.cfg.now ?? Date.now)();
    if (s && s.version === TLS13 && sessionUsable(s, now) && this.offeredSuites.includes(s.cipherSuite)) {
      this.offered = s;
      // The binder hashes the (truncated) ClientHello with the session's hash (RFC 8446 section 4.2.11.2).
      this.transcript.setHash(suiteByCode(s.cipherSuite)!.prfHash);
    } else if (s && s.version === TLS13) {
      this.host.emit({ kind: 'info', message: sessionUsable(s, now) ? 'the saved session\'s cipher suite is not offered: a full handshake' : 'the saved session has expired: a full handshake' });
    }
    const echCfg = this.host.cfg.ech;
    if (echCfg?.configs) this.ech = EchClient.offer(this.p, (e) => this.host.emit(e), echCfg.configs);
    else if (echCfg?.grease) this.ech = EchClient.grease(this.p, (e) => this.host.emit(e));
    this.early = this.earlyDataToOffer();
    const keyShareGroups = this.host.cfg.keyShareGroups ?? [this.offeredGroups[0]!];
    const entries: KeyShareEntry[] = keyShareGroups.map((g) => this.newShare(g));
    this.sendClientHello(entries);
    if (this.early) this.sendEarlyData(this.early);
    this.to('wait_sh');
  }

  /** The early data we may send with the offered session, if any (RFC 8446 sections 4.2.10, 4.6.1). */
  private earlyDataToOffer(): { data: Uint8Array; suite: CipherSuite } | undefined {
    const cfg = this.host.cfg;
    const data = cfg.earlyData;
    if (!data?.length) return undefined;
    if (this.ech && this.ech.status !== 'grease') {
      this.host.emit({ kind: 'info', message: 'early data not sent: this client does not send 0-RTT data with Encrypted Client Hello' });
      return undefined;
    }
    const s = this.offered;
    const why = !s ? (cfg.session ? 'the saved session cannot be offered' : 'there is no session to resume (0-RTT needs a ticket from an earlier connection)')
      : !(s.maxEarlyData > 0) ? 'the session\'s ticket does not allow early data (no early_data extension in its NewSessionTicket)'
      : data.length > s.maxEarlyData ? `${data.length} bytes is more than the ticket's max_early_data_size of ${s.maxEarlyData}`
      : s.alpn && !cfg.alpn?.includes(s.alpn) ? `the session negotiated ALPN "${s.alpn}", which we do not offer now`
      : undefined;
    if (why) {
      this.host.emit({ kind: 'info', message: `early data not sent: ${why}` });
      return undefined;
    }
    return { data, suite: suiteByCode(s!.cipherSuite)! };
  }

  /** 0-RTT: right after the first ClientHello, under client_early_traffic_secret of the session's PSK. */
  private sendEarlyData(early: { data: Uint8Array; suite: CipherSuite }): void {
    const es = new EarlySecret(this.p, early.suite.prfHash, this.offered!.psk, (l, s) => this.host.keyLog(l, s));
    const secret = es.clientEarlyTrafficSecret(this.transcript.hash());
    // Appendix D.4: when offering early data, the compatibility CCS goes right after the first ClientHello.
    if (this.sessionId.length) {
      this.host.sendChangeCipherSpec();
      this.sentCcs = true;
    }
    this.host.setWriteKeys('early', early.suite, secret);
    this.host.emit({ kind: 'info', message: `0-RTT: sending ${early.data.length} bytes of early data under client_early_traffic_secret (the ticket allows ${this.offered!.maxEarlyData}); early data can be replayed by an attacker, so send only what is safe to repeat (RFC 8446 section 8)` });
    this.host.sendEarlyData(early.data);
  }

  private wantsPostHandshakeAuth(): boolean {
    const cfg = this.host.cfg;
    return cfg.postHandshakeAuth ?? (!!(cfg.certificateChain?.length && cfg.signer) || !!cfg.clientCertCallback);
  }

  private newShare(group: number): KeyShareEntry {
    const kx = this.p.keyExchange(group);
    if (!kx) throw new ProtocolError('internal_error', `no implementation of group ${groupName(group)}`);
    const { share, secret } = kx.start();
    this.shares.set(group, secret);
    return { group, keyExchange: share };
  }

  private sendClientHello(shares: KeyShareEntry[], cookie?: Uint8Array): void {
    const cfg = this.host.cfg;
    if (!this.helloRetry) this.offeredPha = this.wantsPostHandshakeAuth();
    const versions = [TLS13, 0x0303, 0x0302, 0x0301, 0x0300].filter((v) => v >= this.minVersion);
    const legacy = this.minVersion <= 0x0303 ? this.legacyExtensions() : [];
    const extensions = [
      ...(cfg.serverName && !isIpAddress(cfg.serverName) ? [ext.serverName([cfg.serverName])] : []),
      ext.supportedVersionsClient(versions),
      ...legacy,
      ext.supportedGroups(this.offeredGroups),
      ext.signatureAlgorithms(this.offeredSchemes),
      ext.keyShareClient(shares),
      ext.pskKeyExchangeModes(),
      ...(cfg.alpn?.length ? [ext.alpn(cfg.alpn)] : []),
      ...(cookie ? [ext.cookie(cookie)] : []),
      // RFC 8446 section 4.2.10: never in the ClientHello that follows a HelloRetryRequest.
      ...(this.early && !this.helloRetry ? [ext.earlyData()] : []),
      ...(this.offeredPha ? [ext.postHandshakeAuth()] : []),
      // RFC 6066 section 8: an OCSP status_request with no responder ids or request extensions (as s_client -status).
      ...(cfg.requestOcsp ? [ext.statusRequest()] : []),
      ...(cfg.requestScts ? [ext.sctRequest()] : []),
      ...(cfg.recordSizeLimit !== undefined ? [ext.recordSizeLimit(cfg.recordSizeLimit)] : []),
    ];
    if (this.ech && this.ech.status !== 'grease') return this.sendWithEch(extensions);
    if (this.ech) extensions.push(this.ech.greaseExtension(encodeHandshake({ type: 'client_hello', random: this.random, legacySessionId: new Uint8Array(0), cipherSuites: this.offeredSuites, extensions }).length - 4));
    if (!this.offered) {
      this.padTo(extensions);
      const ch = this.host.send({ type: 'client_hello', random: this.random, legacySessionId: this.sessionId, cipherSuites: this.offeredSuites, extensions });
      this.transcript.add(ch.raw);
      if (!this.firstHello) {
        this.firstHello = ch.raw;
        this.firstHelloExtensions = (ch as ClientHello).extensions.map((e) => e.type);
      }
      return;
    }
    const ch = this.host.sendBytes(this.helloWithBinder(extensions, true));
    this.transcript.add(ch.raw);
    if (!this.firstHello) {
      this.firstHello = ch.raw;
      this.firstHelloExtensions = (ch as ClientHello).extensions.map((e) => e.type);
    }
  }

  /** A ClientHello offering the saved session: pre_shared_key last, its binder over the truncated hello (RFC 8446 section 4.2.11.2). */
  private helloWithBinder(extensions: Extension[], pad: boolean): Uint8Array {
    const s = this.offered!;
    const suite = suiteByCode(s.cipherSuite)!;
    const hashLen = this.p.hash(suite.prfHash).outputLen;
    const psk = ext.preSharedKeyClient({ identities: [{ identity: s.ticket, obfuscatedTicketAge: obfuscatedAge(s, (this.host.cfg.now ?? Date.now)()) }], binders: [new Uint8Array(hashLen)] });
    if (pad) this.padTo(extensions, psk);
    extensions.push(psk);
    const raw = encodeHandshake({ type: 'client_hello', random: this.random, legacySessionId: this.sessionId, cipherSuites: this.offeredSuites, extensions });
    const draft = decodeHandshake(raw) as ClientHello;
    const early = new EarlySecret(this.p, suite.prfHash, s.psk);
    const binder = finishedVerifyData(this.p, suite.prfHash, early.binderKey(true), this.transcript.hashWith(truncateForBinders(draft)));
    patchBinders(raw, [binder]);
    return raw;
  }

  /**
   * RFC 9849 sections 6.1 and 6.1.5: ClientHelloInner (with the inner encrypted_client_hello, its PSK binder over
   * the inner transcript) sealed into the ClientHelloOuter that is sent; both transcripts kept until the server
   * answers. After a HelloRetryRequest that rejected ECH, the second ClientHello follows ClientHelloOuter instead.
   */
  private sendWithEch(extensions: Extension[]): void {
    const ech = this.ech!;
    if (ech.status === 'rejected') {
      const ch = this.host.send({
        type: 'client_hello', random: ech.outerRandom, legacySessionId: this.sessionId, cipherSuites: this.offeredSuites,
        extensions: [ext.serverName([ech.publicName!]), ...extensions.filter((e) => ECH_SHARED_EXTENSIONS.has(e.type)), ech.repeatedExtension()!],
      });
      this.transcript.add(ch.raw);
      return;
    }
    extensions.push(ext.raw(ExtensionType.encrypted_client_hello, new Uint8Array([1])));
    const inner = this.offered ? this.helloWithBinder(extensions, false) : encodeHandshake({ type: 'client_hello', random: this.random, legacySessionId: this.sessionId, cipherSuites: this.offeredSuites, extensions });
    const ch = this.host.sendBytes(ech.sealOuter(inner));
    this.transcript.add(inner);
    ech.outerTranscript.add(ch.raw);
    if (!this.firstHello) {
      this.firstHello = ch.raw;
      this.firstHelloExtensions = (ch as ClientHello).extensions.map((e) => e.type);
    }
  }

  /** After the server's first answer: a rejected ECH handshake is the outer one, keyed by ClientHelloOuter.random, resuming nothing. */
  private afterEchVerdict(): void {
    if (this.ech?.status !== 'rejected') return;
    this.host.clientRandom = this.ech.outerRandom;
    this.offered = undefined;
  }

  /**
   * RFC 7685: a padding extension that brings the ClientHello (handshake message, header included) up to
   * `padToLength`, as BoringSSL pads hellos of 256..511 bytes to 512. Goes before pre_shared_key, which stays last.
   */
  private padTo(extensions: Extension[], psk?: Extension): void {
    const target = this.host.cfg.padToLength;
    if (!target) return;
    const len = encodeHandshake({ type: 'client_hello', random: this.random, legacySessionId: this.sessionId, cipherSuites: this.offeredSuites, extensions: [...extensions, ...(psk ? [psk] : [])] }).length;
    if (len >= target) return;
    // The extension's own header takes 4 bytes; when less than that is missing, one byte of padding (as BoringSSL).
    const missing = target - len;
    const padLen = missing >= 5 ? missing - 4 : 1;
    extensions.push(ext.padding(padLen));
    this.host.emit({ kind: 'info', message: `ClientHello padded from ${len} to ${len + 4 + padLen} bytes with a ${padLen}-byte padding extension (RFC 7685)` });
  }

  handle(msg: Handshake): void {
    switch (this.state) {
      case 'wait_sh':
        if (msg.type === 'server_hello') return this.onServerHello(msg);
        if (msg.type === 'hello_retry_request') return this.onHelloRetryRequest(msg);
        throw unexpected(this.state, msg, ['ServerHello']);
      case 'wait_ee':
        if (msg.type === 'encrypted_extensions') return this.onEncryptedExtensions(msg);
        throw unexpected(this.state, msg, ['EncryptedExtensions']);
      case 'wait_cert_cr':
        if (msg.type === 'certificate_request') return this.onCertificateRequest(msg);
        if (msg.type === 'certificate') return this.onCertificate(msg);
        throw unexpected(this.state, msg, ['Certificate', 'CertificateRequest']);
      case 'wait_cert':
        if (msg.type === 'certificate') return this.onCertificate(msg);
        throw unexpected(this.state, msg, ['Certificate']);
      case 'wait_cv':
        if (msg.type === 'certificate_verify') return this.onCertificateVerify(msg);
        throw unexpected(this.state, msg, ['CertificateVerify']);
      case 'wait_finished':
        if (msg.type === 'finished') return this.onFinished(msg);
        throw unexpected(this.state, msg, ['Finished']);
      case 'connected':
        if (msg.type === 'new_session_ticket') return this.onNewSessionTicket(msg);
        if (msg.type === 'key_update') return this.onKeyUpdate(msg.requestUpdate);
        if (msg.type === 'certificate_request') return this.onPostHandshakeCertificateRequest(msg);
        throw unexpected(this.state, msg, ['NewSessionTicket', 'KeyUpdate', 'CertificateRequest']);
      default:
        throw unexpected(this.state, msg, []);
    }
  }

  /** Checks shared by ServerHello and HelloRetryRequest (RFC 8446 sections 4.1.3-4.1.4). */
  private checkHello(msg: ServerHello | HelloRetryRequest, name: string): CipherSuite {
    if (msg.legacyVersion <= 0x0300)
      throw new ProtocolError('protocol_version', `${name}.legacy_version is 0x${msg.legacyVersion.toString(16).padStart(4, '0')} (SSL 3.0 or older): refused as RFC 8446 appendix D.5 requires`, { message: name, field: 'legacy_version' });
    const version = msg.ext.supportedVersions;
    if (version === undefined) {
      throw new ProtocolError('protocol_version', `the server answered with ${msg.legacyVersion === 0x0303 ? 'TLS 1.2' : `version 0x${msg.legacyVersion.toString(16)}`} (no supported_versions), below the lowest version this client allows, TLS 1.3 (lower the minimum version to accept it)`, { message: name });
    }
    if (version !== TLS13) throw new ProtocolError('illegal_parameter', `${name}.supported_versions selected 0x${version.toString(16)}, which we did not offer`, { message: name, field: 'supported_versions' });
    if (msg.legacyVersion !== 0x0303) throw new ProtocolError('illegal_parameter', `${name}.legacy_version must be 0x0303 in TLS 1.3, got 0x${msg.legacyVersion.toString(16)}`, { message: name, field: 'legacy_version' });
    if (!this.offeredSuites.includes(msg.cipherSuite)) throw new ProtocolError('illegal_parameter', `${name} chose cipher suite ${suiteName(msg.cipherSuite)}, which we did not offer`, { message: name, field: 'cipher_suite' });
    if (!bytesEqual(msg.legacySessionIdEcho, this.sessionId)) throw new ProtocolError('illegal_parameter', `${name}.legacy_session_id_echo does not echo our session id`, { message: name, field: 'legacy_session_id_echo' });
    if (msg.legacyCompressionMethod !== 0) throw new ProtocolError('illegal_parameter', `${name}.legacy_compression_method must be 0`, { message: name, field: 'legacy_compression_method' });
    if (this.suite && this.suite.code !== msg.cipherSuite) throw new ProtocolError('illegal_parameter', 'the ServerHello chose a different cipher suite than the HelloRetryRequest', { message: name, field: 'cipher_suite' });
    return suiteByCode(msg.cipherSuite)!;
  }

  private onHelloRetryRequest(hrr: HelloRetryRequest): void {
    if (this.helloRetry) throw new ProtocolError('unexpected_message', 'a second HelloRetryRequest (RFC 8446 section 4.1.4)', { message: 'HelloRetryRequest' });
    const suite = this.checkHello(hrr, 'HelloRetryRequest');
    const group = hrr.ext.keyShare;
    if (group === undefined && !hrr.ext.cookie) throw new ProtocolError('illegal_parameter', 'the HelloRetryRequest would not change the ClientHello (RFC 8446 section 4.1.4)', { message: 'HelloRetryRequest' });
    if (group !== undefined && (!this.offeredGroups.includes(group) || this.shares.has(group)))
      throw new ProtocolError('illegal_parameter', `HelloRetryRequest selected group ${groupName(group)}, which we ${this.shares.has(group) ? 'already sent a share for' : 'did not offer'}`, { message: 'HelloRetryRequest', field: 'key_share' });
    this.helloRetry = hrr;
    this.suite = suite;
    if (this.offered && suiteByCode(this.offered.cipherSuite)!.prfHash !== suite.prfHash) {
      this.offered = undefined; // RFC 8446 section 4.1.4: a PSK whose hash differs from the chosen suite's cannot be used
      this.host.emit({ kind: 'info', message: 'the server chose a suite whose hash differs from the saved session\'s: the session is not offered again' });
    }
    if (this.ech) {
      this.transcript = this.ech.onHelloRetryRequest(hrr, suite.prfHash, this.transcript);
      this.afterEchVerdict();
    }
    this.transcript.setHash(suite.prfHash);
    this.transcript.replaceWithMessageHash();
    this.transcript.add(hrr.raw);
    this.host.emit({ kind: 'info', message: `HelloRetryRequest: the server wants ${group !== undefined ? `a key share for ${groupName(group)}` : 'a cookie round trip'}` });
    if (this.early) {
      // RFC 8446 section 4.2.10: a HelloRetryRequest rejects 0-RTT; the second ClientHello goes in the clear, without early_data.
      this.earlyStatus = 'rejected';
      this.host.clearWriteKeys();
      this.host.emit({ kind: 'info', message: `the HelloRetryRequest rejected our ${this.early.data.length} bytes of early data: they were not delivered and are not resent automatically; the application must send them again after the handshake if that is safe (RFC 8446 section 4.2.10)` });
    }
    // Appendix D.4: in compatibility mode the client's CCS goes before its second ClientHello (unless it followed the first).
    if (this.sessionId.length && !this.sentCcs) {
      this.host.sendChangeCipherSpec();
      this.sentCcs = true;
    }
    const shares = group !== undefined ? [this.newShare(group)] : [...this.shares.entries()].map(([g]) => this.newShare(g));
    if (group !== undefined) for (const g of [...this.shares.keys()]) if (g !== group) this.shares.delete(g);
    this.sendClientHello(shares, hrr.ext.cookie);
  }

  /**
   * The extensions only TLS 1.2 and older use, when the hello offers them too (RFC 5246 section 7.4.1.4): a TLS 1.2
   * server needs them to agree on renegotiation, point formats, tickets, EMS and encrypt-then-MAC.
   */
  private legacyExtensions(): Extension[] {
    const s = this.host.cfg.session && this.host.cfg.session.version <= 0x0303 ? this.host.cfg.session : undefined;
    const hasCbc = this.offeredSuites.some((c) => { const x = suiteByCode(c); return !!x && x.versions !== 'tls13' && x.mac !== 'AEAD'; });
    const { extensions, offered } = legacyHelloExtensions(this.host, { max: 0x0303, groups: this.offeredGroups, schemes: this.offeredSchemes, hasCbc, ...(s ? { session: s } : {}) });
    // A TLS 1.2 session is offered by its ID, or with a ticket by an ID made up to recognise acceptance (RFC 5077 section 3.4).
    if (s && !this.helloRetry) this.sessionId = s.ticket.length ? this.p.random(32) : s.sessionId ?? this.sessionId;
    this.legacyOffer = {
      random: this.random, clientVersion: 0x0303, minVersion: this.minVersion, offered13: true,
      suites: this.offeredSuites, groups: this.offeredGroups, schemes: this.offeredSchemes, sessionId: this.sessionId,
      ...(s ? { session: s } : {}), ext: offered,
    };
    // Those the TLS 1.3 hello already carries (server_name, signature_algorithms, ALPN, status_request, SCT) are not repeated.
    const present = new Set<number>([ExtensionType.server_name, ExtensionType.signature_algorithms, ExtensionType.application_layer_protocol_negotiation, ExtensionType.status_request, ExtensionType.signed_certificate_timestamp, ExtensionType.supported_groups]);
    return extensions.filter((e) => !present.has(e.type));
  }

  /** A TLS 1.2 (or older) ServerHello: Client12 carries on from our ClientHello (RFC 8446 appendix D.1). */
  private downgrade(sh: ServerHello): void {
    if (!this.legacyOffer || sh.legacyVersion > 0x0303 || sh.legacyVersion < this.minVersion)
      throw new ProtocolError('protocol_version', `the server answered with ${versionName(sh.legacyVersion)} (no supported_versions), and we offered only ${versionName(this.minVersion)} and up`, { message: 'ServerHello', field: 'legacy_version' });
    if (this.helloRetry) throw new ProtocolError('illegal_parameter', 'a TLS 1.2 ServerHello after a HelloRetryRequest (RFC 8446 section 4.1.4)', { message: 'ServerHello' });
    if (this.early) {
      this.earlyStatus = 'rejected';
      this.host.emit({ kind: 'info', message: 'the server speaks TLS 1.2: our 0-RTT data was not delivered' });
    }
    this.host.emit({ kind: 'info', message: `the server chose ${versionName(sh.legacyVersion)}: continuing with the TLS 1.2-and-older handshake (RFC 8446 appendix D.1)` });
    const next = Client12.fromHello(this.host, { ...this.legacyOffer, sessionId: this.sessionId, raw: this.firstHello!, extensionTypes: this.firstHelloExtensions });
    this.host.replaceDriver(next);
    next.handle(sh);
  }

  private onServerHello(sh: ServerHello): void {
    if (sh.ext.supportedVersions === undefined && sh.legacyVersion <= 0x0303) return this.downgrade(sh);
    const suite = this.checkHello(sh, 'ServerHello');
    if (this.ech) {
      this.transcript = this.ech.onServerHello(sh, suite.prfHash, this.transcript);
      this.afterEchVerdict();
    }
    const share = sh.ext.keyShare;
    if (!share) throw new ProtocolError('missing_extension', 'the ServerHello has no key_share: PSK-only resumption is not offered by this client', { message: 'ServerHello', field: 'key_share' });
    const secret = this.shares.get(share.group);
    if (!secret) throw new ProtocolError('illegal_parameter', `the ServerHello's key share is for ${groupName(share.group)}, which we sent no share for`, { message: 'ServerHello', field: 'key_share' });
    if (sh.ext.preSharedKey !== undefined) {
      if (!this.offered || sh.ext.preSharedKey !== 0) throw new ProtocolError('illegal_parameter', `the server selected PSK identity ${sh.ext.preSharedKey}, which we did not offer`, { message: 'ServerHello', field: 'pre_shared_key' });
      if (suiteByCode(this.offered.cipherSuite)!.prfHash !== suite.prfHash) throw new ProtocolError('illegal_parameter', 'the server resumed with a suite whose hash differs from the session\'s', { message: 'ServerHello', field: 'cipher_suite' });
      this.resumed = true;
    }
    let shared: Uint8Array;
    try {
      shared = this.p.keyExchange(share.group)!.finish(secret, share.keyExchange);
    } catch (e) {
      if (e instanceof KeyExchangeError) throw new ProtocolError('illegal_parameter', `the server's ${groupName(share.group)} key share is invalid: ${e.message}`, { message: 'ServerHello', field: 'key_share' });
      throw e;
    }
    this.suite = suite;
    this.group = share.group;
    this.transcript.setHash(suite.prfHash);
    this.transcript.add(sh.raw);
    const early = new EarlySecret(this.p, suite.prfHash, this.resumed ? this.offered!.psk : undefined, (l, s) => this.host.keyLog(l, s));
    this.hs = early.next(shared);
    const h = this.transcript.hash();
    this.clientHsSecret = this.hs.clientHandshakeTrafficSecret(h);
    this.serverHsSecret = this.hs.serverHandshakeTrafficSecret(h);
    this.host.setReadKeys('handshake', suite, this.serverHsSecret);
    this.to('wait_ee');
  }

  private onEncryptedExtensions(ee: EncryptedExtensions): void {
    if (ee.ext.encryptedClientHello) {
      if (!this.ech) throw new ProtocolError('unsupported_extension', 'EncryptedExtensions has encrypted_client_hello, which we did not offer (RFC 8446 section 4.2)', { message: 'EncryptedExtensions', field: 'encrypted_client_hello' });
      this.ech.onEncryptedExtensions(ee.ext.encryptedClientHello);
    }
    if (ee.ext.alpn !== undefined) {
      if (!this.host.cfg.alpn?.includes(ee.ext.alpn)) throw new ProtocolError('illegal_parameter', `the server selected ALPN "${ee.ext.alpn}", which we did not offer`, { message: 'EncryptedExtensions', field: 'alpn' });
      this.alpn = ee.ext.alpn;
    }
    if (ee.ext.earlyData) {
      if (!this.early || this.helloRetry) throw new ProtocolError('unsupported_extension', 'EncryptedExtensions accepts early data, but we sent none in this ClientHello (RFC 8446 section 4.2.10)', { message: 'EncryptedExtensions', field: 'early_data' });
      const s = this.offered;
      if (!this.resumed || !s) throw new ProtocolError('illegal_parameter', 'EncryptedExtensions accepts early data in a handshake that did not resume with our first PSK (RFC 8446 section 4.2.10)', { message: 'EncryptedExtensions', field: 'early_data' });
      if (this.suite!.code !== s.cipherSuite) throw new ProtocolError('illegal_parameter', `the server accepted early data with ${suiteName(this.suite!.code)}, not the session's ${suiteName(s.cipherSuite)} (RFC 8446 section 4.2.10)`, { message: 'EncryptedExtensions', field: 'early_data' });
      if ((this.alpn ?? '') !== (s.alpn ?? '')) throw new ProtocolError('illegal_parameter', `the server accepted early data with ALPN "${this.alpn ?? ''}", not the session's "${s.alpn ?? ''}" (RFC 8446 section 4.2.10)`, { message: 'EncryptedExtensions', field: 'early_data' });
      this.earlyStatus = 'accepted';
      this.host.emit({ kind: 'info', message: `the server accepted our ${this.early.data.length} bytes of early data (0-RTT); EndOfEarlyData follows its Finished` });
    } else if (this.early && !this.helloRetry) {
      this.earlyStatus = 'rejected';
      this.host.emit({ kind: 'info', message: `the server rejected our ${this.early.data.length} bytes of early data: they were not delivered and are not resent automatically; the application must send them again now that the handshake is done, if that is safe (RFC 8446 section 4.2.10)` });
    }
    if (ee.ext.recordSizeLimit !== undefined) {
      const ours = this.host.cfg.recordSizeLimit;
      if (ours === undefined) throw new ProtocolError('unsupported_extension', 'EncryptedExtensions has record_size_limit, which we did not offer (RFC 8446 section 4.2)', { message: 'EncryptedExtensions', field: 'record_size_limit' });
      const peer = ee.ext.recordSizeLimit;
      // RFC 8449 section 4: a value over the protocol's maximum is allowed; we never send more than 2^14 + 1 anyway.
      this.recordLimits = { ours, peer };
      this.host.setRecordSizeLimit('write', Math.min(peer, MAX_RECORD_SIZE_LIMIT_13));
      this.host.setRecordSizeLimit('read', ours);
      this.host.emit({ kind: 'info', message: `record_size_limit negotiated (RFC 8449): we send records of at most ${Math.min(peer, MAX_RECORD_SIZE_LIMIT_13) - 1} data bytes (the server's limit ${peer}); the server must keep to our ${ours}` });
    }
    this.transcript.add(ee.raw);
    // A resumed handshake authenticates with the PSK: no Certificate or CertificateVerify (RFC 8446 section 2.2).
    this.to(this.resumed ? 'wait_finished' : 'wait_cert_cr');
  }

  private onCertificateRequest(cr: CertificateRequest): void {
    if (cr.certificateRequestContext.length !== 0) throw new ProtocolError('illegal_parameter', 'certificate_request_context must be empty during the handshake (RFC 8446 section 4.3.2)', { message: 'CertificateRequest' });
    if (!cr.ext.signatureAlgorithms) throw new ProtocolError('missing_extension', 'the CertificateRequest has no signature_algorithms', { message: 'CertificateRequest' });
    const cb = this.host.cfg.clientCertCallback;
    if (cb && !this.host.cfg.certificateChain?.length) {
      // SSL_CTX_set_client_cert_cb: 'retry' pauses here (SSL_ERROR_WANT_X509_LOOKUP) before anything changes.
      const r = cb();
      if (r === 'retry') throw new Suspend('x509_lookup');
      this.callbackIdentity = r;
    }
    this.certRequest = cr;
    if (cr.ext.certificateAuthorities) {
      this.certificateAuthorities = cr.ext.certificateAuthorities.map((dn, i) => distinguishedNameText(dn, i));
      this.host.emit({ kind: 'info', message: `the server accepts client certificates from these CAs (certificate_authorities, RFC 8446 section 4.2.4): ${this.certificateAuthorities.length ? this.certificateAuthorities.map((n) => `[${n}]`).join(', ') : '(an empty list)'}` });
    }
    this.transcript.add(cr.raw);
    this.to('wait_cert');
  }

  /** RFC 6962 section 3.3: SCTs in a CertificateEntry; only the leaf's are about the server's certificate. */
  private onScts(list: Uint8Array[], i: number): void {
    if (!this.host.cfg.requestScts) throw new ProtocolError('unsupported_extension', `certificate ${i} carries signed certificate timestamps, which we did not ask for (RFC 8446 section 4.4.2)`, { message: 'Certificate', field: 'signed_certificate_timestamp' });
    if (i !== 0) {
      this.host.emit({ kind: 'info', message: `certificate ${i} carries ${list.length} SCT(s) too; only the leaf's are reported` });
      return;
    }
    this.scts = list.map((raw, k) => {
      try {
        return decodeSct(raw);
      } catch (e) {
        throw new ProtocolError('decode_error', `SCT ${k} of the server's certificate does not decode: ${(e as Error).message}`, { message: 'Certificate', field: 'signed_certificate_timestamp' });
      }
    });
    for (const sct of this.scts) this.host.emit({ kind: 'info', message: `signed certificate timestamp from CT log ${sct.logId.slice(0, 16)}…, logged ${sct.time} (${sct.signatureAlgorithm}-with-${sct.hash}; the log's signature is not checked)` });
  }

  private onCertificate(cert: Certificate): void {
    if (cert.certificateRequestContext.length !== 0) throw new ProtocolError('illegal_parameter', 'the server\'s Certificate must have an empty certificate_request_context', { message: 'Certificate' });
    if (cert.certificateList.length === 0) throw new ProtocolError('decode_error', 'the server sent an empty Certificate (RFC 8446 section 4.4.2.4)', { message: 'Certificate' });
    this.peerChain = cert.certificateList.map((e) => e.data);
    cert.certificateList.forEach((entry, i) => {
      const list = entry.ext.signedCertificateTimestamp;
      if (list) this.onScts(list, i);
      const status = entry.ext.statusRequest;
      if (!status) return;
      // RFC 8446 section 4.4.2: an extension in a CertificateEntry must answer one in our ClientHello.
      if (!this.host.cfg.requestOcsp) throw new ProtocolError('unsupported_extension', `certificate ${i} carries a status_request (stapled OCSP), which we did not ask for (RFC 8446 section 4.4.2)`, { message: 'Certificate', field: 'status_request' });
      if (i !== 0) {
        this.host.emit({ kind: 'info', message: `certificate ${i} carries a stapled OCSP response too (${status.ocspResponse.length} bytes); only the leaf's is reported` });
        return;
      }
      if (status.statusType !== 1) throw new ProtocolError('illegal_parameter', `the stapled status is of type ${status.statusType}, not ocsp (1)`, { message: 'Certificate', field: 'status_request' });
      this.ocsp = decodeOcspResponse(status.ocspResponse);
      this.host.emit({ kind: 'info', message: ocspSummary(this.ocsp) });
    });
    if (this.host.cfg.requestOcsp && !this.ocsp) this.host.emit({ kind: 'info', message: 'we asked for OCSP stapling (status_request), but the server stapled no response' });
    for (const u of unlistedCertificateSignatures(this.peerChain, this.offeredSchemes))
      this.host.emit({ kind: 'info', message: `the server's certificate ${u.depth} is signed with ${u.algorithm}, which is not among the schemes we listed in signature_algorithms: RFC 8446 section 4.4.2.2 lets a server send such a chain when it has no other, and a client that holds to its list refuses it` });
    this.transcript.add(cert.raw);
    this.to('wait_cv');
  }

  private onCertificateVerify(cv: CertificateVerify): void {
    if (!this.offeredSchemes.includes(cv.algorithm))
      throw new ProtocolError('illegal_parameter', `the server signed with ${sigSchemeName(cv.algorithm)}, which we did not offer in signature_algorithms`, { message: 'CertificateVerify', field: 'algorithm' });
    let spki: Uint8Array;
    try {
      spki = certificateSpki(this.peerChain[0]!);
    } catch (e) {
      throw new ProtocolError('bad_certificate', `the server's certificate does not parse: ${(e as Error).message}`, { message: 'Certificate' });
    }
    const content = certificateVerifyContent('server', this.transcript.hash());
    if (!this.p.verify(cv.algorithm, spki, content, cv.signature))
      throw new ProtocolError('decrypt_error', `the server's CertificateVerify (${sigSchemeName(cv.algorithm)}) does not verify under its certificate's key: the server does not hold the private key, or the transcripts differ`, { message: 'CertificateVerify', field: 'signature' });
    this.peerScheme = cv.algorithm;
    this.transcript.add(cv.raw);
    // RFC 9849 section 6.1.7: once ECH is rejected, the certificate must be valid for the public name.
    const verdict = this.host.cfg.verifyPeer?.(this.peerChain, this.ech ? this.ech.serverNameFor(this.host.cfg.serverName) : this.host.cfg.serverName);
    if (verdict && !verdict.ok) throw new ProtocolError(verdict.alert ?? 'bad_certificate', `certificate verification failed: ${verdict.reason}`, { message: 'Certificate' });
    this.to('wait_finished');
  }

  private onFinished(fin: Finished): void {
    const suite = this.suite!;
    const expected = finishedVerifyData(this.p, suite.prfHash, this.serverHsSecret!, this.transcript.hash());
    if (!bytesEqual(expected, fin.verifyData))
      throw new ProtocolError('decrypt_error', 'the server\'s Finished does not match our transcript: a message was changed in transit or the key schedules differ', { message: 'Finished', field: 'verify_data' });
    this.transcript.add(fin.raw);
    this.master = this.hs!.next();
    const h = this.transcript.hash();
    this.clientAppSecret = this.master.clientApplicationTrafficSecret(h);
    this.serverAppSecret = this.master.serverApplicationTrafficSecret(h);
    this.master.exporterMasterSecret(h);
    this.host.setReadKeys('application', suite, this.serverAppSecret);
    // RFC 8446 section 4.5: EndOfEarlyData, under the early keys, ends accepted 0-RTT.
    if (this.earlyStatus === 'accepted') this.transcript.add(this.host.send({ type: 'end_of_early_data' }).raw);
    // Our second flight, under the client handshake keys.
    if (this.sessionId.length && !this.sentCcs) {
      this.host.sendChangeCipherSpec();
      this.sentCcs = true;
    }
    this.host.setWriteKeys('handshake', suite, this.clientHsSecret!);
    if (this.certRequest) {
      const signing = this.sendClientCertificate(this.certRequest);
      if (signing) {
        const { scheme, content, signer } = signing;
        if (this.host.cfg.asyncSigning && signer.signAsync) {
          this.host.suspendFor(signer.signAsync(scheme, content), (signature) => this.finishSecondFlight(scheme, signature));
          return;
        }
        return this.finishSecondFlight(scheme, signer.sign(scheme, content));
      }
    }
    this.finishSecondFlight();
  }

  /** [CertificateVerify], Finished, and application keys for writing. */
  private finishSecondFlight(scheme?: number, signature?: Uint8Array): void {
    const suite = this.suite!;
    if (scheme !== undefined && signature) this.transcript.add(this.host.send({ type: 'certificate_verify', algorithm: scheme, signature }).raw);
    const verifyData = finishedVerifyData(this.p, suite.prfHash, this.clientHsSecret!, this.transcript.hash());
    const finished = this.host.send({ type: 'finished', verifyData });
    this.transcript.add(finished.raw);
    this.resumptionSecret = this.master!.resumptionMasterSecret(this.transcript.hash());
    this.host.setWriteKeys('application', suite, this.clientAppSecret!);
    // RFC 9849 section 6.1.6: a handshake with ClientHelloOuter only ever ends in ech_required, sent before any data.
    if (this.ech?.status === 'rejected') throw this.ech.requiredError();
    this.to('connected');
    this.host.established({
      version: TLS13, cipherSuite: suite.code, ...(this.group !== undefined ? { group: this.group } : {}),
      ...(this.peerScheme !== undefined ? { signatureScheme: this.peerScheme } : {}), ...(this.alpn ? { alpn: this.alpn } : {}),
      resumed: this.resumed, helloRetry: !!this.helloRetry, peerCertificates: this.peerChain,
      ...(this.host.cfg.serverName && !isIpAddress(this.host.cfg.serverName) ? { serverName: this.host.cfg.serverName } : {}), earlyData: this.earlyStatus,
      ...(this.ocsp ? { ocsp: this.ocsp } : {}), ...(this.scts ? { scts: this.scts } : {}), ...(this.recordLimits ? { recordSizeLimit: this.recordLimits } : {}),
      ...(this.certificateAuthorities ? { certificateAuthorities: this.certificateAuthorities } : {}),
      ...(this.ech?.status === 'accepted' || this.ech?.status === 'grease' ? { ech: this.ech.status } : {}),
    });
  }

  /** Sends our Certificate; returns what CertificateVerify must sign, or nothing when we sent none. */
  private sendClientCertificate(cr: CertificateRequest): { scheme: number; content: Uint8Array; signer: Signer } | undefined {
    // RFC 9849 section 6.1.7: to a server that rejected ECH, an empty Certificate.
    const { certificateChain, signer } = this.ech?.status === 'rejected' ? {} : this.callbackIdentity ?? this.host.cfg;
    const scheme = signer?.schemes.find((s) => cr.ext.signatureAlgorithms!.includes(s));
    if (!certificateChain?.length || !signer || scheme === undefined) {
      // RFC 8446 section 4.4.2: an empty Certificate when we have none that fits.
      const empty = this.host.send({ type: 'certificate', certificateRequestContext: cr.certificateRequestContext, certificateList: [] });
      this.transcript.add(empty.raw);
      this.host.emit({ kind: 'info', message: certificateChain?.length ? 'the server asked for a client certificate; none of our key\'s signature schemes is in its list, so we send none' : 'the server asked for a client certificate; we have none to send' });
      return undefined;
    }
    const cert = this.host.send({ type: 'certificate', certificateRequestContext: cr.certificateRequestContext, certificateList: certificateChain.map((data) => ({ data })) });
    this.transcript.add(cert.raw);
    return { scheme, content: certificateVerifyContent('client', this.transcript.hash()), signer };
  }

  /**
   * Post-handshake authentication (RFC 8446 section 4.6.2): Certificate (echoing the request's context),
   * CertificateVerify and Finished, consecutively, under our application keys. The Handshake Context is our
   * transcript up to our Finished plus this CertificateRequest; the Finished key comes from the current
   * client_application_traffic_secret_N (section 4.4).
   */
  private onPostHandshakeCertificateRequest(cr: CertificateRequest): void {
    if (!this.offeredPha)
      throw new ProtocolError('unexpected_message', 'the server sent a CertificateRequest after the handshake, but we did not offer post_handshake_auth (RFC 8446 section 4.6.2)', { message: 'CertificateRequest' });
    if (!cr.ext.signatureAlgorithms) throw new ProtocolError('missing_extension', 'the post-handshake CertificateRequest has no signature_algorithms', { message: 'CertificateRequest' });
    const cfg = this.host.cfg;
    let identity: { certificateChain?: Uint8Array[]; signer?: Signer } = cfg;
    if (!cfg.certificateChain?.length && cfg.clientCertCallback) {
      const r = cfg.clientCertCallback();
      if (r === 'retry') throw new Suspend('x509_lookup');
      identity = r ?? {};
    }
    const { certificateChain, signer } = identity;
    const scheme = signer?.schemes.find((sc) => cr.ext.signatureAlgorithms!.includes(sc));
    const msgs = [cr.raw];
    const context = cr.certificateRequestContext;
    if (!certificateChain?.length || !signer || scheme === undefined) {
      msgs.push(this.host.send({ type: 'certificate', certificateRequestContext: context, certificateList: [] }).raw);
      this.host.emit({ kind: 'info', message: `post-handshake authentication: the server asked for a certificate; ${certificateChain?.length ? 'none of our key\'s signature schemes is in its list' : 'we have none'}, so we decline (an empty Certificate, then Finished)` });
      return this.finishPostHandshakeAuth(msgs);
    }
    msgs.push(this.host.send({ type: 'certificate', certificateRequestContext: context, certificateList: certificateChain.map((data) => ({ data })) }).raw);
    const content = certificateVerifyContent('client', this.transcript.hashWith(concatBytes(msgs)));
    // Signed synchronously even under asyncSigning: the connection is open and has no place to pause here.
    msgs.push(this.host.send({ type: 'certificate_verify', algorithm: scheme, signature: signer.sign(scheme, content) }).raw);
    this.host.emit({ kind: 'info', message: `post-handshake authentication: sent our certificate and a ${sigSchemeName(scheme)} CertificateVerify` });
    this.finishPostHandshakeAuth(msgs);
  }

  private finishPostHandshakeAuth(msgs: Uint8Array[]): void {
    const suite = this.suite!;
    const verifyData = finishedVerifyData(this.p, suite.prfHash, this.clientAppSecret!, this.transcript.hashWith(concatBytes(msgs)));
    this.host.send({ type: 'finished', verifyData });
  }

  private onNewSessionTicket(nst: NewSessionTicket): void {
    const suite = this.suite!;
    const session: ClientSession = {
      version: TLS13, cipherSuite: suite.code, psk: resumptionPsk(this.p, suite.prfHash, this.resumptionSecret!, nst.ticketNonce),
      ticket: nst.ticket.slice(), ticketAgeAdd: nst.ticketAgeAdd, lifetime: nst.ticketLifetime, receivedAt: (this.host.cfg.now ?? Date.now)(),
      maxEarlyData: nst.ext.earlyData ?? 0, ...(this.host.cfg.serverName ? { serverName: this.host.cfg.serverName } : {}), ...(this.alpn ? { alpn: this.alpn } : {}),
    };
    this.host.emit({ kind: 'info', message: `session ticket received: lifetime ${nst.ticketLifetime} s, ${nst.ticket.length} bytes${nst.ext.earlyData !== undefined ? `, early data up to ${nst.ext.earlyData} bytes` : ''}` });
    this.host.cfg.onSession?.(session);
  }

  private onKeyUpdate(requestUpdate: number): void {
    this.serverAppSecret = receiveKeyUpdate(this.host, this.p, this.suite!, requestUpdate, this.serverAppSecret!);
    if (requestUpdate === 1) this.keyUpdate(false);
  }

  keyUpdate(requestPeer: boolean): void {
    this.clientAppSecret = sendKeyUpdate(this.host, this.p, this.suite!, requestPeer, this.clientAppSecret!);
  }

}

/** A DistinguishedName of certificate_authorities as OpenSSL's one-line form, or why it does not decode. */
function distinguishedNameText(der: Uint8Array, i: number): string {
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset !== der.length) throw new Error('not one DER value');
    return decodeName(asn.result, `certificate_authorities[${i}]`).text;
  } catch (e) {
    return `(name ${i} does not decode: ${(e as Error).message})`;
  }
}
