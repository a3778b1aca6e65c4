// The handshake transcript (RFC 8446 section 4.4.1). Messages are added as their exact received or sent
// bytes. Until the cipher suite (and so the hash) is known, they are kept and hashed once it is chosen.
import type { CryptoProvider, HashContext, HashName } from '../crypto/provider';

export class Transcript {
  private pending: Uint8Array[] = [];
  private ctx?: HashContext;
  hashName?: HashName;

  constructor(private readonly p: CryptoProvider) {}

  add(message: Uint8Array): void {
    if (this.ctx) this.ctx.update(message);
    else this.pending.push(message);
  }

  /** Fixes the hash; earlier messages are hashed now. */
  setHash(name: HashName): void {
    if (this.ctx && this.hashName === name) return;
    this.hashName = name;
    this.ctx = this.p.hash(name).create();
    for (const m of this.pending) this.ctx.update(m);
    this.pending = [];
  }

  /** Transcript-Hash of everything added so far. */
  hash(): Uint8Array {
    if (!this.ctx) throw new Error('transcript: hash not chosen yet');
    return this.ctx.digest();
  }

  /** Transcript-Hash over what has been added plus `extra`, without adding it (PSK binders, CertificateVerify). */
  hashWith(extra: Uint8Array): Uint8Array {
    if (!this.ctx) throw new Error('transcript: hash not chosen yet');
    return this.ctx.clone().update(extra).digest();
  }

  /**
   * After a HelloRetryRequest, ClientHello1 is replaced by message_hash (RFC 8446 section 4.4.1):
   * handshake type 254, length Hash.length, then Hash(ClientHello1).
   */
  replaceWithMessageHash(): void {
    const digest = this.hash();
    const mh = new Uint8Array(4 + digest.length);
    mh[0] = 254;
    mh[3] = digest.length;
    mh.set(digest, 4);
    this.ctx = this.p.hash(this.hashName!).create().update(mh);
  }
}
