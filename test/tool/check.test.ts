// checkpassword-tool check: the built tool on real files (hashes by mkpasswd), real accounts of
// this machine (nobody; freerad, which Debian's freeradius puts in group shadow), a real
// FreeRADIUS on loopback and a silent UDP port.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFreeRadius, type FreeRadius } from '../support/freeradius';
import { IS_ROOT, ROOT, bin, scratchDir } from '../support/run';
import { silentServer } from '../support/udp';
import { buildVpopmailTree, mkpasswd } from '../support/vpopmail-tree';
import { runTool } from './radius-check-run';

const SHADOW_GID = 42;
let dir: string;
let passwd: string;
let shadow: string;
let radius: FreeRadius;

beforeAll(async () => {
  radius = await startFreeRadius();
  dir = scratchDir('tool-check');
  const hash = execFileSync('mkpasswd', ['-m', 'sha-512', 'secret-pw'], { encoding: 'utf8' }).trim();
  passwd = join(dir, 'passwd');
  writeFileSync(passwd, 'alice:x:45601:45601:Alice:/home/alice:/bin/sh\n', { mode: 0o644 });
  shadow = join(dir, 'shadow');
  writeFileSync(shadow, `alice:${hash}:19000:0:99999:7:::\n`, { mode: 0o640 });
  chmodSync(shadow, 0o640);
  if (IS_ROOT) chownSync(shadow, 0, SHADOW_GID);
});
afterAll(async () => {
  await radius?.stop();
});

const problems = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('problem: '));

