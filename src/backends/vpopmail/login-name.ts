// Splits a login into user and domain the way vchkpw's parse_email does: `user@domain`,
// `user%domain`, `user/domain` or a bare user in the default domain, with vpopmail's character rules.

import { Refused } from '../../exit';

/** A parsed login. `vpopuser` is the whole login, lower-cased, as vchkpw exports it in VPOPUSER. */
export interface LoginName {
  user: string;
  domain: string;
  vpopuser: string;
}

// is_username_valid: printable ASCII except space " % ( ) , : ; < > @ [ \ ].
const USER_RE = /^[!#$&'*+\-./0-9=?A-Z^_`a-z{|}~]*$/;
// is_domain_valid: letters, digits, '-' and '.'.
const DOMAIN_RE = /^[-.0-9A-Za-z]*$/;

/**
 * Parses `login`. It is lower-cased (ASCII only), then split at the first `@`, else the first
 * `%`, else the first `/`. User and typed domain are checked against vpopmail's whitelists
 * (Refused 'invalid-login' otherwise, also for an empty user). An empty domain is replaced by
 * `defaultDomain()` (lower-cased, not checked, as vchkpw applies it after the check); if that is
 * empty too the domain stays ''.
 */
export function parseLoginName(login: string, defaultDomain: () => string): LoginName {
  const vpopuser = lowerAscii(login);
  const at = separator(vpopuser);
  const user = at < 0 ? vpopuser : vpopuser.slice(0, at);
  let domain = at < 0 ? '' : vpopuser.slice(at + 1);
  if (!USER_RE.test(user) || !DOMAIN_RE.test(domain)) {
    throw new Refused('invalid-login', 'invalid characters in user or domain');
  }
  if (user === '') throw new Refused('invalid-login', 'empty user name');
  if (domain === '') domain = lowerAscii(defaultDomain());
  return { user, domain, vpopuser };
}

/** VPOPMAIL_DOMAIN as vpopmail uses it: every character outside `[A-Za-z0-9_.@-]` becomes `_`. */
export function sanitizeEnvDomain(value: string): string {
  return value.replace(/[^A-Za-z0-9_.@-]/g, '_');
}

function separator(login: string): number {
  for (const c of ['@', '%', '/']) {
    const i = login.indexOf(c);
    if (i >= 0) return i;
  }
  return -1;
}

function lowerAscii(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}
