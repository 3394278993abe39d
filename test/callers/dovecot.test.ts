// Dovecot 2.3 end to end, for every backend: a real Dovecot (test/support/dovecot.ts) runs the
// built programs as `passdb checkpassword` with `userdb prefetch`, and as `userdb checkpassword`
// too; its auth process runs as root (the program switches user, INSECURE_SETUID set) and as the
// unprivileged dovecot user (no switch; the account handed back in EXTRA). Clients speak IMAP and
// POP3 to it on loopback; doveadm asks its userdb.

import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, chmodSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, ROOT, bin, makeHome, scratchDir } from '../support/run';
import { doveadmUser, imap, pop3, startDovecot, waitForLog, type Dovecot } from '../support/dovecot';
import { buildVpopmailTree, mkpasswd } from '../support/vpopmail-tree';
import { startFreeRadius, type FreeRadius } from '../support/freeradius';
import { silentServer, type SilentServer } from '../support/udp';

const HAVE_DOVECOT = (() => {
  try {
    return execFileSync('/usr/sbin/dovecot', ['--version']).toString().startsWith('2.3');
  } catch {
    return false;
  }
})();

/** The dovecot user's gid, for store files only it (and root) may read. */
const DOVECOT_GID = (() => {
  try {
    return Number(execFileSync('id', ['-g', 'dovecot']).toString().trim());
  } catch {
    return -1;
  }
})();

type AuthUser = 'root' | 'dovecot';

/** One backend's store, made for one Dovecot instance. */
interface Setup {
  /** The program and its options (Dovecot's `args`, before the reply helper it appends). */
  args: string;
  login: string;
  password: string;
  /** Dovecot's name for the user after the login (checkpassword-reply's `user`). */
  dovecotUser: string;
  uid: number;
  home: string;
  unknownLogin: string;
  /** Makes the store fail (a temporary failure) until the returned function mends it. */
  breakStore(): () => void;
  close?(): Promise<void> | void;
}

/** Store files the unprivileged auth process must read: root:dovecot 0640 (or 0600 root as root). */
function protect(file: string, authUser: AuthUser): void {
  if (authUser === 'dovecot') {
    chownSync(file, 0, DOVECOT_GID);
    chmodSync(file, 0o640);
  } else {
    chmodSync(file, 0o600);
  }
}

function passwdSetup(authUser: AuthUser): Setup {
  const dir = scratchDir('dovecot-passwd');
  const home = makeHome(join(dir, 'home'), 'alice', 2101, 2101);
  const passwd = join(dir, 'passwd');
  const shadow = join(dir, 'shadow');
  writeFileSync(passwd, `alice:x:2101:2101:Alice:${home}:/bin/sh\n`);
  writeFileSync(shadow, `alice:${mkpasswd('sha-512', 'alice-secret')}:19000:0:99999:7:::\n`);
  protect(shadow, authUser);
  return {
    args: `${bin('checkpassword-passwd')} --passwd ${passwd} --shadow ${shadow} --log stderr`,
    login: 'alice',
    password: 'alice-secret',
    dovecotUser: 'alice',
    uid: 2101,
    home,
    unknownLogin: 'nobody-here',
    breakStore: () => moveAway(shadow),
  };
}

function vpopmailSetup(authUser: AuthUser): Setup {
  const dir = scratchDir('dovecot-vpopmail');
  const { home, qmail } = buildVpopmailTree(
    dir,
    [{ name: 'example.org', uid: 2102, gid: 2102, path: 'example.org', users: [{ name: 'bob', passwd: mkpasswd('sha-512', 'bob-secret') }] }],
    'example.org',
  );
  const domain = join(home, 'domains', 'example.org');
  execFileSync('chown', ['-R', '2102:2102', join(domain, 'bob')]);
  for (const file of ['vpasswd', 'vpasswd.cdb']) protect(join(domain, file), authUser);
  return {
    args: `${bin('checkpassword-vpopmail')} --vpopmail-home ${home} --qmail-dir ${qmail} --log stderr`,
    login: 'bob@example.org',
    password: 'bob-secret',
    dovecotUser: 'bob@example.org',
    uid: 2102,
    home: join(domain, 'bob'),
    unknownLogin: 'nobody@example.org',
    breakStore: () => {
      const mendCdb = moveAway(join(domain, 'vpasswd.cdb'));
      const mendText = moveAway(join(domain, 'vpasswd'));
      return () => {
        mendText();
        mendCdb();
      };
    },
  };
}

