"""Run by test_connect.py inside `unshare --net` (a new, empty network
namespace), so resolving a name can send nothing off this machine: the
resolver's query to the configured name server fails locally.

Prints one JSON object: the status and message of ftp_connect() to a
`.invalid` name, and whether the same session then connects to a scripted
server on 127.0.0.1 (the namespace's loopback, brought up here).
"""
import fcntl
import json
import socket
import struct
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))   # tests/: the shared `support` package
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "interop"))

from interop_ffi import Session  # noqa: E402
from scripted import ScriptedServer  # noqa: E402

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def loopback_up():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifr = fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sH", b"lo", 0))
        flags = struct.unpack("16sH", ifr[:18])[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))


def greet_and_quit(ctl, server):
    ctl.send("220 hello from the namespace")
    while (line := ctl.recv_line()) is not None:
        if line.upper().startswith("QUIT"):
            ctl.send("221 bye")
            return
        ctl.send("502 not here")


def main():
    name = sys.argv[1]
    s = Session()
    s.set_timeout(20000)
    t0 = time.monotonic()
    rc = s.connect(name, 21)
    out = {"rc": rc, "name": s.L.name(rc), "errmsg": s.errmsg(),
           "connected": s.is_connected(), "elapsed": time.monotonic() - t0}
    loopback_up()
    with ScriptedServer(greet_and_quit) as srv:
        rc2 = s.connect("127.0.0.1", srv.port)
        out["after_rc"] = rc2
        out["after_welcome"] = s.welcome()
        out["after_quit"] = s.quit() if rc2 == 0 else None
    s.free()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
