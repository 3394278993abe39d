#!/usr/bin/env python3
# Runs a command on a real pseudo-terminal (its controlling terminal, so /dev/tty works), types
# into it as a person would, and reports what the terminal showed. For the tool's prompt tests.
#
# usage: pty-drive.py STEPS_JSON COMMAND [ARGS...]
#   STEPS_JSON: [{"expect": "Password: ", "send": "secret\r"}, ...]; each waits (10 s at most)
#   for the text to appear (after "wait" seconds, if given), notes whether the terminal's ECHO
#   flag is on at that moment, then types.
# prints JSON: {"output", "returncode" (negative: killed by that signal), "echo_at", "echo_after",
#   "timed_out"}

import fcntl
import json
import os
import pty
import select
import subprocess
import sys
import termios
import time


def main():
    steps = json.loads(sys.argv[1])
    cmd = sys.argv[2:]
    master, slave = pty.openpty()

    def controlling_tty():
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                            preexec_fn=controlling_tty, close_fds=True)
    out = b''
    echo_at = []
    timed_out = False

    def read_some(timeout):
        nonlocal out
        ready, _, _ = select.select([master], [], [], timeout)
        if ready:
            try:
                data = os.read(master, 4096)
            except OSError:
                return False
            out += data
            return bool(data)
        return False

    for step in steps:
        time.sleep(step.get('wait', 0))
        deadline = time.monotonic() + 10
        want = step['expect'].encode()
        start = len(out) if step.get('new_only') else 0
        while want not in out[start:] and time.monotonic() < deadline:
            read_some(0.1)
        if want not in out[start:]:
            timed_out = True
            break
        echo_at.append(bool(termios.tcgetattr(slave)[3] & termios.ECHO))
        time.sleep(0.05)
        if step['send']:
            os.write(master, step['send'].encode())

    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        timed_out = True
    while read_some(0.2):
        pass
    echo_after = bool(termios.tcgetattr(slave)[3] & termios.ECHO)
    print(json.dumps({
        'output': out.decode('latin1'),
        'returncode': proc.returncode,
        'echo_at': echo_at,
        'echo_after': echo_after,
        'timed_out': timed_out,
    }))


main()
