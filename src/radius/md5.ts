// MD5 (RFC 1321) and HMAC-MD5 (RFC 2104), for RADIUS only: the Request/Response Authenticator,
// the User-Password chain and Message-Authenticator are defined on them. Our own code because
// loading node:crypto costs about 2.5 ms and 3 MiB a login (docs/performance.md); the tests check
// it against node:crypto. Never use it for anything that needs a strong hash.

/** Per-round shift amounts. */
const SHIFT = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

/** K[i] = floor(|sin(i + 1)| * 2^32), the RFC's table, computed rather than typed in. */
const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) >>> 0);

/** The MD5 digest of the parts, concatenated. */
export function md5(...parts: Uint8Array[]): Buffer {
  const length = parts.reduce((n, p) => n + p.length, 0);
  // Message, 0x80, zeros to 56 mod 64, then the bit length as 64-bit little-endian.
  const padded = Buffer.alloc((((length + 8) >> 6) + 1) * 64);
  let at = 0;
  for (const p of parts) {
    padded.set(p, at);
    at += p.length;
  }
  padded[length] = 0x80;
  padded.writeUInt32LE((length * 8) >>> 0, padded.length - 8);
  padded.writeUInt32LE(Math.floor(length / 0x20000000) >>> 0, padded.length - 4);

  let a0 = 0x67452301;
  let b0 = 0xefcdab89;
  let c0 = 0x98badcfe;
  let d0 = 0x10325476;
  const m = new Array<number>(16);
  for (let block = 0; block < padded.length; block += 64) {
    for (let j = 0; j < 16; j++) m[j] = padded.readInt32LE(block + j * 4);
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      f = (f + a + K[i]! + m[g]!) | 0;
      a = d;
      d = c;
      c = b;
      const s = SHIFT[(i >> 4) * 4 + (i & 3)]!;
      b = (b + ((f << s) | (f >>> (32 - s)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  const out = Buffer.alloc(16);
  out.writeInt32LE(a0, 0);
  out.writeInt32LE(b0, 4);
  out.writeInt32LE(c0, 8);
  out.writeInt32LE(d0, 12);
  padded.fill(0);
  return out;
}

/** HMAC-MD5 (RFC 2104) of the parts, concatenated, under `key`. */
export function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const block = Buffer.alloc(64);
  block.set(key.length > 64 ? md5(key) : key);
  const inner = Buffer.alloc(64);
  const outer = Buffer.alloc(64);
  for (let i = 0; i < 64; i++) {
    inner[i] = block[i]! ^ 0x36;
    outer[i] = block[i]! ^ 0x5c;
  }
  const result = md5(outer, md5(inner, ...parts));
  block.fill(0);
  inner.fill(0);
  outer.fill(0);
  return result;
}
