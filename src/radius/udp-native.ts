// The transport on the native helper: non-blocking connected UDP sockets and poll(2). Synchronous
// underneath (one login, nothing else to do while waiting), and it loads no Node networking
// module at all: node:dgram's first bind loads cluster, child_process and net (about 2.5 ms).

import { closeSync } from 'node:fs';
import { constants } from 'node:os';
import type { Native } from '../native/native';
import { monotonicMs } from '../clock';

/** poll(2) takes an int of milliseconds; longer waits are taken in steps. */
const MAX_WAIT_MS = 60_000;
import { codeError, type Arrival, type Channel, type Transport } from './transport';

/** The largest datagram RADIUS allows (RFC 2865 section 3), plus one to see longer ones. */
const MAX_DATAGRAM = 4097;

export function nativeTransport(native: Native): Transport {
  const open: { fd: number; channel: Channel }[] = [];
  const buffer = Buffer.alloc(MAX_DATAGRAM);
  return {
    async open(family, address, port, bind) {
      const [fd, local] = native.udpConnect(family, address, port, bind ?? null);
      if (fd < 0) throw codeError(errnoName(-fd));
      const channel: Channel = {
        local,
        send: (data) => {
          const r = native.udpSend(fd, data);
          return r < 0 ? errnoName(-r) : null;
        },
      };
      open.push({ fd, channel });
      return channel;
    },
    async wait(until) {
      const ready = native.pollIn(open.map((o) => o.fd), Math.min(MAX_WAIT_MS, Math.max(0, Math.ceil(until - monotonicMs()))));
      const arrivals: Arrival[] = [];
      for (const fd of ready) {
        const { channel } = open.find((o) => o.fd === fd)!;
        for (let n = 0; n < 64; n++) {
          const r = native.udpRecv(fd, buffer);
          if (r === -constants.errno.EAGAIN) break;
          if (r < 0) {
            arrivals.push({ channel, error: errnoName(-r) });
            break;
          }
          arrivals.push({ channel, datagram: Buffer.from(buffer.subarray(0, r)) });
        }
      }
      return arrivals;
    },
    close() {
      for (const o of open.splice(0)) {
        try {
          closeSync(o.fd);
        } catch {
          // Already closed.
        }
      }
    },
  };
}

function errnoName(n: number): string {
  for (const [name, value] of Object.entries(constants.errno)) if (value === n) return name;
  return `errno ${n}`;
}
