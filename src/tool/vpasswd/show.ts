// What `vpasswd show` prints: a record's fields by name, one `name: value` line each. The hash
// only when asked for; the clear-text password never (only whether one is stored).

import { classify } from '../../crypt/scheme';
import { FLAGS, effectiveFlags, type FlagName } from '../../backends/vpopmail/flags';
import { stripScheme, type VpasswdEntry } from '../../backends/vpopmail/vpasswd-line';

/** mkpasswd's names of the crypt(3) families, by the id classify() gives them. */
const CRYPT_NAMES: Record<string, string> = {
  y: 'yescrypt',
  gy: 'gost-yescrypt',
  '7': 'scrypt',
  '6': 'sha512crypt',
  '5': 'sha256crypt',
  '1': 'md5crypt',
  '2': 'bcrypt',
  md5: 'sunmd5',
  bsdi: 'bsdicrypt',
  des: 'descrypt',
};

/** The lines `show` prints for `entry` of `domain`; `limits` is the domain's limits mask. */
export function describeEntry(entry: VpasswdEntry, domain: string, opts: { limits: number; showHash: boolean }): string[] {
  return [
    `name: ${entry.name}`,
    `domain: ${domain}`,
    `passwd: ${opts.showHash ? entry.passwd : `${hashKind(entry.passwd)} (--show-hash prints it)`}`,
    `uid: ${entry.uid}`,
    `flags: ${flagText(entry.flags)}`,
    `effective-flags: ${flagText(effectiveFlags(entry.flags, opts.limits))}`,
    `gecos: ${entry.gecos}`,
    `dir: ${entry.dir}`,
    `quota: ${entry.quota}`,
    `clear: ${entry.clear === null ? 'none (7-field record)' : entry.clear === '' ? 'empty' : 'stored (not shown)'}`,
  ];
}

/** A flag mask as its number and the names of its bits, e.g. `2050 NO_POP NO_SMTP`. */
export function flagText(mask: number): string {
  const names = (Object.keys(FLAGS) as FlagName[]).filter((n) => (mask & FLAGS[n]) !== 0);
  const known = names.reduce((m, n) => m | FLAGS[n], 0);
  const unknown = (mask & ~known) >>> 0;
  if (unknown !== 0) names.push(`0x${unknown.toString(16)}` as FlagName);
  return [String(mask >>> 0), ...names].join(' ');
}

/** What kind of hash a password field holds, without showing it. */
function hashKind(passwd: string): string {
  const tagged = stripScheme(passwd) !== passwd;
  const s = classify(stripScheme(passwd));
  const kind = s.kind === 'crypt' ? CRYPT_NAMES[s.id]! : s.kind === 'locked' ? 'no usable hash (empty or locked)' : s.kind;
  return tagged ? `${kind}, with a {scheme} tag` : kind;
}
