// Tests for the pure-TS hash fallbacks (src/crypt/*) against every row of the shared vectors
// for their formats, plus malformed settings and the constant-time helpers.
import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { md5Crypt } from '../../src/crypt/md5-crypt';
import { shaCrypt } from '../../src/crypt/sha-crypt';
import { scryptCrypt } from '../../src/crypt/scrypt-crypt';
import { verifyLdapDigest } from '../../src/crypt/ldap-digest';
import { equalBytes, equalSecret } from '../../src/crypt/constant-time';
import { decodeLittleEndian, encodeLittleEndian, encodePermuted } from '../../src/crypt/itoa64';

const VECTORS = path.resolve(__dirname, '../../../shared/vectors');

type CryptFn = (password: Buffer, setting: string) => string | null;

const CRYPT_FORMATS: Readonly<Record<string, CryptFn>> = {
  md5crypt: md5Crypt,
  apr1: md5Crypt,
  sha256crypt: shaCrypt,
  sha512crypt: shaCrypt,
  scrypt: scryptCrypt,
};
const LDAP_FORMATS = new Set(['ldap-sha', 'ldap-ssha', 'ldap-ssha256', 'ldap-ssha512']);

interface Row {
  name: string;
  format: string;
  password: Buffer;
  hash: string;
  match: boolean;
}

/** Rows of one vector file (split on tabs, nothing trimmed), only for the formats tested here. */
function readRows(file: string): Row[] {
  const lines = fs.readFileSync(path.join(VECTORS, file), 'utf8').split('\n').filter((l) => l !== '');
  const head = lines.shift()!.split('\t');
  const rows: Row[] = [];
  lines.forEach((line, i) => {
    const fields = line.split('\t');
    if (fields.length !== head.length) throw new Error(`${file} line ${i + 2}: ${fields.length} fields`);
    const r = Object.fromEntries(head.map((h, j) => [h, fields[j]!]));
    const format = r['format']!;
    if (!(format in CRYPT_FORMATS) && !LDAP_FORMATS.has(format)) return;
    if (r['expect'] !== 'match' && r['expect'] !== 'nomatch') throw new Error(`${file} line ${i + 2}: expect`);
    rows.push({
      name: `${file}:${i + 2} ${format} ${r['note']} -> ${r['expect']}`,
      format,
      password: 'password_hex' in r ? Buffer.from(r['password_hex']!, 'hex') : Buffer.from(r['password']!, 'utf8'),
      hash: r['hash']!,
      match: r['expect'] === 'match',
    });
  });
  return rows;
}

const ROWS = [...readRows('crypt.tsv'), ...readRows('crypt-bytes.tsv')];

describe('vectors', () => {
  it('has rows for every format tested here', () => {
    for (const format of [...Object.keys(CRYPT_FORMATS), ...LDAP_FORMATS]) {
      expect(ROWS.filter((r) => r.format === format && r.match).length, format).toBeGreaterThan(0);
      expect(ROWS.filter((r) => r.format === format && !r.match).length, format).toBeGreaterThan(0);
    }
  });

  it.each(ROWS.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const fn = CRYPT_FORMATS[row.format];
    if (fn !== undefined) {
      const out = fn(row.password, row.hash);
      expect(out).not.toBeNull(); // the stored hash is always a well-formed setting
      expect(out === row.hash).toBe(row.match);
    } else {
      expect(verifyLdapDigest(row.password, row.hash)).toBe(row.match);
    }
  });
});

// Settings run through libxcrypt 4.4.33's crypt() (Perl's crypt on Debian 12, password
// "password") and `openssl passwd -apr1` for the apr1 rows; '*0' there is null here.
const PW = Buffer.from('password');

