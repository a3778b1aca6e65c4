// The key schedule of one connection as it was computed, for the key-schedule view (`tlslens connect --keyschedule`,
// the panel's Show Key Schedule). These are the session's secrets: a connection records them only when its config
// carries a recorder (`keySchedule`), which callers create only when the user asked. The recorder holds COPIES, so
// the connection still zeroes its own (util/wipe.ts); the recorder's `wipe()` zeroes the copies.
//
// TLS 1.3 (RFC 8446 section 7.1) is recorded where every value is made: the connection's CryptoProvider is wrapped
// so each HKDF-Extract, HKDF-Expand-Label (its HkdfLabel decoded: label, context, length) and the HMAC under a
// finished_key is noted with its inputs and output. Each output is named by where its input came from, so the view
// shows what the engine did, not a recomputation. TLS 1.2 and older (RFC 5246 section 8.1, 6.3; RFC 7627 section 4)
// are recorded by the state machines with master12() and keyBlock12().
import type { CryptoProvider, HashName } from '../crypto/provider';
import type { CipherSuite } from '../registry/suites';
import { toHex } from '../util/hex';
import type { KeyBlock } from './tls12/prf';

/** One HKDF or HMAC call of the TLS 1.3 key schedule, with copies of its inputs and output. */
export interface KeyStep {
  op: 'HKDF-Extract' | 'HKDF-Expand-Label' | 'HMAC';
  /** What the output is: `handshake_secret`, `client_handshake_traffic_secret`, `server_handshake_traffic_secret.key`... */
  name: string;
  hash: HashName;
  /** HKDF-Extract: the salt and the input keying material. */
  salt?: Uint8Array;
  ikm?: Uint8Array;
  /** HKDF-Expand-Label and HMAC: the secret (or key) expanded, by name, and its bytes. */
  from?: string;
  secret?: Uint8Array;
  /** HKDF-Expand-Label: the label without "tls13 ", the context (a transcript hash for Derive-Secret), the length. */
  label?: string;
  context?: Uint8Array;
  length: number;
  output: Uint8Array;
}

/** A traffic secret and what was derived from it (RFC 8446 sections 7.3, 4.4.4). */
export interface TrafficView {
  secret: Uint8Array;
  /** The transcript hash Derive-Secret used (absent for a KeyUpdate's next secret). */
  transcriptHash?: Uint8Array;
  key?: Uint8Array;
  iv?: Uint8Array;
  finishedKey?: Uint8Array;
  /** HMAC(finished_key, transcript hash): the Finished verify_data (or a binder) computed with it. */
  verifyData?: { transcriptHash: Uint8Array; value: Uint8Array }[];
}

export interface KeySchedule13 {
  version: 'TLSv1.3';
  hash: HashName;
  /** The PSK (resumption or external) that went into the early secret; absent for a full handshake (0s). */
  psk?: Uint8Array;
  earlySecret?: Uint8Array;
  binderKey?: TrafficView;
  clientEarlyTraffic?: TrafficView;
  earlyExporterMasterSecret?: Uint8Array;
  /** The (EC)DHE or KEM shared secret, HKDF-Extract's IKM for the handshake secret. */
  sharedSecret?: Uint8Array;
  handshakeSecret?: Uint8Array;
  clientHandshakeTraffic?: TrafficView;
  serverHandshakeTraffic?: TrafficView;
  masterSecret?: Uint8Array;
  /** Generation 0, then one per KeyUpdate. */
  clientApplicationTraffic: TrafficView[];
  serverApplicationTraffic: TrafficView[];
  exporterMasterSecret?: Uint8Array;
  resumptionMasterSecret?: Uint8Array;
  /** PSKs of NewSessionTickets: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce). */
  resumptionPsks: { ticketNonce: Uint8Array; psk: Uint8Array }[];
  steps: KeyStep[];
}

