import tseslint from 'typescript-eslint';

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
    files: ['src/server/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/drivers/**', '**/drivers'], message: 'front doors go through core, never drivers/ (DESIGN.md §7.1)' }] }],
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
    // DESIGN.md §7 rule 2: no mutable state at module level.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: 'Program > VariableDeclaration[kind="let"], Program > VariableDeclaration[kind="var"], ExportNamedDeclaration > VariableDeclaration[kind="let"]', message: 'no mutable state at module level (DESIGN.md §7 rule 2): build it in main.ts and pass it' }],
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
