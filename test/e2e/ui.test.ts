import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { launch, shot, writeFixtureTree, writeUploadFolder } from './ui-helpers.js';

describe('web UI in headless Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let work: string;
  let files: string;

  const entry = (name: string) => page.locator(`[data-testid="entry"][data-name="${name}"]`);
  const openMenu = async (name: string, action: string) => {
    await entry(name).getByTestId('entry-menu').click();
    await page.getByRole('menuitem', { name: action, exact: true }).click();
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-ui-'));
    files = join(work, 'files');
    writeFixtureTree(files);
    server = await startTestServer({ storages: [{ mountPath: '/local', driver: 'Local', addition: JSON.stringify({ root_folder_path: files }) }] });
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    page.on('dialog', (d) => void d.accept());
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(page, `failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 40)}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('logs in', async () => {
    await page.goto(`${server.url}/`);
    await page.getByLabel('Username').fill('admin');
    await page.locator('input[name="password"]').fill('admin-test-pass');
    await shot(page, 'login');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await entry('local').waitFor();
    expect(await page.evaluate('localStorage.getItem("filebridge.token")')).toBeTruthy();
    await shot(page, 'browse-root');
  });

  it('browses a nested folder through clicks and breadcrumbs', async () => {
    let at = '';
    for (const name of ['local', 'docs', 'deep', 'nested']) {
      at += `/${name}`;
      await entry(name).click();
      await page.waitForURL((u) => u.pathname === at);
    }
    await entry('leaf.txt').waitFor();
    expect(new URL(page.url()).pathname).toBe('/local/docs/deep/nested');
    await expect.poll(() => page.getByRole('navigation', { name: 'breadcrumbs' }).innerText()).toMatch(/Home.*local.*docs.*deep.*nested/s);
    await shot(page, 'browse-nested');
    await page.getByRole('navigation', { name: 'breadcrumbs' }).getByRole('link', { name: 'docs' }).click();
    await entry('deep').waitFor();
  });

  it('previews an image with a gallery and a text file with highlighting', async () => {
    await page.goto(`${server.url}/local/pics`);
    await entry('a-sunrise.png').click();
    const img = page.getByTestId('image-preview');
    await img.waitFor();
    await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(320);
    await page.getByRole('button', { name: /Next/ }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/local/pics/b-dusk.png');
    await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(320);
    await shot(page, 'preview-image');

    await page.goto(`${server.url}/local/code/hello.ts`);
    const code = page.getByTestId('text-preview');
    await code.waitFor();
    expect(await code.innerText()).toContain('return `hello ${name}`;');
    expect(await code.locator('.hljs-keyword').count()).toBeGreaterThan(0);
    expect(await page.getByRole('link', { name: 'Download' }).getAttribute('href')).toMatch(/^\/d\/local\/code\/hello\.ts\?sign=/);
    await shot(page, 'preview-text');
  });

  it('uploads a folder of 20 files with progress reaching 100%', async () => {
    const src = writeUploadFolder(work, 20);
    await page.goto(`${server.url}/local/manage`);
    await entry('report.txt').waitFor();
    await page.getByTestId('upload-folder').setInputFiles(src);
    const items = page.getByTestId('upload-item');
    await expect.poll(() => items.count()).toBe(20);
    await expect.poll(() => page.locator('[data-testid="upload-item"][data-status="done"][data-progress="100"]').count(), { timeout: 30_000 }).toBe(20);
    await entry('batch').waitFor();
    await shot(page, 'upload');
    expect(readdirSync(join(files, 'manage/batch')).length).toBe(16);
    expect(readdirSync(join(files, 'manage/batch/sub')).length).toBe(5);
    await page.getByRole('button', { name: 'Clear finished' }).click();
  });

  it('renames, moves and deletes with dialogs', async () => {
    await openMenu('old-name.txt', 'Rename');
    const name = page.getByLabel('New name');
    await name.fill('new-name.txt');
    await page.getByRole('dialog').getByRole('button', { name: 'Rename' }).click();
    await entry('new-name.txt').waitFor();
    expect(existsSync(join(files, 'manage/new-name.txt'))).toBe(true);

    await openMenu('report.txt', 'Move');
    await page.getByTestId('picker-dir').filter({ hasText: 'target' }).click();
    await expect.poll(() => page.getByTestId('picker-path').innerText()).toBe('/local/manage/target');
    await shot(page, 'move-picker');
    await page.getByRole('button', { name: 'Move here' }).click();
    await entry('report.txt').waitFor({ state: 'detached' });
    expect(existsSync(join(files, 'manage/target/report.txt'))).toBe(true);

    await openMenu('trash.txt', 'Delete');
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await entry('trash.txt').waitFor({ state: 'detached' });
    expect(existsSync(join(files, 'manage/trash.txt'))).toBe(false);

    // An error is shown in words: renaming onto a name with a slash is refused by the API.
    await openMenu('new-name.txt', 'Rename');
    await page.getByLabel('New name').fill('a/b');
    await page.getByRole('dialog').getByRole('button', { name: 'Rename' }).click();
    await expect.poll(() => page.getByRole('dialog').getByRole('alert').innerText()).not.toBe('');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  });

  it('creates storages through the generated form and shows a failing one with its error', async () => {
    const made = join(work, 'made');
    writeFileSync(join(work, 'fault.txt'), 'upstream said: disk on fire');
    await page.goto(`${server.url}/@manage/storages`);
    await page.getByTestId('storage-row').first().waitFor();

    const create = async (driver: string, mount: string, fields: Record<string, string>) => {
      await page.getByRole('button', { name: 'Add storage' }).click();
      await page.getByTestId('driver-select').click();
      await page.getByRole('option', { name: driver, exact: true }).click();
      const form = page.getByTestId('storage-form');
      await form.getByLabel('Mount path').fill(mount);
      for (const [label, value] of Object.entries(fields)) await form.getByLabel(label).fill(value);
      await form.getByRole('button', { name: 'Create' }).click();
      await form.waitFor({ state: 'detached' });
    };
    mkdirSync(made);
    await create('Local', '/made', { 'Root folder path': made });
    const row = page.locator('[data-testid="storage-row"][data-mount="/made"]');
    await expect.poll(() => row.getByTestId('storage-state').textContent()).toBe('ready');

    await create('Test: fails while a file exists', '/broken', { 'fault file': join(work, 'fault.txt') });
    await expect.poll(() => page.getByRole('alert').first().innerText()).toContain('disk on fire');
    const bad = page.locator('[data-testid="storage-row"][data-mount="/broken"]');
    await expect.poll(() => bad.getByTestId('storage-state').textContent()).toBe('error');
    expect(await bad.getByTestId('storage-error').innerText()).toContain('disk on fire');
    await shot(page, 'storages');
  });

  it('creates an API token, shows it once, and revokes it', async () => {
    await page.goto(`${server.url}/@manage/tokens`);
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByLabel('Token name').fill('ci-bot');
    await page.getByLabel(/Expires in/).fill('30');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    const token = (await page.getByTestId('new-token-value').innerText()).trim();
    expect(token.length).toBeGreaterThan(20);
    const me = async () => (await (await fetch(`${server.url}/api/me`, { headers: { authorization: token } })).json()) as { code: number };
    expect((await me()).code).toBe(200);
    await shot(page, 'tokens');
    const row = page.locator('[data-testid="token-row"][data-name="ci-bot"]');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(async () => (await me()).code).not.toBe(200);
  });

  it('opens a 10,000-entry folder: first rows render and scrolling reaches the last entry', async () => {
    await page.goto(`${server.url}/local/big`);
    await entry('f00000.txt').waitFor();
    expect(await page.getByTestId('entry-count').innerText()).toContain('10000');
    // Virtualised: only a window of rows is in the DOM.
    expect(await page.getByTestId('entry').count()).toBeLessThan(200);
    await page.getByTestId('file-scroll').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await entry('f09999.txt').waitFor();
    await shot(page, 'big-folder');
    await page.getByTestId('filter').fill('f0999');
    await expect.poll(() => page.getByTestId('entry').count()).toBe(10);
  });

  it('fits a phone width in dark mode and switches to Simplified Chinese', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.url}/local/pics`);
    await entry('a-sunrise.png').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    expect(await page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    await page.getByText('中文').click();
    await page.getByPlaceholder('筛选当前文件夹').waitFor();
    await shot(page, 'phone-dark-zh');
    await page.getByText('EN', { exact: true }).click();
  });
});
