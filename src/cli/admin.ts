import { Command } from 'commander';
import { changePassword } from '../auth/auth-service.js';
import { randomPassword } from '../auth/passwords.js';
import { type CommandContext, dataOptions } from './context.js';

/** `filebridge admin password [--set X]`: sets a new (random or given) password for admin and prints it. */
export function adminCommands(ctx: CommandContext): Command {
  const cmd = new Command('admin').description('manage the admin account');
  dataOptions(cmd.command('password').description('set a new admin password (random unless --set) and print it; ends the user\'s sessions and revokes their API tokens'))
    .option('--set <password>', 'the new password')
    .option('--user <name>', 'the account to change', 'admin')
    .action(async (o: { data?: string; db?: string; set?: string; user: string }) => {
      if (o.set !== undefined && o.set.length < 1) throw new Error('the password must not be empty');
      const password = o.set ?? randomPassword();
      const revoked = await ctx.withDatabase({ data: o.data, db: o.db }, async (repos) => {
        const user = await repos.users.getByUsername(o.user);
        if (!user) throw new Error(`no user named "${o.user}"`);
        // Login sessions issued before this change stop working, and every API token is revoked.
        return (await changePassword(repos.users, user.id, password)).revokedTokens;
      });
      ctx.print(o.set === undefined ? `new password for ${o.user}: ${password}` : `password for ${o.user} updated`);
      ctx.print(`signed out every session of ${o.user}; revoked ${revoked} API token${revoked === 1 ? '' : 's'}`);
    });
  return cmd;
}
