import { describe, expect, it } from 'vitest';
import { addressAllowed, classifyAddress, parseV6 } from './address-filter.js';
import { DELETE_POLICIES, deletesStaging } from './tool.js';
import { UrlRefused, checkHost, parseSource } from './url-check.js';

describe('the SSRF address filter (literal addresses, nothing is connected to)', () => {
  const refused: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['[fe80::abcd]', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'private'],
    // IPv4-mapped, -compatible, NAT64 and 6to4 forms are judged by the IPv4 address inside.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::FFFF:10.0.0.1', 'private'],
    ['[::ffff:192.168.0.1]', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['0:0:0:0:0:ffff:100.64.0.1', 'cgnat'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:c0a8:101::', 'private'],
    ['2001:db8::1', 'documentation'],
    ['2001:0::1', 'reserved'],
  ];

  it.each(refused)('%s is %s and refused by default, allowed with the setting', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
    expect(addressAllowed(address, false)).toBe(false);
    expect(addressAllowed(address, true)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700:4700::1111', '2a00:1450:4001:82a::200e', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])(
    '%s is public',
    (address) => {
      expect(classifyAddress(address)).toBe('public');
      expect(addressAllowed(address, false)).toBe(true);
    },
  );

  it.each(['', 'localhost', '1.2.3', '1.2.3.256', '01.2.3.4x', ':::1', 'fe80::1::2', 'gggg::1'])('%s is not an address and never allowed', (text) => {
    expect(classifyAddress(text)).toBe('invalid');
    expect(addressAllowed(text, true)).toBe(false);
  });

  it('parses the usual IPv6 spellings to the same bytes', () => {
    expect(parseV6('::ffff:127.0.0.1')).toEqual(parseV6('0:0:0:0:0:ffff:7f00:0001'));
    expect(parseV6('2001:db8::')).toEqual([0x20, 0x01, 0x0d, 0xb8, ...new Array(12).fill(0)]);
  });
});

describe('the URL rule', () => {
  it('takes http, https and magnet links', () => {
    expect(parseSource('https://example.com/a.iso').kind).toBe('http');
    expect(parseSource(' http://example.com/a.torrent ').kind).toBe('http');
    expect(parseSource('magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=x').kind).toBe('magnet');
  });

  it.each(['ftp://example.com/a', 'file:///etc/passwd', 'gopher://x/', 'javascript:alert(1)', 'data:text/plain,hi', 'not a url', 'magnet:?dn=no-hash'])('refuses %s', (url) => {
    expect(() => parseSource(url)).toThrow(UrlRefused);
  });

  it('refuses a host when any of its resolved addresses is not public, naming the address and the setting', async () => {
    const resolve = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '::ffff:10.0.0.7', family: 6 },
    ];
    const err = await checkHost(new URL('http://mixed.example/'), false, resolve).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UrlRefused);
    expect((err as Error).message).toContain('mixed.example resolves to ::ffff:10.0.0.7');
    expect((err as Error).message).toContain('offline_download_allow_private');
    await expect(checkHost(new URL('http://mixed.example/'), true, resolve)).resolves.toMatchObject({ host: 'mixed.example' });
  });

  it('checks literal hosts without resolving them', async () => {
    const resolve = async () => {
      throw new Error('must not resolve');
    };
    await expect(checkHost(new URL('http://127.0.0.1:8080/x'), false, resolve)).rejects.toThrow(/127\.0\.0\.1, a loopback address/);
    await expect(checkHost(new URL('http://[::1]/x'), false, resolve)).rejects.toThrow(/a loopback address/);
    await expect(checkHost(new URL('http://[::ffff:169.254.169.254]/'), false, resolve)).rejects.toThrow(/link-local/);
    await expect(checkHost(new URL('http://8.8.8.8/'), false, resolve)).resolves.toMatchObject({ addresses: [{ address: '8.8.8.8', family: 4 }] });
  });
});

describe('delete policies', () => {
  it('remove the staged files as OpenList names them', () => {
    const table = Object.fromEntries(DELETE_POLICIES.map((p) => [p, [deletesStaging(p, true), deletesStaging(p, false)]]));
    expect(table).toEqual({
      delete_on_upload_succeed: [true, false],
      delete_on_upload_failed: [false, true],
      delete_never: [false, false],
      delete_always: [true, true],
    });
  });
});
