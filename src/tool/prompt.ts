// What the operator types: a line shown as typed, a secret never shown, both from the controlling
// terminal (/dev/tty); or, for scripts, lines from standard input. Shared by the tool's commands.
//
// A secret is read with the terminal's echo off (`stty -echo`; the kernel still edits the line),
// in a worker thread, so that the event loop stays free to restore echo if a signal (Ctrl-C,
// SIGTERM, a hangup) ends the wait. Echo is restored on every path before the promise settles.

import { spawnSync } from 'node:child_process';
import { closeSync, openSync, read, readSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { Misuse, Refused, TemporaryFailure } from '../exit';

/** The controlling terminal: prompts and answers go here, never to stdout. */
const TTY = '/dev/tty';
/** The longest line we take, in bytes (a canonical-mode terminal line is at most 4095). */
const MAX_LINE = 4096;
/** Signals that end a prompt: echo is restored, then the signal is raised again. */
const ENDING_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/**
 * True when answers should be asked for on the terminal: standard input is one and the caller
 * did not ask for stdin (`--stdin`). Otherwise read them with readStdinLine().
 */
export function askOnTerminal(opts: { stdin?: boolean } = {}): boolean {
  return opts.stdin !== true && isatty(0);
}

/** Prompts on the terminal and reads one line, shown as typed (a login name). No newline. */
export function readLine(prompt: string): Promise<Buffer> {
  return readTerminal(prompt, { echo: true });
}

/**
 * Prompts on the terminal and reads one line with echo off (a password). The result is the
 * caller's to zero (`fill(0)`) when done; the read buffer is zeroed here.
 */
export function readSecret(prompt: string): Promise<Buffer> {
  return readTerminal(prompt, { echo: false });
}

/**
 * A new secret: asked twice on the terminal (the two must match, else Refused, exit 1), or read
 * once from stdin when `fromStdin`. An empty secret is refused (exit 1).
 */
export async function readNewSecret(opts: { fromStdin: boolean; prompt?: string; again?: string }): Promise<Buffer> {
  let secret: Buffer;
  if (opts.fromStdin) {
    const line = readStdinLine();
    if (line === null) throw new Misuse('no-input', 'No password on standard input');
    secret = line;
  } else {
    secret = await readSecret(opts.prompt ?? 'New password: ');
    const again = await readSecret(opts.again ?? 'Retype new password: ');
    const same = again.equals(secret);
    again.fill(0);
    if (!same) {
      secret.fill(0);
      throw new Refused('mismatch', 'The passwords do not match');
    }
  }
  if (secret.length === 0) throw new Refused('empty-password', 'An empty password is not accepted');
  return secret;
}

/**
 * One line from standard input without its `\n`, read byte by byte so that nothing after it is
 * consumed; null at end of input with nothing read. A line longer than 4096 bytes is Misuse.
 */
export function readStdinLine(): Buffer | null {
  const line = Buffer.alloc(MAX_LINE);
  const one = Buffer.alloc(1);
  let n = 0;
  try {
    for (;;) {
      const got = readRetrying(0, one);
      if (got === 0) {
        if (n === 0) return null;
        break;
      }
      if (one[0] === 0x0a) break;
      if (n === MAX_LINE) throw new Misuse('line-too-long', `A line on standard input is longer than ${MAX_LINE} bytes`);
      line[n++] = one[0]!;
    }
    return Buffer.from(line.subarray(0, n));
  } finally {
    line.fill(0);
    one.fill(0);
  }
}

/** Opens the terminal, writes the prompt, reads one line; echo off and back on when `!echo`. */
async function readTerminal(prompt: string, opts: { echo: boolean }): Promise<Buffer> {
  const fd = openTerminal();
  const buf = Buffer.alloc(MAX_LINE);
  let saved: string | null = null;
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    if (saved !== null) {
      setMode(saved);
      // The Enter the operator typed was not echoed either.
      writeQuietly(fd, '\n');
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    restore();
    removeHandlers();
    process.kill(process.pid, signal);
  };
  const removeHandlers = (): void => {
    for (const s of ENDING_SIGNALS) process.removeListener(s, onSignal);
  };
  try {
    // Echo goes off before the prompt shows, so that nothing typed ahead of it is echoed.
    if (!opts.echo) {
      for (const s of ENDING_SIGNALS) process.on(s, onSignal);
      saved = echoOff();
    }
    writeQuietly(fd, prompt);
    const n = await readOnce(fd, buf);
    if (n === 0) throw new Misuse('no-input', 'No answer on the terminal (end of input)');
    const end = buf[n - 1] === 0x0a ? n - 1 : n;
    return Buffer.from(buf.subarray(0, end));
  } finally {
    restore();
    removeHandlers();
    buf.fill(0);
    closeSync(fd);
  }
}

function openTerminal(): number {
  try {
    return openSync(TTY, 'r+');
  } catch (err) {
    throw new TemporaryFailure('no-terminal', `Cannot open ${TTY}: ${codeOf(err)} (use --stdin to read from standard input)`);
  }
}

/** Turns echo off and returns the terminal's previous settings (`stty -g`). Fails closed. */
function echoOff(): string {
  const saved = stty(['-g']);
  if (saved === null || saved === '') throw new TemporaryFailure('no-terminal', `Cannot read the settings of ${TTY} (stty -g)`);
  if (stty(['-echo']) === null) throw new TemporaryFailure('no-terminal', `Cannot turn off echo on ${TTY} (stty -echo)`);
  return saved;
}

function setMode(saved: string): void {
  stty([saved]);
}

/** Runs stty on the controlling terminal; its output, or null when it failed. */
function stty(args: string[]): string | null {
  const r = spawnSync('stty', ['-F', TTY, ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { PATH: '/usr/bin:/bin' },
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** One read(2) on the terminal in a worker thread: in canonical mode, exactly one line. */
function readOnce(fd: number, buf: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, 0, buf.length, null, (err, n) => {
      if (err) reject(new TemporaryFailure('no-terminal', `Cannot read ${TTY}: ${codeOf(err)}`));
      else resolve(n);
    });
  });
}

/** readSync that waits out EAGAIN (a non-blocking descriptor inherited from the caller). */
function readRetrying(fd: number, buf: Buffer): number {
  for (;;) {
    try {
      return readSync(fd, buf, 0, buf.length, null);
    } catch (err) {
      const code = codeOf(err);
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      if (code === 'EOF') return 0;
      throw new TemporaryFailure('stdin-unreadable', `Cannot read standard input: ${code}`);
    }
  }
}

function writeQuietly(fd: number, text: string): void {
  try {
    writeSync(fd, text);
  } catch {
    // A prompt that cannot be shown does not change what is read.
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}
