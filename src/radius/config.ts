// The RADIUS servers to ask, from a radius.conf(5) file (FreeBSD libradius, as radcheckpassword
// read it) or a pam_radius_auth.conf file. Parsing only: no names are resolved here.
// Errors name the file and line, never a field's text: a misplaced secret must not reach a log.

import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { TemporaryFailure } from '../exit';
import { ipFamily } from './address';

/** One server line. */
export interface ServerEntry {
  /** A host name, an IPv4 address or an IPv6 address (without brackets). */
  host: string;
  port: number;
  secret: Buffer;
  /** How long to wait for an answer to each try, in milliseconds. */
  timeoutMs: number;
  /** How many times to send the request to this server in all (not retries). */
  tries: number;
  /** The local address to send from, if the line names one. */
  bind?: string;
  /** Discard this server's answers that carry no Message-Authenticator. */
  requireMessageAuthenticator: boolean;
  /** Where the line is, for log lines: `file:line`. */
  where: string;
}

export type ConfigFormat = 'radius.conf' | 'pam_radius';

/** A parsed file: its servers (file order) and what the operator should hear about it. */
export interface RadiusConfig {
  format: ConfigFormat;
  servers: ServerEntry[];
  warnings: string[];
}

/** The RADIUS authentication port when a line names none. */
export const DEFAULT_PORT = 1812;

/** radius.conf(5)'s defaults: 3 seconds, 3 tries. */
const RADIUS_CONF_TIMEOUT_S = 3;
const RADIUS_CONF_TRIES = 3;
/** pam_radius: timeout 3 s, clamped to 3..60; one send per server (its retry= option, default 0). */
const PAM_TIMEOUT_S = 3;
const PAM_TIMEOUT_MIN_S = 3;
const PAM_TIMEOUT_MAX_S = 60;
const PAM_TRIES = 1;
/** libradius's line limit. */
const MAX_LINE = 1024;

/**
 * Reads and parses a config file. `format` 'auto' looks at the file (see detectFormat).
 * Missing, unreadable, malformed or without an auth server: TemporaryFailure (111).
 */
export function readRadiusConfig(file: string, format: ConfigFormat | 'auto'): RadiusConfig {
  const held = readSecretHolder(file, 'shared secrets');
  const text = held.data.toString('latin1');
  const chosen = format === 'auto' ? detectFormat(file, text) : format;
  const config = parseRadiusConfig(text, file, chosen);
  if (held.modeWarning !== null) config.warnings.push(held.modeWarning);
  return config;
}

/**
 * A file that holds `what` (shared secrets, a shared secret), read through one descriptor, and a
 * warning when its mode lets group or others read it. Missing or unreadable: TemporaryFailure.
 */
export function readSecretHolder(file: string, what: string): { data: Buffer; modeWarning: string | null } {
  let data: Buffer;
  let mode: number;
  try {
    const fd = openSync(file, 'r');
    try {
      mode = fstatSync(fd).mode;
      data = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new TemporaryFailure('config-unreadable', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const modeWarning = (mode & 0o077) !== 0 ? `${file} holds ${what} and is readable by group or others (mode ${(mode & 0o777).toString(8)})` : null;
  return { data, modeWarning };
}

/** Parses the text of a config file in the given format. */
export function parseRadiusConfig(text: string, file: string, format: ConfigFormat): RadiusConfig {
  const config: RadiusConfig = { format, servers: [], warnings: [] };
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    const where = `${file}:${i + 1}`;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length > MAX_LINE) throw configError(where, `line longer than ${MAX_LINE} characters`);
    const fields = format === 'radius.conf' ? splitRadiusConf(line, where) : splitPam(line);
    if (fields.length === 0) return;
    const entry = format === 'radius.conf' ? radiusConfEntry(fields, where) : pamEntry(fields, where, config.warnings);
    if (entry) config.servers.push(entry);
  });
  if (config.servers.length === 0) throw configError(file, 'no authentication server in the file');
  return config;
}

