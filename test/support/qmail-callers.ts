// The qmail programs that run a checkpassword program, emulated for the tests: qmail-popup
// (qmail 1.03 and notqmail) and qmail-smtpd with each family of SMTP AUTH patches (Dabrowski/
// Johnston 0.30/0.31; Hoffmann 0.4x/0.5x, e.g. in Bill Shupp's netqmail composites; sagredo's
// qmail-authentication 0.8). For each one: the bytes its C code writes on fd 3, the descriptors the
// checkprogram gets (fds 0 and 1 on a real loopback TCP connection, as under tcpserver; fd 2 on
// that connection too where the caller copies it there), and the reply the client reads for each
// outcome. The fork, the pipe on fd 3 and the wait are done by test/support/qmail-caller.c; the
// facts are from the research notes (checkpassword.md sections 2 and 3) and the callers' sources.

import { execFileSync, spawn } from 'node:child_process';
import { createHmac, createHash } from 'node:crypto';
import { join } from 'node:path';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { ROOT, scratchDir } from './run';

/** The two qmail-popup generations: they differ only in what the checkprogram's fd 2 is. */
export interface Popup {
  name: string;
  /** `client`: fd 1 is copied onto fd 2, so the child's stderr reaches the POP3 client. */
  stderr: 'client' | 'keep';
}

export const QMAIL_POPUP_103: Popup = { name: 'qmail-popup (qmail 1.03, netqmail)', stderr: 'client' };
/** notqmail since 2020 (commit 2a469cc) leaves the child's stderr alone, for logging. */
export const NOTQMAIL_POPUP: Popup = { name: 'qmail-popup (notqmail)', stderr: 'keep' };

/** One SMTP AUTH patch of qmail-smtpd, as data. */
export interface SmtpdPatch {
  name: string;
  /** Dabrowski/Johnston: `qmail-smtpd hostname checkprogram subprogram...`; the others have no hostname. */
  hostnameFirst: boolean;
  /** How the pipe's read end becomes fd 3 (see qmail-caller.c). */
  layout: 'close3' | 'dup3';
  stderr: 'client' | 'keep';
  /** The write buffer (substdio) in front of the pipe. */
  bufferSize: number;
  /** LOGIN/PLAIN: whether an empty third field (and its NUL) follows the password. */
  thirdField: boolean;
  /** CRAM-MD5 as built, or null when it is not compiled in or not offered. */
  cram: null | {
    /** Dabrowski: `user\0challenge\0digest\0`; Hoffmann, sagredo: `user\0digest\0challenge\0`. */
    order: 'challenge-digest' | 'digest-challenge';
    /** Where the client's `user digest` is split: the first space, or sagredo's last. */
    split: 'first' | 'last';
  };
  /** The prompt for PLAIN without an initial response. */
  plainPrompt: string;
  /** The reply to any non-zero exit (after a 5 second sleep, which the emulation skips). */
  refused: string;
  /** sagredo exports SMTPAUTHMETHOD (login, plain, cram-md5) before running the checkprogram. */
  setsAuthMethod: boolean;
  /** Environment the patch needs to offer AUTH at all (sagredo: SMTPAUTH, and FORCETLS=0 without TLS). */
  env: Record<string, string>;
}

const HOFFMANN_BASE = {
  hostnameFirst: false,
  layout: 'dup3',
  stderr: 'keep',
  bufferSize: 512,
  plainPrompt: '334 ',
  refused: '535 authentication failed (#5.7.1)',
} as const;

export const DABROWSKI: SmtpdPatch = {
  name: 'Dabrowski/Johnston qmail-smtpd-auth 0.30/0.31 (AUTHCRAM defined)',
  hostnameFirst: true,
  layout: 'close3',
  stderr: 'client',
  bufferSize: 128,
  thirdField: true,
  cram: { order: 'challenge-digest', split: 'first' },
  plainPrompt: '334 ok, go on',
  refused: '535 authorization failed (#5.7.0)',
  setsAuthMethod: false,
  env: {},
};

export const HOFFMANN: SmtpdPatch = {
  ...HOFFMANN_BASE,
  name: 'Hoffmann SMTP-AUTH 0.4x/0.5x (CRAM_MD5 defined; Shupp netqmail composites)',
  thirdField: true,
  cram: { order: 'digest-challenge', split: 'first' },
  setsAuthMethod: false,
  env: {},
};

