// The session panel's host side: one webview per session, fed by a ClientRunner or ServerRunner.
// The webview asks for everything with `ready`; after that, events stream in batches.
import * as vscode from 'vscode';
import os from 'node:os';
import { buildReport } from '../../engine/export/report';
import { decodeCertificate } from '../../engine/x509/certificate';
import { formatItem } from '../../engine/x509/format-text';
import { alertGlossary, type RunnerListener, type RunnerState, type SessionExports } from '../sessions/session-runner';
import { PROTOCOL_VERSION, type FromWebview, type ReportFormat, type SessionSnapshot, type SessionSummary, type SessionTarget, type ToWebview, type TraceEventJson } from '../../webview/shared/protocol';
import { l10nMessage, webviewHtml, webviewOptions } from './webview-html';
import { parseHexInput } from '../../webview/shared/hex-input';
import { restrictedSetting } from '../workspace-trust';

export interface SessionControl {
  readonly events: TraceEventJson[];
  send(data: Uint8Array): void;
  close(): void;
  /** The capture and key log (Save Capture, Save Key Log): read here on the host, never posted to the webview. */
  readonly exports?: SessionExports;
  /** The recorded key schedule as text (secrets: shown only after the user confirms), or undefined when none was recorded. */
  keySchedule?(): string | undefined;
}

let counter = 0;

/** A session's state in the display language (the same words as the panel's badge). */
function stateWord(state: RunnerState): string {
  const words: Record<RunnerState, string> = {
    connecting: vscode.l10n.t('Connecting'), handshaking: vscode.l10n.t('Handshaking'), open: vscode.l10n.t('Open'),
    closed: vscode.l10n.t('Closed'), failed: vscode.l10n.t('Failed'), listening: vscode.l10n.t('Listening'),
  };
  return words[state];
}

export class SessionPanel implements RunnerListener {
  readonly panel: vscode.WebviewPanel;
  readonly id = `s${++counter}`;
  private ready = false;
  private lastSummary?: SessionSummary;
  private lastState: RunnerState = 'connecting';
  private control?: SessionControl;
  /** For tests and the status bar: resolves on the first summary after the handshake ends either way. */
  readonly settled: Promise<SessionSummary>;
  private settle!: (s: SessionSummary) => void;
  private readonly subs: vscode.Disposable[] = [];
  private readonly toolVersion: string;

  /** The session panels now open, oldest first (for Compare Sessions and the status bar). */
  private static readonly open = new Set<SessionPanel>();
  static all(): SessionPanel[] {
    return [...SessionPanel.open];
  }

  /** Fires when a session panel opens, changes state or closes (the status bar follows it). */
  private static readonly changed = new vscode.EventEmitter<void>();
  static readonly onDidChange = SessionPanel.changed.event;

  /** Where the session stands: connecting, handshaking, open, closed, failed, or listening (a server with no client). */
  get currentState(): RunnerState {
    return this.lastState;
  }

  constructor(context: vscode.ExtensionContext, readonly target: SessionTarget, private readonly actions: { reconnect(): void; newConnection(): void; compare?(panel: SessionPanel): void; whatIf?(panel: SessionPanel): void; keySchedule?(panel: SessionPanel): void }) {
    SessionPanel.open.add(this);
    this.toolVersion = String((context.extension?.packageJSON as { version?: string } | undefined)?.version ?? '');
    this.settled = new Promise((r) => (this.settle = r));
    const title = SessionPanel.titleFor(target, target.port);
    this.panel = vscode.window.createWebviewPanel('tlslens.session', title, vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
    this.panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    this.panel.webview.html = webviewHtml(this.panel.webview, context.extensionUri, title);
    this.subs.push(
      this.panel.webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(m)),
      this.panel.onDidDispose(() => {
        // Nothing more is posted to the disposed webview (closing the runner reports a last state).
        this.ready = false;
        SessionPanel.open.delete(this);
        SessionPanel.changed.fire();
        this.subs.forEach((d) => d.dispose());
        this.control?.close();
      }),
    );
    SessionPanel.changed.fire();
  }

  /** This session as it stands, for a comparison. */
  snapshot(): SessionSnapshot {
    return { title: this.panel.title, target: this.target, ...(this.lastSummary ? { summary: this.lastSummary } : {}), events: [...(this.control?.events ?? [])] };
  }

  describeState(): string {
    const s = this.lastSummary;
    const state = stateWord(this.lastState);
    return s?.version ? `${state} · ${s.version} ${s.suite ?? ''}` : state;
  }

