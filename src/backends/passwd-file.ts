// Parses passwd(5) and shadow(5) format files into entries, byte for byte (latin1 strings).
// Shared by the passwd backend, checkpassword-vpopmail (the vpopmail account) and, later, the operator tool.

import type { Account } from './backend';

/** One line of a passwd-format file: `name:password:uid:gid:gecos:home:shell`. */
export interface PasswdEntry {
  name: string;
  password: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** The account a passwd entry describes. */
export function accountOf(entry: PasswdEntry): Account {
  return { name: entry.name, uid: entry.uid, gid: entry.gid, home: entry.home, shell: entry.shell };
}

/**
 * The passwd entries of a file, in file order. Lines that are not 7 fields with decimal uid and
 * gid (NIS `+`/`-` lines, blank lines, damage) are skipped: getpwnam would not return them either.
 */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length !== 7 || f[0] === '' || f[0]!.startsWith('+') || f[0]!.startsWith('-')) continue;
    const uid = decimalId(f[2]!);
    const gid = decimalId(f[3]!);
    if (uid === null || gid === null) continue;
    entries.push({ name: f[0]!, password: f[1]!, uid, gid, home: f[5]!, shell: f[6]! });
  }
  return entries;
}

/** name → hash from a shadow file (`name:hash:lastchg:...`); the first line for a name wins. */
export function parseShadow(text: string): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon1 = line.indexOf(':');
    if (colon1 <= 0) continue;
    const name = line.slice(0, colon1);
    if (hashes.has(name)) continue;
    const colon2 = line.indexOf(':', colon1 + 1);
    hashes.set(name, colon2 < 0 ? line.slice(colon1 + 1) : line.slice(colon1 + 1, colon2));
  }
  return hashes;
}

function decimalId(s: string): number | null {
  if (!/^\d{1,10}$/.test(s)) return null;
  const n = Number(s);
  return n <= 0xffffffff ? n : null;
}
