// PEM documents as the editor features see them. Scanning for blocks is cheap (about 20 ms for 1,000
// certificates); decoding is not (about 1.5 ms a certificate), so blocks are decoded on demand, each result
// cached by the block's text so that an edit elsewhere in the file re-decodes nothing, and whole-file work
// (diagnostics) is done in slices that keep the extension host responsive.
import * as vscode from 'vscode';
import { scanPem, type PemBlock } from '../engine/pem/blocks';
import { decodePemBlock } from '../engine/x509/decode';
import type { DecodedItem } from '../engine/x509/file';
import { analyzeChainFile, type ChainAnalysis, type ChainBlock } from '../engine/tools/chain-file';
import { trustAnchors, trustSetting } from './trust';

interface Scan {
  version: number;
  blocks: PemBlock[];
  lines: string[];
  /** The chain analysis of this version, once asked for. */
  chain?: ChainAnalysis;
}

const SLICE_MS = 30;

export class DocumentModel implements vscode.Disposable {
  private scans = new Map<string, Scan>();
  /** Decoded blocks by their text (label + body), shared across documents and versions. */
  private decoded = new Map<string, Omit<DecodedItem, 'index' | 'range'>>();
  private readonly subs: vscode.Disposable[] = [];

  constructor() {
    this.subs.push(vscode.workspace.onDidCloseTextDocument((d) => this.scans.delete(d.uri.toString())));
  }

  private scan(doc: vscode.TextDocument): Scan {
    const key = doc.uri.toString();
    const hit = this.scans.get(key);
    if (hit && hit.version === doc.version) return hit;
    const text = doc.getText();
    const s = { version: doc.version, blocks: scanPem(text).blocks, lines: text.split(/\r\n|\r|\n/) };
    this.scans.set(key, s);
    return s;
  }

  /** Blocks with their line ranges, not decoded. */
  blocks(doc: vscode.TextDocument): PemBlock[] {
    return this.scan(doc).blocks;
  }

  /** One block, decoded (from the cache when its text was seen before). */
  item(doc: vscode.TextDocument, index: number): DecodedItem | undefined {
    const s = this.scan(doc);
    const block = s.blocks[index];
    if (!block) return undefined;
    const key = s.lines.slice(block.range.startLine, block.range.endLine + 1).join('\n');
    let d = this.decoded.get(key);
    if (!d) {
      const { index: _i, range: _r, ...rest } = decodePemBlock(block);
      d = rest;
      if (this.decoded.size > 20_000) this.decoded.clear();
      this.decoded.set(key, d);
    }
    return { ...d, index: block.index, range: block.range };
  }

  /** The block under a line: binary search, since blocks are in line order. */
  itemAt(doc: vscode.TextDocument, line: number): DecodedItem | undefined {
    const blocks = this.blocks(doc);
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = blocks[mid]!.range;
      if (line < r.startLine) hi = mid - 1;
      else if (line > r.endLine) lo = mid + 1;
      else return this.item(doc, mid);
    }
    return undefined;
  }

  /** Every block decoded, yielding to the event loop every SLICE_MS; undefined if the document changed meanwhile. */
  async all(doc: vscode.TextDocument): Promise<DecodedItem[] | undefined> {
    const version = doc.version;
    const out: DecodedItem[] = [];
    let sliceStart = Date.now();
    for (let i = 0; i < this.blocks(doc).length; i++) {
      if (doc.version !== version || doc.isClosed) return undefined;
      out.push(this.item(doc, i)!);
      if (Date.now() - sliceStart > SLICE_MS) {
        await new Promise((r) => setImmediate(r));
        sliceStart = Date.now();
      }
    }
    return out;
  }

  /**
   * The file's certificates as a chain (order, links, the path a validator builds against the system store), for
   * files with two or more; undefined otherwise. Cached per document version.
   */
  chain(doc: vscode.TextDocument): ChainAnalysis | undefined {
    const s = this.scan(doc);
    if (s.chain) return s.chain;
    const certs: ChainBlock[] = [];
    for (let i = 0; i < s.blocks.length; i++) {
      const item = this.item(doc, i);
      if (item?.object?.kind === 'certificate' && item.der) certs.push({ index: i, der: item.der });
    }
    if (certs.length < 2) return undefined;
    let anchors;
    try {
      anchors = trustAnchors(trustSetting(doc)).certs;
    } catch {
      anchors = trustAnchors('system').certs; // a broken setting is reported by Verify Chain; the hover still works
    }
    s.chain = analyzeChainFile(certs, anchors);
    return s.chain;
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this.scans.clear();
    this.decoded.clear();
  }
}
