// The vpopmail backend of checkpassword-vpopmail: what vchkpw does with vpasswd.cdb (or vpasswd),
// qmail's users/cdb (or users/assign), the gid flags and domain limits, APOP and CRAM-MD5.

import { statSync } from 'node:fs';
import { openCdb } from '../../cdb/read';
import { verifyPassword } from '../../crypt/verify';
import { SHA512_DUMMY_HASH, pickDummyHash } from '../../crypt/dummy';
import { Refused } from '../../exit';
import type { LoginRequest } from '../../protocol/fd3';
import type { Account, LocalBackend, Verdict } from '../backend';
import { readStore, readStoreIfExists } from '../store-file';
import type { DomainAssign } from './assign';
import { apopDigest, cramDigest, digestsEqual, isChallenge, splitCramFields } from './challenge';
import { domainLimits, resolveDomain } from './domains';
import { FLAGS, effectiveFlags } from './flags';
import { parseLoginName, sanitizeEnvDomain, type LoginName } from './login-name';
import { blockingFlag, type Service } from './service';
import { findVpasswdLine, parseVpasswdValue, stripScheme, type VpasswdEntry } from './vpasswd-line';

/** Where vpopmail and qmail live, and what this login is for. */
export interface VpopmailConfig {
  /** vpopmail's home (~vpopmail): etc/defaultdomain, etc/vlimits.default. */
  home: string;
  /** qmail's directory: users/cdb, users/assign. */
  qmailDir: string;
  service: Service;
  /** VPOPMAIL_DOMAIN, the default domain before ~vpopmail/etc/defaultdomain. */
  envDomain?: string | undefined;
  /** Told about things an operator should fix that do not change the verdict. */
  warn?: (message: string) => void;
}

/** The backend over one vpopmail installation. */
export function vpopmailBackend(cfg: VpopmailConfig): LocalBackend {
  return {
    verify(request: LoginRequest): Verdict {
      const { password } = request;
      let found;
      try {
        found = findUser(cfg, request.login);
      } catch (err) {
        if (err instanceof Refused) verifyPassword(password, SHA512_DUMMY_HASH);
        throw err;
      }
      if (found.kind === 'no-domain') {
        verifyPassword(password, SHA512_DUMMY_HASH);
        return { kind: 'unknown-user' };
      }
      if (found.kind === 'no-user') {
        verifyPassword(password, found.dummy);
        return { kind: 'unknown-user' };
      }
      const { domain, entry, dummy } = found;

      if (password.length === 0) {
        // vchkpw refuses an empty password outright (its exit 13), whatever the stored hash.
        verifyPassword(password, dummy);
        return { kind: 'denied', reason: 'no-password', detail: 'an empty password is never accepted' };
      }
      const method = checkPassword(request, entry, cfg.service, dummy);
      if (method.kind !== 'ok') return method.verdict;

      const flags = entry.flags & FLAGS.V_OVERRIDE ? entry.flags : effectiveFlags(entry.flags, domainLimits(cfg.home, domain.dir));
      const blocked = blockingFlag(cfg.service, flags);
      if (blocked) return { kind: 'denied', reason: 'service-blocked', detail: `${blocked} forbids ${cfg.service}` };
      return { kind: 'ok', method: method.method, account: accountOf(found) };
    },

    /** A lookup ignores the service flags: it is not a login (Dovecot's LMTP delivery, say). */
    lookup(login: Buffer): Verdict {
      const found = findUser(cfg, login);
      return found.kind === 'found' ? { kind: 'ok', account: accountOf(found) } : { kind: 'unknown-user' };
    },
  };
}

type Found =
  | { kind: 'found'; name: LoginName; domain: DomainAssign; entry: VpasswdEntry; dummy: string }
  | { kind: 'no-user'; dummy: string }
  | { kind: 'no-domain' };

/** The login's domain and vpasswd entry. A malformed login name is Refused (invalid-login). */
function findUser(cfg: VpopmailConfig, login: Buffer): Found {
  const name = parseLoginName(login.toString('latin1'), () => defaultDomain(cfg));
  const domain = name.domain === '' ? null : resolveDomain(cfg.qmailDir, name.domain);
  if (!domain) return { kind: 'no-domain' };
  const store = openVpasswd(domain.dir, cfg.warn);
  const entry = store.lookup(name.user);
  return entry ? { kind: 'found', name, domain, entry, dummy: store.dummy } : { kind: 'no-user', dummy: store.dummy };
}

