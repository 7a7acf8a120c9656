"""Test infrastructure shared by the pytest suites under tests/.

  ffi      libftpkit through CFFI: the cdef made from the public header,
           the library loader and a base session wrapper
  servers  real FTP servers on 127.0.0.1 (vsftpd, pyftpdlib subprocesses):
           free ports, waiting for the 220 greeting, process teardown
  pki      the test CA and the server/client certificates (openssl command)

How a suite finds this package: its conftest.py puts tests/ (the parent of
this folder) first on sys.path, and so does every helper script a test runs
as a child process.  The library and header still come from FTPKIT_LIBRARY
and FTPKIT_HEADER, which the meson tests (tests/*/meson.build) set.
"""