async function radiusSetup(authUser: AuthUser, radius: FreeRadius, silent: SilentServer): Promise<Setup> {
  const dir = scratchDir('dovecot-radius');
  const home = makeHome(join(dir, 'home'), 'anyuser', 2103, 2103);
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, `anyuser:x:2103:2103::${home}:/bin/sh\n`);
  const conf = join(dir, 'radius.conf');
  const good = `auth 127.0.0.1:${radius.port} "${radius.secret}" 2 2\n`;
  writeFileSync(conf, good);
  // Holds a secret: the account that reads it owns it, mode 0600 (the program warns otherwise).
  if (authUser === 'dovecot') chownSync(conf, Number(execFileSync('id', ['-u', 'dovecot']).toString().trim()), DOVECOT_GID);
  chmodSync(conf, 0o600);
  return {
    args: `${bin('checkpassword-radius')} --config ${conf} --passwd ${passwd} --require-message-authenticator --log stderr`,
    login: 'anyuser',
    password: 'anypass',
    dovecotUser: 'anyuser',
    uid: 2103,
    home,
    unknownLogin: 'nosuchuser',
    breakStore: () => {
      // The only server is silent: no answer within its 1 s timeout is a temporary failure.
      writeFileSync(conf, `auth 127.0.0.1:${silent.port} "${radius.secret}" 1 1\n`);
      return () => writeFileSync(conf, good);
    },
  };
}

function moveAway(file: string): () => void {
  renameSync(file, `${file}.away`);
  return () => renameSync(`${file}.away`, file);
}

const BACKENDS = ['passwd', 'vpopmail', 'radius'] as const;
const CASES = BACKENDS.flatMap((backend) =>
  (['root', 'dovecot'] as const).flatMap((authUser) => (['prefetch', 'checkpassword'] as const).map((userdb) => ({ backend, authUser, userdb }))),
);

