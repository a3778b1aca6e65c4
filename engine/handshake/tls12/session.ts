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
