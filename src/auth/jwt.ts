import { randomUUID } from 'node:crypto';
import * as errors from 'jose/errors';
import { SignJWT } from 'jose/jwt/sign';
import { jwtVerify } from 'jose/jwt/verify';
import { AuthError, AuthMessages } from './errors.js';

export interface LoginClaims {
  /** The user's id: a user deleted and created again under the same name is another user. */
  uid: number;
  username: string;
  /** The user's password timestamp when issued; a password change invalidates older tokens. */
  pwd_ts: number;
  /** The user's session epoch when issued; bumping it (password change, ...) ends the session. */
  se: number;
  jti: string;
  exp: number;
}

/** Who a login token is for, as the issuer needs it. */
export interface SessionSubject {
  id: number;
  username: string;
  pwdTs: number;
  sessionEpoch: number;
}

/** Tokens issued before JWTs carried the user id and session epoch: no longer accepted. */
export const LEGACY_TOKEN_MESSAGE = 'login token is from an older version of this server, login please';

/** Verified login tokens kept (the oldest goes first): a few thousand sessions in use at once. */
const VERIFIED_MAX = 4096;

/** Login tokens: HS256 JWTs with an expiry, signed with the configured secret, so they survive restarts. */
export class JwtIssuer {
  private readonly key: Uint8Array;

  constructor(secret: string, private readonly lifetimeHours: number, private readonly now: () => number = Date.now) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(user: SessionSubject): Promise<{ token: string; expiresAt: Date; jti: string }> {
    const jti = randomUUID();
    const now = Math.floor(this.now() / 1000);
    const exp = now + this.lifetimeHours * 3600;
    const token = await new SignJWT({ uid: user.id, username: user.username, pwd_ts: user.pwdTs, se: user.sessionEpoch })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setJti(jti)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000), jti };
  }

  /**
   * Tokens whose signature was verified, with their claims (a token's claims never change): a hit
   * skips the HMAC and the JSON parsing, never the checks of time (expiry, not-before, here) or of
   * revocation (the caller's, against the database on every request).
   */
  private readonly verified = new Map<string, { claims: LoginClaims; nbf: number }>();

  async verify(token: string): Promise<LoginClaims> {
    const hit = this.verified.get(token);
    if (hit) {
      const now = Math.floor(this.now() / 1000);
      if (hit.claims.exp <= now) {
        this.verified.delete(token);
        throw new AuthError(401, AuthMessages.expired);
      }
      if (hit.nbf > now) throw new AuthError(401, AuthMessages.notActive);
      return hit.claims;
    }
    const claims = await this.verifySignature(token);
    if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, claims);
    return claims.claims;
  }

  private async verifySignature(token: string): Promise<{ claims: LoginClaims; nbf: number }> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], currentDate: new Date(this.now()) }));
    } catch (err) {
      throw mapJoseError(err);
    }
    const { uid, username, se, jti, exp } = payload;
    if (typeof username !== 'string' || typeof jti !== 'string' || typeof exp !== 'number') throw new AuthError(401, AuthMessages.notAToken);
    if (typeof uid !== 'number' || !Number.isSafeInteger(uid) || typeof se !== 'number' || !Number.isSafeInteger(se)) {
      throw new AuthError(401, LEGACY_TOKEN_MESSAGE);
    }
    return { claims: { uid, username, pwd_ts: Number(payload.pwd_ts ?? 0), se, jti, exp }, nbf: typeof payload.nbf === 'number' ? payload.nbf : 0 };
  }
}

function mapJoseError(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  if (err instanceof errors.JWTExpired) return new AuthError(401, AuthMessages.expired);
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf') return new AuthError(401, AuthMessages.notActive);
  if (err instanceof errors.JWSSignatureVerificationFailed) return new AuthError(401, AuthMessages.invalidated);
  return new AuthError(401, AuthMessages.notAToken);
}
