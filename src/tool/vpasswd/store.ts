// A domain's vpasswd and vpasswd.cdb as the vpasswd commands read and replace them: the text file
// is the source, the cdb is rebuilt from it on every change (as vpopmail's tools do), and both are
// replaced atomically with their owner, group and mode kept (replace-files.ts). Neither is ever
// read or stat'd through a symbolic link (no-follow.ts).

import { join } from 'node:path';
import { makeCdb } from '../../cdb/write';
import { TemporaryFailure } from '../../exit';
import type { DomainAssign } from '../../backends/vpopmail/assign';
import { cdbRecords, firstBadLine, vpasswdLines, vpasswdText } from '../../backends/vpopmail/vpasswd-write';
import { present, readRegularFile, regularFileStat } from './no-follow';
import { replaceFiles, type Ownership, type Replacement } from './replace-files';

/** The files of a domain, by vpopmail's names. */
function vpasswdFile(dir: string): string {
  return join(dir, 'vpasswd');
}
function vpasswdCdbFile(dir: string): string {
  return join(dir, 'vpasswd.cdb');
}

/**
 * The lines of the domain's vpasswd. A missing file is empty when `missingOk` and vpasswd.cdb is
 * missing too (a new domain: vadduser creates both). With the cdb there it is TemporaryFailure:
 * the cdb rebuilt from the lines would hold no one else. A symbolic link, a file that is not
 * regular or has another hard link: TemporaryFailure (no-follow.ts).
 */
export function readVpasswd(dir: string, opts: { missingOk: boolean }): string[] {
  const file = vpasswdFile(dir);
  const data = readRegularFile(file);
  if (data !== null) return vpasswdLines(data.toString('latin1'));
  if (!opts.missingOk) throw new TemporaryFailure('store-unreadable', `Cannot read ${file}: ENOENT`);
  const cdb = vpasswdCdbFile(dir);
  if (present(cdb)) {
    throw new TemporaryFailure(
      'store-missing',
      `${file} is missing but ${cdb} exists: restore vpasswd first, from a backup or from the cdb (cdb -d -m vpasswd.cdb | sed 's/ /:/' > vpasswd); nothing was changed`,
    );
  }
  return [];
}

/** Replaces vpasswd with `lines` and rebuilds vpasswd.cdb from them (vpasswd is renamed first). */
export function writeVpasswd(domain: DomainAssign, lines: readonly string[]): void {
  const fresh = freshOwnership(domain);
  replaceFiles([
    { target: vpasswdFile(domain.dir), data: Buffer.from(vpasswdText(lines), 'latin1'), fresh },
    cdbReplacement(domain, lines, fresh),
  ]);
}

/** Rebuilds vpasswd.cdb from `lines` alone, as vmkpasswd does. */
export function writeVpasswdCdb(domain: DomainAssign, lines: readonly string[]): void {
  replaceFiles([cdbReplacement(domain, lines, freshOwnership(domain))]);
}

function cdbReplacement(domain: DomainAssign, lines: readonly string[], fresh: Ownership): Replacement {
  const bad = firstBadLine(lines);
  if (bad > 0) {
    throw new TemporaryFailure('store-corrupt', `Line ${bad} of ${vpasswdFile(domain.dir)} is not a vpasswd record (it needs 7 or 8 fields): fix it first, nothing was changed`);
  }
  return { target: vpasswdCdbFile(domain.dir), data: makeCdb(cdbRecords(lines)), fresh };
}

/**
 * What a file that does not exist yet gets: vpasswd's owner and mode when vpasswd exists (for a
 * missing cdb), else vpopmail's: the domain's uid and gid, mode 0600.
 */
function freshOwnership(domain: DomainAssign): Ownership {
  const st = regularFileStat(vpasswdFile(domain.dir), 'write-failed');
  if (st === null) return { uid: domain.uid, gid: domain.gid, mode: 0o600 };
  return { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 };
}
