// `tlslens connect HOST:PORT`: a TLS client in the spirit of `openssl s_client`: the handshake decoded as it
// happens, a summary, then standard input sent as application data and what the server sends printed.
import { alertForVerifyError } from '../../x509/verify-alert';
import { certificateRequestText, fitText, watchCertificateRequests, type ClientCertificateFit } from '../../tools/client-cert-request';
import { sctText } from '../../x509/sct';
import fs from 'node:fs';
import { connect, TlsSession, TlsSessionError } from '../../net/session';
import { connectVia } from '../../transport/open';
import { redactUrl } from '../../transport/proxy/url';
import { TRANSPORT_OPTIONS, transportFromOptions } from '../transport-options';
import { connectDtls, DtlsSession } from '../../net/dtls';
import { checkOcspResponse, loadCert, loadDirectory, loadFile, loadSystemStore, mergeCerts, revocationPointers, verifyChain } from '../../x509/verify';
import type { OcspVerdict, RevocationPointers, VCert, VerifyResult } from '../../x509/verify';
import { V } from '../../registry/x509-verify-errors';
import { isIpAddress } from '../../handshake/tls13/common';
import { sessionFromJson, sessionToJson, type ClientSession } from '../../conn/session-ticket';
import { toJson, type TraceEvent } from '../../trace/events';
import { formatEvent } from '../../trace/format-text';
import { decodeCertificate } from '../../x509/certificate';
import type { NegotiatedSession } from '../../conn/types';
import { suiteName } from '../../registry/suites';
import { groupName } from '../../registry/groups';
import { sigSchemeName } from '../../registry/sigschemes';
import { versionName } from '../../registry/versions';
import { EXIT, UsageError, type CliIO } from '../io';
import { parse, type CommandSpec } from '../options';
import { dtlsSettings, identityFromOptions, parseHostPort, TLS_OPTIONS, tlsSettings } from '../tls-options';
import { capturePcapng, ConnectionCapture, DatagramCapture, KeyLog, preciseNow, type Capture } from '../../export/capture';
import { buildReport, reportFormatFor, summaryFromNegotiated } from '../../export/report';
import { keyScheduleOutput } from '../key-schedule-option';
import { ECH_CONNECT_OPTIONS, echClientSettings, EchOutcome } from '../ech-options';

