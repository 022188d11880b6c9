import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { ApiError, ok } from './errors.js';

type Level = 'user' | 'admin';

/** Messages of the features below, one place (docs/api.md lists them). */
export const Unbuilt = {
  scan: 'manual scan is not built in Filebridge yet',
  scanNotRunning: 'manual scan is not running',
  sshKeys: 'SSH keys are not built in Filebridge yet (no SFTP server)',
} as const;

/**
 * Routes of OpenList whose feature Filebridge does not have yet, answered in OpenList's shape:
 * lists are empty, progress is "done, nothing counted", and actions that would create something
 * say plainly that the feature is not built. Never "no route" for a route OpenList's UI calls.
 */
export function unbuiltRoutes(_deps: AppDeps) {
  return async (app: FastifyInstance) => {
    // Each only while no route registered before these has it (the feature, once built, answers).
    const unless = (method: 'GET' | 'POST', url: string, handler: () => Promise<unknown>, auth: Level = 'user') => {
      if (!app.hasRoute({ method, url })) app.route({ method, url, config: { auth }, handler });
    };
    // Manual scan (OpenList walks storages to refresh their caches).
    unless('GET', '/api/admin/scan/progress', async () => ok({ obj_count: 0, is_done: true }), 'admin');
    unless('POST', '/api/admin/scan/start', async () => {
      throw new ApiError(501, Unbuilt.scan);
    }, 'admin');
    unless('POST', '/api/admin/scan/stop', async () => {
      throw new ApiError(400, Unbuilt.scanNotRunning);
    }, 'admin');

    // The search index's routes are built: admin-index.ts.

    // SSH public keys (for OpenList's SFTP server).
    unless('GET', '/api/me/sshkey/list', async () => ok([]));
    unless('GET', '/api/admin/user/sshkey/list', async () => ok([]), 'admin');
    unless('POST', '/api/me/sshkey/add', async () => {
      throw new ApiError(501, Unbuilt.sshKeys);
    });
    const noKey = async () => {
      throw new ApiError(404, 'public key not found');
    };
    unless('POST', '/api/me/sshkey/delete', noKey);
    unless('POST', '/api/admin/user/sshkey/delete', noKey, 'admin');
  };
}
