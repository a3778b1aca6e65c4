// Serve TLS here: the engine as a server on 127.0.0.1 with the certificate and key of the open PEM file,
// tracing every session that arrives in one panel; the status bar says it runs (extension/status-bar.ts).
import * as vscode from 'vscode';
import { identityFromDocument } from '../identity';
import { ServerRunner } from '../sessions/session-runner';
import { SessionPanel } from '../panels/session-panel';
import type { SessionTarget } from '../../webview/shared/protocol';
import { COMMANDS } from '../ids';
import { allowNetwork, restrictedSetting } from '../workspace-trust';
import { explainNetworkUnavailable } from '../environment';
import { whatIfServe } from './what-if';
import { serveBehaviourOptions, type ServeBehaviour } from './serve-behaviour';
import { errorText } from '../l10n';

export interface ServeRequest {
  /** The PEM file holding the certificate chain and key (default: the active editor). */
  uri?: vscode.Uri | string;
  /** Port on 127.0.0.1; 0 (the default setting) picks a free one. */
  port?: number;
  alpn?: string[];
  /** How to treat clients, for testing one: client certificates, groups, suites, HelloRetryRequest, a staple (serve-behaviour.ts). */
  behaviour?: ServeBehaviour;
}

export async function serveHere(context: vscode.ExtensionContext, arg?: ServeRequest | vscode.Uri): Promise<{ panel: SessionPanel; port: number } | undefined> {
  if (explainNetworkUnavailable(vscode.l10n.t('Serve TLS Here'))) return undefined;
  const req: ServeRequest = arg instanceof vscode.Uri ? { uri: arg } : (arg ?? {});
  const uri = req.uri ? (typeof req.uri === 'string' ? vscode.Uri.parse(req.uri) : req.uri) : vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showWarningMessage(vscode.l10n.t('TLS Lens: open a PEM file with a certificate and its private key to serve TLS with it.'));
    return undefined;
  }
  const name = vscode.workspace.asRelativePath(uri);
  const port = req.port ?? restrictedSetting<number>('serve.port', 0);
  // In Restricted Mode no port is opened until the user agrees (before the key's passphrase is asked for).
  if (!(await allowNetwork({ kind: 'serve', host: '127.0.0.1', port, certificate: name }))) return undefined;
  const doc = await vscode.workspace.openTextDocument(uri);
  let id;
  try {
    id = await identityFromDocument(doc, vscode.l10n.t('{0}: the key is encrypted', name));
  } catch (e) {
    void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: cannot serve with {0}: {1}', name, errorText(e)));
    return undefined;
  }
  let behaviour: Awaited<ReturnType<typeof serveBehaviourOptions>> = { options: {}, settings: [] };
  try {
    if (req.behaviour) behaviour = await serveBehaviourOptions(req.behaviour);
  } catch (e) {
    void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: cannot serve with {0}: {1}', name, errorText(e)));
    return undefined;
  }
  const target: SessionTarget = { mode: 'serve', host: '127.0.0.1', port, protocol: 'TLS', settings: [{ label: vscode.l10n.t('Certificate'), value: name }, { label: vscode.l10n.t('Versions'), value: 'TLSv1.3' }, ...(req.alpn ? [{ label: 'ALPN', value: req.alpn.join(', ') }] : []), ...behaviour.settings] };
  const panel = new SessionPanel(context, target, {
    reconnect: () => void serveHere(context, req),
    newConnection: () => void vscode.commands.executeCommand(COMMANDS.connectToHost),
    compare: (p) => void vscode.commands.executeCommand(COMMANDS.compareSessions, p),
    whatIf: () => void whatIfServe(context, { chain: id.chain, signer: id.signer, ...(req.alpn ? { alpn: req.alpn } : {}), name }),
  });
  const runner = new ServerRunner(target, { certificateChain: id.chain, signer: id.signer, ...(req.alpn ? { alpn: req.alpn } : {}), ...behaviour.options }, panel);
  panel.attach(runner);
  let actual: number;
  try {
    actual = await runner.start();
  } catch (e) {
    panel.panel.dispose();
    void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: cannot listen on 127.0.0.1:{0}: {1}', port, (e as NodeJS.ErrnoException).code ?? errorText(e)));
    return undefined;
  }
  panel.retitle(actual);
  panel.panel.onDidDispose(() => runner.close());
  void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: serving TLS on 127.0.0.1:{0} with {1}.', actual, name));
  return { panel, port: actual };
}
