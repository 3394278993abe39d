// Parses passwd(5) and shadow(5) format files into entries, byte for byte (latin1 strings).
// Shared by the passwd backend and, later, the operator tool.

import { readFileSync } from 'node:fs';
import { TemporaryFailure } from '../exit';

/** One line of a passwd-format file: `name:password:uid:gid:gecos:home:shell`. */
export interface PasswdEntry {
  name: string;
  password: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/**
 * Reads a store file whole (so an unknown user costs the same parse as a known one).
 * Missing, unreadable or not a file: TemporaryFailure, never "unknown user".
 */
export function readStore(file: string): string {
  const text = readStoreIfExists(file);
  if (text === null) throw new TemporaryFailure('store-unreadable', `cannot read ${file}: ENOENT`);
  return text;
}

/** Like readStore, but a file that does not exist is null (an optional file, like vlimits.default). */
export function readStoreIfExists(file: string): string | null {
  try {
    return readFileSync(file).toString('latin1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') return null;
    throw new TemporaryFailure('store-unreadable', `cannot read ${file}: ${code}`);
  }
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