export const HOFFMANN_NO_CRAM: SmtpdPatch = {
  ...HOFFMANN_BASE,
  name: 'Hoffmann SMTP-AUTH 0.5x built without CRAM_MD5',
  thirdField: false,
  cram: null,
  setsAuthMethod: false,
  env: {},
};

export const SAGREDO: SmtpdPatch = {
  ...HOFFMANN_BASE,
  name: 'sagredo qmail-authentication 0.8.3, SMTPAUTH=+cram',
  thirdField: true,
  cram: { order: 'digest-challenge', split: 'last' },
  setsAuthMethod: true,
  env: { SMTPAUTH: '+cram', FORCETLS: '0' },
};

export const SAGREDO_NO_CRAM: SmtpdPatch = {
  ...HOFFMANN_BASE,
  name: 'sagredo qmail-authentication 0.8.3, SMTPAUTH empty (LOGIN and PLAIN only)',
  thirdField: false,
  cram: null,
  setsAuthMethod: true,
  env: { SMTPAUTH: '', FORCETLS: '0' },
};

/** How a caller is started: its arguments (after its own name), environment and identity. */
export interface CallerRun {
  /** argv after `qmail-popup` / `qmail-smtpd`, exactly as in a run script. */
  argv: string[];
  /** Added to (and overriding) the environment tcpserver would give it. */
  env?: Record<string, string>;
  /** Run the caller as this uid/gid (qmail-smtpd runs as qmaild; qmail-popup as root). */
  uid?: number;
  gid?: number;
  /** prlimit(1) options for the resource limits a run script sets with softlimit (e.g. `--data=300000000`). */
  limits?: string[];
  timeoutMs?: number;
}

/** What happened, as the client and the caller saw it. */
export interface Outcome {
  /** The bytes the caller wrote on the checkprogram's fd 3. */
  fd3: Buffer;
  /** The caller's reply to the attempt; "" where it says nothing (qmail-popup after exit 0). */
  reply: string;
  /** Everything the client read on the connection, in order. */
  client: string;
  /** What the caller itself wrote on the connection (greeting, prompts, reply). */
  callerWrote: string;
  /** The caller's fd 2 where it is not the connection: the service's log. */
  log: string;
  /** How the checkprogram ended, or which step of the caller failed. */
  child: { exit: number } | { signal: number } | { error: string };
  /** The `<pid.time@host>` string: qmail-popup's timestamp, or the CRAM-MD5 challenge. */
  stamp: string;
  /** The environment the caller ran the checkprogram with. */
  env: Record<string, string>;
}

/** An attempt the emulation could not even start (e.g. 503: no checkprogram on the command line). */
export interface NoAttempt {
  reply: string;
  client: string;
}

const POPUP_ERRORS: Record<string, string> = {
  pipe: '-ERR unable to open pipe\r\n',
  write: '-ERR unable to write pipe\r\n',
  fork: '-ERR unable to fork\r\n',
  wait: '',
  read: '',
};

const SMTPD_ERRORS: Record<string, string> = {
  pipe: "454 oops, unable to open pipe and I can't auth (#4.3.0)\r\n",
  write: "454 oops, unable to write pipe and I can't auth (#4.3.0)\r\n",
  fork: "454 oops, child won't start and I can't auth (#4.3.0)\r\n",
  wait: "454 oops, problem with child and I can't auth (#4.3.0)\r\n",
  read: "454 oops, problem with child and I can't auth (#4.3.0)\r\n",
};

const CHILD_CRASHED_SMTPD = "454 oops, problem with child and I can't auth (#4.3.0)\r\n";
const NUL = Buffer.from([0]);

/**
 * qmail-popup, `USER user` then `PASS pass`: greets with `+OK <pid.time@host>`, answers USER with
 * `+OK `, writes `user\0pass\0<pid.time@host>\0` and runs `argv[1..]` (argv[0] is the host name).
 */
export async function popupUserPass(popup: Popup, run: CallerRun, user: string | Buffer, pass: string | Buffer): Promise<Outcome> {
  return popupSession(popup, run, '+OK \r\n', () => ({ name: Buffer.from(user), secret: Buffer.from(pass) }));
}

/**
 * qmail-popup, `APOP name digest`: `answer` gets the greeting's timestamp and returns the command's
 * argument, which is split at its first space: `name\0digest\0<pid.time@host>\0`.
 */
