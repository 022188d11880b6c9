/** The public API's envelope: HTTP 200 with `{code, message, data}`. */
export interface Envelope<T> {
  code: number;
  message: string;
  data: T;
}

/** A failure the API reported (its code and message) or a network/HTTP failure (code 0). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const TOKEN_KEY = 'filebridge.token';

export function getToken(): string {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setToken(token: string): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

export function authHeaders(): Record<string, string> {
  const t = getToken();
  return t ? { authorization: t } : {};
}

/** Calls the API; resolves with `data` when code is 200, rejects with ApiError otherwise. */
export async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...authHeaders() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, `The server could not be reached (${(err as Error).message}).`);
  }
  if (!res.ok) throw new ApiError(res.status, `The server answered HTTP ${res.status} ${res.statusText}.`);
  let env: Envelope<T>;
  try {
    env = (await res.json()) as Envelope<T>;
  } catch {
    throw new ApiError(res.status, 'The server sent a reply that is not JSON.');
  }
  if (env.code !== 200) throw new ApiError(env.code, env.message || `error ${env.code}`, env.data);
  return env.data;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => call<T>('POST', path, body);

/** Encodes a virtual path for a URL, segment by segment. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function joinPath(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, '')}/${name}`;
}

export function parentOf(path: string): string {
  const i = path.replace(/\/+$/, '').lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() ?? '';
}

/** A same-origin, always-proxied URL for previews (CSP allows only self). */
export function proxyUrl(path: string, sign: string): string {
  return `/p${encodePath(path)}${sign ? `?sign=${encodeURIComponent(sign)}` : ''}`;
}

/** The download link (may redirect to the storage). */
export function downloadUrl(path: string, sign: string): string {
  return `/d${encodePath(path)}${sign ? `?sign=${encodeURIComponent(sign)}` : ''}`;
}
