// The dummy hash an unknown or locked user is checked against, so that they cost the same time
// as a wrong password (no user enumeration by timing).

import { classify, costClass } from './scheme';

/**
 * Built-in dummy for a store with no verifiable hash of its own: yescrypt at Debian's default
 * cost, made once with `mkpasswd -m yescrypt` from a random password nobody knows.
 */
export const DEFAULT_DUMMY_HASH = '$y$j9T$i5jD0JpWCnKjYlOFVDxSq.$PHo0vBZ14cVj5YETz2P5akawOOiHBRnBilJYLcaUH42';

/**
 * Built-in dummy for vpasswd stores and unknown vpopmail domains: SHA-512-crypt at vpopmail
 * 5.6's default cost (5000 rounds), made once with `mkpasswd -m sha512crypt` from a random
 * password nobody knows.
 */
export const SHA512_DUMMY_HASH =
  '$6$lRtYrn.MOVresNo5$I2D2tZznIP5GeyJnnaSu9d1FufZu8LiAVm3nx2F4oZF0w9zbJ4Y.LKE0ecAclw4fzTo63YgzYK/hkwC.vd3sO/';

/**
 * A hash from the store itself, of its most common scheme and cost: the same work a real wrong
 * password costs, with no configuration. `fallback` when the store has none (a store type's
 * usual hash: yescrypt for shadow files, SHA-512-crypt for vpasswd).
 */
export function pickDummyHash(hashes: Iterable<string>, fallback: string = DEFAULT_DUMMY_HASH): string {
  const counts = new Map<string, { n: number; example: string }>();
  for (const h of hashes) {
    const kind = classify(h).kind;
    if (kind === 'locked' || kind === 'unknown') continue;
    const key = costClass(h);
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { n: 1, example: h });
  }
  let best: { n: number; example: string } | undefined;
  for (const c of counts.values()) if (!best || c.n > best.n) best = c;
  return best ? best.example : fallback;
}
