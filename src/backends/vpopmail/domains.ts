// A vpopmail domain as vchkpw finds it: its entry in qmail's users/cdb (or users/assign), and its
// limits (.qmailadmin-limits, else vlimits.default). Read by the backend at each login and by
// `checkpassword-tool vpasswd`.

import { openCdb } from '../../cdb/read';
import { TemporaryFailure } from '../../exit';
import { readStore, readStoreIfExists } from '../store-file';
import { assignKey, findAssignText, parseAssignValue, type DomainAssign } from './assign';
import { parseLimits } from './flags';

/** The domain's assign entry from users/cdb, or users/assign when there is no cdb; null: unknown. */
export function resolveDomain(qmailDir: string, domain: string): DomainAssign | null {
  const cdbFile = `${qmailDir}/users/cdb`;
  const cdb = openCdb(cdbFile);
  if (cdb) {
    try {
      const value = cdb.get(assignKey(domain));
      if (value === null) return null;
      const assign = parseAssignValue(value);
      if (!assign) throw new TemporaryFailure('store-corrupt', `${cdbFile}: bad entry for ${domain}`);
      return assign;
    } finally {
      cdb.close();
    }
  }
  return findAssignText(readStore(`${qmailDir}/users/assign`), domain);
}

/** The domain's limits: .qmailadmin-limits in its directory, else ~vpopmail/etc/vlimits.default. */
export function domainLimits(home: string, dir: string): number {
  const text = readStoreIfExists(`${dir}/.qmailadmin-limits`) ?? readStoreIfExists(`${home}/etc/vlimits.default`);
  return text === null ? 0 : parseLimits(text);
}
