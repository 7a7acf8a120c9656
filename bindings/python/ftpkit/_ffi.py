"""The CFFI declarations of libftpkit's C API and the loading of the library.

This is the only module that knows the C declarations.  They are a copy of
the public header ``capi/include/ftpkit/ftp.h`` (the contract), written in
the subset of C that CFFI's ``cdef`` understands; ``tests/test_declarations.py``
parses the real header and fails if the two drift apart.

ABI mode (``ffi.dlopen``): nothing is compiled when the package is
installed.  CFFI releases the GIL for the duration of every C call, so other
Python threads keep running while a session blocks on the network; callbacks
from C re-acquire it.

Finding the library (first match wins):

1. the environment variable ``FTPKIT_LIBRARY``: the path of the shared
   library file (e.g. ``/opt/ftpkit/lib/libftpkit.so.0``);
2. pkg-config: ``pkg-config --variable=libdir ftpkit`` and then the
   ``-L`` directories of ``pkg-config --libs-only-L ftpkit`` are searched for
   ``libftpkit.so.0`` (then ``libftpkit.so``).  Setting ``PKG_CONFIG_PATH``
   to a Meson build's ``meson-uninstalled`` folder selects an uninstalled
   build, because pkg-config prefers ``ftpkit-uninstalled.pc``;
3. the system loader: ``ctypes.util.find_library('ftpkit')``, then
   ``libftpkit.so.0`` by name (``LD_LIBRARY_PATH``, ``ld.so.cache``).

After loading, ``ftp_version()`` must lie in ``[SUPPORTED_MIN,
SUPPORTED_END)``; otherwise importing ``ftpkit`` raises ImportError.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
from typing import List

import cffi

__all__ = ["ffi", "lib", "CDEF", "library_path", "SUPPORTED_MIN", "SUPPORTED_END",
           "version_string"]

#: The C declarations, in the header's order.  Keep in sync with ftp.h
#: (enforced by tests/test_declarations.py).
CDEF = r"""
#define FTPKIT_VERSION_MAJOR 0
#define FTPKIT_VERSION_MINOR 1
#define FTPKIT_VERSION_PATCH 0

unsigned ftp_version(void);
const char *ftp_version_string(void);

typedef enum ftp_status {
  FTP_OK = 0,
  FTP_EREPLY = -1,
  FTP_ETEMP = -2,
  FTP_EPERM = -3,
  FTP_EPROTO = -4,
  FTP_EIO = -5,
  FTP_ETIMEOUT = -6,
  FTP_ETLS = -7,
  FTP_ECERT = -8,
  FTP_ERESOLVE = -9,
  FTP_EINVAL = -10,
  FTP_ENOMEM = -11,
  FTP_ESTATE = -12,
  FTP_EABORTED = -13,
  FTP_ECANCELED = -14,
  FTP_ECLOSED = -15,
  FTP_EINTERNAL = -16,
  FTP_ELOCAL = -17
} ftp_status;

const char *ftp_strerror(int status);

typedef struct ftp_session ftp_session;

ftp_session *ftp_new(void);
void ftp_free(ftp_session *s);

int ftp_reply_code(const ftp_session *s);
const char *ftp_reply_text(const ftp_session *s, size_t *len);
const char *ftp_errmsg(const ftp_session *s);
uint64_t ftp_transfer_bytes(const ftp_session *s);

int ftp_set_timeout_ms(ftp_session *s, long ms);
int ftp_set_connect_timeout_ms(ftp_session *s, long ms);
int ftp_set_reply_timeout_ms(ftp_session *s, long ms);
int ftp_set_data_timeout_ms(ftp_session *s, long ms);
int ftp_set_passive(ftp_session *s, int passive);
int ftp_set_epsv(ftp_session *s, int use_epsv);
int ftp_set_trust_pasv_host(ftp_session *s, int trust);
int ftp_set_address_family(ftp_session *s, int family);
int ftp_set_source_address(ftp_session *s, const char *host, unsigned port);
int ftp_set_maxline(ftp_session *s, size_t bytes);
int ftp_set_max_reply_size(ftp_session *s, size_t bytes);
int ftp_set_blocksize(ftp_session *s, size_t bytes);

