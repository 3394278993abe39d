// `checkpassword-tool hash`: makes a password hash for a passwd, shadow or vpasswd file. The
// password is asked twice without echo on a terminal, or read once from stdin; only the hash is
// printed, on stdout. Salts come from the kernel's CSPRNG.

import { randomBytes } from 'node:crypto';
import type { Argv, CommandModule } from 'yargs';
import { bcryptCrypt } from '../crypt/bcrypt-fallback';
import { MAX_PASSPHRASE_BYTES } from '../crypt/itoa64';
import { md5Crypt } from '../crypt/md5-crypt';
import { scryptCrypt } from '../crypt/scrypt-crypt';
import { shaCrypt } from '../crypt/sha-crypt';
import { verifyPassword } from '../crypt/verify';
import { Misuse, Refused, TemporaryFailure } from '../exit';
import { loadNative } from '../native/native';
import { SCHEMES, costProblem, schemeNamed, type HashScheme } from './hash-schemes';
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
      .option('scheme', {
        alias: 'm',
        type: 'string',
        default: SCHEMES[0]!.name,
        choices: SCHEMES.map((s) => s.name),
        describe: 'hash scheme (names as mkpasswd -m)',
      })
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
        'Prints the hash alone on stdout. Exit 0; 1 when the passwords typed differ, or the password is empty or too long; ' +
          '2 for a bad option; 111 when the scheme cannot be made here (libcrypt schemes need the native helper, dist/checkpassword.node).',
      ) as unknown as Argv<HashArgs>,
  handler: async (args) => {
    const scheme = schemeNamed(args.scheme);
    if (scheme === undefined) throw new Misuse('bad-option', `Unknown scheme ${JSON.stringify(args.scheme)}`);
    const cost = checkedCost(scheme, args.cost);
    const engine = engineFor(scheme);
    const password = await readNewSecret({ fromStdin: !askOnTerminal({ stdin: args.stdin === true }) });
    try {
      if (password.length >= MAX_PASSPHRASE_BYTES) throw new Refused('too-long', `A password of ${MAX_PASSPHRASE_BYTES} bytes or more cannot be hashed`);
      warnAbout(scheme, password);
      const hash = engine(password, scheme.setting(randomFill, cost));
      if (hash === null) throw new TemporaryFailure('unsupported-scheme', `Cannot make a ${scheme.name} hash of this password here`);
      // Fail closed: print nothing that would not let this password in.
      if (verifyPassword(password, hash) !== 'match') throw new TemporaryFailure('self-check', `The ${scheme.name} hash made does not verify: not printed`);
      process.stdout.write(hash + '\n');
    } finally {
      password.fill(0);
    }
  },
};

type Hasher = (password: Buffer, setting: string) => string | null;

/** The cost to use: the given one when valid for the scheme, else its default. Misuse if invalid. */
function checkedCost(scheme: HashScheme, cost: number | undefined): number | null {
  if (cost === undefined) return scheme.cost?.default ?? null;
  const problem = costProblem(scheme, cost);
  if (problem !== null) throw new Misuse('bad-option', problem);
  return cost;
}

/**
 * The function that finishes a setting into a hash. libcrypt (through the native helper) first;
 * without it, the suite's own SHA-crypt, MD5-crypt and scrypt code (the verifiers, checked against
 * libxcrypt's vectors), and bcryptjs for bcrypt. Anything else needs libcrypt: exit 111, since the
 * command is right and the machine lacks the helper (make build makes it).
 */
function engineFor(scheme: HashScheme): Hasher {
  if (scheme.engine === 'bcryptjs') return bcryptCrypt;
  const native = loadNative();
  if (native) return (password, setting) => libcryptResult(native.crypt(password, setting), setting);
  if (scheme.engine === 'libcrypt-or-own') {
    if (scheme.name === 'scrypt') return scryptCrypt;
    if (scheme.name === 'md5crypt') return md5Crypt;
    return shaCrypt;
  }
  throw new TemporaryFailure('no-native-helper', `${scheme.name} hashes are made by the system's libcrypt, through the native helper checkpassword.node, which is not loaded here (run make build)`);
}

/** libcrypt answers a setting it does not know with `*0`/`*1` (or nothing): that is no hash. */
function libcryptResult(hash: string | null, setting: string): string | null {
  if (hash === null || hash.startsWith('*') || hash.length <= setting.length) return null;
  return hash;
}

/** Warnings for the operator on stderr: a legacy scheme, a password longer than the scheme reads. */
function warnAbout(scheme: HashScheme, password: Buffer): void {
  if (scheme.legacy !== undefined) process.stderr.write(`checkpassword-tool: warning: ${scheme.legacy}\n`);
  if (scheme.maxBytes !== undefined && password.length > scheme.maxBytes) {
    process.stderr.write(`checkpassword-tool: warning: ${scheme.name} uses only the first ${scheme.maxBytes} bytes of this ${password.length}-byte password\n`);
  }
}

/** `n` bytes from getrandom(2) through the native helper, else node:crypto's CSPRNG. */
function randomFill(n: number): Buffer {
  const buf = Buffer.alloc(n);
  const native = loadNative();
  if (native && native.getRandom(buf) === 0) return buf;
  return randomBytes(n);
}
