// Replaces files in one directory atomically, keeping each file's owner, group and mode: every new
// content goes to a temp file beside its target (fsync'd, chown'd, chmod'd), and only when all are
// ready are they renamed over their targets, then the directory is fsync'd. Readers see the old
// file or the new one, never a part. A target that is a symbolic link or not a regular file is
// refused before anything is written.

import {
  closeSync,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
  constants as FS,
} from 'node:fs';
import { basename, dirname } from 'node:path';
import { TemporaryFailure } from '../../exit';
import { regularFileStat } from './no-follow';

/** Who owns a file and its permission bits. */
export interface Ownership {
  uid: number;
  gid: number;
  mode: number;
}

/** A file's new content; `fresh` is the ownership it gets if it does not exist yet. */
export interface Replacement {
  target: string;
  data: Buffer;
  fresh: Ownership;
}

/**
 * A failure after one target or more was renamed into place: what goes with the new content
 * (a new user's directory) must not be undone. `replaced` names those targets.
 */
export class FailedAfterRename extends TemporaryFailure {
  readonly replaced: readonly string[];
  constructor(detail: string, replaced: readonly string[]) {
    super('write-failed', detail);
    this.replaced = replaced;
  }
}
FailedAfterRename.prototype.name = 'FailedAfterRename';

/**
 * Replaces each target with its data, in the order given. Any failure before the first rename
 * removes the temp files and leaves every target as it was (TemporaryFailure). A failure after
 * it (a later rename, the directory's fsync) is FailedAfterRename, saying which were replaced.
 */
export function replaceFiles(replacements: readonly Replacement[]): void {
  const temps: string[] = [];
  try {
    for (const r of replacements) temps.push(writeTemp(r));
  } catch (err) {
    for (const t of temps) removeQuietly(t);
    throw err;
  }
  const done: string[] = [];
  replacements.forEach((r, i) => {
    try {
      renameSync(temps[i]!, r.target);
      done.push(basename(r.target));
    } catch (err) {
      for (const t of temps.slice(i)) removeQuietly(t);
      const detail = `Cannot rename ${temps[i]} to ${r.target}: ${code(err)}`;
      if (done.length === 0) throw new TemporaryFailure('write-failed', detail);
      throw new FailedAfterRename(`${detail}; ${done.join(' and ')} already replaced`, done);
    }
  });
  for (const dir of new Set(replacements.map((r) => dirname(r.target)))) {
    try {
      syncDir(dir);
    } catch (err) {
      throw new FailedAfterRename(`${(err as TemporaryFailure).detail}; ${done.join(' and ')} replaced`, done);
    }
  }
}

/** The temp file of a target: beside it, named after it and our pid. */
function tempName(target: string): string {
  return `${target}.tmp.${process.pid}`;
}

function writeTemp(r: Replacement): string {
  const own = currentOwnership(r.target) ?? r.fresh;
  const temp = tempName(r.target);
  removeQuietly(temp); // a leftover of a dead process with our pid: we hold the domain's lock
  let fd: number;
  try {
    fd = openSync(temp, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW, 0o600);
  } catch (err) {
    throw new TemporaryFailure('write-failed', `Cannot create ${temp}: ${code(err)}`);
  }
  try {
    let done = 0;
    while (done < r.data.length) done += writeSync(fd, r.data, done, r.data.length - done);
    const st = fstatSync(fd);
    if (st.uid !== own.uid || st.gid !== own.gid) fchownSync(fd, own.uid, own.gid);
    fchmodSync(fd, own.mode & 0o7777);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    removeQuietly(temp);
    const what = (err as NodeJS.ErrnoException).syscall === 'fchown' ? `keep the owner ${own.uid}:${own.gid} of` : 'write';
    throw new TemporaryFailure('write-failed', `Cannot ${what} ${r.target} (through ${temp}): ${code(err)}`);
  }
  closeSync(fd);
  return temp;
}

/** The target's owner, group and mode, or null when it does not exist (never a symlink's target). */
function currentOwnership(target: string): Ownership | null {
  const st = regularFileStat(target, 'write-failed');
  return st === null ? null : { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 };
}

/** fsync on the directory makes the renames themselves durable. */
function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, FS.O_RDONLY | FS.O_DIRECTORY);
  } catch (err) {
    throw new TemporaryFailure('write-failed', `Cannot open ${dir} to sync it: ${code(err)}`);
  }
  try {
    fsyncSync(fd);
  } catch (err) {
    throw new TemporaryFailure('write-failed', `Cannot sync ${dir}: ${code(err)}`);
  } finally {
    closeSync(fd);
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Not there: nothing to clean.
  }
}

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}
