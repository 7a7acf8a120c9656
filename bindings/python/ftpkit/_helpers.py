"""Module-level helpers of :mod:`ftplib`: reply parsers, print_line, ftpcp.

They behave like their ftplib namesakes (same arguments, results and
exceptions, the exceptions being ftpkit's subclasses of ftplib's).
"""

from __future__ import annotations

import re
from typing import Any, Optional, Tuple

from ._errors import error_proto, error_reply

__all__ = ["parse150", "parse227", "parse229", "parse257", "print_line", "ftpcp"]

_SIZE_150 = re.compile(r"150 .* \((\d+) bytes\)", re.IGNORECASE | re.ASCII)
_HOST_PORT_227 = re.compile(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", re.ASCII)


def parse150(resp: str) -> Optional[int]:
    """Return the transfer size a '150' reply announces, or None.

    The size is the number in "(NNN bytes)", which servers may omit
    (RFC 959 §4.2 leaves the text free).  Raises :class:`error_reply` if
    ``resp`` is not a 150 reply.
    """
    if resp[:3] != "150":
        raise error_reply(resp)
    m = _SIZE_150.match(resp)
    return int(m.group(1)) if m else None


def parse227(resp: str) -> Tuple[str, int]:
    """Parse a '227' reply to PASV (RFC 959 §4.1.2) into (host, port).

    ``host`` is the dotted quad the server names (see
    ``FTP.trust_server_pasv_ipv4_address`` for why it is normally not used).
    Raises :class:`error_reply` if ``resp`` is not a 227 reply and
    :class:`error_proto` if it holds no "h1,h2,h3,h4,p1,p2".
    """
    if resp[:3] != "227":
        raise error_reply(resp)
    m = _HOST_PORT_227.search(resp)
    if not m:
        raise error_proto(resp)
    n = m.groups()
    return ".".join(n[:4]), (int(n[4]) << 8) + int(n[5])


def parse229(resp: str, peer: Any) -> Tuple[str, int]:
    """Parse a '229' reply to EPSV (RFC 2428 §3) into (host, port).

    The host is ``peer[0]``: EPSV names only a port, to be used on the
    control connection's peer address.  Raises :class:`error_reply` if
    ``resp`` is not a 229 reply and :class:`error_proto` if the
    "(<d><d><d>port<d>)" part is missing or malformed.
    """
    if resp[:3] != "229":
        raise error_reply(resp)
    start = resp.find("(")
    if start < 0:
        raise error_proto(resp)
    end = resp.find(")", start + 1)
    if end < 0:
        raise error_proto(resp)
    inner = resp[start + 1:end]
    if not inner or inner[0] != inner[-1]:
        raise error_proto(resp)
    fields = inner.split(inner[0])
    if len(fields) != 5:
        raise error_proto(resp)
    return peer[0], int(fields[3])


def parse257(resp: str) -> str:
    """Return the directory name of a '257' reply to MKD or PWD.

    The name is quoted, with embedded quotes doubled (RFC 959 Appendix II).
    A 257 reply without the quoted form gives '' (some servers omit it).
    Raises :class:`error_reply` if ``resp`` is not a 257 reply.
    """
    if resp[:3] != "257":
        raise error_reply(resp)
    if resp[3:5] != ' "':
        return ""
    out = []
    i, n = 5, len(resp)
    while i < n:
        c = resp[i]
        i += 1
        if c == '"':
            if i < n and resp[i] == '"':
                i += 1
            else:
                break
        out.append(c)
    return "".join(out)


def print_line(line: str) -> None:
    """Default callback of ``retrlines()``: print the line to stdout."""
    print(line)


def ftpcp(source: Any, sourcename: str, target: Any, targetname: str = "",
          type: str = "I") -> None:
    """Copy the file ``sourcename`` of ``source`` to ``targetname`` on ``target``.

    ``source`` and ``target`` are logged-in FTP instances; ``targetname``
    defaults to ``sourcename``; ``type`` is the representation type ("I"
    binary, "A" ASCII; RFC 959 §3.1.1).

    Unlike ftplib's ftpcp, which makes the two servers talk to each other
    (PASV on one, PORT on the other: RFC 959 §5.2's server-to-server
    transfer, refused by most servers today and impossible across TLS), the
    data flows through this process: STOR is opened on the target first,
    then RETR on the source, and blocks are copied as they arrive.  Either
    side's error is raised after the other transfer has been aborted.
    """
    if not targetname:
        targetname = sourcename
    source.voidcmd("TYPE " + type)
    target.voidcmd("TYPE " + type)
    dst = target.transfercmd("STOR " + targetname)
    try:
        src = source.transfercmd("RETR " + sourcename)
    except BaseException:
        target.abort()
        dst.close()
        raise
    try:
        while True:
            block = src.recv(65536)
            if not block:
                break
            dst.sendall(block)
    except BaseException:
        for ftp, conn in ((source, src), (target, dst)):
            try:
                ftp.abort()
            except Exception:
                pass
            conn.close()
        raise
    src.close()
    dst.close()
    source.voidresp()
    target.voidresp()
