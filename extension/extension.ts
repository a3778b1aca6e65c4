// The extension's entry, kept small so that activation costs almost nothing: it registers every command and the
// PEM providers by proxy, and loads the rest (extension/features.ts, bundled apart as dist/features.js, with the
// engine, pkijs and noble beneath it) the first time one of them is used, or at once when a PEM document is open,
// so that its diagnostics appear without waiting for a hover.
import * as vscode from 'vscode';
import type { Features, TlsLensTestApi } from './features';
import { COMMANDS, DECODE_SCHEME, LANGUAGE_ID } from './ids';

export type { TlsLensTestApi } from './features';

export function activate(context: vscode.ExtensionContext): TlsLensTestApi | undefined {
  let features: Features | undefined;
  const lensesChanged = new vscode.EventEmitter<void>();
  const decodedChanged = new vscode.EventEmitter<vscode.Uri>();
  const load = (): Features => {
    if (features) return features;
    // A separate bundle beside this one (esbuild.mjs): required, not imported, so that it is read only now.
    const loaded = (require('./features.js') as typeof import('./features')).start(context);
    context.subscriptions.push(loaded.lenses.onDidChangeCodeLenses(() => lensesChanged.fire()));
    features = loaded;
    return loaded;
  };
  const selector: vscode.DocumentSelector = { language: LANGUAGE_ID };
  context.subscriptions.push(
    lensesChanged,
    decodedChanged,
    vscode.languages.registerHoverProvider(selector, { provideHover: (d, p, t) => load().hover.provideHover(d, p, t) }),
    vscode.languages.registerCodeLensProvider(selector, {
      onDidChangeCodeLenses: lensesChanged.event,
      provideCodeLenses: (d) => load().lenses.provideCodeLenses(d),
      resolveCodeLens: (l) => load().lenses.resolveCodeLens(l),
    }),
    vscode.workspace.registerTextDocumentContentProvider(DECODE_SCHEME, { onDidChange: decodedChanged.event, provideTextDocumentContent: (u) => load().decoded.provideTextDocumentContent(u) }),
    ...Object.values(COMMANDS).map((id) => vscode.commands.registerCommand(id, (...args: unknown[]) => load().commands[id](...args))),
  );
  // A PEM document open now (activation by onLanguage:pem) or later gets its diagnostics without waiting for a hover.
  const pemOpen = (d: vscode.TextDocument) => d.languageId === LANGUAGE_ID;
  if (vscode.workspace.textDocuments.some(pemOpen)) setTimeout(load, 0);
  else {
    const watch = vscode.workspace.onDidOpenTextDocument((d) => {
      if (!pemOpen(d)) return;
      watch.dispose();
      load();
    });
    context.subscriptions.push(watch);
  }
  // Activation opens no socket, starts no server and sends nothing anywhere (there is no telemetry): the suite checks it.
  // The extension's tests get their seams at once (and load everything: they use all of it).
  return context.extensionMode === vscode.ExtensionMode.Test ? load().testApi : undefined;
}

export function deactivate(): void {}
