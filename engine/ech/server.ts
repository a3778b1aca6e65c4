// The server's side of Encrypted Client Hello in shared mode (RFC 9849 section 7: client-facing and backend
// server in one), beside the TLS 1.3 server state machine: it decrypts ClientHelloOuter's encrypted_client_hello
// with the key its config_id names (section 7.1), rebuilds ClientHelloInner (section 5.1) for the handshake to
// go on with, does the same for the second ClientHello after a HelloRetryRequest (section 7.1.1), writes the
// acceptance confirmation into ServerHello.random and the HelloRetryRequest (sections 7.2, 7.2.1), and, when it
// cannot decrypt, goes on with ClientHelloOuter and sends retry_configs in EncryptedExtensions (section 7.1).
import { concatBytes } from '../util/hex';
import { HpkeContext, HpkeError, setupBaseR } from '../crypto/hpke';
import type { CryptoProvider, HashName } from '../crypto/provider';
import { ProtocolError } from '../conn/errors';
import type { HandshakeHost } from '../conn/connection';
import type { ClientHello } from '../msgs/handshake';
import type { HpkeSymmetricCipherSuite } from '../msgs/ech';
import { ext, type Extension } from '../msgs/extensions';
import { ExtensionType, isGrease } from '../registry/extensions';
import { acceptConfirmation } from './confirm';
import { describeEchConfig, suiteName, type EchServerConfig, type EchServerKey } from './config';
import { innerTraceFields } from './client';
import { clientHelloOuterAad, decodeClientHelloInner } from './inner';

const enc = new TextEncoder();

export class EchServer {
  status: 'none' | 'accepted' | 'rejected' = 'none';
  private context?: HpkeContext;
  private chosen?: { key: EchServerKey; suite: HpkeSymmetricCipherSuite; configId: number };
  private innerRandom?: Uint8Array;
  /** The last outer hello opened and what it gave: a ClientHello callback that asks to be called again re-reads it. */
  private last?: { outer: ClientHello; inner: ClientHello };

  constructor(private readonly p: CryptoProvider, private readonly emit: HandshakeHost['emit'], private readonly cfg: EchServerConfig) {}

  /** Zeroes the HPKE context (the connection is done); the long-lived ECH keys are the server's to keep. */
  wipe(): void {
    this.context?.wipe();
  }

  get accepted(): boolean {
    return this.status === 'accepted';
  }

  /** The ClientHello the handshake goes on with: ClientHelloInner when `outer` decrypts, else `outer` itself. */
  open(outer: ClientHello, second: boolean): ClientHello {
    if (this.last?.outer === outer) return this.last.inner;
    const inner = second ? this.openSecond(outer) : this.openFirst(outer);
    this.last = { outer, inner };
    return inner;
  }

  private openFirst(outer: ClientHello): ClientHello {
    const e = outer.ext.encryptedClientHello;
    if (!e) return outer;
    // Section 7: in shared mode an inner ECHClientHello never comes from the network.
    if (e.type === 'inner') throw new ProtocolError('illegal_parameter', 'the ClientHello carries an inner encrypted_client_hello: only a ClientHelloInner may, and it never travels in the clear (RFC 9849 section 7)', { message: 'ClientHello', field: 'encrypted_client_hello' });
    if (outer.extensions.some((x) => x.type === ExtensionType.ech_outer_extensions))
      throw new ProtocolError('illegal_parameter', 'ech_outer_extensions in ClientHelloOuter: it may only appear inside EncodedClientHelloInner (RFC 9849 section 5.1)', { message: 'ClientHello', field: 'ech_outer_extensions' });
    // Section 7.1, method 1: the candidates are the configs with this config_id.
    const candidates = this.cfg.keys.filter((k) => k.config.contents.configId === e.configId);
    const reasons: string[] = [];
    for (const key of candidates) {
      const c = key.config.contents;
      if (!c.cipherSuites.some((s) => s.kdfId === e.cipherSuite.kdfId && s.aeadId === e.cipherSuite.aeadId)) {
        reasons.push(`config ${c.configId} does not list ${suiteName(e.cipherSuite)}`);
        continue;
      }
      let pt: Uint8Array;
      try {
        const info = concatBytes([enc.encode('tls ech'), new Uint8Array([0]), key.config.raw]);
        this.context = setupBaseR({ kem: c.kemId, kdf: e.cipherSuite.kdfId, aead: e.cipherSuite.aeadId }, e.enc, key.privateKey, info);
        pt = this.context.open(clientHelloOuterAad(outer), e.payload);
      } catch (err) {
        if (!(err instanceof HpkeError)) throw err;
        reasons.push(`config ${c.configId}: ${err.message}`);
        continue;
      }
      this.chosen = { key, suite: e.cipherSuite, configId: e.configId };
      const inner = this.checkedInner(pt, outer);
      this.status = 'accepted';
      this.innerRandom = inner.random;
      this.emit({
        kind: 'ech', status: 'accepted', publicName: c.publicName, configId: c.configId, hpkeSuite: suiteName(e.cipherSuite),
        message: `ECH accepted: decrypted ClientHelloInner (SNI ${inner.ext.serverName?.[0] ?? '(none)'}) from the ClientHelloOuter (SNI ${outer.ext.serverName?.[0] ?? '(none)'}) with ${describeEchConfig(key.config)}; the handshake goes on with ClientHelloInner`,
        inner: innerTraceFields(inner.raw),
      });
      return inner;
    }
    this.status = 'rejected';
    const why = candidates.length ? reasons.join('; ') : `no ECH config of ours has config_id ${e.configId} (ours: ${this.cfg.keys.map((k) => k.config.contents.configId).join(', ') || 'none'})`;
    this.emit({ kind: 'ech', status: 'rejected', configId: e.configId, message: `ECH rejected: ${why}; going on with ClientHelloOuter and sending retry_configs (RFC 9849 section 7.1)` });
    return outer;
  }

