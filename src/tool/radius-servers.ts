// Which RADIUS servers a `radius` subcommand talks to: the config file the login program reads
// (its own parser), or one or more --server with a --secret-file. Never a secret on the command
// line: argv is visible to every local user in ps.

import type { Argv } from 'yargs';
import { Misuse, TemporaryFailure } from '../exit';
import { parseBindAddress, parseHostPort, parseSeconds, readRadiusConfig, readSecretHolder, type ConfigFormat, type ServerEntry } from '../radius/config';
import { DEFAULT_RADIUS_CONF } from '../programs/program-options';

/** The options every `radius` subcommand takes to choose its servers. */
export interface ServerArgs {
  config?: string;
  configFormat?: string;
  server?: string[];
  secretFile?: string;
  timeout?: string;
  tries?: string;
  bind?: string;
  requireMessageAuthenticator?: boolean;
}

/** Declares the server options on a subcommand. */
export function serverOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('config', { type: 'string', describe: `the servers from this radius.conf or pam_radius_auth.conf, as the login program reads it (default $RADIUS_CONF, else ${DEFAULT_RADIUS_CONF})` })
    .option('config-format', { type: 'string', choices: ['auto', 'radius.conf', 'pam_radius'], describe: 'the config file format (default auto)' })
    .option('server', { type: 'string', array: true, describe: 'HOST[:PORT] to ask instead of a config file (repeatable; needs --secret-file)' })
    .option('secret-file', { type: 'string', describe: "a file holding --server's shared secret (its first line)" })
    .option('timeout', { type: 'string', describe: 'with --server: seconds to wait for each try (default 3)' })
    .option('tries', { type: 'string', describe: 'with --server: sends per server (default 3)' })
    .option('bind', { type: 'string', describe: 'local address to send from' })
    .option('require-message-authenticator', { type: 'boolean', describe: 'ignore answers without Message-Authenticator' })
    .conflicts('config', 'server')
    .conflicts('config-format', 'server');
}

/** The chosen servers, and what the operator should hear about their config. */
export interface ChosenServers {
  servers: ServerEntry[];
  warnings: string[];
  /** Where they came from, for the output. */
  source: string;
}

/**
 * The servers the options name. Bad options: Misuse (exit 2). A config or secret file that is
 * missing, unreadable or malformed: TemporaryFailure (exit 111), as for the login program.
 */
export function chooseServers(args: ServerArgs, env: NodeJS.ProcessEnv): ChosenServers {
  if (args.server && args.server.length > 0) {
    if (!args.secretFile) throw new Misuse('usage', '--server needs --secret-file (a secret is never given on the command line)');
    const { secret, warnings } = readSecretFile(args.secretFile);
    const timeoutMs = args.timeout === undefined ? DEFAULT_TIMEOUT_MS : seconds(args.timeout, '--timeout');
    const tries = args.tries === undefined ? DEFAULT_TRIES : wholeNumber(args.tries, '--tries');
    const servers = args.server.map((text, i): ServerEntry => {
      let hp;
      try {
        hp = parseHostPort(text, `--server ${i + 1}`);
      } catch {
        throw new Misuse('usage', `--server ${JSON.stringify(text)} is not HOST[:PORT]`);
      }
      return { ...hp, secret, timeoutMs, tries, requireMessageAuthenticator: false, where: `--server ${text}` };
    });
    return { servers, warnings, source: args.server.join(', ') };
  }
  if (args.secretFile || args.timeout || args.tries) throw new Misuse('usage', '--secret-file, --timeout and --tries go with --server');
  const file = args.config || env.RADIUS_CONF || DEFAULT_RADIUS_CONF;
  const config = readRadiusConfig(file, (args.configFormat ?? 'auto') as ConfigFormat | 'auto');
  return { servers: config.servers, warnings: config.warnings, source: file };
}

/** --bind as an address, or undefined. */
export function bindOption(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    return parseBindAddress(value, '--bind');
  } catch {
    throw new Misuse('usage', '--bind needs an IP address');
  }
}

/** A positive number of seconds from an option, in milliseconds. */
export function seconds(value: string, option: string): number {
  try {
    return parseSeconds(value, option, 'seconds');
  } catch {
    throw new Misuse('usage', `${option} needs a positive number of seconds`);
  }
}

/** radius.conf(5)'s defaults. */
const DEFAULT_TIMEOUT_MS = 3000;
const DEFAULT_TRIES = 3;

function wholeNumber(value: string, option: string): number {
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1) throw new Misuse('usage', `${option} needs a whole number from 1`);
  return Number(value);
}

/** The first line of the secret file, without its line end; empty is an error. */
function readSecretFile(file: string): { secret: Buffer; warnings: string[] } {
  const { data, modeWarning } = readSecretHolder(file, 'a shared secret');
  const nl = data.indexOf(0x0a);
  let line = nl < 0 ? data : data.subarray(0, nl);
  if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
  if (line.length === 0) throw new TemporaryFailure('config-error', `${file}: the first line (the shared secret) is empty`);
  return { secret: Buffer.from(line), warnings: modeWarning === null ? [] : [modeWarning] };
}
