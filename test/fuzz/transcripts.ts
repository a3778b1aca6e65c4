// Real handshakes between our own client and server, recorded flight by flight, and the means to bring a fresh
// endpoint to the state it was in just before any flight. Everything is deterministic: each endpoint draws its
// randomness from a seeded provider (seededProvider), the clock stands still, and the signature schemes are the
// deterministic ones (Ed25519, RSA PKCS#1 v1.5), so a fresh client or server replays its side byte for byte and
// a recorded flight fits it exactly. TLS 1.3 records are also kept opened (the key log gives the secrets), so a
// flight can be changed inside its protected messages and sealed again.
import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ConnectionConfig } from '../../engine/conn/config';
import { TlsConnection } from '../../engine/conn/connection';
import type { ClientSession } from '../../engine/conn/session-ticket';
import { SingleUseTicketCache } from '../../engine/conn/session-ticket';
import type { SansIoConnection } from '../../engine/conn/types';
import { nobleProvider } from '../../engine/crypto/noble';
import { nodeProvider } from '../../engine/crypto/node-provider';
import { KeyExchangeError, type AeadName, type CryptoProvider, type KeyExchange, type KeyExchangeSecret } from '../../engine/crypto/provider';
import { HelloCookies } from '../../engine/dtls/cookie';
import { DtlsConnection, type DtlsConfig } from '../../engine/dtls/connection';
import { DTLS10, DTLS12 } from '../../engine/dtls/record';
import { trafficKeys } from '../../engine/handshake/tls13/key-schedule';
import { Tls13Protector } from '../../engine/record/protect13';
import { SignatureScheme } from '../../engine/registry/sigschemes';
import { SUITES, type CipherSuite } from '../../engine/registry/suites';
import { identityFromPem, type Identity } from '../../engine/tools/identity';
import type { TraceEvent } from '../../engine/trace/events';
import { sfc32 } from './prng';

export type Side = 'client' | 'server';
const other = (s: Side): Side => (s === 'client' ? 'server' : 'client');

/**
 * A provider whose every random value (randoms, key shares, IVs, padding) comes from `seed`, so replays are
 * exact: noble's key exchange (its key shares derive from the injected bytes) under node:crypto's hashes, AEADs
 * and signature checks, which are deterministic and several times faster.
 */
export function seededProvider(seed: number): CryptoProvider {
  const noble = nobleProvider({ random: sfc32(seed).bytes });
  const x25519 = seededX25519(noble.random);
  // Named 'node' so that connections sign with the key's node:crypto half too (deterministic for Ed25519 and PKCS#1).
  return { ...FAST, keyExchange: (g) => (g === 0x001d ? x25519 : noble.keyExchange(g)), random: noble.random, name: 'node' };
}
const FAST = nodeProvider();

// X25519 through node:crypto from a private key drawn from the seeded source (noble's pure-JavaScript ladder is
// most of a handshake's time), with the checks the engine's providers make: 32-byte shares, no all-zero secret.
interface X25519Secret extends KeyExchangeSecret {
  priv: KeyObject;
}
function seededX25519(random: (n: number) => Uint8Array): KeyExchange {
  const keyPair = () => {
    // A JWK import computes the public half from `d` (and is much faster than a PKCS#8 one).
    const priv = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: Buffer.from(random(32)).toString('base64url'), x: '' }, format: 'jwk' });
    return { priv, share: new Uint8Array(Buffer.from(String(createPublicKey(priv).export({ format: 'jwk' }).x), 'base64url')) };
  };
  const agree = (priv: KeyObject, peer: Uint8Array): Uint8Array => {
    if (peer.length !== 32) throw new KeyExchangeError(`a x25519 share must be 32 bytes, got ${peer.length}`);
    let z: Uint8Array;
    try {
      const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(peer).toString('base64url') }, format: 'jwk' });
      z = new Uint8Array(diffieHellman({ privateKey: priv, publicKey }));
    } catch (e) {
      throw new KeyExchangeError(`the x25519 share is not usable: ${(e as Error).message}`);
    }
    if (z.every((b) => b === 0)) throw new KeyExchangeError('the x25519 shared secret is all zeros (a small-order point, RFC 7748 section 6.1)');
    return z;
  };
  return {
    group: 0x001d,
    start() {
      const { priv, share } = keyPair();
      return { share, secret: { group: 0x001d, priv } as X25519Secret };
    },
    respond(clientShare) {
      const { priv, share } = keyPair();
      return { share, sharedSecret: agree(priv, clientShare) };
    },
    finish: (secret, serverShare) => agree((secret as X25519Secret).priv, serverShare),
  };
}

