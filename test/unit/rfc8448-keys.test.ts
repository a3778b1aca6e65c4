// RFC 8448 ("Example Handshake Traces for TLS 1.3") reproduced byte for byte by our own modules: the key
// exchange (nobleProvider().keyExchange with the trace's private keys injected through `random`), every secret
// of the TLS 1.3 key schedule (engine/handshake/tls13/key-schedule.ts) together with the HkdfLabel `info` bytes
// the RFC prints, the transcript hashes (engine/handshake/transcript.ts), the Finished verify_data and the PSK
// binder, the record protection (engine/record/protect13.ts, split by engine/record/framer.ts), and the
// CertificateVerify signatures of the trace checked over the content our transcript gives.
// Sections 3 (Simple 1-RTT), 4 (Resumed 0-RTT), 5 (HelloRetryRequest) and 6 (Client Authentication); the
// values come from test/fixtures/rfc8448/*.txt (hex blocks copied from the RFC with their step lines).
// Every test is named after the RFC section and the step line ("{server}  derive secret ...") it reproduces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { GROUPS, nobleProvider } from '../../engine/crypto/noble';
import type { CryptoProvider, HashName } from '../../engine/crypto/provider';
import { certificateVerifyContent } from '../../engine/handshake/tls13/common';
import {
  deriveSecret,
  EarlySecret,
  finishedVerifyData,
  resumptionPsk,
  trafficKeys,
  type HandshakeSecret,
  type MasterSecret,
  type SecretLabel,
} from '../../engine/handshake/tls13/key-schedule';
import { Transcript } from '../../engine/handshake/transcript';
import { decodeHandshake, encodeMessageHash, truncateForBinders, type Handshake } from '../../engine/msgs/handshake';
import { CT, RecordFramer } from '../../engine/record/framer';
import { Tls13Protector } from '../../engine/record/protect13';
import { toHex } from '../../engine/util/hex';
import { certificateSpki } from '../../engine/x509/certificate';
import { load, type Fixture } from './rfc8448-fixture';

// Every trace negotiates TLS_AES_128_GCM_SHA256 (RFC 8446 Appendix B.4): SHA-256, 16-byte key, 12-byte IV.
const H: HashName = 'sha256';
const KEY_LEN = 16;
const IV_LEN = 12;
const p = nobleProvider();
const ZEROS = new Uint8Array(32);
const EMPTY_HASH = p.hash(H).digest(new Uint8Array(0));

// --- helpers --------------------------------------------------------------------------------------------------------

function eqHex(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(toHex(actual), toHex(expected), what);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let off = 0;
  for (const x of parts) {
    out.set(x, off);
    off += x.length;
  }
  return out;
}

/** The test names quote the RFC's step line with its double spaces folded. */
function stepName(step: string): string {
  return step.replace(/\s+/g, ' ').replace(/:$/, '');
}

/** A provider whose random source hands out the given byte strings in order (the RFC's private keys). */
function scripted(...chunks: Uint8Array[]): CryptoProvider {
  const queue = [...chunks];
  return nobleProvider({
    random: (n) => {
      const next = queue.shift();
      if (!next) throw new Error('scripted randomness exhausted');
      assert.equal(next.length, n, 'scripted randomness has the requested length');
      return next;
    },
  });
}

interface Spy {
  p: CryptoProvider;
  expands: { prk: Uint8Array; info: Uint8Array; length: number; out: Uint8Array }[];
  extracts: { salt: Uint8Array; ikm: Uint8Array; out: Uint8Array }[];
}

/** The noble provider, recording each HKDF call: the RFC prints the HKDF inputs (salt, IKM, info) too. */
function spy(): Spy {
  const s: Spy = { p: { ...p }, expands: [], extracts: [] };
  s.p.hkdfExpand = (hash, prk, info, length) => {
    const out = p.hkdfExpand(hash, prk, info, length);
    s.expands.push({ prk: prk.slice(), info: info.slice(), length, out: out.slice() });
    return out;
  };
  s.p.hkdfExtract = (hash, salt, ikm) => {
    const out = p.hkdfExtract(hash, salt, ikm);
    s.extracts.push({ salt: salt.slice(), ikm: ikm.slice(), out: out.slice() });
    return out;
  };
  return s;
}

function decodeAs<T extends Handshake['type']>(raw: Uint8Array, type: T): Extract<Handshake, { type: T }> {
  const m = decodeHandshake(raw, { version: 'tls13' });
  assert.equal(m.type, type);
  return m as Extract<Handshake, { type: T }>;
}

// --- the four traces --------------------------------------------------------------------------------------------------

type Phase = 'early' | 'handshake' | 'application';

interface RecordStep {
  /** Step line of the record, and which of the blocks labelled `complete record` under such steps it is. */
  step: string;
  nth: number;
  side: 'client' | 'server';
  phase: Phase;
  type: number;
}

interface Trace {
  section: '3' | '4' | '5' | '6';
  fx: Fixture;
  /** Handshake messages in transcript order; with a HelloRetryRequest, `CH1` and `HRR` come first. */
  msgs: [string, Uint8Array][];
  group: number;
  /** Step lines of the two key pairs used for the (EC)DHE shared secret. */
  kx: { client: string; server: string };
  psk?: () => Uint8Array;
  /** Step lines of the traffic key derivations and the secret each one expands. */
  keySteps: [string, 'chs' | 'shs' | 'cap' | 'sap' | 'cets'][];
  records: RecordStep[];
}

const s3 = load('simple-1rtt.txt');
const s4 = load('resumed-0rtt.txt');
const s5 = load('hello-retry-request.txt');
const s6 = load('client-auth.txt');

