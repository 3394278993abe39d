// End to end: the built bin/checkpassword-radius against a real FreeRADIUS 3.2 on loopback,
// started from a private config directory on random ports (test/support/freeradius.ts).

import { createHmac } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import radius_ from 'radius';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFreeRadius, type FreeRadius } from '../support/freeradius';
import { IS_ROOT, RECORD_PROG, ROOT, bin, makeHome, request, runProgramAsync, scratchDir, type RunOptions } from '../support/run';
import { silentServer } from '../support/udp';

const PROG = bin('checkpassword-radius');
const UID = 45611;
const GID = 45612;
/** A stand-in for qmail-smtpd's qmaild: the uid the original radcheckpassword setup runs as. */
const QMAILD = 45613;

let radius: FreeRadius;
let dir: string;
let configCount = 0;

/** A radius.conf with these lines, mode 0600; returns its path. */
function config(...lines: string[]): string {
  const file = join(dir, `radius-${configCount++}.conf`);
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/** The line for the live server's main port (replies carry Message-Authenticator). */
const live = (extra = '') => `auth 127.0.0.1:${radius.port} "${radius.secret}" 2 2 ${extra}`;
const legacy = (extra = '') => `auth 127.0.0.1:${radius.legacyPort} "${radius.secret}" 0.5 1 ${extra}`;

/**
 * Runs checkpassword-radius with --log stderr, the given config and options, record-prog as prog.
 * `--min-uid 0` comes first: the tests may run as root, and without --uid prog runs as the caller
 * (a later --min-uid in `opts` wins).
 */
function login(user: string | Buffer, password: string | Buffer, conf: string, opts: string[] = [], extra: Partial<RunOptions> = {}) {
  return runProgramAsync(PROG, {
    args: ['--config', conf, '--log', 'stderr', '--min-uid', '0', ...opts, RECORD_PROG],
    input: request(user, password),
    ...extra,
  });
}

/** Whether the request's first attribute is a Message-Authenticator made with `secret` (RFC 3579 3.2). */
function messageAuthenticatorValid(packet: Buffer, secret: string): boolean {
  if (packet[20] !== 80 || packet[21] !== 18) return false;
  const zeroed = Buffer.from(packet);
  zeroed.fill(0, 22, 38);
  return createHmac('md5', secret).update(zeroed).digest().equals(packet.subarray(22, 38));
}

/** The Access-Request the program sends for these options, caught by a silent server and decoded by npm `radius`. */
async function sentRequest(opts: string[], env: Record<string, string> = {}, user = 'anyuser', password = 'anypass') {
  const silent = await silentServer();
  try {
    await login(user, password, config(`127.0.0.1:${silent.port} "the-secret" 0.2 1`), opts, { env: { PATH: '/usr/bin:/bin', ...env } });
    const packet = silent.received[0]!;
    return { packet, decoded: radius_.decode({ packet, secret: 'the-secret' }) };
  } finally {
    silent.close();
  }
}

beforeAll(async () => {
  radius = await startFreeRadius();
  dir = scratchDir('radius');
});
afterAll(async () => {
  await radius?.stop();
});

describe('checkpassword-radius: the Access-Request as sent', () => {
  it('Message-Authenticator is the first attribute and is valid for the secret', async () => {
    const { packet } = await sentRequest([]);
    expect(packet[0]).toBe(1);
    expect(messageAuthenticatorValid(packet, 'the-secret')).toBe(true);
  });

  it('User-Name and User-Password decode (with the secret) to the login and the password', async () => {
    const { decoded } = await sentRequest([], {}, 'someone', 'pässwörd€');
    expect(decoded.attributes['User-Name']).toBe('someone');
    expect(decoded.attributes['User-Password']).toBe('pässwörd€');
  });

  it('Service-Type is Login-User by default, and as --service-type says', async () => {
    expect((await sentRequest([])).decoded.attributes['Service-Type']).toBe('Login-User');
    expect((await sentRequest(['--service-type', 'authenticate-only'])).decoded.attributes['Service-Type']).toBe('Authenticate-Only');
    expect((await sentRequest(['--service-type', 'none'])).decoded.attributes['Service-Type']).toBeUndefined();
  });

  it('NAS-Identifier is the host name by default, and as --nas-identifier says', async () => {
    expect((await sentRequest([])).decoded.attributes['NAS-Identifier']).toBe(hostname());
    expect((await sentRequest(['--nas-identifier', 'mx1.example'])).decoded.attributes['NAS-Identifier']).toBe('mx1.example');
  });

  it("NAS-IP-Address is the socket's local address, NAS-Port-Type is Virtual", async () => {
    const { decoded } = await sentRequest([]);
    expect(decoded.attributes['NAS-IP-Address']).toBe('127.0.0.1');
    expect(decoded.attributes['NAS-Port-Type']).toBe('Virtual');
  });

  it('over IPv6, NAS-IPv6-Address (::1) is sent instead of NAS-IP-Address', async () => {
    const silent = await silentServer('::1');
    try {
      await login('anyuser', 'anypass', config(`[::1]:${silent.port} "the-secret" 0.2 1`));
      const decoded = radius_.decode({ packet: silent.received[0]!, secret: 'the-secret' });
      expect(decoded.attributes['NAS-IP-Address']).toBeUndefined();
      expect(decoded.attributes['NAS-IPv6-Address']).toEqual(Buffer.from('00000000000000000000000000000001', 'hex'));
    } finally {
      silent.close();
    }
  });

  it('Calling-Station-Id is TCPREMOTEIP when set, absent otherwise', async () => {
    expect((await sentRequest([], { TCPREMOTEIP: '192.0.2.7' })).decoded.attributes['Calling-Station-Id']).toBe('192.0.2.7');
    expect((await sentRequest([])).decoded.attributes['Calling-Station-Id']).toBeUndefined();
  });

  it('each run sends a fresh Request Authenticator', async () => {
    const a = await sentRequest([]);
    const b = await sentRequest([]);
    expect(a.packet.subarray(4, 20).equals(b.packet.subarray(4, 20))).toBe(false);
  });
});

describe('checkpassword-radius against FreeRADIUS: answers', () => {
  it('an Access-Accept runs prog with USER set to the login, exit 0 from prog', async () => {
    const r = await login('anyuser', 'anypass', config(live()));
    expect(r.stderr).toMatch(/accept reason=ok login="anyuser" method=radius /);
    expect(r.status).toBe(0);
    expect(r.env.get('USER')).toBe('anyuser');
  });

  it("prog's own exit status is the program's", async () => {
    const r = await login('anyuser', 'anypass', config(live()), [], { env: { PATH: '/usr/bin:/bin', RECORD_EXIT: '7' } });
    expect(r.status).toBe(7);
  });

  it('an Access-Reject exits 1 and prog does not run', async () => {
    const r = await login('anyuser', 'wrong', config(live()));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/reject reason=radius-reject login="anyuser"/);
  });

  it('a user the server does not know exits 1', async () => {
    const r = await login('nosuchuser', 'anything', config(live()));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/reason=radius-reject/);
  });

  it("a reject's Reply-Message is logged, and reply attributes on a reject never make it an accept", async () => {
    const r = await login('rejectme', 'anything', config(live()));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Reply-Message 'go away'");
  });

  it('an Access-Challenge exits 1 (RFC 2865 4.4: treated as a reject)', async () => {
    const r = await login('challengeme', 'challpass', config(live()));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/reject reason=radius-challenge/);
  });
});

