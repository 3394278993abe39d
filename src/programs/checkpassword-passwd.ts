// checkpassword-passwd: DJB's checkpassword on passwd + shadow files, as a drop-in replacement.
// Usage: checkpassword-passwd [options] prog [args...], with `login\0password\0timestamp\0` on fd 3.

import { optionValue } from '../options';
import { parseRequest, readRequestBytes } from '../protocol/fd3';
import { passwdBackend } from '../backends/passwd';
import { accepted, beginAttempt, findOrVerify, runAttempt } from './attempt';
import { DEFAULT_PASSWD, PASSWD_OPTIONS as OPT, PASSWD_SPECS as SPECS, shadowFile } from './program-options';
import { loginCommandLine, parseMinUid, runAsAccount } from './success';

const PROGRAM = 'checkpassword-passwd';

const attempt = beginAttempt(PROGRAM);
runAttempt(attempt, SPECS, async function main(): Promise<never> {
  const line = loginCommandLine(attempt, SPECS);
  const minUid = parseMinUid(optionValue(line, OPT.minUid, process.env));
  const backend = passwdBackend({
    passwd: optionValue(line, OPT.passwd, process.env) || DEFAULT_PASSWD,
    shadow: shadowFile(optionValue(line, OPT.shadow, process.env)),
  });

  attempt.request = readRequestBytes();
  const request = parseRequest(attempt.request);
  attempt.login = request.login;
  const account = accepted(findOrVerify(attempt, backend, request), attempt);
  request.password.fill(0);

  return runAsAccount(attempt, account, line.prog, { minUid, become: true, initgroups: line.options.has(OPT.initgroups.name) });
});
