// Perl's crypt(), which is the system's libcrypt: the fallback for formats we have no code for
// (yescrypt, DES, ...) when the native helper is missing. perl-base is Essential on Debian.

import { TemporaryFailure } from '../exit';

/** Reads "setting\n" then the password bytes on stdin; prints crypt()'s result, or nothing. */
const SCRIPT = 'binmode STDIN; local $/; my $in = <STDIN>; my ($s, $p) = split(/\\n/, $in, 2); ' +
  'my $r = crypt($p, $s); print defined $r ? $r : "";';

/** The recomputed hash string, or null when libcrypt refuses the setting. */
export function perlCrypt(password: Buffer, stored: string): string | null {
  if (password.includes(0) || stored.includes('\n')) return null;
  const { spawnSync }: typeof import('node:child_process') = require('node:child_process');
  // The password goes on stdin, never in argv or the environment.
  const input = Buffer.concat([Buffer.from(stored + '\n', 'latin1'), password]);
  const r = spawnSync('perl', ['-e', SCRIPT], {
    input,
    env: { PATH: '/usr/bin:/bin' },
    stdio: ['pipe', 'pipe', 'ignore'],
    timeout: 30_000,
  });
  input.fill(0);
  if (r.error || r.status !== 0) {
    throw new TemporaryFailure('hash-engine-unavailable', 'perl crypt() could not run');
  }
  const out = r.stdout.toString('latin1');
  return out === '' || out[0] === '*' ? null : out;
}
