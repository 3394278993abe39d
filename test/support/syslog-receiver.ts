// A real unix socket standing in for /dev/log in the tests: python3 binds it in a scratch
// directory (Node has no unix datagram sockets) and reports every message it receives.
// A datagram socket takes one message per datagram; a stream socket splits what arrives on NUL,
// as syslog daemons do with glibc's stream framing.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { scratchDir } from './run';

/** One message as the socket received it. */
export interface SyslogMessage {
  /** The message's bytes as latin1, without framing. */
  text: string;
  /** On a stream socket: whether a NUL ended it (glibc's framing); always false for datagrams. */
  nulEnded: boolean;
}

export interface SyslogReceiver {
  /** The socket's path, for CHECKPASSWORD_SYSLOG_SOCKET. */
  path: string;
  /** Everything received so far, in order. */
  received: SyslogMessage[];
  /** Waits until `count` messages in all have arrived (at most `timeoutMs`); returns them all. */
  waitFor(count: number, timeoutMs?: number): Promise<SyslogMessage[]>;
  /** Stops python3 by its PID. */
  close(): Promise<void>;
}

// Prints one JSON line per message: {"hex": ..., "nul": bool}. Stream connections are handled one
// at a time, which is all the tests need (each program sends one message per connection).
const SCRIPT = `
import json, os, socket, sys
kind, path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM if kind == 'dgram' else socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, 0o666)
def out(data, nul):
    sys.stdout.write(json.dumps({'hex': data.hex(), 'nul': nul}) + '\\n')
    sys.stdout.flush()
if kind == 'stream':
    s.listen(16)
print('ready', flush=True)
while True:
    if kind == 'dgram':
        out(s.recv(65536), False)
        continue
    c, _ = s.accept()
    buf = b''
    while True:
        d = c.recv(65536)
        if not d:
            break
        buf += d
        while b'\\0' in buf:
            msg, buf = buf.split(b'\\0', 1)
            out(msg, True)
    if buf:
        out(buf, False)
    c.close()
`;

/** Starts a receiver on a fresh socket (`dgram` like journald's /dev/log, or `stream`); ready when resolved. */
export async function startSyslogReceiver(kind: 'dgram' | 'stream' = 'dgram'): Promise<SyslogReceiver> {
  const path = join(scratchDir('syslog'), 'log');
  const child = spawn('python3', ['-c', SCRIPT, kind, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  const received: SyslogMessage[] = [];
  let buffered = '';
  let errors = '';
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line === 'ready') ready();
      else {
        const m = JSON.parse(line) as { hex: string; nul: boolean };
        received.push({ text: Buffer.from(m.hex, 'hex').toString('latin1'), nulEnded: m.nul });
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await Promise.race([
    isReady,
    exited.then(() => Promise.reject(new Error(`syslog receiver exited: ${errors}`))),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`syslog receiver not ready after 5 s: ${errors}`)), 5000)),
  ]);
  return {
    path,
    received,
    async waitFor(count, timeoutMs = 3000) {
      const until = Date.now() + timeoutMs;
      while (received.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      return received.slice();
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid!, 'SIGTERM');
        await exited;
      }
    },
  };
}
