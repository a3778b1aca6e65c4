// A TlsConnection fed bad bytes, directly (sans IO): flights are taken from a real client/server pair run in
// memory, then truncated, flipped, re-lengthened, reordered, duplicated, or joined by injected records before
// they reach the other side. Encrypted flights are opened and re-sealed with keys from the key log, so faults
// can be put inside protected handshake messages too.
// For every case: `receive` never throws; the connection ends 'failed' with the alert RFC 8446 asks for, in
// its `error` and in the alert record it sends (decoded here: level fatal, that description, decrypted with
// the key log when protected); an 'error' trace event names the place; nothing is sent after the alert.
// Both endpoints draw their randomness from a seeded source, so a fresh client replays the same ClientHello
// and a fresh server the same flight: one recorded flight fits every fresh peer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TlsConnection } from '../../engine/conn/connection';
import type { ConnectionConfig } from '../../engine/conn/config';
import { PeerAlertError, ProtocolError } from '../../engine/conn/errors';
import { nobleProvider } from '../../engine/crypto/noble';
import type { AeadKey, AeadName, CryptoProvider } from '../../engine/crypto/provider';
import { trafficKeys } from '../../engine/handshake/tls13/key-schedule';
import { alertCode, alertName, isAlertDescription, type AlertDescription } from '../../engine/registry/alerts';
import { suiteByCode, type CipherSuite } from '../../engine/registry/suites';
import { identityFromPem } from '../../engine/tools/identity';
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
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]!,
  };
}
type Rng = ReturnType<typeof rng>;

// ---- bytes and records ----------------------------------------------------------------------------------------

const enc = new TextEncoder();

const cat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

