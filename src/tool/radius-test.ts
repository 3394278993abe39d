// `checkpassword-tool radius test USER`: one Access-Request, as checkpassword-radius would send it
// (the same askRadius), and the verified answer printed like radtest's: who answered, the code,
// the reply's attributes by name, the Message-Authenticator, the time taken.

import { hostname } from 'node:os';
import type { CommandModule } from 'yargs';
import { EXIT, Misuse, TemporaryFailure } from '../exit';
import { askRadius, badLogin } from '../backends/radius';
import { ATTR, CODE, MAX_PASSWORD, type Attribute } from '../radius/packet';
import { codeName, describeAttribute, parseAttributeArgument } from '../radius/dictionary';
import { parseServiceType, serviceTypeName } from '../radius/service-type';
import { monotonicMs } from '../clock';
import { DEFAULT_DEADLINE_S } from '../programs/program-options';
import { bindOption, chooseServers, seconds, serverOptions, type ServerArgs } from './radius-servers';
import { askOnTerminal, readSecret, readStdinLine } from './prompt';

interface TestArgs extends ServerArgs {
  user: string;
  serviceType?: string;
  nasIdentifier?: string;
  callingStationId?: string;
  attr?: string[];
  deadline?: string;
  stdin?: boolean;
}

/** Attributes the request always carries, set by their own options or by the program itself. */
const BUILT_IN = new Set<number>([
  ATTR.userName,
  ATTR.userPassword,
  ATTR.serviceType,
  ATTR.nasIdentifier,
  ATTR.nasIpAddress,
  ATTR.nasIpv6Address,
  ATTR.nasPortType,
  ATTR.callingStationId,
  ATTR.messageAuthenticator,
]);

export const testCommand: CommandModule = {
  command: 'test <user>',
  describe: 'send one Access-Request as checkpassword-radius would and print the answer (password typed without echo, or --stdin)',
  builder: (y) =>
    serverOptions(y)
      .positional('user', { type: 'string', describe: 'the login to send as User-Name' })
      .option('service-type', { type: 'string', describe: 'Service-Type name or number, or none (default Login-User)' })
      .option('nas-identifier', { type: 'string', describe: 'NAS-Identifier (default: the host name)' })
      .option('calling-station-id', { type: 'string', describe: 'Calling-Station-Id, as the program sends TCPREMOTEIP' })
      .option('attr', { type: 'string', array: true, describe: 'NAME=VALUE or NUMBER=0xHEX: one more attribute (repeatable)' })
      .option('deadline', { type: 'string', describe: `seconds for the whole attempt, all servers (default ${DEFAULT_DEADLINE_S})` })
      .option('stdin', { type: 'boolean', describe: 'read the password from the first line of stdin, not the terminal' })
      // Examples with a description are kept within half the width: yargs wraps them in a column.
      .example('$0 radius test alice', 'asks for the password without echo')
      .example("printf '%s\\n' \"$pw\" | $0 radius test alice --stdin --service-type Framed-User", '')
      .example('$0 radius test alice --server 192.0.2.10 --secret-file /root/radius.secret', '')
      .example('$0 radius test alice --attr NAS-Port=7 --attr Called-Station-Id=mx1', '')
      .strict(),
  handler: async (argv) => {
    process.exitCode = await radiusTest(argv as unknown as TestArgs);
  },
};

/** The exit status: 0 for an Access-Accept, 1 for a Reject or Challenge, 111 for no answer. */
async function radiusTest(args: TestArgs): Promise<number> {
  const login = Buffer.from(String(args.user), 'utf8');
  const bad = badLogin(login);
  if (bad) throw new Misuse('usage', `the login is not sent: ${bad}`);
  const serviceType = parseServiceType(args.serviceType);
  const extraAttributes = (args.attr ?? []).map(extraAttribute);
  const deadlineMs = seconds(args.deadline ?? DEFAULT_DEADLINE_S, '--deadline');
  const bind = bindOption(args.bind);
  const chosen = chooseServers(args, process.env);
  for (const w of chosen.warnings) process.stderr.write(`warning: ${w}\n`);
  const nasIdentifier = args.nasIdentifier || hostname();

  const password = await readPassword(args);
  try {
    if (password.length > MAX_PASSWORD) throw new Misuse('usage', `RADIUS carries at most ${MAX_PASSWORD} bytes of password, got ${password.length}`);
    const sent = [`User-Name = ${JSON.stringify(args.user)}`, `Service-Type = ${serviceTypeName(serviceType)}`, `NAS-Identifier = ${JSON.stringify(nasIdentifier)}`];
    if (args.callingStationId) sent.push(`Calling-Station-Id = ${JSON.stringify(args.callingStationId)}`);
    sent.push(...extraAttributes.map(describeAttribute));
    process.stdout.write(`sending Access-Request to ${chosen.source}: ${sent.join(', ')}\n`);

    const started = monotonicMs();
    let answer;
    try {
      answer = await askRadius(
        {
          servers: chosen.servers,
          serviceType,
          nasIdentifier,
          callingStationId: args.callingStationId,
          deadlineMs,
          ...(bind ? { bind } : {}),
          requireMessageAuthenticator: args.requireMessageAuthenticator === true,
          note: (m) => process.stdout.write(`note: ${m}\n`),
          extraAttributes,
        },
        login,
        password,
      );
    } catch (err) {
      if (!(err instanceof TemporaryFailure && err.reason === 'radius-no-answer')) throw err;
      process.stdout.write(`no answer: ${err.detail}\n`);
      return EXIT.temporary;
    }
    const ms = Math.round(monotonicMs() - started);
    const { response, target } = answer;
    process.stdout.write(`${codeName(response.code)} from ${target.label} in ${ms} ms\n`);
    process.stdout.write(
      response.messageAuthenticator
        ? 'Message-Authenticator: present and verified\n'
        : 'Message-Authenticator: absent (only the Response Authenticator vouches for this answer; --require-message-authenticator would ignore it)\n',
    );
    for (const a of response.attributes) {
      if (a.type !== ATTR.messageAuthenticator) process.stdout.write(`  ${describeAttribute(a)}\n`);
    }
    return response.code === CODE.accessAccept ? 0 : EXIT.refused;
  } finally {
    password.fill(0);
  }
}

/** Typed on the terminal without echo, else the first line of stdin: never from argv or the environment. */
async function readPassword(args: TestArgs): Promise<Buffer> {
  if (askOnTerminal({ stdin: args.stdin === true })) return readSecret(`Password for ${args.user}: `);
  const line = readStdinLine();
  if (line === null) throw new Misuse('usage', 'no password on stdin (an empty line is an empty password)');
  return line;
}

function extraAttribute(arg: string): Attribute {
  let a: Attribute;
  try {
    a = parseAttributeArgument(arg);
  } catch (err) {
    throw new Misuse('usage', (err as Error).message);
  }
  if (BUILT_IN.has(a.type)) {
    throw new Misuse('usage', `--attr cannot set attribute ${a.type}: the request carries it already (see --service-type, --nas-identifier, --calling-station-id)`);
  }
  return a;
}
