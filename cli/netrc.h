/*
 * netrc.h — look up credentials in a .netrc file (machine, default, login,
 * password, account and macdef tokens, as ftp(1) and curl read them).
 */
#ifndef FTPKIT_CLI_NETRC_H
#define FTPKIT_CLI_NETRC_H

struct netrc_entry {
  char *login;    /* NULL when the entry has none */
  char *password; /* NULL when the entry has none */
  char *account;  /* NULL when the entry has none */
};

/*
 * Find the entry for `host` (case-insensitive) in the file named by $NETRC,
 * else ~/.netrc.  When `login` is not NULL, only an entry with that login
 * matches.  A "default" entry is used when no machine entry matches.
 * Returns 1 and fills `*out` when found, 0 when not found or the file does
 * not exist, -1 on a read or syntax error (after printing a warning).
 */
int netrc_lookup(const char *host, const char *login, struct netrc_entry *out);

/* Free the strings of `e`. */
void netrc_entry_free(struct netrc_entry *e);

#endif /* FTPKIT_CLI_NETRC_H */