const u8 = (n: number) => Uint8Array.of(n & 0xff);
const u16 = (n: number) => Uint8Array.of((n >> 8) & 0xff, n & 0xff);
const u24 = (n: number) => Uint8Array.of((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
const vec8 = (b: Uint8Array) => cat(u8(b.length), b);
const vec16 = (b: Uint8Array) => cat(u16(b.length), b);

const CT = { ccs: 20, alert: 21, handshake: 22, appData: 23 } as const;
const HS = { client_hello: 1, server_hello: 2, new_session_ticket: 4, encrypted_extensions: 8, certificate: 11, certificate_verify: 15, finished: 20, key_update: 24 } as const;
const EXT = { server_name: 0, supported_groups: 10, signature_algorithms: 13, padding: 21, supported_versions: 43, psk_key_exchange_modes: 45, key_share: 51 } as const;
const X25519 = 29;

function record(type: number, body: Uint8Array, version = 0x0303): Uint8Array {
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

/** Whole records of a byte stream (a trailing partial record is returned as `rest`). */
function splitRecords(bytes: Uint8Array): { recs: Rec[]; rest: Uint8Array } {
  const recs: Rec[] = [];
  let p = 0;
  while (bytes.length - p >= 5) {
    const len = (bytes[p + 3]! << 8) | bytes[p + 4]!;
    if (bytes.length - p < 5 + len) break;
    const raw = bytes.subarray(p, p + 5 + len);
    recs.push({ type: raw[0]!, version: (raw[1]! << 8) | raw[2]!, body: raw.subarray(5), raw });
    p += 5 + len;
  }
  return { recs, rest: bytes.subarray(p) };
}

function records(bytes: Uint8Array): Rec[] {
  const { recs, rest } = splitRecords(bytes);
  assert.equal(rest.length, 0, 'the stream ends on a record boundary');
  return recs;
}

function drain(conn: TlsConnection): Uint8Array {
  return cat(...conn.takeOutgoing());
}

// ---- record protection, from the key log (our own AEAD framing, not the engine's protector) -------------------

const TLS13_SUITES = [0x1301, 0x1302, 0x1303].map((c) => suiteByCode(c)!);

class RecordKeys {
  private readonly key: AeadKey;
  private readonly iv: Uint8Array;
  private readonly tagLen: number;
  seq = 0;

  constructor(p: CryptoProvider, readonly suite: CipherSuite, secret: Uint8Array) {
    const aead = p.aead(suite.cipher.name as AeadName);
    const k = trafficKeys(p, suite.prfHash, secret, suite.cipher.keyLen, 12);
    this.key = aead.init(k.key);
    this.iv = k.iv;
    this.tagLen = aead.tagLen;
  }

  private nonce(seq: number): Uint8Array {
    const n = this.iv.slice();
    let s = seq;
    for (let i = 11; i >= 4; i--) {
      n[i]! ^= s & 0xff;
      s = Math.floor(s / 256);
    }
    return n;
  }

  /** RFC 8446 section 5.2: TLSInnerPlaintext = content || type || zeros, in an application_data record. */
  seal(type: number, content: Uint8Array, padding = 0): Uint8Array {
    const inner = cat(content, u8(type), new Uint8Array(padding));
    const header = cat(u8(CT.appData), u16(0x0303), u16(inner.length + this.tagLen));
    return cat(header, this.key.seal(this.nonce(this.seq++), header, inner));
  }

  openAt(raw: Uint8Array, seq: number): { type: number; content: Uint8Array } | undefined {
    const plain = this.key.open(this.nonce(seq), raw.subarray(0, 5), raw.subarray(5));
    if (!plain) return undefined;
    let i = plain.length - 1;
    while (i >= 0 && plain[i] === 0) i--;
    if (i < 0) return undefined;
    return { type: plain[i]!, content: plain.subarray(0, i) };
  }
}

// ---- endpoints ------------------------------------------------------------------------------------------------

const pki = (n: string) => fs.readFileSync(path.resolve('test/fixtures/pki', n), 'utf8');
const SERVER_ID = identityFromPem(pki('ec-p256.crt'), pki('ec-p256.key'), 'ec-p256');
const CLIENT_SEED = 0xc1_1e47;
const SERVER_SEED = 0x5e_4e42;

interface Endpoint {
  conn: TlsConnection;
  events: TraceEvent[];
  /** Key log of this endpoint, by NSS label. */
  secrets: Map<string, Uint8Array>;
  p: CryptoProvider;
}

function endpoint(side: 'client' | 'server', over: Partial<ConnectionConfig> = {}, seed = side === 'client' ? CLIENT_SEED : SERVER_SEED): Endpoint {
  const p = nobleProvider({ random: rng(seed).bytes });
  const secrets = new Map<string, Uint8Array>();
  const events: TraceEvent[] = [];
  const base: ConnectionConfig =
    side === 'client'
      ? { side, provider: p, serverName: 'localhost' }
      : { side, provider: p, certificateChain: SERVER_ID.chain, signer: SERVER_ID.signer };
  const conn = new TlsConnection({ ...base, now: () => 0, onSecret: (label, _cr, s) => secrets.set(label, s.slice()), ...over });
  conn.onEvent = (e) => events.push(e);
  return { conn, events, secrets, p };
}

/** A client that has sent its ClientHello (the same bytes every time) and waits for the ServerHello. */
function freshClient(over: Partial<ConnectionConfig> = {}): Endpoint {
  const c = endpoint('client', over);
  c.conn.start();
  drain(c.conn);
  return c;
}

function freshServer(over: Partial<ConnectionConfig> = {}): Endpoint {
  return endpoint('server', over);
}

interface Flights {
  client: Endpoint;
  server: Endpoint;
  /** The client's first flight: one ClientHello record. */
  ch: Uint8Array;
  /** The server's flight: ServerHello, change_cipher_spec, then protected EE, Certificate, CertificateVerify, Finished. */
  sf: Uint8Array;
  /** The client's second flight: change_cipher_spec, protected Finished. */
  cf: Uint8Array;
  suite: CipherSuite;
}

function realHandshake(clientOver: Partial<ConnectionConfig> = {}, serverOver: Partial<ConnectionConfig> = {}): Flights {
  const client = endpoint('client', clientOver);
  const server = endpoint('server', serverOver);
  client.conn.start();
  const ch = drain(client.conn);
  server.conn.receive(ch);
  const sf = drain(server.conn);
  client.conn.receive(sf);
  const cf = drain(client.conn);
  server.conn.receive(cf);
  drain(server.conn);
  assert.equal(client.conn.status, 'open', `client: ${client.conn.error?.message}`);
  assert.equal(server.conn.status, 'open', `server: ${server.conn.error?.message}`);
  return { client, server, ch, sf, cf, suite: suiteByCode(client.conn.negotiated!.cipherSuite)! };
}

const BASE = realHandshake();
const CH_MSG = records(BASE.ch)[0]!.body;

// ---- the server's flight as items that can be edited and re-sealed -------------------------------------------

interface Item {
  /** Protected (sealed under the server handshake keys) or a plaintext record. */
  sealed: boolean;
  /** Record type (plaintext) or inner content type (sealed). */
  type: number;
  content: Uint8Array;
  padding?: number;
}

function openFlight(bytes: Uint8Array, secret: Uint8Array, suite: CipherSuite, p: CryptoProvider): Item[] {
  const keys = new RecordKeys(p, suite, secret);
  let seq = 0;
  return records(bytes).map((r) => {
    if (r.type !== CT.appData) return { sealed: false, type: r.type, content: r.body.slice() };
    const opened = keys.openAt(r.raw, seq++);
    assert.ok(opened, 'the recorded flight opens under its key log secret');
    return { sealed: true, type: opened.type, content: opened.content.slice() };
  });
}

function sealFlight(items: Item[], secret: Uint8Array, suite: CipherSuite, p: CryptoProvider): Uint8Array {
  const keys = new RecordKeys(p, suite, secret);
  return cat(...items.map((it) => (it.sealed ? keys.seal(it.type, it.content, it.padding ?? 0) : record(it.type, it.content))));
}

const SHTS = BASE.server.secrets.get('SERVER_HANDSHAKE_TRAFFIC_SECRET')!;
const CHTS = BASE.server.secrets.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET')!;
const P = nobleProvider();
const serverItems = (): Item[] => openFlight(BASE.sf, SHTS, BASE.suite, P).map((it) => ({ ...it, content: it.content.slice() }));
const sealServer = (items: Item[]): Uint8Array => sealFlight(items, SHTS, BASE.suite, P);

function indexOfMessage(items: Item[], msgType: number): number {
  const i = items.findIndex((it) => it.type === CT.handshake && it.content[0] === msgType);
  assert.ok(i >= 0, `the flight holds handshake message ${msgType}`);
  return i;
}

// ---- hello parsing and building (raw, so any field can be made wrong) -----------------------------------------

interface Ext {
  type: number;
  body: Uint8Array;
}

interface ClientHelloParts {
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  suites: number[];
  compression: Uint8Array;
  exts: Ext[];
}

function readExts(b: Uint8Array, p: number): Ext[] {
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

/** `extensionsRaw` replaces the whole extensions block (length included) with arbitrary bytes. */
function buildClientHello(h: ClientHelloParts, extensionsRaw?: Uint8Array): Uint8Array {
  return handshakeMessage(HS.client_hello, cat(
    u16(h.legacyVersion), h.random, vec8(h.sessionId), vec16(cat(...h.suites.map(u16))), vec8(h.compression),
    extensionsRaw ?? extsBlock(h.exts),
  ));
}

const chParts = (): ClientHelloParts => parseClientHello(CH_MSG);
const chRecord = (msg: Uint8Array) => record(CT.handshake, msg, 0x0301);

function setExt(exts: Ext[], type: number, body: Uint8Array): Ext[] {
  return exts.some((e) => e.type === type) ? exts.map((e) => (e.type === type ? { type, body } : e)) : [...exts, { type, body }];
}

const withoutExt = (exts: Ext[], type: number): Ext[] => exts.filter((e) => e.type !== type);
const clientKeyShare = (entries: { group: number; key: Uint8Array }[]) => vec16(cat(...entries.map((e) => cat(u16(e.group), vec16(e.key)))));

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

/** The server's flight with its ServerHello rebuilt by `edit`; the rest unchanged. */
function serverFlightWithHello(edit: (sh: ServerHelloParts) => void): Uint8Array {
  const items = serverItems();
  const sh = parseServerHello(items[0]!.content);
  edit(sh);
  items[0]!.content = buildServerHello(sh);
  return sealServer(items);
}

// ---- what the endpoint sent, decoded independently ------------------------------------------------------------

const WRITE_LABELS = {
  client: ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0'],
  server: ['SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0'],
} as const;

interface SentAlert {
  level: number;
  description: number;
  protected: boolean;
}

/** The record as an alert: plaintext, or opened with the endpoint's own write secrets (trying sequence numbers). */
function decodeSentAlert(ep: Endpoint, rec: Rec): SentAlert | undefined {
  if (rec.type === CT.alert) return rec.body.length === 2 ? { level: rec.body[0]!, description: rec.body[1]!, protected: false } : undefined;
  if (rec.type !== CT.appData) return undefined;
  for (const label of WRITE_LABELS[ep.conn.side]) {
    const secret = ep.secrets.get(label);
    if (!secret) continue;
    for (const suite of TLS13_SUITES) {
      if (ep.p.hash(suite.prfHash).outputLen !== secret.length) continue;
      const keys = new RecordKeys(ep.p, suite, secret);
      for (let seq = 0; seq < 40; seq++) {
        const opened = keys.openAt(rec.raw, seq);
        if (opened) return opened.type === CT.alert && opened.content.length === 2 ? { level: opened.content[0]!, description: opened.content[1]!, protected: true } : undefined;
      }
    }
  }
  return undefined;
}

function traceSummary(events: TraceEvent[]): string {
  const lines = events
    .map((e) => {
      switch (e.kind) {
        case 'record': return `  record ${e.dir} ${e.contentTypeName}${e.inner ? `(${e.inner.contentTypeName})` : ''} len=${e.length} epoch=${e.epoch}`;
        case 'handshake': return `  handshake ${e.dir} ${e.name}`;
        case 'alert': return `  alert ${e.dir} ${e.level} ${e.name}`;
        case 'state': return `  state ${e.from} -> ${e.to}`;
        case 'keys': return `  keys ${e.dir} ${e.epoch}`;
        case 'error': return `  error ${e.alert}: ${e.message} @ ${JSON.stringify(e.place)}`;
        case 'negotiated': return `  negotiated ${e.suite}`;
        default: return `  ${e.kind}`;
      }
    });
  return (lines.length > 40 ? [...lines.slice(0, 20), `  ... ${lines.length - 30} more ...`, ...lines.slice(-10)] : lines).join('\n');
}

/** Places are spelled 'ClientHello' by the state machines and 'client_hello' by the decoders: compare loosely. */
const samePlace = (a: string | undefined, b: string) => a?.toLowerCase().replace(/_/g, '') === b.toLowerCase().replace(/_/g, '');

const LATE_INPUT = cat(record(CT.handshake, CH_MSG), record(CT.alert, Uint8Array.of(2, 40)), record(CT.appData, new Uint8Array(32)));

/** Nothing more comes out of a failed connection: not for more input, nor for write or close. */
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

interface Fatal {
  error: ProtocolError;
  sent: SentAlert;
  out: Uint8Array;
  events: TraceEvent[];
}

/**
 * Feeds `input` (one receive call per chunk) and checks the fatal ending: the error's alert, the alert record
 * sent (last, fatal, that description), an 'error' trace event with a place, silence afterwards.
 */
function expectFatal(ep: Endpoint, input: Uint8Array | Uint8Array[], alert: AlertDescription, check: { place?: string; message?: RegExp } = {}): Fatal {
  drain(ep.conn);
  const mark = ep.events.length;
  for (const chunk of Array.isArray(input) ? input : [input]) {
    assert.doesNotThrow(() => ep.conn.receive(chunk), 'receive never throws');
  }
  const events = ep.events.slice(mark);
  const why = `\ntrace:\n${traceSummary(events)}`;
  assert.equal(ep.conn.status, 'failed', `the connection failed (status ${ep.conn.status})${why}`);
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
  const errs = events.filter((e): e is Extract<TraceEvent, { kind: 'error' }> => e.kind === 'error');
  assert.equal(errs.length, 1, `one error trace event${why}`);
  assert.equal(errs[0]!.alert, alert);
  assert.ok(errs[0]!.place?.message, `the error event names the place: ${JSON.stringify(errs[0]!.place)}`);
  if (check.place) assert.ok(samePlace(errs[0]!.place?.message, check.place), `place of the error: ${errs[0]!.place?.message}, expected ${check.place} (${error.message})`);
  if (check.message) assert.match(error.message, check.message);
  assertSilentAfterFailure(ep);
  return { error, sent, out, events };
}

/** The peer's fatal alert: PeerAlertError naming it, status failed, nothing sent back. */
function expectPeerAlert(ep: Endpoint, input: Uint8Array, name: string, code: number): void {
  drain(ep.conn);
  const mark = ep.events.length;
  assert.doesNotThrow(() => ep.conn.receive(input));
  assert.equal(ep.conn.status, 'failed');
  const error = ep.conn.error;
  assert.ok(error instanceof PeerAlertError, `a PeerAlertError, got ${error?.name}: ${error?.message}`);
  assert.equal(error.alert, name);
  assert.equal(error.code, code);
  assert.match(error.message, new RegExp(name.replace(/[()]/g, '\\$&')));
  assert.equal(drain(ep.conn).length, 0, 'we send nothing back to a fatal alert');
  const events = ep.events.slice(mark);
  assert.ok(events.some((e) => e.kind === 'alert' && e.dir === 'in' && e.code === code), 'the alert is traced as received');
  assert.ok(!events.some((e) => e.kind === 'alert' && e.dir === 'out'), 'no alert traced as sent');
  assertSilentAfterFailure(ep);
}

// ================================================================================================================

describe('premises of these tests', () => {
  test('a fresh client replays the recorded ClientHello and a fresh server the recorded flight (seeded randomness)', () => {
    const c = endpoint('client');
    c.conn.start();
    assert.deepEqual(drain(c.conn), BASE.ch);
    const s = freshServer();
    s.conn.receive(BASE.ch);
    assert.deepEqual(drain(s.conn), BASE.sf);
  });

  test('the recorded flight opens with the key log and re-seals byte for byte; a fresh client completes on it', () => {
    const items = serverItems();
    assert.deepEqual(items.map((it) => `${it.sealed ? 'sealed' : 'plain'}:${it.type}:${it.type === CT.handshake ? it.content[0] : it.content.length}`),
      ['plain:22:2', 'plain:20:1', 'sealed:22:8', 'sealed:22:11', 'sealed:22:15', 'sealed:22:20']);
    assert.deepEqual(sealServer(items), BASE.sf);
    const c = freshClient();
    c.conn.receive(sealServer(items));
    assert.equal(c.conn.status, 'open');
    assert.deepEqual(drain(c.conn), BASE.cf);
  });
});

describe('a server receiving bad bytes', () => {
  test('a record type that is not TLS (an HTTP request) ends in unexpected_message saying it looks like plain text (RFC 8446 section 5)', () => {
    const s = freshServer();
    const f = expectFatal(s, enc.encode('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'), 'unexpected_message', { place: 'record header', message: /plain text/ });
    assert.equal(f.sent.protected, false, 'a plaintext alert: no keys yet');
    assert.deepEqual(f.out, Uint8Array.of(21, 3, 3, 0, 2, 2, 10), 'exactly one plaintext fatal unexpected_message alert record');
  });

  test('an SSLv2-style hello (first byte 0x80) ends in unexpected_message (RFC 8446 section 5, appendix D.5)', () => {
    expectFatal(freshServer(), Uint8Array.of(0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10), 'unexpected_message', { place: 'record header' });
  });

  test('a record longer than 2^14+256 ends in record_overflow as soon as its header arrives (RFC 8446 section 5.2)', () => {
    const len = (1 << 14) + 257;
    const f = expectFatal(freshServer(), cat(u8(CT.handshake), u16(0x0301), u16(len)), 'record_overflow', { place: 'record header' });
    assert.equal(f.sent.protected, false);
  });

  test('a plaintext record longer than 2^14 (a padded ClientHello in one record) ends in record_overflow (RFC 8446 section 5.1)', () => {
    // TLSPlaintext.length "MUST NOT exceed 2^14 bytes. An endpoint that receives a record that exceeds this
    // length MUST terminate the connection with a record_overflow alert." (2^14+256 is the TLSCiphertext limit.)
    const h = chParts();
    const msg0 = buildClientHello(h);
    h.exts = [...h.exts, { type: EXT.padding, body: new Uint8Array((1 << 14) + 1 - msg0.length - 4) }];
    const msg = buildClientHello(h);
    assert.equal(msg.length, (1 << 14) + 1);
    expectFatal(freshServer(), chRecord(msg), 'record_overflow');
  });

  test('a ClientHello whose extensions block is truncated ends in decode_error (RFC 8446 sections 4.1.2 and 6.2)', () => {
    const h = chParts();
    const block = extsBlock(h.exts);
    // The block's length says what it always said; its last 7 bytes are gone (the handshake length matches what is left).
    const s = freshServer();
    const f = expectFatal(s, chRecord(buildClientHello(h, block.subarray(0, block.length - 7))), 'decode_error', { place: 'ClientHello' });
    assert.equal(f.sent.protected, false);
  });

  test('a ClientHello whose last extension claims more bytes than remain ends in decode_error (RFC 8446 section 4.2)', () => {
    const h = chParts();
    const last = h.exts.at(-1)!;
    const block = extsBlock(h.exts);
    const bad = block.slice();
    const lenAt = bad.length - last.body.length - 2;
    bad[lenAt + 1]! += 3;
    expectFatal(freshServer(), chRecord(buildClientHello(h, bad)), 'decode_error', { place: 'ClientHello' });
  });

  test('a ClientHello whose handshake length runs past its record is held, and an alert record before the rest ends in unexpected_message (RFC 8446 section 5.1: no interleaving)', () => {
    const msg = CH_MSG.slice();
    msg[3]! += 1; // announces one byte more than the message has
    const s = freshServer();
    s.conn.receive(chRecord(msg));
    assert.equal(s.conn.status, 'handshaking', 'waits for the rest of the message');
    assert.equal(drain(s.conn).length, 0);
    // "Handshake messages MUST NOT be interleaved with other record types."
    expectFatal(s, record(CT.alert, Uint8Array.of(1, 90)), 'unexpected_message');
  });

  test('a duplicate extension in the ClientHello ends in illegal_parameter (RFC 8446 section 4.2)', () => {
    const h = chParts();
    const sg = h.exts.find((e) => e.type === EXT.supported_groups)!;
    h.exts = [...h.exts.slice(0, 1), sg, ...h.exts.slice(1)];
    const f = expectFatal(freshServer(), chRecord(buildClientHello(h)), 'illegal_parameter', { place: 'ClientHello' });
    assert.match(f.error.message, /twice/);
  });

  test('supported_versions without 0x0304 at a TLS 1.3-only server ends in protocol_version (RFC 8446 sections 4.2.1 and 6.2)', () => {
    const h = chParts();
    h.exts = setExt(h.exts, EXT.supported_versions, vec8(cat(u16(0x0303), u16(0x0302))));
    expectFatal(freshServer({ minVersion: 0x0304 }), chRecord(buildClientHello(h)), 'protocol_version', { place: 'ClientHello' });
  });

  test('supported_versions offering only TLS 1.1 and 1.0 ends in protocol_version at a server whose minimum is TLS 1.2', () => {
    const h = chParts();
    h.exts = setExt(h.exts, EXT.supported_versions, vec8(cat(u16(0x0302), u16(0x0301))));
    expectFatal(freshServer(), chRecord(buildClientHello(h)), 'protocol_version', { place: 'ClientHello' });
  });

  test('a ClientHello without supported_versions (a TLS 1.2 client) ends in protocol_version at a TLS 1.3-only server (RFC 8446 sections 4.2.1 and D.2)', () => {
    const h = chParts();
    h.exts = withoutExt(h.exts, EXT.supported_versions);
    expectFatal(freshServer({ minVersion: 0x0304 }), chRecord(buildClientHello(h)), 'protocol_version', { place: 'ClientHello' });
  });

  test('ClientHello.legacy_version 0x0300 ends in protocol_version (RFC 8446 appendix D.5)', () => {
    // "Any endpoint receiving a Hello message with ClientHello.legacy_version or ServerHello.legacy_version set
    // to 0x0300 MUST abort the handshake with a "protocol_version" alert."
    const h = chParts();
    h.legacyVersion = 0x0300;
    expectFatal(freshServer(), chRecord(buildClientHello(h)), 'protocol_version', { place: 'ClientHello' });
  });

  test('no cipher suite in common ends in handshake_failure (RFC 8446 sections 4.1.1 and 6.2)', () => {
    const h = chParts();
    h.suites = [0x1304, 0x1305, 0xc02f];
    expectFatal(freshServer(), chRecord(buildClientHello(h)), 'handshake_failure', { place: 'ClientHello' });
  });

  test('an empty key_share and no group in common ends in handshake_failure (RFC 8446 sections 4.1.1 and 4.2.7)', () => {
    const h = chParts();
    h.exts = setExt(setExt(h.exts, EXT.supported_groups, vec16(cat(u16(0x001a), u16(0x0fff)))), EXT.key_share, clientKeyShare([]));
    expectFatal(freshServer(), chRecord(buildClientHello(h)), 'handshake_failure', { place: 'ClientHello' });
  });

  test('no key_share extension at all (supported_groups present) ends in missing_extension (RFC 8446 section 9.2)', () => {
    const h = chParts();
    h.exts = withoutExt(setExt(h.exts, EXT.supported_groups, vec16(cat(u16(0x001a), u16(0x0fff)))), EXT.key_share);
    expectFatal(freshServer(), chRecord(buildClientHello(h)), 'missing_extension', { place: 'ClientHello' });
  });

  test('an all-zero x25519 key share ends in illegal_parameter (RFC 8446 sections 4.2.8 and 7.4.2)', () => {
    const h = chParts();
    h.exts = setExt(h.exts, EXT.key_share, clientKeyShare([{ group: X25519, key: new Uint8Array(32) }]));
    const f = expectFatal(freshServer(), chRecord(buildClientHello(h)), 'illegal_parameter', { place: 'ClientHello' });
    assert.equal(f.sent.protected, false);
  });

  test('an x25519 key share of 31 bytes ends in illegal_parameter (RFC 8446 section 4.2.8.2)', () => {
    const h = chParts();
    h.exts = setExt(h.exts, EXT.key_share, clientKeyShare([{ group: X25519, key: new Uint8Array(31).fill(9) }]));
    expectFatal(freshServer(), chRecord(buildClientHello(h)), 'illegal_parameter', { place: 'ClientHello' });
  });

  test('two key shares for one group end in illegal_parameter (RFC 8446 section 4.2.8)', () => {
    const h = chParts();
    const key = enc.encode('0123456789abcdef0123456789abcdef');
    h.exts = setExt(h.exts, EXT.key_share, clientKeyShare([{ group: X25519, key }, { group: X25519, key }]));
    expectFatal(freshServer(), chRecord(buildClientHello(h)), 'illegal_parameter', { place: 'ClientHello' });
  });

  test('application data before the ClientHello ends in unexpected_message (RFC 8446 section 5)', () => {
    expectFatal(freshServer(), record(CT.appData, enc.encode('hello')), 'unexpected_message', { place: 'application_data' });
  });

  test('application data under the client handshake keys, before the client Finished, ends in unexpected_message (RFC 8446 sections 2 and 5)', () => {
    const s = freshServer();
    s.conn.receive(BASE.ch);
    drain(s.conn);
    const keys = new RecordKeys(P, BASE.suite, s.secrets.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET')!);
    const f = expectFatal(s, keys.seal(CT.appData, enc.encode('GET / HTTP/1.1\r\n\r\n')), 'unexpected_message', { place: 'application_data' });
    assert.equal(f.sent.protected, true, 'the alert is protected: the server has write keys');
  });

  test('a zero-length handshake record ends in unexpected_message (RFC 8446 section 5.1)', () => {
    expectFatal(freshServer(), record(CT.handshake, new Uint8Array(0), 0x0301), 'unexpected_message');
  });

  test('a change_cipher_spec record before the first ClientHello ends in unexpected_message (RFC 8446 section 5)', () => {
    expectFatal(freshServer(), record(CT.ccs, u8(1)), 'unexpected_message', { place: 'change_cipher_spec' });
  });

  test('a change_cipher_spec record with content 0x02 after the ClientHello ends in unexpected_message (RFC 8446 section 5)', () => {
    const s = freshServer();
    s.conn.receive(BASE.ch);
    drain(s.conn);
    const f = expectFatal(s, record(CT.ccs, u8(2)), 'unexpected_message', { place: 'change_cipher_spec' });
    assert.equal(f.sent.protected, true);
  });

  test('a second ClientHello (plaintext, after the keys changed) ends in unexpected_message (RFC 8446 section 5)', () => {
    const s = freshServer();
    s.conn.receive(BASE.ch);
    drain(s.conn);
    expectFatal(s, BASE.ch, 'unexpected_message');
  });

  test('a ClientHello followed in its record by a whole plaintext client Finished ends in unexpected_message (RFC 8446 section 5.1: key changes on record boundaries)', () => {
    // The Finished below is the one the real client sent, opened with the key log: it verifies, but it came
    // unprotected, in the same record as the ClientHello, across the key change.
    const fin = openFlight(BASE.cf, CHTS, BASE.suite, P).find((it) => it.sealed && it.type === CT.handshake)!.content;
    assert.equal(fin[0], HS.finished);
    expectFatal(freshServer(), record(CT.handshake, cat(CH_MSG, fin), 0x0301), 'unexpected_message');
  });

  test('a flipped byte in the client Finished record ends in bad_record_mac (RFC 8446 section 5.2)', () => {
    const s = freshServer();
    s.conn.receive(BASE.ch);
    drain(s.conn);
    const cf = BASE.cf.slice();
    cf[cf.length - 20]! ^= 0x01;
    expectFatal(s, cf, 'bad_record_mac', { place: 'record' });
  });

  test('a flipped byte in the client Finished verify_data ends in decrypt_error (RFC 8446 section 4.4.4)', () => {
    const s = freshServer();
    s.conn.receive(BASE.ch);
    drain(s.conn);
    const items = openFlight(BASE.cf, CHTS, BASE.suite, P);
    const fin = items.find((it) => it.sealed)!;
    fin.content[fin.content.length - 1]! ^= 0x80;
    expectFatal(s, sealFlight(items, CHTS, BASE.suite, P), 'decrypt_error', { place: 'Finished' });
  });

  test('a fatal alert from the client ends with a PeerAlertError naming it, and we send nothing back (RFC 8446 section 6.2)', () => {
    expectPeerAlert(freshServer(), record(CT.alert, Uint8Array.of(2, 40)), 'handshake_failure', 40);
  });
});

describe('a client receiving bad bytes', () => {
  test('a ServerHello choosing a cipher suite we did not offer ends in illegal_parameter (RFC 8446 section 4.1.3)', () => {
    const f = expectFatal(freshClient(), serverFlightWithHello((sh) => { sh.suite = 0x1304; }), 'illegal_parameter', { place: 'ServerHello' });
    assert.equal(f.sent.protected, false);
  });

  test('a ServerHello with an all-zero x25519 share ends in illegal_parameter (RFC 8446 sections 4.2.8 and 7.4.2)', () => {
    const flight = serverFlightWithHello((sh) => { sh.exts = setExt(sh.exts, EXT.key_share, cat(u16(X25519), vec16(new Uint8Array(32)))); });
    expectFatal(freshClient(), flight, 'illegal_parameter', { place: 'ServerHello' });
  });

  test('a ServerHello with an x25519 share of 33 bytes ends in illegal_parameter (RFC 8446 section 4.2.8.2)', () => {
    const flight = serverFlightWithHello((sh) => { sh.exts = setExt(sh.exts, EXT.key_share, cat(u16(X25519), vec16(new Uint8Array(33).fill(7)))); });
    expectFatal(freshClient(), flight, 'illegal_parameter', { place: 'ServerHello' });
  });

  test('a ServerHello selecting TLS 1.2 in supported_versions ends in illegal_parameter (RFC 8446 section 4.2.1)', () => {
    const flight = serverFlightWithHello((sh) => { sh.exts = setExt(sh.exts, EXT.supported_versions, u16(0x0303)); });
    expectFatal(freshClient(), flight, 'illegal_parameter', { place: 'ServerHello' });
  });

  test('ServerHello.legacy_version 0x0300 ends in protocol_version (RFC 8446 appendix D.5)', () => {
    const flight = serverFlightWithHello((sh) => { sh.legacyVersion = 0x0300; });
    expectFatal(freshClient(), flight, 'protocol_version', { place: 'ServerHello' });
  });

  test('a HelloRetryRequest asking for the group we already sent a share for ends in illegal_parameter (RFC 8446 section 4.1.4)', () => {
    const s = freshServer({ forceHelloRetry: true });
    s.conn.receive(BASE.ch);
    const hrrMsg = records(drain(s.conn))[0]!.body;
    const hrr = parseServerHello(hrrMsg);
    hrr.exts = setExt(hrr.exts, EXT.key_share, u16(X25519));
    expectFatal(freshClient(), record(CT.handshake, buildServerHello(hrr)), 'illegal_parameter', { place: 'HelloRetryRequest' });
  });

  test('a ServerHello that does not echo our legacy_session_id ends in illegal_parameter (RFC 8446 section 4.1.3)', () => {
    const flight = serverFlightWithHello((sh) => { sh.sessionId = sh.sessionId.map((b) => b ^ 0xff); });
    expectFatal(freshClient(), flight, 'illegal_parameter', { place: 'ServerHello' });
  });

  test('a second HelloRetryRequest ends in unexpected_message (RFC 8446 section 4.1.4)', () => {
    const c = freshClient();
    const s = freshServer({ forceHelloRetry: true });
    s.conn.receive(BASE.ch);
    const hrr = records(drain(s.conn))[0]!;
    assert.equal(hrr.type, CT.handshake);
    c.conn.receive(hrr.raw);
    assert.equal(c.conn.status, 'handshaking', c.conn.error?.message);
    assert.ok(records(drain(c.conn)).some((r) => r.type === CT.handshake), 'the client answered with a second ClientHello');
    const f = expectFatal(c, hrr.raw, 'unexpected_message', { place: 'HelloRetryRequest' });
    assert.match(f.error.message, /second HelloRetryRequest/);
  });

  test('EncryptedExtensions before the ServerHello ends in unexpected_message (RFC 8446 sections 4 and 6.2)', () => {
    const ee = serverItems()[indexOfMessage(serverItems(), HS.encrypted_extensions)]!.content;
    expectFatal(freshClient(), record(CT.handshake, ee), 'unexpected_message', { place: 'encrypted_extensions' });
  });

  test('a flipped byte in an encrypted record ends in bad_record_mac (RFC 8446 section 5.2)', () => {
    const recs = records(BASE.sf);
    const sf = BASE.sf.slice();
    const at = recs.slice(0, 3).reduce((n, r) => n + r.raw.length, 0) - 10; // inside the EncryptedExtensions record
    sf[at]! ^= 0x10;
    const f = expectFatal(freshClient(), sf, 'bad_record_mac', { place: 'record' });
    assert.equal(f.sent.protected, false, 'the client has no write keys yet: a plaintext alert');
  });

  test('a changed legacy_record_version in a protected record header (part of the AAD) ends in bad_record_mac (RFC 8446 section 5.2)', () => {
    const recs = records(BASE.sf);
    const sf = BASE.sf.slice();
    const at = recs.slice(0, 2).reduce((n, r) => n + r.raw.length, 0) + 2;
    sf[at] = 0x01;
    expectFatal(freshClient(), sf, 'bad_record_mac', { place: 'record' });
  });

  test('a flipped byte in the server Finished verify_data ends in decrypt_error (RFC 8446 section 4.4.4)', () => {
    const items = serverItems();
    const fin = items[indexOfMessage(items, HS.finished)]!.content;
    fin[4 + 5]! ^= 0x01;
    const c = freshClient();
    expectFatal(c, sealServer(items), 'decrypt_error', { place: 'Finished' });
    assert.ok(!c.events.some((e) => e.kind === 'keys' && e.dir === 'write'), 'no client keys were installed');
  });

  test('a flipped byte at the end of the CertificateVerify signature ends in decrypt_error (RFC 8446 section 4.4.3)', () => {
    const items = serverItems();
    const cv = items[indexOfMessage(items, HS.certificate_verify)]!.content;
    cv[cv.length - 1]! ^= 0x01;
    expectFatal(freshClient(), sealServer(items), 'decrypt_error', { place: 'CertificateVerify' });
  });

  test('a CertificateVerify signature that is not DER any more ends in decrypt_error too (RFC 8446 section 4.4.3)', () => {
    const items = serverItems();
    const cv = items[indexOfMessage(items, HS.certificate_verify)]!.content;
    cv[8] = 0x31; // the SEQUENCE tag of the ECDSA-Sig-Value
    expectFatal(freshClient(), sealServer(items), 'decrypt_error', { place: 'CertificateVerify' });
  });

  test('an empty Certificate from the server ends in decode_error (RFC 8446 section 4.4.2.4)', () => {
    const items = serverItems();
    items[indexOfMessage(items, HS.certificate)]!.content = handshakeMessage(HS.certificate, cat(u8(0), u24(0)));
    expectFatal(freshClient(), sealServer(items), 'decode_error', { place: 'Certificate' });
  });

  test('application data before the ServerHello ends in unexpected_message (RFC 8446 section 5)', () => {
    expectFatal(freshClient(), record(CT.appData, enc.encode('early')), 'unexpected_message', { place: 'application_data' });
  });

  test('application data under the server handshake keys ends in unexpected_message (RFC 8446 sections 2 and 5)', () => {
    const items = serverItems();
    items.splice(2, 0, { sealed: true, type: CT.appData, content: enc.encode('too soon') });
    expectFatal(freshClient(), sealServer(items), 'unexpected_message', { place: 'application_data' });
  });

  test('a zero-length handshake record before the ServerHello ends in unexpected_message (RFC 8446 section 5.1)', () => {
    expectFatal(freshClient(), record(CT.handshake, new Uint8Array(0)), 'unexpected_message');
  });

  test('a zero-length protected handshake record ends in unexpected_message (RFC 8446 section 5.1)', () => {
    const items = serverItems();
    items.splice(2, 0, { sealed: true, type: CT.handshake, content: new Uint8Array(0) });
    expectFatal(freshClient(), sealServer(items), 'unexpected_message');
  });

  test('part of EncryptedExtensions in the plaintext ServerHello record ends in unexpected_message (RFC 8446 section 5.1)', () => {
    const items = serverItems();
    const ee = items[indexOfMessage(items, HS.encrypted_extensions)]!.content;
    items[0]!.content = cat(items[0]!.content, ee.subarray(0, 3));
    const f = expectFatal(freshClient(), sealServer(items), 'unexpected_message', { place: 'handshake' });
    assert.match(f.error.message, /spans a key change/);
  });

  test('a whole EncryptedExtensions in the plaintext ServerHello record ends in unexpected_message (RFC 8446 section 5.1)', () => {
    // "Because the ClientHello, EndOfEarlyData, ServerHello, Finished, and KeyUpdate messages can immediately
    // precede a key change, implementations MUST enforce that these messages are aligned with a record
    // boundary." The rest of the flight is re-sealed from sequence number 0, so a client that takes the
    // plaintext EE completes.
    const items = serverItems();
    const eeAt = indexOfMessage(items, HS.encrypted_extensions);
    items[0]!.content = cat(items[0]!.content, items[eeAt]!.content);
    items.splice(eeAt, 1);
    expectFatal(freshClient(), sealServer(items), 'unexpected_message');
  });

  test('the server Finished and a NewSessionTicket in one record end in unexpected_message (RFC 8446 section 5.1)', () => {
    // Finished precedes a key change: the NewSessionTicket belongs under the application keys, in its own record.
    const items = serverItems();
    const fin = indexOfMessage(items, HS.finished);
    const nst = handshakeMessage(HS.new_session_ticket, cat(u16(0), u16(7200), u16(0), u16(1), vec8(u8(0)), vec16(u8(1)), u16(0)));
    items[fin]!.content = cat(items[fin]!.content, nst);
    expectFatal(freshClient(), sealServer(items), 'unexpected_message');
  });

  test('a KeyUpdate and another message in one record end in unexpected_message (RFC 8446 section 5.1)', () => {
    const f = realHandshake();
    const keys = new RecordKeys(P, f.suite, f.server.secrets.get('SERVER_TRAFFIC_SECRET_0')!);
    const ku = handshakeMessage(HS.key_update, u8(0));
    expectFatal(f.client, keys.seal(CT.handshake, cat(ku, ku)), 'unexpected_message');
  });

  test('a change_cipher_spec record between two fragments of the ServerHello ends in unexpected_message (RFC 8446 section 5.1: no interleaving)', () => {
    // "Handshake messages MUST NOT be interleaved with other record types."
    const sh = serverItems()[0]!.content;
    expectFatal(freshClient(), cat(record(CT.handshake, sh.subarray(0, 40)), record(CT.ccs, u8(1)), record(CT.handshake, sh.subarray(40))), 'unexpected_message');
  });

  test('a change_cipher_spec record with content 0x02 ends in unexpected_message (RFC 8446 section 5)', () => {
    const f = expectFatal(freshClient(), record(CT.ccs, u8(2)), 'unexpected_message', { place: 'change_cipher_spec' });
    assert.match(f.error.message, /change_cipher_spec/);
  });

  test('a change_cipher_spec record of two bytes ends in unexpected_message (RFC 8446 section 5)', () => {
    expectFatal(freshClient(), record(CT.ccs, Uint8Array.of(1, 1)), 'unexpected_message', { place: 'change_cipher_spec' });
  });

  test('a protected change_cipher_spec ends in unexpected_message (RFC 8446 section 5)', () => {
    const items = serverItems();
    items.splice(2, 0, { sealed: true, type: CT.ccs, content: u8(1) });
    expectFatal(freshClient(), sealServer(items), 'unexpected_message');
  });

  test('a change_cipher_spec after the handshake ends in unexpected_message (RFC 8446 section 5)', () => {
    const c = freshClient();
    c.conn.receive(BASE.sf);
    assert.equal(c.conn.status, 'open');
    expectFatal(c, record(CT.ccs, u8(1)), 'unexpected_message', { place: 'change_cipher_spec' });
  });

  test('Certificate before EncryptedExtensions (reordered) ends in unexpected_message (RFC 8446 sections 4 and 6.2)', () => {
    const items = serverItems();
    const ee = indexOfMessage(items, HS.encrypted_extensions);
    [items[ee], items[ee + 1]] = [items[ee + 1]!, items[ee]!];
    expectFatal(freshClient(), sealServer(items), 'unexpected_message', { place: 'certificate' });
  });

  test('a duplicated EncryptedExtensions ends in unexpected_message (RFC 8446 section 4)', () => {
    const items = serverItems();
    const ee = indexOfMessage(items, HS.encrypted_extensions);
    items.splice(ee, 0, { ...items[ee]! });
    expectFatal(freshClient(), sealServer(items), 'unexpected_message', { place: 'encrypted_extensions' });
  });

  test('a missing CertificateVerify (Finished right after Certificate) ends in unexpected_message (RFC 8446 section 4.4.3)', () => {
    const items = serverItems();
    items.splice(indexOfMessage(items, HS.certificate_verify), 1);
    expectFatal(freshClient(), sealServer(items), 'unexpected_message', { place: 'finished' });
  });

  test('a duplicated plaintext ServerHello after the key change ends in unexpected_message (RFC 8446 section 5)', () => {
    const recs = records(BASE.sf);
    expectFatal(freshClient(), cat(recs[0]!.raw, recs[1]!.raw, recs[0]!.raw), 'unexpected_message');
  });

  test('an injected KeyUpdate before the server Finished ends in unexpected_message (RFC 8446 section 4.6.3)', () => {
    const items = serverItems();
    items.splice(indexOfMessage(items, HS.finished), 0, { sealed: true, type: CT.handshake, content: handshakeMessage(HS.key_update, u8(0)) });
    expectFatal(freshClient(), sealServer(items), 'unexpected_message', { place: 'key_update' });
  });

  test('an injected NewSessionTicket during the handshake ends in unexpected_message (RFC 8446 section 4.6.1)', () => {
    const items = serverItems();
    const nst = handshakeMessage(HS.new_session_ticket, cat(u16(0), u16(7200), u16(0), u16(1), vec8(u8(0)), vec16(u8(1)), u16(0)));
    items.splice(indexOfMessage(items, HS.certificate), 0, { sealed: true, type: CT.handshake, content: nst });
    expectFatal(freshClient(), sealServer(items), 'unexpected_message', { place: 'new_session_ticket' });
  });

  test('an unprotected handshake record after the key change ends in unexpected_message (RFC 8446 section 5)', () => {
    const items = serverItems();
    items[indexOfMessage(items, HS.encrypted_extensions)]!.sealed = false;
    expectFatal(freshClient(), sealServer(items), 'unexpected_message');
  });

  test('a protected record of only padding ends in unexpected_message (RFC 8446 section 5.4)', () => {
    const keys = new RecordKeys(P, BASE.suite, SHTS);
    const recs = records(BASE.sf);
    // An inner plaintext of zeros: seal "content=nothing, type=0" by hand.
    const zeros = keys.seal(0, new Uint8Array(0), 8);
    expectFatal(freshClient(), cat(recs[0]!.raw, recs[1]!.raw, zeros), 'unexpected_message');
  });

  test('a protected record whose plaintext exceeds 2^14 ends in record_overflow (RFC 8446 section 5.4)', () => {
    const items = serverItems();
    items.splice(2, 0, { sealed: true, type: CT.handshake, content: new Uint8Array((1 << 14) + 1) });
    expectFatal(freshClient(), sealServer(items), 'record_overflow');
  });

  test('an alert record of three bytes ends in decode_error (RFC 8446 sections 5.1 and 6)', () => {
    expectFatal(freshClient(), record(CT.alert, Uint8Array.of(2, 40, 0)), 'decode_error');
  });

  test('a ClientHello sent to a client ends in unexpected_message (RFC 8446 section 4)', () => {
    expectFatal(freshClient(), BASE.ch, 'unexpected_message', { place: 'client_hello' });
  });
});

describe('alerts and closure from the peer', () => {
  test('a fatal handshake_failure alert ends with a PeerAlertError naming it; we send nothing back (RFC 8446 section 6.2)', () => {
    expectPeerAlert(freshClient(), record(CT.alert, Uint8Array.of(2, 40)), 'handshake_failure', 40);
  });

  test('an error alert sent at warning level is fatal all the same (RFC 8446 section 6.2)', () => {
    expectPeerAlert(freshClient(), record(CT.alert, Uint8Array.of(1, 40)), 'handshake_failure', 40);
  });

  test('an unknown alert is fatal, named unknown(N) (RFC 8446 section 6)', () => {
    expectPeerAlert(freshClient(), record(CT.alert, Uint8Array.of(2, 201)), 'unknown(201)', 201);
  });

  test('a protected fatal alert inside the server flight ends with a PeerAlertError (RFC 8446 section 6)', () => {
    const items = serverItems();
    items.splice(3, 0, { sealed: true, type: CT.alert, content: Uint8Array.of(2, 42) });
    expectPeerAlert(freshClient(), sealServer(items), 'bad_certificate', 42);
  });

  test('close_notify after the handshake moves to peer-closed: reads give nothing, writes still go, close completes (RFC 8446 section 6.1)', () => {
    const f = realHandshake();
    f.server.conn.close();
    const closeRecord = drain(f.server.conn);
    assert.doesNotThrow(() => f.client.conn.receive(closeRecord));
    assert.equal(f.client.conn.status, 'peer-closed');
    assert.equal(f.client.conn.error, undefined);
    assert.equal(f.client.conn.readableBytes, 0);
    assert.equal(f.client.conn.read(100).length, 0, 'zero return: no data will come');
    assert.equal(drain(f.client.conn).length, 0, 'close_notify alone does not make us send anything');
    assert.equal(f.client.conn.write(enc.encode('half-closed')), 11, 'our side may still write');
    const data = drain(f.client.conn);
    f.server.conn.receive(data);
    assert.equal(new TextDecoder().decode(f.server.conn.read(100)), 'half-closed');
    f.client.conn.close();
    assert.equal(f.client.conn.status, 'closed');
    const ours = records(drain(f.client.conn));
    assert.equal(ours.length, 1);
    assert.deepEqual(decodeSentAlert(f.client, ours[0]!), { level: 1, description: 0, protected: true });
    f.server.conn.receive(ours[0]!.raw);
    assert.equal(f.server.conn.status, 'closed');
  });

  test('application data after close_notify is ignored, not an error (RFC 8446 section 6.1)', () => {
    // "Any data received after a closure alert has been received MUST be ignored."
    const f = realHandshake();
    f.server.conn.close();
    const closeRecord = records(drain(f.server.conn))[0]!;
    const keys = new RecordKeys(P, f.suite, f.server.secrets.get('SERVER_TRAFFIC_SECRET_0')!);
    assert.deepEqual(keys.openAt(closeRecord.raw, 0), { type: CT.alert, content: Uint8Array.of(1, 0) });
    keys.seq = 1;
    const late = keys.seal(CT.appData, enc.encode('late data'));
    const c = f.client;
    const mark = c.events.length;
    assert.doesNotThrow(() => c.conn.receive(cat(closeRecord.raw, late)));
    const why = `\ntrace:\n${traceSummary(c.events.slice(mark))}`;
    assert.equal(c.conn.status, 'peer-closed', `still peer-closed (error: ${c.conn.error?.message})${why}`);
    assert.equal(c.conn.readableBytes, 0, 'the late data is dropped');
    assert.equal(drain(c.conn).length, 0, `nothing sent${why}`);
  });

  test('a close_notify during the handshake never lets application data go out unprotected (RFC 8446 sections 5.2 and 6.1)', () => {
    const c = freshClient();
    c.conn.receive(record(CT.alert, Uint8Array.of(1, 0)));
    const secret = enc.encode('password=hunter2');
    c.conn.write(secret);
    const out = drain(c.conn);
    const leaked = records(out).filter((r) => r.type === CT.appData && Buffer.from(r.body).includes(Buffer.from(secret)));
    assert.equal(leaked.length, 0, `application data was sent in plaintext before any keys existed (status ${c.conn.status}, handshake state ${c.conn.handshakeState})`);
  });

  test('user_canceled is not fatal by itself; a close_notify follows (RFC 8446 section 6.1)', () => {
    const c = freshClient();
    c.conn.receive(record(CT.alert, Uint8Array.of(1, 90)));
    assert.equal(c.conn.status, 'handshaking');
    assert.equal(drain(c.conn).length, 0);
  });
});

describe('floods and garbage end in bounded time', () => {
  const LIMIT_MS = 3000;

  test('10,000 one-byte handshake records of a malformed ServerHello end in decode_error quickly (RFC 8446 section 5.1)', () => {
    const body = new Uint8Array(10_000 - 4);
    const msg = handshakeMessage(HS.server_hello, body);
    const stream = cat(...Array.from(msg, (b) => record(CT.handshake, u8(b))));
    const t0 = performance.now();
    // Past maxRecordsPerHandshake (4096 by default) the limit ends it first; raised here, the decoder does.
    expectFatal(freshClient({ limits: { maxRecordsPerHandshake: 20_000 } }), stream, 'decode_error', { place: 'ServerHello' });
    assert.ok(performance.now() - t0 < LIMIT_MS, `took ${performance.now() - t0} ms`);
    expectFatal(freshClient(), stream, 'unexpected_message', { message: /maxRecordsPerHandshake/ });
  });

  test('the same 10,000 records fed one receive call each end the same way', () => {
    const msg = handshakeMessage(HS.server_hello, new Uint8Array(10_000 - 4));
    const t0 = performance.now();
    expectFatal(freshClient({ limits: { maxRecordsPerHandshake: 20_000 } }), Array.from(msg, (b) => record(CT.handshake, u8(b))), 'decode_error');
    assert.ok(performance.now() - t0 < LIMIT_MS);
  });

  test('10,000 change_cipher_spec records in a row end in unexpected_message, not an endless wait (RFC 8446 section 5; hardening: records that are dropped unprocessed must be bounded)', () => {
    const stream = cat(...Array.from({ length: 10_000 }, () => record(CT.ccs, u8(1))));
    const t0 = performance.now();
    expectFatal(freshClient(), stream, 'unexpected_message');
    assert.ok(performance.now() - t0 < LIMIT_MS);
  });

  test('1 MB of random bytes ends in an alert quickly, fed whole or in 1 KB pieces (RFC 8446 section 5)', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const junk = rng(seed).bytes(1 << 20);
      for (const pieces of [[junk], Array.from({ length: 1024 }, (_, i) => junk.subarray(i * 1024, (i + 1) * 1024))]) {
        for (const ep of [freshClient(), freshServer()]) {
          const t0 = performance.now();
          for (const p of pieces) assert.doesNotThrow(() => ep.conn.receive(p));
          const ms = performance.now() - t0;
          assert.ok(ms < LIMIT_MS, `took ${ms} ms`);
          assert.equal(ep.conn.status, 'failed', `seed ${seed}: ${ep.conn.side} status ${ep.conn.status}`);
          assert.ok(ep.conn.error instanceof ProtocolError && isAlertDescription(ep.conn.error.alert) && ep.conn.error.alert !== 'internal_error', `${ep.conn.error?.message}`);
          const recs = records(drain(ep.conn));
          assert.equal(alertName(decodeSentAlert(ep, recs.at(-1)!)!.description), ep.conn.error.alert);
        }
      }
    }
  });

  test('a handshake header announcing 16 MB is refused at the header, before buffering (RFC 8446 section 4)', () => {
    const t0 = performance.now();
    const f = expectFatal(freshServer(), record(CT.handshake, cat(u8(HS.client_hello), u24(0xffffff)), 0x0301), 'illegal_parameter');
    assert.match(f.error.message, /over the limit maxHandshakeMessageBytes/);
    assert.ok(performance.now() - t0 < LIMIT_MS);
  });
});

// ---- fuzz -------------------------------------------------------------------------------------------------------

interface Outcome {
  kind: string;
  ms: number;
  detail?: string;
}

/** Feeds the chunks to the endpoint and classifies the ending, checking the invariants on the way. */
function runCase(ep: Endpoint, chunks: Uint8Array[], label: string): Outcome {
  const mark = ep.events.length;
  const t0 = performance.now();
  for (const chunk of chunks) {
    try {
      ep.conn.receive(chunk);
    } catch (e) {
      assert.fail(`${label}: receive threw ${(e as Error)?.stack ?? e}`);
    }
  }
  const ms = performance.now() - t0;
  const status = ep.conn.status;
  const err = ep.conn.error;
  const out = splitRecords(drain(ep.conn));
  assert.equal(out.rest.length, 0, `${label}: whole records out`);
  if (status !== 'failed') {
    assert.equal(err, undefined, `${label}: no error unless failed`);
    return { kind: status === 'open' ? 'ok (open)' : status === 'handshaking' ? `ok, waiting in ${ep.conn.handshakeState}` : status, ms };
  }
  if (err instanceof PeerAlertError) {
    assert.ok(!out.recs.some((r) => decodeSentAlert(ep, r)), `${label}: no alert sent in answer to a peer alert`);
    assertSilentAfterFailure(ep);
    return { kind: `peer alert ${err.alert}`, ms };
  }
  assert.ok(err instanceof ProtocolError, `${label}: failed with ${err}`);
  assert.ok(isAlertDescription(err.alert), `${label}: ${err.alert} is an alert in the registry`);
  const last = out.recs.at(-1);
  assert.ok(last, `${label}: an alert was sent for ${err.alert} (${err.message})`);
  const sent = decodeSentAlert(ep, last);
  assert.ok(sent, `${label}: the last record is an alert (${err.message})`);
  assert.equal(sent.level, 2, `${label}: fatal`);
  assert.equal(sent.description, alertCode(err.alert), `${label}: the alert sent is the error's`);
  const errEvents = ep.events.slice(mark).filter((e) => e.kind === 'error');
  assert.equal(errEvents.length, 1, `${label}: one error event`);
  assertSilentAfterFailure(ep);
  return { kind: err.alert, ms, detail: err.message };
}

function chunked(r: Rng, bytes: Uint8Array): Uint8Array[] {
  const n = r.int(4);
  const cuts = Array.from({ length: n }, () => r.int(bytes.length + 1)).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  return out;
}

/** Mutations of a byte stream that know where records are. */
function mutateWire(r: Rng, input: Uint8Array): { bytes: Uint8Array; op: string } {
  let b: Uint8Array = input.slice();
  const ops: string[] = [];
  for (let k = 1 + r.int(3); k > 0; k--) {
    const recs = splitRecords(b).recs;
    const op = r.int(11);
    const at = r.int(b.length);
    switch (op) {
      case 0: b[at]! ^= 1 << r.int(8); ops.push('flip-bit'); break;
      case 1: b[at] = r.int(256); ops.push('set-byte'); break;
      case 2: b = b.slice(0, at); ops.push('truncate'); break;
      case 3: b = cat(b.subarray(0, at), r.bytes(1 + r.int(16)), b.subarray(at)); ops.push('insert'); break;
      case 4: b = cat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r.int(32)))); ops.push('delete'); break;
      case 5: case 6: {
        if (!recs.length) break;
        const i = r.int(recs.length);
        const off = recs.slice(0, i).reduce((n, x) => n + x.raw.length, 0);
        const len = recs[i]!.body.length;
        const nl = r.pick([len + 1, len - 1, 0, 0xffff, r.int(0x10000), len + 256]) & 0xffff;
        b[off + 3] = nl >> 8;
        b[off + 4] = nl & 0xff;
        ops.push('record-length');
        break;
      }
      case 7: {
        if (!recs.length) break;
        const i = r.int(recs.length);
        const rs = recs.map((x) => x.raw);
        const which = r.int(3);
        if (which === 0) rs.splice(i, 0, rs[i]!);
        else if (which === 1) rs.splice(i, 1);
        else { const j = r.int(rs.length); [rs[i], rs[j]] = [rs[j]!, rs[i]!]; }
        b = cat(...rs);
        ops.push(['dup-record', 'drop-record', 'swap-records'][which]!);
        break;
      }
      case 8: {
        const rs = recs.map((x) => x.raw);
        const type = r.pick([20, 21, 22, 23, 24, 25, r.int(256)]);
        const body = r.pick([u8(1), Uint8Array.of(2, r.int(256)), Uint8Array.of(1, 0), r.bytes(r.int(40)), new Uint8Array(0)]);
        rs.splice(r.int(rs.length + 1), 0, record(type, body, r.pick([0x0303, 0x0301, r.int(0x10000)])));
        b = cat(...rs);
        ops.push(`inject-record-${type}`);
        break;
      }
      case 9: {
        if (!recs.length) break;
        const i = r.int(recs.length);
        const off = recs.slice(0, i).reduce((n, x) => n + x.raw.length, 0);
        b[off] = r.pick([20, 21, 22, 23, 24, r.int(256)]);
        ops.push('record-type');
        break;
      }
      default: b = r.bytes(r.int(64)); ops.push('replace-all'); break;
    }
  }
  return { bytes: b, op: ops.join('+') };
}

