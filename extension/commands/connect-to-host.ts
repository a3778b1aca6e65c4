// Connect to Host: a quick-pick flow (recent targets and saved profiles first), then a live session panel.
// The command also takes its answers as an argument, for keybindings, profiles and tests.
import * as vscode from 'vscode';
import fs from 'node:fs';
import { groupByName, GROUPS } from '../../engine/registry/groups';
import { sigSchemeByName } from '../../engine/registry/sigschemes';
import { suiteByName, SUITES } from '../../engine/registry/suites';
import { versionByName } from '../../engine/registry/versions';
import type { SessionOptions } from '../../engine/net/session';
import type { Identity } from '../../engine/tools/identity';
import { identityFromDocument } from '../identity';
import { chooseClientCertificate, identityFromPkcs12File, isPkcs12Uri } from './client-cert-offer';
import { ApiClientRunner, type ApiClientOptions } from '../sessions/api-client-runner';
import { DtlsClientRunner } from '../sessions/dtls-client-runner';
import { isIpAddress } from '../../engine/handshake/tls13/common';
import { SessionPanel } from '../panels/session-panel';
import type { SessionSummary, SessionTarget } from '../../webview/shared/protocol';
import { COMMANDS } from '../ids';
import { allowNetwork, restrictedSetting } from '../workspace-trust';
import { explainNetworkUnavailable } from '../environment';
import { showKeySchedule, whatIfConnect } from './what-if';
import { effectiveProxy, pickTransport, startTlsConnectItems, transportOption, transportRows } from './connect-transport';
import { redactUrl } from '../../engine/transport/proxy/url';
import { errorText } from '../l10n';

/** What a profile in settings (`tlsLens.profiles`) or a caller may give. Names as OpenSSL spells them. */
export interface ConnectRequest {
  host: string;
  port?: number;
  protocol?: 'TLS' | 'DTLS';
  serverName?: string;
  alpn?: string[];
  cipherSuites?: string[];
  groups?: string[];
  signatureAlgorithms?: string[];
  /** A PEM file (or open editor) with the client certificate and its key. */
  clientCertificate?: string;
  /** 'system' (default), 'none', or a PEM file / directory of anchors (s_client -CAfile / -CApath). */
  trustStore?: string;
  /** Lowest and highest protocol versions, as OpenSSL spells them (SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3); default TLSv1.2..TLSv1.3. */
  minVersion?: string;
  maxVersion?: string;
  name?: string;
  /** Record the key schedule for Show Key Schedule (secrets; set only when the user asked). */
  recordKeySchedule?: boolean;
  /** STARTTLS first, as s_client -starttls names it (smtp, imap, postgres...). */
  starttls?: string;
  /** The EHLO/LHLO name or XMPP domain for STARTTLS (s_client -name / -xmpphost). */
  starttlsName?: string;
  /** A proxy URL (http://, socks5://); "" or "none" for a direct connection; absent: VS Code's http.proxy. */
  proxy?: string;
}

const RECENT_KEY = 'tlsLens.recentTargets';

export function parseTarget(text: string): { host: string; port: number } | undefined {
  const m = /^\s*(?:tls:\/\/|https:\/\/)?(\[[^\]]+\]|[^\s:/]+)(?::(\d{1,5}))?\/?\s*$/.exec(text);
  if (!m) return undefined;
  const port = m[2] ? Number(m[2]) : 443;
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

function toOptions(req: ConnectRequest): SessionOptions {
  const o: SessionOptions = {};
  o.serverName = req.serverName ?? req.host;
  if (req.alpn?.length) o.alpn = req.alpn;
  if (req.cipherSuites?.length) o.cipherSuites = req.cipherSuites.map((n) => mustFind(suiteByName(n)?.code, vscode.l10n.t('cipher suite'), n));
  if (req.groups?.length) {
    o.groups = req.groups.map((n) => mustFind(groupByName(n)?.code, vscode.l10n.t('group'), n));
    o.keyShareGroups = [o.groups[0]!];
  }
  if (req.signatureAlgorithms?.length) o.signatureSchemes = req.signatureAlgorithms.map((n) => mustFind(sigSchemeByName(n)?.code, vscode.l10n.t('signature scheme'), n));
  return o;
}