describe.skipIf(!HAVE_DOVECOT || !IS_ROOT)('Dovecot 2.3 with checkpassword', () => {
  let radius: FreeRadius;
  let silent: SilentServer;
  beforeAll(async () => {
    radius = await startFreeRadius();
    silent = await silentServer();
  });
  afterAll(async () => {
    silent?.close();
    await radius?.stop();
  });

  describe.each(CASES)('$backend backend, auth process as $authUser, userdb $userdb', ({ backend, authUser, userdb }) => {
    let setup: Setup;
    let dovecot: Dovecot;
    beforeAll(async () => {
      setup = backend === 'passwd' ? passwdSetup(authUser) : backend === 'vpopmail' ? vpopmailSetup(authUser) : await radiusSetup(authUser, radius, silent);
      // As root the program switches user, so checkpassword-reply needs INSECURE_SETUID (set with
      // env in args, as Dovecot's documentation shows); as dovecot there is no switch and no need.
      const args = authUser === 'root' ? `/usr/bin/env INSECURE_SETUID=1 ${setup.args}` : setup.args;
      dovecot = await startDovecot({ args, userdb, authUser });
    });
    afterAll(async () => {
      await dovecot?.stop();
    });

    it('IMAP LOGIN then SELECT INBOX opens the mailbox in the home, as the account', async () => {
      const lines = await imap(dovecot.imapPort, [`LOGIN ${setup.login} ${setup.password}`, 'SELECT INBOX', 'LOGOUT']);
      expect(lines.find((l) => l.startsWith('a0 ')), dovecot.log()).toMatch(/^a0 OK .*Logged in/);
      expect(lines.find((l) => l.startsWith('a1 ')), dovecot.log()).toMatch(/^a1 OK \[READ-WRITE\] Select completed/);
      // The mail process ran as the account's uid with the account's home: it made Maildir there.
      expect(statSync(join(setup.home, 'Maildir', 'cur')).uid).toBe(setup.uid);
      await waitForLog(dovecot, `Login: user=<${setup.dovecotUser}>`);
    });

    it('POP3 USER and PASS then STAT answers for the mailbox', async () => {
      const lines = await pop3(dovecot.pop3Port, [`USER ${setup.login}`, `PASS ${setup.password}`, 'STAT', 'QUIT']);
      expect(lines[2], dovecot.log()).toMatch(/^\+OK Logged in/);
      expect(lines[3]).toMatch(/^\+OK \d+ \d+$/);
    });

    it('a wrong password is "Authentication failed" (exit 1)', async () => {
      const lines = await imap(dovecot.imapPort, [`LOGIN ${setup.login} wrong-${setup.password}`, 'LOGOUT']);
      expect(lines.find((l) => l.startsWith('a0 '))).toMatch(/^a0 NO \[AUTHENTICATIONFAILED\] Authentication failed/);
      const pop = await pop3(dovecot.pop3Port, [`USER ${setup.login}`, `PASS wrong-${setup.password}`, 'QUIT']);
      expect(pop[2]).toMatch(/^-ERR \[AUTH\] Authentication failed/);
    });

    it('an unknown user is "Authentication failed" (exit 1)', async () => {
      const pop = await pop3(dovecot.pop3Port, [`USER ${setup.unknownLogin}`, 'PASS whatever', 'QUIT']);
      expect(pop[2]).toMatch(/^-ERR \[AUTH\] Authentication failed/);
      await waitForLog(dovecot, /reject reason=(unknown-user|radius-reject) login="(nobody-here|nobody@example.org|nosuchuser)"/);
    });

    it('a temporary failure (exit 111) is reported as temporary, not as a bad password', async () => {
      const mend = setup.breakStore();
      try {
        const lines = await imap(dovecot.imapPort, [`LOGIN ${setup.login} ${setup.password}`, 'LOGOUT']);
        expect(lines.find((l) => l.startsWith('a0 '))).toMatch(/^a0 NO \[UNAVAILABLE\] Temporary authentication failure/);
        const pop = await pop3(dovecot.pop3Port, [`USER ${setup.login}`, `PASS ${setup.password}`, 'QUIT']);
        expect(pop[2]).toMatch(/^-ERR \[SYS\/TEMP\] Temporary authentication failure/);
      } finally {
        mend();
      }
      await waitForLog(dovecot, /tempfail reason=(store-unreadable|radius-no-answer)/);
    });

    if (userdb === 'checkpassword') it('a userdb lookup (AUTHORIZED=1) gives uid, gid and home; an unknown user exits 3', async () => {
      const found = doveadmUser(dovecot, setup.login);
      expect(found.status, found.output + dovecot.log()).toBe(0);
      expect(found.output).toMatch(new RegExp(`^uid\\s+${setup.uid}$`, 'm'));
      expect(found.output).toMatch(new RegExp(`^gid\\s+${setup.uid}$`, 'm'));
      expect(found.output).toContain(setup.home);
      await waitForLog(dovecot, /accept reason=ok login="[^"]+" method=lookup/);

      const unknown = doveadmUser(dovecot, setup.unknownLogin);
      // doveadm's EX_NOUSER: Dovecot read our exit 3 as "user doesn't exist", not as an error.
      expect(unknown.status, unknown.output).toBe(67);
      expect(unknown.output).toContain("doesn't exist");
      await waitForLog(dovecot, 'User unknown');
    });
  });

  describe('installed with make install DESTDIR=... and a node that no PATH would find', () => {
    let stage: string;
    let dovecot: Dovecot;
    let setup: Setup;
    let unusualNode: string;
    beforeAll(async () => {
      stage = scratchDir('dovecot-install');
      // node reached only through a directory no default PATH has: `#!/usr/bin/env node` could not find it.
      mkdirSync(join(stage, 'opt-node', 'bin'), { recursive: true });
      unusualNode = join(stage, 'opt-node', 'bin', 'node');
      symlinkSync(process.execPath, unusualNode);
      const made = spawnSync('make', ['--no-print-directory', '-o', 'build', 'install', `DESTDIR=${join(stage, 'root')}`, 'PREFIX=/usr/local', `NODE=${unusualNode}`], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/root' },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(made.status, made.stderr).toBe(0);
      setup = passwdSetup('dovecot');
      const installed = join(stage, 'root', 'usr', 'local', 'bin', 'checkpassword-passwd');
      dovecot = await startDovecot({ args: setup.args.replace(bin('checkpassword-passwd'), installed), userdb: 'checkpassword', authUser: 'dovecot' });
    });
    afterAll(async () => {
      await dovecot?.stop();
    });

    it('the installed program names that node by absolute path on its #! line', () => {
      const program = realpathSync(join(stage, 'root', 'usr', 'local', 'bin', 'checkpassword-passwd'));
      expect(readFileSync(program, 'utf8').split('\n')[0]).toBe(`#!${unusualNode}`);
    });

    it('an IMAP login through the installed program, run by Dovecot without PATH, reaches the mailbox', async () => {
      const lines = await imap(dovecot.imapPort, [`LOGIN ${setup.login} ${setup.password}`, 'SELECT INBOX', 'LOGOUT']);
      expect(lines.find((l) => l.startsWith('a0 ')), dovecot.log()).toMatch(/^a0 OK .*Logged in/);
      expect(lines.find((l) => l.startsWith('a1 ')), dovecot.log()).toMatch(/^a1 OK \[READ-WRITE\]/);
      expect(statSync(join(setup.home, 'Maildir', 'cur')).uid).toBe(setup.uid);
      // The lookup after the login ran the installed program too.
      await waitForLog(dovecot, /accept reason=ok login="alice" remote=127\.\S+ method=lookup/);
    });
  });
});
