import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SettingRecord } from '../../db/repositories/index.js';
import { SettingFlag } from '../../settings/defaults.js';
import type { AppDeps } from '../deps.js';
import { parseInput } from './context.js';
import { ApiError, ok } from './errors.js';

const admin = { config: { auth: 'admin' as const } };
const SaveBody = z.array(z.object({ key: z.string().min(1), value: z.union([z.string(), z.number(), z.boolean()]).transform(String) }));

export function adminSettingRoutes(deps: AppDeps) {
  const settings = deps.settings;
  /** OpenList's SettingItem: the stored fields with the declaration's help, options and index. */
  const view = (s: SettingRecord) => ({ key: s.key, value: s.value, type: s.type, group: s.groupId, flag: s.flag, ...settings.declaration(s.key) });
  return async (app: FastifyInstance) => {
    app.get('/api/admin/setting/get', admin, async (req) => {
      const q = parseInput(z.object({ key: z.string().optional(), keys: z.string().optional() }), req);
      if (q.keys) return ok(q.keys.split(',').map((k) => settings.record(k)).filter((s) => s !== undefined).map(view));
      const s = settings.record(q.key ?? '');
      if (!s) throw new ApiError(400, 'setting not found');
      return ok(view(s));
    });

    app.get('/api/admin/setting/list', admin, async (req) => {
      const q = parseInput(z.object({ group: z.string().optional(), groups: z.string().optional() }), req);
      const wanted = (q.groups ?? q.group ?? '').split(',').filter(Boolean).map(Number);
      const all = settings.list().filter((s) => wanted.length === 0 || wanted.includes(s.groupId));
      return ok(all.map(view));
    });

    app.post('/api/admin/setting/save', admin, async (req) => {
      const parsed = SaveBody.safeParse(req.body);
      if (!parsed.success) throw new ApiError(400, `body must be an array of {key, value}: ${parsed.error.issues[0]?.message ?? ''}`);
      // The UI saves a whole group: read-only items that did not change are skipped, as in OpenList.
      const items = parsed.data.filter((item) => {
        const s = settings.record(item.key);
        if (s?.flag !== SettingFlag.ReadOnly) return true;
        if (s.value !== item.value) throw new ApiError(403, `setting ${item.key} is read-only`);
        return false;
      });
      const problems = items.map((i) => settings.invalid(i.key, i.value)).filter((p) => p !== undefined);
      if (problems.length > 0) throw new ApiError(400, problems.join('; '));
      await settings.save(items);
      return ok();
    });

    app.post('/api/admin/setting/delete', admin, async (req) => {
      const { key } = parseInput(z.object({ key: z.string().min(1) }), req);
      await settings.remove(key);
      return ok();
    });

    app.post('/api/admin/setting/reset_token', admin, async () => ok(await settings.resetToken()));
  };
}
