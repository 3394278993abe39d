// docs/fail2ban/filter.d/checkpassword.conf against log lines the real programs wrote: passwd and
// vpopmail stores made by mkpasswd and tinycdb, RADIUS against a real FreeRADIUS, --log syslog
// received on a unix socket (and --log stderr lines dated by hand), then Debian's fail2ban-regex.

import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFreeRadius, type FreeRadius } from '../support/freeradius';
import { RECORD_PROG, ROOT, bin, makeHome, request, runProgramAsync, scratchDir } from '../support/run';
import { startSyslogReceiver, type SyslogReceiver } from '../support/syslog-receiver';
import { buildVpopmailTree, mkpasswd } from '../support/vpopmail-tree';

const FILTER = join(ROOT, 'docs/fail2ban/filter.d/checkpassword.conf');
const JAIL = join(ROOT, 'docs/fail2ban/jail.d/checkpassword.conf');
const UID = 45641;
const GID = 45642;
/** The address a hostile login tries to get banned instead of its own. */
const FRAMED = '6.6.6.6';

/** One login: what runs, from where, and whether the filter must count it. */
interface Case {
  name: string;
  program: string;
  args: () => string[];
  input: Buffer;
  /** TCPREMOTEIP; null leaves it unset. */
  remote: string | null;
  env?: Record<string, string>;
  /** The start of the line: outcome and reason, to be sure the login went where the case says. */
  line: string;
  exit: number;
  /** The filter counts this line against `remote`. */
  counts: boolean;
  /** Log to stderr (dated by the test, as a log service would) instead of syslog. */
  stderr?: boolean;
}

let dir: string;
let passwd: string;
let vpopHome: string;
let qmailDir: string;
let radius: FreeRadius;
let radiusConf: string;
let deafConf: string;
let receiver: SyslogReceiver;
/**
 * The log as a syslog daemon writes it (RFC 3164 dates), and with RFC 3339 dates as rsyslog's
 * RSYSLOG_FileFormat writes them (the stderr lines there dated as tai64nlocal does).
 */
const traditional: string[] = [];
const rfc3339: string[] = [];
const results: { c: Case; line: string }[] = [];

const passwdOpts = () => ['--passwd', passwd, '--shadow', 'none'];
const vpopOpts = () => ['--vpopmail-home', vpopHome, '--qmail-dir', qmailDir, '--service', 'pop3'];
const HOSTILE = `x" remote=${FRAMED} ms=1`;