export interface KeySchedule12 {
  version: 'TLSv1.2' | 'TLSv1.1' | 'TLSv1' | 'SSLv3';
  suite: string;
  /** TLS 1.2: the suite's PRF hash; TLS 1.0/1.1: P_MD5 xor P_SHA-1; SSL 3.0: its MD5/SHA construction. */
  prf: string;
  resumed: boolean;
  /** Absent when resumed (the master secret came from the session). */
  preMasterSecret?: Uint8Array;
  clientRandom?: Uint8Array;
  serverRandom?: Uint8Array;
  extendedMasterSecret: boolean;
  /** RFC 7627: Hash(ClientHello .. ClientKeyExchange), the seed of "extended master secret". */
  sessionHash?: Uint8Array;
  /** "master secret" with client_random + server_random, or "extended master secret" with session_hash. */
  label?: string;
  masterSecret: Uint8Array;
  /** PRF(master_secret, "key expansion", server_random + client_random), and its partition (RFC 5246 section 6.3). */
  keyBlock?: KeyBlock & { length: number };
}

export type KeySchedule = KeySchedule13 | KeySchedule12;

/** Bounds what a long connection (KeyUpdates, tickets) makes the recorder keep. */
const MAX_STEPS = 512;

const WRAPPED = Symbol('keyScheduleRecorder');
const dec = new TextDecoder();

/** Reads an HkdfLabel (RFC 8446 section 7.1): uint16 length, opaque label<7..255>, opaque context<0..255>. */
function decodeHkdfLabel(info: Uint8Array): { length: number; label: string; context: Uint8Array } | undefined {
  if (info.length < 4) return undefined;
  const length = (info[0]! << 8) | info[1]!;
  const n = info[2]!;
  if (3 + n + 1 > info.length) return undefined;
  const full = dec.decode(info.subarray(3, 3 + n));
  const c = info[3 + n]!;
  if (4 + n + c !== info.length || !full.startsWith('tls13 ')) return undefined;
  return { length, label: full.slice(6), context: info.slice(4 + n) };
}

/** Derive-Secret labels of RFC 8446 section 7.1 and the names the RFC gives their outputs. */
const DERIVED_NAMES: Record<string, string> = {
  'ext binder': 'binder_key', 'res binder': 'binder_key',
  'c e traffic': 'client_early_traffic_secret', 'e exp master': 'early_exporter_master_secret',
  'c hs traffic': 'client_handshake_traffic_secret', 's hs traffic': 'server_handshake_traffic_secret',
  'c ap traffic': 'client_application_traffic_secret_0', 's ap traffic': 'server_application_traffic_secret_0',
  'exp master': 'exporter_master_secret', 'res master': 'resumption_master_secret',
};

export class KeyScheduleRecorder {
  readonly steps: KeyStep[] = [];
  private readonly names = new Map<string, string>();
  private legacy?: KeySchedule12;
  private dropped = 0;

  /**
   * The provider a connection uses while recording: the same provider, its HKDF and HMAC noted. Wrapping twice
   * (the connection and a caller both) records once.
   */
  wrapProvider(p: CryptoProvider): CryptoProvider {
    if ((p as { [WRAPPED]?: KeyScheduleRecorder })[WRAPPED] === this) return p;
    const w = Object.create(p) as CryptoProvider & { [WRAPPED]?: KeyScheduleRecorder };
    w[WRAPPED] = this;
    w.hkdfExtract = (hash, salt, ikm) => {
      const out = p.hkdfExtract(hash, salt, ikm);
      this.onExtract(hash, salt, ikm, out);
      return out;
    };
    w.hkdfExpand = (hash, prk, info, length) => {
      const out = p.hkdfExpand(hash, prk, info, length);
      this.onExpand(hash, prk, info, out);
      return out;
    };
    w.hmac = (hash, key, data) => {
      const out = p.hmac(hash, key, data);
      this.onHmac(hash, key, data, out);
      return out;
    };
    return w;
  }

  private push(step: KeyStep): void {
    const hex = toHex(step.output);
    // The client computes the early secret twice with a PSK (binder, then after the ServerHello): keep one.
    if (this.names.get(hex) === step.name && this.steps.some((s) => s.name === step.name && toHex(s.output) === hex)) return;
    this.names.set(hex, step.name);
    if (this.steps.length >= MAX_STEPS) {
      this.dropped++;
      return;
    }
    this.steps.push(step);
  }

  private nameOf(bytes: Uint8Array): string | undefined {
    return this.names.get(toHex(bytes));
  }

