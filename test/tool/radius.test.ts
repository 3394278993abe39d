// checkpassword-tool radius test / status: the built tool against a real FreeRADIUS 3.2 on
// loopback (test/support/freeradius.ts) and against a silent UDP port.

import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import radius_ from 'radius';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFreeRadius, type FreeRadius } from '../support/freeradius';
import { scratchDir } from '../support/run';
import { silentServer } from '../support/udp';
import { runTool } from './radius-check-run';

let radius: FreeRadius;
let dir: string;
let count = 0;

/** A radius.conf with these lines, mode 0600. */
function config(...lines: string[]): string {
  const file = join(dir, `radius-${count++}.conf`);
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
  return file;
}
const live = () => `auth 127.0.0.1:${radius.port} "${radius.secret}" 2 2`;

/** `radius test USER --config FILE ...` with the password on stdin. */
function radiusTest(user: string, password: string, conf: string, opts: string[] = []) {
  return runTool(['radius', 'test', user, '--config', conf, ...opts], { stdin: `${password}\n` });
}

beforeAll(async () => {
  radius = await startFreeRadius();
  dir = scratchDir('tool-radius');
});
afterAll(async () => {
  await radius?.stop();
});

describe('radius test: the answer, printed like radtest', () => {
  it('a right password: Access-Accept, exit 0, the server, the verified Message-Authenticator and the Reply-Message', async () => {
    const r = await radiusTest('anyuser', 'anypass', config(live()));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Access-Accept from 127\\.0\\.0\\.1:${radius.port} in \\d+ ms$`, 'm'));
    expect(r.stdout).toContain('Message-Authenticator: present and verified');
    expect(r.stdout).toContain('Reply-Message = "hello anyuser"');
  });

  it('a wrong password: exit 1 with Access-Reject', async () => {
    const r = await radiusTest('anyuser', 'wrong', config(live()));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^Access-Reject from /m);
  });

  it("a reject carrying a Reply-Message: exit 1, the server's text shown", async () => {
    const r = await radiusTest('rejectme', 'whatever', config(live()));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^Access-Reject from /m);
    expect(r.stdout).toContain('Reply-Message = "go away"');
  });

  it('an Access-Challenge: exit 1, its State shown as hex', async () => {
    const r = await radiusTest('challengeme', 'challpass', config(live()));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^Access-Challenge from /m);
    expect(r.stdout).toContain('Reply-Message = "enter token"');
    expect(r.stdout).toContain('State = 0x01');
  });

  it('a wrong secret gets no verified answer: exit 111, "no answer"', async () => {
    const r = await radiusTest('anyuser', 'anypass', config(`auth 127.0.0.1:${radius.port} "not-the-secret" 0.5 1`));
    expect(r.status).toBe(111);
    expect(r.stdout).toMatch(/^no answer: /m);
    expect(r.stdout).not.toMatch(/Access-(Accept|Reject)/);
  });

  it('an answer without Message-Authenticator is shown as such, and ignored with --require-message-authenticator (exit 111)', async () => {
    const conf = config(`auth 127.0.0.1:${radius.legacyPort} "${radius.secret}" 0.5 1`);
    const plain = await radiusTest('anyuser', 'anypass', conf);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/^Message-Authenticator: absent/m);
    const strict = await radiusTest('anyuser', 'anypass', conf, ['--require-message-authenticator']);
    expect(strict.status).toBe(111);
    expect(strict.stdout).toContain('no Message-Authenticator (required)');
  });

  it('Service-Type is sent as given: framedonly is accepted with Framed-User and rejected with the default Login-User', async () => {
    const conf = config(live());
    const framed = await radiusTest('framedonly', 'framedpass', conf, ['--service-type', 'Framed-User']);
    expect(framed.status, framed.stdout).toBe(0);
    expect(framed.stdout).toContain('Reply-Message = "framed ok"');
    const login = await radiusTest('framedonly', 'framedpass', conf);
    expect(login.status).toBe(1);
  });

  it('--server with --secret-file asks that server with the file\'s secret', async () => {
    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, `${radius.secret}\n`, { mode: 0o600 });
    const r = await runTool(['radius', 'test', 'anyuser', '--server', `127.0.0.1:${radius.port}`, '--secret-file', secretFile], { stdin: 'anypass\n' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Access-Accept from /m);
  });

  it('--attr and --nas-identifier go into the Access-Request (as a silent server receives it), after the attributes the program sends', async () => {
    const silent = await silentServer();
    try {
      const r = await runTool(
        ['radius', 'test', 'anyuser', '--config', config(`127.0.0.1:${silent.port} "the-secret" 0.3 1`), '--nas-identifier', 'mx1', '--attr', 'Called-Station-Id=mail.example.org', '--attr', 'NAS-Port=7'],
        { stdin: 'anypass\n' },
      );
      expect(r.status).toBe(111);
      const decoded = radius_.decode({ packet: silent.received[0]!, secret: 'the-secret' });
      expect(decoded.attributes['Called-Station-Id']).toBe('mail.example.org');
      expect(decoded.attributes['NAS-Port']).toBe(7);
      expect(decoded.attributes['NAS-Identifier']).toBe('mx1');
      expect(decoded.attributes['User-Password']).toBe('anypass');
      expect(decoded.attributes['Service-Type']).toBe('Login-User');
    } finally {
      silent.close();
    }
  });
});

describe('radius test: the password never in argv', () => {
  it('there is no option for a password or a secret: --password and --secret are refused with exit 2', async () => {
    for (const opt of ['--password', '--secret']) {
      const r = await runTool(['radius', 'test', 'anyuser', '--config', config(live()), opt, 'anypass'], { stdin: 'anypass\n' });
      expect(r.status, opt).toBe(2);
      expect(r.stdout).not.toMatch(/Access-/);
    }
  });

  it("the password read from stdin is not in the tool's command line while it waits for the server", async () => {
    const silent = await silentServer();
    let cmdline = '';
    try {
      const r = await runTool(['radius', 'test', 'anyuser', '--config', config(`127.0.0.1:${silent.port} "the-secret" 1 1`)], {
        stdin: 'pw-only-on-stdin\n',
        onSpawn: (pid) => {
          setTimeout(() => {
            try {
              cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
            } catch {
              cmdline = 'gone';
            }
          }, 500);
        },
      });
      expect(r.status).toBe(111);
      // The server got it (so it was read), and the command line did not hold it.
      expect(radius_.decode({ packet: silent.received[0]!, secret: 'the-secret' }).attributes['User-Password']).toBe('pw-only-on-stdin');
      expect(cmdline).toContain('radius\0test\0anyuser');
      expect(cmdline).not.toContain('pw-only-on-stdin');
    } finally {
      silent.close();
    }
  });

  it('no USER is a usage error: exit 2', async () => {
    const r = await runTool(['radius', 'test', '--config', config(live())]);
    expect(r.status).toBe(2);
  });

  it('no password line on stdin is a usage error: exit 2, nothing sent', async () => {
    const silent = await silentServer();
    try {
      const r = await runTool(['radius', 'test', 'anyuser', '--config', config(`127.0.0.1:${silent.port} "the-secret" 0.3 1`)], { stdin: '' });
      expect(r.status).toBe(2);
      expect(silent.received).toHaveLength(0);
    } finally {
      silent.close();
    }
  });
});

describe('radius status: Status-Server to each server', () => {
  it('every address answers: one "answering" line each (IPv4 and IPv6), exit 0', async () => {
    const r = await runTool(['radius', 'status', '--config', config(live(), `auth [::1]:${radius.port} "${radius.secret}" 2 2`)]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^answering: 127\\.0\\.0\\.1:${radius.port}: Access-Accept in \\d+ ms, Message-Authenticator verified$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^answering: \\[::1\\]:${radius.port}: Access-Accept`, 'm'));
  });

  it('a silent port is "not answering" and the exit is 111; it received a Status-Server with a valid Message-Authenticator', async () => {
    const silent = await silentServer();
    try {
      const r = await runTool(['radius', 'status', '--config', config(live(), `auth 127.0.0.1:${silent.port} "the-secret" 0.3 2`)]);
      expect(r.status).toBe(111);
      expect(r.stdout).toMatch(new RegExp(`^answering: 127\\.0\\.0\\.1:${radius.port}: `, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^not answering: 127\\.0\\.0\\.1:${silent.port}: `, 'm'));
      expect(silent.received).toHaveLength(2);
      const packet = silent.received[0]!;
      expect(packet[0]).toBe(12);
      expect(packet[20]).toBe(80);
      const zeroed = Buffer.from(packet);
      zeroed.fill(0, 22, 38);
      expect(createHmac('md5', 'the-secret').update(zeroed).digest().equals(packet.subarray(22, 38))).toBe(true);
    } finally {
      silent.close();
    }
  });

  it('a wrong secret is "not answering" (the server drops it): exit 111', async () => {
    const r = await runTool(['radius', 'status', '--config', config(`auth 127.0.0.1:${radius.port} "not-the-secret" 0.5 1`)]);
    expect(r.status).toBe(111);
    expect(r.stdout).toMatch(/^not answering: /m);
  });

  it('a config file that does not parse: exit 111 with file:line', async () => {
    const conf = config(live(), 'auth 127.0.0.1 "unterminated');
    const r = await runTool(['radius', 'status', '--config', conf]);
    expect(r.status).toBe(111);
    expect(r.stderr).toContain(`${conf}:2: unterminated quoted string`);
  });
});
