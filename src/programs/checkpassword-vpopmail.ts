// checkpassword-vpopmail: a drop-in for vpopmail's vchkpw, speaking the suite's exit codes.
// Usage: checkpassword-vpopmail [options] prog [args...], with `login\0password\0timestamp\0` on fd 3.

import { optionValue } from '../options';
import { parseRequest, readRequestBytes } from '../protocol/fd3';
import { DEFAULT_QMAIL_DIR, vpopmailHome } from '../backends/vpopmail/home';
import { vpopmailBackend } from '../backends/vpopmail/vpopmail';
import { detectService } from '../backends/vpopmail/service';
import { accepted, beginAttempt, findOrVerify, runAttempt } from './attempt';
import { DEFAULT_PASSWD, VPOPMAIL_OPTIONS as OPT, VPOPMAIL_SPECS as SPECS } from './program-options';
import { loginCommandLine, parseMinUid, runAsAccount } from './success';

const PROGRAM = 'checkpassword-vpopmail';

const attempt = beginAttempt(PROGRAM);
runAttempt(attempt, SPECS, async function main(): Promise<never> {
  const env = process.env;
  const line = loginCommandLine(attempt, SPECS);
  const minUid = parseMinUid(optionValue(line, OPT.minUid, env));
  const service = detectService({
    option: line.options.get(OPT.service.name),
    dovecotService: env.SERVICE,
    localPort: env.TCPLOCALPORT,
    prog: line.prog[0],
    remoteIp: env.TCPREMOTEIP,
  });
  attempt.request = readRequestBytes();
  const request = parseRequest(attempt.request);
  attempt.login = request.login;
  const backend = vpopmailBackend({
    home: optionValue(line, OPT.home, env) || vpopmailHome(optionValue(line, OPT.passwd, env) || DEFAULT_PASSWD).home,
    qmailDir: optionValue(line, OPT.qmailDir, env) || DEFAULT_QMAIL_DIR,
    service,
    envDomain: env.VPOPMAIL_DOMAIN,
    warn: (message) => attempt.warnings.push(message),
  });

  const account = accepted(findOrVerify(attempt, backend, request), attempt);
  request.password.fill(0);

  // As vchkpw: SMTP AUTH runs prog as we are (qmail-smtpd keeps its identity); the rest as the domain.
  return runAsAccount(attempt, account, line.prog, { minUid, become: service !== 'smtp', initgroups: false });
});
