// Pure-TS `$7$` scrypt crypt strings (the format libxcrypt writes) on node:crypto's scrypt:
// the fallback when the native libcrypt addon is not available.
import { nodeCrypto } from './node-crypto';
import {
  MAX_PASSPHRASE_BYTES,
  decodeCharCode,
  decodeLittleEndian,
  encodeLittleEndian,
  isValidSettingText,
} from './itoa64';

const PREFIX = '$7$';
const PARAM_CHARS = 11; // N as log2 in 1 character, then r and p in 5 characters (30 bits) each
const KEY_BYTES = 32;
/** Largest V array (128 * r * N bytes) we agree to allocate: 1 GiB, libxcrypt's top cost 11. */
const MAX_MEMORY = 1024 * 1024 * 1024;
/** Largest work (N * r * p) we agree to do: 4 times libxcrypt's top cost (2^18 * 32 * 1). */
const MAX_WORK = 2 ** 25;

/**
 * crypt(3) for `$7$` + 11 parameter characters + salt: scrypt(password, salt, N, r, p) with the
 * salt *string* as the scrypt salt (not decoded) and 32 output bytes in crypt base-64. As in
 * libxcrypt the salt is alphabet characters and runs to the last `$` (see scryptSalt). Returns
 * null for another format, malformed parameters, N below 4 (libxcrypt refuses N = 2), parameters
 * beyond the memory and work caps above, a salt libxcrypt refuses, an empty salt (libxcrypt
 * accepts one; it is treated as malformed here, as in md5Crypt and shaCrypt), a character
 * libxcrypt refuses anywhere in the setting, or a password of 512 bytes or more.
 */
export function scryptCrypt(password: Buffer, setting: string): string | null {
  if (!setting.startsWith(PREFIX)) return null;
  if (password.length >= MAX_PASSPHRASE_BYTES || !isValidSettingText(setting)) return null;
  if (setting.length < PREFIX.length + PARAM_CHARS) return null;

  const logN = decodeCharCode(setting.charCodeAt(PREFIX.length));
  const r = decodeLittleEndian(setting, PREFIX.length + 1, 5);
  const p = decodeLittleEndian(setting, PREFIX.length + 6, 5);
  if (logN < 2 || r < 1 || p < 1) return null;
  // Compare in floating point: N can be up to 2^63 here; the products stay exact enough to compare.
  const n = 2 ** logN;
  if (128 * r * n > MAX_MEMORY || 128 * r * p > MAX_MEMORY || n * r * p > MAX_WORK) return null;

  const head = setting.slice(0, PREFIX.length + PARAM_CHARS);
  const saltText = scryptSalt(setting.slice(head.length));
  if (saltText === null || saltText.length === 0) return null;

  let key: Buffer;
  try {
    key = nodeCrypto().scryptSync(password, Buffer.from(saltText, 'latin1'), KEY_BYTES, {
      N: n,
      r,
      p,
      // OpenSSL counts 128 * r * (N + 2) for V plus 128 * r * p for B; leave headroom on top.
      maxmem: 128 * r * (n + 2) + 128 * r * p + 1024 * 1024,
    });
  } catch {
    return null; // OpenSSL refused the parameters (e.g. N too large for r)
  }
  return head + saltText + '$' + encodeLittleEndian(key);
}

/**
 * The salt part of what follows the parameters, read as libxcrypt 4.4.33 does (worked out by
 * probing its crypt()): the longest run of alphabet characters and `$` is taken; text after
 * that run is allowed only right after a `$`; the salt is the run up to its last `$` (the whole
 * run when it has none). Returns null when libxcrypt would refuse the setting.
 */
function scryptSalt(rest: string): string | null {
  let n = 0;
  while (n < rest.length) {
    const c = rest.charCodeAt(n);
    if (c !== 0x24 && decodeCharCode(c) < 0) break;
    n++;
  }
  if (n < rest.length && (n === 0 || rest.charCodeAt(n - 1) !== 0x24)) return null;
  const run = rest.slice(0, n);
  const last = run.lastIndexOf('$');
  return last < 0 ? run : run.slice(0, last);
}