/**
 * Which format a file is in: pam_radius when its name says so (pam_radius_auth.conf); radius.conf
 * when any line starts with `auth`/`acct` or has a quoted field; pam_radius when any line's 4th
 * field is not a number from 1 (pam's source_ip or 0, where radius.conf has its tries); else
 * radius.conf.
 * Lines that fit both read the same but for the tries (3 vs 1) and pam's 3..60 s timeout clamp.
 */
export function detectFormat(file: string, text: string): ConfigFormat {
  if (/pam_radius/.test(file.slice(file.lastIndexOf('/') + 1))) return 'pam_radius';
  let pamHint = false;
  for (const raw of text.split('\n')) {
    const all = splitPam(raw.replace(/\r$/, '')).filter((f) => !isKeyword(f));
    // From the timeout on, a field starting with `#` is radius.conf's comment (to pam it would be a
    // bad timeout or source_ip), so it and what follows are not the 4th field looked at below.
    const comment = all.findIndex((f, i) => i >= 2 && f.startsWith('#'));
    const fields = comment < 0 ? all : all.slice(0, comment);
    if (fields.length === 0) continue;
    if (fields[0] === 'auth' || fields[0] === 'acct' || fields.some((f) => f.startsWith('"'))) return 'radius.conf';
    // radius.conf's 4th field is its tries, a number from 1; pam's is a source_ip, or 0 for none.
    if (fields.length >= 4 && (!/^\d+$/.test(fields[3]!) || Number(fields[3]) === 0)) pamHint = true;
  }
  return pamHint ? 'pam_radius' : 'radius.conf';
}

/**
 * radius.conf(5) fields: white space separates them; `#` at the start of a field begins a comment;
 * a field may be double-quoted (only `\"` and `\\` escapes, not empty, followed by white space).
 */
export function splitRadiusConf(line: string, where: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= line.length || line[i] === '#') return fields;
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= line.length) throw configError(where, 'unterminated quoted string');
        const c = line[i]!;
        if (c === '"') break;
        if (c === '\\') {
          const next = line[i + 1];
          if (next !== '"' && next !== '\\') throw configError(where, 'invalid backslash escape in a quoted string');
          value += next;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      if (value === '') throw configError(where, 'empty quoted string not permitted');
      if (i < line.length && line[i] !== ' ' && line[i] !== '\t') throw configError(where, 'quoted string not followed by white space');
      // Marked so that a quoted keyword stays a value.
      fields.push(QUOTED + value);
      continue;
    }
    const start = i;
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') i++;
    fields.push(line.slice(start, i));
  }
}

/** pam_radius fields: white space separated, no quoting; a line starting with `#` is a comment. */
function splitPam(line: string): string[] {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return [];
  return trimmed.split(/[ \t]+/);
}

const QUOTED = '\u0000';
const unquote = (f: string): string => (f.startsWith(QUOTED) ? f.slice(1) : f);

/** Our extension: `require-message-authenticator` (or with `_`) after the secret, in either format. */
function isKeyword(field: string): boolean {
  return /^require[-_]message[-_]authenticator$/i.test(field);
}

/** Takes the extension keywords out of the fields after host and secret. */
function takeKeywords(fields: string[]): { positional: string[]; requireMessageAuthenticator: boolean } {
  const head = fields.slice(0, 2);
  const rest = fields.slice(2);
  const keywords = rest.filter(isKeyword);
  return { positional: [...head, ...rest.filter((f) => !isKeyword(f))], requireMessageAuthenticator: keywords.length > 0 };
}

