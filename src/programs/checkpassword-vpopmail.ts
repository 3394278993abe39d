// checkpassword-vpopmail: a drop-in for vpopmail's vchkpw, speaking the suite's exit codes.
// Usage: checkpassword-vpopmail [options] prog [args...], with `login\0password\0timestamp\0` on fd 3.

import { optionValue, type OptionSpec } from '../options';
import { parseRequest, readRequestBytes } from '../protocol/fd3';
import { parsePasswd } from '../backends/passwd-file';
import { readStoreIfExists } from '../backends/store-file';
import { vpopmailBackend } from '../backends/vpopmail/vpopmail';
import { detectService } from '../backends/vpopmail/service';
import { accepted, beginAttempt, findOrVerify, runAttempt } from './attempt';
import { SUCCESS_OPTIONS, loginCommandLine, parseMinUid, runAsAccount } from './success';

const PROGRAM = 'checkpassword-vpopmail';

const OPT = {
  home: { name: 'vpopmail-home', value: true, env: 'VPOPMAIL_HOME', help: "vpopmail's home (default: the vpopmail account's home, else /home/vpopmail)" },
  qmailDir: { name: 'qmail-dir', value: true, env: 'QMAILDIR', help: "qmail's directory with users/cdb or users/assign (default /var/qmail)" },
  service: { name: 'service', value: true, help: 'pop3, imap, smtp or webmail (default: from SERVICE, TCPLOCALPORT or prog)' },
  passwd: { name: 'passwd', value: true, env: 'CHECKPASSWORD_PASSWD', help: 'passwd file to find the vpopmail account in (default /etc/passwd)' },
  ...SUCCESS_OPTIONS,
} satisfies Record<string, OptionSpec>;
const SPECS: OptionSpec[] = Object.values(OPT);

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
    home: optionValue(line, OPT.home, env) || vpopmailHome(optionValue(line, OPT.passwd, env) || '/etc/passwd'),
    qmailDir: optionValue(line, OPT.qmailDir, env) || '/var/qmail',
    service,
    envDomain: env.VPOPMAIL_DOMAIN,
    warn: (message) => attempt.warnings.push(message),
  });

  const account = accepted(findOrVerify(attempt, backend, request), attempt);
  request.password.fill(0);

  // As vchkpw: SMTP AUTH runs prog as we are (qmail-smtpd keeps its identity); the rest as the domain.
  return runAsAccount(attempt, account, line.prog, { minUid, become: service !== 'smtp', initgroups: false });
});

/** The home of the `vpopmail` account in the passwd file, else /home/vpopmail. */
function vpopmailHome(passwdFile: string): string {
  const text = readStoreIfExists(passwdFile);
  const entry = text === null ? undefined : parsePasswd(text).find((e) => e.name === 'vpopmail');
  return entry?.home || '/home/vpopmail';
}
