// Compare with Server: the certificate, chain and key of a PEM file, or of a server configuration in the workspace
// (nginx, Apache, HAProxy, envoy, a Kubernetes TLS Secret: engine/tools/config-refs.ts), against what a server sends
// (engine/tools/drift.ts). Each difference becomes a diagnostic at the workspace line it is about; the whole report
// opens on request. The host and port are asked for; in Restricted Mode nothing is dialled without consent.
import * as vscode from 'vscode';
import path from 'node:path';
import { compareDrift, driftText, DriftError, type DriftFinding, type DriftInput } from '../../engine/tools/drift';
import { ConfigRefError, findConfigRefs, type ConfigRef } from '../../engine/tools/config-refs';
import { fetchServedChain } from '../../engine/tools/served-chain';
import { decodeBytes, isPrivateKeyLabel } from '../../engine/x509/decode';
import { parseTarget } from './connect-to-host';
import { allowNetwork } from '../workspace-trust';
import { explainNetworkUnavailable } from '../environment';
import { errorText } from '../l10n';

const RECENT_KEY = 'tlsLens.recentTargets';
let collection: vscode.DiagnosticCollection | undefined;

type Source = { name: string; bytes: Uint8Array; uri: vscode.Uri; /** Inline (a Secret's value): every finding goes to this line of the YAML. */ atLine?: number };

async function readSource(uri: vscode.Uri): Promise<Uint8Array> {
  return vscode.workspace.fs.readFile(uri);
}

/** The workspace side: from a configuration's block (asked for when there are several) or from the file itself. */
async function workspaceSide(uri: vscode.Uri): Promise<{ cert: Source; chain?: Source; key?: Source } | undefined> {
  const bytes = await readSource(uri);
  const text = new TextDecoder().decode(bytes);
  let refs: ConfigRef[];
  try {
    refs = findConfigRefs(text, uri.fsPath);
  } catch (e) {
    throw e instanceof ConfigRefError ? new Error(vscode.l10n.t('{0}: {1}', vscode.workspace.asRelativePath(uri), e.message)) : e;
  }
  if (refs.length) {
    const groups = [...new Set(refs.map((r) => r.group))].filter((g) => refs.some((r) => r.group === g && (r.role === 'certificate' || r.role === 'certificate+key')));
    if (!groups.length) throw new Error(vscode.l10n.t('{0} names a key but no certificate.', vscode.workspace.asRelativePath(uri)));
    const group = groups.length === 1 ? groups[0]! : (await vscode.window.showQuickPick(groups, { title: vscode.l10n.t('Which block of {0}?', vscode.workspace.asRelativePath(uri)) }));
    if (!group) return undefined;
    const inGroup = refs.filter((r) => r.group === group);
    const load = async (r: ConfigRef | undefined): Promise<Source | undefined> => {
      if (!r) return undefined;
      if (r.inline) return { name: `${vscode.workspace.asRelativePath(uri)}:${r.line + 1} (${r.directive})`, bytes: r.inline, uri, atLine: r.line };
      const target = vscode.Uri.file(path.resolve(path.dirname(uri.fsPath), r.path!));
      try {
        return { name: target.fsPath, bytes: await readSource(target), uri: target };
      } catch {
        throw new Error(vscode.l10n.t('{0} line {1}: {2} names {3}, which cannot be read here.', vscode.workspace.asRelativePath(uri), r.line + 1, r.directive, r.path!));
      }
    };
    const cert = (await load(inGroup.find((r) => r.role === 'certificate' || r.role === 'certificate+key')))!;
    const chain = await load(inGroup.find((r) => r.role === 'chain' && r.directive !== 'ca.crt'));
    const key = await load(inGroup.find((r) => r.role === 'key'));
    return { cert, ...(chain ? { chain } : {}), ...(key ? { key } : {}) };
  }
  const items = decodeBytes(bytes).items;
  if (!items.some((i) => i.object?.kind === 'certificate')) throw new Error(vscode.l10n.t('{0} holds no certificate and is not a server configuration TLS Lens reads (nginx, Apache, HAProxy, envoy, Kubernetes Secret).', vscode.workspace.asRelativePath(uri)));
  const self: Source = { name: uri.fsPath, bytes, uri };
  if (items.some((i) => isPrivateKeyLabel(i.label))) return { cert: self, key: self };
  // No key in the file: offer open PEM editors holding one.
  const keyDocs = vscode.workspace.textDocuments.filter((d) => d.languageId === 'pem' && /PRIVATE KEY-----/.test(d.getText()) && d.uri.toString() !== uri.toString());
  if (!keyDocs.length) return { cert: self };
  const pick = await vscode.window.showQuickPick([{ label: vscode.l10n.t('No key: compare the certificates only'), uri: undefined as vscode.Uri | undefined }, ...keyDocs.map((d) => ({ label: vscode.workspace.asRelativePath(d.uri), uri: d.uri }))], { title: vscode.l10n.t('Also check a private key against the served certificate?') });
  if (!pick) return undefined;
  return pick.uri ? { cert: self, key: { name: pick.uri.fsPath, bytes: new TextEncoder().encode(keyDocs.find((d) => d.uri === pick.uri)!.getText()), uri: pick.uri } } : { cert: self };
}

