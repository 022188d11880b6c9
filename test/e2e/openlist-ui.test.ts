import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { openlistFrontend } from './openlist-frontend.js';
import { gradientPng, launch, shot } from './ui-helpers.js';

const fetched = openlistFrontend();
if ('skip' in fetched) console.warn(`skipping the OpenList web UI suite: ${fetched.skip}`);

interface ApiAnswer {
  method: string;
  path: string;
  status: number;
  code: number | undefined;
}

/**
 * The official OpenList web UI (npm @openlist-frontend/openlist-frontend, its dist/ served through
 * dist_dir) driven in Chromium: every flow ends with no page error and every API answer 200 with
 * code 200, except the ones a step names as expected.
 */
describe.skipIf('skip' in fetched)('the official OpenList web UI against Filebridge', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let work: string;
  let files: string;
  const pageErrors: string[] = [];
  let answers: ApiAnswer[] = [];
  const pending: Promise<unknown>[] = [];

  /** What the step saw since the last check: page errors, and API answers other than 200/200 not in `expected`. */
  async function expectClean(expected: { path: string; code: number }[] = []): Promise<number> {
    await Promise.all(pending.splice(0));
    const seen = answers.length;
    const bad = answers.filter((a) => (a.status !== 200 || a.code !== 200) && !expected.some((e) => e.path === a.path && e.code === a.code));
    answers = [];
    expect(pageErrors.splice(0)).toEqual([]);
    expect(bad).toEqual([]);
    return seen;
  }

  const row = (name: string) => page.locator('.list-item, .grid-item').filter({ has: page.getByText(name, { exact: true }) });

  beforeAll(async () => {
    if ('skip' in fetched) return;
    work = mkdtempSync(join(tmpdir(), 'filebridge-openlist-ui-'));
    files = join(work, 'files');
    mkdirSync(join(files, 'docs'), { recursive: true });
    writeFileSync(join(files, 'docs/README.md'), '# Hello README\n\nSome *markdown* under the listing.\n');
    writeFileSync(join(files, 'docs/note.txt'), 'hello from a text file\n');
    writeFileSync(join(files, 'docs/pic.png'), gradientPng(240, 160, 90));
    writeFileSync(join(files, 'docs/old-name.txt'), 'rename me\n');
    writeFileSync(join(files, 'docs/trash.txt'), 'delete me\n');
    server = await startTestServer({ config: { dist_dir: fetched.dist }, storages: [{ mountPath: '/local', driver: 'Local', addition: JSON.stringify({ root_folder_path: files }) }] });
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page.setDefaultTimeout(15_000);
    // Outside the test machine nothing is reachable (OpenList's logo is on its CDN): such requests are refused at once.
    await page.route((url) => url.host !== new URL(server.url).host, (route) => route.abort());
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('response', (res) => {
      const url = new URL(res.url());
      if (!url.pathname.startsWith('/api/')) return;
      pending.push(
        res.text().then(
          (text) => {
            let code: number | undefined;
            try {
              code = (JSON.parse(text) as { code?: number }).code;
            } catch {
              code = undefined;
            }
            answers.push({ method: res.request().method(), path: url.pathname, status: res.status(), code });
          },
          () => answers.push({ method: res.request().method(), path: url.pathname, status: res.status(), code: undefined }),
        ),
      );
    });
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await shot(page, `openlist-failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 40)}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('logs in', async () => {
    await page.goto(`${server.url}/@login`);
    await page.fill('input[name="username"]', 'admin');
    await page.fill('input[name="password"]', 'admin-test-pass');
    await shot(page, 'openlist-login');
    await page.getByRole('button', { name: 'Login', exact: true }).click();
    await row('local').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(answers.map((a) => a.path)).toEqual(expect.arrayContaining(['/api/public/settings', '/api/auth/login/hash', '/api/me', '/api/fs/list']));
    expect(await expectClean()).toBeGreaterThan(3);
  });

  it('browses a folder: the list, its README rendered below it, README.md itself hidden', async () => {
    await row('local').click();
    await page.waitForURL((u) => u.pathname === '/local');
    await row('docs').click();
    await page.waitForURL((u) => u.pathname === '/local/docs');
    await row('note.txt').waitFor();
    await row('pic.png').waitFor();
    await page.getByRole('heading', { name: 'Hello README' }).waitFor();
    expect(await row('README.md').count()).toBe(0);
    await shot(page, 'openlist-browse');
    await expectClean();
  });

  it('switches to the grid layout and back', async () => {
    await page.getByRole('button', { name: 'switch layout' }).click();
    await page.getByText('Grid View', { exact: true }).click();
    await expect.poll(() => page.locator('.list-item').count()).toBe(0);
    await page.getByText('pic.png', { exact: true }).waitFor();
    await shot(page, 'openlist-grid');
    await page.getByRole('button', { name: 'switch layout' }).click();
    await page.getByText('List View', { exact: true }).click();
    await row('note.txt').waitFor();
    await expectClean();
  });

  it('previews a text file and an image', async () => {
    await row('note.txt').click();
    await page.waitForURL((u) => u.pathname === '/local/docs/note.txt');
    await page.getByText('hello from a text file').waitFor();
    await shot(page, 'openlist-preview-text');
    await page.goto(`${server.url}/local/docs/pic.png`);
    const img = page.locator('img[src*="pic.png"]').first();
    await img.waitFor();
    await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(240);
    await shot(page, 'openlist-preview-image');
    await expectClean();
  });

  it('downloads a file from the context menu', async () => {
    await page.goto(`${server.url}/local/docs`);
    await row('note.txt').click({ button: 'right' });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByText('Download', { exact: true }).click()]);
    const saved = join(work, 'downloaded.txt');
    await download.saveAs(saved);
    expect(readFileSync(saved, 'utf8')).toBe('hello from a text file\n');
    await expectClean();
  });

  it('makes a folder, renames a file and deletes one', async () => {
    await page.goto(`${server.url}/local/docs`);
    await row('note.txt').waitFor();
    // The tool bar opens from its "more" button.
    await page.locator('svg.toolbar-toggle').click();
    await page.locator('svg[tips="mkdir"]').click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('input[type="text"], input:not([type])').first().fill('made-in-ui');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await row('made-in-ui').waitFor();
    expect(existsSync(join(files, 'docs/made-in-ui'))).toBe(true);

    await row('old-name.txt').click({ button: 'right' });
    await page.getByText('Rename', { exact: true }).click();
    await page.getByRole('dialog').locator('input[type="text"], input:not([type])').first().fill('new-name.txt');
    await page.getByRole('dialog').getByRole('button', { name: 'OK' }).click();
    await row('new-name.txt').waitFor();
    expect(existsSync(join(files, 'docs/new-name.txt'))).toBe(true);
    expect(existsSync(join(files, 'docs/old-name.txt'))).toBe(false);

    await row('trash.txt').click({ button: 'right' });
    await page.getByText('Delete', { exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => existsSync(join(files, 'docs/trash.txt'))).toBe(false);
    await expect.poll(() => row('trash.txt').count()).toBe(0);
    await shot(page, 'openlist-manage-files');
    await expectClean();
  });

  it('opens the admin settings, storages and users pages', async () => {
    await page.goto(`${server.url}/@manage/settings/site`);
    await expect.poll(() => page.locator('input').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value))).toContain('Filebridge');
    await shot(page, 'openlist-settings');
    await page.goto(`${server.url}/@manage/storages`);
    await page.getByText('/local', { exact: true }).first().waitFor();
    await shot(page, 'openlist-storages');
    await page.goto(`${server.url}/@manage/users`);
    await page.getByText('guest', { exact: true }).first().waitFor();
    await page.getByText('admin', { exact: true }).first().waitFor();
    await shot(page, 'openlist-users');
    await expectClean();
  });
});
