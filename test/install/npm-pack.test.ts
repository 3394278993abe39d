// `npm pack`, then `npm install --global` of the tarball with no registry: the package needs no
// dependency at run time, and its installed programs, links and man pages work.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runProgram, scratchDir } from '../support/run';
import { expectLoggedIn, login, makeStore, parentOfProg, toolEnv, type Store } from './install-support';

const MODULE = 'lib/node_modules/checkpassword-suite';

let scratch: string;
let tarball: string;
let prefix: string;
let installStatus: ReturnType<typeof spawnSync>;
let store: Store;
/** PATH for the npm-installed programs, whose #! line is `/usr/bin/env node`: the test's own node first. */
const NODE_PATH = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin` };

beforeAll(() => {
  scratch = scratchDir('npm-pack');
  store = makeStore('npm-store');
  // prepack runs `make build` (nothing to do after `make test`'s build), with its output on stdout.
  const pack = spawnSync('npm', ['pack', '--pack-destination', scratch], { cwd: ROOT, env: toolEnv(), encoding: 'utf8', timeout: 180_000 });
  expect(pack.status, pack.stderr).toBe(0);
  const tarballs = readdirSync(scratch).filter((f) => f.endsWith('.tgz'));
  expect(tarballs).toHaveLength(1);
  tarball = join(scratch, tarballs[0]!);
  prefix = join(scratch, 'prefix');
  // --offline: npm may not fetch anything; a private cache proves nothing was in one before.
  installStatus = spawnSync(
    'npm',
    ['install', '--offline', '--global', '--no-audit', '--no-fund', '--cache', join(scratch, 'cache'), '--prefix', prefix, tarball],
    { cwd: scratch, env: toolEnv(), encoding: 'utf8', timeout: 120_000 },
  );
}, 240_000);

describe('npm pack', () => {
  it('packs the bundles, native helper, bcryptjs, man pages and docs, and no sources, tests or node_modules', () => {
    const entries = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const f of [
      'dist/checkpassword-passwd.cjs',
      'dist/checkpassword-vpopmail.cjs',
      'dist/checkpassword-radius.cjs',
      'dist/checkpassword-tool.cjs',
      'dist/checkpassword.node',
      'dist/bcryptjs.cjs',
      'man/checkpassword-passwd.8',
      'man/checkpassword-vpopmail.8',
      'man/checkpassword-radius.8',
      'man/radcheckpassword.8',
      'man/checkpassword-tool.1',
      'docs/interface.md',
      'README.md',
      'package.json',
    ]) {
      expect(entries).toContain(`package/${f}`);
    }
    expect(entries.filter((e) => /^package\/(src|test|node_modules|bench|build)\//.test(e))).toEqual([]);
  });

  it("the packed package.json declares no runtime dependency (yargs is in the tool's bundle, bcryptjs in dist/bcryptjs.cjs)", () => {
    const manifest = JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(Object.keys((manifest.dependencies as object | undefined) ?? {})).toEqual([]);
    expect(manifest.scripts).toMatchObject({ prepack: 'make build' });
  });
});

describe('npm install --offline --global <tarball>', () => {
  it('installs without a registry', () => {
    expect(installStatus.status, String(installStatus.stderr)).toBe(0);
  });

  it('the installed checkpassword-passwd logs a user in', () => {
    expect(expectLoggedIn(login(join(prefix, 'bin/checkpassword-passwd'), store, undefined, NODE_PATH), store)).toEqual([]);
  });

  it('the installed program finds the native helper in the package: prog takes over its process', () => {
    expect(parentOfProg(join(prefix, 'bin/checkpassword-passwd'), store, NODE_PATH)).toBe('sh');
  });

  // npm keeps the bundles' `#!/usr/bin/env node`: with no PATH (Dovecot), env looks in /bin:/usr/bin.
  it.runIf(existsSync('/usr/bin/node'))('with an empty environment it runs when node is in /usr/bin, where env looks without PATH', () => {
    expect(expectLoggedIn(login(join(prefix, 'bin/checkpassword-passwd'), store), store)).toEqual([]);
  });

  it('radcheckpassword, an npm link to the RADIUS bundle, logs under its own name', () => {
    const r = runProgram(join(prefix, 'bin/radcheckpassword'), { args: ['--log', 'stderr'], input: null, env: NODE_PATH });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^radcheckpassword\[\d+\]: misuse reason=no-program /);
  });

  it('checkpassword-tool --help starts', () => {
    const r = spawnSync(join(prefix, 'bin/checkpassword-tool'), ['--help'], { env: NODE_PATH, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('checkpassword-tool');
  });

  it('checkpassword-vpopmail starts', () => {
    const r = runProgram(join(prefix, 'bin/checkpassword-vpopmail'), { args: ['--log', 'stderr'], input: null, env: NODE_PATH });
    expect(r.stderr).toMatch(/^checkpassword-vpopmail\[\d+\]: misuse reason=no-program /);
  });

  it('links the man pages: man finds every program, radcheckpassword(8) through its .so page', () => {
    expect(existsSync(join(prefix, MODULE, 'man/checkpassword-radius.8'))).toBe(true);
    const env = toolEnv({ MANPATH: join(prefix, 'share/man'), MANWIDTH: '80', MAN_DISABLE_SECCOMP: '1' });
    for (const [section, name] of [['8', 'checkpassword-passwd'], ['8', 'checkpassword-vpopmail'], ['8', 'checkpassword-radius'], ['8', 'radcheckpassword'], ['1', 'checkpassword-tool']]) {
      const r = spawnSync('man', [section!, name!], { env, encoding: 'utf8' });
      expect([name, r.status, r.stderr]).toEqual([name, 0, '']);
      expect(r.stdout).toContain(name!);
    }
  });
});
