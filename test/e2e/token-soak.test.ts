import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';

const DAY = 86_400_000;
const TOTAL = 100_000;
const PHASES = 4; // three restarts between them
const CONCURRENCY = 32;

describe('API token soak', () => {
  let server: TestServer;
  let offset = 0;
  const now = () => Date.now() + offset;
  const tokens: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ now });
    const admin = ApiClient.for(server);
    await admin.login();
    for (let i = 0; i < 50; i++) {
      const body = i % 2 === 0 ? { name: `t${i}`, scope: 'read' } : { name: `t${i}`, scope: 'write', expires_in_days: 30 };
      tokens.push((await admin.post('/api/me/tokens/create', body)).data.token as string);
    }
  });
  afterAll(async () => server?.stop());

  async function hammer(count: number): Promise<Map<string, number>> {
    const outcomes = new Map<string, number>();
    const pool = new Pool(server.url, { connections: CONCURRENCY });
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        const token = tokens[i % tokens.length] ?? '';
        const res = await pool.request({ path: '/api/me', method: 'GET', headers: { authorization: i % 3 === 0 ? `Bearer ${token}` : token } });
        const body = (await res.body.json()) as { code: number; message: string };
        const key = body.code === 200 ? 'ok' : `${body.code} ${body.message}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await pool.close();
    return outcomes;
  }

  it('answers 100,000 requests with 50 tokens across 3 restarts and 29 days of clock: 0 unexpected 401s', async () => {
    const totals = new Map<string, number>();
    for (let phase = 0; phase < PHASES; phase++) {
      offset = [0, 10, 20, 29][phase]! * DAY;
      if (phase > 0) {
        const dataDir = server.dataDir;
        await server.close();
        server = await startTestServer({ dataDir, now });
      }
      for (const [k, v] of await hammer(TOTAL / PHASES)) totals.set(k, (totals.get(k) ?? 0) + v);
    }
    expect(Object.fromEntries(totals)).toEqual({ ok: TOTAL });
  }, 300_000);
});