function mustFind(code: number | undefined, what: string, name: string): number {
  if (code === undefined) throw new Error(vscode.l10n.t('unknown {0} "{1}"', what, name));
  return code;
}

function describe(req: ConnectRequest): { label: string; value: string }[] {
  return [
    { label: vscode.l10n.t('Protocol'), value: req.protocol === 'DTLS' ? 'DTLS (UDP)' : 'TLS' },
    { label: vscode.l10n.t('Versions'), value: versionRange(req) },
    { label: 'SNI', value: isIpAddress(req.serverName ?? req.host) ? vscode.l10n.t('(none: the target is an IP address)') : (req.serverName ?? req.host) },
    { label: 'API', value: vscode.l10n.t('OpenSSL facade (SSL_connect, SSL_read, SSL_get_error)') },
    ...(req.alpn?.length ? [{ label: 'ALPN', value: req.alpn.join(', ') }] : []),
    ...(req.cipherSuites?.length ? [{ label: vscode.l10n.t('Cipher suites'), value: req.cipherSuites.join(', ') }] : []),
    ...(req.groups?.length ? [{ label: vscode.l10n.t('Groups'), value: req.groups.join(', ') }] : []),
    ...(req.signatureAlgorithms?.length ? [{ label: vscode.l10n.t('Signature algorithms'), value: req.signatureAlgorithms.join(', ') }] : []),
    ...(req.clientCertificate ? [{ label: vscode.l10n.t('Client certificate'), value: req.clientCertificate }] : []),
    ...transportRows(req),
    { label: vscode.l10n.t('Trust'), value: trustLabel(req.trustStore) },
  ];
}

async function pickTarget(context: vscode.ExtensionContext): Promise<ConnectRequest | undefined> {
  const recent = context.globalState.get<string[]>(RECENT_KEY, []);
  const profiles = restrictedSetting<ConnectRequest[]>('profiles', []);
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { req?: ConnectRequest }>();
  qp.title = vscode.l10n.t('TLS Lens: Connect to Host');
  qp.placeholder = vscode.l10n.t('host:port (e.g. example.com:443, localhost:4433)');
  const base = [
    ...profiles.map((p) => ({ label: `$(bookmark) ${p.name ?? `${p.host}:${p.port ?? 443}`}`, description: vscode.l10n.t('profile'), req: p })),
    ...recent.map((r) => ({ label: r, description: vscode.l10n.t('recent') })),
  ];
  qp.items = base;
  qp.onDidChangeValue((v) => {
    qp.items = parseTarget(v) ? [{ label: v, description: vscode.l10n.t('connect') }, ...base] : base;
  });
  const choice = await new Promise<(vscode.QuickPickItem & { req?: ConnectRequest }) | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0] ?? (qp.value ? { label: qp.value } : undefined)));
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  if (!choice) return undefined;
  if (choice.req) return choice.req;
  const t = parseTarget(choice.label);
  if (!t) {
    void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: "{0}" is not host:port.', choice.label));
    return undefined;
  }
  const req: ConnectRequest = { host: t.host, port: t.port };
  const how = await vscode.window.showQuickPick<vscode.QuickPickItem & { customize: boolean; starttls?: string }>([
    ...startTlsConnectItems(t.port),
    { label: vscode.l10n.t('Connect'), description: vscode.l10n.t('TLS 1.2 and 1.3, default suites, groups and signature schemes'), customize: false },
    { label: vscode.l10n.t('Customize…'), description: vscode.l10n.t('versions, SNI, ALPN, cipher suites, groups, client certificate, trust store'), customize: true },
  ], { title: vscode.l10n.t('Connect to {0}:{1}', t.host, t.port) });
  if (!how) return undefined;
  if (how.customize) return customize(req);
  if (how.starttls) req.starttls = how.starttls;
  return req;
}

