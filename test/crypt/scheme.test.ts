import { describe, expect, it } from 'vitest';
import { classify, costClass } from '../../src/crypt/scheme';
import { DEFAULT_DUMMY_HASH, pickDummyHash } from '../../src/crypt/dummy';

const SIX = '$6$bm0sivNAawKnYpvD$uwZyTxZ7qWaocIniBmcFfXeev/F/UDAlRJWFqtpbv79iVAwO.YYTAhXAoWsxhVUfMuUBYEn7Fd2AEc8FEq0k.1';
const YES = '$y$j9T$4ZSF668yLUkaqiu4TFEul/$67RlQwNBYFPxDJDVMU7gXA7cIqONi1onYb0L8MibaOA';
const BCRYPT = '$2y$05$cMdgdd8vJ8U76qGvHx9DP.qToPvkmAvL8iFO66XDvh1q8YEcog07y';

describe('classify: what a stored field is', () => {
  it.each(['', '*', '*LK*', '!', '!!', `!${SIX}`, 'x'])('%j is locked and never verifies', (s) => {
    expect(classify(s).kind).toBe('locked');
  });

  it.each([
    [YES, 'y'],
    ['$gy$j9T$abc$def', 'gy'],
    ['$7$CU..../....abc$def', '7'],
    [SIX, '6'],
    ['$5$salt$hash', '5'],
    ['$1$salt$hash', '1'],
    ['$md5,rounds=5000$salt$$hash', 'md5'],
    [BCRYPT, '2'],
    ['_J9..saltSALTsaltSAL', 'bsdi'],
    ['abJnggxhB/yWI', 'des'],
  ])('%s is crypt(3) family %s', (s, id) => {
    expect(classify(s)).toEqual({ kind: 'crypt', id });
  });

  it('apr1 and the LDAP digests are ours to verify', () => {
    expect(classify('$apr1$salt$hash').kind).toBe('apr1');
    expect(classify('{SSHA}abcd').kind).toBe('ldap');
    expect(classify('{sha512}abcd').kind).toBe('ldap');
  });

  it('anything else is unknown, so never compared as plaintext', () => {
    for (const s of ['password', '{PLAIN}x', '$9$x', '$2b$10$short', 'abJnggxhB/yW']) expect(classify(s).kind).toBe('unknown');
  });
});

describe('costClass: what decides the time a hash takes', () => {
  it('keeps scheme and cost, drops salt and digest', () => {
    expect(costClass(YES)).toBe('$y$j9T');
    expect(costClass(SIX)).toBe('$6$rounds=5000');
    expect(costClass('$6$rounds=10000$salt$hash')).toBe('$6$rounds=10000');
    expect(costClass(BCRYPT)).toBe('$2$05');
  });
});

describe('pickDummyHash: the hash an unknown user is checked against', () => {
  it('is a hash of the store\'s most common scheme and cost', () => {
    expect(pickDummyHash(['*', YES, SIX, '!', SIX.replace('bm0s', 'zz0s')])).toBe(SIX);
  });

  it('ignores locked entries and unknown formats', () => {
    expect(pickDummyHash(['*', '!', '', 'plaintext', YES])).toBe(YES);
  });

  it('is the built-in yescrypt when the store has no verifiable hash', () => {
    expect(pickDummyHash(['*', '!!', 'x'])).toBe(DEFAULT_DUMMY_HASH);
    expect(classify(DEFAULT_DUMMY_HASH)).toEqual({ kind: 'crypt', id: 'y' });
  });
});
