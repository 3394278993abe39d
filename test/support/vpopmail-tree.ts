// Builds a vpopmail + qmail tree for the tests with the real tools: mkpasswd and htpasswd for the
// hashes, tinycdb for vpasswd.cdb and users/cdb.

import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IS_ROOT } from './run';

export interface VpopUser {
  name: string;
  /** The stored hash field (what goes in field 2). */
  passwd: string;
  flags?: number;
  /** Field 8; undefined writes a 7-field line. */
  clear?: string;
}

export interface VpopDomain {
  name: string;
  uid: number;
  gid: number;
  /** Path below ~vpopmail/domains (a hashed bucket like `h/hashed.net` allowed). */
  path: string;
  users: VpopUser[];
  aliases?: string[];
  /** Build vpasswd.cdb (default) or leave only the text file. */
  cdb?: boolean;
  limits?: string;
}

/** A hash made by mkpasswd (`method` as mkpasswd -m takes it). */
export function mkpasswd(method: string, password: string): string {
  return execFileSync('mkpasswd', ['-m', method, '-s'], { input: password }).toString().trim();
}

/** A bcrypt $2y$ hash made by htpasswd -B. */
export function htpasswdBcrypt(password: string): string {
  return execFileSync('htpasswd', ['-nbB', 'u', password]).toString().trim().slice(2);
}

/** The vpasswd line of a user, as vpopmail writes it. */
export function vpasswdLine(dir: string, u: VpopUser): string {
  const fields = [u.name, u.passwd, '1', String(u.flags ?? 0), u.name, join(dir, u.name), 'NOQUOTA'];
  if (u.clear !== undefined) fields.push(u.clear);
  return fields.join(':');
}

/** Builds a cdb from a text of `key value` lines with tinycdb's -m format. */
function cdbFromLines(file: string, lines: string[]): void {
  execFileSync('cdb', ['-c', '-m', '-t', `${file}.tmp`, file], { input: lines.join('\n') + '\n' });
}

/** Builds ~vpopmail, its domains and qmail's users/assign + users/cdb under `root`. */
export function buildVpopmailTree(root: string, domains: VpopDomain[], defaultDomain: string): { home: string; qmail: string } {
  const home = join(root, 'vpopmail');
  const qmail = join(root, 'qmail');
  mkdirSync(join(home, 'etc'), { recursive: true });
  mkdirSync(join(qmail, 'users'), { recursive: true });
  writeFileSync(join(home, 'etc', 'defaultdomain'), `${defaultDomain}\n`);
  const assign: string[] = [];
  const assignRecords: Buffer[] = [];
  const addAssign = (key: string, d: VpopDomain, dir: string) => {
    assign.push(`+${key}-:${d.name}:${d.uid}:${d.gid}:${dir}:-::`);
    const k = Buffer.from(`!${key}-`);
    const v = Buffer.from(`${d.name}\0${d.uid}\0${d.gid}\0${dir}\0-\0`);
    assignRecords.push(Buffer.from(`+${k.length},${v.length}:`), k, Buffer.from('->'), v, Buffer.from('\n'));
  };
  for (const d of domains) {
    const dir = join(home, 'domains', d.path);
    mkdirSync(dir, { recursive: true });
    addAssign(d.name, d, dir);
    for (const alias of d.aliases ?? []) addAssign(alias, d, dir);
    const lines = d.users.map((u) => vpasswdLine(dir, u));
    writeFileSync(join(dir, 'vpasswd'), lines.join('\n') + '\n', { mode: 0o600 });
    if (d.cdb !== false) cdbFromLines(join(dir, 'vpasswd.cdb'), lines.map((l) => l.replace(':', ' ')));
    if (d.limits !== undefined) writeFileSync(join(dir, '.qmailadmin-limits'), d.limits);
    for (const u of d.users) {
      mkdirSync(join(dir, u.name, 'Maildir'), { recursive: true });
      if (IS_ROOT) chownSync(join(dir, u.name), d.uid, d.gid);
    }
  }
  writeFileSync(join(qmail, 'users', 'assign'), assign.join('\n') + '\n.\n');
  assignRecords.push(Buffer.from('\n'));
  execFileSync('cdb', ['-c', join(qmail, 'users', 'cdb')], { input: Buffer.concat(assignRecords) });
  return { home, qmail };
}