const identities = new Map<string, Identity>();
export function fixtureIdentity(name: string): Identity {
  let id = identities.get(name);
  if (!id) {
    const read = (f: string) => fs.readFileSync(path.resolve('test/fixtures/pki', f), 'utf8');
    id = identityFromPem(read(`${name}.crt`), read(`${name}.key`), name);
    identities.set(name, id);
  }
  return id;
}

// ---- steps of a conversation --------------------------------------------------------------------------------

/** One record of a flight as it can be edited: plaintext, sealed under one of the flight's keys, or opaque. */
export interface Item {
  /** 0: plaintext record; 1..n: sealed with keys[kind - 1]; WIRE: the record's bytes as sent. */
  kind: number;
  type: number;
  version: number;
  content: Uint8Array;
}
export const WIRE = 255;

/** A TLS 1.3 sealing key of a flight: the traffic secret and the sequence number of its first record there. */
export interface FlightKey {
  suite: CipherSuite;
  secret: Uint8Array;
  seq: bigint;
}

export type Step =
  | { kind: 'action'; side: Side; action: 'start' | 'write' | 'key-update' | 'close' }
  | { kind: 'flight'; from: Side; pieces: Uint8Array[]; items?: Item[]; keys: FlightKey[] };

export interface Scenario {
  name: string;
  dtls: boolean;
  /** Makes a fresh endpoint, always the same one for the same side. */
  make(side: Side): Endpoint;
  /** What the application does once the handshake is over (each action's output is a flight). */
  after: Array<{ side: Side; action: 'write' | 'key-update' | 'close' }>;
}

/** What both TlsConnection and DtlsConnection offer (DTLS counts datagrams, not bytes, so no outgoingBytes). */
export type Conn = Omit<SansIoConnection, 'outgoingBytes'>;

export interface Endpoint {
  conn: Conn;
  events: TraceEvent[];
  secrets: Map<string, Uint8Array>;
}

const CLIENT_SEED = 0xc11e47;
const SERVER_SEED = 0x5e4e42;
const TICKET_KEY = new Uint8Array(32).fill(0x7c);

function tlsEndpoint(side: Side, over: Partial<ConnectionConfig>): Endpoint {
  const secrets = new Map<string, Uint8Array>();
  const events: TraceEvent[] = [];
  const conn = new TlsConnection({
    side,
    provider: seededProvider(side === 'client' ? CLIENT_SEED : SERVER_SEED),
    now: () => 0,
    onSecret: (label, _cr, s) => secrets.set(label, s.slice()),
    ...over,
  });
  conn.onEvent = (e) => events.push(e);
  return { conn, events, secrets };
}

function dtlsEndpoint(side: Side, over: Partial<DtlsConfig>): Endpoint {
  const events: TraceEvent[] = [];
  const provider = seededProvider(side === 'client' ? CLIENT_SEED : SERVER_SEED);
  const conn = new DtlsConnection({ side, provider, now: () => 0, ...over });
  conn.onEvent = (e) => events.push(e);
  return { conn, events, secrets: new Map() };
}

const ED = () => fixtureIdentity('ed25519');
const RSA = () => fixtureIdentity('rsa2048');
const serverId = (id: Identity) => ({ certificateChain: id.chain, signer: id.signer });
/** Deterministic signatures only: Ed25519, and RSA PKCS#1 v1.5 where the key is RSA. */
const DETERMINISTIC = [SignatureScheme.ed25519, SignatureScheme.rsa_pkcs1_sha256];
const TLS12_ONLY = { minVersion: 0x0303, maxVersion: 0x0303 };
const BASE_CLIENT: Partial<ConnectionConfig> = { serverName: 'localhost', signatureSchemes: DETERMINISTIC };

/** A session from a first handshake of the same pair, for the scenarios that resume. */
function sessionFrom(client: Partial<ConnectionConfig>, server: Partial<ConnectionConfig>): ClientSession {
  let session: ClientSession | undefined;
  const c = tlsEndpoint('client', { ...client, onSession: (s) => (session ??= s) });
  const s = tlsEndpoint('server', server);
  c.conn.start();
  converse(c, s, false, [], { client: 0, server: 0 });
  if (!session) throw new Error(`the first handshake gave no session to resume (client ${c.conn.error?.message ?? c.conn.status}, server ${s.conn.error?.message ?? s.conn.status})`);
  return session;
}

