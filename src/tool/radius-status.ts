// `checkpassword-tool radius status`: a Status-Server (RFC 5997) to each configured server
// address, one after the other, and which of them answer with a verified reply.

import { hostname } from 'node:os';
import type { CommandModule } from 'yargs';
import { TemporaryFailure } from '../exit';
import { resolveTargets } from '../radius/targets';
import { askStatus, type StatusResult } from '../radius/status-server';
import { codeName } from '../radius/dictionary';
import type { ServerEntry } from '../radius/config';
import { loadNative } from '../native/native';
import { nativeTransport } from '../radius/udp-native';
import { dgramTransport } from '../radius/udp-dgram';
import { TOOL_EXIT, runCommand, usageFailsWith2 } from './command-outcome';
import { bindOption, chooseServers, seconds, serverOptions, type ServerArgs } from './radius-servers';

interface StatusArgs extends ServerArgs {
  nasIdentifier?: string;
  deadline?: string;
}

export const statusCommand: CommandModule = {
  command: 'status',
  describe: 'ask each server a Status-Server (RFC 5997) and say which answer',
  builder: (y) =>
    usageFailsWith2(
      serverOptions(y)
        .option('nas-identifier', { type: 'string', describe: 'NAS-Identifier (default: the host name)' })
        .option('deadline', { type: 'string', describe: 'seconds to wait for each server at most, all its tries (default 20)' })
        .example('$0 radius status', 'each server in $RADIUS_CONF (/etc/radius.conf)')
        .example('$0 radius status --config /var/qmail/control/radius.conf --deadline 5', '')
        .example('$0 radius status --server 192.0.2.10:1812 --secret-file /root/radius.secret', '')
        .strict(),
    ),
  handler: (argv) => runCommand(() => radiusStatus(argv as unknown as StatusArgs)),
};

async function radiusStatus(args: StatusArgs): Promise<number> {
  const perServerMs = seconds(args.deadline ?? '20', '--deadline');
  const bind = bindOption(args.bind);
  const chosen = chooseServers(args, process.env);
  for (const w of chosen.warnings) process.stderr.write(`warning: ${w}\n`);
  const results = await statusOf(chosen.servers, {
    nasIdentifier: args.nasIdentifier || hostname(),
    perServerMs,
    bind,
    requireMessageAuthenticator: args.requireMessageAuthenticator === true,
    note: (m) => process.stdout.write(`note: ${m}\n`),
  });
  for (const r of results) process.stdout.write(`${statusLine(r)}\n`);
  return results.every((r) => r.answered) ? TOOL_EXIT.ok : TOOL_EXIT.trouble;
}

/** What `radius status` and `check` need to ask servers. */
export interface StatusOfOptions {
  nasIdentifier: string;
  perServerMs: number;
  bind: string | undefined;
  requireMessageAuthenticator: boolean;
  note: (message: string) => void;
}

/** Resolves the entries and asks each address; no address at all: TemporaryFailure. */
export async function statusOf(servers: readonly ServerEntry[], opts: StatusOfOptions): Promise<StatusResult[]> {
  const targets = await resolveTargets(servers, { ...(opts.bind ? { bind: opts.bind } : {}), requireMessageAuthenticator: opts.requireMessageAuthenticator }, opts.note);
  if (targets.length === 0) throw new TemporaryFailure('radius-no-server', 'no server address to send to');
  return askStatus(targets, {
    nasIdentifier: opts.nasIdentifier,
    perServerMs: opts.perServerMs,
    transport: () => {
      const native = loadNative();
      return native ? nativeTransport(native) : dgramTransport();
    },
  });
}

/** One server's result as a line: `answering: ...` or `not answering: ...`. */
export function statusLine(r: StatusResult): string {
  if (!r.answered) return `not answering: ${r.target.label}: ${r.why}${r.notes.length ? ` (${r.notes.join('; ')})` : ''}`;
  const ma = r.response.messageAuthenticator ? 'Message-Authenticator verified' : 'no Message-Authenticator';
  return `answering: ${r.target.label}: ${codeName(r.response.code)} in ${r.ms} ms, ${ma}`;
}
