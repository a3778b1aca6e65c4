// Decoded PEM documents, cached per document version so hovers and lenses on large bundles answer at once.
import * as vscode from 'vscode';
import { decodeText } from '../engine/x509/decode';
import type { DecodedFile, DecodedItem } from '../engine/x509/file';

interface Entry {
  version: number;
  file: DecodedFile;
}

export class DocumentModel implements vscode.Disposable {
  private cache = new Map<string, Entry>();
  private readonly subs: vscode.Disposable[] = [];

  constructor() {
    this.subs.push(vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString())));
  }

  get(doc: vscode.TextDocument): DecodedFile {
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.file;
    const file = decodeText(doc.getText());
    this.cache.set(key, { version: doc.version, file });
    return file;
  }

  /** The block under a position: binary search, since blocks are in line order. */
  itemAt(doc: vscode.TextDocument, line: number): DecodedItem | undefined {
    const items = this.get(doc).items;
    let lo = 0;
    let hi = items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = items[mid]!.range;
      if (line < r.startLine) hi = mid - 1;
      else if (line > r.endLine) lo = mid + 1;
      else return items[mid];
    }
    return undefined;
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this.cache.clear();
  }
}
