// `checkpassword-tool vpasswd add|passwd|del|show|list|mkcdb DOMAIN [USER]`: what vpopmail's
// vadduser, vpasswd, vdeluser and vmkpasswd do to a domain's vpasswd and vpasswd.cdb. Changes are
// made under vpopmail's own lock and replace both files atomically, keeping owner and mode.

import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { domainLimits } from '../backends/vpopmail/domains';
import { stripScheme, type VpasswdEntry } from '../backends/vpopmail/vpasswd-line';
import { entryProblem } from '../backends/vpopmail/vpasswd-write';
import { classify } from '../crypt/scheme';
import { Misuse, Refused } from '../exit';
import { schemeNamed, schemeOption } from './hash-schemes';
import { makeHash } from './make-hash';
import { askOnTerminal, readNewSecret } from './prompt';
import { withDomainLock } from './vpasswd/domain-lock';
import { checkNames, findDomain, places, type Places } from './vpasswd/domain';
import { addEntry, changeEntries, entryNames, findEntry, removeEntries } from './vpasswd/edit';
import { describeEntry } from './vpasswd/show';
import { FailedAfterRename } from './vpasswd/replace-files';
import { readVpasswd, writeVpasswd, writeVpasswdCdb } from './vpasswd/store';
import { makeUserDir, removeUserDir } from './vpasswd/user-dir';
import type { DomainAssign } from '../backends/vpopmail/assign';

interface CommonArgs {
  domain: string;
  'vpopmail-home'?: string;
  'qmail-dir'?: string;
  'lock-wait': number;
}
interface UserArgs extends CommonArgs {
  user: string;
}
interface PasswordArgs extends UserArgs {
  hash?: string;
  scheme: string;
  clear?: boolean;
  stdin?: boolean;
}
interface AddArgs extends PasswordArgs {
  quota: string;
  gecos?: string;
}

/** The quota field: NOQUOTA, or maildir++ `<bytes>S[,<count>C]` / `<count>C` as vpopmail writes it. */
const QUOTA_RE = /^(NOQUOTA|\d+S(,\d+C)?|\d+C)$/;

export const command: CommandModule = {
  command: 'vpasswd',
  describe: "manage a vpopmail domain's vpasswd and vpasswd.cdb (vadduser, vpasswd, vdeluser, vmkpasswd)",
  builder: (y: Argv) =>
    y
      .option('vpopmail-home', { type: 'string', requiresArg: true, describe: "vpopmail's home, for vlimits.default (default: VPOPMAIL_HOME, else the vpopmail account's home, else /home/vpopmail)" })
      .option('qmail-dir', { type: 'string', requiresArg: true, describe: "qmail's directory with users/cdb or users/assign (default: QMAILDIR, else /var/qmail)" })
      .option('lock-wait', { type: 'number', default: 20, requiresArg: true, describe: "seconds to wait for the domain's lock (.vpasswd.lock) when another process holds it" })
      .command(addCommand)
      .command(passwdCommand)
      .command(delCommand)
      .command(showCommand)
      .command(listCommand)
      .command(mkcdbCommand)
      .demandCommand(1, 'name a vpasswd command: add, passwd, del, show, list or mkcdb')
      // Examples with a description are kept within half the width: yargs wraps them in a column.
      .example('$0 vpasswd add example.com alice', 'add a user; asks for the password twice')
      .example('$0 vpasswd passwd example.com bob', "change bob's password")
      .example('$0 vpasswd list example.com', "the domain's user names")
      .epilog(
        'Exit 0: done. 1: no such domain or user; the user (or its directory) exists already; the passwords typed differ, or are empty. ' +
          '2: bad usage, a bad name, a field vpasswd cannot hold. 111: a file could not be read, locked or replaced; the old files stay ' +
          '(the exceptions: docs/checkpassword-tool.md).',
      ),
  handler: () => undefined,
};

const addCommand: CommandModule<object, AddArgs> = {
  command: 'add <domain> <user>',
  describe: 'add a user: its vpasswd record and its directory with a Maildir (as vadduser)',
  builder: (y: Argv) =>
    passwordOptions(positionals(y))
      .option('quota', { type: 'string', default: 'NOQUOTA', requiresArg: true, describe: 'the quota field: NOQUOTA or maildir++ like 52428800S,1000C' })
      .option('gecos', { type: 'string', requiresArg: true, describe: 'the real name (default: the user name)' })
      .example('$0 vpasswd add example.com alice', 'asks for the password twice')
      .example("printf '%s\\n' \"$pw\" | $0 vpasswd add example.com bob --clear", 'from a script; also stores the clear text (APOP, CRAM-MD5)') as unknown as Argv<AddArgs>,
  handler: async (args) => {
    const { domain: name, user } = checkNames(args.domain, args.user);
    if (!QUOTA_RE.test(args.quota)) throw new Misuse('bad-field', `Cannot use the quota ${JSON.stringify(args.quota)}: give NOQUOTA or <bytes>S[,<count>C]`);
    const domain = findDomain(placesOf(args), name);
    if (findEntry(readVpasswd(domain.dir, { missingOk: true }), user)) throw userExists(user, name);
    const secret = await newSecret(args);
    try {
      const fields = secretFields(secret, null, args.clear === true);
      const entry = checkEntry({ name: user, uid: 1, flags: 0, gecos: args.gecos ?? user, dir: join(domain.dir, user), quota: args.quota, ...fields });
      await withDomainLock(domain.dir, lockOptions(args, domain), () => {
        const lines = readVpasswd(domain.dir, { missingOk: true });
        if (findEntry(lines, user)) throw userExists(user, name);
        makeUserDir(entry.dir, domain);
        try {
          writeVpasswd(domain, addEntry(lines, entry));
        } catch (err) {
          // Once vpasswd is replaced the record is there, and the directory it names must stay.
          if (!(err instanceof FailedAfterRename)) removeUserDir(entry.dir, domain);
          throw err;
        }
      });
    } finally {
      secret.password?.fill(0);
    }
  },
};

