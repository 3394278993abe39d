#!/usr/bin/env python3
# Runs a command while inotify watches one directory, then prints one JSON object: the command's
# exit status and, in order, each event on the directory's entries as [name, [kinds...]]. The
# command's own output goes to stderr. Usage: watch-dir.py DIR COMMAND [ARG...]
import ctypes
import json
import os
import struct
import subprocess
import sys

KINDS = {'CLOSE_WRITE': 0x8, 'MOVED_FROM': 0x40, 'MOVED_TO': 0x80, 'CREATE': 0x100, 'DELETE': 0x200}
OVERFLOW = 0x4000

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_NONBLOCK)
if fd < 0 or libc.inotify_add_watch(fd, os.fsencode(sys.argv[1]), sum(KINDS.values())) < 0:
    sys.exit('watch-dir: inotify failed: errno %d' % ctypes.get_errno())
status = subprocess.run(sys.argv[2:], stdout=sys.stderr).returncode
events = []
while True:
    try:
        buf = os.read(fd, 65536)
    except BlockingIOError:
        break
    off = 0
    while off < len(buf):
        _wd, mask, _cookie, length = struct.unpack_from('iIII', buf, off)
        if mask & OVERFLOW:
            sys.exit('watch-dir: events were lost')
        name = buf[off + 16:off + 16 + length].rstrip(b'\0').decode()
        events.append([name, [k for k, v in KINDS.items() if mask & v]])
        off += 16 + length
print(json.dumps({'status': status, 'events': events}))
