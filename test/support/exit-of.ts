// The exit code a helper's thrown error carries, or 0 when it returns normally.

import type { CheckpasswordError } from '../../src/exit';

export function exitOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    return (err as CheckpasswordError).exitCode;
  }
  return 0;
}
