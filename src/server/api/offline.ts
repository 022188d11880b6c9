import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OfflineKeys } from '../../offline/settings.js';
import { OfflineDownloads } from '../../offline/service.js';
import { DELETE_POLICIES } from '../../offline/tool.js';
import type { AppDeps } from '../deps.js';
import { allow, parseInput, principal, userPath } from './context.js';
import { ApiError, ok } from './errors.js';
import { taskInfo } from './tasks.js';

const AddReq = z.object({
  urls: z.array(z.string()).min(1, 'is required'),
  path: z.string().min(1, 'is required'),
  tool: z.string().min(1, 'is required'),
  // OpenList sends '' for "not chosen": the tool's files go once they are transferred.
  delete_policy: z
    .union([z.enum(DELETE_POLICIES), z.literal('')])
    .default('')
    .transform((p) => (p === '' ? 'delete_on_upload_succeed' : p)),
  password: z.string().default(''),
});
const SetAria2Req = z.object({ uri: z.string().default(''), secret: z.string().default('') });
const SetTransmissionReq = z.object({ uri: z.string().default(''), seedtime: z.union([z.string(), z.number()]).default('0').transform(String) });
const TestReq = z.object({ tool: z.string().min(1, 'is required') });

const admin = { config: { auth: 'admin' as const } };

/**
 * Offline downloads, as OpenList routes them: `POST /api/fs/add_offline_download` queues one
 * `offline_download` task per URL; `set_aria2` and `set_transmission` save a tool's settings and
 * answer whether it can be reached; `/api/admin/offline_download/test` only asks.
 */
export function offlineRoutes(deps: AppDeps) {
  return async (app: FastifyInstance) => {
    const offline = new OfflineDownloads({
      fs: deps.fs,
      store: deps.tasks.store,
      runner: deps.tasks.runner,
      settings: deps.settings,
      dataDir: deps.config.data,
      logger: deps.logger,
    });
    offline.start();
    app.addHook('onClose', async () => offline.stop());

    const probe = async (tool: string): Promise<string> => {
      try {
        return await offline.test(tool);
      } catch (err) {
        throw new ApiError(500, (err as Error).message);
      }
    };

    app.post('/api/fs/add_offline_download', { config: { auth: 'guest' } }, async (req) => {
      const p = principal(req);
      const body = parseInput(AddReq, req);
      const path = userPath(p, body.path);
      allow(deps, req, p, { action: 'offline_download', path, password: body.password });
      const tasks = await offline.add({
        urls: body.urls,
        path,
        tool: body.tool,
        deletePolicy: body.delete_policy,
        creator: { id: p.user.id, name: p.user.username, role: p.user.role },
      });
      return ok({ tasks: tasks.map((t) => taskInfo(t)) });
    });

    app.post('/api/admin/setting/set_aria2', admin, async (req) => {
      const body = parseInput(SetAria2Req, req);
      await deps.settings.save([
        { key: OfflineKeys.aria2Uri, value: body.uri.trim() },
        { key: OfflineKeys.aria2Secret, value: body.secret },
      ]);
      return ok(await probe('aria2'));
    });

    app.post('/api/admin/setting/set_transmission', admin, async (req) => {
      const body = parseInput(SetTransmissionReq, req);
      await deps.settings.save([
        { key: OfflineKeys.transmissionUri, value: body.uri.trim() },
        { key: OfflineKeys.transmissionSeedtime, value: body.seedtime },
      ]);
      await probe('Transmission');
      return ok('ok');
    });

    app.post('/api/admin/offline_download/test', admin, async (req) => {
      const { tool } = parseInput(TestReq, req);
      return ok({ tool, version: await probe(tool) });
    });
  };
}
