// The checkpassword request on file descriptor 3: `login\0password\0timestamp\0`, at most 512 bytes.
// Reading and splitting only; this module knows nothing of backends (DJB's checkpassword 0.90 rules).

import { closeSync, readSync } from 'node:fs';
import { Misuse, Refused, TemporaryFailure } from '../exit';

/** The interface allows at most 512 bytes before EOF (cr.yp.to/checkpwd/interface.html). */
export const MAX_REQUEST = 512;

/** Past this many bytes we stop draining a too-long request and refuse it at once. */
const MAX_DRAIN = 64 * 1024;

/** The descriptor the interface reads from. */
export const REQUEST_FD = 3;

/** The fields of a request. Buffers, not strings: the bytes are exact and can be wiped. */
export interface LoginRequest {
  login: Buffer;
  password: Buffer;
  /** The third field (qmail-popup's `<pid.time@host>`, the CRAM challenge); null when absent. */
  timestamp: Buffer | null;
}

/**
 * Reads fd 3 to EOF and closes it. More than 512 bytes: Refused (exit 1, as DJB does; the rest is
 * drained so the caller does not fail writing its pipe). A read error: TemporaryFailure.
 */
export function readRequestBytes(fd: number = REQUEST_FD): Buffer {
  const buf = Buffer.alloc(MAX_REQUEST + 1);
  let len = 0;
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, len, buf.length - len, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EINTR') continue;
      if (code === 'EAGAIN') {
        pause(5);
        continue;
      }
      buf.fill(0);
      throw new TemporaryFailure('fd3-unreadable', `cannot read fd ${fd}: ${code ?? 'error'}`);
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_REQUEST) {
      buf.fill(0);
      len = 0;
      if (total > MAX_DRAIN) break;
    } else {
      len += n;
    }
  }
  try {
    closeSync(fd);
  } catch {
    // Already gone; nothing of ours depends on it.
  }
  if (total > MAX_REQUEST) {
    buf.fill(0);
    throw new Refused('input-too-long', `${total > MAX_DRAIN ? `more than ${MAX_DRAIN}` : total} bytes on fd ${fd}`);
  }
  return buf.subarray(0, len);
}

/**
 * Splits the request. Empty input, or a login or password without its NUL, is Misuse (exit 2);
 * the timestamp is optional and anything after it is ignored.
 */
export function parseRequest(data: Buffer): LoginRequest {
  if (data.length === 0) throw new Misuse('malformed-input', 'empty input on fd 3');
  const loginEnd = data.indexOf(0);
  if (loginEnd < 0) throw new Misuse('malformed-input', 'login not terminated by NUL');
  const passwordEnd = data.indexOf(0, loginEnd + 1);
  if (passwordEnd < 0) throw new Misuse('malformed-input', 'password not terminated by NUL');
  const rest = data.subarray(passwordEnd + 1);
  let timestamp: Buffer | null = null;
  if (rest.length > 0) {
    const end = rest.indexOf(0);
    timestamp = end < 0 ? rest : rest.subarray(0, end);
  }
  return {
    login: data.subarray(0, loginEnd),
    password: data.subarray(loginEnd + 1, passwordEnd),
    timestamp,
  };
}

/** Sleeps the thread for a few milliseconds: a non-blocking fd 3 has no data yet. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