function tls(name: string, client: Partial<ConnectionConfig>, server: Partial<ConnectionConfig>, after: Scenario['after'] = [], resume = false): Scenario {
  let session: ClientSession | undefined;
  return {
    name,
    dtls: false,
    after,
    make(side) {
      if (side === 'server') return tlsEndpoint('server', { ...server, ...(server.maxEarlyData ? { antiReplay: new SingleUseTicketCache() } : {}) });
      if (resume) session ??= sessionFrom({ ...BASE_CLIENT, ...client, earlyData: undefined }, { ...server, antiReplay: new SingleUseTicketCache() });
      return tlsEndpoint('client', { ...BASE_CLIENT, ...client, ...(session ? { session } : {}) });
    },
  };
}

function dtls(name: string, client: Partial<DtlsConfig>, server: Partial<DtlsConfig>): Scenario {
  return {
    name,
    dtls: true,
    after: [{ side: 'client', action: 'write' }, { side: 'server', action: 'write' }, { side: 'client', action: 'close' }],
    make: (side) => (side === 'client' ? dtlsEndpoint('client', { ...BASE_CLIENT, ...client }) : dtlsEndpoint('server', server)),
  };
}

const DATA: Scenario['after'] = [{ side: 'client', action: 'write' }, { side: 'server', action: 'write' }];

/**
 * The conversations fuzzed. A case names one by its index (and a flight by its index), so add new ones at the end:
 * the regressions in test/fuzz/regressions/conn/ keep naming the same conversation.
 */
export const TLS_SCENARIOS: readonly Scenario[] = [
  tls('tls13', {}, serverId(ED()), [...DATA, { side: 'client', action: 'key-update' }, { side: 'client', action: 'close' }]),
  tls('tls13-hrr', { groups: [0x0017, 0x001d], keyShareGroups: [0x0017] }, { ...serverId(ED()), groups: [0x001d, 0x0017] }, DATA),
  tls('tls13-hrr-cookie', {}, { ...serverId(ED()), forceHelloRetry: true }, DATA),
  tls('tls13-client-auth', { ...serverId(ED()) }, { ...serverId(ED()), clientAuth: 'require' }, DATA),
  tls('tls13-resumption', {}, { ...serverId(ED()), ticketKey: TICKET_KEY }, DATA, true),
  tls('tls13-0rtt', { earlyData: new TextEncoder().encode('early') }, { ...serverId(ED()), ticketKey: TICKET_KEY, maxEarlyData: 1024 }, DATA, true),
  tls('tls12-ecdhe', TLS12_ONLY, { ...serverId(ED()), ...TLS12_ONLY }, DATA),
  tls('tls12-rsa-kx', { ...TLS12_ONLY, cipherSuites12: [0x009c, 0x002f] }, { ...serverId(RSA()), ...TLS12_ONLY }, DATA),
  tls('tls12-cbc-client-auth', { ...TLS12_ONLY, cipherSuites12: [0xc013], ...serverId(ED()) }, { ...serverId(RSA()), ...TLS12_ONLY, clientAuth: 'require' }, DATA),
  tls('tls12-ticket', TLS12_ONLY, { ...serverId(ED()), ...TLS12_ONLY, ticketKey: TICKET_KEY }, DATA, true),
];

const COOKIE_SECRET = new Uint8Array(32).fill(0xc0);
/** As TLS_SCENARIOS: append only. */
export const DTLS_SCENARIOS: readonly Scenario[] = [
  dtls('dtls12', {}, serverId(ED())),
  dtls('dtls12-cookie', {}, { ...serverId(ED()), requireCookie: true, peer: { address: '127.0.0.1', port: 4433 }, cookies: new HelloCookies({ provider: nobleProvider(), secret: COOKIE_SECRET }) }),
  dtls('dtls10-rsa', { dtlsMin: DTLS10, dtlsMax: DTLS10 }, { ...serverId(RSA()), dtlsMin: DTLS10, dtlsMax: DTLS12 }),
  dtls('dtls12-client-auth', { ...serverId(ED()) }, { ...serverId(ED()), clientAuth: 'require' }),
];

