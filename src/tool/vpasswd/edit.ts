// The changes the vpasswd commands make to a domain's vpasswd, as pure functions on its lines:
// every line they do not touch stays byte for byte, in its place.

import { parseVpasswdValue, type VpasswdEntry } from '../../backends/vpopmail/vpasswd-line';
import { formatEntry, lineName } from '../../backends/vpopmail/vpasswd-write';

/** The first record named `name` (the one a vpasswd.cdb lookup finds), or null. */
export function findEntry(lines: readonly string[], name: string): VpasswdEntry | null {
  const line = lines.find((l) => lineName(l) === name && l.length > name.length);
  return line === undefined ? null : parseVpasswdValue(name, line.slice(name.length + 1));
}

/** The names of the records, in file order. */
export function entryNames(lines: readonly string[]): string[] {
  return lines.map(lineName);
}

/**
 * `entry` added where vadduser puts it: before the first line whose name sorts after it (byte
 * order, as strcmp), else at the end. A file kept sorted stays sorted.
 */
export function addEntry(lines: readonly string[], entry: VpasswdEntry): string[] {
  const at = lines.findIndex((l) => entry.name < lineName(l));
  const out = [...lines];
  out.splice(at < 0 ? out.length : at, 0, formatEntry(entry));
  return out;
}

/** Every record named `name` replaced by `change` of it (vpopmail rewrites them all). */
export function changeEntries(lines: readonly string[], name: string, change: (e: VpasswdEntry) => VpasswdEntry): string[] {
  return lines.map((l) => (lineName(l) === name && l.length > name.length ? formatEntry(change(parseVpasswdValue(name, l.slice(name.length + 1)))) : l));
}

/** Every record named `name` removed, as vdeluser does. */
export function removeEntries(lines: readonly string[], name: string): string[] {
  return lines.filter((l) => lineName(l) !== name);
}
