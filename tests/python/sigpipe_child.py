"""Child process for test_sigpipe.py: runs one scenario with SIGPIPE at its
default action (Python ignores it normally), so a SIGPIPE raised inside the
library kills this process and the parent sees -SIGPIPE.

argv: scenario host port [user password dir]
Prints the status name the library returned.
"""
import os
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))   # tests/: the shared `support` package
sys.path.insert(0, HERE)
import ftpkit_ffi  # noqa: E402


def main():
    scenario, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    L = ftpkit_ffi.Lib(ftpkit_ffi.find_library(), ftpkit_ffi.find_header())
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    s = L.session()
    s.set_timeout(30000)
    rc = s.connect(host, port)
    if rc != 0:
        print("connect", L.name(rc))
        return
    if len(sys.argv) > 4:
        rc = s.login(sys.argv[4], sys.argv[5])
        assert rc == 0, s.describe()
        assert s.cwd(sys.argv[6]) == 0, s.describe()
    if scenario == "retr_fd_closed_pipe":
        r, w = os.pipe()
        os.close(r)
        rc = s.retr_fd("big.bin", w)
    elif scenario == "stor_dropped":
        block = b"d" * 65536
        rc = s.stor_fn("up.bin", lambda cap: block[:cap])
    elif scenario == "stor_fd_dropped":
        with tempfile.TemporaryFile() as f:
            f.write(os.urandom(1 << 20) * 64)
            f.flush()
            f.seek(0)
            rc = s.stor_fd("up.bin", f.fileno())
    elif scenario == "pull_write_dropped":
        rc, _ = s.transfer_open("STOR up.bin")
        if rc == 0:
            block = b"p" * 65536
            for _ in range(4096):
                rc = s.transfer_write(block)
                if rc != 0:
                    break
    elif scenario == "control_reset":
        time.sleep(1.0)   # the server resets the control connection meanwhile
        rc = s.noop()
        if rc == 0:
            rc = s.noop()
    else:
        raise SystemExit(f"unknown scenario {scenario}")
    print("rc", L.name(rc))
    s.free()


if __name__ == "__main__":
    main()
