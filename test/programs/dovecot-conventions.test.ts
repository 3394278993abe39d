// Dovecot's checkpassword conventions, rule by rule, on the built programs with Dovecot's own
// checkpassword-reply as prog: fd 4 is a file we read back, the environment is what Dovecot's
// driver sets (ORIG_UID, AUTHORIZED, CREDENTIALS_LOOKUP). The whole Dovecot is in
// test/callers/dovecot.test.ts; this file pins each rule down.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAGS } from '../../src/backends/vpopmail/flags';
import { IS_ROOT, RECORD_PROG, bin, makeHome, request, runProgram, runProgramAsync, scratchDir } from '../support/run';
import { buildVpopmailTree, mkpasswd } from '../support/vpopmail-tree';
import { silentServer, type SilentServer } from '../support/udp';

const REPLY = '/usr/lib/dovecot/checkpassword-reply';
const HAVE_REPLY = existsSync(REPLY);
const UID = 45621;
const GID = 45622;
const ME = process.getuid!();

let dir: string;
let home: string;
let passwd: string;
let shadow: string;
let fdFour = 0;

/** What Dovecot's driver puts in the environment: ORIG_UID is our uid, so checkpassword-reply's check passes. */
function dovecotEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { ORIG_UID: String(ME), SERVICE: 'imap', TCPREMOTEIP: '192.0.2.7', ...extra };
}

/** Runs a program as Dovecot would: `user\0password\0\0` on fd 3, fd 4 to a file, prog last. */
function asDovecot(program: string, opts: string[], user: string, password: string, env: Record<string, string>, prog = REPLY) {
  const fd4 = join(dir, `fd4-${fdFour++}`);
  writeFileSync(fd4, '');
  const r = runProgram(program, { args: [...opts, prog], input: request(user, password, ''), env, fd4 });
  return { ...r, reply: readFileSync(fd4, 'utf8') };
}

/** checkpassword-reply's fields, tab-separated `key=value`. */
function fields(reply: string): Map<string, string> {
  return new Map(
    reply
      .split('\t')
      .filter((f) => f.includes('='))
      .map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)] as [string, string]),
  );
}

beforeAll(() => {
  dir = scratchDir('dovecot-rules');
  home = makeHome(dir, 'home-alice', UID, GID);
  passwd = join(dir, 'passwd');
  shadow = join(dir, 'shadow');
  writeFileSync(passwd, `alice:x:${UID}:${GID}:Alice:${home}:/bin/sh\nlow:x:50:50::${home}:/bin/sh\n`);
  writeFileSync(shadow, `alice:${mkpasswd('sha-512', 'alice-secret')}:19000::::::\nlow:${mkpasswd('sha-512', 'low-secret')}:19000::::::\n`);
});

