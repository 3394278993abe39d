// Pure-TS SHA-256-crypt (`$5$`) and SHA-512-crypt (`$6$`) after Ulrich Drepper's specification,
// on node:crypto: the fallback when the native libcrypt addon is not available.
import { digest, nodeCrypto } from './node-crypto';
import { MAX_PASSPHRASE_BYTES, encodePermuted, isValidSettingText } from './itoa64';

const DEFAULT_ROUNDS = 5000;
const MIN_ROUNDS = 1000;
const MAX_ROUNDS = 999_999_999;
const MAX_SALT = 16;

interface Variant {
  alg: 'sha256' | 'sha512';
  size: number;
  /** Output order of the digest bytes (Drepper's b64_from_24bit calls, in sequence). */
  order: readonly number[];
}

const SHA256: Variant = {
  alg: 'sha256',
  size: 32,
  order: [
    0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14, 15, 25, 5, 6, 16, 26, 27, 7, 17, 18, 28, 8,
    9, 19, 29, 31, 30,
  ],
};

const SHA512: Variant = {
  alg: 'sha512',
  size: 64,
  order: [
    0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29,
    9, 30, 51, 31, 52, 10, 53, 11, 32, 12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16, 59,
    17, 38, 18, 39, 60, 40, 61, 19, 62, 20, 41, 63,
  ],
};

// Decimal rounds without sign, space or leading zero, then `$` (what libxcrypt accepts).
const ROUNDS_RE = /^rounds=([1-9][0-9]{0,9})\$/;


/**
 * crypt(3) for `$5$[rounds=N$]salt$...` and `$6$[rounds=N$]salt$...`. The salt ends at the next
 * `$` or the end of the setting and is cut to 16 characters; a given `rounds=` is written back
 * even when it is 5000. Returns null for another format, for rounds outside 1000..999999999 or
 * not plain decimal, a character libxcrypt refuses anywhere in the setting, or a password of
 * 512 bytes or more (libxcrypt answers `*0` for all of these), and for an empty salt (which
 * libxcrypt would accept; we treat it as malformed).
 */
export function shaCrypt(password: Buffer, setting: string): string | null {
  let variant: Variant;
  if (setting.startsWith('$5$')) variant = SHA256;
  else if (setting.startsWith('$6$')) variant = SHA512;
  else return null;
  if (password.length >= MAX_PASSPHRASE_BYTES || !isValidSettingText(setting)) return null;

  let rest = setting.slice(3);
  let rounds = DEFAULT_ROUNDS;
  let roundsField = '';
  if (rest.startsWith('rounds=')) {
    const m = ROUNDS_RE.exec(rest);
    if (m === null) return null;
    rounds = Number(m[1]);
    if (rounds < MIN_ROUNDS || rounds > MAX_ROUNDS) return null;
    roundsField = m[0];
    rest = rest.slice(m[0].length);
  }
  const end = rest.indexOf('$');
  const saltText = (end < 0 ? rest : rest.slice(0, end)).slice(0, MAX_SALT);
  if (saltText.length === 0) return null;

  const digest = shaCryptRaw(variant, password, Buffer.from(saltText, 'latin1'), rounds);
  return setting.slice(0, 3) + roundsField + saltText + '$' + encodePermuted(digest, variant.order);
}

/** Drepper's algorithm: the final digest for a password, (already cut) salt and round count. */
function shaCryptRaw(v: Variant, pw: Buffer, salt: Buffer, rounds: number): Buffer {
  const { alg, size } = v;
  const pl = pw.length;
  const sl = salt.length;

  // Digest B = H(pw salt pw); digest A = H(pw salt, B repeated over pw.length bytes, then one
  // piece per bit of pw.length: B for a 1 bit, pw for a 0 bit).
  const pwSaltPw = Buffer.concat([pw, salt, pw]);
  const b = digest(alg, pwSaltPw);
  pwSaltPw.fill(0);
  const ctxA = nodeCrypto().createHash(alg);
  ctxA.update(pw);
  ctxA.update(salt);
  let left = pl;
  for (; left > size; left -= size) ctxA.update(b);
  ctxA.update(b.subarray(0, left));
  for (let i = pl; i > 0; i >>>= 1) ctxA.update(i & 1 ? b : pw);
  const a = ctxA.digest();

  // P sequence: H(pw repeated pw.length times), repeated to pw.length bytes.
  const ctxP = nodeCrypto().createHash(alg);
  for (let i = 0; i < pl; i++) ctxP.update(pw);
  const dp = ctxP.digest();
  const p = Buffer.alloc(pl);
  for (let off = 0; off < pl; off += size) dp.copy(p, off, 0, Math.min(size, pl - off));

  // S sequence: H(salt repeated 16 + A[0] times), first salt.length bytes (salt <= 16 < size).
  const ctxS = nodeCrypto().createHash(alg);
  for (let i = 16 + a[0]!; i > 0; i--) ctxS.update(salt);
  const s = ctxS.digest().subarray(0, sl);

  // Each round hashes one of 8 byte layouts, picked by (r odd, r % 3 != 0, r % 7 != 0):
  //   odd:  P [S] [P] previous
  //   even: previous [S] [P] P
  // The layouts are built once; per round only the previous digest is copied in.
  const layouts: Buffer[] = [];
  const offsets: number[] = [];
  for (let k = 0; k < 8; k++) {
    const odd = (k & 1) !== 0;
    const len = size + pl + (k & 2 ? sl : 0) + (k & 4 ? pl : 0);
    const layout = Buffer.allocUnsafe(len);
    let off = 0;
    if (odd) off += p.copy(layout, off);
    else off += size;
    if (k & 2) off += s.copy(layout, off);
    if (k & 4) off += p.copy(layout, off);
    if (!odd) p.copy(layout, off);
    layouts.push(layout);
    offsets.push(odd ? len - size : 0);
  }

  let prev: Buffer = a;
  let mod3 = 0;
  let mod7 = 0;
  for (let r = 0; r < rounds; r++) {
    const k = (r & 1) | (mod3 !== 0 ? 2 : 0) | (mod7 !== 0 ? 4 : 0);
    const layout = layouts[k]!;
    prev.copy(layout, offsets[k]!);
    prev = digest(alg, layout);
    if (++mod3 === 3) mod3 = 0;
    if (++mod7 === 7) mod7 = 0;
  }

  for (const layout of layouts) layout.fill(0);
  p.fill(0);
  return prev;
}
