// The vpasswd commands' changes as pure functions on a file's lines, and how `show` names flags.

import { describe, expect, it } from 'vitest';
import type { VpasswdEntry } from '../../src/backends/vpopmail/vpasswd-line';
import { addEntry, changeEntries, entryNames, findEntry, removeEntries } from '../../src/tool/vpasswd/edit';
import { describeEntry, flagText } from '../../src/tool/vpasswd/show';

function entry(name: string, extra: Partial<VpasswdEntry> = {}): VpasswdEntry {
  return { name, passwd: `$6$s$${name}`, uid: 1, flags: 0, gecos: name, dir: `/d/${name}`, quota: 'NOQUOTA', clear: null, ...extra };
}

const lines = ['bob:$6$s$bob:1:0:bob:/d/bob:NOQUOTA', 'dave:$6$s$dave:1:0:Dave D:/d/dave:NOQUOTA:clear:pw'];

describe('addEntry, as vadduser inserts', () => {
  it.each([
    ['alice', ['alice', 'bob', 'dave']],
    ['carol', ['bob', 'carol', 'dave']],
    ['zed', ['bob', 'dave', 'zed']],
    ['bo', ['bo', 'bob', 'dave']],
  ])('%s goes before the first name that sorts after it', (name, order) => {
    expect(entryNames(addEntry(lines, entry(name)))).toEqual(order);
  });

  it('an unsorted file keeps its order; the new line goes before the first later name', () => {
    expect(entryNames(addEntry(['zed:x:1:0:z:/d:NOQUOTA', 'bob:x:1:0:b:/d:NOQUOTA'], entry('carol')))).toEqual(['carol', 'zed', 'bob']);
  });

  it('other lines stay byte for byte', () => {
    const out = addEntry(lines, entry('carol'));
    expect(out.filter((l) => !l.startsWith('carol:'))).toEqual(lines);
  });
});

describe('findEntry', () => {
  it('finds a record by its exact name, clear text with ":" whole', () => {
    expect(findEntry(lines, 'dave')).toMatchObject({ name: 'dave', gecos: 'Dave D', clear: 'clear:pw' });
  });

  it('a prefix of a name, or a name in another field, is no match', () => {
    expect(findEntry(lines, 'bo')).toBeNull();
    expect(findEntry(lines, 'Dave D')).toBeNull();
  });

  it('with duplicate names, the first line (the one a cdb lookup finds)', () => {
    expect(findEntry([...lines, 'bob:$6$s$second:1:0:b2:/d/b2:NOQUOTA'], 'bob')!.gecos).toBe('bob');
  });
});

describe('changeEntries and removeEntries', () => {
  it('change rewrites every record of the name and no other line', () => {
    const dup = [...lines, 'bob:$6$s$second:1:0:b2:/d/b2:NOQUOTA'];
    const out = changeEntries(dup, 'bob', (e) => ({ ...e, passwd: '$6$new$hash' }));
    expect(out[1]).toBe(dup[1]);
    expect(out[0]).toBe('bob:$6$new$hash:1:0:bob:/d/bob:NOQUOTA');
    expect(out[2]).toBe('bob:$6$new$hash:1:0:b2:/d/b2:NOQUOTA');
  });

  it('remove drops every record of the name, as vdeluser does', () => {
    expect(entryNames(removeEntries([...lines, 'bob:x:1:0:b:/d:NOQUOTA'], 'bob'))).toEqual(['dave']);
  });
});

describe('show', () => {
  it.each([
    [0, '0'],
    [0x802, '2050 NO_POP NO_SMTP'],
    [0x2000, '8192 V_OVERRIDE'],
    [0x80000 | 0x1, '524289 NO_PASSWD_CHNG 0x80000'],
  ])('flags %i read %j', (mask, text) => {
    expect(flagText(mask)).toBe(text);
  });

  it('never prints a clear text, and the hash only when asked', () => {
    const e = entry('dave', { passwd: '$1$salt$hash', clear: 'sekrit' });
    const hidden = describeEntry(e, 'example.com', { limits: 0, showHash: false }).join('\n');
    expect(hidden).not.toContain('sekrit');
    expect(hidden).not.toContain('$1$salt$hash');
    expect(hidden).toContain('passwd: md5crypt');
    expect(describeEntry(e, 'example.com', { limits: 0, showHash: true }).join('\n')).toContain('passwd: $1$salt$hash');
  });

  it('effective flags add the domain limits, unless V_OVERRIDE', () => {
    const limited = describeEntry(entry('a', { flags: 0 }), 'x', { limits: 0x8, showHash: false });
    expect(limited).toContain('effective-flags: 8 NO_IMAP');
    const over = describeEntry(entry('a', { flags: 0x2000 }), 'x', { limits: 0x8, showHash: false });
    expect(over).toContain('effective-flags: 8192 V_OVERRIDE');
  });
});
