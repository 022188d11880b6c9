import { randomUUID } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { AuthError, AuthMessages } from './errors.js';

export interface LoginClaims {
  username: string;
  /** The user's password timestamp when issued; a password change invalidates older tokens. */
  pwd_ts: number;
  jti: string;
  exp: number;
}

/** Login tokens: HS256 JWTs with an expiry, signed with the configured secret, so they survive restarts. */
export class JwtIssuer {
  private readonly key: Uint8Array;

  constructor(secret: string, private readonly lifetimeHours: number, private readonly now: () => number = Date.now) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(username: string, pwdTs: number): Promise<{ token: string; expiresAt: Date; jti: string }> {
    const jti = randomUUID();
    const now = Math.floor(this.now() / 1000);
    const exp = now + this.lifetimeHours * 3600;
    const token = await new SignJWT({ username, pwd_ts: pwdTs })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setJti(jti)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000), jti };
  }

  async verify(token: string): Promise<LoginClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], currentDate: new Date(this.now()) });
      if (typeof payload.username !== 'string' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') {
        throw new AuthError(401, AuthMessages.notAToken);
      }
      return { username: payload.username, pwd_ts: Number(payload.pwd_ts ?? 0), jti: payload.jti, exp: payload.exp };
    } catch (err) {
      throw mapJoseError(err);
    }
  }
}

function mapJoseError(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  if (err instanceof errors.JWTExpired) return new AuthError(401, AuthMessages.expired);
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf') return new AuthError(401, AuthMessages.notActive);
  if (err instanceof errors.JWSSignatureVerificationFailed) return new AuthError(401, AuthMessages.invalidated);
  return new AuthError(401, AuthMessages.notAToken);
}
