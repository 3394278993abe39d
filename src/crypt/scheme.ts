// Recognises a stored password field: which hash scheme it is, or which "no password" marker.
// Pure string inspection; nothing here hashes.

/** What a stored field is. `crypt` schemes are the ones libcrypt's crypt(3) verifies. */
export type Scheme =
  | { kind: 'locked' }
  | { kind: 'crypt'; id: CryptId }
  | { kind: 'apr1' }
  | { kind: 'ldap' }
  | { kind: 'unknown' };

/** The crypt(3) families by their prefix (crypt(5) of libxcrypt 4.4). */
export type CryptId = 'y' | 'gy' | '7' | '6' | '5' | '1' | '2' | 'md5' | 'bsdi' | 'des';

const DES = /^[./0-9A-Za-z]{13}$/;
const BSDI = /^_[./0-9A-Za-z]{19}$/;
const BCRYPT = /^\$2[abxy]\$\d\d\$[./0-9A-Za-z]{53}$/;

/**
 * Classifies a stored field. Empty, `*…`, `!…` (passwd -l, RHEL's `!!`) and `x` never verify:
 * they are `locked`.
 */
export function classify(stored: string): Scheme {
  if (stored === '' || stored === 'x' || stored[0] === '*' || stored[0] === '!') return { kind: 'locked' };
  if (stored.startsWith('$apr1$')) return { kind: 'apr1' };
  if (stored[0] === '{') return /^\{S?SHA(256|512)?\}/i.test(stored) ? { kind: 'ldap' } : { kind: 'unknown' };
  if (stored.startsWith('$y$')) return { kind: 'crypt', id: 'y' };
  if (stored.startsWith('$gy$')) return { kind: 'crypt', id: 'gy' };
  if (stored.startsWith('$7$')) return { kind: 'crypt', id: '7' };
  if (stored.startsWith('$6$')) return { kind: 'crypt', id: '6' };
  if (stored.startsWith('$5$')) return { kind: 'crypt', id: '5' };
  if (stored.startsWith('$1$')) return { kind: 'crypt', id: '1' };
  if (stored.startsWith('$md5')) return { kind: 'crypt', id: 'md5' };
  if (BCRYPT.test(stored)) return { kind: 'crypt', id: '2' };
  if (BSDI.test(stored)) return { kind: 'crypt', id: 'bsdi' };
  if (DES.test(stored)) return { kind: 'crypt', id: 'des' };
  return { kind: 'unknown' };
}

/**
 * The part of a hash that decides how long it takes to verify: scheme and cost, without salt
 * and digest (`$y$j9T`, `$6$rounds=10000`, `$2b$10`). Hashes with the same cost class cost the
 * same to check, which is what a dummy hash for unknown users must match.
 */
export function costClass(stored: string): string {
  const s = classify(stored);
  if (s.kind !== 'crypt') return s.kind;
  switch (s.id) {
    case 'y':
    case 'gy':
    case '7':
      return stored.split('$').slice(0, 3).join('$');
    case '5':
    case '6': {
      const m = /^\$[56]\$(rounds=\d+)\$/.exec(stored);
      return `$${s.id}$${m ? m[1] : 'rounds=5000'}`;
    }
    case '2':
      return `$2$${stored.slice(4, 6)}`;
    case 'md5': {
      const m = /^\$md5(,rounds=\d+)?/.exec(stored);
      return m ? m[0] : '$md5';
    }
    default:
      return s.id;
  }
}
