// checkpassword-radius (also installed as radcheckpassword): checkpassword against RADIUS servers.
// Usage: checkpassword-radius [options] prog [args...], with `login\0password\0timestamp\0` on fd 3.

import { hostname } from 'node:os';
import { Misuse, Refused, TemporaryFailure } from '../exit';
import { optionValue, type OptionSpec } from '../options';
import { parseRequest, readRequestBytes, type LoginRequest } from '../protocol/fd3';
import { badLogin, radiusBackend } from '../backends/radius';
import { parseBindAddress, parseSeconds, readRadiusConfig, type ConfigFormat } from '../radius/config';
import { parseServiceType } from '../radius/service-type';
import { accepted, beginAttempt, runAttempt, type Attempt } from './attempt';
import { checkLookupRequest } from './dovecot';
import { DEFAULT_DEADLINE_S, DEFAULT_RADIUS_CONF, RADIUS_OPTIONS as OPT, RADIUS_SPECS as SPECS } from './program-options';
import { loginCommandLine, parseMinUid, runAsAccount, runAsCaller } from './success';
import { localAccount, localIdentityFrom, type LocalIdentity } from './local-account';

/** The name qmail admins know is logged as such when we are run by it. */
const PROGRAM = /(^|\/)radcheckpassword$/.test(process.argv[1] ?? '') ? 'radcheckpassword' : 'checkpassword-radius';

const attempt = beginAttempt(PROGRAM);
runAttempt(attempt, SPECS, async function main(): Promise<never> {
  const env = process.env;
  const line = loginCommandLine(attempt, SPECS);
  const option = (spec: OptionSpec) => optionValue(line, spec, env);
  const minUid = parseMinUid(option(OPT.minUid));
  const serviceType = parseServiceType(option(OPT.serviceType));
  const format = parseFormat(option(OPT.configFormat));
  const deadlineMs = parseOptionSeconds(option(OPT.deadline) ?? DEFAULT_DEADLINE_S, '--deadline');
  const bind = option(OPT.bind);
  const identity = localIdentityFrom({ uid: option(OPT.uid), gid: option(OPT.gid), home: option(OPT.home), passwd: option(OPT.passwd) });
  const requireMessageAuthenticator = line.options.has(OPT.requireMa.name);
  const initgroups = line.options.has(OPT.initgroups.name);
  if (initgroups && identity.kind !== 'passwd') throw new Misuse('bad-option', '--initgroups needs --passwd (the group database knows users by their passwd name)');
  if (line.options.has(OPT.allowAllUsers.name) && identity.kind !== 'fixed') throw new Misuse('bad-option', '--allow-all-users goes with --uid, --gid and --home');

  // fd 3 before the config: a caller always gets its pipe read, whatever else is wrong.
  attempt.request = readRequestBytes();
  const request = parseRequest(attempt.request);
  attempt.login = request.login;
  if (attempt.dovecot?.lookup) {
    return lookup(attempt, identity, request, line.prog, { minUid, initgroups, allowAllUsers: line.options.has(OPT.allowAllUsers.name) });
  }

  const config = readRadiusConfig(option(OPT.config) || DEFAULT_RADIUS_CONF, format);
  attempt.warnings.push(...config.warnings);
  const backend = radiusBackend({
    servers: config.servers,
    serviceType,
    nasIdentifier: option(OPT.nasIdentifier) || hostname(),
    callingStationId: env.TCPREMOTEIP,
    deadlineMs,
    ...(bind ? { bind: bindAddress(bind) } : {}),
    requireMessageAuthenticator,
    note: (message) => attempt.warnings.push(message),
  });
  accepted(await backend.verify(request), attempt);
  request.password.fill(0);

  const name = request.login.toString('utf8');
  const account = localAccount(identity, name);
  if (!account) return runAsCaller(attempt, name, line.prog, minUid);
  return runAsAccount(attempt, account, line.prog, { minUid, become: true, initgroups });
});

/**
 * A Dovecot lookup (AUTHORIZED=1): RADIUS cannot look a user up without a password, so the
 * answer comes from the local identity: the --passwd file, or, only with --allow-all-users, the
 * fixed --uid/--gid/--home for any valid name (as Dovecot's static userdb with allow_all_users:
 * LMTP would then take mail for any name). Otherwise there is no answer: 111.
 */
function lookup(
  attempt: Attempt,
  identity: LocalIdentity,
  request: LoginRequest,
  prog: string[],
  opts: { minUid: number; initgroups: boolean; allowAllUsers: boolean },
): Promise<never> {
  checkLookupRequest(request, process.env);
  if (identity.kind === 'caller' || (identity.kind === 'fixed' && !opts.allowAllUsers)) {
    throw new TemporaryFailure(
      'lookup-unsupported',
      identity.kind === 'caller'
        ? 'RADIUS cannot look a user up: name the accounts (--passwd) to answer Dovecot lookups'
        : 'with --uid every name would exist: give --passwd, or --allow-all-users to answer lookups for any name',
    );
  }
  const bad = badLogin(request.login);
  if (bad) throw new Refused('bad-login', bad);
  const account = localAccount(identity, request.login.toString('utf8'))!;
  return runAsAccount(attempt, account, prog, { minUid: opts.minUid, become: true, initgroups: opts.initgroups });
}

function parseFormat(value: string | undefined): ConfigFormat | 'auto' {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'radius.conf' || value === 'pam_radius') return value;
  throw new Misuse('bad-option', `--config-format is radius.conf, pam_radius or auto, not ${JSON.stringify(value)}`);
}

function parseOptionSeconds(value: string, option: string): number {
  try {
    return parseSeconds(value, option, 'seconds');
  } catch {
    throw new Misuse('bad-option', `${option} needs a positive number of seconds`);
  }
}

function bindAddress(value: string): string {
  try {
    return parseBindAddress(value, '--bind');
  } catch {
    throw new Misuse('bad-option', '--bind needs an IP address');
  }
}
