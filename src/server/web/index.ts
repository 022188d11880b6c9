import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/** Serves the built UI's files at `/`; without a build, `/` answers with a notice. */
export function webRoutes(deps: AppDeps, options: WebOptions = {}) {
  const root = options.root ?? defaultRoot();
  const fallback = spaFallback(deps, { root });
  return async (app: FastifyInstance) => {
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
        reply.headers(UI_HEADERS);
        reply.header('cache-control', path.startsWith(join(root, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    // As @fastify/static's own file routes: a client gone mid-file ends its socket quietly.
    const errorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      if (error.code === 'ERR_STREAM_PREMATURE_CLOSE') return void request.raw.destroy();
      return app.errorHandler(error, request, reply);
    };
    for (const file of filesUnder(root)) {
      app.route({ method: ['HEAD', 'GET'], url: `/${file}`, errorHandler, handler: (_req, reply) => reply.sendFile(`/${file}`, root) });
    }
    app.get('/', (_req, reply) => fallback.send(reply));
  };
}
