// The key-schedule view's record (engine/handshake/key-schedule-capture.ts): RFC 8448 section 3's simple 1-RTT trace
// computed by the engine's key-schedule module through a recording provider, every value of the RFC found in the
// captured schedule under its RFC 8446 section 7.1 name; a live client and server pair recording the same schedule
// as the key log and keys they use; the wipe rules (the connection's arrays zeroed, the recorder's copies kept
// until its own wipe); nothing of it in the trace; and which values a bad_record_mac or decrypt_error implicates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { GROUPS, nobleProvider } from '../../engine/crypto/noble';
import type { CryptoProvider } from '../../engine/crypto/provider';
import { EarlySecret, finishedVerifyData, resumptionPsk, trafficKeys } from '../../engine/handshake/tls13/key-schedule';
import { KeyScheduleRecorder, type KeySchedule12, type KeySchedule13 } from '../../engine/handshake/key-schedule-capture';
import { Transcript } from '../../engine/handshake/transcript';
import { decodeHandshake } from '../../engine/msgs/handshake';
import { TlsConnection } from '../../engine/conn/connection';
import type { ConnectionConfig } from '../../engine/conn/config';
import { identityFromPem } from '../../engine/tools/identity';
import { keyFailureFromTrace } from '../../engine/tools/key-failure';
import { keyScheduleJson, keyScheduleText } from '../../engine/tools/key-schedule-text';
import { toJson, type TraceEvent } from '../../engine/trace/events';
import { toHex } from '../../engine/util/hex';
import { load } from './rfc8448-fixture';
import { pump } from './pump';

const s3 = load('simple-1rtt.txt');
const p = nobleProvider();
const eq = (a: Uint8Array | undefined, b: Uint8Array, what: string) => assert.equal(a && toHex(a), toHex(b), what);

/** RFC 8448 section 3 as the engine's TLS 1.3 client derives it (tls13/client.ts order), through `rp`. */
function replaySection3(rp: CryptoProvider): void {
  const H = 'sha256' as const;
  const msgs = [
    s3('{client}  construct a ClientHello', 'ClientHello'), s3('{server}  construct a ServerHello', 'ServerHello'),
    s3('{server}  construct an EncryptedExtensions', 'EncryptedExtensions'), s3('{server}  construct a Certificate handshake', 'Certificate'),
    s3('{server}  construct a CertificateVerify', 'CertificateVerify'), s3('{server}  construct a Finished', 'Finished'),
    s3('{client}  construct a Finished', 'Finished'),
  ];
  const tr = new Transcript(rp);
  tr.add(msgs[0]!);
  tr.add(msgs[1]!);
  tr.setHash(H);
  const shared = s3('{server}  extract secret "handshake"', 'IKM');
  const hs = new EarlySecret(rp, H, undefined).next(shared);
  const chs = hs.clientHandshakeTrafficSecret(tr.hash());
  const shs = hs.serverHandshakeTrafficSecret(tr.hash());
  trafficKeys(rp, H, shs, 16, 12); // read keys for the server's flight
  for (const m of msgs.slice(2, 5)) tr.add(m);
  finishedVerifyData(rp, H, shs, tr.hash()); // the server Finished checked
  tr.add(msgs[5]!);
  const master = hs.next();
  const cap = master.clientApplicationTrafficSecret(tr.hash());
  const sap = master.serverApplicationTrafficSecret(tr.hash());
  master.exporterMasterSecret(tr.hash());
  trafficKeys(rp, H, chs, 16, 12); // write keys for our Finished
  finishedVerifyData(rp, H, chs, tr.hash());
  trafficKeys(rp, H, sap, 16, 12);
  trafficKeys(rp, H, cap, 16, 12);
  tr.add(msgs[6]!);
  const res = master.resumptionMasterSecret(tr.hash());
  const nst = decodeHandshake(s3('{server}  construct a NewSessionTicket', 'NewSessionTicket'), { version: 'tls13' }) as { ticketNonce: Uint8Array };
  resumptionPsk(rp, H, res, nst.ticketNonce);
}

