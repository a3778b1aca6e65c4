// The editor-side cells: extension activation, hover on a 1,000-certificate bundle, and the decode, Check Key and
// trust-store timings against openssl doing the same work (as processes). All are times in ms: lower is better.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { scanPem } from '../../engine/pem/blocks';
import { checkKey } from '../../engine/tools/check-key';
import { decodePemBlock, decodeText } from '../../engine/x509/decode';
import { generateSelfSigned } from '../../engine/x509/generate';
import { loadSystemStore, systemBundlePath } from '../../engine/x509/verify/trust-store';
import { hoverMarkdown } from '../../extension/hover-markdown';
import { median, type Cell, type Sample } from '../rounds';
import { fakeContext, installVscodeStub, type HoverProviderLike, type StubState } from '../vscode-stub';

const PKI = path.resolve('test/fixtures/pki');
const ms = (value: number): Sample => ({ value, perCpuS: null });

/** Median ms of `reps` calls of `fn`. */
function timeMs(fn: () => void, reps: number): number {
  const xs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

function parsesInOpenssl(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

/**
 * 1,000 different certificates: the four fixtures (RSA 2048, EC P-256, a CA-issued leaf, Ed25519) and 996
 * generated ECDSA ones, so no two blocks share a decode-cache entry.
 */
export async function makeBundle(): Promise<string> {
  const fixtures = ['rsa2048.crt', 'ec-p256.crt', 'leaf.crt', 'ed25519.crt'].map((f) => fs.readFileSync(path.join(PKI, f), 'utf8'));
  const generated: string[] = [];
  while (generated.length < 1000 - fixtures.length) {
    const name = `bench-${generated.length}.example`;
    const { certPem } = await generateSelfSigned({ commonName: name, dnsNames: [name] });
    // generateSelfSigned's random serial starts with a zero byte 1 time in 128 (not minimal DER): openssl rejects those.
    if (parsesInOpenssl(certPem)) generated.push(certPem);
  }
  return [...fixtures, ...generated].join('');
}

/** Median of each of the child's figures, for the notes under the table. */
export const activationSplits: { requireMs: number[]; activateMs: number[]; cpuMs: number[] } = { requireMs: [], activateMs: [], cpuMs: [] };

function activationCells(): Cell[] {
  const child = path.resolve('out/bench/activation-child.mjs');
  const once = () => JSON.parse(execFileSync(process.execPath, [child], { encoding: 'utf8' })) as { requireMs: number; activateMs: number; cpuMs: number; firstUseMs: number };
  const firstUse: Cell = {
    case: 'extension activation (fresh process, vscode stubbed)', engine: 'tlslens', provider: '-', metric: 'first hover after activation (loads dist/features.js)', unit: 'ms',
    run: async () => ms(once().firstUseMs),
  };
  return [{
    case: 'extension activation (fresh process, vscode stubbed)', engine: 'tlslens', provider: '-', metric: 'require dist/extension.js + activate()', unit: 'ms',
    warmUp: async () => once(),
    run: async () => {
      const r = once();
      activationSplits.requireMs.push(r.requireMs);
      activationSplits.activateMs.push(r.activateMs);
      activationSplits.cpuMs.push(r.cpuMs);
      return ms(r.requireMs + r.activateMs);
    },
  }, firstUse];
}

/** A TextDocument as the hover provider reads it. */
function fakeDocument(text: string) {
  const uri = { scheme: 'file', fsPath: '/bench/bundle.pem', toString: () => 'file:///bench/bundle.pem' };
  return { uri, version: 1, isClosed: false, languageId: 'pem', getText: () => text, lineCount: text.split('\n').length };
}

/**
 * The hover as VS Code asks for it: dist/extension.js activated against the stub, its PemHoverProvider called on
 * the middle certificate. First hover: a freshly activated extension (empty caches) and a document it has not seen
 * (scan, decode, and the chain view, which decodes every certificate and builds a path against the system store);
 * after an edit: a new document version (rescan and chain view again, decodes from cache); warm: the same version.
 */
export function hoverCells(bundle: string): Cell[] {
  let stub: StubState | undefined;
  let ext: { activate(ctx: unknown): unknown } | undefined;
  const activate = (): HoverProviderLike => {
    if (!stub) {
      stub = installVscodeStub();
      ext = createRequire(import.meta.url)(path.resolve('dist/extension.js')) as { activate(ctx: unknown): unknown };
    }
    ext!.activate(fakeContext());
    return stub.hoverProviders.at(-1)!;
  };
  const line = scanPem(bundle).blocks[500]!.range.startLine + 3;
  const hover = (p: HoverProviderLike, doc: ReturnType<typeof fakeDocument>) => {
    const h = p.provideHover(doc, { line, character: 0 });
    if (!h?.contents.value.includes('Certificate')) throw new Error('the hover provider gave no certificate hover');
  };
  let warm: { p: HoverProviderLike; doc: ReturnType<typeof fakeDocument> } | undefined;
  const base = { case: 'hover, 1,000-certificate bundle (PemHoverProvider via dist/extension.js)', engine: 'tlslens', provider: '-', unit: 'ms' };
  return [
    {
      ...base, metric: 'first hover on the file',
      warmUp: async () => {
        warm = { p: activate(), doc: fakeDocument(bundle) };
        hover(warm.p, warm.doc); // also loads the system trust store, once per process as in the extension host
      },
      run: async () => {
        const p = activate();
        const doc = fakeDocument(bundle);
        return ms(timeMs(() => hover(p, doc), 1));
      },
    },
    { ...base, metric: 'hover after an edit', run: async () => ms(timeMs(() => (warm!.doc.version++, hover(warm!.p, warm!.doc)), 3)) },
    {
      ...base, metric: 'hover warm (same version)',
      run: async () => {
        hover(warm!.p, warm!.doc); // the version may be new: the cells run in either order
        return ms(timeMs(() => hover(warm!.p, warm!.doc), 20));
      },
    },
  ];
}

/** The Markdown alone, as the bench measured it before the provider was: no chain view, decode cached by hand. */
function hoverMarkdownCells(bundle: string): Cell[] {
  const base = { case: 'hover, 1,000-certificate bundle (scanPem + hoverMarkdown, no chain view)', engine: 'tlslens', provider: '-', unit: 'ms' };
  const cached = decodePemBlock(scanPem(bundle).blocks[500]!);
  return [
    { ...base, metric: 'scan + decode + Markdown', run: async () => ms(timeMs(() => hoverMarkdown(decodePemBlock(scanPem(bundle).blocks[500]!), 'file:///bundle.pem'), 7)) },
    { ...base, metric: 'scan + Markdown (decode cached)', run: async () => ms(timeMs(() => (scanPem(bundle), hoverMarkdown(cached, 'file:///bundle.pem')), 7)) },
    { ...base, metric: 'Markdown only', run: async () => ms(timeMs(() => hoverMarkdown(cached, 'file:///bundle.pem'), 50)) },
  ];
}

/** Ours in-process against openssl's commands (as processes) for the same question; `peers` links the pair. */
function opensslPair(caseName: string, ours: () => void, theirs: () => void, reps: number): Cell[] {
  const metric = 'wall time';
  const o: Cell = { case: caseName, engine: 'tlslens', provider: '-', metric, unit: 'ms', run: async () => ms(timeMs(ours, reps)) };
  const t: Cell = { case: caseName, engine: 'openssl', provider: '-', metric, unit: 'ms', run: async () => ms(timeMs(theirs, reps)) };
  o.peers = [`${caseName}|openssl|-|${metric}`];
  return [o, t];
}

export interface EditorCells {
  cells: Cell[];
  cleanup(): void;
}

/** How the openssl pairs are measured, for the notes under the table. */
export const OPENSSL_METHODS = [
  'decode: ours decodeText() in-process; openssl crl2pkcs7 -nocrl -certfile | openssl pkcs7 -print_certs -text -noout (processes)',
  'check-key: ours checkKey() in-process, with a signature proof; openssl x509 -noout -pubkey + openssl pkey -pubout (processes)',
  'CA bundle: ours loadSystemStore() in-process (every anchor decoded); openssl crl2pkcs7 | openssl pkcs7 -print_certs -noout (processes)',
];

export async function editorCells(): Promise<EditorCells> {
  const bundle = await makeBundle();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslens-bench-'));
  const bundleFile = path.join(dir, 'bundle.pem');
  fs.writeFileSync(bundleFile, bundle);
  const sh = (cmd: string) => execFileSync('sh', ['-c', cmd]);
  const cells = [...activationCells(), ...hoverCells(bundle), ...hoverMarkdownCells(bundle)];
  cells.push(...opensslPair('decode 1,000 certificates to text', () => decodeText(bundle),
    () => sh(`openssl crl2pkcs7 -nocrl -certfile ${bundleFile} | openssl pkcs7 -print_certs -text -noout > /dev/null`), 1));
  const cert = { name: 'rsa2048.crt', bytes: new Uint8Array(fs.readFileSync(path.join(PKI, 'rsa2048.crt'))) };
  const key = { name: 'rsa2048.key', bytes: new Uint8Array(fs.readFileSync(path.join(PKI, 'rsa2048.key'))) };
  cells.push(...opensslPair('check-key RSA 2048', () => checkKey(cert, key), () => {
    execFileSync('openssl', ['x509', '-noout', '-pubkey', '-in', path.join(PKI, 'rsa2048.crt')]);
    execFileSync('openssl', ['pkey', '-pubout', '-in', path.join(PKI, 'rsa2048.key')]);
  }, 5));
  const caBundle = systemBundlePath();
  if (caBundle) {
    const anchors = loadSystemStore().certs.length;
    cells.push(...opensslPair(`load the system CA bundle (${anchors} anchors)`, () => loadSystemStore(),
      () => sh(`openssl crl2pkcs7 -nocrl -certfile ${caBundle} | openssl pkcs7 -print_certs -noout > /dev/null`), 3));
  }
  return { cells, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