async function customize(req: ConnectRequest): Promise<ConnectRequest | undefined> {
  const proto = await vscode.window.showQuickPick([{ label: 'TLS', description: vscode.l10n.t('over TCP') }, { label: 'DTLS', description: vscode.l10n.t('over UDP (CoAP, VPNs, WebRTC)') }], { title: vscode.l10n.t('Protocol') });
  if (!proto) return undefined;
  req.protocol = proto.label as 'TLS' | 'DTLS';
  if (!(await pickVersions(req))) return undefined;
  if (req.protocol === 'DTLS') {
    const sni = await vscode.window.showInputBox({ title: vscode.l10n.t('SNI (server name)'), value: req.host, prompt: vscode.l10n.t('Empty for none') });
    if (sni === undefined) return undefined;
    req.serverName = sni;
    return req;
  }
  if (!(await pickTransport(req))) return undefined;
  const sni = await vscode.window.showInputBox({ title: vscode.l10n.t('SNI (server name)'), value: req.host, prompt: vscode.l10n.t('Empty for none') });
  if (sni === undefined) return undefined;
  req.serverName = sni;
  const alpn = await vscode.window.showInputBox({ title: vscode.l10n.t('ALPN protocols'), placeHolder: 'h2,http/1.1', prompt: vscode.l10n.t('Comma-separated; empty for none') });
  if (alpn === undefined) return undefined;
  if (alpn.trim()) req.alpn = alpn.split(',').map((s) => s.trim()).filter(Boolean);
  const suites = await vscode.window.showQuickPick(SUITES.filter((s) => s.versions === 'tls13').map((s) => ({ label: s.iana, picked: true })), { title: vscode.l10n.t('TLS 1.3 cipher suites'), canPickMany: true });
  if (!suites) return undefined;
  req.cipherSuites = suites.map((s) => s.label);
  const groups = await vscode.window.showQuickPick(GROUPS.filter((g) => g.kind !== 'grease' && g.tls13 && !g.deprecated).map((g) => ({ label: g.openssl, description: g.iana, picked: ['X25519', 'P-256', 'P-384'].includes(g.openssl) })), { title: vscode.l10n.t('Groups (the first gets the key share)'), canPickMany: true });
  if (!groups) return undefined;
  req.groups = groups.map((g) => g.label);
  const pemEditors = vscode.workspace.textDocuments.filter((d) => d.languageId === 'pem' && /PRIVATE KEY-----/.test(d.getText()) && /CERTIFICATE-----/.test(d.getText()));
  if (pemEditors.length) {
    const cert = await vscode.window.showQuickPick([{ label: vscode.l10n.t('No client certificate') }, ...pemEditors.map((d) => ({ label: vscode.workspace.asRelativePath(d.uri), uri: d.uri }))], { title: vscode.l10n.t('Client certificate (from open PEM editors holding a certificate and its key)') });
    if (cert && 'uri' in cert) req.clientCertificate = cert.uri.toString();
  }
  if (!(await pickTrust(req))) return undefined;
  return req;
}

function versionRange(req: ConnectRequest): string {
  const min = req.minVersion ?? (req.protocol === 'DTLS' ? 'DTLSv1.2' : 'TLSv1.2');
  const max = req.maxVersion ?? (req.protocol === 'DTLS' ? 'DTLSv1.2' : 'TLSv1.3');
  return min === max ? min : vscode.l10n.t('{0} to {1}', min, max);
}

/** OpenSSL's spelling to the code point; throws naming the value when it is not a version. */
function versionCode(name: string | undefined, fallback: number): number {
  if (name === undefined) return fallback;
  const row = versionByName(name);
  if (!row || row.code < 0x0300 || row.code > 0x0304) throw new Error(vscode.l10n.t('"{0}" is not a protocol version (use SSLv3, TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3)', name));
  return row.code;
}

