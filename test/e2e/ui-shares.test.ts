import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api.js';
import { type TestServer, startTestServer } from '../helpers/server.js';
import { launch, shot } from './ui-helpers.js';

/**
 * Shares in headless Chromium: the administrator shares a folder with a password from the entry
 * menu; a visitor in a fresh, logged-out context (the guest is disabled) opens the link, gives the
 * password, browses and downloads; "My shares" lists the share and disables it, and the visitor's
 * page then says the share is no longer valid.
 */
describe('web UI: shares', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let visitorCtx: BrowserContext;
  let visitor: Page;
  let work: string;
  let link = '';
  const report = randomBytes(50_000);

  const entry = (name: string) => page.locator(`[data-testid="entry"][data-name="${name}"]`);
  const shared = (name: string) => visitor.locator(`[data-testid="share-entry"][data-name="${name}"]`);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'filebridge-ui-shares-'));
    mkdirSync(join(work, 'project', 'sub'), { recursive: true });
    writeFileSync(join(work, 'project', 'report.bin'), report);
    writeFileSync(join(work, 'project', 'sub', 'note.txt'), 'a note');
    writeFileSync(join(work, 'other.txt'), 'not shared');
    server = await startTestServer({ storages: [{ mountPath: '/', driver: 'Local', addition: JSON.stringify({ root_folder_path: work }) }] });
    // The guest is disabled: a share link must work without it.
    const admin = ApiClient.for(server);
    await admin.login();
    const guest = (await admin.get<{ content: { id: number; username: string }[] }>('/api/admin/user/list')).data.content.find((u) => u.username === 'guest');
    const g = (await admin.get<Record<string, unknown>>(`/api/admin/user/get?id=${guest?.id}`)).data;
    expect((await admin.post('/api/admin/user/update', { ...g, disabled: true })).code).toBe(200);
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    page.on('dialog', (d) => void d.accept());
    visitorCtx = await browser.newContext({ viewport: { width: 1024, height: 700 }, acceptDownloads: true });
    visitor = await visitorCtx.newPage();
    visitor.setDefaultTimeout(10_000);
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      const name = ctx.task.name.replace(/\W+/g, '-').slice(0, 40);
      await shot(page, `failed-shares-${name}`);
      await shot(visitor, `failed-shares-visitor-${name}`);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('shares a folder with a password from the entry menu and shows its link', async () => {
    await page.goto(`${server.url}/`);
    await page.getByLabel('Username').fill('admin');
    await page.locator('input[name="password"]').fill('admin-test-pass');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await entry('project').getByTestId('entry-menu').click();
    await page.getByRole('menuitem', { name: 'Share', exact: true }).click();
    await page.locator('input[name="share-pwd"]').fill('s3cret');
    await page.locator('input[name="share-days"]').fill('7');
    await page.locator('input[name="share-remark"]').fill('for the client');
    await shot(page, 'share-dialog');
    await page.getByRole('button', { name: 'Create share', exact: true }).click();
    link = (await page.getByTestId('share-link').innerText()).trim();
    expect(link).toMatch(new RegExp(`^${server.url}/@s/[\\w-]+$`));
    expect(link).not.toContain('project');
    await shot(page, 'share-created');
    await page.getByRole('button', { name: 'Close', exact: true }).click();
  });

  it('opens the link logged out, asks the password, lists, navigates and downloads', async () => {
    await visitor.goto(link);
    // A wrong password is refused; the right one shows the listing.
    await visitor.getByTestId('folder-password').fill('nope');
    await visitor.getByRole('button', { name: 'OK', exact: true }).click();
    await visitor.getByText('The password is wrong.').waitFor();
    await visitor.getByTestId('folder-password').fill('s3cret');
    await visitor.getByRole('button', { name: 'OK', exact: true }).click();
    await shared('report.bin').waitFor();
    await shared('sub').waitFor();
    expect(await visitor.getByTestId('share-entry').count()).toBe(2);
    expect(await visitor.evaluate('localStorage.getItem("filebridge.token")')).toBeNull();
    await shot(visitor, 'share-public-listing');

    // "Download all (zip)" is the share's zip door.
    const zipHref = await visitor.getByTestId('share-zip').getAttribute('href');
    expect(zipHref).toMatch(/^\/sd\/[\w-]+\?pwd=s3cret$/);
    const zip = await fetch(`${server.url}${zipHref}`);
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    await zip.arrayBuffer();

    // Folders are navigable.
    await shared('sub').getByRole('link', { name: 'sub' }).click();
    await shared('note.txt').waitFor();
    expect(decodeURIComponent(new URL(visitor.url()).pathname)).toMatch(/^\/@s\/[\w-]+\/sub$/);
    await visitor.getByRole('navigation', { name: 'breadcrumbs' }).getByRole('link').first().click();
    await shared('report.bin').waitFor();

    // A file's page downloads through its raw_url, byte for byte.
    await shared('report.bin').getByRole('link', { name: 'report.bin' }).click();
    const button = visitor.getByTestId('share-download');
    await button.waitFor();
    const raw = (await button.getAttribute('href')) ?? '';
    expect(raw).toMatch(new RegExp(`^${server.url}/sd/[\\w-]+/report\\.bin\\?pwd=s3cret$`));
    const [download] = await Promise.all([visitor.waitForEvent('download'), button.click()]);
    expect(readFileSync((await download.path()) as string).equals(report)).toBe(true);
    await shot(visitor, 'share-public-file');
  });

  it('lists the share in "My shares" and disabling it ends the public page', async () => {
    await page.getByRole('button', { name: 'user menu' }).click();
    await page.getByRole('menuitem', { name: 'My shares', exact: true }).click();
    const id = link.slice(link.lastIndexOf('/') + 1);
    const row = page.locator(`[data-testid="share-row"][data-id="${id}"]`);
    await row.waitFor();
    expect(await row.getByTestId('share-file').innerText()).toBe('/project');
    expect(await row.innerText()).toContain('for the client');
    expect(await row.getByTestId('share-status').textContent()).toBe('Enabled');
    await page.getByRole('menu').waitFor({ state: 'hidden' });
    await shot(page, 'my-shares');
    await row.getByTestId('share-toggle').click();
    await expect.poll(() => row.getByTestId('share-status').textContent()).toBe('Disabled');

    await visitor.goto(link);
    const err = visitor.getByTestId('share-error');
    await err.waitFor();
    expect(await err.getAttribute('data-code')).toBe('410');
    expect(await err.innerText()).toContain('This share is no longer valid');
    await shot(visitor, 'share-public-disabled');

    // Enabled again it works; deleted, the link is unknown.
    await row.getByTestId('share-toggle').click();
    await expect.poll(() => row.getByTestId('share-status').textContent()).toBe('Enabled');
    await visitor.reload();
    await shared('report.bin').waitFor();
    await row.getByTestId('share-delete').click();
    await row.waitFor({ state: 'detached' });
    await visitor.reload();
    await err.waitFor();
    expect(await err.getAttribute('data-code')).toBe('404');
    expect(await err.innerText()).toContain('This share does not exist');
  });
});
