import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpasswordError, TemporaryFailure } from '../../src/exit';
import {
  detectFormat,
  parseHostPort,
  parseRadiusConfig,
  readRadiusConfig,
  splitRadiusConf,
  type ConfigFormat,
  type ServerEntry,
} from '../../src/radius/config';

/** The RADIUS authentication port of RFC 2865. */
const RADIUS_PORT = 1812;

const parse = (text: string, format: ConfigFormat = 'radius.conf') => parseRadiusConfig(text, 'f', format);

/** The one server of a one-line file. */
function one(line: string, format: ConfigFormat = 'radius.conf'): ServerEntry {
  const servers = parse(`${line}\n`, format).servers;
  expect(servers).toHaveLength(1);
  return servers[0]!;
}

/** The error fn throws; fails the test when it throws none. */
function errorOf(fn: () => unknown): CheckpasswordError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CheckpasswordError) return err;
    throw err;
  }
  return expect.unreachable('no error was thrown');
}

/** The detail of the error a one-line file gives. */
const lineError = (line: string, format: ConfigFormat = 'radius.conf'): string => errorOf(() => parse(`${line}\n`, format)).detail ?? '';

describe('radius.conf(5) lines', () => {
  it('an auth line names host[:port] and the secret', () => {
    const s = one('auth auth.domain.com:1645 OurLittleSecret');
    expect([s.host, s.port, s.secret.toString('latin1')]).toEqual(['auth.domain.com', 1645, 'OurLittleSecret']);
  });

  it('acct lines are skipped', () => {
    expect(parse('acct acct.example s1\nauth auth.example s2\n').servers.map((s) => s.host)).toEqual(['auth.example']);
  });

  it('a line without auth or acct is the old form: an auth server', () => {
    const s = one('192.168.27.81  $X*#..38947ax-+=');
    expect([s.host, s.secret.toString('latin1')]).toEqual(['192.168.27.81', '$X*#..38947ax-+=']);
  });

  it('blank lines, leading white space and whole-line comments are ignored', () => {
    expect(parse('# a comment\n\n   \n\t# indented comment\n  \tauth h s\n').servers.map((s) => s.host)).toEqual(['h']);
  });

  it('a field starting with # ends the line, but abc#def is one field', () => {
    expect(splitRadiusConf('auth abc#def ghi #jkl mno', 'f:1')).toEqual(['auth', 'abc#def', 'ghi']);
  });

  it('a trailing comment after the fields does not count as a field', () => {
    expect(one('auth h s 5 # primary server').timeoutMs).toBe(5000);
  });

  it('a quoted secret may hold white space and start with #', () => {
    expect(one('auth h "# I can\'t\tsee you" 5').secret.toString('latin1')).toBe("# I can't\tsee you");
  });

  it('inside quotes \\" is a quote and \\\\ a backslash', () => {
    expect(one('auth h "a\\"b\\\\c"').secret.toString('latin1')).toBe('a"b\\c');
  });

  it('any other backslash escape in quotes is an error', () => {
    expect(lineError('auth h "a\\nb"')).toMatch(/^f:1: .*backslash/);
  });

  it('an empty quoted string is an error', () => {
    expect(lineError('auth h ""')).toMatch(/^f:1: .*empty/);
  });

  it('an unterminated quoted string is an error', () => {
    expect(lineError('auth h "abc def')).toMatch(/^f:1: .*unterminated/);
  });

  it('a closing quote must be followed by white space', () => {
    expect(lineError('auth h "abc"def')).toMatch(/^f:1: .*white space/);
  });

  it('timeout and tries default to 3 seconds and 3 tries', () => {
    const s = one('auth h s');
    expect([s.timeoutMs, s.tries]).toEqual([3000, 3]);
  });

  it('timeout (seconds) and tries are the 4th and 5th fields', () => {
    const s = one('auth h s 10 1');
    expect([s.timeoutMs, s.tries]).toEqual([10_000, 1]);
  });

  it('a fractional timeout is accepted: 0.5 is 500 ms', () => {
    expect(one('auth h s 0.5').timeoutMs).toBe(500);
  });

  it.each(['abc', '0', '-1', '1e3', '5s'])('a timeout of %j is an error', (timeout) => {
    expect(lineError(`auth h s ${timeout}`)).toMatch(/^f:1: .*timeout/);
  });

  it('tries 0 is an error (it counts sends, not retries)', () => {
    expect(lineError('auth h s 3 0')).toMatch(/^f:1: .*tries/);
  });

  it('a deadtime (6th field) is accepted and the 7th field is the bind address', () => {
    const s = one('auth h s 3 3 60 192.0.2.7');
    expect(s.bind).toBe('192.0.2.7');
  });

  it('a bind address that is not an IP address is an error', () => {
    expect(lineError('auth h s 3 3 0 example.com')).toMatch(/^f:1: .*bind address/);
  });

  it('more fields than auth host secret timeout tries deadtime bindaddr is an error, in either form', () => {
    expect(lineError('auth h s 3 3 0 192.0.2.7 extra')).toMatch(/^f:1: .*too many/);
    expect(lineError('h s 3 3 0 192.0.2.7 extra')).toMatch(/^f:1: .*too many/);
  });

  it('a missing secret is an error', () => {
    expect(lineError('auth h')).toMatch(/^f:1: .*secret/);
    expect(lineError('h')).toMatch(/^f:1: .*secret/);
  });

  it('require-message-authenticator (or with _) after the secret sets the flag and is not a positional field', () => {
    expect(one('auth h s').requireMessageAuthenticator).toBe(false);
    const dash = one('auth h s require-message-authenticator 5 2');
    expect([dash.requireMessageAuthenticator, dash.timeoutMs, dash.tries]).toEqual([true, 5000, 2]);
    expect(one('auth h s 5 2 REQUIRE_MESSAGE_AUTHENTICATOR').requireMessageAuthenticator).toBe(true);
  });

  it('a quoted require-message-authenticator in the secret position is the secret', () => {
    const s = one('auth h "require-message-authenticator"');
    expect([s.secret.toString('latin1'), s.requireMessageAuthenticator]).toEqual(['require-message-authenticator', false]);
  });

  it('CRLF line endings read as LF, also after a quoted field', () => {
    const servers = parse('auth h1 s1 5\r\nauth h2 "s 2"\r\n').servers;
    expect(servers.map((s) => [s.secret.toString('latin1'), s.timeoutMs])).toEqual([
      ['s1', 5000],
      ['s 2', 3000],
    ]);
  });

  it('a line longer than 1024 characters is an error; 1024 is accepted', () => {
    const head = 'auth h ';
    expect(one(head + 's'.repeat(1024 - head.length)).secret).toHaveLength(1024 - head.length);
    expect(lineError(head + 's'.repeat(1025 - head.length))).toMatch(/^f:1: .*1024/);
  });

  it('a file with only acct lines or only comments has no authentication server', () => {
    expect(errorOf(() => parse('acct h s\nacct h2 s2\n')).detail).toMatch(/^f: no authentication server/);
    expect(errorOf(() => parse('# nothing\n\n')).detail).toMatch(/^f: no authentication server/);
    expect(errorOf(() => parse('')).detail).toMatch(/^f: no authentication server/);
  });

  it('servers are kept in file order, each with its file:line', () => {
    const servers = parse('auth c s\n# x\nb s\nacct z s\nauth a s\n').servers;
    expect(servers.map((s) => [s.host, s.where])).toEqual([
      ['c', 'f:1'],
      ['b', 'f:3'],
      ['a', 'f:5'],
    ]);
  });

  it('a secret is a Buffer of the latin1 bytes of its field', () => {
    const s = one('auth h "\u00e9t\u00e9 \u00ff"');
    expect(Buffer.isBuffer(s.secret)).toBe(true);
    expect([...s.secret]).toEqual([0xe9, 0x74, 0xe9, 0x20, 0xff]);
  });
});

