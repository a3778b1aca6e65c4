// The suite that runs inside a real VS Code extension host: under code-server
// (test/vscode/run-in-code-server.mjs, offline) or under @vscode/test-electron
// (test/vscode/run-in-electron.mjs). Bundled by `node esbuild.mjs --tests` to
// out/test/vscode/suite.js (CommonJS, `vscode` from the host).
//
// Contract: run() runs every test below, writes
//   {"passed": N, "failed": N, "tests": [{name, ok, error}]}
// to process.env.TEST_RESULTS_FILE (in code-server that file is the verdict: the
// extension host exits 0 even when run() rejects), then rejects if a test failed
// (the verdict for @vscode/test-electron).
//
// The workspace is test/vscode/workspace (see its README.md for the fixtures).
import * as vscode from 'vscode';
import * as crypto from 'node:crypto';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { TlsLensTestApi } from '../../../extension/features';
import type { ConsentWords } from '../../../extension/workspace-trust';

const EXTENSION_ID = 'tls-lens.tls-lens';
const TEST_TIMEOUT_MS = 20_000;

/**
 * The suite runs in English and, with `run-in-code-server.mjs --locale zh-cn`, in Simplified Chinese: the words the
 * extension shows are checked in the display language (`L(english, chinese)`); everything else is the same.
 */
const ZH = vscode.env.language === 'zh-cn';
const L = (english: string, chinese: string) => (ZH ? chinese : english);

type Test = { name: string; fn: () => Promise<void> };
type Result = { name: string; ok: boolean; error: string | null };

interface KeyReport {
  match: boolean;
  certificate: { subject: string; spkiSha256: string };
  key: { description: string; spkiSha256: string };
  reason?: string;
}

// ---------------------------------------------------------------- helpers

class AssertionError extends Error {}
function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new AssertionError(message);
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const show = (v: unknown) => { try { return JSON.stringify(v); } catch { return String(v); } };

function ws(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert(folder, 'no workspace folder is open (expected test/vscode/workspace)');
  return folder.uri;
}
const fixture = (name: string) => vscode.Uri.joinPath(ws(), name);
const text = (name: string) => fs.readFileSync(fixture(name).fsPath, 'utf8');
const lines = (name: string) => text(name).split(/\r?\n/);

/** The PEM blocks of a fixture: label, BEGIN line, END line, base64 body lines (0-based). */
function blocks(name: string) {
  const out: { label: string; begin: number; end: number; body: string[] }[] = [];
  let cur: (typeof out)[number] | null = null;
  lines(name).forEach((l, i) => {
    const b = /^-----BEGIN (.+)-----$/.exec(l.trim());
    if (b) { cur = { label: b[1], begin: i, end: -1, body: [] }; return; }
    if (cur && /^-----END .+-----$/.test(l.trim())) { cur.end = i; out.push(cur); cur = null; return; }
    if (cur && l.trim()) cur.body.push(l.trim());
  });
  return out;
}

async function open(name: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(fixture(name));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

/** Renders what a hover provider returned as plain text (markdown source). */
function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? [])
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}
async function hoverAt(doc: vscode.TextDocument, line: number, character = 4): Promise<vscode.Hover[]> {
  return (await vscode.commands.executeCommand<vscode.Hover[]>(
    'vscode.executeHoverProvider', doc.uri, new vscode.Position(line, character))) ?? [];
}

/** Polls getDiagnostics until pred holds (diagnostics are published asynchronously). */
async function diagnosticsUntil(uri: vscode.Uri, pred: (d: vscode.Diagnostic[]) => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  let d = vscode.languages.getDiagnostics(uri);
  while (!pred(d) && Date.now() < end) { await sleep(200); d = vscode.languages.getDiagnostics(uri); }
  return d;
}
const showDiags = (d: vscode.Diagnostic[]) =>
  show(d.map((x) => ({ line: x.range.start.line, severity: x.severity, message: x.message })));

/** SHA-256 of the SubjectPublicKeyInfo of a PEM certificate or key, as hex. */
function spkiSha256Hex(pem: string): string {
  const der = crypto.createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(der).digest('hex');
}
/** Accepts hex (any case, with ':' or spaces), base64 or base64url of the same digest. */
function sameDigest(reported: unknown, hex: string): boolean {
  if (typeof reported !== 'string') return false;
  const h = reported.replace(/[\s:]/g, '').toLowerCase();
  if (h === hex) return true;
  const buf = Buffer.from(hex, 'hex');
  const r = reported.trim().replace(/=+$/, '');
  return r === buf.toString('base64').replace(/=+$/, '') || r === buf.toString('base64url');
}
const pemBlock = (name: string, label: RegExp) => {
  const b = blocks(name).find((x) => label.test(x.label));
  assert(b, `${name} has no ${label} block`);
  return lines(name).slice(b.begin, b.end + 1).join('\n') + '\n';
};

async function checkKey(...uris: vscode.Uri[]): Promise<KeyReport> {
  const r = await vscode.commands.executeCommand<KeyReport>('tlslens.checkKey', ...uris);
  assert(r && typeof r === 'object', `tlslens.checkKey returned ${show(r)}, expected a report object`);
  assert(typeof r.match === 'boolean', `report.match is not a boolean: ${show(r)}`);
  assert(r.certificate && typeof r.certificate.subject === 'string', `report.certificate.subject missing: ${show(r)}`);
  assert(r.key && typeof r.key.description === 'string', `report.key.description missing: ${show(r)}`);
  return r;
}

// ---------------------------------------------------------------- network use, as the extension host sees it

type NetCall = { what: string; fromExtension: boolean; stack: string };

/**
 * While on, records every socket connect, server listen, UDP bind/send/connect, name lookup, HTTP request and fetch
 * made in this extension host (the suite shares the process, and Node's modules, with the extension). A call counts
 * as the extension's when a frame of its code (dist/, or its sources when stacks are source-mapped) is on the stack:
 * the suite's own servers do not count.
 */
