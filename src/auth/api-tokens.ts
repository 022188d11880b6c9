import { createHash, randomBytes } from 'node:crypto';

/** Recognisable prefix of personal API tokens. */
export const API_TOKEN_PREFIX = 'fbt_';

export function newApiToken(): { token: string; hash: string; prefix: string } {
  const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashApiToken(token), prefix: token.slice(0, 10) };
}

/** Tokens carry 256 random bits, so a fast hash is enough and lets lookups be one indexed query. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function looksLikeApiToken(value: string): boolean {
  return value.startsWith(API_TOKEN_PREFIX);
}
