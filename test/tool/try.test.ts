// `checkpassword-tool try`: the real bin/checkpassword-passwd on a passwd/shadow pair made by
// mkpasswd, and a checkpassword program written in sh that shows what try handed it.

import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitTryArgv } from '../../src/tool/try';
import { IS_ROOT, bin, makeHome, scratchDir } from '../support/run';
import { tool, toolOnTerminal } from './support';

const PASSWD_PROG = bin('checkpassword-passwd');
const UID = 45611;
const GID = 45612;
const PASSWORD = 'Tr0ub4dor&3-try';

let dir: string;
let home: string;
let passwd: string;
let shadow: string;
let unreadable: string;
let shProg: string;

/** try on checkpassword-passwd with our files; `input` is "login\npassword\n" on stdin. */
function tryPasswd(input: string, opts: { own?: string[]; shadowFile?: string } = {}) {
  return tool(['try', ...(opts.own ?? []), PASSWD_PROG, '--passwd', passwd, '--shadow', opts.shadowFile ?? shadow], { input });
}

/** try on the sh program, which does what MODE says and reports fd 3, stdin and env on stderr. */
function trySh(mode: string, input = `alice\n${PASSWORD}\n`, own: string[] = []) {
  return tool(['try', '--env', `MODE=${mode}`, ...own, shProg], { input });
}

