// `checkpassword-tool radius`: talk to the RADIUS servers checkpassword-radius uses, through its
// own code. Subcommands: `test USER` (one Access-Request) and `status` (Status-Server to each).

import type { CommandModule } from 'yargs';
import { testCommand } from './radius-test';
import { statusCommand } from './radius-status';

export const command: CommandModule = {
  command: 'radius <command>',
  describe: 'ask RADIUS servers as checkpassword-radius does: test USER, status',
  builder: (y) =>
    y
      .command(testCommand)
      .command(statusCommand)
      .demandCommand(1, 'name a radius command: test or status')
      .example('$0 radius test alice', 'one login; asks for the password')
      .example('$0 radius status --config /var/qmail/control/radius.conf', ''),
  handler: () => {
    // Never reached: yargs runs a subcommand or fails.
  },
};
