// `check`'s tests of what each login program reads, given its options as the mail server gives
// them: passwd and shadow files; vpopmail's home, users/cdb or users/assign and each domain's
// vpasswd(.cdb); radius.conf (the program's own parser) and a Status-Server to each server.

import { existsSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { optionValue, type CommandLine, type OptionSpec } from '../options';
import { CheckpasswordError } from '../exit';
import { parsePasswd } from '../backends/passwd-file';
import { readStoreIfExists } from '../backends/store-file';
import { DEFAULT_QMAIL_DIR, vpopmailHome } from '../backends/vpopmail/home';
import { readRadiusConfig, parseSeconds, type ConfigFormat } from '../radius/config';
import { askEachServer, describeStatus } from '../radius/status-server';
import {
  DEFAULT_DEADLINE_S,
  DEFAULT_PASSWD,
  DEFAULT_RADIUS_CONF,
  PASSWD_OPTIONS,
  RADIUS_OPTIONS,
  VPOPMAIL_OPTIONS,
  shadowFile,
} from '../programs/program-options';
import type { Finding } from './check-report';
import { ownership, probeAs, type Account } from './check-account';
import type { ProgramKind } from './check-program';

/** The findings for the stores of a program with these options (parsed with its own option table). */
export async function checkStores(kind: ProgramKind, line: CommandLine, account: Account): Promise<Finding[]> {
  // The environment is not read: check tests what the options name.
  const opt = (spec: OptionSpec) => optionValue(line, spec, {});
  switch (kind) {
    case 'checkpassword-passwd':
      return checkPasswd(opt, account);
    case 'checkpassword-vpopmail':
      return checkVpopmail(opt, account);
    case 'checkpassword-radius':
      return checkRadius(opt, line.options.has(RADIUS_OPTIONS.requireMa.name), account);
  }
}

type Opt = (spec: OptionSpec) => string | undefined;

function checkPasswd(opt: Opt, account: Account): Finding[] {
  const passwd = opt(PASSWD_OPTIONS.passwd) || DEFAULT_PASSWD;
  const shadow = shadowFile(opt(PASSWD_OPTIONS.shadow));
  const files = [{ what: 'passwd file', path: passwd }, ...(shadow ? [{ what: 'shadow file', path: shadow }] : [])];
  const out = readable(files, account);
  const text = readStoreIfExists(passwd);
  if (text !== null && out[0]!.ok) {
    const n = parsePasswd(text).length;
    out.push(n > 0 ? { ok: true, text: `${passwd} holds ${n} entries` } : { ok: false, text: `${passwd} holds no entries: every login will be refused` });
  }
  if (!shadow) out.push({ ok: true, text: 'no shadow file (--shadow none): hashes are read from the passwd file' });
  return out;
}

function checkVpopmail(opt: Opt, account: Account): Finding[] {
  const out: Finding[] = [];
  const passwd = opt(VPOPMAIL_OPTIONS.passwd) || DEFAULT_PASSWD;
  let home = opt(VPOPMAIL_OPTIONS.home);
  if (!home) {
    const found = vpopmailHome(passwd);
    home = found.home;
    out.push({ ok: true, text: `vpopmail home ${home} (${found.accountFound ? `the vpopmail account in ${passwd}` : `no vpopmail account in ${passwd}: the default`})` });
  }
  const qmail = opt(VPOPMAIL_OPTIONS.qmailDir) || DEFAULT_QMAIL_DIR;
  const cdb = `${qmail}/users/cdb`;
  const assign = `${qmail}/users/assign`;
  const files: FileToTest[] = [{ what: 'vpopmail home', path: home }];
  if (existsSync(cdb)) files.push({ what: "qmail's users/cdb", path: cdb });
  if (existsSync(assign)) files.push({ what: "qmail's users/assign", path: assign });
  if (!existsSync(cdb) && !existsSync(assign)) {
    out.push({ ok: false, text: `neither ${cdb} nor ${assign} exists: no domain can be found; give --qmail-dir, or add a domain (vadddomain) and run qmail-newu` });
  }
  if (existsSync(cdb) && existsSync(assign) && newer(assign, cdb)) {
    out.push({ ok: false, text: `${assign} is newer than ${cdb}: the program reads the cdb; run qmail-newu` });
  }
  const text = readStoreIfExists(assign);
  const domains = text === null ? [] : assignedDomains(text);
  if (text !== null && domains.length === 0) out.push({ ok: false, text: `${assign} assigns no domain: every login will be refused` });
  for (const d of domains) {
    const store = existsSync(`${d.dir}/vpasswd.cdb`) ? `${d.dir}/vpasswd.cdb` : `${d.dir}/vpasswd`;
    files.push({ what: `domain ${d.domain}'s user file`, path: store });
    if (store.endsWith('.cdb') && newer(`${d.dir}/vpasswd`, store)) {
      out.push({ ok: false, text: `${d.dir}/vpasswd is newer than vpasswd.cdb: the program reads the cdb; run vmkpasswd ${d.domain}` });
    }
  }
  // The home is passed through (x), not read: defaultdomain and vlimits.default under it are optional.
  return [...out, ...readable(files, account, (f) => (f.what === 'vpopmail home' ? 'exec' : 'read'))];
}

async function checkRadius(opt: Opt, requireMessageAuthenticator: boolean, account: Account): Promise<Finding[]> {
  const file = opt(RADIUS_OPTIONS.config) || DEFAULT_RADIUS_CONF;
  // It holds shared secrets: the fix is its owner, not a wider mode.
  const files: FileToTest[] = [{ what: 'config file', path: file, fix: `chown ${account.name ?? account.uid} ${file} (and keep it mode 0600: it holds shared secrets)` }];
  const passwd = opt(RADIUS_OPTIONS.passwd);
  if (passwd) files.push({ what: 'passwd file', path: passwd });
  const out = readable(files, account);
  let config;
  try {
    config = readRadiusConfig(file, (opt(RADIUS_OPTIONS.configFormat) || 'auto') as ConfigFormat | 'auto');
  } catch (err) {
    if (err instanceof CheckpasswordError && err.reason === 'config-error') {
      out.push({ ok: false, text: `${err.detail}: fix this line (the program refuses every login with 111 until then); see docs/checkpassword-radius.md` });
    } else if (out[0]!.ok) {
      out.push({ ok: false, text: `cannot parse ${file}: ${err instanceof CheckpasswordError ? err.detail : 'error'}` });
    }
    return out;
  }
  out.push({ ok: true, text: `${file} parsed: ${config.servers.length} server line${config.servers.length === 1 ? '' : 's'} (${config.format} format)` });
  for (const w of config.warnings) {
    out.push({ ok: false, text: /readable by group or others/.test(w) ? `${w}: chmod 600 ${file} and chown it to ${account.label}` : w });
  }
  let perServerMs = parseSeconds(DEFAULT_DEADLINE_S, '--deadline');
  try {
    perServerMs = parseSeconds(opt(RADIUS_OPTIONS.deadline) ?? DEFAULT_DEADLINE_S, '--deadline');
  } catch {
    out.push({ ok: false, text: '--deadline is not a number of seconds: the program exits 2 with it' });
  }
  const notes: string[] = [];
  let results;
  try {
    results = await askEachServer(config.servers, {
      nasIdentifier: opt(RADIUS_OPTIONS.nasIdentifier) || hostname(),
      perServerMs,
      bind: opt(RADIUS_OPTIONS.bind) || undefined,
      requireMessageAuthenticator,
      note: (m) => notes.push(m),
    });
  } catch (err) {
    out.push({ ok: false, text: `no server address to ask (${notes.join('; ') || (err as Error).message}): check the host names in ${file} and --bind` });
    return out;
  }
  for (const r of results) {
    out.push(
      r.answered
        ? { ok: true, text: `server ${r.target.label}: ${describeStatus(r)} (Status-Server)` }
        : {
            ok: false,
            text: `server ${r.target.label} does not answer a Status-Server: ${describeStatus(r)}; check that it runs, that this host is its client with the same secret, and that it answers Status-Server (FreeRADIUS: status_server = yes)`,
          },
    );
  }
  return out;
}

/** A file to test, and the fix when it is not readable, if not the usual one. */
interface FileToTest {
  what: string;
  path: string;
  fix?: string;
}

/** Tests each file as the account; a problem line says why and what to do. */
function readable(files: FileToTest[], account: Account, kind: (f: FileToTest) => 'read' | 'exec' = () => 'read'): Finding[] {
  if (files.length === 0) return [];
  const { results } = probeAs(
    account,
    files.map((f) => ({ kind: kind(f), path: f.path })),
  );
  return files.map((f, i): Finding => {
    const r = results[i]!;
    const verb = kind(f) === 'read' ? 'readable' : 'passable (x)';
    if (r.ok) return { ok: true, text: `${f.what} ${f.path} is ${verb} by ${account.label}` };
    if (r.error === 'ENOENT') return { ok: false, text: `${f.what} ${f.path} does not exist: create it, or give the right path in the program's options` };
    const own = ownership(f.path);
    const groupReadable = (own.mode & 0o040) !== 0;
    const fix =
      f.fix ??
      (groupReadable && own.group && account.name
        ? `add ${account.name} to group ${own.group} or run the auth process as root`
        : groupReadable && own.group
          ? `run it with group ${own.group}, or as root`
          : `make it readable by ${account.label} (a group it is in, chmod g+r; and every directory above it searchable) or run the auth process as root`);
    return { ok: false, text: `${f.what} ${f.path} is not ${verb} by ${account.label} (${own.text}; ${r.error}): ${fix}` };
  });
}

/** The domains of users/assign's `+domain-:real:uid:gid:dir:...` lines, each real domain once. */
function assignedDomains(text: string): { domain: string; dir: string }[] {
  const seen = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line[0] === '.') break;
    if (line[0] !== '+') continue;
    const f = line.slice(line.indexOf(':') + 1).split(':');
    if (f.length >= 4 && f[0] && f[3] && !seen.has(f[0])) seen.set(f[0], f[3]);
  }
  return [...seen].map(([domain, dir]) => ({ domain, dir }));
}

function newer(a: string, b: string): boolean {
  try {
    return statSync(a).mtimeMs > statSync(b).mtimeMs;
  } catch {
    return false;
  }
}
