// The RADIUS backend of checkpassword-radius (radcheckpassword): one Access-Request per login,
// sent to the configured servers in order; a verified Access-Accept is the only yes.
// It keeps no accounts: the program decides who prog runs as.

import { TemporaryFailure } from '../exit';
import type { LoginRequest } from '../protocol/fd3';
import type { Backend, Verdict } from './backend';
import type { ServerEntry } from '../radius/config';
import { ATTR, CODE, MAX_ATTRIBUTE_VALUE, MAX_PASSWORD, NAS_PORT_TYPE_VIRTUAL, attributeValue, encodeAccessRequest, type Attribute } from '../radius/packet';
import { askServers, type Answer } from '../radius/exchange';
import { resolveSomeTargets, type Target, type TargetOptions } from '../radius/targets';
import { ipv4Bytes, ipv6Bytes } from '../radius/address';
import { randomBytes } from '../random';
import { monotonicMs } from '../clock';
import { localTransport } from '../radius/local-transport';

export interface RadiusSettings extends TargetOptions {
  servers: readonly ServerEntry[];
  /** The Service-Type to send, or null for none. */
  serviceType: number | null;
  nasIdentifier: string;
  /** Calling-Station-Id: the client's address (TCPREMOTEIP), when known. */
  callingStationId?: string | undefined;
  /** The whole attempt's budget, name resolution included, in milliseconds. */
  deadlineMs: number;
  /** Where ignored answers, dead servers and other operator notes go. */
  note: (message: string) => void;
  /** Sent after all of the above (checkpassword-tool radius test --attr); the programs send none. */
  extraAttributes?: readonly Attribute[];
}

/** The backend over a list of RADIUS servers. */
export function radiusBackend(settings: RadiusSettings): Backend {
  return {
    async verify({ login, password }: LoginRequest): Promise<Verdict> {
      const bad = badLogin(login);
      if (bad) return { kind: 'denied', reason: 'bad-login', detail: bad };
      if (password.length > MAX_PASSWORD) {
        return { kind: 'denied', reason: 'password-too-long', detail: `RADIUS carries at most ${MAX_PASSWORD} bytes, got ${password.length}` };
      }
      return verdictOf(await askRadius(settings, login, password));
    },
  };
}

/**
 * One login's Access-Request to the servers in turn: the first verified answer, whatever its code.
 * No server address, or no verified answer by the deadline: TemporaryFailure. The backend and
 * checkpassword-tool's `radius test` both go through here.
 */
export async function askRadius(settings: RadiusSettings, login: Buffer, password: Buffer): Promise<Answer> {
  const deadlineAt = monotonicMs() + settings.deadlineMs;
  const answer = await withinDeadline(
    (async () => {
      const targets = await resolveSomeTargets(settings.servers, settings, settings.note);
      return askServers(targets, (target, local) => accessRequest(target, local, login, password, settings), deadlineAt, settings.note, localTransport());
    })(),
    deadlineAt,
  );
  if (!('response' in answer)) {
    throw new TemporaryFailure(
      'radius-no-answer',
      answer.why === 'deadline' ? `no verified answer within the deadline (${settings.deadlineMs / 1000} s)` : 'no server gave a verified answer',
    );
  }
  return answer;
}

/**
 * Why a login is not sent at all: empty, longer than User-Name holds, control bytes, or not UTF-8
 * (RFC 2865 section 5.1; it becomes prog's USER, and perhaps a path with --home %u).
 */
export function badLogin(login: Buffer): string | null {
  if (login.length === 0) return 'empty login';
  if (login.length > MAX_ATTRIBUTE_VALUE) return `login longer than ${MAX_ATTRIBUTE_VALUE} bytes`;
  if (login.some((b) => b < 0x20 || b === 0x7f)) return 'control characters in the login';
  if (!Buffer.from(login.toString('utf8'), 'utf8').equals(login)) return 'login is not UTF-8';
  return null;
}

/** What a verified answer means: Accept is ok; Reject and Challenge (RFC 2865 section 4.4) refuse. */
function verdictOf({ response, target }: Answer): Verdict {
  const by = `from ${target.label}${response.messageAuthenticator ? '' : ' without Message-Authenticator'}`;
  if (response.code === CODE.accessAccept) {
    return { kind: 'ok', method: response.messageAuthenticator ? 'radius' : 'radius-legacy' };
  }
  const reply = attributeValue(response.attributes, ATTR.replyMessage);
  const said = reply ? `; Reply-Message '${reply.subarray(0, 100).toString('latin1')}'` : '';
  if (response.code === CODE.accessChallenge) {
    return { kind: 'denied', reason: 'radius-challenge', detail: `Access-Challenge ${by} (challenges are not supported)${said}` };
  }
  return { kind: 'denied', reason: 'radius-reject', detail: `Access-Reject ${by}${said}` };
}

/** One Access-Request for one target: fresh Identifier and Request Authenticator, its secret. */
function accessRequest(target: Target, local: string, login: Buffer, password: Buffer, settings: RadiusSettings): Buffer {
  const attributes: Attribute[] = [];
  if (settings.serviceType !== null) attributes.push({ type: ATTR.serviceType, value: uint32(settings.serviceType) });
  attributes.push({ type: ATTR.nasIdentifier, value: Buffer.from(settings.nasIdentifier, 'utf8').subarray(0, MAX_ATTRIBUTE_VALUE) });
  const nasIp = target.family === 6 ? ipv6Bytes(local.replace(/%.*$/, '')) : ipv4Bytes(local);
  if (nasIp && nasIp.some((b) => b !== 0)) {
    attributes.push({ type: target.family === 6 ? ATTR.nasIpv6Address : ATTR.nasIpAddress, value: nasIp });
  }
  attributes.push({ type: ATTR.nasPortType, value: uint32(NAS_PORT_TYPE_VIRTUAL) });
  if (settings.callingStationId) {
    attributes.push({ type: ATTR.callingStationId, value: Buffer.from(settings.callingStationId, 'utf8').subarray(0, MAX_ATTRIBUTE_VALUE) });
  }
  if (settings.extraAttributes) attributes.push(...settings.extraAttributes);
  const random = randomBytes(17);
  return encodeAccessRequest({
    identifier: random[16]!,
    authenticator: random.subarray(0, 16),
    secret: target.secret,
    userName: login,
    password,
    attributes,
  });
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** The work's result, or NoAnswer 'deadline' when the deadline comes first (a hung resolver too). */
function withinDeadline<T>(work: Promise<T>, deadlineAt: number): Promise<T | { why: 'deadline' }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<{ why: 'deadline' }>((resolve) => {
    timer = setTimeout(() => resolve({ why: 'deadline' }), Math.max(0, deadlineAt - monotonicMs()));
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
