// Writing vpopmail's vpasswd: a record as a line, the limits vpopmail's tools put on its fields,
// the file as lines, and the vpasswd.cdb records vmkpasswd makes from it (key = the name, data =
// the rest of the line). The reading side is vpasswd-line.ts.

import type { CdbRecord } from '../../cdb/write';
import type { VpasswdEntry } from './vpasswd-line';

/** vpopmail 5.6's field limits in bytes (vpopmail.h MAX_PW_*, checked by vcheck_vqpw). */
const FIELD_LIMITS = { name: 64, passwd: 128, gecos: 64, dir: 160, quota: 20, clear: 128 } as const;

/**
 * What is wrong with `entry` as a vpasswd line, or null. No field may hold a newline or NUL; none
 * but the last (the clear-text password, which vpopmail reads as the rest of the line) may hold
 * `:`; each stays within FIELD_LIMITS.
 */
export function entryProblem(entry: VpasswdEntry): string | null {
  const fields: [keyof typeof FIELD_LIMITS, string | null][] = [
    ['name', entry.name],
    ['passwd', entry.passwd],
    ['gecos', entry.gecos],
    ['dir', entry.dir],
    ['quota', entry.quota],
    ['clear', entry.clear],
  ];
  for (const [name, value] of fields) {
    if (value === null) continue;
    if (/[\n\r\0]/.test(value)) return `the ${name} field must not hold a newline or NUL`;
    if (name !== 'clear' && value.includes(':')) return `the ${name} field must not hold ":"`;
    if (Buffer.byteLength(value, 'latin1') > FIELD_LIMITS[name]) return `the ${name} field is longer than ${FIELD_LIMITS[name]} bytes`;
  }
  return null;
}

/** The vpasswd line of `entry` (without newline): 7 fields, or 8 when a clear field is there. */
export function formatEntry(entry: VpasswdEntry): string {
  const fields = [entry.name, entry.passwd, String(entry.uid), String(entry.flags), entry.gecos, entry.dir, entry.quota];
  if (entry.clear !== null) fields.push(entry.clear);
  return fields.join(':');
}

/** The lines of a vpasswd text, without their newlines; an unterminated last line counts too. */
export function vpasswdLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The text of vpasswd lines: every line ends in a newline, as vpopmail's cdb builder needs. */
export function vpasswdText(lines: readonly string[]): string {
  return lines.map((line) => `${line}\n`).join('');
}

/** The name of a vpasswd line: the text before its first `:`. */
export function lineName(line: string): string {
  const colon = line.indexOf(':');
  return colon < 0 ? line : line.slice(0, colon);
}

/**
 * The 1-based number of the first line that is not a vpasswd record (fewer than six `:`, as
 * vpopmail's vgetent counts; a blank or comment line), or 0 when all are records. vmkpasswd would
 * turn such a line into garbage in vpasswd.cdb, so writers refuse the file.
 */
export function firstBadLine(lines: readonly string[]): number {
  const bad = lines.findIndex((line) => line.split(':').length < 7);
  return bad + 1;
}

/** The vpasswd.cdb records of vpasswd lines, in file order (duplicates kept, as vmkpasswd does). */
export function cdbRecords(lines: readonly string[]): CdbRecord[] {
  return lines.map((line) => {
    const colon = line.indexOf(':');
    return { key: Buffer.from(line.slice(0, colon), 'latin1'), data: Buffer.from(line.slice(colon + 1), 'latin1') };
  });
}
