/** Typed errors of the database layer. Front doors map `code` to their responses. */
export type DbErrorCode = 'conflict' | 'invalid_reference' | 'constraint' | 'migration_failed' | 'invalid_url';

export class DbError extends Error {
  readonly code: DbErrorCode;

  constructor(code: DbErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DbError';
    this.code = code;
  }
}

/** A unique constraint was violated (e.g. a mount path or username already taken). */
export class ConflictError extends DbError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('conflict', message, options);
    this.name = 'ConflictError';
  }
}

/** A foreign key points at a row that does not exist (e.g. a token for a missing user). */
export class InvalidReferenceError extends DbError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('invalid_reference', message, options);
    this.name = 'InvalidReferenceError';
  }
}

/** Any other constraint refused the write (NOT NULL, CHECK, exclusion). */
export class ConstraintError extends DbError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('constraint', message, options);
    this.name = 'ConstraintError';
  }
}

export class MigrationError extends DbError {
  readonly migrationName: string | undefined;

  constructor(message: string, options: { cause?: unknown; migrationName?: string } = {}) {
    super('migration_failed', message, options);
    this.name = 'MigrationError';
    this.migrationName = options.migrationName;
  }
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** SQLite (better-sqlite3) and PostgreSQL (pg, SQLSTATE 23505) unique violations. */
export function isUniqueViolation(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** SQLite and PostgreSQL (SQLSTATE 23503) foreign key violations. */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/** Any constraint violation: SQLite's SQLITE_CONSTRAINT family, PostgreSQL's SQLSTATE class 23 (pg errors carry a severity). */
export function isConstraintViolation(err: unknown): boolean {
  const code = errorCode(err);
  if (code === undefined) return false;
  return code.startsWith('SQLITE_CONSTRAINT') || (/^23[0-9A-Z]{3}$/.test(code) && 'severity' in (err as object));
}

const CONSTRAINT_CODES: readonly DbErrorCode[] = ['conflict', 'invalid_reference', 'constraint'];

/**
 * The typed error for a constraint violation anywhere in `err`'s cause chain (a ConflictError,
 * InvalidReferenceError or ConstraintError as it is; a raw engine error typed here), or undefined.
 * The messages of errors typed here name no table or column: front doors may show them.
 */
export function constraintError(err: unknown): DbError | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    if (e instanceof DbError) return CONSTRAINT_CODES.includes(e.code) ? e : undefined;
    if (isUniqueViolation(e)) return new ConflictError('a record with this name or path already exists', { cause: err });
    if (isForeignKeyViolation(e)) return new InvalidReferenceError('the record refers to something that does not exist', { cause: err });
    if (isConstraintViolation(e)) return new ConstraintError('the change breaks a rule of the stored data (a required or invalid value)', { cause: err });
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export interface ConstraintMessages {
  conflict: string;
  reference?: string;
}

/** Runs a write and turns engine-specific constraint errors into typed ones. */
export async function mapConstraintErrors<T>(run: () => Promise<T>, messages: ConstraintMessages): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(messages.conflict, { cause: err });
    if (messages.reference !== undefined && isForeignKeyViolation(err)) {
      throw new InvalidReferenceError(messages.reference, { cause: err });
    }
    throw err;
  }
}
