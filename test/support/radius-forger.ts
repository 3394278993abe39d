// A hostile RADIUS peer for the tests, which no real server would be: for each Access-Request
// it sends the datagrams a plan gives (forgeries first, then perhaps the real answer), from its
// own port or from another one. Answers are built here with node:crypto, independently of src/.

import { createHash, createHmac } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

export interface Reply {
  packet: Buffer;
  /** Send from a second socket (another source port) instead of the one asked. */
  fromOtherPort?: boolean;
}

export interface Forger {
  port: number;
  /** The requests received so far. */
  requests: Buffer[];
  close(): void;
}

/** Starts the peer on 127.0.0.1; `plan` maps each request to the replies to send, 50 ms apart. */
export async function startForger(plan: (request: Buffer) => Reply[]): Promise<Forger> {
  const main = createSocket('udp4');
  const other = createSocket('udp4');
  const requests: Buffer[] = [];
  const timers: NodeJS.Timeout[] = [];
  main.on('message', (request, from) => {
    requests.push(request);
    plan(request).forEach((reply, i) => {
      timers.push(setTimeout(() => (reply.fromOtherPort ? other : main).send(reply.packet, from.port, from.address), 50 * i));
    });
  });
  await Promise.all([bind(main), bind(other)]);
  return {
    port: main.address().port,
    requests,
    close: () => {
      timers.forEach(clearTimeout);
      main.close();
      other.close();
    },
  };
}

function bind(s: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.bind({ address: '127.0.0.1', port: 0 }, () => resolve());
  });
}

export const ACCEPT = 2;
export const REJECT = 3;

export interface AnswerOptions {
  /** Include a Message-Authenticator (default true), placed first. */
  messageAuthenticator?: boolean;
  /** Identifier to use instead of the request's. */
  identifier?: number;
  /** Flip a bit of the Message-Authenticator after computing it (the Response Authenticator covers the bad value). */
  badMessageAuthenticator?: boolean;
  /** Flip a bit of the Response Authenticator. */
  badResponseAuthenticator?: boolean;
  replyMessage?: string;
}

/** An answer to `request` with `secret`, per RFC 2865 section 3 and RFC 3579 section 3.2. */
export function answer(request: Buffer, secret: string, code: number, o: AnswerOptions = {}): Buffer {
  const attrs: Buffer[] = [];
  const withMa = o.messageAuthenticator ?? true;
  if (withMa) attrs.push(Buffer.concat([Buffer.from([80, 18]), Buffer.alloc(16)]));
  if (o.replyMessage) attrs.push(Buffer.concat([Buffer.from([18, 2 + Buffer.byteLength(o.replyMessage)]), Buffer.from(o.replyMessage)]));
  const body = Buffer.concat(attrs);
  const packet = Buffer.concat([Buffer.alloc(20), body]);
  packet[0] = code;
  packet[1] = o.identifier ?? request[1]!;
  packet.writeUInt16BE(packet.length, 2);
  request.copy(packet, 4, 4, 20);
  if (withMa) {
    createHmac('md5', secret).update(packet).digest().copy(packet, 22);
    if (o.badMessageAuthenticator) packet[22]! ^= 0x01;
  }
  createHash('md5').update(packet).update(secret).digest().copy(packet, 4);
  if (o.badResponseAuthenticator) packet[4]! ^= 0x80;
  return packet;
}
