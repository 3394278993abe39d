import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit';
import { parseServiceType, SERVICE_TYPES, serviceTypeName } from '../../src/radius/service-type';
import { exitOf } from '../support/exit-of';

/** FreeRADIUS's standard dictionaries that give Service-Type values (RFC 2865, 3576, 5607). */
const DICTIONARY_DIR = '/usr/share/freeradius';
const DICTIONARIES = ['dictionary.rfc2865', 'dictionary.rfc3576', 'dictionary.rfc5607'].map((f) => `${DICTIONARY_DIR}/${f}`);
const HAVE_DICTIONARIES = DICTIONARIES.every((f) => existsSync(f));

/** `VALUE Service-Type <name> <number>` lines of the dictionaries, as [name, number]. */
function dictionaryServiceTypes(): [string, number][] {
  const out: [string, number][] = [];
  for (const file of DICTIONARIES) {
    for (const line of readFileSync(file, 'latin1').split('\n')) {
      const m = /^VALUE\s+Service-Type\s+(\S+)\s+(\d+)\s*$/.exec(line);
      if (m) out.push([m[1]!, Number(m[2])]);
    }
  }
  return out;
}

describe('--service-type', () => {
  it('is Login-User (1, RFC 2865) when not given', () => {
    expect(parseServiceType(undefined)).toBe(1);
  });

  it('names are case-insensitive', () => {
    expect(['Framed-User', 'framed-user', 'FRAMED-USER', 'fRaMeD-uSeR'].map(parseServiceType)).toEqual([2, 2, 2, 2]);
  });

  it('_ may stand for -', () => {
    expect(parseServiceType('Authenticate_Only')).toBe(parseServiceType('Authenticate-Only'));
    expect(parseServiceType('nas_prompt_user')).toBe(parseServiceType('NAS-Prompt-User'));
  });

  it('"-User" may be left off: login, framed', () => {
    expect([parseServiceType('login'), parseServiceType('framed')]).toEqual([parseServiceType('Login-User'), parseServiceType('Framed-User')]);
  });

  it('a number from 1 to 4294967295 is taken as it is, also one no name has', () => {
    expect(['1', '8', '255', '4294967295', ' 7 '].map(parseServiceType)).toEqual([1, 8, 255, 4294967295, 7]);
  });

  it('none (any case) sends no Service-Type', () => {
    expect(['none', 'NONE', ' None '].map(parseServiceType)).toEqual([null, null, null]);
  });

  it('an empty value (RADIUS_SERVICE_TYPE set but empty) is the default, Login-User', () => {
    expect(['', '  '].map(parseServiceType)).toEqual([1, 1]);
  });

  it.each(['Nonsense-User', 'login-users', 'user', '0', '4294967296', '99999999999', '-1', '1.5', '0x10'])('%j is misuse, exit 2', (value) => {
    expect(exitOf(() => parseServiceType(value))).toBe(EXIT.misuse);
  });

  it('serviceTypeName gives a name that parses back to the same number, for every table entry', () => {
    for (const n of Object.values(SERVICE_TYPES)) expect(parseServiceType(serviceTypeName(n))).toBe(n);
  });

  it('serviceTypeName of a number without a name, or of none, parses back too', () => {
    expect(parseServiceType(serviceTypeName(1000))).toBe(1000);
    expect(parseServiceType(serviceTypeName(null))).toBeNull();
  });
});

describe.skipIf(!HAVE_DICTIONARIES)("FreeRADIUS's dictionaries", () => {
  it('name every standard Service-Type; each parses to the dictionary number and is named back the same', () => {
    const values = dictionaryServiceTypes();
    expect(values.length).toBeGreaterThanOrEqual(13);
    for (const [name, n] of values) {
      expect([name, parseServiceType(name)]).toEqual([name, n]);
      expect(serviceTypeName(n)).toBe(name);
    }
  });

  it('hold every name of the table, with the same number', () => {
    const dictionary = new Map(dictionaryServiceTypes());
    for (const [name, n] of Object.entries(SERVICE_TYPES)) expect([name, dictionary.get(name)]).toEqual([name, n]);
  });
});
