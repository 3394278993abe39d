// Runs a built login program the way a caller does: a real pipe on fd 3, prog after the options.

import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const FIXTURES = join(ROOT, 'test/fixtures');
export const RECORD_PROG = join(FIXTURES, 'record-prog');
export const IS_ROOT = process.getuid!() === 0;

export interface RunOptions {
  /** Options and prog, as argv after the program name. */
  args: string[];
  /** The bytes on fd 3; null leaves fd 3 closed. */
  input: Buffer | string | null;
  /** The environment (default: PATH only, as a mail server's is small). */
  env?: Record<string, string>;
  /** A file that fd 4 is opened on for writing, as Dovecot's reply pipe would be; `&1` for a copy of fd 1. */
  fd4?: string;
  /** Run as this uid/gid instead of ours. */
  uid?: number;
  gid?: number;
  timeoutMs?: number;
}

export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** `key=value` facts the record-prog printed, and its environment. */
  facts: Map<string, string>;
  env: Map<string, string>;
}

const SCRIPT = [
  'in=$1; out4=$2; shift 2',
  'if [ "$out4" = "&1" ]; then exec 4>&1; elif [ -n "$out4" ]; then exec 4>"$out4"; fi',
  'if [ -z "$in" ]; then exec 3<&-; exec "$@"; fi',
  'cat "$in" | { exec 3<&0 0</dev/null; exec "$@"; }',
].join('\n');

const scratch = mkdtempSync(join(tmpdir(), 'cpw-run-'));
chmodSync(scratch, 0o755);
let counter = 0;

/** The path of a built program in bin/. */
export function bin(name: string): string {
  return join(ROOT, 'bin', name);
}

/** Runs `program` (a path) with the request on a pipe on fd 3. */
export function runProgram(program: string, opts: RunOptions): RunResult {
  const { argv, spawnOpts } = prepare(program, opts);
  const r = spawnSync('/bin/sh', argv, spawnOpts);
  return result(r.status, r.signal, r.stdout?.toString('latin1') ?? '', r.stderr?.toString('latin1') ?? '');
}

/**
 * Like runProgram, without blocking the event loop: for tests whose peer (a fake RADIUS server, a
 * silent socket) lives in the test process. Killed with SIGKILL after `timeoutMs`.
 */
export function runProgramAsync(program: string, opts: RunOptions): Promise<RunResult & { ms: number }> {
  const { argv, spawnOpts } = prepare(program, opts);
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn('/bin/sh', argv, { ...spawnOpts, timeout: undefined } as Parameters<typeof spawn>[2]);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const r = result(status, signal, Buffer.concat(out).toString('latin1'), Buffer.concat(err).toString('latin1'));
      resolvePromise({ ...r, ms: Date.now() - started });
    });
  });
}

function prepare(program: string, opts: RunOptions): { argv: string[]; spawnOpts: SpawnSyncOptions } {
  let inputFile = '';
  if (opts.input !== null) {
    inputFile = join(scratch, `in-${process.pid}-${counter++}`);
    writeFileSync(inputFile, opts.input, { mode: 0o644 });
  }
  const spawnOpts: SpawnSyncOptions = {
    env: opts.env ?? { PATH: '/usr/bin:/bin' },
    timeout: opts.timeoutMs ?? 20_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  };
  if (opts.uid !== undefined) spawnOpts.uid = opts.uid;
  if (opts.gid !== undefined) spawnOpts.gid = opts.gid;
  return { argv: ['-c', SCRIPT, 'sh', inputFile, opts.fd4 ?? '', program, ...opts.args], spawnOpts };
}

function result(status: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string): RunResult {
  const facts = new Map<string, string>();
  const env = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    if (line.startsWith('env:')) {
      const kv = line.slice(4);
      const eq = kv.indexOf('=');
      env.set(kv.slice(0, eq), kv.slice(eq + 1));
    } else {
      const eq = line.indexOf('=');
      if (eq > 0) facts.set(line.slice(0, eq), line.slice(eq + 1));
    }
  }
  return { status, signal, stdout, stderr, facts, env };
}

/** A request as a caller writes it: login, password, timestamp, each ended by NUL. */
export function request(login: string | Buffer, password: string | Buffer, timestamp: string | null = '<123.456@mail.example>'): Buffer {
  const parts: Buffer[] = [Buffer.from(login), Buffer.from([0]), Buffer.from(password), Buffer.from([0])];
  if (timestamp !== null) parts.push(Buffer.from(timestamp), Buffer.from([0]));
  return Buffer.concat(parts);
}

/** A fresh directory that other uids can read, for store files and homes. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(scratch, `${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** A home directory owned by uid/gid (when we are root), mode 0755. */
export function makeHome(parent: string, name: string, uid: number, gid: number): string {
  const home = join(parent, name);
  mkdirSync(home, { recursive: true, mode: 0o755 });
  if (IS_ROOT) chownSync(home, uid, gid);
  return home;
}
