// The user's directory that vadduser makes: <domain-dir>/<user> with Maildir/{cur,new,tmp}, each
// mode 0700 and owned by the domain's uid and gid, so the user's mail programs (running as the
// domain) can use it. And its removal, never outside the domain's directory. Both run with the
// domain's rights (as-domain.ts): the domain's uid can write the domain's directory.

import { closeSync, fchownSync, fstatSync, lstatSync, mkdirSync, openSync, realpathSync, rmSync, constants as FS } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { Refused, TemporaryFailure } from '../../exit';
import { asDomainOwner, type DomainOwner } from './as-domain';

const MAILDIR = ['Maildir', 'Maildir/cur', 'Maildir/new', 'Maildir/tmp'];

/** Makes `dir` with its Maildir. Refused when it exists; nothing left behind on a failure. */
export function makeUserDir(dir: string, owner: DomainOwner): void {
  asDomainOwner(owner, () => {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      const code = codeOf(err);
      if (code === 'EEXIST') throw new Refused('dir-exists', `${dir} already exists: remove it, or pick another user name`);
      throw new TemporaryFailure('mkdir-failed', `Cannot create ${dir}: ${code}${code === 'EACCES' ? ` (made with the rights of the domain's uid ${owner.uid}, which must be able to write the domain's directory)` : ''}`);
    }
    try {
      for (const sub of MAILDIR) mkdirSync(join(dir, sub), { mode: 0o700 });
      for (const d of [dir, ...MAILDIR.map((sub) => join(dir, sub))]) giveTo(d, owner);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw new TemporaryFailure('mkdir-failed', `Cannot create the Maildir in ${dir} owned by ${owner.uid}:${owner.gid}: ${codeOf(err)}`);
    }
  });
}

/**
 * Removes a user's directory, with the domain's rights. Only a real directory (not a symlink)
 * that lies strictly inside the domain's directory once every symlink on the way is resolved is
 * removed: a record's dir field could name anything. Otherwise TemporaryFailure saying why; a
 * directory already gone is fine.
 */
export function removeUserDir(dir: string, domain: DomainOwner & { dir: string }): void {
  asDomainOwner(domain, () => {
    try {
      if (!lstatSync(dir).isDirectory()) throw new TemporaryFailure('rmdir-refused', `Not removing ${dir}: it is not a directory`);
      const rel = relative(realpathSync(domain.dir), realpathSync(dir));
      if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
        throw new TemporaryFailure('rmdir-refused', `Not removing ${dir}: it is not inside the domain's directory ${domain.dir}`);
      }
      rmSync(dir, { recursive: true });
    } catch (err) {
      if (err instanceof TemporaryFailure) throw err;
      if (codeOf(err) === 'ENOENT') return;
      const code = codeOf(err);
      throw new TemporaryFailure('rmdir-failed', `Cannot remove ${dir}: ${code}${code === 'EACCES' || code === 'EPERM' ? ` (removed with the rights of the domain's uid ${domain.uid})` : ''}`);
    }
  });
}

/** The domain's uid and gid for a directory we just made (a setgid parent gives its own group). */
function giveTo(dir: string, owner: DomainOwner): void {
  const fd = openSync(dir, FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW);
  try {
    const st = fstatSync(fd);
    if (st.uid !== owner.uid || st.gid !== owner.gid) fchownSync(fd, owner.uid, owner.gid);
  } finally {
    closeSync(fd);
  }
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}
