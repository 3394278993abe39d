// The password stores the qmail caller tests log in against, made with the real tools and laid out
// as docs/qmail.md says: passwd + shadow for qmail-popup (root), a passwd-format file with inline
// hashes readable by qmaild for qmail-smtpd, a vpopmail tree owned by the vpopmail user, and a
// radius.conf for the test FreeRADIUS (test/support/freeradius.ts), readable by its caller.

import { chmodSync, chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FreeRadius } from './freeradius';
import { IS_ROOT, makeHome, scratchDir } from './run';
import { buildVpopmailTree, mkpasswd } from './vpopmail-tree';

/** The system account of the passwd backend, its uid/gid, and its password. */
export const ALICE = { name: 'alice', password: 'alice-secret', uid: 45901, gid: 45902 };
/** The vpopmail user (owner of the domains) and the qmaild user qmail-smtpd runs as. */
export const VPOPMAIL = { uid: 45903, gid: 45904 };
export const QMAILD = { uid: 45905, gid: 45905 };
/** The one account all RADIUS logins run as under qmail-popup (`--uid/--gid/--home`). */
export const VMAIL = { uid: 45906, gid: 45906 };
/** vpopmail users: one with a clear-text password (APOP, CRAM-MD5), one with a hash only. */
export const CLEAR = { login: 'clear@example.com', password: 'clear-secret' };
export const HASH_ONLY = { login: 'hashonly@example.com', password: 'hashonly-secret' };
/** A user of the test FreeRADIUS (test/fixtures/freeradius/users). */
export const RADIUS_USER = { login: 'anyuser', password: 'anypass' };

export interface Stores {
  /** passwd + shadow, mode 0644/0600 as on a system: for qmail-popup (root). */
  passwd: string;
  shadow: string;
  /** Inline hashes, mode 0640, group qmaild: for qmail-smtpd. */
  smtpPasswd: string;
  /** The same, but readable by nobody but root: every login is exit 111. */
  unreadablePasswd: string;
  aliceHome: string;
  /** ~vpopmail and the qmail directory (users/cdb). */
  vpopmailHome: string;
  qmailDir: string;
  /** A qmail directory without users/cdb or users/assign: every vpopmail login is exit 111. */
  emptyQmailDir: string;
  /** The parent of the RADIUS users' homes (`--home <radiusHomes>/%u`). */
  radiusHomes: string;
  dir: string;
}

/** Builds every store once per test file. */
export function buildStores(): Stores {
  const dir = scratchDir('qmail-stores');
  const aliceHome = makeHome(dir, 'alice', ALICE.uid, ALICE.gid);
  const hash = mkpasswd('sha512crypt', ALICE.password);

  const passwd = join(dir, 'passwd');
  const shadow = join(dir, 'shadow');
  writeFileSync(passwd, `alice:x:${ALICE.uid}:${ALICE.gid}:Alice:${aliceHome}:/bin/sh\n`);
  writeFileSync(shadow, `alice:${hash}:19000:0:99999:7:::\n`);
  chmodSync(passwd, 0o644);
  chmodSync(shadow, 0o600);

  const smtpPasswd = join(dir, 'smtp-auth.passwd');
  writeFileSync(smtpPasswd, `alice:${hash}:${ALICE.uid}:${ALICE.gid}:Alice:${aliceHome}:/bin/sh\n`);
  chmodSync(smtpPasswd, 0o640);
  if (IS_ROOT) chownSync(smtpPasswd, 0, QMAILD.gid);

  const unreadablePasswd = join(dir, 'unreadable.passwd');
  writeFileSync(unreadablePasswd, `alice:${hash}:${ALICE.uid}:${ALICE.gid}:Alice:${aliceHome}:/bin/sh\n`);
  chmodSync(unreadablePasswd, 0o000);

  const tree = buildVpopmailTree(
    join(dir, 'vpop'),
    [
      {
        name: 'example.com',
        uid: VPOPMAIL.uid,
        gid: VPOPMAIL.gid,
        path: 'example.com',
        users: [
          { name: 'clear', passwd: mkpasswd('sha512crypt', CLEAR.password), clear: CLEAR.password },
          { name: 'hashonly', passwd: mkpasswd('sha512crypt', HASH_ONLY.password) },
        ],
      },
    ],
    'example.com',
  );
  // vpopmail owns its files, vpasswd and vpasswd.cdb with mode 0600.
  const domainDir = join(tree.home, 'domains', 'example.com');
  for (const f of ['vpasswd', 'vpasswd.cdb']) {
    chmodSync(join(domainDir, f), 0o600);
    if (IS_ROOT) chownSync(join(domainDir, f), VPOPMAIL.uid, VPOPMAIL.gid);
  }

  const radiusHomes = scratchDir('vmail');
  makeHome(radiusHomes, RADIUS_USER.login, VMAIL.uid, VMAIL.gid);

  return {
    passwd,
    shadow,
    smtpPasswd,
    unreadablePasswd,
    aliceHome,
    vpopmailHome: tree.home,
    qmailDir: tree.qmail,
    emptyQmailDir: scratchDir('qmail-empty'),
    radiusHomes,
    dir,
  };
}

let configs = 0;

/** A radius.conf naming these server lines, mode 0600, owned by `owner` (the caller's uid) when root. */
export function radiusConf(dir: string, lines: string[], owner?: number): string {
  const file = join(dir, `radius-${configs++}.conf`);
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  if (IS_ROOT && owner !== undefined) chownSync(file, owner, owner);
  return file;
}

/** The radius.conf line of the live test server. */
export function liveServer(radius: FreeRadius): string {
  return `127.0.0.1:${radius.port} ${radius.secret} 2 2`;
}
