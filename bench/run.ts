/** `npm run bench -- <name...>`: runs the named benches (all when none is named). */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { benchHot } from './hot.js';
import { benchRelay } from './relay.js';
import { benchSearch } from './search.js';
import { benchStartup } from './startup.js';
import { benchWebdav } from './webdav.js';

const BENCHES: Record<string, () => Promise<unknown>> = {
  hot: benchHot,
  webdav: benchWebdav,
  relay: benchRelay,
  startup: benchStartup,
  search: benchSearch,
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a) => a !== '--');
  const names = asked.length > 0 ? asked : Object.keys(BENCHES);
  // wrk, nginx and rclone, installed from Debian as the test suites install theirs.
  execFileSync('bash', [resolve(import.meta.dirname, '../scripts/ensure-deps.sh'), resolve(import.meta.dirname, '../scripts/apt-packages-bench.txt')], { stdio: 'inherit' });
  for (const name of names) {
    const bench = BENCHES[name];
    if (!bench) throw new Error(`unknown bench "${name}"; known: ${Object.keys(BENCHES).join(', ')}`);
    console.log(`== bench ${name}`);
    await bench();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
