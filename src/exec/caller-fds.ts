// Which file descriptors the caller handed us, so prog gets them too (Dovecot's reply helper
// writes to fd 4). Node marks every inherited descriptor close-on-exec at start-up and opens its
// own (epoll, eventfd, self-pipes), so we tell them apart by what they are.

import { readdirSync, readlinkSync } from 'node:fs';

/**
 * The open descriptors that are not Node's own, in order. Node's own are anonymous inodes and
 * pipes whose both ends we hold. Call it before opening anything. Without /proc: 0, 1, 2.
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
    const fd = Number(name);
    try {
      targets.set(fd, readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // The directory handle readdirSync used, already closed.
    }
  }
  const pipeCount = new Map<string, number>();
  for (const t of targets.values()) if (t.startsWith('pipe:')) pipeCount.set(t, (pipeCount.get(t) ?? 0) + 1);
  const fds: number[] = [];
  for (const [fd, t] of targets) {
    if (fd > 2 && t.startsWith('anon_inode:')) continue;
    if (fd > 2 && t.startsWith('pipe:') && pipeCount.get(t)! > 1) continue;
    fds.push(fd);
  }
  return fds.sort((a, b) => a - b);
}
