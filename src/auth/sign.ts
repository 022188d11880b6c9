import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuthError } from './errors.js';

function mac(key: string, data: string): string {
  const b64 = createHmac('sha256', key).update(data).digest('base64');
  // Go's base64.URLEncoding: URL alphabet, with padding.
  return b64.replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * AList's download sign: base64url(HMAC-SHA256(key, path + ":" + expire)) + ":" + expire, where
 * expire is unix seconds or 0 for never (reference §5.3).
 */
export function signPath(key: string, path: string, expireHours: number, now = Date.now()): string {
  const expire = expireHours > 0 ? Math.floor(now / 1000) + Math.round(expireHours * 3600) : 0;
  return `${mac(key, `${path}:${expire}`)}:${expire}`;
}

export function verifySign(key: string, path: string, sign: string | undefined, now = Date.now()): void {
  const value = (sign ?? '').replace(/\/+$/, '');
  const i = value.lastIndexOf(':');
  if (i < 0) throw new AuthError(401, 'expire missing');
  const expireText = value.slice(i + 1);
  if (!/^\d+$/.test(expireText)) throw new AuthError(401, 'expire invalid');
  const expire = Number(expireText);
  if (expire !== 0 && expire < Math.floor(now / 1000)) throw new AuthError(401, 'sign expired');
  const expected = Buffer.from(mac(key, `${path}:${expire}`));
  const given = Buffer.from(value.slice(0, i));
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new AuthError(401, 'sign invalid');
}
