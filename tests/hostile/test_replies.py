"""Hostile replies on the control connection: sizes, codes, ordering, timing
and raw bytes.  Each test runs a scripted server (hostile_server.py) and
checks the exact status, the time the call took (never more than the
configured timeout plus MARGIN_S), the memory the process needed, and
whether the session is still usable or closed."""
from __future__ import annotations

import time

import pytest

from hostile_support import (GREETING, MARGIN_S, QUICK_S, SLACK_MIB, TIMEOUT_S, PeakRSS, assert_closed,
                     assert_status, assert_usable, close, connect_ok, drip, expect, hold, mark,
                     send, sleep, stream, timed)

MIB = 1 << 20
MAXLINE = 8192          # the library's default line limit
MAX_REPLY = 1 * MIB     # the library's default total reply cap


def noop_reply(*steps):
    """Greeting, then the NOOP is answered by `steps`."""
    return [GREETING, expect("NOOP"), *steps]


# ---------------------------------------------------------------------------
# Line and reply size limits


def test_line_at_the_limit_is_accepted(server, session):
    """Positive control: a reply line of exactly maxline bytes is fine."""
    line = b"200 " + b"x" * (MAXLINE - 4)
    srv = server(noop_reply(send(line + b"\r\n")))
    s = session()
    connect_ok(s, srv)
    rc, _ = timed(s, s.noop, limit=QUICK_S)
    assert_status(s, rc, "FTP_OK")
    assert s.text() == line
    assert_usable(s)


def test_line_over_the_limit(server, session):
    srv = server(noop_reply(send(b"200 " + b"x" * (MAXLINE - 3) + b"\r\n")))
    s = session()
    connect_ok(s, srv)
    rc, took = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert s.code() == 0
    assert_closed(s, srv)


def test_line_over_a_configured_limit(server, session):
    """ftp_set_maxline() is the limit that applies (here 64 bytes)."""
    srv = server(noop_reply(send(b"200 " + b"y" * 61 + b"\r\n")))
    s = session()
    assert s.lib.ftp_set_maxline(s.s, 64) == 0
    connect_ok(s, srv)
    rc, _ = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert "64" in s.errmsg(), s.describe()
    assert_closed(s, srv)


def test_1mib_line_without_newline(server, session):
    """1 MiB with no line end, and the server then waits: the library must
    give up at the line limit (not wait for a newline or the timeout)."""
    srv = server(noop_reply(send(b"2" * MIB), hold()))
    s = session()
    connect_ok(s, srv)
    with PeakRSS() as mem:
        rc, took = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert mem.growth_mib < SLACK_MIB, f"RSS grew {mem.growth_mib:.1f} MiB"
    assert_closed(s, srv)


def test_endless_line(server, session):
    """Bytes without a line end, as fast as they can go (up to 256 MiB)."""
    srv = server(noop_reply(stream(b"A" * 65536, 256 * MIB)))
    s = session()
    connect_ok(s, srv)
    with PeakRSS() as mem:
        rc, took = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert mem.growth_mib < SLACK_MIB, f"RSS grew {mem.growth_mib:.1f} MiB"
    assert_closed(s, srv)


