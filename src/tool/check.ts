// `checkpassword-tool check PROGRAM [program options...]`: is this login program, with these
// options, ready to run as this account? One line per check, `ok:` or `problem:` and the fix.
// Exit 0 when all is well, 1 when something is not, 2 for bad usage.

import type { CommandModule } from 'yargs';
import { EXIT, Misuse } from '../exit';
import { parseCommandLine } from '../options';
import { PROGRAM_SPECS } from '../programs/program-options';
import { accountFrom } from './check-account';
import { checkProgram, findProgram, programKind } from './check-program';
import { checkStores } from './check-stores';
import { formatFindings } from './check-report';

interface CheckArgs {
  program: string;
  options?: (string | number)[];
  as: string;
}

export const command: CommandModule = {
  command: 'check <program> [options..]',
  describe: 'check a login program and its options as the mail server will run it (--as the account that runs it)',
  builder: (y) =>
    y
      // The program's own options pass through untouched, to be parsed as the program parses them.
      .parserConfiguration({ 'unknown-options-as-args': true })
      .positional('program', { type: 'string', describe: 'checkpassword-passwd, -vpopmail, -radius (radcheckpassword), or a path to one' })
      .positional('options', { type: 'string', array: true, describe: "the program's options (and prog), as the mail server gives them" })
      .option('as', { type: 'string', default: 'root', describe: 'the account that runs the program: a name (its groups from the group database) or UID:GID (that group only, as tcpserver -u -g)' })
      .example('$0 check checkpassword-passwd --as dovecot --shadow /etc/shadow', '')
      .example('$0 check radcheckpassword --as 7791:2108 --config /var/qmail/control/radius.conf', ''),
  handler: async (argv) => {
    process.exitCode = await check(argv as unknown as CheckArgs);
  },
};

async function check(args: CheckArgs): Promise<number> {
  const path = findProgram(args.program);
  if (path === null) {
    process.stdout.write(formatFindings([{ ok: false, text: `no program ${args.program} beside this tool, in /usr/local/bin, /usr/bin or /bin: give its full path` }]));
    return EXIT.refused;
  }
  const kind = programKind(path);
  if (kind === null) throw new Misuse('usage', `${args.program} is not a login program of the suite (checkpassword-passwd, checkpassword-vpopmail, checkpassword-radius, radcheckpassword)`);
  // The program's own parser and options: what it would refuse with exit 2 is refused here too.
  const line = parseCommandLine((args.options ?? []).map(String), PROGRAM_SPECS[kind]);
  const account = accountFrom(args.as);

  const findings = [...checkProgram(path, account), ...(await checkStores(kind, line, account))];
  process.stdout.write(formatFindings(findings));
  return findings.every((f) => f.ok) ? 0 : EXIT.refused;
}
