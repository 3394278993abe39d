// Becomes the account: supplementary groups, then gid, then uid (DJB's prot.c order), then its home.
// Only root switches; any other caller keeps its own identity and prog runs as it.

import { Refused, TemporaryFailure } from '../exit';
import type { Account } from '../backends/backend';

/** How to switch. */
export interface SwitchOptions {
  /** Take the supplementary groups from the group database (initgroups) instead of DJB's
   *  "primary gid only". */
  initgroups: boolean;
}

/** Refuses a uid for prog below the minimum: exit 1, whoever we run as. `hint` ends the log detail. */
export function checkMinUid(uid: number, minUid: number, hint = ''): void {
  if (uid < minUid) throw new Refused('uid-below-minimum', `uid ${uid} < ${minUid}${hint}`);
}

/**
 * As root: groups, gid, uid, each checked. As anyone else: nothing (see docs). A failure is 111:
 * the password was right, the system is wrong.
 */
export function switchUser(account: Account, opts: SwitchOptions): 'switched' | 'unprivileged' {
  if (process.geteuid!() !== 0) return 'unprivileged';
  try {
    if (opts.initgroups) (process as unknown as { initgroups(user: string, gid: number): void }).initgroups(account.name, account.gid);
    else process.setgroups!([account.gid]);
    process.setgid!(account.gid);
    process.setuid!(account.uid);
  } catch (err) {
    throw new TemporaryFailure('switch-user-failed', `${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (process.getuid!() !== account.uid || process.geteuid!() !== account.uid || process.getegid!() !== account.gid) {
    throw new TemporaryFailure('switch-user-failed', `still uid ${process.geteuid!()}`);
  }
  return 'switched';
}

/** chdir(HOME) after the switch, so the user's own permissions apply. Failure: 111. */
export function enterHome(account: Account): void {
  try {
    process.chdir(account.home);
  } catch (err) {
    throw new TemporaryFailure('chdir-failed', `cannot chdir to ${account.home}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
