// The webviews' words: English source strings looked up in the table the host sends (an `l10n` message, before a
// view's init) for VS Code's display language, with `{0}` placeholders as vscode.l10n.t has them. Strings the table
// lacks (and every string in English) show as written, so peer data passed through t() is never altered.
let strings: Record<string, string> = {};
let language = 'en';

export function setStrings(table: Record<string, string>, lang: string): void {
  strings = table && typeof table === 'object' ? table : {};
  language = typeof lang === 'string' ? lang : 'en';
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}

export function currentLanguage(): string {
  return language;
}

export function t(message: string, ...args: (string | number)[]): string {
  const s = Object.prototype.hasOwnProperty.call(strings, message) ? strings[message]! : message;
  return args.length ? s.replace(/\{(\d+)\}/g, (whole, i: string) => (args[Number(i)] === undefined ? whole : String(args[Number(i)]))) : s;
}
