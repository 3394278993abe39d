// Runs the built checkpassword-tool, from a pipe or on a real terminal (pty-drive.py).

import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, bin } from '../support/run';

export const TOOL = bin('checkpassword-tool');
const PTY_DRIVE = join(ROOT, 'test/tool/pty-drive.py');

export interface ToolResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the tool with `input` on stdin (a pipe, so no terminal), PATH only in its environment. */
export function tool(args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; cwd?: string } = {}): ToolResult {
  const r = spawnSync(TOOL, args, {
    input: opts.input ?? '',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env },
    cwd: opts.cwd ?? ROOT,
    timeout: 60_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('latin1') };
}

export interface PtyResult {
  /** Everything the terminal showed (the tool's prompts, echoes and output). */
  output: string;
  /** The exit status, or minus the signal's number when a signal ended it. */
  returncode: number;
  /** The terminal's ECHO flag at each expected prompt. */
  echo_at: boolean[];
  /** The terminal's ECHO flag after the tool ended. */
  echo_after: boolean;
  timed_out: boolean;
}

/** Runs the tool on a pseudo-terminal, typing `send` after each `expect` appears. */
export function toolOnTerminal(args: string[], steps: { expect: string; send: string; wait?: number }[], env: Record<string, string> = {}): PtyResult {
  const out = execFileSync('python3', [PTY_DRIVE, JSON.stringify(steps), TOOL, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    cwd: ROOT,
    timeout: 60_000,
  });
  return JSON.parse(out.toString()) as PtyResult;
}
