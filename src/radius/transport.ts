// How the exchange talks UDP, behind one small interface: connected sockets (the kernel then
// delivers only the server's datagrams) and a wait for what arrives. Two implementations:
// udp-native.ts (the native helper; poll(2), synchronous) and udp-dgram.ts (node:dgram, when the
// helper is not there).

/** One connected socket. */
export interface Channel {
  /** The local address the kernel chose (or --bind gave): NAS-IP(v6)-Address. */
  local: string;
  /** Sends a datagram; null, or the error code. */
  send(data: Buffer): string | null;
}

/** What a wait brings: a datagram from a channel's peer, or an error (ECONNREFUSED: port unreachable). */
export type Arrival =
  | { channel: Channel; datagram: Buffer; from?: { address: string; port: number } }
  | { channel: Channel; error: string };

export interface Transport {
  /** Opens a channel to address:port, bound to `bind` when given; throws an Error with a `code`. */
  open(family: 4 | 6, address: string, port: number, bind: string | undefined): Promise<Channel>;
  /** Waits until something arrives on any open channel or `until` (a monotonicMs() time) passes. */
  wait(until: number): Promise<Arrival[]>;
  /** Closes every channel. */
  close(): void;
}

/** An Error carrying an errno-style code, as Node's own errors do. */
export function codeError(code: string): Error {
  return Object.assign(new Error(code), { code });
}
