// checkpassword-passwd: DJB's checkpassword on passwd + shadow files, as a drop-in replacement.
// Usage: checkpassword-passwd [options] prog [args...], with `login\0password\0timestamp\0` on fd 3.

import { Misuse } from '../exit';
import { parseCommandLine, optionValue, type OptionSpec } from '../options';
import { parseRequest, readRequestBytes } from '../protocol/fd3';
import { passwdBackend } from '../backends/passwd';
import { checkMinUid, enterHome, switchUser } from '../exec/privileges';
import { nextEnv } from '../exec/next-env';
import { execNext, resolveProg } from '../exec/exec-next';
import { accepted, beginAttempt, logAccept, logTargetFrom, runAttempt } from './attempt';

const PROGRAM = 'checkpassword-passwd';

const OPT = {
  passwd: { name: 'passwd', value: true, env: 'CHECKPASSWORD_PASSWD', help: 'passwd-format file (default /etc/passwd)' },
  shadow: { name: 'shadow', value: true, env: 'CHECKPASSWORD_SHADOW', help: 'shadow file, or "none" for hashes inline (default /etc/shadow)' },
  minUid: { name: 'min-uid', value: true, env: 'CHECKPASSWORD_MIN_UID', help: 'lowest uid that may log in (default 1)' },
  initgroups: { name: 'initgroups', value: false, help: 'supplementary groups from the group database (default: primary gid only)' },
  log: { name: 'log', value: true, env: 'CHECKPASSWORD_LOG', help: 'where to log each attempt: none or stderr (default none)' },
} satisfies Record<string, OptionSpec>;
const SPECS: OptionSpec[] = Object.values(OPT);

const attempt = beginAttempt(PROGRAM);
runAttempt(attempt, SPECS, async function main(): Promise<never> {
  const line = parseCommandLine(process.argv.slice(2), SPECS);
  attempt.log = logTargetFrom(optionValue(line, OPT.log, process.env));
  if (line.prog.length === 0) throw new Misuse('no-program', 'no prog to run after a login');
  const minUid = parseMinUid(optionValue(line, OPT.minUid, process.env));
  const shadow = optionValue(line, OPT.shadow, process.env);
  const backend = passwdBackend({
    passwd: optionValue(line, OPT.passwd, process.env) || '/etc/passwd',
    shadow: shadow === undefined ? '/etc/shadow' : shadow === '' || shadow === 'none' ? null : shadow,
  });

  attempt.request = readRequestBytes();
  const request = parseRequest(attempt.request);
  attempt.login = request.login;
  const account = accepted(backend.verify(request.login, request.password));
  request.password.fill(0);

  checkMinUid(account, minUid);
  switchUser(account, { initgroups: line.options.has(OPT.initgroups.name) });
  enterHome(account);
  const env = nextEnv(process.env, account);
  const file = resolveProg(line.prog[0]!, env.PATH);
  logAccept(attempt);
  return execNext(file, line.prog, env, attempt.fds);
});

function parseMinUid(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  if (!/^\d{1,10}$/.test(value)) throw new Misuse('bad-option', `--min-uid needs a number, not ${JSON.stringify(value)}`);
  return Number(value);
}
