import { Command } from 'commander';
import { ApiTokenService, tokenView } from '../auth/api-token-service.js';
import type { TokenScope } from '../db/repositories/index.js';
import { type CommandContext, dataOptions } from './context.js';

/** `30d`, `12h` or an ISO date; undefined for no expiry. */
export function parseExpiry(text: string | undefined, now = Date.now()): Date | undefined {
  if (!text || text === 'never') return undefined;
  const rel = /^(\d+)([dh])$/.exec(text);
  if (rel) return new Date(now + Number(rel[1]) * (rel[2] === 'd' ? 86_400_000 : 3_600_000));
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new Error(`--expires: expected e.g. 30d, 12h, never or an ISO date, got "${text}"`);
  return new Date(at);
}

/** `filebridge token create | list | revoke`: works with the server running or stopped. */
export function tokenCommands(ctx: CommandContext): Command {
  const cmd = new Command('token').description('personal API tokens (stored hashed; a running server sees changes on the next request)');
  dataOptions(cmd.command('create').description('create a token and print it once'))
    .requiredOption('--user <name>', 'owner of the token')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--scope <scope>', 'read | write | admin', 'read')
    .option('--expires <when>', '30d, 12h, an ISO date, or never', 'never')
    .option('--path <prefix>', 'limit the token to a path prefix', '/')
    .action(async (o: { data?: string; db?: string; user: string; name: string; scope: string; expires: string; path: string }) => {
      if (!['read', 'write', 'admin'].includes(o.scope)) throw new Error(`--scope: expected read, write or admin, got "${o.scope}"`);
      const expiresAt = parseExpiry(o.expires);
      await ctx.withDatabase({ data: o.data, db: o.db }, async (repos) => {
        const owner = await repos.users.getByUsername(o.user);
        if (!owner) throw new Error(`no user named "${o.user}"`);
        const { token, record } = await new ApiTokenService(repos).create({ owner, name: o.name, scope: o.scope as TokenScope, expiresAt, pathPrefix: o.path });
        ctx.print(token);
        ctx.print(`id ${record.id}, scope ${record.scope}, expires ${record.expiresAt?.toISOString() ?? 'never'} (the token is shown only now)`);
      });
    });
  dataOptions(cmd.command('list').description('list tokens'))
    .option('--user <name>', 'only this user’s tokens')
    .action(async (o: { data?: string; db?: string; user?: string }) => {
      await ctx.withDatabase({ data: o.data, db: o.db }, async (repos) => {
        const all = await new ApiTokenService(repos).listAll();
        for (const t of all.filter((t) => !o.user || t.username === o.user).map(tokenView)) {
          const state = t.revoked_at ? 'revoked' : t.expires_at && Date.parse(t.expires_at) <= Date.now() ? 'expired' : 'active';
          ctx.print(`${t.id}\t${t.username}\t${t.name}\t${t.prefix}…\t${t.scope}\t${t.path_prefix}\texpires ${t.expires_at ?? 'never'}\t${state}`);
        }
      });
    });
  dataOptions(cmd.command('revoke <id>').description('revoke a token at once')).action(async (id: string, o: { data?: string; db?: string }) => {
    await ctx.withDatabase({ data: o.data, db: o.db }, async (repos) => {
      await new ApiTokenService(repos).revoke(Number(id));
      ctx.print(`token ${id} revoked`);
    });
  });
  return cmd;
}
