package ftpkit

/*
#cgo pkg-config: ftpkit
#include <stdlib.h>
#include <ftpkit/ftp.h>

// The range of the C API this package was written against: 0.1.x.  As
// git2go does, refuse to build against headers outside of it.
#if FTPKIT_VERSION_MAJOR != 0 || FTPKIT_VERSION_MINOR < 1
#error "ftpkit-go needs libftpkit 0.x with x >= 1"
#endif

// Adapters in shim.c: they pass the exported Go trampolines as the C
// callbacks, with a runtime/cgo.Handle value as userdata.
int ftpkitgo_set_debug(ftp_session *s, int level, uintptr_t h);
int ftpkitgo_retrbinary(ftp_session *s, const char *cmd, uint64_t rest, uintptr_t h);
int ftpkitgo_storbinary(ftp_session *s, const char *cmd, uint64_t rest, uintptr_t h);
int ftpkitgo_nlst(ftp_session *s, const char *path, uintptr_t h);
int ftpkitgo_list(ftp_session *s, const char *path, uintptr_t h);
int ftpkitgo_mlsd(ftp_session *s, const char *path, uintptr_t h);
*/
import "C"

// The version range of the loaded library this package supports.
const (
	minVersion = 0x000100 // 0.1.0
	maxVersion = 0x00ffff // anything in 0.x
)

// LibraryVersion returns the version of the libftpkit actually loaded, as a
// string such as "0.1.0" (ftp_version_string).
func LibraryVersion() string {
	return C.GoString(C.ftp_version_string())
}

func libraryVersionOK() bool {
	v := uint(C.ftp_version())
	return v >= minVersion && v <= maxVersion
}
