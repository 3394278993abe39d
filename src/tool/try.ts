// `checkpassword-tool try PROGRAM [ARGS]`: logs in through any checkpassword program the way a
// mail server does (the request on fd 3, a small environment, a prog to run) and says what
// happened: the exit status in words and, on success, who prog ran as, where, with which
// environment. The password goes only into the fd 3 pipe and is zeroed once written.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { parsePasswd } from '../backends/passwd-file';
import { resolveProg } from '../exec/exec-next';
import { CheckpasswordError, EXIT, Misuse, TemporaryFailure } from '../exit';
import { askOnTerminal, readLine, readSecret, readStdinLine } from './prompt';
import { REPORTER, dovecotView, formatReport, outcomeWords, parseOutput, statusOf } from './try-report';

interface TryArgs {
  login?: string;
  stdin?: boolean;
  timestamp: string;
  env?: string | string[];
  log: boolean;
  uid?: string;
  gid?: number;
  timeout: number;
  dovecot?: boolean;
  lookup?: boolean;
}

/** The environment a mail server gives a checkpassword program, before --env and the log. */
const BASE_PATH = '/usr/local/bin:/usr/bin:/bin';
/** How long the program may take after the request is written: RADIUS failover can be slow. */
const DEFAULT_TIMEOUT_S = 60;
/** After SIGTERM at the timeout, how long before SIGKILL. */
const KILL_GRACE_MS = 2000;

/** try's options that take a value: the argv split needs them to find where PROGRAM starts. */
const VALUE_OPTIONS = new Set(['--login', '-l', '--timestamp', '--env', '-e', '--uid', '--gid', '--timeout']);

/**
 * Splits `try [options] PROGRAM [ARGS...]` at PROGRAM: the first argument that is not one of
 * try's options (or the one after `--`). Everything from there on belongs to PROGRAM, so its own
 * options (`--passwd FILE`) are never read as ours. Returns null when argv is not a `try` command.
 */
export function splitTryArgv(argv: string[]): { own: string[]; program: string[] } | null {
  if (argv[0] !== 'try') return null;
  let i = 1;
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === '--') return { own: argv.slice(0, i), program: argv.slice(i + 1) };
    if (!a.startsWith('-') || a === '-') break;
    i += VALUE_OPTIONS.has(a) ? 2 : 1;
  }
  return { own: argv.slice(0, Math.min(i, argv.length)), program: argv.slice(i) };
}

/** The `try` command, given PROGRAM and its arguments as split off by splitTryArgv. */
export function tryCommand(program: string[]): CommandModule<object, TryArgs> {
  return {
    command: 'try [PROGRAM..]',
    describe: 'log in through a checkpassword program as a mail server would, and show what prog got',
    builder: (y: Argv) =>
      y
        .usage('$0 try [options] PROGRAM [ARGS...]\n\nRuns PROGRAM ARGS... with a login on fd 3 and a prog of its own that reports what it got. PROGRAM\'s options follow it.')
        .option('login', { alias: 'l', type: 'string', requiresArg: true, describe: 'the login (default: asked for, or the first line of stdin)' })
        .option('stdin', {
          type: 'boolean',
          describe: 'read "login\\npassword\\n" from stdin even on a terminal (the default when stdin is not one)',
        })
        .option('timestamp', { type: 'string', default: '', requiresArg: false, describe: "the request's third field (qmail-popup's greeting, an APOP/CRAM-MD5 challenge)" })
        .option('env', { alias: 'e', type: 'string', requiresArg: true, describe: 'NAME=VALUE in the program\'s environment (repeatable); it starts as PATH only' })
        .option('log', { type: 'boolean', default: true, describe: 'set CHECKPASSWORD_LOG=stderr and show the log line (--no-log: leave it unset)' })
        .option('uid', { type: 'string', requiresArg: true, describe: 'run the program as this user (name or number; needs root)' })
        .option('gid', { type: 'number', requiresArg: true, describe: "with --uid: this group (default: the user's primary group)" })
        .option('timeout', { type: 'number', default: DEFAULT_TIMEOUT_S, requiresArg: true, describe: 'seconds to wait for the program' })
        .option('dovecot', {
          type: 'boolean',
          describe: "call the program as Dovecot 2.3's checkpassword driver does (ORIG_UID, fd 4, no timestamp) and show what checkpassword-reply would tell Dovecot",
        })
        .option('lookup', { type: 'boolean', describe: "with --dovecot implied: a Dovecot lookup (AUTHORIZED=1, no password asked)" })
        .example('$0 try checkpassword-passwd', 'ask for a login and password, check them against /etc/shadow')
        .example("printf 'alice\\nsecret\\n' | $0 try checkpassword-passwd", 'the same from a script')
        .example('$0 try -l alice -e TCPREMOTEIP=192.0.2.7 checkpassword-vpopmail', 'as tcpserver and qmail-popup call it')
        .example('$0 try --lookup -l alice@example.org checkpassword-vpopmail', "Dovecot's userdb lookup")
        .epilog(
          'Exits with the program\'s status (0 accepted, 1 refused, 2 misuse, 3 unknown user, 111 temporary failure; 128+N when killed by signal N). ' +
            'try itself exits 2 for a bad option and 111 when it cannot run the program, or when the program exits 0 without running prog.',
        ) as unknown as Argv<TryArgs>,
    handler: async (args) => {
      if (program.length === 0) throw new Misuse('usage', 'Name the checkpassword program to try: try [options] PROGRAM [ARGS...]');
      process.exitCode = await runTry(args, program);
    },
  };
}

