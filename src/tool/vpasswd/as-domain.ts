// Runs file work inside a domain's directory with the domain's own rights. The directory belongs
// to the domain's uid, which can swap any path in it for a symbolic link between two of our system
// calls; root following that link could create, chown or delete anywhere. With the effective uid,
// gid and groups switched to the domain's for the work (root only; restored after, also on a
// throw), a swapped-in link leads nowhere the domain's uid could not go itself. Node has no
// mkdirat, fchownat or unlinkat, so descriptors alone cannot close this for mkdir and rm -r.

import { TemporaryFailure } from '../../exit';

/** Whose rights the work runs with. */
export interface DomainOwner {
  uid: number;
  gid: number;
}

/** `work` (synchronous: nothing else may run meanwhile) as `owner` when we are root, else as we are. */
export function asDomainOwner<T>(owner: DomainOwner, work: () => T): T {
  if (process.geteuid!() !== 0) return work();
  const groups = process.getgroups!();
  const egid = process.getegid!();
  try {
    process.setgroups!([owner.gid]);
    process.setegid!(owner.gid);
    process.seteuid!(owner.uid);
  } catch (err) {
    restore(groups, egid);
    throw new TemporaryFailure('switch-user-failed', `Cannot take the domain's uid ${owner.uid} and gid ${owner.gid}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return work();
  } finally {
    restore(groups, egid);
  }
}

/** Back to root with its own gid and groups; a failure here throws (nothing may go on half-switched). */
function restore(groups: number[], egid: number): void {
  process.seteuid!(0);
  process.setegid!(egid);
  process.setgroups!(groups);
}
