/**
 * File name escaping (OpenList's `filename_escape`, drivers/alias in OpenList PR #2868): each
 * configured string has its first character written as `_xHHHH_` (its UTF-16 code units, upper-case
 * hex) in the backend's names, so a name the backend cannot store (`?` on OneDrive, say) can still
 * be used through the alias. A name that already holds an escape sequence has the sequence's `_`
 * escaped in turn (`_x005F_`), so every name round-trips.
 */

type Pairs = readonly (readonly [string, string])[];

/** Replaces at each position the first pair (in order) whose string starts there, as Go's strings.Replacer does. */
function replaceAll(name: string, pairs: Pairs): string {
  if (pairs.length === 0) return name;
  let out = '';
  let i = 0;
  outer: while (i < name.length) {
    for (const [from, to] of pairs) {
      if (name.startsWith(from, i)) {
        out += to;
        i += from.length;
        continue outer;
      }
    }
    out += name[i];
    i++;
  }
  return out;
}

const hex4 = (unit: number) => `_x${unit.toString(16).toUpperCase().padStart(4, '0')}_`;

export class NameEscaper {
  private readonly encodePairs: Pairs;
  private readonly decodePairs: Pairs;

  /** `lines`: the strings to escape, one a line (blank lines ignored); `enabled` false makes both directions the identity. */
  constructor(enabled: boolean, lines: string) {
    const protect: [string, string][] = [];
    const chars: [string, string][] = [];
    const unprotect: [string, string][] = [];
    const unchars: [string, string][] = [];
    for (const raw of enabled ? lines.split('\n') : []) {
      const s = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (s === '') continue;
      const first = String.fromCodePoint(s.codePointAt(0) ?? 0);
      let escaped = '';
      for (let k = 0; k < first.length; k++) escaped += hex4(first.charCodeAt(k));
      escaped += s.slice(first.length);
      const safe = `_x005F_${escaped.slice(1)}`;
      protect.push([escaped, safe]);
      chars.push([s, escaped]);
      unprotect.push([safe, escaped]);
      unchars.push([escaped, s]);
    }
    this.encodePairs = [...protect, ...chars];
    this.decodePairs = [...unprotect, ...unchars];
  }

  get active(): boolean {
    return this.encodePairs.length > 0;
  }

  /** The name as stored in the backend. */
  encode(name: string): string {
    return replaceAll(name, this.encodePairs);
  }

  /** The name as shown through the alias. */
  decode(name: string): string {
    return replaceAll(name, this.decodePairs);
  }

  /** A relative path with each segment encoded. */
  encodePath(rel: string): string {
    return rel === '' || !this.active ? rel : rel.split('/').map((s) => this.encode(s)).join('/');
  }
}