  private onExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array, out: Uint8Array): void {
    const from = this.nameOf(salt);
    const name = from === 'derived(early_secret)' ? 'handshake_secret' : from === 'derived(handshake_secret)' ? 'master_secret' : 'early_secret';
    this.push({ op: 'HKDF-Extract', name, hash, salt: salt.slice(), ikm: ikm.slice(), length: out.length, output: out.slice() });
  }

  private onExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, out: Uint8Array): void {
    const l = decodeHkdfLabel(info);
    if (!l) return; // not a TLS 1.3 HkdfLabel: nothing of the key schedule
    const from = this.nameOf(prk) ?? 'unknown secret';
    let name: string;
    if (l.label === 'derived') name = `derived(${from})`;
    else if (DERIVED_NAMES[l.label]) name = DERIVED_NAMES[l.label]!;
    else if (l.label === 'key' || l.label === 'iv') name = `${from}.${l.label}`;
    else if (l.label === 'finished') name = `${from}.finished_key`;
    else if (l.label === 'traffic upd') {
      const m = /^(.*_traffic_secret_)(\d+)$/.exec(from);
      name = m ? `${m[1]}${Number(m[2]) + 1}` : `${from}.next`;
    } else if (l.label === 'resumption') name = 'resumption_psk';
    else if (l.label === 'exporter') name = `${from}.exporter`;
    else name = `${from}/${l.label}`; // an exporter label (RFC 8446 section 7.5) or anything else: named by its path
    this.push({ op: 'HKDF-Expand-Label', name, hash, from, secret: prk.slice(), label: l.label, context: l.context, length: l.length, output: out.slice() });
  }

  private onHmac(hash: HashName, key: Uint8Array, data: Uint8Array, out: Uint8Array): void {
    const from = this.nameOf(key);
    if (!from?.endsWith('.finished_key')) return; // the PRF's and the tickets' HMACs are not the TLS 1.3 schedule
    this.push({ op: 'HMAC', name: `${from.slice(0, -'.finished_key'.length)}.verify_data`, hash, from, secret: key.slice(), context: data.slice(), length: out.length, output: out.slice() });
  }

  /** TLS 1.2 and older: the master secret and what made it (copies; the caller zeroes its premaster). */
  master12(m: { version: number; suite: CipherSuite; preMasterSecret?: Uint8Array; clientRandom: Uint8Array; serverRandom: Uint8Array; sessionHash?: Uint8Array; masterSecret: Uint8Array; resumed?: boolean }): void {
    const version = m.version === 0x0303 ? 'TLSv1.2' : m.version === 0x0302 ? 'TLSv1.1' : m.version === 0x0301 ? 'TLSv1' : 'SSLv3';
    this.legacy = {
      version, suite: m.suite.iana,
      prf: m.version === 0x0303 ? `P_${m.suite.prfHash.toUpperCase()}` : m.version === 0x0300 ? 'SSL 3.0 MD5/SHA-1' : 'P_MD5 xor P_SHA-1',
      resumed: !!m.resumed,
      ...(m.preMasterSecret ? { preMasterSecret: m.preMasterSecret.slice() } : {}),
      clientRandom: m.clientRandom.slice(), serverRandom: m.serverRandom.slice(),
      extendedMasterSecret: !!m.sessionHash,
      ...(m.sessionHash ? { sessionHash: m.sessionHash.slice() } : {}),
      ...(m.resumed ? {} : { label: m.sessionHash ? 'extended master secret' : 'master secret' }),
      masterSecret: m.masterSecret.slice(),
    };
  }

  /** TLS 1.2 and older: the key block the ChangeCipherSpec installs. */
  keyBlock12(kb: KeyBlock): void {
    if (!this.legacy) return;
    const c = (b: Uint8Array) => b.slice();
    const length = [kb.clientMacKey, kb.serverMacKey, kb.clientKey, kb.serverKey, kb.clientIv, kb.serverIv].reduce((n, b) => n + b.length, 0);
    this.legacy.keyBlock = { clientMacKey: c(kb.clientMacKey), serverMacKey: c(kb.serverMacKey), clientKey: c(kb.clientKey), serverKey: c(kb.serverKey), clientIv: c(kb.clientIv), serverIv: c(kb.serverIv), length };
  }

  /** Steps not kept because the bound was reached (a long run of KeyUpdates). */
  get droppedSteps(): number {
    return this.dropped;
  }

  /** The schedule as recorded so far: TLS 1.2-and-older when their machines ran, otherwise TLS 1.3; undefined before any. */
  snapshot(): KeySchedule | undefined {
    if (this.legacy) return this.legacy;
    if (!this.steps.length) return undefined;
    return buildSchedule13(this.steps);
  }

  /** Zeroes every copy held (util/wipe.ts): when the view is closed or the session is disposed. */
  wipe(): void {
    for (const s of this.steps) for (const b of [s.salt, s.ikm, s.secret, s.context, s.output]) b?.fill(0);
    this.steps.length = 0;
    this.names.clear();
    const l = this.legacy;
    if (l) {
      for (const b of [l.preMasterSecret, l.masterSecret, l.sessionHash]) b?.fill(0);
      if (l.keyBlock) for (const b of [l.keyBlock.clientMacKey, l.keyBlock.serverMacKey, l.keyBlock.clientKey, l.keyBlock.serverKey, l.keyBlock.clientIv, l.keyBlock.serverIv]) b.fill(0);
    }
    this.legacy = undefined;
  }
}

