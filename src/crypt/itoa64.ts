// crypt(3)'s base-64 alphabet "./0-9A-Za-z" (little-endian 6-bit groups) and the checks on
// setting strings that libxcrypt applies to every format; shared by the pure-TS hash fallbacks.

export const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** libxcrypt refuses any phrase of this many bytes or more (CRYPT_MAX_PASSPHRASE_SIZE). */
export const MAX_PASSPHRASE_BYTES = 512;

/**
 * Encode `bytes` in the order MD5-crypt and SHA-crypt use: `order` lists byte indices three at a
 * time, first index = most significant byte of the 24-bit group; each group gives 4 characters,
 * least significant 6 bits first. A final group of 1 or 2 indices gives 2 or 3 characters
 * (the missing high bytes count as 0).
 */
export function encodePermuted(bytes: Uint8Array, order: readonly number[]): string {
  let out = '';
  for (let i = 0; i < order.length; i += 3) {
    const n = Math.min(3, order.length - i);
    let w = 0;
    for (let j = 0; j < n; j++) w = (w << 8) | (bytes[order[i + j]!] ?? 0);
    for (let c = n + 1; c > 0; c--) {
      out += ITOA64[w & 0x3f];
      w >>>= 6;
    }
  }
  return out;
}

/**
 * Encode `bytes` the way scrypt's `$7$` (and yescrypt) do: consecutive groups of up to three
 * bytes, first byte = least significant, ceil(bits / 6) characters per group.
 */
export function encodeLittleEndian(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    let w = 0;
    let bits = 0;
    while (bits < 24 && i < bytes.length) {
      w |= bytes[i++]! << bits;
      bits += 8;
    }
    for (; bits > 0; bits -= 6) {
      out += ITOA64[w & 0x3f];
      w >>>= 6;
    }
  }
  return out;
}

/** Value 0..63 of one alphabet character code, or -1 when it is not in the alphabet. */
export function decodeCharCode(code: number): number {
  if (code === 0x2e || code === 0x2f) return code - 0x2e; // . /
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 2; // 0-9
  if (code >= 0x41 && code <= 0x5a) return code - 0x41 + 12; // A-Z
  if (code >= 0x61 && code <= 0x7a) return code - 0x61 + 38; // a-z
  return -1;
}

/**
 * Decode `chars` characters of `s` from `start` as one little-endian number (first character =
 * lowest 6 bits), as `$7$` stores r and p. Returns -1 when a character is missing or invalid.
 * At most 5 characters (30 bits) so the result stays a small integer.
 */
export function decodeLittleEndian(s: string, start: number, chars: number): number {
  if (chars > 5 || start + chars > s.length) return -1;
  let value = 0;
  for (let i = 0; i < chars; i++) {
    const v = decodeCharCode(s.charCodeAt(start + i));
    if (v < 0) return -1;
    value |= v << (6 * i);
  }
  return value;
}

/**
 * True when every character of a setting is one libxcrypt accepts: printable ASCII 0x21..0x7e
 * except `!`, `*`, `:`, `;` and `\` (checked against libxcrypt 4.4.33's crypt(), which answers
 * `*0` for a setting containing any other character).
 */
export function isValidSettingText(setting: string): boolean {
  for (let i = 0; i < setting.length; i++) {
    const c = setting.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
    if (c === 0x21 || c === 0x2a || c === 0x3a || c === 0x3b || c === 0x5c) return false;
  }
  return true;
}