const CASES: Case[] = [
  // checkpassword-passwd
  { name: 'passwd bad password', program: 'checkpassword-passwd', args: passwdOpts, input: request('alice', 'wrong'), remote: '192.0.2.1', line: 'reject reason=bad-password', exit: 1, counts: true },
  { name: 'passwd unknown user over IPv6', program: 'checkpassword-passwd', args: passwdOpts, input: request('mallory', 'guess'), remote: '2001:db8::1', line: 'reject reason=unknown-user', exit: 1, counts: true },
  { name: 'passwd locked account', program: 'checkpassword-passwd', args: passwdOpts, input: request('locked', 'guess'), remote: '192.0.2.2', line: 'reject reason=locked', exit: 1, counts: true },
  { name: 'passwd empty password field', program: 'checkpassword-passwd', args: passwdOpts, input: request('nopass', 'guess'), remote: '192.0.2.5', line: 'reject reason=empty-password', exit: 1, counts: true },
  { name: 'passwd hostile login', program: 'checkpassword-passwd', args: passwdOpts, input: request(HOSTILE, 'guess'), remote: '192.0.2.3', line: 'reject reason=unknown-user login="x\\x22 remote=6.6.6.6', exit: 1, counts: true },
  { name: 'passwd hostile login, no client address', program: 'checkpassword-passwd', args: passwdOpts, input: request(HOSTILE, 'guess'), remote: null, line: 'reject reason=unknown-user', exit: 1, counts: false },
  { name: 'passwd input too long over IPv6', program: 'checkpassword-passwd', args: passwdOpts, input: Buffer.alloc(600, 'a'), remote: '2001:db8::2', line: 'reject reason=input-too-long', exit: 1, counts: true },
  { name: 'passwd accept', program: 'checkpassword-passwd', args: passwdOpts, input: request('alice', 'alice-secret'), remote: '192.0.2.50', line: 'accept reason=ok', exit: 0, counts: false },
  { name: 'passwd root with the right password', program: 'checkpassword-passwd', args: passwdOpts, input: request('toor', 'toor-secret'), remote: '192.0.2.54', line: 'reject reason=uid-below-minimum', exit: 1, counts: false },
  { name: 'passwd store missing', program: 'checkpassword-passwd', args: () => ['--passwd', join(dir, 'missing'), '--shadow', 'none'], input: request('alice', 'x'), remote: '192.0.2.51', line: 'tempfail reason=store-unreadable', exit: 111, counts: false },
  { name: 'passwd malformed input', program: 'checkpassword-passwd', args: passwdOpts, input: Buffer.from('alice'), remote: '192.0.2.52', line: 'misuse reason=malformed-input', exit: 2, counts: false },
  { name: 'passwd Dovecot lookup of an unknown user', program: 'checkpassword-passwd', args: passwdOpts, input: request('nobody@example.org', '', ''), remote: '192.0.2.53', env: { ORIG_UID: String(process.getuid!()), AUTHORIZED: '1' }, line: 'reject reason=unknown-user', exit: 3, counts: false },
  { name: 'passwd Dovecot lookup of a known user', program: 'checkpassword-passwd', args: passwdOpts, input: request('alice', '', ''), remote: '192.0.2.55', env: { ORIG_UID: String(process.getuid!()), AUTHORIZED: '1' }, line: 'accept reason=ok', exit: 0, counts: false },
  // checkpassword-vpopmail
  { name: 'vpopmail bad password', program: 'checkpassword-vpopmail', args: vpopOpts, input: request('bob@example.com', 'wrong'), remote: '198.51.100.1', line: 'reject reason=bad-password', exit: 1, counts: true },
  { name: 'vpopmail unknown user over IPv6', program: 'checkpassword-vpopmail', args: vpopOpts, input: request('nobody@example.com', 'guess'), remote: '2001:db8::3', line: 'reject reason=unknown-user', exit: 1, counts: true },
  { name: 'vpopmail invalid login', program: 'checkpassword-vpopmail', args: vpopOpts, input: request('bo:b@example.com', 'guess'), remote: '198.51.100.2', line: 'reject reason=invalid-login', exit: 1, counts: true },
  { name: 'vpopmail empty password', program: 'checkpassword-vpopmail', args: vpopOpts, input: request('bob@example.com', ''), remote: '198.51.100.3', line: 'reject reason=no-password', exit: 1, counts: true },
  { name: 'vpopmail service blocked', program: 'checkpassword-vpopmail', args: vpopOpts, input: request('nopop@example.com', 'bob-secret'), remote: '198.51.100.60', line: 'reject reason=service-blocked', exit: 1, counts: false },
  { name: 'vpopmail accept', program: 'checkpassword-vpopmail', args: vpopOpts, input: request('bob@example.com', 'bob-secret'), remote: '198.51.100.61', line: 'accept reason=ok', exit: 0, counts: false },
  // checkpassword-radius and radcheckpassword against FreeRADIUS
  { name: 'radius reject', program: 'checkpassword-radius', args: () => ['--config', radiusConf, '--min-uid', '0'], input: request('anyuser', 'wrong'), remote: '203.0.113.1', line: 'reject reason=radius-reject', exit: 1, counts: true },
  { name: 'radcheckpassword reject over IPv6', program: 'radcheckpassword', args: () => ['--config', radiusConf, '--min-uid', '0'], input: request('rejectme', 'x'), remote: '2001:db8::4', line: 'reject reason=radius-reject', exit: 1, counts: true },
  { name: 'radius bad login', program: 'checkpassword-radius', args: () => ['--config', radiusConf, '--min-uid', '0'], input: request('a\x01b', 'x'), remote: '203.0.113.2', line: 'reject reason=bad-login', exit: 1, counts: true },
  { name: 'radius challenge', program: 'checkpassword-radius', args: () => ['--config', radiusConf, '--min-uid', '0'], input: request('challengeme', 'challpass'), remote: '203.0.113.62', line: 'reject reason=radius-challenge', exit: 1, counts: false },
  { name: 'radius accept', program: 'radcheckpassword', args: () => ['--config', radiusConf, '--min-uid', '0'], input: request('anyuser', 'anypass'), remote: '203.0.113.60', line: 'accept reason=ok', exit: 0, counts: false },
  { name: 'radius no answer', program: 'checkpassword-radius', args: () => ['--config', deafConf, '--min-uid', '0'], input: request('anyuser', 'anypass'), remote: '203.0.113.61', line: 'tempfail reason=radius-no-answer', exit: 111, counts: false },
  // --log stderr, dated by a log service
  { name: 'stderr bad password', program: 'checkpassword-passwd', args: passwdOpts, input: request('alice', 'wrong'), remote: '192.0.2.9', line: 'reject reason=bad-password', exit: 1, counts: true, stderr: true },
  { name: 'stderr accept', program: 'checkpassword-passwd', args: passwdOpts, input: request('alice', 'alice-secret'), remote: '192.0.2.59', line: 'accept reason=ok', exit: 0, counts: false, stderr: true },
  { name: 'stderr radius reject', program: 'radcheckpassword', args: () => ['--config', radiusConf, '--min-uid', '0'], input: request('anyuser', 'wrong'), remote: '2001:db8::5', line: 'reject reason=radius-reject', exit: 1, counts: true, stderr: true },
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `Mmm dd hh:mm:ss` of now, as a log service would date a stderr line. */
function dateNow(): string {
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `YYYY-MM-DD hh:mm:ss.nnnnnnnnn` of now in local time, as tai64nlocal writes it. */
function tai64nlocal(): string {
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}000000`;
}

/** Runs fail2ban-regex with `--out token` on the lines; one output line per match. */
function fail2banRegex(lines: string[], token: 'row' | 'msg'): string[] {
  const file = join(dir, `log-${token}-${lines.length}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, lines.join('\n') + '\n');
  const out = execFileSync('fail2ban-regex', ['--out', token, file, FILTER], { env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' }, timeout: 30_000 }).toString();
  return out.split('\n').filter((l) => l !== '');
}

/**
 * The addresses fail2ban-regex finds in the lines, each checked to carry the line's date: a
 * fail2ban jail ignores a match without one (fail2ban-regex then prints None for its time).
 */
function matchedAddresses(lines: string[]): string[] {
  return fail2banRegex(lines, 'row').map((row) => {
    const m = /^\['([^']+)',\s+([\d.]+|None),/.exec(row);
    expect(m, row).not.toBeNull();
    expect(m![2], `no date found: ${row}`).not.toBe('None');
    expect(Math.abs(Number(m![2]) - Date.now() / 1000), row).toBeLessThan(600);
    return m![1]!;
  });
}

beforeAll(async () => {
  dir = scratchDir('fail2ban');
  const home = makeHome(dir, 'home', UID, GID);
  passwd = join(dir, 'passwd');
  writeFileSync(
    passwd,
    [
      `alice:${mkpasswd('sha512crypt', 'alice-secret')}:${UID}:${GID}::${home}:/bin/sh`,
      `toor:${mkpasswd('sha512crypt', 'toor-secret')}:0:0::${home}:/bin/sh`,
      `locked:!${mkpasswd('sha512crypt', 'x')}:${UID}:${GID}::${home}:/bin/sh`,
      `nopass::${UID}:${GID}::${home}:/bin/sh`,
      '',
    ].join('\n'),
  );
  chmodSync(passwd, 0o644);
  const bob = mkpasswd('sha512crypt', 'bob-secret');
  ({ home: vpopHome, qmail: qmailDir } = buildVpopmailTree(
    join(dir, 'vpop'),
    [{ name: 'example.com', uid: UID, gid: GID, path: 'example.com', users: [{ name: 'bob', passwd: bob }, { name: 'nopop', passwd: bob, flags: 0x02 }] }],
    'example.com',
  ));
  radius = await startFreeRadius();
  radiusConf = join(dir, 'radius.conf');
  writeFileSync(radiusConf, `auth 127.0.0.1:${radius.port} "${radius.secret}" 2 2\n`, { mode: 0o600 });
  deafConf = join(dir, 'deaf.conf');
  writeFileSync(deafConf, `auth 127.0.0.1:${radius.port} "not-the-secret" 0.3 1\n`, { mode: 0o600 });
  receiver = await startSyslogReceiver('dgram');

  const hostname = 'mx';
  for (const c of CASES) {
    const before = receiver.received.length;
    const env: Record<string, string> = { PATH: '/usr/bin:/bin', CHECKPASSWORD_SYSLOG_SOCKET: receiver.path, ...c.env };
    if (c.remote !== null) env.TCPREMOTEIP = c.remote;
    const facility = ['syslog:auth', 'syslog:mail', 'syslog:authpriv'][results.length % 3]!;
    // A Dovecot lookup comes with fd 4, Dovecot's reply pipe (without it ORIG_UID is no Dovecot).
    const fd4 = c.env?.ORIG_UID !== undefined ? join(dir, `fd4-${results.length}`) : undefined;
    const r = await runProgramAsync(bin(c.program), { args: [...c.args(), '--log', c.stderr ? 'stderr' : facility, RECORD_PROG], input: c.input, env, ...(fd4 ? { fd4 } : {}) });
    expect(r.status, `${c.name}: ${r.stderr}`).toBe(c.exit);
    let line: string;
    if (c.stderr) {
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines, c.name).toHaveLength(1);
      line = lines[0]!;
      traditional.push(`${dateNow()} ${line}`);
      // As multilog's TAI64N stamps read after tai64nlocal: local time, nanoseconds.
      rfc3339.push(`${tai64nlocal()} ${line}`);
    } else {
      expect(r.stderr, c.name).toBe('');
      const got = await receiver.waitFor(before + 1);
      expect(got.length, c.name).toBe(before + 1);
      // What a syslog daemon writes to its file: the datagram without <PRI>, the host after the date.
      const m = /^<\d+>(.{15}) (.*)$/s.exec(got[before]!.text);
      expect(m, got[before]!.text).not.toBeNull();
      line = m![2]!;
      traditional.push(`${m![1]} ${hostname} ${line}`);
      rfc3339.push(`${new Date().toISOString().replace('Z', '+00:00')} ${hostname} ${line}`);
    }
    expect(line, c.name).toMatch(new RegExp(`^${c.program}\\[\\d+\\]: `));
    expect(line.slice(line.indexOf(': ') + 2).startsWith(c.line), `${c.name}: ${line}`).toBe(true);
    // Without TCPREMOTEIP there is no remote field: the login field is followed by ms= directly.
    if (c.remote === null) expect(line).toMatch(/ login="[^"]*" ms=\d+$/);
    results.push({ c, line });
  }
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await radius?.stop();
});

