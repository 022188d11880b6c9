import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';
import { trustFunction } from './trust-proxy.js';

const load = (flags: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  loadConfig({ env, flags: { data: mkdtempSync(join(tmpdir(), 'filebridge-trust-')), ...flags } });

describe('trust_proxy', () => {
  it('is off by default and takes booleans, "true"/"false" and address lists from every layer', () => {
    expect(load({}).trust_proxy).toBe(false);
    expect(load({ trust_proxy: true }).trust_proxy).toBe(true);
    expect(load({}, { FILEBRIDGE_TRUST_PROXY: 'false' }).trust_proxy).toBe(false);
    expect(load({}, { FILEBRIDGE_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trust_proxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1']);
  });

  it('refuses what is neither a boolean nor addresses and CIDR ranges, naming the entry', () => {
    for (const bad of ['yes', '10.0.0.0/33', '300.1.1.1', 'proxy.example.com', '::1/129']) {
      expect(() => load({}, { FILEBRIDGE_TRUST_PROXY: bad })).toThrow(ConfigError);
      expect(() => load({}, { FILEBRIDGE_TRUST_PROXY: bad })).toThrow(new RegExp(`trust_proxy: .*${bad.replace(/[./]/g, '\\$&')}`));
    }
  });

  it('trusts exactly the listed peers, IPv4-mapped IPv6 included', () => {
    const trusted = trustFunction(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
    expect(['10.1.2.3', '::ffff:10.9.9.9', '127.0.0.1', '::ffff:127.0.0.1', 'fd12::1'].map((a) => trusted(a, 0))).toEqual([true, true, true, true, true]);
    expect(['11.0.0.1', '127.0.0.2', '::1', 'fe80::1', 'garbage'].map((a) => trusted(a, 0))).toEqual([false, false, false, false, false]);
    expect(trustFunction(false)('127.0.0.1', 0)).toBe(false);
    expect(trustFunction(true)('203.0.113.1', 3)).toBe(true);
  });
});
