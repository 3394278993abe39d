// Every row of the shared vectors verifies as its expect column says, through the fallback engines (own node:crypto code, bcryptjs, Perl's crypt).

import { describe, expect, it } from 'vitest';

// Before the modules under test load: CHECKPASSWORD_NATIVE=off makes them skip the helper.
process.env.CHECKPASSWORD_NATIVE = 'off';
import { cryptEngine, verifyPassword, verifyPlaintext } from '../../src/crypt/verify';
import { vectorRows } from '../support/vectors';

const rows = vectorRows();

describe('hash vectors without the native helper', () => {
  it('the fallback is in use', () => {
    expect(cryptEngine()).toBe('fallback');
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
