import { describe, expect, it } from 'vitest';
import { FLAGS } from '../../../src/backends/vpopmail/flags';
import { blockingFlag, detectService } from '../../../src/backends/vpopmail/service';
import { EXIT, type CheckpasswordError } from '../../../src/exit';

describe('an explicit option', () => {
  it('names the service', () => {
    for (const s of ['pop3', 'imap', 'smtp', 'webmail'] as const) {
      expect(detectService({ option: s, localPort: '25', dovecotService: 'imap' })).toBe(s);
    }
  });

  it('anything else is misuse (exit 2)', () => {
    try {
      detectService({ option: 'pop' });
      expect.unreachable();
    } catch (err) {
      expect((err as CheckpasswordError).exitCode).toBe(EXIT.misuse);
      expect((err as CheckpasswordError).reason).toBe('bad-option');
    }
  });

  it('is not turned into webmail from a webmail address', () => {
    expect(detectService({ option: 'pop3', remoteIp: '127.0.0.1' })).toBe('pop3');
    expect(detectService({ option: 'imap', remoteIp: '::ffff:127.0.0.1' })).toBe('imap');
  });
});

describe("Dovecot's SERVICE", () => {
  it('pop3, imap and smtp are taken as they are, before the port', () => {
    expect(detectService({ dovecotService: 'pop3', localPort: '143' })).toBe('pop3');
    expect(detectService({ dovecotService: 'imap', localPort: '110' })).toBe('imap');
    expect(detectService({ dovecotService: 'smtp', localPort: '110' })).toBe('smtp');
  });

  it('submission is smtp', () => {
    expect(detectService({ dovecotService: 'submission' })).toBe('smtp');
  });

  it('an unknown value falls through to the port, then to the program name', () => {
    expect(detectService({ dovecotService: 'lmtp', localPort: '993' })).toBe('imap');
    expect(detectService({ dovecotService: 'managesieve', prog: '/bin/true' })).toBe('smtp');
  });
});

describe('TCPLOCALPORT', () => {
  it.each([
    ['25', 'smtp'],
    ['110', 'pop3'],
    ['143', 'imap'],
    ['465', 'smtp'],
    ['587', 'smtp'],
    ['993', 'imap'],
    ['995', 'pop3'],
  ])('port %s is %s, whatever the program', (port, service) => {
    expect(detectService({ localPort: port, prog: service === 'smtp' ? 'qmail-pop3d' : '/bin/true', remoteIp: '192.0.2.1' })).toBe(service);
  });

  it('is read like atoi: leading zeros and trailing junk do not matter', () => {
    expect(detectService({ localPort: '0143', prog: '/bin/true' })).toBe('imap');
    expect(detectService({ localPort: '587x', prog: 'qmail-pop3d' })).toBe('smtp');
  });

  it('an unknown or missing port falls back to the program name', () => {
    expect(detectService({ localPort: '2525', prog: '/bin/true' })).toBe('smtp');
    expect(detectService({ prog: '/bin/true' })).toBe('smtp');
    expect(detectService({ localPort: 'x', prog: '/usr/sbin/imapd' })).toBe('imap');
  });
});

describe("vchkpw's guess from the program name", () => {
  it('a program containing "true" is smtp', () => {
    expect(detectService({ prog: '/bin/true' })).toBe('smtp');
    expect(detectService({ prog: '/usr/bin/true' })).toBe('smtp');
  });

  it('a program containing "imap" is imap', () => {
    expect(detectService({ prog: '/usr/local/bin/imapd' })).toBe('imap');
  });

  it('"true" is tested before "imap"', () => {
    expect(detectService({ prog: '/opt/imap/bin/true' })).toBe('smtp');
  });

  it('anything else, or no program, is pop3', () => {
    expect(detectService({ prog: '/var/qmail/bin/qmail-pop3d' })).toBe('pop3');
    expect(detectService({})).toBe('pop3');
  });
});

describe('webmail', () => {
  it('pop3 from 127.0.0.1 is webmail', () => {
    expect(detectService({ localPort: '110', remoteIp: '127.0.0.1' })).toBe('webmail');
  });

  it('imap from ::ffff:127.0.0.1 is webmail', () => {
    expect(detectService({ localPort: '143', remoteIp: '::ffff:127.0.0.1' })).toBe('webmail');
  });

  it('::1 is a webmail address by default', () => {
    expect(detectService({ localPort: '993', remoteIp: '::1' })).toBe('webmail');
  });

  it('smtp from 127.0.0.1 stays smtp', () => {
    expect(detectService({ localPort: '587', remoteIp: '127.0.0.1' })).toBe('smtp');
  });

  it('other addresses are not webmail', () => {
    expect(detectService({ localPort: '110', remoteIp: '192.0.2.7' })).toBe('pop3');
    expect(detectService({ localPort: '110' })).toBe('pop3');
  });

  it('a configured list replaces the default one', () => {
    const webmailIps = ['192.0.2.80'];
    expect(detectService({ localPort: '143', remoteIp: '192.0.2.80', webmailIps })).toBe('webmail');
    expect(detectService({ localPort: '143', remoteIp: '127.0.0.1', webmailIps })).toBe('imap');
  });

  it('applies to a service found from Dovecot or the program name too', () => {
    expect(detectService({ dovecotService: 'imap', remoteIp: '127.0.0.1' })).toBe('webmail');
    expect(detectService({ prog: 'qmail-pop3d', remoteIp: '127.0.0.1' })).toBe('webmail');
  });
});

describe('blocking flags', () => {
  it('each service is denied by its own flag', () => {
    expect(blockingFlag('pop3', FLAGS.NO_POP)).toBe('NO_POP');
    expect(blockingFlag('imap', FLAGS.NO_IMAP)).toBe('NO_IMAP');
    expect(blockingFlag('smtp', FLAGS.NO_SMTP)).toBe('NO_SMTP');
    expect(blockingFlag('webmail', FLAGS.NO_WEBMAIL)).toBe('NO_WEBMAIL');
  });

  it('webmail is not denied by NO_POP or NO_IMAP, nor pop3 by NO_WEBMAIL', () => {
    expect(blockingFlag('webmail', FLAGS.NO_POP | FLAGS.NO_IMAP)).toBeNull();
    expect(blockingFlag('pop3', FLAGS.NO_WEBMAIL)).toBeNull();
  });

  it('bits vchkpw ignores deny nothing', () => {
    const ignored = FLAGS.NO_PASSWD_CHNG | FLAGS.BOUNCE_MAIL | FLAGS.NO_RELAY | FLAGS.NO_DIALUP | FLAGS.QA_ADMIN | FLAGS.V_OVERRIDE;
    for (const s of ['pop3', 'imap', 'smtp', 'webmail'] as const) expect(blockingFlag(s, ignored)).toBeNull();
  });

  it("the research's alice (gid 2 = NO_POP) may use IMAP and SMTP but not POP", () => {
    expect(blockingFlag('pop3', 2)).toBe('NO_POP');
    expect(blockingFlag('imap', 2)).toBeNull();
    expect(blockingFlag('smtp', 2)).toBeNull();
  });
});
