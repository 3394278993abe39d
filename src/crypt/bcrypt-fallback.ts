// bcrypt ($2a$, $2b$, $2y$) through bcryptjs, for when the native helper is not there.
// bcryptjs takes JavaScript strings only, so a password that is not valid UTF-8 is left to Perl.

/** The recomputed hash string, or null when bcryptjs cannot check this password or setting. */
export function bcryptCrypt(password: Buffer, stored: string): string | null {
  const text = password.toString('utf8');
  // A lossy decode would check some other password: refuse rather than guess.
  if (!Buffer.from(text, 'utf8').equals(password)) return null;
  try {
    // hashSync with the stored hash as salt recomputes the full string (cost and salt kept).
    return loadBcryptjs().hashSync(text, stored.slice(0, 29));
  } catch {
    return null;
  }
}

/**
 * bcryptjs is half the size of a login bundle, so it is not in it: the build puts it in its own
 * file beside the bundles (dist/bcryptjs.cjs).
 */
function loadBcryptjs(): typeof import('bcryptjs') {
  // From the TypeScript sources (the tests), the package itself; a bundle only ever loads its
  // neighbour, never whatever a module search up the tree would find.
  if (/\/src\/crypt$/.test(__dirname)) return require('bcryptjs');
  const load = require;
  return load(`${__dirname}/bcryptjs.cjs`);
}
