/*
 * The process half of a qmail caller, for the tests (test/support/qmail-callers.ts builds the
 * bytes and the protocol replies; Node can neither fork nor make a pipe(2), so this does).
 * It does what qmail-popup's doanddie() and the SMTP AUTH patches' authenticate() do between
 * "here are the bytes" and "here is the child's wait status":
 *
 *   qmail-caller LAYOUT STDERR BUFSIZE checkprogram [args...]
 *
 *   LAYOUT  close3: close(3), pipe(), the read end must be fd 3 (qmail-popup; Dabrowski/Johnston).
 *           dup3:   fd 3 is busy (qmail-smtpd keeps control/morercpthosts.cdb there), so the pipe
 *                   lands elsewhere and the child dup2()s its read end onto 3, keeping the
 *                   original descriptor open as well (Hoffmann 0.4x/0.5x, sagredo).
 *   STDERR  client: fd 1 is copied onto fd 2 before the fork (qmail 1.03's qmail-popup; Dabrowski).
 *           keep:   fd 2 is left alone (notqmail's qmail-popup; Hoffmann, sagredo).
 *   BUFSIZE the caller's write buffer: the bytes go into the pipe in writes of at most this size.
 *
 * fds 0 and 1 are the client's connection, made blocking as tcpserver hands them over; other
 * descriptors the test runner leaked are closed. The bytes to write arrive on fd 4 (read to EOF,
 * then closed); the outcome is reported on fd 5 as one line: "exit N", "signal N", or
 * "error pipe|fork|write|wait". Nothing is written to fds 1 and 2. SIGPIPE is ignored here and
 * reset to the default in the child, as the callers do.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define IN_FD 4
#define REPORT_FD 5

static void report(const char *line) {
  size_t n = strlen(line);
  while (n > 0) {
    ssize_t w = write(REPORT_FD, line, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    line += w;
    n -= (size_t)w;
  }
  _exit(0);
}

static void blocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags != -1) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

static unsigned char *read_all(int fd, size_t *len) {
  size_t cap = 1024, n = 0;
  unsigned char *buf = malloc(cap);
  for (;;) {
    if (!buf) report("error read\n");
    if (n == cap) buf = realloc(buf, cap *= 2);
    if (!buf) report("error read\n");
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) report("error read\n");
    if (r == 0) break;
    n += (size_t)r;
  }
  *len = n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 5) return 100;
  int close3 = strcmp(argv[1], "close3") == 0;
  int stderr_to_client = strcmp(argv[2], "client") == 0;
  size_t bufsize = (size_t)atol(argv[3]);
  char **childargs = argv + 4;
  if (bufsize == 0) return 100;

  for (int fd = REPORT_FD + 1; fd < 4096; fd++) close(fd);
  fcntl(REPORT_FD, F_SETFD, FD_CLOEXEC);
  signal(SIGPIPE, SIG_IGN);
  blocking(0);
  blocking(1);

  size_t len;
  unsigned char *bytes = read_all(IN_FD, &len);
  close(IN_FD);

  if (stderr_to_client && dup2(1, 2) == -1) report("error pipe\n");
  int pi[2];
  if (close3) {
    close(3);
    if (pipe(pi) == -1 || pi[0] != 3) report("error pipe\n");
  } else {
    /* The stand-in for qmail-smtpd's control/morercpthosts.cdb on fd 3. */
    if (open("/dev/null", O_RDONLY) != 3) report("error pipe\n");
    if (pipe(pi) == -1) report("error pipe\n");
  }

  pid_t child = fork();
  if (child == -1) report("error fork\n");
  if (child == 0) {
    close(pi[1]);
    if (!close3 && dup2(pi[0], 3) == -1) _exit(1);
    signal(SIGPIPE, SIG_DFL);
    execvp(childargs[0], childargs);
    _exit(1);
  }
  close(pi[0]);

  for (size_t off = 0; off < len;) {
    size_t chunk = len - off < bufsize ? len - off : bufsize;
    ssize_t w = write(pi[1], bytes + off, chunk);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) report("error write\n");
    off += (size_t)w;
  }
  close(pi[1]);
  memset(bytes, 0, len);

  int wstat;
  for (;;) {
    if (waitpid(child, &wstat, 0) == child) break;
    if (errno != EINTR) report("error wait\n");
  }
  char line[32];
  if (WIFSIGNALED(wstat)) snprintf(line, sizeof line, "signal %d\n", WTERMSIG(wstat));
  else snprintf(line, sizeof line, "exit %d\n", WEXITSTATUS(wstat));
  report(line);
  return 0;
}
