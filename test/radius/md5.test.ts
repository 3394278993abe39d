// Our MD5 and HMAC-MD5 (src/radius/md5.ts) against node:crypto and the RFC test vectors.

import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacMd5, md5 } from '../../src/radius/md5';

describe('md5', () => {
  it('gives the RFC 1321 test suite digests', () => {
    const suite: [string, string][] = [
      ['', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['a', '0cc175b9c0f1b6a831c399e269772661'],
      ['abc', '900150983cd24fb0d6963f7d28e17f72'],
      ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
      ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
      ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
      ['1234567890'.repeat(8), '57edf4a22be3c955ac49da2e2107b67a'],
    ];
    for (const [text, digest] of suite) expect(md5(Buffer.from(text)).toString('hex')).toBe(digest);
  });

  it('equals node:crypto for every length from 0 to 300 bytes (all padding cases)', () => {
    for (let n = 0; n <= 300; n++) {
      const data = randomBytes(n);
      expect(md5(data).equals(createHash('md5').update(data).digest())).toBe(true);
    }
  });

  it('hashes its parts as one message', () => {
    const a = randomBytes(37);
    const b = randomBytes(91);
    expect(md5(a, b).equals(createHash('md5').update(a).update(b).digest())).toBe(true);
  });
});

describe('hmacMd5', () => {
  it('gives the RFC 2104 / RFC 2202 test vectors', () => {
    expect(hmacMd5(Buffer.alloc(16, 0x0b), Buffer.from('Hi There')).toString('hex')).toBe('9294727a3638bb1c13f48ef8158bfc9d');
    expect(hmacMd5(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).toString('hex')).toBe('750c783e6ab0b503eaa86e310a5db738');
    expect(hmacMd5(Buffer.alloc(80, 0xaa), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First')).toString('hex')).toBe(
      '6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd',
    );
  });

  it('equals node:crypto for keys of 0 to 130 bytes (short, block-sized and hashed keys)', () => {
    for (let k = 0; k <= 130; k++) {
      const key = randomBytes(k);
      const data = randomBytes(k * 3);
      expect(hmacMd5(key, data).equals(createHmac('md5', key).update(data).digest())).toBe(true);
    }
  });
});
