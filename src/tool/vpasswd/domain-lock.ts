// The lock vpopmail's tools take before they change a domain's vpasswd: an fcntl write lock on
// <domain-dir>/.vpasswd.lock (file_lock.c, vcdb.c), through the native helper. Without the helper
// an O_EXCL lock file, which keeps two of our tools apart but not vpopmail's own. Neither is
// opened through a symbolic link, and only a regular file is locked (no-follow.ts).

import { closeSync, fchownSync, openSync, unlinkSync, writeSync, constants as FS } from 'node:fs';
import { constants as OS } from 'node:os';
import { join } from 'node:path';
import { TemporaryFailure } from '../../exit';
import { loadNative } from '../../native/native';
import { openRegular, regularFileStat } from './no-follow';

/** vpopmail's lock file, in the domain's directory. */
const LOCK_FILE = '.vpasswd.lock';
/** Ours when the native helper is missing: created with O_EXCL, removed when done. */
const FALLBACK_LOCK_FILE = '.vpasswd.lock.excl';

/** How often a held lock is tried again while we wait for it. */
const RETRY_MS = 50;

export interface LockOptions {
  /** How long to wait for a lock someone else holds, in milliseconds. */
  waitMs: number;
  /** The domain's owner: a lock file we create is given to it, as vpopmail does. */
  uid: number;
  gid: number;
}

/** Runs `fn` holding the domain's lock; TemporaryFailure when it stays taken for `waitMs`. */
export async function withDomainLock<T>(dir: string, opts: LockOptions, fn: () => Promise<T> | T): Promise<T> {
  const release = loadNative() ? await fcntlLock(dir, opts) : await exclusiveFile(dir, opts);
  try {
    return await fn();
  } finally {
    release();
  }
}

async function fcntlLock(dir: string, opts: LockOptions): Promise<() => void> {
  const native = loadNative()!;
  const file = join(dir, LOCK_FILE);
  let fd = openRegular(file, FS.O_WRONLY, 'open', 'lock-failed');
  let created = false;
  if (fd === null) {
    try {
      fd = openSync(file, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW, 0o600);
      created = true;
    } catch (err) {
      // Made by someone else since: open it as it is now.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw cannot('create', file, err);
      fd = openRegular(file, FS.O_WRONLY, 'open', 'lock-failed');
      if (fd === null) throw cannot('open', file, err);
    }
  }
  const held = fd;
  const give = () => closeSync(held); // closing the descriptor drops the fcntl lock
  try {
    if (created) chownLike(held, opts);
    const deadline = Date.now() + opts.waitMs;
    for (;;) {
      const r = native.lockFile(held, false);
      if (r === 0) return give;
      if (r !== -OS.errno.EAGAIN && r !== -OS.errno.EACCES) throw new TemporaryFailure('lock-failed', `Cannot lock ${file}: errno ${-r}`);
      if (Date.now() >= deadline) throw busy(file, opts.waitMs, 'another process holds it (vpopmail, or another checkpassword-tool)');
      await sleep(RETRY_MS);
    }
  } catch (err) {
    give();
    throw err;
  }
}

async function exclusiveFile(dir: string, opts: LockOptions): Promise<() => void> {
  const file = join(dir, FALLBACK_LOCK_FILE);
  const deadline = Date.now() + opts.waitMs;
  for (;;) {
    try {
      const fd = openSync(file, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW, 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return () => {
        try {
          unlinkSync(file);
        } catch {
          // Gone already: nothing to release.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw cannot('create', file, err);
      regularFileStat(file, 'lock-failed'); // a symbolic link or a FIFO there is no lock of ours
    }
    if (Date.now() >= deadline) {
      throw busy(file, opts.waitMs, 'it exists: another checkpassword-tool is changing this domain, or one died (then remove the file)');
    }
    await sleep(RETRY_MS);
  }
}

function chownLike(fd: number, opts: LockOptions): void {
  try {
    fchownSync(fd, opts.uid, opts.gid);
  } catch {
    // Not root: the lock file stays ours, as vpopmail's chown fails for it too.
  }
}

function busy(file: string, waitMs: number, why: string): TemporaryFailure {
  return new TemporaryFailure('lock-busy', `Cannot lock ${file} within ${waitMs / 1000} s: ${why}`);
}

function cannot(what: string, file: string, err: unknown): TemporaryFailure {
  return new TemporaryFailure('lock-failed', `Cannot ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
