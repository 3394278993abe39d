// The UDP transport this process sends through: the native helper's sockets (poll(2)) when it is
// loaded, else node:dgram. One choice for the login program's Access-Requests and the tool's
// Status-Server; apart from transport.ts, which the two implementations import.

import { loadNative } from '../native/native';
import type { Transport } from './transport';
import { dgramTransport } from './udp-dgram';
import { nativeTransport } from './udp-native';

/** A fresh transport: native when the helper loads, else node:dgram. */
export function localTransport(): Transport {
  const native = loadNative();
  return native ? nativeTransport(native) : dgramTransport();
}
