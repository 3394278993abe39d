// RADIUS packets for one Access-Request and its answer: RFC 2865 sections 3 and 5.2, and the
// Message-Authenticator of RFC 3579 section 3.2, placed first (BlastRADIUS, CVE-2024-3596).
// Our own codec, not the npm `radius` package: docs/checkpassword-radius.md says why.
// Digests are compared as raw bytes in constant time (equalBytes), never as strings.

import { equalBytes } from '../crypt/constant-time';
import { hmacMd5, md5 } from './md5';

/** Packet codes (RFC 2865 section 3). */
export const CODE = {
  accessRequest: 1,
  accessAccept: 2,
  accessReject: 3,
  accessChallenge: 11,
  /** RFC 5997: "are you alive?", answered with an Access-Accept on an authentication port. */
  statusServer: 12,
} as const;

/** The attribute types this client sends or reads. */
export const ATTR = {
  userName: 1,
  userPassword: 2,
  nasIpAddress: 4,
  serviceType: 6,
  replyMessage: 18,
  callingStationId: 31,
  nasIdentifier: 32,
  nasPortType: 61,
  messageAuthenticator: 80,
  nasIpv6Address: 95,
} as const;

/** NAS-Port-Type Virtual (RFC 2865 section 5.41): a login over a network connection. */
export const NAS_PORT_TYPE_VIRTUAL = 5;

/** The longest password User-Password can carry (RFC 2865 section 5.2: 16 to 128 octets). */
export const MAX_PASSWORD = 128;

/** The longest value of one attribute. */
export const MAX_ATTRIBUTE_VALUE = 253;

const HEADER = 20;
const MIN_PACKET = 20;
const MAX_PACKET = 4096;
const MA_LENGTH = 18;

export interface Attribute {
  type: number;
  value: Buffer;
}

/** What goes into one Access-Request. The password is hidden with the secret, never sent as is. */
export interface AccessRequest {
  identifier: number;
  /** 16 random octets: the Request Authenticator. */
  authenticator: Buffer;
  secret: Buffer;
  userName: Buffer;
  password: Buffer;
  /** Everything after User-Name and User-Password, in order. */
  attributes: Attribute[];
}

/**
 * The Access-Request as sent: Message-Authenticator first (its HMAC over the whole packet),
 * then User-Name, User-Password, the rest. Throws RangeError for a password over 128 bytes or
 * a packet over 4096 (callers refuse those first).
 */
export function encodeAccessRequest(req: AccessRequest): Buffer {
  if (req.authenticator.length !== 16) throw new RangeError('the Request Authenticator is 16 bytes');
  const hidden = hidePassword(req.password, req.secret, req.authenticator);
  try {
    return encodeSigned(CODE.accessRequest, req, [
      { type: ATTR.userName, value: req.userName },
      { type: ATTR.userPassword, value: hidden },
      ...req.attributes,
    ]);
  } finally {
    hidden.fill(0);
  }
}

/** What goes into one Status-Server request (RFC 5997 section 3): no user, no password. */
export interface StatusServerRequest {
  identifier: number;
  /** 16 random octets: the Request Authenticator. */
  authenticator: Buffer;
  secret: Buffer;
  /** After the Message-Authenticator, in order (NAS-Identifier, say). */
  attributes: Attribute[];
}

/**
 * A Status-Server request as sent: Message-Authenticator first (RFC 5997 section 3 requires it),
 * then the attributes. Its answer is checked by checkResponse like an Access-Request's.
 */
export function encodeStatusServer(req: StatusServerRequest): Buffer {
  return encodeSigned(CODE.statusServer, req, req.attributes);
}

/** A request with Message-Authenticator first and its HMAC over the whole packet. */
function encodeSigned(code: number, req: { identifier: number; authenticator: Buffer; secret: Buffer }, rest: Attribute[]): Buffer {
  if (req.authenticator.length !== 16) throw new RangeError('the Request Authenticator is 16 bytes');
  const attrs: Attribute[] = [{ type: ATTR.messageAuthenticator, value: Buffer.alloc(16) }, ...rest];
  let length = HEADER;
  for (const a of attrs) {
    if (a.value.length > MAX_ATTRIBUTE_VALUE) throw new RangeError(`attribute ${a.type} is longer than 253 bytes`);
    length += 2 + a.value.length;
  }
  if (length > MAX_PACKET) throw new RangeError('the request is longer than 4096 bytes');
  const packet = Buffer.alloc(length);
  packet[0] = code;
  packet[1] = req.identifier & 0xff;
  packet.writeUInt16BE(length, 2);
  req.authenticator.copy(packet, 4);
  let at = HEADER;
  for (const a of attrs) {
    packet[at] = a.type;
    packet[at + 1] = 2 + a.value.length;
    a.value.copy(packet, at + 2);
    at += 2 + a.value.length;
  }
  // The Message-Authenticator is the first attribute: its value starts at byte 22.
  hmacMd5(req.secret, packet).copy(packet, HEADER + 2);
  return packet;
}

