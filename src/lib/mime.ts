import { createRequire } from 'node:module';
import type * as MimeTypes from 'mime-types';

/**
 * mime-types, loaded at the first look-up rather than at start-up (its table, mime-db, is a
 * 200 KB JSON file parsed on load). Same functions, same answers.
 */
const requireHere = createRequire(import.meta.url);
const mimeTypes = (): typeof MimeTypes => requireHere('mime-types') as typeof MimeTypes;

/** The content type for a file name or extension, with a charset for text types; false when unknown. */
export function contentType(nameOrType: string): string | false {
  return mimeTypes().contentType(nameOrType);
}

/** The media type for a file name or extension; false when unknown. */
export function lookup(nameOrExt: string): string | false {
  return mimeTypes().lookup(nameOrExt);
}
