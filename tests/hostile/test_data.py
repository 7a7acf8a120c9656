"""Hostile passive-mode replies, data connections and listings.

The scripted server only ever listens on 127.0.0.1; a PASV reply naming
another host must make the library connect to the control connection's
peer (127.0.0.1) instead, which the server's data listener then sees."""
from __future__ import annotations

import socket

import pytest

from hostile_support import (GREETING, MARGIN_S, QUICK_S, SLACK_MIB, TIMEOUT_S, PeakRSS, accept,
                     assert_closed, assert_status, assert_usable, close, connect_ok, data,
                     data_close, data_reset, epsv, expect, hold, pasv, send, stream, timed)

OPEN = send(b"150 Opening BINARY mode data connection\r\n")
DONE = send(b"226 Transfer complete\r\n")


def transfer(verb: str, payload: bytes, *, passive=None, final=(DONE,)):
    """Greeting, then one transfer with `verb` sending `payload`."""
    return [GREETING, passive or epsv(), expect(verb), accept(), OPEN, data(payload),
            data_close(), *final]


# ---------------------------------------------------------------------------
# PASV / EPSV replies


def test_pasv_foreign_host_is_ignored(server, session):
    """227 names 192.0.2.1 (TEST-NET-1): the library connects to the control
    peer, 127.0.0.1, on the given port; the listing arrives intact."""
    srv = server(transfer("NLST", b"one\r\ntwo\r\n",
                          passive=pasv("227 Entering Passive Mode (192,0,2,1,{p1},{p2})\r\n")))
    s = session()
    connect_ok(s, srv)
    (rc, lines), took = timed(s, s.nlst, limit=QUICK_S)
    assert_status(s, rc, "FTP_OK")
    assert lines == [b"one", b"two"]
    assert srv.wait_for("data-accept")["peer"] == "127.0.0.1"
    assert "EPSV" in srv.commands() and "PASV" in srv.commands()
    assert_usable(s)


BAD_PASSIVE = [
    pytest.param(pasv("227 Entering Passive Mode\r\n"), id="pasv-no-numbers"),
    pytest.param(pasv("227 Entering Passive Mode (127,0,0,1,{p1})\r\n"), id="pasv-five-numbers"),
    pytest.param(pasv("227 Entering Passive Mode (127,0,0,1,0,0)\r\n"), id="pasv-port-0"),
    pytest.param(pasv("227 Entering Passive Mode (127,0,0,1,{p1_wrapped},{p2})\r\n"),
                 id="pasv-p1-over-255"),
    pytest.param(pasv("227 Entering Passive Mode (127,0,0,1,{p1},{p2_wrapped})\r\n"),
                 id="pasv-p2-over-255"),
    pytest.param(pasv("227 Entering Passive Mode (127,0,0,300,{p1},{p2})\r\n"),
                 id="pasv-octet-over-255"),
    pytest.param(pasv("227 Entering Passive Mode (127,0,0,99999999999999999999,{p1},{p2})\r\n"),
                 id="pasv-octet-huge"),
    pytest.param(epsv("229 Entering Extended Passive Mode\r\n"), id="epsv-no-port"),
    pytest.param(epsv("229 Entering Extended Passive Mode (|||abc|)\r\n"), id="epsv-not-a-number"),
    pytest.param(epsv("229 Entering Extended Passive Mode (|||0|)\r\n"), id="epsv-port-0"),
    pytest.param(epsv("229 Entering Extended Passive Mode (|||{port_wrapped}|)\r\n"),
                 id="epsv-port-over-65535"),
    pytest.param(epsv("229 Entering Extended Passive Mode (|||-{port}|)\r\n"), id="epsv-negative"),
    pytest.param(epsv("229 Entering Extended Passive Mode (||{port}|)\r\n"), id="epsv-two-bars"),
    pytest.param(epsv("229 Entering Extended Passive Mode (|||{port}\r\n"), id="epsv-unclosed"),
]