function recordNetwork(extensionPath: string) {
  const calls: NetCall[] = [];
  const undo: (() => void)[] = [];
  const ours = new RegExp(`${extensionPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\/](dist|extension|engine|webview)[\\/]`);
  const wrap = (owner: Record<string, unknown> | undefined, key: string, what: string) => {
    const original = owner?.[key];
    if (!owner || typeof original !== 'function') return;
    owner[key] = function (this: unknown, ...args: unknown[]) {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 80;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      calls.push({ what, fromExtension: ours.test(stack), stack });
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    undo.push(() => { owner[key] = original; });
  };
  // The modules themselves (require), not esbuild's namespace copies, so that patches reach every user.
  const mod = (name: string) => require(name) as Record<string, unknown>;
  wrap(net.Socket.prototype as unknown as Record<string, unknown>, 'connect', 'net.Socket#connect');
  wrap(net.Server.prototype as unknown as Record<string, unknown>, 'listen', 'net.Server#listen');
  for (const k of ['bind', 'connect', 'send']) wrap(dgram.Socket.prototype as unknown as Record<string, unknown>, k, `dgram.Socket#${k}`);
  const dns = mod('node:dns');
  for (const k of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) wrap(dns, k, `dns.${k}`);
  const dnsPromises = mod('node:dns/promises');
  for (const k of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) wrap(dnsPromises, k, `dns/promises.${k}`);
  for (const m of ['node:http', 'node:https']) for (const k of ['request', 'get']) wrap(mod(m), k, `${m.slice(5)}.${k}`);
  wrap(globalThis as unknown as Record<string, unknown>, 'fetch', 'fetch');
  return {
    calls,
    fromExtension: () => calls.filter((c) => c.fromExtension),
    stop: () => undo.reverse().forEach((f) => f()),
  };
}
const showCalls = (calls: NetCall[]) => calls.map((c) => `${c.what}\n${c.stack.split('\n').slice(2, 8).join('\n')}`).join('\n');

function testApi(): TlsLensTestApi {
  const api = vscode.extensions.getExtension(EXTENSION_ID)?.exports as TlsLensTestApi | undefined;
  assert(api?.setRestrictedModeTestSeam, 'activate() returned no test API (it does only in ExtensionMode.Test, under extensionTestsPath)');
  return api;
}

/** `openssl s_server ARGS`, once it has printed ACCEPT (a real peer for the Connect to Host and Scan checks). */
async function opensslServer(args: string[]): Promise<ReturnType<typeof spawn>> {
  const proc = spawn('openssl', ['s_server', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (b: Buffer) => { out += b; if (/ACCEPT/.test(out)) resolve(); });
      proc.on('error', reject);
      setTimeout(() => reject(new Error('openssl s_server did not start')), 10_000);
    });
  } catch (e) {
    proc.kill();
    throw e;
  }
  return proc;
}

