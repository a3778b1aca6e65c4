// The TLS 1.3 server (RFC 8446 sections 2, 4 and appendix A.2). States:
//   wait_ch -> (HelloRetryRequest: wait_ch2) -> [wait_eoed] -> [wait_cert -> wait_cv] -> wait_finished -> connected
// wait_eoed: accepted 0-RTT (sections 2.3, 4.2.10) is read under client_early_traffic_secret until
// EndOfEarlyData. Rejected 0-RTT is skipped (trial decryption, or everything before the second ClientHello
// after a HelloRetryRequest). In `connected`, post-handshake authentication (section 4.6.2) may be requested.
// The server chooses by its own preference order: cipher suite, then group (a share the client sent, else a
// HelloRetryRequest for a group both support), then signature scheme for its key, then ALPN.
import { wipe } from '../../util/wipe';
import { concatBytes } from '../../util/hex';
import { certificateSpki } from '../../x509/certificate';
import { unlistedCertificateSignatures } from '../cert-signatures';
import { KeyExchangeError } from '../../crypto/provider';
import { ProtocolError, Suspend } from '../../conn/errors';
import { MAX_RECORD_SIZE_LIMIT_13, DEFAULT_EARLY_DATA_SKIP, DEFAULT_GROUPS, DEFAULT_SIGNATURE_SCHEMES, DEFAULT_SUITES, TICKET_AGE_TOLERANCE_MS } from '../../conn/config';
import type { HandshakeDriver, HandshakeHost } from '../../conn/connection';
import { ext, type Extension } from '../../msgs/extensions';
import type { Certificate, CertificateVerify, ClientHello, EndOfEarlyData, Finished, Handshake } from '../../msgs/handshake';
import { groupName } from '../../registry/groups';
import { sigSchemeName } from '../../registry/sigschemes';
import { suiteByCode, suiteName, type CipherSuite } from '../../registry/suites';
import { Transcript } from '../transcript';
import { Server12 } from '../tls12/server';
import { versionName } from '../../registry/versions';
import { bytesEqual, certificateVerifyContent, unexpected, receiveKeyUpdate, sendKeyUpdate } from './common';
import { EarlySecret, finishedVerifyData, resumptionPsk, type HandshakeSecret, type MasterSecret } from './key-schedule';
import { encodeHandshake, truncateForBinders } from '../../msgs/handshake';
import { EchServer } from '../../ech/server';
import { openTicket, sealTicket, type TicketState } from '../../conn/session-ticket';
import type { NegotiatedSession } from '../../conn/types';
import { decodeCertificate } from '../../x509/certificate';

export type Server13State = 'wait_ch' | 'wait_ch2' | 'wait_eoed' | 'wait_cert' | 'wait_cv' | 'wait_finished' | 'connected';

/** A ticket accepted for resumption: its state, and what the client said of it. */
interface AcceptedTicket {
  psk: Uint8Array;
  st: TicketState;
  identity: Uint8Array;
  obfuscatedTicketAge: number;
}

/** A post-handshake CertificateRequest in flight (RFC 8446 section 4.6.2). */
interface PendingPha {
  context: Uint8Array;
  /** CertificateRequest and the client's answer so far: added to the transcript at our client Finished. */
  msgs: Uint8Array[];
  phase: 'wait_cert' | 'wait_cv' | 'wait_finished';
  chain: Uint8Array[];
  scheme?: number;
}

const TLS13 = 0x0304;

export class Server13 implements HandshakeDriver {
  state: Server13State = 'wait_ch';
  private readonly p;
  private readonly transcript;
  private suite?: CipherSuite;
  private group?: number;
  private scheme?: number;
  private alpn?: string;
  private serverName?: string;
  private firstHello?: ClientHello;
  private cookie?: Uint8Array;
  private sentCcs = false;
  private hs?: HandshakeSecret;
  private master?: MasterSecret;
  private clientHsSecret?: Uint8Array;
  private clientAppSecret?: Uint8Array;
  private serverAppSecret?: Uint8Array;
  private peerChain: Uint8Array[] = [];
  private requestedCert = false;
  /** The PSK of an accepted ticket (a resumed handshake), and the secret new tickets derive from. */
  private psk?: Uint8Array;
  private resumptionSecret?: Uint8Array;
  private earlyStatus: NonNullable<NegotiatedSession['earlyData']> = 'not offered';
  private clientEarlySecret?: Uint8Array;
  private earlyLimit = 0;
  /** The client sent post_handshake_auth, and the request we are waiting on, if any. */
  private clientOfferedPha = false;
  private pha?: PendingPha;
  private recordLimits?: { ours: number; peer: number };
  /** Encrypted Client Hello (RFC 9849 section 7), when the server holds ECH keys. */
  private readonly ech?: EchServer;

  constructor(private readonly host: HandshakeHost) {
    this.p = host.cfg.provider;
    this.transcript = new Transcript(this.p);
    if (host.cfg.echServer) this.ech = new EchServer(this.p, (e) => host.emit(e), host.cfg.echServer);
  }

  private to(s: Server13State): void {
    this.host.setState(s);
    this.state = s;
  }

  acceptsCompatCcs(): boolean {
    return this.state !== 'wait_ch' && this.state !== 'connected';
  }

  /** Zeroes the secrets this handshake holds (util/wipe.ts): called when the connection is freed or failed. */
  wipe(): void {
    this.hs?.wipe();
    this.master?.wipe();
    wipe(this.clientHsSecret, this.clientAppSecret, this.serverAppSecret, this.resumptionSecret, this.clientEarlySecret, this.psk);
    this.ech?.wipe();
  }