  /** The key schedule, when the session recorded one (extension/commands/what-if.ts asks the user first). */
  keyScheduleText(): string | undefined {
    return this.control?.keySchedule?.();
  }

  attach(control: SessionControl): void {
    this.control = control;
  }

  retitle(port: number): void {
    this.target.port = port;
    this.panel.title = SessionPanel.titleFor(this.target, port);
    SessionPanel.changed.fire();
  }

  private static titleFor(target: SessionTarget, port: number): string {
    return target.mode === 'connect' ? `TLS ${target.host}:${port}` : vscode.l10n.t('Serving TLS on {0}:{1}', target.host, port);
  }

  // ---- RunnerListener ----

  /**
   * SSLKEYLOGFILE, only when the user turned on tlsLens.keylog.honourSSLKEYLOGFILE (read as the session starts). In
   * Restricted Mode a workspace's value does not count: a repository must not be able to switch secrets to disk.
   */
  keyLogFile(): string | undefined {
    const on = restrictedSetting<boolean>('keylog.honourSSLKEYLOGFILE', false);
    const file = process.env.SSLKEYLOGFILE;
    return on && file ? file : undefined;
  }

  events(batch: TraceEventJson[]): void {
    if (this.ready) this.post({ type: 'session/events', sessionId: this.id, events: batch });
  }

  summary(s: SessionSummary): void {
    this.lastSummary = s;
    if (this.ready) this.post({ type: 'session/summary', sessionId: this.id, summary: s });
    if (this.lastState !== 'connecting' && this.lastState !== 'handshaking' && this.lastState !== 'listening') this.settle(s);
    else if (s.ok || s.error) this.settle(s);
  }

  state(s: RunnerState): void {
    const was = this.lastState;
    this.lastState = s;
    if (was !== s) SessionPanel.changed.fire();
    if (this.ready) this.post({ type: 'session/state', sessionId: this.id, state: s });
    if ((s === 'failed' || s === 'closed') && this.lastSummary) this.settle(this.lastSummary);
  }

  // ---- webview ----

