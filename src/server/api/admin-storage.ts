import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { StorageInput, StorageRecord } from '../../db/repositories/index.js';
import { mountHealth } from '../../observability/health.js';
import type { AppDeps } from '../deps.js';
import { looseInt, parseInput } from './context.js';
import { StorageBody, commonItems, webdavPolicy } from './driver-forms.js';
import { ApiError, ok } from './errors.js';

const admin = { config: { auth: 'admin' as const } };
const IdQuery = z.object({ id: looseInt });
const PageQuery = z.object({ page: looseInt.default(0), per_page: looseInt.default(0) });



function parseAddition(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text || '{}');
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw new ApiError(400, 'addition: must be a JSON object encoded as a string');
}

export function adminStorageRoutes(deps: AppDeps) {
  /** AList's Storage model, with `status` from the live mount and secrets blanked. */
  function view(s: StorageRecord) {
    const info = deps.mounts.get(s.id);
    const health = info ? mountHealth({ spec: info.spec, status: info.status() }, info) : undefined;
    const status = s.disabled ? 'disabled' : health?.state === 'ready' || health?.state === 'degraded' ? 'work' : health?.state === 'error' || health?.state === 'needs_reauth' ? (health.error ?? health.state) : (health?.state ?? 'pending');
    let addition = s.addition;
    try {
      addition = JSON.stringify(deps.drivers.redact(s.driver, JSON.parse(s.addition) as Record<string, unknown>));
    } catch {
      /* stored text is shown as it is */
    }
    return {
      id: s.id, mount_path: s.mountPath, order: s.order, driver: s.driver, cache_expiration: s.cacheExpiration,
      status, addition, remark: s.remark, modified: s.modified.toISOString(), disabled: s.disabled,
      enable_sign: s.enableSign, order_by: s.orderBy, order_direction: s.orderDirection, extract_folder: s.extractFolder,
      web_proxy: s.webProxy, webdav_policy: proxyOnly(s.driver) ? webdavPolicy(true, s.webdavPolicy) : s.webdavPolicy, down_proxy_url: s.downProxyUrl,
      state: health?.state ?? (s.disabled ? 'disabled' : 'pending'), health: health ?? null,
    };
  }

  function toInput(b: StorageBody): Omit<StorageInput, 'addition'> {
    return {
      mountPath: b.mount_path, driver: b.driver, order: b.order, cacheExpiration: b.cache_expiration,
      remark: b.remark, disabled: b.disabled, enableSign: b.enable_sign,
      orderBy: b.order_by, orderDirection: b.order_direction, extractFolder: b.extract_folder, webProxy: b.web_proxy,
      webdavPolicy: webdavPolicy(proxyOnly(b.driver), b.webdav_policy), downProxyUrl: b.down_proxy_url,
    };
  }

  /** Whether the driver only proxies (an unknown driver: as declared by the storage service's refusal later). */
  function proxyOnly(driver: string): boolean {
    return deps.drivers.get(driver)?.facts.proxyOnly ?? false;
  }

  /** Applies the change to the live mounts and waits (bounded) for the new mount's first attempt. */
  async function applyAndSettle(id: number): Promise<string | undefined> {
    await deps.mounts.reconcile();
    const mount = deps.mounts.get(id);
    if (!mount) return undefined;
    await mount.settled();
    const s = mount.status();
    return s.state === 'error' || s.state === 'needs_reauth' ? (s.error ?? s.state) : undefined;
  }

  return async (app: FastifyInstance) => {
    app.get('/api/admin/storage/list', admin, async (req) => {
      const q = parseInput(PageQuery, req);
      const all = await deps.repos.storages.list();
      const page = q.page < 1 || q.per_page < 1 ? all : all.slice((q.page - 1) * q.per_page, q.page * q.per_page);
      return ok({ content: page.map(view), total: all.length });
    });

    app.get('/api/admin/storage/get', admin, async (req) => ok(view(await deps.storages.get(parseInput(IdQuery, req).id))));

    app.post('/api/admin/storage/create', admin, async (req) => {
      const b = parseInput(StorageBody, req);
      const id = await deps.storages.create(toInput(b), parseAddition(b.addition));
      const failure = await applyAndSettle(id);
      if (failure) throw new ApiError(500, `failed init storage but storage is already created: failed init storage: ${failure}`, { id });
      return ok({ id });
    });

    app.post('/api/admin/storage/update', admin, async (req) => {
      const b = parseInput(StorageBody, req);
      if (b.id === undefined) throw new ApiError(400, 'id: is required');
      await deps.storages.update(b.id, toInput(b), parseAddition(b.addition));
      const failure = await applyAndSettle(b.id);
      if (failure) throw new ApiError(500, `failed init storage: ${failure}`);
      return ok();
    });

    app.post('/api/admin/storage/delete', admin, async (req) => {
      const { id } = parseInput(IdQuery, req);
      await deps.storages.remove(id);
      await deps.mounts.reconcile();
      return ok();
    });

    for (const [route, disabled] of [['enable', false], ['disable', true]] as const) {
      app.post(`/api/admin/storage/${route}`, admin, async (req) => {
        const { id } = parseInput(IdQuery, req);
        if (!(await deps.storages.setEnabled(id, !disabled))) throw new ApiError(400, `this storage have ${route}d`);
        await deps.mounts.reconcile();
        return ok();
      });
    }

    app.post('/api/admin/storage/load_all', admin, async () => {
      for (const info of deps.mounts.list()) deps.mounts.get(info.spec.id)?.retryNow();
      return ok();
    });

    app.post('/api/admin/storage/retry', admin, async (req) => {
      const { id } = parseInput(IdQuery, req);
      const mount = deps.mounts.get(id);
      if (!mount) throw new ApiError(400, 'storage not found');
      mount.retryNow();
      return ok();
    });

    app.get('/api/admin/driver/names', admin, async () => ok(deps.drivers.list().map((d) => d.name)));
    app.get('/api/admin/driver/list', admin, async () => ok(Object.fromEntries(deps.drivers.list().map((d) => [d.name, driverInfo(d.name)]))));
    app.get('/api/admin/driver/info', admin, async (req) => {
      const { driver } = parseInput(z.object({ driver: z.string() }), req);
      if (!deps.drivers.get(driver)) throw new ApiError(404, `driver [${driver}] not found`);
      return ok(driverInfo(driver));
    });
  };

  function driverInfo(name: string) {
    const d = deps.drivers.get(name);
    if (!d) return null;
    const common = commonItems(d.facts.proxyOnly);
    return {
      common,
      additional: d.items,
      config: { name: d.name, label: d.label, description: d.description, only_proxy: d.facts.proxyOnly, no_upload: false, local_sort: true },
    };
  }
}
