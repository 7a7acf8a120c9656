/*
 * listing.h — helpers shared by `ls` and `get -r` for directory listings:
 * MLSD facts (RFC 3659 §7) and the kind of an entry.
 */
#ifndef FTPKIT_CLI_LISTING_H
#define FTPKIT_CLI_LISTING_H

#include <ftpkit/ftp.h>

#include <stddef.h>

/* Kinds of listing entries (the letters of ftp_list_entry.type, plus one
 * for MLSD's cdir/pdir entries). */
enum entry_kind {
  KIND_FILE = 'f',
  KIND_DIR = 'd',
  KIND_LINK = 'l',
  KIND_OTHER = '?',
  KIND_SELF = '.' /* MLSD type=cdir or type=pdir: the listed dir or its parent */
};

/* The fact called `name` (lowercase) among `f[0..n-1]`, or NULL. */
const ftp_fact *find_fact(const ftp_fact *f, size_t n, const char *name);

/* 1 if fact `f` (may be NULL) has the value `value`, case-insensitively. */
int fact_is(const ftp_fact *f, const char *value);

/* The kind of an MLSD entry from its "type" fact (NULL: KIND_OTHER):
 * file, dir, cdir/pdir, OS.unix=symlink or OS.unix=slink[:target]. */
int mlsd_kind(const ftp_fact *type);

/* The kind of an entry parsed by ftp_parse_list_line(). */
int list_kind(const ftp_list_entry *e);

#endif /* FTPKIT_CLI_LISTING_H */
