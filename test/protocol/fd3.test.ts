import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit';
import { exitOf } from '../support/exit-of';
import { MAX_REQUEST, parseRequest, readRequestBytes } from '../../src/protocol/fd3';

const dir = mkdtempSync(join(tmpdir(), 'fd3-'));

/** An fd open on a file holding `bytes`, as fd 3 would be. */
function fdWith(bytes: Buffer): number {
  const file = join(dir, `req-${Math.random()}`);
  writeFileSync(file, bytes);
  return openSync(file, 'r');
}


describe('reading fd 3', () => {
  it('512 bytes on fd 3 are accepted', () => {
    const req = Buffer.concat([Buffer.from('u\0'), Buffer.alloc(MAX_REQUEST - 4, 'p'), Buffer.from('\0\0')]);
    expect(req.length).toBe(512);
    expect(readRequestBytes(fdWith(req))).toEqual(req);
  });

  it('513 bytes on fd 3 are refused with exit 1', () => {
    expect(exitOf(() => readRequestBytes(fdWith(Buffer.alloc(513, 'a'))))).toBe(EXIT.refused);
  });

  it('a request far past the limit is drained and refused with exit 1', () => {
    expect(exitOf(() => readRequestBytes(fdWith(Buffer.alloc(200_000, 'a'))))).toBe(EXIT.refused);
  });

  it('an fd that cannot be read is a temporary failure, exit 111', () => {
    const fd = fdWith(Buffer.from('u\0p\0'));
    closeSync(fd);
    expect(exitOf(() => readRequestBytes(fd))).toBe(EXIT.temporary);
  });

  it('a directory on fd 3 is a temporary failure, exit 111', () => {
    expect(exitOf(() => readRequestBytes(openSync(dir, 'r')))).toBe(EXIT.temporary);
  });
});

describe('splitting the request', () => {
  it('login, password and timestamp are split at their NULs', () => {
    const r = parseRequest(Buffer.from('alice\0secret\0<1.2@host>\0'));
    expect(r.login.toString()).toBe('alice');
    expect(r.password.toString()).toBe('secret');
    expect(r.timestamp?.toString()).toBe('<1.2@host>');
  });

  it('the timestamp is optional', () => {
    const r = parseRequest(Buffer.from('alice\0secret\0'));
    expect(r.password.toString()).toBe('secret');
    expect(r.timestamp).toBeNull();
  });

  it('what follows the timestamp is ignored', () => {
    const r = parseRequest(Buffer.from('alice\0secret\0ts\0more\0data'));
    expect(r.timestamp?.toString()).toBe('ts');
  });

  it('empty login and empty password are fields like any other', () => {
    const r = parseRequest(Buffer.from('\0\0'));
    expect(r.login.length).toBe(0);
    expect(r.password.length).toBe(0);
  });

  it('empty input is misuse, exit 2', () => {
    expect(exitOf(() => parseRequest(Buffer.alloc(0)))).toBe(EXIT.misuse);
  });

  it('a login without its NUL is misuse, exit 2', () => {
    expect(exitOf(() => parseRequest(Buffer.from('alice')))).toBe(EXIT.misuse);
  });

  it('a password without its NUL is misuse, exit 2', () => {
    expect(exitOf(() => parseRequest(Buffer.from('alice\0secret')))).toBe(EXIT.misuse);
    expect(exitOf(() => parseRequest(Buffer.from('alice\0')))).toBe(EXIT.misuse);
  });

  it('bytes that are not UTF-8 pass through unchanged', () => {
    const r = parseRequest(Buffer.from([0xe4, 0x00, 0xff, 0xfe, 0x00]));
    expect([...r.login]).toEqual([0xe4]);
    expect([...r.password]).toEqual([0xff, 0xfe]);
  });
});
