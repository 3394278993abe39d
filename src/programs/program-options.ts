// The options of each login program, as data, with the defaults they name: the programs parse
// their command line with these tables, and `checkpassword-tool check` parses the same command
// line with the same tables. No side effects: importing this runs no program.
//
// Each login bundle takes only its own table: the tables are plain literals (a help text built
// from a constant, or an object spread, would make esbuild keep every table in every bundle), and
// the calls that join them are marked pure.

import type { OptionSpec } from '../options';

export const DEFAULT_PASSWD = '/etc/passwd';
export const DEFAULT_SHADOW = '/etc/shadow';
export const DEFAULT_RADIUS_CONF = '/etc/radius.conf';
/** checkpassword-radius --deadline, in seconds, as the option would give it. */
export const DEFAULT_DEADLINE_S = '20';

/** Options of the success path, the same in every program. */
export const SUCCESS_OPTIONS = {
  minUid: { name: 'min-uid', value: true, env: 'CHECKPASSWORD_MIN_UID', help: 'lowest uid that may log in (default 1)' },
  log: { name: 'log', value: true, env: 'CHECKPASSWORD_LOG', help: 'where to log each attempt: none, stderr, syslog[:auth|:authpriv|:mail] (default none)' },
} satisfies Record<string, OptionSpec>;

export const PASSWD_OPTIONS = /* @__PURE__ */ Object.assign(
  {
    passwd: { name: 'passwd', value: true, env: 'CHECKPASSWORD_PASSWD', help: 'passwd-format file (default /etc/passwd)' },
    shadow: { name: 'shadow', value: true, env: 'CHECKPASSWORD_SHADOW', help: 'shadow file, or "none" for hashes inline (default /etc/shadow)' },
    initgroups: { name: 'initgroups', value: false, help: 'supplementary groups from the group database (default: primary gid only)' },
  } satisfies Record<string, OptionSpec>,
  SUCCESS_OPTIONS,
);

export const VPOPMAIL_OPTIONS = /* @__PURE__ */ Object.assign(
  {
    home: { name: 'vpopmail-home', value: true, env: 'VPOPMAIL_HOME', help: "vpopmail's home (default: the vpopmail account's home, else /home/vpopmail)" },
    qmailDir: { name: 'qmail-dir', value: true, env: 'QMAILDIR', help: "qmail's directory with users/cdb or users/assign (default /var/qmail)" },
    service: { name: 'service', value: true, help: 'pop3, imap, smtp or webmail (default: from SERVICE, TCPLOCALPORT or prog)' },
    passwd: { name: 'passwd', value: true, env: 'CHECKPASSWORD_PASSWD', help: 'passwd file to find the vpopmail account in (default /etc/passwd)' },
  } satisfies Record<string, OptionSpec>,
  SUCCESS_OPTIONS,
);

export const RADIUS_OPTIONS = /* @__PURE__ */ Object.assign(
  {
    config: { name: 'config', value: true, env: 'RADIUS_CONF', help: 'server list (default /etc/radius.conf)' },
    configFormat: { name: 'config-format', value: true, help: 'radius.conf, pam_radius or auto (default auto)' },
    serviceType: { name: 'service-type', value: true, env: 'RADIUS_SERVICE_TYPE', help: 'Service-Type name or number, or none (default Login-User)' },
    nasIdentifier: { name: 'nas-identifier', value: true, help: 'NAS-Identifier (default: the host name)' },
    deadline: { name: 'deadline', value: true, help: 'seconds for the whole attempt, all servers (default 20)' },
    bind: { name: 'bind', value: true, help: 'local address to send from' },
    requireMa: { name: 'require-message-authenticator', value: false, help: 'ignore answers without Message-Authenticator (recommended)' },
    uid: { name: 'uid', value: true, help: 'run prog as this uid (with --gid and --home)' },
    gid: { name: 'gid', value: true, help: 'run prog with this gid' },
    home: { name: 'home', value: true, help: 'HOME and working directory; %u is the login' },
    passwd: { name: 'passwd', value: true, help: 'take uid, gid, home and shell from this passwd-format file' },
    initgroups: { name: 'initgroups', value: false, help: 'with --passwd: supplementary groups from the group database' },
    allowAllUsers: { name: 'allow-all-users', value: false, help: "with --uid: Dovecot lookups find every name (like Dovecot's allow_all_users)" },
  } satisfies Record<string, OptionSpec>,
  SUCCESS_OPTIONS,
);

export const PASSWD_SPECS: readonly OptionSpec[] = /* @__PURE__ */ Object.values(PASSWD_OPTIONS);
export const VPOPMAIL_SPECS: readonly OptionSpec[] = /* @__PURE__ */ Object.values(VPOPMAIL_OPTIONS);
export const RADIUS_SPECS: readonly OptionSpec[] = /* @__PURE__ */ Object.values(RADIUS_OPTIONS);

/** Each program's options, by the name it is installed under (radcheckpassword is checkpassword-radius). */
export const PROGRAM_SPECS = {
  'checkpassword-passwd': PASSWD_SPECS,
  'checkpassword-vpopmail': VPOPMAIL_SPECS,
  'checkpassword-radius': RADIUS_SPECS,
} as const;

/** checkpassword-passwd --shadow: the shadow file, or null for hashes inline ("none" or empty). */
export function shadowFile(value: string | undefined): string | null {
  return value === undefined ? DEFAULT_SHADOW : value === '' || value === 'none' ? null : value;
}
