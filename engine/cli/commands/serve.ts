// `tlslens serve`: a TLS server in the spirit of `openssl s_server`: prints `ACCEPT host:port`, traces each
// session, and keeps serving after each connection and after standard input ends. --www answers an HTTP
// request with a status page and closes, as `s_server -www` does; --echo sends back what it receives.
import { parseServerInfo, sctsFromServerInfo } from '../../tools/serverinfo';
import { clientOfferText, watchClientOffers } from '../../tools/client-offer';
import { certificateSubjectDer, clientCaOptions } from '../../tools/client-auth';
import { ExtensionType, extensionName } from '../../registry/extensions';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, TlsSession } from '../../net/session';
import { createDtlsServer, DtlsSession, type DtlsServer } from '../../net/dtls';
import { generatedIdentity, type Identity } from '../../tools/identity';
import { toJson, type TraceEvent } from '../../trace/events';
import { formatEvent } from '../../trace/format-text';
import type { NegotiatedSession } from '../../conn/types';
import { suiteName } from '../../registry/suites';
import { groupName } from '../../registry/groups';
import { sigSchemeByName, sigSchemeName } from '../../registry/sigschemes';
import { versionName } from '../../registry/versions';
import { EXIT, UsageError, type CliIO } from '../io';
import { parse, type CommandSpec } from '../options';
import { dtlsSettings, identityFromOptions, parseHostPort, TLS_OPTIONS, tlsSettings } from '../tls-options';
import { capturePcapng, ConnectionCapture, DatagramCapture, KeyLog, preciseNow, type Capture } from '../../export/capture';
import { ECH_SERVE_OPTIONS, echServerBanner, echServerKey, echServerSettings } from '../ech-options';
import { configListBase64, echConfigSummary, serverConfigOf } from '../../ech/config';

