// The one interface every backend implements: look a login up, check the password, report facts.
// Backends never choose an exit code; they return a Verdict, or throw TemporaryFailure for I/O trouble.

import type { LoginRequest } from '../protocol/fd3';

/** The local account a successful login runs as. */
export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** Absent for an account that is not in a passwd file (checkpassword-radius --uid): SHELL is left as it was. */
  shell?: string;
  /** The login's full name where `name` is shorter (vpopmail: alice@example.org for alice): what
   *  Dovecot is told the user is called. */
  fullName?: string;
  /** Variables the backend sets for prog besides USER, HOME and SHELL (vpopmail's VPOPUSER). */
  env?: Record<string, string>;
}

/** What a backend found. The program maps it to an exit code. */
export type Verdict =
  /** `method`: how the password was proven, where a backend knows several (plain, apop, cram-md5).
   *  `account` is absent when the backend vouches for the login but keeps no accounts (RADIUS):
   *  the program then decides who prog runs as. */
  | { kind: 'ok'; account?: Account; method?: string }
  | { kind: 'unknown-user' }
  | { kind: 'bad-password' }
  /** Refused for a reason of its own: a locked or empty hash, a blocked service, a password too
   *  long to send, a RADIUS server's Access-Reject. `reason` is one log word. */
  | { kind: 'denied'; reason: string; detail?: string }
  /** The stored hash is in a format nothing here can verify. */
  | { kind: 'unsupported-hash'; detail: string };

/** A password store. `verify` must cost the same for unknown users as for a wrong password. */
export interface Backend {
  /** Checks the request's login and password (and, where the backend uses it, its timestamp).
   *  File backends answer at once; a network backend answers with a promise. */
  verify(request: LoginRequest): Verdict | Promise<Verdict>;
}

/** A backend on local files: it answers at once, and can find a user without a password. */
export interface LocalBackend extends Backend {
  verify(request: LoginRequest): Verdict;
  /** The login's account, without a password check (a Dovecot lookup: Dovecot has vouched for
   *  the login already): ok with the account, or unknown-user. */
  lookup(login: Buffer): Verdict;
}
