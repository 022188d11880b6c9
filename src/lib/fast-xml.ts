import { createRequire } from 'node:module';
import type * as Fxp from 'fast-xml-parser';

/**
 * fast-xml-parser from its CommonJS build, which is one file: its ESM build is some twenty
 * modules that Node 20's ESM loader takes several times longer to load (measured in
 * bench/results/startup.md). Same package, same version, same classes.
 */
const fxp = createRequire(import.meta.url)('fast-xml-parser') as typeof Fxp;

export const XMLParser = fxp.XMLParser;
export type XMLParser = Fxp.XMLParser;
export const XMLValidator = fxp.XMLValidator;
