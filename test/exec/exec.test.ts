import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit';
import { exitOf } from '../support/exit-of';
import { callerFds } from '../../src/exec/caller-fds';
import { resolveProg } from '../../src/exec/exec-next';
import { nextEnv } from '../../src/exec/next-env';
import { checkMinUid } from '../../src/exec/privileges';

const account = { name: 'alice', uid: 1000, gid: 100, home: '/home/alice', shell: '/bin/sh' };


describe('the next environment', () => {
  it('sets USER, HOME and SHELL from the account and keeps everything else', () => {
    const env = nextEnv({ USER: 'qmaild', TCPREMOTEIP: '192.0.2.1', PATH: '/bin' }, account);
    expect(env).toEqual({ USER: 'alice', HOME: '/home/alice', SHELL: '/bin/sh', TCPREMOTEIP: '192.0.2.1', PATH: '/bin' });
  });
});

describe('the minimum uid', () => {
  it('a uid below it is refused with exit 1', () => {
    expect(exitOf(() => checkMinUid(0, 1))).toBe(EXIT.refused);
  });

  it('a uid at it is allowed', () => {
    expect(exitOf(() => checkMinUid(1, 1))).toBe(0);
  });
});

describe('finding prog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prog-'));
  writeFileSync(join(dir, 'runme'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(join(dir, 'plain'), 'x', { mode: 0o644 });

  it('a name with a slash is used as it is, without a PATH search', () => {
    expect(resolveProg(`${dir}/runme`, '/nowhere')).toBe(`${dir}/runme`);
  });

  it('a name with a slash that is not an executable file is a temporary failure, exit 111', () => {
    expect(exitOf(() => resolveProg(`${dir}/plain`, '/bin'))).toBe(EXIT.temporary);
    expect(exitOf(() => resolveProg(dir, '/bin'))).toBe(EXIT.temporary);
  });

  it('a bare name is searched in PATH, first executable file wins', () => {
    expect(resolveProg('runme', `/nowhere:${dir}`)).toBe(`${dir}/runme`);
  });

  it('files that are not executable are passed over', () => {
    expect(exitOf(() => resolveProg('plain', dir))).toBe(EXIT.temporary);
  });

  it('without PATH, /bin:/usr/bin is searched (DJB\'s default)', () => {
    expect(resolveProg('sh', undefined)).toMatch(/^\/(usr\/)?bin\/sh$/);
  });

  it('a name found nowhere is a temporary failure, exit 111', () => {
    expect(exitOf(() => resolveProg('no-such-prog', '/bin:/usr/bin'))).toBe(EXIT.temporary);
  });
});

describe('the caller\'s descriptors', () => {
  it('are the standard three and what the caller opened, never Node\'s own epoll, eventfd and pipes', () => {
    const fds = callerFds();
    expect(fds.slice(0, 3)).toEqual([0, 1, 2]);
    const fs = require('node:fs') as typeof import('node:fs');
    for (const fd of fds) {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      expect(target).not.toMatch(/^anon_inode:/);
    }
  });
});
