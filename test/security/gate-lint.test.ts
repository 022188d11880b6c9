import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** Lints code as if it were a file of a front door: the gate rules must catch each way around the gate. */
async function lintAsDoor(code: string): Promise<string[]> {
  // The planted file exists only in memory: the type-aware rules (which need it in the project) stay off here.
  const eslint = new ESLint({
    cwd: process.cwd(),
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parserOptions: { projectService: false } },
        rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off', '@typescript-eslint/await-thenable': 'off' },
      },
    ],
  });
  const [result] = await eslint.lintText(code, { filePath: 'src/server/api/planted.ts' });
  return (result?.messages ?? []).map((m) => m.message);
}

describe('doors cannot decide authorization themselves (lint)', () => {
  it('refuses permission bits, role checks, token scopes and meta rules in src/server', async () => {
    const planted: [string, RegExp][] = [
      ["import { Perm } from '../../auth/permissions.js';\nexport const x = Perm.Write;\n", /permission bits are the gate's/],
      ["import { can } from '../../auth/principal.js';\nexport const x = can;\n", /gate/],
      ["import { isAdmin } from '../../auth/principal.js';\nexport const x = isAdmin;\n", /gate/],
      ['export const f = (p: { scope?: string }) => p.scope === "read";\n', /token scopes are decided by the gate/],
      ['export const f = (deps: { metas: { passwordsFor(p: string): string[] } }) => deps.metas.passwordsFor("/");\n', /metas are read by the gate only/],
      ['export const f = (p: { user: { permission: number } }) => p.user.permission & 8;\n', /permission bits are decided by the gate/],
    ];
    for (const [code, message] of planted) {
      const messages = await lintAsDoor(code);
      expect(messages.some((m) => message.test(m)), `${code}\n→ ${messages.join('; ')}`).toBe(true);
    }
  });

  it('lets a door ask the gate', async () => {
    const code = "import type { Gate } from '../../auth/gate.js';\nexport const f = (gate: Gate) => gate.isAdmin;\n";
    expect(await lintAsDoor(code)).toEqual([]);
  });
});