  start(): void {
    // The server waits for a ClientHello.
  }

  handle(msg: Handshake): void {
    switch (this.state) {
      case 'wait_ch':
      case 'wait_ch2':
        if (msg.type === 'client_hello') return this.onClientHello(msg);
        throw unexpected(this.state, msg, ['ClientHello']);
      case 'wait_eoed':
        if (msg.type === 'end_of_early_data') return this.onEndOfEarlyData(msg);
        throw unexpected(this.state, msg, ['EndOfEarlyData']);
      case 'wait_cert':
        if (msg.type === 'certificate') return this.onCertificate(msg);
        throw unexpected(this.state, msg, ['Certificate']);
      case 'wait_cv':
        if (msg.type === 'certificate_verify') return this.onCertificateVerify(msg);
        throw unexpected(this.state, msg, ['CertificateVerify']);
      case 'wait_finished':
        if (msg.type === 'finished') return this.onFinished(msg);
        throw unexpected(this.state, msg, ['Finished']);
      case 'connected': {
        // RFC 8446 section 4.6.2: the client's answer comes consecutively once it has begun.
        const pha = this.pha;
        if (pha?.phase === 'wait_cv') {
          if (msg.type === 'certificate_verify') return this.onPhaCertificateVerify(pha, msg);
          throw unexpected('connected (post-handshake authentication)', msg, ['CertificateVerify']);
        }
        if (pha?.phase === 'wait_finished') {
          if (msg.type === 'finished') return this.onPhaFinished(pha, msg);
          throw unexpected('connected (post-handshake authentication)', msg, ['Finished']);
        }
        if (msg.type === 'key_update') return this.onKeyUpdate(msg.requestUpdate);
        if (msg.type === 'certificate' && pha) return this.onPhaCertificate(pha, msg);
        throw unexpected(this.state, msg, pha ? ['Certificate', 'KeyUpdate'] : ['KeyUpdate']);
      }
    }
  }

  private onClientHello(ch: ClientHello): void {
    // RFC 9849 section 7.1: with ECH, the handshake goes on with the ClientHelloInner that decrypts, if one does.
    return this.onClientHelloChecked(this.ech ? this.ech.open(ch, this.state === 'wait_ch2') : ch);
  }

