// The cdb reader against files built by Debian's tinycdb (`cdb -c`), byte for byte.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cdbHash, openCdb } from '../../src/cdb/read';
import { EXIT } from '../../src/exit';
import { exitOf } from '../support/exit-of';

const dir = mkdtempSync(join(tmpdir(), 'cdb-'));

/** Builds a cdb with tinycdb from records in its native input format (any bytes allowed). */
function tinycdb(name: string, records: [Buffer | string, Buffer | string][]): string {
  const file = join(dir, name);
  const parts: Buffer[] = [];
  for (const [k, v] of records) {
    const key = Buffer.from(k);
    const value = Buffer.from(v);
    parts.push(Buffer.from(`+${key.length},${value.length}:`), key, Buffer.from('->'), value, Buffer.from('\n'));
  }
  parts.push(Buffer.from('\n'));
  execFileSync('cdb', ['-c', file], { input: Buffer.concat(parts) });
  return file;
}


let big: string;
const BIG = 20_000;

beforeAll(() => {
  const records: [string, string][] = [];
  for (let i = 0; i < BIG; i++) records.push([`user${i}`, `value-of-${i}`]);
  big = tinycdb('big.cdb', records);
});

describe('reading cdb files made by tinycdb', () => {
  it('finds every key and returns its data', () => {
    const db = openCdb(big)!;
    for (let i = 0; i < BIG; i += 97) expect(db.get(Buffer.from(`user${i}`))?.toString()).toBe(`value-of-${i}`);
    expect(db.get(Buffer.from(`user${BIG - 1}`))?.toString()).toBe(`value-of-${BIG - 1}`);
    db.close();
  });

  it('agrees with `cdb -q` on a key', () => {
    const db = openCdb(big)!;
    expect(db.get(Buffer.from('user12345'))!.toString()).toBe(execFileSync('cdb', ['-q', big, 'user12345']).toString());
    db.close();
  });

  it('a key that is not there is null', () => {
    const db = openCdb(big)!;
    expect(db.get(Buffer.from('nobody'))).toBeNull();
    expect(db.get(Buffer.from(''))).toBeNull();
    expect(db.get(Buffer.from('user1 '))).toBeNull();
    db.close();
  });

  it('keys and data may hold any byte, NUL and high bytes included', () => {
    const file = tinycdb('bytes.cdb', [[Buffer.from('!example.com-'), Buffer.from('example.com\x0089\x0089\x00/home/vpopmail/domains/example.com\x00-\x00', 'latin1')], [Buffer.from([0xff, 0x00, 0x80]), 'high']]);
    const db = openCdb(file)!;
    expect(db.get(Buffer.from('!example.com-'))!.toString('latin1')).toBe('example.com\x0089\x0089\x00/home/vpopmail/domains/example.com\x00-\x00');
    expect(db.get(Buffer.from([0xff, 0x00, 0x80]))!.toString()).toBe('high');
    db.close();
  });

  it('a duplicated key returns its first record', () => {
    const file = join(dir, 'dup.cdb');
    execFileSync('cdb', ['-c', '-w', file], { input: '+1,5:a->first\n+1,6:a->second\n\n' });
    expect(openCdb(file)!.get(Buffer.from('a'))!.toString()).toBe('first');
  });

  it('an empty database has no records and no first record', () => {
    const file = tinycdb('empty.cdb', []);
    const db = openCdb(file)!;
    expect(db.get(Buffer.from('a'))).toBeNull();
    expect(db.first()).toBeNull();
  });

  it('the first record is the first one written', () => {
    expect(openCdb(big)!.first()!.key.toString()).toBe('user0');
  });

  it('hashes as DJB specifies (unsigned bytes)', () => {
    expect(cdbHash(Buffer.from(''))).toBe(5381);
    expect(cdbHash(Buffer.from('a'))).toBe(((5381 * 33) ^ 97) >>> 0);
    expect(cdbHash(Buffer.from([0xff]))).toBe(((5381 * 33) ^ 255) >>> 0);
  });

  it('a missing file is null (the caller decides what that means)', () => {
    expect(openCdb(join(dir, 'nope.cdb'))).toBeNull();
  });

  it('a directory is a temporary failure, exit 111', () => {
    expect(exitOf(() => openCdb(dir)!.get(Buffer.from('a')))).toBe(EXIT.temporary);
  });
});

describe('damaged cdb files are a temporary failure (111), never a crash or a match', () => {
  it('a file shorter than its header', () => {
    const file = join(dir, 'short.cdb');
    writeFileSync(file, Buffer.alloc(100));
    expect(exitOf(() => openCdb(file))).toBe(EXIT.temporary);
  });

  it('a truncated file', () => {
    const file = join(dir, 'truncated.cdb');
    copyFileSync(big, file);
    truncateSync(file, Math.floor(readFileSync(big).length / 2));
    const db = openCdb(file)!;
    const codes = new Set<number>();
    for (let i = 0; i < 200; i++) codes.add(exitOf(() => db.get(Buffer.from(`user${i * 97}`))));
    expect([...codes].every((c) => c === EXIT.temporary || c === 0)).toBe(true);
    expect(codes).toContain(EXIT.temporary);
  });

  it('random bytes where the hash tables should be', () => {
    const file = join(dir, 'garbage.cdb');
    const bytes = readFileSync(big);
    let seed = 99;
    for (let i = 0; i < 4096; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      bytes[bytes.length - 1 - (seed % 100_000)] = seed & 0xff;
      bytes[seed % 2048] = (seed >> 8) & 0xff;
    }
    writeFileSync(file, bytes);
    const db = openCdb(file)!;
    for (let i = 0; i < 300; i++) {
      const code = exitOf(() => {
        const v = db.get(Buffer.from(`user${i}`));
        // Whatever it returns for a key must be what was stored for that key, or nothing.
        if (v !== null && !v.toString().startsWith('value-of-')) throw new Error(`wrong data ${v.toString('hex')}`);
      });
      expect([0, EXIT.temporary]).toContain(code);
    }
  });
});