/** Runs one login through the program and prints the outcome; returns the tool's exit status. */
async function runTry(args: TryArgs, program: string[]): Promise<number> {
  const file = programFile(program[0]!);
  const env = environment(args);
  const identity: { uid?: number; gid?: number } = args.uid === undefined ? {} : runAs(args.uid, args.gid);
  if (!(args.timeout > 0)) throw new Misuse('bad-option', '--timeout needs a number of seconds above 0');
  const dovecot = args.dovecot === true || args.lookup === true;
  if (dovecot) {
    if (args.timestamp !== '') throw new Misuse('bad-option', 'Dovecot sends no timestamp: give --timestamp without --dovecot');
    // What Dovecot's checkpassword driver sets: the uid it runs the program as; AUTHORIZED=1 for a lookup.
    env.ORIG_UID = String(identity.uid ?? process.getuid!());
    env.SERVICE ??= 'imap';
    if (args.lookup) env.AUTHORIZED = '1';
  }

  const { login, password } = args.lookup ? { login: await loginOnly(args), password: Buffer.alloc(0) } : await credentials(args);
  const request = requestBytes(login, password, args.timestamp);
  password.fill(0);

  const nonce = `checkpassword-try-${randomBytes(9).toString('base64url')}`;
  const run = await runProgram(file, [...program, '/bin/sh', '-c', REPORTER, 'checkpassword-try', nonce], {
    env,
    request,
    timeoutMs: args.timeout * 1000,
    replyFd: dovecot,
    ...identity,
  });

  const { report, stray } = parseOutput(run.stdout, nonce);
  let status = statusOf(run.status, run.signal);
  const out: string[] = [];
  if (run.status === 0 && run.signal === null && report === null) {
    out.push('failed: exit 0, but prog did not run (a checkpassword program must run prog when it accepts)');
    status = EXIT.temporary;
  } else {
    out.push(outcomeWords(run.status, run.signal) + (run.timedOut ? ` (no answer within ${args.timeout} s)` : ''));
  }
  for (const line of run.stderr.toString('utf8').split('\n')) if (line !== '') out.push(`  stderr: ${line}`);
  if (stray > 0) out.push(`  warning: the program wrote ${stray} bytes to stdout, which is the client's connection under a mail server`);
  if (report !== null) out.push(...formatReport(report));
  if (report !== null && dovecot) out.push(...dovecotView(report));
  process.stdout.write(out.join('\n') + '\n');
  return status;
}

/** PROGRAM as a path, found as the login programs find prog (PATH search for a bare name). */
function programFile(program: string): string {
  try {
    return resolveProg(program, process.env.PATH);
  } catch (err) {
    throw new Misuse('bad-program', `Cannot run ${program}: ${(err as CheckpasswordError).detail ?? 'not executable'}`);
  }
}

/** PATH, CHECKPASSWORD_LOG=stderr unless --no-log, then each --env in order. */
function environment(args: TryArgs): Record<string, string> {
  const env: Record<string, string> = { PATH: BASE_PATH };
  if (args.log) env.CHECKPASSWORD_LOG = 'stderr';
  const list = args.env === undefined ? [] : Array.isArray(args.env) ? args.env : [args.env];
  for (const entry of list) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Misuse('bad-option', `--env needs NAME=VALUE, not ${JSON.stringify(entry)}`);
    env[name] = entry.slice(eq + 1);
  }
  return env;
}

