// Scan Server: engine/scan run from the extension host, with a cancellable progress notification; the report
// opens in a panel (webview/views/scan.ts). The scan holds no secret, so the whole report crosses to the webview.
import * as vscode from 'vscode';
import { scanServer } from '../../engine/scan/scan';
import { ScanCancelled } from '../../engine/scan/probe';
import type { ScanReport } from '../../engine/scan/types';
import { PROTOCOL_VERSION, type FromWebview, type ToWebview } from '../../webview/shared/protocol';
import { explainNetworkUnavailable } from '../environment';
import { l10nMessage, webviewHtml, webviewOptions } from '../panels/webview-html';
import { trustAnchors, trustSetting } from '../trust';
import { allowNetwork } from '../workspace-trust';
import { parseTarget } from './connect-to-host';
import { errorText } from '../l10n';

export async function scanServerCommand(context: vscode.ExtensionContext, arg?: string): Promise<ScanReport | undefined> {
  const title = vscode.l10n.t('Scan Server');
  if (explainNetworkUnavailable(title)) return undefined;
  const text = arg ?? (await vscode.window.showInputBox({
    title: vscode.l10n.t('TLS Lens: Scan Server'),
    placeHolder: vscode.l10n.t('host:port (e.g. example.com:443, localhost:4433)'),
    prompt: vscode.l10n.t('Many short handshakes find the versions, suites, groups and options the server accepts. Scan only servers you may test.'),
    validateInput: (v) => (parseTarget(v) ? undefined : vscode.l10n.t('Give host:port')),
  }));
  if (!text) return undefined;
  const target = parseTarget(text);
  if (!target) return void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: "{0}" is not host:port.', text));
  if (!(await allowNetwork({ kind: 'connect', protocol: 'TLS', host: target.host, port: target.port, serverName: target.host }))) return undefined;
  const config = vscode.workspace.getConfiguration('tlsLens.scan');
  let trusted;
  try {
    trusted = trustAnchors(trustSetting()).certs;
  } catch (e) {
    return void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: {0}', errorText(e)));
  }
  const where = `${target.host}:${target.port}`;
  try {
    const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('TLS Lens: scanning {0}', where), cancellable: true }, async (progress, token) => {
      const ctl = new AbortController();
      token.onCancellationRequested(() => ctl.abort());
      let shown = 0;
      return scanServer({
        host: target.host, port: target.port, trusted, signal: ctl.signal,
        concurrency: config.get<number>('concurrency', 4), timeoutMs: config.get<number>('timeoutMs', 5000),
        onProgress: (p) => {
          // The total grows as answers decide what to ask next: the bar follows done/total and never goes back.
          const pct = Math.floor((100 * p.done) / Math.max(p.total, 1));
          progress.report({ message: vscode.l10n.t('{0} of {1} probes: {2}', p.done, p.total, p.probe), increment: Math.max(0, pct - shown) });
          shown = Math.max(shown, pct);
        },
      });
    });
    openScanPanel(context, report);
    return report;
  } catch (e) {
    if (e instanceof ScanCancelled) void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: the scan of {0} was cancelled.', where));
    else void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: the scan of {0} failed: {1}', where, errorText(e)));
    return undefined;
  }
}

export function openScanPanel(context: vscode.ExtensionContext, report: ScanReport): vscode.WebviewPanel {
  const title = vscode.l10n.t('Scan: {0}:{1}', report.target.host, report.target.port);
  const panel = vscode.window.createWebviewPanel('tlslens.scan', title, vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
  panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
  const post = (m: ToWebview) => panel.webview.postMessage(m);
  panel.webview.onDidReceiveMessage(async (m: FromWebview) => {
    if (m.type === 'ready') await post(l10nMessage()).then(() => post({ type: 'scan/init', protocolVersion: PROTOCOL_VERSION, title, report }));
    else if (m.type === 'scan/copyJson') {
      await vscode.env.clipboard.writeText(JSON.stringify(report, null, 2));
      void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: the scan report (JSON) is on the clipboard.'));
    } else if (m.type === 'scan/rescan') void vscode.commands.executeCommand('tlslens.scanServer', `${report.target.host}:${report.target.port}`);
  }, undefined, context.subscriptions);
  panel.webview.html = webviewHtml(panel.webview, context.extensionUri, title);
  return panel;
}
