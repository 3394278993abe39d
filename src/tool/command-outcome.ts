// How the `radius` and `check` commands end: their exit statuses named once, and one place that
// turns a thrown error into a message on stderr and an exit status (never 0).

import type { Argv } from 'yargs';
import { EXIT, asCheckpasswordError } from '../exit';

/** The exit statuses of `radius test`, `radius status` and `check`. */
export const TOOL_EXIT = {
  /** Accepted; every server answered; every check passed. */
  ok: 0,
  /** Rejected or challenged; a check found a problem. */
  no: EXIT.refused,
  /** Bad options. */
  usage: EXIT.misuse,
  /** No answer; config or secret file trouble. */
  trouble: EXIT.temporary,
} as const;

/**
 * Runs a command's work; a thrown error becomes `checkpassword-tool: <what>` on stderr and its exit
 * code (Misuse 2, anything else 111). Error details never carry a secret (src/exit.ts).
 */
export async function runCommand(work: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await work();
  } catch (err) {
    const e = asCheckpasswordError(err);
    process.stderr.write(`checkpassword-tool: ${e.detail ?? e.reason}\n`);
    process.exitCode = e.exitCode;
  }
}

/** yargs's own complaints about a subcommand's arguments (unknown option, missing USER) exit 2, not 1. */
export function usageFailsWith2<T>(y: Argv<T>): Argv<T> {
  return y.fail((message, err) => {
    if (err && !message) throw err;
    process.stderr.write(`checkpassword-tool: ${message ?? err?.message}\n(see --help)\n`);
    process.exit(TOOL_EXIT.usage);
  });
}
