// End to end: the built bin/checkpassword-passwd run as qmail-popup or Dovecot runs it.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, RECORD_PROG, bin, makeHome, request, runProgram, scratchDir, type RunOptions } from '../support/run';

const PROG = bin('checkpassword-passwd');
const UID = 45601;
const GID = 45602;

let dir: string;
let home: string;
let passwd: string;
let shadow: string;

/** Runs checkpassword-passwd on the fixture store with the record-prog as prog. */
function login(input: RunOptions['input'], extra: Partial<RunOptions> & { opts?: string[]; prog?: string[] } = {}) {
  const args = [...(extra.opts ?? ['--passwd', passwd, '--shadow', shadow]), ...(extra.prog ?? [RECORD_PROG, 'Maildir'])];
  return runProgram(PROG, { ...extra, args, input });
}

function mkpasswd(method: string, password: string): string {
  return execFileSync('mkpasswd', ['-m', method, '-s'], { input: password }).toString().trim();
}

beforeAll(() => {
  dir = scratchDir('passwd');
  home = makeHome(dir, 'home-alice', UID, GID);
  const six = mkpasswd('sha512crypt', 'six-secret');
  const yes = mkpasswd('yescrypt', 'yes-secret');
  const bcrypt = execFileSync('htpasswd', ['-nbB', 'u', 'bcrypt-secret']).toString().trim().slice(2);
  const apr1 = execFileSync('htpasswd', ['-nbm', 'u', 'apr1-secret']).toString().trim().slice(2);
  passwd = join(dir, 'passwd');
  shadow = join(dir, 'shadow');
  writeFileSync(
    passwd,
    [
      `root:x:0:0:root:${home}:/bin/sh`,
      `alice:x:${UID}:${GID}:Alice:${home}:/bin/sh`,
      `yolanda:x:${UID}:${GID}:Yolanda:${home}:/bin/sh`,
      `bea:x:${UID}:${GID}:Bea:${home}:/bin/sh`,
      `april:x:${UID}:${GID}:April:${home}:/bin/sh`,
      `inline:${mkpasswd('sha512crypt', 'inline-secret')}:${UID}:${GID}:Inline:${home}:/bin/sh`,
      `shadowed:${mkpasswd('sha512crypt', 'passwd-field-secret')}:${UID}:${GID}:S:${home}:/bin/sh`,
      `star:x:${UID}:${GID}::${home}:/bin/sh`,
      `bang:x:${UID}:${GID}::${home}:/bin/sh`,
      `bangbang:x:${UID}:${GID}::${home}:/bin/sh`,
      `lockedsix:x:${UID}:${GID}::${home}:/bin/sh`,
      `empty:x:${UID}:${GID}::${home}:/bin/sh`,
      `weird:x:${UID}:${GID}::${home}:/bin/sh`,
      `nohome:x:${UID}:${GID}::${join(dir, 'does-not-exist')}:/bin/sh`,
      `low:x:500:500::${home}:/bin/sh`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    shadow,
    [
      `root:${mkpasswd('sha512crypt', 'root-secret')}:19000:0:99999:7:::`,
      `alice:${six}:19000:0:99999:7:::`,
      `yolanda:${yes}:19000:0:99999:7:::`,
      `bea:${bcrypt}:19000:0:99999:7:::`,
      `april:${apr1}:19000:0:99999:7:::`,
      `shadowed:${mkpasswd('sha512crypt', 'shadow-secret')}:19000:0:99999:7:::`,
      `star:*:19000:0:99999:7:::`,
      `bang:!:19000:0:99999:7:::`,
      `bangbang:!!:19000:0:99999:7:::`,
      `lockedsix:!${six}:19000:0:99999:7:::`,
      `empty::19000:0:99999:7:::`,
      `weird:#notahash:19000:0:99999:7:::`,
      `nohome:${six}:19000:0:99999:7:::`,
      `low:${six}:19000:0:99999:7:::`,
      '',
    ].join('\n'),
  );
  chmodSync(passwd, 0o644);
  chmodSync(shadow, 0o644);
});

describe('the store: passwd and shadow files', () => {
  it('a right password from the shadow file runs prog, whose exit status is ours', () => {
    const r = login(request('alice', 'six-secret'), { env: { PATH: '/usr/bin:/bin', RECORD_EXIT: '7' } });
    expect(r.status).toBe(7);
    expect(r.facts.get('argv')).toBe(`${RECORD_PROG} Maildir`);
  });

  it('a shadow entry wins over the passwd field', () => {
    expect(login(request('shadowed', 'shadow-secret')).status).toBe(0);
    expect(login(request('shadowed', 'passwd-field-secret')).status).toBe(1);
  });

  it('without a shadow entry the passwd field is the hash (DJB 0.81)', () => {
    expect(login(request('inline', 'inline-secret')).status).toBe(0);
  });

  it('--shadow none reads the hashes from the passwd file alone', () => {
    const r = login(request('inline', 'inline-secret'), { opts: ['--passwd', passwd, '--shadow', 'none'] });
    expect(r.status).toBe(0);
    // alice's passwd field is "x": with no shadow file she cannot log in.
    expect(login(request('alice', 'six-secret'), { opts: ['--passwd', passwd, '--shadow', 'none'] }).status).toBe(1);
  });

  it('CHECKPASSWORD_PASSWD and CHECKPASSWORD_SHADOW choose the files', () => {
    const env = { PATH: '/usr/bin:/bin', CHECKPASSWORD_PASSWD: passwd, CHECKPASSWORD_SHADOW: shadow };
    expect(login(request('alice', 'six-secret'), { opts: [], env }).status).toBe(0);
  });

  it('an empty CHECKPASSWORD_SHADOW means no shadow file', () => {
    const env = { PATH: '/usr/bin:/bin', CHECKPASSWORD_PASSWD: passwd, CHECKPASSWORD_SHADOW: '' };
    expect(login(request('inline', 'inline-secret'), { opts: [], env }).status).toBe(0);
    expect(login(request('alice', 'six-secret'), { opts: [], env }).status).toBe(1);
  });

  it('options stop at the first argument that is not one: prog keeps its own options', () => {
    const r = login(request('alice', 'six-secret'), { prog: [RECORD_PROG, '--passwd', 'x'] });
    expect(r.status).toBe(0);
    expect(r.facts.get('argv')).toBe(`${RECORD_PROG} --passwd x`);
  });

  it('-- ends the options', () => {
    const r = login(request('alice', 'six-secret'), { opts: ['--passwd', passwd, '--shadow', shadow, '--'] });
    expect(r.status).toBe(0);
  });

  it('an unknown option exits 2 with a usage line on stderr', () => {
    const r = login(request('alice', 'six-secret'), { opts: ['--frobnicate', passwd] });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option --frobnicate/);
    expect(r.stderr).toMatch(/usage: checkpassword-passwd \[options\] prog/);
    expect(r.stdout).toBe('');
  });
});

