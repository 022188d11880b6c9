import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Gate } from '../../src/auth/gate.js';
import { MetaService } from '../../src/auth/metas.js';
import type { Principal } from '../../src/auth/principal.js';
import { type MetaRecord, type MetaRepository, UserRole } from '../../src/db/repositories/index.js';
import { type ModelMeta, type ModelPrincipal, askArb, metaArb, modelAllows, principalArb } from './gate-model.js';

function record(m: ModelMeta): MetaRecord {
  return { ...m, hide: '', hSub: false, readme: '', rSub: false, header: '', headerSub: false };
}

function principalOf(p: ModelPrincipal): Principal {
  const role = p.role === 'admin' ? UserRole.Admin : p.role === 'guest' ? UserRole.Guest : UserRole.General;
  const user = { id: 7, username: p.role, passwordHash: '', pwdTs: 0, basePath: p.basePath, role, disabled: false, permission: p.permission, otpSecret: '', ssoId: '' };
  if (!p.token) return { user, kind: p.role === 'guest' ? 'guest' : 'login' };
  return { user, kind: 'api_token', scope: p.token.scope, pathPrefix: p.token.prefix, tokenId: 1 };
}

/** The rules held in memory as the metas table would give them (the gate reads them through MetaService). */
async function gateFor(metas: ModelMeta[], fold: boolean): Promise<Gate> {
  const repo = { list: async () => ({ items: metas.map(record), total: metas.length }) } as unknown as MetaRepository;
  const service = new MetaService(repo, { foldCase: () => fold });
  await service.reload();
  const never = { maxFailures: Number.MAX_SAFE_INTEGER, windowMs: 1000 };
  return new Gate(service, { perAddress: never, perFolder: never });
}

describe('the gate against a plain reference model of the rules', () => {
  it('decides every generated principal, meta set and operation as the model does', async () => {
    let allowed = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(principalArb, metaArb, askArb, fc.boolean(), async (p, metas, ask, fold) => {
        const gate = await gateFor(metas, fold);
        const decision = gate.authorize(principalOf(p), { ...ask, ip: '10.0.0.1' });
        const expected = modelAllows(p, metas, ask, fold);
        if (expected) allowed++;
        else refused++;
        expect(decision.ok, JSON.stringify({ p, metas, ask, fold, decision })).toBe(expected);
      }),
      { numRuns: Number(process.env.FILEBRIDGE_FUZZ_RUNS ?? 1000) },
    );
    // The generators reach both answers often enough for the comparison to mean something.
    expect(allowed).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});