  private onClientHelloChecked(ch: ClientHello): void {
    const cfg = this.host.cfg;
    if (cfg.clientHelloCallback) {
      // SSL_CTX_set_client_hello_cb: asked before anything changes, so a retry sees the same state.
      const r = cfg.clientHelloCallback({
        legacyVersion: ch.legacyVersion, cipherSuites: ch.cipherSuites, extensionTypes: ch.extensions.map((e) => e.type),
        ...(ch.ext.serverName?.[0] ? { serverName: ch.ext.serverName[0] } : {}), ...(ch.ext.alpn ? { alpn: ch.ext.alpn } : {}),
        ...(ch.ext.supportedVersions ? { supportedVersions: ch.ext.supportedVersions } : {}),
      });
      if (r < 0) throw new Suspend('client_hello_cb');
      if (r === 0) throw new ProtocolError('handshake_failure', 'the ClientHello callback refused this ClientHello', { message: 'ClientHello' });
    }
    this.host.clientRandom = ch.random;
    const versions = ch.ext.supportedVersions;
    // RFC 8446 appendix D.5: a client that speaks TLS 1.3 (it sent supported_versions) never says SSL 3.0.
    if (versions && ch.legacyVersion <= 0x0300)
      throw new ProtocolError('protocol_version', `ClientHello.legacy_version is 0x${ch.legacyVersion.toString(16).padStart(4, '0')} (SSL 3.0 or older): refused as RFC 8446 appendix D.5 requires`, { message: 'ClientHello', field: 'legacy_version' });
    if (this.state === 'wait_ch') {
      const chosen = negotiateVersion(ch, cfg.minVersion ?? 0x0303, cfg.maxVersion ?? TLS13);
      if (chosen < TLS13) {
        // RFC 8446 appendix D.2: a TLS 1.2-or-older ClientHello (or our maximum below TLS 1.3): the older handshake.
        Server12.fromClientHello(this.host, ch, chosen, cfg.maxVersion ?? TLS13);
        return;
      }
    } else if (!versions?.includes(TLS13)) {
      throw new ProtocolError('illegal_parameter', 'the ClientHello after a HelloRetryRequest no longer offers TLS 1.3', { message: 'ClientHello', field: 'supported_versions' });
    }
    if (ch.legacyCompressionMethods.length !== 1 || ch.legacyCompressionMethods[0] !== 0)
      throw new ProtocolError('illegal_parameter', 'legacy_compression_methods must be exactly [0] in TLS 1.3', { message: 'ClientHello', field: 'legacy_compression_methods' });
    const second = this.state === 'wait_ch2';
    if (second) this.checkSecondHello(ch);
    if (second && ch.ext.earlyData)
      throw new ProtocolError('illegal_parameter', 'the ClientHello after a HelloRetryRequest offers early data (RFC 8446 section 4.2.10 forbids it)', { message: 'ClientHello', field: 'early_data' });

    const suites = cfg.cipherSuites ?? DEFAULT_SUITES;
    const suiteCode = suites.find((s) => ch.cipherSuites.includes(s));
    if (suiteCode === undefined)
      throw new ProtocolError('handshake_failure', `no TLS 1.3 cipher suite in common: the client offered ${ch.cipherSuites.map((s) => suiteName(s)).join(', ')}; we accept ${suites.map((s) => suiteName(s)).join(', ')}`, { message: 'ClientHello', field: 'cipher_suites' });
    const suite = suiteByCode(suiteCode)!;

    if (!ch.ext.signatureAlgorithms) throw new ProtocolError('missing_extension', 'the ClientHello has no signature_algorithms (RFC 8446 section 9.2)', { message: 'ClientHello' });
    if (!ch.ext.supportedGroups || !ch.ext.keyShare) throw new ProtocolError('missing_extension', `the ClientHello has no ${!ch.ext.supportedGroups ? 'supported_groups' : 'key_share'}: PSK-only handshakes are not supported`, { message: 'ClientHello' });
    const groups = cfg.groups ?? DEFAULT_GROUPS;
    const withShare = groups.find((g) => ch.ext.keyShare!.some((k) => k.group === g) && this.p.keyExchange(g));
    const common = groups.find((g) => ch.ext.supportedGroups!.includes(g) && this.p.keyExchange(g));
    if (common === undefined)
      throw new ProtocolError('handshake_failure', `no group in common: the client supports ${ch.ext.supportedGroups.map((g) => groupName(g)).join(', ')}; we accept ${groups.map((g) => groupName(g)).join(', ')}`, { message: 'ClientHello', field: 'supported_groups' });

    const { certificateChain, signer } = cfg;
    if (!certificateChain?.length || !signer) throw new ProtocolError('internal_error', 'the server has no certificate and key configured', { message: 'ClientHello' });
    const scheme = signer.schemes.find((s) => ch.ext.signatureAlgorithms!.includes(s));
    if (scheme === undefined)
      throw new ProtocolError('handshake_failure', `no signature scheme in common for our key: the client accepts ${ch.ext.signatureAlgorithms.map((s) => sigSchemeName(s)).join(', ')}; our key can sign with ${signer.schemes.map((s) => sigSchemeName(s)).join(', ')}`, { message: 'ClientHello', field: 'signature_algorithms' });

    // A HelloRetryRequest when the client sent no usable share, or when told to (with a cookie).
    if (!second && (withShare === undefined || cfg.forceHelloRetry)) {
      this.sendHelloRetryRequest(ch, suite, withShare === undefined ? common : undefined);
      if (ch.ext.earlyData) {
        // RFC 8446 section 4.2.10: a HelloRetryRequest rejects 0-RTT; protected records before the second ClientHello are skipped.
        this.earlyStatus = 'rejected';
        this.host.skipEarlyData(this.skipLimit(undefined), 'after-hrr');
        this.host.emit({ kind: 'info', message: '0-RTT rejected by the HelloRetryRequest: the client\'s early records are skipped until its second ClientHello (RFC 8446 section 4.2.10)' });
      }
      return;
    }
    if (withShare === undefined)
      throw new ProtocolError('illegal_parameter', 'the second ClientHello still has no key share for the group we asked for', { message: 'ClientHello', field: 'key_share' });

    const clientAlpn = ch.ext.alpn;
    if (clientAlpn?.length && cfg.alpn?.length) {
      this.alpn = cfg.alpn.find((a) => clientAlpn.includes(a));
      if (!this.alpn) throw new ProtocolError('no_application_protocol', `no ALPN protocol in common: the client offered ${clientAlpn.join(', ')}; we accept ${cfg.alpn.join(', ')}`, { message: 'ClientHello', field: 'alpn' });
    }
    this.serverName = ch.ext.serverName?.[0];
    this.suite = suite;
    this.group = withShare;
    this.scheme = scheme;
    if (!second) this.transcript.setHash(suite.prfHash);
    this.clientOfferedPha = !!ch.ext.postHandshakeAuth;
    const ticket = this.acceptTicket(ch, suite);
    this.psk = ticket?.psk;
    this.transcript.add(ch.raw);
    const early = new EarlySecret(this.p, suite.prfHash, this.psk, (l, s) => this.host.keyLog(l, s));
    if (ch.ext.earlyData && !second) this.decideEarlyData(suite, ticket, early);

    // ServerHello with our share.
    const clientShare = ch.ext.keyShare.find((k) => k.group === withShare)!;
    let reply;
    try {
      reply = this.p.keyExchange(withShare)!.respond(clientShare.keyExchange);
    } catch (e) {
      if (e instanceof KeyExchangeError) throw new ProtocolError('illegal_parameter', `the client's ${groupName(withShare)} key share is invalid: ${e.message}`, { message: 'ClientHello', field: 'key_share' });
      throw e;
    }
    const shInit = {
      type: 'server_hello' as const, random: this.p.random(32), legacySessionIdEcho: ch.legacySessionId, cipherSuite: suite.code,
      extensions: [ext.supportedVersionsServer(TLS13), ext.keyShareServer({ group: withShare, keyExchange: reply.share }), ...(this.psk ? [ext.preSharedKeyServer(0)] : [])],
    };
    // RFC 9849 section 7.2: accepted ECH is confirmed in the last 8 bytes of ServerHello.random.
    if (this.ech?.accepted) shInit.random = this.ech.confirmServerHello(shInit.random, suite.prfHash, (random) => encodeHandshake({ ...shInit, random }), (m) => this.transcript.hashWith(m));
    const sh = this.host.send(shInit);
    this.transcript.add(sh.raw);
    if (ch.legacySessionId.length && !this.sentCcs) {
      this.host.sendChangeCipherSpec();
      this.sentCcs = true;
    }
    this.hs = early.next(reply.sharedSecret);
    const h = this.transcript.hash();
    this.clientHsSecret = this.hs.clientHandshakeTrafficSecret(h);
    const serverHs = this.hs.serverHandshakeTrafficSecret(h);
    this.host.setWriteKeys('handshake', suite, serverHs);
    if (this.earlyStatus === 'accepted') {
      // Appendix A.2: K_recv = early data until EndOfEarlyData.
      this.host.setReadKeys('early', suite, this.clientEarlySecret!);
      this.host.acceptEarlyData(this.earlyLimit);
    } else {
      this.host.setReadKeys('handshake', suite, this.clientHsSecret);
      // Appendix A.2 "[Skip decrypt errors]": rejected 0-RTT records are found by trial decryption.
      if (ch.ext.earlyData && !second) this.host.skipEarlyData(this.skipLimit(ticket?.st), 'trial-decrypt');
    }

    // EncryptedExtensions, [CertificateRequest], Certificate, CertificateVerify, Finished.
    const eeExt: Extension[] = [...(this.alpn ? [ext.alpn([this.alpn])] : []), ...(this.earlyStatus === 'accepted' ? [ext.earlyData()] : []), ...(this.ech?.encryptedExtensions() ?? [])];
    // RFC 8449: our record_size_limit goes in EncryptedExtensions only when the client sent one; from then on
    // our protected records keep to the client's limit (EncryptedExtensions itself included).
    if (ch.ext.recordSizeLimit !== undefined && cfg.recordSizeLimit !== undefined) {
      eeExt.push(ext.recordSizeLimit(cfg.recordSizeLimit));
      const peer = ch.ext.recordSizeLimit;
      this.recordLimits = { ours: cfg.recordSizeLimit, peer };
      this.host.setRecordSizeLimit('write', Math.min(peer, MAX_RECORD_SIZE_LIMIT_13));
      this.host.emit({ kind: 'info', message: `record_size_limit negotiated (RFC 8449): we send records of at most ${Math.min(peer, MAX_RECORD_SIZE_LIMIT_13) - 1} data bytes (the client's limit ${peer}); the client must keep to our ${cfg.recordSizeLimit}` });
    }
    const stapling = ch.ext.statusRequest?.statusType === 1 && cfg.ocspResponse?.length ? cfg.ocspResponse : undefined;
    if (ch.ext.statusRequest && cfg.ocspResponse?.length && !stapling) this.host.emit({ kind: 'info', message: `the client asked for certificate status of type ${ch.ext.statusRequest.statusType}, not ocsp: nothing stapled` });
    this.transcript.add(this.host.send({ type: 'encrypted_extensions', extensions: eeExt }).raw);
    // The client keeps to our limit once it has read EncryptedExtensions: its second flight (0-RTT data comes before).
    if (this.recordLimits && this.earlyStatus !== 'accepted') this.host.setRecordSizeLimit('read', this.recordLimits.ours);
    if ((cfg.clientAuth ?? 'none') !== 'none' && !this.psk) {
      this.requestedCert = true;
      const cr = this.host.send({ type: 'certificate_request', certificateRequestContext: new Uint8Array(0), extensions: this.certificateRequestExtensions() });
      this.transcript.add(cr.raw);
    }
    if (!this.psk) {
      // A resumed handshake is authenticated by the PSK: no Certificate or CertificateVerify (RFC 8446 section 2.2).
      // RFC 8446 section 4.4.2.1: the OCSP response goes in the leaf's CertificateEntry.
      // RFC 6962 section 3.3 and RFC 8446 section 4.4.2: SCTs, when asked for, also go in the leaf's entry.
      const scts = ch.ext.signedCertificateTimestamp && cfg.scts?.length ? cfg.scts : undefined;
      const leafExt = [...(stapling ? [ext.statusResponse(stapling)] : []), ...(scts ? [ext.sctList(scts)] : [])];
      const certificateList = certificateChain.map((data, i) => ({ data, ...(i === 0 && leafExt.length ? { extensions: leafExt } : {}) }));
      if (scts) this.host.emit({ kind: 'info', message: `sending ${scts.length} signed certificate timestamp(s) with our certificate (RFC 6962 section 3.3)` });
      if (stapling) this.host.emit({ kind: 'info', message: `stapling a ${stapling.length}-byte OCSP response to our certificate (status_request, RFC 8446 section 4.4.2.1)` });
      this.transcript.add(this.host.send({ type: 'certificate', certificateRequestContext: new Uint8Array(0), certificateList }).raw);
      const content = certificateVerifyContent('server', this.transcript.hash());
      if (cfg.asyncSigning && signer.signAsync) {
        // SSL_MODE_ASYNC: the flight pauses here until the signature is ready (SSL_ERROR_WANT_ASYNC).
        this.host.suspendFor(signer.signAsync(scheme, content), (signature) => this.finishFlight(scheme, signature, serverHs));
        return;
      }
      return this.finishFlight(scheme, signer.sign(scheme, content), serverHs);
    }
    this.finishFlight(undefined, undefined, serverHs);
  }

