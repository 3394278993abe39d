// How the tests stop a server they started (FreeRADIUS, Dovecot): SIGTERM to its PID, SIGKILL
// after 5 s if it is still there, then its private directory removed.

import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/** Stops `child` (whose 'exit' `exited` resolves on) by its PID and removes `dir`. */
export async function stopServer(child: ChildProcess, exited: Promise<void>, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    process.kill(child.pid!, 'SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }
  rmSync(dir, { recursive: true, force: true });
}