describe('the interface, as DJB checkpassword 0.90 behaves', () => {
  it('no prog exits 2 before fd 3 is read (even with fd 3 closed)', () => {
    expect(login(null, { prog: [] }).status).toBe(2);
  });

  it('exactly 512 bytes on fd 3 are accepted', () => {
    const input = request('alice', 'six-secret', 'x'.repeat(512 - 'alice\0six-secret\0\0'.length));
    expect(input.length).toBe(512);
    expect(login(input).status).toBe(0);
  });

  it('513 bytes on fd 3 are refused with exit 1, even with the right password', () => {
    const input = request('alice', 'six-secret', 'x'.repeat(513 - 'alice\0six-secret\0\0'.length));
    expect(input.length).toBe(513);
    expect(login(input).status).toBe(1);
  });

  it('empty input exits 2', () => {
    expect(login('').status).toBe(2);
  });

  it('a login without its NUL exits 2', () => {
    expect(login('alice').status).toBe(2);
  });

  it('a password without its NUL exits 2', () => {
    expect(login('alice\0six-secret').status).toBe(2);
  });

  it('the timestamp is optional', () => {
    expect(login(request('alice', 'six-secret', null)).status).toBe(0);
  });

  it('fd 3 not open exits 111', () => {
    expect(login(null).status).toBe(111);
  });

  it('an unknown user exits 1', () => {
    expect(login(request('nobody-here', 'six-secret')).status).toBe(1);
  });

  it('a wrong password exits 1', () => {
    expect(login(request('alice', 'six-secreT')).status).toBe(1);
  });

  it.each([
    ['*', 'star'],
    ['!', 'bang'],
    ['!!', 'bangbang'],
    ['!$6$... (passwd -l)', 'lockedsix'],
    ['an empty field', 'empty'],
  ])('a locked or empty hash (%s) exits 1', (_what, user) => {
    expect(login(request(user, 'six-secret')).status).toBe(1);
    expect(login(request(user, '')).status).toBe(1);
  });

  it('a missing passwd file exits 111 with a log line saying why', () => {
    const r = login(request('alice', 'six-secret'), { opts: ['--passwd', join(dir, 'nope'), '--shadow', shadow, '--log', 'stderr'] });
    expect(r.status).toBe(111);
    expect(r.stderr).toMatch(/tempfail reason=store-unreadable .*detail="cannot read .*nope: ENOENT"/);
  });

  it('a missing shadow file exits 111', () => {
    expect(login(request('alice', 'six-secret'), { opts: ['--passwd', passwd, '--shadow', join(dir, 'nope')] }).status).toBe(111);
  });

  it('a store that is a directory (read error) exits 111', () => {
    expect(login(request('alice', 'six-secret'), { opts: ['--passwd', dir, '--shadow', shadow] }).status).toBe(111);
  });

  it.runIf(IS_ROOT)('a store we may not read exits 111, never 1', () => {
    const locked = join(dir, 'shadow-0600');
    writeFileSync(locked, `alice:x:1:0:99999:7:::\n`, { mode: 0o600 });
    const r = login(request('alice', 'six-secret'), {
      opts: ['--passwd', passwd, '--shadow', locked, '--log', 'stderr'],
      uid: 65534,
      gid: 65534,
    });
    expect(r.status).toBe(111);
    expect(r.stderr).toMatch(/EACCES/);
  });
});

