import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestServer, type TestServerOptions, startTestServer, waitFor } from '../helpers/server.js';

export const ADMIN = { user: 'admin', pass: 'admin-test-pass' };

export function basic(user: string, pass: string): string {
  return 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
}

export interface DavCall {
  headers?: Record<string, string>;
  body?: string | Buffer | ReadableStream;
  /** Authorization header value; default admin Basic; '' for none. */
  auth?: string;
}

export interface DavResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** One raw WebDAV request (fetch allows the extension methods). */
export async function dav(base: string, method: string, path: string, call: DavCall = {}): Promise<DavResponse> {
  const auth = call.auth ?? basic(ADMIN.user, ADMIN.pass);
  const res = await fetch(base + path, {
    method,
    headers: { ...(auth ? { authorization: auth } : {}), ...call.headers },
    body: call.body as RequestInit['body'],
    redirect: 'manual',
    ...(call.body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** A server with a Local storage mounted at `/` (its folder returned as `root`). */
export async function startDavServer(
  options: TestServerOptions & { extraMounts?: string[] } = {},
): Promise<{ server: TestServer; root: string; mounts: Record<string, string>; stop(): Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'filebridge-dav-'));
  const mounts: Record<string, string> = {};
  const storages = [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) }];
  for (const m of options.extraMounts ?? []) {
    const dir = mkdtempSync(join(tmpdir(), 'filebridge-dav-m-'));
    mkdirSync(dir, { recursive: true });
    mounts[m] = dir;
    storages.push({ mountPath: m, driver: 'Local', addition: JSON.stringify({ root_folder_path: dir }) });
  }
  const server = await startTestServer({ ...options, storages: [...storages, ...(options.storages ?? [])] });
  // A storage answers once it is ready; before that core says storage_unavailable.
  const ready = (dir: string) => server.fs.exists(`${dir === '/' ? '' : dir}/.ready-probe`).then(() => true, () => false);
  await waitFor(async () => (await Promise.all(['/', ...Object.keys(mounts)].map(ready))).every(Boolean), 10_000, 'storages ready');
  const stop = async () => {
    await server.stop();
    for (const dir of [root, ...Object.values(mounts)]) rmSync(dir, { recursive: true, force: true });
  };
  return { server, root, mounts, stop };
}

/** The hrefs of a multistatus body, in order (still percent-encoded). */
export function hrefs(xml: string): string[] {
  return [...xml.matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => m[1] ?? '');
}
