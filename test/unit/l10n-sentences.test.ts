// The engine's own sentences in Simplified Chinese (engine/l10n/): every template the engine writes (read from its
// source, engine-sentences.ts) has a translation with the same placeholders, no translation is left without its
// sentence, and real sentences from the engine (an alert from a peer, a broken PEM block, a lint finding, a scan
// weakness, a refused handshake) come out in Chinese with their values intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sentenceTranslator, type SentenceTable } from '../../engine/l10n/sentences';
import { SENTENCES_ZH_CN } from '../../engine/l10n/zh-cn/index';
import { INFO_ZH_CN } from '../../engine/l10n/zh-cn/info';
import { ERRORS_A_ZH_CN } from '../../engine/l10n/zh-cn/errors-a';
import { ERRORS_B_ZH_CN } from '../../engine/l10n/zh-cn/errors-b';
import { SCAN_ZH_CN } from '../../engine/l10n/zh-cn/scan';
import { LINT_FINDINGS_ZH_CN } from '../../engine/l10n/zh-cn/lint';
import { EDITOR_ZH_CN } from '../../engine/l10n/zh-cn/editor';
import { DECODE_A_ZH_CN } from '../../engine/l10n/zh-cn/decode-a';
import { DECODE_B_ZH_CN } from '../../engine/l10n/zh-cn/decode-b';
import { VALUES_ZH_CN } from '../../engine/l10n/zh-cn/values';
import { PeerAlertError } from '../../engine/conn/errors';
import { scanPem } from '../../engine/pem/blocks';
import { findWeaknesses } from '../../engine/scan/weaknesses';
import type { ScanReport } from '../../engine/scan/types';
import { TlsConnection } from '../../engine/conn/connection';
import { nobleProvider } from '../../engine/crypto/noble';
import { identityFromPem } from '../../engine/tools/identity';
import { engineSentences, engineSourceText, type Domain } from './engine-sentences';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CJK = /[\u4e00-\u9fff]/;
const placeholders = (s: string) => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();
const TABLES: Record<Domain, SentenceTable[]> = {
  info: [INFO_ZH_CN],
  errors: [ERRORS_A_ZH_CN, ERRORS_B_ZH_CN, DECODE_A_ZH_CN, DECODE_B_ZH_CN],
  scan: [SCAN_ZH_CN],
  lint: [LINT_FINDINGS_ZH_CN],
  editor: [EDITOR_ZH_CN],
};
const sentences = engineSentences(root);
const zh = sentenceTranslator(...SENTENCES_ZH_CN);

test('the engine\'s sentences are found in its source (trace info, errors, scan, lint, editor)', () => {
  const count = (d: Domain) => sentences.filter((s) => s.domain === d).length;
  // Lower bounds, so a change that breaks the extraction (not a new sentence) fails here.
  assert.ok(count('info') > 80, `info: ${count('info')}`);
  assert.ok(count('errors') > 180, `errors: ${count('errors')}`);
  assert.ok(count('scan') > 30, `scan: ${count('scan')}`);
  assert.ok(count('lint') > 50, `lint: ${count('lint')}`);
  assert.ok(count('editor') >= 10, `editor: ${count('editor')}`);
});

test('every sentence of the engine has its zh-cn template, with the same placeholders (engine/l10n/zh-cn/)', () => {
  for (const domain of Object.keys(TABLES) as Domain[]) {
    const have = new Set(TABLES[domain].flatMap((t) => t.map(([en]) => en)));
    const missing = sentences.filter((s) => s.domain === domain && !have.has(s.template)).map((s) => `${s.where}: ${s.template}`);
    assert.deepEqual(missing, [], `${domain}: sentences without a translation (add them to the ${domain} table of engine/l10n/zh-cn/)`);
  }
  for (const table of SENTENCES_ZH_CN) {
    for (const [en, cn] of table) {
      assert.deepEqual(placeholders(cn), placeholders(en), `placeholders differ: ${en} -> ${cn}`);
      assert.equal(new Set(placeholders(en)).size, placeholders(en).length, `a placeholder twice in ${en}`);
      // Words to translate come out in Chinese characters, or at least in Chinese punctuation around kept names.
      if (/[A-Za-z]{3}/.test(en.replace(/\{\d+\}/g, ''))) assert.match(cn, /[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]/, `not Chinese: ${cn}`);
    }
  }
});

test('no zh-cn template is left over from a sentence the engine no longer writes', () => {
  const written = new Set(sentences.map((s) => s.template));
  const stale = SENTENCES_ZH_CN.filter((t) => t !== VALUES_ZH_CN).flatMap((t) => t.map(([en]) => en)).filter((en) => !written.has(en));
  assert.deepEqual(stale, [], 'templates no sentence of engine/ matches');
});

