import type { IncomingMessage } from 'node:http';
import { XMLParser, XMLValidator } from '../../lib/fast-xml.js';
import { DavError } from './errors.js';

/** An element with its namespace resolved (clients pick arbitrary prefixes). */
export interface XmlElement {
  ns: string;
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

export const DAV_NS = 'DAV:';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
/** Largest XML request body (PROPFIND, PROPPATCH, LOCK). */
export const XML_BODY_LIMIT = 1024 * 1024;
/** Deepest element nesting accepted in a request body; no WebDAV body needs more than a handful. */
export const XML_MAX_DEPTH = 64;

type RawNode = Record<string, unknown>;

function parser(): XMLParser {
  return new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: true,
    htmlEntities: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: XML_MAX_DEPTH,
  });
}

function badXml(message: string): DavError {
  return new DavError(400, `invalid XML body: ${message}`);
}

function resolveElement(raw: RawNode, scope: Map<string, string>): XmlNode | undefined {
  if ('#text' in raw) return String(raw['#text']);
  const tag = Object.keys(raw).find((k) => k !== ':@');
  if (tag === undefined || tag.startsWith('?') || tag.startsWith('!')) return undefined;
  const rawAttrs = (raw[':@'] ?? {}) as Record<string, string>;
  const local = new Map(scope);
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns') local.set('', v);
    else if (k.startsWith('xmlns:')) {
      if (v === '') throw badXml(`namespace prefix ${k.slice(6)} is bound to an empty name`);
      local.set(k.slice(6), v);
    } else attrs[k] = v;
  }
  const colon = tag.indexOf(':');
  const prefix = colon < 0 ? '' : tag.slice(0, colon);
  const name = colon < 0 ? tag : tag.slice(colon + 1);
  const ns = prefix === 'xml' ? XML_NS : local.get(prefix);
  if (ns === undefined) {
    if (prefix !== '') throw badXml(`undeclared namespace prefix ${prefix}`);
  }
  const children: XmlNode[] = [];
  for (const child of (raw[tag] ?? []) as RawNode[]) {
    const node = resolveElement(child, local);
    if (node !== undefined) children.push(node);
  }
  return { ns: ns ?? '', name, attrs, children };
}

/** Parses a request body: well-formedness and namespaces checked; DTDs refused (no entity tricks). */
export function parseXml(text: string): XmlElement {
  if (/<!DOCTYPE/i.test(text)) throw badXml('document type declarations are not accepted');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw badXml(valid.err.msg);
  let parsed: RawNode[];
  try {
    parsed = parser().parse(text) as RawNode[];
  } catch (err) {
    // The parser's own limits (nesting depth) and anything the validator let through: the client's fault.
    const message = err instanceof Error ? err.message : String(err);
    throw badXml(/nested/i.test(message) ? `elements nested deeper than ${XML_MAX_DEPTH} levels` : message);
  }
  const roots = parsed
    .map((n) => resolveElement(n, new Map([['', '']])))
    .filter((n): n is XmlElement => typeof n === 'object');
  const root = roots[0];
  if (!root || roots.length > 1) throw badXml('expected exactly one root element');
  return root;
}

export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c === 'object');
}

export function findChild(el: XmlElement, ns: string, name: string): XmlElement | undefined {
  return childElements(el).find((c) => c.ns === ns && c.name === name);
}

export function isDav(el: XmlElement, name: string): boolean {
  return el.ns === DAV_NS && el.name === name;
}

export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(s: string): string {
  return /[&<>"']/.test(s) ? s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c) : s;
}

function serializeNode(node: XmlNode): string {
  if (typeof node === 'string') return escapeXml(node);
  const attrs = Object.entries(node.attrs)
    .filter(([k]) => !k.includes(':') || k.startsWith('xml:'))
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  const inner = node.children.map(serializeNode).join('');
  return `<${node.name} xmlns="${escapeXml(node.ns)}"${attrs}>${inner}</${node.name}>`;
}

/** The content of an element as self-contained XML: every element declares its own namespace. */
export function innerXml(el: XmlElement): string {
  return el.children.map(serializeNode).join('');
}

/** True when the request announces a body (Content-Length > 0 or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  if (len !== undefined) return Number(len) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** Reads a small request body, refusing more than `limit` bytes with 413 (and closing the connection). */
export async function readBody(req: IncomingMessage, limit = XML_BODY_LIMIT): Promise<string> {
  if (!hasBody(req)) return '';
  const tooLarge = () => new DavError(413, 'request body too large', undefined, { Connection: 'close' });
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData).off('end', onEnd);
        req.pause();
        reject(tooLarge());
      } else chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

/** Reads and parses an optional XML body; undefined when there is none. */
export async function readXml(req: IncomingMessage): Promise<XmlElement | undefined> {
  const text = await readBody(req);
  if (text.trim() === '') return undefined;
  return parseXml(text);
}
