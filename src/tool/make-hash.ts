// A new password hash in one of hash-schemes.ts's schemes, for `checkpassword-tool hash` and
// `vpasswd add|passwd`: which engine finishes the setting, the salt from the kernel's CSPRNG, and
// a self-check, so that no hash leaves here that would not let its password in.

import { bcryptCrypt } from '../crypt/bcrypt-fallback';
import { MAX_PASSPHRASE_BYTES } from '../crypt/itoa64';
import { md5Crypt } from '../crypt/md5-crypt';
import { scryptCrypt } from '../crypt/scrypt-crypt';
import { shaCrypt } from '../crypt/sha-crypt';
import { verifyPassword } from '../crypt/verify';
import { Misuse, TemporaryFailure } from '../exit';
import { loadNative } from '../native/native';
import { randomBytes } from '../random';
import type { HashScheme } from './hash-schemes';

/** Finishes a setting (prefix, cost, salt) into a hash; null when it cannot. */
export type Hasher = (password: Buffer, setting: string) => string | null;

/**
 * The function that finishes a setting into a hash. libcrypt (through the native helper) first;
 * without it, the suite's own SHA-crypt, MD5-crypt and scrypt code (the verifiers, checked against
 * libxcrypt's vectors), and bcryptjs for bcrypt. Anything else needs libcrypt: TemporaryFailure
 * (111), since the command is right and the machine lacks the helper (make build makes it).
 * Separate from makeHash so that a command can fail before it asks for a password.
 */
export function engineFor(scheme: HashScheme): Hasher {
  if (scheme.engine === 'bcryptjs') return bcryptCrypt;
  const native = loadNative();
  if (native) return (password, setting) => libcryptResult(native.crypt(password, setting), setting);
  if (scheme.engine === 'libcrypt-or-own') {
    if (scheme.name === 'scrypt') return scryptCrypt;
    if (scheme.name === 'md5crypt') return md5Crypt;
    return shaCrypt;
  }
  throw new TemporaryFailure('no-native-helper', `${scheme.name} hashes are made by the system's libcrypt, through the native helper checkpassword.node, which is not loaded here (run make build)`);
}

/**
 * The hash of `password` in `scheme` at `cost` (already checked; null for a scheme without one),
 * made by `engine` (default: engineFor(scheme), asked after the password's checks).
 * A password with a NUL byte (no login can carry one) or of 512 bytes or more (libcrypt's limit)
 * is Misuse (exit 2). No hash, or one that does not verify: TemporaryFailure (111).
 */
export function makeHash(password: Buffer, scheme: HashScheme, cost: number | null, engine?: Hasher): string {
  if (password.includes(0)) throw new Misuse('unhashable-password', 'A password with a NUL byte cannot be hashed');
  if (password.length >= MAX_PASSPHRASE_BYTES) throw new Misuse('unhashable-password', `A password of ${MAX_PASSPHRASE_BYTES} bytes or more cannot be hashed`);
  const hash = (engine ?? engineFor(scheme))(password, scheme.setting(randomBytes, cost));
  if (hash === null || hash.startsWith('*')) throw new TemporaryFailure('unsupported-scheme', `Cannot make a ${scheme.name} hash of this password here`);
  // Fail closed: nothing that would not let this password in is printed or stored.
  if (verifyPassword(password, hash) !== 'match') throw new TemporaryFailure('self-check', `The ${scheme.name} hash made does not verify: not used`);
  return hash;
}

/** libcrypt answers a setting it does not know with `*0`/`*1` (or nothing): that is no hash. */
function libcryptResult(hash: string | null, setting: string): string | null {
  if (hash === null || hash.startsWith('*') || hash.length <= setting.length) return null;
  return hash;
}
