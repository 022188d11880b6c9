import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { adminAuditRoutes, auditHook } from './admin-audit.js';
import { adminIndexRoutes } from './admin-index.js';
import { adminMetaRoutes } from './admin-meta.js';
import { adminSettingRoutes } from './admin-setting.js';
import { adminStorageRoutes } from './admin-storage.js';
import { adminUserRoutes } from './admin-user.js';
import { authRoutes } from './auth.js';
import { authHook, sendEnvelope } from './context.js';
import { toEnvelope } from './errors.js';
import { fsReadRoutes } from './fs-read.js';
import { fsUploadRoutes } from './fs-upload.js';
import { fsWriteRoutes } from './fs-write.js';
import { offlineRoutes } from './offline.js';
import { shareRoutes } from './shares.js';
import { taskRoutes } from './tasks.js';
import { tokenRoutes } from './tokens.js';
import { unbuiltRoutes } from './unbuilt.js';

/** The AList-compatible JSON API: HTTP 200 with `{code, message, data}` for everything under /api. */
export function apiRoutes(deps: AppDeps) {
  return async (app: FastifyInstance) => {
    app.register(async (api) => {
      api.addHook('preHandler', authHook(deps));
      api.addHook('onSend', auditHook(deps));
      api.setErrorHandler((err, _req, reply) => sendEnvelope(reply, toEnvelope(err, reply)));
      // Malformed JSON and wrong content types reach the error handler and are answered as code 400.
      await api.register(authRoutes(deps));
      const shares = shareRoutes(deps);
      await api.register(shares.routes);
      await api.register(fsReadRoutes(deps, shares));
      await api.register(fsWriteRoutes(deps));
      await api.register(fsUploadRoutes(deps));
      await api.register(adminStorageRoutes(deps));
      await api.register(adminUserRoutes(deps));
      await api.register(adminMetaRoutes(deps));
      await api.register(adminSettingRoutes(deps));
      await api.register(tokenRoutes(deps));
      await api.register(taskRoutes(deps));
      await api.register(offlineRoutes(deps));
      await api.register(adminAuditRoutes(deps));
      await api.register(adminIndexRoutes(deps));
      await api.register(unbuiltRoutes(deps));
    }, { prefix: '' });
  };
}