describe('host[:port]', () => {
  it('host:port is split at the colon', () => {
    expect(parseHostPort('radius.example:1645', 'f:1')).toEqual({ host: 'radius.example', port: 1645 });
  });

  it('[v6]:port gives the address without brackets', () => {
    expect(parseHostPort('[2001:db8::1]:1645', 'f:1')).toEqual({ host: '2001:db8::1', port: 1645 });
  });

  it('a bare IPv6 address such as ::1 has no port', () => {
    expect(parseHostPort('::1', 'f:1')).toEqual({ host: '::1', port: RADIUS_PORT });
  });

  it('no port is 1812, for a name, an IPv4 address and [v6]', () => {
    expect(['h', '192.0.2.1', '[::1]'].map((t) => parseHostPort(t, 'f:1').port)).toEqual([RADIUS_PORT, RADIUS_PORT, RADIUS_PORT]);
  });

  it('the port name "radius" is 1812', () => {
    expect(parseHostPort('h:radius', 'f:1').port).toBe(RADIUS_PORT);
  });

  it.each(['h:0', 'h:65536', 'h:abc', 'h:', 'h:-1', '[::1]:', '[::1]:99999'])('port in %j is an error', (text) => {
    expect(errorOf(() => parseHostPort(text, 'f:1')).detail).toMatch(/^f:1: bad port/);
  });

  it.each(['[::1', '[::1]1812', '[]', ':1812', 'bad/host', 'bad!host'])('host %j is an error', (text) => {
    expect(errorOf(() => parseHostPort(text, 'f:1')).detail).toMatch(/^f:1: .*host/);
  });
});

