// Dovecot 2.3's checkpassword conventions (docs/dovecot.md): how we know Dovecot called, its
// lookups (AUTHORIZED=1: no password, exit 3 for an unknown user, AUTHORIZED=2 before prog), and
// the account handed back in prog's environment (USER, HOME, EXTRA=userdb_uid userdb_gid) for
// checkpassword-reply to pass on, instead of a user switch that checkpassword-reply would refuse.

import { Misuse, TemporaryFailure } from '../exit';
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

/**
 * Dovecot's checkpassword driver always sets ORIG_UID (the auth process's uid); no qmail caller
 * does. AUTHORIZED counts only then: a stray AUTHORIZED under qmail never skips a password.
 */
export function dovecotCall(env: NodeJS.ProcessEnv): DovecotCall | undefined {
  if (env.ORIG_UID === undefined) return undefined;
  return { lookup: env.AUTHORIZED === '1', insecureSetuid: env.INSECURE_SETUID !== undefined };
}

/**
 * A lookup carries no password (`user\0\0\0`). One with a password is not what Dovecot sends: we
 * neither check it nor skip it. A credentials lookup asks for the stored password itself, which
 * never leaves this program: offer Dovecot plaintext mechanisms only.
 */
export function checkLookupRequest(request: LoginRequest, env: NodeJS.ProcessEnv): void {
  if (request.password.length > 0) throw new Misuse('lookup-with-password', 'AUTHORIZED=1 with a password on fd 3');
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
