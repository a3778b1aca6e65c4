// The client's side of Encrypted Client Hello (RFC 9849 section 6), beside the TLS 1.3 client state machine:
// it turns the ClientHelloInner the client built into the ClientHelloOuter that goes on the wire (sections 6.1,
// 6.1.1), decides from the ServerHello or HelloRetryRequest whether the server accepted (section 6.1.4), and
// keeps what a rejection brings (retry_configs, section 6.1.6). A GREASE extension (section 6.2) is made here too.
import { concatBytes } from '../util/hex';
import { bytesToBase64 } from '../pem/blocks';
import { generateKeyPair, HpkeContext, setupBaseS } from '../crypto/hpke';
import type { CryptoProvider, HashName } from '../crypto/provider';
import { ProtocolError } from '../conn/errors';
import { decodeClientHello, decodeHandshake, encodeClientHello, type ClientHello, type HelloRetryRequest, type ServerHello } from '../msgs/handshake';
import { encodeEchClientHello, type EchConfig, type HpkeSymmetricCipherSuite } from '../msgs/ech';
import { ext, type Extension } from '../msgs/extensions';
import { collectSpans } from '../msgs/reader';
import { ExtensionType } from '../registry/extensions';
import { Transcript } from '../handshake/transcript';
import type { HandshakeHost } from '../conn/connection';
import { acceptConfirmation, SH_CONFIRMATION_OFFSET, zeroHrrConfirmation, zeroServerHelloConfirmation } from './confirm';
import { chooseEchConfig, describeEchConfig, echConfigSummary, suiteName, type EchChoice } from './config';
import { bytesEqual } from '../util/hex';
import { clientHelloOuterAad, compressibleRun, encodeClientHelloInner } from './inner';

const enc = new TextEncoder();

/** The extensions ClientHelloOuter copies from ClientHelloInner (nothing that names the real server or its application). */
export const ECH_SHARED_EXTENSIONS: ReadonlySet<number> = new Set<number>([
  ExtensionType.supported_versions, ExtensionType.supported_groups, ExtensionType.signature_algorithms,
  ExtensionType.key_share, ExtensionType.psk_key_exchange_modes, ExtensionType.cookie,
]);

export type EchClientStatus = 'offered' | 'hrr-accepted' | 'accepted' | 'rejected' | 'grease';

/** The ECH trace event's body (trace/events.ts), without its time and side. */
type Emit = HandshakeHost['emit'];

export class EchClient {
  status: EchClientStatus;
  /** ClientHelloOuter.random: fresh, never the inner one (section 6.1 rule 4); kept for a second ClientHelloOuter. */
  readonly outerRandom: Uint8Array;
  /** The transcript of the outer handshake, used when the server rejects ECH. */
  readonly outerTranscript: Transcript;
  /** retry_configs from the server's EncryptedExtensions, when it rejected ECH. */
  retryConfigs?: { raw: Uint8Array; configs: EchConfig[] };
  private context?: HpkeContext;
  private encapsulated?: Uint8Array;
  private firstInner?: ClientHello;
  /** The encrypted_client_hello of the first ClientHelloOuter, repeated after a HelloRetryRequest that rejected ECH or in GREASE. */
  private firstExtension?: Extension;

  private constructor(private readonly p: CryptoProvider, private readonly emit: Emit, readonly choice: EchChoice | undefined) {
    this.status = choice ? 'offered' : 'grease';
    this.outerRandom = p.random(32);
    this.outerTranscript = new Transcript(p);
  }

  /** ECH with the first usable config of `list`; GREASE (section 6.2) when none is usable, saying why. */
  static offer(p: CryptoProvider, emit: Emit, list: EchConfig[]): EchClient {
    const { choice, skipped } = chooseEchConfig(list);
    for (const s of skipped) emit({ kind: 'info', message: `ECH: config ${s.index} of the ECHConfigList skipped: ${s.reason}` });
    if (!choice) emit({ kind: 'info', message: 'ECH: no usable config in the ECHConfigList: sending a GREASE encrypted_client_hello instead (RFC 9849 section 6.2), which the server cannot accept' });
    return new EchClient(p, emit, choice);
  }

