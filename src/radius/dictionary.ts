// Names and value types of the common RADIUS attributes (RFC 2865, 2869, 3162, 5997), for the
// operator's tool: to print a reply's attributes by name and to take `--attr NAME=VALUE`.
// The login programs do not need it: they read Reply-Message only.

import { CODE, type Attribute } from './packet';
import { ipv4Bytes, ipv6Bytes } from './address';
import { SERVICE_TYPES } from './service-type';

/** How an attribute's value is written: RFC 8044 data types, the ones used here. */
export type ValueType = 'text' | 'string' | 'integer' | 'ipv4addr' | 'ipv6addr';

export interface AttributeDef {
  type: number;
  name: string;
  valueType: ValueType;
  /** Names of integer values, as FreeRADIUS's dictionaries spell them. */
  values?: Readonly<Record<string, number>>;
}

/** NAS-Port-Type values (RFC 2865 section 5.41), the common ones. */
const NAS_PORT_TYPES: Readonly<Record<string, number>> = { Async: 0, Sync: 1, ISDN: 2, Virtual: 5, Ethernet: 15, Wireless: 19 };
/** Framed-Protocol values (RFC 2865 section 5.7). */
const FRAMED_PROTOCOLS: Readonly<Record<string, number>> = { PPP: 1, SLIP: 2, ARAP: 3, 'Gandalf-SLML': 4, 'Xylogics-IPX-SLIP': 5, 'X.75-Synchronous': 6 };

/** The attributes known by name. */
const ATTRIBUTES: readonly AttributeDef[] = [
  { type: 1, name: 'User-Name', valueType: 'text' },
  { type: 2, name: 'User-Password', valueType: 'string' },
  { type: 4, name: 'NAS-IP-Address', valueType: 'ipv4addr' },
  { type: 5, name: 'NAS-Port', valueType: 'integer' },
  { type: 6, name: 'Service-Type', valueType: 'integer', values: SERVICE_TYPES },
  { type: 7, name: 'Framed-Protocol', valueType: 'integer', values: FRAMED_PROTOCOLS },
  { type: 8, name: 'Framed-IP-Address', valueType: 'ipv4addr' },
  { type: 9, name: 'Framed-IP-Netmask', valueType: 'ipv4addr' },
  { type: 11, name: 'Filter-Id', valueType: 'text' },
  { type: 12, name: 'Framed-MTU', valueType: 'integer' },
  { type: 18, name: 'Reply-Message', valueType: 'text' },
  { type: 24, name: 'State', valueType: 'string' },
  { type: 25, name: 'Class', valueType: 'string' },
  { type: 27, name: 'Session-Timeout', valueType: 'integer' },
  { type: 28, name: 'Idle-Timeout', valueType: 'integer' },
  { type: 30, name: 'Called-Station-Id', valueType: 'text' },
  { type: 31, name: 'Calling-Station-Id', valueType: 'text' },
  { type: 32, name: 'NAS-Identifier', valueType: 'text' },
  { type: 33, name: 'Proxy-State', valueType: 'string' },
  { type: 61, name: 'NAS-Port-Type', valueType: 'integer', values: NAS_PORT_TYPES },
  { type: 77, name: 'Connect-Info', valueType: 'text' },
  { type: 80, name: 'Message-Authenticator', valueType: 'string' },
  { type: 87, name: 'NAS-Port-Id', valueType: 'text' },
  { type: 95, name: 'NAS-IPv6-Address', valueType: 'ipv6addr' },
];

/** The definition of a type number, if known. */
function attributeDef(type: number): AttributeDef | undefined {
  return ATTRIBUTES.find((d) => d.type === type);
}

/**
 * An attribute as `Name = value` for a person: text quoted, integers by their value name with the
 * number, addresses dotted; an unknown type or a value that does not fit its type as type/hex.
 */