export async function popupApop(popup: Popup, run: CallerRun, answer: (stamp: string) => string): Promise<Outcome> {
  return popupSession(popup, run, '', (stamp) => {
    const arg = Buffer.from(answer(stamp));
    const space = arg.indexOf(0x20);
    if (space < 0) throw new Error('APOP without a space is "-ERR syntax error" and runs nothing');
    return { name: arg.subarray(0, space), secret: arg.subarray(space + 1) };
  });
}

/** The APOP digest a client sends: hex MD5 of the timestamp followed by the secret (RFC 1939). */
export function apopDigest(stamp: string, secret: string): string {
  return createHash('md5').update(stamp).update(secret).digest('hex');
}

/** The CRAM-MD5 digest a client sends: hex HMAC-MD5 of the challenge keyed by the secret (RFC 2195). */
export function cramDigest(challenge: string, secret: string): string {
  return createHmac('md5', secret).update(challenge).digest('hex');
}

/** qmail-smtpd, `AUTH LOGIN` with the prompts: the client answers base64(user), then base64(pass). */
export async function smtpdLogin(patch: SmtpdPatch, run: CallerRun, user: string, pass: string): Promise<Outcome | NoAttempt> {
  return smtpdSession(patch, run, 'login', () => ({
    prompts: '334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n',
    user: Buffer.from(user),
    secret: Buffer.from(pass),
  }));
}

/** qmail-smtpd, `AUTH PLAIN` without an initial response: base64(authzid \0 user \0 pass), authzid ignored. */
export async function smtpdPlain(patch: SmtpdPatch, run: CallerRun, user: string, pass: string, authzid = ''): Promise<Outcome | NoAttempt> {
  return smtpdSession(patch, run, 'plain', () => {
    const slop = Buffer.concat([Buffer.from(`${authzid}\0${user}\0${pass}`), NUL]);
    const id = slop.indexOf(0);
    const u = cString(slop, id + 1);
    const p = cString(slop, id + 1 + u.length + 1);
    return { prompts: `${patch.plainPrompt}\r\n`, user: u, secret: p };
  });
}

/**
 * qmail-smtpd, `AUTH CRAM-MD5`: the server sends base64(`<pid.time@host>`); `answer` gets the
 * challenge and returns the client's `user digest` line (before base64).
 */
export async function smtpdCram(patch: SmtpdPatch, run: CallerRun, answer: (challenge: string) => string): Promise<Outcome | NoAttempt> {
  if (!patch.cram) throw new Error(`${patch.name} does not offer CRAM-MD5`);
  const cram = patch.cram;
  return smtpdSession(patch, run, 'cram-md5', (stamp) => {
    const resp = Buffer.from(answer(stamp));
    const at = cram.split === 'first' ? resp.indexOf(0x20) : resp.lastIndexOf(0x20);
    const cut = at < 0 ? resp.length : at;
    let rest = cut;
    while (resp[rest] === 0x20) rest++;
    return {
      prompts: `334 ${b64(stamp)}\r\n`,
      user: resp.subarray(0, cut),
      secret: resp.subarray(rest),
      challenge: Buffer.from(stamp),
    };
  });
}

/** Whether an outcome is a real attempt (the checkprogram was started), for narrowing. */
export function attempted(r: Outcome | NoAttempt): r is Outcome {
  return 'fd3' in r;
}

// ---- qmail-popup and qmail-smtpd sessions -------------------------------------------------------

interface Credentials {
  name: Buffer;
  secret: Buffer;
}

async function popupSession(popup: Popup, run: CallerRun, userReply: string, credentials: (stamp: string) => Credentials): Promise<Outcome> {
  const [hostname, ...childargs] = run.argv;
  if (!hostname || childargs.length === 0) throw new Error('qmail-popup: usage: popup hostname subprogram');
  return attempt(
    { layout: 'close3', stderr: popup.stderr, bufferSize: 128, childargs, run: { ...run, env: callerEnv(run, 110) } },
    (pid) => {
      const stamp = `<${pid}.${unixTime()}@${hostname}>`;
      const { name, secret } = credentials(stamp);
      const fd3 = Buffer.concat([name, NUL, secret, NUL, Buffer.from(stamp), NUL]);
      return { stamp, before: `+OK ${stamp}\r\n${userReply}`, fd3 };
    },
    (child) => {
      if ('error' in child) return POPUP_ERRORS[child.error] ?? '';
      if ('signal' in child) return '-ERR aack, child crashed\r\n';
      return child.exit === 0 ? '' : '-ERR authorization failed\r\n';
    },
  );
}

