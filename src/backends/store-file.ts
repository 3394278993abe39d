// Reads a backend's store file whole, as bytes kept exact in a latin1 string. A file that cannot
// be read is a temporary failure (111), never "unknown user".

import { readFileSync } from 'node:fs';
import { TemporaryFailure } from '../exit';

/**
 * Reads a store file whole (so an unknown user costs the same parse as a known one).
 * Missing, unreadable or not a file: TemporaryFailure, never "unknown user".
 */
export function readStore(file: string): string {
  const text = readStoreIfExists(file);
  if (text === null) throw new TemporaryFailure('store-unreadable', `cannot read ${file}: ENOENT`);
  return text;
}

/** Like readStore, but a file that does not exist is null (an optional file, like vlimits.default). */
export function readStoreIfExists(file: string): string | null {
  try {
    return readFileSync(file).toString('latin1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') return null;
    throw new TemporaryFailure('store-unreadable', `cannot read ${file}: ${code}`);
  }
}