describe('checkpassword-radius against FreeRADIUS: Service-Type', () => {
  it('a Login-User-only user is accepted with the default Service-Type (Login-User)', async () => {
    expect((await login('loginonly', 'loginpass', config(live()))).status).toBe(0);
  });

  it('a Login-User-only user is rejected with --service-type Framed-User', async () => {
    expect((await login('loginonly', 'loginpass', config(live()), ['--service-type', 'Framed-User'])).status).toBe(1);
  });

  it('a Framed-User-only user is rejected with the default Service-Type', async () => {
    expect((await login('framedonly', 'framedpass', config(live()))).status).toBe(1);
  });

  it('a Framed-User-only user is accepted with --service-type Framed-User', async () => {
    expect((await login('framedonly', 'framedpass', config(live()), ['--service-type', 'Framed-User'])).status).toBe(0);
  });

  it('the Service-Type may be given by number, and by RADIUS_SERVICE_TYPE', async () => {
    expect((await login('framedonly', 'framedpass', config(live()), ['--service-type', '2'])).status).toBe(0);
    const env = { PATH: '/usr/bin:/bin', RADIUS_SERVICE_TYPE: 'Framed-User' };
    expect((await login('framedonly', 'framedpass', config(live()), [], { env })).status).toBe(0);
  });

  it('--service-type none sends no Service-Type: an entry that checks Service-Type does not match', async () => {
    expect((await login('loginonly', 'loginpass', config(live()), ['--service-type', 'none'])).status).toBe(1);
    expect((await login('anyuser', 'anypass', config(live()), ['--service-type', 'none'])).status).toBe(0);
  });

  it('an unknown Service-Type name is misuse, exit 2', async () => {
    expect((await login('anyuser', 'anypass', config(live()), ['--service-type', 'Login-Usr'])).status).toBe(2);
  });
});

