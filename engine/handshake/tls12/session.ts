// TLS 1.2 session tickets (RFC 5077): the server's session state sealed under its ticket key, so it can resume a
// session without remembering it. Sealed like the TLS 1.3 tickets (AES-256-GCM, nonce || ciphertext) but in
// their own format, tagged so that one kind is never opened as the other.
import type { CryptoProvider } from '../../crypto/provider';
import { Reader } from '../../msgs/reader';
import { Writer } from '../../msgs/writer';

export interface SessionState12 {
  version: number;
  cipherSuite: number;
  masterSecret: Uint8Array;
  extendedMasterSecret: boolean;
  /** Milliseconds clock. */
  issuedAt: number;
  /** Seconds. */
  lifetime: number;
  /** The client's chain, when it authenticated (a resumption reports the same peer). */
  peerCertificates: Uint8Array[];
}

const TAG = 0x12;

export function sealTicket12(p: CryptoProvider, key: Uint8Array, st: SessionState12): Uint8Array {
  const w = new Writer(128);
  w.u8(TAG, 'tag').u16(st.version, 'version').u16(st.cipherSuite, 'cipher_suite').opaque8(st.masterSecret, 'master_secret')
    .u8(st.extendedMasterSecret ? 1 : 0, 'ems').u48(st.issuedAt, 'issued').u32(st.lifetime, 'lifetime');
  w.u24Prefixed((w) => st.peerCertificates.forEach((c) => w.opaque24(c, 'certificate')), 'peer_certificates');
  const nonce = p.random(12);
  const ct = p.aead('AES-256-GCM').init(key).seal(nonce, new Uint8Array([TAG]), w.finish());
  const out = new Uint8Array(12 + ct.length);
  out.set(nonce);
  out.set(ct, 12);
  return out;
}

/** Undefined for a ticket we did not issue, a damaged one, or a TLS 1.3 one: it is just not resumable. */
export function openTicket12(p: CryptoProvider, key: Uint8Array, ticket: Uint8Array): SessionState12 | undefined {
  if (ticket.length < 12 + 16) return undefined;
  const plain = p.aead('AES-256-GCM').init(key).open(ticket.subarray(0, 12), new Uint8Array([TAG]), ticket.subarray(12));
  if (!plain) return undefined;
  try {
    const r = new Reader(plain, 'ticket12');
    if (r.u8('tag') !== TAG) return undefined;
    const version = r.u16('version');
    const cipherSuite = r.u16('cipher_suite');
    const masterSecret = r.opaque8('master_secret').slice();
    const extendedMasterSecret = r.u8('ems') === 1;
    const issuedAt = r.u48('issued');
    const lifetime = r.u32('lifetime');
    const certs = r.vec24('peer_certificates');
    const peerCertificates: Uint8Array[] = [];
    while (!certs.atEnd()) peerCertificates.push(certs.opaque24('certificate').slice());
    r.end();
    return { version, cipherSuite, masterSecret, extendedMasterSecret, issuedAt, lifetime, peerCertificates };
  } catch {
    return undefined;
  }
}

/**
 * A server's TLS 1.2 session cache (RFC 5246 section 7.4.1.2 session IDs): shared by every connection of one
 * server, bounded, entries dropped when they expire. Used when the client takes no ticket.
 */
export class SessionCache12 {
  private readonly entries = new Map<string, SessionState12>();

  constructor(readonly maxEntries = 20_000) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: Uint8Array, now: number): SessionState12 | undefined {
    const k = key(id);
    const st = this.entries.get(k);
    if (st && now - st.issuedAt > st.lifetime * 1000) {
      this.entries.delete(k);
      return undefined;
    }
    return st;
  }

  set(id: Uint8Array, st: SessionState12, now: number): void {
    if (this.entries.size >= this.maxEntries) {
      for (const [k, v] of this.entries) if (now - v.issuedAt > v.lifetime * 1000) this.entries.delete(k);
      // Still full: forget the oldest (Map keeps insertion order), as OpenSSL's cache does.
      while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key(id), st);
  }
}

function key(id: Uint8Array): string {
  return Array.from(id, (b) => b.toString(16).padStart(2, '0')).join('');
}
