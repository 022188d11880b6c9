import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuthError, AuthMessages } from '../../auth/errors.js';
import { type Principal, isGuest } from '../../auth/principal.js';
import { generateTotp } from '../../auth/totp.js';
import { ConflictError } from '../../db/errors.js';
import { configuredTools } from '../../offline/service.js';
import type { UserPatch } from '../../db/repositories/index.js';
import type { AppDeps } from '../deps.js';
import { parseInput, principal } from './context.js';
import { ApiError, ok } from './errors.js';
import { userView } from './users-view.js';

const LoginReq = z.object({ username: z.string().min(1, 'is required'), password: z.string(), otp_code: z.string().default('') });
/** What proves an account change besides the login session (AList's bodies plus these two fields). */
const Proof = { current_password: z.string().default(''), otp_code: z.string().default('') };
const MeUpdateReq = z.object({ username: z.string().min(1, 'is required'), password: z.string().default(''), sso_id: z.string().default(''), ...Proof });
const GenerateReq = z.object(Proof);
const VerifyReq = z.object({ code: z.string().min(1, 'is required'), secret: z.string().min(1, 'is required'), ...Proof });
const DisableReq = z.object(Proof);

const GUEST_2FA = 'Guest user can not generate 2FA code';

export function authRoutes(deps: AppDeps) {
  /** Every self-account route: not the guest, then a login session, the password and (2FA on) a code. */
  const confirm = (req: FastifyRequest, p: Principal, body: { current_password: string; otp_code: string }) =>
    deps.auth.confirmAccountChange(p, { currentPassword: body.current_password, otpCode: body.otp_code, ip: req.ip });

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
      const user = await confirm(req, p, body);
      const patch: UserPatch = { username: body.username, ssoId: body.sso_id };
      const taken = (err: unknown): never => {
        if (err instanceof ConflictError) throw new ApiError(400, `user ${body.username} already exists`);
        throw err;
      };
      if (!body.password) {
        await deps.repos.users.update(user.id, patch).catch(taken);
        return ok({ revoked_tokens: 0 });
      }
      // A new password ends every session (this one too) and revokes every API token of the user.
      const { revokedTokens } = await deps.auth.changePassword(user.id, body.password, patch).catch(taken);
      return ok({ revoked_tokens: revokedTokens });
    });

    app.get('/api/auth/logout', async (req) => {
      await deps.auth.logout(principal(req));
      return ok();
    });

    app.post('/api/auth/logout_all', { config: { auth: 'user' } }, async (req) => {
      await deps.auth.logoutEverywhere(principal(req));
      return ok();
    });

    app.post('/api/auth/2fa/generate', async (req) => {
      const p = principal(req);
      if (isGuest(p)) throw new AuthError(403, GUEST_2FA);
      const user = await confirm(req, p, parseInput(GenerateReq, req));
      const { qr, secret } = await generateTotp(user.username);
      return ok({ qr, secret });
    });

    app.post('/api/auth/2fa/verify', async (req) => {
      const p = principal(req);
      if (isGuest(p)) throw new AuthError(403, GUEST_2FA);
      const body = parseInput(VerifyReq, req);
      const user = await confirm(req, p, body);
      const step = deps.auth.totpStepFor(body.secret, body.code);
      if (step === undefined) throw new AuthError(402, AuthMessages.bad2fa);
      // The code that proved the new secret counts as used: it cannot sign in a second time.
      await deps.repos.users.setOtpSecret(user.id, body.secret, step);
      return ok();
    });

    app.post('/api/auth/2fa/disable', async (req) => {
      const p = principal(req);
      if (isGuest(p)) throw new AuthError(403, GUEST_2FA);
      const body = parseInput(DisableReq, req);
      if (p.user.otpSecret === '') throw new ApiError(400, '2FA is not on for this account');
      const user = await confirm(req, p, body);
      await deps.repos.users.setOtpSecret(user.id, '');
      await deps.auth.audit.record({ userId: user.id, username: user.username, ip: req.ip, action: 'me.2fa.disable' });
      return ok();
    });

    app.all('/api/public/settings', { config: { auth: 'none' } }, async () => ok(deps.settings.publicMap()));
    app.all('/api/public/offline_download_tools', { config: { auth: 'none' } }, async () => ok(configuredTools(deps.settings)));
    // OpenList: the extensions its archive tools read, a string array. No archive tool is built here.
    app.all('/api/public/archive_extensions', { config: { auth: 'none' } }, async () => ok([]));
  };
}
