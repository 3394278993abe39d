/*
 * The login programs' native helper: the system's crypt_rn(3) (libxcrypt, every format PAM
 * verifies, at C speed) and execve(2) on Node 20, which has no process.execve. Loading it also
 * marks the process non-dumpable, so no core file or ptrace can read the password.
 * For checkpassword-radius: connected UDP sockets, poll(2) and getrandom(2), because Node's
 * dgram loads cluster, child_process and net on its first bind (about 2.5 ms a login).
 * For --log syslog: one message to /dev/log, as Node has no unix datagram sockets.
 * Why a small addon instead of an FFI or our own code: docs/hashes.md, docs/performance.md.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#define MAX_SETTING 512
#define MAX_PHRASE 4096

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

/* crypt(password: Buffer, setting: string): string | null. null: libcrypt refused the setting. */
static napi_value Crypt(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2)
    return throw_type(env, "crypt(password, setting)");
  bool is_buffer = false;
  napi_is_buffer(env, argv[0], &is_buffer);
  if (!is_buffer) return throw_type(env, "password must be a Buffer");
  void *pw;
  size_t pwlen;
  napi_get_buffer_info(env, argv[0], &pw, &pwlen);
  if (pwlen >= MAX_PHRASE || (pwlen > 0 && memchr(pw, 0, pwlen) != NULL)) {
    napi_value nul;
    napi_get_null(env, &nul);
    return nul; /* a NUL inside would cut the password short in C: never verifiable */
  }
  char setting[MAX_SETTING];
  size_t slen;
  if (napi_get_value_string_latin1(env, argv[1], setting, sizeof setting, &slen) != napi_ok)
    return throw_type(env, "setting must be a string");
  if (slen >= sizeof setting - 1) {
    napi_value nul;
    napi_get_null(env, &nul);
    return nul;
  }

  char phrase[MAX_PHRASE];
  if (pwlen > 0) memcpy(phrase, pw, pwlen);
  phrase[pwlen] = 0;
  struct crypt_data *data = calloc(1, sizeof *data);
  if (data == NULL) {
    explicit_bzero(phrase, sizeof phrase);
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  char *out = crypt_rn(phrase, setting, data, (int)sizeof *data);
  explicit_bzero(phrase, sizeof phrase);
  napi_value result;
  if (out == NULL || out[0] == '*')
    napi_get_null(env, &result);
  else
    napi_create_string_latin1(env, out, NAPI_AUTO_LENGTH, &result);
  explicit_bzero(data, sizeof *data);
  free(data);
  explicit_bzero(setting, sizeof setting);
  return result;
}

static char *copy_string(napi_env env, napi_value v) {
  size_t n;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) return NULL;
  char *s = malloc(n + 1);
  if (s == NULL) return NULL;
  napi_get_value_string_utf8(env, v, s, n + 1, &n);
  return s;
}

static char **copy_array(napi_env env, napi_value a) {
  uint32_t n;
  if (napi_get_array_length(env, a, &n) != napi_ok) return NULL;
  char **r = calloc(n + 1, sizeof *r);
  if (r == NULL) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    napi_get_element(env, a, i, &e);
    if ((r[i] = copy_string(env, e)) == NULL) return NULL;
  }
  return r;
}

/*
 * execve(path, argv, envp, keepFds): replaces the process; returns errno only on failure.
 * Node marks inherited descriptors close-on-exec at start-up (uv_disable_stdio_inheritance) and
 * ignores SIGPIPE; the caller's descriptors in keepFds are handed on, and signals are reset as a
 * freshly exec'd program expects.
 */
static napi_value Execve(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4)
    return throw_type(env, "execve(path, argv, envp, keepFds)");
  char *path = copy_string(env, argv[0]);
  char **args = copy_array(env, argv[1]);
  char **envp = copy_array(env, argv[2]);
  uint32_t nfds = 0;
  napi_get_array_length(env, argv[3], &nfds);
  int err = ENOMEM;
  if (path != NULL && args != NULL && envp != NULL) {
    for (uint32_t i = 0; i < nfds; i++) {
      napi_value e;
      int32_t fd;
      napi_get_element(env, argv[3], i, &e);
      if (napi_get_value_int32(env, e, &fd) != napi_ok) continue;
      int flags = fcntl(fd, F_GETFD);
      if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGXFSZ, SIG_DFL);
    execve(path, args, envp);
    err = errno;
  }
  napi_value result;
  napi_create_int32(env, err, &result);
  return result;
}

static napi_value int_result(napi_env env, int n) {
  napi_value result;
  napi_create_int32(env, n, &result);
  return result;
}

/* Parses `text` as an IPv4 (family 4) or IPv6 (family 6) address with `port`. 0 or -EINVAL. */
static int make_addr(int family, const char *text, int port, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  if (family == 4) {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, text, &a->sin_addr) != 1) return -EINVAL;
    *len = sizeof *a;
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, text, &a->sin6_addr) != 1) return -EINVAL;
    *len = sizeof *a;
  }
  return 0;
}