def test_1mib_greeting_without_newline(server, session):
    srv = server([send(b"220" + b"-" * MIB), hold()])
    s = session()
    with PeakRSS() as mem:
        rc, took = timed(s, s.connect, srv.port, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert mem.growth_mib < SLACK_MIB, f"RSS grew {mem.growth_mib:.1f} MiB"
    assert_closed(s, srv)


@pytest.mark.parametrize("line", [
    pytest.param(b" still the same reply, line after line after line ...........\r\n",
                 id="text-lines"),
    pytest.param(b"\r\n", id="empty-lines"),
    pytest.param(b"200-\n", id="bare-lf-continuations"),
])
def test_endless_multiline_reply(server, session, line):
    """A multi-line reply whose last line never comes (lines well under the
    line limit, up to 256 MiB in all): the total reply cap (1 MiB) stops it
    and memory stays near the cap."""
    srv = server(noop_reply(send(b"200-start\r\n"), stream(line * 1024, 256 * MIB)))
    s = session()
    connect_ok(s, srv)
    with PeakRSS() as mem:
        rc, took = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert mem.growth_mib < MAX_REPLY / MIB + SLACK_MIB, f"RSS grew {mem.growth_mib:.1f} MiB"
    assert_closed(s, srv)


def test_endless_multiline_reply_with_a_small_cap(server, session):
    """ftp_set_max_reply_size() is the cap that applies."""
    line = b" more\r\n"
    srv = server(noop_reply(send(b"200-start\r\n"), stream(line * 1024, 256 * MIB)))
    s = session()
    assert s.lib.ftp_set_max_reply_size(s.s, 4096) == 0
    connect_ok(s, srv)
    rc, took = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert "4096" in s.errmsg(), s.describe()
    assert_closed(s, srv)


def test_endless_multiline_greeting(server, session):
    srv = server([send(b"220-hello\r\n"), stream(b" welcome!\r\n" * 4096, 256 * MIB)])
    s = session()
    with PeakRSS() as mem:
        rc, took = timed(s, s.connect, srv.port, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert mem.growth_mib < MAX_REPLY / MIB + SLACK_MIB, f"RSS grew {mem.growth_mib:.1f} MiB"
    assert_closed(s, srv)


# ---------------------------------------------------------------------------
# Reply codes

BAD_CODES = [
    pytest.param(b"2X0 partly numeric", id="2X0"),
    pytest.param(b"22 short code", id="22-text"),
    pytest.param(b"22", id="22-alone"),
    pytest.param(b"abc not a code", id="non-numeric"),
    pytest.param(b"600 above 599", id="600"),
    pytest.param(b"099 below 100", id="099"),
    pytest.param(b"000 zero", id="000"),
    pytest.param(b"2000 four digits", id="2000"),
    pytest.param(b"200x no separator", id="200x"),
    pytest.param(b" 200 leading space", id="leading-space"),
    pytest.param(b"", id="empty-line"),
    pytest.param(b"\xff\xfe\xfd binary", id="binary"),
]


@pytest.mark.parametrize("line", BAD_CODES)
def test_malformed_reply_code(server, session, line):
    """Never success: FTP_EPROTO, no reply code, connection closed."""
    srv = server(noop_reply(send(line + b"\r\n")))
    s = session()
    connect_ok(s, srv)
    rc, took = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert s.code() == 0
    assert_closed(s, srv)


@pytest.mark.parametrize("line", BAD_CODES[:6])
def test_malformed_reply_code_to_sendcmd(server, session, line):
    """ftp_sendcmd() accepts 1xx-3xx: a malformed code must still fail."""
    srv = server([GREETING, expect("SITE"), send(line + b"\r\n")])
    s = session()
    connect_ok(s, srv)
    rc, _ = timed(s, s.sendcmd, b"SITE HELP", limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert s.code() == 0
    assert_closed(s, srv)


@pytest.mark.parametrize("line", BAD_CODES[:6])
def test_malformed_greeting_code(server, session, line):
    srv = server([send(line + b"\r\n")])
    s = session()
    rc, took = timed(s, s.connect, srv.port, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert s.code() == 0
    assert_closed(s, srv)


def test_malformed_last_line_of_multiline(server, session):
    """'200-' opens a reply; '2X0 end' is not its last line (the code
    differs), so the reply is still open when the server goes quiet: the
    reply deadline ends it."""
    srv = server(noop_reply(send(b"200-start\r\n2X0 end\r\n"), hold()))
    s = session()
    connect_ok(s, srv)
    rc, took = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETIMEOUT")
    assert took < TIMEOUT_S + MARGIN_S
    assert_closed(s, srv)


# ---------------------------------------------------------------------------
# Greeting


def test_120_then_220(server, session):
    srv = server([send(b"120 Service ready in 1 minute\r\n"), sleep(0.5),
                  send(b"120-Still starting\r\n120 almost\r\n"), sleep(0.5),
                  send(b"220 Ready now\r\n")])
    s = session()
    connect_ok(s, srv)
    assert s.welcome() == b"220 Ready now"
    assert s.code() == 220
    assert_usable(s)


def test_120_then_421(server, session):
    srv = server([send(b"120 Service ready in 5 minutes\r\n"),
                  send(b"421 Too many users, try later\r\n"), hold()])
    s = session()
    rc, _ = timed(s, s.connect, srv.port, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETEMP")
    assert s.code() == 421
    assert_closed(s, srv)


def test_endless_1xx_greeting_storm(server, session):
    """120 replies forever (100 per second): the greeting deadline ends it;
    memory does not grow with the number of replies."""
    srv = server([stream(b"120 Service ready in 1 minute\r\n", 1 << 40, 0.01)])
    s = session()
    with PeakRSS() as mem:
        rc, took = timed(s, s.connect, srv.port, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETIMEOUT")
    assert took < TIMEOUT_S + MARGIN_S
    assert mem.growth_mib < SLACK_MIB, f"RSS grew {mem.growth_mib:.1f} MiB"
    assert_closed(s, srv)


def test_endless_1xx_storm_after_a_command(server, session):
    """NOOP answered by 150 forever: ftp_noop() needs 2xx (FTP_EREPLY, the
    first 150); the replies that keep coming are then unsolicited, so the
    next command detects them (FTP_EPROTO, closed) instead of pairing
    itself with a stale reply."""
    srv = server(noop_reply(stream(b"150 wait for it\r\n", 1 << 40, 0.01)))
    s = session()
    connect_ok(s, srv)
    rc, took = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EREPLY")
    assert s.code() == 150
    assert took < TIMEOUT_S + MARGIN_S
    time.sleep(0.2)
    rc, took = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert_closed(s, srv)
    assert srv.commands().count("NOOP") == 1


# ---------------------------------------------------------------------------
# Replies out of step


def _extra_between_noops(server, session, extra_steps):
    srv = server(noop_reply(send(b"200 NOOP ok\r\n"), *extra_steps, mark("extra-sent")))
    s = session()
    connect_ok(s, srv)
    rc, _ = timed(s, s.noop, limit=QUICK_S)
    assert_status(s, rc, "FTP_OK")
    srv.wait_for("mark", name="extra-sent")
    time.sleep(0.2)  # the extra bytes are in this host's socket buffer
    return srv, s


@pytest.mark.parametrize("extra", [
    pytest.param(b"200 unsolicited\r\n", id="single-line"),
    pytest.param(b"211-unsolicited\r\n more\r\n211 end\r\n", id="multi-line"),
    pytest.param(b"550 stale error\r\n", id="negative"),
])
def test_unsolicited_reply_between_commands(server, session, extra):
    """An extra reply after NOOP's: the next command must not take it as its
    own (which would shift every later reply by one).  FTP_EPROTO, closed,
    and the second NOOP is never sent."""
    srv, s = _extra_between_noops(server, session, [send(extra)])
    rc, took = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert_closed(s, srv)
    assert srv.commands().count("NOOP") == 1


def test_unsolicited_reply_glued_to_the_reply(server, session):
    """The extra reply arrives in the same segment as the real one."""
    srv = server(noop_reply(send(b"200 NOOP ok\r\n200 extra\r\n")))
    s = session()
    connect_ok(s, srv)
    rc, _ = timed(s, s.noop, limit=QUICK_S)
    assert_status(s, rc, "FTP_OK")
    assert s.text() == b"200 NOOP ok"
    rc, _ = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert_closed(s, srv)
    assert srv.commands().count("NOOP") == 1


def test_unsolicited_reply_after_greeting(server, session):
    srv = server([send(b"220 hello\r\n"), send(b"220 hello again\r\n"), mark("extra-sent")])
    s = session()
    connect_ok(s, srv)
    srv.wait_for("mark", name="extra-sent")
    time.sleep(0.2)
    rc, _ = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert_closed(s, srv)
    assert "NOOP" not in srv.commands()


def test_unsolicited_421_between_commands(server, session):
    """An unsolicited 421 is the server closing the session: reported as
    such (FTP_ETEMP, code 421) and the connection is closed."""
    srv, s = _extra_between_noops(server, session,
                                  [send(b"421 Idle timeout, closing control connection\r\n")])
    rc, _ = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETEMP")
    assert s.code() == 421
    assert_closed(s, srv)
    assert srv.commands().count("NOOP") == 1


# ---------------------------------------------------------------------------
# Slow and broken connections


def test_one_byte_per_second_drip(server, session):
    """A reply dripped one byte per second (faster than the 2 s timeout, so
    an idle timeout alone would never fire): the per-reply deadline ends the
    call near 2 s, long before the 60 s the whole reply would take."""
    payload = b"200 " + b"d" * 54 + b"\r\n"
    srv = server(noop_reply(drip(payload, 1.0)))
    s = session()
    connect_ok(s, srv)
    rc, took = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETIMEOUT")
    assert took < TIMEOUT_S + MARGIN_S, f"took {took:.1f} s"
    assert not srv.has("mark", name="drip-finished")
    assert_closed(s, srv)


def test_one_byte_per_second_drip_greeting(server, session):
    srv = server([drip(b"220 " + b"g" * 54 + b"\r\n", 1.0)])
    s = session()
    rc, took = timed(s, s.connect, srv.port, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETIMEOUT")
    assert took < TIMEOUT_S + MARGIN_S, f"took {took:.1f} s"
    assert_closed(s, srv)


def test_silent_server(server, session):
    """No reply at all to NOOP."""
    srv = server(noop_reply(hold()))
    s = session()
    connect_ok(s, srv)
    rc, took = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ETIMEOUT")
    assert took < TIMEOUT_S + MARGIN_S
    assert_closed(s, srv)


@pytest.mark.parametrize("partial", [
    pytest.param(b"200-first line\r\n200-second li", id="multi-line"),
    pytest.param(b"20", id="inside-the-code"),
    pytest.param(b"200 no line end", id="no-line-end"),
    pytest.param(b"", id="no-reply"),
])
def test_control_closed_mid_reply(server, session, partial):
    srv = server(noop_reply(send(partial), close()))
    s = session()
    connect_ok(s, srv)
    rc, took = timed(s, s.noop, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ECLOSED")
    assert took < TIMEOUT_S + MARGIN_S
    assert not s.connected()
    assert_status(s, s.noop(), "FTP_ESTATE")


def test_control_closed_mid_greeting(server, session):
    srv = server([send(b"220-Welcome\r\n220-to"), close()])
    s = session()
    rc, _ = timed(s, s.connect, srv.port, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_ECLOSED")
    assert not s.connected()


# ---------------------------------------------------------------------------
# Raw bytes: NUL, invalid UTF-8, bare LF


def test_nul_and_invalid_utf8_in_a_reply(server, session):
    raw = b"200 a\x00b \xff\xfe \xc3\x28 \xed\xa0\x80 \xc0\xaf end"
    srv = server(noop_reply(send(raw + b"\r\n")))
    s = session()
    connect_ok(s, srv)
    rc, _ = timed(s, s.noop, limit=QUICK_S)
    assert_status(s, rc, "FTP_OK")
    assert s.text() == raw
    assert_usable(s)


def test_nul_and_invalid_utf8_in_a_multiline_reply(server, session):
    srv = server([GREETING, expect("STAT"),
                  send(b"211-status \xff\r\n \x00 nul line\r\n211-\xfe\xfd\r\n211 end \xc0\xaf\r\n")])
    s = session()
    connect_ok(s, srv)
    rc, _ = timed(s, s.sendcmd, b"STAT", limit=QUICK_S)
    assert_status(s, rc, "FTP_OK")
    assert s.text() == b"211-status \xff\n \x00 nul line\n211-\xfe\xfd\n211 end \xc0\xaf"
    assert_usable(s)


def test_nul_and_invalid_utf8_in_a_negative_reply(server, session):
    """A 5xx keeps the session usable; its text is still exact."""
    raw = b"550 \xff\x00 denied \xe9"
    srv = server(noop_reply(send(raw + b"\r\n")))
    s = session()
    connect_ok(s, srv)
    rc, _ = timed(s, s.noop, limit=QUICK_S)
    assert_status(s, rc, "FTP_EPERM")
    assert s.code() == 550
    assert s.text() == raw
    assert_usable(s)


def test_invalid_utf8_in_the_greeting(server, session):
    raw = b"220 caf\xe9 \xff\xfe welcome \xc3\x28"
    srv = server([send(raw + b"\r\n")])
    s = session()
    connect_ok(s, srv)
    assert s.welcome() == raw
    assert_usable(s)


def test_bare_lf_line_ends(server, session):
    """Replies ending in LF only work everywhere: greeting, single and
    multi-line replies, PWD."""
    srv = server([send(b"220-first\n 220 inside\n220 ready\n"),
                  expect("NOOP"), send(b"200 ok\n"),
                  expect("STAT"), send(b"211-a\n b\r\n211 c\n"),
                  expect("PWD"), send(b'257 "/lf dir" is current\n')])
    s = session()
    connect_ok(s, srv)
    assert s.welcome() == b"220-first\n 220 inside\n220 ready"
    rc, _ = timed(s, s.noop, limit=QUICK_S)
    assert_status(s, rc, "FTP_OK")
    assert s.text() == b"200 ok"
    rc, _ = timed(s, s.sendcmd, b"STAT", limit=QUICK_S)
    assert_status(s, rc, "FTP_OK")
    assert s.text() == b"211-a\n b\n211 c"
    rc, name = timed(s, s.pwd, limit=QUICK_S)[0]
    assert_status(s, rc, "FTP_OK")
    assert name == b"/lf dir"
    assert_usable(s)


# ---------------------------------------------------------------------------
# SIZE and PWD values


@pytest.mark.parametrize("value", [
    pytest.param(b"18446744073709551616", id="2^64"),
    pytest.param(b"18446744073709551615", id="2^64-1"),
    pytest.param(b"9223372036854775808", id="2^63"),
    pytest.param(b"99999999999999999999999999999999999999", id="huge"),
    pytest.param(b"-1", id="negative"),
    pytest.param(b"12abc", id="trailing-junk"),
    pytest.param(b"", id="empty"),
])
def test_size_overflow(server, session, value):
    srv = server([GREETING, expect("SIZE"), send(b"213 " + value + b"\r\n")])
    s = session()
    connect_ok(s, srv)
    (rc, _), took = timed(s, s.size, b"big.bin", limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert took < TIMEOUT_S + MARGIN_S
    assert_usable(s)  # a well-formed reply with a useless value: still in step


def test_size_largest_value(server, session):
    """Positive control: 2^63-1 fits."""
    srv = server([GREETING, expect("SIZE"), send(b"213 9223372036854775807\r\n")])
    s = session()
    connect_ok(s, srv)
    (rc, value), _ = timed(s, s.size, b"big.bin", limit=QUICK_S)
    assert_status(s, rc, "FTP_OK")
    assert value == (1 << 63) - 1
    assert_usable(s)


@pytest.mark.parametrize("reply", [
    pytest.param(b'257 "/a\x00b" is cwd', id="nul"),
    pytest.param(b'257 "/a\rb" is cwd', id="cr"),
    pytest.param(b'257 "/unclosed', id="unclosed-quote"),
    pytest.param(b'257 "', id="lone-quote"),
    pytest.param(b'257 /no/quotes', id="no-quotes"),
])
def test_pwd_malformed(server, session, reply):
    srv = server([GREETING, expect("PWD"), send(reply + b"\r\n")])
    s = session()
    connect_ok(s, srv)
    (rc, name), took = timed(s, s.pwd, limit=TIMEOUT_S)
    assert_status(s, rc, "FTP_EPROTO")
    assert name is None
    assert_usable(s)  # a well-formed reply with a useless value: still in step


def test_pwd_other_control_characters_pass_verbatim(server, session):
    """Only CR, LF and NUL are refused in a 257 name (header); other
    control bytes and invalid UTF-8 are returned as raw bytes, doubled
    quotes undone.  Displaying them safely is the caller's job."""
    srv = server([GREETING, expect("PWD"),
                  send(b'257 "/esc\x1b[31mred\x07\x08\x7f ""q"" \xff\xfe" is cwd\r\n')])
    s = session()
    connect_ok(s, srv)
    (rc, name), _ = timed(s, s.pwd, limit=QUICK_S)
    assert_status(s, rc, "FTP_OK")
    assert name == b'/esc\x1b[31mred\x07\x08\x7f "q" \xff\xfe'
    assert_usable(s)
