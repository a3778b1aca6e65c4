// The session panel's host side: one webview per session, fed by a ClientRunner or ServerRunner.
// The webview asks for everything with `ready`; after that, events stream in batches.
import * as vscode from 'vscode';
import os from 'node:os';
import { buildReport } from '../../engine/export/report';
import { decodeCertificate } from '../../engine/x509/certificate';
import { formatItem } from '../../engine/x509/format-text';
import { alertGlossary, type RunnerListener, type RunnerState, type SessionExports } from '../sessions/session-runner';
import { PROTOCOL_VERSION, type FromWebview, type ReportFormat, type SessionSnapshot, type SessionSummary, type SessionTarget, type ToWebview, type TraceEventJson } from '../../webview/shared/protocol';
import { webviewHtml, webviewOptions } from './webview-html';
import { parseHexInput } from '../../webview/shared/hex-input';
import { restrictedSetting } from '../workspace-trust';

export interface SessionControl {
  readonly events: TraceEventJson[];
  send(data: Uint8Array): void;
  close(): void;
  /** The capture and key log (Save Capture, Save Key Log): read here on the host, never posted to the webview. */
  readonly exports?: SessionExports;
}

let counter = 0;

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

  /** The session panels now open, oldest first (for Compare Sessions). */
  private static readonly open = new Set<SessionPanel>();
  static all(): SessionPanel[] {
    return [...SessionPanel.open];
  }

  constructor(context: vscode.ExtensionContext, readonly target: SessionTarget, private readonly actions: { reconnect(): void; newConnection(): void; compare?(panel: SessionPanel): void }) {
    SessionPanel.open.add(this);
    this.toolVersion = String((context.extension?.packageJSON as { version?: string } | undefined)?.version ?? '');
    this.settled = new Promise((r) => (this.settle = r));
    const title = target.mode === 'connect' ? `TLS ${target.host}:${target.port}` : `Serving TLS on ${target.host}:${target.port}`;
    this.panel = vscode.window.createWebviewPanel('tlslens.session', title, vscode.ViewColumn.Active, webviewOptions(context.extensionUri));
    this.panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    this.panel.webview.html = webviewHtml(this.panel.webview, context.extensionUri, title);
    this.subs.push(
      this.panel.webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(m)),
      this.panel.onDidDispose(() => {
        SessionPanel.open.delete(this);
        this.control?.close();
        this.subs.forEach((d) => d.dispose());
      }),
    );
  }

  /** This session as it stands, for a comparison. */
  snapshot(): SessionSnapshot {
    return { title: this.panel.title, target: this.target, ...(this.lastSummary ? { summary: this.lastSummary } : {}), events: [...(this.control?.events ?? [])] };
  }

  describeState(): string {
    const s = this.lastSummary;
    return s?.version ? `${this.lastState} · ${s.version} ${s.suite ?? ''}` : this.lastState;
  }

  attach(control: SessionControl): void {
    this.control = control;
  }

  retitle(port: number): void {
    this.target.port = port;
    this.panel.title = this.target.mode === 'connect' ? `TLS ${this.target.host}:${port}` : `Serving TLS on ${this.target.host}:${port}`;
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
    this.lastState = s;
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
        if ('error' in data) void vscode.window.showErrorMessage(`TLS Lens: not sent: ${data.error}`);
        else this.control?.send(data.bytes);
        return;
      }
      case 'session/copyJson':
        await vscode.env.clipboard.writeText((this.control?.events ?? []).map((e) => JSON.stringify(e)).join('\n') + '\n');
        void vscode.window.showInformationMessage(`TLS Lens: copied ${this.control?.events.length ?? 0} trace events as JSON lines.`);
        return;
      case 'session/compare':
        this.actions.compare?.(this);
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
    const uri = await vscode.window.showSaveDialog({ defaultUri: this.defaultUri(ext), filters, title, saveLabel: 'Save' });
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, bytes);
    return uri;
  }

  private async saveCapture(): Promise<void> {
    const ex = this.control?.exports;
    if (!ex) return void vscode.window.showWarningMessage('TLS Lens: this session keeps no capture.');
    if (!ex.connections) return void vscode.window.showWarningMessage('TLS Lens: nothing to save yet: no bytes have crossed the connection.');
    const uri = await this.saveBytes(ex.pcapng(), 'pcapng', { 'pcapng capture': ['pcapng'] }, 'Save Capture (pcapng for Wireshark)');
    if (uri) void vscode.window.showInformationMessage(`TLS Lens: saved ${ex.connections} connection${ex.connections === 1 ? '' : 's'} to ${uri.fsPath}. Wireshark and tshark decrypt it as it is: the key log is inside, so share it only as you would the traffic.`);
  }

  private async saveKeyLog(): Promise<void> {
    const text = this.control?.exports?.keyLog() ?? '';
    if (!text) return void vscode.window.showWarningMessage('TLS Lens: no secrets yet: the handshake has not derived any keys.');
    const uri = await this.saveBytes(new TextEncoder().encode(text), 'keys', { 'NSS key log': ['keys', 'txt', 'log'] }, 'Save Key Log (SSLKEYLOGFILE format)');
    if (uri) void vscode.window.showInformationMessage(`TLS Lens: saved ${text.split('\n').length - 1} key log lines to ${uri.fsPath}. Anyone with this file can decrypt the session.`);
  }

  private async report(format: ReportFormat, action: 'copy' | 'save'): Promise<void> {
    const text = this.reportText(format);
    const words = format === 'json' ? 'JSON' : 'Markdown';
    if (action === 'copy') {
      await vscode.env.clipboard.writeText(text);
      void vscode.window.showInformationMessage(`TLS Lens: copied the session report as ${words}.`);
      return;
    }
    const ext = format === 'json' ? 'json' : 'md';
    const uri = await this.saveBytes(new TextEncoder().encode(text), ext, format === 'json' ? { JSON: ['json'] } : { Markdown: ['md'] }, `Save Report (${words})`);
    if (uri) void vscode.window.showInformationMessage(`TLS Lens: saved the session report to ${uri.fsPath}.`);
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