interface SmtpdInput {
  prompts: string;
  user: Buffer;
  secret: Buffer;
  challenge?: Buffer;
}

async function smtpdSession(patch: SmtpdPatch, run: CallerRun, method: string, input: (stamp: string) => SmtpdInput): Promise<Outcome | NoAttempt> {
  const hostname = patch.hostnameFirst ? run.argv[0] : undefined;
  const childargs = patch.hostnameFirst ? run.argv.slice(1) : run.argv;
  const env = callerEnv(run, 587, patch);
  const offered = patch.hostnameFirst ? hostname !== undefined && childargs.length > 0 : childargs.length > 0;
  const sagredoOff = patch.setsAuthMethod && (env.SMTPAUTH === undefined || env.SMTPAUTH === '-' || env.SMTPAUTH === '0');
  if (!offered || sagredoOff) {
    const reply = '503 auth not available (#5.3.3)\r\n';
    return { reply, client: reply };
  }
  if (patch.setsAuthMethod) env.SMTPAUTHMETHOD = method;
  const local = hostname ?? env.TCPLOCALHOST ?? env.TCPLOCALIP ?? 'unknown';
  return attempt(
    { layout: patch.layout, stderr: patch.stderr, bufferSize: patch.bufferSize, childargs, run: { ...run, env } },
    (pid) => {
      const stamp = `<${pid}.${unixTime()}@${local}>`;
      const { prompts, user, secret, challenge } = input(stamp);
      if (user.length === 0 || secret.length === 0) throw new Error('501 malformed auth input (#5.5.4): nothing is run');
      return { stamp, before: prompts, fd3: smtpdBytes(patch, user, secret, challenge) };
    },
    (child) => {
      if ('error' in child) return SMTPD_ERRORS[child.error] ?? CHILD_CRASHED_SMTPD;
      if ('signal' in child) return CHILD_CRASHED_SMTPD;
      return child.exit === 0 ? '235 ok, go ahead (#2.0.0)\r\n' : `${patch.refused}\r\n`;
    },
  );
}

/** The fd 3 bytes of one SMTP AUTH attempt; `challenge` only for CRAM-MD5. */
function smtpdBytes(patch: SmtpdPatch, user: Buffer, secret: Buffer, challenge?: Buffer): Buffer {
  const field = (b: Buffer) => [b, NUL];
  if (challenge === undefined) {
    return Buffer.concat([...field(user), ...field(secret), ...(patch.thirdField ? [NUL] : [])]);
  }
  if (patch.cram?.order === 'challenge-digest') return Buffer.concat([...field(user), ...field(challenge), ...field(secret)]);
  return Buffer.concat([...field(user), ...field(secret), ...field(challenge)]);
}

// ---- the process half: a loopback connection, qmail-caller, the reply ---------------------------

interface Mechanics {
  layout: 'close3' | 'dup3';
  stderr: 'client' | 'keep';
  bufferSize: number;
  childargs: string[];
  /** The run, with the caller's whole environment. */
  run: CallerRun;
}

type Child = Outcome['child'];

let callerBinary: string | undefined;

/** qmail-caller.c, compiled once per test file into a directory every uid can read. */
function qmailCaller(): string {
  if (callerBinary === undefined) {
    const out = join(scratchDir('qmail-caller'), 'qmail-caller');
    execFileSync('cc', ['-O2', '-Wall', '-o', out, join(ROOT, 'test/support/qmail-caller.c')]);
    callerBinary = out;
  }
  return callerBinary;
}