  /** CertificateVerify (unless resumed), Finished, and the switch to application keys. */
  private finishFlight(scheme: number | undefined, signature: Uint8Array | undefined, serverHs: Uint8Array): void {
    const suite = this.suite!;
    if (scheme !== undefined && signature) this.transcript.add(this.host.send({ type: 'certificate_verify', algorithm: scheme, signature }).raw);
    const verifyData = finishedVerifyData(this.p, suite.prfHash, serverHs, this.transcript.hash());
    this.transcript.add(this.host.send({ type: 'finished', verifyData }).raw);

    this.master = this.hs!.next();
    const h2 = this.transcript.hash();
    this.clientAppSecret = this.master.clientApplicationTrafficSecret(h2);
    this.serverAppSecret = this.master.serverApplicationTrafficSecret(h2);
    this.master.exporterMasterSecret(h2);
    this.host.setWriteKeys('application', suite, this.serverAppSecret);
    this.to(this.earlyStatus === 'accepted' ? 'wait_eoed' : this.requestedCert ? 'wait_cert' : 'wait_finished');
  }

  /**
   * 0-RTT (RFC 8446 section 4.2.10): accepted only for the first PSK identity, when this server allows early
   * data, the ticket was issued with early data, the suite and ALPN are the ticket's, the ticket age the client
   * reports is close to ours (section 8.3), and the single-use ticket cache has not seen this ticket's early
   * data before (section 8.1). Anything else rejects it; the handshake goes on in 1-RTT either way.
   */
  private decideEarlyData(suite: CipherSuite, ticket: AcceptedTicket | undefined, early: EarlySecret): void {
    const cfg = this.host.cfg;
    const reject = (why: string) => {
      this.earlyStatus = 'rejected';
      this.host.emit({ kind: 'info', message: `0-RTT rejected: ${why}; the client's early records are skipped by trial decryption and the handshake continues in 1-RTT (RFC 8446 section 4.2.10)` });
    };
    if (!((cfg.maxEarlyData ?? 0) > 0)) return reject('early data is not enabled on this server');
    if (!ticket) return reject('the ticket was not accepted for resumption');
    const { st } = ticket;
    if (!(st.maxEarlyData > 0)) return reject('the ticket was issued without early data');
    if (st.cipherSuite !== suite.code) return reject(`the chosen suite ${suiteName(suite.code)} is not the ticket's ${suiteName(st.cipherSuite)}`);
    if ((this.alpn ?? '') !== (st.alpn ?? '')) return reject(`the selected ALPN "${this.alpn ?? ''}" is not the ticket's "${st.alpn ?? ''}"`);
    const now = (cfg.now ?? Date.now)();
    const clientAge = (ticket.obfuscatedTicketAge - st.ticketAgeAdd) >>> 0;
    const ourAge = now - st.issuedAt;
    if (Math.abs(clientAge - ourAge) > TICKET_AGE_TOLERANCE_MS)
      return reject(`the ticket age the client reports (${clientAge} ms) is not within ${TICKET_AGE_TOLERANCE_MS / 1000} s of ours (${ourAge} ms), so the ClientHello may not be fresh (RFC 8446 section 8.3)`);
    if (!cfg.antiReplay) return reject('no single-use ticket cache is configured, and RFC 8446 section 8 requires accepting 0-RTT at most once');
    const claim = cfg.antiReplay.claim(this.p, ticket.identity, st.issuedAt + st.lifetime * 1000, now);
    if (claim === 'replay') return reject('this ticket\'s early data was accepted before: a replay, refused by the single-use ticket cache (RFC 8446 section 8.1)');
    if (claim === 'full') return reject(`the single-use ticket cache is full (${cfg.antiReplay.maxEntries} live tickets); refusing rather than forgetting one`);
    this.earlyStatus = 'accepted';
    this.earlyLimit = Math.min(st.maxEarlyData, cfg.maxEarlyData!);
    this.clientEarlySecret = early.clientEarlyTrafficSecret(this.transcript.hash());
    this.host.emit({ kind: 'info', message: `0-RTT accepted: up to ${this.earlyLimit} bytes of early data under client_early_traffic_secret until EndOfEarlyData. Early data can be replayed by an attacker; accept it only for idempotent requests (RFC 8446 section 8)` });
  }

