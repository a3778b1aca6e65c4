// One status bar item while TLS Lens has something running: live Connect to Host sessions and Serve TLS Here servers
// ("$(lock) TLS Lens: 2 sessions · serving :4433"), so a listening port is never forgotten. Hidden when nothing runs.
// Clicking it offers each panel to show, and each server to stop.
import * as vscode from 'vscode';
import { SessionPanel } from './panels/session-panel';

/** What the item says, from the panels now open; undefined when nothing runs. Pure, for the suite's checks. */
export function statusText(panels: readonly { target: { mode: 'connect' | 'serve'; port: number }; currentState: string }[]): string | undefined {
  const live = panels.filter((p) => p.target.mode === 'connect' && ['connecting', 'handshaking', 'open'].includes(p.currentState)).length;
  const ports = panels.filter(isServing).map((p) => `:${p.target.port}`);
  const parts: string[] = [];
  if (live) parts.push(live === 1 ? vscode.l10n.t('1 session') : vscode.l10n.t('{0} sessions', live));
  if (ports.length) parts.push(vscode.l10n.t('serving {0}', ports.join(', ')));
  return parts.length ? `$(lock) ${vscode.l10n.t('TLS Lens: {0}', parts.join(' · '))}` : undefined;
}

function isServing(p: { target: { mode: 'connect' | 'serve'; port: number }; currentState: string }): boolean {
  return p.target.mode === 'serve' && p.target.port > 0 && (p.currentState === 'listening' || p.currentState === 'open');
}

export class TlsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tlsLens.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subs: vscode.Disposable[] = [];
  /** Whether the item is shown (StatusBarItem has no getter), for the suite. */
  visible = false;

  constructor(command: string) {
    this.item.name = 'TLS Lens';
    this.item.command = command;
    this.subs.push(SessionPanel.onDidChange(() => this.update()));
    this.update();
  }

  /** The item as it is now: shown or not, and its text. */
  get state(): { visible: boolean; text: string } {
    return { visible: this.visible, text: this.visible ? this.item.text : '' };
  }

  update(): void {
    const text = statusText(SessionPanel.all());
    if (!text) {
      this.item.hide();
      this.visible = false;
      return;
    }
    this.item.text = text;
    this.item.tooltip = vscode.l10n.t('TLS Lens sessions and servers: click to show a panel or stop a server');
    this.item.show();
    this.visible = true;
  }

  /** The click: show a session's panel, or stop a server (closing its panel closes the server). */
  async showActions(): Promise<void> {
    type Item = vscode.QuickPickItem & { run: () => void };
    const items: Item[] = [];
    for (const p of SessionPanel.all()) {
      items.push({ label: `$(window) ${p.panel.title}`, description: p.describeState(), run: () => p.panel.reveal() });
      if (isServing(p)) items.push({ label: `$(debug-stop) ${vscode.l10n.t('Stop the server on 127.0.0.1:{0}', p.target.port)}`, run: () => p.panel.dispose() });
    }
    if (!items.length) return;
    const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('TLS Lens: sessions and servers'), placeHolder: vscode.l10n.t('Show a panel, or stop a server') });
    pick?.run();
  }

  dispose(): void {
    this.subs.forEach((d) => d.dispose());
    this.item.dispose();
  }
}
