// 0-RTT early data (RFC 8446 sections 2.3, 4.2.10, 4.5, 8) and post-handshake client authentication (section
// 4.6.2), sans IO: a real client and server TlsConnection in memory, their flights passed by hand so a test can
// drop, replay or forge a record (forged records are sealed with secrets from the key log).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TlsConnection } from '../../engine/conn/connection';
import type { ConnectionConfig } from '../../engine/conn/config';
import { ProtocolError } from '../../engine/conn/errors';
import { SingleUseTicketCache, type ClientSession } from '../../engine/conn/session-ticket';
import { nobleProvider } from '../../engine/crypto/noble';
import type { AeadName } from '../../engine/crypto/provider';
import { trafficKeys, type SecretLabel } from '../../engine/handshake/tls13/key-schedule';
import { ext } from '../../engine/msgs/extensions';
import { encodeHandshake } from '../../engine/msgs/handshake';
import { CT } from '../../engine/record/framer';
import { Tls13Protector } from '../../engine/record/protect13';
import { suiteByCode } from '../../engine/registry/suites';
import { identityFromPem } from '../../engine/tools/identity';
import type { TraceEvent } from '../../engine/trace/events';

const p = nobleProvider();
const pem = (n: string) => fs.readFileSync(path.resolve('test/fixtures/pki', n), 'utf8');
const serverId = identityFromPem(pem('ec-p256.crt'), pem('ec-p256.key'), 'ec-p256');
const clientId = identityFromPem(pem('ed25519.crt'), pem('ed25519.key'), 'ed25519');
const enc = new TextEncoder();
const dec = new TextDecoder();

function cat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let off = 0;
  for (const x of parts) {
    out.set(x, off);
    off += x.length;
  }
  return out;
}

/** Whole records of a byte stream. */
function records(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i + 5 <= bytes.length;) {
    const len = (bytes[i + 3]! << 8) | bytes[i + 4]!;
    out.push(bytes.subarray(i, i + 5 + len));
    i += 5 + len;
  }
  return out;
}

interface Side {
  conn: TlsConnection;
  events: TraceEvent[];
  secrets: Map<SecretLabel, Uint8Array>;
  infos(): string[];
}

function side(cfg: Omit<ConnectionConfig, 'provider'>): Side {
  const secrets = new Map<SecretLabel, Uint8Array>();
  const conn = new TlsConnection({ provider: p, ...cfg, onSecret: (l, _r, s) => secrets.set(l, s) });
  const events: TraceEvent[] = [];
  conn.onEvent = (e) => events.push(e);
  return { conn, events, secrets, infos: () => events.flatMap((e) => (e.kind === 'info' ? [e.message] : [])) };
}

const ticketKey = new Uint8Array(32).fill(7);

function server(extra: Partial<ConnectionConfig> = {}): Side {
  return side({ side: 'server', certificateChain: serverId.chain, signer: serverId.signer, ticketKey, ...extra });
}

function client(extra: Partial<ConnectionConfig> = {}): Side {
  return side({ side: 'client', serverName: 'localhost', ...extra });
}

/** Passes flights back and forth until both are quiet. */
function run(a: TlsConnection, b: TlsConnection): void {
  for (let i = 0; i < 20; i++) {
    const x = cat(a.takeOutgoing());
    const y = cat(b.takeOutgoing());
    if (!x.length && !y.length) return;
    if (x.length) b.receive(x);
    if (y.length) a.receive(y);
  }
}

/** A full handshake with a server allowing `maxEarlyData`; returns the first ticket. */
function firstTicket(maxEarlyData: number, extra: Partial<ConnectionConfig> = {}): ClientSession {
  const tickets: ClientSession[] = [];
  const c = client({ onSession: (t) => tickets.push(t), ...extra });
  const s = server({ maxEarlyData });
  c.conn.start();
  run(c.conn, s.conn);
  assert.equal(c.conn.status, 'open');
  assert.ok(tickets.length > 0, 'a ticket arrived');
  return tickets[0]!;
}

function readAll(conn: TlsConnection): { text: string; early: boolean[] } {
  let text = '';
  const early: boolean[] = [];
  while (conn.readableBytes > 0) {
    early.push(conn.nextReadIsEarly);
    text += dec.decode(conn.read(1 << 16));
  }
  return { text, early };
}