describe('checkpassword-radius against FreeRADIUS: passwords and logins', () => {
  it('an empty password is sent (as 16 NULs) and answered: Access-Reject, exit 1, not a timeout', async () => {
    const r = await login('anyuser', '', config(live()));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/reason=radius-reject/);
  });

  it('a 16-byte password (one block) is accepted', async () => {
    expect((await login('len16', '0123456789abcdef', config(live()))).status).toBe(0);
  });

  it('a 17-byte password (two blocks) is accepted', async () => {
    expect((await login('len17', '0123456789abcdefX', config(live()))).status).toBe(0);
  });

  it('a 128-byte password (the most RADIUS carries) is accepted', async () => {
    expect((await login('len128', 'p'.repeat(128), config(live()))).status).toBe(0);
  });

  it('a 129-byte password is refused with exit 1 and a log line, and nothing is sent', async () => {
    const silent = await silentServer();
    try {
      const r = await login('len128', 'p'.repeat(129), config(`127.0.0.1:${silent.port} secret 1 1`));
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/reject reason=password-too-long/);
      expect(silent.received).toHaveLength(0);
    } finally {
      silent.close();
    }
  });

  it('a UTF-8 password is sent as its bytes and accepted', async () => {
    expect((await login('utf8user', 'pässwörd€', config(live()))).status).toBe(0);
  });

  it('a UTF-8 login with a domain is sent as is and becomes USER', async () => {
    const r = await login('unicodé@exämple.org', 'ünïcode', config(live()));
    expect(r.status).toBe(0);
    expect(Buffer.from(r.env.get('USER')!, 'latin1').toString('utf8')).toBe('unicodé@exämple.org');
  });

  it('a login that is not UTF-8 is refused before anything is sent', async () => {
    const silent = await silentServer();
    try {
      const r = await login(Buffer.from([0x61, 0xff, 0x62]), 'x', config(`127.0.0.1:${silent.port} secret 1 1`));
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/reason=bad-login/);
      expect(silent.received).toHaveLength(0);
    } finally {
      silent.close();
    }
  });
});

