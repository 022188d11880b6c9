import type { FastifyReply, FastifyRequest } from 'fastify';
import { create as contentDisposition } from 'content-disposition';
import { contentType } from '../../lib/mime.js';
import parseRange from 'range-parser';
import type { ReadResult } from '../../core/virtual-fs.js';

export interface ServedFile {
  name: string;
  size: number;
  mtime?: Date;
  /** Opens the content, for the given inclusive range or the whole file. */
  open(range: { start: number; end: number } | undefined, signal: AbortSignal): Promise<ReadResult>;
}

export interface ServeOptions {
  disposition?: 'attachment' | 'inline';
  /** Extra response headers (e.g. DAV headers). */
  headers?: Record<string, string>;
}

/** File extensions a browser may run as a document or script, whatever type they are sent with. */
const ACTIVE_EXTENSIONS: ReadonlySet<string> = new Set(['html', 'htm', 'shtml', 'xhtml', 'xht', 'svg', 'svgz', 'xml', 'xsl', 'xslt', 'js', 'mjs', 'cjs']);

/** Media types a browser renders as an active document (script, frames, forms) or runs as script. */
function isActiveType(mime: string): boolean {
  const type = (mime.split(';')[0] ?? '').trim().toLowerCase();
  const slash = type.indexOf('/');
  const subtype = slash < 0 ? '' : type.slice(slash + 1);
  return (
    type === 'text/html' ||
    type === 'image/svg+xml' ||
    type === 'application/xhtml+xml' ||
    subtype === 'xml' ||
    subtype.endsWith('+xml') ||
    subtype === 'javascript' ||
    subtype === 'ecmascript' ||
    subtype.endsWith('-javascript')
  );
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** True when the file, opened in a browser, could run script: it is then sandboxed. */
export function isActiveContent(name: string, mime: string): boolean {
  return ACTIVE_EXTENSIONS.has(extensionOf(name)) || isActiveType(mime);
}

/**
 * Headers that keep user content from running on this server's origin: never sniffed into
 * another type, and active types (HTML, SVG, XML, scripts) in a sandbox with a unique origin and
 * no scripts, so an uploaded page cannot read the UI's storage or call the API as its viewer.
 * Passive types (images, video, text) stay viewable inline for previews.
 */
function contentSafetyHeaders(reply: FastifyReply, name: string, mime: string): void {
  reply.header('X-Content-Type-Options', 'nosniff');
  if (isActiveContent(name, mime)) reply.header('Content-Security-Policy', 'sandbox');
}

export function etagOf(size: number, mtime: Date | undefined): string {
  return `"${size.toString(16)}-${(mtime?.getTime() ?? 0).toString(16)}"`;
}

function matches(list: string, etag: string): boolean {
  if (list.trim() === '*') return true;
  const weak = (t: string) => t.trim().replace(/^W\//, '');
  return list.split(',').some((t) => weak(t) === weak(etag));
}

/** RFC 7232 preconditions: 412 for failed If-Match / If-Unmodified-Since, 304 for If-None-Match / If-Modified-Since. */
function precondition(req: FastifyRequest, etag: string, mtime: Date | undefined): 200 | 304 | 412 {
  const h = req.headers;
  const seconds = mtime ? Math.floor(mtime.getTime() / 1000) : undefined;
  if (h['if-match'] && !matches(h['if-match'], etag)) return 412;
  if (!h['if-match'] && h['if-unmodified-since'] && seconds !== undefined) {
    const since = Date.parse(h['if-unmodified-since']);
    if (!Number.isNaN(since) && seconds > Math.floor(since / 1000)) return 412;
  }
  const safe = req.method === 'GET' || req.method === 'HEAD';
  if (h['if-none-match']) return matches(h['if-none-match'], etag) ? (safe ? 304 : 412) : 200;
  if (safe && h['if-modified-since'] && seconds !== undefined) {
    const since = Date.parse(h['if-modified-since']);
    if (!Number.isNaN(since) && seconds <= Math.floor(since / 1000)) return 304;
  }
  return 200;
}

/** The single range to serve, undefined for the whole file, or 'unsatisfiable'. */
function requestedRange(req: FastifyRequest, size: number, etag: string, mtime: Date | undefined) {
  const header = req.headers.range;
  if (!header) return undefined;
  const ifRange = req.headers['if-range'] as string | undefined;
  if (ifRange) {
    const fresh = ifRange.startsWith('"') || ifRange.startsWith('W/') ? ifRange === etag : mtime !== undefined && Date.parse(ifRange) >= Math.floor(mtime.getTime() / 1000) * 1000;
    if (!fresh) return undefined;
  }
  const parsed = parseRange(size, header, { combine: true });
  if (parsed === -1) return 'unsatisfiable' as const;
  if (parsed === -2 || parsed.type !== 'bytes' || parsed.length !== 1) return undefined;
  const r = parsed[0];
  return r ? { start: r.start, end: r.end } : undefined;
}

/**
 * Serves a file with Range (single), ETag, Last-Modified and conditional requests; streams with
 * back-pressure and releases the upstream when the client goes away. Every door serving file
 * bytes comes here, so each answer carries the content safety headers.
 */
export async function serveFile(req: FastifyRequest, reply: FastifyReply, file: ServedFile, options: ServeOptions = {}) {
  const etag = etagOf(file.size, file.mtime);
  const mime = contentType(file.name) || 'application/octet-stream';
  reply.header('Accept-Ranges', 'bytes').header('ETag', etag);
  if (file.mtime) reply.header('Last-Modified', file.mtime.toUTCString());
  for (const [k, v] of Object.entries(options.headers ?? {})) reply.header(k, v);
  contentSafetyHeaders(reply, file.name, mime);
  const pre = precondition(req, etag, file.mtime);
  if (pre !== 200) return reply.code(pre).send();
  reply.header('Content-Type', mime);
  reply.header('Content-Disposition', contentDisposition(file.name, { type: options.disposition ?? 'attachment' }));
  const range = requestedRange(req, file.size, etag, file.mtime);
  if (range === 'unsatisfiable') {
    return reply.code(416).header('Content-Range', `bytes */${file.size}`).send();
  }
  if (req.method === 'HEAD') {
    if (range) reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
    return reply.header('Content-Length', range ? range.end - range.start + 1 : file.size).send();
  }
  const abort = new AbortController();
  const r = await file.open(range, abort.signal);
  reply.raw.once('close', () => {
    abort.abort();
    r.stream.destroy();
  });
  if (range && r.range) {
    reply.code(206).header('Content-Range', `bytes ${r.range.start}-${r.range.end}/${r.size}`);
    reply.header('Content-Length', r.range.end - r.range.start + 1);
  } else {
    reply.code(200).header('Content-Length', r.size);
  }
  return reply.send(r.stream);
}
