import { describe, expect, it } from 'vitest';
import { parsePasswd, parseShadow } from '../../src/backends/passwd-file';
import { readStore } from '../../src/backends/store-file';
import { EXIT, type CheckpasswordError } from '../../src/exit';

describe('passwd(5) lines', () => {
  it('seven fields give an entry with numeric uid and gid', () => {
    expect(parsePasswd('alice:x:1000:100:Alice A:/home/alice:/bin/sh\n')).toEqual([
      { name: 'alice', password: 'x', uid: 1000, gid: 100, home: '/home/alice', shell: '/bin/sh' },
    ]);
  });

  it('lines that getpwnam would not return are skipped: wrong field count, bad ids, NIS +/- lines, blanks', () => {
    const text = ['short:x:1', 'bad:x:one:1::/:/bin/sh', '+nis:::::', '-nis:::::', '', 'ok:x:1:1::/:/bin/sh'].join('\n');
    expect(parsePasswd(text).map((e) => e.name)).toEqual(['ok']);
  });

  it('an empty password field is kept as empty (and then refused as such)', () => {
    expect(parsePasswd('e::1:1::/:/bin/sh')[0]!.password).toBe('');
  });

  it('bytes that are not UTF-8 survive as latin1', () => {
    const name = Buffer.from([0x6a, 0xf6, 0x72, 0x67]).toString('latin1');
    expect(parsePasswd(`${name}:x:1:1::/:/bin/sh`)[0]!.name).toBe(name);
  });
});

describe('shadow(5) lines', () => {
  it('map names to the second field', () => {
    expect(parseShadow('a:$6$s$h:19000:0:99999:7:::\nb:!:1::::::\n')).toEqual(new Map([['a', '$6$s$h'], ['b', '!']]));
  });

  it('the first line for a name wins, as getspnam', () => {
    expect(parseShadow('a:first:1\na:second:1\n').get('a')).toBe('first');
  });
});

describe('reading a store', () => {
  it('a missing file is a temporary failure, exit 111, never "unknown user"', () => {
    try {
      readStore('/nonexistent/passwd');
      expect.unreachable();
    } catch (err) {
      expect((err as CheckpasswordError).exitCode).toBe(EXIT.temporary);
      expect((err as CheckpasswordError).detail).toBe('cannot read /nonexistent/passwd: ENOENT');
    }
  });
});
