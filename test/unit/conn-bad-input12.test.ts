// TLS 1.2 TlsConnections fed bad bytes, directly (sans IO): a real client and server run in memory, and the
// bytes between them are truncated, flipped, re-signed, re-sealed or joined by injected records before they
// reach the other side. Protected records are opened and re-sealed with keys derived, as a peer would, from
// the endpoints' own key log (NSS CLIENT_RANDOM: the master secret) with prf.ts deriveKeyBlock; CBC records
// whose MAC is right but whose padding is not (and the reverse) are built by hand from those keys.
// For every case: `receive` never throws; the connection ends 'failed' with the alert the RFC asks for, in its
// `error` and in the alert record it sends (decoded here: level fatal, that description, decrypted with the key
// log when protected); an 'error' trace event explains it and names the place; nothing is sent after the alert.
// Both endpoints draw their randomness from a seeded source; record IVs and RSA padding come from elsewhere, so
// each case runs its own fresh pair rather than replaying recorded flights.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants as nodeConstants, createPublicKey, publicEncrypt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TlsConnection } from '../../engine/conn/connection';
import type { ConnectionConfig } from '../../engine/conn/config';
import { ProtocolError } from '../../engine/conn/errors';
import { nobleProvider } from '../../engine/crypto/noble';
import type { CryptoProvider, HashName } from '../../engine/crypto/provider';
import { deriveKeyBlock, finishedVerifyData, type KeyBlock } from '../../engine/handshake/tls12/prf';
import { encodeServerKeyExchange, encodeServerKeyExchangeParams, serverKeyExchangeSignedContent } from '../../engine/msgs/handshake12';
import { Tls12Protector } from '../../engine/record/protect12';
import { alertName, isAlertDescription, type AlertDescription } from '../../engine/registry/alerts';
import { suiteByCode, suiteByName, type CipherSuite } from '../../engine/registry/suites';
import { identityFromPem, type Identity } from '../../engine/tools/identity';
import { certificateSpki } from '../../engine/x509/certificate';
import type { TraceEvent } from '../../engine/trace/events';
import { concatBytes } from '../../engine/util/hex';

// ---- seeded randomness --------------------------------------------------------------------------------------

/** mulberry32: small, fast, reproducible. */
function rng(seed: number) {
  let a = seed >>> 0;
  const u32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const int = (n: number): number => (n <= 0 ? 0 : u32() % n);
  return {
    u32,
    int,
    bytes: (n: number): Uint8Array => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = u32() & 0xff;
      return out;
    },
  };
}

// ---- bytes and records ----------------------------------------------------------------------------------------

const enc = new TextEncoder();

const cat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

