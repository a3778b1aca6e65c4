// Where the extension runs, for the commands that open sockets (Connect to Host, Serve TLS Here, Reconnect). package.json
// declares virtual workspaces "limited": there, and in a browser-only VS Code (vscode.dev: no Node.js extension host,
// so no TCP or UDP), those commands say why they cannot run instead of failing half-way. Decoding, hovers, diagnostics
// and Check Key read documents through VS Code and work everywhere.
import * as vscode from 'vscode';

/** For the real-VS-Code suite only (handed out by activate() in ExtensionMode.Test): play a virtual workspace or a browser host. */
export interface EnvironmentTestSeam {
  /** The scheme of a virtual workspace folder, e.g. 'vscode-vfs'. */
  virtualScheme?: string;
  /** A VS Code for the Web window without a Node.js extension host. */
  webWithoutNode?: boolean;
}

let seam: EnvironmentTestSeam = {};

export function setEnvironmentTestSeam(s: EnvironmentTestSeam | undefined): void {
  seam = { ...(s ?? {}) };
}

/** The scheme of the first workspace folder that is not on a disk the extension host can read (a virtual workspace). */
function virtualScheme(): string | undefined {
  if (seam.virtualScheme) return seam.virtualScheme;
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme !== 'file')?.uri.scheme;
}

function hasNodeHost(): boolean {
  if (seam.webWithoutNode) return false;
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** Why `command` (its title, in the display language) cannot open a connection or a server here; undefined when it can. */
export function networkUnavailableReason(command: string): string | undefined {
  if (!hasNodeHost() && (vscode.env.uiKind === vscode.UIKind.Web || seam.webWithoutNode)) {
    return vscode.l10n.t('TLS Lens: {0} is not available in VS Code for the Web: a browser tab cannot open TCP or UDP connections or listen on a port. Use VS Code on the desktop, a remote (SSH, container, WSL) or code-server. Decoding, hovers and Check Key work here.', command);
  }
  const scheme = virtualScheme();
  if (scheme) {
    return vscode.l10n.t('TLS Lens: {0} is not available in a virtual workspace ({1}): TLS Lens opens connections and servers only for a folder on disk, local or remote. Decoding, hovers and Check Key work here.', command, scheme);
  }
  return undefined;
}

/** Shows why `command` cannot run here, if it cannot; true when it was stopped. */
export function explainNetworkUnavailable(command: string): boolean {
  const reason = networkUnavailableReason(command);
  if (reason) void vscode.window.showWarningMessage(reason);
  return !!reason;
}
