import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { FS_ERROR_CODES, FsError } from '../../src/core/errors.js';
import { DAV_STATUS, sendError } from '../../src/server/webdav/errors.js';
import { ROOT } from '../helpers/cli.js';

/** The rows of the "WebDAV statuses" table in docs/errors.md: core code → status. */
function docTable(): Map<string, number> {
  const md = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
  const section = md.split(/^## /m).find((s) => s.startsWith('WebDAV statuses')) ?? '';
  const rows = new Map<string, number>();
  for (const m of section.matchAll(/^\| `(\w+)` \| (\d{3}) \|/gm)) rows.set(m[1] ?? '', Number(m[2]));
  return rows;
}

describe('WebDAV error mapping', () => {
  it('docs/errors.md has a row for every core code, with the status the server sends', () => {
    const rows = docTable();
    for (const code of FS_ERROR_CODES) expect([code, rows.get(code)]).toEqual([code, DAV_STATUS[code]]);
    expect(rows.size).toBe(FS_ERROR_CODES.length);
  });

  it('sends the mapped status for every code (507 for a full storage, never 405)', async () => {
    const app = Fastify();
    app.get('/:code', async (req, reply) => sendError(reply, new FsError((req.params as { code: (typeof FS_ERROR_CODES)[number] }).code, 'x')));
    for (const code of FS_ERROR_CODES) {
      const r = await app.inject({ method: 'GET', url: `/${code}` });
      expect([code, r.statusCode]).toEqual([code, DAV_STATUS[code]]);
      expect(r.statusCode).not.toBe(405);
    }
    expect(DAV_STATUS.quota_exceeded).toBe(507);
    await app.close();
  });
});
