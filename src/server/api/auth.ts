import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuthError, AuthMessages } from '../../auth/errors.js';
import { hashPassword } from '../../auth/passwords.js';
import { isGuest } from '../../auth/principal.js';
import { generateTotp, verifyTotp } from '../../auth/totp.js';
import type { AppDeps } from '../app.js';
import { parseInput, principal } from './context.js';
import { ok } from './errors.js';
import { userView } from './users-view.js';

const LoginReq = z.object({ username: z.string().min(1, 'is required'), password: z.string(), otp_code: z.string().default('') });
const MeUpdateReq = z.object({ username: z.string().min(1, 'is required'), password: z.string().default(''), sso_id: z.string().default('') });
const VerifyReq = z.object({ code: z.string().min(1, 'is required'), secret: z.string().min(1, 'is required') });

export function authRoutes(deps: AppDeps) {
  return async (app: FastifyInstance) => {
    for (const [route, hashed] of [['/api/auth/login', false], ['/api/auth/login/hash', true]] as const) {
      app.post(route, { config: { auth: 'none' } }, async (req) => {
        const body = parseInput(LoginReq, req);
        const { token, expiresAt } = await deps.auth.login({ username: body.username, password: body.password, hashed, otpCode: body.otp_code, ip: req.ip });
        return ok({ token, expires_at: expiresAt.toISOString() });
      });
    }

    app.get('/api/me', async (req) => {
      const p = principal(req);
      return ok({ ...userView(p.user), otp: p.user.otpSecret !== '' });
    });

    app.post('/api/me/update', async (req) => {
      const p = principal(req);
      if (isGuest(p)) throw new AuthError(403, AuthMessages.guestProfile);
      const body = parseInput(MeUpdateReq, req);
      const patch: Parameters<typeof deps.repos.users.update>[1] = { username: body.username, ssoId: body.sso_id };
      if (body.password) {
        patch.passwordHash = await hashPassword(body.password);
        patch.pwdTs = Math.floor(Date.now() / 1000);
      }
      await deps.repos.users.update(p.user.id, patch);
      return ok();
    });

    app.get('/api/auth/logout', async (req) => {
      await deps.auth.logout(principal(req));
      return ok();
    });

    app.post('/api/auth/2fa/generate', async (req) => {
      const p = principal(req);
      if (isGuest(p)) throw new AuthError(403, 'Guest user can not generate 2FA code');
      const { qr, secret } = await generateTotp(p.user.username);
      return ok({ qr, secret });
    });

    app.post('/api/auth/2fa/verify', async (req) => {
      const p = principal(req);
      if (isGuest(p)) throw new AuthError(403, 'Guest user can not generate 2FA code');
      const body = parseInput(VerifyReq, req);
      if (!verifyTotp(body.secret, body.code)) throw new AuthError(402, AuthMessages.bad2fa);
      await deps.repos.users.update(p.user.id, { otpSecret: body.secret });
      return ok();
    });

    app.all('/api/public/settings', { config: { auth: 'none' } }, async () => ok(deps.settings.publicMap()));
    app.all('/api/public/offline_download_tools', { config: { auth: 'none' } }, async () => ok([]));
    app.all('/api/public/archive_extensions', { config: { auth: 'none' } }, async () => ok({ tree: [], extract: [] }));
  };
}
