import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/exit';
import { exitOf } from './support/exit-of';
import { optionValue, parseCommandLine, usageText, type OptionSpec } from '../src/options';

const SPECS: OptionSpec[] = [
  { name: 'passwd', value: true, env: 'T_PASSWD', help: 'file' },
  { name: 'initgroups', value: false, help: 'flag' },
];


describe('command line of a login program', () => {
  it('options come before prog, and prog keeps its own options', () => {
    const l = parseCommandLine(['--passwd', 'f', 'qmail-pop3d', '--passwd', 'Maildir'], SPECS);
    expect(l.options.get('passwd')).toBe('f');
    expect(l.prog).toEqual(['qmail-pop3d', '--passwd', 'Maildir']);
  });

  it('--name=value is the same as --name value', () => {
    expect(parseCommandLine(['--passwd=f', 'prog'], SPECS).options.get('passwd')).toBe('f');
  });

  it('-- ends the options, so prog may start with a dash', () => {
    expect(parseCommandLine(['--initgroups', '--', '--odd-prog', 'x'], SPECS).prog).toEqual(['--odd-prog', 'x']);
  });

  it('an unknown long option is misuse, exit 2', () => {
    expect(exitOf(() => parseCommandLine(['--nope', 'prog'], SPECS))).toBe(EXIT.misuse);
  });

  it('an unknown short option is misuse, exit 2', () => {
    expect(exitOf(() => parseCommandLine(['-x', 'prog'], SPECS))).toBe(EXIT.misuse);
  });

  it('an option missing its value is misuse, exit 2', () => {
    expect(exitOf(() => parseCommandLine(['--passwd'], SPECS))).toBe(EXIT.misuse);
  });

  it('a flag given a value is misuse, exit 2', () => {
    expect(exitOf(() => parseCommandLine(['--initgroups=yes', 'prog'], SPECS))).toBe(EXIT.misuse);
  });

  it('--help is misuse, exit 2, never 0 (0 would mean "logged in")', () => {
    expect(exitOf(() => parseCommandLine(['--help'], SPECS))).toBe(EXIT.misuse);
    expect(exitOf(() => parseCommandLine(['--version'], SPECS))).toBe(EXIT.misuse);
  });

  it('no arguments at all leave prog empty', () => {
    expect(parseCommandLine([], SPECS).prog).toEqual([]);
  });

  it('the environment variable sets an option that is absent, the option wins when present', () => {
    const env = { T_PASSWD: 'from-env' };
    expect(optionValue(parseCommandLine(['prog'], SPECS), SPECS[0]!, env)).toBe('from-env');
    expect(optionValue(parseCommandLine(['--passwd', 'opt', 'prog'], SPECS), SPECS[0]!, env)).toBe('opt');
  });

  it('the usage text names every option and its variable', () => {
    const text = usageText('prog', SPECS);
    expect(text).toMatch(/^usage: prog \[options\] prog \[args\.\.\.\]/);
    expect(text).toContain('--passwd VALUE');
    expect(text).toContain('T_PASSWD');
    expect(text).toContain('--initgroups');
  });
});
