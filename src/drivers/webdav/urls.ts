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
    const full = path === '' ? this.basePath : `${this.basePath}/${path}`;
    const encoded = full
      .split('/')
      .map((s) => encodeURIComponent(s))
      .join('/');
    return this.origin + encoded + (options.dir || path === '' ? '/' : '');
  }

  /** The driver path of a decoded href path, or undefined when it lies outside the root. */
  relOf(decoded: string): string | undefined {
    if (decoded === this.basePath) return '';
    if (!decoded.startsWith(`${this.basePath}/`)) return undefined;
    return decoded.slice(this.basePath.length + 1);
  }
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

const TEMP_NAME = /^\.filebridge-upload-[0-9a-f-]{36}\.tmp$/;

/** True for the hidden temp names uploads use before they are moved into place. */
export function isUploadTemp(name: string): boolean {
  return TEMP_NAME.test(name);
}
