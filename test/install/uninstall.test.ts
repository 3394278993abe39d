// `make uninstall`: removes exactly what `make install` put there, in a tree that holds other
// programs, man pages and docs, and leaves alone a program name, man page or doc it did not install.

import { mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from '../support/run';
import { make, snapshot } from './install-support';

/** A prefix as a real system has it: other programs, man pages, docs and libraries. */
function populatedPrefix(): string {
  const prefix = join(scratchDir('uninstall'), 'usr');
  const files: Record<string, string> = {
    'bin/qmail-popup': '#!/bin/sh\nexit 0\n',
    'bin/checkpassword': 'DJB checkpassword 0.90\n',
    'share/man/man8/qmail-popup.8': '.TH QMAIL-POPUP 8\n',
    'share/man/man8/vchkpw.8': '.TH VCHKPW 8\n',
    'share/man/man1/tcpserver.1': '.TH TCPSERVER 1\n',
    'share/doc/qmail/README': 'qmail\n',
    'lib/other-package/module.js': 'module.exports = 1;\n',
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(prefix, path, '..'), { recursive: true });
    writeFileSync(join(prefix, path), content, { mode: path.startsWith('bin/') ? 0o755 : 0o644 });
  }
  return prefix;
}

describe('make uninstall', () => {
  it('removes exactly what install added: the tree is as before, other files and directories kept', () => {
    const prefix = populatedPrefix();
    const before = snapshot(prefix);
    expect(make(['install', `PREFIX=${prefix}`]).status).toBe(0);
    const installed = snapshot(prefix);
    expect(installed.size).toBeGreaterThan(before.size + 20);
    const r = make(['uninstall', `PREFIX=${prefix}`]);
    expect(r.status, r.stderr).toBe(0);
    expect(snapshot(prefix)).toEqual(before);
  });

  it('with DESTDIR, removes what install staged there', () => {
    const stage = scratchDir('uninstall-stage');
    const before = snapshot(stage);
    expect(make(['install', `DESTDIR=${stage}`, 'PREFIX=/usr/local']).status).toBe(0);
    expect(make(['uninstall', `DESTDIR=${stage}`, 'PREFIX=/usr/local']).status).toBe(0);
    // Only the directories install made for everyone (bin, share/man/man8, ...) are left, empty.
    const left = [...snapshot(stage)].filter(([path]) => !before.has(path));
    expect(left.every(([, what]) => what.startsWith('dir'))).toBe(true);
    expect(left.map(([path]) => path)).not.toContain('usr/local/lib/checkpassword-suite');
    expect(left.map(([path]) => path)).not.toContain('usr/local/share/doc/checkpassword-suite');
  });

  it('leaves alone a program name in bin that is not the link install made, and says so', () => {
    const prefix = populatedPrefix();
    expect(make(['install', `PREFIX=${prefix}`]).status).toBe(0);
    // The operator put the old C radcheckpassword back after installing.
    const old = join(prefix, 'bin/radcheckpassword');
    rmSync(old);
    writeFileSync(old, 'old radcheckpassword binary\n', { mode: 0o755 });
    const r = make(['uninstall', `PREFIX=${prefix}`]);
    expect(r.status).toBe(0);
    expect(readFileSync(old, 'utf8')).toBe('old radcheckpassword binary\n');
    expect(r.stderr).toContain(`${old} is not the link install made: left alone`);
    expect([...snapshot(prefix).keys()].filter((p) => p.includes('checkpassword-'))).toEqual([]);
  });

  it("leaves alone man pages and docs that are not what install put there (npm's links), and says so", () => {
    const prefix = populatedPrefix();
    expect(make(['install', `PREFIX=${prefix}`]).status).toBe(0);
    // `npm install --global` after make install links its own pages over ours.
    const npmMan = '../../../lib/node_modules/checkpassword-suite/man';
    const foreign: Record<string, [string, string]> = {
      'share/man/man8/checkpassword-passwd.8': [`${npmMan}/checkpassword-passwd.8`, 'file'],
      'share/man/man8/radcheckpassword.8': [`${npmMan}/radcheckpassword.8`, 'link'],
      'share/man/man1/checkpassword-tool.1': [`${npmMan}/checkpassword-tool.1`, 'file'],
      'share/doc/checkpassword-suite/README.md': ['/usr/share/doc/elsewhere/README.md', 'file'],
    };
    for (const [path, [target]] of Object.entries(foreign)) {
      rmSync(join(prefix, path));
      symlinkSync(target, join(prefix, path));
    }
    const r = make(['uninstall', `PREFIX=${prefix}`]);
    expect(r.status, r.stderr).toBe(0);
    for (const [path, [target, kind]] of Object.entries(foreign)) {
      expect(readlinkSync(join(prefix, path))).toBe(target);
      expect(r.stderr).toContain(`${join(prefix, path)} is not the ${kind} install made: left alone`);
    }
    // Everything else of ours is gone; the doc directory stays only for the link in it.
    const ours = [...snapshot(prefix).keys()].filter((p) => p.includes('checkpassword') && p !== 'bin/checkpassword');
    expect(ours.sort()).toEqual([...Object.keys(foreign), 'share/doc/checkpassword-suite'].sort());
  });

  it('removes a radcheckpassword.8 only when it is our link to checkpassword-radius.8: a page put there by hand stays', () => {
    const prefix = populatedPrefix();
    expect(make(['install', `PREFIX=${prefix}`]).status).toBe(0);
    const page = join(prefix, 'share/man/man8/radcheckpassword.8');
    rmSync(page);
    writeFileSync(page, '.TH RADCHECKPASSWORD 8\n');
    const r = make(['uninstall', `PREFIX=${prefix}`]);
    expect(r.status).toBe(0);
    expect(readFileSync(page, 'utf8')).toBe('.TH RADCHECKPASSWORD 8\n');
    expect(r.stderr).toContain(`${page} is not the link install made: left alone`);
  });

  it('run twice, or with nothing installed, succeeds and changes nothing', () => {
    const prefix = populatedPrefix();
    const before = snapshot(prefix);
    expect(make(['uninstall', `PREFIX=${prefix}`]).status).toBe(0);
    expect(make(['uninstall', `PREFIX=${prefix}`]).status).toBe(0);
    expect(snapshot(prefix)).toEqual(before);
  });
});