const EE = '{server}  construct an EncryptedExtensions';
const SCERT = '{server}  construct a Certificate handshake';
const SCV = '{server}  construct a CertificateVerify';
const SFIN = '{server}  construct a Finished';
const CFIN = '{client}  construct a Finished';
const SREC = '{server}  send handshake record';
const CREC = '{client}  send handshake record';
const CAPP = '{client}  send application_data record';
const SAPP = '{server}  send application_data record';
const CALERT = '{client}  send alert record';
const SALERT = '{server}  send alert record';

const FULL_KEY_STEPS: Trace['keySteps'] = [
  ['{server}  derive write traffic keys for handshake data', 'shs'],
  ['{server}  derive read traffic keys for handshake data', 'chs'],
  ['{server}  derive write traffic keys for application data', 'sap'],
  ['{client}  derive write traffic keys for application data', 'cap'],
];

const S3: Trace = {
  section: '3',
  fx: s3,
  msgs: [
    ['CH', s3('{client}  construct a ClientHello', 'ClientHello')],
    ['SH', s3('{server}  construct a ServerHello', 'ServerHello')],
    ['EE', s3(EE, 'EncryptedExtensions')],
    ['Cert', s3(SCERT, 'Certificate')],
    ['CV', s3(SCV, 'CertificateVerify')],
    ['sFin', s3(SFIN, 'Finished')],
    ['cFin', s3(CFIN, 'Finished')],
  ],
  group: GROUPS.x25519,
  kx: { client: '{client}  create an ephemeral x25519 key pair', server: '{server}  create an ephemeral x25519 key pair' },
  keySteps: FULL_KEY_STEPS,
  // The fixture leaves out the ServerHello's plaintext record, so the server's encrypted flight is #0.
  records: [
    { step: SREC, nth: 0, side: 'server', phase: 'handshake', type: CT.handshake },
    { step: CREC, nth: 1, side: 'client', phase: 'handshake', type: CT.handshake },
    { step: SREC, nth: 1, side: 'server', phase: 'application', type: CT.handshake },
    { step: CAPP, nth: 0, side: 'client', phase: 'application', type: CT.application_data },
    { step: SAPP, nth: 0, side: 'server', phase: 'application', type: CT.application_data },
    { step: CALERT, nth: 0, side: 'client', phase: 'application', type: CT.alert },
    { step: SALERT, nth: 0, side: 'server', phase: 'application', type: CT.alert },
  ],
};

const S4: Trace = {
  section: '4',
  fx: s4,
  msgs: [
    ['CH', s4(CREC, 'payload', 0)], // with its binder; "construct a ClientHello" prints the truncated one
    ['SH', s4('{server}  construct a ServerHello', 'ServerHello')],
    ['EE', s4(EE, 'EncryptedExtensions')],
    ['sFin', s4(SFIN, 'Finished')],
    ['EOED', s4('{client}  construct an EndOfEarlyData', 'EndOfEarlyData')],
    ['cFin', s4(CFIN, 'Finished')],
  ],
  group: GROUPS.x25519,
  kx: { client: '{client}  create an ephemeral x25519 key pair', server: '{server}  create an ephemeral x25519 key pair' },
  // The PSK of the section 3 ticket, from our section 3 schedule.
  psk: () => {
    const nst = decodeAs(s3('{server}  construct a NewSessionTicket', 'NewSessionTicket'), 'new_session_ticket');
    return resumptionPsk(p, H, schedule(S3).res, nst.ticketNonce);
  },
  keySteps: [
    ['{client}  derive write traffic keys for early application data', 'cets'],
    ['{server}  derive write traffic keys for handshake data', 'shs'],
    ['{server}  derive write traffic keys for application data', 'sap'],
    ['{client}  derive write traffic keys for handshake data', 'chs'],
    ['{client}  derive write traffic keys for application data', 'cap'],
  ],
  records: [
    { step: CAPP, nth: 0, side: 'client', phase: 'early', type: CT.application_data },
    { step: SREC, nth: 1, side: 'server', phase: 'handshake', type: CT.handshake },
    { step: CREC, nth: 1, side: 'client', phase: 'early', type: CT.handshake }, // EndOfEarlyData
    { step: CREC, nth: 2, side: 'client', phase: 'handshake', type: CT.handshake },
    { step: CAPP, nth: 1, side: 'client', phase: 'application', type: CT.application_data },
    { step: SAPP, nth: 0, side: 'server', phase: 'application', type: CT.application_data },
    { step: CALERT, nth: 0, side: 'client', phase: 'application', type: CT.alert },
    { step: SALERT, nth: 0, side: 'server', phase: 'application', type: CT.alert },
  ],
};

const S5: Trace = {
  section: '5',
  fx: s5,
  msgs: [
    ['CH1', s5('{client}  construct a ClientHello', 'ClientHello', 0)],
    ['HRR', s5('{server}  construct a ServerHello', 'ServerHello', 0)],
    ['CH2', s5('{client}  construct a ClientHello', 'ClientHello', 1)],
    ['SH', s5('{server}  construct a ServerHello', 'ServerHello', 1)],
    ['EE', s5(EE, 'EncryptedExtensions')],
    ['Cert', s5(SCERT, 'Certificate')],
    ['CV', s5(SCV, 'CertificateVerify')],
    ['sFin', s5(SFIN, 'Finished')],
    ['cFin', s5(CFIN, 'Finished')],
  ],
  group: GROUPS.secp256r1,
  kx: { client: '{client}  create an ephemeral P-256 key pair', server: '{server}  create an ephemeral P-256 key pair' },
  keySteps: FULL_KEY_STEPS,
  records: [
    { step: SREC, nth: 2, side: 'server', phase: 'handshake', type: CT.handshake },
    { step: CREC, nth: 2, side: 'client', phase: 'handshake', type: CT.handshake },
    { step: CALERT, nth: 0, side: 'client', phase: 'application', type: CT.alert },
    { step: SALERT, nth: 0, side: 'server', phase: 'application', type: CT.alert },
  ],
};

