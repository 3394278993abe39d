import { describe, expect, it } from 'vitest';
import { parseLoginName, sanitizeEnvDomain } from '../../../src/backends/vpopmail/login-name';
import { EXIT, type CheckpasswordError } from '../../../src/exit';

const noDefault = (): string => {
  throw new Error('default domain asked for');
};

function refusal(login: string, defaultDomain: () => string = () => 'example.com'): CheckpasswordError {
  try {
    parseLoginName(login, defaultDomain);
  } catch (err) {
    return err as CheckpasswordError;
  }
  throw new Error(`${login} was accepted`);
}

describe('splitting a login', () => {
  it('user@domain', () => {
    expect(parseLoginName('alice@example.com', noDefault)).toEqual({
      user: 'alice',
      domain: 'example.com',
      vpopuser: 'alice@example.com',
    });
  });

  it('user%domain', () => {
    expect(parseLoginName('alice%example.com', noDefault)).toMatchObject({ user: 'alice', domain: 'example.com' });
  });

  it('user/domain', () => {
    expect(parseLoginName('alice/example.com', noDefault)).toMatchObject({ user: 'alice', domain: 'example.com' });
  });

  it('the first @ wins over an earlier / (which stays in the user part)', () => {
    expect(parseLoginName('a/b@example.com', noDefault)).toMatchObject({ user: 'a/b', domain: 'example.com' });
  });

  it('the first @ wins over an earlier %, so a%b@c has an invalid user', () => {
    expect(refusal('a%b@c').reason).toBe('invalid-login');
  });

  it('a@b@c is invalid (domain b@c)', () => {
    const err = refusal('a@b@c');
    expect(err.exitCode).toBe(EXIT.refused);
    expect(err.reason).toBe('invalid-login');
    expect(err.detail).toBe('invalid characters in user or domain');
  });

  it('an upper-case login is lower-cased, and VPOPUSER is the lower-cased login as typed', () => {
    expect(parseLoginName('Alice%Example.COM', noDefault)).toEqual({
      user: 'alice',
      domain: 'example.com',
      vpopuser: 'alice%example.com',
    });
  });
});

describe('the default domain', () => {
  it('a bare user gets the default domain; VPOPUSER stays the bare user', () => {
    expect(parseLoginName('Bob', () => 'example.org')).toEqual({ user: 'bob', domain: 'example.org', vpopuser: 'bob' });
  });

  it('an empty domain after the separator gets the default domain', () => {
    expect(parseLoginName('bob@', () => 'example.org')).toMatchObject({ user: 'bob', domain: 'example.org', vpopuser: 'bob@' });
  });

  it('is only asked for when the domain is empty', () => {
    let asked = 0;
    parseLoginName('bob@example.com', () => {
      asked++;
      return 'x';
    });
    expect(asked).toBe(0);
  });

  it('is lower-cased but not checked against the domain characters', () => {
    expect(parseLoginName('bob', () => 'My_Domain.ORG').domain).toBe('my_domain.org');
  });

  it('an empty default leaves the domain empty', () => {
    expect(parseLoginName('bob', () => '')).toEqual({ user: 'bob', domain: '', vpopuser: 'bob' });
  });
});

describe('character rules', () => {
  it('accepts every character of the user whitelist', () => {
    const user = "a!#$&'*+-./0123456789=?^_`{|}~z";
    expect(parseLoginName(`${user}@example.com`, noDefault).user).toBe(user);
  });

  it('refuses user characters outside the whitelist: space, colon, quote, brackets, non-ASCII', () => {
    for (const login of ['a b@example.com', 'a:b@example.com', 'a"b@example.com', 'a(b)@example.com', 'a<b>@x.org', 'j\u00f6rg@example.com']) {
      expect(refusal(login).reason, login).toBe('invalid-login');
    }
  });

  it('refuses domain characters other than letters, digits, - and .', () => {
    for (const login of ['a@ex_ample.com', 'a@exa mple.com', 'a@example.com/x', 'a@b%c', 'a@ex\u00e4mple.com']) {
      expect(refusal(login).reason, login).toBe('invalid-login');
    }
  });

  it('refuses an empty user', () => {
    expect(refusal('@example.com').reason).toBe('invalid-login');
    expect(refusal('').reason).toBe('invalid-login');
  });
});

describe('VPOPMAIL_DOMAIN', () => {
  it('keeps letters, digits, _ . @ -', () => {
    expect(sanitizeEnvDomain('Example-1.com_x@y')).toBe('Example-1.com_x@y');
  });

  it('turns every other character into _', () => {
    expect(sanitizeEnvDomain('ex ample/com:%\u00e9')).toBe('ex_ample_com___');
  });
});
