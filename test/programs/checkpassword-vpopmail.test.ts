// End to end: the built bin/checkpassword-vpopmail on a vpopmail tree made with the real tools,
// run as qmail-popup, qmail-smtpd's AUTH patches and Dovecot run vchkpw.

import { createHash, createHmac } from 'node:crypto';
import { chmodSync, copyFileSync, readFileSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, RECORD_PROG, bin, request, runProgram, scratchDir, type RunOptions } from '../support/run';
import { buildVpopmailTree, htpasswdBcrypt, mkpasswd, type VpopDomain } from '../support/vpopmail-tree';

const PROG = bin('checkpassword-vpopmail');
const UID = 45801;
const GID = 45802;
const STAMP = '<4711.1700000000@mail.example.com>';

let root: string;
let home: string;
let qmail: string;
let exampleDir: string;

/** Runs checkpassword-vpopmail on the fixture tree; `service` is given with --service unless null. */
function login(input: RunOptions['input'], extra: Partial<RunOptions> & { service?: string | null; opts?: string[]; prog?: string[] } = {}) {
  const service = extra.service === undefined ? 'pop3' : extra.service;
  const args = [
    ...(extra.opts ?? ['--vpopmail-home', home, '--qmail-dir', qmail]),
    ...(service ? ['--service', service] : []),
    '--log',
    'stderr',
    ...(extra.prog ?? [RECORD_PROG, 'Maildir']),
  ];
  return runProgram(PROG, { ...extra, args, input });
}

beforeAll(() => {
  root = scratchDir('vpopmail');
  const six = mkpasswd('sha512crypt', 'six-secret');
  const domains: VpopDomain[] = [
    {
      name: 'example.com',
      uid: UID,
      gid: GID,
      path: 'example.com',
      aliases: ['alias.org'],
      users: [
        { name: 'six', passwd: six },
        { name: 'md5', passwd: mkpasswd('md5crypt', 'md5-secret'), clear: 'clear:pass' },
        { name: 'noclear', passwd: mkpasswd('sha512crypt', 'noclear-secret'), clear: '' },
        { name: 'bcrypt', passwd: htpasswdBcrypt('bcrypt-secret') },
        { name: 'scheme', passwd: `{SHA512-CRYPT}${mkpasswd('sha512crypt', 'scheme-secret')}` },
        { name: 'nopop', passwd: six, flags: 0x02 },
        { name: 'noimap', passwd: six, flags: 0x08 },
        { name: 'nosmtp', passwd: six, flags: 0x800 },
        { name: 'noweb', passwd: six, flags: 0x04 },
        { name: 'empty', passwd: '' },
        { name: 'hashofempty', passwd: mkpasswd('sha512crypt', '') },
      ],
    },
    { name: 'hashed.net', uid: UID, gid: GID, path: 'h/hashed.net', users: [{ name: 'hal', passwd: mkpasswd('sha512crypt', 'hal-secret') }] },
    { name: 'text.org', uid: UID, gid: GID, path: 'text.org', cdb: false, users: [{ name: 'tex', passwd: mkpasswd('sha512crypt', 'tex-secret') }] },
    {
      name: 'limited.org',
      uid: UID,
      gid: GID,
      path: 'limited.org',
      limits: '# no POP in this domain\ndisable_pop\n',
      users: [
        { name: 'lim', passwd: six },
        { name: 'over', passwd: six, flags: 0x2000 },
      ],
    },
    { name: 'stale.com', uid: UID, gid: GID, path: 'stale.com', users: [{ name: 'st', passwd: six }] },
    { name: 'broken.com', uid: UID, gid: GID, path: 'broken.com', users: [{ name: 'br', passwd: six }] },
    { name: 'root.com', uid: 0, gid: 0, path: 'root.com', users: [{ name: 'boss', passwd: six }] },
  ];
  ({ home, qmail } = buildVpopmailTree(root, domains, 'example.com'));
  exampleDir = join(home, 'domains', 'example.com');
  const stale = join(home, 'domains', 'stale.com');
  const future = new Date(Date.now() + 3600_000);
  utimesSync(join(stale, 'vpasswd'), future, future);
  const broken = join(home, 'domains', 'broken.com', 'vpasswd.cdb');
  truncateSync(broken, 2100);
});