/**
 * User-Password per RFC 2865 section 5.2: the password padded with NULs to a multiple of 16
 * (an empty one to 16 NULs, never a zero-length attribute), each block XORed with
 * MD5(secret + previous block), the first with the Request Authenticator.
 */
export function hidePassword(password: Buffer, secret: Buffer, authenticator: Buffer): Buffer {
  if (password.length > MAX_PASSWORD) throw new RangeError('a RADIUS password is at most 128 bytes');
  const length = Math.max(16, Math.ceil(password.length / 16) * 16);
  const out = Buffer.alloc(length);
  password.copy(out);
  let previous = authenticator;
  for (let at = 0; at < length; at += 16) {
    const b = md5(secret, previous);
    for (let i = 0; i < 16; i++) out[at + i]! ^= b[i]!;
    // b XOR the hidden block is the password: not left in memory.
    b.fill(0);
    previous = out.subarray(at, at + 16);
  }
  return out;
}

/** A verified answer. */
export interface Response {
  code: number;
  attributes: Attribute[];
  /** Whether it carried a (verified) Message-Authenticator. */
  messageAuthenticator: boolean;
}

/** Either the verified answer, or why the datagram was discarded. */
export type Checked = { ok: true; response: Response } | { ok: false; why: string };

/**
 * Checks a datagram against the request it should answer (RFC 2865 section 3, RFC 3579 section
 * 3.2, draft-ietf-radext-deprecating-radius section 5.3.7): length, Identifier, code, attribute
 * bounds, Message-Authenticator required or not, Response Authenticator, Message-Authenticator.
 * Digests are compared as raw bytes in constant time. A failing datagram is to be ignored.
 */
export function checkResponse(datagram: Buffer, request: Buffer, secret: Buffer, requireMessageAuthenticator: boolean): Checked {
  if (datagram.length < MIN_PACKET) return { ok: false, why: 'shorter than a RADIUS header' };
  const length = datagram.readUInt16BE(2);
  if (length < MIN_PACKET || length > MAX_PACKET) return { ok: false, why: `bad Length ${length}` };
  if (length > datagram.length) return { ok: false, why: 'shorter than its Length' };
  // Octets past Length are padding (RFC 2865 section 3): not part of the packet.
  const packet = datagram.subarray(0, length);
  if (packet[1] !== request[1]) return { ok: false, why: 'wrong Identifier' };
  const code = packet[0]!;
  if (code !== CODE.accessAccept && code !== CODE.accessReject && code !== CODE.accessChallenge) {
    return { ok: false, why: `unexpected code ${code}` };
  }
  const parsed = parseAttributes(packet);
  if (typeof parsed === 'string') return { ok: false, why: parsed };

  const mas = parsed.filter((a) => a.attribute.type === ATTR.messageAuthenticator);
  if (mas.length > 1) return { ok: false, why: 'more than one Message-Authenticator' };
  const ma = mas[0];
  if (ma && ma.attribute.value.length !== 16) return { ok: false, why: 'Message-Authenticator of a wrong length' };
  if (!ma && requireMessageAuthenticator) return { ok: false, why: 'no Message-Authenticator (required)' };

  const expected = md5(packet.subarray(0, 4), request.subarray(4, HEADER), packet.subarray(HEADER), secret);
  if (!equalBytes(expected, packet.subarray(4, HEADER))) return { ok: false, why: 'bad Response Authenticator' };

  if (ma) {
    const copy = Buffer.from(packet);
    request.copy(copy, 4, 4, HEADER);
    copy.fill(0, ma.offset + 2, ma.offset + MA_LENGTH);
    if (!equalBytes(hmacMd5(secret, copy), ma.attribute.value)) return { ok: false, why: 'bad Message-Authenticator' };
  }
  return { ok: true, response: { code, attributes: parsed.map((a) => a.attribute), messageAuthenticator: ma !== undefined } };
}

/** The attributes of a packet whose Length is already checked, or why they do not fit. */
function parseAttributes(packet: Buffer): { attribute: Attribute; offset: number }[] | string {
  const out: { attribute: Attribute; offset: number }[] = [];
  let at = HEADER;
  while (at < packet.length) {
    if (at + 2 > packet.length) return 'attribute header past the end';
    const len = packet[at + 1]!;
    if (len < 2) return `attribute of length ${len}`;
    if (at + len > packet.length) return 'attribute past the end';
    // Copied: the caller's datagram buffer is not kept alive through the answer.
    out.push({ attribute: { type: packet[at]!, value: Buffer.from(packet.subarray(at + 2, at + len)) }, offset: at });
    at += len;
  }
  return out;
}

/** The first value of an attribute type, if any. */
export function attributeValue(attributes: readonly Attribute[], type: number): Buffer | undefined {
  return attributes.find((a) => a.type === type)?.value;
}
