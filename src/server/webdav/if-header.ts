import { DavError } from './errors.js';

/** One condition of an If header list: a state token or an entity tag, possibly negated. */
export interface IfCondition {
  not: boolean;
  token?: string;
  etag?: string;
}

export interface IfList {
  /** The tagged resource (absolute URL or path), or undefined for the request URI. */
  resource?: string;
  conditions: IfCondition[];
}

function malformed(why: string): DavError {
  return new DavError(400, `malformed If header: ${why}`);
}

/** A small cursor over the header text. */
class Scanner {
  i = 0;
  constructor(readonly s: string) {}
  skip(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i] ?? '')) this.i++;
  }
  peek(): string | undefined {
    this.skip();
    return this.s[this.i];
  }
  until(close: string): string {
    const end = this.s.indexOf(close, this.i + 1);
    if (end < 0) throw malformed(`missing "${close}"`);
    const value = this.s.slice(this.i + 1, end);
    this.i = end + 1;
    return value;
  }
}

function parseList(sc: Scanner): IfCondition[] {
  sc.i++; // "("
  const conditions: IfCondition[] = [];
  for (;;) {
    const c = sc.peek();
    if (c === undefined) throw malformed('unterminated list');
    if (c === ')') {
      sc.i++;
      break;
    }
    let not = false;
    if (sc.s.slice(sc.i, sc.i + 3).toLowerCase() === 'not') {
      not = true;
      sc.i += 3;
    }
    const open = sc.peek();
    if (open === '<') conditions.push({ not, token: sc.until('>') });
    else if (open === '[') conditions.push({ not, etag: sc.until(']') });
    else throw malformed(`unexpected "${open ?? ''}"`);
  }
  if (conditions.length === 0) throw malformed('empty list');
  return conditions;
}

/** Parses RFC 4918 §10.4: untagged lists, or tagged lists (`<resource> (...)`). */
export function parseIfHeader(value: string): IfList[] {
  const sc = new Scanner(value);
  const lists: IfList[] = [];
  let resource: string | undefined;
  let tagged: boolean | undefined;
  for (let c = sc.peek(); c !== undefined; c = sc.peek()) {
    if (c === '<') {
      if (tagged === false) throw malformed('a tag after untagged lists');
      tagged = true;
      resource = sc.until('>');
      if (sc.peek() !== '(') throw malformed('a tag without a list');
    } else if (c === '(') {
      if (tagged === undefined) tagged = false;
      lists.push({ resource, conditions: parseList(sc) });
    } else throw malformed(`unexpected "${c}"`);
  }
  if (lists.length === 0) throw malformed('no lists');
  return lists;
}

/** Every lock token named (not negated) anywhere in the header: the tokens the client submits. */
export function submittedTokens(lists: readonly IfList[]): Set<string> {
  const out = new Set<string>();
  for (const l of lists) for (const c of l.conditions) if (c.token && !c.not) out.add(c.token);
  return out;
}

export function sameEtag(a: string, b: string): boolean {
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return strip(a) === strip(b);
}
