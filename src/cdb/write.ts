// Makes a D. J. Bernstein constant database (cdb) in memory, as cdbmake and tinycdb's `cdb -c`
// do: the same records in the same order give the same bytes. Format: cr.yp.to/cdb/cdb.txt.

import { cdbHash } from './read';

/** One record: any bytes in key and data, NUL and high bytes included. */
export interface CdbRecord {
  key: Buffer;
  data: Buffer;
}

/** The header: 256 (table position, slot count) pairs of little-endian 32-bit numbers. */
const HEADER = 2048;
/** Every position and length is an unsigned 32-bit number: a cdb is at most 4 GiB. */
const MAX_SIZE = 0xffffffff;

/**
 * The bytes of a cdb holding `records` in the given order. Duplicate keys are all kept (a lookup
 * finds the first; tinycdb's `cdb -q -n` the others). Throws RangeError past 4 GiB.
 */
export function makeCdb(records: Iterable<CdbRecord>): Buffer {
  const chunks: Buffer[] = [Buffer.alloc(HEADER)];
  const buckets: { hash: number; pos: number }[][] = Array.from({ length: 256 }, () => []);
  let pos = HEADER;
  for (const { key, data } of records) {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(key.length, 0);
    head.writeUInt32LE(data.length, 4);
    const hash = cdbHash(key);
    buckets[hash & 0xff]!.push({ hash, pos });
    chunks.push(head, key, data);
    pos = grow(pos, 8 + key.length + data.length);
  }

  // One table per bucket with twice as many slots as entries; each entry goes to its start slot
  // ((hash >> 8) mod slots) or the next free one, in record order, as cdbmake places them. An
  // empty bucket's table has 0 slots and the position where it would have started.
  const header = chunks[0]!;
  for (let b = 0; b < 256; b++) {
    const entries = buckets[b]!;
    const slots = entries.length * 2;
    header.writeUInt32LE(pos, b * 8);
    header.writeUInt32LE(slots, b * 8 + 4);
    if (slots === 0) continue;
    const table = Buffer.alloc(slots * 8);
    for (const { hash, pos: rpos } of entries) {
      let where = (hash >>> 8) % slots;
      while (table.readUInt32LE(where * 8 + 4) !== 0) where = (where + 1) % slots;
      table.writeUInt32LE(hash, where * 8);
      table.writeUInt32LE(rpos, where * 8 + 4);
    }
    chunks.push(table);
    pos = grow(pos, table.length);
  }
  return Buffer.concat(chunks);
}

function grow(pos: number, by: number): number {
  if (pos + by > MAX_SIZE) throw new RangeError('Cannot make cdb: more than 4 GiB of records');
  return pos + by;
}
