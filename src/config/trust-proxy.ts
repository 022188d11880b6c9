import { BlockList, isIP } from 'node:net';
import type { z } from 'zod';

/** `false`: forwarded headers are ignored; `true`: any peer is a proxy; a list: these addresses and CIDR ranges are. */
export type TrustProxy = boolean | readonly string[];

function validEntry(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/** The `trust_proxy` setting as config files, the environment and flags give it. */
export function parseTrustProxy(value: boolean | string | string[], ctx: z.RefinementCtx): TrustProxy {
  if (typeof value === 'boolean') return value;
  const text = Array.isArray(value) ? value.join(',') : value;
  const lowered = text.trim().toLowerCase();
  if (lowered === '' || lowered === 'false') return false;
  if (lowered === 'true') return true;
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  const bad = entries.filter((e) => !validEntry(e));
  if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `true, false or proxy addresses / CIDR ranges; not ${bad.join(', ')}` });
  return entries;
}

function plainAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return { address: mapped, family: 'ipv4' };
  const family = isIP(address);
  if (family === 0) return undefined;
  return { address, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** Whether a peer address is a trusted proxy, in the shape fastify's `trustProxy` takes. */
export function trustFunction(setting: TrustProxy): (address: string, hop: number) => boolean {
  if (setting === true) return () => true;
  if (setting === false || setting.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of setting) {
    const [address = '', bits] = entry.split('/');
    const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    const plain = plainAddress(address);
    return plain !== undefined && list.check(plain.address, plain.family);
  };
}
