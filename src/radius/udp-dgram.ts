// The transport on node:dgram, for when the native helper is not there: connected sockets, with
// arrivals queued by the event handlers and handed out by wait(). node:dgram is loaded here, on
// first use, so that the native path never pays for it.

import type { Socket } from 'node:dgram';
import { codeError, type Arrival, type Channel, type Transport } from './transport';
import { monotonicMs } from '../clock';

/** setTimeout takes at most 2^31-1 ms; longer waits are taken in steps. */
const MAX_WAIT_MS = 60_000;

export function dgramTransport(): Transport {
  const { createSocket } = require('node:dgram') as typeof import('node:dgram');
  const sockets: Socket[] = [];
  const queue: Arrival[] = [];
  let wake: (() => void) | undefined;
  const arrive = (a: Arrival) => {
    queue.push(a);
    wake?.();
  };
  return {
    open(family, address, port, bind) {
      return new Promise((resolve, reject) => {
        const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', lookup: literalLookup });
        sockets.push(socket);
        let channel: Channel | undefined;
        socket.on('error', (err: NodeJS.ErrnoException) => {
          if (channel) arrive({ channel, error: err.code ?? 'error' });
          else reject(codeError(err.code ?? 'error'));
        });
        socket.on('message', (datagram, from) => {
          if (channel) arrive({ channel, datagram, from: { address: from.address, port: from.port } });
        });
        socket.bind({ address: bind ?? (family === 6 ? '::' : '0.0.0.0'), port: 0, exclusive: true }, () => {
          socket.connect(port, address, (err?: Error) => {
            if (err) return reject(codeError((err as NodeJS.ErrnoException).code ?? 'error'));
            channel = {
              local: socket.address().address,
              send: (data) => {
                socket.send(data, (e) => {
                  if (e && channel) arrive({ channel, error: (e as NodeJS.ErrnoException).code ?? 'error' });
                });
                return null;
              },
            };
            resolve(channel);
          });
        });
      });
    },
    wait(until) {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve(queue.splice(0));
        };
        const timer = setTimeout(done, Math.min(MAX_WAIT_MS, Math.max(0, Math.ceil(until - monotonicMs()))));
        wake = done;
        if (queue.length > 0) done();
      });
    },
    close() {
      for (const s of sockets.splice(0)) {
        try {
          s.close();
        } catch {
          // Already closed.
        }
      }
    },
  };
}

/** dgram's lookup for addresses that are already literals: no node:dns load, no resolver call. */
function literalLookup(host: string, _options: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, host, host.includes(':') ? 6 : 4);
}