/** Mutations inside the (opened) server flight, re-sealed so that they reach the message decoders. */
function mutateItems(r: Rng): { bytes: Uint8Array; op: string } {
  let items = serverItems();
  const ops: string[] = [];
  for (let k = 1 + r.int(2); k > 0; k--) {
    const i = r.int(items.length);
    const it = items[i]!;
    const c = it.content;
    const op = r.int(14);
    const where = `@${i}:${it.sealed ? 'sealed' : 'plain'}-${it.type}${it.type === CT.handshake ? `/${c[0]}` : ''}`;
    const before = ops.length;
    switch (op) {
      case 0: if (c.length) c[r.int(c.length)]! ^= 1 << r.int(8); ops.push('msg-flip-bit'); break;
      case 1: if (c.length > 1) { const p = r.int(c.length - 1); c[p] = r.int(256); c[p + 1] = r.int(256); } ops.push('msg-set-u16'); break;
      case 2: it.content = c.slice(0, r.int(c.length + 1)); ops.push('msg-truncate'); break;
      case 3: it.content = cat(c, r.bytes(1 + r.int(8))); ops.push('msg-append'); break;
      case 4: if (c.length >= 4) { c[1 + r.int(3)] = r.int(256); } ops.push('msg-hs-length'); break;
      case 5: if (c.length) c[0] = r.pick([1, 2, 4, 5, 8, 11, 13, 15, 20, 24, 254, r.int(256)]); ops.push('msg-hs-type'); break;
      case 6: it.type = r.pick([0, 20, 21, 22, 23, 24, r.int(256)]); ops.push(`inner-type=${it.type}`); break;
      case 7: items.splice(i, 0, { ...it, content: c.slice() }); ops.push('dup-item'); break;
      case 8: items.splice(i, 1); ops.push('drop-item'); break;
      case 9: { const j = r.int(items.length); [items[i], items[j]] = [items[j]!, items[i]!]; ops.push('swap-items'); break; }
      case 10: {
        // Legitimate: a protected handshake message split over two records.
        if (it.sealed && it.type === CT.handshake && c.length > 1) {
          const cut = 1 + r.int(c.length - 1);
          items.splice(i, 1, { ...it, content: c.slice(0, cut) }, { ...it, content: c.slice(cut) });
        }
        ops.push('split-message');
        break;
      }
      case 11: {
        // Legitimate: two protected handshake messages in one record.
        const nx = items[i + 1];
        if (it.sealed && nx?.sealed && it.type === CT.handshake && nx.type === CT.handshake) items.splice(i, 2, { ...it, content: cat(c, nx.content) });
        ops.push('merge-messages');
        break;
      }
      case 12: if (it.sealed) it.padding = r.int(64); ops.push('padding'); break;
      default: {
        const type = r.pick([21, 22, 23, 20]);
        const content = type === 21 ? Uint8Array.of(r.pick([1, 2]), r.pick([0, 10, 40, 90, r.int(256)])) : r.bytes(r.int(24));
        items.splice(r.int(items.length + 1), 0, { sealed: r.int(3) !== 0, type, content });
        ops.push(`inject-item-${type}`);
        break;
      }
    }
    if (ops.length > before) ops[ops.length - 1] += where;
    items = items.filter(Boolean);
  }
  return { bytes: sealServer(items), op: ops.join('+') };
}

