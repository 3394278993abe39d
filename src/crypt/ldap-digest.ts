// Verification of RFC 2307-style `{SHA}`, `{SSHA}`, `{SSHA256}` and `{SSHA512}` password values
// (base64 of H(password + salt) followed by the salt) on node:crypto.
import { nodeCrypto } from './node-crypto';

interface Scheme {
  alg: 'sha1' | 'sha256' | 'sha512';
  size: number;
  salted: boolean;
}

const SCHEMES: ReadonlyMap<string, Scheme> = new Map<string, Scheme>([
  ['SHA', { alg: 'sha1', size: 20, salted: false }],
  ['SSHA', { alg: 'sha1', size: 20, salted: true }],
  ['SSHA256', { alg: 'sha256', size: 32, salted: true }],
  ['SSHA512', { alg: 'sha512', size: 64, salted: true }],
]);

const TAG_RE = /^\{([A-Za-z0-9]+)\}/;
// Standard padded base64 (what htpasswd, slappasswd and doveadm write).
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Check `password` against a stored `{SHA}`, `{SSHA}`, `{SSHA256}` or `{SSHA512}` value (tag
 * case-insensitive). Returns true or false, or null when `stored` is not one of these schemes or
 * is malformed: not canonical padded base64, the wrong length for `{SHA}`, or no salt byte after
 * the digest for the salted schemes (Dovecot also refuses an SSHA value without salt).
 */
export function verifyLdapDigest(password: Buffer, stored: string): boolean | null {
  const tag = TAG_RE.exec(stored);
  if (tag === null) return null;
  const scheme = SCHEMES.get(tag[1]!.toUpperCase());
  if (scheme === undefined) return null;

  const raw = decodeBase64Strict(stored.slice(tag[0].length));
  if (raw === null) return null;
  if (scheme.salted ? raw.length <= scheme.size : raw.length !== scheme.size) return null;

  const expected = raw.subarray(0, scheme.size);
  const salt = raw.subarray(scheme.size);
  const actual = nodeCrypto().createHash(scheme.alg).update(password).update(salt).digest();
  return nodeCrypto().timingSafeEqual(actual, expected);
}

/** Decode standard padded base64, or null when the text is not canonical base64. */
function decodeBase64Strict(text: string): Buffer | null {
  if (!BASE64_RE.test(text)) return null;
  const raw = Buffer.from(text, 'base64');
  // Node ignores stray bits in the last character; re-encoding catches non-canonical input.
  return raw.toString('base64') === text ? raw : null;
}
