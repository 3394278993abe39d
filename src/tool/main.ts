// checkpassword-tool: the operator's tool. Try a login program from a shell, make hashes, manage
// vpopmail's vpasswd files, talk to RADIUS servers, check a setup. Not a per-login program: this
// is where yargs belongs (the login programs parse their few options themselves).
//
// Exit statuses: a command's own (try passes on the program's); 2 for a bad command line; a
// CheckpasswordError's code; 111 for anything unexpected, never 0.

// The CommonJS entry on purpose: yargs' ESM build wraps help text mid-word (no wrap-ansi).
import yargs = require('yargs');
import { asCheckpasswordError, EXIT } from '../exit';
import { splitTryArgv, tryCommand } from './try';
import { command as hashCommand } from './hash';
import { command as vpasswdCommand } from './vpasswd';
import { command as radiusCommand } from './radius';
import { command as checkCommand } from './check';

const TOOL = 'checkpassword-tool';

const argv = process.argv.slice(2);
// `try PROGRAM ARGS...`: PROGRAM's options are its own, so yargs sees only what comes before.
const split = splitTryArgv(argv);

void yargs(split === null ? argv : split.own)
  .scriptName(TOOL)
  .usage('$0 <command> [options]')
  .command(tryCommand(split?.program ?? []))
  .command(hashCommand)
  .command(vpasswdCommand)
  .command(radiusCommand)
  .command(checkCommand)
  .completion('completion', 'print a bash/zsh completion script (source it, or put it in bash_completion.d)')
  .example('$0 completion >> ~/.bashrc', 'complete commands and options in bash')
  .demandCommand(1, 'name a command (see --help)')
  .strict()
  .recommendCommands()
  .wrap(Math.min(100, process.stdout.columns || 100))
  .help()
  .alias('help', 'h')
  .version(false)
  .fail(fail)
  .parseAsync()
  .catch(fail);

/**
 * One way out for every failure: yargs' own (a bad command line: usage hint, exit 2) and a
 * command's thrown error (its message and exit code; anything unexpected is 111).
 */
function fail(message: string | null | undefined | Error, err?: Error): never {
  if (typeof message === 'string' && message !== '' && err == null) {
    process.stderr.write(`${TOOL}: ${message}\n(see ${TOOL} --help)\n`);
    process.exit(EXIT.misuse);
  }
  const e = asCheckpasswordError(err ?? message);
  process.stderr.write(`${TOOL}: ${e.detail ?? e.reason}\n`);
  process.exit(e.exitCode);
}