async function pickVersions(req: ConnectRequest): Promise<boolean> {
  if (req.protocol === 'DTLS') {
    const d: (vscode.QuickPickItem & { min: string; max: string })[] = [
      { label: 'DTLS 1.2', description: vscode.l10n.t('default'), min: 'DTLSv1.2', max: 'DTLSv1.2' },
      { label: vscode.l10n.t('DTLS 1.0 and 1.2'), min: 'DTLSv1', max: 'DTLSv1.2' },
      { label: vscode.l10n.t('DTLS 1.0 only'), min: 'DTLSv1', max: 'DTLSv1' },
    ];
    const p = await vscode.window.showQuickPick(d, { title: vscode.l10n.t('DTLS versions to offer') });
    if (!p) return false;
    req.minVersion = p.min;
    req.maxVersion = p.max;
    return true;
  }
  const items: (vscode.QuickPickItem & { min: string; max: string })[] = [
    { label: vscode.l10n.t('TLS 1.2 and 1.3'), description: vscode.l10n.t('default, as browsers'), min: 'TLSv1.2', max: 'TLSv1.3' },
    { label: vscode.l10n.t('TLS 1.3 only'), min: 'TLSv1.3', max: 'TLSv1.3' },
    { label: vscode.l10n.t('TLS 1.2 only'), min: 'TLSv1.2', max: 'TLSv1.2' },
    { label: vscode.l10n.t('TLS 1.0 to 1.3'), description: vscode.l10n.t('old servers and appliances'), min: 'TLSv1', max: 'TLSv1.3' },
    { label: vscode.l10n.t('TLS 1.1 only'), min: 'TLSv1.1', max: 'TLSv1.1' },
    { label: vscode.l10n.t('TLS 1.0 only'), min: 'TLSv1', max: 'TLSv1' },
    { label: vscode.l10n.t('SSL 3.0 only'), description: vscode.l10n.t('broken (POODLE): to prove a server still speaks it'), min: 'SSLv3', max: 'SSLv3' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Protocol versions to offer') });
  if (!pick) return false;
  req.minVersion = pick.min;
  req.maxVersion = pick.max;
  return true;
}

function trustLabel(t: string | undefined): string {
  if (!t || t === 'system') return vscode.l10n.t('system trust store');
  if (t === 'none') return vscode.l10n.t('none (the chain is shown, not judged)');
  return t;
}

/** The trust store as the runner takes it; a path must exist (file or directory). */
function trustOption(t: string | undefined): ApiClientOptions['trust'] {
  if (!t || t === 'system') return { kind: 'system' };
  if (t === 'none') return { kind: 'none' };
  const p = /^[a-z]+:/.test(t) ? vscode.Uri.parse(t).fsPath : t;
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw new Error(vscode.l10n.t('trust store "{0}": no such file or directory', t));
  }
  return { kind: st.isDirectory() ? 'dir' : 'file', path: p };
}

async function pickTrust(req: ConnectRequest): Promise<boolean> {
  const certEditors = vscode.workspace.textDocuments.filter((d) => d.languageId === 'pem' && /CERTIFICATE-----/.test(d.getText()) && !/PRIVATE KEY-----/.test(d.getText()));
  type Item = vscode.QuickPickItem & { value?: string; browse?: boolean };
  const items: Item[] = [
    { label: vscode.l10n.t('System trust store'), description: vscode.l10n.t('as browsers and curl judge it'), value: 'system' },
    ...certEditors.map((d) => ({ label: vscode.workspace.asRelativePath(d.uri), description: vscode.l10n.t('open PEM file: its certificates are the anchors'), value: d.uri.fsPath })),
    { label: vscode.l10n.t('A CA file or folder…'), description: vscode.l10n.t('as s_client -CAfile / -CApath'), browse: true },
    { label: vscode.l10n.t('None'), description: vscode.l10n.t('show the chain without judging it'), value: 'none' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Trust store for the server\'s certificate chain') });
  if (!pick) return false;
  if (pick.browse) {
    const uris = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: false, title: vscode.l10n.t('Trusted CA certificates (PEM file or folder)'), openLabel: vscode.l10n.t('Trust') });
    if (!uris?.length) return false;
    req.trustStore = uris[0]!.fsPath;
  } else req.trustStore = pick.value!;
  return true;
}

