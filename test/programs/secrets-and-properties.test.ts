// The password never leaks through any path, no fd 3 input but the right one is ever accepted,
// signals reach prog, and an unknown user costs a hash like a wrong password.

import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpasswordError, EXIT } from '../../src/exit';
import { parseRequest, readRequestBytes } from '../../src/protocol/fd3';
import { passwdBackend } from '../../src/backends/passwd';
import { accepted } from '../../src/programs/attempt';
import { RECORD_PROG, bin, makeHome, request, runProgram, scratchDir } from '../support/run';

const PROG = bin('checkpassword-passwd');
const SENTINEL = 'SeNtInEl-7f3a9c';
let dir: string;
let passwd: string;
let slowStore: string;

function mkpasswd(args: string[], password: string): string {
  return execFileSync('mkpasswd', [...args, '-s'], { input: password }).toString().trim();
}

beforeAll(() => {
  dir = scratchDir('secrets');
  const home = makeHome(dir, 'home', 45611, 45611);
  const six = mkpasswd(['-m', 'sha512crypt'], 'right-password');
  passwd = join(dir, 'passwd');
  writeFileSync(
    passwd,
    [
      `alice:${six}:45611:45611::${home}:/bin/sh`,
      `sentinel:${mkpasswd(['-m', 'sha512crypt'], SENTINEL)}:45611:45611::${home}:/bin/sh`,
      `locked:!${six}:45611:45611::${home}:/bin/sh`,
      `root:${mkpasswd(['-m', 'sha512crypt'], SENTINEL)}:0:0::${home}:/bin/sh`,
      `weird:#${SENTINEL}:45611:45611::${home}:/bin/sh`,
      `nohome:${mkpasswd(['-m', 'sha512crypt'], SENTINEL)}:45611:45611::${join(dir, 'none')}:/bin/sh`,
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  slowStore = join(dir, 'passwd-slow');
  const slow = (pw: string) => mkpasswd(['-m', 'sha512crypt', '-R', '200000'], pw);
  writeFileSync(
    slowStore,
    [`a:${slow('a-pass')}:45611:45611::${home}:/bin/sh`, `b:${slow('b-pass')}:45611:45611::${home}:/bin/sh`, `l:!:45611:45611::${home}:/bin/sh`, ''].join('\n'),
  );
});

describe('the password never leaks', () => {
  const paths: [string, string | Buffer, string[]?][] = [
    ['unknown user', request('nobody', SENTINEL)],
    ['wrong password', request('alice', SENTINEL)],
    ['locked account', request('locked', SENTINEL)],
    ['uid below the minimum', request('root', SENTINEL)],
    ['unsupported hash', request('weird', `#${SENTINEL}`)],
    ['input too long', request('alice', SENTINEL, 'x'.repeat(600))],
    ['password without NUL', `alice\0${SENTINEL}`],
    ['no prog', request('alice', SENTINEL), []],
    ['HOME missing', request('nohome', SENTINEL)],
    ['prog not found', request('sentinel', SENTINEL), ['no-such-prog']],
    ['store unreadable', request('alice', SENTINEL), ['--passwd', '/nonexistent', RECORD_PROG]],
    ['accepted login', request('sentinel', SENTINEL)],
  ];
  for (const native of ['on', 'off']) {
    it.each(paths)(`on the %s path (native helper ${native}) it is in no output, log line or prog environment`, (_p, input, tail) => {
      const args = tail && tail[0] === '--passwd' ? ['--log', 'stderr', ...tail] : ['--passwd', passwd, '--shadow', 'none', '--log', 'stderr', ...(tail ?? [RECORD_PROG])];
      const r = runProgram(PROG, { args, input, env: { PATH: '/usr/bin:/bin', CHECKPASSWORD_NATIVE: native } });
      expect(r.stderr).not.toBe('');
      expect(r.stdout + r.stderr).not.toContain(SENTINEL);
      for (const [k, v] of r.env) expect(`${k}=${v}`).not.toContain(SENTINEL);
    });
  }
});

describe('no input but the right password is ever accepted (random fd 3 inputs)', () => {
  /** A deterministic PRNG, so a failure can be replayed. */
  function rng(seed: number): () => number {
    return () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
  }
  const pieces = [Buffer.from('alice'), Buffer.from('right-password'), Buffer.from('right-passwor'), Buffer.from('root'), Buffer.from('<1.2@x>')];

  /** Random bytes of length 0..1024, NULs placed at random, sometimes real logins and passwords. */
  function randomInput(next: () => number): Buffer {
    const len = Math.floor(next() * 1025);
    const parts: Buffer[] = [];
    let total = 0;
    while (total < len) {
      const r = next();
      const part = r < 0.3 ? pieces[Math.floor(next() * pieces.length)]! : r < 0.55 ? Buffer.from([0]) : Buffer.from([Math.floor(next() * 256)]);
      parts.push(part);
      total += part.length;
    }
    return Buffer.concat(parts).subarray(0, len);
  }

  /** The exit a login program reaches for `input` before prog (0 = accepted). */
  function decide(input: Buffer): { code: number; login?: string } {
    const file = join(dir, 'random-input');
    writeFileSync(file, input);
    const fd = openSync(file, 'r');
    try {
      const req = parseRequest(readRequestBytes(fd));
      const attempt = { program: 'test', started: 0, log: { kind: 'none' as const }, fds: [], warnings: [], dovecot: undefined };
      const account = accepted(passwdBackend({ passwd, shadow: null }).verify(req), attempt);
      return { code: 0, login: account?.name };
    } catch (err) {
      if (err instanceof CheckpasswordError) return { code: err.exitCode };
      throw err;
    } finally {
      try {
        closeSync(fd);
      } catch {
        // readRequestBytes closed it.
      }
    }
  }

  function isRightPassword(input: Buffer): boolean {
    return input.length <= 512 && input.subarray(0, 'alice\0right-password\0'.length).equals(Buffer.from('alice\0right-password\0'));
  }

  it('1000 random inputs end in 1 or 2, or in an accept only with the right password', () => {
    const next = rng(20261122);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const input = randomInput(next);
      const { code } = decide(input);
      seen.add(code);
      expect([0, EXIT.refused, EXIT.misuse]).toContain(code);
      expect(code === 0, `input ${input.toString('hex')}`).toBe(isRightPassword(input));
    }
    expect(seen).toContain(EXIT.refused);
    expect(seen).toContain(EXIT.misuse);
  });

  it('the right password inside random inputs is accepted exactly when the fields are right', () => {
    const next = rng(7);
    for (let i = 0; i < 200; i++) {
      const tail = randomInput(next).subarray(0, Math.floor(next() * 100));
      const input = Buffer.concat([Buffer.from('alice\0right-password\0'), tail]);
      expect(decide(input).code).toBe(0);
    }
  });

  it('40 random inputs through the built program exit only with a documented code', () => {
    const next = rng(42);
    for (let i = 0; i < 40; i++) {
      const input = randomInput(next);
      const r = runProgram(PROG, { args: ['--passwd', passwd, '--shadow', 'none', '/bin/true'], input });
      expect([EXIT.refused, EXIT.misuse, 0]).toContain(r.status);
      expect(r.status === 0).toBe(isRightPassword(input));
      expect(r.stdout).toBe('');
    }
  });
});

describe('timing: unknown and locked users cost a hash', () => {
  /** Median wall time of `fn` over a few runs, in ms. */
  function median(fn: () => unknown, runs = 5): number {
    const t: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      fn();
      t.push(performance.now() - s);
    }
    return t.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
  }

  const req = (login: string, password: string) => ({ login: Buffer.from(login), password: Buffer.from(password), timestamp: null });

  it('an unknown user and a locked user take about as long as a wrong password (one dummy hash)', () => {
    const backend = passwdBackend({ passwd: slowStore, shadow: null });
    const wrong = median(() => backend.verify(req('a', 'nope')));
    const unknown = median(() => backend.verify(req('zed', 'nope')));
    const locked = median(() => backend.verify(req('l', 'nope')));
    // 200000 rounds take tens of ms; without the dummy hash these paths take well under 1 ms.
    expect(wrong).toBeGreaterThan(10);
    expect(unknown / wrong).toBeGreaterThan(0.6);
    expect(locked / wrong).toBeGreaterThan(0.6);
  });
});

describe('signals reach prog', () => {
  for (const native of ['on', 'off']) {
    it(`SIGTERM to the login process reaches prog, whose status comes back (native helper ${native})`, async () => {
      const input = join(dir, `sig-${native}`);
      writeFileSync(input, request('alice', 'right-password'));
      const child = spawn(PROG, ['--passwd', passwd, '--shadow', 'none', RECORD_PROG], {
        env: { PATH: '/usr/bin:/bin', RECORD_SLEEP: '30', CHECKPASSWORD_NATIVE: native },
        stdio: ['ignore', 'pipe', 'pipe', openSync(input, 'r')],
      });
      let out = '';
      let errors = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (errors += d));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('prog did not start')), 10_000);
        child.stderr!.on('data', (d) => {
          if (String(d).includes('ready')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      if (native === 'off') {
        // The login process stays as prog's parent here: SIGUSR1 must not open Node's inspector.
        child.kill('SIGUSR1');
        await new Promise((r) => setTimeout(r, 300));
        expect(errors).not.toMatch(/Debugger listening/);
      }
      child.kill('SIGTERM');
      const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      expect(status).toBe(143);
      expect(out).toContain('got TERM');
    });
  }
});