export const spec: CommandSpec = {
  name: 'connect',
  synopsis: 'connect [options] HOST:PORT',
  summary: 'Connect to a TLS server and show the handshake decoded, like openssl s_client; standard input is sent as application data.',
  options: [
    { name: 'connect', kind: 'string', arg: 'HOST:PORT', help: 'the server (or give it as the argument)' },
    { name: 'servername', kind: 'string', arg: 'NAME', help: 'SNI (default: the host, unless it is an IP address)' },
    { name: 'noservername', kind: 'flag', help: 'send no SNI' },
    ...TLS_OPTIONS,
    ...TRANSPORT_OPTIONS,
    ...ECH_CONNECT_OPTIONS,
    { name: 'ign_eof', kind: 'flag', help: 'keep the connection open when standard input ends' },
    { name: 'CAfile', kind: 'string', arg: 'FILE', help: 'trust anchors (PEM) to verify the server\'s chain with (default: the system store)' },
    { name: 'CApath', kind: 'string', arg: 'DIR', help: 'a folder of trust anchors (*.pem, *.crt, hash links)' },
    { name: 'verify_hostname', kind: 'string', arg: 'NAME', help: 'check the certificate is for NAME (as s_client -verify_hostname)' },
    { name: 'verify_return_error', kind: 'flag', help: 'abort the handshake when verification fails (as s_client -verify_return_error)' },
    { name: 'sess_out', kind: 'string', arg: 'FILE', help: 'save the session (the last ticket received) to FILE (also --sess-out)' },
    { name: 'sess-out', kind: 'string', arg: 'FILE', help: 'same as --sess_out' },
    { name: 'sess_in', kind: 'string', arg: 'FILE', help: 'resume the session saved in FILE (also --sess-in)' },
    { name: 'sess-in', kind: 'string', arg: 'FILE', help: 'same as --sess_in' },
    { name: 'early_data', kind: 'string', arg: 'FILE', help: 'send FILE as 0-RTT early data with the --sess_in session, if its ticket allows it (as s_client -early_data; also --early-data)' },
    { name: 'early-data', kind: 'string', arg: 'FILE', help: 'same as --early_data' },
    { name: 'renegotiate', kind: 'flag', help: 'renegotiate once right after the handshake (TLS 1.2 and older, RFC 5746; as typing R to s_client)' },
    { name: 'reconnect', kind: 'flag', help: 'after the handshake, drop the connection and reconnect 5 times resuming the session, printing New or Reused each time (as s_client -reconnect)' },
    { name: 'ct', kind: 'flag', help: 'ask for signed certificate timestamps (signed_certificate_timestamp) and show them (as s_client -ct; the logs\' signatures are not checked)' },
    { name: 'status', kind: 'flag', help: 'ask for a stapled OCSP response (status_request), show it (as s_client -status) and check it against the chain (as openssl ocsp: "OCSP response verify OK"); also list each certificate\'s CRL and OCSP URLs' },
    { name: 'padding', kind: 'string', arg: 'N', help: 'pad the ClientHello to N bytes with the padding extension (RFC 7685), e.g. 512' },
    { name: 'timeout', kind: 'string', arg: 'SECONDS', help: 'connect and handshake timeout (default 10)' },
    { name: 'pcap', kind: 'string', arg: 'FILE', help: 'when the connection ends, write it to FILE as pcapng for Wireshark: the bytes on the wire between the real endpoints, with the key log inside (Decryption Secrets Block), so Wireshark and tshark decrypt it with no set-up' },
    { name: 'report', kind: 'string', arg: 'FILE', help: 'when the connection ends, write a report to FILE: summary, chain, verification and the decoded trace, as Markdown, or JSON if FILE ends in .json' },
    { name: 'keyschedule', kind: 'flag', help: 'record the key schedule and print it when the handshake ends: TLS 1.3 HKDF steps (secrets, labels, transcript hashes, keys, IVs, finished keys) or TLS 1.2 PRF inputs, master secret and key block; on bad_record_mac or decrypt_error, which values it implicates. These are the session\'s secrets' },
    { name: 'help', kind: 'flag', short: 'h', help: 'this help' },
  ],
  notes: [
    'Lines typed as "K" or "k" alone send a KeyUpdate (K asks the server to update too), as in s_client.',
    'With --cert the client offers post-handshake authentication, so the server may ask for the certificate later.',
    'Early data (0-RTT) can be replayed by an attacker: send only requests that are safe to repeat. If the server rejects it, it is not resent.',
    'With --status the staple is checked as openssl ocsp -respin does: the responder must be the issuer or delegated by it, the signature must verify, the status must be for the leaf and current. Nothing is fetched.',
    'A --pcap file holds the session\'s secrets (to decrypt it): share it only as you would the traffic itself.',
    'Exit status: 0 the handshake succeeded, 1 it failed or the connection broke, 2 an input could not be read.',
    'Example: tlslens connect example.com:443 --alpn h2,http/1.1   (like: openssl s_client -connect example.com:443 -alpn h2,http/1.1)',
    'Example: tlslens connect mail.example.com:587 --starttls smtp --proxy socks5://127.0.0.1:1080   (the SMTP and SOCKS5 exchanges are shown before the handshake)',
  ],
};

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(spec, argv);
  const target = (values.connect as string | undefined) ?? positionals[0];
  if (!target) throw new UsageError('connect: give HOST:PORT');
  const { host, port } = parseHostPort(target, 443);
  const settings = tlsSettings(values);
  Object.assign(settings, echClientSettings(values));
  const ech = new EchOutcome();
  if (values.status) settings.requestOcsp = true;
  if (values.ct) settings.requestScts = true;
  if (typeof values.padding === 'string') {
    const n = Number(values.padding);
    if (!(Number.isInteger(n) && n > 0 && n <= 0xffff)) throw new UsageError(`--padding ${values.padding}: not a length in bytes`);
    settings.padToLength = n;
  }
  const timeoutMs = values.timeout ? Number(values.timeout) * 1000 : 10_000;
  const id = identityFromOptions(values, io);
  if (id) {
    settings.certificateChain = id.chain;
    settings.signer = id.signer;
  }
  // As s_client: the chain is always verified and the result reported; only --verify_return_error aborts.
  let verdict: VerifyResult | undefined;
  const trusted = typeof values.CAfile === 'string' || typeof values.CApath === 'string'
    ? mergeCerts(...(typeof values.CAfile === 'string' ? [loadFile(values.CAfile)] : []), ...(typeof values.CApath === 'string' ? [loadDirectory(values.CApath)] : [])).certs
    : undefined;
  // Loaded once: the chain verification and the stapled OCSP check use the same anchors.
  let anchors: VCert[] | undefined;
  const trustAnchors = () => (anchors ??= trusted ?? loadSystemStore().certs);
  const hostCheck = values.verify_hostname as string | undefined;
  settings.verifyPeer = (chain) => {
    const [leaf, ...rest] = chain.map((d) => loadCert(d));
    verdict = verifyChain({ target: leaf!, untrusted: rest, trusted: trustAnchors() }, { purpose: 'sslserver', ...(hostCheck ? (isIpAddress(hostCheck) ? { ip: hostCheck } : { hostname: hostCheck }) : {}) });
    const ok = verdict.ok || !values.verify_return_error;
    return { ok, code: verdict.code, reason: `${verdict.text} (${verdict.code}) at depth ${verdict.errorDepth}`, alert: alertForVerifyError(verdict.code) };
  };
  const sessIn = (values.sess_in ?? values['sess-in']) as string | undefined;
  const sessOut = (values.sess_out ?? values['sess-out']) as string | undefined;
  if (sessIn) {
    try {
      settings.session = sessionFromJson(fs.readFileSync(sessIn, 'utf8'));
    } catch (e) {
      throw new UsageError(`--sess_in ${sessIn}: ${(e as Error).message}`);
    }
  }
  const earlyFile = (values.early_data ?? values['early-data']) as string | undefined;
  if (earlyFile) {
    if (!sessIn) throw new UsageError('--early_data needs --sess_in: 0-RTT data is sent with a resumed session');
    try {
      settings.earlyData = new Uint8Array(fs.readFileSync(earlyFile));
    } catch (e) {
      throw new UsageError(`--early_data ${earlyFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  let latest: ClientSession | undefined;
  settings.onSession = (s) => {
    latest = s;
    if (sessOut) fs.writeFileSync(sessOut, sessionToJson(s) + '\n', { mode: 0o600 });
  };
  const serverName = values.noservername ? undefined : ((values.servername as string | undefined) ?? host);
  // --pcap and --report: every connection's bytes, and the secrets (kept here, also still going to --keylog).
  const pcapFile = typeof values.pcap === 'string' ? values.pcap : undefined;
  const reportFile = typeof values.report === 'string' ? values.report : undefined;
  const keyLog = new KeyLog();
  if (pcapFile) settings.onSecret = keyLog.sink(settings.onSecret);
  const captures: Capture[] = [];
  const traced: TraceEvent[] = [];
  const track = (s: TlsSession, openedAt: number) => {
    if (pcapFile) {
      const c = ConnectionCapture.fromSocket('client', s.socket, { openedAt, establishedAt: preciseNow(), arrivals: true });
      captures.push(c);
      s.on('trace', c.listener);
    }
    if (reportFile) s.on('trace', (e: TraceEvent) => traced.push(e));
  };
  const json = !!values.json;
  const keySchedule = values.keyschedule ? keyScheduleOutput() : undefined;
  if (keySchedule) settings.keySchedule = keySchedule.recorder;
  if (keySchedule && values.reconnect) throw new UsageError('--keyschedule records one connection: use it without --reconnect');
  const print = (e: TraceEvent) => {
    keySchedule?.onTrace(e);
    if (json) io.out(toJson(e) + '\n');
    else if (!values.quiet) {
      const line = formatEvent(e, { records: !!values.msg });
      if (line) io.out(line + '\n');
    }
  };

  let session: TlsSession | DtlsSession;
  const openedAt = preciseNow();
  const dtls = dtlsSettings(values);
  // --starttls / --proxy: the plaintext exchange first, traced as it happens (engine/transport).
  const via = transportFromOptions(values, !!dtls, io);
  const preamble: { events: [TraceEvent, number][]; connectedAt?: number } = { events: [] };
  try {
    if (dtls) {
      if (values.reconnect) throw new UsageError('--reconnect is not built for DTLS yet');
      if (keySchedule) throw new UsageError('--keyschedule is not built for DTLS yet');
      const d = await connectDtls({ host, port, ...settings, ...dtls, ...(serverName ? { serverName } : {}), handshakeTimeoutMs: timeoutMs });
      // --pcap: every datagram, whole, as UDP between the socket's real endpoints (before begin(): the first is ours).
      if (pcapFile) captures.push(DatagramCapture.fromSession('client', d));
      session = d;
    } else if (via) {
      session = await connectVia({ host, port, ...settings, ...(serverName ? { serverName } : {}), handshakeTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs, ...via, onTrace: (e) => {
        print(e);
        if (reportFile) traced.push(e);
        if (pcapFile) preamble.events.push([e, preciseNow()]);
      }, onConnected: () => (preamble.connectedAt = preciseNow()) });
    } else session = await connect({ host, port, ...settings, ...(serverName ? { serverName } : {}), handshakeTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    io.err(`connect: ${(e as Error).message}\n`);
    return EXIT.MISMATCH_OR_PROBLEM;
  }
  if (!json && !values.quiet) io.out(`CONNECTED(${host}:${port})\n`);
  session.on('trace', print);
  session.on('trace', ech.listener);
  // What a CertificateRequest asked for, and whether --cert/--key fit it (engine/tools/client-cert-request.ts).
  let certFit: ClientCertificateFit | undefined;
  let certRequested = false;
  session.on('trace', watchCertificateRequests(id ? { chain: id.chain, signer: id.signer } : undefined, (request, fit) => {
    certFit = fit;
    certRequested = true;
    if (json) io.out(JSON.stringify({ kind: 'certificate-request', request, ...(fit ? { fit } : {}) }) + '\n');
    else if (!values.quiet) io.out([...certificateRequestText(request), ...(fit ? fitText(fit) : ['No client certificate configured (--cert, --key): an empty Certificate is sent']), ''].join('\n'));
  }));
  if (session instanceof TlsSession) track(session, openedAt);
  // --pcap through --proxy/--starttls: their bytes came first on the wire, from the TCP connect on.
  const first = captures[0];
  if (pcapFile && via && first instanceof ConnectionCapture) {
    if (preamble.connectedAt !== undefined) first.establishedAt = preamble.connectedAt;
    for (const [e, at] of preamble.events) first.onTrace(e, at);
  }
  let lastError: TlsSessionError | undefined;
  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      if (pcapFile) writeExport(io, '--pcap', pcapFile, () => capturePcapng(captures, keyLog));
      if (reportFile) {
        const summary = summaryFromNegotiated(session.conn.negotiated, {
          bytesIn: session.bytesIn, bytesOut: session.bytesOut, host: hostCheck ?? host,
          ...(verdict ? { verify: verdict, storeName: [values.CAfile, values.CApath].filter((x) => typeof x === 'string').join(' and ') || 'the system trust store' } : {}),
          ...(lastError ? { error: { message: lastError.message, ...(lastError.alert ? { alert: lastError.alert } : {}), fromPeer: lastError.fromPeer } } : {}),
        });
        writeExport(io, '--report', reportFile, () => buildReport({ title: `TLS ${host}:${port}`, target: { mode: 'connect', host, port, protocol: 'TLS', settings: reportSettings(values) }, summary, events: traced.map((e) => JSON.parse(toJson(e)) as Record<string, unknown> & { kind: string; t: number; side: 'client' | 'server' }) }, reportFormatFor(reportFile)));
      }
      io.stdin?.removeAllListeners('data');
      io.stdin?.removeAllListeners('end');
      (io.stdin as { pause?: () => void } | undefined)?.pause?.();
      resolve(code);
    };
    session.on('error', (e: TlsSessionError) => {
      lastError ??= e;
      io.err(`connect: ${e.message}\n`);
      // A refusal after a CertificateRequest our certificate did not fit: say which check failed.
      if (certRequested && !id) io.err('connect: the server asked for a client certificate and none was given (--cert, --key)\n');
      if (certFit && !certFit.fits) io.err(`connect: the server asked for a client certificate and ours does not fit: ${certFit.checks.filter((c) => !c.ok).map((c) => c.reason).join('; ')}\n`);
      if (json) io.out(JSON.stringify({ kind: 'summary', ok: false, error: e.message, ...(e.alert ? { alert: e.alert } : {}), ...ech.json() }) + '\n');
      else if (ech.line()) io.out(`${ech.line()}\n`);
      keySchedule?.print(io, json);
      finish(EXIT.MISMATCH_OR_PROBLEM);
    });
    session.on('secure', (n: NegotiatedSession) => {
      const rev = revocationOf(n, trustAnchors, { status: !!values.status, pointers: json || !!values.status });
      if (json) io.out(JSON.stringify({ ...(summaryJson(n) as object), ...ech.json(), verify: verdict ? { code: verdict.code, text: verdict.text, depth: verdict.errorDepth, fix: verdict.errors[0]?.fix ?? null } : null, ...(rev.ocsp ? { ocspVerify: rev.ocsp } : {}), ...(rev.pointers ? { revocationPointers: rev.pointers } : {}) }) + '\n');
      else io.out(summaryText(n, verdict, rev) + (ech.line() ? `${ech.line()}\n` : ''));
      keySchedule?.print(io, json);
      if (values.reconnect) {
        // As s_client -reconnect: give the server a moment to send its tickets, then five resumptions.
        setTimeout(() => {
          session.end();
          void reconnectRounds({ host, port, ...settings, ...(serverName ? { serverName } : {}), handshakeTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs }, () => latest, io, json, track).then((ok) => finish(ok ? EXIT.OK : EXIT.MISMATCH_OR_PROBLEM));
        }, 200);
        return;
      }
      wireStdin(session, io, !!values.ign_eof);
      if (values.renegotiate) {
        try {
          session.renegotiate();
          if (!json) io.out('RENEGOTIATING\n');
        } catch (e) {
          io.err(`connect: --renegotiate: ${(e as Error).message}\n`);
        }
      }
    });
    session.on('renegotiated', (n: NegotiatedSession) => {
      if (json) io.out(JSON.stringify({ kind: 'renegotiated', version: versionName(n.version), cipher: suiteName(n.cipherSuite, 'openssl') }) + '\n');
      else io.out(`Renegotiated: ${versionName(n.version)}, Cipher is ${suiteName(n.cipherSuite, 'openssl')}\n`);
    });
    session.on('data', (d: Uint8Array) => {
      if (json) io.out(JSON.stringify({ kind: 'data', length: d.length, text: new TextDecoder().decode(d) }) + '\n');
      else io.out(new TextDecoder().decode(d));
    });
    session.on('end', () => {
      if (!json && !values.quiet) io.out('closed by peer (close_notify)\n');
      session.end();
    });
    session.on('close', () => { if (!values.reconnect || !session.conn.negotiated) finish(session.conn.negotiated ? EXIT.OK : EXIT.MISMATCH_OR_PROBLEM); });
    session.begin();
  });
}

/** s_client -reconnect: five more connections, each offering the latest session; one line each, "Reused" or "New". */
async function reconnectRounds(opts: Parameters<typeof connect>[0], latest: () => ClientSession | undefined, io: CliIO, json: boolean, track?: (s: TlsSession, openedAt: number) => void): Promise<boolean> {
  let ok = true;
  for (let i = 0; i < 5; i++) {
    const session = latest();
    if (!json) io.out('drop connection and then reconnect\n');
    try {
      const openedAt = preciseNow();
      const s = await connect({ ...opts, ...(session ? { session } : {}) });
      track?.(s, openedAt);
      const failure = new Promise<never>((_, reject) => s.on('error', reject));
      s.begin();
      const n = await Promise.race([s.handshake(), failure]);
      const line = `${n.resumed ? 'Reused' : 'New'}, ${versionName(n.version)}, Cipher is ${suiteName(n.cipherSuite, 'openssl')}`;
      io.out(json ? JSON.stringify({ kind: 'reconnect', round: i + 1, resumed: n.resumed, version: versionName(n.version), cipher: suiteName(n.cipherSuite, 'openssl') }) + '\n' : `${line}\n`);
      await new Promise((r) => setTimeout(r, 100)); // the server's tickets for the next round
      s.end();
    } catch (e) {
      io.err(`connect: reconnect ${i + 1}: ${(e as Error).message}\n`);
      ok = false;
    }
  }
  return ok;
}

/** The options given, as the report lists them (`--alpn h2`, `--tls1_2`...). */
function reportSettings(values: Record<string, string | boolean | undefined>): { label: string; value: string }[] {
  const skip = new Set(['connect', 'pcap', 'report', 'keylog', 'pass', 'proxy_pass', 'json', 'quiet', 'msg', 'help', 'sess_out', 'sess-out']);
  return Object.entries(values).filter(([k, v]) => v !== undefined && v !== false && !skip.has(k)).map(([k, v]) => ({ label: `--${k}`, value: v === true ? 'on' : k === 'proxy' ? redactUrl(String(v)) : String(v) }));
}

/** Writes an export file, saying so on standard error; a failure is reported, not thrown (the session's outcome stands). */
function writeExport(io: CliIO, option: string, file: string, make: () => Uint8Array | string): void {
  try {
    const data = make();
    fs.writeFileSync(file, data, option === '--pcap' ? { mode: 0o600 } : {});
    io.err(`${option}: wrote ${file} (${typeof data === 'string' ? Buffer.byteLength(data) : data.length} bytes)\n`);
  } catch (e) {
    io.err(`connect: ${option} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
  }
}

function wireStdin(session: TlsSession | DtlsSession, io: CliIO, ignoreEof: boolean): void {
  const stdin = io.stdin;
  if (!stdin) return;
  stdin.on('data', (chunk: Buffer | string) => {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const cmd = text.trim();
    if (cmd === 'K' || cmd === 'k') {
      session.keyUpdate(cmd === 'K');
      return;
    }
    if (cmd === 'R') {
      // As s_client's R command: renegotiate (TLS 1.2 and older).
      try {
        session.renegotiate();
        io.out('RENEGOTIATING\n');
      } catch (e) {
        io.err(`connect: ${(e as Error).message}\n`);
      }
      return;
    }
    session.write(typeof chunk === 'string' ? chunk : new Uint8Array(chunk));
  });
  stdin.on('end', () => {
    if (ignoreEof) return;
    if (session instanceof DtlsSession) {
      // UDP has no half-close: our close_notify ends the association at once. So the answer to what was sent comes
      // first: we close when the server does, or after 2 s without a datagram from it (at most 10 s).
      let quiet: NodeJS.Timeout | undefined;
      const bye = () => session.end();
      const arm = () => {
        clearTimeout(quiet);
        quiet = setTimeout(bye, 2000);
      };
      session.on('data', arm);
      session.once('close', () => clearTimeout(quiet));
      arm();
      setTimeout(bye, 10_000).unref();
      return;
    }
    // As s_client: end of input closes our side; what the server still sends is printed until it closes.
    setTimeout(() => session.end(), 50);
    setTimeout(() => session.destroy(), 3000).unref();
  });
  stdin.resume();
}

function peerSubject(der: Uint8Array | undefined): { subject: string; issuer: string } | undefined {
  if (!der) return undefined;
  try {
    const c = decodeCertificate(der);
    return { subject: c.subject.text, issuer: c.issuer.text };
  } catch {
    return undefined;
  }
}

/** What --status adds to the summary: the staple's verdict, whether one was asked for, and where each certificate points for revocation. */
export interface RevocationExtras {
  requested?: boolean;
  ocsp?: OcspVerdict;
  pointers?: RevocationPointers[];
}

/**
 * The staple judged against the chain the server sent, the trust anchors added as possible issuers (a server that
 * leaves out an intermediate the store has); the pointers of every certificate that loads. Anchors are only loaded
 * when there is a staple to check.
 */
export function revocationOf(n: NegotiatedSession, anchors: () => VCert[], want: { status: boolean; pointers: boolean }): RevocationExtras {
  const chain: VCert[] = [];
  for (const d of n.peerCertificates) {
    try {
      chain.push(loadCert(d));
    } catch {
      // An undecodable leaf leaves the chain empty, which the verdict reports; a later one is only missing from the list.
      if (!chain.length) break;
    }
  }
  return {
    requested: want.status,
    ...(n.ocsp ? { ocsp: checkOcspResponse(n.ocsp.der, chain, { issuers: anchors() }) } : {}),
    ...(want.pointers ? { pointers: revocationPointers(chain) } : {}),
  };
}

/**
 * The verdict in openssl ocsp's words ("Response verify OK" / "Response Verify Failure"), then ours: the status
 * and who signed it, or the first problem with its cause and fix. A revoked or unknown status comes from a response
 * that verified, so it is not a verify failure, as in openssl ocsp.
 */
export function ocspVerdictText(v: OcspVerdict): string[] {
  const problem = v.findings.find((f) => f.code !== V.CERT_REVOKED && f.code !== V.OCSP_CERT_UNKNOWN);
  const verdictLine = (f: { code: number; text: string }) => `X509_V_ERR ${f.code}: ${f.text}`;
  if (problem) {
    const lines = [`OCSP response verify failure: ${problem.text} (X509_V_ERR ${problem.code})`, `  why: ${problem.detail}`, `  fix: ${problem.fix}`];
    const revoked = v.findings.find((f) => f.code === V.CERT_REVOKED);
    if (revoked) lines.push(`  note: it also says: ${revoked.detail}`);
    return lines;
  }
  const r = v.response;
  const by = v.responder ? (v.responder.kind === 'issuer' ? `signed by the issuer "${v.responder.subject}"` : `signed by "${v.responder.subject}", delegated by the issuer "${v.issuer ?? '?'}"`) : '';
  const when = r?.thisUpdate ? `; thisUpdate ${r.thisUpdate}${r.nextUpdate ? `, nextUpdate ${r.nextUpdate}` : ''}` : '';
  if (v.ok) return ['OCSP response verify OK', `  "${v.subject ?? '?'}" is good (X509_V_OK), ${by}${when}`];
  const f = v.findings[0];
  return ['OCSP response verify OK', `  Cert Status: ${v.status} (${verdictLine(v)}): ${f?.detail ?? ''}`, ...(f ? [`  fix: ${f.fix}`] : [])];
}

export function summaryText(n: NegotiatedSession, verdict?: VerifyResult, rev: RevocationExtras = {}): string {
  const lines = ['---', 'Certificate chain'];
  n.peerCertificates.forEach((der, i) => {
    const p = peerSubject(der);
    lines.push(` ${i} s:${p?.subject ?? '(does not decode)'}`, `   i:${p?.issuer ?? ''}`);
  });
  lines.push('---',
    `Protocol      : ${versionName(n.version)}`,
    `Cipher        : ${suiteName(n.cipherSuite, 'iana')}`,
    ...(n.group !== undefined ? [`Group         : ${groupName(n.group)}`] : []),
    ...(n.signatureScheme !== undefined ? [`Peer signature: ${sigSchemeName(n.signatureScheme)}`] : []),
    `ALPN          : ${n.alpn ?? '(none)'}`,
    `HelloRetry    : ${n.helloRetry ? 'yes' : 'no'}`,
    `Resumed       : ${n.resumed ? (n.resumedBy === 'session-id' ? 'yes (session ID, RFC 5246)' : n.resumedBy === 'ticket' ? 'yes (session ticket, RFC 5077)' : 'yes (PSK from a session ticket)') : 'no'}`,
    `Early data    : ${earlyDataText(n.earlyData)}`,
    ...(n.recordSizeLimit ? [`Record limit  : ours ${n.recordSizeLimit.ours}, server's ${n.recordSizeLimit.peer} (record_size_limit, RFC 8449)`] : []),
    ...(n.certificateAuthorities ? ['Acceptable client certificate CA names', ...n.certificateAuthorities.map((c) => `  ${c}`)] : []),
    ...ocspText(n),
    ...(rev.ocsp ? ocspVerdictText(rev.ocsp) : rev.requested ? ['OCSP response: no response sent'] : []),
    ...(rev.pointers && rev.requested ? ['Revocation pointers (not fetched):', ...rev.pointers.map((p) => `  ${p.depth} ${p.label}: ${p.summary}`)] : []),
    ...(n.scts ? ['---', `SCTs present (${n.scts.length})`, '---', ...n.scts.flatMap((x) => sctText(x)), '---'] : []),
    ...(verdict ? [`Verify return code: ${verdict.code} (${verdict.ok ? 'ok' : verdict.text})`, ...(verdict.ok ? [] : [`  ${verdict.errors[0]?.fix ?? ''}`])] : [n.resumed ? 'Verification  : resumed session (the chain was checked when it was made)' : 'Verification  : not performed']),
    '---', '');
  return lines.join('\n');
}

/** As s_client -status prints it: "OCSP Response Status: successful (0x0)" ... "Cert Status: good". */
function ocspText(n: NegotiatedSession): string[] {
  const o = n.ocsp;
  if (!o) return [];
  if (o.error) return [`OCSP response: does not decode (${o.error})`];
  const lines = ['OCSP response:', `    OCSP Response Status: ${o.responseStatus}`];
  if (o.responseType) lines.push(`    Response Type: ${o.responseType === 'basic' ? 'Basic OCSP Response' : o.responseType}`);
  if (o.producedAt) lines.push(`    Produced At: ${o.producedAt}`);
  for (const r of o.responses) {
    lines.push(`    Serial Number: ${r.serial}`, `    Cert Status: ${r.certStatus}`);
    if (r.revocationTime) lines.push(`    Revocation Time: ${r.revocationTime}`);
    if (r.revocationReason) lines.push(`    Revocation Reason: ${r.revocationReason}`);
    if (r.thisUpdate) lines.push(`    This Update: ${r.thisUpdate}`);
    if (r.nextUpdate) lines.push(`    Next Update: ${r.nextUpdate}`);
  }
  return lines;
}

function earlyDataText(status: NegotiatedSession['earlyData']): string {
  switch (status) {
    case 'accepted': return 'accepted (0-RTT; early data can be replayed by an attacker: send only idempotent requests)';
    case 'rejected': return 'rejected (not delivered and not resent: send it again if it is safe to)';
    default: return 'not offered';
  }
}

function summaryJson(n: NegotiatedSession): unknown {
  return {
    kind: 'summary', ok: true, protocol: versionName(n.version), cipher: suiteName(n.cipherSuite, 'iana'),
    group: n.group !== undefined ? groupName(n.group) : null, peerSignature: n.signatureScheme !== undefined ? sigSchemeName(n.signatureScheme) : null,
    alpn: n.alpn ?? null, helloRetry: n.helloRetry, resumed: n.resumed,
    earlyData: n.earlyData ?? 'not offered',
    ...(n.scts ? { scts: n.scts } : {}),
    ...(n.ocsp ? { ocsp: { responseStatus: n.ocsp.responseStatus, producedAt: n.ocsp.producedAt ?? null, responses: n.ocsp.responses, ...(n.ocsp.error ? { error: n.ocsp.error } : {}) } } : {}),
    ...(n.recordSizeLimit ? { recordSizeLimit: n.recordSizeLimit } : {}), ...(n.certificateAuthorities ? { certificateAuthorities: n.certificateAuthorities } : {}), ...(n.earlyData === 'accepted' ? { earlyDataWarning: 'early data can be replayed by an attacker; send only idempotent requests (RFC 8446 section 8)' } : {}), chain: n.peerCertificates.map((d) => peerSubject(d) ?? null),
  };
}