async function clientIdentity(req: ConnectRequest): Promise<Identity | undefined> {
  if (!req.clientCertificate) return undefined;
  const uri = /^[a-z]+:/.test(req.clientCertificate) ? vscode.Uri.parse(req.clientCertificate) : vscode.Uri.file(req.clientCertificate);
  if (isPkcs12Uri(uri)) return identityFromPkcs12File(uri);
  return identityFromDocument(await vscode.workspace.openTextDocument(uri), vscode.l10n.t('The client key is encrypted'));
}

/** DTLS over UDP: the engine's own association (its trace streamed the same way), not the OpenSSL facade. */
async function connectDtlsToHost(context: vscode.ExtensionContext, req: ConnectRequest): Promise<SessionPanel | undefined> {
  const code = (name: string | undefined, fallback: number) => {
    if (name === undefined) return fallback;
    if (name === 'DTLSv1') return 0xfeff;
    if (name === 'DTLSv1.2') return 0xfefd;
    throw new Error(vscode.l10n.t('"{0}" is not a DTLS version (use DTLSv1 or DTLSv1.2)', name));
  };
  let dtlsMin: number;
  let dtlsMax: number;
  try {
    dtlsMin = code(req.minVersion, 0xfefd);
    dtlsMax = code(req.maxVersion, 0xfefd);
    // DTLS counts down: 0xfeff (1.0) is below 0xfefd (1.2).
    if (dtlsMin < dtlsMax) throw new Error(vscode.l10n.t('the minimum version {0} is above the maximum {1}', String(req.minVersion), String(req.maxVersion)));
  } catch (e) {
    void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: {0}', errorText(e)));
    return undefined;
  }
  const port = req.port ?? 4433;
  const target: SessionTarget = { mode: 'connect', host: req.host, port, protocol: 'DTLS', settings: describe(req) };
  const request = req;
  const panel = new SessionPanel(context, target, {
    reconnect: () => void connectToHost(context, request),
    newConnection: () => void vscode.commands.executeCommand(COMMANDS.connectToHost),
    compare: (p) => void vscode.commands.executeCommand(COMMANDS.compareSessions, p),
  });
  const runner = new DtlsClientRunner(target, { serverName: req.serverName ?? req.host, ...(req.alpn?.length ? { alpn: req.alpn } : {}), dtlsMin, dtlsMax }, panel);
  panel.attach(runner);
  void runner.start();
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('TLS Lens: connecting to {0}:{1} over DTLS', req.host, port), cancellable: true }, (_progress, token) => {
    token.onCancellationRequested(() => runner.close());
    return panel.settled;
  });
  return panel;
}

