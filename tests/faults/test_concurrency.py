"""200 sessions at once, one per Python thread (CFFI releases the GIL, so
the library really runs them in parallel), each downloading its own file
from vsftpd (max_clients=0, max_per_ip=0), in plain FTP and again with
explicit FTPS and PROT P: no crash, every file byte-exact,
and no file descriptor leaked (counted in /proc/self/fd before and after).

The connects are admitted 16 at a time (until the greeting), then all 200
sessions log in, wait for each other at a barrier and transfer at once.
Without that, 200 simultaneous SYNs overflow vsftpd's accept queue (it
listens with a backlog of 32): with SYN cookies the kernel completes the
handshake on the client side only, and since FTP servers speak first such
a connection waits for a greeting that never comes (the library's reply
deadline catches it: FTP_ETIMEOUT).  That is the TCP stack, not ftpkit.
"""
from __future__ import annotations

import gc
import hashlib
import random
import resource
import threading

import pytest

from faults_support import Session, login, open_fds

N = 200


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "ftps"])
def test_200_concurrent_sessions(shared_servers, lib, certs, tls):
    srv = shared_servers("vsftpd")
    files = {}
    for i in range(N):
        data = random.Random(f"concurrent-{i}").randbytes(256 * 1024 + 997 * i)
        srv.put(f"c{i:03d}.bin", data)
        files[i] = hashlib.sha256(data).hexdigest()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4 * N + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8 * N + 256), hard))

    # Warm up once (lazy initialisation inside the library or OpenSSL must
    # not count as a leak), then take the baseline.
    s = login(srv, tls=tls, certs=certs)
    rc, _ = s.retr("c000.bin")
    assert rc == 0, s.describe(rc)
    assert s.quit() == 0
    s.free()
    gc.collect()
    before = open_fds()

    barrier = threading.Barrier(N)
    admit = threading.Semaphore(16)
    errors: list[str] = []
    lock = threading.Lock()
    done = [0]

    def worker(i):
        sess = Session()
        try:
            sess.set_timeout(120000)
            sess.set_passive(i % 2 == 0)    # half passive, half active
            if tls:                         # explicit FTPS, PROT P
                sess.set_tls_mode(lib.lib.FTP_TLS_EXPLICIT)
                sess.set_tls_ca(str(certs.ca))
            with admit:
                rc = sess.connect("127.0.0.1", srv.port)
            if rc != 0:
                raise AssertionError(f"connect: {sess.describe(rc)}")
            rc = sess.login(srv.user, srv.password)
            if rc != 0:
                raise AssertionError(f"login: {sess.describe(rc)}")
            if sess.cwd(srv.remote_dir) != 0:
                raise AssertionError(f"cwd: {sess.describe()}")
            # All N control connections are open at the same time here.
            barrier.wait(timeout=300)
            h = hashlib.sha256()
            rc = sess.retr_cb(f"c{i:03d}.bin", h.update)
            if rc != 0:
                raise AssertionError(f"retr: {sess.describe(rc)}")
            if h.hexdigest() != files[i]:
                raise AssertionError("content differs")
            rc = sess.quit()
            if rc != 0:
                raise AssertionError(f"quit: {sess.describe(rc)}")
            with lock:
                done[0] += 1
        except threading.BrokenBarrierError:
            with lock:
                errors.append(f"session {i}: barrier broken (another session failed)")
        except BaseException as e:  # noqa: BLE001 - collected and reported below
            with lock:
                errors.append(f"session {i} ({'passive' if i % 2 == 0 else 'active'}): {e}")
            barrier.abort()
        finally:
            sess.free()

    threads = [threading.Thread(target=worker, args=(i,), name=f"ftp-{i}") for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    assert not any(t.is_alive() for t in threads), "some sessions never finished"
    real = [e for e in errors if "barrier broken" not in e]
    assert not errors, f"{len(errors)} sessions failed; first: {(real or errors)[:5]}"
    assert done[0] == N

    gc.collect()
    after = open_fds()
    leaked = {fd: path for fd, path in after.items() if fd not in before}
    assert not leaked, f"{len(leaked)} file descriptors leaked: {sorted(leaked.items())[:20]}"
    assert len(after) == len(before), (len(before), len(after))
