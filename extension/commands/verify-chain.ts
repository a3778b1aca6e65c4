// Verify Chain: the first certificate of a PEM file verified as a server certificate, the file's other
// certificates as the intermediates a server would send (any order), against the trust store of the
// `tlsLens.verify.trustStore` setting; optionally for a host name. The result reads like `openssl verify`
// (the same X509_V_ERR numbers) with each finding's rule and fix in the TLS Lens output channel.
import * as vscode from 'vscode';
import { isIpAddress } from '../../engine/handshake/tls13/common';
import { formatResult, loadCert, verifyChain, type VerifyResult } from '../../engine/x509/verify/index';
import type { LoadedCerts } from '../../engine/x509/verify/trust-store';
import { trustAnchors, trustName as nameOf, trustSetting } from '../trust';
import type { DocumentModel } from '../document-model';
import type { Log } from '../log';
import { errorText, findingAdvice } from '../l10n';

export interface VerifyChainOptions {
  /** DNS name or IP address the leaf must be valid for; undefined asks (interactive), '' checks none. */
  hostname?: string;
  /** 'system', or a PEM file / directory of anchors; default the setting. */
  trustStore?: string;
}

export interface VerifyChainReport {
  ok: boolean;
  code: number;
  text: string;
  /** The built path's subjects, leaf first. */
  path: string[];
  trust: string;
}

export async function verifyChainCommand(log: Log, model: DocumentModel, source?: vscode.Uri, opts: VerifyChainOptions = {}): Promise<VerifyChainReport | undefined> {
  const uri = source ?? vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: open a PEM file holding a certificate chain, then run Verify Chain.'));
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const items = (await model.all(doc)) ?? [];
  const certs = items.filter((i) => i.object?.kind === 'certificate' && i.der);
  if (!certs.length) {
    void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: {0} holds no certificate to verify.', vscode.workspace.asRelativePath(uri)));
    return undefined;
  }
  const [leaf, ...rest] = certs.map((i) => loadCert(i.der!));
  let hostname = opts.hostname;
  if (hostname === undefined) {
    const firstDns = leaf!.info.subjectAltNames.find((n) => n.type === 'dns')?.value;
    hostname = await vscode.window.showInputBox({ title: vscode.l10n.t('Verify Chain: host name or IP address the certificate must be valid for'), value: firstDns ? firstDns.replace(/^\*\./, 'www.') : '', prompt: vscode.l10n.t('Empty: do not check a name') });
    if (hostname === undefined) return undefined;
  }
  const setting = opts.trustStore || trustSetting(doc);
  let trusted: LoadedCerts;
  try {
    trusted = trustAnchors(setting);
  } catch (e) {
    void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: {0}', errorText(e)));
    return undefined;
  }
  const name = hostname.trim();
  const r: VerifyResult = verifyChain({ target: leaf!, untrusted: rest, trusted: trusted.certs }, {
    purpose: 'sslserver', ...(name ? (isIpAddress(name) ? { ip: name } : { hostname: name }) : {}),
  });
  const trustName = nameOf(setting);
  log.info(`Verify Chain: ${vscode.workspace.asRelativePath(uri)} against ${trustName}${name ? ` for ${name}` : ''}\n${formatResult(r, vscode.workspace.asRelativePath(uri))}`);
  const summary = r.ok
    ? (name ? vscode.l10n.t('Chain verified against {0} for {1}: {2} certificates, X509_V_OK.', trustName, name, r.chain.length) : vscode.l10n.t('Chain verified against {0}: {1} certificates, X509_V_OK.', trustName, r.chain.length))
    : vscode.l10n.t('Chain does not verify: {0} (X509_V_ERR {1}) at depth {2}. {3}', r.text, r.code, r.errorDepth, r.errors[0] ? findingAdvice(r.errors[0]) : '');
  const show = vscode.l10n.t('Show details');
  void (r.ok ? vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: {0}', summary), show) : vscode.window.showWarningMessage(vscode.l10n.t('TLS Lens: {0}', summary), show)).then((b) => b === show && log.show());
  return { ok: r.ok, code: r.code, text: r.text, path: r.chain.map((l) => l.subject), trust: trustName };
}
