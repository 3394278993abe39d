// The user's directory that vadduser makes: <domain-dir>/<user> with Maildir/{cur,new,tmp}, each
// mode 0700 and owned by the domain's uid and gid, so the user's mail programs (running as the
// domain) can use it. And its removal, never outside the domain's directory.

import { chownSync, lstatSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { Refused, TemporaryFailure } from '../../exit';

/** Makes `dir` with its Maildir. Refused when it exists; nothing left behind on a failure. */
export function makeUserDir(dir: string, owner: { uid: number; gid: number }): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    const code = codeOf(err);
    if (code === 'EEXIST') throw new Refused('dir-exists', `${dir} already exists: remove it, or pick another user name`);
    throw new TemporaryFailure('mkdir-failed', `Cannot create ${dir}: ${code}`);
  }
  try {
    const made = [dir];
    for (const sub of ['Maildir', 'Maildir/cur', 'Maildir/new', 'Maildir/tmp']) {
      mkdirSync(join(dir, sub), { mode: 0o700 });
      made.push(join(dir, sub));
    }
    for (const d of made) chownSync(d, owner.uid, owner.gid);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new TemporaryFailure('mkdir-failed', `Cannot create the Maildir in ${dir} owned by ${owner.uid}:${owner.gid}: ${codeOf(err)}`);
  }
}

/**
 * Removes a user's directory. Only a real directory (not a symlink) that lies strictly inside
 * `domainDir` once every symlink on the way is resolved is removed: a record's dir field could
 * name anything. Otherwise TemporaryFailure saying why; a directory already gone is fine.
 */
export function removeUserDir(dir: string, domainDir: string): void {
  try {
    if (!lstatSync(dir).isDirectory()) throw new TemporaryFailure('rmdir-refused', `Not removing ${dir}: it is not a directory`);
    const rel = relative(realpathSync(domainDir), realpathSync(dir));
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new TemporaryFailure('rmdir-refused', `Not removing ${dir}: it is not inside the domain's directory ${domainDir}`);
    }
    rmSync(dir, { recursive: true });
  } catch (err) {
    if (err instanceof TemporaryFailure) throw err;
    if (codeOf(err) === 'ENOENT') return;
    throw new TemporaryFailure('rmdir-failed', `Cannot remove ${dir}: ${codeOf(err)}`);
  }
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}
