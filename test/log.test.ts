import { describe, expect, it } from 'vitest';
import { LOG_TARGETS, escapeBytes, formatLogFields, formatLogLine } from '../src/log';
import { logTargetFrom } from '../src/programs/attempt';

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

describe('log targets', () => {
  it.each([
    ['none', { kind: 'none' }],
    ['', { kind: 'none' }],
    ['stderr', { kind: 'stderr' }],
    ['syslog', { kind: 'syslog', facility: 'auth' }],
    ['syslog:auth', { kind: 'syslog', facility: 'auth' }],
    ['syslog:authpriv', { kind: 'syslog', facility: 'authpriv' }],
    ['syslog:mail', { kind: 'syslog', facility: 'mail' }],
  ])('--log %j is %j', (value, target) => {
    expect(logTargetFrom(value)).toEqual(target);
  });

  it('no value is none', () => {
    expect(logTargetFrom(undefined)).toEqual({ kind: 'none' });
  });

  it.each(['syslog:local0', 'syslog:', 'SYSLOG', 'constructor', '__proto__', 'toString'])('--log %j is misuse (exit 2)', (value) => {
    expect(() => logTargetFrom(value)).toThrow(expect.objectContaining({ exitCode: 2, reason: 'bad-option' }));
  });

  it('the misuse message lists every value', () => {
    expect(() => logTargetFrom('x')).toThrow(`(${[...LOG_TARGETS.keys()].join(', ')})`);
  });

  it('a syslog message is the stderr line after `program[pid]: `', () => {
    const rec = { outcome: 'reject' as const, reason: 'unknown-user', login: Buffer.from('x"y'), remote: '2001:db8::1', method: 'lookup', ms: 2 };
    expect(formatLogLine('checkpassword-vpopmail', 7, rec)).toBe(`checkpassword-vpopmail[7]: ${formatLogFields(rec)}`);
    expect(formatLogFields(rec)).toBe('reject reason=unknown-user login="x\\x22y" remote=2001:db8::1 method=lookup ms=2');
  });
});