const S6: Trace = {
  section: '6',
  fx: s6,
  msgs: [
    ['CH', s6('{client}  construct a ClientHello', 'ClientHello')],
    ['SH', s6('{server}  construct a ServerHello', 'ServerHello')],
    ['EE', s6(EE, 'EncryptedExtensions')],
    ['CR', s6('{server}  construct a CertificateRequest', 'CertificateRequest')],
    ['Cert', s6(SCERT, 'Certificate')],
    ['CV', s6(SCV, 'CertificateVerify')],
    ['sFin', s6(SFIN, 'Finished')],
    ['cCert', s6('{client}  construct a Certificate handshake', 'Certificate')],
    ['cCV', s6('{client}  construct a CertificateVerify', 'CertificateVerify')],
    ['cFin', s6(CFIN, 'Finished')],
  ],
  group: GROUPS.x25519,
  kx: { client: '{client}  create an ephemeral x25519 key pair', server: '{server}  create an ephemeral x25519 key pair' },
  keySteps: FULL_KEY_STEPS,
  records: [
    { step: SREC, nth: 1, side: 'server', phase: 'handshake', type: CT.handshake },
    { step: CREC, nth: 1, side: 'client', phase: 'handshake', type: CT.handshake },
    { step: CALERT, nth: 0, side: 'client', phase: 'application', type: CT.alert },
    { step: SALERT, nth: 0, side: 'server', phase: 'application', type: CT.alert },
  ],
};

const MSG_NAMES: Record<string, string> = {
  CH: 'ClientHello', CH1: 'ClientHello1', HRR: 'HelloRetryRequest', CH2: 'ClientHello2', SH: 'ServerHello',
  EE: 'EncryptedExtensions', CR: 'CertificateRequest', Cert: 'Certificate', CV: 'CertificateVerify',
  sFin: 'server Finished', EOED: 'EndOfEarlyData', cCert: 'client Certificate', cCV: 'client CertificateVerify',
  cFin: 'client Finished',
};

/** "ClientHello..ServerHello" for the test names; after a HelloRetryRequest the transcript starts with message_hash. */
function span(t: Trace, last: string, opts: { inclusive?: boolean } = {}): string {
  const i = t.msgs.findIndex(([n]) => n === last) - (opts.inclusive ?? true ? 0 : 1);
  return `${t.msgs[0]![0] === 'CH1' ? 'message_hash' : 'ClientHello'}..${MSG_NAMES[t.msgs[i]![0]]}`;
}

function msg(t: Trace, name: string): Uint8Array {
  const m = t.msgs.find(([n]) => n === name);
  assert.ok(m, `section ${t.section} has no message ${name}`);
  return m[1];
}

/**
 * Transcript-Hash with our Transcript: the messages up to `last` (or up to, not including, it). The hash is
 * chosen once the ServerHello (or HelloRetryRequest) is in, as the engine does; after a HelloRetryRequest,
 * ClientHello1 is replaced by message_hash before the HelloRetryRequest is added (RFC 8446 section 4.4.1).
 */
function transcriptHash(t: Trace, last: string, opts: { inclusive?: boolean } = {}): Uint8Array {
  const inclusive = opts.inclusive ?? true;
  assert.ok(t.msgs.some(([n]) => n === last), `section ${t.section} has no message ${last}`);
  const tr = new Transcript(p);
  for (const [name, raw] of t.msgs) {
    if (name === last && !inclusive) break;
    if (name === 'HRR') {
      tr.setHash(H);
      tr.replaceWithMessageHash();
    }
    tr.add(raw);
    if (name === 'SH' || name === 'HRR') tr.setHash(H);
    if (name === last) break;
  }
  tr.setHash(H);
  return tr.hash();
}

/** The same hash by node:crypto over the concatenated bytes, message_hash built by hand: an independent check. */
function referenceHash(t: Trace, last: string, opts: { inclusive?: boolean } = {}): Uint8Array {
  const inclusive = opts.inclusive ?? true;
  const h = createHash('sha256');
  for (const [name, raw] of t.msgs) {
    if (name === last && !inclusive) break;
    if (name === 'CH1') {
      const ch1Hash = createHash('sha256').update(raw).digest();
      h.update(Uint8Array.from([254, 0, 0, 32])).update(ch1Hash);
    } else h.update(raw);
    if (name === last) break;
  }
  return new Uint8Array(h.digest());
}

// --- the schedule, computed once per trace from the key exchange up ------------------------------------------------

function keyExchange(t: Trace) {
  const client = scripted(t.fx(t.kx.client, 'private key')).keyExchange(t.group);
  const server = scripted(t.fx(t.kx.server, 'private key')).keyExchange(t.group);
  assert.ok(client && server, `group ${t.group} is implemented`);
  const { share: clientShare, secret } = client.start();
  const { share: serverShare, sharedSecret: serverShared } = server.respond(clientShare);
  const clientShared = client.finish(secret, serverShare);
  return { clientShare, serverShare, clientShared, serverShared };
}

interface Schedule {
  early: EarlySecret;
  hs: HandshakeSecret;
  ms: MasterSecret;
  cets?: Uint8Array;
  eems?: Uint8Array;
  chs: Uint8Array;
  shs: Uint8Array;
  cap: Uint8Array;
  sap: Uint8Array;
  exp: Uint8Array;
  res: Uint8Array;
  logged: Map<SecretLabel, string>;
}

const schedules = new Map<Trace, Schedule>();

