import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { DIST_HEADERS, fillIndex, manifest, siteFill } from './dist-dir.js';

/**
 * Security headers for the UI. Styles allow inline because the component library sets CSS
 * variables in style attributes; previews load only same-origin (/p) URLs, blobs and data URLs.
 */
export const UI_HEADERS: Record<string, string> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob: data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/** Paths that belong to other front doors and never fall back to the UI. */
const NOT_UI = /^\/(api|d|p|dav|ping|healthz|readyz|metrics)(\/|$)/;

function isOtherDoor(deps: AppDeps, path: string): boolean {
  const dav = deps.config.webdav_prefix.replace(/\/+$/, '') || '/dav';
  return NOT_UI.test(path) || path === dav || path.startsWith(`${dav}/`);
}

export interface WebOptions {
  /** The built UI (default: the `dist_dir` config key, else web/dist beside the package). */
  root?: string;
}

/** web/dist, found from this module (src/server/web or dist/server/web). */
function defaultRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist');
}

/** Where the UI comes from, and whether it is another frontend (dist_dir) to fill in as OpenList does. */
function uiSource(deps: AppDeps, options: WebOptions): { root: string; foreign: boolean } {
  if (options.root !== undefined) return { root: options.root, foreign: false };
  if (deps.config.dist_dir !== '') return { root: resolve(deps.config.dist_dir), foreign: true };
  return { root: defaultRoot(), foreign: false };
}

const NOT_BUILT = `<!doctype html><html><head><meta charset="utf-8"><title>Filebridge</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>Filebridge</h1><p>The web UI has not been built. Run <code>npm run build:web</code> (or <code>npm install</code>) and restart the server.</p>
<p>The API answers under <code>/api</code> and WebDAV under <code>/dav</code>.</p></body></html>`;

export interface SpaFallback {
  /** Whether a request the router did not match should get the UI's index.html. */
  accepts(method: string, path: string): boolean;
  send(reply: FastifyReply): Promise<FastifyReply>;
}

/** The single-page app's fallback: client-side routes (e.g. /docs/a.txt) answer with index.html. */
export function spaFallback(deps: AppDeps, options: WebOptions = {}): SpaFallback {
  const { root, foreign } = uiSource(deps, options);
  // Another frontend's index.html is filled from the settings: made again when they change.
  let filled: { revision: number; html: string } | undefined;
  const page = async (): Promise<string> => {
    const raw = await readFile(join(root, 'index.html'), 'utf8');
    if (!foreign) return raw;
    if (filled?.revision !== deps.settings.revision) filled = { revision: deps.settings.revision, html: fillIndex(raw, deps.settings, siteFill(deps.config.site_url)) };
    return filled.html;
  };
  return {
    accepts: (method, path) => (method === 'GET' || method === 'HEAD') && !isOtherDoor(deps, path),
    send: async (reply) => {
      let html = NOT_BUILT;
      try {
        html = await page();
      } catch {
        /* not built: the notice above */
      }
      return reply.code(200).headers({ ...(foreign ? DIST_HEADERS : UI_HEADERS), 'cache-control': 'no-cache' }).type('text/html; charset=utf-8').send(html);
    },
  };
}

/**
 * Every file below `root` as a `/`-separated path relative to it, following links and leaving
 * out dot-files and dot-folders: the routes @fastify/static makes with `wildcard: false`, found
 * without its glob (which cost more at start-up than the whole UI has files).
 */
function filesUnder(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, rel))) {
    if (name.startsWith('.')) continue;
    const path = rel === '' ? name : `${rel}/${name}`;
    const stat = statSync(join(root, path), { throwIfNoEntry: false });
    if (stat?.isDirectory()) out.push(...filesUnder(root, path));
    else if (stat?.isFile()) out.push(path);
  }
  return out;
}

/**
 * Serves the built UI's files at `/`; without a build, `/` answers with a notice. With `dist_dir`,
 * another frontend's build is served instead (a folder without index.html stops the start).
 */
export function webRoutes(deps: AppDeps, options: WebOptions = {}) {
  const { root, foreign } = uiSource(deps, options);
  const fallback = spaFallback(deps, options);
  const headers = foreign ? DIST_HEADERS : UI_HEADERS;
  return async (app: FastifyInstance) => {
    if (foreign && !existsSync(join(root, 'index.html'))) throw new Error(`dist_dir: ${root} has no index.html (give the folder of a frontend build, e.g. the dist/ of @openlist-frontend/openlist-frontend)`);
    if (!existsSync(join(root, 'index.html'))) {
      app.get('/', (_req, reply) => fallback.send(reply));
      return;
    }
    // The plugin only decorates replies with sendFile here (`serve: false`); the routes, one per
    // file as with `wildcard: false`, are made below.
    await app.register(fastifyStatic, {
      root,
      serve: false,
      index: false,
      setHeaders: (reply: FastifyReply, path: string) => {
        reply.headers(headers);
        reply.header('cache-control', path.startsWith(join(root, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    // As @fastify/static's own file routes: a client gone mid-file ends its socket quietly.
    const errorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      if (error.code === 'ERR_STREAM_PREMATURE_CLOSE') return void request.raw.destroy();
      return app.errorHandler(error, request, reply);
    };
    const files = filesUnder(root);
    for (const file of files) {
      // index.html is the page every client route gets (filled in for another frontend).
      if (file === 'index.html') app.get('/index.html', (_req, reply) => fallback.send(reply));
      else app.route({ method: ['HEAD', 'GET'], url: `/${file}`, errorHandler, handler: (_req, reply) => reply.sendFile(`/${file}`, root) });
    }
    if (foreign && !files.includes('manifest.json')) {
      app.get('/manifest.json', (_req, reply) => reply.header('cache-control', 'public, max-age=3600').send(manifest(deps.settings, siteFill(deps.config.site_url))));
    }
    app.get('/', (_req, reply) => fallback.send(reply));
  };
}
