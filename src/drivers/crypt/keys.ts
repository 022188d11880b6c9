import { createDecipheriv, randomBytes, scrypt, createCipheriv } from 'node:crypto';
import { FsError } from '../../core/errors.js';

/** The keys rclone derives from a crypt remote's two passwords. */
export interface CryptKeys {
  /** NaCl secretbox key for file content. */
  dataKey: Uint8Array;
  /** AES-256 key for names (EME), and the sum that seeds the obfuscation. */
  nameKey: Uint8Array;
  /** EME tweak for names. */
  nameTweak: Uint8Array;
}

/** rclone's salt when `password2` (here `salt`) is empty. */
const DEFAULT_SALT = Buffer.from('a80df43a8fbd0308a7cab83e581f86b1', 'hex');
const KEY_BYTES = 32 + 32 + 16;

/**
 * scrypt(N=16384, r=8, p=1) of the password, salted with the second password or rclone's
 * default salt, 80 bytes: data key, name key, name tweak. Runs on libuv's pool, off the event
 * loop. An empty password gives all-zero keys, as in rclone (its tests rely on that).
 */
export async function deriveKeys(password: string, salt: string): Promise<CryptKeys> {
  let key: Buffer;
  if (password === '') key = Buffer.alloc(KEY_BYTES);
  else {
    const saltBytes = salt === '' ? DEFAULT_SALT : Buffer.from(salt, 'utf8');
    key = await new Promise<Buffer>((resolve, reject) => {
      scrypt(Buffer.from(password, 'utf8'), saltBytes, KEY_BYTES, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (err, out) => (err ? reject(err) : resolve(out)));
    });
  }
  return { dataKey: new Uint8Array(key.subarray(0, 32)), nameKey: new Uint8Array(key.subarray(32, 64)), nameTweak: new Uint8Array(key.subarray(64, 80)) };
}

/** The fixed key of `rclone obscure` (AES-CTR); obscuring hides a password from a glance, no more. */
const OBSCURE_KEY = Buffer.from('9c935b48730a554d6bfd7c63c886a92bd390198eb8128afbf4de162b8b95f638', 'hex');

/** `rclone obscure`: a random 16-byte IV, then the text under AES-256-CTR, all in URL-safe base64 without padding. */
export function obscure(text: string): string {
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-ctr', OBSCURE_KEY, iv);
  return Buffer.concat([iv, c.update(text, 'utf8'), c.final()]).toString('base64url');
}

/** `rclone reveal`: the text of an obscured value, or undefined when it is not one. */
export function reveal(obscured: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(obscured) || obscured.length % 4 === 1) return undefined;
  const raw = Buffer.from(obscured, 'base64url');
  if (raw.length < 16) return undefined;
  const d = createDecipheriv('aes-256-ctr', OBSCURE_KEY, raw.subarray(0, 16));
  return Buffer.concat([d.update(raw.subarray(16)), d.final()]).toString('utf8');
}

/** OpenList's mark of a password it stores obscured (rclone's way) rather than in clear. */
export const OBSCURED_PREFIX = '___Obfuscated___';

/**
 * The clear text of a password option, by OpenList's rule: a value starting with
 * `___Obfuscated___` is rclone-obscured after that prefix (what OpenList stores, and what an
 * rclone.conf value becomes with the prefix put in front); any other value is the password itself.
 */
export function clearSecret(option: string, value: string): string {
  if (!value.startsWith(OBSCURED_PREFIX)) return value;
  const clear = reveal(value.slice(OBSCURED_PREFIX.length));
  if (clear === undefined) throw new FsError('invalid_input', `${option}: the value after ${OBSCURED_PREFIX} is not an rclone-obscured password`);
  return clear;
}
