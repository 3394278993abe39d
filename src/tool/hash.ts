// `checkpassword-tool hash`: makes a password hash for a passwd, shadow or vpasswd file. The
// password is asked twice without echo on a terminal, or read once from stdin; only the hash is
// printed, on stdout. Salts come from the kernel's CSPRNG.

import type { Argv, CommandModule } from 'yargs';
import { Misuse } from '../exit';
import { costProblem, schemeNamed, schemeOption, type HashScheme } from './hash-schemes';
import { engineFor, makeHash } from './make-hash';
import { askOnTerminal, readNewSecret } from './prompt';

interface HashArgs {
  scheme: string;
  cost?: number;
  stdin?: boolean;
}

export const command: CommandModule<object, HashArgs> = {
  command: 'hash',
  describe: 'make a password hash (sha512crypt, yescrypt, bcrypt, ...) for a passwd, shadow or vpasswd file',
  builder: (y: Argv) =>
    y
      .option('scheme', { alias: 'm', ...schemeOption('hash scheme (names as mkpasswd -m)') })
      .option('cost', {
        alias: ['rounds', 'R'],
        type: 'number',
        requiresArg: true,
        describe: 'work factor: rounds for sha*crypt (1000-999999999), log2 rounds for bcrypt (4-31, default 10), cost for yescrypt (1-11, default 5) and scrypt (6-11, default 7)',
      })
      .option('stdin', {
        alias: 's',
        type: 'boolean',
        describe: 'read the password from the first line of stdin, even on a terminal (the default when stdin is not one)',
      })
      .example('$0 hash', 'ask for a password twice and print its sha512crypt hash')
      .example("printf '%s\\n' \"$pw\" | $0 hash --scheme yescrypt", 'hash a password a script has, no prompt')
      .example('$0 hash -m bcrypt --cost 12', 'a bcrypt hash with 2^12 rounds')
      .epilog(
        'Prints the hash alone on stdout. Exit 0; 1 when the passwords typed differ, or the password is empty; ' +
          '2 for a bad option, or a password with a NUL byte or of 512 bytes or more; 111 when the scheme cannot be made here (libcrypt schemes need the native helper, dist/checkpassword.node).',
      ) as unknown as Argv<HashArgs>,
  handler: async (args) => {
    const scheme = schemeNamed(args.scheme);
    if (scheme === undefined) throw new Misuse('bad-option', `Unknown scheme ${JSON.stringify(args.scheme)}`);
    const cost = checkedCost(scheme, args.cost);
    // Before the prompt: a scheme this machine cannot make fails before anything is typed.
    const engine = engineFor(scheme);
    const password = await readNewSecret({ fromStdin: !askOnTerminal({ stdin: args.stdin === true }) });
    try {
      const hash = makeHash(password, scheme, cost, engine);
      warnAbout(scheme, password);
      process.stdout.write(hash + '\n');
    } finally {
      password.fill(0);
    }
  },
};

/** The cost to use: the given one when valid for the scheme, else its default. Misuse if invalid. */
function checkedCost(scheme: HashScheme, cost: number | undefined): number | null {
  if (cost === undefined) return scheme.cost?.default ?? null;
  const problem = costProblem(scheme, cost);
  if (problem !== null) throw new Misuse('bad-option', problem);
  return cost;
}

/** Warnings for the operator on stderr: a legacy scheme, a password longer than the scheme reads. */
function warnAbout(scheme: HashScheme, password: Buffer): void {
  if (scheme.legacy !== undefined) process.stderr.write(`checkpassword-tool: warning: ${scheme.legacy}\n`);
  if (scheme.maxBytes !== undefined && password.length > scheme.maxBytes) {
    process.stderr.write(`checkpassword-tool: warning: ${scheme.name} uses only the first ${scheme.maxBytes} bytes of this ${password.length}-byte password\n`);
  }
}
