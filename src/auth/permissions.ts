/** AList's permission bits (classic numbering); bit n has value 1 << n. */
export { Perm } from '../wire/users.js';
import { Perm } from '../wire/users.js';

/** Every bit above: what an administrator implicitly holds. */
export const ALL_PERMISSIONS = Object.values(Perm).reduce((a, b) => a | b, 0);

export function hasPerm(permission: number, bit: number): boolean {
  return (permission & bit) === bit;
}

/**
 * The bits OpenList gives the admin it creates (0x71FF: bits 0-8 and 12-14): what `/api/me` shows
 * for a new admin, since OpenList's UI offers actions by bits even to administrators. The gate does
 * not read an administrator's bits.
 */
export const ADMIN_PERMISSION = 0x71ff;