/** Structure-aware mutations of the ClientHello, rebuilt with consistent lengths (then maybe fragmented). */
function mutateClientHello(r: Rng): { bytes: Uint8Array; op: string } {
  const h = chParts();
  const ops: string[] = [];
  for (let k = 1 + r.int(3); k > 0; k--) {
    const i = r.int(h.exts.length);
    const e = h.exts[i];
    switch (r.int(15)) {
      case 0: h.exts.splice(i, 1); ops.push(`drop-ext(${e?.type})`); break;
      case 1: if (e) h.exts.splice(r.int(h.exts.length + 1), 0, { ...e }); ops.push(`dup-ext(${e?.type})`); break;
      case 2: { const j = r.int(h.exts.length); [h.exts[i], h.exts[j]] = [h.exts[j]!, h.exts[i]!]; ops.push('swap-ext'); break; }
      case 3: if (e && e.body.length) e.body[r.int(e.body.length)]! ^= 1 << r.int(8); ops.push(`ext-flip(${e?.type})`); break;
      case 4: if (e) e.body = e.body.slice(0, r.int(e.body.length + 1)); ops.push(`ext-truncate(${e?.type}:${e?.body.length})`); break;
      case 5: if (e) e.body = cat(e.body, r.bytes(1 + r.int(4))); ops.push(`ext-append(${e?.type})`); break;
      case 6: if (e) e.type = r.pick([0, 1, 5, 10, 11, 13, 16, 21, 41, 42, 43, 44, 45, 47, 49, 50, 51, r.int(0x10000)]); ops.push(`ext-type(${e?.type})`); break;
      case 7: h.exts.splice(r.int(h.exts.length + 1), 0, { type: r.int(0x10000), body: r.bytes(r.int(12)) }); ops.push('ext-add'); break;
      case 8: h.suites = Array.from({ length: r.int(5) }, () => r.pick([0x1301, 0x1302, 0x1303, 0x1304, 0x00ff, 0xc02f, r.int(0x10000)])); ops.push(`suites=[${h.suites.map((x) => x.toString(16)).join()}]`); break;
      case 9: h.sessionId = r.bytes(r.pick([0, 1, 31, 32, 33])); ops.push(`session-id(${h.sessionId.length})`); break;
      case 10: h.compression = Uint8Array.from({ length: r.int(3) }, () => r.pick([0, 1, r.int(256)])); ops.push(`compression=[${h.compression.join()}]`); break;
      case 11: h.legacyVersion = r.pick([0x0300, 0x0301, 0x0302, 0x0304, 0x7f1c, r.int(0x10000)]); ops.push(`legacy-version=0x${h.legacyVersion.toString(16)}`); break;
      case 12: {
        const group = r.pick([X25519, 23, 24, 25, 30, 0x0100, 0x11ec, r.int(0x10000)]);
        const key = r.pick([new Uint8Array(32), r.bytes(32), r.bytes(r.int(100)), r.bytes(65), Uint8Array.of(4, ...r.bytes(64))]);
        h.exts = setExt(h.exts, EXT.key_share, clientKeyShare(r.int(2) ? [{ group, key }] : [{ group, key }, { group: X25519, key: r.bytes(32) }]));
        ops.push('key-share');
        break;
      }
      case 13: h.exts = setExt(h.exts, EXT.supported_versions, vec8(cat(...Array.from({ length: r.int(4) }, () => u16(r.pick([0x0304, 0x0303, 0x7f1c, 0x0a0a, r.int(0x10000)])))))); ops.push('versions'); break;
      default: h.exts = setExt(h.exts, EXT.supported_groups, vec16(cat(...Array.from({ length: r.int(4) }, () => u16(r.pick([X25519, 23, 24, 0x0100, 0x001a, r.int(0x10000)])))))); ops.push('groups'); break;
    }
  }
  const msg = buildClientHello(h);
  // Fragment over 1..4 handshake records (legitimate), record versions varied (ignored by receivers).
  const parts = chunked(r, msg).filter((p) => p.length > 0);
  let bytes = cat(...parts.map((p) => record(CT.handshake, p, r.pick([0x0301, 0x0303, 0x0303, r.int(0x10000)]))));
  if (r.int(8) === 0) {
    bytes = cat(bytes, record(r.pick([20, 21, 22, 23]), r.bytes(r.int(8))));
    ops.push('trailing-record');
  }
  return { bytes, op: ops.join('+') };
}