  /** Section 7.1.1: the second ClientHelloOuter after our HelloRetryRequest. */
  private openSecond(outer: ClientHello): ClientHello {
    if (this.status !== 'accepted') return outer; // rejected, or no ECH: the second payload is not decrypted
    const e = outer.ext.encryptedClientHello;
    if (!e) throw new ProtocolError('missing_extension', 'the second ClientHelloOuter has no encrypted_client_hello although ECH was accepted (RFC 9849 section 7.1.1)', { message: 'ClientHello', field: 'encrypted_client_hello' });
    const c = this.chosen!;
    if (e.type !== 'outer' || e.configId !== c.configId || e.cipherSuite.kdfId !== c.suite.kdfId || e.cipherSuite.aeadId !== c.suite.aeadId || e.enc.length !== 0)
      throw new ProtocolError('illegal_parameter', 'the second ClientHelloOuter\'s encrypted_client_hello changed its config_id or cipher suite, or its enc is not empty (RFC 9849 section 7.1.1)', { message: 'ClientHello', field: 'encrypted_client_hello' });
    let pt: Uint8Array;
    try {
      pt = this.context!.open(clientHelloOuterAad(outer), e.payload);
    } catch (err) {
      if (!(err instanceof HpkeError)) throw err;
      throw new ProtocolError('decrypt_error', `the second ClientHelloOuter's payload does not decrypt under the first one's HPKE context: ${err.message} (RFC 9849 section 7.1.1)`, { message: 'ClientHello', field: 'encrypted_client_hello.payload' });
    }
    const inner = this.checkedInner(pt, outer);
    this.emit({ kind: 'ech', status: 'accepted', configId: c.configId, message: `ECH: decrypted the second ClientHelloInner (SNI ${inner.ext.serverName?.[0] ?? '(none)'}) with the first hello's HPKE context`, inner: innerTraceFields(inner.raw) });
    return inner;
  }

  /** Section 7.1: ClientHelloInner must carry an inner encrypted_client_hello and offer nothing below TLS 1.3. */
  private checkedInner(pt: Uint8Array, outer: ClientHello): ClientHello {
    const inner = decodeClientHelloInner(pt, outer);
    if (inner.ext.encryptedClientHello?.type !== 'inner')
      throw new ProtocolError('illegal_parameter', 'ClientHelloInner has no inner encrypted_client_hello (RFC 9849 section 7.1)', { message: 'ClientHelloInner', field: 'encrypted_client_hello' });
    const versions = inner.ext.supportedVersions?.filter((v) => !isGrease(v));
    if (!versions?.length || versions.some((v) => v < 0x0304))
      throw new ProtocolError('illegal_parameter', `ClientHelloInner offers ${versions?.length ? 'TLS 1.2 or below' : 'no supported_versions, so TLS 1.2 or below'}, which ECH forbids (RFC 9849 section 7.1)`, { message: 'ClientHelloInner', field: 'supported_versions' });
    if (inner.extensions.some((x) => x.type === ExtensionType.ech_outer_extensions))
      throw new ProtocolError('illegal_parameter', 'ClientHelloInner still has ech_outer_extensions after expansion (RFC 9849 section 5.1)', { message: 'ClientHelloInner', field: 'ech_outer_extensions' });
    return inner;
  }

  /**
   * ServerHello.random with accept_confirmation in its last 8 bytes (section 7.2): `encode(random)` gives the
   * ServerHello for a random, and `hashWith` the inner transcript's hash with a message added.
   */
  confirmServerHello(random: Uint8Array, hash: HashName, encode: (random: Uint8Array) => Uint8Array, hashWith: (msg: Uint8Array) => Uint8Array): Uint8Array {
    if (!this.accepted) return random;
    const zeroed = random.slice();
    zeroed.fill(0, 24);
    const conf = acceptConfirmation(this.p, hash, this.innerRandom!, hashWith(encode(zeroed)), 'ech accept confirmation');
    zeroed.set(conf, 24);
    return zeroed;
  }

  /**
   * The HelloRetryRequest's encrypted_client_hello (section 7.2.1): hrr_accept_confirmation over message_hash of
   * ClientHelloInner1 and the HelloRetryRequest with the extension's 8 bytes zeroed. None when ECH was not accepted.
   */
  hrrExtension(hash: HashName, encode: (ech: Extension) => Uint8Array, hashWith: (msg: Uint8Array) => Uint8Array): Extension | undefined {
    if (!this.accepted) return undefined;
    const conf = acceptConfirmation(this.p, hash, this.innerRandom!, hashWith(encode(ext.raw(ExtensionType.encrypted_client_hello, new Uint8Array(8)))), 'hrr ech accept confirmation');
    return ext.raw(ExtensionType.encrypted_client_hello, conf);
  }

  /** EncryptedExtensions' encrypted_client_hello: retry_configs whenever the client offered ECH and we did not accept it (section 7.1). */
  encryptedExtensions(): Extension[] {
    if (this.status !== 'rejected') return [];
    return [ext.raw(ExtensionType.encrypted_client_hello, this.cfg.retryConfigs)];
  }
}
