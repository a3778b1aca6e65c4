// Phrases the engine puts into its sentences as values (`{n}`), each a string literal in engine/: translated where
// they fill a placeholder, so that a Chinese sentence does not carry them in English. Lone words that are also field
// or code names ('group', 'missing') stay out: a value is matched as a whole, wherever it appears.
import type { SentenceTable } from '../sentences';

export const VALUES_ZH_CN: SentenceTable = [
  ['cipher suite', '密码套件'],
  ['signature algorithm', '签名算法'],
  ['of an unknown type', '未知类型'],
  ['no algorithm', '（无算法）'],
];
