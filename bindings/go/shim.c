// C adapters between libftpkit's callback types and the Go trampolines
// exported in callbacks.go.  The userdata is a runtime/cgo.Handle value
// (an integer), never a Go pointer, so C keeps no Go memory.
#include <stdint.h>
#include <ftpkit/ftp.h>
#include "_cgo_export.h"

static void debug_cb(const char *line, size_t len, void *ud) {
  ftpkitgoDebug((char *)line, len, (uintptr_t)ud);
}

static int data_cb(const void *data, size_t len, void *ud) {
  return ftpkitgoData((char *)data, len, (uintptr_t)ud);
}

static int read_cb(void *buf, size_t cap, size_t *out_len, void *ud) {
  return ftpkitgoRead((char *)buf, cap, out_len, (uintptr_t)ud);
}

static int line_cb(const char *line, size_t len, void *ud) {
  return ftpkitgoLine((char *)line, len, (uintptr_t)ud);
}

static int mlsd_cb(const char *name, size_t name_len, const ftp_fact *facts, size_t nfacts,
                   void *ud) {
  return ftpkitgoMLSD((char *)name, name_len, (ftp_fact *)facts, nfacts, (uintptr_t)ud);
}

int ftpkitgo_set_debug(ftp_session *s, int level, uintptr_t h) {
  return ftp_set_debug(s, level, h ? debug_cb : NULL, (void *)h);
}

int ftpkitgo_retrbinary(ftp_session *s, const char *cmd, uint64_t rest, uintptr_t h) {
  return ftp_retrbinary(s, cmd, 0, rest, data_cb, (void *)h);
}

int ftpkitgo_storbinary(ftp_session *s, const char *cmd, uint64_t rest, uintptr_t h) {
  return ftp_storbinary(s, cmd, 0, rest, read_cb, (void *)h);
}

int ftpkitgo_nlst(ftp_session *s, const char *path, uintptr_t h) {
  return ftp_nlst(s, path, line_cb, (void *)h);
}

int ftpkitgo_list(ftp_session *s, const char *path, uintptr_t h) {
  return ftp_list(s, path, line_cb, (void *)h);
}

int ftpkitgo_mlsd(ftp_session *s, const char *path, uintptr_t h) {
  return ftp_mlsd(s, path, mlsd_cb, (void *)h);
}
