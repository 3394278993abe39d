// Pure-TS MD5-crypt (Poul-Henning Kamp's `$1$`) and Apache's `$apr1$` (same algorithm, other
// magic) on node:crypto: the fallback when the native libcrypt addon is not available.
import { digest, nodeCrypto } from './node-crypto';
import { MAX_PASSPHRASE_BYTES, encodePermuted, isValidSettingText } from './itoa64';

const MAX_SALT = 8;
const ROUNDS = 1000;

/** Output order of the 16 digest bytes (PHK's "to64" groups; the last group is byte 11 alone). */
const ORDER: readonly number[] = [0, 6, 12, 1, 7, 13, 2, 8, 14, 3, 9, 15, 4, 10, 5, 11];

function md5(data: Buffer): Buffer {
  return digest('md5', data);
}

/**
 * crypt(3) for `$1$salt$...` and `$apr1$salt$...`. The salt is up to 8 characters and ends at
 * the next `$` (or the end of the setting); anything after it is ignored, so a stored hash can
 * be passed as the setting and the result compared with it. Returns null for a setting that is
 * not one of these formats or is malformed (a character libxcrypt refuses anywhere in it, or an
 * empty salt: libxcrypt would hash `$1$` as `$1$$...`, we refuse it), and for `$1$` with a
 * password of 512 bytes or more, which libxcrypt refuses too.
 */
export function md5Crypt(password: Buffer, setting: string): string | null {
  let magic: string;
  if (setting.startsWith('$1$')) {
    if (password.length >= MAX_PASSPHRASE_BYTES) return null;
    magic = '$1$';
  } else if (setting.startsWith('$apr1$')) {
    magic = '$apr1$';
  } else {
    return null;
  }
  if (!isValidSettingText(setting)) return null;

  const rest = setting.slice(magic.length);
  const end = rest.indexOf('$');
  const saltText = (end < 0 ? rest : rest.slice(0, end)).slice(0, MAX_SALT);
  if (saltText.length === 0) return null;

  const digest = md5CryptRaw(password, Buffer.from(magic, 'latin1'), Buffer.from(saltText, 'latin1'));
  return magic + saltText + '$' + encodePermuted(digest, ORDER);
}

/** The 16-byte MD5-crypt result for a password, magic and (already cut) salt. */
function md5CryptRaw(pw: Buffer, magic: Buffer, salt: Buffer): Buffer {
  const pwSaltPw = Buffer.concat([pw, salt, pw]);
  const alt = md5(pwSaltPw);
  pwSaltPw.fill(0);

  const ctx = nodeCrypto().createHash('md5');
  ctx.update(pw);
  ctx.update(magic);
  ctx.update(salt);
  for (let left = pw.length; left > 0; left -= 16) ctx.update(alt.subarray(0, Math.min(16, left)));
  // One step per bit of the length: a zero byte for a 1 bit, the first password byte for a 0 bit.
  const zero = Buffer.alloc(1);
  const first = pw.subarray(0, 1);
  for (let i = pw.length; i > 0; i >>>= 1) ctx.update(i & 1 ? zero : first);
  let result: Buffer = ctx.digest();

  // The 1000 rounds hash one of 8 byte layouts, picked by (i odd, i % 3 != 0, i % 7 != 0):
  //   odd:  pw  [salt] [pw] previous
  //   even: previous [salt] [pw] pw
  // Each layout is built once; only the 16 bytes of the previous result are copied in per round.
  const layouts: Buffer[] = [];
  const offsets: number[] = [];
  for (let k = 0; k < 8; k++) {
    const odd = (k & 1) !== 0;
    const parts: Buffer[] = [];
    parts.push(odd ? pw : Buffer.alloc(16));
    if (k & 2) parts.push(salt);
    if (k & 4) parts.push(pw);
    parts.push(odd ? Buffer.alloc(16) : pw);
    const layout = Buffer.concat(parts);
    layouts.push(layout);
    offsets.push(odd ? layout.length - 16 : 0);
  }
  for (let i = 0; i < ROUNDS; i++) {
    const k = (i & 1) | (i % 3 !== 0 ? 2 : 0) | (i % 7 !== 0 ? 4 : 0);
    const layout = layouts[k]!;
    result.copy(layout, offsets[k]!);
    result = md5(layout);
  }
  for (const layout of layouts) layout.fill(0);
  return result;
}
