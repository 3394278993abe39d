import { describe, expect, it } from 'vitest';
import { formatSyslog, severityOf, syslogTimestamp } from '../src/log-syslog';

describe('syslog messages', () => {
  it.each([
    ['accept', 'info'],
    ['reject', 'notice'],
    ['tempfail', 'err'],
    ['misuse', 'err'],
  ])('a %s line has severity %s', (outcome, severity) => {
    expect(severityOf(outcome)).toBe(severity);
  });

  it('the timestamp is local time as glibc writes it: month name, day padded with a space, hh:mm:ss', () => {
    expect(syslogTimestamp(new Date(2024, 0, 5, 9, 3, 7))).toBe('Jan  5 09:03:07');
    expect(syslogTimestamp(new Date(2023, 11, 25, 23, 59, 0))).toBe('Dec 25 23:59:00');
  });

  it.each([
    ['auth', 'notice', 37],
    ['authpriv', 'info', 86],
    ['mail', 'err', 19],
  ] as const)('a message is <PRI>timestamp ident[pid]: text, PRI of %s.%s = %i', (facility, severity, pri) => {
    const date = new Date(2024, 6, 14, 0, 0, 1);
    const message = 'reject reason=bad-password login="a" ms=3';
    expect(formatSyslog({ facility, severity, ident: 'checkpassword-passwd', pid: 4242, message }, date)).toBe(
      `<${pri}>Jul 14 00:00:01 checkpassword-passwd[4242]: ${message}`,
    );
  });
});
