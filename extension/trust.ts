// The trust anchors of the `tlsLens.verify.trustStore` setting: "system" (decoded once per process) or a PEM
// file / directory of CA certificates. Used by Verify Chain and by the chain shown on hover.
import * as vscode from 'vscode';
import { loadDirectory, loadFile, type LoadedCerts } from '../engine/x509/verify/trust-store';
import { systemAnchors } from '../engine/x509/system-anchors';
import { restrictedSetting } from './workspace-trust';
import { errorText } from './l10n';

export function trustSetting(scope?: vscode.ConfigurationScope): string {
  return restrictedSetting<string>('verify.trustStore', 'system', scope) || 'system';
}

export function trustName(setting: string): string {
  return setting === 'system' ? vscode.l10n.t('the system trust store') : setting;
}

/** Throws with the path and the reason when a configured file or directory cannot be read. */
export function trustAnchors(setting: string): LoadedCerts {
  if (setting === 'system') return systemAnchors();
  try {
    return /\.(pem|crt|cer)$/i.test(setting) ? loadFile(setting) : loadDirectory(setting);
  } catch (e) {
    throw new Error(vscode.l10n.t('trust store "{0}": {1}', setting, (e as NodeJS.ErrnoException).code ?? errorText(e)));
  }
}
