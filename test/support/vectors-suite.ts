// One test per vector row, for whichever crypt engine the test file has selected.

import { describe, expect, it } from 'vitest';
import { cryptEngine, verifyPassword, verifyPlaintext } from '../../src/crypt/verify';
import { vectorRows } from './vectors';

/** Declares the suite: every row of crypt.tsv and crypt-bytes.tsv verifies as `expect` says. */
export function describeVectors(title: string, engine: 'libcrypt' | 'fallback'): void {
  const rows = vectorRows();
  describe(title, () => {
    it(`the ${engine} engine is the one in use`, () => {
      expect(cryptEngine()).toBe(engine);
    });

    it('covers all 154 rows', () => {
      expect(rows.length).toBe(154);
    });

    it.each(rows.filter((r) => r.format !== 'plain').map((r) => [r.title, r] as const))('%s', (_t, row) => {
      expect(verifyPassword(row.password, row.hash) === 'match').toBe(row.expect === 'match');
    });

    it.each(rows.filter((r) => r.format === 'plain').map((r) => [r.title, r] as const))('%s (as a plaintext field)', (_t, row) => {
      expect(verifyPlaintext(row.password, Buffer.from(row.hash, 'utf8')) === 'match').toBe(row.expect === 'match');
    });

    it('a plaintext password in a hash field never matches itself', () => {
      for (const row of rows.filter((r) => r.format === 'plain' && r.expect === 'match')) {
        expect(verifyPassword(row.password, row.hash)).not.toBe('match');
      }
    });
  });
}
