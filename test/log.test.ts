import { describe, expect, it } from 'vitest';
import { escapeBytes, formatLogLine } from '../src/log';

describe('log lines', () => {
  it('a line names program, pid, outcome, reason, login, remote address and duration', () => {
    const line = formatLogLine('checkpassword-passwd', 42, {
      outcome: 'reject',
      reason: 'bad-password',
      login: Buffer.from('alice'),
      remote: '192.0.2.7',
      ms: 12.4,
    });
    expect(line).toBe('checkpassword-passwd[42]: reject reason=bad-password login="alice" remote=192.0.2.7 ms=12');
  });

  it('control characters, quotes and backslashes in a login are escaped, so no line can be forged', () => {
    expect(escapeBytes(Buffer.from('a\nb"c\\d\x00\xff', 'latin1'), 100)).toBe('a\\x0ab\\x22c\\x5cd\\x00\\xff');
  });

  it('a long login is cut and marked', () => {
    expect(escapeBytes(Buffer.alloc(200, 'a'), 128)).toBe('a'.repeat(128) + '...');
  });

  it('a remote address that is not a plain token is quoted and escaped', () => {
    const line = formatLogLine('p', 1, { outcome: 'reject', reason: 'x', remote: 'a b\n', ms: 0 });
    expect(line).toContain('remote="a b\\x0a"');
  });

  it('a detail is quoted and escaped', () => {
    const line = formatLogLine('p', 1, { outcome: 'tempfail', reason: 'store-unreadable', detail: 'cannot read /x: EACCES', ms: 0 });
    expect(line).toMatch(/detail="cannot read \/x: EACCES"$/);
  });
});
