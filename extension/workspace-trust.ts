// Restricted Mode (an untrusted workspace), in one place. Reading files stays available everywhere (hover, CodeLens,
// diagnostics, Check Key, Show Certificates, Verify Chain): nothing leaves the machine. Whatever opens a socket
// (Connect to Host over TLS or DTLS, Serve TLS Here, and their Reconnect) first asks in a modal that names what will be
// contacted; declined, nothing is opened. Settings that name files, hosts or ports, or send secrets to a file, are
// `restrictedConfigurations` in package.json, and are read here from the user's own settings only (VS Code ignores
// their workspace values too; reading them here keeps that true whatever the host does).
import * as vscode from 'vscode';

/** What a command is about to open. `port` 0 for a server: a free port is picked. */
export type NetworkUse =
  | { kind: 'connect'; protocol: 'TLS' | 'DTLS'; host: string; port: number; serverName?: string; /** the proxy, its password left out */ via?: string }
  | { kind: 'serve'; host: string; port: number; certificate: string };

/** The settings of package.json's restrictedConfigurations, without the `tlsLens.` prefix. */
export const RESTRICTED_SETTINGS = ['verify.trustStore', 'keylog.honourSSLKEYLOGFILE', 'profiles', 'serve.port'] as const;
export type RestrictedSetting = (typeof RESTRICTED_SETTINGS)[number];

/**
 * For the real-VS-Code suite only (handed out by activate() when VS Code runs the extension's tests): play an untrusted
 * workspace, and answer the consent modal instead of showing it. It can make the extension stricter, never a really
 * untrusted workspace trusted.
 */
export interface RestrictedModeTestSeam {
  simulateUntrusted?: boolean;
  answerConsent?: (words: ConsentWords) => Promise<boolean>;
}

let seam: RestrictedModeTestSeam = {};

export function setRestrictedModeTestSeam(s: RestrictedModeTestSeam | undefined): void {
  seam = { ...(s ?? {}) };
}

export function isWorkspaceTrusted(): boolean {
  return vscode.workspace.isTrusted && !seam.simulateUntrusted;
}

export interface ConsentWords {
  message: string;
  detail: string;
  button: string;
}

export function consentWords(use: NetworkUse): ConsentWords {
  const why = vscode.l10n.t('This workspace is in Restricted Mode, so TLS Lens asks before it uses the network.');
  if (use.kind === 'serve') {
    const where = use.port ? `${use.host}:${use.port}` : vscode.l10n.t('{0} (a free port)', use.host);
    return {
      message: vscode.l10n.t('TLS Lens: start a TLS server on {0}?', where),
      detail: vscode.l10n.t('{0} It will listen on {1}, reachable from this machine only, and answer every TLS client with the certificate and private key of {2}, until you close its panel.', why, where, use.certificate),
      button: vscode.l10n.t('Start Server'),
    };
  }
  const how = use.protocol === 'DTLS'
    ? (use.serverName ? vscode.l10n.t('send UDP datagrams to {0} port {1} and run a DTLS handshake with the server name "{2}"', use.host, use.port, use.serverName) : vscode.l10n.t('send UDP datagrams to {0} port {1} and run a DTLS handshake', use.host, use.port))
    : (use.serverName ? vscode.l10n.t('open a TCP connection to {0} port {1} and run a TLS handshake with the server name "{2}"', use.host, use.port, use.serverName) : vscode.l10n.t('open a TCP connection to {0} port {1} and run a TLS handshake', use.host, use.port));
  return {
    message: vscode.l10n.t('TLS Lens: connect to {0}:{1} over {2}?', use.host, use.port, use.protocol),
    detail: use.via
      ? vscode.l10n.t('{0} It will {1}, through the proxy {2}. Nothing is sent unless you allow it.', why, how, use.via)
      : vscode.l10n.t('{0} It will {1}. Nothing is sent unless you allow it.', why, how),
    button: vscode.l10n.t('Connect'),
  };
}

/** True when the command may go ahead: the workspace is trusted, or the user agreed to this use of the network. */
export async function allowNetwork(use: NetworkUse): Promise<boolean> {
  if (isWorkspaceTrusted()) return true;
  const words = consentWords(use);
  if (seam.answerConsent) return seam.answerConsent(words);
  const answer = await vscode.window.showWarningMessage(words.message, { modal: true, detail: words.detail }, words.button);
  return answer === words.button;
}

/** A restricted setting: as VS Code merges it when the workspace is trusted; otherwise the user's value or the default. */
export function restrictedSetting<T>(key: RestrictedSetting, fallback: T, scope?: vscode.ConfigurationScope): T {
  const config = vscode.workspace.getConfiguration('tlsLens', scope);
  if (isWorkspaceTrusted()) return config.get<T>(key, fallback);
  const seen = config.inspect<T>(key);
  return seen?.globalValue ?? seen?.defaultValue ?? fallback;
}