const passwdCommand: CommandModule<object, PasswordArgs> = {
  command: 'passwd <domain> <user>',
  describe: "change a user's password (as vpopmail's vpasswd); the clear-text field only where one is stored, or with --clear",
  builder: (y: Argv) =>
    passwordOptions(positionals(y))
      .example('$0 vpasswd passwd example.com bob', 'asks for the new password twice')
      .example("printf '%s\\n' \"$pw\" | $0 vpasswd passwd example.com bob --scheme yescrypt", '')
      .example('$0 vpasswd passwd example.com bob --hash "$(mkpasswd -m yescrypt)"', '') as unknown as Argv<PasswordArgs>,
  handler: async (args) => {
    const { domain: name, user } = checkNames(args.domain, args.user);
    const domain = findDomain(placesOf(args), name);
    // Asked before the password is typed, and again under the lock.
    if (!findEntry(readVpasswd(domain.dir, { missingOk: true }), user)) throw unknownUser(user, name);
    const secret = await newSecret(args);
    try {
      await withDomainLock(domain.dir, lockOptions(args, domain), () => {
        const lines = readVpasswd(domain.dir, { missingOk: true });
        if (!findEntry(lines, user)) throw unknownUser(user, name);
        // Only the new fields are checked: a record's other fields are kept as they are.
        const changed = changeEntries(lines, user, (e) => {
          const fields = secretFields(secret, e.clear, args.clear === true);
          checkEntry({ ...e, name: user, gecos: '', dir: '', quota: '', ...fields });
          return { ...e, ...fields };
        });
        writeVpasswd(domain, changed);
      });
    } finally {
      secret.password?.fill(0);
    }
  },
};

const delCommand: CommandModule<object, UserArgs & { 'remove-dir'?: boolean }> = {
  command: 'del <domain> <user>',
  describe: "remove a user's record (as vdeluser); its directory too with --remove-dir",
  builder: (y: Argv) =>
    positionals(y)
      .option('remove-dir', { type: 'boolean', describe: "also remove the user's directory (only if it lies inside the domain's directory)" })
      .example('$0 vpasswd del example.com bob', 'remove the record; the directory stays')
      .example('$0 vpasswd del example.com bob --remove-dir', '') as unknown as Argv<UserArgs & { 'remove-dir'?: boolean }>,
  handler: async (args) => {
    const { domain: name, user } = checkNames(args.domain, args.user);
    const domain = findDomain(placesOf(args), name);
    const removed = await withDomainLock(domain.dir, lockOptions(args, domain), () => {
      const lines = readVpasswd(domain.dir, { missingOk: true });
      const entry = findEntry(lines, user);
      if (!entry) throw unknownUser(user, name);
      writeVpasswd(domain, removeEntries(lines, user));
      return entry;
    });
    if (args['remove-dir'] && removed.dir !== '') removeUserDir(removed.dir, domain);
  },
};

const showCommand: CommandModule<object, UserArgs & { 'show-hash'?: boolean }> = {
  command: 'show <domain> <user>',
  describe: "print a user's fields by name (from vpasswd), flags decoded; the hash only with --show-hash",
  builder: (y: Argv) =>
    positionals(y)
      .option('show-hash', { type: 'boolean', describe: 'print the password hash too' })
      .example('$0 vpasswd show example.com bob', 'the fields; of the hash only its scheme')
      .example('$0 vpasswd show example.com bob --show-hash', '') as unknown as Argv<UserArgs & { 'show-hash'?: boolean }>,
  handler: async (args) => {
    const { domain: name, user } = checkNames(args.domain, args.user);
    const where = placesOf(args);
    const domain = findDomain(where, name);
    const entry = findEntry(readVpasswd(domain.dir, { missingOk: true }), user);
    if (!entry) throw unknownUser(user, name);
    const limits = domainLimits(where.home(), domain.dir);
    const lines = describeEntry(entry, domain.domain, { limits, showHash: args['show-hash'] === true });
    process.stdout.write(lines.join('\n') + '\n');
  },
};