// ---- recording ----------------------------------------------------------------------------------------------

/** Feeds a flight: TLS takes the bytes as one stream, DTLS each datagram on its own. */
export function deliver(e: Endpoint, pieces: readonly Uint8Array[], dtlsMode: boolean): void {
  if (dtlsMode) {
    for (const p of pieces) e.conn.receive(p);
    return;
  }
  const n = pieces.reduce((a, p) => a + p.length, 0);
  const all = new Uint8Array(n);
  let o = 0;
  for (const p of pieces) {
    all.set(p, o);
    o += p.length;
  }
  e.conn.receive(all);
}

export function act(e: Endpoint, action: Extract<Step, { kind: 'action' }>['action']): void {
  if (action === 'start') e.conn.start();
  else if (action === 'write') e.conn.write(new TextEncoder().encode(`data from the ${e.conn.side}`));
  else if (action === 'key-update') {
    if (e.conn.status === 'open') e.conn.keyUpdate(true);
  } else e.conn.close();
}

/**
 * Runs the two endpoints against each other until both fall silent (at most `rounds` exchanges), adding the
 * flights to `steps`. `marks` is where each side's unread trace events begin (its records since its last flight).
 */
function converse(c: Endpoint, s: Endpoint, dtlsMode: boolean, steps: Step[], marks: Record<Side, number>, rounds = 24): void {
  const ends = { client: c, server: s };
  for (let i = 0; i < rounds; i++) {
    let moved = false;
    for (const from of ['client', 'server'] as const) {
      const pieces = ends[from].conn.takeOutgoing();
      if (!pieces.length) continue;
      moved = true;
      const events = ends[from].events.slice(marks[from]);
      marks[from] = ends[from].events.length;
      steps.push({ kind: 'flight', from, pieces, ...(dtlsMode ? { keys: [] } : itemsOf(events, ends[from], from)) });
      deliver(ends[other(from)], pieces, dtlsMode);
    }
    if (!moved) return;
  }
}

export function record(sc: Scenario): Step[] {
  const c = sc.make('client');
  const s = sc.make('server');
  const steps: Step[] = [{ kind: 'action', side: 'client', action: 'start' }];
  const marks = { client: 0, server: 0 };
  c.conn.start();
  converse(c, s, sc.dtls, steps, marks);
  for (const a of sc.after) {
    const e = a.side === 'client' ? c : s;
    if (e.conn.status !== 'open') break;
    steps.push({ kind: 'action', side: a.side, action: a.action });
    act(e, a.action);
    converse(c, s, sc.dtls, steps, marks);
  }
  if (c.conn.status === 'failed' || s.conn.status === 'failed')
    throw new Error(`scenario ${sc.name}: the recorded handshake failed: client ${c.conn.error?.message ?? c.conn.status}, server ${s.conn.error?.message ?? s.conn.status}`);
  return steps;
}

const recordings = new Map<string, Step[]>();
/** The recorded steps of a scenario (recorded once per process; the same every time). */
export function recordingOf(sc: Scenario): Step[] {
  let r = recordings.get(sc.name);
  if (!r) {
    r = record(sc);
    recordings.set(sc.name, r);
  }
  return r;
}

export function flightsOf(steps: readonly Step[]): Array<Extract<Step, { kind: 'flight' }> & { index: number }> {
  return steps.flatMap((s, index) => (s.kind === 'flight' ? [{ ...s, index }] : []));
}

// ---- TLS 1.3 records opened and sealed again ---------------------------------------------------------------------

const LABEL: Record<string, (side: Side) => string> = {
  early: () => 'CLIENT_EARLY_TRAFFIC_SECRET',
  handshake: (side) => `${side.toUpperCase()}_HANDSHAKE_TRAFFIC_SECRET`,
  application: (side) => `${side.toUpperCase()}_TRAFFIC_SECRET_0`,
};

function protector(k: FlightKey): Tls13Protector {
  const p = FAST;
  const aead = p.aead(k.suite.cipher.name as AeadName);
  const { key, iv } = trafficKeys(p, k.suite.prfHash, k.secret, k.suite.cipher.keyLen, 12);
  const prot = new Tls13Protector(aead, key, iv);
  prot.seq = k.seq;
  return prot;
}