/** A port on 127.0.0.1 that nothing listens on (now). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
const refused = (port: number) => new Promise<boolean>((resolve) => {
  const c = net.connect(port, '127.0.0.1');
  c.once('connect', () => { c.destroy(); resolve(false); });
  c.once('error', () => resolve(true));
});

// ---------------------------------------------------------------- the tests

const tests: Test[] = [
  {
    // First: the extension must not be active yet, or its activation cannot be watched.
    name: 'activation, hovers, lenses, Check Key and Verify Chain open no socket, start no server, look up no name',
    fn: async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert(ext, `extension ${EXTENSION_ID} not found`);
      assert(!ext.isActive, 'the extension was active before this test, so its activation cannot be watched (this test must run first)');
      const rec = recordNetwork(ext.extensionPath);
      try {
        await ext.activate();
        const doc = await open('server.pem');
        await hoverAt(doc, blocks('server.pem')[0].begin + 2);
        await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri);
        await checkKey(fixture('server.pem'));
        await vscode.commands.executeCommand('tlslens.verifyChain', fixture('chain.pem'), { hostname: 'leaf.example.com' });
        await vscode.commands.executeCommand('tlslens.showCertificate', fixture('server.pem'));
        await sleep(1500);   // anything started on a timer
        assert(rec.fromExtension().length === 0, `the extension used the network:\n${showCalls(rec.fromExtension())}`);
        // The control: the recorder does see the extension when it opens a port.
        const served = (await vscode.commands.executeCommand('tlslens.serveHere', { uri: fixture('server.pem').toString(), port: 0 })) as { port: number; panel: { panel: vscode.WebviewPanel } } | undefined;
        assert(served && served.port > 0, `serveHere returned ${show(served)}`);
        served.panel.panel.dispose();
        assert(rec.fromExtension().some((c) => c.what === 'net.Server#listen'), `the recorder missed Serve TLS Here's listen: ${show(rec.calls.map((c) => c.what))}`);
      } finally {
        rec.stop();
      }
    },
  },
  {
    name: `extension ${EXTENSION_ID} is installed and activates`,
    fn: async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert(ext, `extension ${EXTENSION_ID} not found (is package.json's publisher "tls-lens" and name "tls-lens"?)`);
      await ext.activate();
      assert(ext.isActive, 'extension is not active after activate()');
    },
  },
  {
    name: 'server.pem opens with languageId "pem"',
    fn: async () => {
      const doc = await open('server.pem');
      assert(doc.languageId === 'pem', `languageId is "${doc.languageId}", expected "pem"`);
    },
  },
  {
    name: `hover on the certificate block shows ${L('Subject', '使用者')}, CN = localhost, ${L('Not After', '到期时间')}, SHA-256`,
    fn: async () => {
      const doc = await open('server.pem');
      const cert = blocks('server.pem')[0];
      const t = hoverText(await hoverAt(doc, cert.begin + 2));
      assert(t.trim(), `no hover on line ${cert.begin + 2} of the certificate block`);
      for (const want of [L('Subject', '使用者'), L('Not After', '到期时间'), 'SHA-256'])
        assert(t.includes(want), `hover lacks "${want}":\n${t}`);
      assert(/CN\s?=\s?localhost/.test(t), `hover lacks "CN = localhost" (or "CN=localhost"):\n${t}`);
    },
  },
  {
    name: 'no hover on server.pem shows private key material',
    fn: async () => {
      const doc = await open('server.pem');
      const key = blocks('server.pem').find((b) => /PRIVATE KEY/.test(b.label));
      assert(key, 'server.pem has no PRIVATE KEY block');
      // the private scalar, in the forms a decoder might print it
      const jwk = crypto.createPrivateKey(pemBlock('server.pem', /PRIVATE KEY/)).export({ format: 'jwk' });
      const d = Buffer.from(String(jwk.d), 'base64url');
      const secrets = [...key.body.filter((l) => l.length >= 16), d.toString('hex'), d.toString('base64url'),
        d.toString('base64').replace(/=+$/, '')];
      const lineOf = (l: number) => hoverAt(doc, l, 2);
      const texts: string[] = [];
      for (let l = key.begin; l <= key.end; l++) texts.push(hoverText(await lineOf(l)));
      texts.push(hoverText(await lineOf(blocks('server.pem')[0].begin + 2)));   // and the certificate's
      const all = texts.join('\n');
      const compact = all.replace(/[\s:]/g, '').toLowerCase();
      for (const s of secrets) {
        const hex = /^[0-9a-f]+$/.test(s);
        assert(!(hex ? compact.includes(s) : all.includes(s)),
          `a hover shows private key material (${hex ? 'the private scalar in hex' : `"${s.slice(0, 20)}..."`})`);
      }
    },
  },
  {
    name: 'code lenses: one per PEM block (server.pem: 2, expired.pem: 1)',
    fn: async () => {
      for (const name of ['server.pem', 'expired.pem']) {
        const doc = await open(name);
        const bs = blocks(name);
        let lenses: vscode.CodeLens[] = [];
        for (let i = 0; i < 25 && lenses.length < bs.length; i++) {   // the first call may race activation
          lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
          if (lenses.length < bs.length) await sleep(200);
        }
        assert(lenses.length === bs.length,
          `${name}: ${lenses.length} code lenses at lines ${show(lenses.map((c) => c.range.start.line))}, expected ${bs.length} (blocks at lines ${show(bs.map((b) => b.begin))})`);
        for (const b of bs) {
          const n = lenses.filter((c) => c.range.start.line >= b.begin && c.range.start.line <= b.end).length;
          assert(n === 1, `${name}: ${n} code lenses on the ${b.label} block (lines ${b.begin}-${b.end}), expected 1`);
        }
      }
    },
  },
  {
    name: `diagnostics: expired.pem has one that says "${L('expired', '已过期')}"`,
    fn: async () => {
      const doc = await open('expired.pem');
      // (the subject is CN=expired.example: that name alone does not count)
      const says = (d: vscode.Diagnostic[]) => d.some((x) => (ZH ? /已过期 \d+/ : /expired(?!\.example)/i).test(x.message));
      const d = await diagnosticsUntil(doc.uri, says);
      assert(says(d), `no diagnostic about expiry on expired.pem; got ${showDiags(d)}`);
    },
  },
  {
    name: 'diagnostics: broken.pem has one starting at the broken base64 line',
    fn: async () => {
      const broken = lines('broken.pem').findIndex((l) => /^[^-]/.test(l) && /[^A-Za-z0-9+/=\s]/.test(l));
      assert(broken > 0, 'broken.pem: no line with invalid base64 found (remake it with make.sh)');
      const doc = await open('broken.pem');
      const at = (d: vscode.Diagnostic[]) => d.some((x) => x.range.start.line === broken);
      const d = await diagnosticsUntil(doc.uri, at);
      assert(at(d), `no diagnostic starting at line ${broken} (0-based) of broken.pem; got ${showDiags(d)}`);
    },
  },
  {
    name: 'tlslens.checkKey(server.pem) reports match: true',
    fn: async () => {
      const r = await checkKey(fixture('server.pem'));
      assert(r.match === true, `expected match: true, got ${show(r)}`);
      assert(/localhost/.test(r.certificate.subject), `certificate.subject lacks localhost: ${show(r)}`);
      const want = spkiSha256Hex(pemBlock('server.pem', /CERTIFICATE/));
      assert(sameDigest(r.certificate.spkiSha256, want), `certificate.spkiSha256 is ${show(r.certificate.spkiSha256)}, expected SHA-256 ${want}`);
      assert(sameDigest(r.key.spkiSha256, want), `key.spkiSha256 is ${show(r.key.spkiSha256)}, expected SHA-256 ${want}`);
    },
  },
  {
    name: 'tlslens.checkKey(mismatch.pem) reports match: false',
    fn: async () => {
      const r = await checkKey(fixture('mismatch.pem'));
      assert(r.match === false, `expected match: false, got ${show(r)}`);
      const keyHex = spkiSha256Hex(pemBlock('mismatch.pem', /PRIVATE KEY/));
      assert(sameDigest(r.key.spkiSha256, keyHex), `key.spkiSha256 is ${show(r.key.spkiSha256)}, expected SHA-256 ${keyHex}`);
      assert(!sameDigest(r.certificate.spkiSha256, keyHex), 'certificate.spkiSha256 equals the key\'s on a mismatch');
    },
  },
  {
    name: 'tlslens.checkKey(server-cert.pem, server-key.pem) reports match: true',
    fn: async () => {
      const r = await checkKey(fixture('server-cert.pem'), fixture('server-key.pem'));
      assert(r.match === true, `expected match: true, got ${show(r)}`);
    },
  },
  {
    name: 'tlslens.showDecoded(server.pem) opens the decode as a text document',
    fn: async () => {
      const before = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
      await vscode.commands.executeCommand('tlslens.showDecoded', fixture('server.pem'));
      let doc: vscode.TextDocument | undefined;
      for (let i = 0; i < 25 && !doc; i++) {
        doc = vscode.workspace.textDocuments.find((d) => !before.has(d.uri.toString()) && /localhost/.test(d.getText()));
        if (!doc) await sleep(200);
      }
      assert(doc, 'no new text document mentioning localhost was opened');
      assert(/Subject/.test(doc.getText()), `the decode lacks "Subject":\n${doc.getText().slice(0, 400)}`);
    },
  },
  {
    name: 'Serve TLS Here (server.pem) + Connect to Host 127.0.0.1: a TLS 1.3 session in both panels',
    fn: async () => {
      const served = (await vscode.commands.executeCommand('tlslens.serveHere', { uri: fixture('server.pem').toString(), port: 0 })) as { port: number } | undefined;
      assert(served && served.port > 0, `serveHere returned ${show(served)}`);
      const panel = (await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port: served.port, serverName: 'localhost', alpn: ['h2'] })) as SessionPanelLike | undefined;
      assert(panel?.settled, 'connectToHost returned no session panel');
      const summary = await withTimeout(panel.settled, 15_000, 'the session did not settle');
      assert(summary.ok, `the session failed: ${show(summary.error)}`);
      assert(summary.version === 'TLSv1.3', `version ${summary.version}`);
      assert(summary.chain.length === 1 && /localhost/.test(summary.chain[0]!.subject.text), `chain ${show(summary.chain.map((c) => c.subject.text))}`);
      // A self-signed certificate the system store does not know: openssl verify says 18 (DEPTH_ZERO_SELF_SIGNED_CERT).
      assert(summary.verification.state === 'failed' && summary.verification.code === 18, `verification ${show(summary.verification)}`);
      // The serving side: what our client offered, with its JA4 (t13 = TLS 1.3 over TCP, "d" = a domain name in SNI, h2 = ALPN).
      type Offer = { lines: string[]; ja4: string };
      const servedPanel = (served as unknown as { panel: { snapshot(): { summary?: { clientOffer?: Offer } } } }).panel;
      let offer: Offer | undefined;
      for (let i = 0; i < 50 && !(offer = servedPanel.snapshot().summary?.clientOffer); i++) await sleep(100);
      assert(offer, `the served panel shows no client offer: ${show(servedPanel.snapshot().summary)}`);
      assert(/^t13d\d{4}h2_[0-9a-f]{12}_[0-9a-f]{12}$/.test(offer.ja4), `JA4 ${offer.ja4}`);
      assert(offer.lines.some((l) => /ALPN/.test(l) && /h2/.test(l)) && offer.lines.some((l) => /localhost/.test(l)), `offer ${show(offer.lines)}`);
    },
  },
  {
    name: 'Connect to Host with STARTTLS smtp (a scripted RFC 3207 peer): the EHLO/STARTTLS exchange, then TLS 1.3 in one session',
    fn: async () => {
      const tls = await import('node:tls');
      const key = pemBlock('server.pem', /PRIVATE KEY/), cert = pemBlock('server.pem', /CERTIFICATE/);
      // RFC 3207 section 4's example, server side: greeting, EHLO with STARTTLS advertised, 220 Go ahead, then TLS.
      const server = net.createServer((sock) => {
        sock.write('220 mail.example ESMTP scripted\r\n');
        let buf = '';
        const onData = (b: Buffer) => {
          buf += b.toString('latin1');
          let i;
          while ((i = buf.indexOf('\r\n')) >= 0) {
            const line = buf.slice(0, i); buf = buf.slice(i + 2);
            if (/^EHLO /i.test(line)) sock.write('250-mail.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
            else if (/^STARTTLS$/i.test(line)) {
              sock.off('data', onData);
              sock.write('220 Go ahead\r\n', () => new tls.TLSSocket(sock, { isServer: true, key, cert }).on('error', () => {}));
              return;
            } else sock.write('502 unexpected\r\n');
          }
        };
        sock.on('data', onData);
        sock.on('error', () => {});
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as net.AddressInfo).port;
        const panel = (await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port, serverName: 'localhost', starttls: 'smtp' })) as (SessionPanelLike & { snapshot(): { events: { kind: string; protocol?: string; step?: string }[] } }) | undefined;
        const summary = await withTimeout(panel!.settled, 15_000, 'the session did not settle');
        assert(summary.ok && summary.version === 'TLSv1.3', `the session: ${show(summary)}`);
        const preamble = panel!.snapshot().events.filter((e) => e.kind === 'preamble');
        assert(preamble.length >= 3 && preamble.every((e) => e.protocol === 'smtp'), `the SMTP exchange in the trace: ${show(preamble)}`);
        assert(preamble.some((e) => /STARTTLS/i.test(show(e))), `no STARTTLS step in ${show(preamble)}`);
      } finally {
        server.close();
      }
    },
  },
  {
    name: 'Connect to Host against openssl s_server (a real peer) with X448 and ChaCha20',
    fn: async () => {
      const port = 20000 + Math.floor(Math.random() * 20000);
      const proc = await opensslServer(['-accept', `127.0.0.1:${port}`, '-cert', fixture('server-cert.pem').fsPath, '-key', fixture('server-key.pem').fsPath, '-www', '-tls1_3']);
      try {
        const panel = (await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port, serverName: 'localhost', groups: ['X448'], cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'], trustStore: fixture('server-cert.pem').fsPath })) as SessionPanelLike | undefined;
        const summary = await withTimeout(panel!.settled, 15_000, 'the session did not settle');
        assert(summary.ok, `the session failed: ${show(summary.error)}`);
        assert(summary.group === 'X448' && summary.suite === 'TLS_CHACHA20_POLY1305_SHA256', `negotiated ${summary.group} ${summary.suite}`);
        // The chosen trust store (the server's own certificate as the anchor): verified, for the name "localhost".
        assert(summary.verification.state === 'ok' && summary.verification.code === 0, `verification with the chosen trust store ${show(summary.verification)}`);
      } finally {
        proc.kill();
      }
    },
  },
  {
    name: 'Verify Chain on chain.pem with chain-root.pem as the trust store: the path leaf, intermediate, root, for leaf.example.com',
    fn: async () => {
      const r = (await vscode.commands.executeCommand('tlslens.verifyChain', fixture('chain.pem'), { hostname: 'leaf.example.com', trustStore: fixture('chain-root.pem').fsPath })) as { ok: boolean; code: number; path: string[] } | undefined;
      assert(r && r.ok && r.code === 0, `verifyChain returned ${show(r)}`);
      assert(r.path.length === 3 && /leaf\.example\.com/.test(r.path[0]!) && /Root CA/.test(r.path[2]!), `path ${show(r.path)}`);
      const wrongName = (await vscode.commands.executeCommand('tlslens.verifyChain', fixture('chain.pem'), { hostname: 'other.example.org', trustStore: fixture('chain-root.pem').fsPath })) as { ok: boolean; code: number } | undefined;
      assert(wrongName && !wrongName.ok && wrongName.code === 62, `a name the certificate lacks: X509_V_ERR_HOSTNAME_MISMATCH (62), got ${show(wrongName)}`);
      const system = (await vscode.commands.executeCommand('tlslens.verifyChain', fixture('chain.pem'), { hostname: '' })) as { ok: boolean; code: number } | undefined;
      assert(system && !system.ok && system.code === 20, `against the system store the test root is unknown: 20, got ${show(system)}`);
    },
  },
  {
    name: 'chain-reversed.pem: a diagnostic on its first block says the chain is reversed; the hover shows the path built',
    fn: async () => {
      const doc = await open('chain-reversed.pem');
      const d = await diagnosticsUntil(doc.uri, (x) => x.some((y) => y.code === 'chain-reversed'));
      const rev = d.find((y) => y.code === 'chain-reversed');
      assert(rev && rev.range.start.line === 0 && new RegExp(L('reverse order', '顺序反了：.*第 3 块（leaf\\.example\\.com）\\s*放在最前')).test(rev.message), `diagnostics ${showDiags(d)}`);
      const good = await open('chain.pem');
      const gd = await diagnosticsUntil(good.uri, () => true, 1000);
      assert(!gd.some((y) => String(y.code).startsWith('chain-')), `chain.pem is in order: ${showDiags(gd)}`);
      const text = hoverText(await hoverAt(good, 1)).replace(/\\/g, ''); // markdown escapes undone
      assert(text.includes(L('Chain in this file', '此文件中的证书链')) && /leaf\.example\.com/.test(text) && text.includes(L('this block', '此块')), `hover ${text.slice(0, 600)}`);
    },
  },
  {
    name: 'Compare Sessions: two connections with different groups side by side',
    fn: async () => {
      const served = (await vscode.commands.executeCommand('tlslens.serveHere', { uri: fixture('server.pem').toString(), port: 0 })) as { port: number } | undefined;
      assert(served && served.port > 0, `serveHere returned ${show(served)}`);
      const a = (await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port: served.port, serverName: 'localhost', groups: ['X25519'] })) as SessionPanelLike;
      const b = (await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port: served.port, serverName: 'localhost', groups: ['P-256'] })) as SessionPanelLike;
      const [sa, sb] = await withTimeout(Promise.all([a.settled, b.settled]), 15_000, 'the sessions did not settle');
      assert(sa.group === 'X25519' && sb.group === 'P-256', `groups ${sa.group} ${sb.group}`);
      const cmp = (await vscode.commands.executeCommand('tlslens.compareSessions', a, b)) as { title: string } | undefined;
      assert(cmp && new RegExp(`^${L('Compare: ', '比较：')}TLS 127\\.0\\.0\\.1:\\d+ ↔ TLS 127\\.0\\.0\\.1:\\d+$`).test(cmp.title), `comparison panel ${show(cmp?.title)}`);
    },
  },
  {
    name: 'lint: server.pem\'s certificate gets Baseline Requirements findings at its BEGIN line, as warnings (never errors) with their source section',
    fn: async () => {
      const doc = await open('server.pem');
      const d = await diagnosticsUntil(doc.uri, (x) => x.some((y) => y.source === 'TLS Lens lint'));
      const lint = d.filter((x) => x.source === 'TLS Lens lint');
      assert(lint.length > 0, `no lint diagnostics on server.pem: ${showDiags(d)}`);
      const begin = blocks('server.pem')[0].begin;
      assert(lint.every((x) => x.range.start.line === begin), `lint diagnostics off the BEGIN line ${begin}: ${showDiags(lint)}`);
      assert(lint.every((x) => x.severity !== vscode.DiagnosticSeverity.Error), `a lint finding shown as an error: ${showDiags(lint)}`);
      assert(lint.every((x) => /[(（](BR [\d.]+|RFC 5280 [\d.]+)/.test(x.message) && typeof x.code === 'string'), `a lint finding without its source section or rule id: ${showDiags(lint)}`);
      // server.pem is a self-signed CA without keyUsage: the rule's requirement, in the display language.
      const ku = lint.find((x) => x.code === 'key-usage-ca');
      assert(ku?.message.includes(L('A CA certificate must have keyUsage with keyCertSign and cRLSign.', 'CA 证书必须带含 keyCertSign 和 cRLSign 的 keyUsage。')), `key-usage-ca: ${showDiags(lint)}`);
    },
  },
  {
    name: 'Scan Server against openssl s_server -tls1_2 with two suites: exactly TLSv1.2 and those suites, in a panel',
    fn: async () => {
      const port = await freePort();
      const proc = await opensslServer(['-accept', `127.0.0.1:${port}`, '-cert', fixture('server-cert.pem').fsPath, '-key', fixture('server-key.pem').fsPath, '-www', '-tls1_2',
        '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305']);
      try {
        type Report = { versions: { name: string; status: string }[]; suites: { version: string; accepted: { openssl: string }[] }[] };
        const report = await withTimeout(Promise.resolve(vscode.commands.executeCommand<Report | undefined>('tlslens.scanServer', `127.0.0.1:${port}`)), 120_000, 'the scan did not finish');
        assert(report, 'tlslens.scanServer returned nothing');
        const yes = report.versions.filter((v) => v.status === 'yes').map((v) => v.name);
        assert(show(yes) === show(['TLSv1.2']), `versions accepted: ${show(report.versions)}`);
        const suites = report.suites.find((x) => x.version === 'TLSv1.2')?.accepted.map((x) => x.openssl).sort();
        assert(show(suites) === show(['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305']), `TLS 1.2 suites: ${show(suites)}`);
        const scanTab = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => /^(Scan|扫描)/.test(t.label));
        for (let i = 0; i < 50 && !scanTab(); i++) await sleep(100); // the tab model follows the new panel a little later
        const tab = scanTab();
        assert(tab, `no scan panel among the tabs: ${show(vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label))}`);
      } finally {
        proc.kill();
      }
    },
  },
  {
    name: 'Connect to Host against a TLS 1.2-only openssl s_server: TLS 1.2 negotiated and shown',
    fn: async () => {
      const port = 20000 + Math.floor(Math.random() * 20000);
      const proc = await opensslServer(['-accept', `127.0.0.1:${port}`, '-cert', fixture('server-cert.pem').fsPath, '-key', fixture('server-key.pem').fsPath, '-www', '-tls1_2']);
      try {
        const panel = (await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port, serverName: 'localhost', trustStore: fixture('server-cert.pem').fsPath })) as SessionPanelLike | undefined;
        const summary = await withTimeout(panel!.settled, 15_000, 'the session did not settle');
        assert(summary.ok, `the session failed: ${show(summary.error)}`);
        assert(summary.version === 'TLSv1.2' && /^TLS_ECDHE_ECDSA_WITH_/.test(summary.suite ?? ''), `negotiated ${summary.version} ${summary.suite}`);
        assert(summary.verification.state === 'ok', `verification ${show(summary.verification)}`);
      } finally {
        proc.kill();
      }
    },
  },
  {
    name: 'Connect to Host over DTLS against openssl s_server -dtls1_2: DTLSv1.2 negotiated and shown',
    fn: async () => {
      const port = 20000 + Math.floor(Math.random() * 20000);
      const proc = await opensslServer(['-dtls1_2', '-accept', String(port), '-cert', fixture('server-cert.pem').fsPath, '-key', fixture('server-key.pem').fsPath]);
      try {
        const panel = (await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port, protocol: 'DTLS', serverName: 'localhost' })) as SessionPanelLike | undefined;
        const summary = await withTimeout(panel!.settled, 15_000, 'the DTLS session did not settle');
        assert(summary.ok, `the session failed: ${show(summary.error)}`);
        assert(summary.version === 'DTLSv1.2', `negotiated ${summary.version} ${summary.suite}`);
      } finally {
        proc.kill();
      }
    },
  },
  {
    name: 'Connect to Host to a closed port ends in a clear error, not a hang',
    fn: async () => {
      const panel = (await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port: 1 })) as SessionPanelLike | undefined;
      const summary = await withTimeout(panel!.settled, 15_000, 'the session did not settle');
      assert(!summary.ok && /ECONNREFUSED|cannot connect/.test(summary.error?.message ?? ''), `summary ${show(summary)}`);
    },
  },
  {
    name: 'Restricted Mode: Connect to Host (TLS, DTLS) and Serve TLS Here ask first; declined, nothing is opened',
    fn: async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const api = testApi();
      const asked: ConsentWords[] = [];
      let accepted = 0;
      // (functions: TypeScript would otherwise keep a count narrowed by an earlier assertion)
      const askedCount = () => asked.length;
      const acceptedCount = () => accepted;
      let datagrams = 0;
      const tcp = net.createServer((s) => { accepted++; s.destroy(); });
      await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
      const tcpPort = (tcp.address() as net.AddressInfo).port;
      const udp = dgram.createSocket('udp4');
      udp.on('message', () => datagrams++);
      await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
      const udpPort = udp.address().port;
      const servePort = await freePort();
      const rec = recordNetwork(ext.extensionPath);
      try {
        api.setRestrictedModeTestSeam({ simulateUntrusted: true, answerConsent: async (w) => { asked.push(w); return false; } });
        const tls = await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port: tcpPort, serverName: 'localhost' });
        assert(tls === undefined && askedCount() === 1, `declined TLS: returned ${show(tls)}, asked ${askedCount()} time(s)`);
        assert(asked[0]!.message.includes(`127.0.0.1:${tcpPort}`) && /TCP/.test(asked[0]!.detail) && /"localhost"/.test(asked[0]!.detail), `the modal does not say what is contacted: ${show(asked[0])}`);
        const dtls = await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port: udpPort, protocol: 'DTLS' });
        assert(dtls === undefined && askedCount() === 2, `declined DTLS: returned ${show(dtls)}, asked ${askedCount()} time(s)`);
        assert(asked[1]!.message.includes(`127.0.0.1:${udpPort}`) && /UDP/.test(asked[1]!.detail), `the DTLS modal: ${show(asked[1])}`);
        const serve = await vscode.commands.executeCommand('tlslens.serveHere', { uri: fixture('server.pem').toString(), port: servePort });
        assert(serve === undefined && askedCount() === 3, `declined serve: returned ${show(serve)}, asked ${askedCount()} time(s)`);
        assert(asked[2]!.message.includes(`127.0.0.1:${servePort}`) && /server\.pem/.test(asked[2]!.detail), `the serve modal: ${show(asked[2])}`);
        // Through a proxy: the modal names it, without its password.
        const proxied = await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port: tcpPort, serverName: 'localhost', proxy: 'http://alice:s3cret@127.0.0.1:9' });
        assert(proxied === undefined && askedCount() === 4, `declined via a proxy: returned ${show(proxied)}, asked ${askedCount()} time(s)`);
        assert(asked[3]!.detail.includes('http://alice:****@127.0.0.1:9') && !show(asked[3]).includes('s3cret'), `the proxy modal: ${show(asked[3])}`);
        await sleep(500);
        assert(acceptedCount() === 0 && datagrams === 0, `declined, yet the host saw ${acceptedCount()} connection(s) and ${datagrams} datagram(s)`);
        assert(rec.fromExtension().length === 0, `declined, yet the extension used the network:\n${showCalls(rec.fromExtension())}`);
        assert(await refused(servePort), `declined, yet something listens on 127.0.0.1:${servePort}`);

        // Agreed, the same request does connect (so the checks above could have failed).
        api.setRestrictedModeTestSeam({ simulateUntrusted: true, answerConsent: async (w) => { asked.push(w); return true; } });
        const agreed = (await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port: tcpPort, serverName: 'localhost' })) as SessionPanelLike | undefined;
        assert(agreed?.settled, `agreed: connectToHost returned ${show(agreed)}`);
        await withTimeout(agreed.settled, 15_000, 'the agreed session did not settle');
        agreed.panel?.dispose();
        assert(askedCount() === 5 && acceptedCount() === 1, `agreed: asked ${askedCount()} time(s), ${acceptedCount()} connection(s)`);
        assert(rec.fromExtension().some((c) => c.what === 'net.Socket#connect'), `agreed: the recorder saw no connect: ${show(rec.calls.map((c) => c.what))}`);

        // Trusted (VS Code's own state here), nothing is asked.
        if (vscode.workspace.isTrusted) {
          api.setRestrictedModeTestSeam({ answerConsent: async (w) => { asked.push(w); return false; } });
          const trusted = (await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port: tcpPort, serverName: 'localhost' })) as SessionPanelLike | undefined;
          assert(trusted?.settled && askedCount() === 5, `trusted: returned ${show(trusted)}, asked ${askedCount()} time(s)`);
          await withTimeout(trusted.settled, 15_000, 'the trusted session did not settle');
          trusted.panel?.dispose();
        }
      } finally {
        api.setRestrictedModeTestSeam(undefined);
        rec.stop();
        tcp.close();
        udp.close();
      }
    },
  },
  {
    name: 'Restricted Mode: workspace values of restricted settings do not count (key log to SSLKEYLOGFILE, trust store)',
    fn: async () => {
      const api = testApi();
      const keylog = path.join(os.tmpdir(), `tlslens-suite-keylog-${process.pid}-${Date.now()}.txt`);
      const dotVscode = path.join(ws().fsPath, '.vscode');
      const hadDotVscode = fs.existsSync(dotVscode);
      const oldEnv = process.env.SSLKEYLOGFILE;
      const config = () => vscode.workspace.getConfiguration('tlsLens');
      /** Serve TLS Here and Connect to Host to it: both panels' runners read the key log setting as they start. */
      const session = async () => {
        const served = (await vscode.commands.executeCommand('tlslens.serveHere', { uri: fixture('server.pem').toString(), port: 0 })) as { port: number; panel: { panel: vscode.WebviewPanel } } | undefined;
        assert(served && served.port > 0, `serveHere returned ${show(served)}`);
        const client = (await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port: served.port, serverName: 'localhost' })) as SessionPanelLike | undefined;
        const summary = await withTimeout(client!.settled, 15_000, 'the session did not settle');
        assert(summary.ok, `the session failed: ${show(summary.error)}`);
        await sleep(300);
        client!.panel?.dispose();
        served.panel.panel.dispose();
      };
      const verify = async () => ((await vscode.commands.executeCommand('tlslens.verifyChain', fixture('chain.pem'), { hostname: 'leaf.example.com' })) as { code: number } | undefined)?.code;
      try {
        process.env.SSLKEYLOGFILE = keylog;
        await config().update('keylog.honourSSLKEYLOGFILE', true, vscode.ConfigurationTarget.Workspace);
        await config().update('verify.trustStore', fixture('chain-root.pem').fsPath, vscode.ConfigurationTarget.Workspace);
        api.setRestrictedModeTestSeam({ simulateUntrusted: true, answerConsent: async () => true });
        await session();
        const written = fs.existsSync(keylog) ? fs.readFileSync(keylog, 'utf8') : '';
        assert(written === '', `untrusted: a workspace setting sent secrets to SSLKEYLOGFILE (${written.split('\n').length - 1} lines)`);
        const untrustedCode = await verify();
        assert(untrustedCode === 20, `untrusted: Verify Chain used the workspace's trust store (code ${untrustedCode}, expected 20: the test root is not in the system store)`);
        // The control: trusted, the same workspace settings do count.
        api.setRestrictedModeTestSeam(undefined);
        await session();
        const trustedLog = fs.existsSync(keylog) ? fs.readFileSync(keylog, 'utf8') : '';
        assert(/^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]+$/m.test(trustedLog), `trusted: no key log lines in SSLKEYLOGFILE: ${show(trustedLog.slice(0, 200))}`);
        const trustedCode = await verify();
        assert(trustedCode === 0, `trusted: Verify Chain with the workspace's trust store gave ${trustedCode}, expected 0`);
      } finally {
        api.setRestrictedModeTestSeam(undefined);
        await config().update('keylog.honourSSLKEYLOGFILE', undefined, vscode.ConfigurationTarget.Workspace);
        await config().update('verify.trustStore', undefined, vscode.ConfigurationTarget.Workspace);
        if (oldEnv === undefined) delete process.env.SSLKEYLOGFILE;
        else process.env.SSLKEYLOGFILE = oldEnv;
        fs.rmSync(keylog, { force: true });
        if (!hadDotVscode) fs.rmSync(dotVscode, { recursive: true, force: true });
      }
    },
  },
  {
    name: `display language: vscode.env.language is "${vscode.env.language}", and the manifest and the bundle follow it`,
    fn: async () => {
      const want = process.env.TLS_LENS_TEST_LOCALE;
      if (want) assert(vscode.env.language === want, `the run asked for --locale ${want}, but vscode.env.language is "${vscode.env.language}"`);
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      // VS Code localizes command titles in place: a string in English, { value, original } in another language.
      type Localized = string | { value: string; original: string };
      const commands = (ext.packageJSON as { contributes: { commands: { command: string; title: Localized; category: Localized }[] } }).contributes.commands;
      const text = (v: Localized | undefined) => (typeof v === 'string' || v === undefined ? v : v.value);
      const title = (id: string) => text(commands.find((c) => c.command === id)?.title);
      const original = commands.find((c) => c.command === 'tlslens.checkKey')?.title;
      if (ZH) assert(typeof original === 'object' && original.original === 'Check Key', `the English title is kept as "original": ${show(original)}`);
      // package.nls.json / package.nls.zh-cn.json, as VS Code itself reads the manifest
      assert(title('tlslens.checkKey') === L('Check Key', '检查密钥'), `Check Key's title is ${show(title('tlslens.checkKey'))}`);
      assert(title('tlslens.connectToHost') === L('Connect to Host…', '连接到主机…'), `Connect to Host's title is ${show(title('tlslens.connectToHost'))}`);
      const description = text((ext.packageJSON as { description: Localized }).description) ?? '';
      assert((ZH ? /解码 PEM/ : /^Decode PEM/).test(description), `the manifest's description is ${show(description)}`);
      assert(commands.every((c) => text(c.category) === 'TLS Lens'), `categories ${show([...new Set(commands.map((c) => c.category))])}`);
      // l10n/bundle.l10n.zh-cn.json, as vscode.l10n.t reads it (undefined in English: no bundle is loaded)
      if (ZH) assert(vscode.l10n.bundle?.['Peer certificates ({0})'] === '对端证书（{0}）', `vscode.l10n.bundle ${show(Object.keys(vscode.l10n.bundle ?? {}).length)} entries`);
      else assert(vscode.l10n.t('Peer certificates ({0})', 2) === 'Peer certificates (2)', 'English strings are the source strings');
    },
  },
  {
    name: `zh-cn aware: hover, session summary, verification and alert causes speak ${L('English', 'Chinese')}`,
    fn: async () => {
      const doc = await open('server.pem');
      const hover = hoverText(await hoverAt(doc, blocks('server.pem')[0].begin + 2));
      assert(hover.includes(L('**Subject:**', '**使用者：**')) && hover.includes(L('Full decode', '完整解码')), `hover ${hover.slice(0, 300)}`);
      const served = (await vscode.commands.executeCommand('tlslens.serveHere', { uri: fixture('server.pem').toString(), port: 0 })) as { port: number; panel: { panel: vscode.WebviewPanel } } | undefined;
      assert(served && served.port > 0, `serveHere returned ${show(served)}`);
      try {
        const ok = (await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port: served.port, serverName: 'localhost' })) as SessionPanelLike | undefined;
        const summary = await withTimeout(ok!.settled, 15_000, 'the session did not settle');
        // X509_V_ERR 18 (self-signed): OpenSSL's text as it is, then the registry's meaning and fix in the display language
        assert(summary.verification.code === 18 && summary.verification.text.startsWith('self-signed certificate'), `verification ${show(summary.verification)}`);
        assert(summary.verification.text.includes(L('(X509_V_ERR 18, depth 0; trust: the system trust store)', '（X509_V_ERR 18，深度 0；信任：系统信任存储）')), `verification ${show(summary.verification.text)}`);
        if (ZH) assert(summary.verification.text.includes('如果信任它，就把它加入信任存储（--CAfile）'), `the fix is not the Chinese registry's: ${summary.verification.text}`);
        ok!.panel?.dispose();
        // TLS 1.0 and 1.1 only, against our server (TLS 1.2 and 1.3): protocol_version, with its likely causes from the registry
        const bad = (await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port: served.port, serverName: 'localhost', minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })) as SessionPanelLike | undefined;
        const failed = await withTimeout(bad!.settled, 15_000, 'the failing session did not settle');
        const causes = (failed.error as { causes?: string[] } | undefined)?.causes ?? [];
        assert(!failed.ok && failed.error?.message && causes.length > 0, `failure ${show(failed.error)}`);
        assert(causes[0] === L('the minimum and maximum protocol versions of the two sides do not overlap', '双方的最低和最高协议版本没有交集'), `causes ${show(causes)}`);
        bad!.panel?.dispose();
      } finally {
        served.panel.panel.dispose();
      }
    },
  },
  {
    name: 'Getting Started walkthrough: contributed with 5 steps, each with media and a completion event, and it opens',
    fn: async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      type Step = { id: string; title: string; description: string; media: { markdown?: string }; completionEvents?: string[] };
      const walks = (ext.packageJSON as { contributes: { walkthroughs?: { id: string; title: string; steps: Step[] }[] } }).contributes.walkthroughs ?? [];
      const w = walks.find((x) => x.id === 'gettingStarted');
      assert(w && w.steps.length === 5, `walkthroughs ${show(walks.map((x) => [x.id, x.steps.length]))}`);
      assert(w.title === L('Get Started with TLS Lens', 'TLS Lens 入门'), `title ${show(w.title)}`);
      for (const step of w.steps) {
        assert(step.completionEvents?.length, `step ${step.id} has no completion event`);
        assert(step.media.markdown && fs.existsSync(path.join(ext.extensionPath, step.media.markdown)), `step ${step.id}: media ${show(step.media.markdown)} is not in the extension`);
        if (ZH) assert(/zh-cn/.test(step.media.markdown) && /[\u4e00-\u9fff]/.test(step.title + step.description), `step ${step.id} is not in Chinese: ${step.title}`);
      }
      assert(show(w.steps.map((x) => x.completionEvents)).includes('onCommand:tlslens.connectToHost'), 'Connect to Host completes a step');
      const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
      const before = tabs().length;
      await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#gettingStarted`, false);
      let opened: vscode.Tab | undefined;
      for (let i = 0; i < 25 && !opened; i++) {
        opened = tabs().find((t) => !(t.input instanceof vscode.TabInputText) && /Welcome|Walkthrough|TLS Lens/i.test(t.label));
        if (!opened) await sleep(200);
      }
      assert(opened, `no walkthrough tab opened (tabs before ${before}: ${show(tabs().map((t) => t.label))})`);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    },
  },
  {
    name: 'status bar: hidden with nothing running, shown while Serve TLS Here runs (with its port and the live session), hidden after',
    fn: async () => {
      const api = testApi();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');   // earlier tests' panels: their servers stop
      for (let i = 0; i < 25 && api.statusBar().visible; i++) await sleep(100);
      assert(!api.statusBar().visible, `visible with nothing running: ${show(api.statusBar())}`);
      const served = (await vscode.commands.executeCommand('tlslens.serveHere', { uri: fixture('server.pem').toString(), port: 0 })) as { port: number; panel: { panel: vscode.WebviewPanel } } | undefined;
      assert(served && served.port > 0, `serveHere returned ${show(served)}`);
      const serving = L(`serving :${served.port}`, `正在监听 :${served.port}`);
      assert(api.statusBar().visible && api.statusBar().text.includes(serving) && api.statusBar().text.startsWith('$(lock) TLS Lens'), `while serving: ${show(api.statusBar())}`);
      const client = (await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port: served.port, serverName: 'localhost' })) as SessionPanelLike | undefined;
      await withTimeout(client!.settled, 15_000, 'the session did not settle');
      const both = api.statusBar().text;
      assert(both.includes(L('1 session', '1 个会话')) && both.includes(serving), `with a live session: ${show(both)}`);
      client!.panel?.dispose();
      assert(!api.statusBar().text.includes(L('session', '会话')), `the closed session still counts: ${show(api.statusBar())}`);
      served.panel.panel.dispose();
      assert(!api.statusBar().visible, `still shown after the server stopped: ${show(api.statusBar())}`);
      assert(await refused(served.port), 'the server still listens after its panel closed');
    },
  },
  {
    name: 'keybindings: Connect to Host and Check Key (PEM editors only) use keys VS Code does not bind by default',
    fn: async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const ours = (ext.packageJSON as { contributes: { keybindings: { command: string; key: string; when?: string }[] } }).contributes.keybindings;
      assert(ours.some((k) => k.command === 'tlslens.connectToHost') && ours.some((k) => k.command === 'tlslens.checkKey' && /editorLangId == pem/.test(k.when ?? '')), `keybindings ${show(ours)}`);
      await vscode.commands.executeCommand('workbench.action.openDefaultKeybindingsFile');
      let text = '';
      for (let i = 0; i < 25 && !/"key":/.test(text); i++) {
        text = vscode.window.activeTextEditor?.document.getText() ?? '';
        if (!/"key":/.test(text)) await sleep(200);
      }
      assert(/"command": "workbench.action.quickOpen"/.test(text), `the default keybindings did not open: ${text.slice(0, 200)}`);
      // Every default binding, as "key" -> commands; ours must be the only ones on their keys.
      // Keys as VS Code writes them (modifiers in the order ctrl, shift, alt, meta), whatever order a manifest uses.
      const canonical = (key: string) => key.split(' ').map((chord) => {
        const parts = chord.split('+');
        const mods = ['ctrl', 'shift', 'alt', 'meta', 'cmd'].filter((m) => parts.includes(m));
        return [...mods, ...parts.filter((p) => !mods.includes(p))].join('+');
      }).join(' ');
      const bound = new Map<string, string[]>();
      for (const m of text.matchAll(/\{\s*"key":\s*"([^"]+)",\s*"command":\s*"([^"]+)"/g)) bound.set(canonical(m[1]!), [...(bound.get(canonical(m[1]!)) ?? []), m[2]!]);
      assert(bound.size > 300, `only ${bound.size} keys read from the default keybindings`);
      for (const k of ours) {
        const others = (bound.get(canonical(k.key)) ?? []).filter((c) => c !== k.command && c !== `-${k.command}`);
        assert(others.length === 0, `${k.key} (${k.command}) is also bound to ${show(others)}`);
        assert(bound.get(canonical(k.key))?.includes(k.command), `${k.key} is not listed for ${k.command} (the extension's bindings are in the same file): ${show([...bound].filter(([, c]) => c.some((x) => x.startsWith('tlslens.'))))}`);
      }
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    },
  },
  {
    name: 'virtual workspace and a browser-only host: Connect to Host and Serve TLS Here say why they cannot run; Check Key still works',
    fn: async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const api = testApi();
      const rec = recordNetwork(ext.extensionPath);
      try {
        api.setEnvironmentTestSeam({ virtualScheme: 'vscode-vfs' });
        const why = api.networkUnavailableReason(L('Connect to Host', '连接到主机'));
        assert(why && why.includes(L('virtual workspace (vscode-vfs)', '虚拟工作区（vscode-vfs）')) && why.includes(L('Check Key work here', '“检查密钥”在这里照常可用')), `reason ${show(why)}`);
        const c = await vscode.commands.executeCommand('tlslens.connectToHost', { host: '127.0.0.1', port: 9 });
        const sv = await vscode.commands.executeCommand('tlslens.serveHere', { uri: fixture('server.pem').toString(), port: 0 });
        assert(c === undefined && sv === undefined, `ran anyway: ${show([c, sv])}`);
        const r = await checkKey(fixture('server.pem'));
        assert(r.match === true, 'Check Key works in a virtual workspace');
        api.setEnvironmentTestSeam({ webWithoutNode: true });
        const web = api.networkUnavailableReason(L('Serve TLS Here', '在此提供 TLS 服务'));
        assert(web && web.includes(L('VS Code for the Web', 'VS Code 网页版')), `reason ${show(web)}`);
        assert(await vscode.commands.executeCommand('tlslens.serveHere', { uri: fixture('server.pem').toString(), port: 0 }) === undefined, 'served in a browser-only host');
        assert(rec.fromExtension().length === 0, `the network was used:\n${showCalls(rec.fromExtension())}`);
        api.setEnvironmentTestSeam(undefined);
        assert(api.networkUnavailableReason('x') === undefined, 'here (code-server: a Node.js host, folders on disk) the network commands run');
      } finally {
        api.setEnvironmentTestSeam(undefined);
        rec.stop();
      }
    },
  },
];