describe('where things are', () => {
  it('VPOPMAIL_HOME and QMAILDIR choose the directories', () => {
    const r = login(request('six@example.com', 'six-secret'), { opts: [], env: { PATH: '/usr/bin:/bin', VPOPMAIL_HOME: home, QMAILDIR: qmail } });
    expect(r.status).toBe(0);
  });

  it('without them, vpopmail\'s home is the vpopmail account\'s home in the passwd file', () => {
    const passwd = join(root, 'passwd');
    writeFileSync(passwd, `vpopmail:x:89:89::${home}:/bin/false\n`);
    const r = login(request('six', 'six-secret'), { opts: ['--passwd', passwd, '--qmail-dir', qmail] });
    expect(r.status).toBe(0);
  });

  it('a domain resolves through users/cdb, its directory taken as assign gives it (hashed buckets too)', () => {
    expect(login(request('hal@hashed.net', 'hal-secret')).status).toBe(0);
  });

  it('an alias domain authenticates against its real domain', () => {
    const r = login(request('six@alias.org', 'six-secret'));
    expect(r.status).toBe(0);
    expect(r.env.get('HOME')).toBe(join(exampleDir, 'six'));
  });

  it('without users/cdb, users/assign is read', () => {
    const q2 = scratchDir('qmail-text');
    require('node:fs').mkdirSync(join(q2, 'users'));
    copyFileSync(join(qmail, 'users', 'assign'), join(q2, 'users', 'assign'));
    expect(login(request('six@alias.org', 'six-secret'), { opts: ['--vpopmail-home', home, '--qmail-dir', q2] }).status).toBe(0);
  });

  it('with neither users/cdb nor users/assign, exit 111', () => {
    const q3 = scratchDir('qmail-none');
    expect(login(request('six@example.com', 'six-secret'), { opts: ['--vpopmail-home', home, '--qmail-dir', q3] }).status).toBe(111);
  });
});

describe('login names, as vchkpw reads them', () => {
  it.each(['six@example.com', 'SIX@Example.COM', 'six%example.com', 'six/example.com'])('%s logs in as six of example.com', (name) => {
    const r = login(request(name, 'six-secret'));
    expect(r.status).toBe(0);
    expect(r.env.get('USER')).toBe('six');
    expect(r.env.get('VPOPUSER')).toBe(name.toLowerCase());
  });

  it('a bare user takes VPOPMAIL_DOMAIN first', () => {
    const r = login(request('hal', 'hal-secret'), { env: { PATH: '/usr/bin:/bin', VPOPMAIL_DOMAIN: 'hashed.net' } });
    expect(r.status).toBe(0);
  });

  it('a bare user then takes ~vpopmail/etc/defaultdomain', () => {
    expect(login(request('six', 'six-secret')).status).toBe(0);
  });

  it('an unknown domain is a refusal, exit 1', () => {
    const r = login(request('six@nowhere.example', 'six-secret'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/reject reason=unknown-user/);
  });

  it('invalid characters are a refusal, exit 1', () => {
    expect(login(request('six@exa:mple.com', 'six-secret')).status).toBe(1);
    expect(login(request('a@b@example.com', 'six-secret')).status).toBe(1);
  });
});

describe('the store', () => {
  it('an unknown user is a refusal, exit 1', () => {
    expect(login(request('nobody@example.com', 'six-secret')).status).toBe(1);
  });

  it('a wrong password is a refusal, exit 1', () => {
    expect(login(request('six@example.com', 'six-secreT')).status).toBe(1);
  });

  it('without vpasswd.cdb the vpasswd text file is read', () => {
    expect(login(request('tex@text.org', 'tex-secret')).status).toBe(0);
    expect(login(request('tex@text.org', 'wrong')).status).toBe(1);
  });

  it('a vpasswd newer than vpasswd.cdb logs a warning and the cdb is still used', () => {
    const r = login(request('st@stale.com', 'six-secret'));
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/accept reason=ok .*warning=".*vpasswd is newer than vpasswd.cdb: run vmkpasswd"/);
  });

  it('a truncated vpasswd.cdb is exit 111, never a crash or an accept', () => {
    const r = login(request('br@broken.com', 'six-secret'));
    expect(r.status).toBe(111);
    expect(r.stderr).toMatch(/tempfail reason=store-corrupt/);
  });

  it.runIf(IS_ROOT)('a vpasswd.cdb we may not read is exit 111', () => {
    const cdb = join(exampleDir, 'vpasswd.cdb');
    chmodSync(cdb, 0o600);
    try {
      expect(login(request('six@example.com', 'six-secret'), { uid: 65534, gid: 65534 }).status).toBe(111);
    } finally {
      chmodSync(cdb, 0o644);
    }
  });

  it.each([
    ['$1$ (vpopmail 5.4)', 'md5', 'md5-secret'],
    ['$6$ (vpopmail 5.6)', 'six', 'six-secret'],
    ['bcrypt', 'bcrypt', 'bcrypt-secret'],
    ['{SHA512-CRYPT}-prefixed', 'scheme', 'scheme-secret'],
  ])('a %s hash verifies', (_k, user, password) => {
    expect(login(request(`${user}@example.com`, password)).status).toBe(0);
    expect(login(request(`${user}@example.com`, `${password}x`)).status).toBe(1);
  });

  it('an empty typed password is refused, even against a hash of the empty string (as vchkpw)', () => {
    const r = login(request('hashofempty@example.com', ''));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/reason=no-password/);
  });

  it('an empty hash field is a refusal', () => {
    const r = login(request('empty@example.com', 'anything'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/reason=empty-password/);
  });
});

