// Which file descriptors the caller handed us, so prog gets them too (Dovecot's reply helper
// writes to fd 4). Node marks every inherited descriptor close-on-exec at start-up and opens its
// own (epoll, eventfd, self-pipes), so we tell them apart by what they are.

import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

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
  // For each pipe: which ends (0 read, 1 write) we hold.
  const pipeEnds = new Map<string, Set<number>>();
  for (const [fd, t] of targets) {
    if (fd > 2 && t.startsWith('pipe:')) {
      const ends = pipeEnds.get(t) ?? new Set<number>();
      ends.add(accessMode(fd));
      pipeEnds.set(t, ends);
    }
  }
  const fds: number[] = [];
  for (const [fd, t] of targets) {
    if (fd > 2 && t.startsWith('anon_inode:')) continue;
    if (fd > 2 && t.startsWith('pipe:') && pipeEnds.get(t)!.size > 1) continue;
    fds.push(fd);
  }
  return fds.sort((a, b) => a - b);
}

/** O_ACCMODE of a descriptor from /proc/self/fdinfo (0 read, 1 write, 2 both; -1 unknown). */
function accessMode(fd: number): number {
  try {
    const m = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
    return m ? parseInt(m[1]!, 8) & 3 : -1;
  } catch {
    return -1;
  }
}
