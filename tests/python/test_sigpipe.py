"""SIGPIPE never escapes the library (header: ftp_retr_fd/ftp_stor_fd; the
same holds for every socket write).  Python ignores SIGPIPE, so each
scenario runs in a child process with SIGPIPE at its default action."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scripted import ScriptedServer

HERE = Path(__file__).resolve().parent


def child(L, scenario, host, port, *login):
    env = dict(os.environ, FTPKIT_LIBRARY=str(L.path), FTPKIT_HEADER=str(L.header))
    p = subprocess.run([sys.executable, str(HERE / "sigpipe_child.py"), scenario, host, str(port),
                        *login], capture_output=True, timeout=120, env=env)
    assert p.returncode != -signal.SIGPIPE, f"{scenario}: killed by SIGPIPE"
    assert p.returncode == 0, p
    return p.stdout.decode().split()[-1]


def _dropping_stor(c, a):
    c.reply("150 go ahead")
    d = c.data_conn()
    d.recv(1000)
    d.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    d.close()   # RST: the client's next writes get EPIPE/ECONNRESET
    c.reply("426 Connection reset; transfer aborted.")


@pytest.mark.parametrize("scenario", ["stor_dropped", "stor_fd_dropped", "pull_write_dropped"])
def test_upload_to_dropped_data_connection(L, scenario):
    with ScriptedServer(overrides={"STOR": _dropping_stor}) as srv:
        rc = child(L, scenario, srv.host, srv.port)
    assert rc in ("FTP_EIO", "FTP_ETEMP"), rc


def test_control_connection_reset(L):
    def handler(c):
        c.reply("220 hi")
        time.sleep(0.3)
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.sock.close()

    with ScriptedServer(handler) as srv:
        rc = child(L, "control_reset", srv.host, srv.port)
    assert rc in ("FTP_EIO", "FTP_ECLOSED"), rc


@pytest.mark.servers("pyftpdlib")
def test_retr_fd_into_closed_pipe(L, server, workdir):
    workdir.put("big.bin", os.urandom(1 << 20) * 4)
    rc = child(L, "retr_fd_closed_pipe", server.host, server.port, server.user, server.password,
               workdir.remote)
    assert rc == "FTP_ELOCAL", rc