describe.skipIf(!HAVE_REPLY)('checkpassword-passwd under Dovecot (ORIG_UID set)', () => {
  const passwdOpts = () => ['--passwd', passwd, '--shadow', shadow];

  it('a login hands the account back: checkpassword-reply writes user, userdb_home, userdb_uid and userdb_gid', () => {
    const r = asDovecot(bin('checkpassword-passwd'), passwdOpts(), 'alice', 'alice-secret', dovecotEnv());
    expect(r.status, r.stderr).toBe(0);
    const f = fields(r.reply);
    expect(f.get('user')).toBe('alice');
    expect(f.get('userdb_home')).toBe(home);
    expect(f.get('userdb_uid')).toBe(String(UID));
    expect(f.get('userdb_gid')).toBe(String(GID));
  });

  it('without INSECURE_SETUID there is no user switch: prog runs as the caller, in the caller\'s directory', () => {
    const r = asDovecot(bin('checkpassword-passwd'), passwdOpts(), 'alice', 'alice-secret', dovecotEnv(), RECORD_PROG);
    expect(r.status, r.stderr).toBe(0);
    expect(r.facts.get('uid')).toBe(String(ME));
    expect(r.facts.get('cwd')).not.toBe(home);
    expect(r.env.get('EXTRA')).toBe('userdb_uid userdb_gid');
    expect(r.env.get('USER')).toBe('alice');
    expect(r.env.get('HOME')).toBe(home);
  });

  it.runIf(IS_ROOT)('with INSECURE_SETUID, as root, the program switches user and checkpassword-reply accepts it', () => {
    const r = asDovecot(bin('checkpassword-passwd'), passwdOpts(), 'alice', 'alice-secret', dovecotEnv({ INSECURE_SETUID: '1' }), RECORD_PROG);
    expect(r.status, r.stderr).toBe(0);
    expect(r.facts.get('uid')).toBe(String(UID));
    expect(r.facts.get('cwd')).toBe(home);
    const reply = asDovecot(bin('checkpassword-passwd'), passwdOpts(), 'alice', 'alice-secret', dovecotEnv({ INSECURE_SETUID: '1' }));
    expect(reply.status, reply.stderr).toBe(0);
    expect(fields(reply.reply).get('userdb_uid')).toBe(String(UID));
  });

  it.runIf(IS_ROOT)('the same login from a qmail caller (no ORIG_UID) does switch user', () => {
    const r = runProgram(bin('checkpassword-passwd'), { args: [...passwdOpts(), RECORD_PROG], input: request('alice', 'alice-secret'), env: { PATH: '/usr/bin:/bin' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.facts.get('uid')).toBe(String(UID));
    expect(r.env.get('EXTRA')).toBeUndefined();
  });

  it('a caller\'s EXTRA is kept and userdb_uid and userdb_gid are added to it once', () => {
    const r = asDovecot(bin('checkpassword-passwd'), passwdOpts(), 'alice', 'alice-secret', dovecotEnv({ EXTRA: 'userdb_quota_rule userdb_uid', userdb_quota_rule: '*:storage=1G' }), RECORD_PROG);
    expect(r.env.get('EXTRA')).toBe('userdb_quota_rule userdb_uid userdb_gid');
    const reply = asDovecot(bin('checkpassword-passwd'), passwdOpts(), 'alice', 'alice-secret', dovecotEnv({ EXTRA: 'userdb_quota_rule', userdb_quota_rule: '*:storage=1G' }));
    expect(fields(reply.reply).get('userdb_quota_rule')).toBe('*:storage=1G');
  });

  it('a wrong password is exit 1 and checkpassword-reply does not run', () => {
    const r = asDovecot(bin('checkpassword-passwd'), passwdOpts(), 'alice', 'wrong', dovecotEnv());
    expect(r.status).toBe(1);
    expect(r.reply).toBe('');
  });

  it('a lookup (AUTHORIZED=1) of a known user checks no password, sets AUTHORIZED=2, and checkpassword-reply exits 2', () => {
    const r = asDovecot(bin('checkpassword-passwd'), [...passwdOpts(), '--log', 'stderr'], 'alice', '', dovecotEnv({ AUTHORIZED: '1' }));
    expect(r.status, r.stderr).toBe(2);
    expect(fields(r.reply).get('userdb_uid')).toBe(String(UID));
    expect(fields(r.reply).get('userdb_home')).toBe(home);
    expect(r.stderr).toMatch(/accept reason=ok login="alice" remote=192\.0\.2\.7 method=lookup/);
  });

  it('a lookup of an unknown user exits 3, logged with method=lookup', () => {
    const r = asDovecot(bin('checkpassword-passwd'), [...passwdOpts(), '--log', 'stderr'], 'nobody-here', '', dovecotEnv({ AUTHORIZED: '1' }));
    expect(r.status).toBe(3);
    expect(r.reply).toBe('');
    expect(r.stderr).toMatch(/reject reason=unknown-user login="nobody-here" remote=192\.0\.2\.7 method=lookup/);
  });

  it('a lookup of an account below --min-uid exits 3', () => {
    const r = asDovecot(bin('checkpassword-passwd'), [...passwdOpts(), '--min-uid', '100'], 'low', '', dovecotEnv({ AUTHORIZED: '1' }));
    expect(r.status).toBe(3);
  });

  it('a lookup that carries a password is neither checked nor skipped: exit 111 (2 would mean "found" to Dovecot)', () => {
    const r = asDovecot(bin('checkpassword-passwd'), [...passwdOpts(), '--log', 'stderr'], 'alice', 'alice-secret', dovecotEnv({ AUTHORIZED: '1' }), RECORD_PROG);
    expect(r.status).toBe(111);
    expect(r.facts.size).toBe(0);
    expect(r.stderr).toContain('reason=lookup-with-password');
  });

  it('a credentials lookup exits 111 alike for known and unknown users: the stored password never leaves', () => {
    const env = dovecotEnv({ AUTHORIZED: '1', CREDENTIALS_LOOKUP: '1', SCHEME: 'CRAM-MD5' });
    const known = asDovecot(bin('checkpassword-passwd'), passwdOpts(), 'alice', '', env);
    const unknown = asDovecot(bin('checkpassword-passwd'), passwdOpts(), 'nobody-here', '', env);
    expect(known.status).toBe(111);
    expect(unknown.status).toBe(111);
    expect(known.reply + unknown.reply).toBe('');
  });

  it('a stray ORIG_UID without fd 4 is not Dovecot: AUTHORIZED=1 skips no password, and the warning says why', () => {
    const r = runProgram(bin('checkpassword-passwd'), {
      args: [...passwdOpts(), '--log', 'stderr', RECORD_PROG],
      input: request('alice', '', ''),
      env: { ORIG_UID: String(ME), AUTHORIZED: '1', PATH: '/usr/bin:/bin' },
    });
    expect(r.status).toBe(1);
    expect(r.facts.size).toBe(0);
    expect(r.stderr).toContain('ORIG_UID is set but this is not Dovecot');
  });

  it.runIf(IS_ROOT)('a stray ORIG_UID that is not our uid is not Dovecot: the user switch still happens', () => {
    const r = asDovecot(bin('checkpassword-passwd'), passwdOpts(), 'alice', 'alice-secret', { ORIG_UID: '103', PATH: '/usr/bin:/bin' }, RECORD_PROG);
    expect(r.status, r.stderr).toBe(0);
    expect(r.facts.get('uid')).toBe(String(UID));
    expect(r.env.get('EXTRA')).toBeUndefined();
  });

  it('a lookup with a timestamp is not what Dovecot sends: exit 111, nothing run', () => {
    const fd4 = join(dir, `fd4-${fdFour++}`);
    writeFileSync(fd4, '');
    const r = runProgram(bin('checkpassword-passwd'), { args: [...passwdOpts(), RECORD_PROG], input: request('alice', '', '<1.2@host>'), env: dovecotEnv({ AUTHORIZED: '1' }), fd4 });
    expect(r.status).toBe(111);
    expect(r.facts.size).toBe(0);
  });

  it('AUTHORIZED=1 from a caller that is not Dovecot (no ORIG_UID) is ignored: the empty password is refused', () => {
    const r = asDovecot(bin('checkpassword-passwd'), passwdOpts(), 'alice', '', { AUTHORIZED: '1' }, RECORD_PROG);
    expect(r.status).toBe(1);
    expect(r.facts.size).toBe(0);
  });
});

describe.skipIf(!HAVE_REPLY)('checkpassword-vpopmail under Dovecot', () => {
  let vhome: string;
  let qmail: string;
  let domainDir: string;
  beforeAll(() => {
    const root = scratchDir('dovecot-rules-vpop');
    ({ home: vhome, qmail } = buildVpopmailTree(
      root,
      [
        {
          name: 'example.org',
          uid: 45631,
          gid: 45632,
          path: 'example.org',
          users: [
            { name: 'bob', passwd: mkpasswd('sha-512', 'bob-secret') },
            { name: 'noimap', passwd: mkpasswd('sha-512', 'noimap-secret'), flags: FLAGS.NO_IMAP },
          ],
        },
      ],
      'example.org',
    ));
    domainDir = join(vhome, 'domains', 'example.org');
  });
  const opts = () => ['--vpopmail-home', vhome, '--qmail-dir', qmail];

  it('USER is handed back as user@domain, so Dovecot does not rename the login to its local part', () => {
    const r = asDovecot(bin('checkpassword-vpopmail'), opts(), 'bob', 'bob-secret', dovecotEnv());
    expect(r.status, r.stderr).toBe(0);
    const f = fields(r.reply);
    expect(f.get('user')).toBe('bob@example.org');
    expect(f.get('userdb_uid')).toBe('45631');
    expect(f.get('userdb_gid')).toBe('45632');
    expect(f.get('userdb_home')).toBe(join(domainDir, 'bob'));
  });

  it('a lookup ignores the service flags (it is not a login), and exits 3 for an unknown user or domain', () => {
    const found = asDovecot(bin('checkpassword-vpopmail'), opts(), 'noimap@example.org', '', dovecotEnv({ AUTHORIZED: '1' }));
    expect(found.status, found.stderr).toBe(2);
    expect(fields(found.reply).get('user')).toBe('noimap@example.org');
    const login = asDovecot(bin('checkpassword-vpopmail'), opts(), 'noimap@example.org', 'noimap-secret', dovecotEnv());
    expect(login.status).toBe(1);
    expect(asDovecot(bin('checkpassword-vpopmail'), opts(), 'nobody@example.org', '', dovecotEnv({ AUTHORIZED: '1' })).status).toBe(3);
    expect(asDovecot(bin('checkpassword-vpopmail'), opts(), 'bob@nowhere.example', '', dovecotEnv({ AUTHORIZED: '1' })).status).toBe(3);
  });
});

describe.skipIf(!HAVE_REPLY)('checkpassword-radius under Dovecot: lookups come from the local identity, never from RADIUS', () => {
  let silent: SilentServer;
  let conf: string;
  let radiusPasswd: string;
  beforeAll(async () => {
    silent = await silentServer();
    conf = join(dir, 'radius.conf');
    writeFileSync(conf, `auth 127.0.0.1:${silent.port} "not-used-secret" 1 1\n`, { mode: 0o600 });
    radiusPasswd = join(dir, 'radius-passwd');
    writeFileSync(radiusPasswd, `carol:x:${UID}:${GID}::${home}:/bin/sh\n`);
  });
  afterAll(() => silent?.close());

  async function lookup(opts: string[], user: string) {
    const fd4 = join(dir, `fd4-${fdFour++}`);
    writeFileSync(fd4, '');
    const r = await runProgramAsync(bin('checkpassword-radius'), {
      args: ['--config', conf, '--log', 'stderr', ...opts, REPLY],
      input: request(user, '', ''),
      env: dovecotEnv({ AUTHORIZED: '1' }),
      fd4,
    });
    return { ...r, reply: readFileSync(fd4, 'utf8') };
  }

  it('with --passwd a listed user is found and an unlisted one exits 3; nothing is sent', async () => {
    const found = await lookup(['--passwd', radiusPasswd], 'carol');
    expect(found.status, found.stderr).toBe(2);
    expect(fields(found.reply).get('userdb_uid')).toBe(String(UID));
    expect((await lookup(['--passwd', radiusPasswd], 'dave')).status).toBe(3);
    expect(silent.received).toHaveLength(0);
  });

  it('with --uid/--gid/--home a lookup is 111 (every name would exist) unless --allow-all-users', async () => {
    const fixed = ['--uid', String(UID), '--gid', String(GID), '--home', `${dir}/vmail/%u`];
    const refused = await lookup(fixed, 'erin');
    expect(refused.status).toBe(111);
    expect(refused.stderr).toContain('reason=lookup-unsupported');
    const r = await lookup([...fixed, '--allow-all-users'], 'erin');
    expect(r.status, r.stderr).toBe(2);
    expect(fields(r.reply).get('userdb_home')).toBe(`${dir}/vmail/erin`);
    expect((await lookup([...fixed, '--allow-all-users'], '../up')).status).toBe(3);
    expect(silent.received).toHaveLength(0);
  });

  it('--allow-all-users without --uid is misuse', async () => {
    const r = await runProgramAsync(bin('checkpassword-radius'), { args: ['--config', conf, '--passwd', radiusPasswd, '--allow-all-users', REPLY], input: request('carol', 'x'), env: { PATH: '/usr/bin:/bin' } });
    expect(r.status).toBe(2);
  });

  it('without a local identity a lookup cannot be answered: exit 111 (lookup-unsupported)', async () => {
    const r = await lookup(['--min-uid', '0'], 'carol');
    expect(r.status).toBe(111);
    expect(r.stderr).toContain('reason=lookup-unsupported');
    expect(silent.received).toHaveLength(0);
  });
});
