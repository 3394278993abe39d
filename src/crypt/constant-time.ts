// Constant-time comparisons for hash results and plaintext secrets. equalBytes needs no
// node:crypto on purpose: it is on the fast path of every login.

import { digest, nodeCrypto } from './node-crypto';

/**
 * True when `a` and `b` hold the same bytes. The lengths are treated as public (a recomputed
 * crypt string has the stored string's length); for equal lengths every byte is visited and
 * the loop has no early exit, so the time does not depend on where the first difference is.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * True when the secrets `a` and `b` are equal, without leaking either length: both are hashed
 * with SHA-256 and the two 32-byte digests are compared in constant time. For plaintext
 * password entries. node:crypto is loaded here, on first use.
 */
export function equalSecret(a: Buffer, b: Buffer): boolean {
  return nodeCrypto().timingSafeEqual(digest('sha256', a), digest('sha256', b));
}
