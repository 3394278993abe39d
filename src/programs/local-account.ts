// Who prog runs as after a login vouched for by a backend without accounts (RADIUS): the
// operator's choice of a fixed uid/gid/home, an entry of a passwd-format file, or nobody
// (prog runs as we are, USER set).

import { Misuse, Refused } from '../exit';
import type { Account } from '../backends/backend';
import { accountOf, parsePasswd } from '../backends/passwd-file';
import { readStore } from '../backends/store-file';

export type LocalIdentity =
  /** No user switch: prog runs as the caller, with USER set. */
  | { kind: 'caller' }
  /** Every login runs as one uid/gid; `home` may hold `%u` for the login. */
  | { kind: 'fixed'; uid: number; gid: number; home: string }
  /** The login's own entry in a passwd-format file. */
  | { kind: 'passwd'; file: string };

/** The options as given (undefined when absent). */
export interface LocalIdentityOptions {
  uid?: string | undefined;
  gid?: string | undefined;
  home?: string | undefined;
  passwd?: string | undefined;
}

/** The identity the options describe; a partial or contradictory set is misuse. */
export function localIdentityFrom(o: LocalIdentityOptions): LocalIdentity {
  const fixed = o.uid !== undefined || o.gid !== undefined || o.home !== undefined;
  if (o.passwd !== undefined && o.passwd !== '') {
    if (fixed) throw new Misuse('bad-option', '--passwd takes uid, gid and home from the file: give it without --uid, --gid, --home');
    return { kind: 'passwd', file: o.passwd };
  }
  if (!fixed) return { kind: 'caller' };
  if (o.uid === undefined || o.gid === undefined || o.home === undefined) {
    throw new Misuse('bad-option', '--uid, --gid and --home go together');
  }
  if (!o.home.startsWith('/')) throw new Misuse('bad-option', '--home needs an absolute path');
  return { kind: 'fixed', uid: parseId(o.uid, '--uid'), gid: parseId(o.gid, '--gid'), home: o.home };
}

/** The account `name` runs as, or null for "as the caller". */
export function localAccount(identity: LocalIdentity, name: string): Account | null {
  switch (identity.kind) {
    case 'caller':
      return null;
    case 'fixed': {
      let home = identity.home;
      if (home.includes('%u')) {
        if (name.includes('/') || name === '.' || name === '..') {
          throw new Refused('bad-login', 'a login with "/" or a dot name cannot fill %u in --home');
        }
        home = home.replace(/%u/g, name);
      }
      return { name, uid: identity.uid, gid: identity.gid, home };
    }
    case 'passwd': {
      const wanted = Buffer.from(name, 'utf8').toString('latin1');
      const entry = parsePasswd(readStore(identity.file)).find((e) => e.name === wanted);
      if (!entry) throw new Refused('no-local-account', `not in ${identity.file}`);
      return accountOf(entry);
    }
  }
}

function parseId(value: string, option: string): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > 0xfffffffe) throw new Misuse('bad-option', `${option} needs a number`);
  return Number(value);
}