function schedule(t: Trace): Schedule {
  let s = schedules.get(t);
  if (s) return s;
  const logged = new Map<SecretLabel, string>();
  const early = new EarlySecret(p, H, t.psk?.(), (label, secret) => {
    assert.ok(!logged.has(label), `${label} is reported once`);
    logged.set(label, toHex(secret));
  });
  let cets: Uint8Array | undefined;
  let eems: Uint8Array | undefined;
  if (t.psk) {
    const chHash = transcriptHash(t, 'CH');
    cets = early.clientEarlyTrafficSecret(chHash);
    eems = early.earlyExporterMasterSecret(chHash);
  }
  const hs = early.next(keyExchange(t).clientShared);
  const chSh = transcriptHash(t, 'SH');
  const chs = hs.clientHandshakeTrafficSecret(chSh);
  const shs = hs.serverHandshakeTrafficSecret(chSh);
  const ms = hs.next();
  const toServerFinished = transcriptHash(t, 'sFin');
  const cap = ms.clientApplicationTrafficSecret(toServerFinished);
  const sap = ms.serverApplicationTrafficSecret(toServerFinished);
  const exp = ms.exporterMasterSecret(toServerFinished);
  const res = ms.resumptionMasterSecret(transcriptHash(t, 'cFin'));
  s = { early, hs, ms, cets, eems, chs, shs, cap, sap, exp, res, logged };
  schedules.set(t, s);
  return s;
}

const SECRET_NAMES = {
  cets: 'client_early_traffic_secret',
  chs: 'client_handshake_traffic_secret',
  shs: 'server_handshake_traffic_secret',
  cap: 'client_application_traffic_secret_0',
  sap: 'server_application_traffic_secret_0',
} as const;

function phaseSecret(s: Schedule, side: 'client' | 'server', phase: Phase): Uint8Array {
  if (phase === 'early') {
    assert.ok(side === 'client' && s.cets, 'only the client sends early data');
    return s.cets;
  }
  if (phase === 'handshake') return side === 'client' ? s.chs : s.shs;
  return side === 'client' ? s.cap : s.sap;
}

function protector(s: Schedule, side: 'client' | 'server', phase: Phase): Tls13Protector {
  const { key, iv } = trafficKeys(p, H, phaseSecret(s, side, phase), KEY_LEN, IV_LEN);
  return new Tls13Protector(p.aead('AES-128-GCM'), key, iv);
}

// --- step checks ------------------------------------------------------------------------------------------------------

/** A `derive secret` step: PRK, hash (the context), info (the HkdfLabel) and expanded, against deriveSecret and our stage. */
function checkDerive(fx: Fixture, step: string, label: string, prk: Uint8Array, context: Uint8Array, fromStage: Uint8Array): void {
  eqHex(prk, fx(step, 'PRK'), 'PRK: the secret our schedule derives from');
  eqHex(context, fx(step, 'hash'), 'hash: the transcript hash our Transcript gives');
  const sp = spy();
  const out = deriveSecret(sp.p, H, fx(step, 'PRK'), label, fx(step, 'hash'));
  assert.equal(sp.expands.length, 1);
  eqHex(sp.expands[0]!.info, fx(step, 'info'), 'info: the HkdfLabel expandLabel builds');
  eqHex(out, fx(step, 'expanded'), 'expanded: deriveSecret on the RFC inputs');
  eqHex(fromStage, fx(step, 'expanded'), 'expanded: the secret our key schedule stage derives');
}

/** A `derive ... traffic keys` step: PRK, key info / key expanded, iv info / iv expanded. */
function checkKeys(fx: Fixture, step: string, secret: Uint8Array): void {
  eqHex(secret, fx(step, 'PRK'), 'PRK: the traffic secret from our schedule');
  const sp = spy();
  const { key, iv } = trafficKeys(sp.p, H, secret, KEY_LEN, IV_LEN);
  assert.equal(sp.expands.length, 2);
  eqHex(sp.expands[0]!.info, fx(step, 'key info'), 'key info');
  eqHex(key, fx(step, 'key expanded'), 'key expanded: the write key');
  eqHex(sp.expands[1]!.info, fx(step, 'iv info'), 'iv info');
  eqHex(iv, fx(step, 'iv expanded'), 'iv expanded: the write IV');
}

/** A `calculate finished` step (or the PSK binder, built the same way): PRK, info, expanded (finished_key), finished. */
function checkFinished(fx: Fixture, step: string, baseKey: Uint8Array, context: Uint8Array): Uint8Array {
  eqHex(baseKey, fx(step, 'PRK'), 'PRK: the base key from our schedule');
  const sp = spy();
  const verifyData = finishedVerifyData(sp.p, H, baseKey, context);
  assert.equal(sp.expands.length, 1);
  eqHex(sp.expands[0]!.info, fx(step, 'info'), 'info: HkdfLabel "tls13 finished" with an empty context');
  eqHex(sp.expands[0]!.out, fx(step, 'expanded'), 'expanded: finished_key');
  eqHex(verifyData, fx(step, 'finished'), 'finished: HMAC(finished_key, transcript hash)');
  return verifyData;
}

/** An `extract secret` step: the HKDF-Extract our stage performs, by its salt (when printed), IKM and output. */
function checkExtract(fx: Fixture, step: string, sp: Spy, stageSecret: Uint8Array, zeroSalt: boolean): void {
  const call = sp.extracts.at(-1);
  assert.ok(call, 'the stage ran HKDF-Extract');
  if (zeroSalt) eqHex(call.salt, ZEROS, 'salt: 0 (all zero octets)');
  else eqHex(call.salt, fx(step, 'salt'), 'salt: the "derived" secret');
  eqHex(call.ikm, fx(step, 'IKM'), 'IKM');
  eqHex(call.out, fx(step, 'secret'), 'secret: HKDF-Extract output');
  eqHex(stageSecret, fx(step, 'secret'), 'secret: held by our key schedule stage');
}

// --- the tests every trace shares -------------------------------------------------------------------------------------

