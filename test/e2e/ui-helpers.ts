import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { type Browser, type Page, chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOTS = join(ROOT, 'test/e2e/screenshots');
export const CHROMIUM = '/usr/bin/chromium';

/** Flags that work on this machine (reference/env-check.md §4); playwright gives each launch a fresh profile. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Fails with a clear message (never skips) when Chromium or the built UI is missing. */
export function requirePrerequisites(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; listed in scripts/apt-packages.txt)`);
  if (!existsSync(join(ROOT, 'web/dist/index.html'))) throw new Error('web/dist is missing: build the UI with `npm run build:web` (npm install does it)');
}

export async function launch(): Promise<Browser> {
  requirePrerequisites();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A small RGB gradient PNG, so image previews have something real to decode. */
export function gradientPng(width: number, height: number, hue: number): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = (x * 255) / width;
      row[2 + x * 3] = (y * 255) / height;
      row[3 + x * 3] = hue;
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const sig = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** The tree the UI tests browse: nested folders, images, code, markdown, and a 10,000-entry folder. */
export function writeFixtureTree(root: string): void {
  const put = (rel: string, body: string | Buffer) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), body);
  };
  put('docs/deep/nested/leaf.txt', 'a leaf in a nested folder\n');
  put('docs/readme-demo.md', '# Demo\n\nSome *markdown* text.\n');
  put('code/hello.ts', "export function hello(name: string): string {\n  // greet someone\n  return `hello ${name}`;\n}\n");
  put('pics/a-sunrise.png', gradientPng(320, 200, 40));
  put('pics/b-dusk.png', gradientPng(320, 200, 200));
  put('manage/report.txt', 'quarterly numbers\n');
  put('manage/old-name.txt', 'rename me\n');
  put('manage/trash.txt', 'delete me\n');
  mkdirSync(join(root, 'manage/target'), { recursive: true });
  for (let i = 0; i < 10_000; i++) put(`big/f${String(i).padStart(5, '0')}.txt`, '');
}

export function writeUploadFolder(root: string, count: number): string {
  const dir = join(root, 'batch');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  for (let i = 0; i < count; i++) {
    const rel = i % 4 === 0 ? `sub/file-${i}.bin` : `file-${i}.bin`;
    writeFileSync(join(dir, rel), Buffer.alloc(64 * 1024 + i * 1000, i));
  }
  return dir;
}
