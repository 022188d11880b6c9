import { createHash, randomBytes } from 'node:crypto';

/** The argon2 binding (a native module) loads on the first hash or verify, not at start-up. */
const argon2 = () => import('@node-rs/argon2');

/** AList's client-side static hash, which `/api/auth/login/hash` sends instead of the password. */
export const ALIST_HASH_SUFFIX = '-https://github.com/alist-org/alist';

export function staticHash(password: string): string {
  return createHash('sha256').update(password + ALIST_HASH_SUFFIX).digest('hex');
}

/**
 * Stored form: argon2id over the static hash, so that both the plain and the hashed login forms
 * can be verified from one value, and nothing weaker than argon2id is at rest.
 */
export async function hashPassword(password: string): Promise<string> {
  return hashStatic(staticHash(password));
}

export async function hashStatic(staticHex: string): Promise<string> {
  // algorithm 2 = Argon2id
  const { hash } = await argon2();
  return hash(staticHex.toLowerCase(), { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  return verifyStatic(stored, staticHash(password));
}

export async function verifyStatic(stored: string, staticHex: string): Promise<boolean> {
  if (!stored) return false;
  const { verify } = await argon2();
  try {
    return await verify(stored, staticHex.toLowerCase());
  } catch {
    return false;
  }
}

/** A random password people can type: 16 characters from an unambiguous alphabet. */
export function randomPassword(length = 16): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}
