import { z } from 'zod';
import { boolish } from '../core/input.js';
import { parseTrustProxy } from './trust-proxy.js';

/** A list as OpenList's config has it (a JSON array), or a comma-separated string (environment, flags). */
const stringList = z
  .union([z.array(z.string()), z.string().transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s !== ''))])
  .pipe(z.array(z.string().min(1)));

/** OpenList's `cors` block: every origin, method and header allowed by default. */
const corsSchema = z
  .object({
    allow_origins: stringList.default(['*']),
    allow_methods: stringList.default(['*']),
    allow_headers: stringList.default(['*']),
  })
  .strict();

/** The `cors` value: an object, or its JSON text (FILEBRIDGE_CORS='{"allow_origins":["https://a.example"]}'). */
const corsValue = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}, corsSchema);

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
    /**
     * Deadline for a request's body to have fully arrived, counted from the request's start
     * (answered 408, socket closed). Streamed uploads (WebDAV PUT, /api/fs/put, /api/fs/form)
     * only have the idle deadline below. 0 turns it off.
     */
    http_request_timeout_ms: z.coerce.number().int().min(0).default(30_000),
    /** A request body (uploads too) that sends no byte for this long is answered 408 and its socket closed; 0 turns it off. */
    http_body_idle_timeout_ms: z.coerce.number().int().min(0).default(60_000),
    /** Most client connections open at once; further ones are closed on arrival. 0: no limit. */
    http_max_connections: z.coerce.number().int().min(0).default(1024),
    /**
     * Which peers may set X-Forwarded-For/-Proto/-Host: `false` (default: the headers are
     * ignored), `true` (any peer: only when the server is reachable through the proxy alone) or
     * a comma-separated list of proxy addresses and CIDR ranges.
     */
    trust_proxy: z.union([z.boolean(), z.string(), z.array(z.string())]).default(false).transform(parseTrustProxy),
    /**
     * Names this instance's claims on the task queue; the same across restarts, different for each
     * instance sharing a database. Empty: `<host name>:<absolute data folder>`.
     */
    instance_id: z.string().default(''),
    /** Task items (files of copies and moves) running at once in this instance. */
    task_workers: z.coerce.number().int().min(1).max(256).default(4),
    /** Task items running at once per storage (as source or target) in this instance. */
    task_workers_per_storage: z.coerce.number().int().min(1).max(256).default(2),
    /** How long a claimed task item stays claimed without renewal; a dead instance's items are taken over after it. */
    task_lease_ms: z.coerce.number().int().min(500).default(30_000),
    /** How often the task queue is read when nothing woke the runner. */
    task_poll_ms: z.coerce.number().int().min(50).default(1_000),
    /** Attempts per task item on transient upstream failures before it fails. */
    task_max_attempts: z.coerce.number().int().min(1).max(100).default(5),
    /** First retry delay of a task item (doubled per attempt, up to 5 minutes; a longer Retry-After wins). */
    task_retry_ms: z.coerce.number().int().min(10).default(2_000),
    /**
     * Server processes sharing the port (node:cluster), each a full server on the same database;
     * 0: one per core (os.availableParallelism(), the recommended setting). 1: a single process,
     * no cluster. See docs/operations.md, "Workers".
     */
    workers: z.coerce.number().int().min(0).max(256).default(1),
    /** Bearer token that may read /metrics and /readyz details besides an administrator; empty: administrators only. */
    metrics_token: z.string().refine((v) => v === '' || v.length >= 16, 'at least 16 characters').default(''),
    /**
     * CORS as OpenList's config: `{allow_origins, allow_methods, allow_headers}`, each a list
     * (`["*"]` by default: any origin, no credentials). An empty `allow_origins` turns CORS off.
     */
    cors: corsValue.default({ allow_origins: ['*'], allow_methods: ['*'], allow_headers: ['*'] }),
    /**
     * AList/OpenList's `dist_dir`: a folder with another web UI build (its index.html and assets,
     * e.g. the `dist/` of OpenList's frontend) served at `/` instead of the built-in UI, with
     * `window.OPENLIST_CONFIG`/`window.ALIST` filled in as OpenList's server does. Empty: the built-in UI.
     */
    dist_dir: z.string().default(''),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = Readonly<z.output<typeof configSchema>>;
export type ConfigKey = keyof Config;
export const CONFIG_KEYS = Object.keys(configSchema.shape) as ConfigKey[];
