// Finds a domain for the vpasswd commands as checkpassword-vpopmail finds it: qmail's users/cdb
// (or users/assign) under --qmail-dir, so alias domains and hashed domain directories just work.

import { Misuse, Refused } from '../../exit';
import { DEFAULT_QMAIL_DIR, vpopmailHome } from '../../backends/vpopmail/home';
import { DEFAULT_PASSWD } from '../../programs/program-options';
import type { DomainAssign } from '../../backends/vpopmail/assign';
import { parseLoginName } from '../../backends/vpopmail/login-name';
import { resolveDomain } from '../../backends/vpopmail/domains';

/** Where vpopmail and qmail live: the options and defaults of checkpassword-vpopmail. */
export interface Places {
  /** --vpopmail-home, else VPOPMAIL_HOME, else the vpopmail account's home, else /home/vpopmail. */
  home: () => string;
  /** --qmail-dir, else QMAILDIR, else /var/qmail. */
  qmailDir: string;
}

/** The places from the options given (undefined or '' when absent) and the environment. */
export function places(homeOption: string | undefined, qmailOption: string | undefined, env: NodeJS.ProcessEnv): Places {
  return {
    home: () => homeOption || env.VPOPMAIL_HOME || vpopmailHome(DEFAULT_PASSWD).home,
    qmailDir: qmailOption || env.QMAILDIR || DEFAULT_QMAIL_DIR,
  };
}

/**
 * A user and domain named on the command line, checked with vchkpw's rules (login-name.ts) and
 * lower-cased as vpopmail stores them. A name vchkpw could never log in is Misuse (exit 2), and
 * so are `vpasswd` (vpopmail refuses it), `/` and a leading `.` (the name is a directory).
 */
export function checkNames(domain: string, user: string | undefined): { domain: string; user: string } {
  const probe = `${user ?? 'postmaster'}@${domain}`;
  let parsed;
  try {
    parsed = parseLoginName(probe, () => '');
  } catch {
    throw new Misuse('bad-name', `Cannot use ${JSON.stringify(probe)}: vpopmail allows only printable ASCII without space and "%(),:;<>@[\\] in user names, letters, digits, "-" and "." in domains`);
  }
  if (parsed.domain === '' || parsed.vpopuser !== `${parsed.user}@${parsed.domain}`) {
    throw new Misuse('bad-name', `Cannot use ${JSON.stringify(probe)}: give the domain and the user name separately`);
  }
  if (user !== undefined && (parsed.user === 'vpasswd' || parsed.user.includes('/') || parsed.user.startsWith('.'))) {
    throw new Misuse('bad-name', `Cannot use the user name ${JSON.stringify(user)}: "vpasswd", "/" and a leading "." are not allowed`);
  }
  return { domain: parsed.domain, user: parsed.user };
}

/** The domain's assign entry; Refused (exit 1) when qmail does not know the domain. */
export function findDomain(where: Places, domain: string): DomainAssign {
  const found = resolveDomain(where.qmailDir, domain);
  if (!found) throw new Refused('unknown-domain', `No such domain: ${domain} is not in ${where.qmailDir}/users/cdb (or users/assign)`);
  return found;
}
