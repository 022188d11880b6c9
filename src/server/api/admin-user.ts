import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hashPassword } from '../../auth/passwords.js';
import { normalizePath } from '../../core/paths.js';
import { ConflictError } from '../../db/errors.js';
import { UserRole, type UserPatch } from '../../db/repositories/index.js';
import type { AppDeps } from '../deps.js';
import { looseBool, looseInt, parseInput } from './context.js';
import { ApiError, ok } from './errors.js';
import { userView } from './users-view.js';

const admin = { config: { auth: 'admin' as const } };
const IdQuery = z.object({ id: looseInt });
const UserBody = z.object({
  id: looseInt.optional(),
  username: z.string().min(1, 'is required'),
  password: z.string().default(''),
  base_path: z.string().default('/'),
  role: looseInt.default(0),
  disabled: looseBool.default(false),
  permission: looseInt.default(0),
  sso_id: z.string().default(''),
});

export function adminUserRoutes(deps: AppDeps) {
  const users = deps.repos.users;
  const conflict = (err: unknown, name: string) => {
    if (err instanceof ConflictError) throw new ApiError(400, `user ${name} already exists`);
    throw err;
  };

  return async (app: FastifyInstance) => {
    app.get('/api/admin/user/list', admin, async (req) => {
      const q = parseInput(z.object({ page: looseInt.default(0), per_page: looseInt.default(0) }), req);
      const { items, total } = await users.list(q.page >= 1 && q.per_page >= 1 ? { page: q.page, perPage: q.per_page } : undefined);
      return ok({ content: items.map(userView), total });
    });

    app.get('/api/admin/user/get', admin, async (req) => {
      const u = await users.get(parseInput(IdQuery, req).id);
      if (!u) throw new ApiError(400, 'user not found');
      return ok(userView(u));
    });

    app.post('/api/admin/user/create', admin, async (req) => {
      const b = parseInput(UserBody, req);
      if (b.role === UserRole.Admin || b.role === UserRole.Guest) throw new ApiError(400, 'admin or guest user can not be created');
      if (!b.password) throw new ApiError(400, 'password: is required');
      const id = await users
        .create({ username: b.username, passwordHash: await hashPassword(b.password), basePath: normalizePath(b.base_path), role: UserRole.General, disabled: b.disabled, permission: b.permission, ssoId: b.sso_id })
        .catch((err: unknown) => conflict(err, b.username));
      return ok({ id });
    });

    app.post('/api/admin/user/update', admin, async (req) => {
      const b = parseInput(UserBody, req);
      if (b.id === undefined) throw new ApiError(400, 'id: is required');
      const current = await users.get(b.id);
      if (!current) throw new ApiError(400, 'user not found');
      if (current.role !== b.role) throw new ApiError(400, 'role can not be changed');
      if (current.role === UserRole.Admin && b.disabled) throw new ApiError(400, 'admin user can not be disabled');
      const patch: UserPatch = { username: b.username, basePath: normalizePath(b.base_path), disabled: b.disabled, permission: b.permission, ssoId: b.sso_id };
      if (b.disabled !== current.disabled) patch.pwdTs = Math.floor(Date.now() / 1000);
      if (!b.password) {
        await users.update(b.id, patch).catch((err: unknown) => conflict(err, b.username));
        return ok({ revoked_tokens: 0 });
      }
      // A password reset ends the user's sessions and revokes all their API tokens, in one step.
      const { revokedTokens } = await deps.auth.changePassword(b.id, b.password, patch).catch((err: unknown) => conflict(err, b.username));
      return ok({ revoked_tokens: revokedTokens });
    });

    app.post('/api/admin/user/delete', admin, async (req) => {
      const u = await users.get(parseInput(IdQuery, req).id);
      if (!u) throw new ApiError(400, 'user not found');
      if (u.role !== UserRole.General) throw new ApiError(400, 'cannot delete admin or guest');
      await users.remove(u.id);
      return ok();
    });

    app.post('/api/admin/user/cancel_2fa', admin, async (req) => {
      const u = await users.get(parseInput(IdQuery, req).id);
      if (!u) throw new ApiError(400, 'user not found');
      await users.update(u.id, { otpSecret: '' });
      return ok();
    });

    app.post('/api/admin/user/del_cache', admin, async () => ok());
  };
}