function severity(f: DriftFinding): vscode.DiagnosticSeverity {
  return f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

export async function compareWithServer(context: vscode.ExtensionContext, arg?: vscode.Uri, target?: string): Promise<string | undefined> {
  if (explainNetworkUnavailable(vscode.l10n.t('Compare with Server'))) return undefined;
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri) return void vscode.window.showWarningMessage(vscode.l10n.t('TLS Lens: open a certificate or a server configuration to compare it with a server.'));
  let side;
  try {
    side = await workspaceSide(uri);
  } catch (e) {
    return void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: {0}', errorText(e)));
  }
  if (!side) return undefined;
  const recent = context.globalState.get<string[]>(RECENT_KEY, []);
  const answer = target ?? (await vscode.window.showInputBox({ title: vscode.l10n.t('Compare with Server: host:port'), value: recent[0] ?? '', placeHolder: 'example.com:443' }));
  if (!answer) return undefined;
  const t = parseTarget(answer);
  if (!t) return void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: "{0}" is not host:port.', answer));
  if (!(await allowNetwork({ kind: 'connect', protocol: 'TLS', host: t.host, port: t.port, serverName: t.host }))) return undefined;
  const served = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('TLS Lens: fetching the chain of {0}:{1}', t.host, t.port) }, () => fetchServedChain(t.host, t.port).catch((e: Error) => ({ chain: [] as Uint8Array[], error: e.message })));
  if (!served.chain.length) return void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: {0}:{1} sent no certificate: {2}', t.host, t.port, served.error ?? ''));
  const input: DriftInput = { served: served.chain, certificate: side.cert, ...(side.chain ? { chain: side.chain } : {}), ...(side.key ? { key: side.key } : {}) };
  let report;
  try {
    report = compareDrift(input);
  } catch (e) {
    return void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: {0}', e instanceof DriftError ? errorText(e) : String(e)));
  }
  // Diagnostics at the workspace lines (a Secret's value: at its key's line in the YAML).
  collection ??= vscode.languages.createDiagnosticCollection('tls-lens-drift');
  context.subscriptions.push(collection);
  collection.clear();
  const sources = [side.cert, side.chain, side.key].filter((s): s is Source => !!s);
  const byUri = new Map<string, vscode.Diagnostic[]>();
  for (const f of report.findings) {
    const src = sources.find((s) => s.name === f.file) ?? side.cert;
    const line = src.atLine ?? f.line ?? 0;
    const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 200), vscode.l10n.t('{0} (served by {1}:{2})', f.message, t.host, t.port), severity(f));
    d.source = 'TLS Lens drift';
    d.code = f.code;
    byUri.set(src.uri.toString(), [...(byUri.get(src.uri.toString()) ?? []), d]);
  }
  for (const [u, ds] of byUri) collection.set(vscode.Uri.parse(u), ds);
  const text = `${t.host}:${t.port} vs ${vscode.workspace.asRelativePath(uri)}\n${driftText(report)}`;
  const show = vscode.l10n.t('Show Report');
  const summary = report.sameChain && report.keyMatchesServed !== false
    ? vscode.l10n.t('TLS Lens: {0}:{1} serves the chain in {2}{3}.', t.host, t.port, vscode.workspace.asRelativePath(uri), report.keyMatchesServed ? vscode.l10n.t(', and the key matches') : '')
    : vscode.l10n.t('TLS Lens: {0}:{1} differs from {2}: {3} finding(s), shown as diagnostics.', t.host, t.port, vscode.workspace.asRelativePath(uri), report.findings.length);
  void (report.findings.some((f) => f.severity === 'error') ? vscode.window.showWarningMessage(summary, show) : vscode.window.showInformationMessage(summary, show)).then(async (c) => {
    if (c !== show) return;
    const doc = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  });
  return text;
}
