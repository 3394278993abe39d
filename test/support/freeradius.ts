// A real FreeRADIUS 3.2 for the tests: a private config directory, loopback only, random ports,
// started as a child of the test process and stopped by its PID. The config is ours
// (test/fixtures/freeradius; nothing under /etc/freeradius is used): one port whose replies always
// carry Message-Authenticator, on 127.0.0.1 and ::1, and a "legacy" port whose replies never do.

import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from './run';
import { stopServer } from './stop-server';

export const FREERADIUS = '/usr/sbin/freeradius';

export interface FreeRadius {
  dir: string;
  /** Replies carry Message-Authenticator; on 127.0.0.1 and ::1. */
  port: number;
  /** Replies carry no Message-Authenticator; 127.0.0.1 only. */
  legacyPort: number;
  secret: string;
  pid: number;
  /** The server's log so far (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}

/** A UDP port that was free on both 127.0.0.1 and ::1 a moment ago. */
export async function freeUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const s4 = createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      s4.once('error', reject);
      s4.bind({ address: '127.0.0.1', port: 0 }, () => resolve(s4.address().port));
    });
    const s6 = createSocket({ type: 'udp6', ipv6Only: true });
    const ok = await new Promise<boolean>((resolve) => {
      s6.once('error', () => resolve(false));
      s6.bind({ address: '::1', port }, () => resolve(true));
    });
    s4.close();
    if (ok) s6.close();
    if (ok) return port;
  }
  throw new Error('no free UDP port on 127.0.0.1 and ::1');
}

/** Starts a FreeRADIUS with USERS; resolves once it says it is ready (at most 10 s). */
export async function startFreeRadius(secret = 'testing123-shared-secret'): Promise<FreeRadius> {
  const dir = mkdtempSync(join(tmpdir(), 'cpw-freeradius-'));
  chmodSync(dir, 0o700);
  for (const sub of ['log', 'run']) mkdirSync(join(dir, sub), { mode: 0o700 });
  for (const file of ['radiusd.conf', 'users']) {
    copyFileSync(join(FIXTURES, 'freeradius', file), join(dir, file));
    chmodSync(join(dir, file), 0o644);
  }
  const port = await freeUdpPort();
  let legacyPort = await freeUdpPort();
  while (legacyPort === port) legacyPort = await freeUdpPort();
  const env = { PATH: '/usr/sbin:/usr/bin:/bin', RADTEST_DIR: dir, RADTEST_PORT: String(port), RADTEST_LEGACY_PORT: String(legacyPort), RADTEST_SECRET: secret };
  const child: ChildProcess = spawn(FREERADIUS, ['-f', '-l', 'stdout', '-d', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail('not ready after 10 s'), 10_000);
    const poll = setInterval(() => {
      if (output.includes('Ready to process requests')) done();
    }, 10);
    child.once('exit', (code) => fail(`exited with ${code}`));
    child.once('error', (e) => fail(e.message));
    function done() {
      clearTimeout(timer);
      clearInterval(poll);
      resolve();
    }
    function fail(why: string) {
      clearTimeout(timer);
      clearInterval(poll);
      child.kill('SIGKILL');
      reject(new Error(`freeradius ${why}:\n${output}`));
    }
  });
  return {
    dir,
    port,
    legacyPort,
    secret,
    pid: child.pid!,
    log: () => output,
    stop: () => stopServer(child, exited, dir),
  };
}
