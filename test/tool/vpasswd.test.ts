// End to end: `checkpassword-tool vpasswd` on a vpopmail tree made with the real tools (mkpasswd,
// tinycdb), checked with tinycdb and by logging in through the built checkpassword-vpopmail.

import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { IS_ROOT, RECORD_PROG, bin, request, runProgram, scratchDir } from '../support/run';
import { buildVpopmailTree, mkpasswd, vpasswdLine } from '../support/vpopmail-tree';
import { TOOL, tool, toolOnTerminal } from './support';

const UID = 45821;
const GID = 45822;
const OTHER_UID = 45831;
const OTHER_GID = 45832;
const STAMP = '<4711.1700000000@mail.example.com>';

let home: string;
let qmail: string;
let dir: string;

/** A fresh tree per test: example.com with carol and dave (made by mkpasswd), limited.org. */
beforeEach(() => {
  const root = scratchDir('vpasswd-tool');
  ({ home, qmail } = buildVpopmailTree(
    root,
    [
      {
        name: 'example.com',
        uid: UID,
        gid: GID,
        path: 'example.com',
        aliases: ['alias.example'],
        users: [
          { name: 'carol', passwd: mkpasswd('sha512crypt', 'carol-secret') },
          { name: 'dave', passwd: mkpasswd('md5crypt', 'dave-secret'), clear: 'dave-secret', flags: 0x801 },
        ],
      },
      { name: 'limited.org', uid: UID, gid: GID, path: 'l/limited.org', limits: 'disable_imap\n', users: [{ name: 'lim', passwd: mkpasswd('sha512crypt', 'x') }] },
    ],
    'example.com',
  ));
  dir = join(home, 'domains', 'example.com');
  // As vpopmail has it: the domain's directory belongs to the domain's uid.
  if (IS_ROOT) for (const d of [dir, join(home, 'domains', 'l', 'limited.org')]) chownSync(d, UID, GID);
});

/** `checkpassword-tool vpasswd ARGS` on the fixture tree; `input` is its stdin (a pipe). */
function vpasswd(args: string[], input = '', env: Record<string, string> = {}) {
  return tool(['vpasswd', ...args, '--qmail-dir', qmail, '--vpopmail-home', home], { input, env });
}

/** A POP3 login through the built checkpassword-vpopmail: its exit status. */
function login(user: string, password: string, timestamp: string | null = STAMP): number | null {
  const r = runProgram(bin('checkpassword-vpopmail'), {
    args: ['--vpopmail-home', home, '--qmail-dir', qmail, '--service', 'pop3', RECORD_PROG, 'Maildir'],
    input: request(user, password, timestamp),
  });
  return r.status;
}

function apop(password: string): string {
  return createHash('md5').update(STAMP + password).digest('hex');
}

function read(file: string): string {
  return readFileSync(join(dir, file), 'latin1');
}

/** The line of `name` in example.com's vpasswd. */
function lineOf(name: string): string | undefined {
  return read('vpasswd')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
}

/** What tinycdb's `cdb -q` finds for `key` in example.com's vpasswd.cdb, or null. */
function cdbQuery(key: string): string | null {
  try {
    return execFileSync('cdb', ['-q', join(dir, 'vpasswd.cdb'), key], { stdio: ['ignore', 'pipe', 'ignore'] }).toString('latin1');
  } catch {
    return null;
  }
}

