// Runs prog: found through PATH as pathexec_run.c does, then exec'd in place of this process
// (native execve, or Node's own process.execve), or else spawned with the status passed on.

import { accessSync, closeSync, constants, statSync } from 'node:fs';
import { TemporaryFailure } from '../exit';
import { loadNative } from '../native/native';

/** DJB's default when PATH is unset. */
const DEFAULT_PATH = '/bin:/usr/bin';

/** Signals a spawned prog gets passed on from us (the caller's way to stop the session). */
const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGALRM'];

/**
 * The file to exec for `prog`: itself when it has a slash, else the first executable file named
 * so in PATH (an empty element is the working directory). Not found or not executable: 111,
 * found before the accept line is logged.
 */
export function resolveProg(prog: string, path: string | undefined): string {
  if (prog.includes('/')) {
    if (isExecutableFile(prog)) return prog;
    throw new TemporaryFailure('exec-failed', `${prog} is not an executable file`);
  }
  for (const dir of (path ?? DEFAULT_PATH).split(':')) {
    const candidate = `${dir === '' ? '.' : dir}/${prog}`;
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new TemporaryFailure('exec-failed', `${prog} not found in PATH`);
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Replaces this process with `file` (found by resolveProg; argv[0] as the caller gave it), keeping
 * the caller's descriptors `keepFds`. Never returns normally: prog's status becomes ours.
 */
export function execNext(file: string, argv: string[], env: Record<string, string>, keepFds: number[]): Promise<never> {
  const envList = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const native = loadNative();
  if (native) {
    const errno = native.execve(file, argv, envList, keepFds);
    throw new TemporaryFailure('exec-failed', `cannot exec ${file}: errno ${errno}`);
  }
  const nodeExecve = (process as { execve?: (file: string, args: string[], env: Record<string, string>) => never }).execve;
  // Node's own execve hands on fds 0-2 only: use it when the caller gave us no others.
  if (nodeExecve && keepFds.every((fd) => fd <= 2)) {
    try {
      nodeExecve(file, argv, env);
    } catch (err) {
      throw new TemporaryFailure('exec-failed', `cannot exec ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return spawnAndWait(file, argv, env, keepFds);
}

/** The fallback: prog as our child, signals forwarded, its status as ours (128 + signal if killed). */
function spawnAndWait(file: string, argv: string[], env: Record<string, string>, keepFds: number[]): Promise<never> {
  const { spawn }: typeof import('node:child_process') = require('node:child_process');
  const { constants: osConstants }: typeof import('node:os') = require('node:os');
  const top = Math.max(2, ...keepFds);
  const stdio: ('inherit' | 'ignore' | number)[] = [];
  for (let fd = 0; fd <= top; fd++) stdio.push(fd <= 2 ? 'inherit' : keepFds.includes(fd) ? fd : 'ignore');
  return new Promise((_resolve, reject) => {
    const child = spawn(file, argv.slice(1), { argv0: argv[0], env, stdio });
    // Our copies of the caller's other descriptors (Dovecot's reply pipe) belong to prog alone.
    for (const fd of keepFds) if (fd > 2) closeQuietly(fd);
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    for (const sig of FORWARDED_SIGNALS) process.on(sig, forward);
    child.on('error', (err) => {
      reject(new TemporaryFailure('exec-failed', `cannot exec ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`));
    });
    child.on('exit', (code, signal) => {
      const status = code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0);
      process.exit(status);
    });
  });
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}
