// The tool's RADIUS attribute names (src/radius/dictionary.ts) and the Status-Server request
// (src/radius/packet.ts encodeStatusServer), the latter checked by the npm `radius` package.

import radius_ from 'radius';
import { describe, expect, it } from 'vitest';
import { describeAttribute, parseAttributeArgument } from '../../src/radius/dictionary';
import { encodeStatusServer } from '../../src/radius/packet';

describe('describeAttribute: a reply attribute by name', () => {
  it.each([
    [{ type: 18, value: Buffer.from('go away') }, 'Reply-Message = "go away"'],
    [{ type: 18, value: Buffer.from('a\x1b[2Jb') }, 'Reply-Message = "a\\u001b[2Jb"'],
    [{ type: 18, value: Buffer.from([0xff, 0xfe]) }, 'Reply-Message = 0xfffe'],
    [{ type: 6, value: Buffer.from([0, 0, 0, 2]) }, 'Service-Type = Framed-User (2)'],
    [{ type: 6, value: Buffer.from([0, 0, 0, 99]) }, 'Service-Type = 99'],
    [{ type: 6, value: Buffer.from([1]) }, 'Service-Type = 0x01 (not 4 octets)'],
    [{ type: 8, value: Buffer.from([10, 0, 0, 1]) }, 'Framed-IP-Address = 10.0.0.1'],
    [{ type: 95, value: Buffer.from('20010db8000000000000000000000001', 'hex') }, 'NAS-IPv6-Address = 2001:db8::1'],
    [{ type: 24, value: Buffer.from([1]) }, 'State = 0x01'],
    [{ type: 200, value: Buffer.from('hi') }, 'Attribute-200 = 0x6869'],
  ])('%o is %s', (attribute, text) => {
    expect(describeAttribute(attribute)).toBe(text);
  });
});

describe('parseAttributeArgument: --attr NAME=VALUE', () => {
  it.each([
    ['Called-Station-Id=mx.example.org', 30, Buffer.from('mx.example.org')],
    ['called-station-id=x', 30, Buffer.from('x')],
    ['NAS-Port=7', 5, Buffer.from([0, 0, 0, 7])],
    ['Framed-Protocol=PPP', 7, Buffer.from([0, 0, 0, 1])],
    ['Framed-IP-Address=192.0.2.1', 8, Buffer.from([192, 0, 2, 1])],
    ['26=0x000001370102', 26, Buffer.from('000001370102', 'hex')],
    ['State=0xab', 24, Buffer.from([0xab])],
  ])('%s', (arg, type, value) => {
    expect(parseAttributeArgument(arg)).toEqual({ type, value });
  });

  it.each(['Called-Station-Id', '=x', 'No-Such-Name=1', 'NAS-Port=seven', 'Framed-IP-Address=300.1.1.1', '26=plain', '256=0x01', 'State=ab'])(
    '%s is refused',
    (arg) => {
      expect(() => parseAttributeArgument(arg)).toThrow();
    },
  );
});

describe('encodeStatusServer (RFC 5997)', () => {
  it('is code 12 with a Message-Authenticator first that npm radius verifies with the secret, and fails with another', () => {
    const packet = encodeStatusServer({
      identifier: 7,
      authenticator: Buffer.alloc(16, 0x5a),
      secret: Buffer.from('s3cret'),
      attributes: [{ type: 32, value: Buffer.from('mx1') }],
    });
    expect(packet[0]).toBe(12);
    expect(packet[1]).toBe(7);
    expect(packet[20]).toBe(80);
    const decoded = radius_.decode({ packet, secret: 's3cret' });
    expect(decoded.code).toBe('Status-Server');
    expect(decoded.attributes['NAS-Identifier']).toBe('mx1');
    expect(() => radius_.decode({ packet, secret: 'other' })).toThrow();
  });
});
