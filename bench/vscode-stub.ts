// A minimal stand-in for the `vscode` module, enough to load dist/extension.js outside VS Code, call activate()
// and call the hover provider it registers. Every registration is a no-op that returns a disposable, settings read
// as their defaults, l10n is English, and no document is open: what is timed is our code, not the editor's. A name
// the stub does not know (the extension grows) reads as a callable no-op rather than failing the bench.
import Module from 'node:module';
import path from 'node:path';

const disposable = { dispose: () => undefined };
const noop = () => disposable;

class Range {
  constructor(readonly startLine: number, readonly startCharacter: number, readonly endLine: number, readonly endCharacter: number) {}
}
class MarkdownString {
  isTrusted: unknown;
  supportThemeIcons = false;
  constructor(readonly value = '') {}
}
class Hover {
  constructor(readonly contents: MarkdownString, readonly range?: Range) {}
}
class Diagnostic {
  constructor(readonly range: Range, readonly message: string, readonly severity?: number) {}
}
class CodeLens {
  constructor(readonly range: Range, readonly command?: unknown) {}
}
class EventEmitter {
  event = noop;
  fire(): void {}
  dispose(): void {}
}
class Uri {
  private constructor(readonly scheme: string, readonly fsPath: string) {}
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  static parse(s: string): Uri {
    return new Uri(s.split(':')[0]!, s.replace(/^file:\/\//, ''));
  }
  static joinPath(u: Uri, ...parts: string[]): Uri {
    return new Uri(u.scheme, path.join(u.fsPath, ...parts));
  }
  static from(c: { scheme: string; path?: string }): Uri {
    return new Uri(c.scheme, c.path ?? '');
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

/** Anything: callable, constructible, every property another one; what unknown API names resolve to. */
const anything: unknown = new Proxy(function () {}, {
  get: (_t, prop) => (prop === 'then' ? undefined : prop === Symbol.toPrimitive ? () => '' : anything),
  apply: () => anything,
  construct: () => anything as object,
});

/** `obj`, whose plain-object namespaces (window, workspace...) answer unknown names with `anything`. */
function lenient<T extends object>(obj: T): T {
  return new Proxy(obj, {
    get(target, prop, receiver) {
      if (!(prop in target)) return typeof prop === 'symbol' ? undefined : anything;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype ? lenient(v) : v;
    },
  });
}

/** vscode.l10n.t without a bundle: the English message with {0}, {1}... filled in. */
const l10nT = (message: string | { message: string }, ...args: unknown[]): string =>
  (typeof message === 'string' ? message : message.message).replace(/\{(\d+)\}/g, (_m, i: string) => String(args[Number(i)]));

export interface HoverProviderLike {
  provideHover(doc: unknown, pos: { line: number; character: number }): { contents: { value: string } } | undefined;
}

/** What the stub saw the extension register. */
export interface StubState {
  hoverProviders: HoverProviderLike[];
  commands: string[];
}

function makeStub(state: StubState) {
  const config = { get: <T>(_k: string, d?: T) => d, inspect: () => undefined, has: () => false, update: async () => undefined };
  return {
    Range, MarkdownString, Hover, Diagnostic, CodeLens, EventEmitter, Uri,
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    ViewColumn: { Active: -1, Beside: -2, One: 1 },
    ProgressLocation: { Notification: 15 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
    languages: {
      registerHoverProvider: (_sel: unknown, p: HoverProviderLike) => {
        state.hoverProviders.push(p);
        return disposable;
      },
      registerCodeLensProvider: noop,
      createDiagnosticCollection: () => ({ set: () => undefined, delete: () => undefined, clear: () => undefined, dispose: () => undefined }),
    },
    commands: {
      registerCommand: (id: string) => {
        state.commands.push(id);
        return disposable;
      },
      executeCommand: async () => undefined,
    },
    workspace: {
      textDocuments: [], workspaceFolders: undefined, isTrusted: true, fs: {},
      getConfiguration: () => config,
      onDidOpenTextDocument: noop, onDidChangeTextDocument: noop, onDidCloseTextDocument: noop, onDidChangeConfiguration: noop,
      registerTextDocumentContentProvider: noop,
      asRelativePath: (p: string) => p,
    },
    window: {
      createOutputChannel: () => ({ info: () => undefined, appendLine: () => undefined, show: () => undefined, dispose: () => undefined }),
      createStatusBarItem: () => ({ show: () => undefined, hide: () => undefined, dispose: () => undefined }),
    },
    env: { language: 'en' },
    l10n: { bundle: undefined, uri: undefined, t: l10nT },
  };
}

/** Makes `require('vscode')` return the stub from now on in this process. */
export function installVscodeStub(): StubState {
  const state: StubState = { hoverProviders: [], commands: [] };
  const stub = lenient(makeStub(state));
  const mod = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const load = mod._load;
  mod._load = function (request, parent, isMain) {
    return request === 'vscode' ? stub : load.call(this, request, parent, isMain);
  };
  return state;
}

/** A fake ExtensionContext: what activate() uses of it. */
export function fakeContext(): { subscriptions: { dispose(): unknown }[]; extensionMode: number; extensionUri: Uri } {
  return { subscriptions: [], extensionMode: 1, extensionUri: Uri.file(path.resolve('.')) };
}