const u8 = (n: number) => Uint8Array.of(n & 0xff);
const u16 = (n: number) => Uint8Array.of((n >> 8) & 0xff, n & 0xff);
const u24 = (n: number) => Uint8Array.of((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
const vec8 = (b: Uint8Array) => cat(u8(b.length), b);
const vec16 = (b: Uint8Array) => cat(u16(b.length), b);
const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

const CT = { ccs: 20, alert: 21, handshake: 22, appData: 23, heartbeat: 24 } as const;
const HS = {
  hello_request: 0, client_hello: 1, server_hello: 2, new_session_ticket: 4, encrypted_extensions: 8, certificate: 11,
  server_key_exchange: 12, certificate_request: 13, server_hello_done: 14, certificate_verify: 15, client_key_exchange: 16,
  finished: 20, certificate_status: 22,
} as const;
const EXT = { status_request: 5, heartbeat: 15, encrypt_then_mac: 22, extended_master_secret: 23, session_ticket: 35, supported_versions: 43 } as const;
const TLS12 = 0x0303;

function record(type: number, body: Uint8Array, version = TLS12): Uint8Array {
  return cat(u8(type), u16(version), u16(body.length), body);
}

function handshakeMessage(type: number, body: Uint8Array): Uint8Array {
  return cat(u8(type), u24(body.length), body);
}

interface Rec {
  type: number;
  version: number;
  body: Uint8Array;
  raw: Uint8Array;
}

function records(bytes: Uint8Array): Rec[] {
  const recs: Rec[] = [];
  let p = 0;
  while (bytes.length - p >= 5) {
    const len = (bytes[p + 3]! << 8) | bytes[p + 4]!;
    assert.ok(bytes.length - p >= 5 + len, 'whole records');
    const raw = bytes.subarray(p, p + 5 + len);
    recs.push({ type: raw[0]!, version: (raw[1]! << 8) | raw[2]!, body: raw.subarray(5), raw });
    p += 5 + len;
  }
  assert.equal(p, bytes.length, 'the stream ends on a record boundary');
  return recs;
}

function drain(conn: TlsConnection): Uint8Array {
  return cat(...conn.takeOutgoing());
}

/** Handshake messages carried by a run of plaintext handshake records (messages may span records). */
function splitMessages(stream: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  while (p < stream.length) {
    const len = (stream[p + 1]! << 16) | (stream[p + 2]! << 8) | stream[p + 3]!;
    out.push(stream.slice(p, p + 4 + len));
    p += 4 + len;
  }
  return out;
}

/**
 * A flight split at its first ChangeCipherSpec: the plaintext handshake messages before it (editable) and the
 * raw records from the CCS on (protected), kept as they are.
 */
interface Flight {
  msgs: Uint8Array[];
  tail: Uint8Array[];
  /** Record version of the plaintext records. */
  version: number;
}

function openFlight(bytes: Uint8Array): Flight {
  const recs = records(bytes);
  const cut = recs.findIndex((r) => r.type !== CT.handshake);
  const plain = cut < 0 ? recs : recs.slice(0, cut);
  return { msgs: splitMessages(cat(...plain.map((r) => r.body))), tail: (cut < 0 ? [] : recs.slice(cut)).map((r) => r.raw), version: recs[0]?.version ?? TLS12 };
}

/** One record per message, as the engine sends them, then the tail. */
function frame(f: Flight): Uint8Array {
  return cat(...f.msgs.map((m) => record(CT.handshake, m, f.version)), ...f.tail);
}

const msgIndex = (f: Flight, type: number): number => {
  const i = f.msgs.findIndex((m) => m[0] === type);
  assert.ok(i >= 0, `the flight holds handshake message ${type}: it holds ${f.msgs.map((m) => m[0]).join(',')}`);
  return i;
};

/** The handshake header's length set to what the body now holds. */
function relength(msg: Uint8Array): Uint8Array {
  return cat(u8(msg[0]!), u24(msg.length - 4), msg.subarray(4));
}

// ---- hellos, raw (so any field can be made wrong) ---------------------------------------------------------------

interface Ext {
  type: number;
  body: Uint8Array;
}

function readExts(b: Uint8Array, p: number): Ext[] {
  if (p >= b.length) return [];
  const end = p + 2 + ((b[p]! << 8) | b[p + 1]!);
  const exts: Ext[] = [];
  for (p += 2; p < end; ) {
    const type = (b[p]! << 8) | b[p + 1]!;
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    exts.push({ type, body: b.slice(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  return exts;
}

const extsBlock = (exts: Ext[]) => vec16(cat(...exts.map((e) => cat(u16(e.type), vec16(e.body)))));

interface ClientHelloParts {
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  suites: number[];
  compression: Uint8Array;
  exts: Ext[];
}

function parseClientHello(msg: Uint8Array): ClientHelloParts {
  assert.equal(msg[0], HS.client_hello);
  let p = 4;
  const legacyVersion = (msg[p]! << 8) | msg[p + 1]!;
  const random = msg.slice(p + 2, p + 34);
  p += 34;
  const sessionId = msg.slice(p + 1, p + 1 + msg[p]!);
  p += 1 + msg[p]!;
  const nSuites = ((msg[p]! << 8) | msg[p + 1]!) / 2;
  const suites = Array.from({ length: nSuites }, (_, i) => (msg[p + 2 + 2 * i]! << 8) | msg[p + 3 + 2 * i]!);
  p += 2 + 2 * nSuites;
  const compression = msg.slice(p + 1, p + 1 + msg[p]!);
  p += 1 + msg[p]!;
  return { legacyVersion, random, sessionId, suites, compression, exts: readExts(msg, p) };
}

function buildClientHello(h: ClientHelloParts): Uint8Array {
  return handshakeMessage(HS.client_hello, cat(u16(h.legacyVersion), h.random, vec8(h.sessionId), vec16(cat(...h.suites.map(u16))), vec8(h.compression), extsBlock(h.exts)));
}

interface ServerHelloParts {
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  suite: number;
  compression: number;
  exts: Ext[];
}

function parseServerHello(msg: Uint8Array): ServerHelloParts {
  assert.equal(msg[0], HS.server_hello);
  let p = 4;
  const legacyVersion = (msg[p]! << 8) | msg[p + 1]!;
  const random = msg.slice(p + 2, p + 34);
  p += 34;
  const sessionId = msg.slice(p + 1, p + 1 + msg[p]!);
  p += 1 + msg[p]!;
  const suite = (msg[p]! << 8) | msg[p + 1]!;
  const compression = msg[p + 2]!;
  return { legacyVersion, random, sessionId, suite, compression, exts: readExts(msg, p + 3) };
}

function buildServerHello(h: ServerHelloParts): Uint8Array {
  return handshakeMessage(HS.server_hello, cat(u16(h.legacyVersion), h.random, vec8(h.sessionId), u16(h.suite), u8(h.compression), extsBlock(h.exts)));
}

// ---- identities and suites ------------------------------------------------------------------------------------

const pki = (n: string) => fs.readFileSync(path.resolve('test/fixtures/pki', n), 'utf8');
const ID: Record<'ec' | 'rsa' | 'p384' | 'rsa4096', Identity> = {
  ec: identityFromPem(pki('ec-p256.crt'), pki('ec-p256.key'), 'ec-p256'),
  rsa: identityFromPem(pki('rsa2048.crt'), pki('rsa2048.key'), 'rsa2048'),
  p384: identityFromPem(pki('ec-p384.crt'), pki('ec-p384.key'), 'ec-p384'),
  rsa4096: identityFromPem(pki('rsa4096.crt'), pki('rsa4096.key'), 'rsa4096'),
};

function suite(name: string): CipherSuite {
  const s = suiteByName(name);
  assert.ok(s && 'cipher' in s, `the registry knows ${name}`);
  return s as CipherSuite;
}

const GCM_EC = 'ECDHE-ECDSA-AES128-GCM-SHA256';
const GCM_RSA = 'ECDHE-RSA-AES128-GCM-SHA256';
const CHACHA_EC = 'ECDHE-ECDSA-CHACHA20-POLY1305';
const CBC_EC = 'ECDHE-ECDSA-AES128-SHA';
const CBC256_EC = 'ECDHE-ECDSA-AES128-SHA256';
const DHE_RSA = 'DHE-RSA-AES128-GCM-SHA256';
const RSA_KX = 'AES128-GCM-SHA256';

// ---- endpoints ------------------------------------------------------------------------------------------------

interface Endpoint {
  side: 'client' | 'server';
  conn: TlsConnection;
  events: TraceEvent[];
  /** Master secrets from the key log (CLIENT_RANDOM), latest last. */
  masters: Uint8Array[];
  p: CryptoProvider;
}

let seedCounter = 0;

function endpoint(side: 'client' | 'server', over: Partial<ConnectionConfig>, id: Identity): Endpoint {
  const p = nobleProvider({ random: rng((side === 'client' ? 0xc1_1e47 : 0x5e_4e42) + seedCounter++).bytes });
  const masters: Uint8Array[] = [];
  const events: TraceEvent[] = [];
  const base: ConnectionConfig =
    side === 'client'
      ? { side, provider: p, serverName: 'localhost', minVersion: TLS12, maxVersion: TLS12 }
      : { side, provider: p, certificateChain: id.chain, signer: id.signer, minVersion: TLS12, maxVersion: TLS12 };
  const conn = new TlsConnection({
    ...base, now: () => 0,
    onSecret: (label, _cr, s) => {
      if (label === 'CLIENT_RANDOM') masters.push(s.slice());
    },
    ...over,
  });
  conn.onEvent = (e) => events.push(e);
  return { side, conn, events, masters, p };
}

interface DuoOptions {
  suite?: string;
  id?: keyof typeof ID;
  client?: Partial<ConnectionConfig>;
  server?: Partial<ConnectionConfig>;
}

/** A client and a server, the client's ClientHello ready in `ch`; each step delivers bytes and returns the answer. */
class Duo {
  readonly c: Endpoint;
  readonly s: Endpoint;
  readonly ch: Uint8Array;

  constructor(o: DuoOptions = {}) {
    const s = o.suite ?? GCM_EC;
    const suites12 = [suite(s).code];
    const id = ID[o.id ?? (/RSA/.test(s) || s === RSA_KX ? 'rsa' : 'ec')];
    this.c = endpoint('client', { cipherSuites12: suites12, ...o.client }, id);
    this.s = endpoint('server', { cipherSuites12: suites12, ...o.server }, id);
    this.c.conn.start();
    this.ch = drain(this.c.conn);
  }

  toServer(bytes: Uint8Array): Uint8Array {
    assert.doesNotThrow(() => this.s.conn.receive(bytes));
    return drain(this.s.conn);
  }

  toClient(bytes: Uint8Array): Uint8Array {
    assert.doesNotThrow(() => this.c.conn.receive(bytes));
    return drain(this.c.conn);
  }
}

/** The flights of a handshake run to completion, each tamperable on its way. */
interface Run {
  d: Duo;
  ch: Uint8Array;
  /** ServerHello .. ServerHelloDone. */
  sf1: Uint8Array;
  /** [Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec, Finished. */
  cf: Uint8Array;
  /** [NewSessionTicket], ChangeCipherSpec, Finished. */
  sf2: Uint8Array;
}

function fullHandshake(o: DuoOptions = {}): Run {
  const d = new Duo(o);
  const sf1 = d.toServer(d.ch);
  const cf = d.toClient(sf1);
  const sf2 = d.toServer(cf);
  const rest = d.toClient(sf2);
  assert.equal(rest.length, 0);
  assert.equal(d.c.conn.status, 'open', `client: ${d.c.conn.error?.message}`);
  assert.equal(d.s.conn.status, 'open', `server: ${d.s.conn.error?.message}`);
  return { d, ch: d.ch, sf1, cf, sf2 };
}

// ---- keys from the key log --------------------------------------------------------------------------------------

const P = nobleProvider();

/** What an endpoint saw of the hellos (its own view: a man in the middle may have changed them). */
function helloView(ep: Endpoint): { clientRandom: Uint8Array; serverRandom: Uint8Array; suite: CipherSuite; etm: boolean } {
  const hs = ep.events.filter((e): e is Extract<TraceEvent, { kind: 'handshake' }> => e.kind === 'handshake');
  const ch = hs.find((e) => e.msgType === HS.client_hello)!;
  const shRaw = hs.find((e) => e.msgType === HS.server_hello)!.raw;
  const sh = parseServerHello(shRaw);
  const s = suiteByCode(sh.suite)!;
  return { clientRandom: ch.raw.slice(6, 38), serverRandom: sh.random, suite: s, etm: s.mac !== 'AEAD' && sh.exts.some((e) => e.type === EXT.encrypt_then_mac) };
}

interface Keys {
  suite: CipherSuite;
  etm: boolean;
  kb: KeyBlock;
  master: Uint8Array;
  /** A protector for `writer`'s records, at sequence number `seq`. */
  prot(writer: 'client' | 'server', seq?: number): Tls12Protector;
}

/** The record keys of the current session as `ep` derived them (its key log, its view of the hellos). */
function keysOf(ep: Endpoint): Keys {
  const v = helloView(ep);
  const master = ep.masters.at(-1);
  assert.ok(master, `the ${ep.side} logged a master secret`);
  const kb = deriveKeyBlock(P, TLS12, v.suite, master, v.clientRandom, v.serverRandom);
  return {
    suite: v.suite, etm: v.etm, kb, master,
    prot(writer, seq = 0) {
      const pr = Tls12Protector.fromKeyBlock(P, v.suite, TLS12, kb, writer, { encryptThenMac: v.etm });
      pr.seq = BigInt(seq);
      return pr;
    },
  };
}

function openRecord(k: Keys, writer: 'client' | 'server', raw: Uint8Array, seq: number): { type: number; content: Uint8Array } {
  const r = records(raw)[0]!;
  const o = k.prot(writer, seq).open({ type: r.type, version: r.version, fragment: r.body, raw: r.raw } as Parameters<Tls12Protector['open']>[0]);
  return { type: o.type, content: o.content };
}

const MAC_HASH: Record<string, HashName> = { SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384' };

function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  let s = n;
  for (let i = 7; i >= 0; i--) {
    b[i] = s & 0xff;
    s = Math.floor(s / 256);
  }
  return b;
}

/**
 * A CBC record built by hand (RFC 5246 section 6.2.3.2; RFC 7366 section 3 with `etm`), so its MAC and its
 * padding can each be made wrong alone: `badPadding` changes one padding byte (not the length byte),
 * `padLength` overrides the padding length byte only, `badMac` flips a MAC bit.
 */
function forgeCbc(k: Keys, writer: 'client' | 'server', seq: number, type: number, content: Uint8Array, f: { etm: boolean; badPadding?: boolean; padLength?: number; badMac?: boolean; pad?: number }): Uint8Array {
  const s = k.suite;
  const macHash = MAC_HASH[s.mac]!;
  const macKey = writer === 'client' ? k.kb.clientMacKey : k.kb.serverMacKey;
  const bc = P.blockCipher(s.cipher.name as Parameters<CryptoProvider['blockCipher']>[0]);
  const key = bc.init(writer === 'client' ? k.kb.clientKey : k.kb.serverKey);
  const bl = bc.blockLen;
  const mac = (data: Uint8Array): Uint8Array => {
    const m = P.hmac(macHash, macKey, cat(u64(seq), u8(type), u16(TLS12), u16(data.length), data));
    if (f.badMac) m[0]! ^= 0x01;
    return m;
  };
  const body = f.etm ? content : cat(content, mac(content));
  const padLen = f.pad ?? bl - 1 - (body.length % bl);
  assert.equal((body.length + padLen + 1) % bl, 0, 'whole blocks');
  const plain = cat(body, new Uint8Array(padLen + 1).fill(padLen));
  if (f.badPadding) {
    assert.ok(padLen >= 1, 'a padding byte besides the length byte');
    plain[plain.length - 2]! ^= 0x01;
  }
  if (f.padLength !== undefined) plain[plain.length - 1] = f.padLength;
  const iv = P.random(bl);
  let frag = cat(iv, key.encrypt(iv, plain));
  if (f.etm) frag = cat(frag, mac(frag));
  return record(type, frag);
}

/** Seals `content` as one record under `writer`'s keys (the engine's own protector, fed keys from the key log). */
const sealWith = (k: Keys, writer: 'client' | 'server', seq: number, type: number, content: Uint8Array): Uint8Array => k.prot(writer, seq).seal(type, content);

// ---- what an endpoint sent, decoded independently ----------------------------------------------------------------

interface SentAlert {
  level: number;
  description: number;
  protected: boolean;
}

function decodeSentAlert(ep: Endpoint, rec: Rec): SentAlert | undefined {
  if (rec.type !== CT.alert) return undefined;
  if (rec.body.length === 2) return { level: rec.body[0]!, description: rec.body[1]!, protected: false };
  // Protected: open under the endpoint's own write keys, trying sequence numbers.
  const k = keysOf(ep);
  for (let seq = 0; seq < 40; seq++) {
    try {
      const o = openRecord(k, ep.side, rec.raw, seq);
      return o.content.length === 2 ? { level: o.content[0]!, description: o.content[1]!, protected: true } : undefined;
    } catch {
      // another sequence number
    }
  }
  return undefined;
}

function traceSummary(events: TraceEvent[]): string {
  return events
    .map((e) => {
      switch (e.kind) {
        case 'record': return `  record ${e.dir} ${e.contentTypeName} len=${e.length} epoch=${e.epoch}`;
        case 'handshake': return `  handshake ${e.dir} ${e.name}`;
        case 'alert': return `  alert ${e.dir} ${e.level} ${e.name}`;
        case 'state': return `  state ${e.from} -> ${e.to}`;
        case 'error': return `  error ${e.alert}: ${e.message} @ ${JSON.stringify(e.place)}`;
        case 'info': return `  info ${e.message}`;
        default: return `  ${e.kind}`;
      }
    })
    .join('\n');
}

/** Places are spelled 'ClientHello' by the state machines and 'client_hello' by the decoders: compare loosely. */
const samePlace = (a: string | undefined, b: string) => a?.toLowerCase().replace(/[_ ]/g, '') === b.toLowerCase().replace(/[_ ]/g, '');

const LATE_INPUT = cat(record(CT.alert, Uint8Array.of(2, 40)), record(CT.appData, new Uint8Array(32)), record(CT.handshake, handshakeMessage(HS.hello_request, new Uint8Array(0))));

function assertSilentAfterFailure(ep: Endpoint): void {
  const status = ep.conn.status;
  const error = ep.conn.error;
  assert.doesNotThrow(() => ep.conn.receive(LATE_INPUT), 'receive after the failure does not throw');
  assert.equal(ep.conn.write(enc.encode('more')), 0, 'write after the failure accepts nothing');
  ep.conn.close();
  assert.equal(drain(ep.conn).length, 0, 'no output after the alert');
  assert.equal(ep.conn.status, status);
  assert.equal(ep.conn.error, error, 'the first error stays');
}

let casesSurvived = 0;

interface Fatal {
  error: ProtocolError;
  sent: SentAlert;
  out: Uint8Array;
  events: TraceEvent[];
}

/**
 * Feeds `input` (one receive call per chunk) and checks the fatal ending: the error's alert, the alert record sent
 * (last, fatal, that description), one 'error' trace event naming the place, silence afterwards.
 */
function expectFatal(ep: Endpoint, input: Uint8Array | Uint8Array[], alert: AlertDescription, check: { place?: string; message?: RegExp; protectedAlert?: boolean } = {}): Fatal {
  drain(ep.conn);
  const mark = ep.events.length;
  for (const chunk of Array.isArray(input) ? input : [input]) {
    assert.doesNotThrow(() => ep.conn.receive(chunk), 'receive never throws');
  }
  const events = ep.events.slice(mark);
  const why = `\ntrace:\n${traceSummary(events)}`;
  assert.equal(ep.conn.status, 'failed', `the ${ep.side} failed (status ${ep.conn.status})${why}`);
  const error = ep.conn.error;
  assert.ok(error instanceof ProtocolError, `our error is a ProtocolError, got ${error?.name}: ${error?.message}${why}`);
  assert.equal(error.alert, alert, `error alert (${error.message})${why}`);
  const out = drain(ep.conn);
  const recs = records(out);
  assert.ok(recs.length > 0, `an alert record was sent${why}`);
  const sent = decodeSentAlert(ep, recs.at(-1)!);
  assert.ok(sent, `the last record sent is an alert${why}`);
  assert.equal(sent.level, 2, 'the alert is fatal');
  assert.equal(alertName(sent.description), alert, 'the alert record carries the error\'s description');
  assert.equal(recs.filter((r) => decodeSentAlert(ep, r)).length, 1, 'exactly one alert record');
  if (check.protectedAlert !== undefined) assert.equal(sent.protected, check.protectedAlert, `the alert is ${check.protectedAlert ? '' : 'not '}protected`);
  const errs = events.filter((e): e is Extract<TraceEvent, { kind: 'error' }> => e.kind === 'error');
  assert.equal(errs.length, 1, `one error trace event${why}`);
  assert.equal(errs[0]!.alert, alert);
  assert.ok(errs[0]!.message.length > 10, 'the error event explains');
  assert.ok(errs[0]!.place?.message, `the error event names the place: ${JSON.stringify(errs[0]!.place)}`);
  if (check.place) assert.ok(samePlace(errs[0]!.place?.message, check.place), `place of the error: ${errs[0]!.place?.message}, expected ${check.place} (${error.message})`);
  if (check.message) assert.match(error.message, check.message);
  assertSilentAfterFailure(ep);
  casesSurvived++;
  return { error, sent, out, events };
}

/** Feeds `input` and checks nothing went wrong: still handshaking or open, no alert sent, no error. */
function expectAlive(ep: Endpoint, input: Uint8Array): Uint8Array {
  assert.doesNotThrow(() => ep.conn.receive(input));
  assert.ok(ep.conn.status === 'handshaking' || ep.conn.status === 'open', `the ${ep.side} is alive: ${ep.conn.status} ${ep.conn.error?.message ?? ''}`);
  assert.equal(ep.conn.error, undefined);
  const out = drain(ep.conn);
  assert.ok(!records(out).some((r) => r.type === CT.alert && r.body.length === 2 && r.body[0] === 2), 'no fatal alert sent');
  return out;
}

// ---- the man in the middle that turns off encrypt-then-MAC ------------------------------------------------------

/**
 * A handshake on a CBC suite with MAC-then-encrypt. Our client always offers encrypt_then_mac (RFC 7366) and
 * extended_master_secret (RFC 7627) with CBC suites, so the ClientHello loses both on its way to the server:
 * the server answers neither, both sides fall back to MAC-then-encrypt and the classic master secret, which
 * are then equal (same randoms, same premaster). Only the transcripts differ, so the two Finished messages are
 * re-made here, with the key log, for the transcript each side expects. Application records then pass unchanged.
 */
function macThenEncryptHandshake(suiteName = CBC_EC): Run {
  const d = new Duo({ suite: suiteName });
  const chMsg = records(d.ch)[0]!.body;
  const h = parseClientHello(chMsg);
  h.exts = h.exts.filter((e) => e.type !== EXT.encrypt_then_mac && e.type !== EXT.extended_master_secret);
  const chStripped = buildClientHello(h);
  const sf1 = d.toServer(record(CT.handshake, chStripped, 0x0301));
  const cf = d.toClient(sf1);
  const k = keysOf(d.c);
  assert.equal(k.etm, false);
  const sf1Msgs = openFlight(sf1).msgs;
  const cfFlight = openFlight(cf);
  assert.equal(cfFlight.tail.length, 2, 'CCS and Finished');
  const finC = openRecord(k, 'client', cfFlight.tail[1]!, 0).content;
  const serverTranscript = cat(chStripped, ...sf1Msgs, ...cfFlight.msgs);
  const finC2 = handshakeMessage(HS.finished, finishedVerifyData(P, TLS12, k.suite, k.master, 'client', serverTranscript));
  const sf2 = d.toServer(cat(frame({ ...cfFlight, tail: [] }), cfFlight.tail[0]!, sealWith(k, 'client', 0, CT.handshake, finC2)));
  assert.equal(d.s.conn.status, 'open', `server: ${d.s.conn.error?.message}`);
  const sf2Flight = openFlight(sf2);
  const clientTranscript = cat(chMsg, ...sf1Msgs, ...cfFlight.msgs, finC);
  const finS2 = handshakeMessage(HS.finished, finishedVerifyData(P, TLS12, k.suite, k.master, 'server', clientTranscript));
  assert.equal(openRecord(k, 'server', sf2Flight.tail[1]!, 0).content[0], HS.finished);
  d.toClient(cat(frame({ ...sf2Flight, tail: [] }), sf2Flight.tail[0]!, sealWith(k, 'server', 0, CT.handshake, finS2)));
  assert.equal(d.c.conn.status, 'open', `client: ${d.c.conn.error?.message}`);
  assert.equal(d.c.conn.negotiated?.legacy?.encryptThenMac, false);
  assert.equal(d.s.conn.negotiated?.legacy?.encryptThenMac, false);
  return { d, ch: d.ch, sf1, cf, sf2 };
}

/** Sends `text` from `from` to the other side and checks it arrives: the pair really works. */
function exchange(d: Duo, from: 'client' | 'server', text: string): void {
  const [a, b] = from === 'client' ? [d.c, d.s] : [d.s, d.c];
  assert.equal(a.conn.write(enc.encode(text)), text.length);
  b.conn.receive(drain(a.conn));
  assert.equal(new TextDecoder().decode(b.conn.read(1 << 16)), text);
}

// ================================================================================================================

describe('premises of these tests', () => {
  test('a TLS 1.2 pair completes in memory on every suite used here, and data flows both ways', () => {
    for (const name of [GCM_EC, GCM_RSA, CHACHA_EC, CBC_EC, CBC256_EC, DHE_RSA, RSA_KX]) {
      const r = fullHandshake({ suite: name });
      assert.equal(r.d.c.conn.negotiated?.version, TLS12);
      assert.equal(r.d.c.conn.negotiated?.cipherSuite, suite(name).code, name);
      exchange(r.d, 'client', `ping ${name}`);
      exchange(r.d, 'server', `pong ${name}`);
      if (suite(name).mac !== 'AEAD') assert.equal(r.d.c.conn.negotiated?.legacy?.encryptThenMac, true, 'CBC suites negotiate encrypt-then-MAC by default');
    }
  });

  test('the key log opens the recorded Finished records, and the MAC-then-encrypt man in the middle yields a working pair', () => {
    const r = fullHandshake();
    const kc = keysOf(r.d.c);
    const ks = keysOf(r.d.s);
    assert.deepEqual(kc.master, ks.master);
    const fin = openRecord(kc, 'client', openFlight(r.cf).tail[1]!, 0);
    assert.equal(fin.type, CT.handshake);
    assert.equal(fin.content[0], HS.finished);
    const m = macThenEncryptHandshake();
    exchange(m.d, 'client', 'mac-then-encrypt');
    exchange(m.d, 'server', 'mac-then-encrypt back');
    // Records forged by hand with a right MAC and right padding are accepted: the forger is faithful.
    const k = keysOf(m.d.c);
    expectAlive(m.d.s, forgeCbc(k, 'client', 2, CT.appData, enc.encode('forged but well formed'), { etm: false }));
    assert.equal(new TextDecoder().decode(m.d.s.conn.read(100)), 'forged but well formed');
    const e = fullHandshake({ suite: CBC_EC });
    const ke = keysOf(e.d.c);
    expectAlive(e.d.s, forgeCbc(ke, 'client', 1, CT.appData, enc.encode('etm, well formed'), { etm: true }));
    assert.equal(new TextDecoder().decode(e.d.s.conn.read(100)), 'etm, well formed');
  });
});

// ---- Finished --------------------------------------------------------------------------------------------------

describe('Finished verify_data (RFC 5246 section 7.4.9)', () => {
  test('a client Finished with one verify_data byte changed, re-sealed with the key log, ends in decrypt_error at the server (RFC 5246 section 7.4.9)', () => {
    // The record authenticates (the man in the middle holds the keys); only verify_data is wrong: this is the
    // Finished check itself, not the record layer.
    const d = new Duo();
    const sf1 = d.toServer(d.ch);
    const cf = openFlight(d.toClient(sf1));
    const k = keysOf(d.c);
    const fin = openRecord(k, 'client', cf.tail[1]!, 0).content.slice();
    fin[4]! ^= 0x80;
    const f = expectFatal(d.s, cat(frame({ ...cf, tail: [] }), cf.tail[0]!, sealWith(k, 'client', 0, CT.handshake, fin)), 'decrypt_error', { place: 'Finished' });
    assert.equal(f.sent.protected, false, 'the server has no write keys yet: a plaintext alert');
  });

  test('a server Finished with a wrong verify_data, re-sealed with the key log, ends in decrypt_error at the client, in a protected alert (RFC 5246 section 7.4.9)', () => {
    const r = new Duo();
    const sf1 = r.toServer(r.ch);
    const cf = r.toClient(sf1);
    const sf2 = openFlight(r.toServer(cf));
    const k = keysOf(r.s);
    const fin = openRecord(k, 'server', sf2.tail[1]!, 0).content.slice();
    fin[15]! ^= 0x01;
    const f = expectFatal(r.c, cat(frame({ ...sf2, tail: [] }), sf2.tail[0]!, sealWith(k, 'server', 0, CT.handshake, fin)), 'decrypt_error', { place: 'Finished' });
    assert.equal(f.sent.protected, true, 'the client already writes under its keys');
  });

  test('extended_master_secret removed from the ClientHello in transit: same keys, different transcripts, so the server\'s Finished check fails with decrypt_error (RFC 5246 section 7.4.9, RFC 7627)', () => {
    // Neither side uses EMS now (the server did not echo it), both derive the classic master secret from the same
    // randoms and premaster: records open on both sides; only the transcripts differ, by the altered ClientHello.
    const d = new Duo();
    const h = parseClientHello(records(d.ch)[0]!.body);
    h.exts = h.exts.filter((e) => e.type !== EXT.extended_master_secret);
    const sf1 = d.toServer(record(CT.handshake, buildClientHello(h), 0x0301));
    const cf = d.toClient(sf1);
    assert.equal(d.c.conn.status, 'handshaking');
    const f = expectFatal(d.s, cf, 'decrypt_error', { place: 'Finished' });
    assert.match(f.error.message, /transcript/);
    assert.deepEqual(keysOf(d.c).master, d.s.masters.at(-1), 'both sides hold the same master secret: the record layer agreed');
  });

  test('an empty Finished (sealed) ends in decode_error; one of 11 bytes ends in decrypt_error (RFC 5246 sections 7.4.9 and 7.2.2)', () => {
    // Our engine reads verify_data as the whole body and compares; a wrong length fails the comparison
    // (decrypt_error, as BoringSSL answers; OpenSSL says decode_error for a bad digest length).
    for (const [body, alert] of [[new Uint8Array(0), 'decode_error'], [new Uint8Array(11).fill(7), 'decrypt_error']] as const) {
      const d = new Duo();
      const cf = openFlight(d.toClient(d.toServer(d.ch)));
      const k = keysOf(d.c);
      expectFatal(d.s, cat(frame({ ...cf, tail: [] }), cf.tail[0]!, sealWith(k, 'client', 0, CT.handshake, handshakeMessage(HS.finished, body))), alert, { place: 'Finished' });
    }
  });
});

// ---- record MACs ---------------------------------------------------------------------------------------------------

describe('bad record MAC (RFC 5246 sections 6.2.3 and 7.2.2)', () => {
  test('AES-GCM: a flipped byte in the client Finished record ends in bad_record_mac at the server', () => {
    const d = new Duo();
    const cf = d.toClient(d.toServer(d.ch)).slice();
    cf[cf.length - 3]! ^= 0x10;
    expectFatal(d.s, cf, 'bad_record_mac', { place: 'record' });
  });

  test('AES-GCM: a flipped byte in the server Finished record ends in bad_record_mac at the client', () => {
    const r = new Duo();
    const sf2 = r.toServer(r.toClient(r.toServer(r.ch))).slice();
    sf2[sf2.length - 20]! ^= 0x01;
    expectFatal(r.c, sf2, 'bad_record_mac', { place: 'record', protectedAlert: true });
  });

  test('AES-GCM: a flipped explicit nonce, tag or header length after the handshake ends in bad_record_mac, either side', () => {
    for (const where of ['nonce', 'tag', 'type'] as const) {
      for (const to of ['client', 'server'] as const) {
        const r = fullHandshake();
        const from = to === 'server' ? r.d.c : r.d.s;
        from.conn.write(enc.encode('some application data'));
        const rec = drain(from.conn).slice();
        if (where === 'nonce') rec[5]! ^= 0x01;
        if (where === 'tag') rec[rec.length - 1]! ^= 0x01;
        // handshake type instead of application_data: the AAD covers the type, so it no longer authenticates
        if (where === 'type') rec[0] = CT.handshake;
        expectFatal(to === 'server' ? r.d.s : r.d.c, rec, 'bad_record_mac', { place: 'record', protectedAlert: true });
      }
    }
  });

  test('ChaCha20-Poly1305 (implicit nonce, RFC 7905): a flipped ciphertext byte ends in bad_record_mac', () => {
    const r = fullHandshake({ suite: CHACHA_EC });
    r.d.c.conn.write(enc.encode('chacha data'));
    const rec = drain(r.d.c.conn).slice();
    rec[7]! ^= 0x04;
    expectFatal(r.d.s, rec, 'bad_record_mac', { place: 'record' });
  });

  test('AES-CBC with encrypt_then_mac (RFC 7366): a flipped ciphertext byte, IV byte or MAC byte ends in bad_record_mac', () => {
    for (const at of ['iv', 'ciphertext', 'mac'] as const) {
      const r = fullHandshake({ suite: CBC_EC });
      assert.equal(r.d.s.conn.negotiated?.legacy?.encryptThenMac, true);
      r.d.c.conn.write(enc.encode('encrypt then MAC, 32 bytes long!'));
      const rec = drain(r.d.c.conn).slice();
      rec[at === 'iv' ? 6 : at === 'ciphertext' ? 5 + 16 + 3 : rec.length - 2]! ^= 0x20;
      expectFatal(r.d.s, rec, 'bad_record_mac', { place: 'record' });
    }
  });

  test('AES-CBC MAC-then-encrypt (SHA-1 and SHA-256 MACs): a flipped ciphertext byte ends in bad_record_mac, both directions', () => {
    for (const name of [CBC_EC, CBC256_EC]) {
      for (const to of ['client', 'server'] as const) {
        const m = macThenEncryptHandshake(name);
        const from = to === 'server' ? m.d.c : m.d.s;
        from.conn.write(enc.encode('MAC then encrypt: the MAC is inside the ciphertext'));
        const rec = drain(from.conn).slice();
        rec[5 + 16 + 5]! ^= 0x01;
        expectFatal(to === 'server' ? m.d.s : m.d.c, rec, 'bad_record_mac', { place: 'record', protectedAlert: true });
      }
    }
  });
});

// ---- CBC padding -------------------------------------------------------------------------------------------------

describe('CBC padding (RFC 5246 sections 6.2.3.2 and 7.2.2: bad_record_mac, never decryption_failed)', () => {
  const content = enc.encode('twenty-one bytes.....');

  test('MAC-then-encrypt, right MAC, one wrong padding byte: bad_record_mac', () => {
    const m = macThenEncryptHandshake();
    const k = keysOf(m.d.c);
    // 21 + 20 (MAC) = 41 bytes; padding 6 bytes + length byte: one of the six is wrong.
    const f = expectFatal(m.d.s, forgeCbc(k, 'client', 1, CT.appData, content, { etm: false, badPadding: true }), 'bad_record_mac', { place: 'record' });
    assert.notEqual(f.error.alert, 'decryption_failed');
  });

  test('MAC-then-encrypt, right MAC, a long padding (RFC 5246 allows up to 255) with one wrong byte: bad_record_mac', () => {
    const m = macThenEncryptHandshake();
    const k = keysOf(m.d.c);
    // 41 + 86 + 1 = 128 bytes: eight blocks, the padding spans six of them.
    expectFatal(m.d.s, forgeCbc(k, 'client', 1, CT.appData, content, { etm: false, pad: 86, badPadding: true }), 'bad_record_mac', { place: 'record' });
  });

  test('MAC-then-encrypt, a padding length byte larger than the record (255): bad_record_mac', () => {
    const m = macThenEncryptHandshake();
    const k = keysOf(m.d.c);
    expectFatal(m.d.s, forgeCbc(k, 'client', 1, CT.appData, content, { etm: false, padLength: 255 }), 'bad_record_mac', { place: 'record' });
  });

  test('MAC-then-encrypt, right padding, wrong MAC: bad_record_mac, the same alert as for wrong padding', () => {
    const alerts: string[] = [];
    for (const fault of [{ badMac: true }, { badPadding: true }] as const) {
      const m = macThenEncryptHandshake();
      const k = keysOf(m.d.c);
      const f = expectFatal(m.d.s, forgeCbc(k, 'client', 1, CT.appData, content, { etm: false, ...fault }), 'bad_record_mac', { place: 'record' });
      alerts.push(`${f.sent.level}/${f.sent.description}/${f.sent.protected}/${f.out.length}`);
    }
    assert.equal(alerts[0], alerts[1], 'a padding error and a MAC error look the same on the wire (no padding oracle)');
  });

  test('MAC-then-encrypt, a record that is not a whole number of blocks: bad_record_mac', () => {
    const m = macThenEncryptHandshake();
    m.d.c.conn.write(enc.encode('x'.repeat(40)));
    const rec = drain(m.d.c.conn);
    const cut = cat(u8(rec[0]!), u16(TLS12), u16(rec.length - 5 - 3), rec.subarray(5, rec.length - 3));
    expectFatal(m.d.s, cut, 'bad_record_mac', { place: 'record' });
  });

  test('MAC-then-encrypt towards the client: right MAC, wrong padding in a server record ends in bad_record_mac at the client', () => {
    const m = macThenEncryptHandshake();
    const k = keysOf(m.d.s);
    expectFatal(m.d.c, forgeCbc(k, 'server', 1, CT.appData, content, { etm: false, badPadding: true }), 'bad_record_mac', { place: 'record', protectedAlert: true });
  });

  test('encrypt_then_mac: a right MAC over a ciphertext whose padding is wrong: bad_record_mac (RFC 7366 section 3)', () => {
    for (const fault of [{ badPadding: true }, { padLength: 200 }] as const) {
      const r = fullHandshake({ suite: CBC_EC });
      const k = keysOf(r.d.c);
      expectFatal(r.d.s, forgeCbc(k, 'client', 1, CT.appData, content, { etm: true, ...fault }), 'bad_record_mac', { place: 'record' });
    }
  });

  test('encrypt_then_mac: right padding, wrong MAC: bad_record_mac', () => {
    const r = fullHandshake({ suite: CBC_EC });
    const k = keysOf(r.d.c);
    expectFatal(r.d.s, forgeCbc(k, 'client', 1, CT.appData, content, { etm: true, badMac: true }), 'bad_record_mac', { place: 'record' });
  });
});

// ---- ChangeCipherSpec ----------------------------------------------------------------------------------------------

describe('unexpected ChangeCipherSpec (RFC 5246 sections 7.1 and 7.3; the early-CCS attack, CVE-2014-0224)', () => {
  const CCS = record(CT.ccs, u8(1));

  test('a ChangeCipherSpec at the client before the ServerHello ends in unexpected_message', () => {
    const d = new Duo();
    expectFatal(d.c, CCS, 'unexpected_message', { place: 'change_cipher_spec' });
  });

  test('a ChangeCipherSpec at the client after the ServerHello, before the ServerHelloDone, ends in unexpected_message', () => {
    for (const upTo of [HS.server_hello, HS.certificate, HS.server_key_exchange]) {
      const d = new Duo();
      const sf1 = openFlight(d.toServer(d.ch));
      const keep = sf1.msgs.slice(0, msgIndex(sf1, upTo) + 1);
      const f = expectFatal(d.c, cat(frame({ ...sf1, msgs: keep, tail: [] }), CCS), 'unexpected_message', { place: 'change_cipher_spec' });
      assert.equal(f.sent.protected, false);
    }
  });

  test('a ChangeCipherSpec at the server before the ClientKeyExchange ends in unexpected_message (no keys may be installed yet)', () => {
    const d = new Duo();
    d.toServer(d.ch);
    expectFatal(d.s, CCS, 'unexpected_message', { place: 'change_cipher_spec' });
  });

  test('the client flight reordered, CCS before the ClientKeyExchange, ends in unexpected_message at the server', () => {
    const d = new Duo();
    const cf = openFlight(d.toClient(d.toServer(d.ch)));
    expectFatal(d.s, cat(cf.tail[0]!, frame({ ...cf, tail: [] }), cf.tail[1]!), 'unexpected_message', { place: 'change_cipher_spec' });
  });

  test('a ChangeCipherSpec where the NewSessionTicket promised in the ServerHello should be ends in unexpected_message at the client (RFC 5077 section 3.3)', () => {
    const key = new Uint8Array(32).fill(0x42);
    const d = new Duo({ server: { ticketKey: key } });
    const cf = d.toClient(d.toServer(d.ch));
    const sf2 = openFlight(d.toServer(cf));
    assert.equal(sf2.msgs[0]?.[0], HS.new_session_ticket);
    expectFatal(d.c, cat(...sf2.tail), 'unexpected_message', { place: 'change_cipher_spec' });
  });

  test('a ChangeCipherSpec whose body is not the one byte 0x01 ends in decode_error (RFC 5246 section 7.1)', () => {
    for (const body of [u8(2), Uint8Array.of(1, 1)]) {
      const d = new Duo();
      const cf = openFlight(d.toClient(d.toServer(d.ch)));
      expectFatal(d.s, cat(frame({ ...cf, tail: [] }), record(CT.ccs, body)), 'decode_error', { place: 'change_cipher_spec' });
    }
  });
});

// ---- ServerKeyExchange ---------------------------------------------------------------------------------------------

/** The server's first flight with its ServerKeyExchange replaced. */
function withSke(f: Flight, ske: Uint8Array): Uint8Array {
  const msgs = f.msgs.slice();
  msgs[msgIndex(f, HS.server_key_exchange)] = ske;
  return frame({ ...f, msgs });
}

/** ECDHE ServerKeyExchange fields: curve, point, algorithm (TLS 1.2), signature. */
function parseEcdheSke(m: Uint8Array): { curve: number; point: Uint8Array; algorithm: number; signature: Uint8Array; params: Uint8Array } {
  assert.equal(m[0], HS.server_key_exchange);
  assert.equal(m[4], 3, 'named_curve');
  const curve = (m[5]! << 8) | m[6]!;
  const plen = m[7]!;
  const point = m.slice(8, 8 + plen);
  const q = 8 + plen;
  return { curve, point, algorithm: (m[q]! << 8) | m[q + 1]!, signature: m.slice(q + 4), params: m.slice(4, q) };
}

/** RFC 2409 section 6.1, the First Oakley Group: a 768-bit safe prime, generator 2. */
const OAKLEY_GROUP_1 = hex(`
  FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1 29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD
  EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245 E485B576 625E7EC6 F44C42E9 A63A3620 FFFFFFFF FFFFFFFF`);

describe('ServerKeyExchange (RFC 5246 section 7.4.3, RFC 8422 section 5.4)', () => {
  test('an ECDHE ServerKeyExchange re-signed by another key (P-384, with the server\'s P-256 certificate) ends in decrypt_error', () => {
    const d = new Duo();
    const sf1 = openFlight(d.toServer(d.ch));
    const ske = parseEcdheSke(sf1.msgs[msgIndex(sf1, HS.server_key_exchange)]!);
    const h = parseClientHello(records(d.ch)[0]!.body);
    const sh = parseServerHello(sf1.msgs[0]!);
    const content = serverKeyExchangeSignedContent(h.random, sh.random, ske.params);
    const forged = encodeServerKeyExchange({ type: 'server_key_exchange', keyExchange: 'ECDHE', namedCurve: ske.curve, point: ske.point, algorithm: 0x0503, signature: ID.p384.signer.sign(0x0503, content) });
    const f = expectFatal(d.c, withSke(sf1, forged), 'decrypt_error', { place: 'ServerKeyExchange' });
    assert.match(f.error.message, /does not verify/);
  });

  test('an ECDHE-RSA ServerKeyExchange re-signed by an RSA 4096 key (certificate RSA 2048) ends in decrypt_error', () => {
    const d = new Duo({ suite: GCM_RSA });
    const sf1 = openFlight(d.toServer(d.ch));
    const ske = parseEcdheSke(sf1.msgs[msgIndex(sf1, HS.server_key_exchange)]!);
    const h = parseClientHello(records(d.ch)[0]!.body);
    const content = serverKeyExchangeSignedContent(h.random, parseServerHello(sf1.msgs[0]!).random, ske.params);
    const forged = encodeServerKeyExchange({ type: 'server_key_exchange', keyExchange: 'ECDHE', namedCurve: ske.curve, point: ske.point, algorithm: ske.algorithm, signature: ID.rsa4096.signer.sign(ske.algorithm, content) });
    expectFatal(d.c, withSke(sf1, forged), 'decrypt_error', { place: 'ServerKeyExchange' });
  });

  test('the server\'s ECDHE point replaced, its signature kept, ends in decrypt_error', () => {
    const d = new Duo();
    const sf1 = openFlight(d.toServer(d.ch));
    const ske = parseEcdheSke(sf1.msgs[msgIndex(sf1, HS.server_key_exchange)]!);
    const other = P.keyExchange(ske.curve)!.start().share;
    const forged = encodeServerKeyExchange({ type: 'server_key_exchange', keyExchange: 'ECDHE', namedCurve: ske.curve, point: other, algorithm: ske.algorithm, signature: ske.signature });
    expectFatal(d.c, withSke(sf1, forged), 'decrypt_error', { place: 'ServerKeyExchange' });
  });

  test('a ServerKeyExchange replayed from another handshake (signed over other randoms) ends in decrypt_error', () => {
    const a = new Duo();
    const b = new Duo();
    const sfA = openFlight(a.toServer(a.ch));
    const sfB = openFlight(b.toServer(b.ch));
    expectFatal(b.c, withSke(sfB, sfA.msgs[msgIndex(sfA, HS.server_key_exchange)]!), 'decrypt_error', { place: 'ServerKeyExchange' });
  });

  test('a ServerKeyExchange signed with a scheme we did not offer ends in illegal_parameter (RFC 5246 section 7.4.1.4.1)', () => {
    const d = new Duo({ client: { signatureSchemes: [0x0403] } });
    const sf1 = openFlight(d.toServer(d.ch));
    const ske = parseEcdheSke(sf1.msgs[msgIndex(sf1, HS.server_key_exchange)]!);
    const forged = encodeServerKeyExchange({ type: 'server_key_exchange', keyExchange: 'ECDHE', namedCurve: ske.curve, point: ske.point, algorithm: 0x0503, signature: ske.signature });
    expectFatal(d.c, withSke(sf1, forged), 'illegal_parameter', { place: 'ServerKeyExchange' });
  });

  test('a DHE ServerKeyExchange with RFC 2409\'s 768-bit group, validly signed by the server\'s key, ends in handshake_failure (Logjam; OpenSSL\'s 1024-bit floor)', () => {
    dheWithGroup(OAKLEY_GROUP_1, 768);
  });

  test('a DHE ServerKeyExchange with a 512-bit safe prime from `openssl dhparam 512` ends in handshake_failure', (t) => {
    const prime = opensslDhPrime(512);
    if (!prime) {
      t.skip('openssl dhparam 512 is not available here');
      return;
    }
    dheWithGroup(prime, 512);
  });

  test('a DHE ServerKeyExchange whose g is 1, or whose Ys is 1, ends in illegal_parameter (RFC 7919 section 5.1 checks)', () => {
    for (const bad of [{ g: u8(1) }, { ys: u8(1) }]) {
      const d = new Duo({ suite: DHE_RSA });
      const sf1 = openFlight(d.toServer(d.ch));
      const real = dheParams(sf1);
      const params = { keyExchange: 'DHE' as const, dhP: real.p, dhG: bad.g ?? real.g, dhYs: bad.ys ?? real.ys };
      expectFatal(d.c, withSke(sf1, signedDheSke(d, sf1, params)), 'illegal_parameter', { place: 'ServerKeyExchange' });
    }
  });
});

function dheParams(f: Flight): { p: Uint8Array; g: Uint8Array; ys: Uint8Array } {
  const m = f.msgs[msgIndex(f, HS.server_key_exchange)]!;
  let q = 4;
  const take = () => {
    const len = (m[q]! << 8) | m[q + 1]!;
    const v = m.slice(q + 2, q + 2 + len);
    q += 2 + len;
    return v;
  };
  return { p: take(), g: take(), ys: take() };
}

/** A DHE ServerKeyExchange over `params`, validly signed with the server's own key (RSA 2048). */
function signedDheSke(d: Duo, sf1: Flight, params: { keyExchange: 'DHE'; dhP: Uint8Array; dhG: Uint8Array; dhYs: Uint8Array }): Uint8Array {
  const content = serverKeyExchangeSignedContent(parseClientHello(records(d.ch)[0]!.body).random, parseServerHello(sf1.msgs[0]!).random, encodeServerKeyExchangeParams(params));
  const algorithm = 0x0804; // rsa_pss_rsae_sha256, offered by our client
  return encodeServerKeyExchange({ type: 'server_key_exchange', ...params, algorithm, signature: ID.rsa.signer.sign(algorithm, content) });
}

function dheWithGroup(prime: Uint8Array, bits: number): void {
  const d = new Duo({ suite: DHE_RSA });
  const sf1 = openFlight(d.toServer(d.ch));
  // Ys = 2^x mod p for some x: any value 1 < Ys < p-1 does, the group is refused before it is used.
  const ys = prime.slice();
  ys[0] = 0x12;
  const f = expectFatal(d.c, withSke(sf1, signedDheSke(d, sf1, { keyExchange: 'DHE', dhP: prime, dhG: u8(2), dhYs: ys })), 'handshake_failure', { place: 'ServerKeyExchange' });
  assert.match(f.error.message, new RegExp(`${bits} bits`));
}

function opensslDhPrime(bits: number): Uint8Array | undefined {
  try {
    const text = execFileSync('openssl', ['dhparam', '-text', '-noout', String(bits)], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 }).toString();
    const m = /(?:prime|P):\s*\n([\s0-9a-f:]+)/i.exec(text);
    if (!m) return undefined;
    const h = m[1]!.replace(/[\s:]/g, '');
    const b = hex(h);
    return b[0] === 0 ? b.subarray(1) : b;
  } catch {
    return undefined;
  }
}

// ---- ServerHello -----------------------------------------------------------------------------------------------

/** The server's first flight with its ServerHello rebuilt by `edit`. */
function withServerHello(f: Flight, edit: (sh: ServerHelloParts) => void): Uint8Array {
  const sh = parseServerHello(f.msgs[0]!);
  edit(sh);
  return frame({ ...f, msgs: [buildServerHello(sh), ...f.msgs.slice(1)] });
}

const DOWNGRD_12 = Uint8Array.of(0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01);
const DOWNGRD_11 = Uint8Array.of(0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00);

describe('a TLS 1.2 ServerHello the client must refuse (RFC 5246 sections 7.4.1.3 and 7.4.1.4, RFC 8446 section 4.1.3)', () => {
  test('a cipher suite we did not offer ends in illegal_parameter (RFC 5246 section 7.4.1.3)', () => {
    for (const other of [0xc02c, 0x1301, 0x00ff, 0x0a0a]) {
      const d = new Duo();
      const f = expectFatal(d.c, withServerHello(openFlight(d.toServer(d.ch)), (sh) => (sh.suite = other)), 'illegal_parameter', { place: 'ServerHello' });
      assert.match(f.error.message, /did not offer/);
    }
  });

  test('compression method 1 (DEFLATE) ends in illegal_parameter (RFC 5246 section 7.4.1.3; CRIME)', () => {
    const d = new Duo();
    expectFatal(d.c, withServerHello(openFlight(d.toServer(d.ch)), (sh) => (sh.compression = 1)), 'illegal_parameter', { place: 'ServerHello' });
  });

  test('an extension we did not offer ends in unsupported_extension (RFC 5246 section 7.4.1.4)', () => {
    for (const type of [EXT.heartbeat, EXT.status_request, 0x1234]) {
      const d = new Duo();
      const body = type === EXT.heartbeat ? u8(1) : new Uint8Array(0);
      const f = expectFatal(d.c, withServerHello(openFlight(d.toServer(d.ch)), (sh) => sh.exts.push({ type, body })), 'unsupported_extension', { place: 'ServerHello' });
      assert.match(f.error.message, new RegExp(`extension ${type}`));
    }
  });

  test('encrypt_then_mac answered though we offered no CBC suite (so did not offer it) ends in unsupported_extension', () => {
    const d = new Duo();
    const h = parseClientHello(records(d.ch)[0]!.body);
    assert.ok(!h.exts.some((e) => e.type === EXT.encrypt_then_mac), 'an AEAD-only client does not offer encrypt_then_mac');
    expectFatal(d.c, withServerHello(openFlight(d.toServer(d.ch)), (sh) => sh.exts.push({ type: EXT.encrypt_then_mac, body: new Uint8Array(0) })), 'unsupported_extension', { place: 'ServerHello' });
  });

  test('a server random ending in DOWNGRD\\x01 or DOWNGRD\\x00, to a client that offered TLS 1.3, ends in illegal_parameter (RFC 8446 section 4.1.3)', () => {
    for (const sentinel of [DOWNGRD_12, DOWNGRD_11]) {
      const d = new Duo({ client: { maxVersion: 0x0304 } });
      const h = parseClientHello(records(d.ch)[0]!.body);
      assert.ok(h.exts.some((e) => e.type === EXT.supported_versions), 'the client offers TLS 1.3');
      const sf1 = openFlight(d.toServer(d.ch));
      assert.equal(parseServerHello(sf1.msgs[0]!).legacyVersion, TLS12);
      const f = expectFatal(d.c, withServerHello(sf1, (sh) => sh.random.set(sentinel, 24)), 'illegal_parameter', { place: 'ServerHello' });
      assert.match(f.error.message, /downgrade/);
    }
  });

  test('without the sentinel, the same TLS 1.3-capable client completes a TLS 1.2 handshake (the premise of the test above)', () => {
    const r = fullHandshake({ client: { maxVersion: 0x0304 } });
    assert.equal(r.d.c.conn.negotiated?.version, TLS12);
    casesSurvived++;
  });

  test('a TLS 1.2-only client does not read DOWNGRD\\x01 as a downgrade: it gets past the ServerHello and fails at the signed randoms instead (decrypt_error)', () => {
    const d = new Duo();
    const f = expectFatal(d.c, withServerHello(openFlight(d.toServer(d.ch)), (sh) => sh.random.set(DOWNGRD_12, 24)), 'decrypt_error', { place: 'ServerKeyExchange' });
    assert.ok(f.events.some((e) => e.kind === 'handshake' && e.dir === 'in' && e.msgType === HS.server_key_exchange), 'the ServerHello was accepted');
  });

  test('a ServerHello for TLS 1.1 to a client whose minimum is TLS 1.2 ends in protocol_version (RFC 5246 appendix E.1)', () => {
    const d = new Duo();
    expectFatal(d.c, withServerHello(openFlight(d.toServer(d.ch)), (sh) => (sh.legacyVersion = 0x0302)), 'protocol_version', { place: 'ServerHello' });
  });
});

// ---- records ---------------------------------------------------------------------------------------------------------

describe('records out of place (RFC 5246 section 6.2.1, RFC 6520)', () => {
  test('a heartbeat record (never negotiated) ends in unexpected_message: plaintext mid-handshake at the server, protected after it at the client', () => {
    const hb = cat(u8(1), u16(16), new Uint8Array(16).fill(0x61), new Uint8Array(16)); // heartbeat_request, payload 16, padding 16
    const d = new Duo();
    d.toServer(d.ch);
    expectFatal(d.s, record(CT.heartbeat, hb), 'unexpected_message', { place: 'heartbeat' });
    const r = fullHandshake();
    const k = keysOf(r.d.s);
    expectFatal(r.d.c, sealWith(k, 'server', 1, CT.heartbeat, hb), 'unexpected_message', { place: 'heartbeat', protectedAlert: true });
  });

  test('application data before the handshake completes ends in unexpected_message: plaintext at either side, and protected between CCS and Finished', () => {
    const data = record(CT.appData, enc.encode('GET / HTTP/1.1\r\n\r\n'));
    const a = new Duo();
    a.toServer(a.ch);
    expectFatal(a.s, data, 'unexpected_message', { place: 'application_data' });
    const b = new Duo();
    const sf1 = openFlight(b.toServer(b.ch));
    expectFatal(b.c, cat(frame({ ...sf1, msgs: sf1.msgs.slice(0, 2) }), data), 'unexpected_message', { place: 'application_data' });
    // Under the client's new keys, after its CCS, before its Finished: authenticated, but too early.
    const c = new Duo();
    const cf = openFlight(c.toClient(c.toServer(c.ch)));
    const k = keysOf(c.c);
    expectFatal(c.s, cat(frame({ ...cf, tail: [] }), cf.tail[0]!, sealWith(k, 'client', 0, CT.appData, enc.encode('early'))), 'unexpected_message', { place: 'application_data' });
  });

  test('after the handshake, a record with version 0x0302 (TLS 1.1) or 0x0301 ends in protocol_version, either side (RFC 5246 appendix E.1)', () => {
    for (const version of [0x0302, 0x0301]) {
      for (const to of ['client', 'server'] as const) {
        const r = fullHandshake();
        const from = to === 'server' ? r.d.c : r.d.s;
        from.conn.write(enc.encode('data'));
        const rec = drain(from.conn).slice();
        rec[1] = version >> 8;
        rec[2] = version & 0xff;
        expectFatal(to === 'server' ? r.d.s : r.d.c, rec, 'protocol_version', { place: 'record header' });
      }
    }
  });

  test('after the ServerHello settled TLS 1.2, a handshake record with version 0x0302 ends in protocol_version (RFC 5246 appendix E.1; OpenSSL\'s ssl3_get_record checks every record after the first)', () => {
    // BUG: connection.ts onRecord12 checks the record version only once `negotiated` is set (the whole handshake
    // done), so the server's Certificate, ServerKeyExchange and ServerHelloDone (and the client's ClientKeyExchange
    // and Finished) may carry any 0x03xx version after the ServerHello chose 0x0303: the connection goes on.
    const d = new Duo();
    const sf1 = openFlight(d.toServer(d.ch));
    const bytes = cat(record(CT.handshake, sf1.msgs[0]!), ...sf1.msgs.slice(1).map((m) => record(CT.handshake, m, 0x0302)));
    expectFatal(d.c, bytes, 'protocol_version', { place: 'record header' });
  });

  test('a record of an unknown content type (99) ends in unexpected_message, before and after the handshake (RFC 5246 section 6)', () => {
    const d = new Duo();
    d.toServer(d.ch);
    expectFatal(d.s, record(99, u8(0)), 'unexpected_message');
    const r = fullHandshake();
    expectFatal(r.d.c, sealWith(keysOf(r.d.s), 'server', 1, 99, enc.encode('?')), 'unexpected_message');
  });
});

// ---- warning alerts --------------------------------------------------------------------------------------------------

const NO_RENEGOTIATION = Uint8Array.of(1, 100);

describe('warning alerts (RFC 5246 section 7.2; OpenSSL\'s MAX_WARN_ALERT_COUNT)', () => {
  test('six warning alerts in a row (no_renegotiation) mid-handshake end the connection, naming the limit', () => {
    const d = new Duo();
    d.toServer(d.ch);
    const f = expectFatal(d.s, Array.from({ length: 6 }, () => record(CT.alert, NO_RENEGOTIATION)), 'unexpected_message', { place: 'alert' });
    assert.match(f.error.message, /maxWarningAlertsInARow/);
  });

  test('six protected warning alerts in a row after the handshake end the connection, naming the limit', () => {
    const r = fullHandshake();
    const k = keysOf(r.d.s);
    const alerts = Array.from({ length: 6 }, (_, i) => sealWith(k, 'server', 1 + i, CT.alert, NO_RENEGOTIATION));
    const f = expectFatal(r.d.c, alerts, 'unexpected_message', { place: 'alert', protectedAlert: true });
    assert.match(f.error.message, /warning alerts in a row/);
  });

  test('one warning alert alone is harmless: mid-handshake (after the hellos) the handshake still completes, after it data still flows', () => {
    const d = new Duo();
    const sf1 = openFlight(d.toServer(d.ch));
    // At the client between ServerHello and Certificate; at the server before the ClientKeyExchange.
    const cf = expectAlive(d.c, cat(frame({ ...sf1, msgs: sf1.msgs.slice(0, 1) }), record(CT.alert, NO_RENEGOTIATION), frame({ ...sf1, msgs: sf1.msgs.slice(1) })));
    const sf2 = expectAlive(d.s, cat(record(CT.alert, NO_RENEGOTIATION), cf));
    d.toClient(sf2);
    assert.equal(d.c.conn.status, 'open');
    assert.equal(d.s.conn.status, 'open');
    const k = keysOf(d.s);
    expectAlive(d.c, sealWith(k, 'server', 1, CT.alert, NO_RENEGOTIATION));
    assert.ok(d.c.events.some((e) => e.kind === 'alert' && e.dir === 'in' && e.level === 'warning' && e.code === 100), 'traced as a received warning');
    exchange(d, 'client', 'still here');
    // (the injected warning took the server's sequence number 1: the next server record is forged at 2)
    expectAlive(d.c, sealWith(k, 'server', 2, CT.appData, enc.encode('still here too')));
    assert.equal(new TextDecoder().decode(d.c.conn.read(100)), 'still here too');
    casesSurvived++;
  });

  test('a warning unrecognized_name before the ServerHello (as servers answering an unknown SNI name send it) is harmless to a TLS 1.2-only client', () => {
    // BUG: connection.ts onAlert applies TLS 1.2's warning rule only once `legacyVersion` is set (by the ServerHello);
    // before it the TLS 1.3 rule "every alert is fatal" applies, even in a client whose maxVersion is TLS 1.2 and so
    // can never speak TLS 1.3. OpenSSL tolerates warnings until the version is TLS 1.3.
    const d = new Duo();
    const sf1 = d.toServer(d.ch);
    expectAlive(d.c, cat(record(CT.alert, Uint8Array.of(1, 112), 0x0303), sf1));
    casesSurvived++;
  });

  test('five warnings, then application data, then five more warnings: the count starts again after a record that is not an alert', () => {
    // BUG: connection.ts onAlert counts warningsInARow but nothing ever resets it, so the sixth warning of the
    // connection is fatal however far apart they are (OpenSSL resets alert_count on any non-empty non-alert record).
    const r = fullHandshake();
    const k = keysOf(r.d.s);
    let seq = 1;
    for (let i = 0; i < 5; i++) expectAlive(r.d.c, sealWith(k, 'server', seq++, CT.alert, NO_RENEGOTIATION));
    expectAlive(r.d.c, sealWith(k, 'server', seq++, CT.appData, enc.encode('in between')));
    assert.equal(new TextDecoder().decode(r.d.c.conn.read(100)), 'in between');
    for (let i = 0; i < 5; i++) expectAlive(r.d.c, sealWith(k, 'server', seq++, CT.alert, NO_RENEGOTIATION));
    assert.equal(r.d.c.conn.status, 'open');
    casesSurvived++;
  });
});

// ---- RSA key exchange: implicit rejection ---------------------------------------------------------------------------

describe('RSA key exchange with a bad premaster (RFC 5246 section 7.4.7.1: the Bleichenbacher defence)', () => {
  const spki = certificateSpki(ID.rsa.chain[0]!);
  const pub = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  const k = 256;
  const raw = (em: Uint8Array) => new Uint8Array(publicEncrypt({ key: pub, padding: nodeConstants.RSA_NO_PADDING }, em));
  const pkcs1 = (m: Uint8Array) => new Uint8Array(publicEncrypt({ key: pub, padding: nodeConstants.RSA_PKCS1_PADDING }, m));
  /** EM = 00 02 PS 00 M, PS non-zero. */
  const em = (m: Uint8Array, f: { first?: number; type?: number; noSeparator?: boolean } = {}): Uint8Array => {
    const e = new Uint8Array(k).fill(0x5a);
    e[0] = f.first ?? 0;
    e[1] = f.type ?? 2;
    if (!f.noSeparator) e[k - m.length - 1] = 0;
    e.set(m, k - m.length);
    return e;
  };
  const premaster = (version = TLS12, len = 48) => {
    const m = P.random(len);
    m[0] = version >> 8;
    m[1] = version & 0xff;
    return m;
  };

  const variants: Array<[string, () => Uint8Array]> = [
    ['well padded, but another premaster than the client\'s', () => pkcs1(premaster())],
    ['first byte 0x01, not 0x00', () => raw(em(premaster(), { first: 1 }))],
    ['block type 1, not 2', () => raw(em(premaster(), { type: 1 }))],
    ['no zero byte after the padding', () => raw(em(premaster(), { noSeparator: true }))],
    ['a 47-byte premaster', () => raw(em(premaster(TLS12, 47)))],
    ['version bytes 0x0302 in the premaster (a rollback)', () => pkcs1(premaster(0x0302))],
    ['255 bytes of ciphertext, not 256', () => pkcs1(premaster()).subarray(1)],
    ['all zero', () => new Uint8Array(k)],
  ];

  interface Outcome {
    afterCke: string;
    afterCcs: string;
    alert: string;
    place?: string;
    out: string;
    trace: string;
  }

  function run(encrypted: Uint8Array): Outcome {
    const d = new Duo({ suite: RSA_KX });
    const cf = openFlight(d.toClient(d.toServer(d.ch)));
    const i = msgIndex(cf, HS.client_key_exchange);
    const msgs = cf.msgs.slice();
    msgs[i] = handshakeMessage(HS.client_key_exchange, vec16(encrypted));
    const mark = d.s.events.length;
    // Record by record: the ClientKeyExchange is taken as if it were fine; the failure comes at Finished.
    const cke = expectAlive(d.s, frame({ ...cf, msgs, tail: [] }));
    const afterCke = `${d.s.conn.status}/${d.s.conn.handshakeState}/${cke.length}`;
    const ccs = expectAlive(d.s, cf.tail[0]!);
    const afterCcs = `${d.s.conn.status}/${d.s.conn.handshakeState}/${ccs.length}`;
    const f = expectFatal(d.s, cf.tail[1]!, 'bad_record_mac', { place: 'record' });
    const trace = d.s.events.slice(mark)
      // (the length of the received ClientKeyExchange record differs only for the short ciphertext: left out)
      .map((e) => (e.kind === 'record' ? `record ${e.dir} ${e.contentTypeName}${e.dir === 'out' ? ` ${e.length}` : ''}` : e.kind === 'error' ? `error ${e.alert} ${e.message} ${JSON.stringify(e.place)}` : e.kind === 'handshake' ? `handshake ${e.dir} ${e.name}` : e.kind === 'info' ? `info ${e.message}` : e.kind))
      .join('\n');
    return { afterCke, afterCcs, alert: f.error.alert, place: f.error.place?.message, out: Buffer.from(f.out).toString('hex'), trace };
  }

  test('the untouched RSA handshake completes (the premise)', () => {
    const r = fullHandshake({ suite: RSA_KX });
    exchange(r.d, 'client', 'rsa key exchange');
    casesSurvived++;
  });

  test('every malformed premaster fails exactly as a well-padded wrong one does: not at the ClientKeyExchange, but at the client Finished record, with the same alert, place, bytes sent and trace', () => {
    const outcomes = variants.map(([name, make]) => ({ name, o: run(make()) }));
    const base = outcomes[0]!.o;
    assert.equal(base.afterCke, 'handshaking/wait_ccs/0', 'the server waits for the CCS after any ClientKeyExchange');
    assert.equal(base.afterCcs, 'handshaking/wait_finished/0');
    assert.equal(base.alert, 'bad_record_mac', 'the premasters differ, so the keys do: the Finished record does not open');
    for (const { name, o } of outcomes.slice(1)) assert.deepEqual(o, base, `${name}: behaves as the well-padded wrong premaster`);
  });
});

// ---- truncated and garbled handshake messages --------------------------------------------------------------------

/** A minimal DER OCSPResponse (SEQUENCE { ENUMERATED malformedRequest }): enough to staple. */
const OCSP_MIN = Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x01);

/** Every TLS 1.2 message type in one handshake: client certificate, stapled status, session ticket. */
const RICH: DuoOptions = {
  client: { requestOcsp: true, certificateChain: ID.ec.chain, signer: ID.ec.signer },
  server: { clientAuth: 'request', ocspResponse: OCSP_MIN, ticketKey: new Uint8Array(32).fill(0x42) },
};

type Stage = 'ch' | 'sf1' | 'cf' | 'sf2';

/** Runs a handshake up to `stage`, edits that flight, and returns the endpoint it goes to with the bytes. */
function tamper(o: DuoOptions, stage: Stage, edit: (f: Flight) => void): { ep: Endpoint; bytes: Uint8Array; d: Duo } {
  const d = new Duo(o);
  let bytes = d.ch;
  const stages: Stage[] = ['ch', 'sf1', 'cf', 'sf2'];
  for (const s of stages.slice(0, stages.indexOf(stage))) bytes = s === 'ch' || s === 'cf' ? d.toServer(bytes) : d.toClient(bytes);
  const f = openFlight(bytes);
  edit(f);
  return { ep: stage === 'ch' || stage === 'cf' ? d.s : d.c, bytes: frame(f), d };
}

function editMsg(f: Flight, type: number, fn: (m: Uint8Array) => Uint8Array): void {
  const i = msgIndex(f, type);
  f.msgs[i] = fn(f.msgs[i]!.slice());
}

const truncated = (n = 1) => (m: Uint8Array) => relength(m.subarray(0, m.length - n));
const trailing = (m: Uint8Array) => relength(cat(m, u8(0)));
const bump = (offset: number, by = 1) => (m: Uint8Array) => {
  const c = m.slice();
  c[offset]! += by;
  return c;
};
const body = (type: number, b: Uint8Array) => () => handshakeMessage(type, b);

interface Garble {
  name: string;
  stage: Stage;
  type: number;
  fn: (m: Uint8Array) => Uint8Array;
  alert: AlertDescription;
  o?: DuoOptions;
}

const G: Garble[] = [
  // to the client
  { name: 'ServerHello one byte short', stage: 'sf1', type: HS.server_hello, fn: truncated(), alert: 'decode_error' },
  { name: 'ServerHello with a byte after its extensions', stage: 'sf1', type: HS.server_hello, fn: trailing, alert: 'decode_error' },
  { name: 'ServerHello whose session_id length says 33', stage: 'sf1', type: HS.server_hello, fn: (m) => { const c = m.slice(); c[38] = 33; return c; }, alert: 'decode_error' },
  { name: 'Certificate whose list length says one byte more', stage: 'sf1', type: HS.certificate, fn: bump(6), alert: 'decode_error' },
  { name: 'Certificate one byte short', stage: 'sf1', type: HS.certificate, fn: truncated(), alert: 'decode_error' },
  { name: 'Certificate holding a zero-length certificate', stage: 'sf1', type: HS.certificate, fn: body(HS.certificate, cat(u24(3), u24(0))), alert: 'decode_error' },
  { name: 'Certificate with an empty list', stage: 'sf1', type: HS.certificate, fn: body(HS.certificate, u24(0)), alert: 'decode_error' },
  { name: 'Certificate whose certificate is not DER', stage: 'sf1', type: HS.certificate, fn: body(HS.certificate, cat(u24(8), u24(5), Uint8Array.of(0x30, 0x03, 1, 2, 3))), alert: 'bad_certificate' },
  { name: 'CertificateStatus of status_type 2', stage: 'sf1', type: HS.certificate_status, fn: (m) => { const c = m.slice(); c[4] = 2; return c; }, alert: 'decode_error', o: RICH },
  { name: 'CertificateStatus one byte short', stage: 'sf1', type: HS.certificate_status, fn: truncated(), alert: 'decode_error', o: RICH },
  { name: 'ServerKeyExchange one byte short', stage: 'sf1', type: HS.server_key_exchange, fn: truncated(), alert: 'decode_error' },
  { name: 'ServerKeyExchange with a byte after the signature', stage: 'sf1', type: HS.server_key_exchange, fn: trailing, alert: 'decode_error' },
  { name: 'ServerKeyExchange with an empty point', stage: 'sf1', type: HS.server_key_exchange, fn: body(HS.server_key_exchange, cat(u8(3), u16(23), u8(0), u16(0x0403), vec16(new Uint8Array(70)))), alert: 'decode_error' },
  { name: 'ServerKeyExchange with explicit_prime curve parameters (RFC 8422 section 5.4)', stage: 'sf1', type: HS.server_key_exchange, fn: (m) => { const c = m.slice(); c[4] = 1; return c; }, alert: 'illegal_parameter' },
  { name: 'ServerKeyExchange of 1 byte', stage: 'sf1', type: HS.server_key_exchange, fn: body(HS.server_key_exchange, u8(3)), alert: 'decode_error' },
  { name: 'CertificateRequest with no certificate types', stage: 'sf1', type: HS.certificate_request, fn: body(HS.certificate_request, cat(u8(0), vec16(u16(0x0403)), u16(0))), alert: 'decode_error', o: RICH },
  { name: 'CertificateRequest whose signature algorithms are 3 bytes', stage: 'sf1', type: HS.certificate_request, fn: body(HS.certificate_request, cat(vec8(Uint8Array.of(1, 64)), vec16(Uint8Array.of(4, 3, 5)), u16(0))), alert: 'decode_error', o: RICH },
  { name: 'CertificateRequest one byte short', stage: 'sf1', type: HS.certificate_request, fn: truncated(), alert: 'decode_error', o: RICH },
  { name: 'ServerHelloDone with a body', stage: 'sf1', type: HS.server_hello_done, fn: trailing, alert: 'decode_error' },
  { name: 'an unknown handshake type (99) where the ServerKeyExchange goes', stage: 'sf1', type: HS.server_key_exchange, fn: body(99, u8(0)), alert: 'unexpected_message' },
  { name: 'a TLS 1.3 EncryptedExtensions where the ServerKeyExchange goes', stage: 'sf1', type: HS.server_key_exchange, fn: body(HS.encrypted_extensions, u16(0)), alert: 'unexpected_message' },
  { name: 'a ClientHello sent to the client', stage: 'sf1', type: HS.server_key_exchange, fn: () => records(new Duo().ch)[0]!.body, alert: 'unexpected_message' },
  { name: 'NewSessionTicket one byte short', stage: 'sf2', type: HS.new_session_ticket, fn: truncated(), alert: 'decode_error', o: RICH },
  { name: 'NewSessionTicket of 3 bytes', stage: 'sf2', type: HS.new_session_ticket, fn: body(HS.new_session_ticket, Uint8Array.of(0, 0, 1)), alert: 'decode_error', o: RICH },
  // to the server
  { name: 'ClientHello one byte short', stage: 'ch', type: HS.client_hello, fn: truncated(), alert: 'decode_error' },
  { name: 'ClientHello whose cipher_suites length is odd', stage: 'ch', type: HS.client_hello, fn: (m) => { const c = m.slice(); c[40]! -= 1; return relength(cat(c.subarray(0, 41 + c[40]!), c.subarray(42 + c[40]!))); }, alert: 'decode_error' },
  { name: 'ClientHello with a byte after its extensions', stage: 'ch', type: HS.client_hello, fn: trailing, alert: 'decode_error' },
  { name: 'ClientHello with no compression methods', stage: 'ch', type: HS.client_hello, fn: (m) => { const h = parseClientHello(m); h.compression = new Uint8Array(0); return buildClientHello(h); }, alert: 'decode_error' },
  { name: 'client Certificate one byte short', stage: 'cf', type: HS.certificate, fn: truncated(), alert: 'decode_error', o: RICH },
  { name: 'client Certificate whose list length says one byte more', stage: 'cf', type: HS.certificate, fn: bump(6), alert: 'decode_error', o: RICH },
  { name: 'ClientKeyExchange (ECDHE) with an empty point', stage: 'cf', type: HS.client_key_exchange, fn: body(HS.client_key_exchange, u8(0)), alert: 'decode_error' },
  { name: 'ClientKeyExchange (ECDHE) with a byte after the point', stage: 'cf', type: HS.client_key_exchange, fn: trailing, alert: 'decode_error' },
  { name: 'ClientKeyExchange (ECDHE) one byte short', stage: 'cf', type: HS.client_key_exchange, fn: truncated(), alert: 'decode_error' },
  { name: 'ClientKeyExchange (ECDHE) empty', stage: 'cf', type: HS.client_key_exchange, fn: body(HS.client_key_exchange, new Uint8Array(0)), alert: 'decode_error' },
  { name: 'ClientKeyExchange (ECDHE) whose point is not on the curve', stage: 'cf', type: HS.client_key_exchange, fn: body(HS.client_key_exchange, vec8(cat(u8(4), new Uint8Array(64).fill(1)))), alert: 'illegal_parameter' },
  { name: 'ClientKeyExchange (RSA) whose length prefix says one byte more', stage: 'cf', type: HS.client_key_exchange, fn: bump(5), alert: 'decode_error', o: { suite: RSA_KX } },
  { name: 'ClientKeyExchange (DHE) with an empty dh_Yc', stage: 'cf', type: HS.client_key_exchange, fn: body(HS.client_key_exchange, u16(0)), alert: 'decode_error', o: { suite: DHE_RSA } },
  { name: 'ClientKeyExchange (DHE) with dh_Yc = 1', stage: 'cf', type: HS.client_key_exchange, fn: body(HS.client_key_exchange, vec16(u8(1))), alert: 'illegal_parameter', o: { suite: DHE_RSA } },
  { name: 'CertificateVerify one byte short', stage: 'cf', type: HS.certificate_verify, fn: truncated(), alert: 'decode_error', o: RICH },
  { name: 'CertificateVerify with a byte after the signature', stage: 'cf', type: HS.certificate_verify, fn: trailing, alert: 'decode_error', o: RICH },
  { name: 'CertificateVerify of 2 bytes (no signature length)', stage: 'cf', type: HS.certificate_verify, fn: body(HS.certificate_verify, u16(0x0403)), alert: 'decode_error', o: RICH },
  { name: 'CertificateVerify with a scheme the server did not ask for (ecdsa_sha1)', stage: 'cf', type: HS.certificate_verify, fn: (m) => { const c = m.slice(); c[4] = 2; c[5] = 3; return c; }, alert: 'illegal_parameter', o: RICH },
  { name: 'CertificateVerify whose signature is another key\'s (P-384 for a P-256 certificate; RFC 5246 section 7.4.8)', stage: 'cf', type: HS.certificate_verify, fn: () => body(HS.certificate_verify, cat(u16(0x0503), vec16(ID.p384.signer.sign(0x0503, enc.encode('not the transcript')))))(), alert: 'decrypt_error', o: RICH },
  { name: 'a ServerHelloDone sent to the server', stage: 'cf', type: HS.client_key_exchange, fn: body(HS.server_hello_done, new Uint8Array(0)), alert: 'unexpected_message' },
];

describe('truncated and garbled TLS 1.2 handshake messages of each type, to each side (RFC 5246 sections 7.2.2 and 7.4)', () => {
  for (const g of G) {
    test(`${g.name}: ${g.alert}`, () => {
      const t = tamper(g.o ?? {}, g.stage, (f) => editMsg(f, g.type, g.fn));
      expectFatal(t.ep, t.bytes, g.alert);
    });
  }

  test('a client Certificate whose certificate is not DER ends in bad_certificate, not internal_error (RFC 5246 section 7.2.2)', () => {
    // BUG: server.ts onCertificate stores the client's chain without parsing it (when no verifyPeer is set), and
    // onCertificateVerify calls certificateSpki(peerChain[0]) outside any try: the DER error escapes as an Error and
    // becomes internal_error, blaming ourselves for the peer's bad certificate. (The client side parses the server's
    // leaf in onCertificate and answers bad_certificate.)
    const t = tamper(RICH, 'cf', (f) => editMsg(f, HS.certificate, body(HS.certificate, cat(u24(8), u24(5), Uint8Array.of(0x30, 0x03, 1, 2, 3)))));
    expectFatal(t.ep, t.bytes, 'bad_certificate');
  });

  test('a HelloRequest with a body, protected, after the handshake ends in decode_error at the client (RFC 5246 section 7.4.1.1)', () => {
    const r = fullHandshake();
    expectFatal(r.d.c, sealWith(keysOf(r.d.s), 'server', 1, CT.handshake, handshakeMessage(HS.hello_request, u8(0))), 'decode_error', { protectedAlert: true });
  });

  test('an empty HelloRequest after the handshake never fails the connection: the client renegotiates (RFC 5746) or declines with a no_renegotiation warning (RFC 5246 section 7.4.1.1)', () => {
    const r = fullHandshake();
    const out = expectAlive(r.d.c, sealWith(keysOf(r.d.s), 'server', 1, CT.handshake, handshakeMessage(HS.hello_request, new Uint8Array(0))));
    const rec = records(out)[0]!;
    const opened = openRecord(keysOf(r.d.c), 'client', rec.raw, 1);
    if (rec.type === CT.alert) assert.deepEqual([...opened.content], [1, 100], 'a no_renegotiation warning');
    else assert.equal(opened.content[0], HS.client_hello, 'a renegotiating ClientHello, under the current keys');
    assert.equal(r.d.c.conn.status, 'open');
    casesSurvived++;
  });

  test('a second ClientHello (renegotiation) on an open connection never fails it: the server answers or declines with a no_renegotiation warning', () => {
    const r = fullHandshake();
    const chAgain = records(r.ch)[0]!.body;
    const out = expectAlive(r.d.s, sealWith(keysOf(r.d.c), 'client', 1, CT.handshake, chAgain));
    const rec = records(out)[0]!;
    const opened = openRecord(keysOf(r.d.s), 'server', rec.raw, 1);
    if (rec.type === CT.alert) assert.deepEqual([...opened.content], [1, 100], 'a no_renegotiation warning');
    else assert.equal(opened.content[0], HS.server_hello);
    assert.equal(r.d.s.conn.status, 'open');
    casesSurvived++;
  });
});

// ---- secure renegotiation -------------------------------------------------------------------------------------------

const RENEGOTIATION_INFO = 0xff01;
const SCSV = 0x00ff;

/** `exts` with renegotiation_info's renegotiated_connection set to `data`. */
function withRenegotiationInfo(exts: Ext[], data: Uint8Array): Ext[] {
  return [...exts.filter((e) => e.type !== RENEGOTIATION_INFO), { type: RENEGOTIATION_INFO, body: vec8(data) }];
}

describe('secure renegotiation bad input (RFC 5746)', () => {
  test('an initial ClientHello whose renegotiation_info is not empty ends in handshake_failure (RFC 5746 section 3.6)', () => {
    const d = new Duo();
    const h = parseClientHello(records(d.ch)[0]!.body);
    h.exts = withRenegotiationInfo(h.exts, new Uint8Array(12).fill(9));
    expectFatal(d.s, record(CT.handshake, buildClientHello(h), 0x0301), 'handshake_failure', { place: 'ClientHello' });
  });

  test('an initial ServerHello whose renegotiation_info is not empty ends in handshake_failure (RFC 5746 section 3.4)', () => {
    const d = new Duo();
    expectFatal(d.c, withServerHello(openFlight(d.toServer(d.ch)), (sh) => (sh.exts = withRenegotiationInfo(sh.exts, new Uint8Array(24).fill(9)))), 'handshake_failure', { place: 'ServerHello' });
  });

  /** A renegotiating ClientHello, protected under the client's keys, built from the first one by `edit`. */
  function renegotiationHello(r: Run, edit: (h: ClientHelloParts) => void): Uint8Array {
    const h = parseClientHello(records(r.ch)[0]!.body);
    h.exts = withRenegotiationInfo(h.exts, r.d.c.conn.negotiated!.legacy!.clientVerifyData);
    edit(h);
    return sealWith(keysOf(r.d.c), 'client', 1, CT.handshake, buildClientHello(h));
  }

  test('premise: a server that accepts renegotiation answers a well-bound renegotiating ClientHello with a ServerHello', () => {
    const r = fullHandshake({ server: { renegotiation: true } });
    const out = expectAlive(r.d.s, renegotiationHello(r, () => undefined));
    assert.equal(openRecord(keysOf(r.d.s), 'server', records(out)[0]!.raw, 1).content[0], HS.server_hello);
    casesSurvived++;
  });

  test('a renegotiating ClientHello whose renegotiation_info is not our last client verify_data ends in handshake_failure (RFC 5746 section 3.7)', () => {
    for (const data of [new Uint8Array(0), new Uint8Array(12).fill(0x33)]) {
      const r = fullHandshake({ server: { renegotiation: true } });
      expectFatal(r.d.s, renegotiationHello(r, (h) => (h.exts = withRenegotiationInfo(h.exts, data))), 'handshake_failure', { place: 'ClientHello', protectedAlert: true });
    }
  });

  test('a renegotiating ClientHello without renegotiation_info, or carrying the SCSV, ends in handshake_failure (RFC 5746 section 3.7)', () => {
    const r1 = fullHandshake({ server: { renegotiation: true } });
    expectFatal(r1.d.s, renegotiationHello(r1, (h) => (h.exts = h.exts.filter((e) => e.type !== RENEGOTIATION_INFO))), 'handshake_failure', { place: 'ClientHello', protectedAlert: true });
    const r2 = fullHandshake({ server: { renegotiation: true } });
    expectFatal(r2.d.s, renegotiationHello(r2, (h) => h.suites.push(SCSV)), 'handshake_failure', { place: 'ClientHello', protectedAlert: true });
  });

  test('a renegotiation ServerHello whose renegotiation_info does not carry both verify_data ends in handshake_failure at the client (RFC 5746 section 3.5)', () => {
    const r = fullHandshake({ server: { renegotiation: true } });
    const ks = keysOf(r.d.s);
    // The server asks (a HelloRequest forged under its keys); the client answers with a renegotiating ClientHello.
    const ch2 = expectAlive(r.d.c, sealWith(ks, 'server', 1, CT.handshake, handshakeMessage(HS.hello_request, new Uint8Array(0))));
    const flight = records(expectAlive(r.d.s, ch2));
    const sh = parseServerHello(openRecord(ks, 'server', flight[0]!.raw, 1).content);
    const n = r.d.c.conn.negotiated!.legacy!;
    assert.deepEqual(sh.exts.find((e) => e.type === RENEGOTIATION_INFO)?.body, vec8(cat(n.clientVerifyData, n.serverVerifyData)), 'the real answer carries both');
    sh.exts = withRenegotiationInfo(sh.exts, n.clientVerifyData); // only the client's half
    // The HelloRequest took the server's sequence number 1 on the client's side: the ServerHello goes at 2.
    expectFatal(r.d.c, sealWith(ks, 'server', 2, CT.handshake, buildServerHello(sh)), 'handshake_failure', { place: 'ServerHello', protectedAlert: true });
  });
});

// ---- seeded sweep: every message of every flight, cut and flipped ------------------------------------------------

describe('seeded sweep: every TLS 1.2 handshake message cut short or flipped never escapes as an exception or an internal_error', () => {
  test('cuts (length fixed) and flips of each message of each flight, fed to the side that reads it', () => {
    // BUG: two flips in the client's Certificate end in internal_error (the client certificate is not DER: see
    // 'a client Certificate whose certificate is not DER' above).
    const r = rng(0x7125_0001);
    seedCounter = 1000; // the endpoints' seeds do not depend on how many tests ran before
    const outcomes: Record<string, number> = {};
    const internal: string[] = [];
    let n = 0;
    const probe = fullHandshake(RICH);
    const flights: Record<Stage, Flight> = { ch: openFlight(probe.ch), sf1: openFlight(probe.sf1), cf: openFlight(probe.cf), sf2: openFlight(probe.sf2) };
    for (const stage of ['ch', 'sf1', 'cf', 'sf2'] as Stage[]) {
      for (const type of flights[stage].msgs.map((m) => m[0]!)) {
        const len = flights[stage].msgs.find((m) => m[0] === type)!.length;
        const ops: Array<[string, (m: Uint8Array) => Uint8Array]> = [];
        for (let i = 0; i < 8; i++) {
          const cut = 4 + r.int(len - 4);
          ops.push([`cut to ${cut}`, (m) => relength(m.subarray(0, cut))]);
          const at = 4 + r.int(len - 4);
          const bit = 1 << r.int(8);
          ops.push([`flip byte ${at}`, (m) => { const c = m.slice(); c[at]! ^= bit; return c; }]);
        }
        for (const [op, fn] of ops) {
          const label = `${stage} msg ${type} ${op}`;
          const t = tamper(RICH, stage, (f) => editMsg(f, type, fn));
          assert.doesNotThrow(() => t.ep.conn.receive(t.bytes), label);
          drain(t.ep.conn);
          const kind = t.ep.conn.status === 'failed' ? (t.ep.conn.error instanceof ProtocolError ? t.ep.conn.error.alert : `peer ${t.ep.conn.error?.message}`) : `alive (${t.ep.conn.status})`;
          assert.ok(kind.startsWith('alive') || isAlertDescription(kind), `${label}: ${kind}`);
          if (kind === 'internal_error') internal.push(`${label}: ${t.ep.conn.error?.message}`);
          outcomes[kind] = (outcomes[kind] ?? 0) + 1;
          n++;
          casesSurvived++;
        }
      }
    }
    console.log(`sweep: ${n} mutated messages, outcomes ${JSON.stringify(outcomes)}`);
    assert.deepEqual(internal, [], 'no internal_error from peer input');
  });
});

test('count', () => {
  console.log(`TLS 1.2 bad input: ${casesSurvived} cases survived`);
  assert.ok(casesSurvived > 100);
});
