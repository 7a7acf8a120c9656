#!/usr/bin/env bash
# Fetch the FTP servers of the interoperability matrix that cannot be
# installed next to vsftpd (Debian's vsftpd, proftpd-basic and pure-ftpd
# all provide `ftp-server` and conflict): download their .deb files with
# `apt-get download` and unpack them with `dpkg -x` into a private folder;
# the tests run the binaries from there.  Nothing is installed as a package
# except the shared libraries those binaries link against.
#
#   tests/interop/fetch_servers.sh [DIR]
#
# DIR defaults to $FTPKIT_INTEROP_DIR, else /tmp/ftpkit-interop-servers (the
# fixtures in tests/interop/conftest.py look in the same place).  Afterwards:
#   DIR/root/usr/sbin/proftpd            ProFTPD (proftpd-core)
#   DIR/root/usr/lib/proftpd/mod_tls.so  its TLS module (proftpd-mod-crypto)
#   DIR/root/usr/sbin/pure-ftpd          Pure-FTPd
#   DIR/root/usr/bin/pure-pw             its virtual-user tool
#
# Idempotent: when the binaries are there and `ldd` finds all their
# libraries, it does nothing.  Needs root for apt-get install; the runtime
# libraries are taken from the packages' own Depends fields (the lib* and
# zlib* ones): libacl1 libc6 libcap2 libcrypt1 libhiredis0.14 libidn2-0
# libmemcached11 libmemcachedutil2 libncursesw6 libpam-runtime libpam0g
# libpcre2-8-0 libpcre2-posix3 libsodium23 libssl3 libtinfo6 zlib1g in
# Debian 12 (most are already on a base system; on this one the four that
# were missing were libhiredis0.14 libmemcached11 libmemcachedutil2
# libpcre2-posix3).
set -euo pipefail

DIR=${1:-${FTPKIT_INTEROP_DIR:-/tmp/ftpkit-interop-servers}}
# proftpd-basic is only a meta package in Debian 12: the daemon is in
# proftpd-core and mod_tls in proftpd-mod-crypto.
PACKAGES=(proftpd-core proftpd-mod-crypto pure-ftpd)
BINARIES=(usr/sbin/proftpd usr/lib/proftpd/mod_tls.so usr/sbin/pure-ftpd usr/bin/pure-pw)

log() { printf 'fetch_servers: %s\n' "$*" >&2; }

complete() {
  local b
  for b in "${BINARIES[@]}"; do
    [[ -e $DIR/root/$b ]] || return 1
    if ldd "$DIR/root/$b" 2>/dev/null | grep -q 'not found'; then
      return 1
    fi
  done
  return 0
}

if complete; then
  log "servers present in $DIR/root"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  log "needs root (apt-get install of runtime libraries)"
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
mkdir -p "$DIR/debs" "$DIR/root"
# apt-get download writes as the _apt user when it can; let it.
chmod 755 "$DIR"
chown _apt "$DIR/debs" 2>/dev/null || true
cd "$DIR/debs"
rm -f ./*.deb
if ! apt-get download -q "${PACKAGES[@]}"; then
  log "apt-get download failed; updating the package lists and retrying"
  apt-get update -q
  apt-get download -q "${PACKAGES[@]}"
fi

rm -rf "$DIR/root.new"
mkdir -p "$DIR/root.new"
libs=()
for deb in ./*.deb; do
  dpkg -x "$deb" "$DIR/root.new"
  # "libfoo1 (>= 1.0), libbar2 | libbaz2, other" -> the lib* package names.
  while read -r dep; do
    [[ $dep == lib* || $dep == zlib* ]] && libs+=("$dep")
  done < <(dpkg-deb -f "$deb" Depends | tr ',|' '\n\n' | sed -e 's/(.*)//' -e 's/:any//' \
             -e 's/^ *//' -e 's/ *$//' | grep -v '^$')
done
rm -rf "$DIR/root"
mv "$DIR/root.new" "$DIR/root"

missing=()
for p in $(printf '%s\n' "${libs[@]}" | sort -u); do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  log "installing runtime libraries: ${missing[*]}"
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

if ! complete; then
  for b in "${BINARIES[@]}"; do
    [[ -e $DIR/root/$b ]] || log "missing after unpacking: $b"
    ldd "$DIR/root/$b" 2>/dev/null | grep 'not found' | sed "s|^|$b: |" >&2 || true
  done
  exit 1
fi
log "servers unpacked in $DIR/root"
