import type { AnyDriverDefinition } from './define-driver.js';
import { localDriver } from './local/local.js';

/** Every built-in driver, listed explicitly. */
export function builtinDrivers(): AnyDriverDefinition[] {
  return [localDriver as unknown as AnyDriverDefinition];
}
