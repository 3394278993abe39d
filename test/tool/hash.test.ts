// `checkpassword-tool hash`: every hash it prints is checked by an implementation that is not
// ours (Perl's crypt(), which is the system's libcrypt; OpenSSL's `passwd` for SHA-crypt and
// MD5-crypt with the same salt) and by logging in with it through bin/checkpassword-passwd.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RECORD_PROG, bin, request, runProgram, scratchDir } from '../support/run';
import { tool, toolOnTerminal } from './support';

const PASSWORD = 'c0rrect horse ✓ battery';

/** scheme, what its hash looks like, openssl passwd's flag for it (same algorithm, our salt). */
const SCHEMES: [string, RegExp, string | null][] = [
  ['sha512crypt', /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/, '-6'],
  ['sha256crypt', /^\$5\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{43}$/, '-5'],
  ['md5crypt', /^\$1\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{22}$/, '-1'],
  ['yescrypt', /^\$y\$j9T\$[./0-9A-Za-z]{22}\$[./0-9A-Za-z]{43}$/, null],
  ['gost-yescrypt', /^\$gy\$j9T\$[./0-9A-Za-z]{22}\$[./0-9A-Za-z]{43}$/, null],
  ['scrypt', /^\$7\$CU\.\.\.\.\/\.\.\.\.[./0-9A-Za-z]{22}\$[./0-9A-Za-z]{43}$/, null],
  ['bcrypt', /^\$2b\$10\$[./0-9A-Za-z]{53}$/, null],
  ['sunmd5', /^\$md5,rounds=5000\$[./0-9A-Za-z]{8}\$\$[./0-9A-Za-z]{22}$/, null],
  ['bsdicrypt', /^_J9\.\.[./0-9A-Za-z]{4}[./0-9A-Za-z]{11}$/, null],
  ['descrypt', /^[./0-9A-Za-z]{13}$/, null],
];

/** Perl's crypt() (libcrypt): the hash recomputed from a password and the hash as setting. */
function perlCrypt(password: string, hash: string): string {
  return execFileSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1]) // "(undef)"', password, hash]).toString();
}

/** `openssl passwd` with the salt taken from the hash. */
function opensslPasswd(flag: string, password: string, hash: string): string {
  const salt = hash.split('$')[2]!;
  return execFileSync('openssl', ['passwd', flag, '-salt', salt, '-stdin'], { input: password }).toString().trim();
}

function hashOf(scheme: string, extra: string[] = [], env: Record<string, string> = {}) {
  return tool(['hash', '--scheme', scheme, ...extra], { input: `${PASSWORD}\n`, env });
}

/** A login through the real checkpassword-passwd with `hash` inline in a passwd file. */
function loginWith(hash: string, password: string): number | null {
  const dir = scratchDir('tool-hash');
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, `user:${hash}:${process.getuid!()}:${process.getgid!()}::${dir}:/bin/sh\n`, { mode: 0o644 });
  return runProgram(bin('checkpassword-passwd'), {
    args: ['--passwd', passwd, '--shadow', 'none', '--min-uid', '0', RECORD_PROG],
    input: request('user', password),
  }).status;
}

const made = new Map<string, string>();

beforeAll(() => {
  for (const [scheme] of SCHEMES) {
    const r = hashOf(scheme);
    if (r.status === 0) made.set(scheme, r.stdout);
  }
});

