import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { builtinDrivers } from '../drivers/all.js';
import type { AnyDriverDefinition } from '../drivers/define-driver.js';
import { secretOptionKeys } from '../main.js';
import { createLogger } from './logger.js';

function capture(secretKeys: readonly string[]) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'info', secretKeys, destination }), lines };
}

describe('log redaction comes from the option declarations', () => {
  it('redacts every secret option of every built-in driver, top level and nested', () => {
    const keys = secretOptionKeys(builtinDrivers());
    expect(keys).toEqual(expect.arrayContaining(['client_secret', 'refresh_token', 'password']));
    const { logger, lines } = capture(keys);
    for (const key of keys) {
      logger.info({ [key]: `S3CR3T-${key}` }, 'top');
      logger.info({ options: { [key]: `S3CR3T-${key}` } }, 'nested');
    }
    expect(lines.length).toBe(keys.length * 2);
    expect(lines.join('')).not.toContain('S3CR3T');
  });

  it('redacts a secret option a new driver declares, with no list edited by hand', () => {
    const planted = { ...builtinDrivers()[0], id: 'Planted', options: { brand_new_secret: { type: 'string', label: 'x', secret: true } } } as unknown as AnyDriverDefinition;
    const { logger, lines } = capture(secretOptionKeys([...builtinDrivers(), planted]));
    logger.info({ options: { brand_new_secret: 'S3CR3T', harmless: 'visible' } }, 'planted');
    expect(lines.join('')).not.toContain('S3CR3T');
    expect(lines.join('')).toContain('visible');
  });

  it('always redacts the doors\' own credentials', () => {
    const { logger, lines } = capture([]);
    logger.info({ req: { headers: { authorization: 'Bearer S3CR3T' } }, body: { password: 'S3CR3T', token: 'S3CR3T' } }, 'request');
    expect(lines.join('')).not.toContain('S3CR3T');
  });
});