describe('the success path', () => {
  it('USER, HOME and SHELL are set and the rest of the environment is kept', () => {
    const r = login(request('alice', 'six-secret'), { env: { PATH: '/usr/bin:/bin', USER: 'qmaild', KEEP_ME: 'kept' } });
    expect(r.status).toBe(0);
    expect(r.env.get('USER')).toBe('alice');
    expect(r.env.get('HOME')).toBe(home);
    expect(r.env.get('SHELL')).toBe('/bin/sh');
    expect(r.env.get('KEEP_ME')).toBe('kept');
  });

  it('prog runs in HOME', () => {
    expect(login(request('alice', 'six-secret')).facts.get('cwd')).toBe(home);
  });

  it('a HOME that cannot be entered exits 111', () => {
    expect(login(request('nohome', 'six-secret')).status).toBe(111);
  });

  it.runIf(IS_ROOT)('as root, prog runs as the account: uid, gid, and the primary gid as its only group', () => {
    const r = login(request('alice', 'six-secret'));
    expect(r.facts.get('uid')).toBe(String(UID));
    expect(r.facts.get('gid')).toBe(String(GID));
    expect(r.facts.get('groups')).toBe(String(GID));
  });

  it.runIf(IS_ROOT)('--initgroups adds the groups the group database lists the user in', () => {
    // A throwaway system user and group, so the group database really lists the member.
    const name = `cpwt${process.pid % 100000}`;
    const extraGid = 45700 + (process.pid % 200);
    execFileSync('groupadd', ['-o', '-g', String(GID), `${name}p`]);
    try {
      execFileSync('useradd', ['-M', '-N', '-u', String(UID), '-o', '-g', String(GID), name]);
      execFileSync('groupadd', ['-g', String(extraGid), '-U', name, name]);
      const groupsFile = join(dir, 'passwd-initgroups');
      writeFileSync(groupsFile, `${name}:${mkpasswd('sha512crypt', 'grp-secret')}:${UID}:${GID}::${home}:/bin/sh\n`);
      const opts = ['--passwd', groupsFile, '--shadow', 'none'];
      const r = login(request(name, 'grp-secret'), { opts: [...opts, '--initgroups'] });
      expect(r.status).toBe(0);
      expect(r.facts.get('groups')!.split(' ').sort()).toEqual([String(GID), String(extraGid)].sort());
      expect(login(request(name, 'grp-secret'), { opts }).facts.get('groups')).toBe(String(GID));
    } finally {
      spawnSync('groupdel', [name]);
      spawnSync('userdel', [name]);
      spawnSync('groupdel', [`${name}p`]);
    }
  });

  it('uid 0 is refused with exit 1 by default', () => {
    expect(login(request('root', 'root-secret')).status).toBe(1);
  });

  it('--min-uid 0 lets root log in', () => {
    const r = login(request('root', 'root-secret'), { opts: ['--passwd', passwd, '--shadow', shadow, '--min-uid', '0'] });
    expect(r.status).toBe(0);
  });

  it('--min-uid refuses uids below it with exit 1', () => {
    expect(login(request('low', 'six-secret'), { opts: ['--passwd', passwd, '--shadow', shadow, '--min-uid', '1000'] }).status).toBe(1);
    expect(login(request('low', 'six-secret')).status).toBe(0);
  });

  it('a --min-uid that is not a number exits 2', () => {
    expect(login(request('low', 'six-secret'), { opts: ['--passwd', passwd, '--shadow', shadow, '--min-uid', 'ten'] }).status).toBe(2);
  });

  it.runIf(IS_ROOT)('not running as root, prog runs as the caller without a switch', () => {
    const r = login(request('alice', 'six-secret'), { uid: 65534, gid: 65534 });
    expect(r.status).toBe(0);
    expect(r.facts.get('uid')).toBe('65534');
    expect(r.env.get('USER')).toBe('alice');
  });

  it('prog without a slash is found through PATH', () => {
    const r = login(request('alice', 'six-secret'), {
      prog: ['record-prog', 'arg'],
      env: { PATH: `/nonexistent::${join(RECORD_PROG, '..')}:/usr/bin:/bin` },
    });
    expect(r.status).toBe(0);
    expect(r.facts.get('argv')).toMatch(/record-prog arg$/);
  });

  it('a prog that is not found exits 111', () => {
    expect(login(request('alice', 'six-secret'), { prog: ['no-such-prog-here'] }).status).toBe(111);
  });

  it('a prog that is not executable exits 111, logged once as a tempfail (never as an accept)', () => {
    const file = join(dir, 'not-executable');
    writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    const r = login(request('alice', 'six-secret'), { prog: [file], env: { PATH: '/usr/bin:/bin', CHECKPASSWORD_LOG: 'stderr' } });
    expect(r.status).toBe(111);
    expect(r.stderr).toMatch(/^checkpassword-passwd\[\d+\]: tempfail reason=exec-failed login="alice" ms=\d+ detail="[^"]*not-executable is not an executable file"\n$/);
  });

  it('fd 3 is closed for prog and the caller\'s other descriptors (fd 4) stay open', () => {
    const out4 = join(dir, 'fd4-native');
    writeFileSync(out4, '', { mode: 0o666 });
    const r = login(request('alice', 'six-secret'), { fd4: out4 });
    expect(r.status).toBe(0);
    expect(r.facts.get('fds')).toBe(' 0 1 2 4');
    expect(require('node:fs').readFileSync(out4, 'utf8')).toBe('written to fd 4\n');
  });

  it('a caller\'s fd 4 on the same pipe as fd 1 is handed on too', () => {
    const r = login(request('alice', 'six-secret'), { fd4: '&1' });
    expect(r.facts.get('fds')).toBe(' 0 1 2 4');
    expect(r.stdout).toContain('written to fd 4\n');
  });

  it('nothing is written to stdout but what prog writes', () => {
    const r = login(request('alice', 'six-secret'), { prog: ['/bin/true'] });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
  });
});

