// Command-line options of the login programs: options first, then prog and its arguments.
// Parsing stops at the first argument that is not an option, and `--` ends the options.

import { Misuse } from './exit';

/** One option a program accepts: `--name VALUE`, `--name=VALUE`, or a bare `--name` flag. */
export interface OptionSpec {
  name: string;
  /** True when the option takes a value. */
  value: boolean;
  /** The environment variable that sets it when the option is absent. */
  env?: string;
  /** One line for the usage text. */
  help: string;
}

/** What was given: option values by name (a flag is the string 'yes'), and prog with its arguments. */
export interface CommandLine {
  options: Map<string, string>;
  prog: string[];
}

/**
 * Splits argv (without node and the script) into options and prog. An unknown option or a missing
 * value is Misuse (exit 2). `--help` and `--version` are Misuse too: exit 0 would tell the caller
 * "logged in".
 */
export function parseCommandLine(args: readonly string[], specs: readonly OptionSpec[]): CommandLine {
  const options = new Map<string, string>();
  let i = 0;
  while (i < args.length) {
    const arg = args[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (!arg.startsWith('--')) throw new Misuse('bad-option', `unknown option ${arg}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (name === 'help' || name === 'version') throw new Misuse('usage', `--${name} asked`);
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new Misuse('bad-option', `unknown option --${name}`);
    if (!spec.value) {
      if (eq >= 0) throw new Misuse('bad-option', `--${name} takes no value`);
      options.set(name, 'yes');
      i++;
      continue;
    }
    if (eq >= 0) {
      options.set(name, arg.slice(eq + 1));
      i++;
    } else {
      if (i + 1 >= args.length) throw new Misuse('bad-option', `--${name} needs a value`);
      options.set(name, args[i + 1]!);
      i += 2;
    }
  }
  return { options, prog: args.slice(i) };
}

/** The option's value, else its environment variable's (even when empty), else undefined. */
export function optionValue(
  line: CommandLine,
  spec: OptionSpec,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const given = line.options.get(spec.name);
  if (given !== undefined) return given;
  return spec.env !== undefined ? env[spec.env] : undefined;
}

/** The usage text: one line of synopsis, then one line per option. */
export function usageText(program: string, specs: readonly OptionSpec[]): string {
  const lines = [`usage: ${program} [options] prog [args...]`];
  for (const s of specs) {
    const left = `  --${s.name}${s.value ? ' VALUE' : ''}`;
    lines.push(`${left.padEnd(26)} ${s.help}${s.env ? ` (env ${s.env})` : ''}`);
  }
  return lines.join('\n') + '\n';
}
