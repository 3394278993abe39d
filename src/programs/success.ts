// The success path every login program shares: check the uid, become the account (or not),
// enter its home, build prog's environment, log the accept, exec prog. Under Dovecot the account
// is handed back to Dovecot instead of become (src/programs/dovecot.ts).

import type { Account } from '../backends/backend';
import { Misuse, TemporaryFailure } from '../exit';
import { execNext, resolveProg } from '../exec/exec-next';
import { callerEnv, nextEnv } from '../exec/next-env';
import { checkMinUid, enterHome, switchUser } from '../exec/privileges';
import { optionValue, parseCommandLine, type CommandLine, type OptionSpec } from '../options';
import { logAccept, logTargetFrom, type Attempt } from './attempt';
import { handBack } from './dovecot';
import { SUCCESS_OPTIONS } from './program-options';

/**
 * A login program's command line: options parsed (SUCCESS_OPTIONS among `specs`), the log target
 * set from --log, and prog required (misuse without it).
 */
export function loginCommandLine(attempt: Attempt, specs: readonly OptionSpec[]): CommandLine {
  const line = parseCommandLine(process.argv.slice(2), specs);
  attempt.log = logTargetFrom(optionValue(line, SUCCESS_OPTIONS.log, process.env));
  if (line.prog.length === 0) throw new Misuse('no-program', 'no prog to run after a login');
  return line;
}

/** How to run prog after an accepted login. */
export interface SuccessOptions {
  minUid: number;
  /** Become the account (when root) and enter its home; false runs prog as we are, where we are. */
  become: boolean;
  initgroups: boolean;
}

/**
 * Runs prog as the account. Returns only through the spawn fallback; prog's status is ours.
 * No account (a backend that keeps none, where the program has not named one) is an internal
 * error: never a run as whoever we are. Under Dovecot prog (checkpassword-reply) runs as we are
 * and hands the account back, unless INSECURE_SETUID says a switch is wanted.
 */
export function runAsAccount(attempt: Attempt, account: Account | undefined, prog: string[], opts: SuccessOptions): Promise<never> {
  if (!account) throw new TemporaryFailure('internal-error', 'no account to run prog as');
  checkMinUid(account.uid, opts.minUid);
  const dovecot = attempt.dovecot;
  if (opts.become && (!dovecot || dovecot.insecureSetuid)) {
    switchUser(account, { initgroups: opts.initgroups });
    enterHome(account);
  }
  const env = nextEnv(process.env, account);
  return execProg(attempt, prog, dovecot ? handBack(env, account, dovecot) : env);
}

/**
 * Runs prog as we are, where we are, with USER set to the login: for a backend without local
 * accounts when the operator named none (checkpassword-radius without --uid or --passwd).
 * Our own uid must pass --min-uid too: run by root, prog would run as root.
 */
export function runAsCaller(attempt: Attempt, user: string, prog: string[], minUid: number): Promise<never> {
  checkMinUid(process.geteuid!(), minUid, ': prog would run as we are; name an account (--uid or --passwd), or allow it with --min-uid');
  return execProg(attempt, prog, { ...callerEnv(process.env), USER: user });
}

function execProg(attempt: Attempt, prog: string[], env: Record<string, string>): Promise<never> {
  const file = resolveProg(prog[0]!, env.PATH);
  logAccept(attempt);
  return execNext(file, prog, env, attempt.fds);
}


/** The --min-uid value: a decimal number, default 1. */
export function parseMinUid(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  if (!/^\d{1,10}$/.test(value)) throw new Misuse('bad-option', `--min-uid needs a number, not ${JSON.stringify(value)}`);
  return Number(value);
}