  static grease(p: CryptoProvider, emit: Emit): EchClient {
    return new EchClient(p, emit, undefined);
  }

  get publicName(): string | undefined {
    return this.choice?.config.contents.publicName;
  }

  /** The server name the handshake authenticates: the public name once ECH was rejected (section 6.1.7). */
  serverNameFor(innerName: string | undefined): string | undefined {
    return this.status === 'rejected' ? this.publicName : innerName;
  }

  /**
   * ClientHelloOuter for `inner` (sections 6.1 and 6.1.1), encrypted under a new HPKE context (first hello) or the
   * same one with an empty enc (after a HelloRetryRequest that accepted ECH, section 6.1.5).
   */
  sealOuter(innerRaw: Uint8Array): Uint8Array {
    const choice = this.choice!;
    const inner = decodeClientHello(innerRaw);
    const second = !!this.context;
    if (!second) {
      const info = concatBytes([enc.encode('tls ech'), new Uint8Array([0]), choice.config.raw]);
      const { enc: e, context } = setupBaseS({ kem: choice.config.contents.kemId, kdf: choice.suite.kdfId, aead: choice.suite.aeadId }, choice.config.contents.publicKey, info);
      this.context = context;
      this.encapsulated = e;
      this.firstInner = inner;
    }
    // Rule 5: public_name as SNI. Rules 2 and 3: the shared extensions, same relative order; the session ID copied.
    const shared = inner.extensions.filter((e) => ECH_SHARED_EXTENSIONS.has(e.type));
    const compress = compressibleRun(inner.extensions, shared.filter((e) => e.type !== ExtensionType.cookie));
    const encoded = encodeClientHelloInner(inner, compress, choice.config.contents.maximumNameLength);
    const outerExt = (payload: Uint8Array) => ext.raw(ExtensionType.encrypted_client_hello, encodeEchClientHello({ type: 'outer', cipherSuite: choice.suite, configId: choice.config.contents.configId, enc: second ? new Uint8Array(0) : this.encapsulated!, payload }));
    // Rule 6: a PSK offered inside is mirrored outside by a GREASE pre_shared_key of the same shape (section 6.1.2).
    const psk = inner.ext.preSharedKey;
    const greasePsk = psk ? ext.preSharedKeyClient({
      identities: psk.identities.map((id) => ({ identity: this.p.random(id.identity.length), obfuscatedTicketAge: new DataView(this.p.random(4).buffer).getUint32(0) })),
      binders: psk.binders.map((b) => this.p.random(b.length)),
    }) : undefined;
    const build = (payload: Uint8Array) => encodeClientHello({
      type: 'client_hello', random: this.outerRandom, legacySessionId: inner.legacySessionId, cipherSuites: inner.cipherSuites,
      extensions: [ext.serverName([choice.config.contents.publicName]), ...shared, outerExt(payload), ...(greasePsk ? [greasePsk] : [])],
    });
    const placeholder = decodeClientHello(build(new Uint8Array(encoded.length + HpkeContext.tagLength)));
    const payload = this.context!.seal(clientHelloOuterAad(placeholder), encoded);
    const outer = build(payload);
    if (!second) this.firstExtension = decodeClientHello(outer).extensions.find((e) => e.type === ExtensionType.encrypted_client_hello);
    this.emit({
      kind: 'ech', status: 'offered', publicName: choice.config.contents.publicName, configId: choice.config.contents.configId, hpkeSuite: suiteName(choice.suite),
      message: `ECH offered${second ? ' again (second ClientHello, same HPKE context, empty enc)' : ''}: the ClientHelloInner below (SNI ${inner.ext.serverName?.[0] ?? '(none)'}) is encrypted into the ClientHelloOuter on the wire (SNI ${choice.config.contents.publicName}); ${describeEchConfig(choice.config)}; EncodedClientHelloInner ${encoded.length} bytes (${compress.length} extension(s) compressed)`,
      inner: innerTraceFields(innerRaw),
    });
    return outer;
  }

