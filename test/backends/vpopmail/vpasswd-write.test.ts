// Writing vpasswd records: what vpopmail's tools allow in a field, lines in and out, the cdb records.

import { describe, expect, it } from 'vitest';
import { parseVpasswdValue, type VpasswdEntry } from '../../../src/backends/vpopmail/vpasswd-line';
import { cdbRecords, entryProblem, firstBadLine, formatEntry, vpasswdLines, vpasswdText } from '../../../src/backends/vpopmail/vpasswd-write';

const alice: VpasswdEntry = {
  name: 'alice',
  passwd: '$6$salt$hash',
  uid: 1,
  flags: 2048,
  gecos: 'Alice Example',
  dir: '/home/vpopmail/domains/example.com/alice',
  quota: 'NOQUOTA',
  clear: null,
};

describe('formatEntry', () => {
  it('a record without clear text is 7 fields', () => {
    expect(formatEntry(alice)).toBe('alice:$6$salt$hash:1:2048:Alice Example:/home/vpopmail/domains/example.com/alice:NOQUOTA');
  });

  it('a clear text, even empty, is the 8th field', () => {
    expect(formatEntry({ ...alice, clear: '' }).split(':')).toHaveLength(8);
    expect(formatEntry({ ...alice, clear: 'pw' }).endsWith(':NOQUOTA:pw')).toBe(true);
  });

  it.each([{ clear: null }, { clear: '' }, { clear: 'a:b:c' }, { flags: 0xffffffff }])('reads back as written through the reader (%j)', (change) => {
    const entry = { ...alice, ...change };
    const line = formatEntry(entry);
    expect(parseVpasswdValue('alice', line.slice('alice:'.length))).toEqual(entry);
  });
});

describe('entryProblem', () => {
  it('a plain record has none', () => {
    expect(entryProblem(alice)).toBeNull();
  });

  it.each([
    ['gecos', 'A:B', 'must not hold ":"'],
    ['passwd', '$6$a:b', 'must not hold ":"'],
    ['quota', '1:2', 'must not hold ":"'],
    ['gecos', 'two\nlines', 'newline'],
    ['clear', 'cr\r', 'newline'],
    ['clear', 'nul\0', 'newline or NUL'],
    ['gecos', 'g'.repeat(65), 'longer than 64'],
    ['name', 'n'.repeat(65), 'longer than 64'],
    ['clear', 'c'.repeat(129), 'longer than 128'],
    ['dir', `/${'d'.repeat(160)}`, 'longer than 160'],
  ])('the %s field %j is refused (%s)', (field, value, why) => {
    expect(entryProblem({ ...alice, [field]: value })).toContain(why);
  });

  it('the clear text may hold ":" (vpopmail reads it as the rest of the line)', () => {
    expect(entryProblem({ ...alice, clear: 'a:b' })).toBeNull();
  });
});

describe('vpasswd lines', () => {
  it.each([
    ['', []],
    ['a:1\n', ['a:1']],
    ['a:1\nb:2\n', ['a:1', 'b:2']],
    ['a:1\nb:2', ['a:1', 'b:2']],
    ['a:1\n\nb:2\n', ['a:1', '', 'b:2']],
  ])('%j has the lines %j', (text, lines) => {
    expect(vpasswdLines(text)).toEqual(lines);
  });

  it('every line is written with its newline, the last too', () => {
    expect(vpasswdText(['a:1', 'b:2'])).toBe('a:1\nb:2\n');
    expect(vpasswdText([])).toBe('');
  });

  it('firstBadLine names the first line with fewer than 7 fields, 0 when all are records', () => {
    const good = formatEntry(alice);
    expect(firstBadLine([good, good])).toBe(0);
    expect(firstBadLine([good, '', good])).toBe(2);
    expect(firstBadLine(['# comment', good])).toBe(1);
    expect(firstBadLine([good, 'a:b:c:d:e:f'])).toBe(2);
  });
});

describe('cdbRecords', () => {
  it('the key is the text before the first ":", the data the rest, in file order, duplicates kept', () => {
    const records = cdbRecords(['alice:x:1:0:a:/d:NOQUOTA:c:l', 'bob:y:1:0:b:/e:NOQUOTA', 'alice:z:1:0:a:/d:NOQUOTA']);
    expect(records.map((r) => [r.key.toString(), r.data.toString()])).toEqual([
      ['alice', 'x:1:0:a:/d:NOQUOTA:c:l'],
      ['bob', 'y:1:0:b:/e:NOQUOTA'],
      ['alice', 'z:1:0:a:/d:NOQUOTA'],
    ]);
  });

  it('latin1 text becomes the same bytes', () => {
    const [r] = cdbRecords(['caf\xe9:x:1:0:\xff:/d:NOQUOTA']);
    expect(r!.key.equals(Buffer.from([0x63, 0x61, 0x66, 0xe9]))).toBe(true);
    expect(r!.data.includes(0xff)).toBe(true);
  });
});
