import { describe, expect, it } from 'vitest';
import { assignKey, findAssignText, parseAssignValue } from '../../../src/backends/vpopmail/assign';

const TEST_COM = { domain: 'test.com', uid: 89, gid: 89, dir: '/home/vpopmail/domains/test.com' };

// users/assign as vpopmail writes it (ChangeLog 5.1.10 example, plus a hashed domain dir).
const ASSIGN = [
  '=postmaster:alias:7790:2108:/var/qmail/alias:::',
  '+test.com-:test.com:89:89:/home/vpopmail/domains/test.com:-::',
  '+ken.org-:test.com:89:89:/home/vpopmail/domains/test.com:-::',
  '+example.net-:example.net:89:89:/home/vpopmail/domains/7/example.net:-::',
  '.',
  '',
].join('\n');

// What qmail-newu stores for a `+` line: the fields before the sixth colon, each `:` made a NUL.
function newuValue(fields: string): Buffer {
  return Buffer.from(fields.split(':').slice(0, 6).join('\0'), 'latin1');
}

describe('users/cdb keys', () => {
  it('are ! + lower-cased domain + -', () => {
    expect(assignKey('Test.COM')).toEqual(Buffer.from('!test.com-'));
  });

  it('lower-case ASCII only and keep other bytes as latin1', () => {
    expect(assignKey('\u00c9X.org')).toEqual(Buffer.from([0x21, 0xc9, 0x78, 0x2e, 0x6f, 0x72, 0x67, 0x2d]));
  });
});

describe('users/cdb values', () => {
  it('give real domain, uid, gid and dir', () => {
    expect(newuValue('test.com:89:89:/home/vpopmail/domains/test.com:-::')).toEqual(
      Buffer.from('test.com\x0089\x0089\x00/home/vpopmail/domains/test.com\x00-\x00'),
    );
    expect(parseAssignValue(newuValue('test.com:89:89:/home/vpopmail/domains/test.com:-::'))).toEqual(TEST_COM);
  });

  it('of an alias domain point at the real domain', () => {
    expect(parseAssignValue(newuValue('test.com:89:89:/home/vpopmail/domains/test.com:-::'))?.domain).toBe('test.com');
  });

  it('keep a hashed domain dir as it is', () => {
    expect(parseAssignValue(Buffer.from('example.net\x0089\x0089\x00/home/vpopmail/domains/7/example.net\x00-\x00'))?.dir).toBe(
      '/home/vpopmail/domains/7/example.net',
    );
  });

  it('need only the first four fields', () => {
    expect(parseAssignValue(Buffer.from('test.com\x0089\x0089\x00/home/vpopmail/domains/test.com'))).toEqual(TEST_COM);
  });

  it('are null when malformed: too few fields, non-numeric ids, empty dir, ids beyond 32 bits', () => {
    expect(parseAssignValue(Buffer.from('test.com\x0089\x0089'))).toBeNull();
    expect(parseAssignValue(Buffer.from(''))).toBeNull();
    expect(parseAssignValue(Buffer.from('test.com\x00vpopmail\x0089\x00/d\x00-\x00'))).toBeNull();
    expect(parseAssignValue(Buffer.from('test.com\x0089\x00-1\x00/d\x00-\x00'))).toBeNull();
    expect(parseAssignValue(Buffer.from('test.com\x0089\x00\x00/d\x00-\x00'))).toBeNull();
    expect(parseAssignValue(Buffer.from('test.com\x0089\x0089\x00\x00-\x00'))).toBeNull();
    expect(parseAssignValue(Buffer.from('test.com\x004294967296\x0089\x00/d\x00-\x00'))).toBeNull();
  });
});

describe('the users/assign text', () => {
  it('finds a real domain', () => {
    expect(findAssignText(ASSIGN, 'test.com')).toEqual(TEST_COM);
  });

  it('resolves an alias domain line to the real domain and its dir', () => {
    expect(findAssignText(ASSIGN, 'ken.org')).toEqual(TEST_COM);
  });

  it('keeps a hashed domain dir', () => {
    expect(findAssignText(ASSIGN, 'example.net')?.dir).toBe('/home/vpopmail/domains/7/example.net');
  });

  it('matches case-insensitively, both sides lower-cased', () => {
    expect(findAssignText(ASSIGN, 'TEST.Com')).toEqual(TEST_COM);
    expect(findAssignText('+Upper.ORG-:upper.org:89:89:/d/upper.org:-::\n.\n', 'upper.org')?.dir).toBe('/d/upper.org');
  });

  it('matches the whole prefix, not a part of it', () => {
    expect(findAssignText(ASSIGN, 'test.co')).toBeNull();
    expect(findAssignText(ASSIGN, 'est.com')).toBeNull();
    expect(findAssignText(ASSIGN, 'ken.org-')).toBeNull();
  });

  it('stops at the terminating . line', () => {
    const text = `${ASSIGN.trimEnd()}\n+late.org-:late.org:89:89:/d/late.org:-::\n`;
    expect(findAssignText(text, 'late.org')).toBeNull();
  });

  it('ignores = lines (single-user assigns)', () => {
    expect(findAssignText('=solo.org-:solo.org:89:89:/d/solo.org:-::\n.\n', 'solo.org')).toBeNull();
    expect(findAssignText(ASSIGN, 'postmaster')).toBeNull();
  });

  it('the first matching line wins', () => {
    const text = '+dup.org-:dup.org:89:89:/first:-::\n+dup.org-:dup.org:89:89:/second:-::\n.\n';
    expect(findAssignText(text, 'dup.org')?.dir).toBe('/first');
  });

  it('skips a line qmail-newu would reject (fewer than 6 colons after the prefix)', () => {
    const text = '+bad.org-:bad.org:89:89:/broken\n+bad.org-:bad.org:89:89:/ok:-::\n.\n';
    expect(findAssignText(text, 'bad.org')?.dir).toBe('/ok');
  });

  it('is null for an unknown domain', () => {
    expect(findAssignText(ASSIGN, 'unknown.org')).toBeNull();
  });
});
