/**
 * The conformance suite's read-only sections over UrlTree: its URLs point at a real server's /d
 * links, over a Local mount (sizes written in the text) and over a WebDav mount backed by rclone
 * serve webdav (no sizes: head_size asks the server). A seeded file is written to that storage
 * and a line added to the text; the driver under test is then the UrlTree of the new text.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Driver } from '../../src/core/storage/index.js';
import { NO_SITE } from '../../src/core/storage/empty-tree.js';
import { urlTreeDriver } from '../../src/drivers/url-tree/url-tree.js';
import { createTestContext } from '../conformance/context.js';
import { runDriverConformance } from '../conformance/driver.suite.js';
import { bodyOf } from '../conformance/helpers.js';
import { ApiClient } from '../helpers/api.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startRcloneWebdav } from '../servers/rclone.js';

type Item = { dir: true } | { dir: false; size: number };

/** The URL structure of `items` (relative paths), files as name[:size]:url under their folders. */
function structure(items: Map<string, Item>, urlOf: (rel: string) => string, sizes: boolean): string {
  const lines: string[] = [];
  const walk = (dir: string, level: number) => {
    const kids = [...items.keys()].filter((p) => p !== dir && (dir === '' ? !p.includes('/') : p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/')));
    for (const p of kids.sort()) {
      const it = items.get(p) as Item;
      const name = p.slice(p.lastIndexOf('/') + 1);
      const pad = '  '.repeat(level);
      if (it.dir) {
        lines.push(`${pad}${name}:`);
        walk(p, level + 1);
      } else lines.push(`${pad}${name}:${sizes ? `${it.size}:` : ''}${urlOf(p)}`);
    }
  };
  walk('', 0);
  return lines.join('\n');
}

/** A UrlTree over `folder` of the server, rebuilt from a new text after each seed. */
async function urlTreeOver(server: TestServer, folder: string, options: { sizes: boolean }, close: () => Promise<void>) {
  const api = ApiClient.for(server);
  await api.login();
  // Plain /d links: the URLs of the text carry no sign.
  expect200(await api.post('/api/admin/setting/save', [{ key: 'sign_all', value: 'false' }]));
  const { ctx, cleanup } = await createTestContext();
  // The test server listens on loopback: allowed here as an administrator allows it.
  ctx.site = { ...NO_SITE, allowPrivateAddresses: () => true };
  const items = new Map<string, Item>();
  const urlOf = (rel: string) => `${server.url}/d${folder}/${rel.split('/').map(encodeURIComponent).join('/')}`;
  // An empty tree to start with: a text of blank lines.
  let current: Driver = urlTreeDriver.create(urlTreeDriver.schema.parse({ url_structure: '\n' }), ctx);
  const rebuild = async () => {
    const next = urlTreeDriver.create(urlTreeDriver.schema.parse({ url_structure: structure(items, urlOf, options.sizes) || '\n', head_size: !options.sizes }), ctx);
    await next.init?.(AbortSignal.timeout(30_000));
    current = next;
  };
  const addParents = (rel: string) => {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) items.set(parts.slice(0, i).join('/'), { dir: true });
  };
  const driver: Driver = {
    init: () => rebuild(),
    stat: (p) => current.stat(p),
    list: (p, o) => current.list(p, o),
    read: (p, o) => current.read(p, o),
    link: (p) => (current.link as NonNullable<Driver['link']>).call(current, p),
  };
  return {
    driver,
    facts: urlTreeDriver.facts,
    seed: {
      put: async (rel: string, data: Buffer) => {
        await server.fs.write(`${folder}/${rel}`, bodyOf(data), { size: data.length });
        addParents(rel);
        items.set(rel, { dir: false, size: data.length });
        await rebuild();
      },
      mkdir: async (rel: string) => {
        await server.fs.mkdir(`${folder}/${rel}`, { createParents: true });
        addParents(rel);
        items.set(rel, { dir: true });
        await rebuild();
      },
    },
    cleanup: async () => {
      await cleanup();
      await server.stop();
      await close();
    },
  };
}

function expect200(r: { code: number; message: string }): void {
  if (r.code !== 200) throw new Error(`setting refused: ${r.message}`);
}

runDriverConformance('UrlTree of /d links over Local, sizes in the text', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-urltree-'));
  const server = await startTestServer({ storages: [{ mountPath: '/files', driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) }] });
  return urlTreeOver(server, '/files', { sizes: true }, () => rm(root, { recursive: true, force: true }));
});

runDriverConformance('UrlTree of /d links over WebDav (rclone serve webdav), sizes by HEAD', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-urltree-dav-'));
  const dav = await startRcloneWebdav(root, { user: 'u', pass: 'p' });
  const server = await startTestServer({ storages: [{ mountPath: '/dav', driver: 'WebDav', addition: JSON.stringify({ address: dav.url, username: 'u', password: 'p' }) }] });
  return urlTreeOver(server, '/dav', { sizes: false }, async () => {
    await dav.close();
    await rm(root, { recursive: true, force: true });
  });
});
