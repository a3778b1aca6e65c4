// Explain a Certificate Error for a URL: why VS Code (its extension host, through Node's TLS) says "self signed
// certificate in certificate chain" for a URL, by connecting from the extension host twice: with node:tls as any
// extension would (with the CAs the host gives Node) and with our engine straight to the host. The
// words come from engine/tools/cert-error-explain.ts; the CA can be saved as a PEM for NODE_EXTRA_CA_CERTS.
import * as vscode from 'vscode';
import os from 'node:os';
import tls from 'node:tls';
import { certErrorText, explainCertificateError } from '../../engine/tools/cert-error-explain';
import { probeWithNodeTls } from '../../engine/tools/node-tls-probe';
import { fetchServedChain } from '../../engine/tools/served-chain';
import { toPem } from '../../engine/pem/blocks';
import { certsFromBytes } from '../../engine/x509/verify';
import { systemAnchors } from '../../engine/x509/system-anchors';
import { allowNetwork } from '../workspace-trust';
import { explainNetworkUnavailable } from '../environment';

function parseUrl(text: string): URL | undefined {
  try {
    const u = new URL(/^[a-z]+:\/\//i.test(text.trim()) ? text.trim() : `https://${text.trim()}`);
    return u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

export async function explainCertificateErrorCommand(arg?: string): Promise<string | undefined> {
  if (explainNetworkUnavailable(vscode.l10n.t('Explain a Certificate Error for a URL'))) return undefined;
  const text = arg ?? (await vscode.window.showInputBox({ title: vscode.l10n.t('Explain a Certificate Error for a URL'), placeHolder: 'https://marketplace.visualstudio.com/', prompt: vscode.l10n.t('The URL that fails with "self signed certificate in certificate chain" or a similar error') }));
  if (!text) return undefined;
  const url = parseUrl(text);
  if (!url) return void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: "{0}" is not an https URL.', text));
  const port = url.port ? Number(url.port) : 443;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!(await allowNetwork({ kind: 'connect', protocol: 'TLS', host, port, serverName: host }))) return undefined;
  const http = vscode.workspace.getConfiguration('http');
  const [node, direct] = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('TLS Lens: connecting to {0} from the extension host', url.host) }, () => Promise.all([
    probeWithNodeTls(url.toString()),
    fetchServedChain(host, port).catch((e: Error) => ({ chain: [] as Uint8Array[], error: e.message })),
  ]));
  if (!node.chain.length && node.connectError) return void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: the extension host could not connect to {0}: {1}', url.host, node.connectError));
  const explanation = explainCertificateError({
    url: url.toString(), node, engine: direct,
    publicRoots: certsFromBytes(new TextEncoder().encode(tls.rootCertificates.join('\n')), 'Node\'s bundled roots').certs,
    systemRoots: systemAnchors().certs,
    env: { ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}), ...(process.env.HTTPS_PROXY ? { HTTPS_PROXY: process.env.HTTPS_PROXY } : {}), ...(process.env.https_proxy ? { https_proxy: process.env.https_proxy } : {}) },
    settings: { systemCertificates: http.get<boolean>('systemCertificates'), proxyStrictSSL: http.get<boolean>('proxyStrictSSL'), proxy: http.get<string>('proxy') || undefined },
  });
  const report = certErrorText(explanation);
  const doc = await vscode.workspace.openTextDocument({ content: report, language: 'plaintext' });
  await vscode.window.showTextDocument(doc, { preview: true });
  const top = node.chain[node.chain.length - 1];
  const actions = [vscode.l10n.t('Open Settings'), ...(explanation.signer?.sentByServer && top && explanation.verdict !== 'trusted' ? [vscode.l10n.t('Save the CA…')] : [])];
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: the extension host\'s chain for {0} is signed by "{1}".', url.host, explanation.signer?.subject ?? '?'), ...actions);
  if (choice === vscode.l10n.t('Open Settings')) await vscode.commands.executeCommand('workbench.action.openSettings', 'http.systemCertificates');
  else if (choice && top) {
    const uri = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(vscode.Uri.file(os.homedir()), 'extra-ca.pem'), filters: { PEM: ['pem', 'crt'] }, title: vscode.l10n.t('Save the CA for NODE_EXTRA_CA_CERTS') });
    if (uri) {
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(toPem('CERTIFICATE', top)));
      void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: saved. Start VS Code with NODE_EXTRA_CA_CERTS={0} in its environment (Node reads it once, at start).', uri.fsPath));
    }
  }
  return report;
}
