"""Assertion helpers shared by the capi tests."""


def login(sess, server, user=None, password=None):
    L = sess.L
    rc = sess.connect(server.host, server.port)
    assert rc == L.FTP_OK, f"connect: {L.name(rc)} {sess.describe()}"
    rc = sess.login(user or server.user, password or server.password)
    assert rc == L.FTP_OK, f"login: {L.name(rc)} {sess.describe()}"
    return sess


def assert_usable(sess):
    """The session still works: a NOOP succeeds."""
    rc = sess.noop()
    assert rc == sess.L.FTP_OK, f"session unusable after error: {sess.L.name(rc)} {sess.describe()}"


def expect(sess, rc, status, code=None):
    L = sess.L
    assert rc == getattr(L, status), (
        f"expected {status}, got {L.name(rc)}; {sess.describe()}")
    if code is not None:
        assert sess.reply_code() == code, sess.describe()
