// vpopmail's per-user flag bits (the vpasswd gid field) and the domain limits that add to them.
// Values from vpopmail.h (5.4.33 to 5.6); limits file keywords as vlimits.c reads them.

/** The flag bits of a vpasswd record's gid field, by vpopmail's names. */
export const FLAGS = {
  NO_PASSWD_CHNG: 0x01,
  NO_POP: 0x02,
  NO_WEBMAIL: 0x04,
  NO_IMAP: 0x08,
  BOUNCE_MAIL: 0x10,
  NO_RELAY: 0x20,
  NO_DIALUP: 0x40,
  V_USER0: 0x80,
  V_USER1: 0x100,
  V_USER2: 0x200,
  V_USER3: 0x400,
  NO_SMTP: 0x800,
  QA_ADMIN: 0x1000,
  V_OVERRIDE: 0x2000,
  NO_SPAMASSASSIN: 0x4000,
  DELETE_SPAM: 0x8000,
  SA_ADMIN: 0x10000,
  SA_EXPERT: 0x20000,
  NO_MAILDROP: 0x40000,
} as const;

/** The name of one flag bit. */
export type FlagName = keyof typeof FLAGS;

// The limits keywords that set a flag by their mere presence (the value, if any, is ignored).
const LIMIT_KEYWORDS: ReadonlyMap<string, number> = new Map<string, number>([
  ['disable_pop', FLAGS.NO_POP],
  ['disable_smtp', FLAGS.NO_SMTP],
  ['disable_imap', FLAGS.NO_IMAP],
  ['disable_external_relay', FLAGS.NO_RELAY],
  ['disable_webmail', FLAGS.NO_WEBMAIL],
  ['disable_password_changing', FLAGS.NO_PASSWD_CHNG],
  ['disable_dialup', FLAGS.NO_DIALUP],
  ['disable_spamassassin', FLAGS.NO_SPAMASSASSIN],
  ['delete_spam', FLAGS.DELETE_SPAM],
  ['disable_maildrop', FLAGS.NO_MAILDROP],
]);

/**
 * The flag mask of a `.qmailadmin-limits` or `vlimits.default` file. One setting per line (lines
 * end at `\n` or `\r`), the name first, ended by a space, tab or `:`; a line starting with `#` is
 * a comment. Names are case-sensitive; settings that are not flags (quotas, counts, perm_*) add
 * nothing. Leading blanks and colons are skipped, as 5.4.33's strtok parser did.
 */
export function parseLimits(text: string): number {
  let mask = 0;
  for (const line of text.split(/[\r\n]/)) {
    if (line[0] === '#') continue;
    const name = /^[ \t:]*([^ \t:]*)/.exec(line)![1]!;
    mask |= LIMIT_KEYWORDS.get(name) ?? 0;
  }
  return mask >>> 0;
}

/** The flags vchkpw acts on: the user's bits OR the domain's limits, unless the user has V_OVERRIDE. */
export function effectiveFlags(userGid: number, domainLimits: number): number {
  if ((userGid & FLAGS.V_OVERRIDE) !== 0) return userGid >>> 0;
  return (userGid | domainLimits) >>> 0;
}
