/**
 * How names are compared by search: a name and a keyword match when the folded keyword is a
 * substring of the folded name. Folding: Unicode compatibility forms (NFKD: full-width Latin and
 * digits, ligatures, half-width katakana), Latin, Greek and Cyrillic combining marks removed
 * (é → e, ü → u; the Japanese voicing marks are kept, が stays が), lower case, then composed
 * again (NFC).
 */
export function foldName(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().normalize('NFC');
}

/** A search's words: the folded keywords split at white space, empty ones dropped, at most 8. */
export function searchWords(keywords: string): string[] {
  return [...new Set(foldName(keywords).split(/\s+/).filter((w) => w !== ''))].slice(0, 8);
}

/** The shortest word a trigram index can look up; shorter words are matched by a scan. */
export const TRIGRAM = 3;

/** How many characters (code points) a word has. */
export function charCount(word: string): number {
  let n = 0;
  for (const _ of word) n++;
  return n;
}