function allZero(b: Uint8Array): boolean {
  return b.every((x) => x === 0);
}

/** The structured TLS 1.3 view of the recorded steps (the last value of each name wins). */
export function buildSchedule13(steps: readonly KeyStep[]): KeySchedule13 {
  const by = (name: string) => steps.filter((s) => s.name === name).at(-1);
  const traffic = (name: string): TrafficView | undefined => {
    const s = by(name);
    if (!s) return undefined;
    const key = by(`${name}.key`);
    const iv = by(`${name}.iv`);
    const fk = by(`${name}.finished_key`);
    const vd = steps.filter((x) => x.name === `${name}.verify_data`);
    return {
      secret: s.output,
      ...(s.op === 'HKDF-Expand-Label' && s.label !== 'traffic upd' && s.context ? { transcriptHash: s.context } : {}),
      ...(key ? { key: key.output } : {}), ...(iv ? { iv: iv.output } : {}), ...(fk ? { finishedKey: fk.output } : {}),
      ...(vd.length ? { verifyData: vd.map((x) => ({ transcriptHash: x.context!, value: x.output })) } : {}),
    };
  };
  const generations = (side: 'client' | 'server'): TrafficView[] => {
    const out: TrafficView[] = [];
    for (let n = 0; ; n++) {
      const t = traffic(`${side}_application_traffic_secret_${n}`);
      if (!t) return out;
      out.push(t);
    }
  };
  const early = by('early_secret');
  const hs = by('handshake_secret');
  const out: KeySchedule13 = {
    version: 'TLSv1.3', hash: (early ?? steps[0]!).hash,
    clientApplicationTraffic: generations('client'), serverApplicationTraffic: generations('server'),
    resumptionPsks: steps.filter((s) => s.name === 'resumption_psk').map((s) => ({ ticketNonce: s.context!, psk: s.output })),
    steps: [...steps],
  };
  if (early) {
    out.earlySecret = early.output;
    if (early.ikm && !allZero(early.ikm)) out.psk = early.ikm;
  }
  const set = <K extends keyof KeySchedule13>(k: K, v: KeySchedule13[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('binderKey', traffic('binder_key'));
  set('clientEarlyTraffic', traffic('client_early_traffic_secret'));
  set('earlyExporterMasterSecret', by('early_exporter_master_secret')?.output);
  if (hs) {
    out.handshakeSecret = hs.output;
    out.sharedSecret = hs.ikm!;
  }
  set('clientHandshakeTraffic', traffic('client_handshake_traffic_secret'));
  set('serverHandshakeTraffic', traffic('server_handshake_traffic_secret'));
  set('masterSecret', by('master_secret')?.output);
  set('exporterMasterSecret', by('exporter_master_secret')?.output);
  set('resumptionMasterSecret', by('resumption_master_secret')?.output);
  return out;
}
