// `check`'s tests of the login program itself: found, executable by the account, its #! line's
// interpreter there without PATH, the native helper beside the bundle loadable, and the program
// starting as the account with an empty environment.

import { closeSync, existsSync, openSync, readSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { NATIVE_FILE } from '../native/native';
import type { PROGRAM_SPECS } from '../programs/program-options';
import type { Finding } from './check-report';
import { probeAs, type Account, type Probe } from './check-account';

/** The login programs `check` knows, by the names they are installed under. */
export type ProgramKind = keyof typeof PROGRAM_SPECS;

/** When PATH is unset, execvp(3) (and so `/usr/bin/env node`) looks here: glibc's default. */
export const DEFAULT_SEARCH = ['/bin', '/usr/bin'];

/** Where a bare program name is looked for: beside this tool, then the usual bin directories. */
export function findProgram(name: string): string | null {
  if (name.includes('/')) return resolve(name);
  const dirs = [dirname(process.argv[1] ?? '.'), '/usr/local/bin', '/usr/bin', '/bin'];
  for (const d of dirs) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return null;
}

/** The kind of a program from its name, or from the bundle it links to; null when not ours. */
export function programKind(path: string): ProgramKind | null {
  const names = [basename(path)];
  try {
    names.push(basename(realpathSync(path)).replace(/\.cjs$/, ''));
  } catch {
    // Checked later: the program is not there.
  }
  for (const n of names) {
    if (n === 'checkpassword-passwd' || n === 'checkpassword-vpopmail' || n === 'checkpassword-radius') return n;
    if (n === 'radcheckpassword') return 'checkpassword-radius';
  }
  return null;
}

/** The program's findings, in order. */
export function checkProgram(path: string, account: Account): Finding[] {
  const out: Finding[] = [];
  let real: string;
  try {
    real = realpathSync(path);
  } catch (err) {
    return [{ ok: false, text: `program ${path} is not there (${(err as NodeJS.ErrnoException).code ?? 'error'}): give its full path, or run make install` }];
  }
  out.push({ ok: true, text: `program ${path}${real !== path ? ` (${real})` : ''}` });

  const shebang = interpreterOf(real);
  const native = join(dirname(real), NATIVE_FILE);
  const probes: Probe[] = [{ kind: 'exec', path }];
  const interpreters = shebang?.kind === 'env' ? [shebang.env, ...DEFAULT_SEARCH.map((d) => join(d, shebang.name))] : shebang?.kind === 'absolute' ? [shebang.path] : [];
  for (const i of interpreters) probes.push({ kind: 'exec', path: i });
  const nativeThere = existsSync(native);
  if (nativeThere) probes.push({ kind: 'load', path: native });
  probes.push({ kind: 'run', path });
  const { results, how } = probeAs(account, probes);
  out.push({ ok: true, note: true, text: `the tests as the account run ${how}` });
  let at = 0;
  const execOk = results[at++]!;
  out.push(
    execOk.ok
      ? { ok: true, text: `${path} is executable by ${account.label}` }
      : { ok: false, text: `${path} is not executable by ${account.label} (${execOk.error}): chmod 755 it and the directories above it` },
  );

  let interpreterOk = true;
  if (shebang === null) {
    out.push({ ok: true, text: `${real} has no #! line (not a script)` });
  } else if (shebang.kind === 'relative') {
    interpreterOk = false;
    out.push({ ok: false, text: `${real} starts with #!${shebang.path}, not an absolute path: the kernel cannot run it; write #!/usr/bin/env node or #!/usr/bin/node` });
  } else if (shebang.kind === 'absolute') {
    const r = results[at++]!;
    interpreterOk = r.ok;
    out.push(
      r.ok
        ? { ok: true, text: `interpreter ${shebang.path} (from the #! line) is there and executable by ${account.label}` }
        : { ok: false, text: `interpreter ${shebang.path} named by the #! line of ${real} is ${r.error === 'ENOENT' ? 'missing' : `not executable by ${account.label} (${r.error})`}: install node there, or change the first line to #!/usr/bin/env node` },
    );
  } else {
    const envOk = results[at++]!;
    const found = DEFAULT_SEARCH.map((d, i) => ({ path: join(d, shebang.name), r: results[at + i]! }));
    at += DEFAULT_SEARCH.length;
    const usable = found.find((f) => f.r.ok);
    if (!envOk.ok) {
      interpreterOk = false;
      out.push({ ok: false, text: `${shebang.env} (from the #! line of ${real}) is ${envOk.error === 'ENOENT' ? 'missing' : `not executable by ${account.label} (${envOk.error})`}: change the first line to #!/path/to/node` });
    } else if (!usable) {
      interpreterOk = false;
      out.push({
        ok: false,
        text: `${real} starts with #!${shebang.env} ${shebang.name}; with PATH unset (as qmail and Dovecot may run it) env looks for ${shebang.name} only in ${DEFAULT_SEARCH.join(' and ')}, and it is not there for ${account.label}: ln -s "$(command -v ${shebang.name})" /usr/bin/${shebang.name}, or change the first line to #!/path/to/${shebang.name}`,
      });
    } else {
      out.push({ ok: true, text: `#!${shebang.env} ${shebang.name} finds ${usable.path} without PATH` });
    }
  }

  if (!nativeThere) {
    out.push({ ok: false, text: `native helper ${native} is missing: yescrypt hashes cannot be verified and RADIUS falls back to node:dgram; copy dist/${NATIVE_FILE} beside the program (make build)` });
  } else {
    const r = results[at++]!;
    out.push(
      r.ok
        ? { ok: true, text: `native helper ${native} loads as ${account.label}` }
        : { ok: false, text: `native helper ${native} does not load as ${account.label} (${r.error}): rebuild it for this node (make build) and make it readable` },
    );
  }

  const run = results[at++]!;
  if (execOk.ok && interpreterOk) {
    // With no prog after the options every login program refuses with 2 before reading fd 3.
    if (run.ok && run.status === 2) {
      out.push({ ok: true, text: `${path} starts as ${account.label} with an empty environment (it exits 2 for the missing prog, as it should)` });
    } else {
      const what = run.ok ? (run.signal ? `killed by ${run.signal}` : `exit ${run.status}`) : run.error;
      const said = run.stderr?.trim().split('\n')[0];
      out.push({ ok: false, text: `${path} does not start as ${account.label} with an empty environment (${what}${said ? `: ${said}` : ''})` });
    }
  }
  return out;
}

type Shebang = { kind: 'env'; env: string; name: string } | { kind: 'absolute'; path: string } | { kind: 'relative'; path: string } | null;

/** The #! line of a file: `/usr/bin/env NAME`, an absolute interpreter, or a relative one. */
export function interpreterOf(file: string): Shebang {
  let head: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(256);
      head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('latin1');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  if (!head.startsWith('#!')) return null;
  const words = head.slice(2).split('\n')[0]!.trim().split(/[ \t]+/);
  const interp = words[0] ?? '';
  if (!interp.startsWith('/')) return { kind: 'relative', path: interp };
  if (basename(interp) === 'env') {
    const name = words.slice(1).find((w) => !w.startsWith('-'));
    if (name) return { kind: 'env', env: interp, name };
  }
  return { kind: 'absolute', path: interp };
}
