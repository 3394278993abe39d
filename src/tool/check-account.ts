// The account `check --as` tests for, and the tests themselves run for real as that account: a
// child node process switches to its uid, gid and groups (as root) and then opens, execs and
// loads what it is told, so the kernel's answer (modes, ACLs, every directory on the path, the
// groups) is the answer, not a guess from mode bits.

import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { Misuse } from '../exit';
import { parsePasswd } from '../backends/passwd-file';
import { readStoreIfExists } from '../backends/store-file';

/** Who runs the login program. */
export interface Account {
  /** The passwd name; absent for `--as UID:GID`. */
  name?: string;
  uid: number;
  gid: number;
  /** `name`: supplementary groups from the group database; `primary`: the gid alone. */
  groups: 'database' | 'primary';
  /** For messages: `dovecot`, or `uid 1001 gid 1001`. */
  label: string;
}

/**
 * `--as NAME` (its groups from the group database, as initgroups(3) and Dovecot's service user=
 * give them) or `--as UID:GID` (that gid alone, as tcpserver -u -g and setuidgid give).
 */
export function accountFrom(value: string, passwdFile = '/etc/passwd'): Account {
  const numeric = /^(\d{1,10}):(\d{1,10})$/.exec(value);
  if (numeric) {
    const uid = Number(numeric[1]);
    const gid = Number(numeric[2]);
    return { uid, gid, groups: 'primary', label: `uid ${uid} gid ${gid}` };
  }
  const entry = parsePasswd(readStoreIfExists(passwdFile) ?? '').find((e) => e.name === value);
  if (!entry) throw new Misuse('usage', `--as ${JSON.stringify(value)}: no such account in ${passwdFile} (give a name, or UID:GID)`);
  return { name: entry.name, uid: entry.uid, gid: entry.gid, groups: 'database', label: entry.name };
}

/** One thing to try as the account. */
export type Probe =
  | { kind: 'read'; path: string }
  /** X_OK: a program may be run, a directory passed through. */
  | { kind: 'exec'; path: string }
  | { kind: 'load'; path: string }
  | { kind: 'run'; path: string };

/** What happened: ok, or the error code (EACCES, ENOENT...) or message; `run` adds the exit. */
export interface ProbeResult {
  ok: boolean;
  error?: string;
  status?: number | null;
  signal?: string | null;
  stderr?: string;
}

/** The probes' results in order; `switched` says how: for real as the account, or as ourselves. */
export interface ProbeRun {
  results: ProbeResult[];
  how: string;
}

/**
 * Runs the probes in a child as the account. As root the child switches (groups, gid, uid: the
 * login programs' order); not as root it can only be ourselves. Throws Misuse when it cannot be done.
 */
export function probeAs(account: Account, probes: readonly Probe[]): ProbeRun {
  const me = process.getuid?.() ?? -1;
  let how: string;
  let switchTo: { user: string | null; uid: number; gid: number } | null = null;
  if (me === 0 && account.uid === 0 && account.gid === 0 && account.groups === 'database') {
    how = 'as root, ourselves';
  } else if (me === 0) {
    switchTo = { user: account.groups === 'database' ? account.name! : null, uid: account.uid, gid: account.gid };
    how =
      account.groups === 'database'
        ? `in a child switched to ${account.label} (uid ${account.uid}, gid ${account.gid}, groups from the group database, as initgroups(3))`
        : `in a child switched to uid ${account.uid}, gid ${account.gid} and no other group (as tcpserver -u -g)`;
  } else if (me === account.uid) {
    how = `as ourselves (uid ${me}; not root, so our own groups)`;
  } else {
    throw new Misuse('usage', `cannot test as ${account.label}: checkpassword-tool runs as uid ${me}, and only root can switch (run check as root)`);
  }
  const r = spawnSync(process.execPath, ['-e', PROBE_SOURCE, JSON.stringify({ switchTo, probes })], {
    env: {},
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) {
    const why = r.error ? ((r.error as NodeJS.ErrnoException).code ?? 'error') : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
    throw new Misuse('usage', `cannot run the tests as ${account.label}: ${why}`);
  }
  return { results: JSON.parse(r.stdout) as ProbeResult[], how };
}

/** `mode 0640 root:shadow`, for a message; or the stat error. */
export function ownership(path: string): { text: string; group: string | null; mode: number } {
  try {
    const st = statSync(path);
    const owner = nameOf('/etc/passwd', st.uid);
    const group = nameOf('/etc/group', st.gid);
    const mode = st.mode & 0o7777;
    return { text: `mode ${mode.toString(8).padStart(4, '0')} ${owner ?? st.uid}:${group ?? st.gid}`, group, mode };
  } catch (err) {
    return { text: (err as NodeJS.ErrnoException).code ?? 'error', group: null, mode: 0 };
  }
}

/** The name of an id in a passwd- or group-format file (name:x:id:...). */
function nameOf(file: string, id: number): string | null {
  for (const line of (readStoreIfExists(file) ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[2] === String(id)) return f[0]!;
  }
  return null;
}

/**
 * The child's program (node -e): switch, then try each probe; print the results as JSON.
 * `run` starts the program with no arguments and an empty environment, as a mail server with no
 * PATH would: a login program must get as far as refusing the missing prog (exit 2).
 */
const PROBE_SOURCE = `
const fs = require('fs');
const { spawnSync } = require('child_process');
const { switchTo, probes } = JSON.parse(process.argv[1]);
if (switchTo) {
  if (switchTo.user !== null) process.initgroups(switchTo.user, switchTo.gid);
  else process.setgroups([switchTo.gid]);
  process.setgid(switchTo.gid);
  process.setuid(switchTo.uid);
}
const code = (e) => (e && e.code) || (e && e.message ? String(e.message).split('\\n')[0].slice(0, 200) : 'error');
const out = probes.map((p) => {
  try {
    if (p.kind === 'read') fs.closeSync(fs.openSync(p.path, 'r'));
    else if (p.kind === 'exec') fs.accessSync(p.path, fs.constants.X_OK);
    else if (p.kind === 'load') require(p.path);
    else if (p.kind === 'run') {
      const r = spawnSync(p.path, [], { env: {}, stdio: ['ignore', 'ignore', 'pipe'], timeout: 10000, encoding: 'utf8' });
      if (r.error) return { ok: false, error: code(r.error) };
      return { ok: true, status: r.status, signal: r.signal, stderr: (r.stderr || '').slice(0, 300) };
    }
    return { ok: true };
  } catch (e) {
    return { ok: false, error: code(e) };
  }
});
process.stdout.write(JSON.stringify(out));
`;