/** --uid (name or number) and --gid as numbers; only root can run a program as someone else. */
function runAs(user: string, gid: number | undefined): { uid: number; gid: number } {
  if (process.getuid?.() !== 0) throw new Misuse('bad-option', '--uid needs root');
  if (gid !== undefined && !(Number.isInteger(gid) && gid >= 0)) throw new Misuse('bad-option', '--gid needs a group number');
  let entries: ReturnType<typeof parsePasswd> = [];
  try {
    entries = parsePasswd(readFileSync('/etc/passwd', 'latin1'));
  } catch {
    // No /etc/passwd: only numbers can be used.
  }
  const entry = /^\d+$/.test(user) ? entries.find((e) => e.uid === Number(user)) : entries.find((e) => e.name === user);
  if (entry === undefined && !/^\d+$/.test(user)) throw new Misuse('bad-option', `--uid: no user ${JSON.stringify(user)} in /etc/passwd`);
  const uid = entry?.uid ?? Number(user);
  return { uid, gid: gid ?? entry?.gid ?? uid };
}

/** A lookup's login: --login, asked (echoed), or the first line of stdin. */
async function loginOnly(args: TryArgs): Promise<Buffer> {
  if (args.login !== undefined) return Buffer.from(args.login);
  if (askOnTerminal({ stdin: args.stdin === true })) return readLine('Login: ');
  const login = readStdinLine();
  if (login === null) throw new Misuse('no-input', 'No login on standard input');
  return login;
}

/** The login and password: --login or asked (echoed), the password asked without echo; or stdin lines. */
async function credentials(args: TryArgs): Promise<{ login: Buffer; password: Buffer }> {
  if (askOnTerminal({ stdin: args.stdin === true })) {
    const login = args.login !== undefined ? Buffer.from(args.login) : await readLine('Login: ');
    return { login, password: await readSecret('Password: ') };
  }
  const login = args.login !== undefined ? Buffer.from(args.login) : readStdinLine();
  if (login === null) throw new Misuse('no-input', 'No login on standard input (give "login\\npassword\\n")');
  const password = readStdinLine();
  if (password === null) throw new Misuse('no-input', 'No password on standard input (give "login\\npassword\\n")');
  return { login, password };
}

/** `login\0password\0timestamp\0`, as qmail-popup writes it. A NUL inside a field would shift them. */
function requestBytes(login: Buffer, password: Buffer, timestamp: string): Buffer {
  const stamp = Buffer.from(timestamp);
  for (const [what, field] of [['login', login], ['password', password], ['timestamp', stamp]] as const) {
    if (field.includes(0)) {
      password.fill(0);
      throw new Misuse('bad-input', `The ${what} contains a NUL byte, which ends a field on fd 3`);
    }
  }
  const zero = Buffer.alloc(1);
  return Buffer.concat([login, zero, password, zero, stamp, zero]);
}

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
}

/**
 * Starts the program with the request on fd 3 (written, then the write side shut, then zeroed),
 * stdin on /dev/null, stdout and stderr captured; waits for it, SIGTERM then SIGKILL at the timeout.
 */
function runProgram(
  file: string,
  argv: string[],
  opts: { env: Record<string, string>; request: Buffer; timeoutMs: number; replyFd: boolean; uid?: number; gid?: number },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv.slice(1), {
      argv0: argv[0],
      env: opts.env,
      // fd 4, Dovecot's reply pipe, only with --dovecot: the program knows Dovecot by it.
      stdio: opts.replyFd ? ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe', 'pipe'],
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    const fd3 = child.stdio[3] as NodeJS.WritableStream & { on(event: 'error', f: () => void): void };
    // A program that exits before reading fd 3 (misuse) closes it: EPIPE is no failure of ours.
    fd3.on('error', () => opts.request.fill(0));
    fd3.end(opts.request, () => opts.request.fill(0));
    const term = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref();
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(term);
      opts.request.fill(0);
      reject(new TemporaryFailure('exec-failed', `Cannot run ${file}: ${(e as { code?: string }).code ?? 'error'}`));
    });
    child.on('close', (status, signal) => {
      clearTimeout(term);
      opts.request.fill(0);
      resolve({ status, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), timedOut });
    });
  });
}