function scheduleTests(t: Trace): void {
  const { fx } = t;
  const sec = `RFC 8448 Section ${t.section}`;
  const groupName = t.group === GROUPS.x25519 ? 'x25519' : 'secp256r1';
  const earlyStep = t.psk ? '{client}  extract secret "early"' : '{server}  extract secret "early"';

  test(`${sec}, ${stepName(t.kx.client)} / ${stepName(t.kx.server)}: keyExchange(${t.group}) with the RFC's private keys injected through random gives the RFC's public keys and, on both sides, the IKM of {server} extract secret "handshake"`, () => {
    const r = keyExchange(t);
    eqHex(r.clientShare, fx(t.kx.client, 'public key'), `client ${groupName} public key`);
    eqHex(r.serverShare, fx(t.kx.server, 'public key'), `server ${groupName} public key`);
    eqHex(r.clientShared, fx('{server}  extract secret "handshake"', 'IKM'), 'client shared secret');
    eqHex(r.serverShared, fx('{server}  extract secret "handshake"', 'IKM'), 'server shared secret');
  });

  test(`${sec}, ${stepName(earlyStep)}: EarlySecret = HKDF-Extract(0, ${t.psk ? 'PSK' : '0'})`, () => {
    const sp = spy();
    const early = new EarlySecret(sp.p, H, t.psk?.());
    if (!t.psk) eqHex(fx(earlyStep, 'IKM'), ZEROS, 'IKM: no PSK, 32 zero octets');
    checkExtract(fx, earlyStep, sp, early.exposeForTrace(), true);
    eqHex(schedule(t).early.exposeForTrace(), fx(earlyStep, 'secret'), 'the schedule early secret');
  });

  test(`${sec}, {server} derive secret for handshake "tls13 derived": Derive-Secret(early secret, "derived", "")`, () => {
    const step = '{server}  derive secret for handshake "tls13 derived"';
    const early = schedule(t).early.exposeForTrace();
    checkDerive(fx, step, 'derived', early, EMPTY_HASH, deriveSecret(p, H, early, 'derived', EMPTY_HASH));
  });

  test(`${sec}, {server} extract secret "handshake": EarlySecret.next(shared secret) extracts with the derived salt`, () => {
    const sp = spy();
    const hs = new EarlySecret(sp.p, H, t.psk?.()).next(keyExchange(t).serverShared);
    checkExtract(fx, '{server}  extract secret "handshake"', sp, hs.exposeForTrace(), false);
    eqHex(sp.extracts.at(-1)!.salt, fx('{server}  derive secret for handshake "tls13 derived"', 'expanded'), 'the salt is the "tls13 derived" output');
    eqHex(schedule(t).hs.exposeForTrace(), fx('{server}  extract secret "handshake"', 'secret'), 'the schedule handshake secret');
  });

  test(`${sec}, {server} derive secret "tls13 c hs traffic": over Transcript-Hash(${span(t, 'SH')})`, () => {
    const s = schedule(t);
    checkDerive(fx, '{server}  derive secret "tls13 c hs traffic"', 'c hs traffic', s.hs.exposeForTrace(), transcriptHash(t, 'SH'), s.chs);
  });

  test(`${sec}, {server} derive secret "tls13 s hs traffic": over Transcript-Hash(${span(t, 'SH')})`, () => {
    const s = schedule(t);
    checkDerive(fx, '{server}  derive secret "tls13 s hs traffic"', 's hs traffic', s.hs.exposeForTrace(), transcriptHash(t, 'SH'), s.shs);
  });

  test(`${sec}, {server} derive secret for master "tls13 derived": Derive-Secret(handshake secret, "derived", "")`, () => {
    const hs = schedule(t).hs.exposeForTrace();
    checkDerive(fx, '{server}  derive secret for master "tls13 derived"', 'derived', hs, EMPTY_HASH, deriveSecret(p, H, hs, 'derived', EMPTY_HASH));
  });

  test(`${sec}, {server} extract secret "master": HandshakeSecret.next() extracts 0 with the derived salt`, () => {
    const sp = spy();
    const ms = new EarlySecret(sp.p, H, t.psk?.()).next(keyExchange(t).serverShared).next();
    checkExtract(fx, '{server}  extract secret "master"', sp, ms.exposeForTrace(), false);
    eqHex(fx('{server}  extract secret "master"', 'IKM'), ZEROS, 'IKM: 32 zero octets');
    eqHex(schedule(t).ms.exposeForTrace(), fx('{server}  extract secret "master"', 'secret'), 'the schedule master secret');
  });

  for (const [step, which] of t.keySteps) {
    test(`${sec}, ${stepName(step)}: trafficKeys(${SECRET_NAMES[which]}) gives the key and IV`, () => {
      const s = schedule(t);
      const secret = which === 'cets' ? s.cets : s[which];
      assert.ok(secret);
      checkKeys(fx, step, secret);
    });
  }

  test(`${sec}, {server} calculate finished "tls13 finished": server verify_data over Transcript-Hash(${span(t, 'sFin', { inclusive: false })})`, () => {
    const s = schedule(t);
    const vd = checkFinished(fx, '{server}  calculate finished', s.shs, transcriptHash(t, 'sFin', { inclusive: false }));
    eqHex(decodeAs(msg(t, 'sFin'), 'finished').verifyData, vd, '{server} construct a Finished: verify_data');
  });

  for (const [label, key] of [['c ap traffic', 'cap'], ['s ap traffic', 'sap'], ['exp master', 'exp']] as const) {
    test(`${sec}, {server} derive secret "tls13 ${label}": over Transcript-Hash(${span(t, 'sFin')})`, () => {
      const s = schedule(t);
      checkDerive(fx, `{server}  derive secret "tls13 ${label}"`, label, s.ms.exposeForTrace(), transcriptHash(t, 'sFin'), s[key]);
    });
  }

  test(`${sec}, {client} calculate finished "tls13 finished": client verify_data over Transcript-Hash(${span(t, 'cFin', { inclusive: false })})`, () => {
    const s = schedule(t);
    const vd = checkFinished(fx, '{client}  calculate finished', s.chs, transcriptHash(t, 'cFin', { inclusive: false }));
    eqHex(decodeAs(msg(t, 'cFin'), 'finished').verifyData, vd, '{client} construct a Finished: verify_data');
  });

  test(`${sec}, {client} derive secret "tls13 res master": over Transcript-Hash(${span(t, 'cFin')})`, () => {
    const s = schedule(t);
    checkDerive(fx, '{client}  derive secret "tls13 res master"', 'res master', s.ms.exposeForTrace(), transcriptHash(t, 'cFin'), s.res);
  });

  test(`${sec}: each secret with a key log label reaches onSecret once, with the RFC's value`, () => {
    const expected: Partial<Record<SecretLabel, string>> = {
      CLIENT_HANDSHAKE_TRAFFIC_SECRET: toHex(fx('{server}  derive secret "tls13 c hs traffic"', 'expanded')),
      SERVER_HANDSHAKE_TRAFFIC_SECRET: toHex(fx('{server}  derive secret "tls13 s hs traffic"', 'expanded')),
      CLIENT_TRAFFIC_SECRET_0: toHex(fx('{server}  derive secret "tls13 c ap traffic"', 'expanded')),
      SERVER_TRAFFIC_SECRET_0: toHex(fx('{server}  derive secret "tls13 s ap traffic"', 'expanded')),
      EXPORTER_SECRET: toHex(fx('{server}  derive secret "tls13 exp master"', 'expanded')),
    };
    if (t.psk) {
      expected.CLIENT_EARLY_TRAFFIC_SECRET = toHex(fx('{client}  derive secret "tls13 c e traffic"', 'expanded'));
      expected.EARLY_EXPORTER_MASTER_SECRET = toHex(fx('{client}  derive secret "tls13 e exp master"', 'expanded'));
    }
    assert.deepEqual(Object.fromEntries(schedule(t).logged), expected);
  });

  test(`${sec}: our Transcript equals SHA-256 (node:crypto) over the concatenated messages after each message${t.msgs[0]![0] === 'CH1' ? ', ClientHello1 as message_hash' : ''}`, () => {
    for (const [name] of t.msgs) {
      if (name === 'CH1') continue; // before the HelloRetryRequest the transcript is the bare ClientHello1
      eqHex(transcriptHash(t, name), referenceHash(t, name), `through ${name}`);
    }
  });

  t.records.forEach((r, i) => {
    const seq = t.records.slice(0, i).filter((o) => o.side === r.side && o.phase === r.phase).length;
    const what = r.type === CT.alert ? 'alert' : r.type === CT.handshake ? 'handshake' : 'application_data';
    test(`${sec}, ${stepName(r.step)} (#${r.nth}): sealing the payload as ${what} under the ${r.side} ${r.phase} traffic key at sequence ${seq} gives the complete record, and opening it gives the payload`, () => {
      const s = schedule(t);
      const payload = fx(r.step, 'payload', r.nth);
      const record = fx(r.step, 'complete record', r.nth);
      const sealer = protector(s, r.side, r.phase);
      sealer.seq = BigInt(seq);
      eqHex(sealer.seal(r.type, payload), record, 'sealed record');
      const framer = new RecordFramer();
      framer.push(record);
      const rec = framer.next();
      assert.ok(rec, 'the framer returns the record');
      assert.equal(framer.pendingBytes, 0);
      const opener = protector(s, r.side, r.phase);
      opener.seq = BigInt(seq);
      const opened = opener.open(rec);
      assert.equal(opened.type, r.type, 'inner content type');
      assert.equal(opened.padding, 0, 'no padding');
      assert.equal(opened.seq, BigInt(seq));
      eqHex(opened.content, payload, 'opened payload');
    });
  });
}

