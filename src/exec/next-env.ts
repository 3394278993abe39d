// The environment prog runs with: the caller's, with USER, HOME and SHELL set from the account.

import type { Account } from '../backends/backend';

/**
 * A copy of `env` with the account's USER, HOME and SHELL (DJB's checkpassword sets exactly
 * these), plus whatever the backend adds (vpopmail's VPOPUSER).
 */
export function nextEnv(env: NodeJS.ProcessEnv, account: Account): Record<string, string> {
  const out = callerEnv(env);
  out.USER = account.name;
  out.HOME = account.home;
  if (account.shell !== undefined) out.SHELL = account.shell;
  return Object.assign(out, account.env);
}

/** A plain copy of the caller's environment (unset entries dropped). */
export function callerEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