function failure(conn: TlsConnection): ProtocolError {
  assert.equal(conn.status, 'failed');
  assert.ok(conn.error instanceof ProtocolError, `a ProtocolError, got ${conn.error}`);
  return conn.error;
}

/** Seals one record the way the peer would, with a secret from the key log and an explicit sequence number. */
function seal(suiteCode: number, secret: Uint8Array, seq: bigint, type: number, content: Uint8Array): Uint8Array {
  const suite = suiteByCode(suiteCode)!;
  const { key, iv } = trafficKeys(p, suite.prfHash, secret, suite.cipher.keyLen, 12);
  const prot = new Tls13Protector(p.aead(suite.cipher.name as AeadName), key, iv);
  prot.seq = seq;
  return prot.seal(type, content);
}

function open(suiteCode: number, secret: Uint8Array, seq: bigint, record: Uint8Array): { type: number; content: Uint8Array } {
  const suite = suiteByCode(suiteCode)!;
  const { key, iv } = trafficKeys(p, suite.prfHash, secret, suite.cipher.keyLen, 12);
  const prot = new Tls13Protector(p.aead(suite.cipher.name as AeadName), key, iv);
  prot.seq = seq;
  return prot.open({ type: record[0]!, version: 0x0303, fragment: record.subarray(5), raw: record });
}

// ---- 0-RTT ---------------------------------------------------------------------------------------------------

test('0-RTT accepted: the server delivers the early data marked early, EndOfEarlyData ends it, both report accepted', () => {
  const ticket = firstTicket(1024);
  assert.equal(ticket.maxEarlyData, 1024, 'the ticket carries max_early_data_size');
  const cache = new SingleUseTicketCache();
  const c = client({ session: ticket, earlyData: enc.encode('GET /early HTTP/1.0\r\n\r\n') });
  const s = server({ maxEarlyData: 1024, antiReplay: cache });
  c.conn.start();
  s.conn.receive(cat(c.conn.takeOutgoing()));
  // The early data is readable before the handshake completes, marked as early.
  assert.equal(s.conn.status, 'handshaking');
  assert.equal(s.conn.handshakeState, 'wait_eoed');
  const got = readAll(s.conn);
  assert.equal(got.text, 'GET /early HTTP/1.0\r\n\r\n');
  assert.deepEqual(got.early, [true]);
  run(c.conn, s.conn);
  assert.equal(c.conn.status, 'open');
  assert.equal(s.conn.status, 'open');
  assert.equal(c.conn.negotiated!.earlyData, 'accepted');
  assert.equal(s.conn.negotiated!.earlyData, 'accepted');
  assert.equal(s.conn.negotiated!.resumed, true);
  assert.ok(s.events.some((e) => e.kind === 'app-data' && e.dir === 'in' && e.early === true), 'app-data event marked early');
  assert.ok(c.events.some((e) => e.kind === 'app-data' && e.dir === 'out' && e.early === true));
  assert.ok(s.events.some((e) => e.kind === 'handshake' && e.dir === 'in' && e.name === 'end_of_early_data'));
  assert.ok(s.events.some((e) => e.kind === 'handshake' && e.name === 'encrypted_extensions' && JSON.stringify(e.fields).includes('earlyData')));
  assert.ok(s.infos().some((m) => /early data can be replayed by an attacker; accept it only for idempotent requests/i.test(m)), 'the replay caveat');
  // Key log: both sides derived the same CLIENT_EARLY_TRAFFIC_SECRET.
  assert.ok(c.secrets.get('CLIENT_EARLY_TRAFFIC_SECRET'));
  assert.deepEqual(c.secrets.get('CLIENT_EARLY_TRAFFIC_SECRET'), s.secrets.get('CLIENT_EARLY_TRAFFIC_SECRET'));
  // 1-RTT data afterwards is not early.
  c.conn.write(enc.encode('later'));
  run(c.conn, s.conn);
  assert.deepEqual(readAll(s.conn), { text: 'later', early: [false] });
  assert.equal(cache.size, 1);
});

