// Challenge-response logins against a stored clear-text password: POP3 APOP (RFC 1939) and
// SMTP AUTH CRAM-MD5 (RFC 2195), in both fd 3 field orders the qmail-smtpd AUTH patches use.

import { equalBytes } from '../../crypt/constant-time';
import { digest, nodeCrypto } from '../../crypt/node-crypto';

/** APOP's digest: lower-case hex MD5 of the timestamp immediately followed by the clear password. */
export function apopDigest(timestamp: Buffer, clear: Buffer): string {
  return digest('md5', Buffer.concat([timestamp, clear])).toString('hex');
}

/** CRAM-MD5's digest: lower-case hex HMAC-MD5 of the challenge, keyed by the clear password. */
export function cramDigest(challenge: Buffer, clear: Buffer): string {
  return nodeCrypto().createHmac('md5', clear).update(challenge).digest('hex');
}

/** True when `field` looks like a challenge or APOP timestamp, `<...@...>`, with no NUL. */
export function isChallenge(field: Buffer): boolean {
  return (
    field.length >= 3 &&
    field[0] === 0x3c &&
    field[field.length - 1] === 0x3e &&
    field.includes(0x40) &&
    !field.includes(0)
  );
}

/**
 * The challenge and response of a CRAM-MD5 login from fd 3's second and third fields.
 * Hoffmann / sagredo / fehcom write `user\0digest\0challenge\0`, Dabrowski and cmd5checkpw 0.2x
 * `user\0challenge\0digest\0`: the field that looks like a challenge decides, and the other must
 * be 32 hex digits. Null when neither order fits, or both do.
 */
export function splitCramFields(second: Buffer, third: Buffer | null): { challenge: Buffer; response: Buffer } | null {
  if (third === null) return null;
  const hoffmann = isChallenge(third) && isHexDigest(second);
  const dabrowski = isChallenge(second) && isHexDigest(third);
  if (hoffmann === dabrowski) return null;
  return hoffmann ? { challenge: third, response: second } : { challenge: second, response: third };
}

/**
 * True when the received response is the expected lower-case hex digest, compared byte for byte
 * in constant time. Case matters, as in vchkpw: an upper-case hex response does not match.
 */
export function digestsEqual(expected: string, received: Buffer): boolean {
  return equalBytes(Buffer.from(expected, 'latin1'), received);
}

function isHexDigest(field: Buffer): boolean {
  return field.length === 32 && /^[0-9A-Fa-f]{32}$/.test(field.toString('latin1'));
}
