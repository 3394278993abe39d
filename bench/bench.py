#!/usr/bin/env python3
"""make bench: whole-process wall time and peak memory of logins, against `node -e 0` in the same run.

Each round runs every command once, in a shuffled order, each under a clean environment
(env -i semantics: PATH only), with the request on fd 3 from a file; wall time from fork to
reaping, peak RSS from wait4's ru_maxrss. Ratios are taken round by round against `node -e 0`
of the same round, so drift in machine speed cancels out; the medians are printed.
Usage: bench/bench.py [ROUNDS]   (default 30, at least 20)
"""
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODE = shutil.which("node") or "/usr/bin/node"
BIN = os.path.join(ROOT, "bin", "checkpassword-passwd")
BUNDLE = os.path.join(ROOT, "dist", "checkpassword-passwd.cjs")
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


def cases(scratch):
    """name, argv, fd 3 bytes (None: fd 3 closed), extra environment."""
    six = ["--passwd", make_store(scratch, "sha512crypt"), "--shadow", "none"]
    yes = ["--passwd", make_store(scratch, "yescrypt"), "--shadow", "none"]
    ok, wrong, unknown = b"user7\0user7\0<1.2@bench>\0", b"user7\0wrong\0<1.2@bench>\0", b"nobody\0x\0<1.2@bench>\0"
    off = {"CHECKPASSWORD_NATIVE": "off"}
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
        CASES = cases(scratch)
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
    print(f"{'command':34} {'wall ms':>8} {'x node -e 0':>12} {'peak MiB':>9} {'x node -e 0':>12}  exit")
    for name, *_ in CASES:
        med_rss = statistics.median(rss[name])
        print(f"{name:34} {statistics.median(walls[name]) * 1000:8.1f} {statistics.median(ratios[name]):12.2f}"
              f" {med_rss / 1024:9.1f} {med_rss / base_rss:12.2f}  {','.join(map(str, sorted(statuses[name])))}")
    unknown = statistics.median(ratios["$6$ unknown user"]) / statistics.median(ratios["$6$ wrong password"])
    print(f"$6$ store: unknown user / wrong password = {unknown:.2f}")


if __name__ == "__main__":
    main()