typedef void (*ftp_debug_cb)(const char *line, size_t len, void *userdata);
int ftp_set_debug(ftp_session *s, int level, ftp_debug_cb cb, void *userdata);

int ftp_connect(ftp_session *s, const char *host, unsigned port);
const char *ftp_getwelcome(const ftp_session *s);
int ftp_login(ftp_session *s, const char *user, const char *passwd, const char *acct);
int ftp_quit(ftp_session *s);
void ftp_close(ftp_session *s);
int ftp_is_connected(const ftp_session *s);
void ftp_cancel(ftp_session *s);

typedef enum ftp_tls_mode {
  FTP_TLS_NONE = 0,
  FTP_TLS_EXPLICIT = 1,
  FTP_TLS_IMPLICIT = 2
} ftp_tls_mode;

#define FTP_TLS_VERSION_1_2 0x0303
#define FTP_TLS_VERSION_1_3 0x0304

int ftp_set_tls_mode(ftp_session *s, int mode);
int ftp_set_tls_insecure(ftp_session *s, int insecure);
int ftp_set_tls_ca(ftp_session *s, const char *ca_file, const char *ca_dir);
int ftp_add_tls_ca_cert(ftp_session *s, const void *data, size_t len);
int ftp_clear_tls_ca(ftp_session *s);
int ftp_set_tls_client_cert(ftp_session *s, const char *cert_file, const char *key_file);
int ftp_set_tls_server_name(ftp_session *s, const char *name);
int ftp_set_tls_versions(ftp_session *s, int min, int max);
int ftp_set_tls_auth_ssl_fallback(ftp_session *s, int fallback);
int ftp_auth(ftp_session *s);
int ftp_prot_p(ftp_session *s);
int ftp_prot_c(ftp_session *s);
int ftp_ccc(ftp_session *s);
const char *ftp_tls_version(const ftp_session *s);
int ftp_tls_data_resumed(const ftp_session *s);

int ftp_sendcmd(ftp_session *s, const char *cmd);
int ftp_voidcmd(ftp_session *s, const char *cmd);
int ftp_acct(ftp_session *s, const char *account);
int ftp_cwd(ftp_session *s, const char *path);
int ftp_pwd(ftp_session *s, const char **out, size_t *len);
int ftp_mkd(ftp_session *s, const char *path, const char **out, size_t *len);
int ftp_rmd(ftp_session *s, const char *path);
int ftp_delete(ftp_session *s, const char *path);
int ftp_rename(ftp_session *s, const char *from, const char *to);
int ftp_size(ftp_session *s, const char *path, uint64_t *out);
int ftp_noop(ftp_session *s);
int ftp_abort(ftp_session *s);
int ftp_feature(const ftp_session *s, const char *name, const char **params);

typedef int (*ftp_data_cb)(const void *data, size_t len, void *userdata);
typedef int (*ftp_line_cb)(const char *line, size_t len, void *userdata);
typedef int (*ftp_read_cb)(void *buf, size_t cap, size_t *out_len, void *userdata);

typedef struct ftp_fact {
  const char *name;
  size_t name_len;
  const char *value;
  size_t value_len;
} ftp_fact;

typedef int (*ftp_mlsd_cb)(const char *name, size_t name_len, const ftp_fact *facts,
                           size_t nfacts, void *userdata);

int ftp_retrbinary(ftp_session *s, const char *cmd, size_t blocksize, uint64_t rest,
                   ftp_data_cb cb, void *userdata);
int ftp_retr(ftp_session *s, const char *path, uint64_t rest, ftp_data_cb cb, void *userdata);
int ftp_retrlines(ftp_session *s, const char *cmd, ftp_line_cb cb, void *userdata);
int ftp_storbinary(ftp_session *s, const char *cmd, size_t blocksize, uint64_t rest,
                   ftp_read_cb cb, void *userdata);
int ftp_stor(ftp_session *s, const char *path, uint64_t rest, ftp_read_cb cb, void *userdata);
int ftp_storlines(ftp_session *s, const char *cmd, ftp_read_cb cb, void *userdata);
int ftp_nlst(ftp_session *s, const char *path, ftp_line_cb cb, void *userdata);
int ftp_list(ftp_session *s, const char *path, ftp_line_cb cb, void *userdata);
int ftp_mlsd(ftp_session *s, const char *path, ftp_mlsd_cb cb, void *userdata);
int ftp_retr_fd(ftp_session *s, const char *path, uint64_t rest, int fd);
int ftp_stor_fd(ftp_session *s, const char *path, uint64_t rest, int fd);

