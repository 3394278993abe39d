import { describe, expect, it } from 'vitest';
import { FLAGS, effectiveFlags, parseLimits } from '../../../src/backends/vpopmail/flags';

describe('gid flag bits', () => {
  it('have the values of vpopmail.h', () => {
    expect(FLAGS).toEqual({
      NO_PASSWD_CHNG: 1,
      NO_POP: 2,
      NO_WEBMAIL: 4,
      NO_IMAP: 8,
      BOUNCE_MAIL: 16,
      NO_RELAY: 32,
      NO_DIALUP: 64,
      V_USER0: 128,
      V_USER1: 256,
      V_USER2: 512,
      V_USER3: 1024,
      NO_SMTP: 2048,
      QA_ADMIN: 4096,
      V_OVERRIDE: 8192,
      NO_SPAMASSASSIN: 16384,
      DELETE_SPAM: 32768,
      SA_ADMIN: 65536,
      SA_EXPERT: 131072,
      NO_MAILDROP: 262144,
    });
  });

  it('are distinct single bits', () => {
    const values = Object.values(FLAGS);
    expect(values.reduce((a, b) => a | b, 0)).toBe(values.reduce((a, b) => a + b, 0));
    for (const v of values) expect(v & (v - 1)).toBe(0);
  });
});

describe('domain limits files', () => {
  it('a .qmailadmin-limits file with comments and disable_pop gives NO_POP only', () => {
    const text = [
      '# limits for example.com',
      'maxpopaccounts: 100',
      'maxaliases: -1',
      'quota: 0',
      '#disable_imap',
      'disable_pop',
      'perm_account: 0',
      'default_quota: 52428800',
    ].join('\n');
    expect(parseLimits(`${text}\n`)).toBe(FLAGS.NO_POP);
  });

  it('each disable_* / delete_spam keyword sets its bit (vlimits.c mapping)', () => {
    const table: [string, number][] = [
      ['disable_pop', FLAGS.NO_POP],
      ['disable_smtp', FLAGS.NO_SMTP],
      ['disable_imap', FLAGS.NO_IMAP],
      ['disable_external_relay', FLAGS.NO_RELAY],
      ['disable_webmail', FLAGS.NO_WEBMAIL],
      ['disable_password_changing', FLAGS.NO_PASSWD_CHNG],
      ['disable_dialup', FLAGS.NO_DIALUP],
      ['disable_spamassassin', FLAGS.NO_SPAMASSASSIN],
      ['delete_spam', FLAGS.DELETE_SPAM],
      ['disable_maildrop', FLAGS.NO_MAILDROP],
    ];
    for (const [keyword, bit] of table) expect(parseLimits(`${keyword}\n`), keyword).toBe(bit);
    expect(parseLimits(table.map(([k]) => k).join('\n'))).toBe(table.reduce((m, [, b]) => m | b, 0));
  });

  it('keywords act by presence: a value, even 0, does not matter', () => {
    expect(parseLimits('disable_imap 0\ndisable_smtp: no\ndisable_webmail\t1\n')).toBe(
      FLAGS.NO_IMAP | FLAGS.NO_SMTP | FLAGS.NO_WEBMAIL,
    );
  });

  it('the name ends at a space, tab or colon', () => {
    expect(parseLimits('disable_pop:1')).toBe(FLAGS.NO_POP);
    expect(parseLimits('disable_pop\t')).toBe(FLAGS.NO_POP);
    expect(parseLimits('disable_popx')).toBe(0);
  });

  it('names are case-sensitive', () => {
    expect(parseLimits('DISABLE_POP\nDisable_Imap\n')).toBe(0);
  });

  it('a commented-out keyword does nothing', () => {
    expect(parseLimits('#disable_pop\n# disable_smtp\n')).toBe(0);
  });

  it('CR or CRLF line ends are accepted', () => {
    expect(parseLimits('disable_pop\r\ndisable_imap\rquota: 0\r\n')).toBe(FLAGS.NO_POP | FLAGS.NO_IMAP);
  });

  it('leading blanks before a keyword are skipped, as 5.4.33 did', () => {
    expect(parseLimits('  disable_smtp\n')).toBe(FLAGS.NO_SMTP);
  });

  it('an empty file, and settings that are not flags, give 0', () => {
    expect(parseLimits('')).toBe(0);
    expect(parseLimits('maxforwards: 5\nperm_quota: 7\nquota: 100\n')).toBe(0);
  });
});

describe('effective flags', () => {
  it('are the user bits OR the domain limits', () => {
    expect(effectiveFlags(FLAGS.NO_SMTP, FLAGS.NO_POP)).toBe(FLAGS.NO_SMTP | FLAGS.NO_POP);
    expect(effectiveFlags(0, 0)).toBe(0);
  });

  it('V_OVERRIDE makes the user ignore the domain limits', () => {
    const limits = parseLimits('disable_pop\ndisable_imap\n');
    expect(effectiveFlags(FLAGS.V_OVERRIDE, limits)).toBe(FLAGS.V_OVERRIDE);
    expect(effectiveFlags(FLAGS.V_OVERRIDE | FLAGS.NO_SMTP, limits)).toBe(FLAGS.V_OVERRIDE | FLAGS.NO_SMTP);
  });

  it('stay unsigned when every bit is set (gid -1)', () => {
    expect(effectiveFlags(0xffffffff, FLAGS.NO_POP)).toBe(0xffffffff);
  });
});
