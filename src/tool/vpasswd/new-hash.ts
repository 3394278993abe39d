// A new hash for a vpasswd record, in one of `checkpassword-tool hash`'s schemes (hash-schemes.ts)
// with its default cost: libcrypt through the native helper, else the suite's own code where it
// has one. The hash is checked against the password before anyone may store it.

import { randomBytes } from 'node:crypto';
import { bcryptCrypt } from '../../crypt/bcrypt-fallback';
import { MAX_PASSPHRASE_BYTES } from '../../crypt/itoa64';
import { md5Crypt } from '../../crypt/md5-crypt';
import { scryptCrypt } from '../../crypt/scrypt-crypt';
import { shaCrypt } from '../../crypt/sha-crypt';
import { verifyPassword } from '../../crypt/verify';
import { Misuse, TemporaryFailure } from '../../exit';
import { loadNative } from '../../native/native';
import { schemeNamed, type HashScheme } from '../hash-schemes';

/** The hash of `password` in the scheme called `schemeName` (mkpasswd's names). */
export function newHash(password: Buffer, schemeName: string): string {
  const scheme = schemeNamed(schemeName);
  if (!scheme) throw new Misuse('bad-option', `Unknown scheme ${JSON.stringify(schemeName)}`);
  if (password.includes(0)) throw new Misuse('bad-password', 'A password with a NUL byte cannot be hashed');
  if (password.length >= MAX_PASSPHRASE_BYTES) throw new Misuse('bad-password', `A password of ${MAX_PASSPHRASE_BYTES} bytes or more cannot be hashed`);
  const hash = engineFor(scheme)(password, scheme.setting(randomBytes, scheme.cost?.default ?? null));
  if (hash === null || hash.startsWith('*')) throw new TemporaryFailure('unsupported-scheme', `Cannot make a ${scheme.name} hash here`);
  // Fail closed: store nothing that would not let this password in.
  if (verifyPassword(password, hash) !== 'match') throw new TemporaryFailure('self-check', `The ${scheme.name} hash made does not verify: not stored`);
  return hash;
}

function engineFor(scheme: HashScheme): (password: Buffer, setting: string) => string | null {
  if (scheme.engine === 'bcryptjs') return bcryptCrypt;
  const native = loadNative();
  if (native) return (password, setting) => native.crypt(password, setting);
  if (scheme.engine === 'libcrypt-or-own') {
    if (scheme.name === 'scrypt') return scryptCrypt;
    if (scheme.name === 'md5crypt') return md5Crypt;
    return shaCrypt;
  }
  throw new TemporaryFailure('no-native-helper', `${scheme.name} hashes need the native helper checkpassword.node (run make build)`);
}