describe('each scheme makes a hash that other implementations and a login accept', () => {
  for (const [scheme, shape, opensslFlag] of SCHEMES) {
    it(`${scheme}: stdout is one line, the hash, in the scheme's format`, () => {
      const out = made.get(scheme);
      expect(out, `hash --scheme ${scheme} failed`).toBeDefined();
      expect(out!.endsWith('\n')).toBe(true);
      expect(out!.trimEnd().split('\n')).toHaveLength(1);
      expect(out!.trimEnd()).toMatch(shape);
    });

    it(`${scheme}: libcrypt through Perl recomputes the same hash for the password, another for a wrong one`, () => {
      const hash = made.get(scheme)!.trimEnd();
      expect(perlCrypt(PASSWORD, hash)).toBe(hash);
      expect(perlCrypt('wrong password', hash)).not.toBe(hash);
    });

    if (opensslFlag !== null) {
      it(`${scheme}: openssl passwd ${opensslFlag} with the same salt gives the same hash`, () => {
        const hash = made.get(scheme)!.trimEnd();
        expect(opensslPasswd(opensslFlag, PASSWORD, hash)).toBe(hash);
      });
    }

    it(`${scheme}: bin/checkpassword-passwd logs in with it (exit 0) and refuses a wrong password (exit 1)`, () => {
      const hash = made.get(scheme)!.trimEnd();
      expect(loginWith(hash, PASSWORD)).toBe(0);
      expect(loginWith(hash, 'wrong password')).toBe(1);
    });
  }

  it('two hashes of the same password have different salts', () => {
    const a = hashOf('sha512crypt').stdout;
    const b = hashOf('sha512crypt').stdout;
    expect(a.split('$')[2]).not.toBe(b.split('$')[2]);
  });
});

