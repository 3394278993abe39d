// `make install`: the layout, absolute node in every #! line, programs that run from wherever they
// were installed with an EMPTY environment (Dovecot gives no PATH), NODE= and DESTDIR=, man pages.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runProgram, scratchDir } from '../support/run';
import {
  afterFirstLine,
  docFiles,
  expectLoggedIn,
  firstLine,
  login,
  make,
  makeStore,
  makeWatched,
  nodeOnPath,
  parentOfProg,
  snapshot,
  toolEnv,
  type Store,
} from './install-support';

const BUNDLES = ['checkpassword-passwd', 'checkpassword-vpopmail', 'checkpassword-radius', 'checkpassword-tool'];
/** Program name in bin/ -> bundle it runs. */
const PROGRAMS: Record<string, string> = {
  'checkpassword-passwd': 'checkpassword-passwd',
  'checkpassword-vpopmail': 'checkpassword-vpopmail',
  'checkpassword-radius': 'checkpassword-radius',
  radcheckpassword: 'checkpassword-radius',
  'checkpassword-tool': 'checkpassword-tool',
};
const MAN_PAGES = ['man8/checkpassword-passwd.8', 'man8/checkpassword-vpopmail.8', 'man8/checkpassword-radius.8', 'man8/radcheckpassword.8', 'man1/checkpassword-tool.1'];

/** The paths `make install` must create under a prefix, and what each must be. */
function expectedLayout(): Map<string, string> {
  const m = new Map<string, string>();
  for (const [name, bundle] of Object.entries(PROGRAMS)) m.set(`bin/${name}`, `link -> ../lib/checkpassword-suite/${bundle}.cjs`);
  for (const b of BUNDLES) m.set(`lib/checkpassword-suite/${b}.cjs`, 'file 755');
  m.set('lib/checkpassword-suite/checkpassword.node', 'file 644');
  m.set('lib/checkpassword-suite/bcryptjs.cjs', 'file 644');
  for (const page of MAN_PAGES.filter((p) => !p.includes('radcheckpassword'))) m.set(`share/man/${page}`, 'file 644');
  m.set('share/man/man8/radcheckpassword.8', 'link -> checkpassword-radius.8');
  m.set('share/doc/checkpassword-suite/README.md', 'file 644');
  for (const f of docFiles()) m.set(`share/doc/checkpassword-suite/${f}`, 'file 644');
  return m;
}

/** The files and links of an install tree, without content hashes (kind, mode or link target). */
function layoutOf(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const [path, what] of snapshot(dir)) if (!what.startsWith('dir')) m.set(path, what.replace(/^(file \d+) .*$/, '$1'));
  return m;
}

let store: Store;
beforeAll(() => {
  store = makeStore('install-store');
});