describe('checkpassword-radius against FreeRADIUS: servers', () => {
  it('a wrong shared secret gets no answer (the server drops it): exit 111, never 1', async () => {
    const r = await login('anyuser', 'anypass', config(`127.0.0.1:${radius.port} not-the-secret 0.3 2`));
    expect(r.status).toBe(111);
    expect(r.stderr).toMatch(/tempfail reason=radius-no-answer/);
  });

  it('a dead first server (a socket that never answers) fails over to the live one after its tries', async () => {
    const dead = await silentServer();
    try {
      const r = await login('anyuser', 'anypass', config(`127.0.0.1:${dead.port} "${radius.secret}" 0.3 2`, live()));
      expect(r.status).toBe(0);
      expect(dead.received).toHaveLength(2);
      // A retry resends the very same bytes.
      expect(dead.received[1]!.equals(dead.received[0]!)).toBe(true);
      expect(r.stderr).toMatch(new RegExp(`no answer from 127\\.0\\.0\\.1:${dead.port} after 2 tries`));
      expect(r.ms).toBeGreaterThanOrEqual(600);
    } finally {
      dead.close();
    }
  });

  it('the next server gets a new packet: new Identifier or Request Authenticator, its own secret', async () => {
    const a = await silentServer();
    const b = await silentServer();
    try {
      const r = await login('anyuser', 'anypass', config(`127.0.0.1:${a.port} secret-a 0.2 1`, `127.0.0.1:${b.port} secret-b 0.2 1`));
      expect(r.status).toBe(111);
      expect(a.received).toHaveLength(1);
      expect(b.received).toHaveLength(1);
      expect(a.received[0]!.subarray(4, 20).equals(b.received[0]!.subarray(4, 20))).toBe(false);
      expect(messageAuthenticatorValid(a.received[0]!, 'secret-a')).toBe(true);
      expect(messageAuthenticatorValid(b.received[0]!, 'secret-b')).toBe(true);
    } finally {
      a.close();
      b.close();
    }
  });

  it('a verified Access-Reject is final: the next server is not asked', async () => {
    const after = await silentServer();
    try {
      const r = await login('anyuser', 'wrong', config(live(), `127.0.0.1:${after.port} secret 1 1`));
      expect(r.status).toBe(1);
      expect(after.received).toHaveLength(0);
    } finally {
      after.close();
    }
  });

  it('all servers dead: exit 111 within the --deadline, however long their timeouts', async () => {
    const a = await silentServer();
    const b = await silentServer();
    try {
      const r = await login('anyuser', 'anypass', config(`127.0.0.1:${a.port} s 30 3`, `127.0.0.1:${b.port} s 30 3`), ['--deadline', '1']);
      expect(r.status).toBe(111);
      expect(r.stderr).toMatch(/reason=radius-no-answer .*deadline/);
      expect(r.ms).toBeGreaterThanOrEqual(1000);
      expect(r.ms).toBeLessThan(4000);
    } finally {
      a.close();
      b.close();
    }
  });

  it('a closed port (port unreachable) moves on to the next server at once', async () => {
    const dead = await silentServer();
    const port = dead.port;
    dead.close();
    const r = await login('anyuser', 'anypass', config(`127.0.0.1:${port} "${radius.secret}" 5 3`, live()));
    expect(r.status).toBe(0);
    expect(r.ms).toBeLessThan(4000);
    expect(r.stderr).toMatch(/port unreachable/);
  });

  it('an IPv6 server on [::1]:port is asked over IPv6', async () => {
    const r = await login('anyuser', 'anypass', config(`auth [::1]:${radius.port} "${radius.secret}" 2 2`));
    expect(r.status).toBe(0);
  });

  it('a host name is resolved once and its address asked', async () => {
    const r = await login('anyuser', 'anypass', config(`auth localhost:${radius.port} "${radius.secret}" 2 1`, `auth 127.0.0.1:${radius.port} "${radius.secret}" 2 1`));
    expect(r.status).toBe(0);
  });

  it('--bind sends from the given local address', async () => {
    expect((await login('anyuser', 'anypass', config(live()), ['--bind', '127.0.0.1'])).status).toBe(0);
  });

  it('a --bind address that is not ours: that server is skipped, exit 111', async () => {
    const r = await login('anyuser', 'anypass', config(`127.0.0.1:${radius.port} "${radius.secret}" 0.3 1`), ['--bind', '192.0.2.1']);
    expect(r.status).toBe(111);
  });
});

describe('checkpassword-radius against FreeRADIUS: Message-Authenticator', () => {
  it('the accept line says method=radius when the Accept carried Message-Authenticator', async () => {
    expect((await login('anyuser', 'anypass', config(live()))).stderr).toMatch(/method=radius /);
  });

  it('a legacy server (no Message-Authenticator in replies) is accepted by default, logged as radius-legacy', async () => {
    const r = await login('anyuser', 'anypass', config(legacy()));
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/method=radius-legacy/);
  });

  it('--require-message-authenticator ignores the legacy answer: exit 111, never 0 or 1', async () => {
    const r = await login('anyuser', 'anypass', config(legacy()), ['--require-message-authenticator']);
    expect(r.status).toBe(111);
    expect(r.stderr).toContain('no Message-Authenticator (required)');
  });

  it('--require-message-authenticator ignores a legacy Reject too: exit 111', async () => {
    expect((await login('anyuser', 'wrong', config(legacy()), ['--require-message-authenticator'])).status).toBe(111);
  });

  it('the require-message-authenticator keyword on a config line acts for that server only', async () => {
    const r = await login('anyuser', 'anypass', config(legacy('require-message-authenticator'), live()));
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/method=radius /);
    expect(r.stderr).toContain('no Message-Authenticator (required)');
  });

  it('--require-message-authenticator accepts a server whose answers carry it', async () => {
    expect((await login('anyuser', 'anypass', config(live()), ['--require-message-authenticator'])).status).toBe(0);
  });
});

