// checkpassword-tool's help and shell completion: every command, at every level, answers --help
// with exit 0 and at least one example of itself; bash completes commands, options and values.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, scratchDir } from '../support/run';
import { tool } from './support';

/** The command paths a help text lists under "Commands:" (`radius test <user>` → radius test). */
function subcommands(help: string, parent: string[]): string[][] {
  const section = help.split('\nCommands:\n')[1]?.split('\n\n')[0] ?? '';
  const out: string[][] = [];
  for (const line of section.split('\n')) {
    // The command is the first column; its description follows after two or more spaces.
    const words = line.trim().split(/\s{2,}/)[0]!.split(' ');
    if (words[0] !== 'checkpassword-tool') continue;
    const path: string[] = [];
    for (const w of words.slice(1)) {
      if (/^[<[-]/.test(w)) break;
      path.push(w);
    }
    if (path.length > parent.length && path.slice(0, parent.length).join(' ') === parent.join(' ')) out.push(path);
  }
  return out;
}

/** Every command path below the top, found by walking the help texts. */
function allCommands(): string[][] {
  const found: string[][] = [];
  const walk = (path: string[]): void => {
    const r = tool([...path, '--help']);
    for (const sub of subcommands(r.stdout, path)) {
      if (sub.join(' ') === 'completion') continue; // prints a script, not help: tested below
      found.push(sub);
      walk(sub);
    }
  };
  walk([]);
  return found;
}

/** The lines of a help text's "Examples:" section. */
function examples(help: string): string[] {
  return (help.split('\nExamples:\n')[1]?.split('\n\n')[0] ?? '').split('\n').filter((l) => l.trim() !== '');
}

describe('--help', () => {
  it('checkpassword-tool --help exits 0 and lists the commands try, hash, vpasswd, radius, check and completion', () => {
    const r = tool(['--help']);
    expect(r.status).toBe(0);
    expect(subcommands(r.stdout, []).map((p) => p.join(' '))).toEqual(['try', 'hash', 'vpasswd', 'radius', 'check', 'completion']);
  });

  const commands = allCommands();
  it('the walk finds the commands and their subcommands', () => {
    expect(commands.map((p) => p.join(' '))).toEqual(expect.arrayContaining(['try', 'hash', 'vpasswd', 'radius', 'check']));
  });

  for (const path of commands) {
    const name = path.join(' ');
    it(`${name} --help exits 0 and shows an example of "checkpassword-tool ${name}"`, () => {
      const r = tool([...path, '--help']);
      expect(r.status).toBe(0);
      const lines = examples(r.stdout);
      expect(lines.length, `no Examples: section in ${name} --help`).toBeGreaterThan(0);
      expect(lines.some((l) => l.includes(`checkpassword-tool ${name}`))).toBe(true);
    });
  }

  it('an unknown command exits 2 with a pointer to --help, on stderr only', () => {
    const r = tool(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('checkpassword-tool --help');
    expect(r.stdout).toBe('');
  });

  it('no command at all exits 2', () => {
    expect(tool([]).status).toBe(2);
  });

  it('try without PROGRAM exits 2 and names what is missing', () => {
    const r = tool(['try']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('PROGRAM');
  });
});

describe('shell completion', () => {
  it('checkpassword-tool completion prints a bash script that completes checkpassword-tool', () => {
    const r = tool(['completion'], { env: { SHELL: '/bin/bash' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--get-yargs-completions');
    expect(r.stdout).toMatch(/^complete .* checkpassword-tool$/m);
  });

  it('--get-yargs-completions checkpassword-tool v lists vpasswd', () => {
    const r = tool(['--get-yargs-completions', 'checkpassword-tool', 'v']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toContain('vpasswd');
  });

  /** What bash offers for the words, through the script checkpassword-tool completion printed. */
  function bashCompletes(words: string[]): string[] {
    const dir = scratchDir('completion');
    const script = join(dir, 'completion.bash');
    writeFileSync(script, tool(['completion'], { env: { SHELL: '/bin/bash' } }).stdout);
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const out = execFileSync(
      'bash',
      ['-c', `source '${script}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _checkpassword-tool_yargs_completions; printf '%s\\n' "\${COMPREPLY[@]}"`],
      { env: { PATH: `${join(ROOT, 'bin')}:${process.env.PATH}` } },
    );
    return out.toString().split('\n').filter((l) => l !== '');
  }

  it('in bash, "checkpassword-tool v<TAB>" completes to vpasswd', () => {
    expect(bashCompletes(['checkpassword-tool', 'v'])).toEqual(['vpasswd']);
  });

  it('in bash, "checkpassword-tool hash --scheme y<TAB>" completes to yescrypt', () => {
    expect(bashCompletes(['checkpassword-tool', 'hash', '--scheme', 'y'])).toEqual(['yescrypt']);
  });

  it('in bash, "checkpassword-tool try --ti<TAB>" offers --timestamp and --timeout', () => {
    expect(bashCompletes(['checkpassword-tool', 'try', '--ti']).sort()).toEqual(['--timeout', '--timestamp']);
  });
});