test('every value phrase (values.ts) is a string literal the engine writes, and fills a placeholder in Chinese', () => {
  const source = engineSourceText(root);
  for (const [en] of VALUES_ZH_CN) assert.ok(source.includes(`'${en}'`), `'${en}' is no literal of engine/ any more`);
  // A transport's error, as TransportError writes it: its protocol and step, then the sentence.
  assert.equal(zh('TCP connect: cannot connect to the proxy 127.0.0.1:3128: ECONNREFUSED'), 'TCP connect: 无法连接代理 127.0.0.1:3128：ECONNREFUSED');
  assert.match(zh('the server signed its key exchange with no algorithm, which we did not offer in signature_algorithms'), /（无算法）/);
});

test('the translator: exact sentences, values kept, placeholders reordered, a value that is a sentence translated too', () => {
  const t = sentenceTranslator([
    ['plain', '简单'],
    ['{0} did not issue {1}', '{1} 不是由 {0} 签发的'],
    ['refused: {0}', '被拒绝：{0}'],
    ['the key is too short', '密钥太短'],
    ['{0} is {1}', '{0} 是 {1}'],
    ['{0} is {1} bytes', '{0} 是 {1} 字节'],
  ]);
  assert.equal(t('plain'), '简单');
  assert.equal(t('block 2 did not issue block 1'), 'block 1 不是由 block 2 签发的');
  assert.equal(t('refused: the key is too short'), '被拒绝：密钥太短');
  assert.equal(t('refused: something new'), '被拒绝：something new');
  assert.equal(t('x is 5 bytes'), 'x 是 5 字节', 'the most specific template wins');
  assert.equal(t('no template for this'), 'no template for this');
  assert.equal(t('tbsCertificate.validity: refused: the key is too short'), 'tbsCertificate.validity: 被拒绝：密钥太短', 'a prefix before a known sentence is kept');
  assert.equal(t('prefix: nothing known'), 'prefix: nothing known');
  assert.equal(t('$& {0} (.*) \\1'), '$& {0} (.*) \\1', 'regular-expression characters in a sentence are text');
});

test('real sentences from the engine come out in Chinese with their values', () => {
  // A peer's alert, as the session panel's error line shows it.
  const alert = new PeerAlertError('protocol_version', 70, 2).message;
  assert.equal(alert, 'the peer sent a fatal alert: protocol_version (70)');
  const a = zh(alert);
  assert.match(a, CJK);
  assert.match(a, /protocol_version/);
  assert.match(a, /70/);

  // A broken PEM block: the message names the line and column.
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB!AAA\n-----END CERTIFICATE-----\n';
  const problem = scanPem(pem).blocks[0]!.problem!;
  const p = zh(problem.message);
  assert.notEqual(p, problem.message);
  assert.match(p, CJK);
  assert.match(p, /第 2 行第 5 列/);
  assert.match(p, /'!'/);

  // A scan weakness, title and explanation.
  const report = {
    versions: [{ name: 'SSLv3', status: 'yes' }], suites: [], groups: {}, features: [], signatureAlgorithms: [],
    chains: [{ keyType: 'RSA', verify: { ok: true }, certificates: [{ subject: 'CN=leaf', issuer: 'CN=ca', signatureAlgorithm: 'sha1WithRSAEncryption', keyType: 'RSA', keyBits: 1024 }] }],
  } as unknown as ScanReport;
  const found = findWeaknesses(report);
  assert.deepEqual(found.map((w) => w.id), ['ssl3', 'no-modern-version', 'sha1-cert-RSA-0', 'short-key-RSA-0']);
  for (const w of found) {
    assert.match(zh(w.title), CJK, w.title);
    assert.match(zh(w.explanation), CJK, w.explanation);
  }
  assert.equal(zh(found[3]!.title), 'RSA 证书链中的密钥过短（深度 0：RSA 1024 位）');
});

test('a refused handshake: the engine\'s error sentence, as the panel gets it, in Chinese', () => {
  // A server that allows only TLS 1.2 against a client that allows only TLS 1.3: the server's error.
  const id = identityFromPem(fs.readFileSync(path.join(root, 'test/fixtures/pki/ec-p256.crt'), 'utf8'), fs.readFileSync(path.join(root, 'test/fixtures/pki/ec-p256.key'), 'utf8'), 'ec-p256');
  const provider = nobleProvider();
  const client = new TlsConnection({ side: 'client', provider, serverName: 'localhost', minVersion: 0x0304, maxVersion: 0x0304 });
  const server = new TlsConnection({ side: 'server', provider, certificateChain: id.chain, signer: id.signer, minVersion: 0x0303, maxVersion: 0x0303 });
  client.start();
  for (let i = 0; i < 4; i++) {
    for (const c of client.takeOutgoing()) server.receive(c);
    for (const c of server.takeOutgoing()) client.receive(c);
  }
  const msgs = [server.error?.message, client.error?.message].filter((m): m is string => !!m);
  assert.ok(msgs.length, 'the handshake failed on some side');
  for (const m of msgs) assert.match(zh(m), CJK, `not translated: ${m}`);
});
