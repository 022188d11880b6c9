import { createHash } from 'node:crypto';

/** The tokens a mount holds at one moment. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token stops working; 0 when there is no access token. */
  expiresAt: number;
  /** Epoch ms when the access token was issued (start of its lifetime). */
  obtainedAt: number;
  /** The route that produced these tokens ("oauth", "online", or "seed" for the configured token). */
  route: string;
}

/** A short fingerprint of the configured refresh token, stored beside the rotated ones. */
export function seedFingerprint(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('hex').slice(0, 16);
}

/**
 * What is persisted through the TokenStore. `seed` ties the state to the refresh token in the
 * storage's configuration: when an operator saves a new one there, the stored chain is ignored.
 */
export type PersistedTokens = {
  refresh_token: string;
  access_token: string;
  expires_at: number;
  obtained_at: number;
  route: string;
  seed: string;
  saved_at: string;
};

export function toPersisted(t: TokenSet, seed: string, now: number): PersistedTokens {
  return {
    refresh_token: t.refreshToken,
    access_token: t.accessToken,
    expires_at: t.expiresAt,
    obtained_at: t.obtainedAt,
    route: t.route,
    seed,
    saved_at: new Date(now).toISOString(),
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The stored tokens when they belong to `seed` and hold a refresh token; undefined otherwise. */
export function fromPersisted(raw: Record<string, unknown> | undefined, seed: string): TokenSet | undefined {
  if (!raw || str(raw.seed) !== seed || str(raw.refresh_token) === '') return undefined;
  return {
    refreshToken: str(raw.refresh_token),
    accessToken: str(raw.access_token),
    expiresAt: num(raw.expires_at),
    obtainedAt: num(raw.obtained_at),
    route: str(raw.route) || 'stored',
  };
}

/** The configured refresh token, with no access token yet. */
export function seedTokens(refreshToken: string): TokenSet {
  return { refreshToken, accessToken: '', expiresAt: 0, obtainedAt: 0, route: 'seed' };
}
