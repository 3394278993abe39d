// Asks each server on its own whether it is alive: one Status-Server request (RFC 5997) per
// address, with Message-Authenticator, through the same exchange and checks as a login's
// Access-Request. For checkpassword-tool's `radius status` and `check`; the login programs never send it.

import { TemporaryFailure } from '../exit';
import type { ServerEntry } from './config';
import { codeName } from './dictionary';
import { askServers } from './exchange';
import { ATTR, MAX_ATTRIBUTE_VALUE, encodeStatusServer, type Response } from './packet';
import { resolveTargets, type Target } from './targets';
import type { Transport } from './transport';
import { localTransport } from './local-transport';
import { randomBytes } from '../random';
import { monotonicMs } from '../clock';

/** One server's result: its verified answer and how long it took, or why there was none. */
export type StatusResult =
  | { target: Target; answered: true; response: Response; ms: number }
  | { target: Target; answered: false; why: string; notes: string[] };

export interface StatusOptions {
  nasIdentifier: string;
  /** The longest wait for one server, all its tries together, in milliseconds. */
  perServerMs: number;
  /** A fresh transport for each server (askServers closes the one it is given). */
  transport: () => Transport;
}

/** Sends a Status-Server to each target in turn, tries and timeout as its line says. */
export async function askStatus(targets: readonly Target[], opts: StatusOptions): Promise<StatusResult[]> {
  const results: StatusResult[] = [];
  for (const target of targets) {
    const notes: string[] = [];
    const started = monotonicMs();
    const answer = await askServers([target], () => statusRequest(target, opts.nasIdentifier), started + opts.perServerMs, (m) => notes.push(m), opts.transport());
    if ('response' in answer) {
      results.push({ target, answered: true, response: answer.response, ms: Math.round(monotonicMs() - started) });
    } else {
      const why = answer.why === 'deadline' ? `no verified answer within ${opts.perServerMs / 1000} s` : 'no verified answer';
      results.push({ target, answered: false, why, notes });
    }
  }
  return results;
}

/** What `radius status` and `check` need to ask the servers of a config. */
export interface EachServerOptions {
  nasIdentifier: string;
  perServerMs: number;
  bind: string | undefined;
  requireMessageAuthenticator: boolean;
  note: (message: string) => void;
}

/** Resolves the config's entries and asks each address in turn; no address at all: TemporaryFailure. */
export async function askEachServer(servers: readonly ServerEntry[], opts: EachServerOptions): Promise<StatusResult[]> {
  const targets = await resolveTargets(servers, { ...(opts.bind ? { bind: opts.bind } : {}), requireMessageAuthenticator: opts.requireMessageAuthenticator }, opts.note);
  if (targets.length === 0) throw new TemporaryFailure('radius-no-server', 'no server address to send to');
  return askStatus(targets, {
    nasIdentifier: opts.nasIdentifier,
    perServerMs: opts.perServerMs,
    transport: localTransport,
  });
}

/** One server's result in words, without its label: the answer, its time and Message-Authenticator; or why there was none. */
export function describeStatus(r: StatusResult): string {
  if (!r.answered) return `${r.why}${r.notes.length ? ` (${r.notes.join('; ')})` : ''}`;
  const ma = r.response.messageAuthenticator ? 'Message-Authenticator verified' : 'no Message-Authenticator';
  return `${codeName(r.response.code)} in ${r.ms} ms, ${ma}`;
}

/** A Status-Server for one target: fresh Identifier and Request Authenticator, its secret. */
function statusRequest(target: Target, nasIdentifier: string): Buffer {
  const random = randomBytes(17);
  return encodeStatusServer({
    identifier: random[16]!,
    authenticator: random.subarray(0, 16),
    secret: target.secret,
    attributes: [{ type: ATTR.nasIdentifier, value: Buffer.from(nasIdentifier, 'utf8').subarray(0, MAX_ATTRIBUTE_VALUE) }],
  });
}
