/**
 * The conformance suite over Alias, built on a real server's tree (DriverContext.tree) as an
 * Alias mount is: over one Local folder, over two Local mounts merged with every change made in
 * both (the "all" policies), and over a WebDav mount backed by `rclone serve webdav`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { treeFor } from '../../src/core/tree.js';
import { aliasDriver } from '../../src/drivers/alias/alias.js';
import { createTestContext } from '../conformance/context.js';
import { runDriverConformance } from '../conformance/driver.suite.js';
import { startTestServer } from '../helpers/server.js';
import { startRcloneWebdav } from '../servers/rclone.js';

const local = (mountPath: string, root: string) => ({ mountPath, driver: 'Local', addition: JSON.stringify({ root_folder_path: root }) });

async function aliasOver(storages: ReturnType<typeof local>[], options: Record<string, unknown>, extra: () => Promise<void>, roots: string[]) {
  const server = await startTestServer({ storages });
  const { ctx, cleanup } = await createTestContext();
  ctx.tree = treeFor(() => server.fs, '/alias');
  const driver = aliasDriver.create(aliasDriver.schema.parse(options), ctx);
  return {
    driver,
    facts: aliasDriver.facts,
    cleanup: async () => {
      await cleanup();
      await server.stop();
      await extra();
      for (const r of roots) await rm(r, { recursive: true, force: true });
    },
  };
}

runDriverConformance('Alias over Local: one folder, first policies', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-alias-'));
  const options = { paths: '/plain', write_conflict_policy: 'first', put_conflict_policy: 'first' };
  return aliasOver([local('/plain', root)], options, async () => undefined, [root]);
});

runDriverConformance('Alias over two Local mounts merged, every change in both (all policies, all reads)', async () => {
  const a = await mkdtemp(path.join(os.tmpdir(), 'filebridge-alias-a-'));
  const b = await mkdtemp(path.join(os.tmpdir(), 'filebridge-alias-b-'));
  const options = { paths: 'both:/a\nboth:/b', read_conflict_policy: 'all', write_conflict_policy: 'all', put_conflict_policy: 'all', file_consistency_check: true };
  return aliasOver([local('/a', a), local('/b', b)], options, async () => undefined, [a, b]);
});

runDriverConformance('Alias over WebDav (rclone serve webdav): one folder, deterministic policies', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'filebridge-alias-dav-'));
  const dav = await startRcloneWebdav(root, { user: 'u', pass: 'p' });
  const storages = [{ mountPath: '/dav', driver: 'WebDav', addition: JSON.stringify({ address: dav.url, username: 'u', password: 'p' }) }];
  const options = { paths: '/dav', write_conflict_policy: 'deterministic', put_conflict_policy: 'deterministic' };
  return aliasOver(storages, options, () => dav.close(), [root]);
});
