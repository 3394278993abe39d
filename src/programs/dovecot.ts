// Dovecot 2.3's checkpassword conventions (docs/dovecot.md): how we know Dovecot called, its
// lookups (AUTHORIZED=1: no password, exit 3 for an unknown user, AUTHORIZED=2 before prog), and
// the account handed back in prog's environment (USER, HOME, EXTRA=userdb_uid userdb_gid) for
// checkpassword-reply to pass on, instead of a user switch that checkpassword-reply would refuse.

import { EXIT, Misuse, TemporaryFailure, type ExitCode } from '../exit';
import type { Account } from '../backends/backend';
import type { LoginRequest } from '../protocol/fd3';

/** What Dovecot asked for. Absent when the caller is not Dovecot. */
export interface DovecotCall {
  /** AUTHORIZED=1: Dovecot vouches for the login (a userdb lookup, a credential-less passdb
   *  lookup): find the user, check no password. */
  lookup: boolean;
  /** INSECURE_SETUID is set: the operator lets checkpassword-reply run after a user switch. */
  insecureSetuid: boolean;
}

/** The fields of EXTRA that carry the account back, besides USER and HOME. */
const HANDED_BACK = ['userdb_uid', 'userdb_gid'] as const;

/** The descriptor Dovecot's checkpassword-reply answers on. */
const REPLY_FD = 4;

/** Who called: Dovecot, or (call undefined) a qmail-style caller; a warning for a stray ORIG_UID. */
export interface CallerKind {
  call: DovecotCall | undefined;
  warning?: string;
}

/**
 * Dovecot's checkpassword driver always sets ORIG_UID to the uid it runs us as, and always hands
 * us fd 4 for checkpassword-reply; no qmail caller does either. Both must hold: an ORIG_UID left
 * in a qmail caller's environment by mistake must not turn off the user switch, nor make
 * AUTHORIZED=1 skip a password. Such a stray ORIG_UID is ignored with a warning.
 */
export function recognizeCaller(env: NodeJS.ProcessEnv, uid: number, fds: readonly number[]): CallerKind {
  const orig = env.ORIG_UID;
  if (orig === undefined) return { call: undefined };
  if (!/^\d{1,10}$/.test(orig) || Number(orig) !== uid || !fds.includes(REPLY_FD)) {
    return { call: undefined, warning: `ORIG_UID is set but this is not Dovecot's checkpassword driver (ORIG_UID must be our uid ${uid} and fd ${REPLY_FD} open): treated as a qmail-style caller` };
  }
  return { call: { lookup: env.AUTHORIZED === '1', insecureSetuid: env.INSECURE_SETUID !== undefined } };
}

/**
 * An exit code as a Dovecot lookup must say it: any refusal is 3 ("unknown user"; 1 would be an
 * internal error, which defers mail), and misuse is 111, since 2 means "found" there.
 */
export function lookupExitCode(code: ExitCode): ExitCode {
  if (code === EXIT.refused) return EXIT.unknownUser;
  if (code === EXIT.misuse) return EXIT.temporary;
  return code;
}

/**
 * A lookup carries no password and no timestamp (`user\0\0\0`). One with either is not what
 * Dovecot sends: we neither check it nor skip it. A credentials lookup asks for the stored
 * password itself, which never leaves this program: offer Dovecot plaintext mechanisms only.
 */
export function checkLookupRequest(request: LoginRequest, env: NodeJS.ProcessEnv): void {
  if (request.password.length > 0) throw new Misuse('lookup-with-password', 'AUTHORIZED=1 with a password on fd 3');
  if (request.timestamp !== null && request.timestamp.length > 0) throw new Misuse('lookup-with-password', 'AUTHORIZED=1 with a timestamp on fd 3');
  if (env.CREDENTIALS_LOOKUP !== undefined) {
    throw new TemporaryFailure('credentials-lookup', 'the stored password is not handed out: allow only plaintext mechanisms (PLAIN, LOGIN) in Dovecot');
  }
}

/**
 * prog's environment under Dovecot: USER (the account's full name: checkpassword-reply makes it
 * Dovecot's user name), HOME (its userdb_home), userdb_uid and userdb_gid named in EXTRA (kept
 * with any names the caller already had there), and AUTHORIZED=2 after a lookup.
 */
export function handBack(env: Record<string, string>, account: Account, call: DovecotCall): Record<string, string> {
  const out: Record<string, string> = { ...env, USER: account.fullName ?? account.name, HOME: account.home };
  out.userdb_uid = String(account.uid);
  out.userdb_gid = String(account.gid);
  const extra = (env.EXTRA ?? '').split(' ').filter((name) => name !== '');
  for (const name of HANDED_BACK) if (!extra.includes(name)) extra.push(name);
  out.EXTRA = extra.join(' ');
  if (call.lookup) out.AUTHORIZED = '2';
  return out;
}
