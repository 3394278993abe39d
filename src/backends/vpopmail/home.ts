// Where vpopmail and qmail live when no option or environment variable says: the defaults that
// checkpassword-vpopmail, `checkpassword-tool vpasswd` and `checkpassword-tool check` share.

import { parsePasswd } from '../passwd-file';
import { readStoreIfExists } from '../store-file';

/** qmail's directory, with users/cdb and users/assign under it. */
export const DEFAULT_QMAIL_DIR = '/var/qmail';

/** vpopmail's home when the passwd file has no vpopmail account (or it names no home). */
export const DEFAULT_VPOPMAIL_HOME = '/home/vpopmail';

/**
 * The home of the `vpopmail` account in the passwd file, else DEFAULT_VPOPMAIL_HOME; and whether
 * the file has that account (`check` says which of the two it used).
 */
export function vpopmailHome(passwdFile: string): { home: string; accountFound: boolean } {
  const text = readStoreIfExists(passwdFile);
  const entry = text === null ? undefined : parsePasswd(text).find((e) => e.name === 'vpopmail');
  return { home: entry?.home || DEFAULT_VPOPMAIL_HOME, accountFound: entry !== undefined };
}
