import type { TestServer } from './server.js';

export interface Envelope<T = unknown> {
  code: number;
  message: string;
  data: T;
}

/** A small AList-style client: raw `Authorization` header, JSON bodies, envelope replies. */
export class ApiClient {
  constructor(readonly base: string, public token = '') {}

  static for(server: TestServer, token = ''): ApiClient {
    return new ApiClient(server.url, token);
  }

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Envelope<T>> {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: this.token } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status} for ${method} ${path}: ${await res.text()}`);
    return (await res.json()) as Envelope<T>;
  }

  post<T = any>(path: string, body: unknown = {}): Promise<Envelope<T>> {
    return this.call<T>('POST', path, body);
  }

  get<T = any>(path: string): Promise<Envelope<T>> {
    return this.call<T>('GET', path);
  }

  async login(username = 'admin', password = 'admin-test-pass'): Promise<string> {
    const r = await this.post<{ token: string }>('/api/auth/login', { username, password });
    if (r.code !== 200) throw new Error(`login failed: ${r.message}`);
    this.token = r.data.token;
    return this.token;
  }

  /** PUT /api/fs/put with AList's headers. */
  async put(path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<Envelope<any>> {
    const res = await fetch(this.base + '/api/fs/put', {
      method: 'PUT',
      headers: { 'file-path': encodeURIComponent(path), ...(this.token ? { authorization: this.token } : {}), ...headers },
      body,
    });
    return (await res.json()) as Envelope<any>;
  }
}
