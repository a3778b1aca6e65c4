// Everything the extension does, loaded by extension/extension.ts (the entry) on first use: the providers and the
// commands, built once, with the engine beneath them. Holds no protocol logic. A new command is a COMMANDS id
// (ids.ts, package.json) and one entry in `commands` below: the entry registers every id at activation.
import * as vscode from 'vscode';
import { PemCodeLensProvider } from './codelens';
import { checkKeyCommand } from './commands/check-key';
import { compareWithServer } from './commands/compare-with-server';
import { explainCertificateErrorCommand } from './commands/explain-cert-error';
import { scanServerCommand } from './commands/scan-server';
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
import { COMMANDS, type CommandId } from './ids';
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

/** What the entry forwards to: the providers it registered by proxy, every command by id, and the test API. */
export interface Features {
  hover: vscode.HoverProvider;
  lenses: PemCodeLensProvider;
  decoded: DecodedContentProvider;
  commands: Record<CommandId, (...args: any[]) => unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any
  testApi: TlsLensTestApi;
}

export function start(context: vscode.ExtensionContext): Features {
  // The display language first: every string after this (vscode-free modules included) is looked up in it.
  initL10n(vscode.env.language, (message, ...args) => vscode.l10n.t(message, ...args));
  setL10nBundle(vscode.l10n.bundle);
  const log = new Log();
  const status = new TlsStatusBar(COMMANDS.statusBarActions);
  const model = new DocumentModel();
  const lenses = new PemCodeLensProvider(model);
  const decoded = new DecodedContentProvider(model);
  context.subscriptions.push(
    log,
    model,
    new PemDiagnostics(model),
    status,
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('tlsLens') && lenses.refresh()),
  );
  const commands: Features['commands'] = {
    [COMMANDS.checkKey]: (uri?: vscode.Uri, other?: vscode.Uri | vscode.Uri[]) => checkKeyCommand(log, uri, other),
    [COMMANDS.showDecoded]: (source?: string | vscode.Uri, index?: number) => showDecoded(source, index),
    [COMMANDS.showCertificate]: (source?: string | vscode.Uri, index?: number) => showCertificatePanel(context, model, source, index),
    [COMMANDS.connectToHost]: (arg?: ConnectRequest | string) => connectToHost(context, arg),
    [COMMANDS.serveHere]: (arg?: ServeRequest | vscode.Uri) => serveHere(context, arg),
    [COMMANDS.verifyChain]: (uri?: vscode.Uri, opts?: VerifyChainOptions) => verifyChainCommand(log, model, uri instanceof vscode.Uri ? uri : undefined, opts ?? {}),
    [COMMANDS.compareSessions]: (first?: SessionPanel, second?: SessionPanel) => compareSessions(context, first instanceof SessionPanel ? first : undefined, second instanceof SessionPanel ? second : undefined),
    [COMMANDS.compareWithServer]: (uri?: vscode.Uri, target?: string) => compareWithServer(context, uri instanceof vscode.Uri ? uri : undefined, typeof target === 'string' ? target : undefined),
    [COMMANDS.explainCertificateError]: (url?: string) => explainCertificateErrorCommand(typeof url === 'string' ? url : undefined),
    [COMMANDS.scanServer]: (target?: string) => scanServerCommand(context, typeof target === 'string' ? target : undefined),
    [COMMANDS.statusBarActions]: () => status.showActions(),
  };
  log.info('TLS Lens loaded');
  return {
    hover: new PemHoverProvider(model),
    lenses,
    decoded,
    commands,
    testApi: { setRestrictedModeTestSeam, setEnvironmentTestSeam, networkUnavailableReason, statusBar: () => status.state },
  };
}