// --- Section 3: Simple 1-RTT Handshake ----------------------------------------------------------------------------------

scheduleTests(S3);

test('RFC 8448 Section 3, {server} send handshake record: EncryptedExtensions, Certificate, CertificateVerify and Finished sealed as one record with the server handshake key are the 679-byte record', () => {
  const payload = concat(msg(S3, 'EE'), msg(S3, 'Cert'), msg(S3, 'CV'), msg(S3, 'sFin'));
  eqHex(payload, s3(SREC, 'payload', 0), 'the record payload is the four messages');
  eqHex(protector(schedule(S3), 'server', 'handshake').seal(CT.handshake, payload), s3(SREC, 'complete record', 0), 'complete record');
});

test('RFC 8448 Section 3, the records each side sends, concatenated and cut into 7-byte pieces, come out of RecordFramer and Tls13Protector.open as the RFC payloads (server: flight, NewSessionTicket, data, alert; client: Finished, data, alert)', () => {
  const s = schedule(S3);
  for (const side of ['server', 'client'] as const) {
    const records = S3.records.filter((r) => r.side === side);
    const stream = concat(...records.map((r) => s3(r.step, 'complete record', r.nth)));
    const framer = new RecordFramer();
    const protectors = { handshake: protector(s, side, 'handshake'), application: protector(s, side, 'application') };
    const got: string[] = [];
    for (let off = 0; off < stream.length; off += 7) {
      framer.push(stream.subarray(off, off + 7));
      for (let rec = framer.next(); rec; rec = framer.next()) {
        const r = records[got.length]!;
        const opened = protectors[r.phase as 'handshake' | 'application'].open(rec);
        assert.equal(opened.type, r.type);
        got.push(toHex(opened.content));
      }
    }
    assert.equal(framer.pendingBytes, 0);
    assert.deepEqual(got, records.map((r) => toHex(s3(r.step, 'payload', r.nth))), `${side} records`);
    assert.equal(protectors.application.seq, BigInt(records.filter((r) => r.phase === 'application').length));
  }
});

