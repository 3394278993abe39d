// The hash schemes `checkpassword-tool hash` makes: one row of data per scheme (its name as
// mkpasswd(1) spells it, its cost range, how a setting string is built from random bytes, and
// which engine can finish it). The settings follow crypt(5) of libxcrypt 4.4, the same strings
// its crypt_gensalt writes, so any libcrypt (and our verifiers) can check the result.

import { ITOA64, encodeLittleEndian } from '../crypt/itoa64';

/** The work factor of a scheme: its range, its default, and what the number means. */
export interface Cost {
  min: number;
  max: number;
  /** Used when --cost is not given; null writes no cost at all (the scheme's own default). */
  default: number | null;
  /** For --help and error messages: "rounds", "log2 of rounds", "cost". */
  meaning: string;
  /** Only odd values are valid (bsdicrypt: even counts expose weak DES keys). */
  odd?: boolean;
}

/** Who can compute a scheme: libcrypt only, or also code shipped with the suite. */
export type Engine = 'libcrypt' | 'libcrypt-or-own' | 'bcryptjs';

export interface HashScheme {
  name: string;
  describe: string;
  cost: Cost | null;
  engine: Engine;
  /** Set for schemes kept only for old systems: printed as a warning on stderr. */
  legacy?: string;
  /** Only the first this-many bytes of a password count (DES: 8, bcrypt: 72). */
  maxBytes?: number;
  /** The setting string (prefix, cost, salt) from `random(n)` bytes and a checked cost. */
  setting(random: (n: number) => Buffer, cost: number | null): string;
}

/** The schemes, best first; the first is the default. */
export const SCHEMES: readonly HashScheme[] = [
  {
    name: 'sha512crypt',
    describe: 'SHA-512-crypt ($6$): every libc since 2008 checks it',
    cost: { min: 1000, max: 999_999_999, default: null, meaning: 'rounds (default 5000, then not written)' },
    engine: 'libcrypt-or-own',
    setting: (random, cost) => `$6$${roundsField(cost)}${saltChars(random, 16)}`,
  },
  {
    name: 'yescrypt',
    describe: "yescrypt ($y$): Debian's and Fedora's default for /etc/shadow",
    cost: { min: 1, max: 11, default: 5, meaning: 'libxcrypt cost: memory 1-2 MiB at 1-2, then 4 MiB doubling up to 1 GiB at 11' },
    engine: 'libcrypt',
    setting: (random, cost) => `$y$${yescryptParams(cost!)}$${encodeLittleEndian(random(16))}`,
  },
  {
    name: 'bcrypt',
    describe: 'bcrypt ($2b$), made by bcryptjs; uses at most 72 bytes of a password',
    cost: { min: 4, max: 31, default: 10, meaning: 'log2 of rounds' },
    engine: 'bcryptjs',
    maxBytes: 72,
    setting: (random, cost) => `$2b$${String(cost).padStart(2, '0')}$${bcryptSalt(random(16))}`,
  },
  {
    name: 'sha256crypt',
    describe: 'SHA-256-crypt ($5$)',
    cost: { min: 1000, max: 999_999_999, default: null, meaning: 'rounds (default 5000, then not written)' },
    engine: 'libcrypt-or-own',
    setting: (random, cost) => `$5$${roundsField(cost)}${saltChars(random, 16)}`,
  },
  {
    name: 'gost-yescrypt',
    describe: 'yescrypt with GOST R 34.11-2012 ($gy$)',
    cost: { min: 1, max: 11, default: 5, meaning: 'as for yescrypt' },
    engine: 'libcrypt',
    setting: (random, cost) => `$gy$${yescryptParams(cost!)}$${encodeLittleEndian(random(16))}`,
  },
  {
    name: 'scrypt',
    describe: 'scrypt ($7$)',
    cost: { min: 6, max: 11, default: 7, meaning: 'libxcrypt cost: N = 2^(cost+7), r = 32' },
    engine: 'libcrypt-or-own',
    setting: (random, cost) => `$7$${ITOA64[cost! + 7]}${fixed30(32)}${fixed30(1)}${encodeLittleEndian(random(16))}`,
  },
  {
    name: 'md5crypt',
    describe: 'MD5-crypt ($1$): for old systems only',
    cost: null,
    engine: 'libcrypt-or-own',
    legacy: 'md5crypt is weak: use it only for a system that reads nothing better',
    setting: (random) => `$1$${saltChars(random, 8)}`,
  },
  {
    name: 'sunmd5',
    describe: "Solaris' SunMD5 ($md5): for old systems only",
    cost: { min: 0, max: 4_294_963_199, default: 5000, meaning: 'extra rounds' },
    engine: 'libcrypt',
    legacy: 'sunmd5 is weak: use it only for a system that reads nothing better',
    setting: (random, cost) => `$md5,rounds=${cost}$${saltChars(random, 8)}$`,
  },
  {
    name: 'bsdicrypt',
    describe: 'BSDI extended DES (_): for old systems only',
    cost: { min: 1, max: 16_777_215, default: 725, meaning: 'rounds, odd', odd: true },
    engine: 'libcrypt',
    legacy: 'bsdicrypt is weak: use it only for a system that reads nothing better',
    setting: (random, cost) => `_${fixed24(cost!)}${saltChars(random, 4)}`,
  },
  {
    name: 'descrypt',
    describe: 'traditional DES crypt: for old systems only; uses 8 bytes of a password',
    cost: null,
    engine: 'libcrypt',
    legacy: 'descrypt is weak: use it only for a system that reads nothing better',
    maxBytes: 8,
    setting: (random) => saltChars(random, 2),
  },
];

