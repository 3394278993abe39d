// Sends one login's Access-Request to the targets in order and waits for the first verified
// answer (RFC 2865 section 2.5; draft-ietf-radext-deprecating-radius section 5.3.7).
// Each target: its own connected socket, `tries` sends of the same bytes, `timeoutMs` each.
// Sockets stay open until the end, so a late answer from an earlier server still counts.
// Anything that is not a verified answer is noted and ignored; the timers run on.

import { createSocket, type Socket } from 'node:dgram';
import { checkResponse, type Response } from './packet';
import type { Target } from './targets';
import { ipv4Bytes, ipv6Bytes } from './address';

/** A verified answer and who gave it. */
export interface Answer {
  response: Response;
  target: Target;
}

/** Builds the request for a target, once its socket knows the local address it sends from. */
export type BuildRequest = (target: Target, localAddress: string) => Buffer;

/** Why no answer came: every target's tries used up, or the deadline. */
export interface NoAnswer {
  why: 'exhausted' | 'deadline';
}

/** Notes at most this many ignored datagrams per attempt in the log line; then only counts them. */
const MAX_NOTED = 5;

/**
 * Resolves with the first verified answer, or with NoAnswer when every target's tries have timed
 * out (or its port refused) or `deadlineAt` (a Date.now() time) has passed.
 */
export function askServers(
  targets: readonly Target[],
  build: BuildRequest,
  deadlineAt: number,
  note: (message: string) => void,
): Promise<Answer | NoAnswer> {
  return new Promise((resolve) => {
    const sockets: Socket[] = [];
    let current = -1;
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    let ignored = 0;
    const deadline = setTimeout(() => end({ why: 'deadline' }), Math.max(0, deadlineAt - Date.now()));

    function end(result: Answer | NoAnswer): void {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearTimeout(deadline);
      for (const s of sockets) {
        try {
          s.close();
        } catch {
          // Already closed.
        }
      }
      if (ignored > MAX_NOTED) note(`${ignored - MAX_NOTED} more datagrams ignored`);
      resolve(result);
    }

    function ignore(message: string): void {
      ignored++;
      if (ignored <= MAX_NOTED) note(message);
    }

    function nextTarget(): void {
      clearTimeout(timer);
      current++;
      if (finished) return;
      if (current >= targets.length) return end({ why: 'exhausted' });
      start(current, targets[current]!);
    }

    function start(index: number, target: Target): void {
      const socket = createSocket({ type: target.family === 6 ? 'udp6' : 'udp4', lookup: literalLookup });
      sockets.push(socket);
      let request: Buffer | undefined;
      let sent = 0;
      const isCurrent = () => index === current && !finished;
      const giveUp = (message: string) => {
        note(message);
        if (isCurrent()) nextTarget();
      };

      socket.on('error', (err: NodeJS.ErrnoException) => {
        giveUp(`${target.label}: ${err.code === 'ECONNREFUSED' ? 'port unreachable' : (err.code ?? 'socket error')}`);
      });
      socket.on('message', (datagram, from) => {
        if (finished || request === undefined) return;
        if (from.port !== target.port || !sameAddress(from.address, target.address, target.family)) {
          return ignore(`ignored a datagram from ${from.address}:${from.port} on the socket for ${target.label}`);
        }
        const checked = checkResponse(datagram, request, target.secret, target.requireMessageAuthenticator);
        if (!checked.ok) return ignore(`ignored an answer from ${target.label}: ${checked.why}`);
        end({ response: checked.response, target });
      });

      const send = () => {
        if (!isCurrent() || request === undefined) return;
        if (sent >= target.tries) return giveUp(`no answer from ${target.label} after ${target.tries} ${target.tries === 1 ? 'try' : 'tries'}`);
        sent++;
        socket.send(request, (err) => {
          if (err) giveUp(`${target.label}: send failed: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
        });
        timer = setTimeout(send, target.timeoutMs);
      };

      const local = target.bind ?? (target.family === 6 ? '::' : '0.0.0.0');
      socket.bind({ address: local, port: 0 }, () => {
        socket.connect(target.port, target.address, (err?: Error) => {
          if (err) return giveUp(`${target.label}: cannot connect: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
          try {
            request = build(target, socket.address().address);
          } catch (e) {
            return giveUp(`${target.label}: cannot build the request: ${(e as Error).message}`);
          }
          send();
        });
      });
    }

    nextTarget();
  });
}

/** dgram's lookup for addresses that are already literals: no node:dns load, no resolver call. */
function literalLookup(host: string, _options: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, host, host.includes(':') ? 6 : 4);
}

function sameAddress(a: string, b: string, family: 4 | 6): boolean {
  const x = family === 6 ? ipv6Bytes(a.replace(/%.*$/, '')) : ipv4Bytes(a);
  const y = family === 6 ? ipv6Bytes(b.replace(/%.*$/, '')) : ipv4Bytes(b);
  return x !== null && y !== null && x.equals(y);
}