test('RFC 8448 section 3: every secret, transcript hash, key, IV, finished key and verify_data of the simple 1-RTT trace is in the captured schedule under its RFC 8446 section 7.1 name', () => {
  const rec = new KeyScheduleRecorder();
  replaySection3(rec.wrapProvider(p));
  const k = rec.snapshot() as KeySchedule13;
  assert.equal(k.version, 'TLSv1.3');
  assert.equal(k.psk, undefined, 'no PSK: HKDF-Extract(0, 0)');
  eq(k.earlySecret, s3('{server}  extract secret "early"', 'secret'), 'early secret');
  eq(k.sharedSecret, s3('{server}  extract secret "handshake"', 'IKM'), 'shared secret (IKM of "handshake")');
  eq(k.steps.find((s) => s.name === 'derived(early_secret)')?.output, s3('{server}  derive secret for handshake "tls13 derived"', 'expanded'), 'Derive-Secret(early, "derived", "")');
  eq(k.handshakeSecret, s3('{server}  extract secret "handshake"', 'secret'), 'handshake secret');
  eq(k.clientHandshakeTraffic?.secret, s3('{server}  derive secret "tls13 c hs traffic"', 'expanded'), 'client_handshake_traffic_secret');
  eq(k.clientHandshakeTraffic?.transcriptHash, s3('{server}  derive secret "tls13 c hs traffic"', 'hash'), 'its transcript hash (ClientHello..ServerHello)');
  eq(k.serverHandshakeTraffic?.secret, s3('{server}  derive secret "tls13 s hs traffic"', 'expanded'), 'server_handshake_traffic_secret');
  eq(k.serverHandshakeTraffic?.key, s3('{server}  derive write traffic keys for handshake data', 'key expanded'), 'server handshake key');
  eq(k.serverHandshakeTraffic?.iv, s3('{server}  derive write traffic keys for handshake data', 'iv expanded'), 'server handshake iv');
  eq(k.clientHandshakeTraffic?.key, s3('{server}  derive read traffic keys for handshake data', 'key expanded'), 'client handshake key');
  eq(k.clientHandshakeTraffic?.iv, s3('{server}  derive read traffic keys for handshake data', 'iv expanded'), 'client handshake iv');
  eq(k.serverHandshakeTraffic?.finishedKey, s3('{server}  calculate finished "tls13 finished"', 'expanded'), 'server finished_key');
  eq(k.serverHandshakeTraffic?.verifyData?.[0]?.value, s3('{server}  calculate finished "tls13 finished"', 'finished'), 'server Finished verify_data');
  eq(k.clientHandshakeTraffic?.finishedKey, s3('{client}  calculate finished "tls13 finished"', 'expanded'), 'client finished_key');
  eq(k.clientHandshakeTraffic?.verifyData?.[0]?.value, s3('{client}  calculate finished "tls13 finished"', 'finished'), 'client Finished verify_data');
  eq(k.steps.find((s) => s.name === 'derived(handshake_secret)')?.output, s3('{server}  derive secret for master "tls13 derived"', 'expanded'), 'Derive-Secret(handshake, "derived", "")');
  eq(k.masterSecret, s3('{server}  extract secret "master"', 'secret'), 'master secret');
  eq(k.clientApplicationTraffic[0]?.secret, s3('{server}  derive secret "tls13 c ap traffic"', 'expanded'), 'client_application_traffic_secret_0');
  eq(k.clientApplicationTraffic[0]?.transcriptHash, s3('{server}  derive secret "tls13 c ap traffic"', 'hash'), 'its transcript hash (ClientHello..server Finished)');
  eq(k.serverApplicationTraffic[0]?.secret, s3('{server}  derive secret "tls13 s ap traffic"', 'expanded'), 'server_application_traffic_secret_0');
  eq(k.serverApplicationTraffic[0]?.key, s3('{server}  derive write traffic keys for application data', 'key expanded'), 'server application key');
  eq(k.serverApplicationTraffic[0]?.iv, s3('{server}  derive write traffic keys for application data', 'iv expanded'), 'server application iv');
  eq(k.clientApplicationTraffic[0]?.key, s3('{client}  derive write traffic keys for application data', 'key expanded'), 'client application key');
  eq(k.clientApplicationTraffic[0]?.iv, s3('{client}  derive write traffic keys for application data', 'iv expanded'), 'client application iv');
  eq(k.exporterMasterSecret, s3('{server}  derive secret "tls13 exp master"', 'expanded'), 'exporter_master_secret');
  eq(k.resumptionMasterSecret, s3('{client}  derive secret "tls13 res master"', 'expanded'), 'resumption_master_secret');
  eq(k.resumptionPsks[0]?.psk, s3('{server}  generate resumption secret "tls13 resumption"', 'expanded'), 'the ticket PSK');
  // The text view names the Derive-Secret labels with the transcript hash each used.
  const text = keyScheduleText(k);
  assert.ok(text.includes(`client_handshake_traffic_secret = Derive-Secret(handshake_secret, "c hs traffic", transcript hash ${toHex(s3('{server}  derive secret "tls13 c hs traffic"', 'hash'))})`), text);
  assert.match(text, new RegExp(toHex(s3('{server}  extract secret "master"', 'secret'))));
  // JSON: hex strings.
  assert.equal((keyScheduleJson(k) as { masterSecret: string }).masterSecret, toHex(k.masterSecret!));
});