describe('fail2ban filter: refusals a client caused, by its address', () => {
  const expected = () =>
    results
      .filter((r) => r.c.counts)
      .map((r) => r.c.remote!)
      .sort();

  it('fail2ban-regex matches exactly the counted refusals, IPv4 and IPv6, with their addresses (syslog dates)', () => {
    const ips = matchedAddresses(traditional);
    expect(ips.sort()).toEqual(expected());
    expect(ips).toContain('2001:db8::1');
    expect(ips).toContain('203.0.113.1');
    expect(ips).toContain('198.51.100.1');
  });

  it('the same lines with RFC 3339 and tai64nlocal dates match the same addresses', () => {
    expect(matchedAddresses(rfc3339).sort()).toEqual(expected());
  });

  it('accept, tempfail, misuse, lookup, service-blocked, uid-below-minimum and challenge lines never match', () => {
    const matched = fail2banRegex(traditional, 'msg');
    expect(matched).toHaveLength(expected().length);
    for (const line of matched) {
      expect(line).toMatch(/: reject reason=/);
      expect(line).not.toMatch(/method=lookup|reason=(service-blocked|uid-below-minimum|radius-challenge)/);
    }
    // Each excluded kind was really in the log, so its absence from the matches means something.
    const all = traditional.join('\n');
    for (const kind of [': accept ', ': tempfail ', ': misuse ', 'method=lookup', 'reason=service-blocked', 'reason=uid-below-minimum', 'reason=radius-challenge']) {
      expect(all).toContain(kind);
    }
  });

  it('a login holding `" remote=6.6.6.6` gets its real address counted, never 6.6.6.6', () => {
    const hostile = results.filter((r) => r.c.name.startsWith('passwd hostile'));
    expect(hostile).toHaveLength(2);
    for (const r of hostile) expect(r.line).toContain(`remote=${FRAMED}`); // the text is in the line, escaped
    const ips = matchedAddresses(hostile.map((r) => `${dateNow()} mx ${r.line}`));
    expect(ips).toEqual(['192.0.2.3']);
    expect(matchedAddresses(traditional)).not.toContain(FRAMED);
  });

  it('every program name is matched: checkpassword-passwd, -vpopmail, -radius and radcheckpassword', () => {
    const matched = fail2banRegex(traditional, 'msg').join('\n');
    for (const name of ['checkpassword-passwd', 'checkpassword-vpopmail', 'checkpassword-radius', 'radcheckpassword']) expect(matched).toContain(` ${name}[`);
  });

  it('another program writing the same words is not matched', () => {
    const forged = traditional.filter((l) => l.includes('reason=bad-password')).map((l) => l.replace(/checkpassword-\w+\[/, 'other-daemon['));
    expect(forged.length).toBeGreaterThan(0);
    expect(matchedAddresses(forged)).toEqual([]);
  });
});

describe('fail2ban jail example', () => {
  it('passes fail2ban-client\'s configuration test with the filter installed beside it', () => {
    const conf = mkdtempSync(join(tmpdir(), 'cpw-fail2ban-conf-'));
    try {
      cpSync('/etc/fail2ban', conf, { recursive: true });
      // Only our jail: the distribution's (sshd) would need logs this machine may not have.
      for (const f of readdirSync(join(conf, 'jail.d'))) rmSync(join(conf, 'jail.d', f));
      cpSync(FILTER, join(conf, 'filter.d', 'checkpassword.conf'));
      cpSync(JAIL, join(conf, 'jail.d', 'checkpassword.conf'));
      const out = execFileSync('fail2ban-client', ['-c', conf, '-t'], { env: { PATH: '/usr/bin:/bin' }, timeout: 30_000 }).toString();
      expect(out).toMatch(/configuration test is successful/);
      const dump = execFileSync('fail2ban-client', ['-c', conf, '-d'], { env: { PATH: '/usr/bin:/bin' }, timeout: 30_000 }).toString();
      expect(dump).toContain("['add', 'checkpassword', 'systemd']");
      expect(dump).toContain("'addjournalmatch', 'SYSLOG_IDENTIFIER=checkpassword-passwd', '+'");
    } finally {
      rmSync(conf, { recursive: true, force: true });
    }
  });
});
