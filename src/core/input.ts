import { z } from 'zod';

/**
 * A number sent as a number or as a numeric string (as AList clients and form posts do). Other
 * values are refused as they are, never converted: `{"id":{"toString":1}}`, `[3]` or `null` is a
 * clear 400 naming the field.
 */
export function numberish<T extends z.ZodType = z.ZodNumber>(inner?: T) {
  return z.preprocess((v) => (typeof v === 'string' ? Number(v) : v), (inner ?? z.number()) as T);
}

/** A boolean sent as a boolean or as the string "true"/"false". */
export const boolish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