  private post(m: ToWebview): void {
    void this.panel.webview.postMessage(m);
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.post(l10nMessage());
        this.post({ type: 'session/init', protocolVersion: PROTOCOL_VERSION, sessionId: this.id, title: this.panel.title, target: this.target, glossary: alertGlossary(), events: this.control?.events ?? [] });
        this.post({ type: 'session/state', sessionId: this.id, state: this.lastState });
        if (this.lastSummary) this.post({ type: 'session/summary', sessionId: this.id, summary: this.lastSummary });
        return;
      case 'session/reconnect':
        this.control?.close();
        this.actions.reconnect();
        return;
      case 'session/new':
        this.actions.newConnection();
        return;
      case 'session/close':
        this.control?.close();
        return;
      case 'session/send':
      {
        const data = m.hex ? parseHexInput(m.text) : { bytes: new TextEncoder().encode(m.text) };
        if ('error' in data) void vscode.window.showErrorMessage(vscode.l10n.t('TLS Lens: not sent: {0}', data.error));
        else this.control?.send(data.bytes);
        return;
      }
      case 'session/copyJson':
        await vscode.env.clipboard.writeText((this.control?.events ?? []).map((e) => JSON.stringify(e)).join('\n') + '\n');
        void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: copied {0} trace events as JSON lines.', this.control?.events.length ?? 0));
        return;
      case 'session/compare':
        this.actions.compare?.(this);
        return;
      case 'session/whatIf':
        if (this.actions.whatIf) this.actions.whatIf(this);
        else void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: What if… is built for Connect to Host and Serve TLS Here sessions.'));
        return;
      case 'session/keySchedule':
        if (this.actions.keySchedule) this.actions.keySchedule(this);
        else void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: the key schedule is recorded for Connect to Host sessions only.'));
        return;
      case 'session/openCertificate':
        return this.openCertificate(m.index);
      case 'session/saveCapture':
        return this.saveCapture();
      case 'session/saveKeyLog':
        return this.saveKeyLog();
      case 'session/report':
        return this.report(m.format === 'json' ? 'json' : 'markdown', m.action === 'save' ? 'save' : 'copy');
    }
  }

  // ---- exports: built here from what the runner holds; the webview only asks ----

  /** The report (summary, chain, verification, decoded trace) as Markdown or JSON. */
  reportText(format: ReportFormat): string {
    return buildReport({
      title: this.panel.title, target: this.target, ...(this.lastSummary ? { summary: this.lastSummary } : {}),
      events: this.control?.events ?? [], tool: `TLS Lens${this.toolVersion ? ` ${this.toolVersion}` : ''}`,
    }, format);
  }

  /** A file name for this session: tlslens-HOST-PORT-YYYYMMDD-HHMMSS.EXT, in the workspace folder or the home folder. */
  private defaultUri(ext: string): vscode.Uri {
    const d = new Date();
    const p2 = (n: number) => String(n).padStart(2, '0');
    const stamp = `${d.getFullYear()}${p2(d.getMonth() + 1)}${p2(d.getDate())}-${p2(d.getHours())}${p2(d.getMinutes())}${p2(d.getSeconds())}`;
    const name = `tlslens-${this.target.host.replace(/[^A-Za-z0-9.-]+/g, '_')}-${this.target.port}-${stamp}.${ext}`;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    return vscode.Uri.joinPath(folder, name);
  }

  private async saveBytes(bytes: Uint8Array, ext: string, filters: Record<string, string[]>, title: string): Promise<vscode.Uri | undefined> {
    const uri = await vscode.window.showSaveDialog({ defaultUri: this.defaultUri(ext), filters, title, saveLabel: vscode.l10n.t('Save') });
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, bytes);
    return uri;
  }

  private async saveCapture(): Promise<void> {
    const ex = this.control?.exports;
    if (!ex) return void vscode.window.showWarningMessage(vscode.l10n.t('TLS Lens: this session keeps no capture.'));
    if (!ex.connections) return void vscode.window.showWarningMessage(vscode.l10n.t('TLS Lens: nothing to save yet: no bytes have crossed the connection.'));
    const uri = await this.saveBytes(ex.pcapng(), 'pcapng', { [vscode.l10n.t('pcapng capture')]: ['pcapng'] }, vscode.l10n.t('Save Capture (pcapng for Wireshark)'));
    if (uri) void vscode.window.showInformationMessage(ex.connections === 1
      ? vscode.l10n.t('TLS Lens: saved 1 connection to {0}. Wireshark and tshark decrypt it as it is: the key log is inside, so share it only as you would the traffic.', uri.fsPath)
      : vscode.l10n.t('TLS Lens: saved {0} connections to {1}. Wireshark and tshark decrypt it as it is: the key log is inside, so share it only as you would the traffic.', ex.connections, uri.fsPath));
  }

  private async saveKeyLog(): Promise<void> {
    const text = this.control?.exports?.keyLog() ?? '';
    if (!text) return void vscode.window.showWarningMessage(vscode.l10n.t('TLS Lens: no secrets yet: the handshake has not derived any keys.'));
    const uri = await this.saveBytes(new TextEncoder().encode(text), 'keys', { [vscode.l10n.t('NSS key log')]: ['keys', 'txt', 'log'] }, vscode.l10n.t('Save Key Log (SSLKEYLOGFILE format)'));
    if (uri) void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: saved {0} key log lines to {1}. Anyone with this file can decrypt the session.', text.split('\n').length - 1, uri.fsPath));
  }

  private async report(format: ReportFormat, action: 'copy' | 'save'): Promise<void> {
    const text = this.reportText(format);
    const words = format === 'json' ? 'JSON' : 'Markdown';
    if (action === 'copy') {
      await vscode.env.clipboard.writeText(text);
      void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: copied the session report as {0}.', words));
      return;
    }
    const ext = format === 'json' ? 'json' : 'md';
    const uri = await this.saveBytes(new TextEncoder().encode(text), ext, format === 'json' ? { JSON: ['json'] } : { Markdown: ['md'] }, vscode.l10n.t('Save Report ({0})', words));
    if (uri) void vscode.window.showInformationMessage(vscode.l10n.t('TLS Lens: saved the session report to {0}.', uri.fsPath));
  }

  private async openCertificate(index: number): Promise<void> {
    const hex = this.findChainDer(index);
    if (!hex) return;
    const der = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
    const certificate = decodeCertificate(der);
    const text = formatItem({ index, label: 'CERTIFICATE', range: { startLine: 0, endLine: 0 }, headers: [], object: { kind: 'certificate', certificate } }, `peer certificate ${index}`);
    const doc = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  /** The DER of chain entry `index` from the last Certificate message received (JSON form: hex). */
  private findChainDer(index: number): string | undefined {
    const events = this.control?.events ?? [];
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i]!;
      if (e.kind === 'handshake' && e.name === 'certificate' && e.dir === 'in') {
        const list = (e.fields as { certificateList?: { data: string }[] }).certificateList;
        return list?.[index]?.data;
      }
    }
    return undefined;
  }
}
