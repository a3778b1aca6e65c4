// The registries' Simplified Chinese texts (engine/registry/zh-cn.ts): every alert, SSL_get_error code and X509_V_ERR
// code has one, shaped like its English row, written in Chinese, and keeping the identifiers (close_notify,
// SSL_CTX_set_client_cert_cb, --CAfile, keyCertSign) exactly as the English spells them. And the extension picks them
// by language (extension/l10n.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALERTS, alertByName } from '../../engine/registry/alerts';
import { SSL_ERRORS } from '../../engine/registry/ssl-errors';
import { X509_VERIFY_ERRORS } from '../../engine/registry/x509-verify-errors';
import { ALERT_TEXTS_ZH_CN, SSL_ERROR_TEXTS_ZH_CN, X509_VERIFY_TEXTS_ZH_CN } from '../../engine/registry/zh-cn';
import { LINT_RULES } from '../../engine/lint/rules';
import { LINT_TEXTS_ZH_CN } from '../../engine/lint/zh-cn';
import { alertCauses, alertText, findingAdvice, initL10n, isSimplifiedChinese, registryStrings, sslErrorText, verifyErrorText } from '../../extension/l10n';

const CJK = /[\u4e00-\u9fff]/;

/** Names that must not be translated: snake_case and SCREAMING_CASE identifiers, --options, camelCase field names. */
function identifiers(english: string): string[] {
  const out = new Set<string>();
  for (const m of english.matchAll(/\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b/g)) out.add(m[0]);
  for (const m of english.matchAll(/--[A-Za-z_]+/g)) out.add(m[0]);
  for (const m of english.matchAll(/\b[a-z]+[A-Z][A-Za-z]*\b/g)) out.add(m[0]);
  return [...out];
}

function sameCodes(name: string, english: readonly number[], chinese: Readonly<Record<number, unknown>>): void {
  const missing = english.filter((c) => !(c in chinese));
  const extra = Object.keys(chinese).map(Number).filter((c) => !english.includes(c));
  assert.deepEqual(missing, [], `${name}: codes without a Chinese text`);
  assert.deepEqual(extra, [], `${name}: Chinese texts for codes the registry does not have`);
}

function chineseKeeping(where: string, english: string, chinese: string | undefined): void {
  assert.ok(chinese && chinese.trim(), `${where}: empty`);
  assert.match(chinese, CJK, `${where}: not written in Chinese: ${chinese}`);
  assert.notEqual(chinese, english, `${where}: the English text`);
  for (const id of identifiers(english)) assert.ok(chinese.includes(id), `${where}: "${id}" is missing or translated: ${chinese}`);
}

test('every TLS alert has its description and each likely cause in Chinese, in the same order', () => {
  sameCodes('alerts', ALERTS.map((a) => a.code), ALERT_TEXTS_ZH_CN);
  for (const a of ALERTS) {
    const zh = ALERT_TEXTS_ZH_CN[a.code]!;
    chineseKeeping(`alert ${a.name} description`, a.description, zh.description);
    assert.equal(zh.causes.length, a.causes.length, `alert ${a.name}: ${zh.causes.length} causes, the English has ${a.causes.length}`);
    a.causes.forEach((c, i) => chineseKeeping(`alert ${a.name} cause ${i}`, c, zh.causes[i]));
  }
});

test('every SSL_get_error code has its meaning and action in Chinese', () => {
  sameCodes('SSL_get_error', SSL_ERRORS.map((r) => r.code), SSL_ERROR_TEXTS_ZH_CN);
  for (const r of SSL_ERRORS) {
    chineseKeeping(`${r.name} meaning`, r.meaning, SSL_ERROR_TEXTS_ZH_CN[r.code]!.meaning);
    chineseKeeping(`${r.name} action`, r.action, SSL_ERROR_TEXTS_ZH_CN[r.code]!.action);
  }
});

test('every X509_V_ERR code has its meaning and fix in Chinese (OpenSSL\'s own text stays as it is)', () => {
  sameCodes('X509_V_ERR', X509_VERIFY_ERRORS.map((r) => r.code), X509_VERIFY_TEXTS_ZH_CN);
  for (const r of X509_VERIFY_ERRORS) {
    const zh = X509_VERIFY_TEXTS_ZH_CN[r.code]!;
    chineseKeeping(`X509_V_ERR ${r.code} (${r.name}) meaning`, r.meaning, zh.meaning);
    chineseKeeping(`X509_V_ERR ${r.code} (${r.name}) fix`, r.fix, zh.fix);
  }
});

test('every lint rule has its requirement and fix in Chinese, and no entry names a rule that does not exist', () => {
  const ids = new Set(LINT_RULES.map((r) => r.id));
  for (const r of LINT_RULES) {
    const zh = LINT_TEXTS_ZH_CN[r.id];
    assert.ok(zh, `lint rule ${r.id} has no zh-cn text (engine/lint/zh-cn.ts)`);
    assert.match(zh.summary, /[\u4e00-\u9fff]/, `${r.id}: the summary is not Chinese`);
    assert.ok(zh.fix.trim(), `${r.id}: no fix`);
  }
  assert.deepEqual(Object.keys(LINT_TEXTS_ZH_CN).filter((k) => !ids.has(k)), [], 'zh-cn texts for rules that do not exist');
});

test('extension/l10n.ts picks the registry texts by VS Code\'s language: zh-cn Chinese, anything else English', () => {
  try {
    initL10n('zh-cn');
    assert.ok(isSimplifiedChinese());
    const hf = alertByName('handshake_failure')!;
    assert.equal(alertText(hf).description, ALERT_TEXTS_ZH_CN[40]!.description);
    assert.deepEqual(alertCauses('handshake_failure'), ALERT_TEXTS_ZH_CN[40]!.causes);
    assert.equal(sslErrorText(2)!.meaning, SSL_ERROR_TEXTS_ZH_CN[2]!.meaning);
    const expired = verifyErrorText(10);
    assert.equal(expired.text, 'certificate has expired', 'OpenSSL\'s string is not translated');
    assert.equal(expired.fix, X509_VERIFY_TEXTS_ZH_CN[10]!.fix);
    assert.equal(findingAdvice({ code: 62, fix: 'a specific English fix' }), X509_VERIFY_TEXTS_ZH_CN[62]!.meaning + X509_VERIFY_TEXTS_ZH_CN[62]!.fix);
    // The webview's table maps the engine's English sentences (inside trace events) to Chinese.
    const table = registryStrings();
    assert.equal(table[SSL_ERRORS[2]!.meaning], SSL_ERROR_TEXTS_ZH_CN[2]!.meaning);
    assert.equal(table[hf.description], ALERT_TEXTS_ZH_CN[40]!.description);
    for (const lang of ['zh-hans', 'zh-CN', 'zh']) assert.ok(isSimplifiedChinese(lang), lang);
    for (const lang of ['zh-tw', 'zh-hk', 'en', 'ja', 'en-us']) assert.ok(!isSimplifiedChinese(lang), lang);

    initL10n('en');
    assert.equal(alertText(hf).description, hf.description);
    assert.equal(sslErrorText(2)!.meaning, SSL_ERRORS[2]!.meaning);
    assert.equal(findingAdvice({ code: 62, fix: 'a specific English fix' }), 'a specific English fix');
    assert.deepEqual(registryStrings(), {});
    initL10n('fr');
    assert.equal(verifyErrorText(10).meaning, X509_VERIFY_ERRORS[10]!.meaning, 'a language without texts falls back to English');
  } finally {
    initL10n('en');
  }
});