  /** signature_algorithms, and certificate_authorities when configured (RFC 8446 sections 4.3.2, 4.2.4). */
  private certificateRequestExtensions(): Extension[] {
    const cas = this.host.cfg.certificateAuthorities;
    return [ext.signatureAlgorithms(this.host.cfg.clientSignatureSchemes ?? this.host.cfg.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES), ...(cas?.length ? [ext.certificateAuthorities(cas)] : [])];
  }

  /** How much rejected early data we skip: our limit, the ticket's, and at least OpenSSL's default. */
  private skipLimit(st: TicketState | undefined): number {
    return Math.max(this.host.cfg.maxEarlyData ?? 0, st?.maxEarlyData ?? 0, DEFAULT_EARLY_DATA_SKIP);
  }

  /** RFC 8446 section 4.5: the end of 0-RTT; K_recv = handshake. */
  private onEndOfEarlyData(eoed: EndOfEarlyData): void {
    this.transcript.add(eoed.raw);
    this.host.setReadKeys('handshake', this.suite!, this.clientHsSecret!);
    if (this.recordLimits) this.host.setRecordSizeLimit('read', this.recordLimits.ours);
    this.host.emit({ kind: 'info', message: 'EndOfEarlyData: the client\'s 0-RTT data is complete; its second flight follows under the handshake keys' });
    this.to(this.requestedCert ? 'wait_cert' : 'wait_finished');
  }

