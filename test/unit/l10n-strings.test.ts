// The extension's own strings in Simplified Chinese: every string literal passed to vscode.l10n.t (host) or t()
// (extension/l10n.ts for vscode-free modules, webview/shared/l10n.ts in the panels) has its translation in
// l10n/bundle.l10n.zh-cn.json with the same placeholders; the manifest's words are %keys% found in package.nls.json
// and package.nls.zh-cn.json; the walkthrough's media exist in both languages. Plus the webview's lookup itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setStrings, t } from '../../webview/shared/l10n';
import { localizeRelative } from '../../webview/shared/relative-time';
import { formatMessage } from '../../extension/l10n';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');
const json = (p: string) => JSON.parse(read(p)) as Record<string, unknown>;
const CJK = /[\u4e00-\u9fff]/;

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const code = [...sources('extension'), ...sources('webview')].map((f) => ({ f, text: read(f) }));
/** Engine strings the panel translates by value (the handshake phases' names in its Timings). */
const translatedByValue = ['engine/trace/phases.ts'].map((f) => ({ f, text: read(f) }));
const unquote = (s: string) => s.replace(/\\(['\\])/g, '$1');

/** The first argument of every vscode.l10n.t('...') and t('...') call, with the file it is in. */
function literalKeys(): Map<string, string> {
  const keys = new Map<string, string>();
  for (const { f, text } of code) for (const m of text.matchAll(/(?:vscode\.l10n\.t|(?<![\w.])t)\(\s*'((?:[^'\\]|\\.)*)'/g)) if (!keys.has(unquote(m[1]!))) keys.set(unquote(m[1]!), f);
  return keys;
}
const placeholders = (s: string) => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();

const bundle = json('l10n/bundle.l10n.zh-cn.json') as Record<string, string>;

test('every literal string given to vscode.l10n.t or t() has a Chinese translation with the same placeholders', () => {
  const keys = literalKeys();
  assert.ok(keys.size > 300, `only ${keys.size} translatable strings found: is the pattern still right?`);
  const missing = [...keys].filter(([k]) => !(k in bundle)).map(([k, f]) => `${f}: ${k}`);
  assert.deepEqual(missing, [], 'strings without a zh-cn translation (add them to l10n/bundle.l10n.zh-cn.json)');
  for (const [k, v] of Object.entries(bundle)) {
    assert.deepEqual(placeholders(v), placeholders(k), `placeholders differ: ${k} -> ${v}`);
    assert.ok(v.trim(), `empty translation for ${k}`);
  }
});

test('every entry of the zh-cn bundle is used (a literal t() key, or a string the code translates by value)', () => {
  const all = [...code, ...translatedByValue].map((c) => c.text).join('\n');
  const keys = literalKeys();
  const stale = Object.keys(bundle).filter((k) => !keys.has(k) && !all.includes(`'${k.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`));
  assert.deepEqual(stale, [], 'bundle entries no code uses');
});

test('the zh-cn bundle is Chinese where there are words to translate', () => {
  // Left as they are: protocol and API names, and punctuation-only keys are checked above by placeholder.
  const asIs = new Set(['API', 'ALPN', 'HelloRetryRequest']);
  // (Chinese punctuation counts: "TLS Lens：{0}" is translated.)
  const english = Object.entries(bundle).filter(([k, v]) => !asIs.has(k) && /[a-z]{3}/i.test(k.replace(/\{\d+\}/g, '')) && !/[\u4e00-\u9fff\uff00-\uffef]/.test(v));
  assert.deepEqual(english, [], 'entries still in English');
});

test('package.json: command titles, category, settings and walkthrough are %keys% present in both package.nls files', () => {
  const manifest = read('package.json');
  const used = [...manifest.matchAll(/"%([\w.-]+)%"/g)].map((m) => m[1]!);
  const en = json('package.nls.json');
  const zh = json('package.nls.zh-cn.json');
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort(), 'package.nls.zh-cn.json and package.nls.json have different keys');
  for (const k of used) assert.ok(k in en && k in zh, `package.json uses %${k}% which a package.nls file lacks`);
  for (const k of Object.keys(en)) assert.ok(used.includes(k), `package.nls.json has ${k}, which package.json does not use`);
  for (const [k, v] of Object.entries(zh)) if (!/\.media$|^category$|^displayName$/.test(k)) assert.match(String(v), CJK, `package.nls.zh-cn.json ${k} is not Chinese`);

  const m = JSON.parse(manifest) as {
    l10n?: string;
    contributes: {
      commands: { command: string; title: string; category: string }[];
      configuration: { properties: Record<string, { description?: string; markdownDescription?: string }> };
      walkthroughs: { title: string; description: string; steps: { title: string; description: string; media: { markdown?: string } }[] }[];
      menus: Record<string, { command: string; when?: string }[]>;
      keybindings: { command: string; key: string; when?: string }[];
    };
  };
  assert.equal(m.l10n, './l10n');
  for (const c of m.contributes.commands) {
    assert.match(c.title, /^%command\.[\w]+\.title%$/, `${c.command}: a literal title`);
    assert.equal(c.category, '%category%', `${c.command}: every command is under the one category`);
  }
  assert.equal(en.category, 'TLS Lens');
  for (const [name, p] of Object.entries(m.contributes.configuration.properties)) assert.match(p.description ?? p.markdownDescription ?? '', /^%[\w.]+%$/, `${name}: a literal description`);
  const steps = m.contributes.walkthroughs.flatMap((w) => w.steps);
  assert.ok(steps.length >= 4 && steps.length <= 5, `${steps.length} walkthrough steps`);
  for (const s of steps) for (const v of [s.title, s.description, s.media.markdown ?? '']) assert.match(v, /^%[\w.]+%$/, `walkthrough: a literal ${v}`);
});

test('walkthrough media exist in both languages, and link only images that exist', () => {
  for (const nls of ['package.nls.json', 'package.nls.zh-cn.json']) {
    const media = Object.entries(json(nls)).filter(([k]) => k.endsWith('.media')).map(([, v]) => String(v));
    assert.equal(media.length, 5, nls);
    for (const file of media) {
      assert.ok(fs.existsSync(path.join(root, file)), `${nls}: ${file} does not exist`);
      const text = read(file);
      if (nls.includes('zh-cn')) assert.match(text, CJK, `${file} is not Chinese`);
      for (const img of text.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) assert.ok(fs.existsSync(path.join(root, path.dirname(file), img[1]!)), `${file}: image ${img[1]} does not exist`);
    }
  }
});

test('commands that need a PEM file are offered by the Command Palette only in PEM editors; the status bar command never', () => {
  const m = JSON.parse(read('package.json')) as { contributes: { menus: Record<string, { command: string; when?: string }[]>; keybindings: { command: string; key: string; mac?: string; when?: string }[] } };
  const palette = new Map(m.contributes.menus.commandPalette!.map((x) => [x.command, x.when]));
  for (const c of ['tlslens.checkKey', 'tlslens.showDecoded', 'tlslens.showCertificate', 'tlslens.serveHere', 'tlslens.verifyChain']) assert.equal(palette.get(c), 'editorLangId == pem', c);
  assert.equal(palette.get('tlslens.statusBarActions'), 'false');
  const keys = new Map(m.contributes.keybindings.map((k) => [k.command, k]));
  assert.ok(keys.get('tlslens.connectToHost'), 'Connect to Host has a key');
  assert.match(keys.get('tlslens.checkKey')?.when ?? '', /editorLangId == pem/, 'Check Key\'s key works only in a PEM editor');
});

test('the webview looks strings up in the table the host sends, with {0} placeholders, and leaves unknown text alone', () => {
  try {
    setStrings({ 'Peer certificates ({0})': '对端证书（{0}）', Summary: '摘要' }, 'zh-cn');
    assert.equal(t('Summary'), '摘要');
    assert.equal(t('Peer certificates ({0})', 2), '对端证书（2）');
    assert.equal(t('CN=example.com'), 'CN=example.com', 'data that is no key shows as it is');
    assert.equal(t('toString'), 'toString', 'no inherited property is a translation');
    setStrings({}, 'en');
    assert.equal(t('Peer certificates ({0})', 1), 'Peer certificates (1)');
  } finally {
    setStrings({}, 'en');
  }
  assert.equal(formatMessage('{0} of {1} {0}', ['a', 2]), 'a of 2 a');
});

test('the engine\'s "time left" words in Chinese, through the bundle', () => {
  const zh = (m: string, ...a: (string | number)[]) => formatMessage(bundle[m] ?? m, a);
  assert.equal(localizeRelative('expires in 3 months', zh), '3 个月后过期');
  assert.equal(localizeRelative('expired 12 days ago', zh), '已过期 12 天');
  assert.equal(localizeRelative('valid in 1 minute', zh), '1 分钟后生效');
  assert.equal(localizeRelative('expires in 2 years', (m, ...a) => formatMessage(m, a)), 'expires in 2 years', 'English stays as the engine says it');
  assert.equal(localizeRelative('something else', zh), 'something else');
});
