// The prog that `checkpassword-tool try` hands the login program, and what `try` makes of the
// result: the reporter's output parsed back into facts, the exit status in words. Pure functions
// (the reporter is a shell script the tool passes as prog: /bin/sh -c REPORTER).

import { constants } from 'node:os';
import { EXIT } from '../exit';

/**
 * The reporter, run by the login program as the user it logged in: after a marker line carrying
 * a nonce (so that nothing else on stdout is taken for its report), NUL-ended `key=value` fields,
 * then the environment exactly as exec'd (/proc/$$/environ; `env -0` where there is no /proc).
 * /proc/$$/environ is what exec gave this shell, before the shell added PWD or we set PATH.
 */
export const REPORTER = [
  'printf "%s\\n" "$1"',
  'PATH=/usr/bin:/bin cat /proc/$$/environ 2>/dev/null || /usr/bin/env -0',
  'printf "\\0%s\\n" "$1"',
  'PATH=/usr/bin:/bin; export PATH',
  'printf "%s\\0" "uid=$(id -u)" "gid=$(id -g)" "groups=$(id -G)" "groupnames=$(id -Gn 2>/dev/null)" "cwd=$(pwd -P)"',
].join('\n');

/** What the reporter saw. */
export interface Report {
  uid: string;
  gid: string;
  groups: string;
  groupNames: string;
  cwd: string;
  /** `NAME=value` entries, in the order prog received them. */
  env: string[];
}

/** What a run's stdout holds: the reporter's report, if it ran, and any bytes written before it. */
export interface ParsedOutput {
  report: Report | null;
  /** Bytes on stdout that are not the reporter's: the login program wrote to the network. */
  stray: number;
}

/** Splits the captured stdout into the reporter's report and anything else. */
export function parseOutput(stdout: Buffer, nonce: string): ParsedOutput {
  const begin = Buffer.from(`${nonce}\n`);
  const middle = Buffer.from(`\0${nonce}\n`);
  const start = stdout.indexOf(begin);
  if (start < 0) return { report: null, stray: stdout.length };
  const envStart = start + begin.length;
  const mid = stdout.indexOf(middle, envStart);
  if (mid < 0) return { report: null, stray: stdout.length };
  const env = nulFields(stdout.subarray(envStart, mid + 1));
  const facts = new Map<string, string>();
  for (const field of nulFields(stdout.subarray(mid + middle.length))) {
    const eq = field.indexOf('=');
    if (eq > 0) facts.set(field.slice(0, eq), field.slice(eq + 1));
  }
  const report: Report = {
    uid: facts.get('uid') ?? '?',
    gid: facts.get('gid') ?? '?',
    groups: facts.get('groups') ?? '?',
    groupNames: facts.get('groupnames') ?? '',
    cwd: facts.get('cwd') ?? '?',
    env,
  };
  return { report, stray: start };
}

/** The exit of a checkpassword program in words, with the number. */
export function outcomeWords(status: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `killed by ${signal}`;
  switch (status) {
    case 0:
      return 'accepted (exit 0)';
    case EXIT.refused:
      return `refused: bad login (exit ${status})`;
    case EXIT.misuse:
      return `misuse (exit ${status})`;
    case EXIT.unknownUser:
      return `unknown user (exit ${status})`;
    case EXIT.temporary:
      return `temporary failure (exit ${status})`;
    default:
      return `failed: exit ${status}, which is no checkpassword status (Dovecot counts it as an internal failure)`;
  }
}

/** The tool's own exit status for a run: the program's, or 128 + the signal's number, as a shell does. */
export function statusOf(status: number | null, signal: NodeJS.Signals | null): number {
  if (signal !== null) return 128 + (constants.signals[signal] ?? 0);
  return status ?? EXIT.temporary;
}

/** The report as indented lines for the operator. Values are shown with control bytes escaped. */
export function formatReport(r: Report): string[] {
  const user = r.env.find((e) => e.startsWith('USER='))?.slice(5);
  const lines = [
    `  user:   ${user === undefined ? '(USER not set)' : shown(user)}`,
    `  uid:    ${r.uid}`,
    `  gid:    ${r.gid}`,
    `  groups: ${r.groups}${namesOf(r)}`,
    `  cwd:    ${shown(r.cwd)}`,
    '  environment:',
  ];
  for (const e of r.env) lines.push(`    ${shown(e)}`);
  return lines;
}

/**
 * What Dovecot's checkpassword-reply would make of prog's environment (docs/dovecot.md): `user`
 * from USER, `userdb_home` from HOME, each name listed in EXTRA in lower case, userdb_uid and
 * userdb_gid from its own ids when EXTRA has none; and its exit: 2 after a lookup (AUTHORIZED=2),
 * 0 after a login, 111 otherwise.
 */
export function dovecotView(r: Report): string[] {
  const env = new Map(r.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as [string, string]));
  const fields: string[] = [];
  if (env.has('USER')) fields.push(`user=${env.get('USER')}`);
  if (env.has('HOME')) fields.push(`userdb_home=${env.get('HOME')}`);
  const extra = (env.get('EXTRA') ?? '').split(' ').filter((n) => n !== '');
  for (const name of extra) if (env.has(name)) fields.push(`${name.toLowerCase()}=${env.get(name)}`);
  if (!extra.includes('userdb_uid')) fields.push(`userdb_uid=${r.uid}`);
  if (!extra.includes('userdb_gid')) fields.push(`userdb_gid=${r.gid}`);
  const authorized = env.get('AUTHORIZED');
  const exit = authorized === undefined ? '0 (login accepted)' : authorized === '2' ? '2 (user found)' : "111 (the program does not support Dovecot's lookups)";
  return ['  dovecot (what checkpassword-reply would write on fd 4, and its exit):', ...fields.map((f) => `    ${shown(f)}`), `    exit ${exit}`];
}

function namesOf(r: Report): string {
  const names = r.groupNames.trim();
  return names !== '' && names !== r.groups.trim() ? ` (${names})` : '';
}

function nulFields(bytes: Buffer): string[] {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) {
      if (i > from) out.push(bytes.subarray(from, i).toString('utf8'));
      from = i + 1;
    }
  }
  return out;
}

/** A value with newlines and other control characters as `\xHH`, so one entry stays one line. */
function shown(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}