export function describeAttribute(a: Attribute): string {
  const def = attributeDef(a.type);
  const hex = `0x${a.value.toString('hex')}`;
  if (!def) return `Attribute-${a.type} = ${hex}`;
  switch (def.valueType) {
    case 'text': {
      const text = a.value.toString('utf8');
      // Shown quoted with escapes, so a server's control bytes cannot move the terminal's cursor.
      return Buffer.from(text, 'utf8').equals(a.value) ? `${def.name} = ${JSON.stringify(text)}` : `${def.name} = ${hex}`;
    }
    case 'integer': {
      if (a.value.length !== 4) return `${def.name} = ${hex} (not 4 octets)`;
      const n = a.value.readUInt32BE(0);
      const name = def.values && Object.entries(def.values).find(([, v]) => v === n)?.[0];
      return name ? `${def.name} = ${name} (${n})` : `${def.name} = ${n}`;
    }
    case 'ipv4addr':
      return a.value.length === 4 ? `${def.name} = ${[...a.value].join('.')}` : `${def.name} = ${hex} (not 4 octets)`;
    case 'ipv6addr':
      return a.value.length === 16 ? `${def.name} = ${ipv6Text(a.value)}` : `${def.name} = ${hex} (not 16 octets)`;
    case 'string':
      return `${def.name} = ${hex}`;
  }
}

/**
 * `NAME=VALUE` or `NUMBER=VALUE` as an attribute: NAME any case; VALUE per the type (an integer's
 * value name or number, an address, text), or `0x` hex for a type known by number only.
 * Throws an Error saying what is wrong.
 */
export function parseAttributeArgument(arg: string): Attribute {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`--attr ${JSON.stringify(arg)} is not NAME=VALUE`);
  const key = arg.slice(0, eq).trim();
  const value = arg.slice(eq + 1);
  const def = /^\d{1,3}$/.test(key) ? attributeDef(Number(key)) : ATTRIBUTES.find((d) => d.name.toLowerCase() === key.toLowerCase());
  if (!def) {
    if (!/^\d{1,3}$/.test(key) || Number(key) < 1 || Number(key) > 255) throw new Error(`unknown attribute ${JSON.stringify(key)} (a name such as Called-Station-Id, or a number 1-255)`);
    return { type: Number(key), value: hexValue(value, key) };
  }
  if (/^0x/i.test(value) && def.valueType !== 'text') return { type: def.type, value: hexValue(value, def.name) };
  switch (def.valueType) {
    case 'text':
      return { type: def.type, value: Buffer.from(value, 'utf8') };
    case 'string':
      return { type: def.type, value: hexValue(value, def.name) };
    case 'integer': {
      const named = def.values && Object.entries(def.values).find(([k]) => k.toLowerCase() === value.toLowerCase())?.[1];
      const n = named ?? (/^\d{1,10}$/.test(value) ? Number(value) : NaN);
      if (!(n >= 0 && n <= 0xffffffff)) throw new Error(`${def.name} needs a number${def.values ? ' or a value name' : ''}, not ${JSON.stringify(value)}`);
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n);
      return { type: def.type, value: b };
    }
    case 'ipv4addr': {
      const b = ipv4Bytes(value);
      if (!b) throw new Error(`${def.name} needs an IPv4 address, not ${JSON.stringify(value)}`);
      return { type: def.type, value: b };
    }
    case 'ipv6addr': {
      const b = ipv6Bytes(value);
      if (!b) throw new Error(`${def.name} needs an IPv6 address, not ${JSON.stringify(value)}`);
      return { type: def.type, value: b };
    }
  }
}

/** The name of an answer's code. */
export function codeName(code: number): string {
  switch (code) {
    case CODE.accessAccept:
      return 'Access-Accept';
    case CODE.accessReject:
      return 'Access-Reject';
    case CODE.accessChallenge:
      return 'Access-Challenge';
    default:
      return `code ${code}`;
  }
}

function hexValue(value: string, what: string): Buffer {
  if (!/^0x([0-9a-f]{2})*$/i.test(value)) throw new Error(`${what} needs a 0x-prefixed hex value, not ${JSON.stringify(value)}`);
  return Buffer.from(value.slice(2), 'hex');
}

function ipv6Text(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}
