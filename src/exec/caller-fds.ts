// Which file descriptors the caller handed us, so prog gets them too (Dovecot's reply helper
// writes to fd 4). Node marks every inherited descriptor close-on-exec at start-up and opens its
// own (epoll, eventfd, self-pipes), so we tell them apart by what they are.

import { lstatSync, readdirSync, readlinkSync } from 'node:fs';

/**
 * The open descriptors that are not Node's own, in order. Node's own are anonymous inodes and
 * its self-pipes, whose read end and write end we both hold; a caller's pipe passed on two
 * descriptors (fd 1 and fd 4 on one pipe, say) has the same end twice and is kept. Call it
 * before opening anything. Without /proc: 0, 1, 2.
 */
export function callerFds(): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc/self/fd');
  } catch {
    return [0, 1, 2];
  }
  const targets = new Map<number, string>();
  for (const name of names) {
    try {
      targets.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // The directory handle readdirSync used, already closed.
    }
  }
  // Pipes seen on more than one descriptor: which ends (read, write) we hold of each.
  const seen = new Map<string, number>();
  for (const [fd, t] of targets) if (fd > 2 && t.startsWith('pipe:')) seen.set(t, (seen.get(t) ?? 0) + 1);
  const ends = new Map<string, number>();
  for (const [fd, t] of targets) {
    if (fd > 2 && seen.get(t)! > 1) ends.set(t, (ends.get(t) ?? 0) | accessBits(fd));
  }
  const fds: number[] = [];
  for (const [fd, t] of targets) {
    if (fd > 2 && t.startsWith('anon_inode:')) continue;
    if (fd > 2 && ends.get(t) === (READ | WRITE)) continue;
    fds.push(fd);
  }
  return fds.sort((a, b) => a - b);
}

const READ = 1;
const WRITE = 2;

/**
 * Whether a descriptor is open for reading, writing or both: the permission bits of its
 * /proc/self/fd link say it (lr-x, l-wx, lrwx), for the price of one lstat.
 */
function accessBits(fd: number): number {
  try {
    const mode = lstatSync(`/proc/self/fd/${fd}`).mode;
    return (mode & 0o400 ? READ : 0) | (mode & 0o200 ? WRITE : 0);
  } catch {
    return 0;
  }
}
