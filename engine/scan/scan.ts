// The server scan: many short handshakes of our own client, each with one question in it, a few at a time.
// Versions first; then, per version, the suites (offer all, remove the one chosen, repeat: that also gives the
// server's order), and everything else from the answers: groups, signature schemes, chains per key type, ALPN,
// resumption by actually resuming, renegotiation, EMS, EtM, fallback SCSV, compression, heartbeat, stapling.
// Facts come from what the server sent; where the engine cannot ask, the report says "not tested".
import { nodeProvider } from '../crypto/node-provider';
import type { CryptoProvider } from '../crypto/provider';
import type { SessionOptions } from '../net/session';
import type { ClientSession } from '../conn/session-ticket';
import { suiteAllowed } from '../handshake/tls12/prf';
import { GROUPS, groupByName } from '../registry/groups';
import { SIGSCHEMES, type SigSchemeRow } from '../registry/sigschemes';
import { SUITES, suiteByCode, type CipherSuite } from '../registry/suites';
import { ProtocolVersion, versionName } from '../registry/versions';
import { ExtensionType } from '../registry/extensions';
import { TLS_FALLBACK_SCSV } from '../registry/suites';
import { loadSystemStore } from '../x509/verify';
import { analyseChain, chainKeyFamily } from './chain';
import { ProbePool } from './pool';
import { pause, probe, ScanCancelled, type AfterStep, type ProbeResult, type ProbeTarget } from './probe';
import type { ChainFact, Fact, FactStatus, FeatureId, ScanOptions, ScanReport, SuiteFact, SuitesForVersion, VersionFact } from './types';
import { findWeaknesses } from './weaknesses';

const { SSL3, TLS10, TLS11, TLS12, TLS13 } = ProtocolVersion;
export const SCAN_VERSIONS: number[] = [SSL3, TLS10, TLS11, TLS12, TLS13];
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_PROBE_TIMEOUT_MS = 5000;
export const ALPN_PROTOCOLS = ['h2', 'http/1.1'];

/** Suites the engine speaks at `v`, in registry order. */
export function suitesFor(v: number): CipherSuite[] {
  return SUITES.filter((s) => (v === TLS13 ? s.versions === 'tls13' : s.versions !== 'tls13' && suiteAllowed(v, s)));
}

function suiteFact(code: number): SuiteFact {
  const s = suiteByCode(code)!;
  return { code, openssl: s.openssl, iana: s.iana, kx: s.kx, ...(s.weak ? { weak: s.weak } : {}) };
}

const isRealGroup = (g: (typeof GROUPS)[number]) => g.kind !== 'grease' && !g.deprecated;
const realSchemes = SIGSCHEMES;
const SCHEME_FAMILIES: Record<ChainFact['keyType'], (s: SigSchemeRow) => boolean> = {
  RSA: (s) => s.keyType === 'RSA' || s.keyType === 'RSA-PSS',
  ECDSA: (s) => s.keyType === 'EC',
  EdDSA: (s) => s.keyType === 'Ed25519' || s.keyType === 'Ed448',
};

