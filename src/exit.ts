// Exit codes of the checkpassword interface, named once, and the error types that carry them.
// A helper throws one of these; only a program's main() (through runProgram) turns it into an exit.

/** The exit statuses every program of the suite uses (DJB's interface, plus Dovecot's 3). */
export const EXIT = {
  /** Password unacceptable: unknown user, wrong password, locked account, input too long. */
  refused: 1,
  /** Misuse: no prog, unknown option, malformed fd 3 data. */
  misuse: 2,
  /** Temporary problem: the caller must not treat it as a wrong password. */
  temporary: 111,
  /** A Dovecot lookup (AUTHORIZED=1) of a user we do not serve: every refusal of a lookup. */
  unknownUser: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The outcome words of a log line, one per exit code. */
export const OUTCOME: Record<ExitCode, string> = {
  [EXIT.refused]: 'reject',
  [EXIT.misuse]: 'misuse',
  [EXIT.temporary]: 'tempfail',
  [EXIT.unknownUser]: 'reject',
};

/**
 * An expected failure. `reason` is one word from a fixed vocabulary (it goes in the log and a
 * fail2ban filter matches on it); `detail` is free text for the operator and must never hold a
 * secret.
 */
export class CheckpasswordError extends Error {
  readonly exitCode: ExitCode;
  readonly reason: string;
  readonly detail: string | undefined;
  constructor(exitCode: ExitCode, reason: string, detail?: string) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.exitCode = exitCode;
    this.reason = reason;
    this.detail = detail;
  }
}

/** The login is not accepted (exit 1). */
export class Refused extends CheckpasswordError {
  constructor(reason: string, detail?: string) {
    super(EXIT.refused, reason, detail);
  }
}
Refused.prototype.name = 'Refused';

/** The program was called wrongly (exit 2). */
export class Misuse extends CheckpasswordError {
  constructor(reason: string, detail?: string) {
    super(EXIT.misuse, reason, detail);
  }
}
Misuse.prototype.name = 'Misuse';

/** Something outside the login failed: store unreadable, exec failed (exit 111). */
export class TemporaryFailure extends CheckpasswordError {
  constructor(reason: string, detail?: string) {
    super(EXIT.temporary, reason, detail);
  }
}
TemporaryFailure.prototype.name = 'TemporaryFailure';

/**
 * What any thrown value means as a CheckpasswordError. Anything we did not expect is a temporary
 * failure, never a refusal and never 0. Its text is not kept: only the error's class name and
 * system error code, so no message can carry a secret into a log.
 */
export function asCheckpasswordError(err: unknown): CheckpasswordError {
  if (err instanceof CheckpasswordError) return err;
  const e = err as { name?: unknown; code?: unknown; syscall?: unknown } | null;
  const parts = [typeof e?.name === 'string' ? e.name : typeof err];
  if (typeof e?.code === 'string') parts.push(e.code);
  if (typeof e?.syscall === 'string') parts.push(e.syscall);
  return new TemporaryFailure('internal-error', parts.join(' '));
}