describe('service restrictions', () => {
  it.each([
    ['pop3', 'nopop', 'NO_POP'],
    ['imap', 'noimap', 'NO_IMAP'],
    ['smtp', 'nosmtp', 'NO_SMTP'],
    ['webmail', 'noweb', 'NO_WEBMAIL'],
  ])('%s is refused for a user with %s, with the reason logged', (service, user, flag) => {
    const r = login(request(`${user}@example.com`, 'six-secret'), { service });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`reject reason=service-blocked .*detail="${flag} forbids ${service}"`));
  });

  it('a flag blocks only its own service', () => {
    expect(login(request('nopop@example.com', 'six-secret'), { service: 'imap' }).status).toBe(0);
  });

  it('the domain limits file is OR\'ed in', () => {
    expect(login(request('lim@limited.org', 'six-secret'), { service: 'pop3' }).status).toBe(1);
    expect(login(request('lim@limited.org', 'six-secret'), { service: 'imap' }).status).toBe(0);
  });

  it('V_OVERRIDE exempts a user from the domain limits', () => {
    expect(login(request('over@limited.org', 'six-secret'), { service: 'pop3' }).status).toBe(0);
  });

  it('Dovecot\'s SERVICE chooses the service', () => {
    expect(login(request('noimap@example.com', 'six-secret'), { service: null, env: { PATH: '/usr/bin:/bin', SERVICE: 'imap' } }).status).toBe(1);
  });

  it('TCPLOCALPORT chooses the service', () => {
    const env = (port: string) => ({ PATH: '/usr/bin:/bin', TCPLOCALPORT: port });
    expect(login(request('nopop@example.com', 'six-secret'), { service: null, env: env('995') }).status).toBe(1);
    expect(login(request('nosmtp@example.com', 'six-secret'), { service: null, env: env('587'), prog: ['/bin/true'] }).status).toBe(1);
    expect(login(request('nopop@example.com', 'six-secret'), { service: null, env: env('143') }).status).toBe(0);
  });

  it('without any hint the service is guessed from prog\'s name, as vchkpw does', () => {
    expect(login(request('nosmtp@example.com', 'six-secret'), { service: null, prog: ['/bin/true'] }).status).toBe(1);
    expect(login(request('nopop@example.com', 'six-secret'), { service: null }).status).toBe(1);
  });

  it('POP or IMAP from 127.0.0.1 is webmail', () => {
    const env = { PATH: '/usr/bin:/bin', TCPLOCALPORT: '143', TCPREMOTEIP: '127.0.0.1' };
    expect(login(request('noweb@example.com', 'six-secret'), { service: null, env }).status).toBe(1);
    expect(login(request('noimap@example.com', 'six-secret'), { service: null, env }).status).toBe(0);
  });
});