describe('settings as libxcrypt reads them', () => {
  it.each([
    ['$1$123456789$', '$1$12345678$o2n/JiO/h5VviOInWJ4OQ/'],
    ['$1$ab', '$1$ab$oKsM6dtDD2L1bKowOBX.7.'],
    ['$apr1$abcdefghij', '$apr1$abcdefgh$FBwExRW4dCc8aL.OvjpIE1'],
    ['$6$salt', '$6$salt$IxDD3jeSOb5eB1CX5LBsqZFVkJdido3OUILO5Ifz5iwMuTS4XMS130MTSuDDl3aCI6WouIL9AjRbLCelDCy.g.'],
    ['$6$salt$garbage$more', '$6$salt$IxDD3jeSOb5eB1CX5LBsqZFVkJdido3OUILO5Ifz5iwMuTS4XMS130MTSuDDl3aCI6WouIL9AjRbLCelDCy.g.'],
    [
      '$6$rounds=5000$salt$hashgarbage',
      '$6$rounds=5000$salt$IxDD3jeSOb5eB1CX5LBsqZFVkJdido3OUILO5Ifz5iwMuTS4XMS130MTSuDDl3aCI6WouIL9AjRbLCelDCy.g.',
    ],
    [
      '$6$toolongsaltstring1234$',
      '$6$toolongsaltstrin$M0BTHgNHPf6rMLaQ06VwwE2xw12Du/Agi8jFBTjEOPe0jaoqzcyNlUUuI8wN3sqmPnr/aVkVw7PjTYb9z4rQR0',
    ],
    [
      '$6$ROUNDS=1000$x$',
      '$6$ROUNDS=1000$DCbldTm3gh3Y6MFZKEC/Pg4T7rC8m0ogxU7RIfL7vv92Y3MacDXsT/rKukZDP4tzH5W9whQaP8E49QMvxBwv5/',
    ],
    [
      '$6$rounds=1000$rounds=2000$x$',
      '$6$rounds=1000$rounds=2000$3kB95kzajR9S1Qo3.aJm7F7JADBqQ4i4EXJHD0JS7F071wATK7vut7RLVX0MuagFrKFr1U/XQjVd.yH2MjiM7.',
    ],
    ['$7$CU..../....abc', '$7$CU..../....abc$aq9nTbuadDKl/OmAH9ktvpXiAjiuBYpB578rVYQ/6K/'],
    ['$7$CU..../....abc$def$', '$7$CU..../....abc$def$Kt7HJl6LwDo64nzIUtbyB1IkeogGylUsKcCg8vPNtT2'],
    ['$7$0/..../....salt$', '$7$0/..../....salt$iETCBMMT8XxHvmV/CxLu24Su3aU6gKIkPw0A61pEtr9'],
  ])('%s', (setting, want) => {
    const fn = setting.startsWith('$7$') ? scryptCrypt : setting.startsWith('$6$') ? shaCrypt : md5Crypt;
    expect(fn(PW, setting)).toBe(want);
  });
});

describe('malformed settings give null', () => {
  it.each([
    '$6$rounds=10$x$',
    '$6$rounds=999$x$',
    '$6$rounds=1000000000$s$',
    '$6$rounds=abc$salt$',
    '$6$rounds=01000$salt$',
    '$6$rounds=+1000$s$',
    '$6$rounds=$s$',
    '$6$rounds=1000x$s$',
    '$5$rounds=1000',
    '$6$sa!t$',
    '$6$salt$gar!bage',
    '$5$rounds=1000$salt$x;y',
    '$6$',
    '$6$$',
    '$5$rounds=5000$$',
    '$2b$05$abcdefghijklmnopqrstuu',
    '',
  ])('shaCrypt %j', (setting) => {
    expect(shaCrypt(PW, setting)).toBeNull();
  });

  it.each(['$1$', '$1$$', '$apr1$', '$1$ab!c$', '$1$abcdefgh!$', '$1$salt$ab cd', '$1$s\u00e4lt$', '$5$salt$', '$1'])(
    'md5Crypt %j',
    (setting) => {
      expect(md5Crypt(PW, setting)).toBeNull();
    },
  );

  it.each([
    '$7$',
    '$7$CU..../...',
    '$7$CU..../....',
    '$7$./..../....salt$', // N = 1
    '$7$//..../....salt$', // N = 2, refused by libxcrypt
    '$7$C.........salt$', // r = 0, p = 0
    '$7$CU........salt$', // p = 0
    '$7$4zzzzz/....salt$', // r = 2^30 - 1
    '$7$4/....zzzzzsalt$', // p = 2^30 - 1
    '$7$z/..../....salt$', // N = 2^63
    '$7$JU..../....salt$', // N = 2^21, r = 32: 8 GiB
    '$7$CU..../....sa!t$',
    '$7$C!..../....salt$',
  ])('scryptCrypt %j', (setting) => {
    expect(scryptCrypt(PW, setting)).toBeNull();
  });

  it('refuses passwords of 512 bytes or more where libxcrypt does', () => {
    const long = Buffer.alloc(512, 0x61);
    expect(shaCrypt(long, '$6$salt$')).toBeNull();
    expect(md5Crypt(long, '$1$salt$')).toBeNull();
    expect(scryptCrypt(long, '$7$4/..../....salt$')).toBeNull();
    expect(shaCrypt(long.subarray(0, 511), '$6$salt$')).toMatch(/^\$6\$salt\$[./0-9A-Za-z]{86}$/);
    // apr1 is not libxcrypt's; Apache has no such limit.
    expect(md5Crypt(long, '$apr1$salt$')).toMatch(/^\$apr1\$salt\$[./0-9A-Za-z]{22}$/);
  });

  it.each([
    '{SHA}notbase64!',
    '{SHA}',
    '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g', // one character short of the 20 bytes (27 chars)
    '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=AAAA',
    '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9h=', // stray bits in the last character
    '{SHA} W6ph5Mm5Pz8GgiULbPgzG37mj9g=',
    '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n',
    '{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=', // digest without salt
    '{SSHA256}AAAA',
    '{MD5}X03MO1qnZdYdgyfeuILPmQ==',
    '{SHA256}XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=',
    '{CRYPT}$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/',
    'W6ph5Mm5Pz8GgiULbPgzG37mj9g=',
    '{SHA',
  ])('verifyLdapDigest %j', (stored) => {
    expect(verifyLdapDigest(PW, stored)).toBeNull();
  });

  it('reads the scheme tag case-insensitively', () => {
    expect(verifyLdapDigest(PW, '{sha}W6ph5Mm5Pz8GgiULbPgzG37mj9g=')).toBe(true);
    expect(verifyLdapDigest(PW, '{Ssha}KxJaBacHgeqIBZnphi74p7Xmoz4ShOJr')).toBe(true);
    expect(verifyLdapDigest(PW, '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g')).toBeNull();
  });
});