test('0-RTT anti-replay: the single-use cache rejects a second use of the ticket; the handshake still completes', () => {
  const ticket = firstTicket(1024);
  const cache = new SingleUseTicketCache();
  const once = (): Side & { srv: Side } => {
    const c = client({ session: ticket, earlyData: enc.encode('pay 10') });
    const s = server({ maxEarlyData: 1024, antiReplay: cache });
    c.conn.start();
    run(c.conn, s.conn);
    return { ...c, srv: s };
  };
  const first = once();
  assert.equal(first.srv.conn.negotiated!.earlyData, 'accepted');
  assert.equal(readAll(first.srv.conn).text, 'pay 10');
  const second = once();
  assert.equal(second.conn.status, 'open');
  assert.equal(second.srv.conn.status, 'open');
  assert.equal(second.srv.conn.negotiated!.resumed, true, 'still resumed (1-RTT)');
  assert.equal(second.srv.conn.negotiated!.earlyData, 'rejected');
  assert.equal(second.conn.negotiated!.earlyData, 'rejected');
  assert.equal(second.srv.conn.readableBytes, 0, 'the replayed early data was not delivered');
  assert.ok(second.srv.infos().some((m) => /replay, refused by the single-use ticket cache/.test(m)));
  assert.ok(second.srv.infos().some((m) => /skipped a rejected 0-RTT record/.test(m)), 'skipped by trial decryption');
  assert.ok(second.infos().some((m) => /not resent automatically; the application must send them again/.test(m)));
});

test('0-RTT anti-replay: a byte-for-byte replay of the first flight gets no early data delivered', () => {
  const ticket = firstTicket(1024);
  const cache = new SingleUseTicketCache();
  const c = client({ session: ticket, earlyData: enc.encode('transfer') });
  c.conn.start();
  const flight = cat(c.conn.takeOutgoing());
  const s1 = server({ maxEarlyData: 1024, antiReplay: cache });
  s1.conn.receive(flight);
  assert.equal(readAll(s1.conn).text, 'transfer');
  const s2 = server({ maxEarlyData: 1024, antiReplay: cache });
  s2.conn.receive(flight);
  assert.equal(s2.conn.readableBytes, 0);
  assert.notEqual(s2.conn.status, 'failed');
  assert.equal(s2.conn.handshakeState, 'wait_finished');
});

test('0-RTT rejected by a server with early data off: records skipped by trial decryption, the connection works', () => {
  const ticket = firstTicket(4096);
  const c = client({ session: ticket, earlyData: enc.encode('x'.repeat(3000)) });
  const s = server({}); // same ticket key, maxEarlyData 0
  c.conn.start();
  run(c.conn, s.conn);
  assert.equal(c.conn.status, 'open');
  assert.equal(s.conn.status, 'open');
  assert.equal(c.conn.negotiated!.earlyData, 'rejected');
  assert.equal(s.conn.negotiated!.earlyData, 'rejected');
  assert.equal(s.conn.negotiated!.resumed, true);
  assert.equal(s.conn.readableBytes, 0);
  assert.ok(s.infos().some((m) => /0-RTT rejected: early data is not enabled/.test(m)));
  assert.ok(!c.events.some((e) => e.kind === 'handshake' && e.name === 'end_of_early_data'), 'no EndOfEarlyData when rejected');
  c.conn.write(enc.encode('resent by the application'));
  run(c.conn, s.conn);
  assert.equal(readAll(s.conn).text, 'resent by the application');
});

test('0-RTT rejected by a HelloRetryRequest: early records skipped until the second ClientHello, which has no early_data', () => {
  const ticket = firstTicket(1024);
  const c = client({ session: ticket, earlyData: enc.encode('hello') });
  const s = server({ maxEarlyData: 1024, antiReplay: new SingleUseTicketCache(), forceHelloRetry: true });
  c.conn.start();
  run(c.conn, s.conn);
  assert.equal(c.conn.status, 'open', c.conn.error?.message);
  assert.equal(s.conn.status, 'open', s.conn.error?.message);
  assert.equal(c.conn.negotiated!.earlyData, 'rejected');
  assert.equal(s.conn.negotiated!.earlyData, 'rejected');
  assert.equal(s.conn.negotiated!.helloRetry, true);
  assert.ok(s.infos().some((m) => /before the second ClientHello/.test(m)));
  const hellos = c.events.filter((e) => e.kind === 'handshake' && e.dir === 'out' && e.name === 'client_hello');
  assert.equal(hellos.length, 2);
  assert.ok(JSON.stringify(hellos[0]!.kind === 'handshake' && hellos[0]!.fields).includes('earlyData'));
  assert.ok(!JSON.stringify(hellos[1]!.kind === 'handshake' && hellos[1]!.fields).includes('earlyData'));
});