const pki = (n: string) => path.resolve('test/fixtures/pki', n);
const ID = identityFromPem(fs.readFileSync(pki('ec-p256.crt'), 'utf8'), fs.readFileSync(pki('ec-p256.key'), 'utf8'), 'ec-p256');

function pair(c: Partial<ConnectionConfig>, s: Partial<ConnectionConfig>) {
  const logged = new Map<string, string>();
  const events: TraceEvent[] = [];
  const client = new TlsConnection({ side: 'client', provider: p, serverName: 'localhost', onSecret: (l, _r, sec) => logged.set(l, toHex(sec)), ...c });
  const server = new TlsConnection({ side: 'server', provider: p, certificateChain: ID.chain, signer: ID.signer, ...s });
  client.onEvent = (e) => events.push(e);
  client.start();
  pump(client, server);
  return { client, server, logged, events };
}

test('TLS 1.3 live: client and server record the same schedule; its traffic secrets are the key log\'s; the trace JSON holds none of it; wipe() zeroes the connection\'s keys, not the recorded copies, until the recorder\'s own wipe', () => {
  const rc = new KeyScheduleRecorder();
  const rs = new KeyScheduleRecorder();
  const { client, logged, events } = pair({ keySchedule: rc }, { keySchedule: rs });
  assert.equal(client.status, 'open');
  const k = rc.snapshot() as KeySchedule13;
  const ks = rs.snapshot() as KeySchedule13;
  eq(k.clientHandshakeTraffic?.secret, Buffer.from(logged.get('CLIENT_HANDSHAKE_TRAFFIC_SECRET')!, 'hex'), 'CLIENT_HANDSHAKE_TRAFFIC_SECRET');
  eq(k.serverHandshakeTraffic?.secret, Buffer.from(logged.get('SERVER_HANDSHAKE_TRAFFIC_SECRET')!, 'hex'), 'SERVER_HANDSHAKE_TRAFFIC_SECRET');
  eq(k.clientApplicationTraffic[0]?.secret, Buffer.from(logged.get('CLIENT_TRAFFIC_SECRET_0')!, 'hex'), 'CLIENT_TRAFFIC_SECRET_0');
  eq(k.exporterMasterSecret, Buffer.from(logged.get('EXPORTER_SECRET')!, 'hex'), 'EXPORTER_SECRET');
  for (const name of ['earlySecret', 'handshakeSecret', 'sharedSecret', 'masterSecret'] as const) eq(ks[name], k[name]!, `${name}: server and client agree`);
  eq(ks.clientHandshakeTraffic?.verifyData?.[0]?.value, k.clientHandshakeTraffic!.verifyData![0]!.value, 'the client Finished both computed');
  assert.ok(k.clientApplicationTraffic[0]?.key && k.serverApplicationTraffic[0]?.iv, 'application keys recorded');
  // Nothing recorded reaches the trace (JSON form: what --json and the panel get).
  const json = events.map((e) => toJson(e)).join('\n');
  // (verify_data is the Finished message itself, which the trace decodes: not a secret.)
  for (const s of k.steps) if (s.output.length >= 12 && s.op !== 'HMAC') assert.ok(!json.includes(toHex(s.output)), `${s.name} is not in the trace`);
  // The wipe rules hold: the connection zeroes its own arrays; the recorder kept copies.
  const held = (client as unknown as { driver: { clientAppSecret: Uint8Array } }).driver.clientAppSecret;
  client.wipe();
  assert.ok(held.every((b) => b === 0), 'the connection\'s secret is zeroed');
  assert.ok(!k.clientApplicationTraffic[0]!.secret.every((b) => b === 0), 'the recorded copy is intact');
  rc.wipe();
  assert.ok(k.clientApplicationTraffic[0]!.secret.every((b) => b === 0) && k.masterSecret!.every((b) => b === 0), 'the recorder\'s wipe zeroes its copies');
  assert.equal(rc.snapshot(), undefined);
});