describe('APOP and CRAM-MD5', () => {
  const apop = (stamp: string, clear: string) => createHash('md5').update(stamp + clear).digest('hex');
  const cram = (challenge: string, clear: string) => createHmac('md5', clear).update(challenge).digest('hex');
  const CHALLENGE = '<12345.1700000000@mail.example.com>';

  it('APOP: MD5(timestamp + clear password) in hex is accepted for POP', () => {
    const r = login(request('md5@example.com', apop(STAMP, 'clear:pass'), STAMP));
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/accept reason=ok .*method=apop/);
  });

  it('APOP with a wrong digest is refused', () => {
    expect(login(request('md5@example.com', apop(STAMP, 'clear:pasS'), STAMP)).status).toBe(1);
  });

  it('APOP digest made for another timestamp is refused', () => {
    expect(login(request('md5@example.com', apop('<1.2@other>', 'clear:pass'), STAMP)).status).toBe(1);
  });

  it('the crypt password still works where a clear one is stored', () => {
    expect(login(request('md5@example.com', 'md5-secret', STAMP)).status).toBe(0);
  });

  it('CRAM-MD5, Hoffmann/sagredo order (user, digest, challenge), is accepted for SMTP', () => {
    const r = login(request('md5@example.com', cram(CHALLENGE, 'clear:pass'), CHALLENGE), { service: 'smtp', prog: ['/bin/true'] });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/method=cram-md5/);
  });

  it('CRAM-MD5, Dabrowski/cmd5checkpw order (user, challenge, digest), is accepted for SMTP', () => {
    const r = login(request('md5@example.com', CHALLENGE, cram(CHALLENGE, 'clear:pass')), { service: 'smtp', prog: ['/bin/true'] });
    expect(r.status).toBe(0);
  });

  it('CRAM-MD5 with a wrong digest is refused', () => {
    expect(login(request('md5@example.com', cram(CHALLENGE, 'wrong'), CHALLENGE), { service: 'smtp', prog: ['/bin/true'] }).status).toBe(1);
  });

  it('an APOP digest is not accepted as CRAM-MD5, nor the reverse', () => {
    expect(login(request('md5@example.com', apop(CHALLENGE, 'clear:pass'), CHALLENGE), { service: 'smtp', prog: ['/bin/true'] }).status).toBe(1);
    expect(login(request('md5@example.com', cram(STAMP, 'clear:pass'), STAMP)).status).toBe(1);
  });

  it('without a stored clear password, APOP and CRAM-MD5 fail with a logged reason', () => {
    const a = login(request('noclear@example.com', apop(STAMP, 'noclear-secret'), STAMP));
    expect(a.status).toBe(1);
    expect(a.stderr).toMatch(/reason=no-clear-password .*APOP needs a stored clear-text password/);
    const c = login(request('six@example.com', cram(CHALLENGE, 'six-secret'), CHALLENGE), { service: 'smtp', prog: ['/bin/true'] });
    expect(c.status).toBe(1);
    expect(c.stderr).toMatch(/reason=no-clear-password .*CRAM-MD5/);
  });
});

describe('success', () => {
  it('the environment is vchkpw\'s: USER, HOME, SHELL=NOLOGIN, VPOPUSER', () => {
    const r = login(request('Six@Example.com', 'six-secret'));
    expect(r.env.get('USER')).toBe('six');
    expect(r.env.get('HOME')).toBe(join(exampleDir, 'six'));
    expect(r.env.get('SHELL')).toBe('NOLOGIN');
    expect(r.env.get('VPOPUSER')).toBe('six@example.com');
  });

  it.runIf(IS_ROOT)('POP and IMAP run prog as the domain\'s uid and gid, in the user\'s directory', () => {
    const r = login(request('six@example.com', 'six-secret'), { service: 'imap' });
    expect(r.facts.get('uid')).toBe(String(UID));
    expect(r.facts.get('gid')).toBe(String(GID));
    expect(r.facts.get('cwd')).toBe(join(exampleDir, 'six'));
  });

  it.runIf(IS_ROOT)('SMTP runs prog without a switch, where we are', () => {
    const r = login(request('six@example.com', 'six-secret'), { service: 'smtp' });
    expect(r.status).toBe(0);
    expect(r.facts.get('uid')).toBe('0');
    expect(r.facts.get('cwd')).not.toBe(join(exampleDir, 'six'));
  });

  it('a domain owned by uid 0 is refused (min-uid)', () => {
    expect(login(request('boss@root.com', 'six-secret')).status).toBe(1);
  });

  it('no prog exits 2 before reading fd 3', () => {
    expect(login(null, { prog: [] }).status).toBe(2);
  });

  it('nothing reaches stdout on a refusal', () => {
    const r = login(request('six@example.com', 'nope'));
    expect(r.stdout).toBe('');
  });

  it('the vpasswd file is not touched', () => {
    const before = readFileSync(join(exampleDir, 'vpasswd'));
    login(request('six@example.com', 'six-secret'));
    expect(readFileSync(join(exampleDir, 'vpasswd')).equals(before)).toBe(true);
  });
});

describe('the password never leaks', () => {
  const SENTINEL = 'SeNtInEl-v9';
  it.each([
    ['unknown domain', 'x@nowhere.example'],
    ['unknown user', 'nobody@example.com'],
    ['wrong password', 'six@example.com'],
    ['invalid login', 'six@exa:mple.com'],
    ['blocked service', 'nopop@example.com'],
    ['corrupt store', 'br@broken.com'],
    ['APOP without a clear password', 'noclear@example.com'],
  ])('on the %s path it is in no output or log line', (_p, user) => {
    for (const native of ['on', 'off']) {
      const r = login(request(user, SENTINEL), { env: { PATH: '/usr/bin:/bin', CHECKPASSWORD_NATIVE: native } });
      expect(r.status).not.toBe(0);
      expect(r.stderr).not.toBe('');
      expect(r.stdout + r.stderr).not.toContain(SENTINEL);
    }
  });
});
