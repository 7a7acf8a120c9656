/* Header self-containment test (dav1d's header_test.c idea): the public
 * header must compile on its own, first, as strict C99/C11 and C++11/C++17
 * with -Wall -Wextra -Werror -pedantic.  It is included twice to check the
 * include guard.  Nothing here links against libftpkit: only the header is
 * under test.  The same file is compiled as C++ through header_test.cc. */
/* clang-format off */
#include <ftpkit/ftp.h>
#include <ftpkit/ftp.h>
/* clang-format on */

#if !defined(FTPKIT_VERSION_MAJOR) || !defined(FTPKIT_VERSION_MINOR) || \
    !defined(FTPKIT_VERSION_PATCH) || !defined(FTPKIT_VERSION_NUMBER)
#error "ftp.h must define the FTPKIT_VERSION_* macros"
#endif

#if FTPKIT_VERSION_NUMBER != \
    ((FTPKIT_VERSION_MAJOR << 16) | (FTPKIT_VERSION_MINOR << 8) | FTPKIT_VERSION_PATCH)
#error "FTPKIT_VERSION_NUMBER does not match its parts"
#endif

/* ABI pins: ftp_status values are append-only and never renumbered; the
 * other enums, the macros and ftp_fact's layout are part of the ABI too.
 * Changing any of them is an ABI break (bump the soversion and say so in
 * CHANGELOG.md); adding a new value means adding its pin here, which the
 * 'symbols' test (check_symbols.py --pins) enforces for enumerators. */
#if defined(__cplusplus)
#define FTPKIT_PIN(cond, msg) static_assert(cond, msg)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define FTPKIT_PIN(cond, msg) _Static_assert(cond, msg)
#else
/* C99: a negative array size fails to compile. */
#define FTPKIT_PIN_CAT2(a, b) a##b
#define FTPKIT_PIN_CAT(a, b) FTPKIT_PIN_CAT2(a, b)
#define FTPKIT_PIN(cond, msg) typedef char FTPKIT_PIN_CAT(ftpkit_pin_, __LINE__)[(cond) ? 1 : -1]
#endif

FTPKIT_PIN(FTP_OK == 0, "FTP_OK");
FTPKIT_PIN(FTP_EREPLY == -1, "FTP_EREPLY");
FTPKIT_PIN(FTP_ETEMP == -2, "FTP_ETEMP");
FTPKIT_PIN(FTP_EPERM == -3, "FTP_EPERM");
FTPKIT_PIN(FTP_EPROTO == -4, "FTP_EPROTO");
FTPKIT_PIN(FTP_EIO == -5, "FTP_EIO");
FTPKIT_PIN(FTP_ETIMEOUT == -6, "FTP_ETIMEOUT");
FTPKIT_PIN(FTP_ETLS == -7, "FTP_ETLS");
FTPKIT_PIN(FTP_ECERT == -8, "FTP_ECERT");
FTPKIT_PIN(FTP_ERESOLVE == -9, "FTP_ERESOLVE");
FTPKIT_PIN(FTP_EINVAL == -10, "FTP_EINVAL");
FTPKIT_PIN(FTP_ENOMEM == -11, "FTP_ENOMEM");
FTPKIT_PIN(FTP_ESTATE == -12, "FTP_ESTATE");
FTPKIT_PIN(FTP_EABORTED == -13, "FTP_EABORTED");
FTPKIT_PIN(FTP_ECANCELED == -14, "FTP_ECANCELED");
FTPKIT_PIN(FTP_ECLOSED == -15, "FTP_ECLOSED");
FTPKIT_PIN(FTP_EINTERNAL == -16, "FTP_EINTERNAL");
FTPKIT_PIN(FTP_ELOCAL == -17, "FTP_ELOCAL");
/* Struct layouts, as the bindings (CFFI, cgo, Rust #[repr(C)]) see them. */
FTPKIT_PIN(sizeof(ftp_fact) == 2 * sizeof(const char *) + 2 * sizeof(size_t), "ftp_fact size");
FTPKIT_PIN(offsetof(ftp_fact, name) == 0 && offsetof(ftp_fact, name_len) == sizeof(const char *) &&
               offsetof(ftp_fact, value) == sizeof(const char *) + sizeof(size_t) &&
               offsetof(ftp_fact, value_len) == 2 * sizeof(const char *) + sizeof(size_t),
           "ftp_fact layout");
FTPKIT_PIN(offsetof(ftp_file_item, path) == 0 &&
               offsetof(ftp_file_item, fd) == sizeof(const char *) &&
               offsetof(ftp_file_item, status) == sizeof(const char *) + sizeof(int),
           "ftp_file_item layout");
FTPKIT_PIN(sizeof(void *) != 8 ||
               (offsetof(ftp_file_item, bytes) == 16 && sizeof(ftp_file_item) == 24),
           "ftp_file_item layout on LP64");
FTPKIT_PIN(sizeof(void *) != 8 ||
               (offsetof(ftp_list_entry, type) == 32 && offsetof(ftp_list_entry, size) == 40 &&
                offsetof(ftp_list_entry, year) == 48 && offsetof(ftp_list_entry, minute) == 64 &&
                sizeof(ftp_list_entry) == 72),
           "ftp_list_entry layout on LP64");
FTPKIT_PIN(FTP_TLS_NONE == 0, "FTP_TLS_NONE");
FTPKIT_PIN(FTP_TLS_EXPLICIT == 1, "FTP_TLS_EXPLICIT");
FTPKIT_PIN(FTP_TLS_IMPLICIT == 2, "FTP_TLS_IMPLICIT");
FTPKIT_PIN(FTP_TLS_VERSION_1_2 == 0x0303 && FTP_TLS_VERSION_1_3 == 0x0304, "FTP_TLS_VERSION_*");
FTPKIT_PIN(FTP_TYPE_KEEP == 0 && FTP_TYPE_BINARY == 'I' && FTP_TYPE_ASCII == 'A', "FTP_TYPE_*");

/* The callback types, used with a matching function: a changed signature
 * fails to compile (in C++ and, with -Werror, in C). */
static int data_cb(const void *data, size_t len, void *userdata) {
  (void)data;
  (void)len;
  (void)userdata;
  return 0;
}
static int line_cb(const char *line, size_t len, void *userdata) {
  (void)line;
  (void)len;
  (void)userdata;
  return 0;
}
static int read_cb(void *buf, size_t cap, size_t *out_len, void *userdata) {
  (void)buf;
  (void)cap;
  (void)userdata;
  *out_len = 0;
  return 0;
}
static int mlsd_cb(const char *name, size_t name_len, const ftp_fact *facts, size_t nfacts,
                   void *userdata) {
  (void)name;
  (void)name_len;
  (void)facts;
  (void)nfacts;
  (void)userdata;
  return 0;
}
static void debug_cb(const char *line, size_t len, void *userdata) {
  (void)line;
  (void)len;
  (void)userdata;
}

int main(void) {
  ftp_session *session = NULL;
  ftp_status status = FTP_OK;
  ftp_data_cb d = data_cb;
  ftp_line_cb l = line_cb;
  ftp_read_cb r = read_cb;
  ftp_mlsd_cb m = mlsd_cb;
  ftp_debug_cb g = debug_cb;
  (void)session;
  (void)d;
  (void)l;
  (void)r;
  (void)m;
  (void)g;
  return status == FTP_OK ? 0 : 1;
}
