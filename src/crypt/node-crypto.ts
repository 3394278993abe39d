// node:crypto, loaded on first use: a login that libcrypt verifies never pays its ~3 ms load.

let loaded: typeof import('node:crypto') | undefined;

/** The node:crypto module. */
export function nodeCrypto(): typeof import('node:crypto') {
  return (loaded ??= require('node:crypto') as typeof import('node:crypto'));
}

/** One digest of `data`: the one-shot crypto.hash (Node >= 20.12) when there, else a Hash object. */
export function digest(alg: string, data: Buffer): Buffer {
  const c = nodeCrypto();
  return typeof c.hash === 'function' ? c.hash(alg, data, 'buffer') : c.createHash(alg).update(data).digest();
}
