/** AList's permission bits (classic numbering); bit n has value 1 << n. */
export { Perm } from '../wire/users.js';
import { Perm } from '../wire/users.js';

/** Every bit above: what an administrator implicitly holds. */
export const ALL_PERMISSIONS = Object.values(Perm).reduce((a, b) => a | b, 0);

export function hasPerm(permission: number, bit: number): boolean {
  return (permission & bit) === bit;
}
