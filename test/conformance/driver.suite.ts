import { afterAll, beforeAll, describe } from 'vitest';
import { createKit, type ConformanceSetup } from './kit.js';
import { listAndStatTests, readTests } from './suite-read.js';
import { failedWriteTests, writeTests } from './suite-write.js';
import { mkdirRemoveTests, moveCopyTests } from './suite-tree.js';
import { factTests, hostileNameTests } from './suite-names.js';

export type { ConformanceSetup, Seed } from './kit.js';
export { HOSTILE_NAMES } from './suite-names.js';

/**
 * The one driver conformance suite (DESIGN.md §4). `setup` builds a driver over a storage it may
 * share; the suite calls `init` itself, works below one unique folder which it removes at the end,
 * then calls `cleanup`. Optional methods that are absent skip their tests with "driver has no X";
 * every other skip states its reason too.
 */
export function runDriverConformance(name: string, setup: () => Promise<ConformanceSetup>): void {
  describe(`driver conformance: ${name}`, () => {
    const kit = createKit();

    beforeAll(async () => {
      const env = await setup();
      kit.state.env = env;
      await env.driver.init?.(AbortSignal.timeout(60_000));
      if (env.driver.mkdir) await env.driver.mkdir(kit.base);
      else if (!env.driver.write) await env.seed?.mkdir(kit.base);
    });

    afterAll(async () => {
      const env = kit.state.env;
      if (!env) return;
      await env.driver.remove?.(kit.base, { recursive: true }).catch(() => undefined);
      await env.cleanup();
    });

    listAndStatTests(kit);
    readTests(kit);
    writeTests(kit);
    failedWriteTests(kit);
    mkdirRemoveTests(kit);
    moveCopyTests(kit);
    hostileNameTests(kit);
    factTests(kit);
  });
}
