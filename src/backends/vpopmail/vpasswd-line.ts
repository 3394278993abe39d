// One vpopmail vpasswd record: `name:passwd:uid:gid:gecos:dir:quota[:clear]`, from a vpasswd.cdb
// value or a line of the text vpasswd file. Strings are latin1, byte for byte.

/** A parsed vpasswd record. `flags` is the gid field (the per-user flag bits, see flags.ts). */
export interface VpasswdEntry {
  name: string;
  passwd: string;
  uid: number;
  flags: number;
  gecos: string;
  dir: string;
  quota: string;
  /** The clear-text password: null on a 7-field record, '' when the 8th field is there but empty. */
  clear: string | null;
}

/**
 * The record of `name` from a vpasswd.cdb value (the line after the first `:`). Fields are cut at
 * `:` in turn, as vpopmail's cdb reader does: missing trailing fields are '', the clear-text field
 * is the rest of the value and may hold `:`.
 */
export function parseVpasswdValue(name: string, value: string): VpasswdEntry {
  const fields: string[] = [];
  let rest: string | null = value;
  for (let i = 0; i < 6 && rest !== null; i++) {
    const colon = rest.indexOf(':');
    fields.push(colon < 0 ? rest : rest.slice(0, colon));
    rest = colon < 0 ? null : rest.slice(colon + 1);
  }
  const field = (i: number): string => fields[i] ?? '';
  return {
    name,
    passwd: field(0),
    uid: atoi(field(1)),
    flags: atoi(field(2)),
    gecos: field(3),
    dir: field(4),
    quota: field(5),
    clear: rest,
  };
}

/**
 * The record of `name` in the text of a vpasswd file: the first line whose first field is exactly
 * `name`, or null (a name holding `:` matches nothing). Lines with fewer than 6 colons are not
 * records and are skipped.
 */
export function findVpasswdLine(text: string, name: string): VpasswdEntry | null {
  if (name.includes(':')) return null;
  const prefix = `${name}:`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix) || colons(line) < 6) continue;
    return parseVpasswdValue(name, line.slice(prefix.length));
  }
  return null;
}

/** The stored hash without a leading `{...}` scheme tag such as `{SHA512-CRYPT}`, as vpopmail 5.6 strips it. */
export function stripScheme(passwd: string): string {
  if (passwd[0] !== '{') return passwd;
  const close = passwd.indexOf('}');
  return close < 0 ? passwd : passwd.slice(close + 1);
}

function colons(line: string): number {
  let n = 0;
  for (let i = line.indexOf(':'); i >= 0; i = line.indexOf(':', i + 1)) n++;
  return n;
}

// C's atoi as glibc does it for an unsigned 32-bit field: leading blanks, an optional sign, the
// leading digits; nothing numeric gives 0. The result is taken modulo 2^32, like the assignment
// of the int to uid_t / gid_t (so "-1" is 0xffffffff, every flag set).
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(s)!;
  let n = 0;
  for (const d of m[2]!) n = (n * 10 + (d.charCodeAt(0) - 48)) % 0x1_0000_0000;
  return m[1] === '-' ? (0x1_0000_0000 - n) % 0x1_0000_0000 : n;
}