describe('pam_radius_auth.conf lines', () => {
  it('server and secret alone: port 1812, timeout 3 s, no bind address', () => {
    const s = one('127.0.0.1 secret', 'pam_radius');
    expect([s.host, s.port, s.secret.toString('latin1'), s.timeoutMs, s.bind]).toEqual(['127.0.0.1', RADIUS_PORT, 'secret', 3000, undefined]);
  });

  it('server:port secret timeout source_ip are read by position', () => {
    const s = one('other-server:1645 other-secret 5 192.168.1.10', 'pam_radius');
    expect([s.host, s.port, s.secret.toString('latin1'), s.timeoutMs, s.bind]).toEqual(['other-server', 1645, 'other-secret', 5000, '192.168.1.10']);
  });

  it('each server is sent to once (pam_radius has no tries field)', () => {
    expect(one('h s 10', 'pam_radius').tries).toBe(1);
  });

  it('the timeout is clamped to 3..60 seconds', () => {
    expect(['0', '1', '3', '10', '60', '61', '100'].map((t) => one(`h s ${t}`, 'pam_radius').timeoutMs)).toEqual([
      3000, 3000, 3000, 10_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('a timeout that is not a whole number is an error', () => {
    expect(lineError('h s 0.5', 'pam_radius')).toMatch(/^f:1: .*timeout/);
  });

  it('source_ip 0 means no bind address', () => {
    expect(one('h s 3 0', 'pam_radius').bind).toBeUndefined();
  });

  it('source_ip may be an IPv6 address in [ ]', () => {
    const s = one('[2001:0db8:85a3::4]:1812 other6-secret 3 [2001:0db8:85a3::3]', 'pam_radius');
    expect([s.host, s.port, s.bind]).toEqual(['2001:0db8:85a3::4', 1812, '2001:0db8:85a3::3']);
  });

  it('a vrf gives a warning naming file:line and is otherwise ignored', () => {
    const withVrf = parse('h s 5 192.0.2.1 vrf-blue\n', 'pam_radius');
    const without = parse('h s 5 192.0.2.1\n', 'pam_radius');
    expect(without.warnings).toEqual([]);
    expect(withVrf.warnings).toHaveLength(1);
    expect(withVrf.warnings[0]).toMatch(/^f:1: .*vrf/);
    expect(withVrf.servers).toEqual(without.servers);
  });

  it('lines starting with # are comments', () => {
    expect(parse('# server secret\n   # 10.0.0.1 other\nh s\n', 'pam_radius').servers.map((s) => s.host)).toEqual(['h']);
  });

  it('there is no quoting: a " is part of the secret', () => {
    expect(one('h "ab', 'pam_radius').secret.toString('latin1')).toBe('"ab');
  });

  it('require_message_authenticator after the secret sets the flag there too', () => {
    const s = one('h s require_message_authenticator 10', 'pam_radius');
    expect([s.requireMessageAuthenticator, s.timeoutMs]).toEqual([true, 10_000]);
  });

  it('a line with a server but no secret is an error', () => {
    expect(lineError('h', 'pam_radius')).toMatch(/^f:1: .*secret/);
  });
});

describe('which format a file is in', () => {
  it('a file name containing pam_radius is pam_radius, whatever the text; a directory name does not count', () => {
    expect(detectFormat('/etc/pam_radius_auth.conf', 'auth h "s" 3 3\n')).toBe('pam_radius');
    expect(detectFormat('/etc/pam_radius/radius.conf', 'h s 3 3\n')).toBe('radius.conf');
  });

  it('a line whose first field is auth or acct makes it radius.conf', () => {
    expect(detectFormat('/etc/x.conf', 'h s 3 192.0.2.1\nauth h2 s2\n')).toBe('radius.conf');
    expect(detectFormat('/etc/x.conf', 'acct h2 s2\nh s 3 192.0.2.1\n')).toBe('radius.conf');
  });

  it('a quoted field makes it radius.conf', () => {
    expect(detectFormat('/etc/x.conf', 'h "s" 3 192.0.2.1\n')).toBe('radius.conf');
  });

  it('a 4th field that is not a number makes it pam_radius', () => {
    expect(detectFormat('/etc/x.conf', 'h s 3 3\nh2 s2 3 192.0.2.1\n')).toBe('pam_radius');
  });

  it('otherwise it is radius.conf', () => {
    expect(detectFormat('/etc/x.conf', '# h s 3 192.0.2.1\nh s\nh2 s2 5 2\n')).toBe('radius.conf');
  });

  it('a radius.conf trailing comment after the timeout is not a 4th field', () => {
    expect(detectFormat('/etc/x.conf', '10.0.0.1 secret 5 # primary\n')).toBe('radius.conf');
  });

  it('the require-message-authenticator keyword is not a 4th field', () => {
    expect(detectFormat('/etc/x.conf', 'h s 3 require-message-authenticator\n')).toBe('radius.conf');
  });
});

describe('config errors', () => {
  const BAD: [string, ConfigFormat][] = [
    ['auth h "a\\qb"', 'radius.conf'],
    ['auth h ""', 'radius.conf'],
    ['auth h "abc', 'radius.conf'],
    ['auth h "abc"x', 'radius.conf'],
    ['auth h s 0', 'radius.conf'],
    ['auth h s 3 0', 'radius.conf'],
    ['auth h s 3 3 x', 'radius.conf'],
    ['auth h s 3 3 0 not-an-ip', 'radius.conf'],
    ['auth h s 3 3 0 ::1 extra', 'radius.conf'],
    ['auth h', 'radius.conf'],
    ['auth', 'radius.conf'],
    ['auth h:0 s', 'radius.conf'],
    ['auth [::1 s', 'radius.conf'],
    [`auth h ${'s'.repeat(1100)}`, 'radius.conf'],
    ['h', 'pam_radius'],
    ['h s x', 'pam_radius'],
    ['h s 3 not-an-ip', 'pam_radius'],
    ['h:99999 s', 'pam_radius'],
  ];

  it.each(BAD)('%j (%s) is a TemporaryFailure, exit 111, config-error, naming file:line', (line, format) => {
    const kw = format === 'radius.conf' ? 'auth ' : '';
    const err = errorOf(() => parseRadiusConfig(`${kw}ok s\n# comment\n${line}\n${kw}later s\n`, '/etc/x.conf', format));
    expect(err).toBeInstanceOf(TemporaryFailure);
    expect(err.exitCode).toBe(111);
    expect(err.reason).toBe('config-error');
    expect(err.detail).toMatch(/^\/etc\/x\.conf:3: /);
  });

  it('"no authentication server" is a TemporaryFailure, exit 111, config-error, naming the file', () => {
    const err = errorOf(() => parseRadiusConfig('acct h s\n', '/etc/x.conf', 'radius.conf'));
    expect(err).toBeInstanceOf(TemporaryFailure);
    expect([err.exitCode, err.reason]).toEqual([111, 'config-error']);
    expect(err.detail).toMatch(/^\/etc\/x\.conf: /);
  });

  const SENTINEL = 'S3cr3t-Sentinel';
  const [HALF1, HALF2] = SENTINEL.split('-') as [string, string];
  const LEAKY: [string, ConfigFormat][] = [
    [`auth h ${HALF1} ${HALF2}`, 'radius.conf'], // unquoted space: second half is the timeout
    [`auth h ${SENTINEL} 3 ${HALF2}`, 'radius.conf'], // tries
    [`auth h ${SENTINEL} 3 3 ${HALF2}`, 'radius.conf'], // deadtime
    [`auth h ${SENTINEL} 3 3 0 ${HALF2}`, 'radius.conf'], // bind address
    [`auth h ${SENTINEL} 3 3 0 ::1 ${HALF2}`, 'radius.conf'], // too many fields
    [`auth h "${HALF1} ${HALF2}`, 'radius.conf'], // unterminated
    [`auth h "${HALF1}\\${HALF2}"`, 'radius.conf'], // bad escape
    [`auth h "${SENTINEL}"${HALF2}`, 'radius.conf'], // no white space after the quote
    [`auth ${SENTINEL}`, 'radius.conf'], // the secret where the host goes: missing secret
    [`auth h:${SENTINEL} s`, 'radius.conf'], // bad port
    [`auth ${HALF1}!${HALF2} s`, 'radius.conf'], // bad host
    [`auth [${SENTINEL} s`, 'radius.conf'], // unclosed [
    [`auth h ${SENTINEL} ${'x'.repeat(1100)}`, 'radius.conf'], // too long
    [`h ${HALF1} ${HALF2}`, 'pam_radius'], // timeout
    [`h ${SENTINEL} 3 ${HALF2}`, 'pam_radius'], // source_ip
    [`h:${HALF2} ${HALF1}`, 'pam_radius'], // bad port
    [`${SENTINEL}`, 'pam_radius'], // missing secret
  ];

  it.each(LEAKY)('no part of the secret appears in the error for %j (%s)', (line, format) => {
    const err = errorOf(() => parseRadiusConfig(`${line}\n`, 'f', format));
    for (const text of [err.detail ?? '', err.message]) {
      expect(text).not.toContain(HALF1);
      expect(text).not.toContain(HALF2);
    }
  });

  it('no part of the secret appears in a warning', () => {
    const config = parse(`h ${SENTINEL} 3 0 ${HALF2}\n`, 'pam_radius');
    expect(config.warnings).toHaveLength(1);
    expect(config.warnings.join('\n')).not.toContain(HALF1);
    expect(config.warnings.join('\n')).not.toContain(HALF2);
  });
});

describe('reading a config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'radius-config-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, content: string | Buffer, mode: number): string {
    const file = join(dir, name);
    writeFileSync(file, content);
    chmodSync(file, mode);
    return file;
  }

  it('a missing file is a TemporaryFailure, exit 111, config-unreadable', () => {
    const err = errorOf(() => readRadiusConfig(join(dir, 'missing.conf'), 'auto'));
    expect(err).toBeInstanceOf(TemporaryFailure);
    expect([err.exitCode, err.reason]).toEqual([111, 'config-unreadable']);
  });

  it('a file readable by group or others gives a warning', () => {
    const config = readRadiusConfig(write('open.conf', 'auth h s\n', 0o644), 'auto');
    expect(config.warnings).toHaveLength(1);
    expect(config.warnings[0]).toMatch(/readable by group or others/);
  });

  it('a file of mode 0600 gives no warning', () => {
    expect(readRadiusConfig(write('closed.conf', 'auth h s\n', 0o600), 'auto').warnings).toEqual([]);
  });

  it('the secret is the file\'s bytes, also those that are not UTF-8', () => {
    const bytes = Buffer.from([0x53, 0xe9, 0xff, 0x80, 0x21]);
    const file = write('bytes.conf', Buffer.concat([Buffer.from('auth h '), bytes, Buffer.from('\n')]), 0o600);
    expect(readRadiusConfig(file, 'radius.conf').servers[0]!.secret.equals(bytes)).toBe(true);
  });

  it("'auto' reads pam_radius_auth.conf as pam_radius and other names by their text", () => {
    const pam = readRadiusConfig(write('pam_radius_auth.conf', 'h s 1\n', 0o600), 'auto');
    expect([pam.format, pam.servers[0]!.timeoutMs, pam.servers[0]!.tries]).toEqual(['pam_radius', 3000, 1]);
    const conf = readRadiusConfig(write('radius.conf', '10.0.0.1 secret 5 # primary\n', 0o600), 'auto');
    expect([conf.format, conf.servers[0]!.timeoutMs, conf.servers[0]!.tries]).toEqual(['radius.conf', 5000, 3]);
  });

  it('a format given is used whatever the file name', () => {
    expect(readRadiusConfig(write('pam_radius_2.conf', 'h s 1\n', 0o600), 'radius.conf').servers[0]!.timeoutMs).toBe(1000);
  });
});
