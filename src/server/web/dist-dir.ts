import type { SettingsService } from '../../settings/settings-service.js';

/** OpenList's own logo URLs in its frontend's index.html, replaced by the `favicon` and `logo` settings. */
const OPENLIST_FAVICON = 'https://res.oplist.org/logo/logo.svg';
const OPENLIST_LOGO_PNG = 'https://res.oplist.org/logo/logo.png';

/** Headers for another frontend build: it has inline scripts and outside previewers, so no CSP of ours. */
export const DIST_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A JavaScript string literal safe inside a <script> element. */
function jsString(text: string): string {
  return JSON.stringify(text).replace(/</g, '\\u003c');
}

/** Replaces the first `from` only, as OpenList's server does (strings.Replace with n = 1). */
function replaceOnce(html: string, from: string, to: string): string {
  const at = html.indexOf(from);
  return at < 0 ? html : html.slice(0, at) + to + html.slice(at + from.length);
}

export interface SiteFill {
  /** The site's base path: `/`, or site_url's path without a trailing slash. */
  basePath: string;
  /** site_url when set: AList's frontends take their API origin from it. */
  apiUrl: string;
}

/** The base path and API URL a frontend is told about, from `site_url`. */
export function siteFill(siteUrl: string): SiteFill {
  if (siteUrl === '') return { basePath: '/', apiUrl: '' };
  const path = new URL(siteUrl).pathname.replace(/\/+$/, '');
  return { basePath: path === '' ? '/' : path, apiUrl: siteUrl.replace(/\/+$/, '') };
}

/**
 * index.html of an OpenList (or AList) frontend build filled in as OpenList's server fills it:
 * `window.OPENLIST_CONFIG`/`window.ALIST` get `cdn` (empty: assets from this server),
 * `base_path` and `main_color` (and `api` when site_url is set), the title becomes `site_title`,
 * OpenList's logo URLs become the `favicon` and `logo` settings, and the manifest link follows the
 * base path.
 */
export function fillIndex(raw: string, settings: SettingsService, site: SiteFill): string {
  let html = raw;
  html = replaceOnce(html, 'cdn: undefined', `cdn: ${jsString('')}`);
  html = replaceOnce(html, 'base_path: undefined', `base_path: ${jsString(site.basePath)}`);
  if (site.apiUrl !== '') html = replaceOnce(html, 'api: undefined', `api: ${jsString(site.apiUrl)}`);
  html = replaceOnce(html, 'main_color: undefined', `main_color: ${jsString(settings.get('main_color'))}`);
  if (site.basePath !== '/') html = replaceOnce(html, 'href="/manifest.json"', `href="${escapeHtml(site.basePath)}/manifest.json"`);
  const favicon = settings.get('favicon');
  const logo = settings.get('logo').split('\n')[0] ?? '';
  if (favicon !== '') html = replaceOnce(html, OPENLIST_FAVICON, escapeHtml(favicon));
  if (logo !== '') html = replaceOnce(html, OPENLIST_LOGO_PNG, escapeHtml(logo));
  return replaceOnce(html, 'Loading...', escapeHtml(settings.get('site_title')));
}

/** OpenList's generated /manifest.json: the site's title and logo, scoped to the base path. */
export function manifest(settings: SettingsService, site: SiteFill) {
  const logo = settings.get('logo').split('\n')[0] ?? '';
  return {
    display: 'standalone',
    scope: site.basePath,
    start_url: site.basePath,
    name: settings.get('site_title'),
    icons: [{ src: logo, sizes: '512x512', type: 'image/png' }],
  };
}
