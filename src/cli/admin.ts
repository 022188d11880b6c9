import { Command } from 'commander';
import { hashPassword, randomPassword } from '../auth/passwords.js';
import { type CommandContext, dataOptions } from './index.js';

/** `filebridge admin password [--set X]`: sets a new (random or given) password for admin and prints it. */
export function adminCommands(ctx: CommandContext): Command {
  const cmd = new Command('admin').description('manage the admin account');
  dataOptions(cmd.command('password').description('set a new admin password (random unless --set) and print it'))
    .option('--set <password>', 'the new password')
    .option('--user <name>', 'the account to change', 'admin')
    .action(async (o: { data?: string; db?: string; set?: string; user: string }) => {
      if (o.set !== undefined && o.set.length < 1) throw new Error('the password must not be empty');
      const password = o.set ?? randomPassword();
      await ctx.withDatabase({ data: o.data, db: o.db }, async (repos) => {
        const user = await repos.users.getByUsername(o.user);
        if (!user) throw new Error(`no user named "${o.user}"`);
        // pwd_ts moves on, so login tokens issued before this change stop working.
        await repos.users.update(user.id, { passwordHash: await hashPassword(password), pwdTs: Math.floor(Date.now() / 1000) });
      });
      ctx.print(o.set === undefined ? `new password for ${o.user}: ${password}` : `password for ${o.user} updated`);
    });
  return cmd;
}
