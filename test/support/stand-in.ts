// The record test/fixtures/stand-in-prog leaves: proof that the program after the checkprogram
// ran (qmail-pop3d's or /bin/true's place), and what it was handed, without writing to the
// client's connection.

import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, scratchDir } from './run';

export const STAND_IN_PROG = join(FIXTURES, 'stand-in-prog');

export interface StandInRecord {
  /** Whether the stand-in ran at all. */
  ran: boolean;
  /** The whole record as bytes (argv, ids, cwd, descriptors, environment). */
  raw: Buffer;
  facts: Map<string, string>;
  env: Map<string, string>;
}

let dir: string | undefined;
let count = 0;

/** A fresh, empty record file that any uid may write (prog may run as the mailbox's owner). */
export function newRecordFile(): string {
  dir ??= scratchDir('stand-in');
  const file = join(dir, `record-${count++}`);
  writeFileSync(file, '');
  chmodSync(file, 0o666);
  return file;
}

/** Reads what the stand-in wrote to `file`. */
export function readRecord(file: string): StandInRecord {
  const raw = readFileSync(file);
  const facts = new Map<string, string>();
  const env = new Map<string, string>();
  for (const line of raw.toString('latin1').split('\n')) {
    if (line.startsWith('env:')) {
      const eq = line.indexOf('=');
      env.set(line.slice(4, eq), line.slice(eq + 1));
    } else {
      const eq = line.indexOf('=');
      if (eq > 0) facts.set(line.slice(0, eq), line.slice(eq + 1));
    }
  }
  return { ran: raw.length > 0, raw, facts, env };
}
