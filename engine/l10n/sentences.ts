// The engine writes its sentences in English (trace info, errors, scan weaknesses, lint findings) and the CLI prints
// them so, as OpenSSL does. The editor shows them in the display language through tables of templates: the English
// template as the engine builds it, `{0}`, `{1}`... where it puts a value, and the translation with the same
// placeholders. test/unit/l10n-sentences.test.ts reads the templates out of engine/ and checks every table has
// them all, so a new sentence without its translation fails the tests.

import { BoundedCache } from '../util/bounded-cache';

/** [English template, translation]: the same `{n}` placeholders in both, each once. */
export type SentenceTable = readonly (readonly [string, string])[];

interface Compiled {
  re: RegExp;
  /** Literal characters in the template: when several match, the most specific (longest) wins. */
  weight: number;
  to: string;
}

const ESCAPE = /[.*+?^${}()|[\]\\]/g;
/** Templates with fewer literal characters than this are tried last (after the `prefix: sentence` split). */
const WEAK_BELOW = 8;

/** A translator for one language's tables: a sentence that no template matches comes back unchanged. */
export function sentenceTranslator(...tables: SentenceTable[]): (text: string) => string {
  const exact = new Map<string, string>();
  const patterns: Compiled[] = [];
  for (const table of tables) {
    for (const [from, to] of table) {
      if (!/\{\d+\}/.test(from)) {
        exact.set(from, to);
        continue;
      }
      const order: number[] = [];
      const source = from.split(/(\{\d+\})/).map((piece) => {
        const m = /^\{(\d+)\}$/.exec(piece);
        if (!m) return piece.replace(ESCAPE, '\\$&');
        order.push(Number(m[1]));
        return '([\\s\\S]*?)';
      }).join('');
      const to2 = to.replace(/\{(\d+)\}/g, (_, n: string) => `\u0000${order.indexOf(Number(n))}\u0000`);
      patterns.push({ re: new RegExp(`^${source}$`), weight: from.replace(/\{\d+\}/g, '').length, to: to2 });
    }
  }
  patterns.sort((a, b) => b.weight - a.weight);
  const strong = patterns.filter((p) => p.weight >= WEAK_BELOW);
  const weak = patterns.filter((p) => p.weight < WEAK_BELOW);
  const memo = new BoundedCache<string, string>(2000);
  const translate = (text: string, depth: number): string => {
    const hit = exact.get(text);
    if (hit !== undefined) return hit;
    if (depth > 3 || text.length > 4000) return text;
    const apply = (p: Compiled): string | undefined => {
      const m = p.re.exec(text);
      // A value that is itself a sentence (a reason, a cause) is translated too.
      return m ? p.to.replace(/\u0000(\d+)\u0000/g, (_, i: string) => translate(m[Number(i) + 1] ?? '', depth + 1)) : undefined;
    };
    for (const p of strong) {
      const out = apply(p);
      if (out !== undefined) return out;
    }
    // No template for the whole: `where: sentence` (a field path, a block's name, a protocol step before an error's
    // sentence, as DerError, TransportError and PEM problems write them) keeps its prefix and translates the rest.
    const colon = text.indexOf(': ');
    if (colon > 0) {
      const rest = text.slice(colon + 2);
      const translated = translate(rest, depth + 1);
      if (translated !== rest) return `${text.slice(0, colon)}: ${translated}`;
    }
    // Templates of few words (`{0} is a {1}`) match too much to come before that.
    for (const p of weak) {
      const out = apply(p);
      if (out !== undefined) return out;
    }
    return text;
  };
  return (text: string) => memo.get(text, () => translate(text, 0));
}
