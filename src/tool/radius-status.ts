// `checkpassword-tool radius status`: a Status-Server (RFC 5997) to each configured server
// address, one after the other, and which of them answer with a verified reply.

import { hostname } from 'node:os';
import type { CommandModule } from 'yargs';
import { askEachServer, describeStatus } from '../radius/status-server';
import { DEFAULT_DEADLINE_S } from '../programs/program-options';
import { EXIT } from '../exit';
import { bindOption, chooseServers, seconds, serverOptions, type ServerArgs } from './radius-servers';

interface StatusArgs extends ServerArgs {
  nasIdentifier?: string;
  deadline?: string;
}

export const statusCommand: CommandModule = {
  command: 'status',
  describe: 'ask each server a Status-Server (RFC 5997) and say which answer',
  builder: (y) =>
    serverOptions(y)
      .option('nas-identifier', { type: 'string', describe: 'NAS-Identifier (default: the host name)' })
      .option('deadline', { type: 'string', describe: `seconds to wait for each server at most, all its tries (default ${DEFAULT_DEADLINE_S})` })
      .example('$0 radius status', 'each server in $RADIUS_CONF (/etc/radius.conf)')
      .example('$0 radius status --config /var/qmail/control/radius.conf --deadline 5', '')
      .example('$0 radius status --server 192.0.2.10:1812 --secret-file /root/radius.secret', '')
      .strict(),
  handler: async (argv) => {
    process.exitCode = await radiusStatus(argv as unknown as StatusArgs);
  },
};

async function radiusStatus(args: StatusArgs): Promise<number> {
  const perServerMs = seconds(args.deadline ?? DEFAULT_DEADLINE_S, '--deadline');
  const bind = bindOption(args.bind);
  const chosen = chooseServers(args, process.env);
  for (const w of chosen.warnings) process.stderr.write(`warning: ${w}\n`);
  const results = await askEachServer(chosen.servers, {
    nasIdentifier: args.nasIdentifier || hostname(),
    perServerMs,
    bind,
    requireMessageAuthenticator: args.requireMessageAuthenticator === true,
    note: (m) => process.stdout.write(`note: ${m}\n`),
  });
  for (const r of results) process.stdout.write(`${r.answered ? 'answering' : 'not answering'}: ${r.target.label}: ${describeStatus(r)}\n`);
  return results.every((r) => r.answered) ? 0 : EXIT.temporary;
}