test('RFC 8448 Section 3, {server} send alert record: a record sealed under the client key, or a changed byte, does not open (bad_record_mac)', () => {
  const s = schedule(S3);
  const record = s3(SALERT, 'complete record');
  const wrongKey = protector(s, 'client', 'application');
  wrongKey.seq = 2n;
  const framer = new RecordFramer();
  framer.push(record);
  assert.throws(() => wrongKey.open(framer.next()!), /does not decrypt/);
  const changed = record.slice();
  changed[10]! ^= 1;
  framer.push(changed);
  const right = protector(s, 'server', 'application');
  right.seq = 2n;
  assert.throws(() => right.open(framer.next()!), /does not decrypt/);
});

test('RFC 8448 Section 3, {server} generate resumption secret "tls13 resumption": resumptionPsk(resumption master secret, ticket_nonce of the NewSessionTicket)', () => {
  const step = '{server}  generate resumption secret "tls13 resumption"';
  const nst = decodeAs(s3('{server}  construct a NewSessionTicket', 'NewSessionTicket'), 'new_session_ticket');
  eqHex(nst.ticketNonce, s3(step, 'hash'), 'hash: the ticket nonce is the context');
  const res = schedule(S3).res;
  eqHex(res, s3(step, 'PRK'), 'PRK: our resumption master secret');
  const sp = spy();
  const psk = resumptionPsk(sp.p, H, res, nst.ticketNonce);
  eqHex(sp.expands[0]!.info, s3(step, 'info'), 'info');
  eqHex(psk, s3(step, 'expanded'), 'expanded: the PSK');
  eqHex(psk, s4('{client}  extract secret "early"', 'IKM'), 'the PSK section 4 resumes with');
});

test('RFC 8448 Section 3, {server} construct a CertificateVerify handshake message: the rsa_pss_rsae_sha256 signature verifies over certificateVerifyContent("server", Transcript-Hash(ClientHello..Certificate)) under the certificate SPKI', () => {
  const cv = decodeAs(msg(S3, 'CV'), 'certificate_verify');
  const spki = certificateSpki(decodeAs(msg(S3, 'Cert'), 'certificate').certificateList[0]!.data);
  const content = certificateVerifyContent('server', transcriptHash(S3, 'Cert'));
  assert.equal(p.verify(cv.algorithm, spki, content, cv.signature), true);
  assert.equal(p.verify(cv.algorithm, spki, certificateVerifyContent('client', transcriptHash(S3, 'Cert')), cv.signature), false, 'not with the client context string');
});

// --- Section 4: Resumed 0-RTT Handshake ---------------------------------------------------------------------------------

scheduleTests(S4);

test('RFC 8448 Section 4, {client} calculate PSK binder: binderKey(res), Transcript.hashWith(truncateForBinders(ClientHello)) and finishedVerifyData give the binder the ClientHello carries', () => {
  const step = '{client}  calculate PSK binder';
  const ch = decodeAs(msg(S4, 'CH'), 'client_hello');
  const prefix = truncateForBinders(ch);
  eqHex(prefix, s4(step, 'ClientHello prefix'), 'ClientHello prefix');
  const tr = new Transcript(p);
  tr.setHash(H);
  const binderHash = tr.hashWith(prefix);
  eqHex(binderHash, s4(step, 'binder hash'), 'binder hash');
  const sp = spy();
  const binderKey = new EarlySecret(sp.p, H, S4.psk!()).binderKey(true);
  eqHex(sp.expands.at(-1)!.info, concat(Uint8Array.from([0, 32, 16]), new TextEncoder().encode('tls13 res binder'), Uint8Array.from([32]), EMPTY_HASH), 'binder key info: "tls13 res binder" over Hash("")');
  const binder = checkFinished(s4, step, binderKey, binderHash);
  eqHex(ch.ext.preSharedKey!.binders[0]!, binder, 'the binder in pre_shared_key');
  assert.notEqual(toHex(new EarlySecret(p, H, S4.psk!()).binderKey(false)), toHex(binderKey), 'an external PSK ("ext binder") gives another key');
});

test('RFC 8448 Section 4, {client} derive secret "tls13 c e traffic": over Transcript-Hash(ClientHello) with its binders', () => {
  const s = schedule(S4);
  checkDerive(s4, '{client}  derive secret "tls13 c e traffic"', 'c e traffic', s.early.exposeForTrace(), transcriptHash(S4, 'CH'), s.cets!);
});

test('RFC 8448 Section 4, {client} derive secret "tls13 e exp master": over Transcript-Hash(ClientHello)', () => {
  const s = schedule(S4);
  checkDerive(s4, '{client}  derive secret "tls13 e exp master"', 'e exp master', s.early.exposeForTrace(), transcriptHash(S4, 'CH'), s.eems!);
});

test('RFC 8448 Section 4, {server} send handshake record: EncryptedExtensions and Finished sealed as one record with the server handshake key are the 102-byte record', () => {
  const payload = concat(msg(S4, 'EE'), msg(S4, 'sFin'));
  eqHex(payload, s4(SREC, 'payload', 1), 'the record payload is the two messages');
  eqHex(protector(schedule(S4), 'server', 'handshake').seal(CT.handshake, payload), s4(SREC, 'complete record', 1), 'complete record');
});

test('RFC 8448 Section 4, {client} calculate finished "tls13 finished": the client Finished covers EndOfEarlyData (without it the verify_data differs)', () => {
  const s = schedule(S4);
  const withoutEoed = finishedVerifyData(p, H, s.chs, transcriptHash(S4, 'sFin'));
  assert.notEqual(toHex(withoutEoed), toHex(s4('{client}  calculate finished', 'finished')));
});

// --- Section 5: HelloRetryRequest -----------------------------------------------------------------------------------------

scheduleTests(S5);

