#!/usr/bin/env python3
"""make bench: whole-process wall time and peak memory of logins, against `node -e 0` in the same run.

Each round runs every command once, in a shuffled order, each under a clean environment
(env -i semantics: PATH only), with the request on fd 3 from a file; wall time from fork to
reaping, peak RSS from wait4's ru_maxrss. Ratios are taken round by round against `node -e 0`
of the same round, so drift in machine speed cancels out; the medians are printed.
RADIUS rows run against a private FreeRADIUS started here on loopback (test/fixtures/freeradius),
with FreeRADIUS's radclient sending the same Access-Request as a second yardstick.
Usage: bench/bench.py [ROUNDS]   (default 30, at least 20); needs mkpasswd, tinycdb, freeradius
"""
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODE = shutil.which("node") or "/usr/bin/node"
BIN = os.path.join(ROOT, "bin", "checkpassword-passwd")
BUNDLE = os.path.join(ROOT, "dist", "checkpassword-passwd.cjs")
VPOP = os.path.join(ROOT, "bin", "checkpassword-vpopmail")
RADIUS = os.path.join(ROOT, "bin", "checkpassword-radius")
RADCLIENT = shutil.which("radclient") or "/usr/bin/radclient"
FREERADIUS = "/usr/sbin/freeradius"
RADIUS_SECRET = "bench-shared-secret"
CLEAN_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin"}
USERS = 10


def make_store(scratch, method):
    """A passwd file of USERS users whose hashes mkpasswd makes with `method`; password = name."""
    path = os.path.join(scratch, f"passwd-{method}")
    with open(path, "w") as f:
        for i in range(USERS):
            name = f"user{i}"
            h = subprocess.run(["mkpasswd", "-m", method, "-s"], input=name.encode(),
                               capture_output=True, check=True).stdout.decode().strip()
            f.write(f"{name}:{h}:{5000 + i}:{5000 + i}:bench user:/tmp:/bin/sh\n")
    return path


def make_vpopmail(scratch, users, password_hash):
    """A vpopmail tree with one domain of `users` users (all with one hash), vpasswd.cdb made by
    tinycdb; only user7's directory exists. Returns the options that point at it."""
    base = os.path.join(scratch, f"vpop-{users}")
    home = os.path.join(base, "vpopmail")
    qmail = os.path.join(base, "qmail")
    domain_dir = os.path.join(home, "domains", "example.com")
    os.makedirs(os.path.join(domain_dir, "user7"), exist_ok=True)
    os.makedirs(os.path.join(qmail, "users"), exist_ok=True)
    os.chown(os.path.join(domain_dir, "user7"), 5000, 5000) if os.geteuid() == 0 else None
    lines = (f"user{i} {password_hash}:1:0:user{i}:{domain_dir}/user{i}:NOQUOTA\n" for i in range(users))
    cdb = subprocess.Popen(["cdb", "-c", "-m", os.path.join(domain_dir, "vpasswd.cdb")], stdin=subprocess.PIPE)
    for chunk_start in range(0, users, 50_000):
        cdb.stdin.write("".join(next(lines) for _ in range(min(50_000, users - chunk_start))).encode())
    cdb.stdin.close()
    if cdb.wait() != 0:
        raise SystemExit("tinycdb failed")
    key, value = b"!example.com-", f"example.com\0{5000}\0{5000}\0{domain_dir}\0-\0".encode()
    record = b"+%d,%d:" % (len(key), len(value)) + key + b"->" + value + b"\n\n"
    subprocess.run(["cdb", "-c", os.path.join(qmail, "users", "cdb")], input=record, check=True)
    return ["--vpopmail-home", home, "--qmail-dir", qmail, "--service", "pop3"]


def free_udp_port():
    """A UDP port free on 127.0.0.1 and ::1 a moment ago."""
    for _ in range(20):
        s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s4.bind(("127.0.0.1", 0))
        port = s4.getsockname()[1]
        s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        try:
            s6.bind(("::1", port))
            return port
        except OSError:
            continue
        finally:
            s4.close()
            s6.close()
    raise SystemExit("no free UDP port")