/** The flight's records as items: TLS 1.3 protected ones opened with the sender's key log, others as they are. */
function itemsOf(events: readonly TraceEvent[], sender: Endpoint, side: Side): { items: Item[]; keys: FlightKey[] } {
  const items: Item[] = [];
  const keys: FlightKey[] = [];
  for (const e of events) {
    if (e.kind !== 'record' || e.dir !== 'out') continue;
    const raw = e.raw;
    if (e.epoch === 'plaintext' || !e.inner) {
      items.push({ kind: 0, type: e.contentType, version: e.version, content: raw.subarray(5) });
      continue;
    }
    // The suite of the keys this record was sealed with: the sender's last key change for writing before it.
    const installed = sender.events.slice(0, sender.events.indexOf(e)).reverse().find((k) => k.kind === 'keys' && k.dir === 'write');
    const suite = installed?.kind === 'keys' ? SUITES.find((x) => x.iana === installed.suite && x.versions === 'tls13') : undefined;
    const secret = suite && e.seq !== undefined ? sender.secrets.get(LABEL[e.epoch]!(side)) : undefined;
    let opened;
    let keyIndex = -1;
    if (secret && suite) {
      const seq = BigInt(e.seq!);
      keyIndex = keys.findIndex((k) => k.secret === secret);
      const key = keyIndex >= 0 ? keys[keyIndex]! : { suite, secret, seq };
      try {
        opened = protector({ ...key, seq }).open({ type: raw[0]!, version: (raw[1]! << 8) | raw[2]!, fragment: raw.subarray(5), raw });
      } catch {
        opened = undefined; // sealed with keys the key log does not name (after a KeyUpdate): kept as sent
      }
      if (opened && keyIndex < 0) keyIndex = keys.push(key) - 1;
    }
    items.push(opened ? { kind: 1 + keyIndex, type: opened.type, version: 0x0303, content: opened.content } : { kind: WIRE, type: e.contentType, version: e.version, content: raw });
  }
  return { items, keys };
}

/** Items back to wire records, sealing with fresh protectors that start where the recorded flight's did. */
export function sealItems(items: readonly Item[], keys: readonly FlightKey[]): Uint8Array[] {
  const prots = keys.map(protector);
  return items.map((it) => {
    if (it.kind === WIRE) return it.content;
    const prot = it.kind >= 1 ? prots[(it.kind - 1) % Math.max(1, prots.length)] : undefined;
    const content = it.content.subarray(0, 1 << 14);
    if (prot) return prot.seal(it.type || 1, content);
    const rec = new Uint8Array(5 + it.content.length);
    rec.set([it.type, it.version >> 8, it.version & 0xff, it.content.length >> 8, it.content.length & 0xff]);
    rec.set(it.content, 5);
    return rec;
  });
}

/** [kind][type][version u16][length u16][content] per item: an envelope the mutators can work on. */
export function encodeItems(items: readonly Item[]): Uint8Array {
  const parts: number[] = [];
  for (const it of items) {
    const c = it.content.subarray(0, 0xffff);
    parts.push(it.kind, it.type, it.version >> 8, it.version & 0xff, c.length >> 8, c.length & 0xff, ...c);
  }
  return Uint8Array.from(parts);
}

export function decodeItems(b: Uint8Array): Item[] {
  const out: Item[] = [];
  for (let p = 0; p + 6 <= b.length; ) {
    const len = (b[p + 4]! << 8) | b[p + 5]!;
    out.push({ kind: b[p]!, type: b[p + 1]!, version: (b[p + 2]! << 8) | b[p + 3]!, content: b.subarray(p + 6, Math.min(b.length, p + 6 + len)) });
    p += 6 + len;
  }
  return out;
}

// ---- bringing a fresh endpoint to a recorded state ------------------------------------------------------------

/**
 * A fresh `side` of the scenario that has lived through steps [0, upTo): its own actions done, the other
 * side's flights received, its own output taken (and dropped: it is the recorded one).
 */
export function replayTo(sc: Scenario, steps: readonly Step[], side: Side, upTo: number): Endpoint {
  const e = sc.make(side);
  for (let i = 0; i < upTo; i++) {
    const s = steps[i]!;
    if (s.kind === 'action') {
      if (s.side === side) act(e, s.action);
    } else if (s.from !== side) deliver(e, s.pieces, sc.dtls);
    e.conn.takeOutgoing();
  }
  return e;
}
