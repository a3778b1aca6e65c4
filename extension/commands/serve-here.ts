// Serve TLS here: the engine as a server on 127.0.0.1 with the certificate and key of the open PEM file,
// tracing every session that arrives in one panel, with a status bar item while it runs.
import * as vscode from 'vscode';
import { identityFromDocument } from '../identity';
import { ServerRunner } from '../sessions/session-runner';
import { SessionPanel } from '../panels/session-panel';
import type { SessionTarget } from '../../webview/shared/protocol';
import { COMMANDS } from '../ids';
import { allowNetwork, restrictedSetting } from '../workspace-trust';

export interface ServeRequest {
  /** The PEM file holding the certificate chain and key (default: the active editor). */
  uri?: vscode.Uri | string;
  /** Port on 127.0.0.1; 0 (the default setting) picks a free one. */
  port?: number;
  alpn?: string[];
}

export async function serveHere(context: vscode.ExtensionContext, arg?: ServeRequest | vscode.Uri): Promise<{ panel: SessionPanel; port: number } | undefined> {
  const req: ServeRequest = arg instanceof vscode.Uri ? { uri: arg } : (arg ?? {});
  const uri = req.uri ? (typeof req.uri === 'string' ? vscode.Uri.parse(req.uri) : req.uri) : vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showWarningMessage('TLS Lens: open a PEM file with a certificate and its private key to serve TLS with it.');
    return undefined;
  }
  const name = vscode.workspace.asRelativePath(uri);
  const port = req.port ?? restrictedSetting<number>('serve.port', 0);
  // In Restricted Mode no port is opened until the user agrees (before the key's passphrase is asked for).
  if (!(await allowNetwork({ kind: 'serve', host: '127.0.0.1', port, certificate: name }))) return undefined;
  const doc = await vscode.workspace.openTextDocument(uri);
  let id;
  try {
    id = await identityFromDocument(doc, `${name}: the key is encrypted`);
  } catch (e) {
    void vscode.window.showErrorMessage(`TLS Lens: cannot serve with ${name}: ${(e as Error).message}`);
    return undefined;
  }
  const target: SessionTarget = { mode: 'serve', host: '127.0.0.1', port, protocol: 'TLS', settings: [{ label: 'Certificate', value: name }, { label: 'Versions', value: 'TLSv1.3' }, ...(req.alpn ? [{ label: 'ALPN', value: req.alpn.join(', ') }] : [])] };
  const panel = new SessionPanel(context, target, {
    reconnect: () => void serveHere(context, req),
    newConnection: () => void vscode.commands.executeCommand(COMMANDS.connectToHost),
    compare: (p) => void vscode.commands.executeCommand(COMMANDS.compareSessions, p),
  });
  const runner = new ServerRunner(target, { certificateChain: id.chain, signer: id.signer, ...(req.alpn ? { alpn: req.alpn } : {}) }, panel);
  panel.attach(runner);
  let actual: number;
  try {
    actual = await runner.start();
  } catch (e) {
    panel.panel.dispose();
    void vscode.window.showErrorMessage(`TLS Lens: cannot listen on 127.0.0.1:${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return undefined;
  }
  panel.retitle(actual);
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  status.text = `$(radio-tower) TLS 127.0.0.1:${actual}`;
  status.tooltip = `TLS Lens is serving ${name} on 127.0.0.1:${actual}; close its panel to stop.`;
  status.show();
  panel.panel.onDidDispose(() => {
    runner.close();
    status.dispose();
  });
  void vscode.window.showInformationMessage(`TLS Lens: serving TLS on 127.0.0.1:${actual} with ${name}.`);
  return { panel, port: actual };
}
