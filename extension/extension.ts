// The extension's entry: wires the engine's decoders and Check Key into VS Code. Holds no protocol logic.
import * as vscode from 'vscode';
import { PemCodeLensProvider } from './codelens';
import { checkKeyCommand } from './commands/check-key';
import { connectToHost, type ConnectRequest } from './commands/connect-to-host';
import { serveHere, type ServeRequest } from './commands/serve-here';
import { DecodedContentProvider, showDecoded } from './commands/show-decoded';
import { showCertificatePanel } from './panels/certificate-panel';
import { compareSessions } from './panels/compare-panel';
import { verifyChainCommand, type VerifyChainOptions } from './commands/verify-chain';
import { SessionPanel } from './panels/session-panel';
import { PemDiagnostics } from './diagnostics';
import { DocumentModel } from './document-model';
import { PemHoverProvider } from './hover';
import { COMMANDS, DECODE_SCHEME, LANGUAGE_ID } from './ids';
import { Log } from './log';
import { setRestrictedModeTestSeam } from './workspace-trust';
import { initL10n, setL10nBundle } from './l10n';
import { TlsStatusBar } from './status-bar';
import { networkUnavailableReason, setEnvironmentTestSeam } from './environment';

/** What activate() returns, only while VS Code runs the extension's tests (ExtensionMode.Test); nothing otherwise. */
export interface TlsLensTestApi {
  setRestrictedModeTestSeam: typeof setRestrictedModeTestSeam;
  setEnvironmentTestSeam: typeof setEnvironmentTestSeam;
  networkUnavailableReason: typeof networkUnavailableReason;
  /** The status bar item as it is now. */
  statusBar(): { visible: boolean; text: string };
}

export function activate(context: vscode.ExtensionContext): TlsLensTestApi | undefined {
  // The display language first: every string after this (vscode-free modules included) is looked up in it.
  initL10n(vscode.env.language, (message, ...args) => vscode.l10n.t(message, ...args));
  setL10nBundle(vscode.l10n.bundle);
  const log = new Log();
  const status = new TlsStatusBar(COMMANDS.statusBarActions);
  const model = new DocumentModel();
  const lenses = new PemCodeLensProvider(model);
  const selector: vscode.DocumentSelector = { language: LANGUAGE_ID };
  context.subscriptions.push(
    log,
    model,
    new PemDiagnostics(model),
    vscode.languages.registerHoverProvider(selector, new PemHoverProvider(model)),
    vscode.languages.registerCodeLensProvider(selector, lenses),
    vscode.workspace.registerTextDocumentContentProvider(DECODE_SCHEME, new DecodedContentProvider(model)),
    vscode.commands.registerCommand(COMMANDS.checkKey, (uri?: vscode.Uri, other?: vscode.Uri | vscode.Uri[]) => checkKeyCommand(log, uri, other)),
    vscode.commands.registerCommand(COMMANDS.showDecoded, (source?: string | vscode.Uri, index?: number) => showDecoded(source, index)),
    vscode.commands.registerCommand(COMMANDS.showCertificate, (source?: string | vscode.Uri, index?: number) => showCertificatePanel(context, model, source, index)),
    vscode.commands.registerCommand(COMMANDS.connectToHost, (arg?: ConnectRequest | string) => connectToHost(context, arg)),
    vscode.commands.registerCommand(COMMANDS.serveHere, (arg?: ServeRequest | vscode.Uri) => serveHere(context, arg)),
    vscode.commands.registerCommand(COMMANDS.verifyChain, (uri?: vscode.Uri, opts?: VerifyChainOptions) => verifyChainCommand(log, model, uri instanceof vscode.Uri ? uri : undefined, opts ?? {})),
    vscode.commands.registerCommand(COMMANDS.compareSessions, (first?: SessionPanel, second?: SessionPanel) => compareSessions(context, first instanceof SessionPanel ? first : undefined, second instanceof SessionPanel ? second : undefined)),
    status,
    vscode.commands.registerCommand(COMMANDS.statusBarActions, () => status.showActions()),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('tlsLens') && lenses.refresh()),
  );
  log.info('TLS Lens activated');
  // Activation opens no socket, starts no server and sends nothing anywhere (there is no telemetry): the suite checks it.
  return context.extensionMode === vscode.ExtensionMode.Test
    ? { setRestrictedModeTestSeam, setEnvironmentTestSeam, networkUnavailableReason, statusBar: () => status.state }
    : undefined;
}

export function deactivate(): void {}