@pytest.mark.parametrize("passive", BAD_PASSIVE)
def test_passive_reply_malformed(server, session, passive):
    """FTP_EPROTO; no data connection is attempted, in particular not to a
    port wrapped around to the listener's (the *_wrapped replies name the
    listener's port plus 256 or 65536).  The reply itself was well formed,
    so the control connection is in step and stays usable (ftp.h)."""
    srv = server([GREETING, passive])
    s = session()
    connect_ok(s, srv)
    (rc, lines), took = timed(s, s.nlst, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert lines == []
    assert "NLST" not in srv.commands()
    assert_usable(s)
    assert not srv.has("data-accept") and not srv.has("late-data-connection"), srv.events


# ---------------------------------------------------------------------------
# Data connections that misbehave


def test_data_connection_silent(server, session):
    """Accepted, 150 sent, then not a byte: the data timeout fires."""
    srv = server([GREETING, epsv(), expect("RETR"), accept(), OPEN, hold()])
    s = session()
    connect_ok(s, srv)
    (rc, got), took = timed(s, s.retr, b"file.bin", limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETIMEOUT")
    assert took < TIMEOUT_S + MARGIN_S
    assert got == b"" and s.transfer_bytes() == 0
    assert_closed(s, srv)


PAYLOAD = bytes(range(256)) * 400  # 102400 bytes


def test_data_closed_mid_transfer_then_426(server, session):
    """The data connection ends early and the server says 426: FTP_ETEMP
    with the bytes that arrived counted; the session stays usable."""
    srv = server(transfer("RETR", PAYLOAD,
                          final=(send(b"426 Connection closed; transfer aborted\r\n"),)))
    s = session()
    connect_ok(s, srv)
    (rc, got), took = timed(s, s.retr, b"file.bin", limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETEMP")
    assert s.code() == 426
    assert got == PAYLOAD
    assert s.transfer_bytes() == len(PAYLOAD)
    assert_usable(s)


def test_data_reset_mid_transfer_then_426(server, session):
    """The data connection is reset (RST) mid-transfer: an error, never
    success, and the byte count matches what reached the callback."""
    srv = server([GREETING, epsv(), expect("RETR"), accept(), OPEN, data(PAYLOAD), data_reset(),
                  send(b"426 Connection reset; transfer aborted\r\n")])
    s = session()
    connect_ok(s, srv)
    (rc, got), took = timed(s, s.retr, b"file.bin", limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETEMP")
    assert s.code() == 426
    assert len(got) <= len(PAYLOAD) and got == PAYLOAD[:len(got)]
    assert s.transfer_bytes() == len(got)
    assert_usable(s)


def test_data_reset_mid_transfer_then_226(server, session):
    """The data connection is reset, yet the server claims success (226):
    the transfer is still not reported complete (FTP_EIO, the data
    connection's error); the control connection is in step, so usable."""
    srv = server([GREETING, epsv(), expect("RETR"), accept(), OPEN, data(PAYLOAD), data_reset(),
                  DONE])
    s = session()
    connect_ok(s, srv)
    (rc, got), took = timed(s, s.retr, b"file.bin", limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EIO")
    assert took < TIMEOUT_S + MARGIN_S
    assert len(got) <= len(PAYLOAD) and got == PAYLOAD[:len(got)]
    assert s.transfer_bytes() == len(got)
    assert_usable(s)


def test_passive_port_refused(server, session):
    """EPSV names a 127.0.0.1 port where nothing listens: the data
    connection is refused (FTP_EIO).  Only the data connection failed, so
    by the header's rule the session stays usable."""
    dead = _unused_port()
    srv = server([GREETING, epsv("229 Entering Extended Passive Mode (|||%d|)\r\n" % dead)])
    s = session()
    connect_ok(s, srv)
    (rc, lines), took = timed(s, s.nlst, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EIO")
    assert took < TIMEOUT_S + MARGIN_S
    assert s.transfer_bytes() == 0
    assert_usable(s)


def _unused_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    with socket.socket() as t:
        t.bind(("127.0.0.1", 0))
        return t.getsockname()[1]


def test_data_closed_mid_transfer_and_control_closed(server, session):
    """Data ends early and the server hangs up without a final reply:
    FTP_ECLOSED (never success), byte count kept, session closed."""
    srv = server([GREETING, epsv(), expect("RETR"), accept(), OPEN, data(PAYLOAD), data_close(),
                  close()])
    s = session()
    connect_ok(s, srv)
    (rc, got), took = timed(s, s.retr, b"file.bin", limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ECLOSED")
    assert took < TIMEOUT_S + MARGIN_S
    assert got == PAYLOAD and s.transfer_bytes() == len(PAYLOAD)
    assert not s.connected()
    assert_status(s, s.noop(), "FTP_ESTATE")


@pytest.mark.parametrize("final,status", [
    pytest.param(b"451 Local error in processing", "FTP_ETEMP", id="451"),
    pytest.param(b"425 Cannot open data connection", "FTP_ETEMP", id="425"),
    pytest.param(b"550 Permission denied", "FTP_EPERM", id="550"),
    pytest.param(b"552 Storage exceeded", "FTP_EPERM", id="552"),
])
def test_150_then_negative_reply(server, session, final, status):
    srv = server([GREETING, epsv(), expect("RETR"), accept(), OPEN, data_close(),
                  send(final + b"\r\n")])
    s = session()
    connect_ok(s, srv)
    (rc, got), took = timed(s, s.retr, b"file.bin", limit=TIMEOUT_S)
    assert_status(s, rc, status)
    assert s.code() == int(final[:3])
    assert got == b"" and s.transfer_bytes() == 0
    assert_usable(s)


def test_150_data_then_negative_reply(server, session):
    """All the data came, but the final reply is 451: not a success."""
    srv = server(transfer("RETR", PAYLOAD, final=(send(b"451 Disk read error\r\n"),)))
    s = session()
    connect_ok(s, srv)
    (rc, got), _ = timed(s, s.retr, b"file.bin", limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETEMP")
    assert got == PAYLOAD and s.transfer_bytes() == len(PAYLOAD)
    assert_usable(s)


@pytest.mark.parametrize("final", [
    pytest.param(b"2X6 Transfer complete", id="2X6"),
    pytest.param(b"22 done", id="22"),
    pytest.param(b"626 done", id="626"),
])
def test_final_reply_malformed(server, session, final):
    """All the data came, but the final reply has no valid code: never
    success; FTP_EPROTO and closed, the byte count kept."""
    srv = server(transfer("RETR", PAYLOAD, final=(send(final + b"\r\n"),)))
    s = session()
    connect_ok(s, srv)
    (rc, got), took = timed(s, s.retr, b"file.bin", limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert got == PAYLOAD and s.transfer_bytes() == len(PAYLOAD)
    assert_closed(s, srv)


@pytest.mark.parametrize("prelim", [
    pytest.param(b"1X0 Opening data connection", id="1X0"),
    pytest.param(b"15 Opening", id="15"),
    pytest.param(b"099 Opening", id="099"),
])
def test_preliminary_reply_malformed(server, session, prelim):
    srv = server([GREETING, epsv(), expect("RETR"), accept(), send(prelim + b"\r\n"), hold()])
    s = session()
    connect_ok(s, srv)
    (rc, got), took = timed(s, s.retr, b"file.bin", limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert got == b""
    assert_closed(s, srv)


def test_226_never_sent(server, session):
    """The data ends cleanly but the final reply never comes: the reply
    deadline (from the end of the data) fires."""
    srv = server(transfer("RETR", PAYLOAD, final=(hold(),)))
    s = session()
    connect_ok(s, srv)
    (rc, got), took = timed(s, s.retr, b"file.bin", limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETIMEOUT")
    assert took < TIMEOUT_S + MARGIN_S
    assert got == PAYLOAD and s.transfer_bytes() == len(PAYLOAD)
    assert_closed(s, srv)


def test_1xx_storm_instead_of_226(server, session):
    """After the data, 1xx replies: ftp_retr() needs 2xx (FTP_EREPLY);
    the storm is then unsolicited and the next command detects it."""
    srv = server(transfer("RETR", PAYLOAD,
                          final=(stream(b"150 more to come\r\n", 1 << 40, 0.01),)))
    s = session()
    connect_ok(s, srv)
    (rc, got), took = timed(s, s.retr, b"file.bin", limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EREPLY")
    assert took < TIMEOUT_S + MARGIN_S
    assert got == PAYLOAD
    rc, _ = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert_closed(s, srv)


# ---------------------------------------------------------------------------
# Listings: bytes pass through untouched


HOSTILE_NAMES = [b"..", b"/etc/passwd", b"a/../../b", b"../../../../tmp/x", b".",
                 b"a\x00b", b"\xff\xfe\xfd", b"caf\xc3\xa9", b"caf\xe9", b"\xc3\x28",
                 b" leading and trailing space ", b"back\\slash", b"\x1b[31mred", b"tab\there"]


def test_nlst_names_verbatim(server, session):
    srv = server(transfer("NLST", b"".join(n + b"\r\n" for n in HOSTILE_NAMES)))
    s = session()
    connect_ok(s, srv)
    (rc, lines), _ = timed(s, s.nlst, limit=QUICK_S)
    assert_status(s, rc, "FTP_OK")
    assert lines == HOSTILE_NAMES
    assert_usable(s)


def test_list_lines_verbatim(server, session):
    rows = [b"-rw-r--r--   1 ftp ftp   %d Jan 01 00:00 " % i + n
            for i, n in enumerate(HOSTILE_NAMES)]
    rows.append(b"total \x00\xff garbage that is not a listing line at all")
    srv = server(transfer("LIST", b"".join(r + b"\r\n" for r in rows)))
    s = session()
    connect_ok(s, srv)
    (rc, lines), _ = timed(s, s.list, limit=QUICK_S)
    assert_status(s, rc, "FTP_OK")
    assert lines == rows
    assert_usable(s)


def test_mlsd_names_and_facts_verbatim(server, session):
    names = [n for n in HOSTILE_NAMES if not n.startswith(b" ")]
    entries = [b"type=file;size=%d;x.raw=\xff\x00\xfe; " % i + n for i, n in enumerate(names)]
    entries.append(b"type=file;size=1; name with ; semicolon and = sign")
    entries.append(b"Type=DIR;Perm=el;UNIX.Mode=0755; MixedCase")
    srv = server(transfer("MLSD", b"".join(e + b"\r\n" for e in entries)))
    s = session()
    connect_ok(s, srv)
    (rc, got, count), _ = timed(s, s.mlsd, limit=QUICK_S)
    assert_status(s, rc, "FTP_OK")
    assert count == len(entries)
    want = [(n, [(b"type", b"file"), (b"size", b"%d" % i), (b"x.raw", b"\xff\x00\xfe")])
            for i, n in enumerate(names)]
    want.append((b"name with ; semicolon and = sign", [(b"type", b"file"), (b"size", b"1")]))
    want.append((b"MixedCase", [(b"type", b"DIR"), (b"perm", b"el"), (b"unix.mode", b"0755")]))
    assert got == want
    assert_usable(s)


def test_listing_with_bare_lf(server, session):
    """Bare LF in the listing and in every reply of the transfer."""
    srv = server([send(b"220 lf only\n"), epsv("229 Extended Passive Mode (|||{port}|)\n"),
                  expect("LIST"), accept(), send(b"150 here\n"),
                  data(b"a\nb\r\nc\nlast without line end"), data_close(), send(b"226 done\n")])
    s = session()
    connect_ok(s, srv)
    (rc, lines), _ = timed(s, s.list, limit=QUICK_S)
    assert_status(s, rc, "FTP_OK")
    assert lines == [b"a", b"b", b"c", b"last without line end"]
    assert s.text() == b"226 done"
    assert_usable(s)


def test_mlsd_100000_entries_streamed(server, session):
    """A 100,000-entry MLSD (about 9.6 MB): every entry arrives once, in
    order, and the process's memory does not grow with the listing."""
    n = 100_000
    srv = server([GREETING, epsv(), expect("MLSD"), accept(), OPEN, ["data_mlsd", n],
                  data_close(), DONE])
    s = session(timeout_s=60)
    connect_ok(s, srv)
    ffi = s.ffi
    seen = {"count": 0, "size_sum": 0, "order_ok": True, "first": None, "last": None}

    @ffi.callback("ftp_mlsd_cb")
    def cb(name, nlen, facts, nfacts, ud):
        i = seen["count"]
        nm = ffi.unpack(name, nlen)
        if nm != b"file%06d" % i:
            seen["order_ok"] = False
        for k in range(nfacts):
            if ffi.unpack(facts[k].name, facts[k].name_len) == b"size":
                seen["size_sum"] += int(ffi.unpack(facts[k].value, facts[k].value_len))
        if i == 0:
            seen["first"] = nm
        seen["last"] = nm
        seen["count"] = i + 1
        return 0

    with PeakRSS() as mem:
        rc, took = timed(s, s.lib.ftp_mlsd, s.s, ffi.NULL, cb, ffi.NULL, limit=60)
    assert_status(s, rc, "FTP_OK")
    assert seen["count"] == n
    assert seen["order_ok"]
    assert seen["first"] == b"file000000" and seen["last"] == b"file%06d" % (n - 1)
    assert seen["size_sum"] == n * (n - 1) // 2
    assert s.transfer_bytes() > 9_000_000
    assert mem.growth_mib < SLACK_MIB, f"RSS grew {mem.growth_mib:.1f} MiB"
    assert_usable(s)


# ---------------------------------------------------------------------------
# Malformed listing data: the transfer is aborted, the session stays usable

ABORTED = send(b"426 Transfer aborted\r\n226 ABOR successful\r\n")


def test_listing_line_of_1mib_without_newline(server, session):
    """A 1 MiB listing line (no line end): FTP_EPROTO at the line limit, the
    transfer aborted with ABOR, memory bounded, the session usable."""
    srv = server([GREETING, epsv(), expect("LIST"), accept(), OPEN, data(b"-" * (1 << 20)),
                  expect("ABOR"), ABORTED])
    s = session()
    connect_ok(s, srv)
    with PeakRSS() as mem:
        (rc, lines), took = timed(s, s.list, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert lines == []
    assert mem.growth_mib < SLACK_MIB, f"RSS grew {mem.growth_mib:.1f} MiB"
    assert_usable(s)


def test_mlsd_malformed_entry(server, session):
    """An MLSD line without the 'facts; name' form: FTP_EPROTO after the
    good entries before it, the transfer aborted, the session usable."""
    srv = server([GREETING, epsv(), expect("MLSD"), accept(), OPEN,
                  data(b"type=file; good\r\nthis line has no facts\r\ntype=file; after\r\n"),
                  expect("ABOR"), ABORTED])
    s = session()
    connect_ok(s, srv)
    (rc, got, count), took = timed(s, s.mlsd, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert got == [(b"good", [(b"type", b"file")])]
    assert_usable(s)


def test_final_reply_drip(server, session):
    """The 226 dripped one byte per second: the reply deadline, counted from
    the end of the data, fires near 2 s."""
    srv = server(transfer("RETR", PAYLOAD,
                          final=(["drip", "226 " + "d" * 54 + "\r\n", 1.0],)))
    s = session()
    connect_ok(s, srv)
    (rc, got), took = timed(s, s.retr, b"file.bin", limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETIMEOUT")
    assert took < TIMEOUT_S + MARGIN_S
    assert got == PAYLOAD and s.transfer_bytes() == len(PAYLOAD)
    assert not srv.has("mark", name="drip-finished")
    assert_closed(s, srv)