describe('add', () => {
  it('after add, checkpassword-vpopmail logs the user in with the password from stdin, and refuses a wrong one', () => {
    expect(vpasswd(['add', 'example.com', 'alice'], 'alice-secret\n').status).toBe(0);
    expect(login('alice@example.com', 'alice-secret')).toBe(0);
    expect(login('alice@example.com', 'wrong')).toBe(1);
  });

  it("writes vadduser's 7-field record (sha512crypt, uid 1, flags 0, gecos = name, DOMAINDIR/USER, NOQUOTA) to vpasswd and vpasswd.cdb", () => {
    expect(vpasswd(['add', 'example.com', 'alice'], 'alice-secret\n').status).toBe(0);
    const fields = lineOf('alice')!.split(':');
    expect(fields).toHaveLength(7);
    expect(fields[1]).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(fields.slice(2)).toEqual(['1', '0', 'alice', join(dir, 'alice'), 'NOQUOTA']);
    expect(cdbQuery('alice')).toBe(lineOf('alice')!.slice('alice:'.length));
  });

  it('a name is lower-cased, as vpopmail stores it', () => {
    expect(vpasswd(['add', 'example.com', 'Alice'], 'alice-secret\n').status).toBe(0);
    expect(lineOf('alice')).toBeDefined();
    expect(login('ALICE@example.com', 'alice-secret')).toBe(0);
  });

  it('a name that looks like a number stays as typed (1e3 is not 1000)', () => {
    expect(vpasswd(['add', 'example.com', '1e3'], 'n\n').status).toBe(0);
    expect(lineOf('1e3')).toBeDefined();
    expect(lineOf('1000')).toBeUndefined();
  });

  it('inserts before the first name that sorts after it, as vadduser does; other lines stay byte for byte', () => {
    const before = read('vpasswd');
    expect(vpasswd(['add', 'example.com', 'bob'], 'b\n').status).toBe(0);
    expect(vpasswd(['add', 'example.com', 'zed'], 'z\n').status).toBe(0);
    const names = read('vpasswd').split('\n').map((l) => l.split(':')[0]);
    expect(names).toEqual(['bob', 'carol', 'dave', 'zed', '']);
    const kept = read('vpasswd').split('\n').filter((l) => l.startsWith('carol:') || l.startsWith('dave:'));
    expect(kept.join('\n') + '\n').toBe(before);
  });

  it.runIf(IS_ROOT)("makes DOMAINDIR/USER/Maildir/{cur,new,tmp}, each mode 0700 and owned by the domain's uid and gid", () => {
    expect(vpasswd(['add', 'example.com', 'alice'], 'a\n').status).toBe(0);
    for (const sub of ['', 'Maildir', 'Maildir/cur', 'Maildir/new', 'Maildir/tmp']) {
      const st = statSync(join(dir, 'alice', sub));
      expect(st.isDirectory()).toBe(true);
      expect(st.mode & 0o7777).toBe(0o700);
      expect([st.uid, st.gid]).toEqual([UID, GID]);
    }
  });

  it('an alias domain adds the user to its real domain', () => {
    expect(vpasswd(['add', 'alias.example', 'alice'], 'alice-secret\n').status).toBe(0);
    expect(lineOf('alice')).toBeDefined();
    expect(login('alice@example.com', 'alice-secret')).toBe(0);
  });

  it('--clear stores the password as the 8th field, so an APOP login works', () => {
    expect(vpasswd(['add', 'example.com', 'alice', '--clear'], 'ali:ce\n').status).toBe(0);
    expect(lineOf('alice')!.split(':').slice(7).join(':')).toBe('ali:ce');
    expect(login('alice@example.com', apop('ali:ce'))).toBe(0);
  });

  it('without --clear no clear text is stored, and APOP is refused', () => {
    expect(vpasswd(['add', 'example.com', 'alice'], 'alice-secret\n').status).toBe(0);
    expect(login('alice@example.com', apop('alice-secret'))).toBe(1);
  });

  it('--hash stores a hash made by mkpasswd as given; --gecos and --quota fill their fields', () => {
    const hash = mkpasswd('sha256crypt', 'hashed-secret');
    const r = vpasswd(['add', 'example.com', 'alice', '--hash', hash, '--gecos', 'Alice Example', '--quota', '52428800S,1000C']);
    expect(r.status).toBe(0);
    expect(lineOf('alice')).toBe(`alice:${hash}:1:0:Alice Example:${join(dir, 'alice')}:52428800S,1000C`);
    expect(login('alice@example.com', 'hashed-secret')).toBe(0);
  });

  it.each(['md5crypt', 'sha256crypt', 'yescrypt'])('--scheme %s makes a hash of that scheme that logs in', (scheme) => {
    expect(vpasswd(['add', 'example.com', 'alice', '--scheme', scheme], 'alice-secret\n').status).toBe(0);
    const prefix = { md5crypt: '$1$', sha256crypt: '$5$', yescrypt: '$y$' }[scheme]!;
    expect(lineOf('alice')!.split(':')[1]!.startsWith(prefix)).toBe(true);
    expect(login('alice@example.com', 'alice-secret')).toBe(0);
  });

  it('on a terminal the password is asked twice with echo off', () => {
    const r = toolOnTerminal(['vpasswd', 'add', 'example.com', 'alice', '--qmail-dir', qmail], [
      { expect: 'password: ', send: 'tty-secret\r' },
      { expect: 'password: ', send: 'tty-secret\r' },
    ]);
    expect(r.returncode).toBe(0);
    expect(r.echo_at).toEqual([false, false]);
    expect(r.output).not.toContain('tty-secret');
    expect(login('alice@example.com', 'tty-secret')).toBe(0);
  });

  it('an existing user is refused with exit 1 and the files stay as they were', () => {
    const before = [read('vpasswd'), read('vpasswd.cdb')];
    const r = vpasswd(['add', 'example.com', 'carol'], 'new\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('carol@example.com exists already');
    expect([read('vpasswd'), read('vpasswd.cdb')]).toEqual(before);
  });

  it('an existing user directory is refused with exit 1 and vpasswd stays as it was', () => {
    mkdirSync(join(dir, 'alice'));
    const before = read('vpasswd');
    expect(vpasswd(['add', 'example.com', 'alice'], 'a\n').status).toBe(1);
    expect(read('vpasswd')).toBe(before);
  });

  it('an unknown domain is exit 1', () => {
    const r = vpasswd(['add', 'nowhere.example', 'alice'], 'a\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('No such domain');
  });

  it.each([['a:b'], ['a b'], ['a%b'], ['a@b'], ['vpasswd'], ['.hidden'], ['a/b'], ['caf\u00e9']])('the user name %j is bad usage, exit 2, nothing written', (name) => {
    const before = read('vpasswd');
    expect(vpasswd(['add', 'example.com', name], 'a\n').status).toBe(2);
    expect(read('vpasswd')).toBe(before);
  });

  it.each([
    ['--gecos', 'Alice:Example'],
    ['--gecos', 'two\nlines'],
    ['--gecos', 'x'.repeat(65)],
    ['--quota', '1:2'],
    ['--quota', 'lots'],
    ['--hash', '$6$salt$has:colon'],
    ['--hash', 'not-a-hash'],
  ])('%s %j is bad usage, exit 2, nothing written', (option, value) => {
    const before = read('vpasswd');
    expect(vpasswd(['add', 'example.com', 'alice', option, value], 'a\n').status).toBe(2);
    expect(read('vpasswd')).toBe(before);
    expect(existsSync(join(dir, 'alice'))).toBe(false);
  });

  it('an empty password is refused with exit 1', () => {
    expect(vpasswd(['add', 'example.com', 'alice'], '\n').status).toBe(1);
    expect(lineOf('alice')).toBeUndefined();
  });

  it.each([
    ['a NUL byte', 'a\0b', 'A password with a NUL byte cannot be hashed'],
    ['512 bytes', 'x'.repeat(512), 'A password of 512 bytes or more cannot be hashed'],
  ])('a password with %s is bad usage, exit 2, nothing written', (_what, password, message) => {
    const before = read('vpasswd');
    const r = vpasswd(['add', 'example.com', 'alice'], `${password}\n`);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(read('vpasswd')).toBe(before);
    expect(existsSync(join(dir, 'alice'))).toBe(false);
  });

  it.each([
    [['add', 'example.com']],
    [['add', 'example.com', 'alice', '--no-such-option']],
    [['frobnicate', 'example.com']],
    [['add', 'example.com', 'alice', '--hash', mkpasswdLater(), '--clear']],
  ])('bad usage %j exits 2', (args) => {
    expect(vpasswd(args, 'a\n').status).toBe(2);
  });
});

describe('passwd', () => {
  it('after passwd the old password is refused and the new one accepted', () => {
    expect(login('carol@example.com', 'carol-secret')).toBe(0);
    expect(vpasswd(['passwd', 'example.com', 'carol'], 'carol-new\n').status).toBe(0);
    expect(login('carol@example.com', 'carol-secret')).toBe(1);
    expect(login('carol@example.com', 'carol-new')).toBe(0);
  });

  it('a new password of 512 bytes is bad usage, exit 2: vpasswd is unchanged and the old password still works', () => {
    const before = read('vpasswd');
    expect(vpasswd(['passwd', 'example.com', 'carol'], `${'x'.repeat(512)}\n`).status).toBe(2);
    expect(read('vpasswd')).toBe(before);
    expect(login('carol@example.com', 'carol-secret')).toBe(0);
  });

  it('a stored clear text is replaced too: APOP works with the new password, not the old', () => {
    expect(login('dave@example.com', apop('dave-secret'))).toBe(0);
    expect(vpasswd(['passwd', 'example.com', 'dave'], 'dave-new\n').status).toBe(0);
    expect(login('dave@example.com', apop('dave-secret'))).toBe(1);
    expect(login('dave@example.com', apop('dave-new'))).toBe(0);
  });

  it('only the hash (and clear) change: the other fields and lines stay byte for byte', () => {
    const carol = lineOf('carol');
    const dave = lineOf('dave')!.split(':');
    expect(vpasswd(['passwd', 'example.com', 'dave'], 'dave-new\n').status).toBe(0);
    expect(lineOf('carol')).toBe(carol);
    const after = lineOf('dave')!.split(':');
    expect([after[0], ...after.slice(2, 7)]).toEqual([dave[0], ...dave.slice(2, 7)]);
    expect(after[1]).not.toBe(dave[1]);
  });

  it('a 7-field record stays 7 fields; --clear adds the clear text', () => {
    expect(vpasswd(['passwd', 'example.com', 'carol'], 'c1\n').status).toBe(0);
    expect(lineOf('carol')!.split(':')).toHaveLength(7);
    expect(vpasswd(['passwd', 'example.com', 'carol', '--clear'], 'c2\n').status).toBe(0);
    expect(lineOf('carol')!.split(':')[7]).toBe('c2');
  });

  it('--hash empties a stored clear text, so the old password stops working for APOP', () => {
    const hash = mkpasswd('sha512crypt', 'dave-hashed');
    expect(vpasswd(['passwd', 'example.com', 'dave', '--hash', hash]).status).toBe(0);
    expect(lineOf('dave')!.split(':')[7]).toBe('');
    expect(login('dave@example.com', apop('dave-secret'))).toBe(1);
    expect(login('dave@example.com', 'dave-hashed')).toBe(0);
  });

  it('an unknown user is exit 1 and nothing changes', () => {
    const before = read('vpasswd.cdb');
    const r = vpasswd(['passwd', 'example.com', 'nobody'], 'x\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('No such user: nobody@example.com');
    expect(read('vpasswd.cdb')).toBe(before);
  });
});

describe('del', () => {
  it('after del the login is refused with exit 1, and the record is gone from vpasswd and vpasswd.cdb', () => {
    expect(login('carol@example.com', 'carol-secret')).toBe(0);
    expect(vpasswd(['del', 'example.com', 'carol']).status).toBe(0);
    expect(login('carol@example.com', 'carol-secret')).toBe(1);
    expect(lineOf('carol')).toBeUndefined();
    expect(cdbQuery('carol')).toBeNull();
    expect(cdbQuery('dave')).not.toBeNull();
  });

  it('keeps the directory without --remove-dir and removes it with', () => {
    expect(vpasswd(['del', 'example.com', 'carol']).status).toBe(0);
    expect(existsSync(join(dir, 'carol', 'Maildir'))).toBe(true);
    expect(vpasswd(['del', 'example.com', 'dave', '--remove-dir']).status).toBe(0);
    expect(existsSync(join(dir, 'dave'))).toBe(false);
    expect(existsSync(dir)).toBe(true);
  });

  it('--remove-dir does not remove a directory outside the domain: exit 111 (the record is gone)', () => {
    const outside = scratchDir('outside');
    writeFileSync(join(dir, 'vpasswd'), read('vpasswd') + `eve:${mkpasswd('sha512crypt', 'e')}:1:0:eve:${outside}:NOQUOTA\n`);
    expect(vpasswd(['mkcdb', 'example.com']).status).toBe(0);
    const r = vpasswd(['del', 'example.com', 'eve', '--remove-dir']);
    expect(r.status).toBe(111);
    expect(r.stderr).toContain('not inside the domain');
    expect(existsSync(outside)).toBe(true);
    expect(lineOf('eve')).toBeUndefined();
  });

  it('an unknown user is exit 1', () => {
    expect(vpasswd(['del', 'example.com', 'nobody']).status).toBe(1);
  });
});

describe('show and list', () => {
  it('show prints the fields by name, flags decoded by name, the hash hidden, the clear text never', () => {
    const r = vpasswd(['show', 'example.com', 'dave']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('name: dave\n');
    expect(r.stdout).toContain('passwd: md5crypt (--show-hash prints it)\n');
    expect(r.stdout).toContain('flags: 2049 NO_PASSWD_CHNG NO_SMTP\n');
    expect(r.stdout).toContain(`dir: ${join(dir, 'dave')}\n`);
    expect(r.stdout).toContain('quota: NOQUOTA\n');
    expect(r.stdout).toContain('clear: stored (not shown)\n');
    expect(r.stdout).not.toContain('$1$');
    expect(r.stdout).not.toContain('dave-secret');
  });

  it('show --show-hash prints the hash', () => {
    const r = vpasswd(['show', 'example.com', 'carol', '--show-hash']);
    expect(r.stdout).toContain(`passwd: ${lineOf('carol')!.split(':')[1]}\n`);
  });

  it("show's effective flags add the domain's limits", () => {
    const r = vpasswd(['show', 'limited.org', 'lim']);
    expect(r.stdout).toContain('flags: 0\n');
    expect(r.stdout).toContain('effective-flags: 8 NO_IMAP\n');
  });

  it('show of an unknown user is exit 1', () => {
    expect(vpasswd(['show', 'example.com', 'nobody']).status).toBe(1);
  });

  it("list prints the user names one per line, in vpasswd's order", () => {
    vpasswd(['add', 'example.com', 'alice'], 'a\n');
    const r = vpasswd(['list', 'example.com']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('alice\ncarol\ndave\n');
  });
});

describe('mkcdb', () => {
  it('makes the same bytes as tinycdb from the same vpasswd (key = name, data = rest of the line)', () => {
    writeFileSync(join(dir, 'vpasswd'), read('vpasswd') + `zoe:${mkpasswd('sha512crypt', 'z')}:1:0:Zoe Z:${join(dir, 'zoe')}:NOQUOTA:clear:with:colons\n`);
    expect(vpasswd(['mkcdb', 'example.com']).status).toBe(0);
    const reference = join(scratchDir('ref'), 'vpasswd.cdb');
    const mapInput = read('vpasswd').replace(/^([^:\n]*):/gm, '$1 ');
    execFileSync('cdb', ['-c', '-m', reference], { input: mapInput });
    expect(readFileSync(join(dir, 'vpasswd.cdb')).equals(readFileSync(reference))).toBe(true);
  });

  it('after vpasswd is edited by hand, mkcdb makes the new record log in', () => {
    writeFileSync(join(dir, 'vpasswd'), read('vpasswd') + vpasswdLine(dir, { name: 'hand', passwd: mkpasswd('sha512crypt', 'hand-secret') }) + '\n');
    mkdirSync(join(dir, 'hand'));
    if (IS_ROOT) chownSync(join(dir, 'hand'), UID, GID);
    expect(login('hand@example.com', 'hand-secret')).toBe(1);
    expect(vpasswd(['mkcdb', 'example.com']).status).toBe(0);
    expect(login('hand@example.com', 'hand-secret')).toBe(0);
  });

  it('an unterminated last line is kept (vmkpasswd would drop it)', () => {
    writeFileSync(join(dir, 'vpasswd'), read('vpasswd') + vpasswdLine(dir, { name: 'last', passwd: mkpasswd('sha512crypt', 'l') }));
    expect(vpasswd(['mkcdb', 'example.com']).status).toBe(0);
    expect(cdbQuery('last')).not.toBeNull();
  });

  it('a line that is not a record is refused with exit 111, vpasswd.cdb unchanged', () => {
    writeFileSync(join(dir, 'vpasswd'), '# a comment\n' + read('vpasswd'));
    const before = read('vpasswd.cdb');
    const r = vpasswd(['mkcdb', 'example.com']);
    expect(r.status).toBe(111);
    expect(r.stderr).toContain('Line 1 of');
    expect(read('vpasswd.cdb')).toBe(before);
  });

  it('a missing vpasswd is exit 111', () => {
    const r = tool(['vpasswd', 'mkcdb', 'limited.org', '--qmail-dir', qmail]);
    expect(r.status).toBe(0);
    execFileSync('rm', [join(home, 'domains', 'l', 'limited.org', 'vpasswd')]);
    expect(tool(['vpasswd', 'mkcdb', 'limited.org', '--qmail-dir', qmail]).status).toBe(111);
  });
});

describe('atomic replacement, owner and mode kept', () => {
  it.runIf(IS_ROOT)("keeps each file's owner, group and mode", () => {
    chownSync(join(dir, 'vpasswd'), OTHER_UID, OTHER_GID);
    chmodSync(join(dir, 'vpasswd'), 0o640);
    chownSync(join(dir, 'vpasswd.cdb'), OTHER_UID + 1, OTHER_GID + 1);
    chmodSync(join(dir, 'vpasswd.cdb'), 0o604);
    for (const args of [['add', 'example.com', 'alice'], ['passwd', 'example.com', 'carol'], ['del', 'example.com', 'dave'], ['mkcdb', 'example.com']]) {
      expect(vpasswd(args, 'x\n').status).toBe(0);
      const a = statSync(join(dir, 'vpasswd'));
      const b = statSync(join(dir, 'vpasswd.cdb'));
      expect([a.uid, a.gid, a.mode & 0o7777]).toEqual([OTHER_UID, OTHER_GID, 0o640]);
      expect([b.uid, b.gid, b.mode & 0o7777]).toEqual([OTHER_UID + 1, OTHER_GID + 1, 0o604]);
    }
  });

  it.runIf(IS_ROOT)("new files get the domain's uid and gid and mode 0600, as vpopmail writes them", () => {
    execFileSync('rm', [join(dir, 'vpasswd'), join(dir, 'vpasswd.cdb')]);
    expect(vpasswd(['add', 'example.com', 'alice'], 'a\n').status).toBe(0);
    for (const f of ['vpasswd', 'vpasswd.cdb', '.vpasswd.lock']) {
      const st = statSync(join(dir, f));
      expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([UID, GID, 0o600]);
    }
    expect(login('alice@example.com', 'a')).toBe(0);
  });

  it('leaves no temp file behind', () => {
    vpasswd(['add', 'example.com', 'alice'], 'a\n');
    vpasswd(['passwd', 'example.com', 'alice'], 'b\n');
    expect(readdirSync(dir).sort()).toEqual(['.vpasswd.lock', 'alice', 'carol', 'dave', 'vpasswd', 'vpasswd.cdb']);
  });

  it.runIf(IS_ROOT)('a failure to keep the owner exits 111 with the old files intact and no temp file (run as another user)', () => {
    // The tool runs as OTHER_UID, which may write the directory but cannot give files to UID.
    chownSync(dir, OTHER_UID, OTHER_GID);
    for (const f of ['vpasswd', 'vpasswd.cdb']) chmodSync(join(dir, f), 0o644);
    const before = [read('vpasswd'), read('vpasswd.cdb')];
    const r = runAs(['passwd', 'example.com', 'carol'], 'new\n');
    expect(r.status).toBe(111);
    expect(r.stderr).toMatch(/Cannot keep the owner .* EPERM/);
    expect([read('vpasswd'), read('vpasswd.cdb')]).toEqual(before);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(login('carol@example.com', 'carol-secret')).toBe(0);
  });

  it('add with a line in vpasswd that is not a record exits 111, leaves both files and makes no directory', () => {
    writeFileSync(join(dir, 'vpasswd'), read('vpasswd') + '\n');
    const before = [read('vpasswd'), read('vpasswd.cdb')];
    const r = vpasswd(['add', 'example.com', 'alice'], 'a\n');
    expect(r.status).toBe(111);
    expect([read('vpasswd'), read('vpasswd.cdb')]).toEqual(before);
    expect(existsSync(join(dir, 'alice'))).toBe(false);
  });
});

describe("vpopmail's lock", () => {
  it('while another process holds the fcntl lock on .vpasswd.lock, add waits for it, then adds', async () => {
    const holder = await holdLock(join(dir, '.vpasswd.lock'), 1.5);
    const started = Date.now();
    const r = await vpasswdAsync(['add', 'example.com', 'alice'], 'a\n');
    expect(r.status).toBe(0);
    expect(Date.now() - started).toBeGreaterThan(800);
    await holder.done;
    expect(login('alice@example.com', 'a')).toBe(0);
  });

  it('a lock held longer than --lock-wait exits 111 and changes nothing', async () => {
    const holder = await holdLock(join(dir, '.vpasswd.lock'), 5);
    const before = read('vpasswd');
    const r = await vpasswdAsync(['add', 'example.com', 'alice', '--lock-wait', '0.3'], 'a\n');
    holder.kill();
    expect(r.status).toBe(111);
    expect(r.stderr).toContain('Cannot lock');
    expect(read('vpasswd')).toBe(before);
    expect(existsSync(join(dir, 'alice'))).toBe(false);
  });

  // The lock is held while the four start, so all four wait for it and then race for it.
  it.each([
    ['with the native helper (fcntl on .vpasswd.lock)', {}, () => holdLock(join(dir, '.vpasswd.lock'), 0.8)],
    ['without it (O_EXCL .vpasswd.lock.excl)', { CHECKPASSWORD_NATIVE: 'off' }, () => holdExclusiveFile(join(dir, '.vpasswd.lock.excl'), 0.8)],
  ])(
    'four adds at once, %s, all end up in vpasswd and vpasswd.cdb',
    async (_how, env: Record<string, string>, hold: () => Promise<{ done: Promise<void> }>) => {
      const holder = await hold();
      const names = ['w1', 'w2', 'w3', 'w4'];
      const results = await Promise.all(names.map((n) => vpasswdAsync(['add', 'example.com', n], `${n}-pw\n`, env)));
      await holder.done;
      expect(results.map((r) => r.status)).toEqual([0, 0, 0, 0]);
      for (const n of names) {
        expect(lineOf(n)).toBeDefined();
        expect(login(`${n}@example.com`, `${n}-pw`)).toBe(0);
      }
      expect(existsSync(join(dir, '.vpasswd.lock.excl'))).toBe(false);
    },
  );

  it('without the native helper, a leftover O_EXCL lock file makes the tool exit 111 naming it', () => {
    writeFileSync(join(dir, '.vpasswd.lock.excl'), '12345\n');
    const r = vpasswd(['add', 'example.com', 'alice', '--lock-wait', '0.2'], 'a\n', { CHECKPASSWORD_NATIVE: 'off' });
    expect(r.status).toBe(111);
    expect(r.stderr).toContain('.vpasswd.lock.excl');
    expect(lineOf('alice')).toBeUndefined();
  });
});

// The domain's directory belongs to the domain's uid: whoever runs as it (qmailadmin, vpopmail's
// daemons) can put links and FIFOs there, and swap paths while root works. None may lead root to
// read, chown, create or delete anything the domain's uid could not reach itself.
describe("files in the domain's directory are never followed through a symbolic link", () => {
  /** A root-only file outside the domain, with a line a vpasswd reader would take for a record. */
  function rootOnlyFile(): string {
    const file = join(scratchDir('root-only'), 'shadow');
    writeFileSync(file, 'root:$6$SECRETHASH:19000:0:99999:7:::\n', { mode: 0o600 });
    return file;
  }
  const READERS = [['add', 'example.com', 'bob'], ['passwd', 'example.com', 'carol'], ['del', 'example.com', 'carol'], ['mkcdb', 'example.com'], ['list', 'example.com'], ['show', 'example.com', 'carol']];
  const WRITERS = READERS.filter((a) => a[0] !== 'list' && a[0] !== 'show');

  it.each(READERS.map((a) => [a.join(' '), a]))('%s refuses (111) a vpasswd that is a symbolic link: its target is not read, nothing changes', (_name, args) => {
    const target = rootOnlyFile();
    renameSync(join(dir, 'vpasswd'), join(dir, 'vpasswd.real'));
    symlinkSync(target, join(dir, 'vpasswd'));
    const cdb = read('vpasswd.cdb');
    const r = vpasswd(args, 'newpw\n');
    expect(r.status).toBe(111);
    expect(r.stderr).toContain(`${join(dir, 'vpasswd')} is a symbolic link: not followed`);
    expect(r.stdout).toBe('');
    expect(read('vpasswd.cdb')).toBe(cdb);
    expect(cdbQuery('root')).toBeNull();
    expect(lstatSync(join(dir, 'vpasswd')).isSymbolicLink()).toBe(true);
    const st = statSync(target);
    expect([st.uid, st.mode & 0o7777, readFileSync(target, 'latin1')]).toEqual([process.getuid!(), 0o600, 'root:$6$SECRETHASH:19000:0:99999:7:::\n']);
    expect(existsSync(join(dir, 'bob'))).toBe(false);
  });

  it.each(WRITERS.map((a) => [a.join(' '), a]))('%s refuses (111) a vpasswd.cdb that is a symbolic link: the link and its target stay as they were', (_name, args) => {
    const elsewhere = join(scratchDir('cdb-elsewhere'), 'vpasswd.cdb');
    writeFileSync(elsewhere, readFileSync(join(dir, 'vpasswd.cdb')), { mode: 0o600 });
    unlinkSync(join(dir, 'vpasswd.cdb'));
    symlinkSync(elsewhere, join(dir, 'vpasswd.cdb'));
    const before = [read('vpasswd'), readFileSync(elsewhere, 'latin1')];
    const r = vpasswd(args, 'newpw\n');
    expect(r.status).toBe(111);
    expect(r.stderr).toContain(`${join(dir, 'vpasswd.cdb')} is a symbolic link: not followed`);
    expect(lstatSync(join(dir, 'vpasswd.cdb')).isSymbolicLink()).toBe(true);
    expect([read('vpasswd'), readFileSync(elsewhere, 'latin1')]).toEqual(before);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(existsSync(join(dir, 'bob'))).toBe(false);
  });

  it('refuses (111) a vpasswd with a second hard link (a root-only file linked in): nothing goes into the cdb', () => {
    const target = rootOnlyFile();
    unlinkSync(join(dir, 'vpasswd'));
    linkSync(target, join(dir, 'vpasswd'));
    const cdb = read('vpasswd.cdb');
    const r = vpasswd(['add', 'example.com', 'bob'], 'newpw\n');
    expect(r.status).toBe(111);
    expect(r.stderr).toContain(`${join(dir, 'vpasswd')} has 2 hard links: not read`);
    expect(read('vpasswd.cdb')).toBe(cdb);
    expect(readFileSync(target, 'latin1')).toBe('root:$6$SECRETHASH:19000:0:99999:7:::\n');
  });

  it('refuses (111) at once a vpasswd that is a FIFO, instead of waiting for a writer', () => {
    unlinkSync(join(dir, 'vpasswd'));
    execFileSync('mkfifo', ['-m', '600', join(dir, 'vpasswd')]);
    const r = vpasswd(['add', 'example.com', 'bob'], 'newpw\n');
    expect(r.status).toBe(111);
    expect(r.stderr).toContain(`${join(dir, 'vpasswd')} is not a regular file`);
    expect(existsSync(join(dir, 'bob'))).toBe(false);
  });

  it.each([
    ['with the native helper', '.vpasswd.lock', {}],
    ['without it', '.vpasswd.lock.excl', { CHECKPASSWORD_NATIVE: 'off' }],
  ])('%s, a lock file that is a symbolic link is refused (111) saying so: its target is not made, nothing changes', (_how, lock, env: Record<string, string>) => {
    const target = join(scratchDir('lock-target'), 'not-a-lock');
    symlinkSync(target, join(dir, lock));
    const before = read('vpasswd');
    const r = vpasswd(['add', 'example.com', 'bob', '--lock-wait', '0.2'], 'newpw\n', env);
    expect(r.status).toBe(111);
    expect(r.stderr).toContain(`${join(dir, lock)} is a symbolic link: not followed`);
    expect(existsSync(target)).toBe(false);
    expect(read('vpasswd')).toBe(before);
  });

  it('a .vpasswd.lock that is a FIFO is refused (111) at once, not waited on', () => {
    execFileSync('mkfifo', ['-m', '600', join(dir, '.vpasswd.lock')]);
    const r = vpasswd(['add', 'example.com', 'bob'], 'newpw\n');
    expect(r.status).toBe(111);
    expect(r.stderr).toContain(`${join(dir, '.vpasswd.lock')} is not a regular file`);
    expect(lineOf('bob')).toBeUndefined();
  });
});

describe('vpasswd missing while vpasswd.cdb exists', () => {
  it.each([['add', 'example.com', 'bob'], ['passwd', 'example.com', 'carol'], ['del', 'example.com', 'carol'], ['list', 'example.com'], ['show', 'example.com', 'carol']].map((a) => [a.join(' '), a]))(
    '%s refuses (111), saying to restore vpasswd; the cdb is unchanged and its users still log in',
    (_name, args) => {
      renameSync(join(dir, 'vpasswd'), join(dir, 'vpasswd.gone'));
      const cdb = read('vpasswd.cdb');
      const r = vpasswd(args, 'newpw\n');
      expect(r.status).toBe(111);
      expect(r.stderr).toContain(`${join(dir, 'vpasswd')} is missing but ${join(dir, 'vpasswd.cdb')} exists: restore vpasswd first`);
      expect(read('vpasswd.cdb')).toBe(cdb);
      expect(existsSync(join(dir, 'vpasswd'))).toBe(false);
      expect(existsSync(join(dir, 'bob'))).toBe(false);
      expect(login('carol@example.com', 'carol-secret')).toBe(0);
    },
  );

  it('the command the message gives rebuilds vpasswd from the cdb byte for byte; then add works', () => {
    const original = read('vpasswd');
    renameSync(join(dir, 'vpasswd'), join(dir, 'vpasswd.gone'));
    const r = vpasswd(['add', 'example.com', 'bob'], 'x\n');
    const command = /\((cdb -d -m [^)]*)\)/.exec(r.stderr)?.[1];
    expect(command).toBeDefined();
    execFileSync('sh', ['-c', command!], { cwd: dir });
    expect(read('vpasswd')).toBe(original);
    expect(vpasswd(['add', 'example.com', 'bob'], 'x\n').status).toBe(0);
    expect(login('carol@example.com', 'carol-secret')).toBe(0);
    expect(login('bob@example.com', 'x')).toBe(0);
  });
});

// Root's mkdir and rm -r run with the domain's uid, gid and groups, so a path the domain's uid
// swaps for a symbolic link meanwhile can lead nowhere that uid could not go itself. Shown by what
// the domain's uid may not do: write a root-owned directory, delete a root-owned file.
describe.runIf(IS_ROOT)("the user's directory is made and removed with the domain's rights", () => {
  it("add in a domain directory the domain's uid cannot write (root's, 0755) is 111: nothing is made, the files stay", () => {
    chownSync(dir, 0, 0);
    chmodSync(dir, 0o755);
    const before = [read('vpasswd'), read('vpasswd.cdb')];
    const r = vpasswd(['add', 'example.com', 'alice'], 'a\n');
    expect(r.status).toBe(111);
    expect(r.stderr).toContain(`Cannot create ${join(dir, 'alice')}: EACCES (made with the rights of the domain's uid ${UID}`);
    expect(existsSync(join(dir, 'alice'))).toBe(false);
    expect([read('vpasswd'), read('vpasswd.cdb')]).toEqual(before);
  });

  it("del --remove-dir removes only what the domain's uid may remove: a root-owned directory in it stays, exit 111 (the record is gone)", () => {
    const rootOwned = join(dir, 'carol', 'root-owned');
    mkdirSync(rootOwned, { mode: 0o755 });
    writeFileSync(join(rootOwned, 'keep'), 'root\n');
    const r = vpasswd(['del', 'example.com', 'carol', '--remove-dir']);
    expect(r.status).toBe(111);
    expect(r.stderr).toContain(`Cannot remove ${join(dir, 'carol')}: EACCES (removed with the rights of the domain's uid ${UID})`);
    expect(readFileSync(join(rootOwned, 'keep'), 'utf8')).toBe('root\n');
    expect(lineOf('carol')).toBeUndefined();
  });

  it('the tool is root again after making the directory: vpasswd and vpasswd.cdb keep their other owner', () => {
    chownSync(join(dir, 'vpasswd'), OTHER_UID, OTHER_GID);
    chownSync(join(dir, 'vpasswd.cdb'), OTHER_UID, OTHER_GID);
    expect(vpasswd(['add', 'example.com', 'alice'], 'a\n').status).toBe(0);
    for (const f of ['vpasswd', 'vpasswd.cdb']) expect([f, statSync(join(dir, f)).uid]).toEqual([f, OTHER_UID]);
    expect(statSync(join(dir, 'alice', 'Maildir', 'tmp')).uid).toBe(UID);
  });
});

describe.runIf(IS_ROOT && immutableFilesWork())('a failure after the files were renamed', () => {
  it("add keeps the new user's directory when vpasswd was replaced but vpasswd.cdb could not be (immutable): exit 111, the record and its Maildir both there", () => {
    execFileSync('chattr', ['+i', join(dir, 'vpasswd.cdb')]);
    try {
      const r = vpasswd(['add', 'example.com', 'alice'], 'a\n');
      expect(r.status).toBe(111);
      expect(r.stderr).toContain('vpasswd already replaced');
      expect(lineOf('alice')).toBeDefined();
      expect(statSync(join(dir, 'alice', 'Maildir', 'new')).isDirectory()).toBe(true);
    } finally {
      execFileSync('chattr', ['-i', join(dir, 'vpasswd.cdb')]);
    }
    // mkcdb finishes the job, and the user logs in.
    expect(vpasswd(['mkcdb', 'example.com']).status).toBe(0);
    expect(login('alice@example.com', 'a')).toBe(0);
  });
});

/** Whether chattr +i works on the scratch filesystem (root, e2fsprogs, ext4/xfs/btrfs/tmpfs). */
function immutableFilesWork(): boolean {
  const probe = join(scratchDir('chattr-probe'), 'probe');
  writeFileSync(probe, '');
  try {
    execFileSync('chattr', ['+i', probe], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A hash for a usage test (computed when the table is built, before the tree exists). */
function mkpasswdLater(): string {
  return '$6$saltsalt$' + 'x'.repeat(86);
}

/** The tool run as OTHER_UID (root only). */
function runAs(args: string[], input: string) {
  const r = require('node:child_process').spawnSync(TOOL, ['vpasswd', ...args, '--qmail-dir', qmail, '--vpopmail-home', home], {
    input,
    env: { PATH: '/usr/bin:/bin' },
    uid: OTHER_UID,
    gid: OTHER_GID,
    timeout: 60_000,
  });
  return { status: r.status as number | null, stderr: String(r.stderr) };
}

/** The tool without blocking the test's event loop (for lock holders and concurrent runs). */
function vpasswdAsync(args: string[], input: string, env: Record<string, string> = {}): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TOOL, ['vpasswd', ...args, '--qmail-dir', qmail, '--vpopmail-home', home], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const err: Buffer[] = [];
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr: Buffer.concat(err).toString() });
    });
    child.stdin!.end(input);
  });
}

/** The O_EXCL lock file held (as another checkpassword-tool without the helper holds it) for `seconds`. */
async function holdExclusiveFile(file: string, seconds: number): Promise<{ done: Promise<void> }> {
  writeFileSync(file, '1\n', { flag: 'wx' });
  const done = new Promise<void>((res) => setTimeout(() => res(unlinkSync(file)), seconds * 1000));
  return { done };
}

/**
 * Another process holding a POSIX (fcntl) write lock on `file` for `seconds`, as vpopmail's
 * get_write_lock takes it: Python's fcntl.lockf. Resolves once the lock is held.
 */
function holdLock(file: string, seconds: number): Promise<{ done: Promise<void>; kill: () => void }> {
  const script = 'import fcntl,os,sys,time\nfd=os.open(sys.argv[1],os.O_WRONLY|os.O_CREAT,0o600)\nfcntl.lockf(fd,fcntl.LOCK_EX)\nprint("locked",flush=True)\ntime.sleep(float(sys.argv[2]))\n';
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', script, file, String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const done = new Promise<void>((res) => child.on('close', () => res()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the lock holder did not start'));
    }, 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('locked')) {
        clearTimeout(timer);
        resolve({ done, kill: () => child.kill('SIGKILL') });
      }
    });
  });
}
