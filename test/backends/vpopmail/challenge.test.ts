import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { apopDigest, cramDigest, digestsEqual, isChallenge, splitCramFields } from '../../../src/backends/vpopmail/challenge';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

const APOP_TIMESTAMP = '<1896.697170952@dbc.mtview.ca.us>';
const APOP_DIGEST = 'c4c9334bac560ecc979e58001b3e22fb';
const CRAM_CHALLENGE = '<1896.697170952@postoffice.reston.mci.net>';
const CRAM_DIGEST = 'b913a602c7eda7a495b4e6e7334d3890';

// The hex digest openssl prints for `input` (plain MD5, or HMAC-MD5 with `key`).
function openssl(input: string, key?: string): string {
  const args = ['dgst', '-md5', ...(key === undefined ? [] : ['-hmac', key])];
  const out = execFileSync('openssl', args, { input: b(input) }).toString();
  return /([0-9a-f]{32})\s*$/.exec(out)![1]!;
}

describe('APOP', () => {
  it('the RFC 1939 example', () => {
    expect(apopDigest(b(APOP_TIMESTAMP), b('tanstaaf'))).toBe(APOP_DIGEST);
  });

  it('agrees with openssl dgst -md5 over timestamp + password', () => {
    expect(openssl(`${APOP_TIMESTAMP}tanstaaf`)).toBe(APOP_DIGEST);
    const stamp = '<4711.1700000000@mail.example.com>';
    expect(apopDigest(b(stamp), b('pa:ss w0rd'))).toBe(openssl(`${stamp}pa:ss w0rd`));
  });
});

describe('CRAM-MD5', () => {
  it('the RFC 2195 example', () => {
    expect(cramDigest(b(CRAM_CHALLENGE), b('tanstaaftanstaaf'))).toBe(CRAM_DIGEST);
  });

  it('agrees with openssl dgst -md5 -hmac, also for a key longer than the MD5 block', () => {
    expect(openssl(CRAM_CHALLENGE, 'tanstaaftanstaaf')).toBe(CRAM_DIGEST);
    const longKey = 'k'.repeat(100);
    const challenge = '<12345.1700000000@smtp.example.com>';
    expect(cramDigest(b(challenge), b(longKey))).toBe(openssl(challenge, longKey));
  });
});

describe('challenge fields', () => {
  it('<...@...> is a challenge', () => {
    expect(isChallenge(b(CRAM_CHALLENGE))).toBe(true);
    expect(isChallenge(b('<@>'))).toBe(true);
  });

  it('without brackets, without @, with a NUL or too short it is not', () => {
    for (const s of ['1896.697170952@host', '<1896.697170952@host', '1896@host>', '<1896.697170952>', '<a@\0b>', '', '<>', '@']) {
      expect(isChallenge(b(s)), JSON.stringify(s)).toBe(false);
    }
  });
});

describe('CRAM-MD5 field orders', () => {
  it('Hoffmann / sagredo / fehcom: user\\0digest\\0challenge\\0', () => {
    expect(splitCramFields(b(CRAM_DIGEST), b(CRAM_CHALLENGE))).toEqual({ challenge: b(CRAM_CHALLENGE), response: b(CRAM_DIGEST) });
  });

  it('Dabrowski / cmd5checkpw 0.2x: user\\0challenge\\0digest\\0', () => {
    expect(splitCramFields(b(CRAM_CHALLENGE), b(CRAM_DIGEST))).toEqual({ challenge: b(CRAM_CHALLENGE), response: b(CRAM_DIGEST) });
  });

  it('an upper-case hex response still fits an order (the comparison then decides)', () => {
    expect(splitCramFields(b(CRAM_DIGEST.toUpperCase()), b(CRAM_CHALLENGE))?.response).toEqual(b(CRAM_DIGEST.toUpperCase()));
  });

  it('neither: a PLAIN/LOGIN login (password, empty third field) or no third field', () => {
    expect(splitCramFields(b('secret'), b(''))).toBeNull();
    expect(splitCramFields(b(CRAM_DIGEST), b(''))).toBeNull();
    expect(splitCramFields(b(CRAM_DIGEST), null)).toBeNull();
  });

  it('neither: the other field is not 32 hex digits', () => {
    expect(splitCramFields(b(CRAM_DIGEST.slice(1)), b(CRAM_CHALLENGE))).toBeNull();
    expect(splitCramFields(b(CRAM_CHALLENGE), b(`${CRAM_DIGEST}0`))).toBeNull();
    expect(splitCramFields(b('tanstaaftanstaaftanstaaftanstaaf'), b(CRAM_CHALLENGE))).toBeNull();
  });

  it('ambiguous: both fields look like challenges', () => {
    expect(splitCramFields(b(CRAM_CHALLENGE), b(APOP_TIMESTAMP))).toBeNull();
  });

  it('a split login verifies end to end with the RFC example in both orders', () => {
    for (const [second, third] of [
      [CRAM_DIGEST, CRAM_CHALLENGE],
      [CRAM_CHALLENGE, CRAM_DIGEST],
    ] as const) {
      const fields = splitCramFields(b(second), b(third))!;
      expect(digestsEqual(cramDigest(fields.challenge, b('tanstaaftanstaaf')), fields.response)).toBe(true);
      expect(digestsEqual(cramDigest(fields.challenge, b('wrong')), fields.response)).toBe(false);
    }
  });
});

describe('digest comparison', () => {
  it('equal lower-case hex matches', () => {
    expect(digestsEqual(CRAM_DIGEST, b(CRAM_DIGEST))).toBe(true);
  });

  it('is case-sensitive, as vchkpw: upper-case hex does not match', () => {
    expect(digestsEqual(CRAM_DIGEST, b(CRAM_DIGEST.toUpperCase()))).toBe(false);
  });

  it('a different digit, a different length or an empty response does not match', () => {
    expect(digestsEqual(CRAM_DIGEST, b(`${CRAM_DIGEST.slice(0, 31)}1`))).toBe(false);
    expect(digestsEqual(CRAM_DIGEST, b(CRAM_DIGEST.slice(0, 31)))).toBe(false);
    expect(digestsEqual(CRAM_DIGEST, b(`${CRAM_DIGEST}\n`))).toBe(false);
    expect(digestsEqual(CRAM_DIGEST, b(''))).toBe(false);
  });
});