  /** Zeroes the HPKE context (the connection is done). */
  wipe(): void {
    this.context?.wipe();
  }

  /** The ClientHello a client that keeps to ClientHelloOuter sends after a HelloRetryRequest that rejected ECH: its encrypted_client_hello repeated. */
  repeatedExtension(): Extension | undefined {
    return this.firstExtension;
  }

  /** A GREASE encrypted_client_hello (section 6.2.1), or the first one again after a HelloRetryRequest. */
  greaseExtension(helloLength: number): Extension {
    if (this.firstExtension) return this.firstExtension;
    const suite: HpkeSymmetricCipherSuite = { kdfId: 1, aeadId: 1 };
    // L: what an EncodedClientHelloInner this size would be, padded to 32 bytes; plus the AEAD tag.
    const l = helloLength + 31 - ((helloLength - 1) % 32);
    this.firstExtension = ext.raw(ExtensionType.encrypted_client_hello, encodeEchClientHello({ type: 'outer', cipherSuite: suite, configId: this.p.random(1)[0]!, enc: generateKeyPair(this.p.random).publicKey, payload: this.p.random(l + HpkeContext.tagLength) }));
    this.emit({ kind: 'ech', status: 'grease', message: 'GREASE ECH: a random encrypted_client_hello the server cannot decrypt (RFC 9849 section 6.2.1); no ECH is negotiated' });
    return this.firstExtension;
  }

  /** Section 6.1.4 for a HelloRetryRequest: the transcript the handshake continues with (inner if accepted, outer if not). */
  onHelloRetryRequest(hrr: HelloRetryRequest, hash: HashName, inner: Transcript): Transcript {
    if (this.status === 'grease') return inner;
    if (this.status !== 'offered') return this.status === 'rejected' ? this.outerTranscript : inner;
    const conf = hrr.ext.encryptedClientHello;
    if (conf) {
      // transcript_hrr_ech_conf: message_hash(ClientHelloInner1), then the HRR with its confirmation zeroed.
      const t = new Transcript(this.p);
      t.add(this.firstInner!.raw);
      t.setHash(hash);
      t.replaceWithMessageHash();
      const expected = acceptConfirmation(this.p, hash, this.firstInner!.random, t.hashWith(zeroHrrConfirmation(hrr)), 'hrr ech accept confirmation');
      if (bytesEqual(expected, conf)) {
        this.status = 'hrr-accepted';
        this.emit({ kind: 'ech', status: 'accepted', message: 'ECH accepted in the HelloRetryRequest: its encrypted_client_hello holds hrr_accept_confirmation (RFC 9849 section 7.2.1); the second ClientHelloInner goes in a second ClientHelloOuter' });
        return inner;
      }
    }
    this.reject(conf ? 'the HelloRetryRequest\'s encrypted_client_hello is not hrr_accept_confirmation' : 'the HelloRetryRequest has no encrypted_client_hello');
    return this.outerTranscript;
  }

