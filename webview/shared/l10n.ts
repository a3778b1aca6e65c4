// The webviews' words: English source strings looked up in the table the host sends (an `l10n` message, before a
// view's init) for VS Code's display language, with `{0}` placeholders as vscode.l10n.t has them. Strings the table
// lacks (and every string in English) show as written, so peer data passed through t() is never altered.
import { sentenceTranslator } from '../../engine/l10n/sentences';

let strings: Record<string, string> = {};
let language = 'en';
let sentence: (text: string) => string = (text) => text;

export function setStrings(table: Record<string, string>, lang: string, sentences?: unknown): void {
  strings = table && typeof table === 'object' ? table : {};
  language = typeof lang === 'string' ? lang : 'en';
  const rows = Array.isArray(sentences) ? sentences.filter((r): r is [string, string] => Array.isArray(r) && typeof r[0] === 'string' && typeof r[1] === 'string') : [];
  sentence = rows.length ? sentenceTranslator(rows) : (text) => text;
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}

/**
 * A sentence the engine wrote (an info line, an error, a scan finding) in the display language: matched against
 * the host's templates, values kept as they are; unchanged when none matches.
 */
export function ts(text: string): string {
  return sentence(text);
}

export function currentLanguage(): string {
  return language;
}

export function t(message: string, ...args: (string | number)[]): string {
  const s = Object.prototype.hasOwnProperty.call(strings, message) ? strings[message]! : message;
  return args.length ? s.replace(/\{(\d+)\}/g, (whole, i: string) => (args[Number(i)] === undefined ? whole : String(args[Number(i)]))) : s;
}
