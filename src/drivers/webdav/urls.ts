import { decodePath } from './propfind.js';

/** Builds request URLs for driver paths and maps (decoded) href paths back to driver paths. */
export class DavUrls {
  readonly origin: string;
  /** Decoded URL path of the storage root, without a trailing slash ("" for the server root). */
  readonly basePath: string;

  constructor(address: string, rootFolderPath: string) {
    const u = new URL(address);
    this.origin = u.origin;
    const segments = [...decodePath(u.pathname).split('/'), ...rootFolderPath.split('/')].filter((s) => s !== '');
    this.basePath = segments.length === 0 ? '' : `/${segments.join('/')}`;
  }

  /** The URL of a driver path; folders get a trailing slash, as many servers expect. */
  url(path: string, options: { dir?: boolean } = {}): string {
    const slash = options.dir || path === '' ? '/' : '';
    if (path === '') return this.rootUrl + slash;
    // Names of unreserved characters only (the usual case) need no encoding.
    return `${this.rootUrl}/${UNRESERVED_PATH.test(path) ? path : encodePath(path)}${slash}`;
  }

  /** The origin and the encoded root folder, without a trailing slash. */
  private get rootUrl(): string {
    return (this.rootUrlValue ??= this.origin + encodePath(this.basePath));
  }

  private rootUrlValue: string | undefined;

  /** The driver path of a decoded href path, or undefined when it lies outside the root. */
  relOf(decoded: string): string | undefined {
    if (decoded === this.basePath) return '';
    if (!decoded.startsWith(`${this.basePath}/`)) return undefined;
    return decoded.slice(this.basePath.length + 1);
  }
}

/** Paths whose every character encodeURIComponent leaves alone (and "/" between names). */
const UNRESERVED_PATH = /^[A-Za-z0-9\-_.!~*'()/]*$/;

function encodePath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

const TEMP_NAME = /^\.filebridge-upload-[0-9a-f-]{36}\.tmp$/;

/** True for the hidden temp names uploads use before they are moved into place. */
export function isUploadTemp(name: string): boolean {
  return TEMP_NAME.test(name);
}
