// Log lines to the local syslog daemon (`--log syslog`), as glibc's syslog(3) sends them: one
// `<PRI>Mmm dd hh:mm:ss ident[pid]: message` datagram on /dev/log, sent by the native helper.
// Without the helper, util-linux's logger(1) sends it. Why not node:net or node:dgram: Node has no
// unix datagram sockets, and either module costs every login about 2.5 ms (docs/logging.md).

import { loadNative } from './native/native';

/** The facilities an operator may choose, with their numbers (RFC 3164 4.1.1, <syslog.h>). */
export const SYSLOG_FACILITY = { mail: 2, auth: 4, authpriv: 10 } as const;

export type SyslogFacility = keyof typeof SYSLOG_FACILITY;

/** The severities we use (RFC 3164 4.1.1): err 3, notice 5, info 6. */
const SYSLOG_SEVERITY = { err: 3, notice: 5, info: 6 } as const;

export type SyslogSeverity = keyof typeof SYSLOG_SEVERITY;

/** The socket of the local syslog daemon; CHECKPASSWORD_SYSLOG_SOCKET names another (chroots, tests). */
const SYSLOG_SOCKET = '/dev/log';

/** util-linux's logger, by absolute path (the caller's PATH is not ours to trust); the fallback. */
const LOGGER = '/usr/bin/logger';

/** How long the logger fallback may take before it is killed, in ms. */
const LOGGER_TIMEOUT_MS = 1000;

/** One message for the syslog daemon. */
export interface SyslogEntry {
  facility: SyslogFacility;
  severity: SyslogSeverity;
  /** The program's name as run. */
  ident: string;
  pid: number;
  /** The text after `ident[pid]: `. */
  message: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The severity of a line: info for an accept, notice for a reject, err for a tempfail or misuse. */
export function severityOf(outcome: string): SyslogSeverity {
  if (outcome === 'accept') return 'info';
  if (outcome === 'reject') return 'notice';
  return 'err';
}

/** RFC 3164's timestamp in local time, as glibc writes it: `Jan  5 09:03:07` (day padded with a space). */
export function syslogTimestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, ' ');
  return `${MONTHS[date.getMonth()]} ${day} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** One message as glibc's syslog(3) puts it on /dev/log: `<PRI>timestamp ident[pid]: message`, PRI = facility * 8 + severity. */
export function formatSyslog(entry: SyslogEntry, date: Date): string {
  const priority = SYSLOG_FACILITY[entry.facility] * 8 + SYSLOG_SEVERITY[entry.severity];
  return `<${priority}>${syslogTimestamp(date)} ${entry.ident}[${entry.pid}]: ${entry.message}`;
}

/**
 * Sends one message to the syslog socket. Failures are ignored: a missing or busy syslog daemon
 * costs the line, never the login's outcome.
 */
export function sendSyslog(entry: SyslogEntry): void {
  const socket = process.env.CHECKPASSWORD_SYSLOG_SOCKET || SYSLOG_SOCKET;
  const native = loadNative();
  // A helper built before syslogSend existed counts as none.
  if (native?.syslogSend) {
    native.syslogSend(socket, Buffer.from(formatSyslog(entry, new Date()), 'latin1'));
    return;
  }
  sendWithLogger(socket, entry);
}

/**
 * The fallback without the native helper: logger(1) writes the same header (its local-socket
 * format is glibc's) with our pid; it takes the priority as `facility.severity`, not as a number.
 * The message goes on its standard input, not in its argv, where any local user could read it
 * in the process list.
 */
function sendWithLogger(socket: string, entry: SyslogEntry): void {
  try {
    const { spawnSync }: typeof import('node:child_process') = require('node:child_process');
    const env: Record<string, string> = process.env.TZ === undefined ? {} : { TZ: process.env.TZ };
    const priority = `${entry.facility}.${entry.severity}`;
    spawnSync(LOGGER, ['--socket-errors=off', '-u', socket, `--id=${entry.pid}`, '-t', entry.ident, '-p', priority], {
      input: entry.message + '\n',
      env,
      stdio: ['pipe', 'ignore', 'ignore'],
      timeout: LOGGER_TIMEOUT_MS,
    });
  } catch {
    // No logger, or it could not start: the line is lost, the outcome stands.
  }
}
