/**
 * The import rules of DESIGN.md §3, type-only imports included: no cycles anywhere in src/;
 * core imports nothing from the adapters and services around it; drivers see only the storage
 * contract, core's errors and helpers, and lib/; doors never reach into drivers.
 */
module.exports = {
  forbidden: [
    { name: 'no-cycle', severity: 'error', comment: 'no import cycles anywhere in src/', from: { path: '^src/' }, to: { circular: true } },
    {
      name: 'core-is-the-centre',
      severity: 'error',
      comment: 'core/ imports nothing from drivers/, server/, db/, cli/, auth/, settings/, cluster/, tasks/',
      from: { path: '^src/core/' },
      to: { path: '^src/(drivers|server|db|cli|auth|settings|cluster|tasks)/' },
    },
    {
      name: 'drivers-see-the-contract',
      severity: 'error',
      comment: 'drivers/ import only the storage contract, core, lib/ and each other, never the doors or the services',
      from: { path: '^src/drivers/' },
      to: { path: '^src/(server|db|cli|cluster|auth|settings|tasks)/' },
    },
    {
      name: 'wire-is-a-leaf',
      severity: 'error',
      comment: 'src/wire/ holds the API shapes the web UI imports as they are: nothing from the rest of src/, nothing from Node',
      from: { path: '^src/wire/' },
      to: { pathNot: '^src/wire/' },
    },
    { name: 'doors-do-not-reach-drivers', severity: 'error', comment: 'server/ never imports drivers/', from: { path: '^src/server/' }, to: { path: '^src/drivers/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
