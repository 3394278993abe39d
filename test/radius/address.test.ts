import { BlockList, isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ipFamily, ipv4Bytes, ipv6Bytes } from '../../src/radius/address';

/** Whether Node's own parser (inet_pton, through BlockList) reads `text` as exactly these bytes. */
function nodeReadsAs(text: string, bytes: Buffer): boolean {
  const list = new BlockList();
  if (bytes.length === 4) {
    list.addAddress([...bytes].join('.'), 'ipv4');
    return list.check(text, 'ipv4');
  }
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16).padStart(4, '0'));
  list.addAddress(groups.join(':'), 'ipv6');
  return list.check(text, 'ipv6');
}

/** The same bytes with the last bit flipped: Node must not read `text` as these. */
function neighbour(bytes: Buffer): Buffer {
  const b = Buffer.from(bytes);
  b[b.length - 1] = b[b.length - 1]! ^ 1;
  return b;
}

const GOOD_V4 = ['192.0.2.1', '0.0.0.0', '255.255.255.255', '10.0.0.10', '127.0.0.1'];
const BAD_V4 = ['256.0.0.1', '1.2.3.256', '1.2.3', '1.2.3.', '1.2.3.4.5', '', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.-1', 'a.b.c.d', '1..2.3', '1.2.3.0x4', '010.0.0.1', '1.2.3.04'];
const GOOD_V6 = [
  '::1',
  '::',
  '2001:0db8:0000:0000:0000:ff00:0042:8329',
  '2001:db8::ff00:42:8329',
  '2001:DB8::1',
  '::ffff:1.2.3.4',
  '64:ff9b::192.0.2.33',
  '1:2:3:4:5:6:7::',
  '::2:3:4:5:6:7:8',
  '1:2:3:4:5:6:1.2.3.4',
  'fe80::',
];
const BAD_V6 = [
  '1::2::3',
  '1:2:3:4:5:6:7:8:9',
  '1:2:3:4:5:6:7',
  '1::2:3:4:5:6:7:8',
  '12345::1',
  'g::1',
  '::1:',
  ':1::',
  ':::',
  '1:::2',
  ':',
  '::ffff:256.1.1.1',
  '::ffff:1.2.3',
  '::1.2.3.4:5',
  '1.2.3.4::',
  '1:2:3:4:5:1.2.3.4::',
  '1:2:3:4:5:6:7:1.2.3.4',
  '[::1]',
  '::1 ',
];

describe('IPv4 addresses', () => {
  it('a dotted quad gives its four bytes', () => {
    expect(ipv4Bytes('192.0.2.1')).toEqual(Buffer.from([192, 0, 2, 1]));
    expect(ipv4Bytes('255.255.255.255')).toEqual(Buffer.from([255, 255, 255, 255]));
  });

  it.each(GOOD_V4)('%s gives the bytes Node reads', (text) => {
    const bytes = ipv4Bytes(text)!;
    expect(bytes).toHaveLength(4);
    expect(nodeReadsAs(text, bytes)).toBe(true);
    expect(nodeReadsAs(text, neighbour(bytes))).toBe(false);
  });

  it('a part with a leading zero is refused: getaddrinfo would read 010 as octal 8', () => {
    expect([ipv4Bytes('010.0.0.1'), ipv4Bytes('10.0.0.01')]).toEqual([null, null]);
    expect(ipv4Bytes('10.0.0.0')).toEqual(Buffer.from([10, 0, 0, 0]));
  });

  it.each(BAD_V4)('%j is not an IPv4 address (a part over 255, missing or extra parts, leading zeros)', (text) => {
    expect(ipv4Bytes(text)).toBeNull();
  });
});

describe('IPv6 addresses', () => {
  it('::1 is fifteen zero bytes and a 1', () => {
    expect(ipv6Bytes('::1')).toEqual(Buffer.from([...new Array<number>(15).fill(0), 1]));
  });

  it(':: is sixteen zero bytes', () => {
    expect(ipv6Bytes('::')).toEqual(Buffer.alloc(16));
  });

  it('eight full groups are read big-endian, two bytes each', () => {
    expect(ipv6Bytes('2001:0db8:0000:0000:0000:ff00:0042:8329')).toEqual(
      Buffer.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0x00, 0x42, 0x83, 0x29]),
    );
  });

  it('an IPv4 tail such as ::ffff:1.2.3.4 is its last four bytes', () => {
    expect(ipv6Bytes('::ffff:1.2.3.4')).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]));
  });

  it.each(GOOD_V6)('%s gives the bytes Node reads', (text) => {
    const bytes = ipv6Bytes(text)!;
    expect(bytes).toHaveLength(16);
    expect(nodeReadsAs(text, bytes)).toBe(true);
    expect(nodeReadsAs(text, neighbour(bytes))).toBe(false);
  });

  it('a dotted IPv4 part is allowed only at the end, not before ::', () => {
    expect(ipv6Bytes('1.2.3.4::')).toBeNull();
    expect(ipv6Bytes('::1.2.3.4')).toEqual(Buffer.from([...new Array<number>(12).fill(0), 1, 2, 3, 4]));
  });

  it.each(BAD_V6)('%j is not an IPv6 address (two ::, 9 groups, bad hex, misplaced IPv4 part)', (text) => {
    expect(ipv6Bytes(text)).toBeNull();
  });

  it('a %zone is not part of the bytes', () => {
    expect(ipv6Bytes('fe80::1%eth0')).toBeNull();
  });
});

describe('address family', () => {
  it('a dotted quad is 4, an IPv6 address 6, with or without a %zone', () => {
    expect(['192.0.2.1', '::1', '2001:db8::1', 'fe80::1%eth0', 'fe80::1%2'].map(ipFamily)).toEqual([4, 6, 6, 6, 6]);
  });

  it('a host name or an empty zone is 0', () => {
    expect(['radius.example', 'localhost', '', 'fe80::1%', '%eth0'].map(ipFamily)).toEqual([0, 0, 0, 0, 0]);
  });

  it.each([...GOOD_V4, ...BAD_V4, ...GOOD_V6, ...BAD_V6, 'fe80::1%eth0', 'radius.example'])('%j is of the family Node says', (text) => {
    expect(ipFamily(text)).toBe(isIP(text));
  });
});