/*
 * udpConnect(family: 4|6, address: string, port: number, bind: string | null): [fd, local] or
 * [-errno, ""]: a non-blocking, close-on-exec UDP socket bound (to `bind`, port 0) and connected,
 * so the kernel delivers only the server's datagrams, and the local address it sends from.
 */
static napi_value UdpConnect(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4)
    return throw_type(env, "udpConnect(family, address, port, bind)");
  int32_t family, port;
  char address[64], bind_text[64];
  size_t n;
  napi_valuetype bind_type;
  if (napi_get_value_int32(env, argv[0], &family) != napi_ok || (family != 4 && family != 6) ||
      napi_get_value_string_utf8(env, argv[1], address, sizeof address, &n) != napi_ok ||
      napi_get_value_int32(env, argv[2], &port) != napi_ok || port < 1 || port > 65535 ||
      napi_typeof(env, argv[3], &bind_type) != napi_ok)
    return throw_type(env, "udpConnect: bad arguments");
  int err = 0, fd = -1;
  struct sockaddr_storage to, from;
  socklen_t to_len, from_len;
  if (make_addr(family, address, port, &to, &to_len) != 0) err = EINVAL;
  if (!err) {
    fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) err = errno;
  }
  if (!err && bind_type == napi_string) {
    if (napi_get_value_string_utf8(env, argv[3], bind_text, sizeof bind_text, &n) != napi_ok ||
        make_addr(family, bind_text, 0, &from, &from_len) != 0)
      err = EINVAL;
    else if (bind(fd, (struct sockaddr *)&from, from_len) != 0)
      err = errno;
  }
  if (!err && connect(fd, (struct sockaddr *)&to, to_len) != 0) err = errno;
  if (!err) {
    /* Datagrams from anyone that reached a --bind socket before connect(): dropped unread. */
    char junk[1];
    while (recv(fd, junk, sizeof junk, 0) >= 0) {
    }
  }
  char local[INET6_ADDRSTRLEN] = "";
  if (!err) {
    from_len = sizeof from;
    if (getsockname(fd, (struct sockaddr *)&from, &from_len) != 0) err = errno;
    else if (family == 4) inet_ntop(AF_INET, &((struct sockaddr_in *)&from)->sin_addr, local, sizeof local);
    else inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&from)->sin6_addr, local, sizeof local);
  }
  if (err && fd >= 0) close(fd);
  napi_value result, v;
  napi_create_array_with_length(env, 2, &result);
  napi_create_int32(env, err ? -err : fd, &v);
  napi_set_element(env, result, 0, v);
  napi_create_string_utf8(env, local, NAPI_AUTO_LENGTH, &v);
  napi_set_element(env, result, 1, v);
  return result;
}

/* The (fd, Buffer) arguments of udpSend and udpRecv; 0, or -1 with a TypeError thrown. */
static int fd_and_buffer(napi_env env, napi_callback_info info, const char *usage, int32_t *fd, void **data, size_t *len) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[0], fd) != napi_ok ||
      napi_get_buffer_info(env, argv[1], data, len) != napi_ok) {
    throw_type(env, usage);
    return -1;
  }
  return 0;
}

/* udpSend(fd, data: Buffer): 0 or -errno. */
static napi_value UdpSend(napi_env env, napi_callback_info info) {
  int32_t fd;
  void *data;
  size_t len;
  if (fd_and_buffer(env, info, "udpSend(fd, buffer)", &fd, &data, &len) != 0) return NULL;
  ssize_t r;
  do r = send(fd, data, len, 0); while (r < 0 && errno == EINTR);
  return int_result(env, r < 0 ? -errno : 0);
}

/* udpRecv(fd, into: Buffer): the datagram's length (cut to the buffer), or -errno (-EAGAIN: none). */
static napi_value UdpRecv(napi_env env, napi_callback_info info) {
  int32_t fd;
  void *data;
  size_t len;
  if (fd_and_buffer(env, info, "udpRecv(fd, buffer)", &fd, &data, &len) != 0) return NULL;
  ssize_t r;
  do r = recv(fd, data, len, 0); while (r < 0 && errno == EINTR);
  return int_result(env, r < 0 ? -errno : (int)r);
}

/* pollIn(fds: number[], timeoutMs): the fds that are readable or have an error pending. */
static napi_value PollIn(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  uint32_t count;
  int32_t timeout;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_array_length(env, argv[0], &count) != napi_ok || count > 64 ||
      napi_get_value_int32(env, argv[1], &timeout) != napi_ok)
    return throw_type(env, "pollIn(fds, timeoutMs)");
  struct pollfd p[64];
  for (uint32_t i = 0; i < count; i++) {
    napi_value e;
    int32_t fd;
    napi_get_element(env, argv[0], i, &e);
    if (napi_get_value_int32(env, e, &fd) != napi_ok) return throw_type(env, "pollIn: fds are numbers");
    p[i].fd = fd;
    p[i].events = POLLIN;
    p[i].revents = 0;
  }
  int r = poll(p, count, timeout < 0 ? 0 : timeout);
  napi_value result, v;
  napi_create_array(env, &result);
  uint32_t k = 0;
  for (uint32_t i = 0; r > 0 && i < count; i++) {
    if (p[i].revents) {
      napi_create_int32(env, p[i].fd, &v);
      napi_set_element(env, result, k++, v);
    }
  }
  return result;
}

