// qmail's users/assign as vpopmail uses it: one `+<domain>-:<real>:<uid>:<gid>:<dir>:-::` line per
// real or alias domain, compiled by qmail-newu into users/cdb under the key `!<domain>-`.

/** A domain's entry: the real domain (differs for an alias domain), its owner and its directory. */
export interface DomainAssign {
  domain: string;
  uid: number;
  gid: number;
  dir: string;
}

/** The users/cdb key of a domain: `!` + the ASCII-lower-cased domain + `-`, latin1. */
export function assignKey(domain: string): Buffer {
  return Buffer.from(`!${lowerAscii(domain)}-`, 'latin1');
}

/**
 * A users/cdb value (`real\0uid\0gid\0dir\0-\0`) as a domain entry, or null when it is malformed:
 * fewer than 4 fields, a uid or gid that is not a decimal number below 2^32, or an empty dir.
 */
export function parseAssignValue(value: Buffer): DomainAssign | null {
  return fromFields(value.toString('latin1').split('\0'));
}

/**
 * The entry of `domain` in the text of users/assign, or null. Only `+` lines count (`=` lines
 * assign single users), their prefix must equal `<domain>-` after both are lower-cased, and the
 * first such line wins. A line starting with `.` ends the file, as for qmail-newu; a line that
 * qmail-newu would reject (fewer than 6 colons after the prefix) is skipped.
 */
export function findAssignText(text: string, domain: string): DomainAssign | null {
  const wanted = `${lowerAscii(domain)}-`;
  for (const line of text.split('\n')) {
    if (line[0] === '.') break;
    if (line[0] !== '+') continue;
    const colon = line.indexOf(':');
    if (colon < 0 || lowerAscii(line.slice(1, colon)) !== wanted) continue;
    const fields = line.slice(colon + 1).split(':');
    if (fields.length < 7) continue;
    return fromFields(fields);
  }
  return null;
}

function fromFields(fields: string[]): DomainAssign | null {
  if (fields.length < 4) return null;
  const uid = decimalId(fields[1]!);
  const gid = decimalId(fields[2]!);
  const dir = fields[3]!;
  if (uid === null || gid === null || dir === '') return null;
  return { domain: fields[0]!, uid, gid, dir };
}

function decimalId(s: string): number | null {
  if (!/^\d{1,10}$/.test(s)) return null;
  const n = Number(s);
  return n <= 0xffffffff ? n : null;
}

function lowerAscii(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}
