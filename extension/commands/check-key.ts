// Check Key: finds the certificate and the key in the file (or asks for the other file among open editors
// and the workspace), runs the engine's check and reports the result with both fingerprints.
import * as vscode from 'vscode';
import { checkKey, formatReport, type CheckKeyInput, type CheckKeyReport } from '../../engine/tools/check-key';
import { scanPem } from '../../engine/pem/blocks';
import { isPrivateKeyLabel } from '../../engine/x509/decode';
import type { Log } from '../log';

const CERT_LABEL = /^(X509 |TRUSTED )?CERTIFICATE$/;

async function readInput(uri: vscode.Uri): Promise<CheckKeyInput> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const bytes = open ? new TextEncoder().encode(open.getText()) : await vscode.workspace.fs.readFile(uri);
  return { name: vscode.workspace.asRelativePath(uri), bytes };
}

function labelsIn(input: CheckKeyInput): { cert: boolean; key: boolean } {
  const text = new TextDecoder().decode(input.bytes.subarray(0, 4 << 20));
  const labels = scanPem(text).blocks.map((b) => b.label);
  return { cert: labels.some((l) => CERT_LABEL.test(l)), key: labels.some(isPrivateKeyLabel) };
}

/** Candidate files holding what is missing: open editors first, then the workspace. */
async function pickOther(need: 'cert' | 'key', exclude: vscode.Uri): Promise<vscode.Uri | undefined> {
  const seen = new Set<string>([exclude.toString()]);
  const items: (vscode.QuickPickItem & { uri: vscode.Uri })[] = [];
  const consider = async (uri: vscode.Uri, where: string) => {
    if (seen.has(uri.toString())) return;
    seen.add(uri.toString());
    try {
      const has = labelsIn(await readInput(uri));
      if (has[need]) items.push({ label: vscode.workspace.asRelativePath(uri), description: where, uri });
    } catch {
      // unreadable candidates are simply not offered
    }
  };
  for (const d of vscode.workspace.textDocuments) if (d.uri.scheme === 'file' || d.uri.scheme === 'untitled') await consider(d.uri, vscode.l10n.t('open editor'));
  if (vscode.workspace.getConfiguration('tlsLens').get<boolean>('checkKey.searchWorkspace', true)) {
    const found = await vscode.workspace.findFiles('**/*.{pem,crt,cer,key,der}', '**/node_modules/**', 300);
    for (const uri of found) await consider(uri, vscode.l10n.t('workspace'));
  }
  if (items.length === 0) {
    void vscode.window.showErrorMessage(need === 'cert'
      ? vscode.l10n.t('TLS Lens: no certificate found in open editors or the workspace.')
      : vscode.l10n.t('TLS Lens: no private key found in open editors or the workspace.'));
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(items, {
    title: need === 'cert' ? vscode.l10n.t('Check Key: choose the certificate') : vscode.l10n.t('Check Key: choose the private key'),
    placeHolder: need === 'cert' ? vscode.l10n.t('A file with a CERTIFICATE block') : vscode.l10n.t('A file with a PRIVATE KEY block'),
  });
  return pick?.uri;
}

export async function checkKeyCommand(log: Log, target?: vscode.Uri, other?: vscode.Uri | vscode.Uri[]): Promise<CheckKeyReport | undefined> {
  const uri = target ?? vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showWarningMessage(vscode.l10n.t('TLS Lens: open or select a PEM file to check its key.'));
    return undefined;
  }
  // From the explorer with two files selected, VS Code passes them all as the second argument.
  const second = Array.isArray(other) ? other.find((u) => u.toString() !== uri.toString()) : other;
  let first = await readInput(uri);
  let secondInput = second ? await readInput(second) : undefined;
  if (!secondInput) {
    const has = labelsIn(first);
    if (!has.cert || !has.key) {
      const need = has.cert ? 'key' : 'cert';
      const pick = await pickOther(need, uri);
      if (!pick) return undefined;
      secondInput = await readInput(pick);
    }
  }
  // The certificate goes first, whichever file the user started from.
  if (secondInput && !labelsIn(first).cert && labelsIn(secondInput).cert) [first, secondInput] = [secondInput, first];

  let report = checkKey(first, secondInput);
  while (report.needsPassphrase) {
    const passphrase = await vscode.window.showInputBox({
      title: vscode.l10n.t('Check Key: the private key is encrypted'),
      prompt: report.needsPassphrase === 'wrong-passphrase' ? vscode.l10n.t('That passphrase did not decrypt the key. Try again.') : vscode.l10n.t('Passphrase for the private key'),
      password: true,
      ignoreFocusOut: true,
    });
    if (passphrase === undefined) return report;
    report = checkKey(first, secondInput, passphrase);
  }
  log.checkKey(report);
  showReport(report);
  return report;
}

function showReport(r: CheckKeyReport): void {
  if (r.status === 2) {
    void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: cannot check the key: {0}', r.reason));
    return;
  }
  const who = r.certificate?.commonName ? `CN=${r.certificate.commonName}` : r.certificate?.subject ?? '';
  const prints = vscode.l10n.t('Certificate ({0}) SPKI SHA-256 {1}; key ({2}) SPKI SHA-256 {3}.', r.certificate?.description ?? '', r.certificate?.spkiSha256 ?? '', r.key?.description ?? '', r.key?.spkiSha256 ?? '');
  const report = vscode.l10n.t('Show Report');
  const shown = r.match
    ? vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: the key matches the certificate {0}. {1}', who, prints), report)
    : vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: the key does NOT match the certificate {0}: {1}. {2}', who, r.reason, prints), report);
  void shown.then(async (choice) => {
    if (choice !== report) return;
    const doc = await vscode.workspace.openTextDocument({ content: formatReport(r), language: 'plaintext' });
    await vscode.window.showTextDocument(doc, { preview: true });
  });
}
