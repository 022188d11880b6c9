import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { z } from 'zod';

/** One file or folder as a driver reports it. Paths are relative to the driver's root. */
export interface Entry {
  name: string;
  isDir: boolean;
  /** Bytes; 0 for folders when unknown. */
  size: number;
  mtime?: Date;
  ctime?: Date;
  /** Lower-case hex digests keyed by algorithm (md5, sha1, sha256, ...). */
  hashes?: Record<string, string>;
}

/** Inclusive byte range; `end` undefined means to the end of the file. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface ReadOptions {
  range?: ByteRange;
  signal?: AbortSignal;
}

export interface ReadResult {
  stream: Readable;
  /** Total size of the file. */
  size: number;
  /** The range honoured, or undefined when the whole file is streamed. */
  range?: { start: number; end: number };
}

export interface WriteOptions {
  /** Declared size, when known; a mismatch fails the write. */
  size?: number;
  mtime?: Date;
  signal?: AbortSignal;
}

export interface RemoveOptions {
  recursive?: boolean;
}

export interface Link {
  url: string;
  headers?: Record<string, string>;
  expiresAt?: Date;
}

export interface Quota {
  total?: number;
  used?: number;
  free?: number;
}

/**
 * The driver contract (DESIGN.md §4). Required: stat, list, read. Everything else is optional and
 * having the method is the capability. Drivers throw only FsError.
 */