describe('--cost', () => {
  it('sha512crypt --cost 12345 writes rounds=12345, and libcrypt agrees', () => {
    const hash = hashOf('sha512crypt', ['--cost', '12345']).stdout.trimEnd();
    expect(hash).toMatch(/^\$6\$rounds=12345\$/);
    expect(perlCrypt(PASSWORD, hash)).toBe(hash);
  });

  it('bcrypt --cost 4 (--rounds is the same option) writes $2b$04$', () => {
    const hash = hashOf('bcrypt', ['--rounds', '4']).stdout.trimEnd();
    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(perlCrypt(PASSWORD, hash)).toBe(hash);
  });

  // mkpasswd asks libxcrypt's crypt_gensalt for the parameters; ours must be the same string.
  for (const [scheme, cost] of [['yescrypt', 1], ['yescrypt', 3], ['yescrypt', 8], ['gost-yescrypt', 2], ['scrypt', 6], ['scrypt', 8], ['bsdicrypt', 1001]] as const) {
    it(`${scheme} --cost ${cost} has the parameters mkpasswd -R ${cost} writes`, () => {
      const ours = hashOf(scheme, ['--cost', String(cost)]).stdout.trimEnd();
      const theirs = execFileSync('mkpasswd', ['-m', scheme, '-R', String(cost), '-s'], { input: 'x' }).toString().trim();
      const params = (h: string) => (scheme === 'bsdicrypt' ? h.slice(0, 5) : scheme === 'scrypt' ? h.slice(0, 14) : h.split('$').slice(0, 3).join('$'));
      expect(params(ours)).toBe(params(theirs));
      expect(perlCrypt(PASSWORD, ours)).toBe(ours);
    });
  }

  const bad: [string, string, RegExp][] = [
    ['bcrypt', '3', /bcrypt takes a cost from 4 to 31/],
    ['sha512crypt', '999', /from 1000 to 999999999/],
    ['yescrypt', '12', /from 1 to 11/],
    ['md5crypt', '5', /md5crypt has no cost/],
    ['bsdicrypt', '1000', /odd/],
  ];
  for (const [scheme, cost, message] of bad) {
    it(`${scheme} --cost ${cost} is a misuse (exit 2) and prints no hash`, () => {
      const r = hashOf(scheme, ['--cost', cost]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }
});

describe('what is refused', () => {
  it('an unknown scheme is a misuse (exit 2)', () => {
    const r = hashOf('rot13');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('an empty password is refused (exit 1), no hash printed', () => {
    const r = tool(['hash'], { input: '\n' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
  });

  it('no input at all is a misuse (exit 2)', () => {
    const r = tool(['hash'], { input: '' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('No password on standard input');
  });

  it('a password of 512 bytes is a misuse (exit 2) naming the limit, no hash printed; 511 bytes is hashed', () => {
    const r = tool(['hash'], { input: `${'x'.repeat(512)}\n` });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('A password of 512 bytes or more cannot be hashed');
    expect(r.stdout).toBe('');
    const ok = tool(['hash'], { input: `${'x'.repeat(511)}\n` });
    expect(ok.status).toBe(0);
    expect(perlCrypt('x'.repeat(511), ok.stdout.trimEnd())).toBe(ok.stdout.trimEnd());
  });

  it('a password with a NUL byte is a misuse (exit 2) saying so, no hash printed', () => {
    const r = tool(['hash'], { input: Buffer.from('a\0b\n', 'latin1') });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('A password with a NUL byte cannot be hashed');
    expect(r.stdout).toBe('');
  });

  it('a legacy scheme warns on stderr, and stdout still holds only the hash', () => {
    const r = tool(['hash', '-m', 'descrypt'], { input: 'longer-than-eight\n' });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('descrypt is weak');
    expect(r.stderr).toContain('uses only the first 8 bytes');
    expect(r.stdout).toMatch(/^[./0-9A-Za-z]{13}\n$/);
  });
});

describe('without the native helper (CHECKPASSWORD_NATIVE=off)', () => {
  const off = { CHECKPASSWORD_NATIVE: 'off' };

  for (const [scheme, flag] of [['sha512crypt', '-6'], ['sha256crypt', '-5'], ['md5crypt', '-1']] as const) {
    it(`${scheme} is made by the suite's own code, and openssl passwd ${flag} agrees`, () => {
      const r = hashOf(scheme, [], off);
      expect(r.status).toBe(0);
      const hash = r.stdout.trimEnd();
      expect(opensslPasswd(flag, PASSWORD, hash)).toBe(hash);
      expect(loginWith(hash, PASSWORD)).toBe(0);
    });
  }

  it('bcrypt is still made (bcryptjs), and libcrypt agrees', () => {
    const r = hashOf('bcrypt', [], off);
    expect(r.status).toBe(0);
    const hash = r.stdout.trimEnd();
    expect(perlCrypt(PASSWORD, hash)).toBe(hash);
  });

  it('scrypt is made by the own code, and libcrypt agrees', () => {
    const r = hashOf('scrypt', ['--cost', '6'], off);
    expect(r.status).toBe(0);
    const hash = r.stdout.trimEnd();
    expect(perlCrypt(PASSWORD, hash)).toBe(hash);
  });

  for (const scheme of ['yescrypt', 'gost-yescrypt', 'descrypt']) {
    it(`${scheme} needs libcrypt: exit 111 with a message naming the helper, before any password is read`, () => {
      const r = hashOf(scheme, [], off);
      expect(r.status).toBe(111);
      expect(r.stderr).toContain('checkpassword.node');
      expect(r.stdout).toBe('');
    });
  }
});

describe('on a terminal', () => {
  it('the password is asked twice with echo off, the hash printed, and echo on again afterwards', () => {
    const r = toolOnTerminal(['hash', '-m', 'yescrypt'], [
      { expect: 'New password: ', send: `${PASSWORD}\r` },
      { expect: 'Retype new password: ', send: `${PASSWORD}\r` },
    ]);
    expect(r.returncode).toBe(0);
    expect(r.echo_at).toEqual([false, false]);
    expect(r.echo_after).toBe(true);
    expect(Buffer.from(r.output, 'latin1').toString()).not.toContain(PASSWORD);
    const hash = /\$y\$\S+/.exec(r.output)![0];
    expect(perlCrypt(PASSWORD, hash)).toBe(hash);
  });

  it('two different answers are refused (exit 1) and no hash is printed', () => {
    const r = toolOnTerminal(['hash'], [
      { expect: 'New password: ', send: 'first-try\r' },
      { expect: 'Retype new password: ', send: 'second-try\r' },
    ]);
    expect(r.returncode).toBe(1);
    expect(r.output).toContain('The passwords do not match');
    expect(r.output).not.toContain('$6$');
    expect(r.echo_after).toBe(true);
  });

  it('--stdin reads the password once from the terminal line, without prompts', () => {
    const t = toolOnTerminal(['hash', '--stdin'], [{ expect: '', send: 'typed-once\r' }]);
    expect(t.returncode).toBe(0);
    expect(t.output).not.toContain('New password');
    const hash = /\$6\$\S+/.exec(t.output)![0];
    expect(perlCrypt('typed-once', hash)).toBe(hash);
  });
});
