import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { launch, shot } from './ui-helpers.js';

const SUCCEEDED = '2';
const CANCELED = '4';
const FAILED = '7';

/** A folder of `count` files of 50 KB each in `dir`. */
function fill(dir: string, count: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) writeFileSync(join(dir, `file-${String(i).padStart(4, '0')}.bin`), Buffer.alloc(50_000, i % 251));
}

/**
 * The tasks view in headless Chromium: a copy across storages started from the file browser shows
 * a notice, the shell's badge counts it, and the tasks page follows it live to 100%; a running
 * task is cancelled and a failed one retried from the page.
 */
describe('web UI: tasks view', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let work: string;
  let api: ApiClient;

  const entry = (name: string) => page.locator(`[data-testid="entry"][data-name="${name}"]`);
  const row = (name: string) => page.locator(`[data-testid="task-row"][data-name="${name}"]`);
  const taskName = (folder: string) => `copy [/a](/${folder}) to [/b](/${folder})`;
  const startCopy = async (folder: string, overwrite = false) => {
    const r = await api.post<{ tasks?: { id: string }[] }>('/api/fs/copy', { src_dir: '/a', dst_dir: '/b', names: [folder], overwrite });
    expect(r.code).toBe(200);
    expect(r.data.tasks).toHaveLength(1);
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-ui-tasks-'));
    fill(join(work, 'a', 'photos'), 300);
    fill(join(work, 'a', 'archive'), 2000);
    // A file in /b where the copy needs a folder: that copy fails until the file goes.
    mkdirSync(join(work, 'a', 'blocked', 'sub'), { recursive: true });
    writeFileSync(join(work, 'a', 'blocked', 'sub', 'inside.txt'), 'inside');
    mkdirSync(join(work, 'b', 'blocked'), { recursive: true });
    writeFileSync(join(work, 'b', 'blocked', 'sub'), 'a file where a folder should go');
    server = await startTestServer({
      config: { task_poll_ms: 50 },
      storages: ['a', 'b'].map((d) => ({ mountPath: `/${d}`, driver: 'Local', addition: JSON.stringify({ root_folder_path: join(work, d) }) })),
    });
    api = ApiClient.for(server);
    await api.login();
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(page, `failed-tasks-${ctx.task.name.replace(/\W+/g, '-').slice(0, 40)}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('logs in and shows a Tasks link with no badge while nothing runs', async () => {
    await page.goto(`${server.url}/`);
    await page.getByLabel('Username').fill('admin');
    await page.locator('input[name="password"]').fill('admin-test-pass');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await entry('a').waitFor();
    await page.getByTestId('tasks-nav').waitFor();
    expect(await page.getByTestId('tasks-badge').count()).toBe(0);
  });

  it('copies a folder across storages from the file browser: a notice, a badge, and the task followed to 100%', async () => {
    await page.goto(`${server.url}/a`);
    await entry('photos').getByTestId('entry-menu').click();
    await page.getByRole('menuitem', { name: 'Copy', exact: true }).click();
    await page.getByRole('dialog').getByText('Up').click();
    await page.getByTestId('picker-dir').filter({ hasText: 'b' }).click();
    await expect.poll(() => page.getByTestId('picker-path').innerText()).toBe('/b');
    await page.getByRole('button', { name: 'Copy here' }).click();

    const notice = page.getByTestId('task-notice');
    await notice.waitFor();
    expect(await notice.innerText()).toContain('1 task(s) started in the background.');
    // 300 files take a few seconds: the shell counts the unfinished task meanwhile.
    await expect.poll(() => page.getByTestId('tasks-badge').innerText(), { timeout: 10_000 }).toBe('1');
    await shot(page, 'tasks-notice');

    await notice.getByRole('link', { name: 'View tasks' }).click();
    await expect.poll(() => decodeURIComponent(new URL(page.url()).pathname)).toBe('/@tasks');
    const photos = row(taskName('photos'));
    await photos.waitFor();
    expect(await photos.getByTestId('task-name').innerText()).toBe(taskName('photos'));
    expect(await photos.innerText()).toContain('admin');
    await expect.poll(() => photos.getAttribute('data-state'), { timeout: 30_000 }).toBe(SUCCEEDED);
    expect(await photos.getByTestId('task-state').innerText()).toMatch(/succeeded/i);
    expect(await photos.getByTestId('task-progress').innerText()).toMatch(/^100%/);
    expect(await photos.getAttribute('data-progress')).toBe('100');
    // The badge goes once nothing is left unfinished.
    await expect.poll(() => page.getByTestId('tasks-badge').count(), { timeout: 10_000 }).toBe(0);
    await shot(page, 'tasks-succeeded');
    expect(readdirSync(join(work, 'b', 'photos'))).toHaveLength(300);
  });

  it('shows live speed and ETA of a running task and cancels it from its row', async () => {
    // Started elsewhere (the API): the page's light poll notices it without a reload.
    await startCopy('archive');
    const archive = row(taskName('archive'));
    await archive.waitFor();
    await expect.poll(() => archive.getAttribute('data-state'), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => archive.getByTestId('task-speed').innerText(), { timeout: 15_000 }).toMatch(/\/s$/);
    await expect.poll(() => archive.getByTestId('task-eta').innerText(), { timeout: 10_000 }).toMatch(/\d+(s|m|h)/);
    await expect.poll(() => page.getByTestId('tasks-badge').innerText(), { timeout: 10_000 }).toBe('1');
    const progress = Number(await archive.getAttribute('data-progress'));
    expect(progress).toBeGreaterThan(0);
    expect(progress).toBeLessThan(100);
    await shot(page, 'tasks-running');

    await archive.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect.poll(() => archive.getAttribute('data-state'), { timeout: 15_000 }).toBe(CANCELED);
    expect(await archive.getByTestId('task-state').innerText()).toMatch(/canceled/i);
    await expect.poll(() => page.getByTestId('tasks-badge').count(), { timeout: 10_000 }).toBe(0);
    expect(existsSync(join(work, 'b', 'archive')) ? readdirSync(join(work, 'b', 'archive')).length : 0).toBeLessThan(2000);
  });

  it('shows a failed task with its error, filters by state, and retries it once the cause is gone', async () => {
    await startCopy('blocked', true);
    const blocked = row(taskName('blocked'));
    await expect.poll(() => blocked.getAttribute('data-state'), { timeout: 15_000 }).toBe(FAILED);
    expect(await blocked.getByTestId('task-error').innerText()).toContain('exists and is a file');

    await page.getByRole('radiogroup', { name: 'State' }).getByText('Failed', { exact: true }).click();
    await expect.poll(() => page.getByTestId('task-row').count(), { timeout: 10_000 }).toBe(1);
    await shot(page, 'tasks-failed');
    await page.getByRole('radiogroup', { name: 'State' }).getByText('Done', { exact: true }).click();
    await expect.poll(() => page.getByTestId('task-row').count(), { timeout: 10_000 }).toBe(3);

    rmSync(join(work, 'b', 'blocked', 'sub'));
    await blocked.getByRole('button', { name: 'Retry', exact: true }).click();
    await expect.poll(() => blocked.getAttribute('data-state'), { timeout: 15_000 }).toBe(SUCCEEDED);
    expect(existsSync(join(work, 'b', 'blocked', 'sub', 'inside.txt'))).toBe(true);
    await page.getByRole('radiogroup', { name: 'State' }).getByText('All', { exact: true }).click();
  });

  it('filters by kind and clears tasks in bulk', async () => {
    await page.getByRole('combobox', { name: 'Kind' }).click();
    await page.getByRole('option', { name: 'Move', exact: true }).click();
    await page.getByTestId('tasks-empty').waitFor();
    expect(await page.getByTestId('tasks-empty').innerText()).toBe('No task matches the filter.');
    await page.getByRole('combobox', { name: 'Kind' }).click();
    await page.getByRole('option', { name: 'All kinds', exact: true }).click();
    await expect.poll(() => page.getByTestId('task-row').count(), { timeout: 10_000 }).toBe(3);

    // Select one and delete it (delete_some), then clear the rest (clear_done).
    await row(taskName('photos')).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await row(taskName('photos')).waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('task-row').count(), { timeout: 10_000 }).toBe(2);
    await page.getByRole('button', { name: 'Clear finished tasks' }).click();
    await page.getByTestId('tasks-empty').waitFor();
    expect((await api.get<unknown[]>('/api/task/copy/done')).data).toEqual([]);
    await shot(page, 'tasks-cleared');
  });
});
