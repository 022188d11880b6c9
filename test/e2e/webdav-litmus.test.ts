import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LITMUS_GROUPS, type LitmusResult, runLitmus } from '../servers/litmus.js';
import { ADMIN, startDavServer } from './webdav-helpers.js';

/**
 * The standard WebDAV compliance suite against a running server over a Local storage. Every
 * group must pass every test, with no warnings (docs/webdav.md lists none as known failures).
 */
describe('litmus (RFC 4918 compliance suite)', () => {
  let result: LitmusResult;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const s = await startDavServer();
    stop = s.stop;
    result = await runLitmus(`${s.server.url}/dav/`, ADMIN.user, ADMIN.pass);
  });
  afterAll(async () => stop?.());

  for (const group of LITMUS_GROUPS) {
    it(`passes every test of the ${group} group`, () => {
      const g = result.groups[group];
      expect(g, `litmus printed no summary for ${group}:\n${result.output}`).toBeDefined();
      expect(g?.failures).toEqual([]);
      expect(g?.failed).toBe(0);
      expect(g?.passed).toBe(g?.run);
      expect(g?.warnings).toEqual([]);
    });
  }
});
