import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cruise } from 'dependency-cruiser';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/** Runs the project's import rules over a copy of src/ with `planted` files added. */
async function violations(planted: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'filebridge-arch-'));
  dirs.push(dir);
  cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  for (const [rel, text] of Object.entries(planted)) writeFileSync(join(dir, rel), text);
  const config = (await import(join(ROOT, '.dependency-cruiser.cjs'))).default as { forbidden: unknown[]; options: Record<string, unknown> };
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const result = await cruise(['src'], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden } } as never);
    const out = result.output as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
    return out.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
  } finally {
    process.chdir(cwd);
  }
}
const dirs: string[] = [];

/** The import rules hold for src/ and catch planted violations, type-only imports included. */
describe('import graph', () => {
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('has no cycle and no arrow from core to the adapters today', async () => {
    expect(await violations({})).toEqual([]);
  }, 60_000);

  it('refuses a type-only import from core into drivers, and from a door into a driver', async () => {
    const found = await violations({
      'src/core/planted.ts': "import type { localDriver } from '../drivers/local/local.js';\nexport type Planted = typeof localDriver;\n",
      'src/server/planted.ts': "import { localDriver } from '../drivers/local/local.js';\nexport const planted = localDriver.id;\n",
    });
    expect(found).toContain('core-is-the-centre: src/core/planted.ts -> src/drivers/local/local.ts');
    expect(found).toContain('doors-do-not-reach-drivers: src/server/planted.ts -> src/drivers/local/local.ts');
  }, 60_000);

  it('keeps src/wire a leaf the web UI can import: no arrow out of it, not even to Node', async () => {
    const found = await violations({
      'src/wire/planted.ts': "import type { Principal } from '../auth/principal.js';\nimport { join } from 'node:path';\nexport type P = Principal;\nexport const j = join;\n",
    });
    expect(found).toContain('wire-is-a-leaf: src/wire/planted.ts -> src/auth/principal.ts');
    expect(found).toContain('wire-is-a-leaf: src/wire/planted.ts -> path');
  }, 60_000);

  it('refuses a cycle made of type-only imports', async () => {
    const found = await violations({
      'src/lib/planted-a.ts': "import type { B } from './planted-b.js';\nexport interface A { b?: B }\n",
      'src/lib/planted-b.ts': "import type { A } from './planted-a.js';\nexport interface B { a?: A }\n",
    });
    expect(found.some((v) => v.startsWith('no-cycle: src/lib/planted-a.ts'))).toBe(true);
  }, 60_000);

  it('the type-aware lint refuses a floating promise and an await of a non-promise', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    // Linted as if it were an existing file of the project, so the type checker sees it.
    const [result] = await eslint.lintText('async function save(): Promise<void> {}\nexport async function planted(): Promise<number> {\n  save();\n  return await 1;\n}\n', { filePath: join(ROOT, 'src/lib/counted.ts') });
    const rules = (result?.messages ?? []).map((m) => m.ruleId);
    expect(rules).toContain('@typescript-eslint/no-floating-promises');
    expect(rules).toContain('@typescript-eslint/await-thenable');
  }, 60_000);
});
