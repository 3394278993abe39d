// End to end: `--log syslog` of the built programs, received by a real unix socket standing in for
// /dev/log (CHECKPASSWORD_SYSLOG_SOCKET), with stores made by mkpasswd.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORD_PROG, ROOT, bin, makeHome, request, runProgram, runProgramAsync, scratchDir, type RunResult } from '../support/run';
import { startSyslogReceiver, type SyslogReceiver } from '../support/syslog-receiver';
import { mkpasswd } from '../support/vpopmail-tree';

const UID = 45631;
const GID = 45632;
const PASSWORD = 'syslog-secret-8d1f';
/** `<PRI>Mmm dd hh:mm:ss ident[pid]: message`, as glibc's syslog(3) writes it on /dev/log. */
const DATAGRAM = /^<(\d+)>([A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d) ([a-z-]+)\[(\d+)\]: (.*)$/s;

let dir: string;
let passwd: string;
let wrapper: string;
let pidFile: string;
let dgram: SyslogReceiver;
let stream: SyslogReceiver;

interface Sent {
  run: RunResult;
  /** The process id the program ran as (the wrapper execs it, so the wrapper's $$). */
  pid: number;
  pri: number;
  stamp: string;
  ident: string;
  msgPid: number;
  message: string;
  nulEnded: boolean;
}

/**
 * Runs `program` with `args` (options, then prog) on `input` as a mail server would, the socket of
 * `receiver` as the syslog socket, and returns the one message it sent (fails on none or more).
 */
async function sent(program: string, args: string[], input: Buffer | null, env: Record<string, string> = {}, receiver = dgram): Promise<Sent> {
  const before = receiver.received.length;
  const run = runProgram(wrapper, {
    args: [pidFile, program, ...args],
    input,
    env: { PATH: '/usr/bin:/bin', TCPREMOTEIP: '192.0.2.7', CHECKPASSWORD_SYSLOG_SOCKET: receiver.path, ...env },
  });
  const all = await receiver.waitFor(before + 1);
  await new Promise((r) => setTimeout(r, 50)); // a second message, if one were sent, arrives too
  const mine = receiver.received.slice(before);
  expect(mine, `messages from ${program} ${args.join(' ')}\n${run.stderr}`).toHaveLength(1);
  const m = DATAGRAM.exec(all[before]!.text);
  expect(m, all[before]!.text).not.toBeNull();
  return {
    run,
    pid: Number(readFileSync(pidFile, 'utf8').trim()),
    pri: Number(m![1]),
    stamp: m![2]!,
    ident: m![3]!,
    msgPid: Number(m![4]),
    message: m![5]!,
    nulEnded: all[before]!.nulEnded,
  };
}

const PASSWD = () => bin('checkpassword-passwd');

/** Binds a unix datagram socket, fills its queue from a second socket until it would block, never reads. */
const DEAF_SYSLOG = `
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
c.setblocking(False)
c.connect(sys.argv[1])
try:
    while True:
        c.send(b'x' * 512)
except BlockingIOError:
    pass
print('full', flush=True)
time.sleep(60)
`;
const opts = (log: string) => ['--passwd', passwd, '--shadow', 'none', '--min-uid', '1', '--log', log];

beforeAll(async () => {
  dir = scratchDir('syslog');
  const home = makeHome(dir, 'home-alice', UID, GID);
  passwd = join(dir, 'passwd');
  writeFileSync(
    passwd,
    [`alice:${mkpasswd('sha512crypt', PASSWORD)}:${UID}:${GID}:Alice:${home}:/bin/sh`, `locked:!:${UID}:${GID}::${home}:/bin/sh`, ''].join('\n'),
  );
  chmodSync(passwd, 0o644);
  pidFile = join(dir, 'pid');
  wrapper = join(dir, 'record-pid');
  writeFileSync(wrapper, '#!/bin/sh\necho $$ > "$1"\nshift\nexec "$@"\n', { mode: 0o755 });
  chmodSync(wrapper, 0o755);
  dgram = await startSyslogReceiver('dgram');
  stream = await startSyslogReceiver('stream');
});
afterAll(async () => {
  await dgram?.close();
  await stream?.close();
});

describe('--log syslog: one message per attempt on the syslog socket', () => {
  it('a refused login sends one datagram with ident, pid and the stderr line fields, and writes nothing to stdout or stderr', async () => {
    const s = await sent(PASSWD(), [...opts('syslog:mail'), RECORD_PROG], request('alice', 'wrong'));
    expect(s.run.status).toBe(1);
    expect(s.run.stdout).toBe('');
    expect(s.run.stderr).toBe('');
    expect(s.ident).toBe('checkpassword-passwd');
    expect(s.msgPid).toBe(s.pid);
    expect(s.message).toMatch(/^reject reason=bad-password login="alice" remote=192\.0\.2\.7 ms=\d+$/);
    // The same fields as the stderr line of the same login, after `program[pid]: `.
    const onStderr = runProgram(PASSWD(), { args: [...opts('stderr'), RECORD_PROG], input: request('alice', 'wrong'), env: { PATH: '/usr/bin:/bin', TCPREMOTEIP: '192.0.2.7' } });
    const line = /^checkpassword-passwd\[\d+\]: (.*)\n$/.exec(onStderr.stderr);
    expect(line).not.toBeNull();
    expect(s.message.replace(/ ms=\d+/, '')).toBe(line![1]!.replace(/ ms=\d+/, ''));
  });

  it('the timestamp is the local time of the login, as date(1) writes %b %e %H:%M:%S', async () => {
    const now = () => execFileSync('date', ['+%b %e %H:%M:%S'], { env: { LC_ALL: 'C', PATH: '/usr/bin:/bin' } }).toString().trim();
    const before = now();
    const s = await sent(PASSWD(), [...opts('syslog'), RECORD_PROG], request('alice', 'wrong'));
    const after = now();
    // The login takes well under a second: the stamp is the second before it or after it.
    expect([before, after]).toContain(s.stamp);
    expect(s.stamp).toMatch(/^[A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d$/);
  });

  it.each([
    // [--log value, case, facility * 8 + severity]
    ['syslog', 'accept', 4 * 8 + 6],
    ['syslog:auth', 'reject', 4 * 8 + 5],
    ['syslog:authpriv', 'reject', 10 * 8 + 5],
    ['syslog:mail', 'accept', 2 * 8 + 6],
    ['syslog:mail', 'tempfail', 2 * 8 + 3],
    ['syslog:auth', 'misuse', 4 * 8 + 3],
  ])('--log %s: a %s line has priority %i (accept info, reject notice, tempfail and misuse err)', async (log, outcome, pri) => {
    const cases: Record<string, { args: string[]; input: Buffer; exit: number }> = {
      accept: { args: [...opts(log), RECORD_PROG], input: request('alice', PASSWORD), exit: 0 },
      reject: { args: [...opts(log), RECORD_PROG], input: request('locked', 'x'), exit: 1 },
      tempfail: { args: ['--passwd', join(dir, 'missing'), '--shadow', 'none', '--log', log, RECORD_PROG], input: request('alice', PASSWORD), exit: 111 },
      misuse: { args: [...opts(log), RECORD_PROG], input: Buffer.from('alice'), exit: 2 },
    };
    const c = cases[outcome]!;
    const s = await sent(PASSWD(), c.args, c.input);
    expect(s.run.status).toBe(c.exit);
    expect(s.message.startsWith(`${outcome} reason=`)).toBe(true);
    expect(s.pri).toBe(pri);
    expect(s.run.stderr).toBe('');
  });

  it('an accepted login is logged under the pid that prog then runs as', async () => {
    const prog = join(dir, 'print-pid');
    writeFileSync(prog, '#!/bin/sh\necho "pid=$$"\n', { mode: 0o755 });
    chmodSync(prog, 0o755);
    const s = await sent(PASSWD(), [...opts('syslog'), prog], request('alice', PASSWORD));
    expect(s.run.status).toBe(0);
    expect(s.message).toMatch(/^accept reason=ok login="alice" remote=192\.0\.2\.7 ms=\d+$/);
    expect(s.msgPid).toBe(s.pid);
    expect(s.run.facts.get('pid')).toBe(String(s.pid));
  });

  it('radcheckpassword logs under the name it was run by', async () => {
    const s = await sent(bin('radcheckpassword'), ['--log', 'syslog'], request('alice', 'x'));
    expect(s.run.status).toBe(2);
    expect(s.ident).toBe('radcheckpassword');
    expect(s.message).toMatch(/^misuse reason=no-program remote=192\.0\.2\.7 ms=\d+ detail=/);
  });

  it('checkpassword-vpopmail logs under its own name', async () => {
    const s = await sent(bin('checkpassword-vpopmail'), ['--vpopmail-home', join(dir, 'no-vpopmail'), '--qmail-dir', join(dir, 'no-qmail'), '--log', 'syslog:mail', RECORD_PROG], request('bob@example.com', 'x'));
    expect(s.ident).toBe('checkpassword-vpopmail');
    expect(s.msgPid).toBe(s.pid);
    expect(s.message).toMatch(/^(reject|tempfail) reason=\S+ login="bob@example\.com" remote=192\.0\.2\.7 /);
  });

  it('CHECKPASSWORD_LOG=syslog:authpriv turns it on without --log', async () => {
    const s = await sent(PASSWD(), ['--passwd', passwd, '--shadow', 'none', RECORD_PROG], request('alice', 'wrong'), { CHECKPASSWORD_LOG: 'syslog:authpriv' });
    expect(s.pri).toBe(10 * 8 + 5);
  });

  it('the password is in no message, whatever the outcome', async () => {
    const inputs = [request('alice', PASSWORD), request(PASSWORD, PASSWORD), request('locked', PASSWORD), Buffer.from(`alice\0${PASSWORD}`)];
    for (const input of inputs) {
      const s = await sent(PASSWD(), [...opts('syslog'), RECORD_PROG], input);
      expect(s.message.replace(`login="${PASSWORD}"`, '')).not.toContain(PASSWORD);
    }
  });
});

describe('--log syslog: transports', () => {
  it('a stream socket at the path gets the same message ended by a NUL, as glibc frames it', async () => {
    const d = await sent(PASSWD(), [...opts('syslog:mail'), RECORD_PROG], request('alice', 'wrong'));
    const s = await sent(PASSWD(), [...opts('syslog:mail'), RECORD_PROG], request('alice', 'wrong'), {}, stream);
    expect(s.nulEnded).toBe(true);
    expect(d.nulEnded).toBe(false);
    expect(s.pri).toBe(d.pri);
    expect(s.msgPid).toBe(s.pid);
    expect(s.message.replace(/ ms=\d+/, '')).toBe(d.message.replace(/ ms=\d+/, ''));
    expect(s.run.status).toBe(1);
    expect(s.run.stderr).toBe('');
  });

  it('without the native helper, util-linux logger sends the same header, pid and message', async () => {
    const native = await sent(PASSWD(), [...opts('syslog:authpriv'), RECORD_PROG], request('alice', 'wrong'));
    const fallback = await sent(PASSWD(), [...opts('syslog:authpriv'), RECORD_PROG], request('alice', 'wrong'), { CHECKPASSWORD_NATIVE: 'off' });
    expect(fallback.run.status).toBe(1);
    expect(fallback.run.stderr).toBe('');
    expect(fallback.pri).toBe(native.pri);
    expect(fallback.ident).toBe(native.ident);
    expect(fallback.msgPid).toBe(fallback.pid);
    expect(fallback.message.replace(/ ms=\d+/, '')).toBe(native.message.replace(/ ms=\d+/, ''));
  });

  it.each([
    ['with the native helper', {}],
    ['without the native helper', { CHECKPASSWORD_NATIVE: 'off' }],
  ])('no syslog socket changes no exit code and writes nothing (%s)', (_name, env) => {
    const missing = join(dir, 'no-such-socket');
    expect(existsSync(missing)).toBe(false);
    const run = (input: Buffer) =>
      runProgram(PASSWD(), { args: [...opts('syslog'), RECORD_PROG], input, env: { PATH: '/usr/bin:/bin', CHECKPASSWORD_SYSLOG_SOCKET: missing, ...env } });
    const refused = run(request('alice', 'wrong'));
    expect([refused.status, refused.stdout, refused.stderr]).toEqual([1, '', '']);
    const accepted = run(request('alice', PASSWORD));
    expect(accepted.status).toBe(0);
    expect(accepted.stderr).toBe('');
    expect(accepted.facts.get('uid')).toBeDefined();
  });

  it.each([
    ['with the native helper', {}, 1000],
    ['without the native helper', { CHECKPASSWORD_NATIVE: 'off' }, 3000],
  ])('a syslog daemon that reads nothing holds up no login (%s)', async (_name, env, bound) => {
    // A socket whose queue is full and that never reads: glibc's syslog(3) would wait for ever.
    const path = join(scratchDir('deaf-syslog'), 'log');
    const deaf = spawn('python3', ['-c', DEAF_SYSLOG, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        deaf.stdout!.on('data', (d: Buffer) => d.toString().includes('full') && resolve());
        deaf.once('exit', (code) => reject(new Error(`deaf syslog exited with ${code}`)));
        setTimeout(() => reject(new Error('deaf syslog not ready after 5 s')), 5000);
      });
      const r = await runProgramAsync(PASSWD(), { args: [...opts('syslog'), RECORD_PROG], input: request('alice', 'wrong'), env: { PATH: '/usr/bin:/bin', CHECKPASSWORD_SYSLOG_SOCKET: path, ...env } });
      expect([r.status, r.stdout, r.stderr]).toEqual([1, '', '']);
      expect(r.ms).toBeLessThan(bound);
    } finally {
      deaf.kill('SIGTERM');
    }
  });

  it('a regular file at the socket path changes no exit code', () => {
    const file = join(dir, 'not-a-socket');
    writeFileSync(file, '');
    const r = runProgram(PASSWD(), { args: [...opts('syslog'), RECORD_PROG], input: request('alice', 'wrong'), env: { PATH: '/usr/bin:/bin', CHECKPASSWORD_SYSLOG_SOCKET: file } });
    expect([r.status, r.stderr]).toEqual([1, '']);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('a syslog-logging login loads neither node:net nor node:dgram', () => {
    const list = join(dir, 'modules');
    const preload = join(dir, 'module-list.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`);
    const r = runProgram(process.execPath, {
      args: ['-r', preload, join(ROOT, 'dist/checkpassword-passwd.cjs'), ...opts('syslog'), RECORD_PROG],
      input: request('alice', 'wrong'),
      env: { PATH: '/usr/bin:/bin', CHECKPASSWORD_SYSLOG_SOCKET: dgram.path },
    });
    expect(r.status).toBe(1);
    const modules = readFileSync(list, 'utf8').split('\n');
    expect(modules).toContain('NativeModule fs'); // the list is the real one
    expect(modules).not.toContain('NativeModule net');
    expect(modules).not.toContain('NativeModule dgram');
    expect(modules).not.toContain('NativeModule child_process');
  });
});

describe('--log values', () => {
  it.each(['syslog:local0', 'syslog:', 'Syslog', 'syslog:mail:auth', 'stderr,syslog'])('--log %s is misuse: exit 2', (value) => {
    const r = runProgram(PASSWD(), { args: [...opts(value), RECORD_PROG], input: request('alice', PASSWORD) });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`unknown log target ${JSON.stringify(value)}`);
  });
});