  /** Section 6.1.4 for a ServerHello: the transcript the handshake continues with. */
  onServerHello(sh: ServerHello, hash: HashName, inner: Transcript): Transcript {
    if (this.status === 'grease' || this.status === 'rejected' || this.status === 'accepted') {
      if (this.status === 'rejected' && sh.ext.preSharedKey !== undefined)
        throw new ProtocolError('illegal_parameter', 'the server rejected ECH yet selected a pre_shared_key: the outer ClientHello offered only a GREASE PSK (RFC 9849 section 6.1.2)', { message: 'ServerHello', field: 'pre_shared_key' });
      return this.status === 'rejected' ? this.outerTranscript : inner;
    }
    inner.setHash(hash);
    const expected = acceptConfirmation(this.p, hash, this.firstInner!.random, inner.hashWith(zeroServerHelloConfirmation(sh.raw)), 'ech accept confirmation');
    if (bytesEqual(expected, sh.raw.subarray(SH_CONFIRMATION_OFFSET, SH_CONFIRMATION_OFFSET + 8))) {
      this.status = 'accepted';
      this.emit({ kind: 'ech', status: 'accepted', publicName: this.publicName!, message: `ECH accepted: the last 8 bytes of ServerHello.random are accept_confirmation (RFC 9849 section 7.2); the handshake goes on with ClientHelloInner` });
      return inner;
    }
    if (this.status === 'hrr-accepted')
      throw new ProtocolError('illegal_parameter', 'the HelloRetryRequest accepted ECH but the ServerHello does not (RFC 9849 section 6.1.5)', { message: 'ServerHello', field: 'random' });
    this.reject('the last 8 bytes of ServerHello.random are not accept_confirmation');
    if (sh.ext.preSharedKey !== undefined)
      throw new ProtocolError('illegal_parameter', 'the server rejected ECH yet selected a pre_shared_key: the outer ClientHello offered only a GREASE PSK (RFC 9849 section 6.1.2)', { message: 'ServerHello', field: 'pre_shared_key' });
    return this.outerTranscript;
  }

  private reject(why: string): void {
    this.status = 'rejected';
    this.emit({ kind: 'ech', status: 'rejected', publicName: this.publicName!, message: `ECH rejected: ${why}; the handshake goes on with ClientHelloOuter, authenticating ${this.publicName} (RFC 9849 section 6.1.6); it will end with ech_required` });
  }

  /** EncryptedExtensions' encrypted_client_hello (section 6.1.6, 6.2.1). */
  onEncryptedExtensions(value: { retryConfigs: EchConfig[]; raw: Uint8Array }): void {
    if (this.status === 'accepted')
      throw new ProtocolError('unsupported_extension', 'EncryptedExtensions has encrypted_client_hello although the server accepted ECH (RFC 9849 section 5)', { message: 'EncryptedExtensions', field: 'encrypted_client_hello' });
    if (this.status === 'grease') {
      this.emit({ kind: 'info', message: `GREASE ECH: the server sent retry_configs (${value.retryConfigs.length} config(s)); ignored and not kept (RFC 9849 section 6.2.1)` });
      return;
    }
    this.retryConfigs = { raw: value.raw.slice(), configs: value.retryConfigs };
    this.emit({ kind: 'ech', status: 'retry_configs', message: `the server sent retry_configs: ${value.retryConfigs.map(describeEchConfig).join('; ')}`, retryConfigs: retryConfigsTrace(this.retryConfigs) });
  }

  /** The ech_required failure the client ends a rejected handshake with (section 6.1.6). */
  requiredError(): ProtocolError {
    const rc = this.retryConfigs;
    return new ProtocolError('ech_required', rc
      ? `ECH was rejected by the server (it authenticated as ${this.publicName}); retry with its retry_configs: ${bytesToBase64(rc.raw)} (RFC 9849 section 6.1.6)`
      : `ECH was rejected by the server (it authenticated as ${this.publicName}) and it sent no retry_configs: it has ECH disabled (RFC 9849 section 6.1.6)`, { message: 'EncryptedExtensions', field: 'encrypted_client_hello' });
  }
}

/** retry_configs as the trace carries them: the ECHConfigList, its base64 (as DNS carries it) and each config. */
export function retryConfigsTrace(rc: { raw: Uint8Array; configs: EchConfig[] }): { raw: Uint8Array; base64: string; configs: ReturnType<typeof echConfigSummary>[] } {
  return { raw: rc.raw, base64: bytesToBase64(rc.raw), configs: rc.configs.map(echConfigSummary) };
}

/** A ClientHelloInner as a handshake event carries it: raw, decoded fields and their spans. */
export function innerTraceFields(raw: Uint8Array): { raw: Uint8Array; fields: unknown; spans: ReturnType<typeof collectSpans> } {
  const { raw: _r, ...fields } = decodeHandshake(raw, { version: 'tls13' }) as ClientHello;
  return { raw, fields, spans: collectSpans(raw, () => decodeHandshake(raw, { version: 'tls13' })) };
}
