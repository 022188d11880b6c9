import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuthError } from '../../auth/errors.js';
import { tokenView } from '../../auth/api-token-service.js';
import { isGuest } from '../../auth/principal.js';
import { numberish } from '../../core/input.js';
import type { AppDeps } from '../deps.js';
import { looseInt, parseInput, principal } from './context.js';
import { ok } from './errors.js';

const CreateReq = z.object({
  name: z.string().min(1, 'is required').max(100),
  scope: z.enum(['read', 'write', 'admin']).default('read'),
  expires_at: z.iso.datetime({ offset: true }).nullish(),
  expires_in_days: numberish(z.number().positive().max(36_500)).optional(),
  path_prefix: z.string().default('/'),
});
const IdReq = z.object({ id: looseInt });

/** Personal API tokens: `/api/me/tokens*` for everyone, `/api/admin/token/*` for admins. */
export function tokenRoutes(deps: AppDeps) {
  return async (app: FastifyInstance) => {
    app.get('/api/me/tokens', { config: { auth: 'user' } }, async (req) => {
      const list = await deps.apiTokens.listFor(principal(req).user.id);
      return ok({ content: list.map(tokenView), total: list.length });
    });

    app.post('/api/me/tokens/create', { config: { auth: 'user' } }, async (req) => {
      const p = principal(req);
      // A token cannot mint tokens wider than itself.
      if (!deps.gate.mayMintTokens(p)) throw new AuthError(403, 'API tokens cannot create tokens');
      const b = parseInput(CreateReq, req);
      const { token, record } = await deps.apiTokens.create({
        owner: p.user,
        name: b.name,
        scope: b.scope,
        expiresAt: b.expires_at ? new Date(b.expires_at) : null,
        expiresInDays: b.expires_in_days,
        pathPrefix: b.path_prefix,
      });
      return ok({ ...tokenView(record), token });
    });

    app.post('/api/me/tokens/revoke', { config: { auth: 'user' } }, async (req) => {
      const p = principal(req);
      if (isGuest(p)) throw new AuthError(403, 'You are a guest');
      await deps.apiTokens.revoke(parseInput(IdReq, req).id, p.user.id);
      return ok();
    });

    app.get('/api/admin/token/list', { config: { auth: 'admin' } }, async () => {
      const list = await deps.apiTokens.listAll();
      return ok({ content: list.map(tokenView), total: list.length });
    });

    app.post('/api/admin/token/revoke', { config: { auth: 'admin' } }, async (req) => {
      await deps.apiTokens.revoke(parseInput(IdReq, req).id);
      return ok();
    });
  };
}