async function attempt(
  m: Mechanics,
  prepare: (pid: number) => { stamp: string; before: string; fd3: Buffer },
  replyTo: (child: Child) => string,
): Promise<Outcome> {
  const conn = await loopbackConnection();
  const env = { ...m.run.env };
  env.TCPREMOTEPORT = String(conn.clientPort);
  const args = [m.layout, m.stderr, String(m.bufferSize), ...m.childargs];
  const limits = m.run.limits ?? [];
  // prlimit execs qmail-caller in its own place, so the pid (in the timestamp) stays the caller's.
  const [command, argv] = limits.length > 0 ? ['prlimit', [...limits, '--', qmailCaller(), ...args]] : [qmailCaller(), args];
  const child = spawn(command, argv, {
    env,
    stdio: [conn.server, conn.server, 'pipe', 'ignore', 'pipe', 'pipe'],
    detached: true,
    ...(m.run.uid !== undefined ? { uid: m.run.uid } : {}),
    ...(m.run.gid !== undefined ? { gid: m.run.gid } : {}),
  });
  const log: Buffer[] = [];
  const report: Buffer[] = [];
  const stdio = child.stdio as unknown as (NodeJS.ReadableStream & NodeJS.WritableStream)[];
  stdio[2]!.on('data', (d: Buffer) => log.push(d));
  stdio[5]!.on('data', (d: Buffer) => report.push(d));
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', () => resolve());
  });
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, m.run.timeoutMs ?? 20_000);
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare(child.pid!);
  } catch (err) {
    process.kill(-child.pid!, 'SIGKILL');
    clearTimeout(timer);
    conn.close();
    throw err;
  }
  conn.server.write(prepared.before);
  stdio[4]!.end(prepared.fd3);
  await exited;
  clearTimeout(timer);
  const result = parseReport(Buffer.concat(report).toString());
  const reply = replyTo(result);
  const client = await conn.finish(reply);
  return {
    fd3: prepared.fd3,
    reply,
    client,
    callerWrote: prepared.before + reply,
    log: Buffer.concat(log).toString('latin1'),
    child: result,
    stamp: prepared.stamp,
    env,
  };
}

function parseReport(line: string): Child {
  const m = /^(exit|signal|error) (\S+)\n$/.exec(line);
  if (!m) return { error: `no report from qmail-caller (${JSON.stringify(line)})` };
  if (m[1] === 'exit') return { exit: Number(m[2]) };
  if (m[1] === 'signal') return { signal: Number(m[2]) };
  return { error: m[2]! };
}

/** The environment tcpserver gives the caller, plus the patch's settings and the test's own. */
function callerEnv(run: CallerRun, port: number, patch?: SmtpdPatch): Record<string, string> {
  return {
    PATH: '/usr/bin:/bin',
    PROTO: 'TCP',
    TCPLOCALIP: '127.0.0.1',
    TCPLOCALPORT: String(port),
    TCPLOCALHOST: 'mail.example.org',
    TCPREMOTEIP: '192.0.2.25',
    ...(patch?.env ?? {}),
    ...(run.env ?? {}),
  };
}

interface Connection {
  /** The server's end: the caller's fds 0 and 1. */
  server: Socket;
  clientPort: number;
  /** Writes the caller's last reply, closes the connection, and returns all the client read. */
  finish(reply: string): Promise<string>;
  close(): void;
}

/** A TCP connection on 127.0.0.1, like the one tcpserver hands to qmail-popup and qmail-smtpd. */
async function loopbackConnection(): Promise<Connection> {
  const listener = createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as AddressInfo).port;
  const accepted = new Promise<Socket>((resolve) => listener.once('connection', resolve));
  const client = connect(port, '127.0.0.1');
  // A reset (a caller that died) ends the transcript like a close does.
  client.on('error', () => {});
  const received: Buffer[] = [];
  client.on('data', (d: Buffer) => received.push(d));
  const ended = new Promise<void>((resolve) => {
    client.once('end', resolve);
    client.once('close', resolve);
  });
  await new Promise<void>((resolve) => client.once('connect', resolve));
  const server = await accepted;
  server.on('error', () => {});
  listener.close();
  const close = () => {
    server.destroy();
    client.destroy();
  };
  return {
    server,
    clientPort: client.localPort!,
    close,
    async finish(reply: string) {
      await new Promise<void>((resolve) => server.end(reply, resolve));
      await ended;
      close();
      return Buffer.concat(received).toString('latin1');
    },
  };
}

// ---- small helpers ------------------------------------------------------------------------------

function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

/** The NUL-terminated string at `at` (what C's stralloc_copys takes from a buffer). */
function cString(buf: Buffer, at: number): Buffer {
  if (at >= buf.length) return Buffer.alloc(0);
  const end = buf.indexOf(0, at);
  return buf.subarray(at, end < 0 ? buf.length : end);
}

function unixTime(): number {
  return Math.floor(Date.now() / 1000);
}