beforeAll(() => {
  dir = scratchDir('tool-try');
  home = makeHome(dir, 'home-alice', UID, GID);
  const hash = execFileSync('mkpasswd', ['-m', 'sha512crypt', '-s'], { input: PASSWORD }).toString().trim();
  passwd = join(dir, 'passwd');
  shadow = join(dir, 'shadow');
  unreadable = join(dir, 'shadow-unreadable');
  writeFileSync(passwd, `alice:x:${UID}:${GID}:Alice:${home}:/bin/sh\n`, { mode: 0o644 });
  writeFileSync(shadow, `alice:${hash}:19000:0:99999:7:::\n`, { mode: 0o644 });
  writeFileSync(unreadable, `alice:${hash}:19000:0:99999:7:::\n`);
  chmodSync(unreadable, 0o000);

  shProg = join(dir, 'checkpassword-sh');
  writeFileSync(
    shProg,
    [
      '#!/bin/sh',
      '# A checkpassword program in sh: shows what its caller handed it, then does what $MODE says.',
      'echo "fd3=$(od -An -tx1 -v <&3 | tr -d " \\n")" >&2',
      'echo "stdin=$(readlink /proc/$$/fd/0)" >&2',
      'env | sort | sed "s/^/env:/" >&2',
      'case "$MODE" in',
      '  run) exec "$@" ;;',
      '  stray) echo "+OK hello"; exec "$@" ;;',
      '  zero) exit 0 ;;',
      '  kill) kill -TERM $$ ;;',
      '  hang) exec sleep 30 ;;',
      '  exit:*) exit "${MODE#exit:}" ;;',
      'esac',
      'exit 111',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
});

describe('try reports the exit status in words and exits with it', () => {
  it('a right password is "accepted (exit 0)", with the log line, user, cwd and environment prog got', () => {
    const r = tryPasswd(`alice\n${PASSWORD}\n`);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('accepted (exit 0)');
    expect(r.stdout).toMatch(/stderr: checkpassword-passwd\[\d+\]: accept reason=ok login="alice"/);
    expect(r.stdout).toContain('  user:   alice\n');
    expect(r.stdout).toContain(`  cwd:    ${home}\n`);
    const env = lines.slice(lines.indexOf('  environment:') + 1).filter((l) => l !== '').map((l) => l.trim());
    expect(env.sort()).toEqual(['CHECKPASSWORD_LOG=stderr', `HOME=${home}`, 'PATH=/usr/local/bin:/usr/bin:/bin', 'SHELL=/bin/sh', 'USER=alice']);
  });

  it.skipIf(!IS_ROOT)('as root, the uid, gid, groups and cwd shown are those after the switch to the account', () => {
    const r = tryPasswd(`alice\n${PASSWORD}\n`);
    expect(r.stdout).toContain(`  uid:    ${UID}\n`);
    expect(r.stdout).toContain(`  gid:    ${GID}\n`);
    expect(r.stdout).toContain(`  groups: ${GID}\n`);
    expect(r.stdout).toContain(`  cwd:    ${home}\n`);
  });

  it('a wrong password is "refused: bad login (exit 1)", with no report of prog', () => {
    const r = tryPasswd('alice\nnot-the-password\n');
    expect(r.status).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('refused: bad login (exit 1)');
    expect(r.stdout).toMatch(/reject reason=bad-password login="alice"/);
    expect(r.stdout).not.toContain('environment:');
  });

  it('an option the program does not know is "misuse (exit 2)"', () => {
    const r = tool(['try', PASSWD_PROG, '--no-such-option'], { input: `alice\n${PASSWORD}\n` });
    expect(r.status).toBe(2);
    expect(r.stdout.split('\n')[0]).toBe('misuse (exit 2)');
  });

  it('a shadow file the program cannot read is "temporary failure (exit 111)"', () => {
    // Root reads a mode-000 file anyway: then the program runs as nobody (--uid), as a server's would.
    const own = IS_ROOT ? ['--uid', 'nobody'] : [];
    const r = tryPasswd(`alice\n${PASSWORD}\n`, { own, shadowFile: unreadable });
    expect(r.status).toBe(111);
    expect(r.stdout.split('\n')[0]).toBe('temporary failure (exit 111)');
    expect(r.stdout).toMatch(/tempfail reason=store-unreadable/);
  });

  it("Dovecot's lookup (--lookup) of an unknown user is \"unknown user (exit 3)\"", () => {
    const r = tool(['try', '--lookup', PASSWD_PROG, '--passwd', passwd, '--shadow', shadow], { input: 'nobody-here\n' });
    expect(r.status).toBe(3);
    expect(r.stdout.split('\n')[0]).toBe('unknown user (exit 3)');
  });

  it("--lookup of a known user shows what checkpassword-reply would tell Dovecot: the account's ids and home, exit 2", () => {
    const r = tool(['try', '--lookup', PASSWD_PROG, '--passwd', passwd, '--shadow', shadow], { input: 'alice\n' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const view = r.stdout.slice(r.stdout.indexOf('dovecot ('));
    expect(view).toContain('user=alice');
    expect(view).toContain(`userdb_home=${home}`);
    expect(view).toContain(`userdb_uid=${UID}`);
    expect(view).toContain(`userdb_gid=${GID}`);
    expect(view).toContain('exit 2 (user found)');
  });

  it('ORIG_UID given with -e, without --dovecot (so no fd 4), is no Dovecot: AUTHORIZED=1 skips no password', () => {
    const r = tool(['try', '-e', 'ORIG_UID=0', '-e', 'AUTHORIZED=1', PASSWD_PROG, '--passwd', passwd, '--shadow', shadow], { input: 'alice\n\n' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('ORIG_UID is set but this is not Dovecot');
  });

  it('a status outside the interface is named as such and passed on', () => {
    const r = trySh('exit:12');
    expect(r.status).toBe(12);
    expect(r.stdout.split('\n')[0]).toMatch(/^failed: exit 12, which is no checkpassword status/);
  });

  it('a program killed by a signal is "killed by SIGTERM" and try exits 128 + 15', () => {
    const r = trySh('kill');
    expect(r.status).toBe(143);
    expect(r.stdout.split('\n')[0]).toBe('killed by SIGTERM');
  });

  it('a program that does not answer within --timeout is killed', () => {
    const started = Date.now();
    const r = trySh('hang', undefined, ['--timeout', '1']);
    expect(r.stdout.split('\n')[0]).toBe('killed by SIGTERM (no answer within 1 s)');
    expect(r.status).toBe(143);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('exit 0 without running prog is reported as a failure, exit 111, never 0', () => {
    const r = trySh('zero');
    expect(r.status).toBe(111);
    expect(r.stdout.split('\n')[0]).toMatch(/^failed: exit 0, but prog did not run/);
  });

  it('bytes a program writes to stdout (the network) are flagged, and not taken for the report', () => {
    const r = trySh('stray');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('warning: the program wrote 10 bytes to stdout');
    expect(r.stdout).toContain('  environment:');
  });
});

describe('what try hands the program', () => {
  it('fd 3 holds login\\0password\\0timestamp\\0 with an empty timestamp by default; stdin is /dev/null', () => {
    const r = trySh('run');
    const want = Buffer.from(`alice\0${PASSWORD}\0\0`).toString('hex');
    expect(r.stdout).toContain(`stderr: fd3=${want}\n`);
    expect(r.stdout).toContain('stderr: stdin=/dev/null\n');
  });

  it('--timestamp is the third field', () => {
    const r = trySh('run', undefined, ['--timestamp', '<1.2@mail.example>']);
    const want = Buffer.from(`alice\0${PASSWORD}\0<1.2@mail.example>\0`).toString('hex');
    expect(r.stdout).toContain(`stderr: fd3=${want}\n`);
  });

  it('the environment is PATH, CHECKPASSWORD_LOG=stderr and the --env entries, nothing of ours', () => {
    const r = tool(['try', '-e', 'MODE=run', '-e', 'TCPREMOTEIP=192.0.2.7', shProg], {
      input: `alice\n${PASSWORD}\n`,
      env: { SECRET_OF_THE_SHELL: 'x' },
    });
    const env = r.stdout.split('\n').filter((l) => l.startsWith('  stderr: env:')).map((l) => l.slice('  stderr: env:'.length));
    // sh adds PWD itself; everything else came from try.
    expect(env.filter((e) => !e.startsWith('PWD='))).toEqual(['CHECKPASSWORD_LOG=stderr', 'MODE=run', 'PATH=/usr/local/bin:/usr/bin:/bin', 'TCPREMOTEIP=192.0.2.7']);
  });

  it('--no-log leaves CHECKPASSWORD_LOG unset, and the program logs nothing', () => {
    const r = tryPasswd(`alice\n${PASSWORD}\n`, { own: ['--no-log'] });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('CHECKPASSWORD_LOG');
    expect(r.stdout).not.toContain('stderr:');
  });

  it('the password appears nowhere in what the program and prog were given besides fd 3', () => {
    const r = tryPasswd(`alice\n${PASSWORD}\n`);
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('--login gives the login; stdin then holds only the password', () => {
    const r = tool(['try', '--login', 'alice', PASSWD_PROG, '--passwd', passwd, '--shadow', shadow], { input: `${PASSWORD}\n` });
    expect(r.status).toBe(0);
  });

  it('--env without NAME=VALUE is a misuse of try (exit 2), before anything is read or run', () => {
    const r = tool(['try', '--env', 'JUSTANAME', shProg], { input: `alice\n${PASSWORD}\n` });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--env needs NAME=VALUE');
    expect(r.stdout).toBe('');
  });

  it('a program that is not there is a misuse of try (exit 2)', () => {
    const r = tool(['try', join(dir, 'no-such-program')], { input: `alice\n${PASSWORD}\n` });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Cannot run');
  });

  it('no password on stdin is a misuse (exit 2) and nothing is run', () => {
    const r = trySh('exit:0', 'alice\n');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('No password on standard input');
    expect(r.stdout).toBe('');
  });
});

describe('on a terminal', () => {
  it('echo is back on as soon as the password is read, while the program still runs', () => {
    // The program hangs until --timeout: the tool is alive, so Node's own reset at exit cannot
    // be what turned echo back on.
    const r = toolOnTerminal(['try', '--timeout', '2', '-e', 'MODE=hang', shProg], [
      { expect: 'Login: ', send: 'alice\r' },
      { expect: 'Password: ', send: `${PASSWORD}\r` },
      { wait: 0.7, expect: '', send: '' },
    ]);
    expect(r.echo_at).toEqual([true, false, true]);
    expect(r.output).toContain('killed by SIGTERM');
  });

  it('the login is echoed, the password is not, and echo is on again afterwards', () => {
    const r = toolOnTerminal(['try', PASSWD_PROG, '--passwd', passwd, '--shadow', shadow], [
      { expect: 'Login: ', send: 'alice\r' },
      { expect: 'Password: ', send: `${PASSWORD}\r` },
    ]);
    expect(r.timed_out).toBe(false);
    expect(r.returncode).toBe(0);
    expect(r.echo_at).toEqual([true, false]);
    expect(r.output).toContain('Login: alice');
    expect(r.output).not.toContain(PASSWORD);
    expect(r.output).toContain('accepted (exit 0)');
    expect(r.echo_after).toBe(true);
  });

  it('Ctrl-C at the password prompt ends try by SIGINT, with echo restored and nothing run', () => {
    const r = toolOnTerminal(['try', shProg], [
      { expect: 'Login: ', send: 'alice\r' },
      { expect: 'Password: ', send: 'half-typed\x03' },
    ]);
    expect(r.returncode).toBe(-2);
    expect(r.echo_after).toBe(true);
    expect(r.output).not.toContain('half-typed');
    expect(r.output).not.toContain('fd3=');
  });

  it('--stdin reads the login and password from stdin even on a terminal', () => {
    const r = toolOnTerminal(['try', '--stdin', PASSWD_PROG, '--passwd', passwd, '--shadow', shadow], [
      { expect: '', send: `alice\r${PASSWORD}\r` },
    ]);
    expect(r.returncode).toBe(0);
    expect(r.output).not.toContain('Login: ');
  });
});

describe('splitTryArgv: PROGRAM starts at the first argument that is not an option of try', () => {
  const cases: [string[], string[], string[]][] = [
    [['try', 'prog', '--passwd', 'f'], ['try'], ['prog', '--passwd', 'f']],
    [['try', '--env', 'A=1', '--stdin', 'prog', '--timeout', '3'], ['try', '--env', 'A=1', '--stdin'], ['prog', '--timeout', '3']],
    [['try', '-l', 'alice', '--timestamp=<x>', 'prog'], ['try', '-l', 'alice', '--timestamp=<x>'], ['prog']],
    [['try', '--no-log', '--', '-odd-name', '-x'], ['try', '--no-log'], ['-odd-name', '-x']],
    [['try', '--help'], ['try', '--help'], []],
  ];
  for (const [argv, own, program] of cases) {
    it(`${argv.join(' ')} → ours: ${own.join(' ')} | program: ${program.join(' ')}`, () => {
      expect(splitTryArgv(argv)).toEqual({ own, program });
    });
  }

  it('is null for another command', () => {
    expect(splitTryArgv(['hash', '--scheme', 'bcrypt'])).toBeNull();
  });
});
