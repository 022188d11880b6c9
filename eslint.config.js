import tseslint from 'typescript-eslint';

const MODULE_STATE = 'Program > VariableDeclaration[kind="let"], Program > VariableDeclaration[kind="var"], ExportNamedDeclaration > VariableDeclaration[kind="let"]';
/** MetaService methods that state rules: only the gate reads them. */
const META_RULES = '/^(passwordsFor|metaWrite|hiddenNames|onTheWay|below|nearest|passwordVersion)$/';

/** Import boundaries of DESIGN.md §7 rule 1, plus no module-level `let`. */
export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web/**', 'data/**', 'bench/results/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {},
  },
  {
    // Promises are awaited, returned or explicitly voided; nothing that is not a promise is awaited.
    files: ['src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // DESIGN.md §7 rule 2: no mutable state at module level.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: MODULE_STATE, message: 'no mutable state at module level (DESIGN.md §7 rule 2): build it in main.ts and pass it' }],
    },
  },
  {
    // Start-up (issue 17): these load from their CommonJS builds through one module each, which
    // Node 20 loads several times faster than their ESM builds; a value import of the package
    // itself would load its ESM build beside it. Types are imported from the package as usual.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'kysely', allowTypeImports: true, message: 'import kysely values from db/kysely.ts (its CommonJS build); types with `import type`' },
            { name: 'fast-xml-parser', allowTypeImports: true, message: 'import from lib/fast-xml.ts (its CommonJS build); types with `import type`' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/drivers/**', '**/drivers'], message: 'front doors go through core, never drivers/ (DESIGN.md §7.1)' },
            { group: ['**/auth/permissions*'], message: 'permission bits are the gate\'s (auth/gate.ts): a door asks gate.authorize (DESIGN.md §7.1)' },
            { group: ['**/auth/principal*'], importNames: ['can', 'permissions', 'isAdmin'], message: 'permission bits and roles are the gate\'s (auth/gate.ts): a door asks gate.authorize (DESIGN.md §7.1)' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: MODULE_STATE, message: 'no mutable state at module level (DESIGN.md §7 rule 2): build it in main.ts and pass it' },
        { selector: `MemberExpression[property.name=${META_RULES}]:matches([object.name='metas'], [object.property.name='metas'])`, message: 'metas are read by the gate only (auth/gate.ts): a door asks gate.authorize, gate.visibleIn or gate.folderView (DESIGN.md §7.1)' },
        { selector: "MemberExpression[property.name='scope']:matches([object.name='p'], [object.name='principal'], [object.property.name='principal'])", message: 'token scopes are decided by the gate (auth/gate.ts) (DESIGN.md §7.1)' },
        { selector: "MemberExpression[property.name='permission']:matches([object.property.name='user'])", message: 'permission bits are decided by the gate (auth/gate.ts) (DESIGN.md §7.1)' },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/server/**', '**/db/**', '**/db'], message: 'core never imports server/ or db/ (DESIGN.md §7.1)' },
            { group: ['**/drivers/*/**'], message: 'core knows drivers only through drivers/types' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/drivers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/core/mount*', '**/db/**', '**/server/**', '**/auth/**'], message: 'a driver imports nothing from mount code, db/, server/ (DESIGN.md §4)' }] },
      ],
    },
  },
);
