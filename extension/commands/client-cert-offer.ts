// When a server asks for a client certificate (Connect to Host), the certificates the user already has, judged
// against what it asked for: open PEM editors and the workspace's PEM files that hold a certificate and its key,
// and PKCS#12 files (.p12, .pfx, opened with their passphrase). The one chosen is used for a new connection.
// The judging is the engine's (engine/tools/client-cert-candidates.ts); keys stay locked until one is chosen.
import * as vscode from 'vscode';
import { identityFromPkcs12, judgeCandidates, pemCandidate, pkcs12Candidate, type ClientCertCandidate, type JudgedCandidate } from '../../engine/tools/client-cert-candidates';
import type { CertificateRequestSummary } from '../../engine/tools/client-cert-request';
import type { Identity } from '../../engine/tools/identity';
import { errorText } from '../l10n';

const PKCS12 = /\.(p12|pfx)$/i;
/** Passphrases given while choosing, kept only until the connection that uses them opens the file. */
const passphrases = new Map<string, string>();

async function candidates(): Promise<(ClientCertCandidate & { uri: vscode.Uri })[]> {
  const out: (ClientCertCandidate & { uri: vscode.Uri })[] = [];
  const seen = new Set<string>();
  const add = (uri: vscode.Uri, c: ClientCertCandidate | undefined) => {
    if (c && !seen.has(uri.toString())) out.push({ ...c, uri });
    seen.add(uri.toString());
  };
  for (const d of vscode.workspace.textDocuments) if (d.languageId === 'pem') add(d.uri, pemCandidate(d.getText(), vscode.workspace.asRelativePath(d.uri)));
  if (vscode.workspace.getConfiguration('tlsLens').get<boolean>('checkKey.searchWorkspace', true)) {
    const found = await vscode.workspace.findFiles('**/*.{pem,crt,cer,key,p12,pfx}', '**/node_modules/**', 300);
    for (const uri of found) {
      if (seen.has(uri.toString())) continue;
      try {
        const bytes = await vscode.workspace.fs.readFile(uri);
        if (bytes.length > 1 << 20) continue;
        const name = vscode.workspace.asRelativePath(uri);
        add(uri, PKCS12.test(uri.path) ? pkcs12Candidate(bytes, name) : pemCandidate(new TextDecoder().decode(bytes), name));
      } catch {
        // unreadable: not offered
      }
    }
  }
  return out;
}

function describe(c: JudgedCandidate): { description: string; detail?: string } {
  if (c.problem) return { description: vscode.l10n.t('cannot be used'), detail: c.problem };
  if (c.locked) return { description: vscode.l10n.t('PKCS#12: its passphrase is needed to judge it') };
  if (!c.fit) return { description: '' };
  const failed = c.fit.checks.filter((x) => !x.ok).map((x) => x.reason);
  return c.fit.fits ? { description: vscode.l10n.t('fits: {0}', c.fit.subject), detail: c.fit.checks.map((x) => x.reason).join('; ') } : { description: vscode.l10n.t('does not fit: {0}', c.fit.subject), detail: failed.join('; ') };
}

/** Asks for a PKCS#12 file's passphrase until it opens the file; undefined when the user cancels. */
async function askPkcs12(uri: vscode.Uri, bytes: Uint8Array, request: CertificateRequestSummary): Promise<JudgedCandidate | undefined> {
  const name = vscode.workspace.asRelativePath(uri);
  for (;;) {
    const pass = await vscode.window.showInputBox({ title: vscode.l10n.t('Passphrase of {0}', name), prompt: vscode.l10n.t('Passphrase'), password: true, ignoreFocusOut: true });
    if (pass === undefined) return undefined;
    const c = pkcs12Candidate(bytes, name, pass);
    if (c.problem && /passphrase/.test(c.problem)) {
      void vscode.window.showWarningMessage(vscode.l10n.t('TLS Lens: {0}', c.problem));
      continue;
    }
    passphrases.set(uri.toString(), pass);
    return judgeCandidates(request, [c])[0];
  }
}

/**
 * Lists the candidates with their verdicts and returns the URI of the one chosen (as Connect to Host's
 * clientCertificate), or undefined. A choice that does not fit is used only when the user confirms it.
 */
export async function chooseClientCertificate(request: CertificateRequestSummary): Promise<string | undefined> {
  const all = await candidates();
  const judged = judgeCandidates(request, all) as (JudgedCandidate & { uri: vscode.Uri })[];
  if (!judged.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: no certificate with its key was found among open PEM editors and the workspace\'s PEM and PKCS#12 files.'));
    return undefined;
  }
  const fitting = judged.filter((c) => c.fit?.fits).length;
  const pick = await vscode.window.showQuickPick(judged.map((c) => ({ label: c.source, ...describe(c), candidate: c })), {
    title: vscode.l10n.t('Client certificate for this server ({0} of {1} fit)', fitting, judged.length),
    matchOnDescription: true,
  });
  if (!pick) return undefined;
  let chosen: JudgedCandidate | undefined = pick.candidate;
  if (chosen.problem) {
    void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: {0}: {1}', chosen.source, chosen.problem));
    return undefined;
  }
  if (chosen.format === 'pkcs12') {
    chosen = await askPkcs12(pick.candidate.uri, await vscode.workspace.fs.readFile(pick.candidate.uri), request);
    if (!chosen) return undefined;
  }
  if (chosen.fit && !chosen.fit.fits) {
    const why = chosen.fit.checks.filter((x) => !x.ok).map((x) => x.reason).join('; ');
    const useIt = vscode.l10n.t('Use it anyway');
    const answer = await vscode.window.showWarningMessage(vscode.l10n.t('{0} does not fit what the server asked for: {1}', chosen.source, why), { modal: true }, useIt);
    if (answer !== useIt) return undefined;
  }
  return pick.candidate.uri.toString();
}

/** The identity in a PKCS#12 file: the passphrase given while choosing it, else asked for (again after a wrong one). */
export async function identityFromPkcs12File(uri: vscode.Uri): Promise<Identity> {
  const bytes = await vscode.workspace.fs.readFile(uri);
  const name = vscode.workspace.asRelativePath(uri);
  let pass = passphrases.get(uri.toString());
  passphrases.delete(uri.toString());
  for (;;) {
    if (pass === undefined) {
      pass = await vscode.window.showInputBox({ title: vscode.l10n.t('Passphrase of {0}', name), prompt: vscode.l10n.t('Passphrase'), password: true, ignoreFocusOut: true });
      if (pass === undefined) throw new Error(vscode.l10n.t('{0}: no passphrase given', name));
    }
    try {
      return identityFromPkcs12(bytes, name, pass);
    } catch (e) {
      if (!/passphrase/.test((e as Error).message)) throw e;
      void vscode.window.showWarningMessage(vscode.l10n.t('TLS Lens: {0}', errorText(e)));
      pass = undefined;
    }
  }
}

export function isPkcs12Uri(uri: vscode.Uri): boolean {
  return PKCS12.test(uri.path);
}