describe('checkpassword-radius: configuration', () => {
  it('a missing config file exits 111 with a log line naming it', async () => {
    const r = await login('anyuser', 'anypass', join(dir, 'nope.conf'));
    expect(r.status).toBe(111);
    expect(r.stderr).toMatch(/tempfail reason=config-unreadable .*nope\.conf: ENOENT/);
  });

  it('a malformed line exits 111 with file and line in the log, and no secret text', async () => {
    const conf = config('# servers', `127.0.0.1:${radius.port} Sentinel secret with spaces`);
    const r = await login('anyuser', 'anypass', conf);
    expect(r.status).toBe(111);
    expect(r.stderr).toContain(`${conf}:2:`);
    expect(r.stderr).not.toMatch(/Sentinel|with|spaces/);
  });

  it('a config readable by others still works, with a warning in the log line', async () => {
    const conf = config(live());
    chmodSync(conf, 0o644);
    const r = await login('anyuser', 'anypass', conf);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning=".*readable by group or others/);
  });

  it('a --deadline over an hour is misuse, exit 2', async () => {
    expect((await login('anyuser', 'anypass', config(live()), ['--deadline', '3601'])).status).toBe(2);
  });

  it('RADIUS_CONF names the config when --config is not given', async () => {
    const r = await runProgramAsync(PROG, {
      args: ['--log', 'stderr', '--min-uid', '0', RECORD_PROG],
      input: request('anyuser', 'anypass'),
      env: { PATH: '/usr/bin:/bin', RADIUS_CONF: config(live()) },
    });
    expect(r.status).toBe(0);
  });

  it('a pam_radius_auth.conf file is read in its own format', async () => {
    const file = join(dir, 'pam_radius_auth.conf');
    writeFileSync(file, `# server[:port] secret [timeout]\n127.0.0.1:${radius.port} ${radius.secret} 3\n`, { mode: 0o600 });
    expect((await login('anyuser', 'anypass', file)).status).toBe(0);
  });

  it('the original radcheckpassword setup works unchanged: old-form radius.conf, radcheckpassword /bin/true, run as qmaild', async () => {
    const conf = config(`127.0.0.1:${radius.port}\t${radius.secret}`);
    // qmail-smtpd runs as qmaild, who must be able to read the file.
    if (IS_ROOT) chownSync(conf, QMAILD, QMAILD);
    const r = await runProgramAsync(bin('radcheckpassword'), {
      args: ['/bin/true'],
      input: request('loginonly', 'loginpass'),
      env: { PATH: '/usr/bin:/bin', RADIUS_CONF: conf, CHECKPASSWORD_LOG: 'stderr' },
      ...(IS_ROOT ? { uid: QMAILD, gid: QMAILD } : {}),
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^radcheckpassword\[\d+\]: accept/);
  });

  it('no prog after the options is misuse, exit 2', async () => {
    const r = await runProgramAsync(PROG, { args: ['--config', config(live())], input: request('anyuser', 'anypass') });
    expect(r.status).toBe(2);
  });
});

describe('checkpassword-radius with the node:dgram fallback (CHECKPASSWORD_NATIVE=off)', () => {
  const env = { PATH: '/usr/bin:/bin', CHECKPASSWORD_NATIVE: 'off' };

  it('an Access-Accept runs prog, an Access-Reject exits 1', async () => {
    const ok = await login('anyuser', 'anypass', config(live()), [], { env });
    expect(ok.status).toBe(0);
    expect(ok.env.get('USER')).toBe('anyuser');
    expect((await login('anyuser', 'wrong', config(live()), [], { env })).status).toBe(1);
  });

  it('fails over from a dead server, resending the same bytes', async () => {
    const dead = await silentServer();
    try {
      const r = await login('anyuser', 'anypass', config(`127.0.0.1:${dead.port} "${radius.secret}" 0.3 2`, live()), [], { env });
      expect(r.status).toBe(0);
      expect(dead.received).toHaveLength(2);
      expect(dead.received[1]!.equals(dead.received[0]!)).toBe(true);
    } finally {
      dead.close();
    }
  });

  it('a closed port moves on at once', async () => {
    const dead = await silentServer();
    const port = dead.port;
    dead.close();
    const r = await login('anyuser', 'anypass', config(`127.0.0.1:${port} "${radius.secret}" 5 3`, live()), [], { env });
    expect(r.status).toBe(0);
    expect(r.ms).toBeLessThan(4000);
  });

  it('IPv6, and --require-message-authenticator against the legacy port (111)', async () => {
    expect((await login('anyuser', 'anypass', config(`[::1]:${radius.port} "${radius.secret}" 2 1`), [], { env })).status).toBe(0);
    expect((await login('anyuser', 'anypass', config(legacy()), ['--require-message-authenticator'], { env })).status).toBe(111);
  });

  it('all servers dead: exit 111 within the --deadline', async () => {
    const a = await silentServer();
    try {
      const r = await login('anyuser', 'anypass', config(`127.0.0.1:${a.port} s 30 3`), ['--deadline', '0.5'], { env });
      expect(r.status).toBe(111);
      expect(r.ms).toBeLessThan(3000);
    } finally {
      a.close();
    }
  });
});

describe('checkpassword-radius: the bundle', () => {
  it('runs alone from another directory (no node_modules, no dictionary files) and writes nothing when not logging', async () => {
    const alone = scratchDir('bundle-alone');
    copyFileSync(join(ROOT, 'dist/checkpassword-radius.cjs'), join(alone, 'checkpassword-radius.cjs'));
    copyFileSync(join(ROOT, 'dist/checkpassword.node'), join(alone, 'checkpassword.node'));
    chmodSync(join(alone, 'checkpassword-radius.cjs'), 0o755);
    const conf = config(live());
    const run = (password: string) =>
      runProgramAsync(join(alone, 'checkpassword-radius.cjs'), { args: ['--config', conf, '--min-uid', '0', '/bin/true'], input: request('anyuser', password) });
    const ok = await run('anypass');
    expect(ok.status).toBe(0);
    expect(ok.stdout + ok.stderr).toBe('');
    const bad = await run('wrong');
    expect(bad.status).toBe(1);
    expect(bad.stdout + bad.stderr).toBe('');
  });
});

describe('checkpassword-radius: who prog runs as', () => {
  it('without --uid or --passwd prog runs as the caller, in its directory, with only USER set', async () => {
    const r = await login('anyuser', 'anypass', config(live()), [], { env: { PATH: '/usr/bin:/bin', HOME: '/caller-home' } });
    expect(r.status).toBe(0);
    expect(r.facts.get('uid')).toBe(String(process.getuid!()));
    expect(r.env.get('HOME')).toBe('/caller-home');
    expect(r.env.has('SHELL')).toBe(false);
  });

  it.runIf(IS_ROOT)('--uid --gid --home: prog runs as that uid and gid, in the home with %u filled in', async () => {
    const home = makeHome(dir, 'anyuser', UID, GID);
    const r = await login('anyuser', 'anypass', config(live()), ['--uid', String(UID), '--gid', String(GID), '--home', join(dir, '%u')]);
    expect(r.status).toBe(0);
    expect(r.facts.get('uid')).toBe(String(UID));
    expect(r.facts.get('gid')).toBe(String(GID));
    expect(r.facts.get('cwd')).toBe(home);
    expect(r.env.get('HOME')).toBe(home);
  });

  it.runIf(IS_ROOT)('run by root without --uid or --passwd, the default --min-uid 1 refuses: prog would run as root', async () => {
    const r = await login('anyuser', 'anypass', config(live()), ['--min-uid', '1']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/reject reason=uid-below-minimum/);
  });

  it('--initgroups without --passwd is misuse, exit 2', async () => {
    expect((await login('anyuser', 'anypass', config(live()), ['--uid', '5', '--gid', '5', '--home', '/', '--initgroups'])).status).toBe(2);
  });

  it('--uid without --gid and --home is misuse, exit 2', async () => {
    expect((await login('anyuser', 'anypass', config(live()), ['--uid', String(UID)])).status).toBe(2);
  });

  it('--uid 0 is refused by the default --min-uid 1, after the server said yes', async () => {
    const r = await runProgramAsync(PROG, {
      args: ['--config', config(live()), '--log', 'stderr', '--uid', '0', '--gid', '0', '--home', '/', RECORD_PROG],
      input: request('anyuser', 'anypass'),
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/reason=uid-below-minimum/);
  });

  it.runIf(IS_ROOT)('--passwd: prog runs as the login\'s entry in the file', async () => {
    const home = makeHome(dir, 'home-loginonly', UID, GID);
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, `loginonly:x:${UID}:${GID}:L:${home}:/bin/sh\n`);
    const r = await login('loginonly', 'loginpass', config(live()), ['--passwd', passwd]);
    expect(r.status).toBe(0);
    expect(r.facts.get('uid')).toBe(String(UID));
    expect(r.env.get('HOME')).toBe(home);
    expect(r.env.get('SHELL')).toBe('/bin/sh');
  });

  it('--passwd: a login the server accepts but the file lacks exits 1 (no-local-account)', async () => {
    const passwd = join(dir, 'passwd-empty');
    writeFileSync(passwd, 'someone:x:45999:45999::/:/bin/sh\n');
    const r = await login('anyuser', 'anypass', config(live()), ['--passwd', passwd]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/reason=no-local-account/);
  });
});
