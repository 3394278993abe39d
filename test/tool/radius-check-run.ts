// Runs the built bin/checkpassword-tool as an operator would: argv, a line on stdin, a small
// environment; without blocking the event loop (peers such as a silent UDP socket live in the test).

import { spawn } from 'node:child_process';
import { bin } from '../support/run';

export interface ToolResult {
  status: number | null;
  stdout: string;
  stderr: string;
  pid: number;
}

/** Runs checkpassword-tool with `args`, writing `stdin` (then end of input); killed after `timeoutMs`. */
export function runTool(args: string[], opts: { stdin?: string; env?: Record<string, string>; timeoutMs?: number; onSpawn?: (pid: number) => void } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin('checkpassword-tool'), args, { env: opts.env ?? { PATH: '/usr/bin:/bin' }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), pid: child.pid! });
    });
    opts.onSpawn?.(child.pid!);
    child.stdin.end(opts.stdin ?? '');
  });
}