def start_freeradius(scratch):
    """FreeRADIUS from test/fixtures/freeradius in a private directory; returns (process, port)."""
    conf = os.path.join(scratch, "freeradius")
    os.makedirs(os.path.join(conf, "log"), mode=0o700)
    os.makedirs(os.path.join(conf, "run"), mode=0o700)
    os.chmod(conf, 0o700)
    for name in ("radiusd.conf", "users"):
        shutil.copy(os.path.join(ROOT, "test", "fixtures", "freeradius", name), conf)
        os.chmod(os.path.join(conf, name), 0o644)
    port, legacy = free_udp_port(), free_udp_port()
    env = {"PATH": "/usr/sbin:/usr/bin:/bin", "RADTEST_DIR": conf, "RADTEST_PORT": str(port),
           "RADTEST_LEGACY_PORT": str(legacy), "RADTEST_SECRET": RADIUS_SECRET}
    proc = subprocess.Popen([FREERADIUS, "-f", "-l", "stdout", "-d", conf], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    out = b""
    while b"Ready to process requests" not in out:
        line = proc.stdout.readline()
        if not line or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("freeradius did not start:\n" + out.decode(errors="replace"))
        out += line
    return proc, port


def radius_cases(scratch, port):
    """An accepted and a rejected RADIUS login, and radclient sending the same Access-Request."""
    conf = os.path.join(scratch, "radius.conf")
    with open(conf, "w") as f:
        f.write(f'auth 127.0.0.1:{port} "{RADIUS_SECRET}" 3 3\n')
    os.chmod(conf, 0o600)
    attrs = os.path.join(scratch, "radclient-request")
    with open(attrs, "w") as f:
        f.write('Message-Authenticator = 0x00\nUser-Name = "loginonly"\nUser-Password = "loginpass"\n'
                'Service-Type = Login-User\nNAS-Identifier = "bench"\nNAS-IP-Address = 127.0.0.1\n'
                'NAS-Port-Type = Virtual\n')
    # --min-uid 0: make bench may run as root, and without --uid prog runs as the caller.
    opts = ["--config", conf, "--nas-identifier", "bench", "--min-uid", "0"]
    return [
        ("RADIUS accepted", [RADIUS, *opts, "/bin/true"], b"loginonly\0loginpass\0<1.2@bench>\0", {}),
        ("RADIUS rejected", [RADIUS, *opts, "/bin/true"], b"loginonly\0wrong\0<1.2@bench>\0", {}),
        ("RADIUS accepted, dgram + node:crypto", [RADIUS, *opts, "/bin/true"], b"loginonly\0loginpass\0<1.2@bench>\0",
         {"CHECKPASSWORD_NATIVE": "off"}),
        ("radclient, same request", [RADCLIENT, "-q", "-r", "1", "-t", "3", "-f", attrs,
                                     f"127.0.0.1:{port}", "auth", RADIUS_SECRET], None, {}),
    ]


def cases(scratch):
    """name, argv, fd 3 bytes (None: fd 3 closed), extra environment."""
    six = ["--passwd", make_store(scratch, "sha512crypt"), "--shadow", "none"]
    yes = ["--passwd", make_store(scratch, "yescrypt"), "--shadow", "none"]
    ok, wrong, unknown = b"user7\0user7\0<1.2@bench>\0", b"user7\0wrong\0<1.2@bench>\0", b"nobody\0x\0<1.2@bench>\0"
    off = {"CHECKPASSWORD_NATIVE": "off"}
    six_hash = subprocess.run(["mkpasswd", "-m", "sha512crypt", "-s"], input=b"user7",
                              capture_output=True, check=True).stdout.decode().strip()
    vpop10 = make_vpopmail(scratch, 10, six_hash)
    vpop1m = make_vpopmail(scratch, 1_000_000, six_hash)
    ok_vpop = b"user7@example.com\0user7\0<1.2@bench>\0"
    return [
        ("node -e 0", [NODE, "-e", "0"], None, {}),
        ("$6$ accepted (bin/, env node)", [BIN, *six, "/bin/true"], ok, {}),
        ("$6$ accepted (node dist/...cjs)", [NODE, BUNDLE, *six, "/bin/true"], ok, {}),
        ("$6$ wrong password", [BIN, *six, "/bin/true"], wrong, {}),
        ("$6$ unknown user", [BIN, *six, "/bin/true"], unknown, {}),
        ("$y$ accepted", [BIN, *yes, "/bin/true"], ok, {}),
        ("$y$ unknown user", [BIN, *yes, "/bin/true"], unknown, {}),
        ("no prog (misuse, no hash)", [BIN, *six], ok, {}),
        ("$6$ accepted, fallback engines", [BIN, *six, "/bin/true"], ok, off),
        ("$y$ accepted, fallback (perl)", [BIN, *yes, "/bin/true"], ok, off),
        ("vpopmail $6$, 10-user vpasswd.cdb", [VPOP, *vpop10, "/bin/true"], ok_vpop, {}),
        ("vpopmail $6$, 1,000,000-user cdb", [VPOP, *vpop1m, "/bin/true"], ok_vpop, {}),
    ]


def run_once(argv, data, extra_env, scratch):
    """Runs argv once; returns (wall seconds, peak RSS KiB, exit status)."""
    fd3 = None
    if data is not None:
        path = os.path.join(scratch, "fd3")
        with open(path, "wb") as f:
            f.write(data)
        fd3 = os.open(path, os.O_RDONLY)
    devnull = os.open(os.devnull, os.O_RDWR)
    env = dict(CLEAN_ENV, **extra_env)
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(devnull, 0)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            if fd3 is not None:
                if fd3 != 3:
                    os.dup2(fd3, 3)
                os.set_inheritable(3, True)
            else:
                try:
                    os.close(3)
                except OSError:
                    pass
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    os.close(devnull)
    if fd3 is not None:
        os.close(fd3)
    return wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    rounds = max(rounds, 20)
    with tempfile.TemporaryDirectory() as scratch:
        os.chmod(scratch, 0o755)  # the logins switch to uid 5000, who must reach the homes
        CASES = cases(scratch)
        freeradius = None
        if os.path.exists(FREERADIUS):
            freeradius, port = start_freeradius(scratch)
            CASES += radius_cases(scratch, port)
        else:
            print("no /usr/sbin/freeradius: RADIUS rows skipped")
        try:
            run_rounds(CASES, rounds, scratch)
        finally:
            if freeradius is not None:
                freeradius.terminate()
                freeradius.wait()


def run_rounds(CASES, rounds, scratch):
    if True:
        walls = {c[0]: [] for c in CASES}
        rss = {c[0]: [] for c in CASES}
        ratios = {c[0]: [] for c in CASES}
        statuses = {c[0]: set() for c in CASES}
        for c in CASES:  # warm-up: page cache, first-run effects
            run_once(c[1], c[2], c[3], scratch)
        for _ in range(rounds):
            order = list(CASES)
            random.shuffle(order)
            this_round = {}
            for name, argv, data, extra in order:
                wall, peak, status = run_once(argv, data, extra, scratch)
                this_round[name] = wall
                walls[name].append(wall)
                rss[name].append(peak)
                statuses[name].add(status)
            base = this_round["node -e 0"]
            for name in this_round:
                ratios[name].append(this_round[name] / base)

    base_rss = statistics.median(rss["node -e 0"])
    print(f"whole-process figures, {rounds} interleaved rounds, clean environment; node {NODE}")
    print(f"{'command':38} {'wall ms':>8} {'x node -e 0':>12} {'peak MiB':>9} {'x node -e 0':>12}  exit")
    for name, *_ in CASES:
        med_rss = statistics.median(rss[name])
        print(f"{name:38} {statistics.median(walls[name]) * 1000:8.1f} {statistics.median(ratios[name]):12.2f}"
              f" {med_rss / 1024:9.1f} {med_rss / base_rss:12.2f}  {','.join(map(str, sorted(statuses[name])))}")
    big = [a / b for a, b in zip(walls["vpopmail $6$, 1,000,000-user cdb"], walls["vpopmail $6$, 10-user vpasswd.cdb"])]
    print(f"vpopmail: 1,000,000-user cdb / 10-user cdb = {statistics.median(big):.3f} (round by round)")
    unknown = statistics.median(ratios["$6$ unknown user"]) / statistics.median(ratios["$6$ wrong password"])
    print(f"$6$ store: unknown user / wrong password = {unknown:.2f}")
    if "RADIUS accepted" in walls:
        vs = [a / b for a, b in zip(walls["RADIUS accepted"], walls["radclient, same request"])]
        print(f"RADIUS accepted / radclient = {statistics.median(vs):.2f} (round by round)")


if __name__ == "__main__":
    main()