describe('the success path without the native helper (spawn fallback)', () => {
  const env = { PATH: '/usr/bin:/bin', CHECKPASSWORD_NATIVE: 'off' };

  it('prog\'s exit status is ours', () => {
    expect(login(request('alice', 'six-secret'), { env: { ...env, RECORD_EXIT: '9' } }).status).toBe(9);
  });

  it('fd 3 is closed for prog and fd 4 stays open', () => {
    const out4 = join(dir, 'fd4-spawn');
    writeFileSync(out4, '', { mode: 0o666 });
    const r = login(request('alice', 'six-secret'), { env, fd4: out4 });
    expect(r.status).toBe(0);
    expect(r.facts.get('fds')).toBe(' 0 1 2 4');
    expect(require('node:fs').readFileSync(out4, 'utf8')).toBe('written to fd 4\n');
  });

  it('a prog killed by a signal gives 128 + its number', () => {
    const r = login(request('alice', 'six-secret'), { env, prog: ['/bin/sh', '-c', 'kill -KILL $$'] });
    expect(r.status).toBe(128 + 9);
  });

  it('a prog that is not executable exits 111', () => {
    const file = join(dir, 'not-executable-2');
    writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    expect(login(request('alice', 'six-secret'), { env, prog: [file] }).status).toBe(111);
  });
});

