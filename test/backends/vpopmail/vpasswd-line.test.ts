import { describe, expect, it } from 'vitest';
import { FLAGS } from '../../../src/backends/vpopmail/flags';
import { findVpasswdLine, parseVpasswdValue, stripScheme } from '../../../src/backends/vpopmail/vpasswd-line';

// The research's example file (hashes made with openssl passwd / mkpasswd).
const SHA512 =
  '$6$Xy7./Qz9$MgsgypZlBPhZI9EamAn4LBkoA/Uey0LTymHkLdqd.34tAhbhXcPfVL30DP1/LkTbUgyXBndWBqtwsn3LHctLS0';
const MD5 = '$1$a1B2c3D4$jA1gNzkv3eTh1rqamoiM.1';
const DES = 'WbDVelMUYn.ME';
const FILE = [
  `postmaster:${SHA512}:1:0:Postmaster:/home/vpopmail/domains/example.com/postmaster:NOQUOTA`,
  `alice:${MD5}:1:2:Alice Example:/home/vpopmail/domains/example.com/alice:52428800S,1000C:secret123`,
  `bob:${DES}:1:2048:bob:/home/vpopmail/domains/example.com/0/bob:NOQUOTA:`,
  '',
].join('\n');

describe('vpasswd.cdb values', () => {
  it('a 7-field record has no clear-text field (null)', () => {
    expect(parseVpasswdValue('postmaster', `${SHA512}:1:0:Postmaster:/home/vpopmail/domains/example.com/postmaster:NOQUOTA`)).toEqual({
      name: 'postmaster',
      passwd: SHA512,
      uid: 1,
      flags: 0,
      gecos: 'Postmaster',
      dir: '/home/vpopmail/domains/example.com/postmaster',
      quota: 'NOQUOTA',
      clear: null,
    });
  });

  it('an 8-field record carries the clear-text password and the flags of field 4', () => {
    const e = parseVpasswdValue('alice', `${MD5}:1:2:Alice Example:/home/vpopmail/domains/example.com/alice:52428800S,1000C:secret123`);
    expect(e.clear).toBe('secret123');
    expect(e.flags).toBe(FLAGS.NO_POP);
    expect(e.quota).toBe('52428800S,1000C');
  });

  it('an empty 8th field is an empty clear-text password, not a missing one', () => {
    expect(parseVpasswdValue('bob', `${DES}:1:2048:bob:/d/0/bob:NOQUOTA:`).clear).toBe('');
  });

  it('the clear-text field is the rest of the value and may contain colons', () => {
    expect(parseVpasswdValue('c', 'x:1:0:c:/d/c:NOQUOTA:pa:ss::word:').clear).toBe('pa:ss::word:');
  });

  it('missing trailing fields become empty strings', () => {
    expect(parseVpasswdValue('m', 'hash:1')).toEqual({
      name: 'm',
      passwd: 'hash',
      uid: 1,
      flags: 0,
      gecos: '',
      dir: '',
      quota: '',
      clear: null,
    });
    expect(parseVpasswdValue('m', '')).toMatchObject({ passwd: '', uid: 0, flags: 0, clear: null });
  });

  it('a non-numeric gid (or uid) is 0, as atoi gives', () => {
    const e = parseVpasswdValue('n', 'x:apop:none:n:/d/n:NOQUOTA');
    expect(e.uid).toBe(0);
    expect(e.flags).toBe(0);
  });

  it('uid and gid take the leading digits, after blanks and a sign, like C atoi', () => {
    expect(parseVpasswdValue('n', 'x:2x:2048abc:n:/d:NOQUOTA')).toMatchObject({ uid: 2, flags: 2048 });
    expect(parseVpasswdValue('n', 'x: 1:+8:n:/d:NOQUOTA')).toMatchObject({ uid: 1, flags: 8 });
    expect(parseVpasswdValue('n', 'x:1:-1:n:/d:NOQUOTA').flags).toBe(0xffffffff);
  });

  it('non-UTF-8 bytes survive as latin1', () => {
    const gecos = Buffer.from([0x4a, 0xf6, 0x72, 0x67]).toString('latin1');
    const clear = Buffer.from([0xff, 0x00, 0x80]).toString('latin1');
    const e = parseVpasswdValue('j', `x:1:0:${gecos}:/d/j:NOQUOTA:${clear}`);
    expect(Buffer.from(e.gecos, 'latin1')).toEqual(Buffer.from([0x4a, 0xf6, 0x72, 0x67]));
    expect(Buffer.from(e.clear!, 'latin1')).toEqual(Buffer.from([0xff, 0x00, 0x80]));
  });
});

