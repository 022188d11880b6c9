import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SettingRecord } from '../../db/repositories/index.js';
import { SettingFlag } from '../../settings/defaults.js';
import type { AppDeps } from '../deps.js';
import { parseInput } from './context.js';
import { ApiError, ok } from './errors.js';

const admin = { config: { auth: 'admin' as const } };
const SaveBody = z.array(z.object({ key: z.string().min(1), value: z.union([z.string(), z.number(), z.boolean()]).transform(String) }));

function view(s: SettingRecord) {
  return { key: s.key, value: s.value, type: s.type, group: s.groupId, flag: s.flag, help: '', options: '', index: 0 };
}

export function adminSettingRoutes(deps: AppDeps) {
  const settings = deps.settings;
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
      for (const item of parsed.data) {
        const s = settings.record(item.key);
        if (s?.flag === SettingFlag.ReadOnly) throw new ApiError(403, `setting ${item.key} is read-only`);
      }
      await settings.save(parsed.data);
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
