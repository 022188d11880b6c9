import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppDeps } from '../deps.js';

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
  /** The built UI (default: web/dist beside the package). */
  root?: string;
}

/** web/dist, found from this module (src/server/web or dist/server/web). */
function defaultRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist');
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
  const root = options.root ?? defaultRoot();
  return {
    accepts: (method, path) => (method === 'GET' || method === 'HEAD') && !isOtherDoor(deps, path),
    send: async (reply) => {
      let html = NOT_BUILT;
      try {
        html = await readFile(join(root, 'index.html'), 'utf8');
      } catch {
        /* not built: the notice above */
      }
      return reply.code(200).headers({ ...UI_HEADERS, 'cache-control': 'no-cache' }).type('text/html; charset=utf-8').send(html);
    },
  };
}

/** Serves the built UI's files at `/`; without a build, `/` answers with a notice. */
export function webRoutes(deps: AppDeps, options: WebOptions = {}) {
  const root = options.root ?? defaultRoot();
  const fallback = spaFallback(deps, { root });
  return async (app: FastifyInstance) => {
    if (!existsSync(join(root, 'index.html'))) {
      app.get('/', (_req, reply) => fallback.send(reply));
      return;
    }
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: false,
      decorateReply: false,
      setHeaders: (reply: FastifyReply, path: string) => {
        reply.headers(UI_HEADERS);
        reply.header('cache-control', path.startsWith(join(root, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    app.get('/', (_req, reply) => fallback.send(reply));
  };
}