/* getRandom(into: Buffer): fills it from the kernel's CSPRNG (getrandom(2)); 0 or -errno. */
static napi_value GetRandom(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  unsigned char *data;
  size_t len, done = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_buffer_info(env, argv[0], (void **)&data, &len) != napi_ok)
    return throw_type(env, "getRandom(buffer)");
  while (done < len) {
    ssize_t r = getrandom(data + done, len - done, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return int_result(env, -errno);
    }
    done += (size_t)r;
  }
  return int_result(env, 0);
}

/* lockFile(fd, wait): an fcntl write lock on the whole file, as vpopmail's get_write_lock takes
 * on .vpasswd.lock (Node has no fcntl). wait: F_SETLKW, else F_SETLK. 0, or -errno (-EAGAIN or
 * -EACCES: another process holds it). Closing any descriptor of the file releases it. */
static napi_value LockFile(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd;
  bool wait = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_bool(env, argv[1], &wait) != napi_ok)
    return throw_type(env, "lockFile(fd, wait)");
  struct flock lock;
  memset(&lock, 0, sizeof lock);
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  int r;
  do r = fcntl(fd, wait ? F_SETLKW : F_SETLK, &lock);
  while (r < 0 && errno == EINTR);
  return int_result(env, r < 0 ? -errno : 0);
}

/* How long syslogSend waits for room at a busy syslog daemon before it drops the line, in ms. */
#define SYSLOG_WAIT_MS 100

/* A connected, non-blocking, close-on-exec unix socket of `type`: fd or -errno. */
static int unix_connect(int type, const struct sockaddr_un *addr, socklen_t len) {
  int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int r;
  do r = connect(fd, (const struct sockaddr *)addr, len); while (r != 0 && errno == EINTR);
  if (r != 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  return fd;
}

/* Sends all of data, waiting for room at most wait_ms in all: 0 or -errno. */
static int send_within(int fd, const char *data, size_t len, int wait_ms) {
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  size_t done = 0;
  while (done < len) {
    ssize_t r = send(fd, data + done, len - done, MSG_NOSIGNAL);
    if (r >= 0) {
      done += (size_t)r;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -errno;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long left = wait_ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
    if (left <= 0) return -EAGAIN;
    struct pollfd p = { .fd = fd, .events = POLLOUT, .revents = 0 };
    poll(&p, 1, (int)left);
  }
  return 0;
}

/*
 * syslogSend(path: string, message: Buffer): 0 or -errno. One message to the syslog socket as
 * glibc's syslog(3) sends it: a datagram on a connected unix socket; where the socket is a stream
 * one (connect fails with EPROTOTYPE), over a stream connection with a NUL after the message.
 * Non-blocking, with at most SYSLOG_WAIT_MS of waiting for a busy daemon (glibc would block): the
 * caller ignores the result, so a missing or stuck syslog costs the line, never the login.
 */
static napi_value SyslogSend(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  struct sockaddr_un addr;
  size_t n, len;
  void *data;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_string_utf8(env, argv[0], addr.sun_path, sizeof addr.sun_path, &n) != napi_ok ||
      napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok)
    return throw_type(env, "syslogSend(path, message)");
  if (n == 0) return int_result(env, -EINVAL);
  if (n >= sizeof addr.sun_path - 1) return int_result(env, -ENAMETOOLONG); /* possibly cut short */
  socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
  int err;
  int fd = unix_connect(SOCK_DGRAM, &addr, alen);
  if (fd >= 0) {
    err = send_within(fd, data, len, SYSLOG_WAIT_MS);
  } else if (fd == -EPROTOTYPE && (fd = unix_connect(SOCK_STREAM, &addr, alen)) >= 0) {
    char *framed = malloc(len + 1);
    if (framed == NULL) {
      err = -ENOMEM;
    } else {
      memcpy(framed, data, len);
      framed[len] = 0;
      err = send_within(fd, framed, len + 1, SYSLOG_WAIT_MS);
      free(framed);
    }
  } else {
    err = fd;
  }
  if (fd >= 0) close(fd);
  return int_result(env, err);
}

static void export_fn(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

NAPI_MODULE_INIT() {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  export_fn(env, exports, "crypt", Crypt);
  export_fn(env, exports, "execve", Execve);
  export_fn(env, exports, "udpConnect", UdpConnect);
  export_fn(env, exports, "udpSend", UdpSend);
  export_fn(env, exports, "udpRecv", UdpRecv);
  export_fn(env, exports, "pollIn", PollIn);
  export_fn(env, exports, "getRandom", GetRandom);
  export_fn(env, exports, "syslogSend", SyslogSend);
  export_fn(env, exports, "lockFile", LockFile);
  return exports;
}