test('KeyUpdate (RFC 8446 section 7.2): application_traffic_secret_1 = HKDF-Expand-Label(secret_0, "traffic upd", "", Hash.length), with its keys, on both sides', () => {
  const rc = new KeyScheduleRecorder();
  const rs = new KeyScheduleRecorder();
  const { client, server } = pair({ keySchedule: rc }, { keySchedule: rs });
  client.keyUpdate(true);
  for (let i = 0; i < 4; i++) {
    for (const x of client.takeOutgoing()) server.receive(x);
    for (const x of server.takeOutgoing()) client.receive(x);
  }
  const k = rc.snapshot() as KeySchedule13;
  const ks = rs.snapshot() as KeySchedule13;
  assert.equal(k.clientApplicationTraffic.length, 2, 'generations 0 and 1 of the client');
  assert.equal(k.serverApplicationTraffic.length, 2, 'the server updated too, as asked');
  eq(ks.clientApplicationTraffic[1]?.secret, k.clientApplicationTraffic[1]!.secret, 'both sides derived the same next secret');
  assert.ok(k.clientApplicationTraffic[1]!.key, 'with its key');
  assert.match(keyScheduleText(k), /client_application_traffic_secret_1 = HKDF-Expand-Label\(client_application_traffic_secret_0, "traffic upd", "", 48\)/, 'SHA-384 for the default TLS_AES_256_GCM_SHA384');
});

test('no recorder, no record: a connection without keySchedule keeps its provider as given', () => {
  const { client } = pair({}, {});
  assert.equal(client.cfg.provider, p);
});

test('TLS 1.2 live (RFC 5246 section 8.1, RFC 7627 section 4): pre-master, randoms, session hash, master secret (= the CLIENT_RANDOM key log line) and the key block split', () => {
  const rc = new KeyScheduleRecorder();
  const rs = new KeyScheduleRecorder();
  const { client, logged } = pair({ keySchedule: rc, maxVersion: 0x0303 }, { keySchedule: rs, maxVersion: 0x0303 });
  assert.equal(client.status, 'open');
  const k = rc.snapshot() as KeySchedule12;
  assert.equal(k.version, 'TLSv1.2');
  assert.equal(k.extendedMasterSecret, true);
  assert.equal(k.label, 'extended master secret');
  assert.equal(k.sessionHash?.length, 48, 'SHA-384 session hash for the AES-256-GCM-SHA384 suite');
  assert.equal(toHex(k.masterSecret), logged.get('CLIENT_RANDOM'));
  assert.ok(k.preMasterSecret && k.preMasterSecret.some((b) => b !== 0), 'the premaster copy survives the engine zeroing its own');
  const ks = rs.snapshot() as KeySchedule12;
  eq(ks.masterSecret, k.masterSecret, 'server and client agree');
  eq(ks.preMasterSecret, k.preMasterSecret!, 'pre-master agrees');
  eq(ks.keyBlock?.clientKey, k.keyBlock!.clientKey, 'client write key agrees');
  assert.equal(k.keyBlock?.length, 2 * (32 + 4), 'AES-256-GCM: 2 keys of 32 and 2 implicit IVs of 4');
  assert.match(keyScheduleText(k), /key_block = PRF\(master_secret, "key expansion", server_random \+ client_random\)\[0\.\.71\]/);
});