/** The scheme called `name`, or undefined. */
export function schemeNamed(name: string): HashScheme | undefined {
  return SCHEMES.find((s) => s.name === name);
}

/** The `--scheme` option of `hash` and `vpasswd add|passwd`: mkpasswd's names, the first scheme by default. */
export function schemeOption(describe: string) {
  return { type: 'string', default: SCHEMES[0]!.name, choices: SCHEMES.map((s) => s.name), describe } as const;
}

/** Why `cost` is not valid for `scheme`, or null when it is. */
export function costProblem(scheme: HashScheme, cost: number): string | null {
  const c = scheme.cost;
  if (c === null) return `${scheme.name} has no cost to set`;
  if (!Number.isInteger(cost) || cost < c.min || cost > c.max) return `${scheme.name} takes a cost from ${c.min} to ${c.max} (${c.meaning})`;
  if (c.odd === true && cost % 2 === 0) return `${scheme.name} takes an odd number of rounds`;
  return null;
}

/** `rounds=N$` for SHA-crypt, or nothing for the default 5000 (as libxcrypt writes it). */
function roundsField(cost: number | null): string {
  return cost === null ? '' : `rounds=${cost}$`;
}

/** `n` salt characters, uniform over the 64-character alphabet (one random byte each, 6 bits used). */
function saltChars(random: (n: number) => Buffer, n: number): string {
  const bytes = random(n);
  let out = '';
  for (const b of bytes) out += ITOA64[b & 0x3f];
  bytes.fill(0);
  return out;
}

/**
 * yescrypt's parameters as libxcrypt's gensalt writes them: flavor YESCRYPT_DEFAULTS (`j`), then
 * log2(N) - 1 and r - 1, each one character while below 48 (yescrypt's variable-length number
 * encoding; every cost 1..11 stays below). Cost 1-2: r = 8, N = 2^(cost+9); 3-11: r = 32,
 * N = 2^(cost+7). Cost 5 gives `j9T`, the `$y$j9T$` of Debian's shadow files.
 */
function yescryptParams(cost: number): string {
  const [logN, r] = cost < 3 ? [cost + 9, 8] : [cost + 7, 32];
  return 'j' + smallNumber(logN - 1) + smallNumber(r - 1);
}

function smallNumber(n: number): string {
  if (n < 0 || n >= 48) throw new RangeError(`cannot encode ${n} in one character`);
  return ITOA64[n]!;
}

/** A 30-bit number in 5 characters, low 6 bits first (scrypt's r and p). */
function fixed30(n: number): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += ITOA64[(n >>> (6 * i)) & 0x3f];
  return out;
}

/** A 24-bit number in 4 characters, low 6 bits first (bsdicrypt's count). */
function fixed24(n: number): string {
  let out = '';
  for (let i = 0; i < 4; i++) out += ITOA64[(n >>> (6 * i)) & 0x3f];
  return out;
}

/** bcrypt's own base-64 ("./A-Za-z0-9") of 16 salt bytes: 22 characters, as OpenBSD writes it. */
function bcryptSalt(bytes: Buffer): string {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    out += alphabet[b0 >> 2];
    if (b1 === undefined) {
      out += alphabet[(b0 & 0x03) << 4];
      break;
    }
    out += alphabet[((b0 & 0x03) << 4) | (b1 >> 4)];
    if (b2 === undefined) {
      out += alphabet[(b1 & 0x0f) << 2];
      break;
    }
    out += alphabet[((b1 & 0x0f) << 2) | (b2 >> 6)];
    out += alphabet[b2 & 0x3f];
  }
  bytes.fill(0);
  return out;
}
