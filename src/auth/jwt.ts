import { randomUUID } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
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

  async verify(token: string): Promise<LoginClaims> {
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
    return { uid, username, pwd_ts: Number(payload.pwd_ts ?? 0), se, jti, exp };
  }
}

function mapJoseError(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  if (err instanceof errors.JWTExpired) return new AuthError(401, AuthMessages.expired);
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf') return new AuthError(401, AuthMessages.notActive);
  if (err instanceof errors.JWSSignatureVerificationFailed) return new AuthError(401, AuthMessages.invalidated);
  return new AuthError(401, AuthMessages.notAToken);
}