test('bad_record_mac on the first encrypted handshake record (RFC 8446 section 7.1): the server handshake traffic secret, the shared secret and the ClientHello..ServerHello transcript hash are implicated', () => {
  // A server whose flight is damaged on the way: the client cannot open the first protected record.
  const client = new TlsConnection({ side: 'client', provider: p, serverName: 'localhost' });
  const server = new TlsConnection({ side: 'server', provider: p, certificateChain: ID.chain, signer: ID.signer });
  const events: TraceEvent[] = [];
  client.onEvent = (e) => events.push(e);
  client.start();
  for (const x of client.takeOutgoing()) server.receive(x);
  const flight = server.takeOutgoing();
  for (const x of flight) {
    const copy = x.slice();
    if (copy[0] === 23) copy[copy.length - 1]! ^= 1; // the first application_data record: its tag
    client.receive(copy);
  }
  assert.equal(client.status, 'failed');
  const f = keyFailureFromTrace(events.map((e) => JSON.parse(toJson(e)) as never));
  assert.ok(f, 'a key failure is found in the trace');
  assert.equal(f.alert, 'bad_record_mac');
  assert.equal(f.detectedBy, 'us');
  assert.match(f.summary, /first encrypted handshake record/);
  const names = f.implicated.map((i) => i.name);
  for (const n of ['server_handshake_traffic_secret', 'handshake_secret', 'shared_secret', 'server_handshake_traffic_secret transcript hash']) assert.ok(names.includes(n), `${n} implicated: ${names.join(', ')}`);
});

test('decrypt_error from the peer after our Finished (RFC 8446 section 4.4.4): our finished_key and the transcript hash are implicated', () => {
  const events = [
    { kind: 'handshake', side: 'client', dir: 'out', name: 'client_hello' }, { kind: 'handshake', side: 'client', dir: 'in', name: 'server_hello' },
    { kind: 'keys', side: 'client', dir: 'read', epoch: 'handshake' }, { kind: 'handshake', side: 'client', dir: 'in', name: 'encrypted_extensions' },
    { kind: 'handshake', side: 'client', dir: 'in', name: 'finished' }, { kind: 'keys', side: 'client', dir: 'write', epoch: 'handshake' },
    { kind: 'handshake', side: 'client', dir: 'out', name: 'finished' }, { kind: 'alert', side: 'client', dir: 'in', name: 'decrypt_error' },
  ];
  const f = keyFailureFromTrace(events)!;
  assert.equal(f.detectedBy, 'peer');
  assert.deepEqual(f.implicated.map((i) => i.name).slice(0, 2), ['client_handshake_traffic_secret.finished_key', 'client_handshake_traffic_secret.verify_data transcript hash']);
  assert.equal(keyFailureFromTrace(events.slice(0, -1)), undefined, 'no such alert, nothing implicated');
});

test('the recorder reads only TLS 1.3 HkdfLabels: an expand whose info is not one is not a step', () => {
  const rec = new KeyScheduleRecorder();
  const w = rec.wrapProvider(p);
  assert.equal(rec.wrapProvider(w), w, 'wrapping twice records once');
  w.hkdfExpand('sha256', new Uint8Array(32), Uint8Array.of(1, 2, 3), 16);
  assert.equal(rec.steps.length, 0);
  void GROUPS;
});
