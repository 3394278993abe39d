// One login attempt from start to exit, shared by every login program: the clock, the log line,
// the wipe of the request, and the single place where an error becomes an exit code.

import { writeSync } from 'node:fs';
import { monotonicMs } from '../clock';
import { Misuse, OUTCOME, Refused, asCheckpasswordError, type CheckpasswordError } from '../exit';
import { LOG_TARGETS, writeLog, type LogTarget } from '../log';
import { callerFds } from '../exec/caller-fds';
import { REQUEST_FD, type LoginRequest } from '../protocol/fd3';
import { loadNative } from '../native/native';
import { usageText, type OptionSpec } from '../options';
import type { Account, LocalBackend, Verdict } from '../backends/backend';
import { checkLookupRequest, lookupExitCode, recognizeCaller, type DovecotCall } from './dovecot';

/** What an attempt knows so far; filled in as main() goes. */
export interface Attempt {
  program: string;
  started: number;
  log: LogTarget;
  /** The caller's descriptors to hand on to prog, taken before we open anything; never fd 3. */
  fds: number[];
  /** The whole fd 3 request once read, wiped when the attempt ends. */
  request?: Buffer;
  login?: Buffer;
  /** How the password was proven, for the accept line (backends that know several ways). */
  method?: string;
  /** Operator warnings gathered on the way, logged with the attempt's line. */
  warnings: string[];
  /** Set when Dovecot is the caller (src/programs/dovecot.ts). */
  dovecot: DovecotCall | undefined;
}

/**
 * Starts an attempt: the native helper is loaded first (it makes the process non-dumpable before
 * the password is read), the caller's descriptors are noted, crashes become exit 111.
 */
export function beginAttempt(program: string): Attempt {
  const attempt: Attempt = { program, started: monotonicMs(), log: { kind: 'stderr' }, fds: [0, 1, 2], warnings: [], dovecot: undefined };
  const crash = (err: unknown) => finish(attempt, asCheckpasswordError(err));
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  // Node starts its inspector on SIGUSR1: with a listener it does not, so no local user can
  // attach a debugger to a process that holds a password or, after a spawn, the user's session.
  process.on('SIGUSR1', () => {});
  loadNative();
  attempt.fds = callerFds().filter((fd) => fd !== REQUEST_FD);
  const caller = recognizeCaller(process.env, process.getuid!(), attempt.fds);
  attempt.dovecot = caller.call;
  if (caller.warning) attempt.warnings.push(caller.warning);
  // A lookup's log lines say so: they are Dovecot's questions, not a client's guesses.
  if (attempt.dovecot?.lookup) attempt.method = 'lookup';
  // main() checks the value again and calls a bad one misuse; until then a bad one logs to stderr.
  attempt.log = safeLogTarget(process.env.CHECKPASSWORD_LOG);
  return attempt;
}

/** Runs main(); whatever it throws ends the attempt with that error's exit code. */
export function runAttempt(attempt: Attempt, specs: readonly OptionSpec[], main: () => Promise<never>): void {
  main().catch((err: unknown) => {
    const e = asCheckpasswordError(err);
    if (e instanceof Misuse && (e.reason === 'bad-option' || e.reason === 'usage')) {
      try {
        writeSync(2, `${attempt.program}: ${e.detail}\n${usageText(attempt.program, specs)}`);
      } catch {
        // No stderr: the exit code still says it.
      }
    }
    finish(attempt, e);
  });
}

/**
 * The account of an ok verdict (its method noted for the log; undefined from a backend that keeps
 * no accounts); every other verdict is a refusal named after it.
 */
export function accepted(verdict: Verdict, attempt: Attempt): Account | undefined {
  switch (verdict.kind) {
    case 'ok':
      attempt.method = verdict.method ?? attempt.method;
      return verdict.account;
    case 'unknown-user':
      throw new Refused('unknown-user');
    case 'bad-password':
      throw new Refused('bad-password');
    case 'denied':
      throw new Refused(verdict.reason, verdict.detail);
    case 'unsupported-hash':
      throw new Refused('unsupported-hash', verdict.detail);
  }
}

/**
 * A local backend's verdict on the request: the password checked, or, in a Dovecot lookup, the
 * user only looked up (Dovecot has vouched for the login; the request must carry no password).
 */
export function findOrVerify(attempt: Attempt, backend: LocalBackend, request: LoginRequest): Verdict {
  if (!attempt.dovecot?.lookup) return backend.verify(request);
  checkLookupRequest(request, process.env);
  return backend.lookup(request.login);
}

/** Logs the accepted login; called right before prog is exec'd. */
export function logAccept(attempt: Attempt): void {
  wipe(attempt);
  writeLog(attempt.log, attempt.program, {
    outcome: 'accept',
    reason: 'ok',
    login: attempt.login,
    remote: process.env.TCPREMOTEIP,
    method: attempt.method,
    ms: monotonicMs() - attempt.started,
    warning: warningsOf(attempt),
  });
}

/** The `--log` / CHECKPASSWORD_LOG value as a target (LOG_TARGETS; empty is none); anything else is misuse. */
export function logTargetFrom(value: string | undefined): LogTarget {
  const target = LOG_TARGETS.get(value === undefined || value === '' ? 'none' : value);
  if (target) return target;
  throw new Misuse('bad-option', `unknown log target ${JSON.stringify(value)} (${[...LOG_TARGETS.keys()].join(', ')})`);
}

/** The target before main() has checked it: a bad value logs to stderr, where its misuse line shows. */
function safeLogTarget(value: string | undefined): LogTarget {
  try {
    return logTargetFrom(value);
  } catch {
    return { kind: 'stderr' };
  }
}

/**
 * Ends the attempt: wipe, one log line, exit with the error's code (never 0), as a Dovecot lookup
 * must read it when this is one (lookupExitCode).
 */
function finish(attempt: Attempt, err: CheckpasswordError): never {
  wipe(attempt);
  const code = attempt.dovecot?.lookup ? lookupExitCode(err.exitCode) : err.exitCode;
  writeLog(attempt.log, attempt.program, {
    outcome: OUTCOME[code] as 'reject' | 'tempfail' | 'misuse',
    reason: err.reason,
    login: attempt.login,
    detail: err.detail,
    remote: process.env.TCPREMOTEIP,
    method: attempt.method,
    ms: monotonicMs() - attempt.started,
    warning: warningsOf(attempt),
  });
  process.exit(code);
}

function warningsOf(attempt: Attempt): string | undefined {
  return attempt.warnings.length > 0 ? attempt.warnings.join('; ') : undefined;
}

function wipe(attempt: Attempt): void {
  if (attempt.login) attempt.login = Buffer.from(attempt.login);
  attempt.request?.fill(0);
}
