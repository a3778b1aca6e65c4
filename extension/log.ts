// The "TLS Lens" output channel. Never given key material: reports carry fingerprints only.
import * as vscode from 'vscode';
import type { CheckKeyReport } from '../engine/tools/check-key';

export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('TLS Lens', { log: true });

  info(message: string): void {
    this.channel.info(message);
  }

  checkKey(r: CheckKeyReport): void {
    this.channel.info(`Check Key: ${r.certificate?.file ?? '?'} / ${r.key?.file ?? '?'}: ${r.match ? 'MATCH' : 'MISMATCH'}: ${r.reason}`);
    for (const c of r.calls) {
      this.channel.info(`  ${c.call} = ${c.ret}`);
      for (const e of c.errors) this.channel.info(`    ${e}`);
    }
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
