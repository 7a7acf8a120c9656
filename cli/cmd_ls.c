/*
 * cmd_ls.c — `ftpkit ls URL`: "type size modify name" columns, from MLSD
 * when the server lists the MLST feature, else from LIST lines parsed with
 * ftp_parse_list_line() (a line it cannot read is printed as it came);
 * raw LIST lines with --raw, bare NLST names with --nlst.  Control bytes in
 * server data are shown as \xHH (print_safe()).
 */
#define _POSIX_C_SOURCE 200809L

#include "commands.h"
#include "listing.h"
#include "session.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int on_line(const char *line, size_t len, void *userdata) {
  (void)userdata;
  print_safe(stdout, line, len, 0);
  putchar('\n');
  return ferror(stdout) ? 1 : 0;
}

/* Print `f`'s value, or "-", left-padded (width > 0) or right-padded. */
static void print_fact(const ftp_fact *f, int width) {
  size_t len = f ? f->value_len : 1;
  size_t pad = (size_t)(width < 0 ? -width : width);
  pad = pad > len ? pad - len : 0;
  if (width > 0)
    for (size_t i = 0; i < pad; i++) putchar(' ');
  print_safe(stdout, f ? f->value : "-", len, 0);
  if (width < 0)
    for (size_t i = 0; i < pad; i++) putchar(' ');
}

/* "YYYYMMDDHHMMSS[.sss]" as "YYYY-MM-DD HH:MM:SS"; other values raw. */
static void print_modify(const ftp_fact *f) {
  const char *v = f ? f->value : NULL;
  size_t i;
  for (i = 0; f != NULL && i < 14 && i < f->value_len; i++)
    if (v[i] < '0' || v[i] > '9') break;
  if (f == NULL || i < 14) {
    print_fact(f, -19);
    return;
  }
  printf("%.4s-%.2s-%.2s %.2s:%.2s:%.2s", v, v + 4, v + 6, v + 8, v + 10, v + 12);
}

static void print_type(const ftp_fact *type) {
  if (type != NULL && type->value_len >= 13 && strncasecmp(type->value, "OS.unix=slink", 13) == 0)
    fputs("link", stdout);
  else if (type != NULL && type->value_len >= 15 &&
           strncasecmp(type->value, "OS.unix=symlink", 15) == 0)
    fputs("link", stdout);
  else
    print_fact(type, -4);
}

static int on_entry(const char *name, size_t name_len, const ftp_fact *facts, size_t nfacts,
                    void *userdata) {
  const ftp_fact *type = find_fact(facts, nfacts, "type");
  const ftp_fact *size = find_fact(facts, nfacts, "size");
  (void)userdata;
  if (fact_is(type, "cdir") || fact_is(type, "pdir")) return 0;
  if (size == NULL) size = find_fact(facts, nfacts, "sizd");
  print_type(type);
  putchar(' ');
  print_fact(size, 12);
  putchar(' ');
  print_modify(find_fact(facts, nfacts, "modify"));
  putchar(' ');
  print_safe(stdout, name, name_len, 0);
  putchar('\n');
  return ferror(stdout) ? 1 : 0;
}

/* ---- LIST lines as columns ---------------------------------------- */

/* The year of a Unix LIST date without one ("Sep  9 01:46": within the
 * last six months, as ls(1) prints it): this year, or last year when the
 * date would lie more than a day in the future. */
static int guess_year(int month, int day) {
  time_t now = time(NULL);
  struct tm tm;
  if (gmtime_r(&now, &tm) == NULL) return 1970;
  if (month > tm.tm_mon + 1 || (month == tm.tm_mon + 1 && day > tm.tm_mday + 1))
    return tm.tm_year + 1900 - 1;
  return tm.tm_year + 1900;
}

/* The modify column of a LIST entry: "YYYY-MM-DD HH:MM" or "YYYY-MM-DD -"
 * (the line gives a year, not a time), "- -" when it gives no date;
 * padded to the width of MLSD's "YYYY-MM-DD HH:MM:SS". */
static void print_list_date(const ftp_list_entry *e) {
  char buf[48];
  if (e->month < 1 || e->month > 12 || e->day < 1 || e->day > 31)
    snprintf(buf, sizeof buf, "- -");
  else if (e->hour >= 0)
    snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d",
             e->year > 0 ? e->year : guess_year(e->month, e->day), e->month, e->day, e->hour,
             e->minute);
  else
    snprintf(buf, sizeof buf, "%04d-%02d-%02d -",
             e->year > 0 ? e->year : guess_year(e->month, e->day), e->month, e->day);
  printf("%-19s", buf);
}

static void print_list_type(int kind) {
  switch (kind) {
    case KIND_FILE: fputs("file", stdout); break;
    case KIND_DIR: fputs("dir ", stdout); break;
    case KIND_LINK: fputs("link", stdout); break;
    default: fputs("other", stdout); break;
  }
}

static int on_list_line(const char *line, size_t len, void *userdata) {
  ftp_list_entry e;
  int r = ftp_parse_list_line(line, len, &e);
  (void)userdata;
  if (r == 0) return 0; /* "total 42", a blank line */
  if (r != 1) return on_line(line, len, NULL);
  if (e.type == 'd' && ((e.name_len == 1 && e.name[0] == '.') ||
                        (e.name_len == 2 && e.name[0] == '.' && e.name[1] == '.')))
    return 0; /* as MLSD's cdir/pdir entries */
  print_list_type(list_kind(&e));
  putchar(' ');
  if (e.size >= 0)
    printf("%12" PRId64, e.size);
  else
    printf("%12s", "-");
  putchar(' ');
  print_list_date(&e);
  putchar(' ');
  print_safe(stdout, e.name, e.name_len, 0);
  putchar('\n');
  return ferror(stdout) ? 1 : 0;
}

static int list(const struct cli_opts *o, struct cli_session *cs, const char *path) {
  if (o->nlst) return ftp_nlst(cs->s, path, on_line, NULL);
  if (o->raw) return ftp_list(cs->s, path, on_line, NULL);
  if (ftp_feature(cs->s, "MLST", NULL)) return ftp_mlsd(cs->s, path, on_entry, NULL);
  return ftp_list(cs->s, path, on_list_line, NULL);
}

int cmd_ls(const struct cli_opts *o, char **args, int n) {
  struct cli_session cs;
  struct ftp_url *u;
  int code, rc;
  if (n != 1) {
    warnx_("ls takes exactly one URL");
    return CLI_EXIT_USAGE;
  }
  if ((u = parse_urls(args, n)) == NULL) return CLI_EXIT_USAGE;
  sess_init(&cs, o);
  code = sess_ensure(&cs, u);
  if (code == 0 && (rc = list(o, &cs, u->path[0] ? u->path : NULL)) != FTP_OK) {
    char *what = what_str("ls", u->path[0] ? u->path : ".");
    if (rc == FTP_EABORTED && ferror(stdout)) {
      report(what, "write error on standard output");
      code = CLI_EXIT_LOCAL;
    } else {
      code = sess_fail(&cs, rc, what);
    }
    free(what);
  }
  sess_end(&cs);
  free_urls(u, n);
  return code;
}
