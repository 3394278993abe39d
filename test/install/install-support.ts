// What the install tests share: `make install` into a scratch tree, a passwd/shadow pair made by
// mkpasswd for a login, a prog that tells whether it replaced the login program, tree snapshots.

import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IS_ROOT, RECORD_PROG, ROOT, makeHome, request, runProgram, scratchDir, type RunResult } from '../support/run';

/** The uid and gid of the test account; the user switch happens when the tests run as root. */
export const UID = 45611;
export const GID = 45612;
export const PASSWORD = 'install-secret';

/** The environment make and npm run with: PATH and HOME only, so no PREFIX or DESTDIR leaks in. */
export function toolEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...extra };
}

/**
 * Runs make in the checkout with these arguments (`install PREFIX=...`). `-o build`: the bundles
 * are `make test`'s (built before the tests run), so the test files running side by side never
 * rebuild dist/ under each other; a missing bundle still fails install-check.
 */
export function make(args: string[]): SpawnSyncReturns<string> {
  return spawnSync('make', ['--no-print-directory', '-o', 'build', ...args], { cwd: ROOT, env: toolEnv(), encoding: 'utf8', timeout: 120_000 });
}

/** What watch-dir.py saw in one directory while make ran: make's status, then [name, kinds] in order. */
export interface Watched {
  status: number;
  events: [string, string[]][];
}

/** Runs make as make() does while inotify watches `dir` (test/install/watch-dir.py). */
export function makeWatched(dir: string, args: string[]): Watched {
  const out = execFileSync('python3', [join(ROOT, 'test/install/watch-dir.py'), dir, 'make', '--no-print-directory', '-o', 'build', ...args], {
    cwd: ROOT,
    env: toolEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  return JSON.parse(out) as Watched;
}

/** The absolute node `make install` names when NODE is not given: node as PATH finds it. */
export function nodeOnPath(): string {
  return execFileSync('sh', ['-c', 'command -v node'], { env: toolEnv(), encoding: 'utf8' }).trim();
}

/** A passwd file and a shadow file with one account, alice, whose hash mkpasswd made. */
export interface Store {
  dir: string;
  passwd: string;
  shadow: string;
  home: string;
}

export function makeStore(name: string): Store {
  const dir = scratchDir(name);
  const home = makeHome(dir, 'home-alice', UID, GID);
  const hash = execFileSync('mkpasswd', ['-m', 'sha512crypt', '-s'], { input: PASSWORD }).toString().trim();
  const passwd = join(dir, 'passwd');
  const shadow = join(dir, 'shadow');
  writeFileSync(passwd, `alice:x:${UID}:${GID}:Alice:${home}:/bin/sh\n`);
  writeFileSync(shadow, `alice:${hash}:19000:0:99999:7:::\n`);
  chmodSync(passwd, 0o644);
  chmodSync(shadow, 0o644);
  return { dir, passwd, shadow, home };
}

/**
 * Logs alice in through `program` (a path) with the record-prog as prog, in an EMPTY environment
 * unless `env` says otherwise: no PATH, as Dovecot runs a checkpassword program.
 */
export function login(program: string, store: Store, password = PASSWORD, env: Record<string, string> = {}): RunResult {
  return runProgram(program, {
    args: ['--passwd', store.passwd, '--shadow', store.shadow, RECORD_PROG, 'Maildir'],
    input: request('alice', password),
    env,
  });
}

/** What a successful login of alice must show: prog ran as her, in her home, with her USER. */
export function expectLoggedIn(r: RunResult, store: Store): string[] {
  const problems: string[] = [];
  if (r.status !== 0) problems.push(`exit ${r.status} ${r.signal ?? ''} stderr=${r.stderr}`);
  if (r.env.get('USER') !== 'alice') problems.push(`USER=${r.env.get('USER')}`);
  if (r.facts.get('cwd') !== store.home) problems.push(`cwd=${r.facts.get('cwd')}`);
  if (IS_ROOT && r.facts.get('uid') !== String(UID)) problems.push(`uid=${r.facts.get('uid')}`);
  return problems;
}

/**
 * A prog that prints the command name of its parent. When the login program's native helper
 * execve's prog, prog takes over the program's process and its parent is the caller's shell
 * (`sh`); when the helper was not found, the program spawns prog and stays its parent (node).
 */
export function parentProg(): string {
  if (parentProgFile) return parentProgFile;
  parentProgFile = join(scratchDir('parent-prog'), 'parent-prog');
  writeFileSync(parentProgFile, '#!/bin/sh\necho "parent=$(cat /proc/$PPID/comm)"\n', { mode: 0o755 });
  return parentProgFile;
}
let parentProgFile: string | undefined;

/** Logs alice in with parentProg as prog and fd 4 open (so Node's own execve cannot stand in). */
export function parentOfProg(program: string, store: Store, env: Record<string, string> = {}): string | undefined {
  const r = runProgram(program, {
    args: ['--passwd', store.passwd, '--shadow', store.shadow, parentProg()],
    input: request('alice', PASSWORD),
    env,
    fd4: '/dev/null',
  });
  return r.facts.get('parent');
}

/** Every path under `dir` with its kind, mode, link target or content hash: for before/after. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    const abs = join(dir, rel);
    const st = lstatSync(abs);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out.set(rel, `link -> ${readlinkSync(abs)}`);
    else if (st.isDirectory()) {
      out.set(rel, `dir ${mode}`);
      for (const name of readdirSync(abs)) walk(rel === '' ? name : `${rel}/${name}`);
    } else out.set(rel, `file ${mode} ${createHash('sha256').update(readFileSync(abs)).digest('hex')}`);
  };
  walk('');
  return out;
}

/** The first line of a file. */
export function firstLine(file: string): string {
  return readFileSync(file, 'latin1').split('\n', 1)[0]!;
}

/** A file's content after its first line. */
export function afterFirstLine(file: string): Buffer {
  const data = readFileSync(file);
  return data.subarray(data.indexOf(0x0a) + 1);
}

/** The names under docs/ (files only, relative), as install copies them. */
export function docFiles(): string[] {
  return execFileSync('find', ['docs', '-type', 'f'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}