describe('check checkpassword-passwd', () => {
  it('a good setup is all ok: exit 0, with the program, its interpreter, the native helper and both files checked', async () => {
    const r = await runTool(['check', bin('checkpassword-passwd'), '--passwd', passwd, '--shadow', shadow]);
    expect(problems(r.stdout)).toEqual([]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`ok: passwd file ${passwd} is readable by root`);
    expect(r.stdout).toContain(`ok: shadow file ${shadow} is readable by root`);
    expect(r.stdout).toMatch(/^ok: #!\/usr\/bin\/env node finds \/(usr\/)?bin\/node without PATH$/m);
    expect(r.stdout).toMatch(/^ok: native helper .*checkpassword\.node loads as root$/m);
    expect(r.stdout).toMatch(/^ok: .* starts as root with an empty environment/m);
  });

  it.skipIf(!IS_ROOT)('a shadow file the --as account cannot read is a problem naming the account, mode, group and fix: exit 1', async () => {
    const r = await runTool(['check', bin('checkpassword-passwd'), '--as', 'nobody', '--passwd', passwd, '--shadow', shadow]);
    expect(r.status).toBe(1);
    expect(problems(r.stdout)).toEqual([`problem: shadow file ${shadow} is not readable by nobody (mode 0640 root:shadow; EACCES): add nobody to group shadow or run the auth process as root`]);
    expect(r.stdout).toContain(`ok: passwd file ${passwd} is readable by nobody`);
  });

  it.skipIf(!IS_ROOT)('--as NAME tests with the groups of the group database: freerad, in group shadow, can read it', async () => {
    // The precondition, from the machine's own group file (Debian's freeradius package adds it).
    expect(readFileSync('/etc/group', 'utf8')).toMatch(/^shadow:[^:]*:42:(.*,)?freerad(,|$)/m);
    const r = await runTool(['check', bin('checkpassword-passwd'), '--as', 'freerad', '--passwd', passwd, '--shadow', shadow]);
    expect(problems(r.stdout)).toEqual([]);
    expect(r.status).toBe(0);
  });

  it.skipIf(!IS_ROOT)('--as UID:GID tests with that group alone (as tcpserver -u -g): freerad\'s uid without group shadow cannot read it', async () => {
    const freerad = readFileSync('/etc/passwd', 'utf8').match(/^freerad:[^:]*:(\d+):(\d+):/m)!;
    const r = await runTool(['check', bin('checkpassword-passwd'), '--as', `${freerad[1]}:${freerad[2]}`, '--passwd', passwd, '--shadow', shadow]);
    expect(r.status).toBe(1);
    expect(problems(r.stdout)).toEqual([expect.stringContaining(`problem: shadow file ${shadow} is not readable by uid ${freerad[1]} gid ${freerad[2]}`)]);
  });

  it('a missing passwd file is a problem: exit 1', async () => {
    const r = await runTool(['check', bin('checkpassword-passwd'), '--passwd', join(dir, 'nope'), '--shadow', 'none']);
    expect(r.status).toBe(1);
    expect(problems(r.stdout)).toEqual([`problem: passwd file ${join(dir, 'nope')} does not exist: create it, or give the right path in the program's options`]);
  });

  it("an option the program would refuse is refused here too: exit 2", async () => {
    const r = await runTool(['check', bin('checkpassword-passwd'), '--no-such-option', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option --no-such-option');
  });

  it('a program that is not one of the suite is a usage error: exit 2', async () => {
    const r = await runTool(['check', '/bin/true']);
    expect(r.status).toBe(2);
  });
});

describe("check parses a program's options with the program's own table", () => {
  /** The options a login program lists in its usage text (it prints it on stderr for --help, exit 2). */
  function usageOptions(program: string): { name: string; value: boolean }[] {
    const r = spawnSync(bin(program), ['--help'], { encoding: 'utf8', env: {}, stdio: ['ignore', 'pipe', 'pipe', 'ignore'] });
    expect(r.status, r.stderr).toBe(2);
    return [...r.stderr.matchAll(/^ {2}--([a-z-]+)( VALUE)?/gm)].map((m) => ({ name: m[1]!, value: m[2] !== undefined }));
  }

  for (const program of ['checkpassword-passwd', 'checkpassword-vpopmail', 'checkpassword-radius']) {
    it(`every option ${program}'s usage lists is taken by check (no unknown option, no exit 2)`, async () => {
      const options = usageOptions(program);
      expect(options.length).toBeGreaterThan(4);
      // Every value names a missing file, so check has a problem to report (exit 1) and asks no server.
      const missing = join(dir, 'missing');
      const args = options.flatMap((o) => (o.value ? [`--${o.name}`, missing] : [`--${o.name}`]));
      const r = await runTool(['check', bin(program), ...args]);
      expect(r.stderr).not.toContain('unknown option');
      expect(r.status, r.stdout + r.stderr).toBe(1);
    });
  }
});

describe('check: the program and its interpreter', () => {
  /** A copy of the passwd program's bundle with another first line, the native helper beside it. */
  function withFirstLine(line: string, name: string): string {
    const sub = scratchDir(name);
    const program = join(sub, 'checkpassword-passwd');
    const bundle = readFileSync(join(ROOT, 'dist/checkpassword-passwd.cjs'), 'latin1');
    writeFileSync(program, line + bundle.slice(bundle.indexOf('\n')), { mode: 0o755 });
    chmodSync(program, 0o755);
    copyFileSync(join(ROOT, 'dist/checkpassword.node'), join(sub, 'checkpassword.node'));
    return program;
  }

  it('a #! line naming a missing interpreter is a problem: exit 1', async () => {
    const program = withFirstLine('#!/nonexistent/bin/node', 'missing-interp');
    const r = await runTool(['check', program, '--passwd', passwd, '--shadow', shadow]);
    expect(r.status).toBe(1);
    expect(problems(r.stdout)).toEqual([
      `problem: interpreter /nonexistent/bin/node named by the #! line of ${program} is missing: install node there, or change the first line to #!/usr/bin/env node`,
    ]);
  });

  it('#!/usr/bin/env NAME finds NAME only in /bin and /usr/bin when PATH is unset: a name that is not there is a problem', async () => {
    const program = withFirstLine('#!/usr/bin/env node-not-installed-here', 'env-interp');
    const r = await runTool(['check', program, '--passwd', passwd, '--shadow', shadow]);
    expect(r.status).toBe(1);
    expect(problems(r.stdout)).toEqual([expect.stringMatching(/^problem: .* starts with #!\/usr\/bin\/env node-not-installed-here; with PATH unset .* only in \/bin and \/usr\/bin/)]);
  });

  it('a program without the native helper beside it is a problem: exit 1', async () => {
    const sub = scratchDir('no-native');
    const program = join(sub, 'checkpassword-passwd');
    copyFileSync(join(ROOT, 'dist/checkpassword-passwd.cjs'), program);
    chmodSync(program, 0o755);
    const r = await runTool(['check', program, '--passwd', passwd, '--shadow', shadow]);
    expect(r.status).toBe(1);
    expect(problems(r.stdout)).toEqual([expect.stringContaining(`problem: native helper ${join(sub, 'checkpassword.node')} is missing`)]);
  });
});

describe('check checkpassword-radius', () => {
  let count = 0;
  function config(...lines: string[]): string {
    const file = join(dir, `radius-${count++}.conf`);
    writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
    return file;
  }
  const live = () => `auth 127.0.0.1:${radius.port} "${radius.secret}" 1 1`;

  it('a config whose servers answer Status-Server is all ok: exit 0', async () => {
    const conf = config(live());
    const r = await runTool(['check', bin('radcheckpassword'), '--config', conf]);
    expect(problems(r.stdout)).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`ok: ${conf} parsed: 1 server line (radius.conf format)`);
    expect(r.stdout).toMatch(new RegExp(`^ok: server 127\\.0\\.0\\.1:${radius.port}: Access-Accept in \\d+ ms, Message-Authenticator verified \\(Status-Server\\)$`, 'm'));
  });

  it('--allow-all-users with --uid, --gid and --home is taken, as the program takes it: exit 0', async () => {
    const conf = config(live());
    const r = await runTool(['check', bin('checkpassword-radius'), '--config', conf, '--uid', '1', '--gid', '1', '--home', '/x', '--allow-all-users']);
    expect(r.stderr).toBe('');
    expect(problems(r.stdout)).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('a syntax error is a problem with file:line: exit 1', async () => {
    const conf = config(live(), 'auth 127.0.0.1 "unterminated');
    const r = await runTool(['check', bin('checkpassword-radius'), '--config', conf]);
    expect(r.status).toBe(1);
    expect(problems(r.stdout)).toEqual([expect.stringMatching(new RegExp(`^problem: ${conf}:2: unterminated quoted string: fix this line`))]);
  });

  it('a dead server is a problem, the live one ok: exit 1', async () => {
    const silent = await silentServer();
    try {
      const conf = config(live(), `auth 127.0.0.1:${silent.port} "the-secret" 0.3 1`);
      const r = await runTool(['check', bin('checkpassword-radius'), '--config', conf]);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`^ok: server 127\\.0\\.0\\.1:${radius.port}: `, 'm'));
      expect(problems(r.stdout)).toEqual([expect.stringContaining(`problem: server 127.0.0.1:${silent.port} does not answer a Status-Server`)]);
      expect(silent.received).toHaveLength(1);
    } finally {
      silent.close();
    }
  });

  it('a config readable by others is a problem (it holds secrets): exit 1', async () => {
    const conf = config(live());
    chmodSync(conf, 0o644);
    const r = await runTool(['check', bin('checkpassword-radius'), '--config', conf]);
    expect(r.status).toBe(1);
    expect(problems(r.stdout)).toEqual([expect.stringContaining(`${conf} holds shared secrets and is readable by group or others (mode 644): chmod 600`)]);
  });

  it.skipIf(!IS_ROOT)('a config only root can read is a problem for the account that runs the program, with chown as the fix', async () => {
    const conf = config(live());
    const r = await runTool(['check', bin('checkpassword-radius'), '--as', 'nobody', '--config', conf]);
    expect(r.status).toBe(1);
    expect(problems(r.stdout)).toEqual([`problem: config file ${conf} is not readable by nobody (mode 0600 root:root; EACCES): chown nobody ${conf} (and keep it mode 0600: it holds shared secrets)`]);
  });
});

describe('check checkpassword-vpopmail', () => {
  function tree() {
    const root = scratchDir('vpop');
    const { home, qmail } = buildVpopmailTree(
      root,
      [{ name: 'example.org', uid: 45621, gid: 45622, path: 'example.org', users: [{ name: 'bob', passwd: mkpasswd('sha-512', 'bobpw') }] }],
      'example.org',
    );
    return { home, qmail, domainDir: join(home, 'domains', 'example.org') };
  }

  it('a good tree (users/cdb, users/assign, vpasswd.cdb) is all ok: exit 0', async () => {
    const { home, qmail, domainDir } = tree();
    const r = await runTool(['check', bin('checkpassword-vpopmail'), '--vpopmail-home', home, '--qmail-dir', qmail]);
    expect(problems(r.stdout)).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`ok: domain example.org's user file ${domainDir}/vpasswd.cdb is readable by root`);
    expect(r.stdout).toContain(`ok: qmail's users/cdb ${qmail}/users/cdb is readable by root`);
  });

  it("without --vpopmail-home, the home is the vpopmail account's in --passwd, as the program finds it", async () => {
    const { home, qmail } = tree();
    const withAccount = join(dir, 'passwd-vpopmail');
    writeFileSync(withAccount, `vpopmail:x:45620:45622::${home}:/bin/false\n`);
    const r = await runTool(['check', bin('checkpassword-vpopmail'), '--passwd', withAccount, '--qmail-dir', qmail]);
    expect(r.stdout).toContain(`ok: vpopmail home ${home} (the vpopmail account in ${withAccount})`);
    expect(problems(r.stdout)).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('a passwd file without a vpopmail account gives the default home, /home/vpopmail, and says so', async () => {
    const { qmail } = tree();
    const r = await runTool(['check', bin('checkpassword-vpopmail'), '--passwd', passwd, '--qmail-dir', qmail]);
    expect(r.stdout).toContain(`ok: vpopmail home /home/vpopmail (no vpopmail account in ${passwd}: the default)`);
  });

  it('a vpasswd newer than its vpasswd.cdb is a problem: run vmkpasswd (exit 1)', async () => {
    const { home, qmail, domainDir } = tree();
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(domainDir, 'vpasswd'), later, later);
    const r = await runTool(['check', bin('checkpassword-vpopmail'), '--vpopmail-home', home, '--qmail-dir', qmail]);
    expect(r.status).toBe(1);
    expect(problems(r.stdout)).toEqual([`problem: ${domainDir}/vpasswd is newer than vpasswd.cdb: the program reads the cdb; run vmkpasswd example.org`]);
  });

  it('a qmail directory without users/cdb or users/assign is a problem (exit 1)', async () => {
    const { home } = tree();
    const empty = scratchDir('no-qmail');
    const r = await runTool(['check', bin('checkpassword-vpopmail'), '--vpopmail-home', home, '--qmail-dir', empty]);
    expect(r.status).toBe(1);
    expect(problems(r.stdout)).toEqual([expect.stringContaining(`problem: neither ${empty}/users/cdb nor ${empty}/users/assign exists`)]);
  });
});
