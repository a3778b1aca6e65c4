// The session panel's host side: one webview per session, fed by a ClientRunner or ServerRunner.
// The webview asks for everything with `ready`; after that, events stream in batches.
import * as vscode from 'vscode';
import { decodeCertificate } from '../../engine/x509/certificate';
import { formatItem } from '../../engine/x509/format-text';
import { alertGlossary, type RunnerListener, type RunnerState } from '../sessions/session-runner';
import { PROTOCOL_VERSION, type FromWebview, type SessionSnapshot, type SessionSummary, type SessionTarget, type ToWebview, type TraceEventJson } from '../../webview/shared/protocol';
import { webviewHtml, webviewOptions } from './webview-html';
import { parseHexInput } from '../../webview/shared/hex-input';

export interface SessionControl {
  readonly events: TraceEventJson[];
  send(data: Uint8Array): void;
  close(): void;
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

  /** The session panels now open, oldest first (for Compare Sessions). */
  private static readonly open = new Set<SessionPanel>();
  static all(): SessionPanel[] {
    return [...SessionPanel.open];
  }

  constructor(context: vscode.ExtensionContext, readonly target: SessionTarget, private readonly actions: { reconnect(): void; newConnection(): void; compare?(panel: SessionPanel): void }) {
    SessionPanel.open.add(this);
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
    }
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
