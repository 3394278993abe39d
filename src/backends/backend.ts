// The one interface every backend implements: look a login up, check the password, report facts.
// Backends never choose an exit code; they return a Verdict, or throw TemporaryFailure for I/O trouble.

import type { LoginRequest } from '../protocol/fd3';

/** The local account a successful login runs as. */
export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
  /** Variables the backend sets for prog besides USER, HOME and SHELL (vpopmail's VPOPUSER). */
  env?: Record<string, string>;
}

/** What a backend found. The program maps it to an exit code. */
export type Verdict =
  /** `method`: how the password was proven, where a backend knows several (plain, apop, cram-md5). */
  | { kind: 'ok'; account: Account; method?: string }
  | { kind: 'unknown-user' }
  | { kind: 'bad-password' }
  /** The account exists but cannot log in: locked or empty hash, a malformed entry. */
  | { kind: 'disabled'; reason: string; detail?: string }
  /** The stored hash is in a format nothing here can verify. */
  | { kind: 'unsupported-hash'; detail: string };

/** A password store. `verify` must cost the same for unknown users as for a wrong password. */
export interface Backend {
  /** Checks the request's login and password (and, where the backend uses it, its timestamp). */
  verify(request: LoginRequest): Verdict;
}