  private sendHelloRetryRequest(ch: ClientHello, suite: CipherSuite, group: number | undefined): void {
    this.firstHello = ch;
    this.cookie = group === undefined ? this.p.random(32) : undefined;
    this.suite = suite;
    this.transcript.setHash(suite.prfHash);
    this.transcript.add(ch.raw);
    this.transcript.replaceWithMessageHash();
    const hrrInit = {
      type: 'hello_retry_request' as const, legacySessionIdEcho: ch.legacySessionId, cipherSuite: suite.code,
      extensions: [ext.supportedVersionsServer(TLS13), ...(group !== undefined ? [ext.keyShareHelloRetry(group)] : []), ...(this.cookie ? [ext.cookie(this.cookie)] : [])],
    };
    // RFC 9849 section 7.2.1: accepted ECH is confirmed in the HelloRetryRequest's encrypted_client_hello.
    const echExt = this.ech?.hrrExtension(suite.prfHash, (e) => encodeHandshake({ ...hrrInit, extensions: [...hrrInit.extensions, e] }), (m) => this.transcript.hashWith(m));
    const hrr = this.host.send({ ...hrrInit, extensions: [...hrrInit.extensions, ...(echExt ? [echExt] : [])] });
    this.transcript.add(hrr.raw);
    this.host.emit({ kind: 'info', message: group !== undefined ? `HelloRetryRequest: no key share for a group we accept; asking for ${groupName(group)}` : 'HelloRetryRequest with a cookie (forced by configuration)' });
    if (ch.legacySessionId.length) {
      this.host.sendChangeCipherSpec();
      this.sentCcs = true;
    }
    this.to('wait_ch2');
  }

  /** RFC 8446 section 4.1.2: the second ClientHello repeats the first but for the changes the HRR asked for. */
  private checkSecondHello(ch: ClientHello): void {
    const first = this.firstHello!;
    if (!bytesEqual(ch.random, first.random) || ch.cipherSuites.join() !== first.cipherSuites.join() || !bytesEqual(ch.legacySessionId, first.legacySessionId))
      throw new ProtocolError('illegal_parameter', 'the second ClientHello changed more than the HelloRetryRequest asked for', { message: 'ClientHello' });
    if (this.cookie && (!ch.ext.cookie || !bytesEqual(ch.ext.cookie, this.cookie)))
      throw new ProtocolError('illegal_parameter', 'the second ClientHello does not echo our cookie', { message: 'ClientHello', field: 'cookie' });
  }

  private onCertificate(cert: Certificate): void {
    this.transcript.add(cert.raw);
    if (cert.certificateList.length === 0) {
      if (this.host.cfg.clientAuth === 'require') throw new ProtocolError('certificate_required', 'the client sent no certificate, and one is required', { message: 'Certificate' });
      this.host.emit({ kind: 'info', message: 'the client sent no certificate' });
      this.to('wait_finished');
      return;
    }
    this.peerChain = cert.certificateList.map((e) => e.data);
    const listed = this.host.cfg.clientSignatureSchemes ?? this.host.cfg.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES;
    for (const u of unlistedCertificateSignatures(this.peerChain, listed))
      this.host.emit({ kind: 'info', message: `the client's certificate ${u.depth} is signed with ${u.algorithm}, which is not among the schemes our CertificateRequest listed in signature_algorithms (RFC 8446 section 4.4.2.2)` });
    this.to('wait_cv');
  }

  private onCertificateVerify(cv: CertificateVerify): void {
    const accepted = this.host.cfg.clientSignatureSchemes ?? this.host.cfg.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES;
    if (!accepted.includes(cv.algorithm)) throw new ProtocolError('illegal_parameter', `the client signed with ${sigSchemeName(cv.algorithm)}, which we did not ask for`, { message: 'CertificateVerify' });
    let spki: Uint8Array;
    try {
      spki = certificateSpki(this.peerChain[0]!);
    } catch (e) {
      throw new ProtocolError('bad_certificate', `the client's certificate does not parse: ${(e as Error).message}`, { message: 'Certificate' });
    }
    if (!this.p.verify(cv.algorithm, spki, certificateVerifyContent('client', this.transcript.hash()), cv.signature))
      throw new ProtocolError('decrypt_error', `the client's CertificateVerify (${sigSchemeName(cv.algorithm)}) does not verify under its certificate's key`, { message: 'CertificateVerify', field: 'signature' });
    this.transcript.add(cv.raw);
    const verdict = this.host.cfg.verifyPeer?.(this.peerChain, undefined);
    if (verdict && !verdict.ok) throw new ProtocolError(verdict.alert ?? 'bad_certificate', `client certificate verification failed: ${verdict.reason}`, { message: 'Certificate' });
    this.to('wait_finished');
  }

  private onFinished(fin: Finished): void {
    const suite = this.suite!;
    const expected = finishedVerifyData(this.p, suite.prfHash, this.clientHsSecret!, this.transcript.hash());
    if (!bytesEqual(expected, fin.verifyData))
      throw new ProtocolError('decrypt_error', 'the client\'s Finished does not match our transcript', { message: 'Finished', field: 'verify_data' });
    this.transcript.add(fin.raw);
    if (this.recordLimits) this.host.setRecordSizeLimit('read', this.recordLimits.ours);
    this.resumptionSecret = this.master!.resumptionMasterSecret(this.transcript.hash());
    this.host.setReadKeys('application', suite, this.clientAppSecret!);
    this.to('connected');
    this.sendTickets();
    this.host.established({
      version: TLS13, cipherSuite: suite.code, ...(this.group !== undefined ? { group: this.group } : {}),
      ...(this.scheme !== undefined ? { signatureScheme: this.scheme } : {}), ...(this.alpn ? { alpn: this.alpn } : {}),
      resumed: !!this.psk, helloRetry: !!this.firstHello, peerCertificates: this.peerChain,
      ...(this.serverName ? { serverName: this.serverName } : {}), earlyData: this.earlyStatus,
      ...(this.recordLimits ? { recordSizeLimit: this.recordLimits } : {}),
      ...(this.ech?.accepted ? { ech: 'accepted' as const } : {}),
    });
  }

