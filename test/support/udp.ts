// UDP peers that live in the test process: a server that never answers (a dead RADIUS server
// whose host is up), counting what it receives.

import { createSocket, type Socket } from 'node:dgram';

export interface SilentServer {
  port: number;
  /** The datagrams received so far. */
  received: Buffer[];
  close(): void;
}

/** A bound UDP socket on `address` that reads and never answers. */
export async function silentServer(address = '127.0.0.1'): Promise<SilentServer> {
  const socket: Socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  const received: Buffer[] = [];
  socket.on('message', (d) => received.push(d));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port: 0 }, () => resolve());
  });
  return { port: socket.address().port, received, close: () => socket.close() };
}
