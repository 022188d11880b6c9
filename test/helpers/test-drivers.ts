import { existsSync, readFileSync } from 'node:fs';
import { defineDriver } from '../../src/drivers/define-driver.js';
import { FsError } from '../../src/core/errors.js';
import type { Driver, DriverFacts } from '../../src/drivers/types.js';

const facts: DriverFacts = {
  caseSensitive: true,
  emptyDirs: true,
  mtimePrecisionMs: 0,
  setsMtime: false,
  hashes: [],
  unknownSizeWrites: false,
  proxyOnly: true,
};

function readOnly(init: (signal: AbortSignal) => Promise<void>): Driver {
  return {
    init,
    stat: async () => {
      throw new FsError('not_found', 'empty storage');
    },
    list: async function* () {
      /* nothing */
    },
    read: async () => {
      throw new FsError('not_found', 'empty storage');
    },
  };
}

/** A storage whose initialisation never returns and ignores its abort signal. */
export const hangingDriver = defineDriver({
  id: 'TestHang',
  label: 'Test: hangs',
  description: 'init never settles',
  options: {},
  facts,
  create: () => readOnly(() => new Promise<void>(() => undefined)),
});

/**
 * A storage that fails to start while the file named by `fault_file` exists, with the file's
 * text as the error: the cause goes away when the file is removed.
 */
export const faultyDriver = defineDriver({
  id: 'TestFaulty',
  label: 'Test: fails while a file exists',
  description: 'init throws while fault_file exists',
  options: {
    fault_file: { type: 'string', label: 'fault file', required: true },
    api_key: { type: 'string', label: 'API key', secret: true },
  },
  facts,
  create: (o) =>
    readOnly(async () => {
      if (existsSync(o.fault_file)) throw new Error(readFileSync(o.fault_file, 'utf8').trim());
    }),
});
