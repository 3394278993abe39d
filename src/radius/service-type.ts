// The Service-Type attribute's values (RFC 2865 section 5.6, RFC 5176, RFC 5607) by the names
// FreeRADIUS's dictionaries give them, and the --service-type option's parser.

import { Misuse } from '../exit';

/** FreeRADIUS dictionary names and their numbers. */
export const SERVICE_TYPES: Readonly<Record<string, number>> = {
  'Login-User': 1,
  'Framed-User': 2,
  'Callback-Login-User': 3,
  'Callback-Framed-User': 4,
  'Outbound-User': 5,
  'Administrative-User': 6,
  'NAS-Prompt-User': 7,
  'Authenticate-Only': 8,
  'Callback-NAS-Prompt': 9,
  'Call-Check': 10,
  'Callback-Administrative': 11,
  'Authorize-Only': 17,
  'Framed-Management': 18,
};

/** radcheckpassword's value, and ours by default. */
export const DEFAULT_SERVICE_TYPE = SERVICE_TYPES['Login-User']!;

/**
 * A Service-Type by name (any case, `_` for `-`, `Login` for `Login-User`) or number 1-4294967295;
 * `none` sends no Service-Type; absent or empty is the default. Anything else is misuse.
 */
export function parseServiceType(value: string | undefined): number | null {
  const v = (value ?? '').trim();
  if (v === '') return DEFAULT_SERVICE_TYPE;
  if (v.toLowerCase() === 'none') return null;
  if (/^\d{1,10}$/.test(v)) {
    const n = Number(v);
    if (n >= 1 && n <= 0xffffffff) return n;
  }
  const wanted = v.toLowerCase().replace(/_/g, '-');
  for (const [name, n] of Object.entries(SERVICE_TYPES)) {
    const lower = name.toLowerCase();
    if (lower === wanted || lower === `${wanted}-user`) return n;
  }
  throw new Misuse('bad-option', `unknown Service-Type ${JSON.stringify(value)} (a name such as Login-User, a number, or none)`);
}

/** The name of a Service-Type number, for logs and docs. */
export function serviceTypeName(n: number | null): string {
  if (n === null) return 'none';
  return Object.entries(SERVICE_TYPES).find(([, v]) => v === n)?.[0] ?? String(n);
}
