// checkpassword-passwd: DJB's checkpassword on passwd + shadow files, as a drop-in replacement.
// Usage: checkpassword-passwd [options] prog [args...], with `login\0password\0timestamp\0` on fd 3.

import { optionValue, type OptionSpec } from '../options';
import { parseRequest, readRequestBytes } from '../protocol/fd3';
import { passwdBackend } from '../backends/passwd';
import { accepted, beginAttempt, findOrVerify, runAttempt } from './attempt';
import { SUCCESS_OPTIONS, loginCommandLine, parseMinUid, runAsAccount } from './success';

const PROGRAM = 'checkpassword-passwd';

const OPT = {
  passwd: { name: 'passwd', value: true, env: 'CHECKPASSWORD_PASSWD', help: 'passwd-format file (default /etc/passwd)' },
  shadow: { name: 'shadow', value: true, env: 'CHECKPASSWORD_SHADOW', help: 'shadow file, or "none" for hashes inline (default /etc/shadow)' },
  initgroups: { name: 'initgroups', value: false, help: 'supplementary groups from the group database (default: primary gid only)' },
  ...SUCCESS_OPTIONS,
} satisfies Record<string, OptionSpec>;
const SPECS: OptionSpec[] = Object.values(OPT);

const attempt = beginAttempt(PROGRAM);
runAttempt(attempt, SPECS, async function main(): Promise<never> {
  const line = loginCommandLine(attempt, SPECS);
  const minUid = parseMinUid(optionValue(line, OPT.minUid, process.env));
  const shadow = optionValue(line, OPT.shadow, process.env);
  const backend = passwdBackend({
    passwd: optionValue(line, OPT.passwd, process.env) || '/etc/passwd',
    shadow: shadow === undefined ? '/etc/shadow' : shadow === '' || shadow === 'none' ? null : shadow,
  });

  attempt.request = readRequestBytes();
  const request = parseRequest(attempt.request);
  attempt.login = request.login;
  const account = accepted(findOrVerify(attempt, backend, request), attempt);
  request.password.fill(0);

  return runAsAccount(attempt, account, line.prog, { minUid, become: true, initgroups: line.options.has(OPT.initgroups.name) });
});
