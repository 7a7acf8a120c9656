/*
 * listing.c — MLSD facts and entry kinds for `ls` and `get -r`.
 */
#define _POSIX_C_SOURCE 200809L

#include "listing.h"

#include <string.h>
#include <strings.h>

const ftp_fact *find_fact(const ftp_fact *f, size_t n, const char *name) {
  size_t len = strlen(name);
  for (size_t i = 0; i < n; i++)
    if (f[i].name_len == len && memcmp(f[i].name, name, len) == 0) return &f[i];
  return NULL;
}

int fact_is(const ftp_fact *f, const char *value) {
  size_t len = strlen(value);
  return f != NULL && f->value_len == len && strncasecmp(f->value, value, len) == 0;
}

/* 1 if the value of `f` starts with `prefix`, case-insensitively. */
static int fact_starts(const ftp_fact *f, const char *prefix) {
  size_t len = strlen(prefix);
  return f != NULL && f->value_len >= len && strncasecmp(f->value, prefix, len) == 0;
}

int mlsd_kind(const ftp_fact *type) {
  if (fact_is(type, "file")) return KIND_FILE;
  if (fact_is(type, "dir")) return KIND_DIR;
  if (fact_is(type, "cdir") || fact_is(type, "pdir")) return KIND_SELF;
  if (fact_is(type, "OS.unix=symlink") || fact_is(type, "OS.unix=slink") ||
      fact_starts(type, "OS.unix=slink:") || fact_starts(type, "OS.unix=symlink:"))
    return KIND_LINK;
  return KIND_OTHER;
}

int list_kind(const ftp_list_entry *e) {
  switch (e->type) {
    case 'f': return KIND_FILE;
    case 'd': return KIND_DIR;
    case 'l': return KIND_LINK;
    default: return KIND_OTHER;
  }
}
