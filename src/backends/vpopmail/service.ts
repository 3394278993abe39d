// Which service a vpopmail login is for (it decides which flag can deny it): an explicit option,
// Dovecot's SERVICE, tcpserver's TCPLOCALPORT, or vchkpw's guess from the program it runs.

import { Misuse } from '../../exit';
import { FLAGS, type FlagName } from './flags';

/** The connection types vchkpw tells apart. */
export type Service = 'pop3' | 'imap' | 'smtp' | 'webmail';

const SERVICES: readonly string[] = ['pop3', 'imap', 'smtp', 'webmail'];

const DOVECOT_SERVICES: ReadonlyMap<string, Service> = new Map<string, Service>([
  ['pop3', 'pop3'],
  ['imap', 'imap'],
  ['smtp', 'smtp'],
  ['submission', 'smtp'],
]);

const PORTS: ReadonlyMap<number, Service> = new Map<number, Service>([
  [25, 'smtp'],
  [110, 'pop3'],
  [143, 'imap'],
  [465, 'smtp'],
  [587, 'smtp'],
  [993, 'imap'],
  [995, 'pop3'],
]);

const FLAG_OF: Record<Service, FlagName> = {
  pop3: 'NO_POP',
  imap: 'NO_IMAP',
  smtp: 'NO_SMTP',
  webmail: 'NO_WEBMAIL',
};

/**
 * The service of this login. In order: `option` (anything but pop3|imap|smtp|webmail is a
 * Misuse), Dovecot's SERVICE (pop3, imap, smtp or submission; others fall through), the
 * TCPLOCALPORT table, else vchkpw's guess from `prog` (the program to run): `true` in it means
 * smtp, `imap` means imap, anything else pop3. Unless given by `option`, pop3 or imap from a
 * webmail address (TCPREMOTEIP without `::ffff:`; default 127.0.0.1 and ::1) is webmail.
 */
export function detectService(input: {
  option?: string;
  dovecotService?: string;
  localPort?: string;
  prog?: string;
  remoteIp?: string;
  webmailIps?: readonly string[];
}): Service {
  if (input.option !== undefined) {
    if (!SERVICES.includes(input.option)) {
      throw new Misuse('bad-option', `unknown service ${JSON.stringify(input.option)}: use pop3, imap, smtp or webmail`);
    }
    return input.option as Service;
  }
  const service = guessService(input.dovecotService, input.localPort, input.prog);
  if (service !== 'pop3' && service !== 'imap') return service;
  const ip = (input.remoteIp ?? '').replace(/^::ffff:/i, '');
  return (input.webmailIps ?? ['127.0.0.1', '::1']).includes(ip) ? 'webmail' : service;
}

/** The name of the flag in `flags` that denies `service` (NO_POP, NO_IMAP, NO_SMTP, NO_WEBMAIL), or null. */
export function blockingFlag(service: Service, flags: number): FlagName | null {
  const name = FLAG_OF[service];
  return (flags & FLAGS[name]) !== 0 ? name : null;
}

function guessService(dovecotService: string | undefined, localPort: string | undefined, prog: string | undefined): Service {
  const fromDovecot = DOVECOT_SERVICES.get(dovecotService ?? '');
  if (fromDovecot !== undefined) return fromDovecot;
  // vchkpw reads the port with atoi: leading blanks, sign and digits; anything else is port 0.
  const fromPort = PORTS.get(Number.parseInt(localPort ?? '', 10));
  if (fromPort !== undefined) return fromPort;
  const p = prog ?? '';
  if (p.includes('true')) return 'smtp';
  if (p.includes('imap')) return 'imap';
  return 'pop3';
}