describe('the text vpasswd file', () => {
  it('finds 7- and 8-field lines by name', () => {
    expect(findVpasswdLine(FILE, 'postmaster')?.clear).toBeNull();
    expect(findVpasswdLine(FILE, 'alice')?.clear).toBe('secret123');
    expect(findVpasswdLine(FILE, 'bob')).toMatchObject({ passwd: DES, flags: FLAGS.NO_SMTP, clear: '' });
  });

  it('keeps the hashed bucket of the home directory as it is', () => {
    expect(findVpasswdLine(FILE, 'bob')?.dir).toBe('/home/vpopmail/domains/example.com/0/bob');
  });

  it('matches the first field exactly, not a prefix or another case', () => {
    expect(findVpasswdLine(FILE, 'ali')).toBeNull();
    expect(findVpasswdLine(FILE, 'Alice')).toBeNull();
    expect(findVpasswdLine(FILE, 'alice:')).toBeNull();
    expect(findVpasswdLine(`alice2:x:1:0:a:/d:NOQUOTA\n${FILE}`, 'alice')?.passwd).toBe(MD5);
  });

  it('the first line for a name wins', () => {
    const text = 'dup:first:1:0:d:/d:NOQUOTA\ndup:second:1:0:d:/d:NOQUOTA\n';
    expect(findVpasswdLine(text, 'dup')?.passwd).toBe('first');
  });

  it('skips lines with fewer than 6 colons, even for the right name', () => {
    const text = 'carol:short:1:0:c:/d\ncarol:ok:1:0:c:/d:NOQUOTA\n';
    expect(findVpasswdLine(text, 'carol')?.passwd).toBe('ok');
    expect(findVpasswdLine('carol:short:1:0:c:/d\n', 'carol')).toBeNull();
  });

  it('finds a last line without a newline', () => {
    expect(findVpasswdLine('dave:x:1:0:d:/d/dave:NOQUOTA:pw', 'dave')?.clear).toBe('pw');
  });

  it('finds a clear-text field containing a colon in the text file too', () => {
    expect(findVpasswdLine('erin:x:1:0:e:/d/erin:NOQUOTA:a:b\n', 'erin')?.clear).toBe('a:b');
  });

  it('is null for an unknown name and for an empty file', () => {
    expect(findVpasswdLine(FILE, 'mallory')).toBeNull();
    expect(findVpasswdLine('', 'alice')).toBeNull();
  });
});

describe('scheme tags', () => {
  it('a leading {SHA512-CRYPT} tag is removed', () => {
    expect(stripScheme(`{SHA512-CRYPT}${SHA512}`)).toBe(SHA512);
    expect(stripScheme(`{MD5-CRYPT}${MD5}`)).toBe(MD5);
  });

  it('a value without a tag is unchanged', () => {
    expect(stripScheme(SHA512)).toBe(SHA512);
    expect(stripScheme('')).toBe('');
  });

  it('only a tag at the very start counts, and it needs its closing brace', () => {
    expect(stripScheme(`x{CRYPT}${DES}`)).toBe(`x{CRYPT}${DES}`);
    expect(stripScheme('{CRYPT')).toBe('{CRYPT');
    expect(stripScheme('{}abc')).toBe('abc');
  });
});
