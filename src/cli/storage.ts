import { SecretBox } from '../auth/secrets.js';
import { Command } from 'commander';
import type { Repositories, StorageRecord } from '../db/repositories/index.js';
import { StorageRefusal, StorageService } from '../services/storages.js';
import { type CommandContext, dataOptions } from './context.js';

/** A storage by id or mount path; the CLI's own words when there is none. */
async function findStorage(repos: Repositories, ref: string): Promise<StorageRecord> {
  try {
    return await new StorageService(repos.storages).find(ref);
  } catch (err) {
    if (err instanceof StorageRefusal) throw new Error(`${err.message} (see: filebridge storage list)`);
    throw err;
  }
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
}

interface LiveMount {
  mount_path: string;
  state: string;
  error: string | null;
}

/**
 * Live states from the local server's /readyz, when it runs; empty otherwise (the CLI works either
 * way). Mount details are for administrators: the CLI sends the admin token it reads from the database.
 */
async function liveStates(port: number, adminToken: string | undefined): Promise<Map<string, LiveMount>> {
  try {
    const headers: Record<string, string> = adminToken ? { authorization: adminToken } : {};
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { headers, signal: AbortSignal.timeout(1500) });
    const body = (await res.json()) as { mounts?: LiveMount[] };
    return new Map((body.mounts ?? []).map((m) => [m.mount_path, m]));
  } catch {
    return new Map();
  }
}

/** `filebridge storage list | enable | disable`: works with the server running or stopped. */
export function storageCommands(ctx: CommandContext): Command {
  const cmd = new Command('storage').description('list, enable and disable storages (edits the database; a running server follows within seconds)');
  dataOptions(cmd.command('list').description('list storages'))
    .option('--json', 'print JSON')
    .action(async (o: { data?: string; db?: string; json?: boolean }) => {
      const config = ctx.config({ data: o.data, db: o.db });
      const { list, token } = await ctx.withDatabase({ data: o.data, db: o.db }, async (repos) => {
        const sealed = (await repos.settings.get('token'))?.value;
        // The admin token is sealed at rest; one this key cannot open just means no live states.
        let token: string | undefined;
        try {
          token = sealed ? SecretBox.forConfig(config).open(sealed) : undefined;
        } catch {
          token = undefined;
        }
        return { list: await repos.storages.list(), token };
      });
      const live = await liveStates(config.port, token);
      if (o.json) return ctx.print(JSON.stringify(list.map((s) => ({ ...s, live: live.get(s.mountPath) ?? null })), null, 2));
      const state = (s: StorageRecord) => {
        const m = live.get(s.mountPath);
        if (s.disabled) return 'disabled';
        if (!m) return 'enabled (server not reachable)';
        return m.error ? `${m.state}: ${m.error}` : m.state;
      };
      const cells = list.map((s) => [String(s.id), s.mountPath, s.driver, state(s), s.remark]);
      const head = ['ID', 'MOUNT', 'DRIVER', 'STATE', 'REMARK'];
      const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)));
      ctx.print(row(head, widths));
      for (const c of cells) ctx.print(row(c, widths));
    });
  for (const [name, disabled] of [['enable', false], ['disable', true]] as const) {
    dataOptions(cmd.command(`${name} <storage>`).description(`${name} a storage, by id or mount path`)).action(
      async (ref: string, o: { data?: string; db?: string }) => {
        await ctx.withDatabase({ data: o.data, db: o.db }, async (repos) => {
          const s = await findStorage(repos, ref);
          if (!(await new StorageService(repos.storages).setEnabled(s.id, !disabled))) return ctx.print(`storage ${s.id} (${s.mountPath}) is already ${name}d`);
          ctx.print(`storage ${s.id} (${s.mountPath}) ${name}d`);
        });
      },
    );
  }
  dataOptions(cmd.command('set-token <storage> <refresh_token>').description('save a new OAuth refresh token for a storage (by id or mount path); a running server re-initialises it')).action(
    async (ref: string, token: string, o: { data?: string; db?: string }) => {
      await ctx.withDatabase({ data: o.data, db: o.db }, async (repos) => {
        const s = await findStorage(repos, ref);
        await new StorageService(repos.storages).setRefreshToken(s.id, token);
        ctx.print(`storage ${s.id} (${s.mountPath}): refresh token saved`);
      });
    },
  );
  return cmd;
}
