/*
 * The login programs' native helper: the system's crypt_rn(3) (libxcrypt, every format PAM
 * verifies, at C speed) and execve(2) on Node 20, which has no process.execve. Loading it also
 * marks the process non-dumpable, so no core file or ptrace can read the password.
 * Why a small addon instead of an FFI or our own code: docs/hashes.md.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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

NAPI_MODULE_INIT() {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  napi_value fn;
  napi_create_function(env, "crypt", NAPI_AUTO_LENGTH, Crypt, NULL, &fn);
  napi_set_named_property(env, exports, "crypt", fn);
  napi_create_function(env, "execve", NAPI_AUTO_LENGTH, Execve, NULL, &fn);
  napi_set_named_property(env, exports, "execve", fn);
  return exports;
}