export const spec: CommandSpec = {
  name: 'serve',
  synopsis: 'serve [options]',
  summary: 'Run a TLS server on 127.0.0.1 (like openssl s_server) and trace every session; without --cert it uses a generated certificate for localhost.',
  options: [
    { name: 'port', kind: 'string', arg: 'N', help: 'port (default 4433; 0 picks a free one, printed on the ACCEPT line)' },
    { name: 'accept', kind: 'string', arg: 'HOST:PORT', help: 'address to listen on (default 127.0.0.1:4433)' },
    ...TLS_OPTIONS,
    ...ECH_SERVE_OPTIONS,
    { name: 'www', kind: 'flag', help: 'answer an HTTP request with a status page, then close (as s_server -www)' },
    { name: 'echo', kind: 'flag', help: 'send back what each client sends' },
    { name: 'verify', kind: 'flag', help: 'ask clients for a certificate (as s_server -verify)' },
    { name: 'Verify', kind: 'flag', help: 'require a client certificate (as s_server -Verify)' },
    { name: 'hrr', kind: 'flag', help: 'answer every first ClientHello with a HelloRetryRequest (cookie)' },
    { name: 'early_data', kind: 'flag', help: 'accept 0-RTT early data, up to 16384 bytes unless --max-early-data (as s_server -early_data; also --early-data)' },
    { name: 'early-data', kind: 'flag', help: 'same as --early_data' },
    { name: 'max-early-data', kind: 'string', arg: 'N', help: 'bytes of early data tickets allow and the server accepts (0 = off; also --max_early_data)' },
    { name: 'max_early_data', kind: 'string', arg: 'N', help: 'same as --max-early-data' },
    { name: 'status_file', kind: 'string', arg: 'FILE', help: 'staple the DER OCSP response in FILE when a client asks (status_request; as s_server -status_file; also --status-file)' },
    { name: 'status-file', kind: 'string', arg: 'FILE', help: 'same as --status_file' },
    { name: 'serverinfo', kind: 'string', arg: 'FILE', help: 'PEM file of SERVERINFO(V2) blocks (as s_server -serverinfo): its signed_certificate_timestamp list is sent to clients that ask (SCTs, RFC 6962)' },
    { name: 'client_CA', kind: 'string', arg: 'FILE', help: 'with --verify/--Verify: send the subjects of the PEM certificates in FILE as certificate_authorities (RFC 8446 section 4.2.4; as s_server -client_CAfile)' },
    { name: 'CAfile', kind: 'string', arg: 'FILE', help: 'with --verify/--Verify: verify client certificates against the CA certificates in FILE (purpose sslclient) and send their subjects as the acceptable CA names (as s_server -CAfile)' },
    { name: 'client_sigalgs', kind: 'string', arg: 'LIST', help: 'with --verify/--Verify: the signature schemes the CertificateRequest accepts from the client, e.g. ECDSA+SHA256:rsa_pss_rsae_sha256 (as s_server -client_sigalgs)' },
    { name: 'cert_chain', kind: 'string', arg: 'FILE', help: 'send the certificates in FILE after the leaf of --cert, as the chain (as s_server -cert_chain)' },
    { name: 'client_renegotiation', kind: 'flag', help: 'accept renegotiations the client starts (TLS 1.2 and older, RFC 5746; off by default, as in OpenSSL 3; s_server -client_renegotiation)' },
    { name: 'naccept', kind: 'string', arg: 'N', help: 'exit after N connections (as s_server -naccept)' },
    { name: 'pcap', kind: 'string', arg: 'FILE', help: 'write every connection to FILE as pcapng for Wireshark (rewritten as each one closes): the bytes on the wire between the real endpoints, with the key log inside (Decryption Secrets Block), so Wireshark and tshark decrypt it with no set-up' },
    { name: 'help', kind: 'flag', short: 'h', help: 'this help' },
  ],
  notes: [
    'A line typed as "c" alone asks every connected client for a certificate after the handshake (post-handshake authentication, as the s_server "c" command); clients must have offered it.',
    'Early data is accepted at most once per ticket (a single-use ticket cache, RFC 8446 section 8.1), but it can still be replayed by an attacker: act only on idempotent requests in it.',
    'Each ClientHello is shown as the client offer (versions, suites, groups, key shares, signature algorithms, ALPN, SNI, extensions in order, GREASE) with its JA4 fingerprint; a refused client gets the reason in plain words ("no shared group: ..."). With --json: {"kind":"client-offer",...} and {"kind":"refusal",...} lines.',
    'Example: tlslens serve --port 0 --www   (like: openssl s_server -accept 4433 -www)',
  ],
};

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(spec, argv);
  const addr = typeof values.accept === 'string' ? parseHostPort(values.accept, 4433) : { host: '127.0.0.1', port: values.port !== undefined ? Number(values.port) : 4433 };
  if (typeof values.port === 'string') addr.port = Number(values.port);
  if (!(addr.port >= 0 && addr.port < 65536)) throw new UsageError(`--port ${values.port}: not a port`);
  const settings = tlsSettings(values);
  const echKey = echServerKey(values);
  if (echKey) {
    Object.assign(settings, echServerSettings(echKey));
    if (values.json) io.out(JSON.stringify({ kind: 'ech-config', echConfigList: configListBase64(serverConfigOf([echKey]).retryConfigs), configs: [echConfigSummary(echKey.config)] }) + '\n');
    else io.out(echServerBanner(echKey));
  }
  const maxEarlyRaw = (values['max-early-data'] ?? values.max_early_data) as string | undefined;
  const maxEarlyData = maxEarlyRaw !== undefined ? Number(maxEarlyRaw) : values.early_data || values['early-data'] ? 16384 : 0;
  if (!(Number.isInteger(maxEarlyData) && maxEarlyData >= 0 && maxEarlyData <= 0xffffffff)) throw new UsageError(`--max-early-data ${maxEarlyRaw}: not a byte count`);
  if (maxEarlyData > 0) settings.maxEarlyData = maxEarlyData;
  const statusFile = (values.status_file ?? values['status-file']) as string | undefined;
  if (statusFile) {
    try {
      settings.ocspResponse = new Uint8Array(fs.readFileSync(statusFile));
    } catch (e) {
      throw new UsageError(`--status_file ${statusFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (typeof values.serverinfo === 'string') {
    try {
      const exts = parseServerInfo(fs.readFileSync(values.serverinfo, 'utf8'));
      const others = exts.filter((e) => e.type !== ExtensionType.signed_certificate_timestamp).map((e) => extensionName(e.type));
      if (others.length) throw new Error(`only signed_certificate_timestamp (18) can be served from it, not ${others.join(', ')}`);
      settings.scts = sctsFromServerInfo(exts);
    } catch (e) {
      throw new UsageError(`--serverinfo ${values.serverinfo}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (typeof values.client_CA === 'string') {
    try {
      settings.certificateAuthorities = pemCertificates(fs.readFileSync(values.client_CA, 'utf8')).map((der) => certificateSubjectDer(der));
    } catch (e) {
      throw new UsageError(`--client_CA ${values.client_CA}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (typeof values.client_sigalgs === 'string') {
    settings.clientSignatureSchemes = values.client_sigalgs.split(/[:,]/).map((n) => n.trim()).filter(Boolean).map((n) => {
      const row = sigSchemeByName(n);
      if (!row) throw new UsageError(`--client_sigalgs: unknown signature scheme "${n}"`);
      return row.code;
    });
  }
  if (typeof values.CAfile === 'string') {
    const caFile = values.CAfile;
    try {
      // As s_server -CAfile with -verify: these CAs are named in the request and judge the client's chain.
      const ca = clientCaOptions(new Uint8Array(fs.readFileSync(caFile)), caFile);
      settings.certificateAuthorities ??= ca.certificateAuthorities;
      settings.verifyPeer = ca.verifyPeer;
    } catch (e) {
      throw new UsageError(`--CAfile ${caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  let id: Identity;
  const given = identityFromOptions(values, io);
  if (given) id = given;
  else {
    id = await generatedIdentity('localhost');
    if (!values.quiet && !values.json) io.err('Using a generated certificate for CN=localhost (ECDSA P-256); give --cert/--key for your own.\n');
  }
  if (typeof values.cert_chain === 'string') {
    try {
      id = { ...id, chain: [id.chain[0]!, ...pemCertificates(fs.readFileSync(values.cert_chain, 'utf8'))] };
    } catch (e) {
      throw new UsageError(`--cert_chain ${values.cert_chain}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (maxEarlyData > 0 && !values.quiet && !values.json)
    io.err(`Early data (0-RTT) accepted, up to ${maxEarlyData} bytes, once per ticket: early data can be replayed by an attacker; accept it only for idempotent requests (RFC 8446 section 8).\n`);
  const json = !!values.json;
  const print = (e: TraceEvent) => {
    if (json) io.out(toJson(e) + '\n');
    else if (!values.quiet) {
      const line = formatEvent(e, { records: !!values.msg });
      if (line) io.out(line + '\n');
    }
  };
  // --pcap: each connection's bytes and every secret (which still go to --keylog too); the file is rewritten whole
  // when a connection closes, so it is complete and readable between connections.
  const pcapFile = typeof values.pcap === 'string' ? values.pcap : undefined;
  const keyLog = new KeyLog();
  if (pcapFile) settings.onSecret = keyLog.sink(settings.onSecret);
  const captures: Capture[] = [];
  const writePcap = () => {
    if (!pcapFile) return;
    try {
      const bytes = capturePcapng(captures, keyLog);
      fs.writeFileSync(pcapFile, bytes, { mode: 0o600 });
      if (!json && !values.quiet) io.err(`--pcap: wrote ${pcapFile} (${captures.length} connection${captures.length === 1 ? '' : 's'}, ${bytes.length} bytes)\n`);
    } catch (e) {
      io.err(`serve: --pcap ${pcapFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    }
  };
  const limit = values.naccept ? Number(values.naccept) : Infinity;
  let accepted = 0;
  const sessions = new Set<TlsSession | DtlsSession>();
  const dtls = dtlsSettings(values);
  return new Promise<number>((resolve) => {
    const serverOptions = {
      ...settings, certificateChain: id.chain, signer: id.signer,
      clientAuth: (values.Verify ? 'require' : values.verify ? 'request' : 'none') as 'require' | 'request' | 'none',
      ...(values.hrr ? { forceHelloRetry: true } : {}),
      ...(values.client_renegotiation ? { renegotiation: true } : {}),
    };
    let dtlsServer: DtlsServer | undefined;
    const onSession = (s: TlsSession | DtlsSession) => {
      accepted++;
      sessions.add(s);
      if (pcapFile && s instanceof TlsSession) {
        const at = preciseNow();
        const c = ConnectionCapture.fromSocket('server', s.socket, { openedAt: at, establishedAt: at, arrivals: true });
        captures.push(c);
        s.on('trace', c.listener);
      }
      // DTLS: each client's datagrams, whole, from its first ClientHello (the session is made before it is read).
      if (pcapFile && s instanceof DtlsSession) captures.push(DatagramCapture.fromSession('server', s));
      if (accepted >= limit) {
        server.close();
        // DTLS: the UDP socket is every association's; stop taking new clients, close when the last one ends.
        dtlsServer?.stopAccepting();
      }
      s.on('trace', print);
      // Serve-side analysis: each ClientHello as the client's offer, and a refusal explained against what we accept.
      s.on('trace', watchClientOffers(serverOptions, s instanceof DtlsSession ? 'd' : 't', {
        offer: (o) => {
          if (json) io.out(JSON.stringify({ kind: 'client-offer', ...o }) + '\n');
          else if (!values.quiet) io.out(clientOfferText(o).join('\n') + '\n');
        },
        refusal: (r) => io.out(json ? JSON.stringify({ kind: 'refusal', ...r }) + '\n' : `Refused: ${r.reason}\n`),
      }));
      s.on('error', (e: Error) => io.err(`serve: session ${accepted}: ${e.message}\n`));
      let request = '';
      let earlyShown = false;
      // Early data arrives before the handshake completes: answers wait for it.
      const whenOpen = (fn: () => void) => (s.conn.status === 'handshaking' ? s.handshake().then(fn, () => undefined) : fn());
      s.on('secure', () => {
        if (earlyShown && !json && !values.quiet) io.out('\nEnd of early data\n');
      });
      s.on('data', (d: Uint8Array, meta?: { early?: boolean }) => {
        const text = new TextDecoder().decode(d);
        const early = !!meta?.early;
        if (values.www) {
          request += text;
          if (/\r?\n\r?\n/.test(request)) {
            whenOpen(() => {
              s.write(statusPage(s.conn.negotiated, request));
              s.end();
            });
          }
          return;
        }
        // Early data is echoed at once, as 0.5-RTT data (RFC 8446 section 2.3); the trace marks it.
        if (values.echo) (early ? s.write(d) : whenOpen(() => s.write(d)));
        if (json) io.out(JSON.stringify({ kind: 'data', length: d.length, text, ...(early ? { early: true } : {}) }) + '\n');
        else {
          if (early && !earlyShown) io.out('Early data received (0-RTT; it may be a replay):\n');
          earlyShown ||= early;
          io.out(text);
        }
      });
      s.on('end', () => s.end());
      s.on('close', () => {
        sessions.delete(s);
        writePcap();
        if (!json && !values.quiet) io.out('CLOSED\n');
        if (dtlsServer && accepted >= limit && !sessions.size) {
          dtlsServer.close();
          resolve(EXIT.OK);
        }
      });
    };
    const server = createServer(serverOptions, onSession);
    if (dtls) {
      // DTLS over UDP: one association per client address, each after a stateless cookie exchange.
      createDtlsServer({ ...serverOptions, ...dtls, host: addr.host, port: addr.port, ticketKey: globalThis.crypto.getRandomValues(new Uint8Array(32)) }, onSession).then((d) => {
        dtlsServer = d;
        io.out(`ACCEPT ${addr.host}:${d.port}\n`);
      }, (e: NodeJS.ErrnoException) => {
        io.err(`serve: cannot listen on UDP ${addr.host}:${addr.port}: ${e.code ?? e.message}\n`);
        resolve(EXIT.MISMATCH_OR_PROBLEM);
      });
    }
    server.on('error', (e) => {
      io.err(`serve: cannot listen on ${addr.host}:${addr.port}: ${(e as NodeJS.ErrnoException).code ?? e.message}\n`);
      resolve(EXIT.MISMATCH_OR_PROBLEM);
    });
    server.on('close', () => resolve(EXIT.OK));
    if (!dtls) {
      server.listen(addr.port, addr.host, () => {
        const a = server.address() as AddressInfo;
        io.out(`ACCEPT ${a.address}:${a.port}\n`);
      });
    }
    // Typed lines go to every connected client; the end of input does not stop the server.
    io.stdin?.on('data', (chunk: Buffer | string) => {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      if (text.trim() === 'c') {
        // As the s_server "c" command: post-handshake authentication (RFC 8446 section 4.6.2).
        for (const s of sessions) {
          if (s.conn.status !== 'open') continue;
          try {
            s.requestClientCertificate();
            if (!json && !values.quiet) io.out('post-handshake authentication requested\n');
          } catch (e) {
            io.err(`serve: cannot request a client certificate: ${(e as Error).message}\n`);
          }
        }
        return;
      }
      if (text.trim() === 'r' || text.trim() === 'R') {
        // As the s_server "r" command: ask each client to renegotiate (HelloRequest; TLS 1.2 and older, RFC 5746).
        for (const s of sessions) {
          if (s.conn.status !== 'open') continue;
          try {
            s.renegotiate();
            if (!json && !values.quiet) io.out('SSL_renegotiate -> 1 (HelloRequest sent)\n');
          } catch (e) {
            io.err(`serve: cannot renegotiate: ${(e as Error).message}\n`);
          }
        }
        return;
      }
      for (const s of sessions) if (s.conn.status === 'open') s.write(typeof chunk === 'string' ? chunk : new Uint8Array(chunk));
    });
    io.stdin?.resume();
  });
}

function statusPage(n: NegotiatedSession | undefined, request: string): string {
  const body = [
    '<html><body><pre>',
    'tlslens serve --www',
    `Protocol  : ${n ? versionName(n.version) : '?'}`,
    `Cipher    : ${n ? suiteName(n.cipherSuite, 'iana') : '?'}`,
    `Group     : ${n?.group !== undefined ? groupName(n.group) : '-'}`,
    `Signature : ${n?.signatureScheme !== undefined ? sigSchemeName(n.signatureScheme) : '-'}`,
    `ALPN      : ${n?.alpn ?? '-'}`,
    `SNI       : ${n?.serverName ?? '-'}`,
    `Early data: ${n?.earlyData ?? 'not offered'}${n?.earlyData === 'accepted' ? ' (0-RTT: it can be replayed by an attacker)' : ''}`,
    `Client certificate: ${n?.peerCertificates.length ? 'yes' : 'no'}`,
    '', 'Request:', request.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;')),
    '</pre></body></html>', '',
  ].join('\n');
  return `HTTP/1.0 200 ok\r\nContent-type: text/html\r\nContent-Length: ${new TextEncoder().encode(body).length}\r\n\r\n${body}`;
}

/** The DER certificates of the CERTIFICATE blocks in a PEM text. */
function pemCertificates(pem: string): Uint8Array[] {
  const out = [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  if (!out.length) throw new Error('no CERTIFICATE block');
  return out;
}

export { certificateSubjectDer };
