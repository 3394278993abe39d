// Sends one login's Access-Request to the targets in order and waits for the first verified
// answer (RFC 2865 section 2.5; draft-ietf-radext-deprecating-radius section 5.3.7).
// Each target: its own connected socket, `tries` sends of the same bytes, `timeoutMs` each; a
// port-unreachable gives up that target at once. Earlier sockets stay open to the end, so a late
// answer from an earlier server still counts. Anything that is not a verified answer is noted and
// ignored, and the timers run on.

import { checkResponse, type Response } from './packet';
import type { Target } from './targets';
import type { Channel, Transport } from './transport';
import { ipv4Bytes, ipv6Bytes } from './address';
import { monotonicMs } from '../clock';

/** A verified answer and who gave it. */
export interface Answer {
  response: Response;
  target: Target;
}

/** Why no answer came: every target's tries used up, or the deadline. */
export interface NoAnswer {
  why: 'exhausted' | 'deadline';
}

/** Builds the request for a target, once its socket knows the local address it sends from. */
export type BuildRequest = (target: Target, localAddress: string) => Buffer;

/** At most this many ignored datagrams are noted one by one in an attempt's log line. */
const MAX_NOTED = 5;

/** The first verified answer, or NoAnswer. `deadlineAt` is a monotonicMs() time. Closes the transport. */
export async function askServers(
  targets: readonly Target[],
  build: BuildRequest,
  deadlineAt: number,
  note: (message: string) => void,
  transport: Transport,
): Promise<Answer | NoAnswer> {
  const asked = new Map<Channel, { target: Target; request: Buffer }>();
  let ignored = 0;
  const ignore = (message: string) => {
    if (++ignored <= MAX_NOTED) note(message);
  };
  try {
    for (const target of targets) {
      if (monotonicMs() >= deadlineAt) return { why: 'deadline' };
      let channel: Channel;
      let request: Buffer;
      try {
        channel = await transport.open(target.family, target.address, target.port, target.bind);
        request = build(target, channel.local);
      } catch (err) {
        note(`${target.label}: cannot send: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
        continue;
      }
      asked.set(channel, { target, request });
      let givenUp = false;
      for (let sent = 0; sent < target.tries && !givenUp; sent++) {
        const error = channel.send(request);
        if (error) {
          note(`${target.label}: send failed: ${error}`);
          givenUp = true;
          break;
        }
        const tryEnd = Math.min(monotonicMs() + target.timeoutMs, deadlineAt);
        while (!givenUp && monotonicMs() < tryEnd) {
          for (const arrival of await transport.wait(tryEnd)) {
            const mine = asked.get(arrival.channel);
            if (!mine) continue;
            if ('error' in arrival) {
              ignore(`${mine.target.label}: ${arrival.error === 'ECONNREFUSED' ? 'port unreachable' : arrival.error}`);
              if (arrival.channel === channel) givenUp = true;
              continue;
            }
            const from = arrival.from;
            if (from && (from.port !== mine.target.port || !sameAddress(from.address, mine.target))) {
              ignore(`ignored a datagram from ${from.address}:${from.port} on the socket for ${mine.target.label}`);
              continue;
            }
            const checked = checkResponse(arrival.datagram, mine.request, mine.target.secret, mine.target.requireMessageAuthenticator);
            if (checked.ok) return { response: checked.response, target: mine.target };
            ignore(`ignored an answer from ${mine.target.label}: ${checked.why}`);
          }
        }
        if (monotonicMs() >= deadlineAt) return { why: 'deadline' };
      }
      if (!givenUp) note(`no answer from ${target.label} after ${target.tries} ${target.tries === 1 ? 'try' : 'tries'}`);
    }
    return { why: 'exhausted' };
  } finally {
    transport.close();
    if (ignored > MAX_NOTED) note(`${ignored - MAX_NOTED} more datagrams ignored`);
  }
}

function sameAddress(address: string, target: Target): boolean {
  const bytes = (a: string) => (target.family === 6 ? ipv6Bytes(a.replace(/%.*$/, '')) : ipv4Bytes(a));
  const x = bytes(address);
  const y = bytes(target.address);
  return x !== null && y !== null && x.equals(y);
}
