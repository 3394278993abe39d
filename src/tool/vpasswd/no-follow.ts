// The domain's files as the vpasswd commands open them: never through a symbolic link, and only
// when they are regular files. The domain's directory belongs to the domain's uid, so whoever runs
// as that uid (qmailadmin, vpopmail's daemons) can put a link to a root-only file, or a FIFO, in
// the place of vpasswd, vpasswd.cdb or the lock file: root must not read it into the cdb, copy
// its owner, or hang opening it.

import { closeSync, fstatSync, lstatSync, openSync, readFileSync, constants as FS, type Stats } from 'node:fs';
import { TemporaryFailure } from '../../exit';

/**
 * Opens `file` with `flags` plus O_NOFOLLOW and O_NONBLOCK (a FIFO must not wait for a writer) and
 * checks that it is a regular file. Null when it does not exist; TemporaryFailure (111) for a
 * symbolic link, anything but a regular file, or another error (`what` names the action).
 */
export function openRegular(file: string, flags: number, what: string, reason: string): number | null {
  let fd: number;
  try {
    fd = openSync(file, flags | FS.O_NOFOLLOW | FS.O_NONBLOCK, 0o600);
  } catch (err) {
    const code = codeOf(err);
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw symbolicLink(file);
    if (code === 'ENXIO') throw notRegular(file); // a FIFO without a reader, a socket
    throw new TemporaryFailure(reason, `Cannot ${what} ${file}: ${code}`);
  }
  try {
    checkRegular(file, fstatSync(fd));
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/**
 * The whole of `file`, or null when it does not exist. Refused (111) like openRegular, and also
 * when the file has another hard link: that could be a root-only file linked in by the domain's
 * uid where the kernel allows it (fs.protected_hardlinks=0).
 */
export function readRegularFile(file: string): Buffer | null {
  const fd = openRegular(file, FS.O_RDONLY, 'read', 'store-unreadable');
  if (fd === null) return null;
  try {
    const links = fstatSync(fd).nlink;
    if (links !== 1) throw new TemporaryFailure('not-regular-file', `${file} has ${links} hard links: not read (remove the other links, e.g. a backup made with ln)`);
    return readFileSync(fd);
  } catch (err) {
    if (err instanceof TemporaryFailure) throw err;
    throw new TemporaryFailure('store-unreadable', `Cannot read ${file}: ${codeOf(err)}`);
  } finally {
    closeSync(fd);
  }
}

/** lstat of `file` when it is a regular file; null when it does not exist; else TemporaryFailure. */
export function regularFileStat(file: string, reason: string): Stats | null {
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return null;
    throw new TemporaryFailure(reason, `Cannot stat ${file}: ${codeOf(err)}`);
  }
  checkRegular(file, st);
  return st;
}

/** Whether anything (a symbolic link included) is at `file`. */
export function present(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return false;
    throw new TemporaryFailure('store-unreadable', `Cannot stat ${file}: ${codeOf(err)}`);
  }
}

/** TemporaryFailure unless `st` (from lstat or fstat) is a regular file. */
function checkRegular(file: string, st: Stats): void {
  if (st.isSymbolicLink()) throw symbolicLink(file);
  if (!st.isFile()) throw notRegular(file);
}

function symbolicLink(file: string): TemporaryFailure {
  return new TemporaryFailure('not-regular-file', `${file} is a symbolic link: not followed`);
}

function notRegular(file: string): TemporaryFailure {
  return new TemporaryFailure('not-regular-file', `${file} is not a regular file: not used`);
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}
