import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../helpers/server.js';

describe('a script written for AList', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('logs in, uploads, lists, gets and downloads via raw_url unchanged', async () => {
    const script = resolve(import.meta.dirname, '../fixtures/alist_script.py');
    // Asynchronous on purpose: the server runs in this process and must keep answering.
    const run = await promisify(execFile)('python3', [script, server.url, 'admin', 'admin-test-pass'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ ok: true, names: ['report 2024.txt'], size: 28, provider: 'Local' });
  });
});