test('RFC 8448 Section 5, {server} construct a ServerHello handshake message (the HelloRetryRequest): replaceWithMessageHash turns ClientHello1 into message_hash(Hash(ClientHello1)) and the transcript reaches the RFC "c hs traffic" hash', () => {
  const ch1 = msg(S5, 'CH1');
  const tr = new Transcript(p);
  tr.add(ch1);
  tr.setHash(H);
  eqHex(tr.hash(), p.hash(H).digest(ch1), 'Hash(ClientHello1)');
  tr.replaceWithMessageHash();
  const messageHash = encodeMessageHash({ type: 'message_hash', hash: p.hash(H).digest(ch1) });
  eqHex(messageHash.subarray(0, 4), Uint8Array.from([254, 0, 0, 32]), 'message_hash header');
  eqHex(tr.hash(), p.hash(H).digest(messageHash), 'the transcript now holds message_hash only');
  for (const name of ['HRR', 'CH2', 'SH']) tr.add(msg(S5, name));
  const hash = tr.hash();
  eqHex(hash, p.hash(H).digest(concat(messageHash, msg(S5, 'HRR'), msg(S5, 'CH2'), msg(S5, 'SH'))), 'message_hash, HelloRetryRequest, ClientHello2, ServerHello');
  eqHex(hash, s5('{server}  derive secret "tls13 c hs traffic"', 'hash'), 'the hash the RFC derives the handshake traffic secrets over');
  const plain = new Transcript(p);
  for (const name of ['CH1', 'HRR', 'CH2', 'SH']) plain.add(msg(S5, name));
  plain.setHash(H);
  assert.notEqual(toHex(plain.hash()), toHex(hash), 'without the replacement the hash differs');
});

test('RFC 8448 Section 5, {client} create an ephemeral x25519 key pair: the ClientHello1 share from the RFC private key (keyExchange(29).start)', () => {
  const client = scripted(s5('{client}  create an ephemeral x25519 key pair', 'private key')).keyExchange(GROUPS.x25519)!;
  const { share } = client.start();
  eqHex(share, s5('{client}  create an ephemeral x25519 key pair', 'public key'), 'public key');
  eqHex(decodeAs(msg(S5, 'CH1'), 'client_hello').ext.keyShare![0]!.keyExchange, share, 'the key_share of ClientHello1');
});

test('RFC 8448 Section 5, {server} construct a CertificateVerify handshake message: the signature verifies over Transcript-Hash(message_hash..Certificate)', () => {
  const cv = decodeAs(msg(S5, 'CV'), 'certificate_verify');
  const spki = certificateSpki(decodeAs(msg(S5, 'Cert'), 'certificate').certificateList[0]!.data);
  assert.equal(p.verify(cv.algorithm, spki, certificateVerifyContent('server', transcriptHash(S5, 'Cert')), cv.signature), true);
});

// --- Section 6: Client Authentication -------------------------------------------------------------------------------------

scheduleTests(S6);

test('RFC 8448 Section 6, {server} construct a CertificateVerify handshake message: Transcript-Hash(ClientHello..Certificate) is what the ecdsa_secp256r1_sha256 signature covers, under the server certificate SPKI', () => {
  const cv = decodeAs(msg(S6, 'CV'), 'certificate_verify');
  assert.equal(cv.algorithm, 0x0403);
  const spki = certificateSpki(decodeAs(msg(S6, 'Cert'), 'certificate').certificateList[0]!.data);
  const hash = transcriptHash(S6, 'Cert');
  eqHex(hash, referenceHash(S6, 'Cert'), 'our Transcript against node:crypto');
  assert.equal(p.verify(cv.algorithm, spki, certificateVerifyContent('server', hash), cv.signature), true);
  assert.equal(p.verify(cv.algorithm, spki, certificateVerifyContent('server', transcriptHash(S6, 'CR')), cv.signature), false, 'not over the transcript without the Certificate');
});

test('RFC 8448 Section 6, {client} construct a CertificateVerify handshake message: Transcript-Hash(ClientHello..client Certificate) is what the rsa_pss_rsae_sha256 signature covers, under the client certificate SPKI', () => {
  const cv = decodeAs(msg(S6, 'cCV'), 'certificate_verify');
  assert.equal(cv.algorithm, 0x0804);
  const spki = certificateSpki(decodeAs(msg(S6, 'cCert'), 'certificate').certificateList[0]!.data);
  const hash = transcriptHash(S6, 'cCert');
  eqHex(hash, referenceHash(S6, 'cCert'), 'our Transcript against node:crypto');
  const tr = new Transcript(p);
  for (const [, raw] of S6.msgs.slice(0, S6.msgs.findIndex(([n]) => n === 'cCert'))) tr.add(raw);
  tr.setHash(H);
  eqHex(tr.hashWith(msg(S6, 'cCert')), hash, 'Transcript.hashWith(client Certificate)');
  assert.equal(p.verify(cv.algorithm, spki, certificateVerifyContent('client', hash), cv.signature), true);
  assert.equal(p.verify(cv.algorithm, spki, certificateVerifyContent('server', hash), cv.signature), false, 'not with the server context string');
  assert.equal(p.verify(cv.algorithm, spki, certificateVerifyContent('client', transcriptHash(S6, 'sFin')), cv.signature), false, 'not without the client Certificate');
});

test('RFC 8448 Section 6, {client} send handshake record: Certificate, CertificateVerify and Finished sealed as one record with the client handshake key are the 645-byte record', () => {
  const payload = concat(msg(S6, 'cCert'), msg(S6, 'cCV'), msg(S6, 'cFin'));
  eqHex(payload, s6(CREC, 'payload', 1), 'the record payload is the three messages');
  eqHex(protector(schedule(S6), 'client', 'handshake').seal(CT.handshake, payload), s6(CREC, 'complete record', 1), 'complete record');
});