typedef struct ftp_file_item {
  const char *path;
  int fd;
  int status;
  uint64_t bytes;
} ftp_file_item;

int ftp_retr_files(ftp_session *s, ftp_file_item *items, size_t n, unsigned parallel);

typedef struct ftp_list_entry {
  const char *name;
  size_t name_len;
  const char *link_target;
  size_t link_target_len;
  int type;
  int64_t size;
  int year, month, day, hour, minute;
} ftp_list_entry;

int ftp_parse_list_line(const char *line, size_t len, ftp_list_entry *out);
int ftp_stor_files(ftp_session *s, ftp_file_item *items, size_t n, unsigned parallel);

#define FTP_TYPE_KEEP 0
#define FTP_TYPE_BINARY 73
#define FTP_TYPE_ASCII 65

int ftp_transfer_open(ftp_session *s, const char *cmd, int type, uint64_t rest, int64_t *size);
int ftp_transfer_read(ftp_session *s, void *buf, size_t cap, size_t *n);
int ftp_transfer_write(ftp_session *s, const void *buf, size_t len);
int ftp_transfer_close(ftp_session *s);
"""

#: Oldest library version this binding supports (FTPKIT_VERSION_NUMBER form).
SUPPORTED_MIN = (0 << 16) | (1 << 8) | 0
#: First library version this binding does not support (the next major).
SUPPORTED_END = 1 << 16

#: The soname the binding is written against.
SONAME = "libftpkit.so.0"

ffi = cffi.FFI()
ffi.cdef(CDEF)


def _pkg_config_dirs() -> List[str]:
    """Directories pkg-config names for ``ftpkit``: libdir, then each -L."""
    exe = shutil.which("pkg-config") or shutil.which("pkgconf")
    if not exe:
        return []
    dirs: List[str] = []
    for args in (["--variable=libdir", "ftpkit"], ["--libs-only-L", "ftpkit"]):
        try:
            out = subprocess.run([exe, *args], capture_output=True, text=True,
                                 timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            return dirs
        if out.returncode != 0:
            return dirs
        for word in out.stdout.split():
            d = word[2:] if word.startswith("-L") else word
            if d and d not in dirs:
                dirs.append(d)
    return dirs


def _candidates() -> List[str]:
    """Every library path or name to try, in lookup order."""
    env = os.environ.get("FTPKIT_LIBRARY")
    if env:
        # An explicit choice is final: no silent fallback to another copy.
        return [env]
    found: List[str] = []
    for d in _pkg_config_dirs():
        for name in (SONAME, "libftpkit.so"):
            path = os.path.join(d, name)
            if os.path.exists(path):
                found.append(path)
    system = ctypes.util.find_library("ftpkit")
    if system:
        found.append(system)
    found.append(SONAME)
    return found


def _load():
    errors = []
    for cand in _candidates():
        try:
            return ffi.dlopen(cand), cand
        except OSError as e:
            errors.append(f"{cand}: {e}")
    raise ImportError(
        "ftpkit: cannot load libftpkit (set FTPKIT_LIBRARY to the library file, "
        "or make `pkg-config --variable=libdir ftpkit` find it, or install it where "
        "the system loader looks); tried: " + "; ".join(errors))


lib, library_path = _load()


def version_string(number: int) -> str:
    """Format an FTPKIT_VERSION_NUMBER as "major.minor.patch"."""
    return f"{number >> 16}.{(number >> 8) & 0xFF}.{number & 0xFF}"


_loaded_version = lib.ftp_version()
if not SUPPORTED_MIN <= _loaded_version < SUPPORTED_END:
    raise ImportError(
        f"ftpkit: {library_path} is libftpkit {version_string(_loaded_version)}; "
        f"this binding supports {version_string(SUPPORTED_MIN)} up to (not including) "
        f"{version_string(SUPPORTED_END)}")
