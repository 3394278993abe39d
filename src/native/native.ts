// Loads the native helper (src/native/checkpassword.c) that sits beside the bundle, if it is there.
// Without it the programs still work: hashes fall back to our own code, exec to spawn.

/** What the addon exports. */
export interface Native {
  /** crypt_rn(3): the full hash string, or null when libcrypt refuses the setting. */
  crypt(password: Buffer, setting: string): string | null;
  /** execve(2) keeping the listed descriptors; returns the errno when it fails. */
  execve(path: string, argv: string[], envp: string[], keepFds: number[]): number;
  /** A bound, connected, non-blocking UDP socket: [fd, local address], or [-errno, ''] . */
  udpConnect(family: 4 | 6, address: string, port: number, bind: string | null): [number, string];
  /** send(2) on a connected socket: 0 or -errno. */
  udpSend(fd: number, data: Buffer): number;
  /** recv(2) of one datagram into the buffer: its length, or -errno (-EAGAIN when none waits). */
  udpRecv(fd: number, into: Buffer): number;
  /** poll(2) for input: the descriptors that are readable or have an error pending. */
  pollIn(fds: number[], timeoutMs: number): number[];
  /** Fills the buffer from getrandom(2): 0 or -errno. */
  getRandom(into: Buffer): number;
  /** One message to the syslog socket at path (a datagram; NUL-ended on a stream socket), non-blocking: 0 or -errno. */
  syslogSend(path: string, message: Buffer): number;
  /** fcntl(2) write lock on the whole file (F_SETLKW when `wait`, else F_SETLK): 0 or -errno. */
  lockFile(fd: number, wait: boolean): number;
}

/** The addon's file name, next to the program's bundle in dist/. */
export const NATIVE_FILE = 'checkpassword.node';

let cached: Native | null | undefined;

/**
 * The addon, or null when it cannot be loaded or CHECKPASSWORD_NATIVE=off asks for the fallback
 * (the tests use that to run the fallback path through the same programs).
 */
export function loadNative(): Native | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (process.env.CHECKPASSWORD_NATIVE === 'off') return cached;
  const load = require;
  // Beside the bundle in dist/. Only when this module runs from the TypeScript sources (the
  // tests) is the build's dist/ looked in too; a bundle never looks outside its own directory.
  const dirs = /\/src\/native$/.test(__dirname) ? [__dirname, `${__dirname}/../../dist`] : [__dirname];
  for (const dir of dirs) {
    try {
      cached = load(`${dir}/${NATIVE_FILE}`) as Native;
      return cached;
    } catch {
      // Not there, or not loadable here: try the next place, then fall back.
    }
  }
  return cached;
}
