// Random bytes where they must be unpredictable: RADIUS Identifiers and Request Authenticators
// (RFC 2865 section 3) and the salts of new password hashes. The kernel's CSPRNG through the
// native helper's getrandom(2), else node:crypto's randomBytes.

import { loadNative } from './native/native';
import { nodeCrypto } from './crypt/node-crypto';

/** `n` bytes from a cryptographically secure generator. */
export function randomBytes(n: number): Buffer {
  const native = loadNative();
  if (native) {
    const out = Buffer.alloc(n);
    if (native.getRandom(out) === 0) return out;
  }
  return nodeCrypto().randomBytes(n);
}
