// A real Dovecot 2.3 for the tests: a private config and base directory, IMAP and POP3 on
// 127.0.0.1 random ports, started as a child of the test process (dovecot -F) and stopped by its
// PID. Nothing under /etc/dovecot is used. Also small IMAP, POP3 and doveadm clients.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { stopServer } from './stop-server';
import { join } from 'node:path';

export const DOVECOT = '/usr/sbin/dovecot';
export const DOVEADM = '/usr/bin/doveadm';

export interface DovecotOptions {
  /** The checkpassword program and its options, as Dovecot's `args` (split on spaces). */
  args: string;
  /** `prefetch`: passdb checkpassword + userdb prefetch; `checkpassword`: userdb checkpassword too. */
  userdb: 'prefetch' | 'checkpassword';
  /** The user Dovecot's auth process (and so the program) runs as. */
  authUser: 'root' | 'dovecot';
}

export interface Dovecot {
  dir: string;
  imapPort: number;
  pop3Port: number;
  pid: number;
  config: string;
  /** Dovecot's log so far, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let instances = 0;

/** Starts Dovecot; resolves once IMAP and POP3 greet (at most 10 s). */
export async function startDovecot(opts: DovecotOptions): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'cpw-dovecot-'));
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'state']) mkdirSync(join(dir, sub), { mode: 0o755 });
  const imapPort = await freeTcpPort();
  let pop3Port = await freeTcpPort();
  while (pop3Port === imapPort) pop3Port = await freeTcpPort();
  const checkpassword = `  driver = checkpassword\n  args = ${opts.args}\n`;
  const config = join(dir, 'dovecot.conf');
  writeFileSync(
    config,
    [
      `base_dir = ${dir}/run`,
      `state_dir = ${dir}/state`,
      `instance_name = cpw-test-${process.pid}-${++instances}`,
      `log_path = ${dir}/dovecot.log`,
      'protocols = imap pop3',
      'listen = 127.0.0.1',
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      'auth_failure_delay = 0',
      'auth_verbose = yes',
      'default_internal_user = dovecot',
      'default_login_user = dovenull',
      'first_valid_uid = 100',
      'mail_location = maildir:~/Maildir',
      `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${imapPort}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
      `service pop3-login {\n  inet_listener pop3 {\n    address = 127.0.0.1\n    port = ${pop3Port}\n  }\n  inet_listener pop3s {\n    port = 0\n  }\n}`,
      // Node reserves about 800 MiB of address space at start; Dovecot's default limit is 256 MiB.
      `service auth {\n  user = ${opts.authUser}\n  vsz_limit = 1G\n}`,
      `passdb {\n${checkpassword}}`,
      opts.userdb === 'prefetch' ? 'userdb {\n  driver = prefetch\n}' : `userdb {\n${checkpassword}}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', config], { env: {}, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => {
    let text = output;
    try {
      text += readFileSync(join(dir, 'dovecot.log'), 'utf8');
    } catch {
      // Not written yet.
    }
    return text;
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dovecot exited with ${child.exitCode}:\n${log()}`);
    const ready = (await greets(imapPort, '* OK')) && (await greets(pop3Port, '+OK'));
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dovecot not ready after 10 s:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    dir,
    imapPort,
    pop3Port,
    pid: child.pid!,
    config,
    log,
    stop: () => stopServer(child, exited, dir),
  };
}

async function greets(port: number, prefix: string): Promise<boolean> {
  try {
    const lines = await converse(port, [], () => true);
    return lines[0]?.startsWith(prefix) ?? false;
  } catch {
    return false;
  }
}

/**
 * Connects, reads the greeting, then sends each command and reads until `done(line)` says the
 * answer is complete. Returns every line received (greeting first). Bounded: 15 s in all.
 */
export function converse(port: number, commands: string[], done: (line: string, command: string) => boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port, localAddress: nextClientAddress() });
    const lines: string[] = [];
    let buffered = '';
    let step = -1; // -1: waiting for the greeting
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer in 15 s; got:\n${lines.join('\n')}`));
    }, 15_000);
    const next = () => {
      step++;
      if (step >= commands.length) {
        clearTimeout(timer);
        socket.end();
        resolve(lines);
        return;
      }
      socket.write(commands[step] + '\r\n');
    };
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).replace(/\r$/, '');
        buffered = buffered.slice(nl + 1);
        lines.push(line);
        if (step < 0 || done(line, commands[step]!)) next();
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(lines);
    });
  });
}

let clients = 0;

/**
 * A loopback address of its own for each connection (127.0.x.y, all routed to lo): Dovecot's auth
 * penalty delays a client address after failed logins by up to 15 s, and each test's failures
 * would slow the next test down.
 */
function nextClientAddress(): string {
  clients++;
  return `127.${(process.pid >> 8) & 0xff}.${clients >> 8 & 0xff}.${(clients & 0xff) || 1}`;
}

/** An IMAP session: each command tagged `aN`; an answer ends at its tagged line. */
export function imap(port: number, commands: string[]): Promise<string[]> {
  const tagged = commands.map((c, i) => `a${i} ${c}`);
  return converse(port, tagged, (line, command) => line.startsWith(command.split(' ')[0]! + ' '));
}

/** A POP3 session of single-line commands. */
export function pop3(port: number, commands: string[]): Promise<string[]> {
  return converse(port, commands, (line) => line.startsWith('+OK') || line.startsWith('-ERR'));
}

/** `doveadm user NAME` against the instance: its exit status and output. */
export function doveadmUser(dovecot: Dovecot, name: string): { status: number | null; output: string } {
  const r = spawnSync(DOVEADM, ['-c', dovecot.config, 'user', name], { env: {}, timeout: 15_000 });
  return { status: r.status, output: r.stdout.toString() + r.stderr.toString() };
}

/** Waits (at most 5 s) until Dovecot's log holds `text`: its log process writes a moment after the client's answer. */
export async function waitForLog(dovecot: Dovecot, text: string | RegExp): Promise<void> {
  const deadline = Date.now() + 5_000;
  const found = () => (typeof text === 'string' ? dovecot.log().includes(text) : text.test(dovecot.log()));
  while (!found()) {
    if (Date.now() > deadline) throw new Error(`Dovecot's log has no ${String(text)} after 5 s:\n${dovecot.log()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