function tally(outcomes: Outcome[]): { counts: Record<string, number>; maxMs: number } {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  return { counts: Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1])), maxMs: Math.max(...outcomes.map((o) => o.ms)) };
}

describe('seeded fuzz: never a throw, always success or an alert from the registry, in bounded time', () => {
  const CASES = 1000;
  const CASE_LIMIT_MS = 2000;

  test('1,000 mutations of a real server flight fed to a client (RFC 8446 sections 4, 5 and 6)', () => {
    const r = rng(0x5eed_0001);
    const outcomes: Outcome[] = [];
    const internal: string[] = [];
    for (let n = 0; n < CASES; n++) {
      const m = r.int(2) === 0 ? mutateWire(r, BASE.sf) : mutateItems(r);
      const label = `client case ${n} (${m.op})`;
      const o = runCase(freshClient(), chunked(r, m.bytes), label);
      assert.ok(o.ms < CASE_LIMIT_MS, `${label}: took ${o.ms} ms`);
      if (o.kind === 'internal_error') internal.push(`${label}: ${o.detail}`);
      // The same bytes in one piece end the same way.
      if (n % 4 === 0) assert.equal(runCase(freshClient(), [m.bytes], label + ' whole').kind, o.kind, `${label}: chunking changed the outcome`);
      if (process.env.FUZZ_VERBOSE && !/bad_record_mac|wait_sh/.test(o.kind)) console.log(`  ${label} -> ${o.kind}: ${o.detail ?? ''}`);
      outcomes.push(o);
    }
    const { counts, maxMs } = tally(outcomes);
    console.log(`client fuzz: cases survived: ${outcomes.length}, alerts: ${JSON.stringify(counts)}, slowest ${maxMs.toFixed(1)} ms`);
    assert.equal(outcomes.length, CASES);
    assert.deepEqual(internal, [], 'no internal_error from peer input');
  });

  test('1,000 mutations of a real ClientHello fed to a server (RFC 8446 sections 4.1.2, 4.2 and 5)', () => {
    const r = rng(0x5eed_0002);
    const outcomes: Outcome[] = [];
    const internal: string[] = [];
    for (let n = 0; n < CASES; n++) {
      const m = r.int(3) === 0 ? mutateWire(r, BASE.ch) : mutateClientHello(r);
      const label = `server case ${n} (${m.op})`;
      const o = runCase(freshServer(), chunked(r, m.bytes), label);
      assert.ok(o.ms < CASE_LIMIT_MS, `${label}: took ${o.ms} ms`);
      if (o.kind === 'internal_error') internal.push(`${label}: ${o.detail}`);
      if (n % 4 === 0) assert.equal(runCase(freshServer(), [m.bytes], label + ' whole').kind, o.kind, `${label}: chunking changed the outcome`);
      if (process.env.FUZZ_VERBOSE) console.log(`  ${label} -> ${o.kind}: ${o.detail ?? ''}`);
      outcomes.push(o);
    }
    const { counts, maxMs } = tally(outcomes);
    console.log(`server fuzz: cases survived: ${outcomes.length}, alerts: ${JSON.stringify(counts)}, slowest ${maxMs.toFixed(1)} ms`);
    assert.equal(outcomes.length, CASES);
    assert.deepEqual(internal, [], 'no internal_error from peer input');
  });
});