interface SessionPanelLike {
  panel?: vscode.WebviewPanel;
  settled: Promise<{ ok: boolean; version?: string; group?: string; suite?: string; error?: { message: string; causes?: string[] }; chain: { subject: { text: string } }[]; verification: { state: string; code?: number; text: string } }>;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms))]);
}

// ---------------------------------------------------------------- the runner

export async function run(): Promise<void> {
  const results: Result[] = [];
  const file = process.env.TEST_RESULTS_FILE;
  try {
    for (const t of tests) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          t.fn(),
          new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${TEST_TIMEOUT_MS / 1000} s`)), TEST_TIMEOUT_MS); }),
        ]);
        results.push({ name: t.name, ok: true, error: null });
        console.log(`  ok   ${t.name}`);
      } catch (e) {
        const err = e instanceof AssertionError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
        results.push({ name: t.name, ok: false, error: err });
        console.error(`  FAIL ${t.name}\n       ${err}`);
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    const passed = results.filter((r) => r.ok).length;
    const failed = results.length - passed + (tests.length - results.length);
    const verdict = { passed, failed, tests: results };
    if (file) fs.writeFileSync(file, JSON.stringify(verdict, null, 2));
    else console.log('TEST_RESULTS_FILE is not set; results:', JSON.stringify(verdict));
    console.log(`${passed} passed, ${failed} failed`);
    if (failed > 0) throw new Error(`${failed} of ${tests.length} VS Code tests failed`);
  }
}