describe('password hashes in the store', () => {
  it.each([
    ['sha512crypt', 'alice', 'six-secret'],
    ['yescrypt', 'yolanda', 'yes-secret'],
    ['bcrypt $2y$ (htpasswd -B)', 'bea', 'bcrypt-secret'],
    ['apr1 (htpasswd -m)', 'april', 'apr1-secret'],
  ])('a %s hash accepts its password and refuses another', (_f, user, password) => {
    expect(login(request(user, password)).status).toBe(0);
    expect(login(request(user, password + 'x')).status).toBe(1);
  });

  it.each([
    ['sha512crypt', 'alice', 'six-secret'],
    ['yescrypt', 'yolanda', 'yes-secret'],
    ['bcrypt', 'bea', 'bcrypt-secret'],
  ])('without the native helper, a %s hash still verifies', (_f, user, password) => {
    const env = { PATH: '/usr/bin:/bin', CHECKPASSWORD_NATIVE: 'off' };
    expect(login(request(user, password), { env }).status).toBe(0);
    expect(login(request(user, password + 'x'), { env }).status).toBe(1);
  });

  it('a hash in a format nothing can verify is a logged refusal, exit 1', () => {
    const r = login(request('weird', '#notahash'), { opts: ['--passwd', passwd, '--shadow', shadow, '--log', 'stderr'] });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/reject reason=unsupported-hash login="weird"/);
  });
});

describe('logging', () => {
  it('is off by default: nothing on stderr', () => {
    const r = login(request('alice', 'wrong'));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
  });

  it('--log stderr writes one line per attempt with outcome, reason, login, remote address and duration', () => {
    const r = login(request('alice', 'wrong'), {
      opts: ['--passwd', passwd, '--shadow', shadow, '--log', 'stderr'],
      env: { PATH: '/usr/bin:/bin', TCPREMOTEIP: '192.0.2.9' },
    });
    expect(r.stderr).toMatch(/^checkpassword-passwd\[\d+\]: reject reason=bad-password login="alice" remote=192\.0\.2\.9 ms=\d+\n$/);
  });

  it('CHECKPASSWORD_LOG=stderr turns it on, and an accept is logged before prog runs', () => {
    const r = login(request('alice', 'six-secret'), { env: { PATH: '/usr/bin:/bin', CHECKPASSWORD_LOG: 'stderr' } });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^checkpassword-passwd\[\d+\]: accept reason=ok login="alice" ms=\d+\n$/);
  });

  it('each refusal names its reason', () => {
    const opts = ['--passwd', passwd, '--shadow', shadow, '--log', 'stderr'];
    expect(login(request('nobody-here', 'x'), { opts }).stderr).toMatch(/reject reason=unknown-user login="nobody-here"/);
    expect(login(request('star', 'x'), { opts }).stderr).toMatch(/reject reason=locked login="star"/);
    expect(login(request('empty', 'x'), { opts }).stderr).toMatch(/reject reason=empty-password/);
    expect(login(request('root', 'root-secret'), { opts }).stderr).toMatch(/reject reason=uid-below-minimum login="root"/);
    expect(login('x'.repeat(600), { opts }).stderr).toMatch(/reject reason=input-too-long/);
    expect(login('alice', { opts }).stderr).toMatch(/misuse reason=malformed-input/);
    expect(login(null, { opts, prog: [] }).stderr).toMatch(/misuse reason=no-program/);
    expect(login(null, { opts }).stderr).toMatch(/tempfail reason=fd3-unreadable/);
  });

  it('control characters in a login are escaped in the log line', () => {
    const r = login(request('evil\ncheckpassword-passwd[1]: accept', 'x'), {
      opts: ['--passwd', passwd, '--shadow', shadow, '--log', 'stderr'],
    });
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toContain('login="evil\\x0acheckpassword-passwd[1]: accept"');
  });

  it('an unknown CHECKPASSWORD_LOG value exits 2, with a line on stderr saying so', () => {
    const r = login(request('alice', 'six-secret'), { env: { PATH: '/usr/bin:/bin', CHECKPASSWORD_LOG: 'syslogg' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/misuse reason=bad-option .*unknown log target/);
  });

  it('an unknown log target exits 2', () => {
    expect(login(request('alice', 'six-secret'), { opts: ['--log', 'syslogg', '--passwd', passwd] }).status).toBe(2);
  });
});