  /**
   * Resumption (RFC 8446 section 4.2.11): the first identity, if it is a ticket we issued, still fresh, for a
   * suite with the chosen suite's hash, and its binder verifies. A bad binder is fatal (decrypt_error); any
   * other reason to decline just means a full handshake.
   */
  private acceptTicket(ch: ClientHello, suite: CipherSuite): AcceptedTicket | undefined {
    const offered = ch.ext.preSharedKey;
    // RFC 8446 section 4.2.9: a client offering a PSK must say how it may be used; the server aborts otherwise.
    if (offered && !ch.ext.pskKeyExchangeModes)
      throw new ProtocolError('missing_extension', 'the ClientHello offers pre_shared_key without psk_key_exchange_modes (RFC 8446 section 4.2.9)', { message: 'ClientHello', field: 'psk_key_exchange_modes' });
    const key = this.host.cfg.ticketKey;
    if (!offered || !key) return undefined;
    const decline = (why: string) => {
      this.host.emit({ kind: 'info', message: `resumption declined: ${why}; a full handshake follows` });
      return undefined;
    };
    if (!ch.ext.pskKeyExchangeModes?.includes(1)) return decline('the client does not offer psk_dhe_ke');
    const st = openTicket(this.p, key, offered.identities[0]!.identity);
    if (!st) return decline('the ticket is not one of ours (or is damaged)');
    const now = (this.host.cfg.now ?? Date.now)();
    if (now - st.issuedAt > st.lifetime * 1000) return decline('the ticket has expired');
    const ticketSuite = suiteByCode(st.cipherSuite);
    if (!ticketSuite || ticketSuite.prfHash !== suite.prfHash) return decline(`the ticket's suite (${suiteName(st.cipherSuite)}) has a different hash than the chosen one`);
    const early = new EarlySecret(this.p, suite.prfHash, st.psk);
    const expected = finishedVerifyData(this.p, suite.prfHash, early.binderKey(true), this.transcript.hashWith(truncateForBinders(ch)));
    if (!bytesEqual(expected, offered.binders[0]!))
      throw new ProtocolError('decrypt_error', 'the PSK binder does not verify: the client does not hold this ticket\'s key, or the ClientHello was changed', { message: 'ClientHello', field: 'pre_shared_key.binders[0]' });
    this.host.emit({ kind: 'info', message: `resuming the session of a ticket issued ${Math.round((now - st.issuedAt) / 1000)} s ago` });
    return { psk: st.psk, st, identity: offered.identities[0]!.identity, obfuscatedTicketAge: offered.identities[0]!.obfuscatedTicketAge };
  }

  /** NewSessionTicket (RFC 8446 section 4.6.1): stateless tickets sealed under our ticket key. */
  private sendTickets(): void {
    const key = this.host.cfg.ticketKey;
    const count = key ? (this.host.cfg.ticketsToSend ?? 2) : 0;
    const suite = this.suite!;
    const lifetime = 7200;
    const maxEarlyData = Math.max(0, Math.min(this.host.cfg.maxEarlyData ?? 0, 0xffffffff));
    for (let i = 0; i < count; i++) {
      const nonce = new Uint8Array([i]);
      const ageAdd = new DataView(this.p.random(4).buffer).getUint32(0);
      const psk = resumptionPsk(this.p, suite.prfHash, this.resumptionSecret!, nonce);
      const ticket = sealTicket(this.p, key!, { cipherSuite: suite.code, psk, ticketAgeAdd: ageAdd, issuedAt: (this.host.cfg.now ?? Date.now)(), lifetime, maxEarlyData, ...(this.alpn ? { alpn: this.alpn } : {}), ...(this.serverName ? { serverName: this.serverName } : {}) });
      // RFC 8446 section 4.6.1: early_data with max_early_data_size when this server accepts 0-RTT.
      this.host.send({ type: 'new_session_ticket', ticketLifetime: lifetime, ticketAgeAdd: ageAdd, ticketNonce: nonce, ticket, extensions: maxEarlyData > 0 ? [ext.earlyDataTicket(maxEarlyData)] : [] });
    }
  }

  /**
   * Post-handshake authentication (RFC 8446 section 4.6.2): a CertificateRequest with a fresh, unpredictable
   * certificate_request_context (section 4.3.2), under our application keys. One request at a time.
   */
  requestClientCertificate(): void {
    if (this.state !== 'connected') throw new Error('the handshake is not complete');
    if (!this.clientOfferedPha) throw new Error('the client did not offer post_handshake_auth, so it cannot be asked for a certificate after the handshake (RFC 8446 section 4.6.2)');
    if (this.pha) throw new Error('a post-handshake CertificateRequest is still waiting for its answer');
    const context = this.p.random(32);
    const cr = this.host.send({ type: 'certificate_request', certificateRequestContext: context, extensions: this.certificateRequestExtensions() });
    this.pha = { context, msgs: [cr.raw], phase: 'wait_cert', chain: [] };
    this.host.emit({ kind: 'info', message: 'post-handshake authentication: CertificateRequest sent; the client answers with Certificate, CertificateVerify and Finished under its application keys (RFC 8446 section 4.6.2)' });
  }

