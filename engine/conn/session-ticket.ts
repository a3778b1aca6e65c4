// TLS 1.3 session resumption (RFC 8446 sections 4.6.1, 4.2.11): what a client keeps from a NewSessionTicket,
// and the stateless tickets our server issues (its session state sealed under a ticket key only it holds).
import type { CryptoProvider } from '../crypto/provider';
import { Reader } from '../msgs/reader';
import { Writer } from '../msgs/writer';

/** A resumable session as the client stores it (SSL_SESSION). JSON-safe via sessionToJson. */
export interface ClientSession {
  version: number;
  cipherSuite: number;
  /** The resumption PSK (secret: the key log and session files are the only places it goes). */
  psk: Uint8Array;
  ticket: Uint8Array;
  ticketAgeAdd: number;
  /** Seconds the server allows. */
  lifetime: number;
  /** Milliseconds clock when the ticket arrived. */
  receivedAt: number;
  maxEarlyData: number;
  serverName?: string;
  alpn?: string;
  /**
   * TLS 1.2 and older (version below 0x0304): `psk` holds the master secret, `ticket` the RFC 5077 ticket (empty
   * when the server gave none), and these say how to offer it again (RFC 5246 section 7.4.1.2).
   */
  sessionId?: Uint8Array;
  extendedMasterSecret?: boolean;
  /** The server's chain, for a resumed session's report (a resumption does not send it again). */
  peerCertificates?: Uint8Array[];
}

export function sessionToJson(s: ClientSession): string {
  return JSON.stringify({ ...s, psk: hex(s.psk), ticket: hex(s.ticket), ...(s.sessionId ? { sessionId: hex(s.sessionId) } : {}), ...(s.peerCertificates ? { peerCertificates: s.peerCertificates.map(hex) } : {}) });
}

export function sessionFromJson(text: string): ClientSession {
  const o = JSON.parse(text) as Record<string, unknown>;
  if (typeof o.psk !== 'string' || typeof o.ticket !== 'string' || typeof o.cipherSuite !== 'number') throw new Error('not a TLS Lens session file');
  return {
    ...(o as unknown as ClientSession), psk: unhex(o.psk), ticket: unhex(o.ticket),
    ...(typeof o.sessionId === 'string' ? { sessionId: unhex(o.sessionId) } : {}),
    ...(Array.isArray(o.peerCertificates) ? { peerCertificates: (o.peerCertificates as string[]).map(unhex) } : {}),
  };
}

/** obfuscated_ticket_age = (age in ms + ticket_age_add) mod 2^32 (RFC 8446 section 4.2.11.1). */
export function obfuscatedAge(s: ClientSession, now: number): number {
  return (Math.max(0, now - s.receivedAt) + s.ticketAgeAdd) >>> 0;
}

export function sessionUsable(s: ClientSession, now: number): boolean {
  return now - s.receivedAt < Math.min(s.lifetime, 7 * 86400) * 1000;
}

/** What our server seals into a ticket. */
export interface TicketState {
  cipherSuite: number;
  psk: Uint8Array;
  ticketAgeAdd: number;
  issuedAt: number;
  lifetime: number;
  /** max_early_data_size this ticket allows (0: no 0-RTT with it), as sent in the NewSessionTicket. */
  maxEarlyData: number;
  alpn?: string;
  serverName?: string;
}

const TICKET_VERSION = 2;

/** Seals ticket state with AES-256-GCM under the server's ticket key: 12-byte nonce || ciphertext. */
export function sealTicket(p: CryptoProvider, key: Uint8Array, st: TicketState): Uint8Array {
  const w = new Writer(128);
  w.u8(TICKET_VERSION).u16(st.cipherSuite).opaque8(st.psk, 'psk').u32(st.ticketAgeAdd).u48(st.issuedAt).u32(st.lifetime).u32(st.maxEarlyData >>> 0);
  w.opaque8(new TextEncoder().encode(st.alpn ?? ''), 'alpn').opaque16(new TextEncoder().encode(st.serverName ?? ''), 'server_name');
  const nonce = p.random(12);
  const ct = p.aead('AES-256-GCM').init(key).seal(nonce, new Uint8Array(0), w.finish());
  const out = new Uint8Array(12 + ct.length);
  out.set(nonce);
  out.set(ct, 12);
  return out;
}

/** Opens a ticket we issued; undefined for anything else (a forged, foreign or damaged ticket is not an error, just not resumable). */
export function openTicket(p: CryptoProvider, key: Uint8Array, ticket: Uint8Array): TicketState | undefined {
  if (ticket.length < 12 + 16) return undefined;
  const plain = p.aead('AES-256-GCM').init(key).open(ticket.subarray(0, 12), new Uint8Array(0), ticket.subarray(12));
  if (!plain) return undefined;
  try {
    const r = new Reader(plain, 'ticket');
    if (r.u8('version') !== TICKET_VERSION) return undefined;
    const cipherSuite = r.u16('suite');
    const psk = r.opaque8('psk');
    const ticketAgeAdd = r.u32('age_add');
    const issuedAt = r.u48('issued');
    const lifetime = r.u32('lifetime');
    const maxEarlyData = r.u32('max_early_data');
    const alpn = new TextDecoder().decode(r.opaque8('alpn'));
    const serverName = new TextDecoder().decode(r.opaque16('server_name'));
    return { cipherSuite, psk: psk.slice(), ticketAgeAdd, issuedAt: Number(issuedAt), lifetime, maxEarlyData, ...(alpn ? { alpn } : {}), ...(serverName ? { serverName } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * The server's anti-replay defence for 0-RTT: RFC 8446 section 8.1 "single-use tickets", applied to early data.
 * A ticket identity whose early data was accepted once is remembered until the ticket expires (its lifetime
 * from issue), and any later ClientHello offering early data with the same ticket has its 0-RTT rejected (the
 * handshake still completes, resumed, in 1-RTT). This gives the "at most once per server instance" guarantee of
 * RFC 8446 section 8 for the instance that owns the cache: share one cache by every connection of a server
 * (createServer does), never one per connection.
 *
 * Bounded in memory: at most `maxEntries` identities (kept as SHA-256 digests, 32 bytes each). Expired entries
 * are dropped first; when the cache is still full, new 0-RTT is refused (fail closed) rather than forgetting a
 * live ticket, which would reopen the replay window.
 */
export class SingleUseTicketCache {
  private readonly seen = new Map<string, number>();

  constructor(readonly maxEntries = 10_000) {}

  get size(): number {
    return this.seen.size;
  }

  /**
   * Records `identity` as used for early data until `expiresAt` (ms clock). 'fresh' the first time, 'replay'
   * when it was already used, 'full' when the cache cannot remember another ticket (0-RTT must be refused).
   */
  claim(p: CryptoProvider, identity: Uint8Array, expiresAt: number, now: number): 'fresh' | 'replay' | 'full' {
    const key = hex(p.hash('sha256').digest(identity));
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return 'replay';
    if (until !== undefined) this.seen.delete(key);
    if (this.seen.size >= this.maxEntries) this.purge(now);
    if (this.seen.size >= this.maxEntries) return 'full';
    this.seen.set(key, expiresAt);
    return 'fresh';
  }

  private purge(now: number): void {
    for (const [k, until] of this.seen) if (until <= now) this.seen.delete(k);
  }
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function unhex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
}