/** Runs a session and shows it; resolves with the panel once created (its `settled` says how it ended). */
export async function connectToHost(context: vscode.ExtensionContext, arg?: ConnectRequest | string): Promise<SessionPanel | undefined> {
  if (explainNetworkUnavailable(vscode.l10n.t('Connect to Host'))) return undefined;
  let req: ConnectRequest | undefined;
  if (typeof arg === 'string') {
    const t = parseTarget(arg);
    if (!t) {
      void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: "{0}" is not host:port.', arg));
      return undefined;
    }
    req = { host: t.host, port: t.port };
  } else req = arg ?? (await pickTarget(context));
  if (!req) return undefined;
  // In Restricted Mode nothing is dialled (TCP or UDP) until the user agrees to this host and port.
  const protocol = req.protocol === 'DTLS' ? 'DTLS' : 'TLS';
  const proxy = protocol === 'TLS' ? effectiveProxy(req) : undefined;
  const use = { kind: 'connect', protocol, host: req.host, port: req.port ?? (protocol === 'DTLS' ? 4433 : 443), serverName: req.serverName ?? req.host, ...(proxy ? { via: redactUrl(proxy) } : {}) } as const;
  if (!(await allowNetwork(use))) return undefined;
  if (req.protocol === 'DTLS') return connectDtlsToHost(context, req);
  let identity: Identity | undefined;
  let trust: ApiClientOptions['trust'];
  let via: ReturnType<typeof transportOption>;
  try {
    toOptions(req); // names are checked here, before anything connects
    via = transportOption(req);
    trust = trustOption(req.trustStore);
    if (versionCode(req.minVersion, 0x0303) > versionCode(req.maxVersion, 0x0304)) throw new Error(vscode.l10n.t('the minimum version {0} is above the maximum {1}', String(req.minVersion), req.maxVersion ?? 'TLSv1.3'));
    identity = await clientIdentity(req);
  } catch (e) {
    void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: {0}', errorText(e)));
    return undefined;
  }
  const port = req.port ?? 443;
  const target: SessionTarget = { mode: 'connect', host: req.host, port, protocol: 'TLS', settings: describe(req) };
  const recent = context.globalState.get<string[]>(RECENT_KEY, []);
  await context.globalState.update(RECENT_KEY, [`${req.host}:${port}`, ...recent.filter((r) => r !== `${req!.host}:${port}`)].slice(0, 10));
  const request = req;
  const panel = new SessionPanel(context, target, {
    reconnect: () => void connectToHost(context, request),
    newConnection: () => void vscode.commands.executeCommand(COMMANDS.connectToHost),
    compare: (p) => void vscode.commands.executeCommand(COMMANDS.compareSessions, p),
    whatIf: (p) => void whatIfConnect(context, p, request, (next) => connectToHost(context, next as ConnectRequest)),
    keySchedule: (p) => void showKeySchedule(p, () => connectToHost(context, { ...request, recordKeySchedule: true })),
  });
  // Through OpenSSL's API, so the panel shows every SSL_* call with its SSL_get_error outcome.
  const runner = new ApiClientRunner(target, {
    serverName: req.serverName ?? req.host,
    ...(req.alpn?.length ? { alpn: req.alpn } : {}),
    ...(req.cipherSuites?.length ? { cipherSuites: req.cipherSuites } : {}),
    ...(req.groups?.length ? { groups: req.groups } : {}),
    ...(req.signatureAlgorithms?.length ? { signatureAlgorithms: req.signatureAlgorithms } : {}),
    ...(identity ? { identity: { chain: identity.chain, key: identity.key } } : {}),
    trust,
    minVersion: versionCode(req.minVersion, 0x0303),
    maxVersion: versionCode(req.maxVersion, 0x0304),
    ...(req.recordKeySchedule ? { recordKeySchedule: true } : {}),
    ...(via.transport ? { transport: via.transport } : {}),
    ...(via.alpn && !req.alpn?.length ? { alpn: via.alpn } : {}),
  }, panel);
  panel.attach(runner);
  void runner.start();
  // A progress notification until the handshake settles; Cancel closes the connection.
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('TLS Lens: connecting to {0}:{1}', req.host, port), cancellable: true }, (_progress, token) => {
    token.onCancellationRequested(() => runner.close());
    return panel.settled;
  });
  // The server asked for a client certificate we do not have (or ours does not fit): offer the ones that would.
  void panel.settled.then(async () => {
    const cr = runner.certificateRequest;
    if (!cr || cr.fit?.fits) return;
    const choose = vscode.l10n.t('Choose a client certificate…');
    const said = cr.fit ? vscode.l10n.t('TLS Lens: {0}:{1} asked for a client certificate, and {2} does not fit it.', request.host, port, cr.fit.subject) : vscode.l10n.t('TLS Lens: {0}:{1} asked for a client certificate; none was configured.', request.host, port);
    if ((await vscode.window.showInformationMessage(said, choose)) !== choose) return;
    const uri = await chooseClientCertificate(cr.request);
    if (uri) void connectToHost(context, { ...request, clientCertificate: uri });
  });
  return panel;
}

export type { SessionSummary };
