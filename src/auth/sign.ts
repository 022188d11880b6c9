import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthError } from './errors.js';

/** Longer `sign` values are refused before any parsing: a real one is 44 + 1 + 10 characters. */
export const MAX_SIGN_LENGTH = 256;

/** Hours a signed link stays valid when the `link_expiration` setting says nothing usable. */
export const DEFAULT_LINK_EXPIRATION_HOURS = 24;

/** About a century: longer would make `expire` too long for `verifySign` to read. */
export const MAX_LINK_EXPIRATION_HOURS = 876_000;

/**
 * The hours a link signed now stays valid, from the `link_expiration` setting's text: 0 is never
 * (only when an admin says so), and an empty, negative or unreadable value is the default.
 */
export function linkExpirationHours(setting: string): number {
  const text = setting.trim();
  const hours = text === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(hours) || hours < 0) return DEFAULT_LINK_EXPIRATION_HOURS;
  return Math.min(hours, MAX_LINK_EXPIRATION_HOURS);
}

/** A new signing key (32 random bytes, base64url); kept apart from the admin token. */
export function newSignKey(): string {
  return randomBytes(32).toString('base64url');
}

function mac(key: string, data: string): string {
  const b64 = createHmac('sha256', key).update(data).digest('base64');
  // Go's base64.URLEncoding: URL alphabet, with padding.
  return b64.replaceAll('+', '-').replaceAll('/', '_');
}

/**
 * What the HMAC covers: AList's `path:expire` when no folder password guards the path (so links
 * stay AList-compatible), else a form no AList input can take (it does not start with `/`) that
 * also carries the version of the guarding passwords: changing one of them voids the link.
 */
function signedText(path: string, expire: number, version: string): string {
  return version === '' ? `${path}:${expire}` : `v1|${version}|${expire}|${path}`;
}

/** `value` without trailing slashes (a loop: no regex backtracking on request input). */
function trimTrailingSlashes(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0x2f) end--;
  return value.slice(0, end);
}

function isDigits(text: string): boolean {
  if (text.length === 0 || text.length > 15) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * AList's download sign: base64url(HMAC-SHA256(key, path + ":" + expire)) + ":" + expire, where
 * expire is unix seconds or 0 for never (reference §5.3). `version` is the meta password version
 * of the path (`MetaService.passwordVersion`), '' when no password guards it.
 */
export function signPath(key: string, path: string, expireHours: number, now = Date.now(), version = ''): string {
  const expire = expireHours > 0 ? Math.floor(now / 1000) + Math.round(expireHours * 3600) : 0;
  return `${mac(key, signedText(path, expire, version))}:${expire}`;
}

/** Checks a `sign` query value for `path`; throws a 401 AuthError saying what is wrong. */
export function verifySign(key: string, path: string, sign: unknown, now = Date.now(), version = ''): void {
  if (sign !== undefined && typeof sign !== 'string') throw new AuthError(401, 'sign invalid');
  if (sign !== undefined && sign.length > MAX_SIGN_LENGTH) throw new AuthError(401, 'sign invalid');
  const value = trimTrailingSlashes(sign ?? '');
  const i = value.lastIndexOf(':');
  if (i < 0) throw new AuthError(401, 'expire missing');
  const expireText = value.slice(i + 1);
  if (!isDigits(expireText)) throw new AuthError(401, 'expire invalid');
  const expire = Number(expireText);
  if (expire !== 0 && expire < Math.floor(now / 1000)) throw new AuthError(401, 'sign expired');
  const expected = Buffer.from(mac(key, signedText(path, expire, version)));
  const given = Buffer.from(value.slice(0, i));
  if (key === '' || expected.length !== given.length || !timingSafeEqual(expected, given)) throw new AuthError(401, 'sign invalid');
}
