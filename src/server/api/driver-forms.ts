import { z } from 'zod';
import { numberish } from '../../core/input.js';
import { looseBool, looseInt } from './context.js';
import { ApiError } from './errors.js';

/** One of AList's driver form items (`/api/admin/driver/info`'s `common` and `additional`). */
export interface FormItem {
  name: string;
  type: 'string' | 'number' | 'bool' | 'select' | 'text';
  default: string;
  options: string;
  required: boolean;
  help: string;
}

interface CommonOption {
  type: FormItem['type'];
  /** What the create/update body accepts, with its default. */
  schema: z.ZodType;
  default: string;
  options?: string;
  required?: boolean;
  help?: string;
}

/**
 * The mount options every storage has, declared once: the admin API's create/update body is
 * parsed from these schemas and the driver forms' `common` items are listed from them.
 * `webdav_policy` depends on the driver (proxy-only drivers have one choice), so its item is
 * finished per driver.
 */
export const COMMON_OPTIONS = {
  mount_path: { type: 'string', schema: z.string().min(1, 'is required'), default: '', required: true },
  order: { type: 'number', schema: looseInt.default(0), default: '0', help: 'sort order of mount points' },
  remark: { type: 'text', schema: z.string().default(''), default: '' },
  cache_expiration: { type: 'number', schema: numberish(z.number().int().min(0)).default(30), default: '30', help: 'listing cache, minutes' },
  web_proxy: { type: 'bool', schema: looseBool.default(false), default: 'false' },
  // Absent: the driver's default (webdavPolicy below), so what the API stores is what the form offers.
  webdav_policy: { type: 'select', schema: z.string().optional(), default: '302_redirect', options: '302_redirect,use_proxy_url,native_proxy', required: true },
  down_proxy_url: { type: 'text', schema: z.string().default(''), default: '' },
  enable_sign: { type: 'bool', schema: looseBool.default(false), default: 'false' },
  order_by: { type: 'select', schema: z.string().default(''), default: '', options: 'name,size,modified' },
  order_direction: { type: 'select', schema: z.string().default(''), default: '', options: 'asc,desc' },
  extract_folder: { type: 'select', schema: z.string().default(''), default: '', options: 'front,back' },
} as const satisfies Record<string, CommonOption>;

type Common = typeof COMMON_OPTIONS;

/** The admin API's storage body: the common options, plus id, driver, addition and disabled. */
export const StorageBody = z.object({
  id: looseInt.optional(),
  driver: z.string().min(1, 'is required'),
  addition: z.string().default('{}'),
  disabled: looseBool.default(false),
  ...(Object.fromEntries(Object.entries(COMMON_OPTIONS).map(([k, o]) => [k, o.schema])) as { [K in keyof Common]: Common[K]['schema'] }),
});
export type StorageBody = z.output<typeof StorageBody>;

/**
 * The `webdav_policy` a storage of a driver has: proxy-only drivers offer (and do) native_proxy
 * alone, whatever was stored or sent; others take the value given (one of the options, else a
 * 400 naming it) or 302_redirect.
 */
export function webdavPolicy(proxyOnly: boolean, given: string | undefined): string {
  if (proxyOnly) return 'native_proxy';
  const o = COMMON_OPTIONS.webdav_policy;
  if (given === undefined || given === '') return o.default;
  const options = o.options.split(',');
  if (!options.includes(given)) throw new ApiError(400, `webdav_policy: must be one of ${options.join(', ')}, got ${JSON.stringify(given)}`);
  return given;
}

/** The `common` form items for a driver, in declaration order. */
export function commonItems(proxyOnly: boolean): FormItem[] {
  return Object.entries(COMMON_OPTIONS).map(([name, o]: [string, CommonOption]) => {
    const item: FormItem = { name, type: o.type, default: o.default, options: o.options ?? '', required: o.required ?? false, help: o.help ?? '' };
    return name === 'webdav_policy' && proxyOnly ? { ...item, default: 'native_proxy', options: 'native_proxy' } : item;
  });
}
