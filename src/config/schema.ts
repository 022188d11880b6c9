import { z } from 'zod';
import { boolish } from '../core/input.js';

/**
 * Every setting, with its default. Keys are the names used in `<data>/config.json`; the
 * environment variable is FILEBRIDGE_ + the key in upper case (FILEBRIDGE_PORT, FILEBRIDGE_DB, ...).
 */
export const configSchema = z
  .object({
    data: z.string().min(1).default('./data'),
    host: z.string().min(1).default('0.0.0.0'),
    port: z.coerce.number().int().min(0).max(65535).default(5244),
    /** `sqlite:<file>` or `postgres://...`; default `sqlite:<data>/data.db`. */
    db: z.string().default(''),
    site_url: z.union([z.literal(''), z.url()]).default(''),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    jwt_secret: z.string().default(''),
    /**
     * Key that seals storage secrets and token state: 32 bytes, base64. Empty: `<data>/secret.key`
     * (made on first start). Instances of a cluster on one database must have the same key.
     */
    secret_key: z
      .string()
      .refine((v) => v === '' || Buffer.from(v, 'base64').length === 32, '32 bytes in base64 (e.g. `openssl rand -base64 32`)')
      .default(''),
    /** Login token lifetime in hours, as AList's token_expires_in. */
    token_expires_in: z.coerce.number().int().min(1).max(24 * 365).default(48),
    /** Deadline for one storage's initialisation. */
    init_timeout_ms: z.coerce.number().int().min(100).default(10_000),
    retry_initial_ms: z.coerce.number().int().min(10).default(1_000),
    retry_max_ms: z.coerce.number().int().min(10).default(600_000),
    /** Deadline for one metadata call to a storage (stat, list, mkdir, ...). */
    upstream_timeout_ms: z.coerce.number().int().min(50).default(30_000),
    /** Consecutive upstream failures that open a mount's circuit breaker. */
    breaker_threshold: z.coerce.number().int().min(1).default(5),
    /** How long an open breaker waits before letting one probe call through. */
    breaker_half_open_ms: z.coerce.number().int().min(10).default(10_000),
    /** Oldest listing served (marked stale) when a storage fails; 0 turns stale-if-error off. */
    stale_max_age_ms: z.coerce.number().int().min(0).default(24 * 3_600_000),
    /** How often a running server looks for storage changes made by the CLI. */
    storage_poll_ms: z.coerce.number().int().min(0).default(2_000),
    /** Days audit entries are kept (pruned at start and hourly); 0 keeps them all. */
    audit_retention_days: z.coerce.number().int().min(0).default(180),
    /** Largest accepted JSON body, in bytes. */
    body_limit: z.coerce.number().int().min(1024).default(1024 * 1024),
    /** URL prefix of the WebDAV front door. */
    webdav_prefix: z.string().regex(/^\/[^?#]*[^/?#]$/, 'an absolute path without a trailing slash, such as /dav').default('/dav'),
    /** PROPFIND with Depth: infinity: answered when true, refused with 403 propfind-finite-depth (RFC 4918 §9.1) when false. */
    webdav_propfind_infinity: boolish.default(false),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = Readonly<z.output<typeof configSchema>>;
export type ConfigKey = keyof Config;
export const CONFIG_KEYS = Object.keys(configSchema.shape) as ConfigKey[];
