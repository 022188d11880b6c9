/** Small conversions shared by the repositories (row <-> domain). */

export function bool(value: number | boolean | null | undefined): boolean {
  return value === true || (typeof value === 'number' && value !== 0);
}

export function flag(value: boolean): number {
  return value ? 1 : 0;
}

/** Some drivers (pg) return counts and sums as strings or bigints. */
export function num(value: number | string | bigint | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return Number(value);
}

export function isoDate(value: Date): string {
  return value.toISOString();
}

export function parseDate(value: string): Date {
  return new Date(value);
}

export function parseOptionalDate(value: string | null): Date | null {
  return value === null ? null : new Date(value);
}

export function optionalIso(value: Date | null | undefined): string | null {
  return value === null || value === undefined ? null : value.toISOString();
}

/** True when an update/delete touched at least one row. */
export function touched(result: { numUpdatedRows: bigint } | { numDeletedRows: bigint } | undefined): boolean {
  if (result === undefined) return false;
  const n = 'numUpdatedRows' in result ? result.numUpdatedRows : result.numDeletedRows;
  return n > 0n;
}

export interface PageOptions {
  /** 1-based page number. */
  page: number;
  perPage: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** Clamps paging input to sane values; returns limit and offset. */
export function pageWindow(options: PageOptions): { limit: number; offset: number } {
  const perPage = Math.max(1, Math.floor(options.perPage));
  const page = Math.max(1, Math.floor(options.page));
  return { limit: perPage, offset: (page - 1) * perPage };
}

/** Copies the keys of `source` that are not undefined, renamed by `columns`. */
export function pickDefined<S extends object, R>(
  source: S,
  columns: { [K in keyof S]-?: (value: Exclude<S[K], undefined>) => Partial<R> },
): Partial<R> {
  const out: Partial<R> = {};
  for (const key of Object.keys(columns) as (keyof S)[]) {
    const value = source[key];
    if (value !== undefined) Object.assign(out, columns[key](value as Exclude<S[typeof key], undefined>));
  }
  return out;
}