describe('make install PREFIX=<dir>', () => {
  let prefix: string;
  beforeAll(() => {
    prefix = join(scratchDir('install'), 'usr');
    const r = make(['install', `PREFIX=${prefix}`]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('puts the bundles with the native helper and bcryptjs in lib/checkpassword-suite, relative links in bin, man pages, docs', () => {
    expect(layoutOf(prefix)).toEqual(expectedLayout());
  });

  it('installs the built bundles, native helper and bcryptjs unchanged but for the #! line', () => {
    for (const b of BUNDLES) {
      expect(afterFirstLine(join(prefix, 'lib/checkpassword-suite', `${b}.cjs`)).equals(afterFirstLine(join(ROOT, 'dist', `${b}.cjs`)))).toBe(true);
    }
    for (const f of ['checkpassword.node', 'bcryptjs.cjs']) {
      expect(readFileSync(join(prefix, 'lib/checkpassword-suite', f)).equals(readFileSync(join(ROOT, 'dist', f)))).toBe(true);
    }
  });

  it('starts every installed program with #! and the absolute path of the node PATH finds', () => {
    const node = nodeOnPath();
    expect(node.startsWith('/')).toBe(true);
    for (const name of Object.keys(PROGRAMS)) expect(firstLine(join(prefix, 'bin', name))).toBe(`#!${node}`);
  });

  it('checkpassword-passwd logs a user in with an empty environment (no PATH), run by its absolute path', () => {
    const r = login(join(prefix, 'bin/checkpassword-passwd'), store);
    expect(expectLoggedIn(r, store)).toEqual([]);
    expect(r.env.has('PATH')).toBe(false);
  });

  it('checkpassword-passwd refuses a wrong password with exit 1 with an empty environment', () => {
    expect(login(join(prefix, 'bin/checkpassword-passwd'), store, 'wrong').status).toBe(1);
  });

  it('the installed program finds its native helper beside its bundle: prog takes over its process', () => {
    expect(parentOfProg(join(prefix, 'bin/checkpassword-passwd'), store)).toBe('sh');
    // The same run without the helper: prog is spawned, the program (node) stays its parent.
    expect(parentOfProg(join(prefix, 'bin/checkpassword-passwd'), store, { CHECKPASSWORD_NATIVE: 'off' })).not.toBe('sh');
  });

  it('radcheckpassword logs under its own name and checkpassword-radius under its own', () => {
    const rad = runProgram(join(prefix, 'bin/radcheckpassword'), { args: ['--log', 'stderr'], input: null, env: {} });
    expect(rad.status).toBe(2);
    expect(rad.stderr).toMatch(/^radcheckpassword\[\d+\]: misuse reason=no-program /);
    const cpr = runProgram(join(prefix, 'bin/checkpassword-radius'), { args: ['--log', 'stderr'], input: null, env: {} });
    expect(cpr.stderr).toMatch(/^checkpassword-radius\[\d+\]: misuse reason=no-program /);
  });

  it('checkpassword-vpopmail starts with an empty environment (no prog: exit 2, logged under its name)', () => {
    const r = runProgram(join(prefix, 'bin/checkpassword-vpopmail'), { args: ['--log', 'stderr'], input: null, env: {} });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^checkpassword-vpopmail\[\d+\]: misuse reason=no-program /);
  });

  it('checkpassword-tool --help runs with an empty environment', () => {
    const r = spawnSync(join(prefix, 'bin/checkpassword-tool'), ['--help'], { env: {}, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('checkpassword-tool');
  });

  it('every installed man page renders with groff -ww and man --warnings without a warning', () => {
    for (const page of MAN_PAGES) {
      const file = join(prefix, 'share/man', page);
      const groff = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', file], { encoding: 'utf8' });
      expect([page, groff.status, groff.stderr]).toEqual([page, 0, '']);
      const man = spawnSync('man', ['--warnings', '-l', file], { env: toolEnv({ MANWIDTH: '80', MAN_DISABLE_SECCOMP: '1' }), encoding: 'utf8' });
      expect([page, man.status, man.stderr]).toEqual([page, 0, '']);
      expect(man.stdout.length).toBeGreaterThan(500);
    }
  });

  it('man finds each program by name in the installed MANPATH; radcheckpassword(8) is the checkpassword-radius page', () => {
    const env = toolEnv({ MANPATH: join(prefix, 'share/man'), MANWIDTH: '80', MAN_DISABLE_SECCOMP: '1' });
    for (const [section, name] of [['8', 'checkpassword-passwd'], ['8', 'checkpassword-vpopmail'], ['8', 'checkpassword-radius'], ['8', 'radcheckpassword'], ['1', 'checkpassword-tool']]) {
      const r = spawnSync('man', [section!, name!], { env, encoding: 'utf8' });
      expect([name, r.status, r.stderr]).toEqual([name, 0, '']);
      expect(r.stdout).toContain(name!);
    }
    const rad = spawnSync('man', ['8', 'radcheckpassword'], { env, encoding: 'utf8' });
    expect(rad.stdout).toMatch(/^CHECKPASSWORD-RADIUS\(8\)/);
  });
});

describe('make install NODE=<a symbolic link to node in an unusual directory>', () => {
  let prefix: string;
  let link: string;
  beforeAll(() => {
    const dir = join(scratchDir('odd-node'), 'opt/runtime-20/bin');
    mkdirSync(dir, { recursive: true });
    link = join(dir, 'node-link');
    symlinkSync(process.execPath, link);
    prefix = join(scratchDir('install-node'), 'local');
    const r = make(['install', `PREFIX=${prefix}`, `NODE=${link}`]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('names that path, unresolved, in the #! line of every program', () => {
    for (const name of Object.keys(PROGRAMS)) expect(firstLine(join(prefix, 'bin', name))).toBe(`#!${link}`);
  });

  it('the programs run through it with an empty environment: a login works, the tool starts', () => {
    expect(expectLoggedIn(login(join(prefix, 'bin/checkpassword-passwd'), store), store)).toEqual([]);
    const tool = spawnSync(join(prefix, 'bin/checkpassword-tool'), ['--help'], { env: {}, encoding: 'utf8' });
    expect(tool.status, tool.stderr).toBe(0);
  });
});

describe('make install refuses a node it cannot put on a #! line, before installing anything', () => {
  it.each([
    ['a name PATH does not find', 'no-such-node-binary'],
    ['a path that does not exist', '/nonexistent/bin/node'],
    ['a program that is not Node', '/bin/true'],
  ])('%s', (_title, node) => {
    const prefix = join(scratchDir('install-bad-node'), 'usr');
    const r = make(['install', `PREFIX=${prefix}`, `NODE=${node}`]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/install: .*node|Node 20/i);
    expect(existsSync(prefix)).toBe(false);
  });

  it('a path with a blank in it', () => {
    const dir = join(scratchDir('install-blank'), 'node dir');
    mkdirSync(dir);
    symlinkSync(process.execPath, join(dir, 'node'));
    const prefix = join(scratchDir('install-bad-node'), 'usr');
    const r = make(['install', `PREFIX=${prefix}`, `NODE=${join(dir, 'node')}`]);
    expect(r.status).not.toBe(0);
    expect(existsSync(prefix)).toBe(false);
  });
});

describe('make install DESTDIR=<stage> PREFIX=/usr/local', () => {
  let stage: string;
  beforeAll(() => {
    stage = scratchDir('stage');
    const r = make(['install', `DESTDIR=${stage}`, 'PREFIX=/usr/local']);
    expect(r.status, r.stderr).toBe(0);
  });

  it('puts everything under <stage>/usr/local and nothing elsewhere in the stage', () => {
    const layout = layoutOf(stage);
    const expected = new Map([...expectedLayout()].map(([path, what]) => [`usr/local/${path}`, what]));
    expect(layout).toEqual(expected);
  });

  it('the staged programs run from the stage with an empty environment', () => {
    expect(expectLoggedIn(login(join(stage, 'usr/local/bin/checkpassword-passwd'), store), store)).toEqual([]);
    expect(parentOfProg(join(stage, 'usr/local/bin/checkpassword-passwd'), store)).toBe('sh');
  });
});

describe('make install again over an install', () => {
  it('replaces every file in lib/checkpassword-suite by a rename (the native helper and bcryptjs.cjs too): none is ever missing', () => {
    const prefix = join(scratchDir('reinstall'), 'usr');
    expect(make(['install', `PREFIX=${prefix}`]).status).toBe(0);
    const lib = join(prefix, 'lib/checkpassword-suite');
    const watched = makeWatched(lib, ['install', `PREFIX=${prefix}`]);
    expect(watched.status).toBe(0);
    for (const f of [...BUNDLES.map((b) => `${b}.cjs`), 'checkpassword.node', 'bcryptjs.cjs']) {
      const kinds = watched.events.filter(([name]) => name === f).flatMap(([, k]) => k);
      expect([f, kinds]).toEqual([f, ['MOVED_TO']]);
    }
    expect(readdirSync(lib).filter((f) => f.endsWith('.new'))).toEqual([]);
  });
});

// The directories go into the recipes inside '...'. A value the quotes cannot carry is refused by
// the name of its variable before anything is made, removed or run.
describe('make install and make uninstall refuse directories the recipes cannot quote', () => {
  it.each([
    ['PREFIX', "a single quote (and a command after it)", (s: string) => [`PREFIX=${s}/p';touch ${s}/ran;'`]],
    ['DESTDIR', 'a single quote', (s: string) => [`DESTDIR=${s}/d';touch ${s}/ran;'`, 'PREFIX=/usr/local']],
    ['BINDIR', 'a single quote', (s: string) => [`PREFIX=${s}/usr`, `BINDIR=${s}/b';touch ${s}/ran;'`]],
    ['PREFIX', 'a newline', (s: string) => [`PREFIX=${s}/a\nb`]],
    ['DOCDIR', 'a $', (s: string) => [`PREFIX=${s}/usr`, `DOCDIR=${s}/doc$$HOME`]],
  ])('install with %s holding %s: refused naming it, nothing made, nothing run', (name, _what, args) => {
    const s = scratchDir('unquotable');
    const r = make(['install', ...args(s)]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^install: (\\w+ )*${name}\\b.*cannot be quoted in the recipes`, 'm'));
    expect(readdirSync(s)).toEqual([]);
  });

  it('install with a relative BINDIR (or DESTDIR) is refused naming it: nothing is made in the checkout', () => {
    const s = scratchDir('relative');
    const r = make(['install', `PREFIX=${s}/usr`, 'BINDIR=relative-bin', 'DESTDIR=relative-stage']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('install: DESTDIR BINDIR: give an absolute path');
    expect(existsSync(join(ROOT, 'relative-bin'))).toBe(false);
    expect(existsSync(join(ROOT, 'relative-stage'))).toBe(false);
    expect(readdirSync(s)).toEqual([]);
  });

  it('uninstall with a PREFIX holding a single quote is refused the same way: nothing removed, nothing run', () => {
    const s = scratchDir('unquotable-uninstall');
    const prefix = join(s, 'usr');
    expect(make(['install', `PREFIX=${prefix}`]).status).toBe(0);
    const before = snapshot(s);
    const r = make(['uninstall', `PREFIX=${prefix}' '${prefix}/bin/checkpassword-passwd';touch ${s}/ran;'`]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^install: PREFIX\b.*cannot be quoted in the recipes/m);
    expect(snapshot(s)).toEqual(before);
  });

  it('blanks are carried: install and uninstall with PREFIX="a b" leave the tree as before', () => {
    const s = join(scratchDir('blank'), 'a b');
    mkdirSync(s);
    const before = snapshot(s);
    expect(make(['install', `PREFIX=${s}/usr local`]).status).toBe(0);
    expect(firstLine(join(s, 'usr local/bin/checkpassword-passwd'))).toBe(`#!${nodeOnPath()}`);
    expect(make(['uninstall', `PREFIX=${s}/usr local`]).status).toBe(0);
    const left = [...snapshot(s)].filter(([path]) => !before.has(path));
    expect(left.every(([, what]) => what.startsWith('dir'))).toBe(true);
  });
});
