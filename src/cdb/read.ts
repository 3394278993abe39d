// Reads D. J. Bernstein's constant database (cdb) with positional reads: a lookup costs a few
// small reads whatever the file's size, and the file is never read whole. Format: cr.yp.to/cdb/cdb.txt.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { TemporaryFailure } from '../exit';

/** The header: 256 (table position, slot count) pairs of little-endian 32-bit numbers. */
const HEADER = 2048;

/** An open cdb file. Every malformed offset is a TemporaryFailure (111), never a crash or a match. */
export interface Cdb {
  /** The data of the first record whose key is `key`, or null. */
  get(key: Buffer): Buffer | null;
  /** The file's first record, or null for an empty database. */
  first(): { key: Buffer; data: Buffer } | null;
  close(): void;
}

/** Opens a cdb file; null when it does not exist, TemporaryFailure when it cannot be read. */
export function openCdb(file: string): Cdb | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') return null;
    throw new TemporaryFailure('store-unreadable', `cannot read ${file}: ${code}`);
  }
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (err) {
    closeSync(fd);
    throw new TemporaryFailure('store-unreadable', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const corrupt = (why: string): never => {
    throw new TemporaryFailure('store-corrupt', `${file} is not a valid cdb: ${why}`);
  };
  if (size < HEADER) {
    closeSync(fd);
    corrupt(`${size} bytes, shorter than its header`);
  }

  /** `length` bytes at `position`, all inside the file, or the file is corrupt. */
  const read = (position: number, length: number): Buffer => {
    if (position < 0 || length < 0 || position + length > size) corrupt(`offset ${position}+${length} past the end`);
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = readSync(fd, buf, done, length - done, position + done);
      } catch (err) {
        throw new TemporaryFailure('store-unreadable', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      if (n === 0) corrupt('file shrank while reading');
      done += n;
    }
    return buf;
  };

  return {
    get(key: Buffer): Buffer | null {
      const h = cdbHash(key);
      const head = read((h & 0xff) * 8, 8);
      const tpos = head.readUInt32LE(0);
      const tlen = head.readUInt32LE(4);
      if (tlen === 0) return null;
      if (tpos < HEADER || tpos + tlen * 8 > size) corrupt(`hash table at ${tpos} with ${tlen} slots`);
      const start = (h >>> 8) % tlen;
      for (let i = 0; i < tlen; i++) {
        const slot = read(tpos + ((start + i) % tlen) * 8, 8);
        const rpos = slot.readUInt32LE(4);
        if (rpos === 0) return null;
        if (slot.readUInt32LE(0) !== h) continue;
        const rec = read(rpos, 8);
        const klen = rec.readUInt32LE(0);
        const dlen = rec.readUInt32LE(4);
        if (rpos + 8 + klen + dlen > size) corrupt(`record at ${rpos} runs past the end`);
        if (klen !== key.length || !read(rpos + 8, klen).equals(key)) continue;
        return read(rpos + 8 + klen, dlen);
      }
      return null;
    },
    first() {
      const header = read(0, HEADER);
      let end = size;
      for (let i = 0; i < 256; i++) end = Math.min(end, header.readUInt32LE(i * 8));
      if (end < HEADER) corrupt(`hash table position ${end} inside the header`);
      if (end === HEADER) return null;
      const rec = read(HEADER, 8);
      const klen = rec.readUInt32LE(0);
      const dlen = rec.readUInt32LE(4);
      if (HEADER + 8 + klen + dlen > end) corrupt('first record runs into the hash tables');
      return { key: read(HEADER + 8, klen), data: read(HEADER + 8 + klen, dlen) };
    },
    close() {
      try {
        closeSync(fd);
      } catch {
        // Closed already.
      }
    },
  };
}

/** cdb's hash: h = 5381; h = (h * 33) ^ byte, modulo 2^32, bytes unsigned. */
export function cdbHash(key: Buffer): number {
  let h = 5381;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 33) ^ key[i]!) >>> 0;
  return h;
}