export async function scanServer(o: ScanOptions): Promise<ScanReport> {
  const started = Date.now();
  const provider: CryptoProvider = o.provider ?? nodeProvider();
  const timeoutMs = o.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new RangeError(`probe timeout ${timeoutMs}: give a number of milliseconds above 0`);
  const pool = new ProbePool(o.concurrency ?? DEFAULT_CONCURRENCY, o.signal, o.onProgress);
  const target: ProbeTarget = { host: o.host, port: o.port, timeoutMs, ...(o.serverName !== undefined ? { serverName: o.serverName } : {}), ...(o.signal ? { signal: o.signal } : {}) };
  const asked = (o.versions?.length ? o.versions : SCAN_VERSIONS).filter((v) => SCAN_VERSIONS.includes(v));
  if (!asked.length) throw new RangeError('no protocol version to scan: give one of SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3');

  const groups13 = GROUPS.filter((g) => isRealGroup(g) && g.tls13 && provider.keyExchange(g.code));
  const curves12 = GROUPS.filter((g) => isRealGroup(g) && (g.kind === 'ecdhe' || g.kind === 'xdh') && provider.keyExchange(g.code));
  const groupsUntested = GROUPS.filter((g) => isRealGroup(g) && !provider.keyExchange(g.code)).map((g) => g.openssl);
  // x25519 first: it carries the one key share a first ClientHello sends.
  const allGroups = [...groups13, ...curves12.filter((g) => !groups13.includes(g))].map((g) => g.code).sort((a, b) => (b === 29 ? 1 : 0) - (a === 29 ? 1 : 0));
  const allSchemes = realSchemes.map((s) => s.code);

  /** The settings of one version, all we can offer at it; `extra` narrows or adds. */
  const at = (v: number, extra: SessionOptions = {}): SessionOptions => ({
    provider, minVersion: v, maxVersion: v, groups: v === TLS13 ? groups13.map((g) => g.code) : allGroups.filter((g) => g < 0x0200),
    signatureSchemes: allSchemes, middleboxCompat: true,
    ...(v === TLS13 ? { cipherSuites: suitesFor(v).map((s) => s.code) } : { cipherSuites12: suitesFor(v).map((s) => s.code) }),
    ...extra,
  });
  const run = (label: string, opts: SessionOptions, after?: AfterStep) => pool.run(label, () => probe(target, opts, after));
  const chose = (r: ProbeResult, v: number) => r.hello !== undefined && r.hello.version === v;

  // 1. Versions.
  const versionProbes = new Map<number, ProbeResult>();
  await Promise.all(asked.map(async (v) => versionProbes.set(v, await run(`version ${versionName(v)}`, at(v)))));
  const versions: VersionFact[] = SCAN_VERSIONS.map((v) => {
    const r = versionProbes.get(v);
    if (!r) return { name: versionName(v), code: v, status: 'not-tested', detail: 'not asked for' };
    if (chose(r, v)) return { name: versionName(v), code: v, status: 'yes', detail: r.ok ? 'handshake completed' : `the server chose it (our side then stopped: ${r.error ?? 'unknown'})` };
    if (r.unreachable) return { name: versionName(v), code: v, status: 'not-tested', detail: r.error ?? 'no TCP connection' };
    return { name: versionName(v), code: v, status: 'no', detail: refusal(r) };
  });
  const supported = versions.filter((v) => v.status === 'yes').map((v) => v.code).sort((a, b) => b - a);
  const legacy = supported.find((v) => v <= TLS12);
  const highest = supported[0];

  // 2. Suites per version (sequential within a version, versions side by side), then whether the order is the server's.
  const suiteLists = new Map<number, Promise<number[]>>();
  for (const v of supported) {
    suiteLists.set(v, (async () => {
      let offer = suitesFor(v).map((s) => s.code);
      const accepted: number[] = [];
      while (offer.length) {
        const r = await run(`suites ${versionName(v)} (${accepted.length} found)`, at(v, v === TLS13 ? { cipherSuites: offer } : { cipherSuites12: offer }));
        const c = chose(r, v) ? r.hello!.cipherSuite : undefined;
        if (c === undefined || !offer.includes(c)) break;
        accepted.push(c);
        offer = offer.filter((x) => x !== c);
      }
      return accepted;
    })());
  }
  const suitesOf = (v: number | undefined) => (v === undefined ? Promise.resolve([]) : suiteLists.get(v) ?? Promise.resolve([]));
  const suitesPromise: Promise<SuitesForVersion[]> = Promise.all(supported.map(async (v) => {
    const accepted = await suitesOf(v);
    let serverPreference: boolean | null = null;
    if (accepted.length >= 2) {
      const [a, b] = accepted as [number, number];
      const r = await run(`suite order ${versionName(v)}`, at(v, v === TLS13 ? { cipherSuites: [b, a] } : { cipherSuites12: [b, a] }));
      if (chose(r, v)) serverPreference = r.hello!.cipherSuite === a ? true : r.hello!.cipherSuite === b ? false : null;
    }
    return { version: versionName(v), accepted: accepted.map(suiteFact), serverPreference };
  }));

  // The highest version at or below TLS 1.2 with its suites: where the TLS 1.2-family features are asked.
  const legacyOpts = async (pick?: (s: CipherSuite) => boolean, extra: SessionOptions = {}): Promise<SessionOptions | undefined> => {
    if (legacy === undefined) return undefined;
    const list = (await suitesOf(legacy)).filter((c) => !pick || pick(suiteByCode(c)!));
    return list.length ? at(legacy, { cipherSuites12: list, ...extra }) : undefined;
  };

  // 3. Groups.
  const groups13P = supported.includes(TLS13)
    ? Promise.all(groups13.map(async (g) => ((r) => (chose(r, TLS13) ? g.openssl : undefined))(await run(`group ${g.openssl}`, at(TLS13, { groups: [g.code], keyShareGroups: [g.code] })))))
    : Promise.resolve([]);
  const dheP = (async () => {
    const opts = await legacyOpts((s) => s.kx === 'DHE');
    return opts ? (await run('DHE parameters', opts)).kx?.dhBits : undefined;
  })();

  // 4. Signature schemes, each offered alone: the one the server signs with is the answer.
  const sig13P = supported.includes(TLS13)
    ? Promise.all(realSchemes.filter((s) => s.tls13).map(async (s) => ((r) => (r.certificateVerifyScheme === s.code ? s.iana : undefined))(await run(`sigalg ${s.iana} TLSv1.3`, at(TLS13, { signatureSchemes: [s.code] })))))
    : Promise.resolve([]);
  const sig12P = (async () => {
    if (!supported.includes(TLS12)) return [];
    const list = (await suitesOf(TLS12)).filter((c) => suiteByCode(c)!.kx !== 'RSA');
    if (!list.length) return [];
    return Promise.all(realSchemes.map(async (s) => ((r) => (r.kx?.scheme === s.code ? s.iana : undefined))(await run(`sigalg ${s.iana} TLSv1.2`, at(TLS12, { cipherSuites12: list, signatureSchemes: [s.code] })))));
  })();

  // 5. Chains per key type.
  const chainsP = (async (): Promise<ChainFact[]> => {
    if (highest === undefined) return [];
    const families = (Object.keys(SCHEME_FAMILIES) as ChainFact['keyType'][]).filter((k) => highest >= TLS12 || k !== 'EdDSA');
    const found = await Promise.all(families.map(async (k) => {
      const schemes = realSchemes.filter(SCHEME_FAMILIES[k]).map((s) => s.code);
      const auth = k === 'RSA' ? 'RSA' : 'ECDSA';
      let opts: SessionOptions | undefined;
      if (highest === TLS13) opts = at(TLS13, { signatureSchemes: schemes });
      else {
        const list = (await suitesOf(highest)).filter((c) => suiteByCode(c)!.auth === auth);
        opts = list.length ? at(highest, { cipherSuites12: list, ...(highest >= TLS12 ? { signatureSchemes: schemes } : {}) }) : undefined;
      }
      if (!opts) return undefined;
      const r = await run(`certificate ${k}`, opts);
      if (!r.chain?.length || chainKeyFamily(r.chain[0]!) !== k) return undefined;
      return { k, chain: r.chain };
    }));
    const seen = new Set<string>();
    const trusted = o.trusted ?? loadSystemStore().certs;
    const host = o.serverName ?? o.host;
    const out: ChainFact[] = [];
    for (const f of found) {
      if (!f) continue;
      const key = Buffer.from(f.chain[0]!).toString('hex');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(analyseChain(f.k, versionName(highest), f.chain, trusted, host, o.now));
    }
    return out;
  })();

  const undetermined: string[] = [];
  const curves12P = (async () => {
    const opts = await legacyOpts((s) => s.kx === 'ECDHE');
    if (!opts) return [];
    // RFC 8422 section 5.1: in TLS 1.2 supported_groups also bounds the curve of an ECDSA certificate, so a server
    // with only a P-256 certificate refuses a list without P-256. Then the curve is asked again beside the certificate's.
    const certCurve = (await chainsP).find((c) => c.keyType === 'ECDSA')?.certificates[0]?.curve;
    const certGroup = certCurve ? groupByName(certCurve)?.code : undefined;
    return Promise.all(curves12.map(async (g) => {
      const label = `curve ${g.openssl} ${versionName(legacy!)}`;
      const alone = await run(label, { ...opts, groups: [g.code] });
      if (alone.kx?.curve === g.code) return g.openssl;
      if (alone.hello || certGroup === undefined || certGroup === g.code) return undefined;
      const beside = await run(label, { ...opts, groups: [g.code, certGroup] });
      if (beside.kx?.curve === g.code) return g.openssl;
      if (beside.kx?.curve === certGroup) undetermined.push(`ECDHE curve ${g.openssl} in ${versionName(legacy!)}: refused alone, and offered beside ${certCurve} (the ECDSA certificate's curve, RFC 8422 section 5.1) the server chose ${certCurve}`);
      return undefined;
    }));
  })();

  // 6. ALPN.
  const alpnP = highest === undefined ? Promise.resolve([]) : Promise.all(ALPN_PROTOCOLS.map(async (p) => {
    const r = await run(`ALPN ${p}`, at(highest, { alpn: [p] }));
    return { offered: p, selected: r.negotiated?.alpn === p };
  }));

  // 7. Features.
  const fact = (id: FeatureId, name: string, status: FactStatus, detail: string): Fact => ({ id, name, status, detail });
  const NO_LEGACY = 'the server speaks no version below TLS 1.3 that was scanned';
  const featureP: Promise<Fact>[] = [];
  const legacyHello = (async () => {
    const opts = await legacyOpts();
    return opts ? run(`features ${versionName(legacy!)}`, opts) : undefined;
  })();
  featureP.push((async () => {
    const r = await legacyHello;
    if (!r) return fact('secure-renegotiation', 'Secure renegotiation (RFC 5746)', 'not-applicable', NO_LEGACY);
    if (!r.hello) return fact('secure-renegotiation', 'Secure renegotiation (RFC 5746)', 'not-tested', `no ServerHello: ${refusal(r)}`);
    if (legacy === SSL3) return fact('secure-renegotiation', 'Secure renegotiation (RFC 5746)', 'not-tested', 'SSL 3.0 ServerHellos carry no extensions to say it in');
    const yes = r.hello.extensions.includes(ExtensionType.renegotiation_info);
    return fact('secure-renegotiation', 'Secure renegotiation (RFC 5746)', yes ? 'yes' : 'no', yes ? `renegotiation_info in the ${versionName(legacy!)} ServerHello` : `no renegotiation_info in the ${versionName(legacy!)} ServerHello`);
  })());
  featureP.push((async () => {
    const r = await legacyHello;
    const name = 'Extended master secret (RFC 7627)';
    if (!r?.hello) return fact('extended-master-secret', name, r ? 'not-tested' : 'not-applicable', r ? `no ServerHello: ${refusal(r)}` : NO_LEGACY);
    const yes = r.hello.extensions.includes(ExtensionType.extended_master_secret);
    return fact('extended-master-secret', name, yes ? 'yes' : 'no', `${yes ? '' : 'no '}extended_master_secret in the ${versionName(legacy!)} ServerHello`);
  })());
  featureP.push((async () => {
    const name = 'Encrypt-then-MAC (RFC 7366)';
    if (legacy === undefined) return fact('encrypt-then-mac', name, 'not-applicable', NO_LEGACY);
    if (legacy === SSL3) return fact('encrypt-then-mac', name, 'not-tested', 'SSL 3.0 has no extensions');
    const opts = await legacyOpts((s) => s.mac !== 'AEAD');
    if (!opts) return fact('encrypt-then-mac', name, 'not-applicable', `the server accepts no CBC suite at ${versionName(legacy)}`);
    const r = await run(`encrypt-then-MAC ${versionName(legacy)}`, opts);
    if (!r.hello) return fact('encrypt-then-mac', name, 'not-tested', `no ServerHello: ${refusal(r)}`);
    const yes = r.hello.extensions.includes(ExtensionType.encrypt_then_mac);
    return fact('encrypt-then-mac', name, yes ? 'yes' : 'no', `${yes ? '' : 'no '}encrypt_then_mac in the ServerHello for ${suiteByCode(r.hello.cipherSuite)?.openssl ?? r.hello.cipherSuite}`);
  })());
  featureP.push((async () => {
    const name = 'TLS_FALLBACK_SCSV (RFC 7507)';
    if (supported.length < 2) return fact('fallback-scsv', name, 'not-applicable', 'the server speaks one scanned version: there is nothing to fall back from');
    const lower = supported[1]!;
    const list = await suitesOf(lower);
    const r = await run(`fallback SCSV ${versionName(lower)}`, at(lower, { ...(list.length ? { cipherSuites12: list } : {}), fallbackScsv: true }));
    if (r.alertsIn.some((a) => a.name === 'inappropriate_fallback')) return fact('fallback-scsv', name, 'yes', `a ${versionName(lower)} ClientHello with TLS_FALLBACK_SCSV (0x${TLS_FALLBACK_SCSV.toString(16)}) got inappropriate_fallback`);
    if (chose(r, lower)) return fact('fallback-scsv', name, 'no', `the server carried on in ${versionName(lower)} although the ClientHello said it was a fallback from ${versionName(supported[0]!)}`);
    return fact('fallback-scsv', name, 'not-tested', `neither inappropriate_fallback nor a ServerHello: ${refusal(r)}`);
  })());
  featureP.push((async () => {
    const name = 'TLS compression (CRIME)';
    if (legacy === undefined) return fact('compression', name, 'not-applicable', `${NO_LEGACY}; TLS 1.3 has no compression`);
    const opts = await legacyOpts(undefined, { compressionMethods: [1, 0] });
    if (!opts) return fact('compression', name, 'not-tested', 'no suite to offer');
    const r = await run('compression', opts);
    if (!r.hello) return fact('compression', name, 'not-tested', `no ServerHello: ${refusal(r)}`);
    return r.hello.compression === 1
      ? fact('compression', name, 'yes', 'the server chose DEFLATE (1) when offered DEFLATE and null')
      : fact('compression', name, 'no', `the server chose ${r.hello.compression === 0 ? 'null (0)' : r.hello.compression} when offered DEFLATE and null`);
  })());
  featureP.push((async () => {
    const name = 'Heartbeat extension (RFC 6520)';
    if (legacy === undefined) return fact('heartbeat', name, 'not-tested', `${NO_LEGACY}; our TLS 1.3 client does not offer heartbeat`);
    if (legacy === SSL3) return fact('heartbeat', name, 'not-tested', 'SSL 3.0 has no extensions');
    const opts = await legacyOpts(undefined, { heartbeat: true });
    const r = opts ? await run('heartbeat', opts) : undefined;
    if (!r?.hello) return fact('heartbeat', name, 'not-tested', r ? `no ServerHello: ${refusal(r)}` : 'no suite to offer');
    const yes = r.hello.extensions.includes(ExtensionType.heartbeat);
    return fact('heartbeat', name, yes ? 'yes' : 'no', `${yes ? '' : 'no '}heartbeat extension in the ${versionName(legacy)} ServerHello`);
  })());
  featureP.push((async () => {
    const name = 'OCSP stapling';
    if (highest === undefined) return fact('ocsp-stapling', name, 'not-applicable', 'no version accepted');
    const r = await run('OCSP stapling', at(highest, { requestOcsp: true }));
    if (!r.ok) return fact('ocsp-stapling', name, 'not-tested', `the handshake did not complete: ${refusal(r)}`);
    return r.negotiated?.ocsp
      ? fact('ocsp-stapling', name, 'yes', `a ${r.negotiated.ocsp.responseStatus} OCSP response was stapled (${versionName(highest)})`)
      : fact('ocsp-stapling', name, 'no', `asked with status_request, nothing stapled (${versionName(highest)})`);
  })());
  featureP.push(resumption13());
  featureP.push(resumption12('ticket'));
  featureP.push(resumption12('session-id'));
  featureP.push(clientRenegotiation());

  async function waitForSession(r: ProbeResult): Promise<string> {
    const until = Date.now() + Math.min(timeoutMs, 1500);
    while (!r.sessions.length && Date.now() < until && !o.signal?.aborted) await pause(20, o.signal);
    return r.sessions.length ? 'session' : 'no session';
  }

  async function resumption13(): Promise<Fact> {
    const name = 'TLS 1.3 resumption (PSK tickets)';
    if (!supported.includes(TLS13)) return fact('resumption-tls13', name, 'not-applicable', 'the server does not speak TLS 1.3 (or it was not scanned)');
    const first = await run('resumption TLSv1.3 (ticket)', at(TLS13), (_s, _n, r) => waitForSession(r));
    const s = first.sessions.at(-1);
    if (!s) return fact('resumption-tls13', name, 'no', first.ok ? 'no NewSessionTicket arrived after the handshake' : `the first handshake failed: ${refusal(first)}`);
    let again = await run('resumption TLSv1.3 (resume)', at(TLS13, { session: s }));
    if (!again.negotiated?.resumed) again = await run('resumption TLSv1.3 (resume)', at(TLS13, { session: first.sessions[0]! }));
    return again.negotiated?.resumed
      ? fact('resumption-tls13', name, 'yes', 'a ticket from one connection resumed the next (psk_dhe_ke)')
      : fact('resumption-tls13', name, 'no', `a ticket was issued but the server did a full handshake when offered it${again.ok ? '' : ` (${refusal(again)})`}`);
  }

  async function resumption12(by: 'ticket' | 'session-id'): Promise<Fact> {
    const id: FeatureId = by === 'ticket' ? 'resumption-ticket' : 'resumption-session-id';
    const name = by === 'ticket' ? 'Resumption by session ticket (RFC 5077)' : 'Resumption by session ID';
    if (legacy === undefined) return fact(id, name, 'not-applicable', NO_LEGACY);
    if (by === 'ticket' && legacy === SSL3) return fact(id, name, 'not-tested', 'SSL 3.0 has no extensions');
    const extra: SessionOptions = by === 'ticket' ? {} : { sessionTickets: false };
    const opts = await legacyOpts(undefined, extra);
    if (!opts) return fact(id, name, 'not-tested', 'no suite to offer');
    const first = await run(`resumption ${by} (first)`, opts, (_s, _n, r) => waitForSession(r));
    const s = first.sessions.at(-1);
    const usable = s && (by === 'ticket' ? s.ticket.length > 0 : (s.sessionId?.length ?? 0) > 0);
    if (!usable) return fact(id, name, 'no', first.ok ? (by === 'ticket' ? 'no NewSessionTicket was issued' : 'the ServerHello carried no session ID') : `the first handshake failed: ${refusal(first)}`);
    const offered: ClientSession = by === 'ticket' ? s : { ...s, ticket: new Uint8Array(0) };
    const resume = () => run(`resumption ${by} (resume)`, { ...opts, session: offered });
    const resumed = (x: ProbeResult) => x.negotiated?.resumed && x.negotiated.resumedBy === by;
    // Once more before saying no: a busy server may not have filed the session when the first offer came.
    let again = await resume();
    if (!resumed(again)) again = await resume();
    return resumed(again)
      ? fact(id, name, 'yes', `${by === 'ticket' ? 'the ticket' : 'the session ID'} from one connection resumed the next (${versionName(legacy)})`)
      : fact(id, name, 'no', `offered ${by === 'ticket' ? 'the ticket' : 'the session ID'} again, the server did a full handshake${again.ok ? '' : ` (${refusal(again)})`}`);
  }

  async function clientRenegotiation(): Promise<Fact> {
    const name = 'Client-initiated renegotiation';
    if (legacy === undefined) return fact('client-renegotiation', name, 'not-applicable', NO_LEGACY);
    const r0 = await legacyHello;
    if (!r0?.hello?.extensions.includes(ExtensionType.renegotiation_info)) return fact('client-renegotiation', name, 'not-tested', 'the server lacks secure renegotiation, and our client renegotiates only securely (RFC 5746)');
    const opts = await legacyOpts();
    const r = await run('client renegotiation', opts!, (s) => new Promise<string>((resolve) => {
      const done = (w: string) => {
        clearTimeout(timer);
        resolve(w);
      };
      const timer = setTimeout(() => done('no answer'), Math.min(timeoutMs, 2000));
      s.once('renegotiated', () => done('accepted'));
      s.on('trace', (e) => {
        if (e.kind === 'alert' && e.dir === 'in') done(e.level === 'warning' && e.name === 'no_renegotiation' ? 'refused' : `alert ${e.name}`);
      });
      try {
        s.renegotiate();
      } catch (e) {
        done(`cannot: ${(e as Error).message}`);
      }
    }));
    if (r.after === 'accepted') return fact('client-renegotiation', name, 'yes', 'a renegotiation we started completed');
    if (r.after === 'refused') return fact('client-renegotiation', name, 'no', 'the server answered no_renegotiation (warning)');
    const fatal = r.alertsIn.find((a) => a.level === 'fatal');
    if (fatal || r.after?.startsWith('alert')) return fact('client-renegotiation', name, 'no', `the server ended the connection with ${fatal?.name ?? r.after}`);
    if (r.after === 'no answer') return fact('client-renegotiation', name, 'no', 'the server ignored our new ClientHello');
    return fact('client-renegotiation', name, 'not-tested', r.after ?? refusal(r));
  }

  const [suites, g13, c12, dheBits, s13, s12, chains, alpn, features] = await Promise.all([
    suitesPromise, groups13P, curves12P, dheP, sig13P, sig12P, chainsP, alpnP, Promise.all(featureP),
  ]);
  if (o.signal?.aborted) throw new ScanCancelled();
  const defined = <T>(xs: (T | undefined)[]) => xs.filter((x): x is T => x !== undefined);
  const notTested = [
    'export, anonymous (ADH/AECDH), DSS, PSK, SRP, CAMELLIA, ARIA, SEED, IDEA and single-DES suites: the engine does not implement them, so they were not offered',
    'insecure (pre-RFC 5746) renegotiation: our client only renegotiates securely',
    'Heartbleed itself (a malformed heartbeat): only whether the extension is offered',
    ...undetermined,
    ...(groupsUntested.length ? [`groups ${groupsUntested.join(', ')}: the engine cannot do their key exchange`] : []),
  ];
  const report: ScanReport = {
    target: { host: o.host, port: o.port, ...(o.serverName !== undefined ? { serverName: o.serverName } : {}) },
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    probes: pool.done,
    versions,
    suites: suites.sort((a, b) => SCAN_VERSIONS.indexOf(versionCode(b.version)) - SCAN_VERSIONS.indexOf(versionCode(a.version))),
    groups: { tls13: defined(g13), ecdhe: defined(c12), ...(dheBits !== undefined ? { dheBits } : {}), notTested: groupsUntested },
    signatureAlgorithms: [
      ...(supported.includes(TLS13) ? [{ version: versionName(TLS13), accepted: defined(s13) }] : []),
      ...(supported.includes(TLS12) ? [{ version: versionName(TLS12), accepted: defined(s12) }] : []),
    ],
    chains,
    alpn,
    features,
    weaknesses: [],
    notTested,
  };
  report.weaknesses = findWeaknesses(report);
  return report;
}

function versionCode(name: string): number {
  return SCAN_VERSIONS.find((v) => versionName(v) === name) ?? 0;
}

/** Why a probe got no ServerHello (or no completed handshake), in a phrase. */
function refusal(r: ProbeResult): string {
  const fatal = r.alertsIn.find((a) => a.level === 'fatal');
  if (fatal) return `the server sent ${fatal.name}`;
  if (r.hello && r.hello.version) return `the server answered ${versionName(r.hello.version)}${r.error ? ` (${r.error})` : ''}`;
  return r.error ?? 'no answer';
}