const listCommand: CommandModule<object, CommonArgs> = {
  command: 'list <domain>',
  describe: "print the domain's user names, one per line, in vpasswd's order",
  builder: (y: Argv) =>
    positionals(y)
      .example('$0 vpasswd list example.com', 'one name per line')
      .example('$0 vpasswd list example.com | wc -l', '') as unknown as Argv<CommonArgs>,
  handler: async (args) => {
    const { domain: name } = checkNames(args.domain, undefined);
    const domain = findDomain(placesOf(args), name);
    const names = entryNames(readVpasswd(domain.dir, { missingOk: true }));
    process.stdout.write(names.map((n) => `${n}\n`).join(''));
  },
};

const mkcdbCommand: CommandModule<object, CommonArgs> = {
  command: 'mkcdb <domain>',
  describe: 'rebuild vpasswd.cdb from vpasswd (as vmkpasswd), e.g. after editing vpasswd by hand',
  builder: (y: Argv) =>
    positionals(y)
      .example('$0 vpasswd mkcdb example.com', 'after editing its vpasswd by hand') as unknown as Argv<CommonArgs>,
  handler: async (args) => {
    const { domain: name } = checkNames(args.domain, undefined);
    const domain = findDomain(placesOf(args), name);
    await withDomainLock(domain.dir, lockOptions(args, domain), () => {
      writeVpasswdCdb(domain, readVpasswd(domain.dir, { missingOk: false }));
    });
  },
};

/** DOMAIN and USER stay strings: yargs would turn a user called 1e3 into 1000. */
function positionals(y: Argv): Argv {
  return y.positional('domain', { type: 'string' }).positional('user', { type: 'string' });
}

/** The options of the commands that set a password. */
function passwordOptions(y: Argv): Argv {
  return y
    .option('hash', { type: 'string', requiresArg: true, describe: 'store this ready-made crypt(3) hash instead of asking for a password (a stored clear text is then emptied)' })
    .option('scheme', schemeOption('the hash scheme for a typed password'))
    .option('clear', { type: 'boolean', describe: "also store the clear-text password (vpopmail's --enable-clear-passwd), for APOP and CRAM-MD5" })
    .option('stdin', { type: 'boolean', describe: 'read the password from the first line of stdin, even on a terminal (the default when stdin is not one)' })
    .conflicts('hash', 'clear');
}

/** A new password: the hash to store, and the typed password (null with --hash) for a clear field. */
interface NewSecret {
  hash: string;
  password: Buffer | null;
}

/** The --hash value (checked to be a crypt(3) hash), or a password read and hashed. Zero `password` when done. */
async function newSecret(args: PasswordArgs): Promise<NewSecret> {
  if (args.hash !== undefined) {
    if (classify(stripScheme(args.hash)).kind !== 'crypt') {
      throw new Misuse('bad-hash', 'Cannot use the --hash value: it is not a crypt(3) hash that vchkpw and checkpassword-vpopmail verify');
    }
    return { hash: args.hash, password: null };
  }
  const password = await readNewSecret({ fromStdin: !askOnTerminal({ stdin: args.stdin === true }) });
  try {
    const scheme = schemeNamed(args.scheme);
    if (!scheme) throw new Misuse('bad-option', `Unknown scheme ${JSON.stringify(args.scheme)}`);
    return { hash: makeHash(password, scheme, scheme.cost?.default ?? null), password };
  } catch (err) {
    password.fill(0);
    throw err;
  }
}

/**
 * The hash and clear-text fields of a record getting `secret`. A ready-made hash empties a stored
 * clear text, as `vadduser -e` does (it would keep the old password working for APOP and
 * CRAM-MD5). A typed password is stored in clear with --clear, or where a clear text is stored
 * already (`oldClear` not empty); otherwise the field stays as it was (absent, or empty).
 */
function secretFields(secret: NewSecret, oldClear: string | null, wantClear: boolean): { passwd: string; clear: string | null } {
  if (secret.password === null) return { passwd: secret.hash, clear: oldClear === null ? null : '' };
  const storeClear = wantClear || (oldClear !== null && oldClear !== '');
  return { passwd: secret.hash, clear: storeClear ? secret.password.toString('latin1') : oldClear };
}

/** The entry, or Misuse naming the field that vpasswd cannot hold. */
function checkEntry(entry: VpasswdEntry): VpasswdEntry {
  const problem = entryProblem(entry);
  if (problem) throw new Misuse('bad-field', `Cannot store ${entry.name}: ${problem}`);
  return entry;
}

function userExists(user: string, domain: string): Refused {
  return new Refused('user-exists', `${user}@${domain} exists already`);
}

function unknownUser(user: string, domain: string): Refused {
  return new Refused('unknown-user', `No such user: ${user}@${domain}`);
}

function placesOf(args: CommonArgs): Places {
  return places(args['vpopmail-home'], args['qmail-dir'], process.env);
}

function lockOptions(args: CommonArgs, domain: DomainAssign): { waitMs: number; uid: number; gid: number } {
  const seconds = args['lock-wait'];
  if (!Number.isFinite(seconds) || seconds < 0) throw new Misuse('bad-option', '--lock-wait takes a number of seconds');
  return { waitMs: seconds * 1000, uid: domain.uid, gid: domain.gid };
}
