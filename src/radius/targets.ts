// From config lines to the addresses we send to: host names resolved once, every address in
// the order the resolver gives, each keeping its line's secret, timeout and tries.

import { TemporaryFailure } from '../exit';
import type { ServerEntry } from './config';
import { ipFamily } from './address';

/** One address to send Access-Requests to: its line's settings, the host replaced by an address. */
export interface Target extends Omit<ServerEntry, 'host' | 'where'> {
  address: string;
  family: 4 | 6;
  /** `addr:port` or `[v6]:port`, for log lines. */
  label: string;
}

/** Settings given for all servers on the command line. */
export interface TargetOptions {
  /** --bind: the local address to send from, over any in the file. */
  bind?: string;
  /** --require-message-authenticator: for every server, whatever its line says. */
  requireMessageAuthenticator: boolean;
}

type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;

/**
 * The targets of the entries, in file order. A name that does not resolve is noted and skipped;
 * an address of the other family than --bind is skipped. None left: an empty list.
 */
export async function resolveTargets(
  entries: readonly ServerEntry[],
  opts: TargetOptions,
  note: (message: string) => void,
  lookup: Lookup = systemLookup,
): Promise<Target[]> {
  const resolved = new Map<string, { address: string; family: number }[] | null>();
  for (const e of entries) {
    if (resolved.has(e.host) || ipFamily(e.host) !== 0) continue;
    try {
      resolved.set(e.host, await lookup(e.host));
    } catch (err) {
      // Not the name itself: a secret written in the host field must not reach the log.
      note(`${e.where}: cannot resolve the host: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
      resolved.set(e.host, null);
    }
  }
  const targets: Target[] = [];
  for (const e of entries) {
    const family = ipFamily(e.host);
    const addresses = family !== 0 ? [{ address: e.host, family }] : (resolved.get(e.host) ?? []);
    const bind = opts.bind ?? e.bind;
    for (const a of addresses) {
      const fam = a.family === 6 ? 6 : 4;
      if (bind !== undefined && ipFamily(bind) !== fam) {
        note(`${e.where}: ${a.address} skipped: the bind address ${bind} is IPv${ipFamily(bind)}`);
        continue;
      }
      targets.push({
        address: a.address,
        family: fam,
        port: e.port,
        secret: e.secret,
        timeoutMs: e.timeoutMs,
        tries: e.tries,
        ...(bind !== undefined ? { bind } : {}),
        requireMessageAuthenticator: opts.requireMessageAuthenticator || e.requireMessageAuthenticator,
        label: fam === 6 ? `[${a.address}]:${e.port}` : `${a.address}:${e.port}`,
      });
    }
  }
  if (targets.length > MAX_TARGETS) {
    note(`only the first ${MAX_TARGETS} of ${targets.length} server addresses are asked`);
    return targets.slice(0, MAX_TARGETS);
  }
  return targets;
}

/** resolveTargets, where none at all is a TemporaryFailure (radius-no-server): there is nobody to ask. */
export async function resolveSomeTargets(entries: readonly ServerEntry[], opts: TargetOptions, note: (message: string) => void): Promise<Target[]> {
  const targets = await resolveTargets(entries, opts, note);
  if (targets.length === 0) throw new TemporaryFailure('radius-no-server', 'no server address to send to');
  return targets;
}

/** The native helper polls at most 64 sockets, and an attempt keeps every one it opened. */
export const MAX_TARGETS = 64;

/** getaddrinfo through node:dns, loaded only when a config names a host (about 1 ms). */
async function systemLookup(host: string): Promise<{ address: string; family: number }[]> {
  const dns = require('node:dns') as typeof import('node:dns');
  return dns.promises.lookup(host, { all: true, verbatim: true });
}