/** What prog runs as: the domain's uid and gid, the user's directory (vchkpw's choices). */
function accountOf({ name, domain, entry }: Extract<Found, { kind: 'found' }>): Account {
  return {
    name: name.user,
    fullName: `${name.user}@${name.domain}`,
    uid: domain.uid,
    gid: domain.gid,
    home: entry.dir,
    shell: 'NOLOGIN',
    env: { VPOPUSER: name.vpopuser },
  };
}

type PasswordCheck = { kind: 'ok'; method: string } | { kind: 'refused'; verdict: Verdict };

/**
 * vchkpw's order: with a stored clear password, APOP (POP) or CRAM-MD5 (SMTP) first; then
 * crypt(3) on the password field, so a plain password still works where a clear one is stored.
 */
function checkPassword(request: LoginRequest, entry: VpasswdEntry, service: Service, dummy: string): PasswordCheck {
  const { password, timestamp } = request;
  const clear = entry.clear === null || entry.clear === '' ? null : Buffer.from(entry.clear, 'latin1');
  const cram = service === 'smtp' ? splitCramFields(password, timestamp) : null;
  const apop = service === 'pop3' && timestamp !== null && isChallenge(timestamp) && /^[0-9a-f]{32}$/.test(password.toString('latin1'));
  if (clear) {
    if (cram && digestsEqual(cramDigest(cram.challenge, clear), cram.response)) return { kind: 'ok', method: 'cram-md5' };
    if (apop && digestsEqual(apopDigest(timestamp!, clear), password)) return { kind: 'ok', method: 'apop' };
  }
  const result = verifyPassword(password, stripScheme(entry.passwd));
  switch (result) {
    case 'match':
      return { kind: 'ok', method: 'plain' };
    case 'mismatch':
      if ((cram || apop) && !clear) {
        return { kind: 'refused', verdict: { kind: 'denied', reason: 'no-clear-password', detail: `${cram ? 'CRAM-MD5' : 'APOP'} needs a stored clear-text password` } };
      }
      return { kind: 'refused', verdict: { kind: 'bad-password' } };
    case 'locked':
      verifyPassword(password, dummy);
      return { kind: 'refused', verdict: { kind: 'denied', reason: entry.passwd === '' ? 'empty-password' : 'locked' } };
    case 'unsupported':
      verifyPassword(password, dummy);
      return { kind: 'refused', verdict: { kind: 'unsupported-hash', detail: `the hash of ${entry.name} is in a format that cannot be verified here` } };
  }
}

/** VPOPMAIL_DOMAIN, else the first line of ~vpopmail/etc/defaultdomain, else ''. */
function defaultDomain(cfg: VpopmailConfig): string {
  if (cfg.envDomain) return sanitizeEnvDomain(cfg.envDomain);
  const text = readStoreIfExists(`${cfg.home}/etc/defaultdomain`);
  return text === null ? '' : text.split('\n')[0]!.trim();
}

/** A domain's user store: vpasswd.cdb, or the vpasswd text file when there is no cdb. */
function openVpasswd(dir: string, warn?: (message: string) => void): { lookup(user: string): VpasswdEntry | null; dummy: string } {
  const cdbFile = `${dir}/vpasswd.cdb`;
  const cdb = openCdb(cdbFile);
  if (!cdb) {
    const text = readStore(`${dir}/vpasswd`);
    const hashes = text.split('\n').map((line) => stripScheme(line.split(':')[1] ?? ''));
    return { lookup: (user) => findVpasswdLine(text, user), dummy: pickDummyHash(hashes, SHA512_DUMMY_HASH) };
  }
  if (warn && isNewer(`${dir}/vpasswd`, cdbFile)) warn(`${dir}/vpasswd is newer than vpasswd.cdb: run vmkpasswd`);
  // The first record stands for the domain's hashes: same scheme and cost, two small reads.
  const first = cdb.first();
  const firstHash = first ? stripScheme(parseVpasswdValue(first.key.toString('latin1'), first.data.toString('latin1')).passwd) : '';
  const dummy = pickDummyHash([firstHash], SHA512_DUMMY_HASH);
  return {
    lookup(user: string): VpasswdEntry | null {
      try {
        const value = cdb.get(Buffer.from(user, 'latin1'));
        return value === null ? null : parseVpasswdValue(user, value.toString('latin1'));
      } finally {
        cdb.close();
      }
    },
    dummy,
  };
}

function isNewer(a: string, b: string): boolean {
  try {
    return statSync(a).mtimeMs > statSync(b).mtimeMs;
  } catch {
    return false;
  }
}
