// The cdb writer against Debian's tinycdb: same bytes as `cdb -c` for the same records in the same
// order, and tinycdb (and our reader) read back every record the writer wrote.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCdb } from '../../src/cdb/read';
import { makeCdb, type CdbRecord } from '../../src/cdb/write';

const dir = mkdtempSync(join(tmpdir(), 'cdb-write-'));
let n = 0;

function rec(key: Buffer | string, data: Buffer | string): CdbRecord {
  return { key: Buffer.from(key), data: Buffer.from(data) };
}

/** tinycdb's native input format for the records (any bytes allowed). */
function nativeInput(records: CdbRecord[]): Buffer {
  const parts: Buffer[] = [];
  for (const { key, data } of records) {
    parts.push(Buffer.from(`+${key.length},${data.length}:`), key, Buffer.from('->'), data, Buffer.from('\n'));
  }
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

/** The file `cdb -c` makes from the records. */
function tinycdbBytes(records: CdbRecord[]): Buffer {
  const file = join(dir, `tiny-${n++}.cdb`);
  execFileSync('cdb', ['-c', file], { input: nativeInput(records) });
  return readFileSync(file);
}

/** Our bytes written to a file, for tinycdb and our reader. */
function ours(records: CdbRecord[]): string {
  const file = join(dir, `ours-${n++}.cdb`);
  writeFileSync(file, makeCdb(records));
  return file;
}

const binary: CdbRecord[] = [
  rec(Buffer.from([0, 1, 2, 0xff, 0x80]), Buffer.from([0xfe, 0, 0x0a, 0x3a])),
  rec('caf\xe9', 'latin1 \xe9\xff'),
  rec('', 'empty key'),
  rec('empty value', ''),
  rec('line\nbreak', 'with\nnewlines\n'),
];

function manyRecords(count: number): CdbRecord[] {
  const out: CdbRecord[] = [];
  for (let i = 0; i < count; i++) out.push(rec(`user${i}`, `$6$salt${i}$hash:1:0:User ${i}:/home/vpopmail/domains/example.com/user${i}:NOQUOTA`));
  return out;
}

describe('makeCdb writes what tinycdb writes', () => {
  it('an empty database is the 2048-byte header that cdb -c makes', () => {
    const bytes = makeCdb([]);
    expect(bytes.length).toBe(2048);
    expect(bytes.equals(tinycdbBytes([]))).toBe(true);
  });

  it('one record is byte-identical to cdb -c', () => {
    const records = [rec('alice', '$6$x$y:1:0:alice:/d/alice:NOQUOTA')];
    expect(makeCdb(records).equals(tinycdbBytes(records))).toBe(true);
  });

  it('5000 records (colliding buckets, probing) are byte-identical to cdb -c', () => {
    const records = manyRecords(5000);
    expect(makeCdb(records).equals(tinycdbBytes(records))).toBe(true);
  });

  it('NUL, newline and high bytes in keys and data are byte-identical to cdb -c', () => {
    expect(makeCdb(binary).equals(tinycdbBytes(binary))).toBe(true);
  });

  it('duplicate keys are all kept, in order, byte-identical to cdb -c', () => {
    const records = [rec('dup', 'first'), rec('other', 'x'), rec('dup', 'second'), rec('dup', 'third')];
    expect(makeCdb(records).equals(tinycdbBytes(records))).toBe(true);
  });
});

describe('tinycdb reads what makeCdb wrote', () => {
  it('cdb -d dumps every record in the order written, bytes exact', () => {
    const records = [...binary, rec('dup', 'first'), rec('dup', 'second')];
    const dump = execFileSync('cdb', ['-d', ours(records)]);
    expect(dump.equals(nativeInput(records))).toBe(true);
  });

  it('cdb -q finds each key of 5000 records', () => {
    const records = manyRecords(5000);
    const file = ours(records);
    for (const i of [0, 1, 77, 2500, 4999]) {
      expect(execFileSync('cdb', ['-q', file, `user${i}`]).toString()).toBe(records[i]!.data.toString());
    }
  });

  it('cdb -q -n returns each duplicate by its number', () => {
    const file = ours([rec('dup', 'first'), rec('dup', 'second')]);
    expect(execFileSync('cdb', ['-q', '-n', '1', file, 'dup']).toString()).toBe('first');
    expect(execFileSync('cdb', ['-q', '-n', '2', file, 'dup']).toString()).toBe('second');
  });

  it('cdb -q exits non-zero for a key that was not written', () => {
    const file = ours(manyRecords(10));
    expect(() => execFileSync('cdb', ['-q', file, 'nobody'], { stdio: 'pipe' })).toThrow();
  });
});

describe('our reader reads what makeCdb wrote', () => {
  it('finds every record of 5000, and not an absent key', () => {
    const records = manyRecords(5000);
    const db = openCdb(ours(records))!;
    try {
      for (const r of records) expect(db.get(r.key)?.equals(r.data)).toBe(true);
      expect(db.get(Buffer.from('user5000'))).toBeNull();
    } finally {
      db.close();
    }
  });

  it('keys and data with NUL and high bytes come back exact', () => {
    const db = openCdb(ours(binary))!;
    try {
      for (const r of binary) expect(db.get(r.key)?.equals(r.data)).toBe(true);
    } finally {
      db.close();
    }
  });

  it('a duplicate key returns the first record written, as cdb lookups do', () => {
    const db = openCdb(ours([rec('dup', 'first'), rec('dup', 'second')]))!;
    try {
      expect(db.get(Buffer.from('dup'))?.toString()).toBe('first');
      expect(db.first()?.data.toString()).toBe('first');
    } finally {
      db.close();
    }
  });
});