describe('itoa64', () => {
  it('encodes little-endian groups and decodes them back', () => {
    expect(encodeLittleEndian(Uint8Array.of(0, 0, 0))).toBe('....');
    expect(encodeLittleEndian(Uint8Array.of(1))).toBe('/.');
    expect(encodeLittleEndian(Uint8Array.of(0xff, 0xff))).toBe('zzD');
    expect(decodeLittleEndian('U....', 0, 5)).toBe(32);
    expect(decodeLittleEndian('zzzzz', 0, 5)).toBe(2 ** 30 - 1);
    expect(decodeLittleEndian('U..!.', 0, 5)).toBe(-1);
    expect(decodeLittleEndian('U...', 0, 5)).toBe(-1);
  });

  it('encodes permuted groups high byte first, with a short last group', () => {
    expect(encodePermuted(Uint8Array.of(0, 0, 1), [0, 1, 2])).toBe('/...');
    expect(encodePermuted(Uint8Array.of(1, 0, 0), [2, 1, 0])).toBe('/...');
    expect(encodePermuted(Uint8Array.of(0xff), [0])).toBe('z1');
    expect(encodePermuted(Uint8Array.of(0xff, 0xff), [0, 1])).toBe('zzD');
  });
});

describe('equalBytes', () => {
  it('is true for equal contents, including empty', () => {
    expect(equalBytes(Buffer.from('$6$abc'), Buffer.from('$6$abc'))).toBe(true);
    expect(equalBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it('is false for different lengths', () => {
    expect(equalBytes(Buffer.from('abc'), Buffer.from('abcd'))).toBe(false);
    expect(equalBytes(Buffer.from('abcd'), Buffer.from('abc'))).toBe(false);
    expect(equalBytes(new Uint8Array(0), Uint8Array.of(0))).toBe(false);
  });

  it('is false for a one-bit difference at any position and bit', () => {
    const a = Buffer.from('$6$rounds=5000$salt$abcdefghijklmnop');
    for (let i = 0; i < a.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const b = Buffer.from(a);
        b[i]! ^= 1 << bit;
        expect(equalBytes(a, b)).toBe(false);
      }
    }
  });
});

describe('equalSecret', () => {
  it('compares plaintext secrets of any length', () => {
    expect(equalSecret(Buffer.from('secret'), Buffer.from('secret'))).toBe(true);
    expect(equalSecret(Buffer.alloc(0), Buffer.alloc(0))).toBe(true);
    expect(equalSecret(Buffer.from('secret'), Buffer.from('Secret'))).toBe(false);
    expect(equalSecret(Buffer.from('secret'), Buffer.from('secret!'))).toBe(false);
    expect(equalSecret(Buffer.from('secret'), Buffer.alloc(0))).toBe(false);
    expect(equalSecret(Buffer.from([0x70, 0xe4]), Buffer.from('pä'))).toBe(false);
  });
});