  private onPhaCertificate(pha: PendingPha, cert: Certificate): void {
    if (!bytesEqual(cert.certificateRequestContext, pha.context))
      throw new ProtocolError('illegal_parameter', 'the client\'s post-handshake Certificate does not echo the certificate_request_context of our CertificateRequest (RFC 8446 section 4.4.2)', { message: 'Certificate', field: 'certificate_request_context' });
    pha.msgs.push(cert.raw);
    if (cert.certificateList.length === 0) {
      if (this.host.cfg.clientAuth === 'require') throw new ProtocolError('certificate_required', 'the client declined post-handshake authentication (an empty Certificate), and a certificate is required', { message: 'Certificate' });
      this.host.emit({ kind: 'info', message: 'post-handshake authentication: the client declined (an empty Certificate)' });
      pha.phase = 'wait_finished';
      return;
    }
    pha.chain = cert.certificateList.map((e) => e.data);
    pha.phase = 'wait_cv';
  }

  private onPhaCertificateVerify(pha: PendingPha, cv: CertificateVerify): void {
    const accepted = this.host.cfg.clientSignatureSchemes ?? this.host.cfg.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES;
    if (!accepted.includes(cv.algorithm)) throw new ProtocolError('illegal_parameter', `the client signed with ${sigSchemeName(cv.algorithm)}, which we did not ask for`, { message: 'CertificateVerify' });
    let spki: Uint8Array;
    try {
      spki = certificateSpki(pha.chain[0]!);
    } catch (e) {
      throw new ProtocolError('bad_certificate', `the client's certificate does not parse: ${(e as Error).message}`, { message: 'Certificate' });
    }
    const content = certificateVerifyContent('client', this.transcript.hashWith(concatBytes(pha.msgs)));
    if (!this.p.verify(cv.algorithm, spki, content, cv.signature))
      throw new ProtocolError('decrypt_error', `the client's post-handshake CertificateVerify (${sigSchemeName(cv.algorithm)}) does not verify under its certificate's key`, { message: 'CertificateVerify', field: 'signature' });
    pha.msgs.push(cv.raw);
    pha.scheme = cv.algorithm;
    const verdict = this.host.cfg.verifyPeer?.(pha.chain, undefined);
    if (verdict && !verdict.ok) throw new ProtocolError(verdict.alert ?? 'bad_certificate', `client certificate verification failed: ${verdict.reason}`, { message: 'Certificate' });
    pha.phase = 'wait_finished';
  }

  /** The Finished of post-handshake authentication: MAC keyed from client_application_traffic_secret_N (RFC 8446 section 4.4). */
  private onPhaFinished(pha: PendingPha, fin: Finished): void {
    const expected = finishedVerifyData(this.p, this.suite!.prfHash, this.clientAppSecret!, this.transcript.hashWith(concatBytes(pha.msgs)));
    if (!bytesEqual(expected, fin.verifyData))
      throw new ProtocolError('decrypt_error', 'the client\'s post-handshake Finished does not match: it is not keyed from the current client application traffic secret, or a message of the exchange was changed', { message: 'Finished', field: 'verify_data' });
    this.pha = undefined;
    if (!pha.chain.length) return;
    this.peerChain = pha.chain;
    this.host.peerAuthenticated(pha.chain);
    let subject = '';
    try {
      subject = ` as ${decodeCertificate(pha.chain[0]!).subject.text}`;
    } catch {
      // the chain is still recorded; only the name is missing from the message
    }
    this.host.emit({ kind: 'info', message: `post-handshake authentication: the client authenticated${subject} (${sigSchemeName(pha.scheme!)}, ${pha.chain.length} certificate${pha.chain.length > 1 ? 's' : ''})` });
  }

  private onKeyUpdate(requestUpdate: number): void {
    this.clientAppSecret = receiveKeyUpdate(this.host, this.p, this.suite!, requestUpdate, this.clientAppSecret!);
    if (requestUpdate === 1) this.keyUpdate(false);
  }

  keyUpdate(requestPeer: boolean): void {
    this.serverAppSecret = sendKeyUpdate(this.host, this.p, this.suite!, requestPeer, this.serverAppSecret!);
  }
}

/**
 * The version a server picks (RFC 8446 section 4.2.1, RFC 5246 appendix E.1): the highest the client lists in
 * supported_versions that we accept, or without that extension, the lower of its legacy_version and our maximum.
 * Throws protocol_version, naming both ranges, when there is none.
 */
export function negotiateVersion(ch: ClientHello, min: number, max: number): number {
  const listed = ch.ext.supportedVersions?.filter((v) => (v & 0xff00) === 0x0300 && v >= min && v <= max);
  const chosen = ch.ext.supportedVersions ? Math.max(-1, ...(listed ?? [])) : Math.min(ch.legacyVersion, max);
  if (chosen < min || chosen < 0x0300) {
    const theirs = ch.ext.supportedVersions ? ch.ext.supportedVersions.filter((v) => (v & 0x0f0f) !== 0x0a0a).map((v) => versionName(v)).join(', ') : `up to ${versionName(ch.legacyVersion)}`;
    throw new ProtocolError('protocol_version', `no protocol version in common: the client offers ${theirs}; we accept ${versionName(min)} to ${versionName(max)}`, { message: 'ClientHello', field: ch.ext.supportedVersions ? 'supported_versions' : 'legacy_version' });
  }
  return chosen;
}
