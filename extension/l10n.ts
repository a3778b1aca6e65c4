// The extension's language in one place: set once at activation from vscode.env.language and vscode.l10n.t, and read
// by the modules that must stay free of `vscode` (the session runners, the hover's Markdown, unit tests). It picks
// the registries' explanations (alerts, SSL_get_error codes, X509_V_ERR codes) in that language: the Chinese texts
// live beside the English ones in engine/registry/zh-cn.ts, keyed by the same codes.
import { ALERTS, alertByName, type AlertRow } from '../engine/registry/alerts';
import { SSL_ERRORS, sslErrorByCode } from '../engine/registry/ssl-errors';
import { verifyError, X509_VERIFY_ERRORS } from '../engine/registry/x509-verify-errors';
import { ALERT_TEXTS_ZH_CN, SSL_ERROR_TEXTS_ZH_CN, X509_VERIFY_TEXTS_ZH_CN } from '../engine/registry/zh-cn';
import { sentenceTranslator } from '../engine/l10n/sentences';
import { SENTENCES_ZH_CN } from '../engine/l10n/zh-cn/index';

type Translate = (message: string, ...args: (string | number | boolean)[]) => string;

/** `{0}`, `{1}`... replaced as vscode.l10n.t does: what the strings mean when no bundle is loaded (English). */
export function formatMessage(message: string, args: readonly (string | number | boolean)[]): string {
  return message.replace(/\{(\d+)\}/g, (whole, i: string) => (args[Number(i)] === undefined ? whole : String(args[Number(i)])));
}

let language = 'en';
let translate: Translate = (message, ...args) => formatMessage(message, args);

/** Called by activate(): `vscode.env.language` and `vscode.l10n.t` (tests pass their own). */
export function initL10n(lang: string, t?: Translate): void {
  language = (lang || 'en').toLowerCase();
  translate = t ?? ((message, ...args) => formatMessage(message, args));
}

export function currentLanguage(): string {
  return language;
}

/** Simplified Chinese: VS Code's zh-cn, and the zh-hans / zh-sg spellings other hosts use. */
export function isSimplifiedChinese(lang = language): boolean {
  return /^zh(-cn|-hans|-sg)?($|-)/.test(lang.toLowerCase()) && !/^zh-(tw|hk|mo|hant)/.test(lang.toLowerCase());
}

/** A user-visible string for modules without `vscode`: the same lookup as vscode.l10n.t (l10n/bundle.l10n.*.json). */
export function t(message: string, ...args: (string | number | boolean)[]): string {
  return translate(message, ...args);
}

// ---- the engine's sentences ----

let zhSentence: ((text: string) => string) | undefined;

/**
 * A sentence the engine wrote in English (an error, an info line, a scan or lint finding) in the display language,
 * through the templates of engine/l10n/zh-cn/; unchanged in English or when no template matches.
 */
export function engineSentence(text: string): string {
  if (!isSimplifiedChinese()) return text;
  zhSentence ??= sentenceTranslator(...SENTENCES_ZH_CN);
  return zhSentence(text);
}

/** An error's message for a notification: the engine's sentence in the display language. */
export function errorText(e: unknown): string {
  return engineSentence(e instanceof Error ? e.message : String(e));
}

// ---- the registries' explanations ----

/** An alert's RFC meaning and likely causes, in the current language. */
export function alertText(row: AlertRow): { description: string; causes: readonly string[] } {
  const zh = isSimplifiedChinese() ? ALERT_TEXTS_ZH_CN[row.code] : undefined;
  return zh ?? { description: row.description, causes: row.causes };
}

/** The likely causes of an alert named as the engine names it (`handshake_failure`), or none. */
export function alertCauses(name: string): readonly string[] | undefined {
  const row = alertByName(name);
  return row ? alertText(row).causes : undefined;
}

/** SSL_get_error's result: what it means and what to do, in the current language. */
export function sslErrorText(code: number): { meaning: string; action: string } | undefined {
  const row = sslErrorByCode(code);
  if (!row) return undefined;
  return (isSimplifiedChinese() ? SSL_ERROR_TEXTS_ZH_CN[code] : undefined) ?? { meaning: row.meaning, action: row.action };
}

/** An X509_V_ERR code's meaning and generic fix, in the current language (`text`, OpenSSL's string, stays as it is). */
export function verifyErrorText(code: number): { text: string; meaning: string; fix: string } {
  const row = verifyError(code);
  const zh = isSimplifiedChinese() ? X509_VERIFY_TEXTS_ZH_CN[code] : undefined;
  return { text: row.text, meaning: zh?.meaning ?? row.meaning, fix: zh?.fix ?? row.fix };
}

/**
 * What to tell someone about a verification finding: the engine's fix (specific to the certificate, in English) or,
 * in Chinese, the registry's meaning and fix for its code.
 */
export function findingAdvice(f: { code: number; fix: string }): string {
  if (!isSimplifiedChinese()) return f.fix;
  const x = verifyErrorText(f.code);
  return `${x.meaning}${x.fix}`;
}

/**
 * English registry sentences mapped to their translations, for the webview: it runs `t()` over the explanations that
 * arrive inside trace events (an SSL_get_error outcome's meaning, an alert's description) exactly as the engine wrote
 * them. Empty in English.
 */
export function registryStrings(): Record<string, string> {
  if (!isSimplifiedChinese()) return {};
  const out: Record<string, string> = {};
  for (const r of SSL_ERRORS) {
    const zh = SSL_ERROR_TEXTS_ZH_CN[r.code];
    if (zh) Object.assign(out, { [r.meaning]: zh.meaning, [r.action]: zh.action });
  }
  for (const r of X509_VERIFY_ERRORS) {
    const zh = X509_VERIFY_TEXTS_ZH_CN[r.code];
    if (zh) Object.assign(out, { [r.meaning]: zh.meaning, [r.fix]: zh.fix });
  }
  for (const row of ALERTS) {
    const zh = ALERT_TEXTS_ZH_CN[row.code];
    if (!zh) continue;
    out[row.description] = zh.description;
    row.causes.forEach((c, i) => zh.causes[i] && (out[c] = zh.causes[i]!));
  }
  return out;
}

// ---- the webviews' words ----

let bundle: Record<string, string> | undefined;

/** activate() also hands over vscode.l10n.bundle (undefined in English), which holds the webviews' strings too. */
export function setL10nBundle(b: Record<string, string> | undefined): void {
  bundle = b;
}

/** The table a webview translates with (webview/shared/l10n.ts): the loaded bundle and the registries' sentences. */
export function webviewStrings(): { language: string; strings: Record<string, string>; sentences?: [string, string][] } {
  const sentences = isSimplifiedChinese() ? SENTENCES_ZH_CN.flatMap((table) => table.map(([en, zh]): [string, string] => [en, zh])) : undefined;
  return { language, strings: { ...registryStrings(), ...(bundle ?? {}) }, ...(sentences ? { sentences } : {}) };
}