test('0-RTT not offered when the ticket does not allow it, or the data is larger than its max_early_data_size', () => {
  const plain = firstTicket(0);
  assert.equal(plain.maxEarlyData, 0);
  const c1 = client({ session: plain, earlyData: enc.encode('x') });
  const s1 = server({ maxEarlyData: 1024, antiReplay: new SingleUseTicketCache() });
  c1.conn.start();
  run(c1.conn, s1.conn);
  assert.equal(c1.conn.negotiated!.earlyData, 'not offered');
  assert.ok(c1.infos().some((m) => /early data not sent: the session's ticket does not allow early data/.test(m)));
  const small = firstTicket(16);
  const c2 = client({ session: small, earlyData: enc.encode('seventeen bytes!!') });
  const s2 = server({ maxEarlyData: 16, antiReplay: new SingleUseTicketCache() });
  c2.conn.start();
  run(c2.conn, s2.conn);
  assert.equal(c2.conn.negotiated!.earlyData, 'not offered');
  assert.ok(c2.infos().some((m) => /more than the ticket's max_early_data_size of 16/.test(m)));
});

test('0-RTT over max_early_data_size: unexpected_message', () => {
  const ticket = firstTicket(100);
  // A client that ignores the ticket's limit (its stored limit forged upwards).
  const c = client({ session: { ...ticket, maxEarlyData: 1 << 20 }, earlyData: enc.encode('y'.repeat(200)) });
  const s = server({ maxEarlyData: 100, antiReplay: new SingleUseTicketCache() });
  c.conn.start();
  s.conn.receive(cat(c.conn.takeOutgoing()));
  const err = failure(s.conn);
  assert.equal(err.alert, 'unexpected_message');
  assert.match(err.message, /200 bytes of early data, more than the 100 bytes of max_early_data_size/);
});

test('0-RTT with a stale ticket age (outside the freshness window): rejected, 1-RTT resumption goes on', () => {
  const ticket = firstTicket(1024);
  const c = client({ session: ticket, earlyData: enc.encode('late') });
  const s = server({ maxEarlyData: 1024, antiReplay: new SingleUseTicketCache(), now: () => Date.now() + 60_000 });
  c.conn.start();
  run(c.conn, s.conn);
  assert.equal(s.conn.status, 'open');
  assert.equal(s.conn.negotiated!.earlyData, 'rejected');
  assert.ok(s.infos().some((m) => /may not be fresh/.test(m)));
});

test('0-RTT: EndOfEarlyData missing (the client Finished comes under handshake keys): bad_record_mac', () => {
  const ticket = firstTicket(1024);
  const c = client({ session: ticket, earlyData: enc.encode('early') });
  const s = server({ maxEarlyData: 1024, antiReplay: new SingleUseTicketCache() });
  c.conn.start();
  s.conn.receive(cat(c.conn.takeOutgoing()));
  c.conn.receive(cat(s.conn.takeOutgoing()));
  const flight = records(cat(c.conn.takeOutgoing()));
  assert.equal(flight.length, 2, 'EndOfEarlyData and Finished');
  s.conn.receive(flight[1]!); // the Finished without the EndOfEarlyData before it
  const err = failure(s.conn);
  assert.equal(err.alert, 'bad_record_mac');
});

test('0-RTT: a handshake message other than EndOfEarlyData under the early keys: unexpected_message', () => {
  const ticket = firstTicket(1024);
  const c = client({ session: ticket, earlyData: enc.encode('early') });
  const s = server({ maxEarlyData: 1024, antiReplay: new SingleUseTicketCache() });
  c.conn.start();
  s.conn.receive(cat(c.conn.takeOutgoing()));
  c.conn.receive(cat(s.conn.takeOutgoing()));
  c.conn.takeOutgoing();
  // A Finished sealed under client_early_traffic_secret as the record after the one early data record.
  const fin = encodeHandshake({ type: 'finished', verifyData: new Uint8Array(48) });
  s.conn.receive(seal(ticket.cipherSuite, c.secrets.get('CLIENT_EARLY_TRAFFIC_SECRET')!, 1n, CT.handshake, fin));
  const err = failure(s.conn);
  assert.equal(err.alert, 'unexpected_message');
  assert.match(err.message, /in state wait_eoed expected EndOfEarlyData, got finished/);
});

test('an EndOfEarlyData when early data was not accepted: unexpected_message', () => {
  const ticket = firstTicket(1024);
  const c = client({ session: ticket });
  const s = server({ maxEarlyData: 1024, antiReplay: new SingleUseTicketCache() });
  c.conn.start();
  s.conn.receive(cat(c.conn.takeOutgoing()));
  c.conn.receive(cat(s.conn.takeOutgoing()));
  c.conn.takeOutgoing();
  const eoed = encodeHandshake({ type: 'end_of_early_data' });
  s.conn.receive(seal(ticket.cipherSuite, c.secrets.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET')!, 0n, CT.handshake, eoed));
  const err = failure(s.conn);
  assert.equal(err.alert, 'unexpected_message');
  assert.match(err.message, /expected Finished, got end_of_early_data/);
});

test('no anti-replay cache configured: 0-RTT is always rejected', () => {
  const ticket = firstTicket(1024);
  const c = client({ session: ticket, earlyData: enc.encode('x') });
  const s = server({ maxEarlyData: 1024 });
  c.conn.start();
  run(c.conn, s.conn);
  assert.equal(s.conn.negotiated!.earlyData, 'rejected');
  assert.ok(s.infos().some((m) => /no single-use ticket cache/.test(m)));
});

test('SingleUseTicketCache: fresh, replay, expiry, and bounded (full refuses rather than forgets)', () => {
  const cache = new SingleUseTicketCache(2);
  const id = (n: number) => Uint8Array.of(n, n, n);
  assert.equal(cache.claim(p, id(1), 1000, 0), 'fresh');
  assert.equal(cache.claim(p, id(1), 1000, 10), 'replay');
  assert.equal(cache.claim(p, id(2), 5000, 10), 'fresh');
  assert.equal(cache.claim(p, id(3), 5000, 20), 'full', 'no live entry is evicted');
  assert.equal(cache.claim(p, id(3), 5000, 2000), 'fresh', 'the expired entry made room');
  assert.equal(cache.size, 2);
  assert.equal(cache.claim(p, id(1), 9000, 2000), 'full');
});

// ---- post-handshake authentication -----------------------------------------------------------------------------

function established(clientExtra: Partial<ConnectionConfig>, serverExtra: Partial<ConnectionConfig> = {}): { c: Side; s: Side } {
  const c = client(clientExtra);
  const s = server(serverExtra);
  c.conn.start();
  run(c.conn, s.conn);
  assert.equal(c.conn.status, 'open');
  assert.equal(s.conn.status, 'open');
  return { c, s };
}

test('post-handshake auth: the client offers it with a certificate; the server asks, verifies, records the chain', () => {
  const { c, s } = established({ certificateChain: clientId.chain, signer: clientId.signer });
  const ch = c.events.find((e) => e.kind === 'handshake' && e.name === 'client_hello');
  assert.ok(JSON.stringify(ch?.kind === 'handshake' && ch.fields).includes('postHandshakeAuth'), 'post_handshake_auth offered');
  assert.equal(s.conn.negotiated!.peerCertificates.length, 0);
  s.conn.requestClientCertificate();
  assert.throws(() => s.conn.requestClientCertificate(), /still waiting/);
  run(c.conn, s.conn);
  assert.equal(s.conn.status, 'open', s.conn.error?.message);
  assert.equal(c.conn.status, 'open', c.conn.error?.message);
  assert.deepEqual(s.conn.negotiated!.peerCertificates, clientId.chain);
  assert.equal(s.conn.postHandshakeAuths, 1);
  assert.ok(s.infos().some((m) => /post-handshake authentication: the client authenticated/.test(m)));
  const names = c.events.filter((e) => e.kind === 'handshake' && e.dir === 'out').map((e) => (e.kind === 'handshake' ? e.name : ''));
  assert.deepEqual(names.slice(-3), ['certificate', 'certificate_verify', 'finished']);
  // After a KeyUpdate each way, a second request uses client_application_traffic_secret_1 for Finished.
  c.conn.keyUpdate(true);
  run(c.conn, s.conn);
  s.conn.requestClientCertificate();
  run(c.conn, s.conn);
  assert.equal(s.conn.status, 'open', s.conn.error?.message);
  assert.equal(s.conn.postHandshakeAuths, 2);
  c.conn.write(enc.encode('still fine'));
  run(c.conn, s.conn);
  assert.equal(readAll(s.conn).text, 'still fine');
});

test('post-handshake auth: a client without a certificate does not offer it, and the server cannot ask', () => {
  const { c, s } = established({});
  const ch = c.events.find((e) => e.kind === 'handshake' && e.name === 'client_hello');
  assert.ok(!JSON.stringify(ch?.kind === 'handshake' && ch.fields).includes('postHandshakeAuth'));
  assert.throws(() => s.conn.requestClientCertificate(), /did not offer post_handshake_auth/);
  assert.throws(() => c.conn.requestClientCertificate(), /only a server/);
});

test('post-handshake auth: a client that offered it without a certificate declines (empty Certificate, Finished)', () => {
  const { c, s } = established({ postHandshakeAuth: true });
  s.conn.requestClientCertificate();
  run(c.conn, s.conn);
  assert.equal(s.conn.status, 'open', s.conn.error?.message);
  assert.equal(s.conn.negotiated!.peerCertificates.length, 0);
  assert.equal(s.conn.postHandshakeAuths, 0);
  assert.ok(s.infos().some((m) => /the client declined/.test(m)));
});

test('post-handshake auth: a certificate_request_context that does not match: illegal_parameter', () => {
  const { c, s } = established({ certificateChain: clientId.chain, signer: clientId.signer });
  const suite = s.conn.negotiated!.cipherSuite;
  s.conn.requestClientCertificate();
  c.conn.receive(cat(s.conn.takeOutgoing()));
  const answer = records(cat(c.conn.takeOutgoing()));
  assert.equal(answer.length, 3, 'Certificate, CertificateVerify, Finished');
  const secret = c.secrets.get('CLIENT_TRAFFIC_SECRET_0')!;
  const cert = open(suite, secret, 0n, answer[0]!);
  assert.equal(cert.type, CT.handshake);
  const forged = cert.content.slice();
  assert.equal(forged[4], 32, 'a 32-byte context');
  forged[5]! ^= 0xff;
  s.conn.receive(seal(suite, secret, 0n, CT.handshake, forged));
  const err = failure(s.conn);
  assert.equal(err.alert, 'illegal_parameter');
  assert.match(err.message, /does not echo the certificate_request_context/);
});

test('post-handshake auth: a CertificateRequest to a client that did not offer it: unexpected_message', () => {
  const { c, s } = established({ certificateChain: clientId.chain, signer: clientId.signer, postHandshakeAuth: false });
  const suite = s.conn.negotiated!.cipherSuite;
  // The server sent two NewSessionTickets under its application keys: the forged request is record 2.
  const msg = encodeHandshake({ type: 'certificate_request', certificateRequestContext: Uint8Array.of(1, 2, 3), extensions: [ext.signatureAlgorithms([0x0807])] });
  c.conn.receive(seal(suite, s.secrets.get('SERVER_TRAFFIC_SECRET_0')!, 2n, CT.handshake, msg));
  const err = failure(c.conn);
  assert.equal(err.alert, 'unexpected_message');
  assert.match(err.message, /did not offer post_handshake_auth/);
});

test('post-handshake auth: another message in the middle of the client\'s answer: unexpected_message', () => {
  const { c, s } = established({ certificateChain: clientId.chain, signer: clientId.signer });
  const suite = s.conn.negotiated!.cipherSuite;
  s.conn.requestClientCertificate();
  c.conn.receive(cat(s.conn.takeOutgoing()));
  const answer = records(cat(c.conn.takeOutgoing()));
  s.conn.receive(answer[0]!); // Certificate
  const ku = encodeHandshake({ type: 'key_update', requestUpdate: 0 });
  s.conn.receive(seal(suite, c.secrets.get('CLIENT_TRAFFIC_SECRET_0')!, 1n, CT.handshake, ku));
  const err = failure(s.conn);
  assert.equal(err.alert, 'unexpected_message');
  assert.match(err.message, /expected CertificateVerify, got key_update/);
});