/** `[auth|acct] host[:port] secret [timeout [tries [deadtime [bindaddr]]]]`; acct lines are skipped. */
function radiusConfEntry(raw: string[], where: string): ServerEntry | null {
  let fields = raw;
  const service = unquote(fields[0]!);
  if (!fields[0]!.startsWith(QUOTED) && (service === 'auth' || service === 'acct')) {
    if (service === 'acct') return null;
    fields = fields.slice(1);
  }
  const { positional, requireMessageAuthenticator } = takeKeywords(fields);
  const [hostPort, secret, timeout, tries, deadtime, bind, ...extra] = positional.map(unquote);
  if (hostPort === undefined) throw configError(where, 'missing host');
  if (secret === undefined) throw configError(where, 'missing shared secret');
  if (extra.length > 0) throw configError(where, 'line has too many fields');
  const { host, port } = parseHostPort(hostPort, where);
  if (deadtime !== undefined && !/^\d+$/.test(deadtime)) throw configError(where, 'field "deadtime" is not a number');
  return {
    host,
    port,
    secret: Buffer.from(secret, 'latin1'),
    timeoutMs: timeout === undefined ? RADIUS_CONF_TIMEOUT_S * 1000 : parseSeconds(timeout, where),
    tries: tries === undefined ? RADIUS_CONF_TRIES : parseTries(tries, where),
    ...(bind !== undefined ? { bind: parseBindAddress(bind, where) } : {}),
    requireMessageAuthenticator,
    where,
  };
}

/** `server[:port] secret [timeout [source_ip [vrf]]]`, as pam_radius_auth reads it. */
function pamEntry(fields: string[], where: string, warnings: string[]): ServerEntry | null {
  const { positional, requireMessageAuthenticator } = takeKeywords(fields);
  const [hostPort, secret, timeout, sourceIp, vrf] = positional;
  if (secret === undefined) throw configError(where, 'missing shared secret');
  const { host, port } = parseHostPort(hostPort!, where);
  let seconds = PAM_TIMEOUT_S;
  if (timeout !== undefined) {
    if (!/^\d+$/.test(timeout)) throw configError(where, 'field "timeout" is not a number');
    seconds = Math.min(PAM_TIMEOUT_MAX_S, Math.max(PAM_TIMEOUT_MIN_S, Number(timeout)));
  }
  if (vrf !== undefined) warnings.push(`${where}: vrf is not supported and is ignored`);
  return {
    host,
    port,
    secret: Buffer.from(secret, 'latin1'),
    timeoutMs: seconds * 1000,
    tries: PAM_TRIES,
    ...(sourceIp !== undefined && sourceIp !== '0' ? { bind: parseBindAddress(sourceIp, where) } : {}),
    requireMessageAuthenticator,
    where,
  };
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address (no port). */
export function parseHostPort(text: string, where: string): { host: string; port: number } {
  let host: string;
  let port: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw configError(where, 'unclosed [ in the host');
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw configError(where, 'bad text after ] in the host');
      port = rest.slice(1);
    }
  } else if (text.indexOf(':') !== text.lastIndexOf(':')) {
    host = text;
  } else {
    const colon = text.indexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    port = colon < 0 ? undefined : text.slice(colon + 1);
  }
  if (host === '' || !/^[0-9A-Za-z._:%-]+$/.test(host)) throw configError(where, 'bad host');
  return { host, port: port === undefined ? DEFAULT_PORT : parsePort(port, where) };
}

function parsePort(text: string, where: string): number {
  if (text === 'radius') return DEFAULT_PORT;
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw configError(where, 'bad port');
  return Number(text);
}

/** A positive number of seconds; fractions allowed (libradius takes whole seconds only). */
export function parseSeconds(text: string, where: string, what = 'timeout'): number {
  const ms = /^\d+(\.\d+)?$/.test(text) ? Math.round(Number(text) * 1000) : 0;
  if (ms < 1 || ms > MAX_SECONDS * 1000) throw configError(where, `field "${what}" is not a number of seconds from 0.001 to ${MAX_SECONDS}`);
  return ms;
}

/** The longest timeout or deadline taken: an hour is already far past any mail client's patience. */
const MAX_SECONDS = 3600;

function parseTries(text: string, where: string): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1) throw configError(where, 'field "tries" is not a whole number from 1');
  return Number(text);
}

/** A local address to send from: an IPv4 or IPv6 literal (`[v6]` allowed). */
export function parseBindAddress(text: string, where: string): string {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (ipFamily(bare) === 0) throw configError(where, 'bind address is not an IP address');
  return bare;
}

function configError(where: string, what: string): TemporaryFailure {
  return new TemporaryFailure('config-error', `${where}: ${what}`);
}
