import { Command } from 'commander';
import { SecretBox } from '../auth/secrets.js';
import { SettingsService } from '../settings/settings-service.js';
import { VERSION } from '../version.js';
import { type CommandContext, dataOptions } from './context.js';

/** `filebridge sign rotate`: a new link signing key; every signed link made before stops working. */
export function signCommands(ctx: CommandContext): Command {
  const cmd = new Command('sign').description('the key signed download links (/d, /p ?sign=) are made with');
  dataOptions(cmd.command('rotate').description('replace the signing key: every signed link handed out before stops working')).action(async (o: { data?: string; db?: string }) => {
    const flags = { data: o.data, db: o.db };
    const box = SecretBox.forConfig(ctx.config(flags));
    await ctx.withDatabase(flags, async (repos) => {
      await new SettingsService(repos.settings, VERSION, box).rotateSignKey();
    });
    ctx.print('signing key replaced: links signed before now answer 401.');
    ctx.print('A running server on SQLite keeps the old key until it restarts; PostgreSQL instances take the new one at once.');
  });
  return cmd;
}
