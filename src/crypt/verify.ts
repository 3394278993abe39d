// verifyPassword(): checks a password (bytes) against a stored hash of any format real files hold.
// crypt(3) formats go to the system's libcrypt through the native helper; without it, to our own
// node:crypto code, bcryptjs, or Perl's crypt() (which is libcrypt too). docs/hashes.md says why.
// The fallbacks load node:crypto, bcryptjs and child_process only when first called.

import { loadNative } from '../native/native';
import { bcryptCrypt } from './bcrypt-fallback';
import { equalBytes, equalSecret } from './constant-time';
import { verifyLdapDigest } from './ldap-digest';
import { md5Crypt } from './md5-crypt';
import { perlCrypt } from './perl-crypt';
import { scryptCrypt } from './scrypt-crypt';
import { shaCrypt } from './sha-crypt';
import { classify, type CryptId } from './scheme';

/** What a verification found. Only `match` may ever let anyone in. */
export type HashResult = 'match' | 'mismatch' | 'locked' | 'unsupported';

/**
 * Checks `password` against the hash `stored`. A string that is no hash format is `unsupported`,
 * never compared as plaintext. Throws TemporaryFailure only if no engine can run at all.
 */
export function verifyPassword(password: Buffer, stored: string): HashResult {
  const scheme = classify(stored);
  switch (scheme.kind) {
    case 'locked':
      return 'locked';
    case 'unknown':
      return 'unsupported';
    case 'apr1':
      return compare(md5Crypt(password, stored), stored);
    case 'ldap': {
      const ok = verifyLdapDigest(password, stored);
      return ok === null ? 'unsupported' : ok ? 'match' : 'mismatch';
    }
    case 'crypt':
      return compare(cryptWithBestEngine(password, stored, scheme.id), stored);
  }
}

/**
 * Checks `password` against a field the store defines as plaintext (vpasswd's 8th field). Both
 * are hashed before the constant-time compare, so not even the length leaks.
 */
export function verifyPlaintext(password: Buffer, stored: Buffer): HashResult {
  return equalSecret(password, stored) ? 'match' : 'mismatch';
}

/** Which code verifies crypt(3) strings in this process: for logs, docs and the benchmark. */
export function cryptEngine(): 'libcrypt' | 'fallback' {
  return loadNative() ? 'libcrypt' : 'fallback';
}

function cryptWithBestEngine(password: Buffer, stored: string, id: CryptId): string | null {
  const native = loadNative();
  if (native) return native.crypt(password, stored);
  switch (id) {
    case '1':
      return md5Crypt(password, stored);
    case '5':
    case '6':
      return shaCrypt(password, stored);
    case '7':
      return scryptCrypt(password, stored);
    case '2':
      // bcryptjs does $2a$/$2b$/$2y$ for UTF-8 passwords; libcrypt (through Perl) does the rest,
      // the bug-compatible $2x$ included.
      return (stored[2] !== 'x' ? bcryptCrypt(password, stored) : null) ?? perlCrypt(password, stored);
    default:
      return perlCrypt(password, stored);
  }
}

/** The recomputed string against the stored one, in constant time (the length is public). */
function compare(computed: string | null, stored: string): HashResult {
  if (computed === null) return 'unsupported';
  return equalBytes(Buffer.from(computed, 'latin1'), Buffer.from(stored, 'latin1')) ? 'match' : 'mismatch';
}
