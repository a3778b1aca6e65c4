// A certificate chain and its key from the text of a PEM document, asking for the passphrase of an encrypted
// key (again after a wrong one). Throws the loader's error when the file holds no usable pair or the user
// cancels the prompt, so each command words the failure its own way.
import * as vscode from 'vscode';
import { identityFromPem, type Identity } from '../engine/tools/identity';

export async function identityFromDocument(doc: vscode.TextDocument, title: string): Promise<Identity> {
  const name = vscode.workspace.asRelativePath(doc.uri);
  let passphrase: string | undefined;
  for (;;) {
    try {
      return identityFromPem(doc.getText(), undefined, name, passphrase);
    } catch (e) {
      if (!/passphrase/.test((e as Error).message)) throw e;
      passphrase = await vscode.window.showInputBox({ title, prompt: vscode.l10n.t('Passphrase'), password: true, ignoreFocusOut: true });
      if (passphrase === undefined) throw e;
    }
  }
}
