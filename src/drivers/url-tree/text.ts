import { FsError } from '../../core/errors.js';

/** A folder or a file of the tree (a file has a URL). */
export interface UrlNode {
  name: string;
  /** Indentation level: 0 at the top. */
  level: number;
  url?: string;
  /** Bytes, as the text (or a HEAD) gave it; undefined when unknown. */
  size?: number;
  /** Unix seconds, as the text gave it. */
  modified?: number;
  children: UrlNode[];
}

const bad = (line: string, why: string) => new FsError('invalid_input', `url_structure: invalid line: ${line}, because ${why}`);

/** Go's strconv.ParseInt(s, 10, 64) accepts an optional sign and decimal digits. */
function integer(text: string): number | undefined {
  if (!/^[+-]?\d{1,18}$/.test(text)) return undefined;
  return Number(text);
}

/** path.Base of a URL, as OpenList names a file given without a name. */
function lastSegment(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  if (trimmed === '') return url === '' ? '.' : '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** One file line: `[FileName:][FileSize:][Modified:]Url`. */
export function parseFileLine(line: string): UrlNode {
  const starts = [line.indexOf('http://'), line.indexOf('https://')].filter((i) => i >= 0);
  if (starts.length === 0) throw bad(line, 'url is required for file');
  const at = Math.min(...starts);
  const url = line.slice(at);
  const node: UrlNode = { name: lastSegment(url), level: 0, url, children: [] };
  if (at === 0) return node;
  let info = line.slice(0, at);
  if (!info.endsWith(':')) throw bad(line, "file info must end with ':'");
  info = info.slice(0, -1);
  if (info === '') throw bad(line, "file name can't be empty");
  const [name = '', size, modified] = info.split(':');
  node.name = name;
  if (size !== undefined) {
    const n = integer(size);
    if (n === undefined || n < 0) throw bad(line, 'file size must be an integer');
    node.size = n;
  }
  if (modified !== undefined) {
    const t = integer(modified);
    if (t === undefined) throw bad(line, 'file modified must be an unix timestamp');
    node.modified = t;
  }
  return node;
}

/**
 * The tree a URL structure declares (OpenList's BuildTree): two spaces of indentation per level,
 * a line ending with ":" is a folder, any other line a file; blank lines are skipped.
 */
export function buildTree(text: string): UrlNode {
  const root: UrlNode = { name: '', level: -1, children: [] };
  const stack: UrlNode[] = [root];
  for (const raw of text.split('\n')) {
    let indent = 0;
    while (indent < raw.length && raw[indent] === ' ') indent++;
    const line = raw.slice(indent).trim();
    if (indent % 2 !== 0) throw new FsError('invalid_input', `url_structure: the line '${raw}' is not a multiple of 2`);
    if (line === '') continue;
    const level = indent / 2;
    while (level <= (stack[stack.length - 1] as UrlNode).level) stack.pop();
    const parent = stack[stack.length - 1] as UrlNode;
    if (line.endsWith(':')) {
      const folder: UrlNode = { name: line.slice(0, -1), level, children: [] };
      parent.children.push(folder);
      stack.push(folder);
    } else {
      const file = parseFileLine(line);
      file.level = level;
      parent.children.push(file);
    }
  }
  return root;
}

/** The node at a storage-relative path ("" is the root): the first child of each name, as OpenList looks up. */
export function nodeAt(root: UrlNode, rel: string): UrlNode | undefined {
  let node: UrlNode | undefined = root;
  if (rel === '') return node;
  for (const part of rel.split('/')) {
    if (!node || node.url !== undefined) return undefined;
    node = node.children.find((c) => c.name === part);
  }
  return node;
}

/** Every file node below `node`. */
export function filesOf(node: UrlNode): UrlNode[] {
  if (node.url !== undefined) return [node];
  return node.children.flatMap(filesOf);
}

/** A folder's size: the sum of the known sizes below it (OpenList's calSize). */
export function sizeOf(node: UrlNode): number {
  if (node.url !== undefined) return node.size ?? 0;
  return node.children.reduce((sum, c) => sum + sizeOf(c), 0);
}
