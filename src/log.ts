// One log line per login attempt, written only when the operator asked for it.
// Format (docs/logging.md): `<program>[<pid>]: <outcome> reason=<word> login="<escaped>" remote=<ip>
// method=<word> ms=<n> detail="<text>" warning="<text>"`, the optional fields only when known.
// On standard error the line is written as it is; to syslog, everything after `<program>[<pid>]: `
// is the message (src/log-syslog.ts).

import { writeSync } from 'node:fs';
import { sendSyslog, severityOf, type SyslogFacility } from './log-syslog';

/** Where log lines go: nowhere (the default), standard error, or the local syslog daemon. */
export type LogTarget = { kind: 'none' } | { kind: 'stderr' } | { kind: 'syslog'; facility: SyslogFacility };

/** Every `--log` / CHECKPASSWORD_LOG value and its target (docs/logging.md); `syslog` alone is auth. */
export const LOG_TARGETS: ReadonlyMap<string, LogTarget> = new Map<string, LogTarget>([
  ['none', { kind: 'none' }],
  ['stderr', { kind: 'stderr' }],
  ['syslog', { kind: 'syslog', facility: 'auth' }],
  ['syslog:auth', { kind: 'syslog', facility: 'auth' }],
  ['syslog:authpriv', { kind: 'syslog', facility: 'authpriv' }],
  ['syslog:mail', { kind: 'syslog', facility: 'mail' }],
]);

/** One attempt's facts; everything here may be logged, so nothing here is ever a secret. */
export interface LogRecord {
  outcome: 'accept' | 'reject' | 'tempfail' | 'misuse';
  reason: string;
  login?: Buffer | undefined;
  detail?: string | undefined;
  remote?: string | undefined;
  /** How the password was proven, on an accept (plain, apop, cram-md5, radius); `lookup` on every line of a Dovecot lookup. */
  method?: string | undefined;
  ms: number;
  /** Something the operator should fix that did not change the outcome. */
  warning?: string | undefined;
}

/** The longest login we show, in bytes; longer ones are cut and marked with `...`. */
const MAX_LOGIN_SHOWN = 128;

/** Formats a record as one line, without the trailing newline. */
export function formatLogLine(program: string, pid: number, rec: LogRecord): string {
  return `${program}[${pid}]: ${formatLogFields(rec)}`;
}

/** The line after `<program>[<pid>]: `: the outcome and the fields; a syslog message. */
export function formatLogFields(rec: LogRecord): string {
  let line = `${rec.outcome} reason=${rec.reason}`;
  if (rec.login !== undefined) line += ` login="${escapeBytes(rec.login, MAX_LOGIN_SHOWN)}"`;
  if (rec.remote !== undefined && rec.remote !== '') line += ` remote=${escapeWord(rec.remote)}`;
  if (rec.method !== undefined) line += ` method=${escapeWord(rec.method)}`;
  line += ` ms=${Math.round(rec.ms)}`;
  if (rec.detail !== undefined) line += ` detail="${escapeBytes(Buffer.from(rec.detail, 'utf8'), 400)}"`;
  if (rec.warning !== undefined) line += ` warning="${escapeBytes(Buffer.from(rec.warning, 'utf8'), 400)}"`;
  return line;
}

/** Writes a record to the target; a failing write is ignored (logging never changes an exit). */
export function writeLog(target: LogTarget, program: string, rec: LogRecord): void {
  try {
    if (target.kind === 'stderr') writeSync(2, formatLogLine(program, process.pid, rec) + '\n');
    else if (target.kind === 'syslog') {
      sendSyslog({ facility: target.facility, severity: severityOf(rec.outcome), ident: program, pid: process.pid, message: formatLogFields(rec) });
    }
  } catch {
    // stderr closed or full, or no syslog: the attempt's outcome stands.
  }
}

/**
 * Printable ASCII stays as it is, except `"` and `\`; every other byte becomes `\xHH`, so a
 * login can neither forge a second log line nor hide in control characters.
 */
export function escapeBytes(bytes: Buffer, max: number): string {
  let out = '';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) out += String.fromCharCode(b);
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  return bytes.length > max ? out + '...' : out;
}

/** A value from the environment, shown only if it is a plain token (an address). */
function escapeWord(s: string): string {
  return /^[0-9A-Za-z.:_-]{1,64}$/.test(s) ? s : `"${escapeBytes(Buffer.from(s, 'utf8'), 64)}"`;
}
