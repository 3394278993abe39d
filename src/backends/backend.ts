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

/** A backend on local files: it answers at once. */
export interface LocalBackend extends Backend {
  verify(request: LoginRequest): Verdict;
}