export interface Driver {
  init?(signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
  stat(path: string): Promise<Entry>;
  list(dir: string, options?: { signal?: AbortSignal }): AsyncIterable<Entry>;
  read(path: string, options?: ReadOptions): Promise<ReadResult>;
  /** Never leaves a half file visible; overwrites an existing file. */
  write?(path: string, body: Readable, options?: WriteOptions): Promise<Entry>;
  /** Idempotent: an existing folder is success. */
  mkdir?(path: string): Promise<void>;
  remove?(path: string, options?: RemoveOptions): Promise<void>;
  /** Moves or renames within the storage; the destination must not exist. */
  move?(from: string, to: string): Promise<void>;
  /** Copies within the storage; throws not_supported to ask core to stream instead. */
  copy?(from: string, to: string): Promise<void>;
  link?(path: string): Promise<Link>;
  about?(): Promise<Quota>;
  /** Connections the driver holds outside the mount's HTTP dispatcher (its own agent, session pool). */
  connectionStats?(): ConnectionStats;
  /** What the driver wants shown about itself: a degradation reason, details such as the token route in use. */
  status?(): DriverStatus;
  /**
   * A virtual storage's answer to "which tree paths does my `path` stand for" (an Alias: the
   * folders it merges), without look-ups, so the authorization gate checks base paths and metas
   * on those paths too. Absent: the path stands for nothing else.
   */
  realPaths?(path: string): string[];
}

/** The optional methods of the contract, each with how core calls it (see core/instrument.ts). */
export type OptionalDriverMethod = { [K in keyof Driver]-?: undefined extends Driver[K] ? K : never }[keyof Driver];

/**
 * How core calls each optional method: `timed` under the mount's breaker and deadline (metadata
 * calls), `untimed` under the breaker only (uploads take as long as their bodies), `direct` as is
 * (lifecycle and local status). Typed over every optional method: a new one does not compile until
 * it says how it is called, so instrumentation, conformance and capability lists cannot drift.
 */
export const OPTIONAL_DRIVER_METHODS: Readonly<Record<OptionalDriverMethod, 'timed' | 'untimed' | 'direct'>> = Object.freeze({
  init: 'direct',
  close: 'direct',
  write: 'untimed',
  mkdir: 'timed',
  remove: 'timed',
  move: 'timed',
  copy: 'timed',
  link: 'timed',
  about: 'timed',
  connectionStats: 'direct',
  status: 'direct',
  realPaths: 'direct',
});

/** The capabilities a driver instance has: the optional methods it implements. */
export function capabilities(driver: Driver): OptionalDriverMethod[] {
  return (Object.keys(OPTIONAL_DRIVER_METHODS) as OptionalDriverMethod[]).filter((m) => typeof driver[m] === 'function');
}

export interface DriverStatus {
  /** Set while the driver serves with a fallback in use (e.g. a secondary token route). */
  degraded?: string;
  details?: Record<string, unknown>;
}

/** Upstream connections of one mount, for /metrics and the admin view. */
export interface ConnectionStats {
  open: number;
  idle: number;
  busy: number;
  /** Requests waiting for a connection. */
  queued: number;
}

/** Facts a driver declares about its storage; the conformance suite checks they hold. */
export interface DriverFacts {
  caseSensitive: boolean;
  /** Empty folders persist. */
  emptyDirs: boolean;
  /** Precision of stored modification times in milliseconds (0 = not stored). */
  mtimePrecisionMs: number;
  /** Whether write() honours options.mtime. */
  setsMtime: boolean;
  hashes: readonly string[];
  /** Whether write() accepts a body of unknown size. */
  unknownSizeWrites: boolean;
  /** The driver only proxies; link() is absent. */
  proxyOnly: boolean;
}

/** Persisted state a driver may keep, e.g. rotating OAuth tokens; saved atomically. */
export interface TokenStore {
  load(): Promise<Record<string, unknown> | undefined>;
  save(value: Record<string, unknown>): Promise<void>;
  /**
   * Runs `work` while holding this mount's lock, across processes and instances sharing the
   * database, so that one rotating refresh token is never used twice. The lock expires after
   * `ttlMs` if its holder dies.
   */
  withLock<T>(ttlMs: number, work: () => Promise<T>): Promise<T>;
}

/**
 * The file tree of the other mounts, by absolute virtual path: what virtual storages (Alias, Crypt,
 * Strm) are built on, so that they work over every storage. Calls go through those mounts' own
 * caches, breakers and deadlines. A call that would reach the asking mount again, directly or
 * through other virtual storages, fails with FsError `loop` instead of recursing.
 */
export interface Tree {
  stat(path: string): Promise<Entry>;
  list(path: string, options?: { signal?: AbortSignal }): Promise<Entry[]>;
  read(path: string, options?: ReadOptions): Promise<ReadResult>;
  write(path: string, body: Readable, options?: WriteOptions): Promise<Entry>;
  mkdir(path: string): Promise<void>;
  remove(path: string, options?: RemoveOptions): Promise<void>;
  /** Moves or renames; across storages the bytes are copied and the source removed. */
  move(from: string, to: string): Promise<void>;
  link(path: string): Promise<Link | undefined>;
}

/**
 * What a driver may ask of the server it runs in, read fresh on every call (settings change at
 * any time): for virtual storages that hand out links to the server (Strm) or fetch URLs for
 * users (UrlTree).
 */
export interface SiteView {
  /** The server's public base URL without a trailing slash (site_url, else where it listens); '' when unknown. */
  baseUrl(): string;
  /**
   * The `sign` query value for a /d or /p link to the absolute virtual path `path`, made now and
   * valid for link_expiration hours, when one is needed (sign_all, the path's storage signs its
   * links) or `always` asks for one; undefined otherwise. Also undefined when a folder password
   * guards the path: a link made outside a request never carries a password's grant, so /d
   * refuses it, and a link signed before the password was set stops working.
   */
  linkSign(path: string, options?: { always?: boolean }): string | undefined;
  /** Whether URLs fetched for users may reach private, loopback and link-local addresses (the offline_download_allow_private setting). */
  allowPrivateAddresses(): boolean;
}

export interface DriverContext {
  logger: Logger;
  /** The other mounts' files by virtual path (for virtual storages). */
  tree: Tree;
  /** The server around the driver: public URL, link signing, the SSRF switch. */
  site: SiteView;
  /** The mount's own pooled HTTP dispatcher; closed on unmount. */
  dispatcher: Dispatcher;
  tokens: TokenStore;
  /** A private temporary folder for this mount. */
  tempDir: string;
  /** Aborted when the mount is closed. */
  signal: AbortSignal;
}

export type OptionType = 'string' | 'number' | 'bool' | 'select' | 'text';

export interface OptionDecl {
  type: OptionType;
  label: string;
  help?: string;
  default?: string | number | boolean;
  required?: boolean;
  choices?: readonly string[];
  advanced?: boolean;
  secret?: boolean;
}

export type OptionDecls = Record<string, OptionDecl>;

/** The TypeScript type of a set of option declarations. */
export type OptionsOf<D extends OptionDecls> = {
  [K in keyof D]: D[K]['type'] extends 'number' ? number : D[K]['type'] extends 'bool' ? boolean : string;
};

export interface DriverDefinition<D extends OptionDecls = OptionDecls> {
  /** The AList driver name where one exists (e.g. "Local", "S3"). */
  id: string;
  label: string;
  description: string;
  options: D;
  facts: DriverFacts;
  /** Derived from `options` by defineDriver. */
  schema: z.ZodType<OptionsOf<D>>;
  create(options: OptionsOf<D>, ctx: DriverContext): Driver;
}
