// The passwd/shadow backend of checkpassword-passwd: DJB's getpwnam + getspnam + crypt, on files.
// A shadow entry, when there is one, wins; otherwise the passwd field is the hash (DJB 0.81).

import { verifyPassword } from '../crypt/verify';
import { pickDummyHash } from '../crypt/dummy';
import type { LoginRequest } from '../protocol/fd3';
import type { LocalBackend, Verdict } from './backend';
import { accountOf, parsePasswd, parseShadow } from './passwd-file';
import { readStore } from './store-file';

/** Where the store is: a passwd file, and a shadow file or null for "hashes are inline". */
export interface PasswdStore {
  passwd: string;
  shadow: string | null;
}

/** The backend over one passwd (+ shadow) pair, read afresh for each login. */
export function passwdBackend(store: PasswdStore): LocalBackend {
  return {
    verify({ login, password }: LoginRequest): Verdict {
      const entries = parsePasswd(readStore(store.passwd));
      const shadow = store.shadow === null ? new Map<string, string>() : parseShadow(readStore(store.shadow));
      const hashOf = (e: { name: string; password: string }) => shadow.get(e.name) ?? e.password;
      // Chosen on every path, so that choosing it is no tell either.
      const dummy = pickDummyHash(entries.map(hashOf));

      const name = login.toString('latin1');
      const entry = entries.find((e) => e.name === name);
      if (!entry) {
        verifyPassword(password, dummy);
        return { kind: 'unknown-user' };
      }
      const stored = hashOf(entry);
      const result = verifyPassword(password, stored);
      switch (result) {
        case 'match':
          return { kind: 'ok', account: accountOf(entry) };
        case 'mismatch':
          return { kind: 'bad-password' };
        case 'locked':
          verifyPassword(password, dummy);
          return { kind: 'denied', reason: stored === '' ? 'empty-password' : 'locked' };
        case 'unsupported':
          verifyPassword(password, dummy);
          return { kind: 'unsupported-hash', detail: `the hash of ${entry.name} is in a format that cannot be verified here` };
      }
    },

    lookup(login: Buffer): Verdict {
      const name = login.toString('latin1');
      const entry = parsePasswd(readStore(store.passwd)).find((e) => e.name === name);
      return entry ? { kind: 'ok', account: accountOf(entry) } : { kind: 'unknown-user' };
    },
  };
}

