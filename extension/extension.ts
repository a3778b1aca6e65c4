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

/** What activate() returns, only while VS Code runs the extension's tests (ExtensionMode.Test); nothing otherwise. */
export interface TlsLensTestApi {
  setRestrictedModeTestSeam: typeof setRestrictedModeTestSeam;
}

export function activate(context: vscode.ExtensionContext): TlsLensTestApi | undefined {
  const log = new Log();
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
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('tlsLens') && lenses.refresh()),
  );
  log.info('TLS Lens activated');
  // Activation opens no socket, starts no server and sends nothing anywhere (there is no telemetry): the suite checks it.
  return context.extensionMode === vscode.ExtensionMode.Test ? { setRestrictedModeTestSeam } : undefined;
}

export function deactivate(): void {}
